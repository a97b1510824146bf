//! The cockpit crate's layer rules, read from the code's own `crate::…` paths. Compiled
//! twice: by `build.rs` (a forbidden import fails the build) and by `tests/layers.rs`
//! (the same rules, plus: no import cycle crosses a layer boundary). The model and the
//! lab are crates of their own, so Cargo already keeps them apart (a dependency back on
//! the cockpit would be a cycle between packages, which Cargo refuses).
//!
//! A layer is a top-level module of `src/` (`sources`, `ops`, `app`…). Only product code
//! counts: `*tests.rs` files and everything after a line-start `#[cfg(test)]` are test
//! code, which may reach across layers to build fixtures. Std-only: this file has no
//! dependencies, so the build script stays cheap.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Top-level modules that are front ends: they wire everything together, so they may
/// import any layer, and no layer below may import them.
pub const FRONT_ENDS: &[&str] = &[
    "cli",
    "cockpit",
    "session",
    "startup",
    "runbook_cli",
    "main",
];

/// What each layer must not import (besides the front ends, which nobody below imports),
/// with the reason the rule exists.
pub const RULES: &[(&str, &[&str], &str)] = &[
    (
        "sources",
        &["app", "ui", "ops", "runbook"],
        "sources feed the app; they never see its state",
    ),
    (
        "ops",
        &["app", "ui", "sources", "runbook"],
        "every write goes through ops, which reads nothing else's state",
    ),
    (
        "runbook",
        &["app", "ui"],
        "the engine runs headless and in the cockpit alike",
    ),
    (
        "app",
        &["ui"],
        "the app is state and decisions; drawing is ui's",
    ),
    (
        "audit",
        &["app", "ui", "sources", "ops", "runbook"],
        "the audit log is below every writer",
    ),
    (
        "config",
        &["app", "ui", "sources", "ops", "runbook", "audit", "theme"],
        "config is read by everyone and reads nothing",
    ),
    (
        "theme",
        &["app", "ui", "sources", "ops", "runbook"],
        "a theme is data",
    ),
    (
        "private_fs",
        &["app", "ui", "sources", "ops", "runbook", "audit", "config"],
        "file modes only",
    ),
    (
        "logging",
        &["app", "ui", "sources", "ops", "runbook"],
        "the log file only",
    ),
    (
        "terminal",
        &["app", "ui", "sources", "ops", "runbook"],
        "the terminal only",
    ),
];

/// Imports that break a rule today and are being removed (issue 12: sources speak a
/// `Feed` of their own instead of `app::Msg`). A debt must name an import that still exists:
/// once it is gone, the check asks for its line here to go too, so this list only shrinks.
pub const DEBTS: &[(&str, &str)] = &[("sources", "app")];

/// One source file: its module path (`["app", "keymap"]`) and its product code.
pub struct Module {
    pub path: Vec<String>,
    pub code: String,
}

/// Reads every `.rs` file under `src` (a crate's source root).
pub fn read_tree(src: &Path) -> std::io::Result<Vec<Module>> {
    let mut out = Vec::new();
    walk(src, src, &mut out)?;
    out.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(out)
}

fn walk(root: &Path, dir: &Path, out: &mut Vec<Module>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            walk(root, &path, out)?;
            continue;
        }
        if path.extension().and_then(|e| e.to_str()) != Some("rs") {
            continue;
        }
        let Ok(rel) = path.strip_prefix(root) else {
            continue;
        };
        let mut parts: Vec<String> = rel
            .iter()
            .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_string())
            .collect();
        if parts.last().is_some_and(|l| l == "mod" || l == "lib") {
            parts.pop();
        }
        if parts.last().is_some_and(|l| l.ends_with("tests")) {
            continue;
        }
        let text = std::fs::read_to_string(&path)?;
        out.push(Module {
            path: parts,
            code: product_code(&text),
        });
    }
    Ok(())
}

