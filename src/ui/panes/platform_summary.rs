//! The overview's platform block: MinIO (fill gauge, forecast, drives offline), Trino
//! (running/queued/blocked, workers), Kafka (worst group's lag and ETA), Velero (worst
//! RPO) and alerts (firing by severity, the top alert). One line per feed on a small
//! terminal; a box per feed with more detail on a large one. A feed that is not live
//! says so on its line (stale with age, error, not configured).

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use crate::app::platform::Feed;
use crate::app::{AppState, SourceId, SourceState};
use crate::model::duration::human_duration;
use crate::model::kafka::{DrainEta, KafkaLagRow};
use crate::model::number::{bytes, count};
use crate::model::velero::RpoStatus;
use crate::theme::Theme;
use crate::ui::widgets::{ago, gauge_f, printable, truncate};

use super::minio::FILL_WARN_DAYS;

/// Boxes need room for five 30-cell columns and the attention list below them.
pub fn use_boxes(area: Rect) -> bool {
    area.width >= 150 && area.height >= 36
}

/// The data to draw, or a one-line reason there is none; plus a stale marker.
enum Shown<'a, T> {
    Data(&'a T, Option<Span<'static>>),
    Missing(Span<'static>),
}

fn shown<'a, T>(theme: &Theme, state: &AppState, id: SourceId, feed: &'a Feed<T>) -> Shown<'a, T> {
    let source = state.source(id);
    match (&source, feed.data.as_ref()) {
        (SourceState::Unavailable(why), _) => {
            Shown::Missing(Span::styled(format!("n/a: {}", printable(why)), theme.dim))
        }
        (SourceState::Forbidden(why), None) => {
            Shown::Missing(Span::styled(printable(why), theme.error))
        }
        (SourceState::Failing { reason, .. }, None) => Shown::Missing(Span::styled(
            format!("error: {}", printable(reason)),
            theme.error,
        )),
        (_, None) => Shown::Missing(Span::styled("loading…", theme.dim)),
        (SourceState::Failing { since, .. }, Some(d)) => Shown::Data(
            d,
            Some(Span::styled(
                format!(
                    " STALE {}",
                    human_duration(state.now.duration_since(*since))
                ),
                theme.stale.patch(theme.warning),
            )),
        ),
        (_, Some(d)) => Shown::Data(d, None),
    }
}

fn warn(theme: &Theme, bad: bool, text: String) -> Span<'static> {
    if bad {
        Span::styled(text, theme.warning)
    } else {
        Span::raw(text)
    }
}

fn crit(theme: &Theme, bad: bool, text: String) -> Span<'static> {
    if bad {
        Span::styled(text, theme.critical)
    } else {
        Span::raw(text)
    }
}

fn worst_lag(rows: &[KafkaLagRow]) -> Option<&KafkaLagRow> {
    // The feed is stored worst first.
    rows.first()
}

/// A feed's summary: `head` segments make the compact one-liner (joined by " · ") and
/// the first lines of a box (one segment each); `more` adds detail in boxes.
struct Summary {
    head: Vec<Vec<Span<'static>>>,
    more: Vec<Line<'static>>,
}

impl Summary {
    fn missing(s: Span<'static>) -> Summary {
        Summary {
            head: vec![vec![s]],
            more: Vec::new(),
        }
    }

    fn one_line(self) -> Line<'static> {
        let mut spans = Vec::new();
        for (i, seg) in self.head.into_iter().enumerate() {
            if i > 0 {
                spans.push(Span::raw(" · "));
            }
            spans.extend(seg);
        }
        Line::from(spans)
    }

    fn box_lines(self) -> Vec<Line<'static>> {
        let mut out: Vec<Line> = self.head.into_iter().map(Line::from).collect();
        out.extend(self.more);
        out
    }
}

/// Appends the stale marker to the last head segment.
fn with_stale(
    mut head: Vec<Vec<Span<'static>>>,
    stale: Option<Span<'static>>,
) -> Vec<Vec<Span<'static>>> {
    if let (Some(s), Some(last)) = (stale, head.last_mut()) {
        last.push(s);
    }
    head
}

