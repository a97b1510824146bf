//! The pods view: kubectl's READY/STATUS/RESTARTS, usage, node, owner and age, trouble
//! first by default, rows styled (and, without colour, marked) by severity. Builds only
//! the rows inside the window it draws.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use crate::app::{AppState, SourceId, SourceState};
use crate::model::pods::PodRow;
use crate::theme::Theme;
use crate::ui::widgets::{
    self, Column, bytes_column, col, severity_style, severity_symbol, source_badges, wide,
};

/// Widths are minimums (NAME and STATUS grow); at 80 columns the first six fit.
pub const COLUMNS: &[Column] = &[
    wide("NAMESPACE", 11, 1, 5),
    wide("NAME", 24, 0, 40),
    col("READY", 5, 0),
    col("STATUS", 16, 0),
    col("RESTARTS", 13, 1),
    col("CPU", 6, 3),
    col("MEM", 7, 3),
    col("NODE", 15, 4),
    wide("OWNER", 24, 5, 16),
    col("AGE", 4, 2),
];

pub fn cells(state: &AppState, theme: &Theme, p: &PodRow) -> Vec<String> {
    let usage = state.pod_usage.get(&p.key());
    let mark = if theme.symbols {
        severity_symbol(p.severity(state.now))
    } else {
        ""
    };
    vec![
        p.namespace.to_string(),
        format!("{mark}{}", p.name),
        p.ready_column(),
        p.status.to_string(),
        p.restarts_column(state.now),
        usage.map_or_else(|| "n/a".into(), |(cpu, _)| format!("{cpu}m")),
        usage.map_or_else(|| "n/a".into(), |(_, mem)| bytes_column(*mem)),
        p.node.as_deref().unwrap_or("<none>").to_string(),
        match (&p.owner_kind, &p.owner_name) {
            (Some(k), Some(n)) => format!("{k}/{n}"),
            _ => "<none>".into(),
        },
        p.age_column(state.now),
    ]
}

pub fn draw(state: &AppState, theme: &Theme, frame: &mut Frame, area: Rect) {
    // Nothing to list because listing is forbidden: the whole reason, not a cut title.
    if let SourceState::Forbidden(why) = state.source(SourceId::Pods)
        && state.pods.rows().next().is_none()
    {
        let title = Line::from(Span::styled(
            format!(" Pods [{}] ", state.scope.label()),
            theme.title,
        ));
        let body = Line::styled(
            widgets::printable(&format!(
                "{why} — :ns <name> shows a namespace you may read"
            )),
            theme.error,
        );
        return widgets::message_pane(frame, area, theme, title, body);
    }
    let height = area.height.saturating_sub(3) as usize;
    let offset = state.pods.scroll_for(height);
    let rows = state
        .pods
        .window(offset, height)
        .map(|p| {
            (
                cells(state, theme, p),
                severity_style(theme, p.severity(state.now)),
            )
        })
        .collect();
    let mut title = vec![Span::styled(
        format!(
            " Pods ({}) [{}] ",
            state.pods.visible_len(),
            state.scope.label()
        ),
        theme.title,
    )];
    if let Some(node) = &state.node_filter {
        title.push(Span::styled(format!(" node {node} "), theme.filter));
    }
    title.extend(widgets::filter_span(theme, &state.pods.filter));
    if let Some((c, desc)) = &state.pods.sort {
        title.push(Span::styled(
            format!(" sort {c}{} ", if *desc { "↓" } else { "↑" }),
            theme.dim,
        ));
    }
    title.extend(source_badges(theme, state, &[SourceId::Pods]));
    let selected = state.pods.selected.checked_sub(offset);
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
