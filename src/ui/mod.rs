//! Drawing: `draw(&AppState, &Theme, &mut Frame)` lays out the header, the focused view
//! and the footer. One file per pane in `panes/`, shared pieces in `widgets`. Never does
//! I/O and never changes app state; a terminal below the minimum size gets a one-line
//! message instead of a broken layout.

mod dialog;
mod panes;
pub mod widgets;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::app::{AppState, Input, View};
use crate::theme::Theme;

/// Below this the layout cannot show a useful table.
pub const MIN_WIDTH: u16 = 60;
pub const MIN_HEIGHT: u16 = 12;

pub fn draw(state: &AppState, theme: &Theme, frame: &mut Frame) {
    let area = frame.area();
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        let msg = format!(
            "terminal too small ({}×{}, need {MIN_WIDTH}×{MIN_HEIGHT})",
            area.width, area.height
        );
        frame.render_widget(
            Paragraph::new(msg).style(theme.error),
            Rect {
                height: 1.min(area.height),
                ..area
            },
        );
        return;
    }
    let [header, body, footer] = area.layout(&Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(1),
    ]));
    draw_header(state, theme, frame, header);
    match state.view() {
        View::Overview => panes::overview::draw(state, theme, frame, body),
        View::Pods => panes::pods::draw(state, theme, frame, body),
        View::Nodes => panes::nodes::draw(state, theme, frame, body),
        View::Detail {
            title,
            lines,
            scroll,
        } => panes::detail::draw(theme, frame, body, title, lines.as_ref(), *scroll),
        View::Logs(v) => panes::logs::draw(theme, frame, body, v),
        View::Help { scroll } => panes::help::draw(state, theme, frame, body, *scroll),
        View::Contexts { names, selected } => {
            panes::help::draw_contexts(state, theme, frame, body, names, *selected)
        }
        View::Minio => panes::minio::draw(state, theme, frame, body),
        View::Trino => panes::trino::draw(state, theme, frame, body),
        View::TrinoQuery { id, detail, scroll } => {
            panes::trino::draw_query(theme, frame, body, id, detail.as_ref(), *scroll)
        }
        View::Kafka => panes::kafka::draw(state, theme, frame, body),
        View::Velero => panes::velero::draw(state, theme, frame, body),
        View::Alerts => panes::alerts::draw(state, theme, frame, body),
        View::Silences => panes::alerts::draw_silences(state, theme, frame, body),
        View::Runbooks => panes::runbooks::draw(state, theme, frame, body),
        View::Runbook { name, scroll } => {
            panes::runbooks::draw_runbook(state, theme, frame, body, name, *scroll)
        }
        View::Run => panes::run::draw(state, theme, frame, body),
    }
    if let Some(d) = &state.dialog {
        dialog::draw(d, theme, frame, body);
    }
    draw_footer(state, theme, frame, footer);
}

fn draw_header(state: &AppState, theme: &Theme, frame: &mut Frame, area: Rect) {
    let c = &state.connection;
    let time = state.now.strftime("%H:%M UTC").to_string();
    let mut spans = vec![
        Span::styled(" lakedeck ", theme.title),
        Span::raw(format!(" ctx {} ", c.context)),
    ];
    // The server URL is the first thing to go on a narrow terminal.
    if area.width >= 110 {
        spans.push(Span::styled("│", theme.dim));
        spans.push(Span::raw(format!(" {} ", c.server)));
    }
    spans.extend([
        Span::styled("│", theme.dim),
        Span::raw(format!(" user {} ", c.user.as_deref().unwrap_or("…"))),
        Span::styled("│", theme.dim),
        Span::raw(format!(" ns {} ", state.scope.label())),
    ]);
    if let Some(note) = &state.scope_note {
        spans.push(Span::styled(format!("({note}) "), theme.warning));
    }
    if c.readonly {
        spans.push(Span::styled(" READ-ONLY ", theme.header_badge));
    }
    let used: usize = spans.iter().map(|s| s.content.chars().count()).sum();
    // The clock gives way to what matters more (READ-ONLY on a narrow terminal).
    let width = area.width as usize;
    let time = if used + time.len() < width {
        time
    } else if used + 6 < width {
        state.now.strftime("%H:%M").to_string()
    } else {
        String::new()
    };
    let pad = width.saturating_sub(used + time.len() + 1);
    spans.push(Span::raw(" ".repeat(pad)));
    spans.push(Span::raw(time));
    frame.render_widget(Paragraph::new(Line::from(spans)).style(theme.header), area);
}

