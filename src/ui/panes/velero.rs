//! The Velero view: schedules with cron, paused, last backup, age of the last
//! successful backup and RPO status (ok / late / MISSED); backup storage locations
//! (Available/Unavailable, last validation); restores; and recent backups (the
//! selectable list) with phase, progress, errors/warnings, start, duration, expiry and
//! location. Tab moves the cursor between the schedules (`b` backs one up now) and
//! the backups (`R` restores one). When the Velero CRDs are not served the view says so
//! instead.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};

use crate::app::platform::VeleroTable;
use crate::app::{AppState, SourceId};
use crate::model::duration::human_duration;
use crate::model::pods::Severity;
use crate::model::velero::{BackupRow, RpoStatus, VeleroSnapshot};
use crate::theme::Theme;
use crate::ui::widgets::{
    self, Column, ago, col, feed_status, severity_style, severity_symbol, wide,
};

const SCHEDULES: &[Column] = &[
    wide("SCHEDULE", 16, 1, 8),
    wide("CRON", 11, 1, 6),
    col("PAUSED", 6, 3),
    col("LAST BACKUP", 11, 2),
    col("LAST OK", 8, 0),
    col("EVERY", 6, 2),
    wide("RPO", 14, 0, 40),
];

const LOCATIONS: &[Column] = &[
    wide("LOCATION", 14, 1, 4),
    col("PHASE", 11, 0),
    col("DEFAULT", 7, 2),
    col("VALIDATED", 9, 1),
    wide("MESSAGE", 20, 3, 80),
];

const RESTORES: &[Column] = &[
    wide("RESTORE", 20, 1, 10),
    wide("BACKUP", 24, 1, 6),
    col("PHASE", 16, 0),
    col("PROGRESS", 9, 2),
    col("ERR/WARN", 8, 1),
    col("STARTED", 7, 3),
];

const BACKUPS: &[Column] = &[
    wide("BACKUP", 26, 0, 14),
    col("PHASE", 15, 0),
    col("PROGRESS", 9, 3),
    col("ERR/WARN", 8, 1),
    col("STARTED", 7, 2),
    col("DURATION", 8, 4),
    col("EXPIRES", 7, 5),
    col("LOCATION", 10, 6),
];

fn rpo_severity(r: &RpoStatus) -> Severity {
    match r {
        RpoStatus::Missed | RpoStatus::NeverSucceeded => Severity::Critical,
        RpoStatus::Late => Severity::Warning,
        RpoStatus::Paused | RpoStatus::Unknown => Severity::Info,
        RpoStatus::Ok => Severity::Ok,
    }
}

fn backup_severity(b: &BackupRow) -> Severity {
    match b.phase.as_str() {
        "Failed" | "FailedValidation" => Severity::Critical,
        "PartiallyFailed" => Severity::Warning,
        _ if b.errors > 0 => Severity::Warning,
        "Completed" => Severity::Ok,
        _ => Severity::Info,
    }
}

fn progress(done: Option<u64>, total: Option<u64>) -> String {
    match (done, total) {
        (Some(d), Some(t)) => format!("{d}/{t}"),
        (Some(d), None) => d.to_string(),
        _ => "-".into(),
    }
}

fn marked(theme: &Theme, sev: Severity, text: &str) -> String {
    if theme.symbols {
        format!("{}{text}", severity_symbol(sev))
    } else {
        text.to_string()
    }
}

pub fn draw(state: &AppState, theme: &Theme, frame: &mut Frame, area: Rect) {
    let status = feed_status(theme, state, SourceId::Velero, &state.platform.velero);
    let Some(v) = status.data else {
        let body = status
            .notice
            .unwrap_or_else(|| Line::styled("no data", theme.dim));
        widgets::message_pane(
            frame,
            area,
            theme,
            Line::styled(" Velero ", theme.title),
            body,
        );
        return;
    };
    let area = widgets::above_notice(frame, area, status.notice);
    // Small tables get their rows; backups (the selectable list) take the rest.
    let tall = area.height >= 40;
    let cap =
        |n: usize, small: usize, big: usize| n.clamp(1, if tall { big } else { small }) as u16 + 3;
    let mut constraints = vec![
        Constraint::Length(cap(v.schedules.len(), 4, 10)),
        Constraint::Length(cap(v.locations.len(), 2, 5)),
    ];
    let with_restores = !v.restores.is_empty();
    if with_restores {
        constraints.push(Constraint::Length(cap(v.restores.len(), 2, 6)));
    }
    constraints.push(Constraint::Min(4));
    let areas = Layout::vertical(constraints).split(area);
    let now = state.now;
    draw_schedules(state, v, theme, frame, areas[0], now);
    draw_locations(v, theme, frame, areas[1], now);
    if with_restores {
        draw_restores(v, theme, frame, areas[2], now);
    }
    if let Some(rest) = areas.last() {
        draw_backups(state, theme, frame, *rest);
    }
}

