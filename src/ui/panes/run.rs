//! The run view: the active run's steps with their state (marks readable without
//! colour) and timers (elapsed per step, total), the current step's details and the
//! question it waits on, the operator's notes, and once finished the report path with
//! its RTO/RPO summary lines.

use jiff::Timestamp;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use crate::app::AppState;
use crate::app::keymap::Pane;
use crate::app::runs::status_text;
use crate::runbook::{Question, RunState, RunStatus, StepOutcome, StepState};
use crate::theme::Theme;
use crate::ui::widgets::{self, Column, col, printable, wide};

const STEPS: &[Column] = &[
    wide("STEP", 22, 0, 20),
    col("KIND", 10, 1),
    wide("STATE", 10, 0, 30),
    col("TIME", 7, 0),
];

/// `0:07`, `12:05`, `1:02:03`.
pub fn clock(secs: i64) -> String {
    let secs = secs.max(0);
    let (h, m, s) = (secs / 3600, secs / 60 % 60, secs % 60);
    if h > 0 {
        format!("{h}:{m:02}:{s:02}")
    } else {
        format!("{m}:{s:02}")
    }
}

fn elapsed(start: Option<Timestamp>, end: Option<Timestamp>, now: Timestamp) -> String {
    match start {
        Some(s) => clock(end.unwrap_or(now).duration_since(s).as_secs()),
        None => String::new(),
    }
}

/// A step's mark; `asking`: the run waits on the operator at this step.
fn mark(s: &StepOutcome, asking: bool) -> &'static str {
    match s {
        StepOutcome::Waiting if asking => "?",
        StepOutcome::Pending => "·",
        StepOutcome::Running => "▶",
        StepOutcome::Waiting => "…",
        StepOutcome::Done => "✓",
        StepOutcome::Failed(_) => "✗",
        StepOutcome::Skipped => "-",
    }
}

fn outcome_text(s: &StepOutcome, asking: bool) -> String {
    match s {
        StepOutcome::Waiting if asking => "waiting for you".into(),
        StepOutcome::Pending => "pending".into(),
        StepOutcome::Running => "running".into(),
        StepOutcome::Waiting => "waiting".into(),
        StepOutcome::Done => "done".into(),
        StepOutcome::Failed(why) => format!("failed: {why}"),
        StepOutcome::Skipped => "skipped".into(),
    }
}

fn step_style(theme: &Theme, s: &StepOutcome) -> Style {
    match s {
        StepOutcome::Failed(_) => theme.critical,
        StepOutcome::Waiting => theme.warning,
        StepOutcome::Running => theme.info,
        StepOutcome::Pending | StepOutcome::Skipped => theme.dim,
        StepOutcome::Done => theme.ok,
    }
}

fn key(state: &AppState, name: &str) -> String {
    state
        .keymap
        .key_in(Pane::Run, name)
        .unwrap_or_else(|| "?".into())
}

pub fn draw(state: &AppState, theme: &Theme, frame: &mut Frame, area: Rect) {
    let Some(run) = &state.runbooks.run else {
        widgets::message_pane(
            frame,
            area,
            theme,
            Line::styled(" Run ", theme.title),
            Line::styled("no run — :runbooks to start one", theme.dim),
        );
        return;
    };
    let Some(rs) = &run.state else {
        let what = match &run.id {
            Some(id) => format!("resuming {id}…"),
            None => format!("starting {}…", run.runbook),
        };
        widgets::message_pane(
            frame,
            area,
            theme,
            Line::styled(format!(" Run {} ", run.runbook), theme.title),
            Line::styled(what, theme.dim),
        );
        return;
    };
    let now = state.now;
    let tall = area.height >= 40;
    let steps_h = (rs.steps.len() as u16 + 3).min(area.height / 2).max(4);
    let bottom_h = if run.finished {
        if tall { 10 } else { 7 }
    } else if tall {
        8
    } else {
        4
    };
    let [steps_area, detail_area, bottom_area] = area.layout(&Layout::vertical([
        Constraint::Length(steps_h),
        Constraint::Min(3),
        Constraint::Length(bottom_h),
    ]));
    let current = state.runbooks.current_step();
    let asking = run.pending.as_ref().map(|q| match q {
        Question::Acknowledge { step, .. }
        | Question::Confirm { step, .. }
        | Question::ConfirmOp { step, .. } => *step,
    });
    draw_steps(rs, current, asking, theme, frame, steps_area, now);
    draw_detail(state, rs, current, theme, frame, detail_area);
    if run.finished {
        draw_finished(state, rs, theme, frame, bottom_area);
    } else {
        draw_notes(state, rs, theme, frame, bottom_area);
    }
}

fn draw_steps(
    rs: &RunState,
    current: Option<usize>,
    asking: Option<usize>,
    theme: &Theme,
    frame: &mut Frame,
    area: Rect,
    now: Timestamp,
) {
    let height = area.height.saturating_sub(3) as usize;
    let sel = current.unwrap_or(0);
    let off = (sel + 1).saturating_sub(height.max(1));
    let rows = rs
        .steps
        .iter()
        .enumerate()
        .skip(off)
        .take(height)
        .map(|(i, s): (usize, &StepState)| {
            let ask = asking == Some(i);
            let name = format!(
                "{} {}{}. {}",
                mark(&s.state, ask),
                if s.is_finally { "finally " } else { "" },
                i + 1,
                s.name
            );
            (
                vec![
                    name,
                    s.kind.clone(),
                    printable(&outcome_text(&s.state, ask)),
                    elapsed(s.started, s.ended, now),
                ],
                step_style(theme, &s.state),
            )
        })
        .collect();
    let total = clock(rs.ended.unwrap_or(now).duration_since(rs.started).as_secs());
    let title = Line::from(vec![Span::styled(
        format!(
            " Run {} · {} · {total} ",
            rs.id,
            printable(&status_text(&rs.status))
        ),
        theme.title,
    )]);
    widgets::table(
        frame,
        area,
        theme,
        title,
        STEPS,
        rows,
        current.and_then(|c| c.checked_sub(off)),
    );
}

