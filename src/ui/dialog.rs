//! The modal layer drawn over the view: the op confirmation (summary, the dry run's
//! preview lines, how to confirm — or "read-only: …"/"forbidden: …" with only a way
//! out), forms of ratatui-textarea fields, runbook questions, the notes box and yes/no
//! confirmations. Readable without colour: state is said in words and marks, the
//! focused field has a bold border and the cursor is reversed.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};
use ratatui_textarea::TextArea;

use crate::app::dialog::{Dialog, OpDialog, OpOrigin, OpStage};
use crate::app::form::Form;
use crate::ops::Confirmation;
use crate::theme::Theme;
use crate::ui::widgets::printable;

/// A centred box `width` wide (at most the area less a margin) and `height` high.
fn centred(area: Rect, width: u16, height: u16) -> Rect {
    let w = width.min(area.width.saturating_sub(2)).max(1);
    let h = height.min(area.height.saturating_sub(2)).max(1);
    Rect {
        x: area.x + (area.width.saturating_sub(w)) / 2,
        y: area.y + (area.height.saturating_sub(h)) / 2,
        width: w,
        height: h,
    }
}

/// Nearly the whole width on a small terminal (so no stray table cells show beside
/// it), at most 84 cells on a big one.
fn dialog_width(area: Rect) -> u16 {
    area.width.saturating_sub(2).clamp(40, 84)
}

/// Rows `lines` take when wrapped at `width`.
fn wrapped_height(lines: &[Line<'_>], width: u16) -> u16 {
    lines
        .iter()
        .map(|l| (l.width() as u16).div_ceil(width.max(1)).max(1))
        .sum()
}

fn hint(theme: &Theme, pairs: &[(&str, &str)]) -> Line<'static> {
    let mut spans = Vec::new();
    for (key, what) in pairs {
        spans.push(Span::styled(format!("<{key}>"), theme.footer_key));
        spans.push(Span::raw(format!(" {what}  ")));
    }
    Line::from(spans)
}

/// A bordered text box with `title` and `lines`, sized to its content.
fn text_box(frame: &mut Frame, area: Rect, theme: &Theme, title: &str, lines: Vec<Line<'_>>) {
    let width = dialog_width(area);
    let height = wrapped_height(&lines, width.saturating_sub(2)) + 2;
    let rect = centred(area, width, height);
    frame.render_widget(Clear, rect);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.title)
        .title(Line::styled(format!(" {title} "), theme.title));
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(block),
        rect,
    );
}

pub fn draw(dialog: &Dialog, theme: &Theme, frame: &mut Frame, area: Rect) {
    match dialog {
        Dialog::Op(d) => draw_op(d, theme, frame, area),
        Dialog::Form(form) => draw_form(form, theme, frame, area),
        Dialog::Question {
            step,
            text,
            acknowledge,
        } => {
            let mut lines: Vec<Line> = text.lines().map(|l| Line::raw(printable(l))).collect();
            lines.push(Line::raw(""));
            lines.push(if *acknowledge {
                hint(theme, &[("enter", "acknowledge"), ("esc", "later")])
            } else {
                hint(theme, &[("y", "yes"), ("n", "no"), ("esc", "later")])
            });
            let title = if *acknowledge {
                format!("Runbook step {} — note", step + 1)
            } else {
                format!("Runbook step {} — confirm", step + 1)
            };
            text_box(frame, area, theme, &title, lines);
        }
        Dialog::Notes(input) => {
            let width = dialog_width(area);
            let rect = centred(area, width, 7);
            frame.render_widget(Clear, rect);
            let block = Block::default()
                .borders(Borders::ALL)
                .border_style(theme.title)
                .title(Line::styled(" Operator note ", theme.title));
            let inner = block.inner(rect);
            frame.render_widget(block, rect);
            let [field, _, keys] = inner.layout(&Layout::vertical([
                Constraint::Length(3),
                Constraint::Min(0),
                Constraint::Length(1),
            ]));
            draw_input(input, theme, frame, field, "note", true);
            frame.render_widget(
                Paragraph::new(hint(
                    theme,
                    &[("enter", "add to the run"), ("esc", "cancel")],
                )),
                keys,
            );
        }
        Dialog::Confirm { title, text, .. } => {
            let mut lines: Vec<Line> = text.iter().map(|l| Line::raw(l.clone())).collect();
            lines.push(Line::raw(""));
            lines.push(hint(theme, &[("y", "yes"), ("n/esc", "no")]));
            text_box(frame, area, theme, title, lines);
        }
    }
}

