//! A live list of rows (pods or nodes) as a pane shows it: the rows by key, the user's
//! filter (`/text`, `/!text`, `-l k=v`) and sort, the cursor, and the visible order.
//! Work is staged so a 100 000-row list stays interactive: the full order is re-sorted
//! (with cached keys) only when rows or the sort change; a filter keystroke only walks
//! that order, over cached lower-case haystacks, and typing more narrows the previous
//! result instead of starting over. Nothing is recomputed while idle. Pure state.

use std::collections::HashMap;
use std::hash::Hash;

/// What a list needs from its rows.
pub trait ListRow: Clone {
    type Key: Clone + Eq + Hash + Ord;
    fn key(&self) -> Self::Key;
    /// The text `/filter` matches against (lower-case).
    fn haystack(&self) -> String;
    fn labels_match(&self, selector: &[(String, Option<String>)]) -> bool;
    /// Tie-break order between rows (by identity), without building keys.
    fn place_cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.key().cmp(&other.key())
    }
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

    fn keeps<R: ListRow>(&self, row: &R, haystack: &str) -> bool {
        if !self.labels.is_empty() {
            return row.labels_match(&self.labels);
        }
        if self.text.is_empty() {
            return true;
        }
        haystack.contains(&self.text) != self.inverse
    }

    /// Whether every row this filter keeps was also kept by `previous` (typing more
    /// characters of a plain filter), so the previous result can be narrowed.
    fn narrows(&self, previous: &Filter) -> bool {
        !self.inverse
            && !previous.inverse
            && self.labels.is_empty()
            && previous.labels.is_empty()
            && self.text.contains(&previous.text)
    }
}

#[derive(Debug, Clone)]
pub struct List<R: ListRow> {
    /// Rows with their cached filter haystacks, in slots addressed by index; the order
    /// and filter passes work on indices, so they neither hash keys nor clone them.
    slots: Vec<Option<(R, String)>>,
    index: HashMap<R::Key, u32>,
    free: Vec<u32>,
    pub filter: Filter,
    /// Column name and descending flag; `None` = the pane's default order.
    pub sort: Option<(String, bool)>,
    pub selected: usize,
    /// First visible row (scroll window), kept by the pane as it draws.
    pub offset: usize,
    /// Every row in display order (before filtering).
    ordered: Vec<u32>,
    visible: Vec<u32>,
    /// The filter `visible` was computed with.
    applied: Option<Filter>,
    order_stale: bool,
    filter_stale: bool,
    /// Bumped whenever rows change, so derived views know when to recompute.
    generation: u64,
}

impl<R: ListRow> Default for List<R> {
    fn default() -> Self {
        Self {
            slots: Vec::new(),
            index: HashMap::new(),
            free: Vec::new(),
            filter: Filter::default(),
            sort: None,
            selected: 0,
            offset: 0,
            ordered: Vec::new(),
            visible: Vec::new(),
            applied: None,
            order_stale: true,
            filter_stale: true,
            generation: 0,
        }
    }
}

impl<R: ListRow> List<R> {
    fn data_changed(&mut self) {
        self.generation = self.generation.wrapping_add(1);
        self.order_stale = true;
        self.filter_stale = true;
        self.applied = None;
    }

    fn slot(&self, i: u32) -> Option<&(R, String)> {
        self.slots.get(i as usize).and_then(Option::as_ref)
    }

    pub fn replace_all(&mut self, rows: Vec<R>) {
        self.index.clear();
        self.free.clear();
        self.slots = Vec::with_capacity(rows.len());
        for r in rows {
            let key = r.key();
            let h = r.haystack();
            match self.index.get(&key) {
                Some(&i) => self.slots[i as usize] = Some((r, h)),
                None => {
                    self.index.insert(key, self.slots.len() as u32);
                    self.slots.push(Some((r, h)));
                }
            }
        }
        self.data_changed();
    }

    pub fn upsert(&mut self, row: R) {
        let key = row.key();
        let h = row.haystack();
        match self.index.get(&key) {
            Some(&i) => self.slots[i as usize] = Some((row, h)),
            None => {
                let i = match self.free.pop() {
                    Some(i) => {
                        self.slots[i as usize] = Some((row, h));
                        i
                    }
                    None => {
                        self.slots.push(Some((row, h)));
                        (self.slots.len() - 1) as u32
                    }
                };
                self.index.insert(key, i);
            }
        }
        self.data_changed();
    }

    pub fn remove(&mut self, key: &R::Key) {
        if let Some(i) = self.index.remove(key) {
            self.slots[i as usize] = None;
            self.free.push(i);
            self.data_changed();
        }
    }