fn draw_detail(
    state: &AppState,
    rs: &RunState,
    current: Option<usize>,
    theme: &Theme,
    frame: &mut Frame,
    area: Rect,
) {
    let step = current.and_then(|i| rs.steps.get(i).map(|s| (i, s)));
    let title = match step {
        Some((i, s)) => format!(" Step {}: {} ({}) ", i + 1, s.name, s.kind),
        None => " Step ".to_string(),
    };
    let mut lines: Vec<Line> = Vec::new();
    if let Some(run) = &state.runbooks.run
        && let Some(q) = &run.pending
    {
        let what = match q {
            Question::Acknowledge { .. } => "a note to acknowledge",
            Question::Confirm { .. } => "a confirmation",
            Question::ConfirmOp { .. } => "an op to confirm",
        };
        lines.push(Line::from(vec![
            Span::styled(format!("? waiting for you: {what} — "), theme.warning),
            Span::styled(key(state, "enter"), theme.footer_key),
            Span::raw(" to answer"),
        ]));
    }
    if let Some((_, s)) = step {
        if let StepOutcome::Failed(why) = &s.state {
            lines.push(Line::styled(format!("✗ {}", printable(why)), theme.error));
        }
        if s.detail.is_empty() && lines.is_empty() {
            lines.push(Line::styled("(nothing yet)", theme.dim));
        }
        // The newest detail lines matter most: show the tail when it does not fit.
        let room = area.height.saturating_sub(2) as usize;
        let room = room.saturating_sub(lines.len());
        let skip = s.detail.len().saturating_sub(room);
        lines.extend(s.detail.iter().skip(skip).map(|l| Line::raw(printable(l))));
    }
    if let RunStatus::Failed(why) = &rs.status
        && lines.len() < area.height.saturating_sub(2) as usize
    {
        lines.push(Line::styled(
            format!("run failed: {}", printable(why)),
            theme.error,
        ));
    }
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border)
        .title(Line::styled(title, theme.title));
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(block),
        area,
    );
}

fn draw_notes(state: &AppState, rs: &RunState, theme: &Theme, frame: &mut Frame, area: Rect) {
    let room = area.height.saturating_sub(2) as usize;
    let mut lines: Vec<Line> = rs
        .notes
        .iter()
        .rev()
        .take(room)
        .rev()
        .map(|n| {
            Line::from(vec![
                Span::styled(n.at.strftime("%H:%M ").to_string(), theme.dim),
                Span::raw(printable(&n.text)),
            ])
        })
        .collect();
    if lines.is_empty() {
        lines.push(Line::styled("no notes yet", theme.dim));
    }
    let title = format!(
        " Notes ({}) — {} write · {} abort · {} steps ",
        rs.notes.len(),
        key(state, "notes"),
        key(state, "abort"),
        state.keymap.key_for("down").unwrap_or_default(),
    );
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border)
        .title(Line::styled(title, theme.title));
    frame.render_widget(Paragraph::new(lines).block(block), area);
}

/// The finished run: status and total, the report path, and the report's RTO/RPO lines.
fn draw_finished(state: &AppState, rs: &RunState, theme: &Theme, frame: &mut Frame, area: Rect) {
    let total = rs
        .ended
        .map(|e| clock(e.duration_since(rs.started).as_secs()))
        .unwrap_or_default();
    let status_style = match rs.status {
        RunStatus::Succeeded => theme.ok,
        RunStatus::Aborted => theme.warning,
        _ => theme.critical,
    };
    let mark = match rs.status {
        RunStatus::Succeeded => "✓",
        RunStatus::Aborted => "!",
        _ => "✗",
    };
    let mut lines = vec![Line::from(vec![
        Span::styled(
            format!("{mark} {} ", printable(&status_text(&rs.status))),
            status_style,
        ),
        Span::raw(format!(
            "in {total} · {} note{}",
            rs.notes.len(),
            if rs.notes.len() == 1 { "" } else { "s" }
        )),
    ])];
    match &rs.report {
        Some(path) => lines.push(Line::from(vec![
            Span::styled("report ", theme.dim),
            Span::raw(printable(&path.display().to_string())),
        ])),
        None => lines.push(Line::styled("no report was written", theme.dim)),
    }
    if let Some(Ok(report)) = state.runbooks.run.as_ref().and_then(|r| r.report.as_ref()) {
        lines.extend(
            report
                .iter()
                .filter(|l| l.contains("RTO") || l.contains("RPO"))
                .take(area.height.saturating_sub(4) as usize)
                .map(|l| Line::raw(printable(l.trim_start_matches(['-', '*', ' ', '|'])))),
        );
    }
    let title = match &rs.report {
        Some(_) => format!(" Finished — {} view the report ", key(state, "report")),
        None => " Finished ".to_string(),
    };
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border)
        .title(Line::styled(title, theme.title));
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(block),
        area,
    );
}

#[cfg(test)]
mod tests {
    use super::clock;

    #[test]
    fn clocks() {
        assert_eq!(clock(7), "0:07");
        assert_eq!(clock(725), "12:05");
        assert_eq!(clock(3723), "1:02:03");
        assert_eq!(clock(-5), "0:00");
    }
}
