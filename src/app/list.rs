//! A live list of rows (pods or nodes) as a pane shows it: the rows by key, the user's
//! filter (`/text`, `/!text`, `-l k=v`) and sort, the cursor, and the visible order —
//! recomputed only when rows, filter or sort changed, at most once per frame, so a
//! 100 000-row list costs nothing while idle. Pure state; no drawing, no I/O.

use std::collections::HashMap;
use std::hash::Hash;

/// What a list needs from its rows.
pub trait ListRow: Clone {
    type Key: Clone + Eq + Hash + Ord;
    fn key(&self) -> Self::Key;
    /// The text `/filter` matches against (lower-case).
    fn haystack(&self) -> String;
    fn labels_match(&self, selector: &[(String, Option<String>)]) -> bool;
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    pub text: String,
    pub inverse: bool,
    pub labels: Vec<(String, Option<String>)>,
}

impl Filter {
    /// Parses what the user typed after `/`: `text`, `!text`, or `-l k=v,k2`.
    pub fn parse(input: &str) -> Filter {
        let input = input.trim();
        if let Some(sel) = input.strip_prefix("-l") {
            let labels = sel
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|term| match term.split_once('=') {
                    Some((k, v)) => (k.trim().to_string(), Some(v.trim().to_string())),
                    None => (term.to_string(), None),
                })
                .collect();
            return Filter {
                labels,
                ..Filter::default()
            };
        }
        match input.strip_prefix('!') {
            Some(rest) => Filter {
                text: rest.to_lowercase(),
                inverse: true,
                labels: Vec::new(),
            },
            None => Filter {
                text: input.to_lowercase(),
                inverse: false,
                labels: Vec::new(),
            },
        }
    }

    pub fn is_empty(&self) -> bool {
        self.text.is_empty() && self.labels.is_empty()
    }

    pub fn describe(&self) -> String {
        if !self.labels.is_empty() {
            let terms: Vec<String> = self
                .labels
                .iter()
                .map(|(k, v)| v.as_ref().map_or_else(|| k.clone(), |v| format!("{k}={v}")))
                .collect();
            format!("-l {}", terms.join(","))
        } else if self.inverse {
            format!("!{}", self.text)
        } else {
            self.text.clone()
        }
    }

    fn keeps<R: ListRow>(&self, row: &R) -> bool {
        if !self.labels.is_empty() {
            return row.labels_match(&self.labels);
        }
        if self.text.is_empty() {
            return true;
        }
        row.haystack().contains(&self.text) != self.inverse
    }
}

#[derive(Debug, Clone)]
pub struct List<R: ListRow> {
    rows: HashMap<R::Key, R>,
    pub filter: Filter,
    /// Column name and descending flag; `None` = the pane's default order.
    pub sort: Option<(String, bool)>,
    pub selected: usize,
    /// First visible row (scroll window), kept by the pane as it draws.
    pub offset: usize,
    visible: Vec<R::Key>,
    stale: bool,
}

impl<R: ListRow> Default for List<R> {
    fn default() -> Self {
        Self {
            rows: HashMap::new(),
            filter: Filter::default(),
            sort: None,
            selected: 0,
            offset: 0,
            visible: Vec::new(),
            stale: true,
        }
    }
}

impl<R: ListRow> List<R> {
    pub fn replace_all(&mut self, rows: Vec<R>) {
        self.rows = rows.into_iter().map(|r| (r.key(), r)).collect();
        self.stale = true;
    }

    pub fn upsert(&mut self, row: R) {
        self.rows.insert(row.key(), row);
        self.stale = true;
    }