    /// Changes whenever the rows change.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    pub fn len(&self) -> usize {
        self.index.len()
    }

    pub fn is_empty(&self) -> bool {
        self.index.is_empty()
    }

    pub fn rows(&self) -> impl Iterator<Item = &R> {
        self.slots.iter().filter_map(|s| s.as_ref().map(|(r, _)| r))
    }

    pub fn get(&self, key: &R::Key) -> Option<&R> {
        self.index
            .get(key)
            .and_then(|&i| self.slot(i))
            .map(|(r, _)| r)
    }

    pub fn set_filter(&mut self, filter: Filter) {
        self.filter = filter;
        self.selected = 0;
        self.offset = 0;
        self.filter_stale = true;
    }

    pub fn set_sort(&mut self, column: &str) {
        self.sort = match &self.sort {
            Some((c, desc)) if c == column => Some((c.clone(), !desc)),
            _ => Some((column.to_string(), false)),
        };
        self.order_stale = true;
        self.filter_stale = true;
        self.applied = None;
    }

    /// Marks the visible rows out of date (the caller's extra predicate changed).
    pub fn touch(&mut self) {
        self.filter_stale = true;
        self.applied = None;
    }

    /// Brings the visible rows up to date. `extra` is a pane-specific restriction (e.g.
    /// pods of one node); `sort_key` gives each row's key for the current sort column
    /// (`None` = the pane's default order); ties fall back to the row key.
    pub fn refresh<S: Ord>(
        &mut self,
        extra: impl Fn(&R) -> bool,
        sort_key: impl Fn(&R, Option<&str>) -> S,
    ) {
        if !self.order_stale && !self.filter_stale {
            return;
        }
        let selected_key = if self.order_stale {
            self.visible
                .get(self.selected)
                .and_then(|&i| self.slot(i))
                .map(|(r, _)| r.key())
        } else {
            None
        };
        if self.order_stale {
            let column = self.sort.as_ref().map(|(c, _)| c.as_str());
            let mut keyed: Vec<(S, u32)> = self
                .slots
                .iter()
                .enumerate()
                .filter_map(|(i, s)| s.as_ref().map(|(r, _)| (sort_key(r, column), i as u32)))
                .collect();
            let slots = &self.slots;
            let row = |i: u32| {
                slots
                    .get(i as usize)
                    .and_then(Option::as_ref)
                    .map(|(r, _)| r)
            };
            keyed.sort_unstable_by(|a, b| {
                a.0.cmp(&b.0).then_with(|| match (row(a.1), row(b.1)) {
                    (Some(x), Some(y)) => x.place_cmp(y),
                    _ => a.1.cmp(&b.1),
                })
            });
            self.ordered = keyed.into_iter().map(|(_, i)| i).collect();
            if self.sort.as_ref().is_some_and(|(_, desc)| *desc) {
                self.ordered.reverse();
            }
            self.order_stale = false;
        }
        // Typing more of a plain filter narrows the current result; anything else
        // walks the full order again.
        let narrowing = matches!(&self.applied, Some(prev) if self.filter.narrows(prev));
        let source = if narrowing {
            std::mem::take(&mut self.visible)
        } else {
            self.ordered.clone()
        };
        let keep = |i: &u32| {
            self.slot(*i)
                .is_some_and(|(r, h)| extra(r) && self.filter.keeps(r, h))
        };
        self.visible = source.into_iter().filter(keep).collect();
        self.applied = Some(self.filter.clone());
        self.filter_stale = false;
        // Keep the cursor on the same object when rows move under it.
        if let Some(slot) = selected_key.and_then(|k| self.index.get(&k).copied())
            && let Some(pos) = self.visible.iter().position(|&i| i == slot)
        {
            self.selected = pos;
        }
        self.selected = self.selected.min(self.visible.len().saturating_sub(1));
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
            .filter_map(|&i| self.slot(i).map(|(r, _)| r))
    }

    pub fn selected_row(&self) -> Option<&R> {
        self.visible
            .get(self.selected)
            .and_then(|&i| self.slot(i))
            .map(|(r, _)| r)
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

    fn by_num(r: &R, _: Option<&str>) -> u32 {
        r.1
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
    fn typing_narrows_to_the_same_result_as_filtering_afresh() {
        let names = [
            "trino-worker-0",
            "trino-coordinator",
            "tr-x",
            "kafka-0",
            "trino-worker-1",
        ];
        let mut typed = List::default();
        typed.replace_all(
            names
                .iter()
                .enumerate()
                .map(|(i, n)| R(n, i as u32))
                .collect(),
        );
        for prefix in ["t", "tr", "tri", "trino", "trino-w"] {
            typed.set_filter(Filter::parse(prefix));
            typed.refresh(|_| true, by_num);
            let mut fresh = List::default();
            fresh.replace_all(
                names
                    .iter()
                    .enumerate()
                    .map(|(i, n)| R(n, i as u32))
                    .collect(),
            );
            fresh.set_filter(Filter::parse(prefix));
            fresh.refresh(|_| true, by_num);
            let a: Vec<_> = typed.window(0, 10).map(|r| r.0).collect();
            let b: Vec<_> = fresh.window(0, 10).map(|r| r.0).collect();
            assert_eq!(a, b, "{prefix}");
        }
        typed.set_filter(Filter::parse("tr")); // backspacing widens again
        typed.refresh(|_| true, by_num);
        assert_eq!(typed.visible_len(), 4);
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