fn draw_schedules(
    state: &AppState,
    v: &VeleroSnapshot,
    theme: &Theme,
    frame: &mut Frame,
    area: Rect,
    now: jiff::Timestamp,
) {
    let list = &state.platform.schedules;
    let focused = state.platform.velero_focus == VeleroTable::Schedules;
    let height = area.height.saturating_sub(3) as usize;
    let offset = list.scroll_for(height);
    let rows = list
        .window(offset, height)
        .map(|r| {
            let s = &r.row;
            let sev = rpo_severity(&s.rpo);
            let rpo = match (&s.rpo, &s.interval_error) {
                (RpoStatus::Unknown, Some(e)) => format!("unknown: {e}"),
                (RpoStatus::Late | RpoStatus::Missed, _) => format!(
                    "{} (> {})",
                    s.rpo.label(),
                    human_duration(jiff::SignedDuration::from_secs(
                        s.interval_secs.unwrap_or(0) * 3 / 2
                    ))
                ),
                (r, _) => r.label().to_string(),
            };
            (
                vec![
                    marked(theme, sev, &s.name),
                    s.cron.clone(),
                    if s.paused { "yes" } else { "no" }.into(),
                    ago(s.last_backup, now),
                    ago(s.last_success, now),
                    s.interval_secs.map_or_else(
                        || "?".into(),
                        |i| human_duration(jiff::SignedDuration::from_secs(i)),
                    ),
                    rpo,
                ],
                severity_style(theme, sev),
            )
        })
        .collect();
    let worst = v.worst_schedule().map(|s| &s.rpo);
    let title = Line::from(vec![Span::styled(
        format!(
            " {}Velero schedules ({}){} ",
            if focused { "▶ " } else { "" },
            v.schedules.len(),
            match worst {
                Some(RpoStatus::Missed) => " · RPO MISSED",
                Some(RpoStatus::NeverSucceeded) => " · never succeeded",
                Some(RpoStatus::Late) => " · RPO late",
                _ => "",
            }
        ),
        theme.title,
    )]);
    let selected = focused.then(|| list.selected.checked_sub(offset)).flatten();
    widgets::table(frame, area, theme, title, SCHEDULES, rows, selected);
}

fn draw_locations(
    v: &VeleroSnapshot,
    theme: &Theme,
    frame: &mut Frame,
    area: Rect,
    now: jiff::Timestamp,
) {
    let rows = v
        .locations
        .iter()
        .map(|l| {
            let sev = if l.phase == "Available" {
                Severity::Ok
            } else {
                Severity::Critical
            };
            (
                vec![
                    marked(theme, sev, &l.name),
                    l.phase.clone(),
                    if l.default { "yes" } else { "" }.into(),
                    ago(l.last_validated, now),
                    l.message.clone().unwrap_or_default(),
                ],
                severity_style(theme, sev),
            )
        })
        .collect();
    let title = Line::styled(
        format!(" Backup storage locations ({}) ", v.locations.len()),
        theme.title,
    );
    widgets::table(frame, area, theme, title, LOCATIONS, rows, None);
}

fn draw_restores(
    v: &VeleroSnapshot,
    theme: &Theme,
    frame: &mut Frame,
    area: Rect,
    now: jiff::Timestamp,
) {
    let rows = v
        .restores
        .iter()
        .map(|r| {
            let sev = match r.phase.as_str() {
                "Failed" | "FailedValidation" => Severity::Critical,
                "PartiallyFailed" => Severity::Warning,
                "Completed" => Severity::Ok,
                _ => Severity::Info,
            };
            (
                vec![
                    marked(theme, sev, &r.name),
                    r.backup.clone(),
                    r.phase.clone(),
                    progress(r.items_done, r.items_total),
                    format!("{}/{}", r.errors, r.warnings),
                    ago(r.started, now),
                ],
                severity_style(theme, sev),
            )
        })
        .collect();
    let title = Line::styled(format!(" Restores ({}) ", v.restores.len()), theme.title);
    widgets::table(frame, area, theme, title, RESTORES, rows, None);
}

fn draw_backups(state: &AppState, theme: &Theme, frame: &mut Frame, area: Rect) {
    let list = &state.platform.backups;
    let now = state.now;
    let height = area.height.saturating_sub(3) as usize;
    let offset = list.scroll_for(height);
    let rows: Vec<(Vec<String>, Style)> = list
        .window(offset, height)
        .map(|b| {
            let b = &b.row;
            let sev = backup_severity(b);
            let expires = match b.expires {
                Some(t) if t > now => format!("in {}", human_duration(t.duration_since(now))),
                Some(_) => "expired".into(),
                None => "-".into(),
            };
            (
                vec![
                    marked(theme, sev, &b.name),
                    b.phase.clone(),
                    progress(b.items_done, b.items_total),
                    format!("{}/{}", b.errors, b.warnings),
                    ago(b.started, now),
                    b.duration(now).map_or_else(|| "-".into(), human_duration),
                    expires,
                    b.location.clone().unwrap_or_else(|| "-".into()),
                ],
                severity_style(theme, sev),
            )
        })
        .collect();
    let focused = state.platform.velero_focus == VeleroTable::Backups;
    let mut title = vec![Span::styled(
        format!(
            " {}Backups ({}) ",
            if focused { "▶ " } else { "" },
            list.visible_len()
        ),
        theme.title,
    )];
    title.extend(widgets::filter_span(theme, &list.filter));
    let selected = focused.then(|| list.selected.checked_sub(offset)).flatten();
    widgets::table(
        frame,
        area,
        theme,
        Line::from(title),
        BACKUPS,
        rows,
        selected,
    );
}