fn minio_lines(state: &AppState, theme: &Theme, gauge_width: usize) -> Summary {
    match shown(theme, state, SourceId::Minio, &state.platform.minio) {
        Shown::Missing(s) => Summary::missing(s),
        Shown::Data(m, stale) => {
            let urgent = m.forecast.is_urgent(FILL_WARN_DAYS);
            let offline = m.drives_offline.unwrap_or(0.0);
            let drives = if offline > 0.0 || offline.is_nan() {
                crit(
                    theme,
                    true,
                    format!(
                        "{} drive{} OFFLINE",
                        count(Some(offline)),
                        if offline == 1.0 { "" } else { "s" }
                    ),
                )
            } else {
                Span::raw(format!("{} drives online", count(m.drives_online)))
            };
            let head = vec![
                vec![Span::styled(
                    gauge_f(m.used_percent(), gauge_width),
                    theme.gauge,
                )],
                vec![crit(theme, urgent, m.forecast.label())],
                vec![drives],
            ];
            Summary {
                head: with_stale(head, stale),
                more: vec![
                    Line::raw(format!(
                        "{} used of {}",
                        bytes(m.usable_used()),
                        bytes(m.usable_total)
                    )),
                    Line::raw(format!(
                        "nodes {} up {} down · healing {}",
                        count(m.nodes_online),
                        count(m.nodes_offline),
                        count(m.healing_drives)
                    )),
                ],
            }
        }
    }
}

fn trino_lines(state: &AppState, theme: &Theme) -> Summary {
    match shown(theme, state, SourceId::Trino, &state.platform.trino) {
        Shown::Missing(s) => Summary::missing(s),
        Shown::Data(t, stale) => {
            let n = |v: Option<u64>| v.map_or_else(|| "n/a".into(), |v| v.to_string());
            let head = vec![
                vec![
                    Span::raw(format!("{} running · ", n(t.running))),
                    warn(
                        theme,
                        t.queued.unwrap_or(0) > 0,
                        format!("{} queued", n(t.queued)),
                    ),
                ],
                vec![
                    warn(
                        theme,
                        t.blocked.unwrap_or(0) > 0,
                        format!("{} blocked", n(t.blocked)),
                    ),
                    Span::raw(match t.workers() {
                        Some(1.0) => " · 1 worker".to_string(),
                        w => format!(" · {} workers", count(w)),
                    }),
                ],
            ];
            let mut more = Vec::new();
            if let Some(i) = &t.info {
                more.push(Line::raw(format!(
                    "{} {} {}",
                    i.version,
                    i.environment,
                    i.state.as_deref().unwrap_or("")
                )));
            }
            if let Some(q) = t.queries.iter().find(|q| q.is_queued()) {
                more.push(Line::raw(format!(
                    "longest queued {} ({})",
                    crate::model::number::secs(q.queued_secs),
                    q.user
                )));
            }
            Summary {
                head: with_stale(head, stale),
                more,
            }
        }
    }
}

fn kafka_lines(state: &AppState, theme: &Theme) -> Summary {
    match shown(theme, state, SourceId::Kafka, &state.platform.kafka) {
        Shown::Missing(s) => Summary::missing(s),
        Shown::Data(rows, stale) => {
            let Some(w) = worst_lag(rows) else {
                return Summary {
                    head: with_stale(vec![vec![Span::raw("no consumer groups")]], stale),
                    more: Vec::new(),
                };
            };
            let eta = |r: &KafkaLagRow| {
                let bad = matches!(r.eta, DrainEta::NotDraining) && r.lag.is_some_and(|l| l > 0.0);
                crit(theme, bad, r.eta.label())
            };
            let head = vec![
                vec![Span::raw(format!("{}/{}", w.group, w.topic))],
                vec![Span::raw(format!("lag {} · ", count(w.lag))), eta(w)],
            ];
            let more = rows
                .iter()
                .skip(1)
                .take(2)
                .map(|r| {
                    Line::from(vec![
                        Span::raw(format!("{} {} · ", r.group, count(r.lag))),
                        eta(r),
                    ])
                })
                .collect();
            Summary {
                head: with_stale(head, stale),
                more,
            }
        }
    }
}

fn velero_lines(state: &AppState, theme: &Theme) -> Summary {
    match shown(theme, state, SourceId::Velero, &state.platform.velero) {
        Shown::Missing(s) => Summary::missing(s),
        Shown::Data(v, stale) => {
            let rpo = |s: &crate::model::velero::ScheduleRow| {
                let bad = matches!(s.rpo, RpoStatus::Missed | RpoStatus::NeverSucceeded);
                let late = matches!(s.rpo, RpoStatus::Late);
                vec![
                    Span::raw(format!("{} ", s.name)),
                    if bad {
                        crit(theme, true, s.rpo.label().to_string())
                    } else {
                        warn(theme, late, s.rpo.label().to_string())
                    },
                ]
            };
            let Some(w) = v.worst_schedule() else {
                return Summary {
                    head: with_stale(vec![vec![Span::raw("no schedules")]], stale),
                    more: Vec::new(),
                };
            };
            let head = vec![
                rpo(w),
                vec![Span::raw(format!(
                    "last ok {}",
                    ago(w.last_success, state.now)
                ))],
            ];
            let mut out: Vec<Line> = v
                .schedules
                .iter()
                .filter(|s| s.name != w.name)
                .take(1)
                .map(|s| Line::from(rpo(s)))
                .collect();
            let unavailable = v
                .locations
                .iter()
                .filter(|l| l.phase != "Available")
                .count();
            out.push(Line::from(crit(
                theme,
                unavailable > 0,
                format!(
                    "{} location{}, {unavailable} unavailable",
                    v.locations.len(),
                    if v.locations.len() == 1 { "" } else { "s" }
                ),
            )));
            Summary {
                head: with_stale(head, stale),
                more: out,
            }
        }
    }
}