/// The file without comments and without its `#[cfg(test)]` tail.
pub fn product_code(text: &str) -> String {
    let mut code = String::new();
    for line in text.lines() {
        if line.starts_with("#[cfg(test)]") {
            break;
        }
        let line = match line.find("//") {
            // `//` inside a string ("https://…") only hides the rest of that line.
            Some(i) => &line[..i],
            None => line,
        };
        code.push_str(line);
        code.push('\n');
    }
    code
}

/// The `crate::…` paths a module's code names, as identifier lists (`use crate::{a::b,
/// c::{d, e::f}}` gives `[a, b]`, `[c, d]` and `[c, e, f]`).
pub fn crate_paths(code: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let mut rest = code;
    while let Some(i) = rest.find("crate::") {
        let preceded_by_ident = rest[..i]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_alphanumeric() || c == '_');
        rest = &rest[i + "crate::".len()..];
        if !preceded_by_ident {
            paths_in(rest, Vec::new(), &mut out);
        }
    }
    out
}

/// Reads one path (or `{group}`) at the start of `text`, below `prefix`.
fn paths_in(text: &str, mut prefix: Vec<String>, out: &mut Vec<Vec<String>>) {
    let mut rest = text.trim_start();
    loop {
        if let Some(group) = rest.strip_prefix('{') {
            let end = matching_brace(group);
            for item in split_top_level(&group[..end]) {
                paths_in(item, prefix.clone(), out);
            }
            return;
        }
        let len = rest
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        if len == 0 {
            break;
        }
        prefix.push(rest[..len].to_string());
        match rest[len..].strip_prefix("::") {
            Some(r) => rest = r,
            None => break,
        }
    }
    if !prefix.is_empty() && prefix[0] != "self" {
        out.push(prefix);
    }
}

fn matching_brace(text: &str) -> usize {
    let mut depth = 0usize;
    for (i, c) in text.char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => return i,
            '}' => depth -= 1,
            _ => {}
        }
    }
    text.len()
}

fn split_top_level(text: &str) -> Vec<&str> {
    let (mut depth, mut start, mut out) = (0usize, 0usize, Vec::new());
    for (i, c) in text.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => {
                out.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&text[start..]);
    out
}

/// Module-to-module imports: each module and the modules (longest known prefix of each
/// path) it names. Names that are not modules of this tree (re-exported crates such as
/// `model`) are kept as their first segment.
pub fn graph(modules: &[Module]) -> BTreeMap<Vec<String>, BTreeSet<Vec<String>>> {
    let known: BTreeSet<&Vec<String>> = modules.iter().map(|m| &m.path).collect();
    let mut g = BTreeMap::new();
    for m in modules {
        let mut to = BTreeSet::new();
        for path in crate_paths(&m.code) {
            let target = (1..=path.len())
                .rev()
                .map(|n| path[..n].to_vec())
                .find(|p| known.contains(p))
                .unwrap_or_else(|| path[..1].to_vec());
            if target != m.path && !target.is_empty() {
                to.insert(target);
            }
        }
        g.insert(m.path.clone(), to);
    }
    g
}

/// A module's layer: its top-level module, except that the front ends are one layer
/// (they call each other: `cli` starts `cockpit` and `runbook_cli`).
fn layer(path: &[String]) -> &str {
    match path.first().map(String::as_str) {
        None => "lib",
        Some(top) if FRONT_ENDS.contains(&top) => "front end",
        Some(top) => top,
    }
}

fn is_debt(from: &str, to: &str) -> bool {
    DEBTS.iter().any(|&(f, t)| f == from && t == to)
}