fn draw_op(d: &OpDialog, theme: &Theme, frame: &mut Frame, area: Rect) {
    let mut lines = vec![Line::styled(printable(&d.title), theme.table_header)];
    let run = matches!(d.origin, OpOrigin::Run { .. });
    match &d.stage {
        OpStage::Checking => {
            lines.push(Line::raw(""));
            lines.push(Line::styled(
                "checking permission and previewing (server dry run)…",
                theme.dim,
            ));
            lines.push(Line::raw(""));
            lines.push(hint(theme, &[("esc", "cancel")]));
        }
        OpStage::Ready {
            preview,
            confirmation,
        } => {
            lines.push(Line::raw(""));
            lines.push(Line::styled("Preview (server dry run):", theme.dim));
            if preview.is_empty() {
                lines.push(Line::styled("  (no changes reported)", theme.dim));
            }
            for l in preview {
                lines.push(Line::raw(format!("  {}", printable(l))));
            }
            lines.push(Line::raw(""));
            match confirmation {
                Confirmation::YesNo => {
                    lines.push(Line::raw("Go ahead?"));
                    let keys: &[(&str, &str)] = if run {
                        &[
                            ("y", "confirm"),
                            ("n", "no (stops the step)"),
                            ("esc", "later"),
                        ]
                    } else {
                        &[("y", "confirm"), ("n/esc", "cancel")]
                    };
                    lines.push(hint(theme, keys));
                }
                Confirmation::TypeName(name) => {
                    lines.push(Line::from(vec![
                        Span::raw("Type "),
                        Span::styled(printable(name), theme.table_header),
                        Span::raw(" to confirm: "),
                        Span::styled(printable(&d.typed), theme.filter),
                        Span::styled("▏", theme.filter),
                    ]));
                    lines.push(hint(
                        theme,
                        &[
                            ("enter", "confirm"),
                            ("esc", if run { "later" } else { "cancel" }),
                        ],
                    ));
                }
            }
        }
        OpStage::Refused(refusal) => {
            lines.push(Line::raw(""));
            lines.push(Line::styled(
                format!("✗ {}", printable(&refusal.label())),
                theme.error,
            ));
            lines.push(Line::raw(""));
            lines.push(hint(theme, &[("esc", "close")]));
        }
        OpStage::Executing => {
            lines.push(Line::raw(""));
            lines.push(Line::styled(
                "running… (the outcome shows in the footer)",
                theme.dim,
            ));
            lines.push(Line::raw(""));
            lines.push(hint(theme, &[("esc", "close")]));
        }
        OpStage::Failed(why) => {
            lines.push(Line::raw(""));
            lines.push(Line::styled(
                format!("✗ failed: {}", printable(why)),
                theme.error,
            ));
            lines.push(Line::raw(""));
            lines.push(hint(theme, &[("esc", "close")]));
        }
    }
    if let Some(e) = &d.error {
        lines.push(Line::styled(format!("! {}", printable(e)), theme.warning));
    }
    let title = match &d.origin {
        OpOrigin::Pane { .. } => "Confirm".to_string(),
        OpOrigin::Run { step } => format!("Runbook step {} — confirm op", step + 1),
    };
    text_box(frame, area, theme, &title, lines);
}

/// One field: a bordered box titled with its label; the focused one bold with a cursor.
fn draw_input(
    input: &TextArea<'static>,
    theme: &Theme,
    frame: &mut Frame,
    area: Rect,
    label: &str,
    focused: bool,
) {
    let mut input = input.clone();
    let border = if focused {
        theme.title.add_modifier(Modifier::BOLD)
    } else {
        theme.dim
    };
    let marker = if focused { "▶ " } else { "" };
    input.set_block(
        Block::default()
            .borders(Borders::ALL)
            .border_style(border)
            .title(Line::styled(format!(" {marker}{label} "), border)),
    );
    input.set_cursor_line_style(Style::default());
    input.set_placeholder_style(theme.dim);
    input.set_cursor_style(if focused {
        Style::default().add_modifier(Modifier::REVERSED)
    } else {
        Style::default()
    });
    frame.render_widget(&input, area);
}

fn draw_form(form: &Form, theme: &Theme, frame: &mut Frame, area: Rect) {
    let width = dialog_width(area);
    let intro: Vec<Line> = form.intro.iter().map(|l| Line::raw(printable(l))).collect();
    let intro_h = wrapped_height(&intro, width.saturating_sub(2));
    let help_h = 1u16;
    let height = intro_h + form.fields.len() as u16 * 3 + help_h + 1 + 1 + 2;
    let rect = centred(area, width, height);
    frame.render_widget(Clear, rect);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.title)
        .title(Line::styled(format!(" {} ", form.title), theme.title));
    let inner = block.inner(rect);
    frame.render_widget(block, rect);
    let mut constraints = vec![Constraint::Length(intro_h)];
    constraints.extend(form.fields.iter().map(|_| Constraint::Length(3)));
    constraints.extend([
        Constraint::Length(help_h),
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(0),
    ]);
    let rows = Layout::vertical(constraints).split(inner);
    frame.render_widget(Paragraph::new(intro).wrap(Wrap { trim: false }), rows[0]);
    for (i, f) in form.fields.iter().enumerate() {
        draw_input(
            &f.input,
            theme,
            frame,
            rows[i + 1],
            &f.label,
            i == form.focus,
        );
    }
    let n = form.fields.len();
    let help = form
        .fields
        .get(form.focus)
        .map(|f| f.help.clone())
        .unwrap_or_default();
    frame.render_widget(Paragraph::new(Line::styled(help, theme.dim)), rows[n + 1]);
    if let Some(e) = &form.error {
        frame.render_widget(
            Paragraph::new(Line::styled(format!("! {}", printable(e)), theme.warning)),
            rows[n + 2],
        );
    }
    frame.render_widget(
        Paragraph::new(hint(
            theme,
            &[
                ("enter", "continue"),
                ("tab", "next field"),
                ("esc", "cancel"),
            ],
        )),
        rows[n + 3],
    );
}