fn alerts_lines(state: &AppState, theme: &Theme) -> Summary {
    match shown(theme, state, SourceId::Alerts, &state.platform.alerts) {
        Shown::Missing(s) => Summary::missing(s),
        Shown::Data(a, stale) => {
            let [c, w, i, o] = a.firing_by_severity();
            let mut head = vec![vec![
                crit(theme, c > 0, format!("{c} critical")),
                Span::raw(" "),
                warn(theme, w > 0, format!("{w} warning")),
                Span::raw(format!(" {} info", i + o)),
            ]];
            let firing: Vec<_> = state
                .platform
                .alert_groups
                .iter()
                .filter(|g| g.firing() > 0)
                .collect();
            match firing.first() {
                Some(top) => head.push(vec![Span::raw(top.name.clone())]),
                None => head.push(vec![Span::styled("nothing firing", theme.dim)]),
            }
            let more = firing
                .iter()
                .skip(1)
                .take(3)
                .map(|g| Line::raw(g.name.clone()))
                .collect();
            Summary {
                head: with_stale(head, stale),
                more,
            }
        }
    }
}

pub fn draw(state: &AppState, theme: &Theme, frame: &mut Frame, area: Rect, boxes: bool) {
    if boxes {
        draw_boxes(state, theme, frame, area);
        return;
    }
    let inner_width = area.width.saturating_sub(2) as usize;
    let label = |name: &str| Span::styled(format!(" {name:<7}"), theme.table_header);
    let fit = |mut line: Line<'static>| {
        // One line each: cut what does not fit rather than wrap into the next feed.
        let mut left = inner_width.saturating_sub(8);
        let mut spans = Vec::new();
        for s in line.spans.drain(..) {
            if left == 0 {
                break;
            }
            let w = s.content.chars().count();
            if w <= left {
                left -= w;
                spans.push(s);
            } else {
                spans.push(Span::styled(truncate(&s.content, left), s.style));
                left = 0;
            }
        }
        spans
    };
    let rows = [
        ("MinIO", minio_lines(state, theme, 16).one_line()),
        ("Trino", trino_lines(state, theme).one_line()),
        ("Kafka", kafka_lines(state, theme).one_line()),
        ("Velero", velero_lines(state, theme).one_line()),
        ("Alerts", alerts_lines(state, theme).one_line()),
    ];
    let lines: Vec<Line> = rows
        .into_iter()
        .map(|(name, line)| {
            let mut spans = vec![label(name)];
            spans.extend(fit(line));
            Line::from(spans)
        })
        .collect();
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border)
        .title(Line::styled(" Platform ", theme.title));
    frame.render_widget(Paragraph::new(lines).block(block), area);
}

fn draw_boxes(state: &AppState, theme: &Theme, frame: &mut Frame, area: Rect) {
    let cells = area.layout::<5>(&Layout::horizontal([Constraint::Ratio(1, 5); 5]));
    let gauge_width = (cells[0].width as usize).saturating_sub(2).clamp(8, 24);
    let feeds = [
        (
            " MinIO ",
            minio_lines(state, theme, gauge_width).box_lines(),
        ),
        (" Trino ", trino_lines(state, theme).box_lines()),
        (" Kafka lag ", kafka_lines(state, theme).box_lines()),
        (" Velero ", velero_lines(state, theme).box_lines()),
        (" Alerts ", alerts_lines(state, theme).box_lines()),
    ];
    for (cell, (title, lines)) in cells.into_iter().zip(feeds) {
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(theme.border)
            .title(Line::styled(title, theme.title));
        frame.render_widget(
            Paragraph::new(lines)
                .wrap(ratatui::widgets::Wrap { trim: true })
                .block(block),
            cell,
        );
    }
}
