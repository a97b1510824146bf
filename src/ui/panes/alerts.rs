//! The alerts view: alerts grouped by alertname, worst severity first, firing before
//! suppressed (silenced/inhibited) and pending, oldest first; with since-when, labels,
//! summary and runbook, where they come from (Alertmanager, or Prometheus when no
//! Alertmanager is configured), and for the selected alert where Enter jumps. Also the
//! silences view (ctrl-d expires one).

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use crate::app::{AppState, SourceId};
use crate::model::alerts::{AlertRow, AlertState, concern, severity_rank};
use crate::model::duration::human_duration;
use crate::model::pods::Severity;
use crate::theme::Theme;
use crate::ui::widgets::{
    self, Column, ago, col, feed_status, printable, severity_style, severity_symbol, wide,
};

const ALERTS: &[Column] = &[
    wide("ALERT", 22, 0, 8),
    col("SEVERITY", 8, 1),
    wide("STATE", 11, 0, 12),
    col("SINCE", 6, 0),
    wide("LABELS", 20, 3, 40),
    wide("SUMMARY", 24, 2, 50),
];

const SILENCES: &[Column] = &[
    col("ID", 8, 1),
    col("STATE", 7, 0),
    wide("MATCHERS", 28, 0, 50),
    col("ENDS", 10, 0),
    col("CREATED BY", 10, 2),
    wide("COMMENT", 16, 3, 60),
];

pub fn severity(a: &AlertRow) -> Severity {
    if !matches!(a.state, AlertState::Firing) {
        return Severity::Info;
    }
    match severity_rank(&a.severity) {
        0 => Severity::Critical,
        1 => Severity::Warning,
        _ => Severity::Info,
    }
}

pub fn draw(state: &AppState, theme: &Theme, frame: &mut Frame, area: Rect) {
    let status = feed_status(theme, state, SourceId::Alerts, &state.platform.alerts);
    let list = &state.platform.alert_rows;
    let Some(snap) = status.data else {
        let body = status
            .notice
            .unwrap_or_else(|| Line::styled("no data", theme.dim));
        widgets::message_pane(
            frame,
            area,
            theme,
            Line::styled(" Alerts ", theme.title),
            body,
        );
        return;
    };
    let [notice_area, table_area, detail_area] = area.layout(&Layout::vertical([
        Constraint::Length(match &status.notice {
            Some(n) => widgets::notice_height(n, area.width, 3),
            None => 0,
        }),
        Constraint::Min(3),
        Constraint::Length(4),
    ]));
    if let Some(n) = status.notice {
        widgets::notice(frame, notice_area, n);
    }
    let height = table_area.height.saturating_sub(3) as usize;
    let offset = list.scroll_for(height);
    let mut previous: Option<String> = if offset == 0 {
        None
    } else {
        // The row above the window belongs to the same group: keep its name blank.
        list.window(offset - 1, 1)
            .next()
            .map(|r| r.row.name.clone())
    };
    let now = state.now;
    // "suppressed (silenced)" where there is room, "silenced" on a small terminal.
    let wide_state = area.width >= 120;
    let rows = list
        .window(offset, height)
        .map(|r| {
            let a = &r.row;
            let sev = severity(a);
            let mark = if theme.symbols {
                severity_symbol(sev)
            } else {
                ""
            };
            // A group's name once, on its first row; its other alerts are indented.
            let name = if previous.as_deref() == Some(a.name.as_str()) {
                format!("{mark}  └")
            } else {
                format!("{mark}{}", a.name)
            };
            previous = Some(a.name.clone());
            let labels: Vec<String> = a
                .labels
                .iter()
                .filter(|(k, _)| k != "lakedeck_pane")
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            (
                vec![
                    name,
                    a.severity.clone(),
                    if wide_state {
                        a.state.label()
                    } else {
                        a.state.short_label().to_string()
                    },
                    ago(a.since, now),
                    labels.join(" "),
                    printable(a.summary.as_deref().unwrap_or("")),
                ],
                severity_style(theme, sev),
            )
        })
        .collect();
    let firing = snap.alerts.iter().filter(|a| a.state.is_firing()).count();
    let mut title = vec![Span::styled(
        format!(
            " Alerts ({firing} firing of {}, {} groups) from {} ",
            snap.alerts.len(),
            state.platform.alert_groups.len(),
            snap.origin.label()
        ),
        theme.title,
    )];
    title.extend(widgets::filter_span(theme, &list.filter));
    let selected = list.selected.checked_sub(offset);
    widgets::table(
        frame,
        table_area,
        theme,
        Line::from(title),
        ALERTS,
        rows,
        selected,
    );
    draw_selected(state, theme, frame, detail_area);
}

