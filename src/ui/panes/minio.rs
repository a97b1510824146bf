//! The MinIO view: usable capacity as a text gauge with the fill forecast, raw
//! capacity, nodes and drives online/offline, healing drives, the S3 5xx rate, and the
//! buckets by size. Offline drives, healing and an urgent forecast are marked with
//! words and symbols, not colour alone.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use crate::app::{AppState, SourceId};
use crate::model::minio::MinioSummary;
use crate::model::number::{bytes, count, rate};
use crate::theme::Theme;
use crate::ui::widgets::{self, Column, col, feed_status, gauge_f, wide};

const COLUMNS: &[Column] = &[
    wide("BUCKET", 20, 0, 12),
    col("USED", 9, 0),
    col("OBJECTS", 9, 1),
    col("SHARE", 16, 2),
];

/// Warn when MinIO fills within this many days.
pub const FILL_WARN_DAYS: f64 = 14.0;

pub fn draw(state: &AppState, theme: &Theme, frame: &mut Frame, area: Rect) {
    let status = feed_status(theme, state, SourceId::Minio, &state.platform.minio);
    let title = Line::styled(" MinIO ", theme.title);
    let Some(m) = status.data else {
        let body = status
            .notice
            .unwrap_or_else(|| Line::styled("no data", theme.dim));
        widgets::message_pane(frame, area, theme, title, body);
        return;
    };
    let area = widgets::above_notice(frame, area, status.notice);
    let lines = summary_lines(m, theme, area.width);
    let [top, table] = area.layout(&Layout::vertical([
        Constraint::Length(lines.len() as u16 + 2),
        Constraint::Min(3),
    ]));
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border)
        .title(title);
    frame.render_widget(Paragraph::new(lines).block(block), top);
    draw_buckets(state, m, theme, frame, table);
}

fn summary_lines(m: &MinioSummary, theme: &Theme, width: u16) -> Vec<Line<'static>> {
    let gauge_width = (width as usize).saturating_sub(50).clamp(12, 40);
    let urgent = m.forecast.is_urgent(FILL_WARN_DAYS);
    let forecast_style = if urgent { theme.critical } else { theme.ok };
    let mark = if urgent && theme.symbols { "✗ " } else { "" };
    let usable = Line::from(vec![
        Span::raw("Usable "),
        Span::styled(gauge_f(m.used_percent(), gauge_width), theme.gauge),
        Span::raw(format!(
            "  {} used of {}, {} free",
            bytes(m.usable_used()),
            bytes(m.usable_total),
            bytes(m.usable_free)
        )),
    ]);
    let fill = Line::from(vec![
        Span::raw("Fill   "),
        Span::styled(format!("{mark}{}", m.forecast.label()), forecast_style),
    ]);
    let mut out = if width >= 120 {
        let mut l = usable;
        l.spans.push(Span::raw("   "));
        l.spans.extend(fill.spans.into_iter().skip(1));
        vec![l]
    } else {
        vec![usable, fill]
    };
    let raw = format!(
        "Raw    {} total, {} free",
        bytes(m.raw_total),
        bytes(m.raw_free)
    );
    let nodes = Line::from(vec![
        Span::raw(format!("Nodes  {} online, ", count(m.nodes_online))),
        offline(theme, m.nodes_offline, "offline"),
    ]);
    let mut drives = vec![
        Span::raw(format!("Drives {} online, ", count(m.drives_online))),
        offline(theme, m.drives_offline, "offline"),
        Span::raw(", "),
        offline(theme, m.healing_drives, "healing"),
    ];
    let s3 = m.s3_5xx_rate;
    let s3_bad = s3.is_some_and(|r| r.is_nan() || r > 0.0);
    let s3_span = Span::styled(
        format!("S3 5xx {}/s", rate(s3)),
        if s3_bad { theme.warning } else { theme.ok },
    );
    if width >= 120 {
        let mut first = vec![Span::raw(format!("{raw}   "))];
        first.extend(nodes.spans);
        out.push(Line::from(first));
        drives.push(Span::raw("   "));
        drives.push(s3_span);
        out.push(Line::from(drives));
    } else {
        out.push(Line::raw(raw));
        out.push(nodes);
        drives.push(Span::raw("  "));
        drives.push(s3_span);
        out.push(Line::from(drives));
    }
    out
}

/// "1 OFFLINE" stands out (upper case and critical style); "0 offline" does not.
fn offline(theme: &Theme, v: Option<f64>, word: &str) -> Span<'static> {
    match v {
        Some(n) if n > 0.0 || n.is_nan() => Span::styled(
            format!("{} {}", count(Some(n)), word.to_uppercase()),
            theme.critical,
        ),
        other => Span::raw(format!("{} {word}", count(other))),
    }
}

fn draw_buckets(state: &AppState, m: &MinioSummary, theme: &Theme, frame: &mut Frame, area: Rect) {
    let list = &state.platform.buckets;
    let height = area.height.saturating_sub(3) as usize;
    let offset = list.scroll_for(height);
    let share_width = 16usize;
    let rows = list
        .window(offset, height)
        .map(|b| {
            let share = m.bucket_share(&b.row);
            let bar = widgets::gauge_f(share, share_width);
            (
                vec![
                    b.row.name.clone(),
                    bytes(b.row.bytes),
                    count(b.row.objects),
                    bar,
                ],
                ratatui::style::Style::default(),
            )
        })
        .collect();
    let mut title = vec![Span::styled(
        format!(" Buckets ({}) ", list.visible_len()),
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
