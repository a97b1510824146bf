//! The nodes view: kubectl's STATUS (with SchedulingDisabled), roles, pods, CPU% and
//! MEM% of allocatable from the metrics API (n/a with the reason when it is missing or
//! forbidden), pressure conditions, taints, version and age.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use crate::app::{AppState, SourceId, SourceState};
use crate::model::nodes::{NodeRow, percent};
use crate::model::pods::Severity;
use crate::theme::Theme;
use crate::ui::widgets::{self, Column, col, severity_style, severity_symbol, source_badges, wide};

/// STATUS is wide enough for `Ready,SchedulingDisabled` (a cordoned node must read as
/// one at 80 columns); ROLES is the first to go when space is short.
pub const COLUMNS: &[Column] = &[
    wide("NAME", 16, 0, 6),
    wide("STATUS", 24, 0, 2),
    col("ROLES", 13, 3),
    col("PODS", 4, 1),
    col("CPU%", 4, 1),
    col("MEM%", 4, 1),
    wide("PRESSURE", 8, 2, 14),
    wide("TAINTS", 16, 4, 34),
    col("VERSION", 8, 5),
    col("AGE", 4, 2),
];

fn severity(n: &NodeRow) -> Severity {
    if !n.ready {
        Severity::Critical
    } else if !n.pressures.is_empty() {
        Severity::Warning
    } else if n.unschedulable {
        Severity::Info
    } else {
        Severity::Ok
    }
}

/// Why nodes cannot be shown at all: listing them is forbidden and none were ever
/// listed (a namespace-scoped user).
pub fn forbidden(state: &AppState) -> Option<String> {
    match state.source(SourceId::Nodes) {
        SourceState::Forbidden(why) if state.nodes.rows().next().is_none() => Some(format!(
            "{why} — nodes are cluster-scoped; a user bound to namespaces cannot list them (pods in your namespaces still show)"
        )),
        _ => None,
    }
}

pub fn draw(state: &AppState, theme: &Theme, frame: &mut Frame, area: Rect) {
    if let Some(why) = forbidden(state) {
        let title = Line::from(Span::styled(" Nodes ", theme.title));
        let body = Line::styled(widgets::printable(&why), theme.error);
        return widgets::message_pane(frame, area, theme, title, body);
    }
    let height = area.height.saturating_sub(3) as usize;
    let offset = state.nodes.scroll_for(height);
    let metrics_ok = matches!(state.source(SourceId::Metrics), SourceState::Live);
    // One pass over the pods for all visible nodes (not one per row). Like kubectl
    // describe node, finished pods no longer occupy a node.
    let mut per_node: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for p in state
        .pods
        .rows()
        .filter(|p| !matches!(&*p.status, "Completed" | "Succeeded"))
    {
        if let Some(n) = p.node.as_deref() {
            *per_node.entry(n).or_default() += 1;
        }
    }
    let pods_on = |name: &str| per_node.get(name).copied().unwrap_or(0);
    let rows = state
        .nodes
        .window(offset, height)
        .map(|n| {
            let usage = state.node_usage.get(n.name.as_ref()).filter(|_| metrics_ok);
            let pct = |used: Option<u64>, total: u64| {
                used.and_then(|u| percent(u, total))
                    .map_or_else(|| "n/a".to_string(), |p| format!("{p}%"))
            };
            let sev = severity(n);
            let mark = if theme.symbols {
                severity_symbol(sev)
            } else {
                ""
            };
            (
                vec![
                    format!("{mark}{}", n.name),
                    n.status.to_string(),
                    n.roles.to_string(),
                    pods_on(&n.name).to_string(),
                    pct(usage.map(|u| u.0), n.cpu_allocatable_m),
                    pct(usage.map(|u| u.1), n.mem_allocatable),
                    n.pressure_column(),
                    n.taints_column(),
                    n.version.to_string(),
                    n.age_column(state.now),
                ],
                severity_style(theme, sev),
            )
        })
        .collect();
    let mut title = vec![Span::styled(
        format!(" Nodes ({}) ", state.nodes.visible_len()),
        theme.title,
    )];
    title.extend(widgets::filter_span(theme, &state.nodes.filter));
    // A live source adds no badge, so metrics only show when they are not available.
    title.extend(source_badges(
        theme,
        state,
        &[SourceId::Nodes, SourceId::Metrics],
    ));
    let selected = state.nodes.selected.checked_sub(offset);
    widgets::table(
        frame,
        area,
        theme,
        Line::from(title),
        COLUMNS,
        rows,
        selected,
    );
}