    pub fn remove(&mut self, key: &R::Key) {
        if self.rows.remove(key).is_some() {
            self.stale = true;
        }
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    pub fn rows(&self) -> impl Iterator<Item = &R> {
        self.rows.values()
    }

    pub fn get(&self, key: &R::Key) -> Option<&R> {
        self.rows.get(key)
    }

    pub fn set_filter(&mut self, filter: Filter) {
        self.filter = filter;
        self.selected = 0;
        self.offset = 0;
        // A new filter starts at the top rather than chasing the old cursor row.
        self.visible.clear();
        self.stale = true;
    }

    pub fn set_sort(&mut self, column: &str) {
        self.sort = match &self.sort {
            Some((c, desc)) if c == column => Some((c.clone(), !desc)),
            _ => Some((column.to_string(), false)),
        };
        self.stale = true;
    }

    /// Marks the visible order out of date (the caller's extra predicate changed).
    pub fn touch(&mut self) {
        self.stale = true;
    }

    /// Recomputes the visible order if anything changed. `extra` is a pane-specific
    /// restriction (e.g. pods of one node); `order` compares (a, b, sort column).
    pub fn refresh(
        &mut self,
        extra: impl Fn(&R) -> bool,
        order: impl Fn(&R, &R, Option<&(String, bool)>) -> std::cmp::Ordering,
    ) {
        if !self.stale {
            return;
        }
        let selected_key = self.visible.get(self.selected).cloned();
        let mut keep: Vec<&R> = self
            .rows
            .values()
            .filter(|r| extra(r) && self.filter.keeps(*r))
            .collect();
        let sort = self.sort.as_ref();
        keep.sort_by(|a, b| order(a, b, sort).then_with(|| a.key().cmp(&b.key())));
        self.visible = keep.into_iter().map(R::key).collect();
        // Keep the cursor on the same object when rows move under it.
        if let Some(k) = selected_key
            && let Some(pos) = self.visible.iter().position(|v| *v == k)
        {
            self.selected = pos;
        }
        self.selected = self.selected.min(self.visible.len().saturating_sub(1));
        self.stale = false;
    }

    pub fn visible_len(&self) -> usize {
        self.visible.len()
    }

    /// Visible rows from `start`, at most `n` (the drawn window).
    pub fn window(&self, start: usize, n: usize) -> impl Iterator<Item = &R> {
        self.visible
            .iter()
            .skip(start)
            .take(n)
            .filter_map(|k| self.rows.get(k))
    }

    pub fn selected_row(&self) -> Option<&R> {
        self.visible
            .get(self.selected)
            .and_then(|k| self.rows.get(k))
    }

    pub fn move_by(&mut self, delta: isize) {
        let last = self.visible.len().saturating_sub(1) as isize;
        self.selected = (self.selected as isize + delta).clamp(0, last.max(0)) as usize;
    }

    pub fn top(&mut self) {
        self.selected = 0;
    }

    pub fn bottom(&mut self) {
        self.selected = self.visible.len().saturating_sub(1);
    }

    /// Keeps the cursor inside a window of `height` rows; returns the first row to draw.
    pub fn scroll_for(&self, height: usize) -> usize {
        if height == 0 {
            return 0;
        }
        let mut offset = self.offset.min(self.selected);
        if self.selected >= offset + height {
            offset = self.selected + 1 - height;
        }
        offset
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Clone, Debug, PartialEq)]
    struct R(&'static str, u32);
    impl ListRow for R {
        type Key = &'static str;
        fn key(&self) -> &'static str {
            self.0
        }
        fn haystack(&self) -> String {
            self.0.to_lowercase()
        }
        fn labels_match(&self, sel: &[(String, Option<String>)]) -> bool {
            sel.iter().all(|(k, _)| k == "even") == self.1.is_multiple_of(2)
        }
    }

    fn by_num(a: &R, b: &R, _: Option<&(String, bool)>) -> std::cmp::Ordering {
        a.1.cmp(&b.1)
    }

    #[test]
    fn filter_inverse_and_labels() {
        let mut l = List::default();
        l.replace_all(vec![
            R("trino-worker-0", 1),
            R("trino-worker-1", 2),
            R("kafka-0", 3),
        ]);
        l.set_filter(Filter::parse("trino"));
        l.refresh(|_| true, by_num);
        assert_eq!(l.visible_len(), 2);
        l.set_filter(Filter::parse("!trino"));
        l.refresh(|_| true, by_num);
        assert_eq!(
            l.window(0, 10).map(|r| r.0).collect::<Vec<_>>(),
            ["kafka-0"]
        );
        l.set_filter(Filter::parse("-l even"));
        l.refresh(|_| true, by_num);
        assert_eq!(
            l.window(0, 10).map(|r| r.0).collect::<Vec<_>>(),
            ["trino-worker-1"]
        );
        assert_eq!(
            Filter::parse("-l app=x, tier").labels,
            vec![("app".into(), Some("x".into())), ("tier".into(), None)]
        );
    }

    #[test]
    fn cursor_follows_its_row_and_refresh_is_lazy() {
        let mut l = List::default();
        l.replace_all(vec![R("a", 1), R("b", 2), R("c", 3)]);
        l.refresh(|_| true, by_num);
        l.move_by(1);
        assert_eq!(l.selected_row().map(|r| r.0), Some("b"));
        l.upsert(R("z", 0)); // sorts before b
        l.refresh(|_| true, by_num);
        assert_eq!(
            l.selected_row().map(|r| r.0),
            Some("b"),
            "cursor stays on b"
        );
        l.remove(&"b");
        l.refresh(|_| true, by_num);
        assert!(l.selected_row().is_some());
        l.move_by(100);
        assert_eq!(l.selected, l.visible_len() - 1);
        assert_eq!(l.scroll_for(2), l.selected - 1);
    }
}
