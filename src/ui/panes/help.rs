//! The help screen, generated from the live keymap (so it is never out of date), and the
//! kubeconfig context picker.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use crate::app::AppState;
use crate::theme::Theme;

pub fn draw(state: &AppState, theme: &Theme, frame: &mut Frame, area: Rect, scroll: usize) {
    let mut lines = vec![Line::styled(
        "Keys (pane actions open a dialog: preview, then confirm; esc cancels)",
        theme.table_header,
    )];
    // Writes that cannot happen where the operator came from are not offered.
    let beneath = state
        .views
        .iter()
        .rev()
        .nth(1)
        .cloned()
        .unwrap_or(crate::app::View::Overview);
    let mut withheld = Vec::new();
    for (keys, name, description) in state.keymap.help_rows() {
        if !state.write_offered_in(&beneath, name) {
            withheld.push(name);
            continue;
        }
        lines.push(Line::from(vec![
            Span::styled(format!("  {keys:<18}"), theme.footer_key),
            Span::raw(format!("{name:<12} {description}")),
        ]));
    }
    if !withheld.is_empty() {
        let why = if state.connection.readonly {
            "read-only mode"
        } else {
            "your identity may not (RBAC)"
        };
        lines.push(Line::styled(
            format!("  not offered here: {} — {why}", withheld.join(", ")),
            theme.dim,
        ));
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled("Commands", theme.table_header));
    for (cmd, what) in [
        (":pods  :po", "pods view"),
        (":nodes  :no", "nodes view"),
        (
            ":ns <name>  :ns all",
            "scope to a namespace / all namespaces",
        ),
        (":ctx  :ctx <name>", "list / switch kubeconfig contexts"),
        (":minio  :s3", "MinIO capacity, drives, buckets"),
        (":trino", "Trino queue and queries (enter: query detail)"),
        (":kafka  :lag", "Kafka consumer lag and drain ETA"),
        (
            ":velero  :backups",
            "Velero schedules, RPO, backups, restores",
        ),
        (":alerts", "alerts (enter: go to the pane it concerns)"),
        (":silences", "Alertmanager silences (ctrl-d expires)"),
        (
            ":runbooks  :rb",
            "runbooks and interrupted runs (enter opens, r runs)",
        ),
        (":runbook <name>", "one runbook's page"),
        (":q", "quit"),
        ("0-9", "namespace favourites (0 = all)"),
    ] {
        lines.push(Line::from(vec![
            Span::styled(format!("  {cmd:<22}"), theme.footer_key),
            Span::raw(what),
        ]));
    }
    let height = area.height.saturating_sub(2) as usize;
    let top = scroll.min(lines.len().saturating_sub(height));
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border)
        .title(Line::styled(" Help ", theme.title));
    frame.render_widget(
        Paragraph::new(lines.into_iter().skip(top).collect::<Vec<_>>()).block(block),
        area,
    );
}

pub fn draw_contexts(
    state: &AppState,
    theme: &Theme,
    frame: &mut Frame,
    area: Rect,
    names: &[String],
    selected: usize,
) {
    let lines: Vec<Line> = names
        .iter()
        .enumerate()
        .map(|(i, n)| {
            let current = *n == state.connection.context;
            let text = format!(
                "{} {n}{}",
                if i == selected { "▶" } else { " " },
                if current { "  (current)" } else { "" }
            );
            if i == selected {
                Line::styled(text, theme.selected)
            } else {
                Line::raw(text)
            }
        })
        .collect();
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border)
        .title(Line::styled(" Contexts (enter switches) ", theme.title));
    frame.render_widget(Paragraph::new(lines).block(block), area);
}