/// The selected alert in full: summary, runbook and where Enter goes.
fn draw_selected(state: &AppState, theme: &Theme, frame: &mut Frame, area: Rect) {
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border);
    let Some(a) = state.platform.alert_rows.selected_row().map(|r| &r.row) else {
        frame.render_widget(
            Paragraph::new(Line::styled("no alerts", theme.dim)).block(block),
            area,
        );
        return;
    };
    let mut first = vec![Span::styled(format!("{} ", a.name), theme.table_header)];
    if let Some(s) = &a.summary {
        first.push(Span::raw(printable(s)));
    }
    let mut second = Vec::new();
    let key = |name: &str| {
        state
            .keymap
            .key_in(crate::app::keymap::Pane::Alerts, name)
            .unwrap_or_else(|| name.into())
    };
    match state.runbooks.for_alert(&a.name, a.runbook.as_deref()) {
        Some(rb) => {
            second.push(Span::raw("runbook "));
            second.push(Span::raw(rb.name.clone()));
            second.push(Span::raw(" ("));
            second.push(Span::styled(key("runbook"), theme.footer_key));
            second.push(Span::raw(" opens)  "));
        }
        None => {
            if let Some(rb) = &a.runbook {
                second.push(Span::raw("runbook: "));
                second.push(Span::styled(printable(rb), theme.footer_key));
                second.push(Span::raw("  "));
            }
        }
    }
    match concern(a) {
        Some(c) => {
            second.push(Span::styled(
                state
                    .keymap
                    .key_for("enter")
                    .unwrap_or_else(|| "enter".into()),
                theme.footer_key,
            ));
            second.push(Span::raw(format!(": go to {}", c.label())));
        }
        None => second.push(Span::styled("no pane for this alert", theme.dim)),
    }
    frame.render_widget(
        Paragraph::new(vec![Line::from(first), Line::from(second)]).block(block),
        area,
    );
}

pub fn draw_silences(state: &AppState, theme: &Theme, frame: &mut Frame, area: Rect) {
    let status = feed_status(theme, state, SourceId::Alerts, &state.platform.alerts);
    let list = &state.platform.silences;
    let title_text = format!(
        " Silences ({}) — {} expires the selected one ",
        list.visible_len(),
        state
            .keymap
            .key_in(crate::app::keymap::Pane::Silences, "delete")
            .unwrap_or_else(|| "ctrl-d".into())
    );
    let Some(snap) = status.data else {
        let body = status
            .notice
            .unwrap_or_else(|| Line::styled("no data", theme.dim));
        widgets::message_pane(
            frame,
            area,
            theme,
            Line::styled(title_text, theme.title),
            body,
        );
        return;
    };
    if snap.origin == crate::model::alerts::AlertOrigin::Prometheus {
        let body = Line::styled(
            "silences live in Alertmanager; none is configured (alerts come from Prometheus) — set alertmanager: in the context's endpoints or pass --alertmanager",
            theme.dim,
        );
        widgets::message_pane(
            frame,
            area,
            theme,
            Line::styled(title_text, theme.title),
            body,
        );
        return;
    }
    let area = widgets::above_notice(frame, area, status.notice);
    let now = state.now;
    let height = area.height.saturating_sub(3) as usize;
    let offset = list.scroll_for(height);
    let rows = list
        .window(offset, height)
        .map(|r| {
            let s = &r.row;
            let ends = match s.ends {
                Some(t) if t > now => format!("in {}", human_duration(t.duration_since(now))),
                Some(t) => format!("{} ago", human_duration(now.duration_since(t))),
                None => "-".into(),
            };
            let style = if s.state == "active" {
                ratatui::style::Style::default()
            } else {
                theme.dim
            };
            (
                vec![
                    s.id.chars().take(8).collect(),
                    s.state.clone(),
                    printable(&s.matchers),
                    ends,
                    printable(&s.created_by),
                    printable(&s.comment),
                ],
                style,
            )
        })
        .collect();
    let mut title = vec![Span::styled(title_text, theme.title)];
    title.extend(widgets::filter_span(theme, &list.filter));
    let selected = list.selected.checked_sub(offset);
    widgets::table(
        frame,
        area,
        theme,
        Line::from(title),
        SILENCES,
        rows,
        selected,
    );
}
