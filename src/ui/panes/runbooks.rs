//! The runbooks view (the catalog: name, title, linked alerts; and the interrupted runs
//! with resume/clean-up keys, tab switching between the two tables) and one runbook's
//! page (summary, parameters with defaults, steps) from which it is run.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use crate::app::AppState;
use crate::app::keymap::Pane;
use crate::app::runs::{RunbooksTable, status_text};
use crate::theme::Theme;
use crate::ui::widgets::{self, Column, ago, col, printable, wide};

const CATALOG: &[Column] = &[
    wide("NAME", 20, 0, 6),
    wide("TITLE", 24, 0, 40),
    wide("ALERTS", 16, 1, 40),
];

const INTERRUPTED: &[Column] = &[
    wide("RUN", 36, 0, 10),
    wide("AT STEP", 14, 1, 20),
    col("STARTED", 7, 0),
    wide("CONTEXT", 12, 2, 10),
];

/// First row to draw so `selected` stays inside `height` rows.
fn offset(selected: usize, height: usize) -> usize {
    (selected + 1).saturating_sub(height.max(1))
}

fn key(state: &AppState, pane: Pane, name: &str) -> String {
    state
        .keymap
        .key_in(pane, name)
        .unwrap_or_else(|| "?".into())
}

pub fn draw(state: &AppState, theme: &Theme, frame: &mut Frame, area: Rect) {
    let rb = &state.runbooks;
    if !rb.loaded || rb.catalog_error.is_some() {
        let body = match &rb.catalog_error {
            Some(e) => Line::styled(
                format!("could not load the runbooks: {}", printable(e)),
                theme.error,
            ),
            None => Line::styled("loading…", theme.dim),
        };
        widgets::message_pane(
            frame,
            area,
            theme,
            Line::styled(" Runbooks ", theme.title),
            body,
        );
        return;
    }
    let interrupted_h = if rb.interrupted.is_empty() {
        3
    } else {
        (rb.interrupted.len() as u16 + 3).min(area.height / 2)
    };
    let [top, bottom] = area.layout(&Layout::vertical([
        Constraint::Min(4),
        Constraint::Length(interrupted_h),
    ]));
    let focus = |t: RunbooksTable| if rb.focus == t { "▶ " } else { "" };
    let height = top.height.saturating_sub(3) as usize;
    let off = offset(rb.selected, height);
    let rows = rb
        .catalog
        .iter()
        .skip(off)
        .take(height)
        .map(|r| {
            (
                vec![r.name.clone(), printable(&r.title), r.alerts.join(" ")],
                Style::default(),
            )
        })
        .collect();
    let title = Line::from(vec![Span::styled(
        format!(
            " {}Runbooks ({}) — {} open · {} run ",
            focus(RunbooksTable::Catalog),
            rb.catalog.len(),
            key(state, Pane::Runbooks, "enter"),
            key(state, Pane::Runbooks, "run"),
        ),
        theme.title,
    )]);
    let selected = (rb.focus == RunbooksTable::Catalog)
        .then(|| rb.selected.checked_sub(off))
        .flatten();
    widgets::table(frame, top, theme, title, CATALOG, rows, selected);

    if rb.interrupted.is_empty() {
        widgets::message_pane(
            frame,
            bottom,
            theme,
            Line::styled(" Interrupted runs (0) ", theme.title),
            Line::styled("none — every run finished or was cleaned up", theme.dim),
        );
        return;
    }
    let height = bottom.height.saturating_sub(3) as usize;
    let off = offset(rb.interrupted_selected, height);
    let rows = rb
        .interrupted
        .iter()
        .skip(off)
        .take(height)
        .map(|r| {
            let at = r
                .steps
                .iter()
                .find(|s| {
                    !matches!(
                        s.state,
                        crate::runbook::StepOutcome::Done | crate::runbook::StepOutcome::Skipped
                    )
                })
                .map_or_else(|| status_text(&r.status), |s| s.name.clone());
            (
                vec![
                    r.id.clone(),
                    at,
                    ago(Some(r.started), state.now),
                    r.context.clone(),
                ],
                theme.warning,
            )
        })
        .collect();
    let title = Line::styled(
        format!(
            " {}Interrupted runs ({}) — {} resume · {} clean up · {} switch ",
            focus(RunbooksTable::Interrupted),
            rb.interrupted.len(),
            key(state, Pane::Runbooks, "run"),
            key(state, Pane::Runbooks, "cleanup"),
            key(state, Pane::Runbooks, "switch-table"),
        ),
        theme.title,
    );
    let selected = (rb.focus == RunbooksTable::Interrupted)
        .then(|| rb.interrupted_selected.checked_sub(off))
        .flatten();
    widgets::table(frame, bottom, theme, title, INTERRUPTED, rows, selected);
}

/// One runbook: title, summary, linked alerts, parameters (defaults), steps.
pub fn draw_runbook(
    state: &AppState,
    theme: &Theme,
    frame: &mut Frame,
    area: Rect,
    name: &str,
    scroll: usize,
) {
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border)
        .title(Line::styled(format!(" Runbook {name} "), theme.title));
    let Some(rb) = state.runbooks.get(name) else {
        frame.render_widget(
            Paragraph::new(Line::styled("no such runbook", theme.error)).block(block),
            area,
        );
        return;
    };
    let mut lines = vec![
        Line::styled(printable(&rb.title), theme.table_header),
        Line::raw(printable(&rb.summary.replace('\n', " "))),
        Line::raw(""),
    ];
    if !rb.alerts.is_empty() {
        lines.push(Line::from(vec![
            Span::styled("Alerts: ", theme.dim),
            Span::raw(rb.alerts.join(", ")),
        ]));
    }
    lines.push(Line::styled(
        if rb.params.is_empty() {
            "Parameters: none"
        } else {
            "Parameters:"
        },
        theme.dim,
    ));
    for p in &rb.params {
        lines.push(Line::from(vec![
            Span::styled(format!("  {}", p.name), theme.footer_key),
            Span::raw(format!(
                " = {}",
                match p.default.as_deref() {
                    None => "(required)".to_string(),
                    Some(_) if crate::app::runs::is_computed(p.default.as_deref()) => {
                        "(worked out at start)".to_string()
                    }
                    Some(d) => printable(d),
                }
            )),
            Span::styled(
                format!("  {}", printable(&p.help.replace('\n', " "))),
                theme.dim,
            ),
        ]));
    }
    lines.push(Line::styled("Steps:", theme.dim));
    for (i, s) in rb.steps.iter().enumerate() {
        lines.push(Line::raw(format!("  {:>2}. {}", i + 1, printable(s))));
    }
    lines.push(Line::raw(""));
    lines.push(Line::from(vec![
        Span::styled(key(state, Pane::Runbook, "run"), theme.footer_key),
        Span::raw(" run it (parameters first; every op asks before it changes anything)"),
    ]));
    let height = area.height.saturating_sub(2) as usize;
    let top = scroll.min(lines.len().saturating_sub(height));
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .scroll((top as u16, 0))
            .block(block),
        area,
    );
}
