//! The Trino view: coordinator info (version, environment, state, uptime), active
//! workers, running/queued/blocked counts, and the live query list with queued queries
//! first; Enter opens one query's detail (`GET /v1/query/{id}`), drawn by `draw_query`.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use crate::app::{AppState, SourceId};
use crate::model::number::{bytes, count, secs};
use crate::model::pods::Severity;
use crate::model::trino::{TrinoQuery, TrinoQueryDetail, TrinoSummary};
use crate::theme::Theme;
use crate::ui::widgets::{
    self, Column, col, feed_status, printable, severity_style, severity_symbol, wide,
};

const COLUMNS: &[Column] = &[
    col("ID", 29, 4),
    col("STATE", 10, 0),
    col("USER", 8, 0),
    col("SOURCE", 10, 3),
    col("GROUP", 12, 5),
    col("QUEUED", 6, 0),
    col("ELAPSED", 7, 1),
    col("MEMORY", 7, 2),
    wide("QUERY", 20, 0, 200),
];

fn severity(q: &TrinoQuery) -> Severity {
    if q.state == "FAILED" || q.is_blocked() {
        Severity::Warning
    } else if q.is_queued() {
        Severity::Info
    } else {
        Severity::Ok
    }
}

pub fn draw(state: &AppState, theme: &Theme, frame: &mut Frame, area: Rect) {
    let status = feed_status(theme, state, SourceId::Trino, &state.platform.trino);
    let title = Line::styled(" Trino ", theme.title);
    let Some(t) = status.data else {
        let body = status
            .notice
            .unwrap_or_else(|| Line::styled("no data", theme.dim));
        widgets::message_pane(frame, area, theme, title, body);
        return;
    };
    let mut lines = Vec::new();
    if let Some(n) = status.notice {
        lines.push(n);
    }
    lines.extend(summary_lines(t, theme));
    let [top, table] = area.layout(&Layout::vertical([
        Constraint::Length(lines.len() as u16 + 2),
        Constraint::Min(3),
    ]));
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border)
        .title(title);
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(ratatui::widgets::Wrap { trim: false })
            .block(block),
        top,
    );
    draw_queries(state, theme, frame, table);
}

fn n(v: Option<u64>) -> String {
    v.map_or_else(|| "n/a".into(), |v| v.to_string())
}

fn summary_lines(t: &TrinoSummary, theme: &Theme) -> Vec<Line<'static>> {
    let info = match &t.info {
        Some(i) => {
            let state = i.state.clone().unwrap_or_else(|| {
                if i.starting {
                    "STARTING".into()
                } else {
                    "state n/a".into()
                }
            });
            let state_style = if state == "ACTIVE" {
                theme.ok
            } else {
                theme.warning
            };
            Line::from(vec![
                Span::raw(format!(
                    "Coordinator {} · env {} · ",
                    i.version, i.environment
                )),
                Span::styled(state, state_style),
                Span::raw(format!(
                    " · up {}",
                    crate::model::trino::parse_duration(&i.uptime)
                        .map_or_else(|| i.uptime.clone(), |s| secs(Some(s)))
                )),
            ])
        }
        None => Line::styled("Coordinator info n/a", theme.dim),
    };
    let queued = t.queued.unwrap_or(0);
    let blocked = t.blocked.unwrap_or(0);
    let counts = Line::from(vec![
        Span::raw(format!(
            "Workers {} · {} running  ",
            count(t.workers()),
            n(t.running)
        )),
        Span::styled(
            format!("{} queued", n(t.queued)),
            if queued > 0 { theme.warning } else { theme.dim },
        ),
        Span::raw("  "),
        Span::styled(
            format!("{} blocked", n(t.blocked)),
            if blocked > 0 {
                theme.warning
            } else {
                theme.dim
            },
        ),
    ]);
    let mut out = vec![info, counts];
    if let Some(e) = &t.queries_error {
        out.push(Line::styled(
            format!("query list: {}", printable(e)),
            theme.error,
        ));
    }
    out
}

fn draw_queries(state: &AppState, theme: &Theme, frame: &mut Frame, area: Rect) {
    let list = &state.platform.queries;
    let height = area.height.saturating_sub(3) as usize;
    let offset = list.scroll_for(height);
    let rows = list
        .window(offset, height)
        .map(|r| {
            let q = &r.row;
            let sev = severity(q);
            let mark = if theme.symbols {
                severity_symbol(sev)
            } else {
                ""
            };
            let state = if q.is_blocked() {
                "BLOCKED".to_string()
            } else if q.state == "WAITING_FOR_RESOURCES" {
                "WAITING".to_string()
            } else {
                q.state.clone()
            };
            (
                vec![
                    format!("{mark}{}", q.id),
                    state,
                    q.user.clone(),
                    q.source.clone().unwrap_or_else(|| "-".into()),
                    q.resource_group.clone().unwrap_or_else(|| "-".into()),
                    secs(q.queued_secs),
                    secs(q.elapsed_secs),
                    bytes(q.memory_bytes),
                    printable(&q.one_line()),
                ],
                severity_style(theme, sev),
            )
        })
        .collect();
    let mut title = vec![Span::styled(
        format!(" Queries ({}) ", list.visible_len()),
        theme.title,
    )];
    title.extend(widgets::filter_span(theme, &list.filter));
    let selected = list.selected.checked_sub(offset);
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

/// One query's detail lines, scrollable; loading and errors say so.
pub fn draw_query(
    theme: &Theme,
    frame: &mut Frame,
    area: Rect,
    id: &str,
    detail: Option<&Result<TrinoQueryDetail, String>>,
    scroll: usize,
) {
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border)
        .title(Line::styled(format!(" Trino query {id} "), theme.title));
    let body: Vec<Line> = match detail {
        None => vec![Line::styled("loading…", theme.dim)],
        Some(Err(e)) => vec![Line::styled(
            format!("could not load: {}", printable(e)),
            theme.error,
        )],
        Some(Ok(d)) => {
            let height = area.height.saturating_sub(2) as usize;
            let top = scroll.min(d.lines.len().saturating_sub(height));
            d.lines
                .iter()
                .skip(top)
                .take(height)
                .map(|l| Line::raw(printable(l)))
                .collect()
        }
    };
    let wrap = matches!(detail, Some(Err(_)));
    let mut p = Paragraph::new(body).block(block);
    if wrap {
        p = p.wrap(ratatui::widgets::Wrap { trim: true });
    }
    frame.render_widget(p, area);
}
