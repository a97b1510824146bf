//! How the list panes treat model rows: keys, what `/filter` searches, label matching and
//! the orders — pods trouble-first by default (what needs attention at the top), nodes
//! by name — plus the sortable columns.

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

    fn place_cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.namespace
            .cmp(&other.namespace)
            .then_with(|| self.name.cmp(&other.name))
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

/// A row's place for a sort column: a number, then text — the text only for columns
/// sorted by text, so the default and numeric sorts allocate nothing per row. Ties are
/// broken by namespace/name (`place_cmp`).
pub type SortKey = (i64, String);

pub fn pod_sort_key(p: &PodRow, column: Option<&str>, now: Timestamp) -> SortKey {
    let secs = |t: Option<Timestamp>| t.map_or(i64::MAX, |t| t.as_second());
    match column {
        // Default: trouble first, worst first, then by place.
        None => (-(p.severity(now) as i64), String::new()),
        Some("namespace") => (0, String::new()),
        Some("ready") => (
            i64::from(p.ready) * 1000 + i64::from(p.total),
            String::new(),
        ),
        Some("status") => (0, p.status.to_string()),
        Some("restarts") => (i64::from(p.restarts), String::new()),
        // Ascending by age = oldest first.
        Some("age") => (secs(p.created), String::new()),
        Some("node") => (0, p.node.as_deref().unwrap_or("").to_string()),
        Some(_) => (0, p.name.to_string()),
    }
}

pub fn node_sort_key(n: &NodeRow, column: Option<&str>) -> SortKey {
    match column {
        Some("status") => (0, n.status.to_string()),
        Some("age") => (n.created.map_or(i64::MAX, |t| t.as_second()), String::new()),
        Some("version") => (0, n.version.to_string()),
        _ => (0, String::new()),
    }
}