fn draw_footer(state: &AppState, theme: &Theme, frame: &mut Frame, area: Rect) {
    let line = match &state.input {
        Input::Filter(t) => Line::from(vec![
            Span::styled("/", theme.filter),
            Span::raw(t.clone()),
            Span::styled("▏", theme.filter),
        ]),
        Input::Command(t) => Line::from(vec![
            Span::styled(":", theme.filter),
            Span::raw(t.clone()),
            Span::styled("▏", theme.filter),
        ]),
        Input::LogSearch(t) => Line::from(vec![
            Span::styled("search /", theme.filter),
            Span::raw(t.clone()),
            Span::styled("▏", theme.filter),
        ]),
        Input::None => match &state.message {
            Some((m, _)) => Line::from(Span::styled(m.clone(), theme.warning)),
            None => hints(state, theme, area.width),
        },
    };
    frame.render_widget(Paragraph::new(line).style(theme.footer), area);
}

/// Key hints for the focused view, taken from the live keymap (the pane's own keys
/// first). Whole hints only: one that does not fit is dropped, never cut.
fn hints(state: &AppState, theme: &Theme, width: u16) -> Line<'static> {
    if state.dialog.is_some() {
        return Line::styled("dialog open — its keys are shown in it", theme.dim);
    }
    let names: &[(&str, &str)] = match state.view() {
        View::Pods => &[
            ("enter", "open"),
            ("logs", "logs"),
            ("delete", "delete"),
            ("restart", "restart"),
            ("scale", "scale"),
            ("filter", "filter"),
            ("command", "cmd"),
            ("help", "help"),
            ("quit", "quit"),
        ],
        View::Overview => &[
            ("enter", "open"),
            ("describe", "describe"),
            ("yaml", "yaml"),
            ("logs", "logs"),
            ("filter", "filter"),
            ("command", "cmd"),
            ("help", "help"),
            ("quit", "quit"),
        ],
        View::Nodes => &[
            ("enter", "pods"),
            ("cordon", "cordon"),
            ("uncordon", "uncordon"),
            ("drain", "drain"),
            ("describe", "describe"),
            ("filter", "filter"),
            ("back", "back"),
            ("help", "help"),
        ],
        View::Logs(_) => &[
            ("follow", "follow/pause"),
            ("wrap", "wrap"),
            ("timestamps", "time"),
            ("previous", "previous"),
            ("container", "container"),
            ("filter", "search"),
            ("back", "back"),
        ],
        View::Detail { .. }
        | View::Help { .. }
        | View::Contexts { .. }
        | View::TrinoQuery { .. } => &[("down", "scroll"), ("back", "back"), ("quit", "quit")],
        View::Alerts => &[
            ("enter", "go to pane"),
            ("runbook", "runbook"),
            ("silence", "silence"),
            ("filter", "filter"),
            ("back", "back"),
            ("command", "cmd"),
            ("help", "help"),
        ],
        View::Trino => &[
            ("enter", "query detail"),
            ("kill", "kill"),
            ("filter", "filter"),
            ("back", "back"),
            ("command", "cmd"),
            ("help", "help"),
        ],
        View::Velero => &[
            ("switch-table", "table"),
            ("backup", "backup now"),
            ("restore", "restore"),
            ("filter", "filter"),
            ("back", "back"),
            ("help", "help"),
        ],
        View::Silences => &[
            ("delete", "expire"),
            ("filter", "filter"),
            ("back", "back"),
            ("command", "cmd"),
            ("help", "help"),
        ],
        View::Runbooks => &[
            ("enter", "open/resume"),
            ("run", "run"),
            ("cleanup", "clean up"),
            ("switch-table", "table"),
            ("back", "back"),
            ("help", "help"),
        ],
        View::Runbook { .. } => &[
            ("run", "run"),
            ("down", "scroll"),
            ("back", "back"),
            ("help", "help"),
        ],
        View::Run => &[
            ("enter", "answer/report"),
            ("notes", "note"),
            ("abort", "abort"),
            ("report", "report"),
            ("down", "steps"),
            ("back", "back"),
        ],
        View::Minio | View::Kafka => &[
            ("down", "select"),
            ("filter", "filter"),
            ("back", "back"),
            ("command", "cmd"),
            ("help", "help"),
        ],
    };
    let pane = crate::app::pane_of(state.view());
    let mut spans = Vec::new();
    let mut used = 0usize;
    for (name, label) in names {
        // No row actions without a row, no writes that cannot happen.
        if !state.offered(name) {
            continue;
        }
        let key = match pane {
            Some(p) => state.keymap.key_in(p, name),
            None => state.keymap.key_for(name),
        };
        if let Some(k) = key {
            let key = format!("<{k}>");
            let text = format!(" {label}  ");
            let len = key.chars().count() + text.chars().count();
            if used + len > width as usize {
                break;
            }
            used += len;
            spans.push(Span::styled(key, theme.footer_key));
            spans.push(Span::raw(text));
        }
    }
    Line::from(spans)
}