/// Every import that breaks a rule and is not a listed debt, and every listed debt that
/// no longer exists; empty when the tree keeps the rules.
pub fn violations(modules: &[Module]) -> Vec<String> {
    let g = graph(modules);
    let mut out = Vec::new();
    let mut debts_seen = BTreeSet::new();
    for (from, tos) in &g {
        let from_layer = layer(from);
        if from_layer == "front end" || from_layer == "lib" {
            continue;
        }
        for to in tos {
            let to_layer = layer(to);
            if to_layer == from_layer {
                continue;
            }
            let (forbidden, why) = if to_layer == "front end" {
                (true, "front ends are the top: nothing below imports them")
            } else {
                RULES
                    .iter()
                    .find(|(l, _, _)| *l == from_layer)
                    .map(|(_, f, why)| (f.contains(&to_layer), *why))
                    .unwrap_or((false, ""))
            };
            if !forbidden {
                continue;
            }
            if is_debt(from_layer, to_layer) {
                debts_seen.insert((from_layer, to_layer));
                continue;
            }
            out.push(format!(
                "crate::{} imports crate::{} — {from_layer} must not import {to_layer} ({why}); see ARCHITECTURE.md",
                from.join("::"),
                to.join("::")
            ));
        }
    }
    for &(f, t) in DEBTS {
        if !debts_seen.contains(&(f, t)) {
            out.push(format!(
                "the debt {f} → {t} is paid: no module of {f} imports {t} any more; remove it from DEBTS in tools/layers.rs"
            ));
        }
    }
    out
}

/// Import cycles (strongly connected modules) whose members lie in more than one layer,
/// leaving out the listed debts' edges; each as its modules, sorted.
pub fn cross_layer_cycles(modules: &[Module]) -> Vec<Vec<String>> {
    let mut g = graph(modules);
    for (from, tos) in g.iter_mut() {
        let from_layer = layer(from).to_string();
        tos.retain(|to| !is_debt(&from_layer, layer(to)));
    }
    strongly_connected(&g)
        .into_iter()
        .filter(|scc| scc.iter().map(|m| layer(m)).collect::<BTreeSet<_>>().len() > 1)
        .map(|scc| scc.iter().map(|m| m.join("::")).collect())
        .collect()
}

/// Tarjan's algorithm, iterative over an explicit stack (the graph is small, but deep
/// recursion in a build script is not worth the risk).
fn strongly_connected(g: &BTreeMap<Vec<String>, BTreeSet<Vec<String>>>) -> Vec<Vec<Vec<String>>> {
    let nodes: Vec<&Vec<String>> = g.keys().collect();
    let index_of: BTreeMap<&Vec<String>, usize> =
        nodes.iter().enumerate().map(|(i, n)| (*n, i)).collect();
    let edges: Vec<Vec<usize>> = nodes
        .iter()
        .map(|n| {
            g[*n]
                .iter()
                .filter_map(|t| index_of.get(t).copied())
                .collect()
        })
        .collect();
    let n = nodes.len();
    let (mut index, mut low, mut on_stack) = (vec![usize::MAX; n], vec![0; n], vec![false; n]);
    let (mut next, mut stack, mut out) = (0, Vec::new(), Vec::new());
    for start in 0..n {
        if index[start] != usize::MAX {
            continue;
        }
        let mut work = vec![(start, 0usize)];
        while let Some(&(v, edge)) = work.last() {
            if edge == 0 && index[v] == usize::MAX {
                index[v] = next;
                low[v] = next;
                next += 1;
                stack.push(v);
                on_stack[v] = true;
            }
            if let Some(&w) = edges[v].get(edge) {
                if let Some(top) = work.last_mut() {
                    top.1 += 1;
                }
                if index[w] == usize::MAX {
                    work.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
                continue;
            }
            work.pop();
            if let Some(&(parent, _)) = work.last() {
                low[parent] = low[parent].min(low[v]);
            }
            if low[v] == index[v] {
                let mut scc = Vec::new();
                while let Some(w) = stack.pop() {
                    on_stack[w] = false;
                    scc.push(nodes[w].clone());
                    if w == v {
                        break;
                    }
                }
                if scc.len() > 1 {
                    scc.sort();
                    out.push(scc);
                }
            }
        }
    }
    out
}
