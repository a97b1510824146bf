//! How the list panes treat model rows: keys, what `/filter` searches, label matching and
//! the orders — pods trouble-first by default (what needs attention at the top), nodes
//! by name — plus the sortable columns.

use std::cmp::Ordering;

use jiff::Timestamp;

use super::list::ListRow;
use crate::model::nodes::NodeRow;
use crate::model::pods::{PodRow, Shared};

impl ListRow for PodRow {
    type Key = (Shared, Box<str>);

    fn key(&self) -> Self::Key {
        PodRow::key(self)
    }

    fn haystack(&self) -> String {
        format!(
            "{}/{} {} {}",
            self.namespace,
            self.name,
            self.status,
            self.node.as_deref().unwrap_or("")
        )
        .to_lowercase()
    }

    fn labels_match(&self, selector: &[(String, Option<String>)]) -> bool {
        self.matches_labels(selector)
    }
}

impl ListRow for NodeRow {
    type Key = Box<str>;

    fn key(&self) -> Self::Key {
        self.name.clone()
    }

    fn haystack(&self) -> String {
        format!("{} {} {}", self.name, self.status, self.roles).to_lowercase()
    }

    fn labels_match(&self, _selector: &[(String, Option<String>)]) -> bool {
        // Node rows carry no labels; a label filter matches none rather than all.
        false
    }
}

pub fn pod_order(
    a: &PodRow,
    b: &PodRow,
    sort: Option<&(String, bool)>,
    now: Timestamp,
) -> Ordering {
    let Some((column, desc)) = sort else {
        // Default: trouble first, worst first, then by place.
        return b
            .severity(now)
            .cmp(&a.severity(now))
            .then_with(|| a.namespace.cmp(&b.namespace))
            .then_with(|| a.name.cmp(&b.name));
    };
    let ord = match column.as_str() {
        "namespace" => a.namespace.cmp(&b.namespace),
        "ready" => (a.ready, a.total).cmp(&(b.ready, b.total)),
        "status" => a.status.cmp(&b.status),
        "restarts" => a.restarts.cmp(&b.restarts),
        // Older first when ascending by age.
        "age" => a.created.cmp(&b.created).reverse(),
        "node" => a.node.cmp(&b.node),
        _ => a.name.cmp(&b.name),
    };
    if *desc { ord.reverse() } else { ord }
}

pub fn node_order(a: &NodeRow, b: &NodeRow, sort: Option<&(String, bool)>) -> Ordering {
    let ord = match sort.map(|(c, _)| c.as_str()) {
        Some("status") => a.status.cmp(&b.status),
        Some("age") => a.created.cmp(&b.created).reverse(),
        Some("version") => a.version.cmp(&b.version),
        _ => a.name.cmp(&b.name),
    };
    if sort.is_some_and(|(_, desc)| *desc) {
        ord.reverse()
    } else {
        ord
    }
}
