//! The overview (default screen): the cluster's nodes summary — Ready/NotReady/cordoned
//! counts and CPU/memory use against allocatable — the platform at a glance (MinIO fill
//! and drives, Trino queue, worst Kafka lag, worst Velero RPO, firing alerts; one line
//! each at 80x24, a box each on a large terminal) and the pods that need attention,
//! worst first, with the reason (computed in `AppState::prepare`, not per frame).

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use crate::app::{AppState, SourceId, SourceState};
use crate::model::nodes::{percent, summarize};
use crate::theme::Theme;
use crate::ui::widgets::{
    self, bytes_column, col, gauge, severity_style, severity_symbol, source_badges, wide,
};

pub fn draw(state: &AppState, theme: &Theme, frame: &mut Frame, area: Rect) {
    let boxes = super::platform_summary::use_boxes(area);
    let [nodes_area, platform_area, pods_area] = area.layout(&Layout::vertical([
        Constraint::Length(5),
        Constraint::Length(7),
        Constraint::Min(3),
    ]));
    draw_nodes(state, theme, frame, nodes_area);
    super::platform_summary::draw(state, theme, frame, platform_area, boxes);
    draw_attention(state, theme, frame, pods_area);
}

fn draw_nodes(state: &AppState, theme: &Theme, frame: &mut Frame, area: Rect) {
    if let Some(why) = super::nodes::forbidden(state) {
        let title = Line::from(Span::styled(" Nodes ", theme.title));
        let body = Line::styled(widgets::printable(&why), theme.error);
        return widgets::message_pane(frame, area, theme, title, body);
    }
    let rows: Vec<_> = state.nodes.rows().cloned().collect();
    let metrics_ok = matches!(state.source(SourceId::Metrics), SourceState::Live);
    let summary = summarize(&rows, metrics_ok.then_some(&state.node_usage));
    let width = (area.width as usize).saturating_sub(28).clamp(10, 40);
    let cpu = summary
        .cpu_used_m
        .and_then(|u| percent(u, summary.cpu_allocatable_m));
    let mem = summary
        .mem_used
        .and_then(|u| percent(u, summary.mem_allocatable));
    let counts = Line::from(vec![
        Span::raw(format!(" {} nodes: ", summary.total)),
        Span::styled(format!("{} Ready", summary.ready), theme.ok),
        Span::raw("  "),
        Span::styled(
            format!("{} NotReady", summary.not_ready),
            if summary.not_ready > 0 {
                theme.critical
            } else {
                theme.dim
            },
        ),
        Span::raw("  "),
        Span::styled(
            format!("{} cordoned", summary.cordoned),
            if summary.cordoned > 0 {
                theme.warning
            } else {
                theme.dim
            },
        ),
    ]);
    let cpu_line = Line::from(vec![
        Span::raw(" CPU "),
        Span::styled(gauge(cpu, width), theme.gauge),
        Span::raw(format!("  of {} cores", summary.cpu_allocatable_m / 1000)),
    ]);
    let mem_line = Line::from(vec![
        Span::raw(" MEM "),
        Span::styled(gauge(mem, width), theme.gauge),
        Span::raw(format!("  of {}", bytes_column(summary.mem_allocatable))),
    ]);
    let mut title = vec![Span::styled(" Nodes ", theme.title)];
    // A live source adds no badge, so metrics only show when they are not available.
    title.extend(source_badges(
        theme,
        state,
        &[SourceId::Nodes, SourceId::Metrics],
    ));
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border)
        .title(Line::from(title));
    frame.render_widget(
        Paragraph::new(vec![counts, cpu_line, mem_line]).block(block),
        area,
    );
}

fn draw_attention(state: &AppState, theme: &Theme, frame: &mut Frame, area: Rect) {
    let now = state.now;
    let trouble = state
        .attention
        .rows
        .iter()
        .filter_map(|(s, why, key)| state.pods.get(key).map(|p| (*s, why.as_str(), p)));
    let columns = [
        wide("NAMESPACE", 11, 1, 5),
        wide("NAME", 22, 0, 30),
        col("READY", 5, 3),
        col("STATUS", 16, 0),
        col("AGE", 4, 2),
        wide("WHY", 17, 0, 40),
    ];
    let height = area.height.saturating_sub(3) as usize;
    let total = state.attention.rows.len();
    let rows = trouble
        .take(height)
        .map(|(sev, why, p)| {
            // STATUS is its own column; WHY adds what it does not say.
            let extra: Vec<&str> = why.split(", ").filter(|part| *part != &*p.status).collect();
            let why = if extra.is_empty() {
                "see STATUS".to_string()
            } else {
                extra.join(", ")
            };
            let mark = if theme.symbols {
                severity_symbol(sev)
            } else {
                ""
            };
            (
                vec![
                    p.namespace.to_string(),
                    format!("{mark}{}", p.name),
                    p.ready_column(),
                    p.status.to_string(),
                    p.age_column(now),
                    why,
                ],
                severity_style(theme, sev),
            )
        })
        .collect();
    let mut title = vec![Span::styled(
        format!(" Pods needing attention ({total} of {}) ", state.pods.len()),
        theme.title,
    )];
    title.extend(source_badges(theme, state, &[SourceId::Pods]));
    // The pods list's default order is this one (trouble first), so its cursor is ours.
    let selected =
        (state.pods.filter.is_empty() && state.pods.sort.is_none() && state.node_filter.is_none())
            .then_some(state.pods.selected)
            .filter(|s| *s < total.min(height));
    widgets::table(
        frame,
        area,
        theme,
        Line::from(title),
        &columns,
        rows,
        selected,
    );
}
