//! The Kafka view: per consumer group and topic the total lag, worst partition,
//! partitions with no committed offset (shown as a count, never summed into the lag),
//! members, consume/produce rates, drain ETA ("12m", "not draining", "drained") and a
//! block sparkline of the last hour's lag. Worst first.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use crate::app::{AppState, SourceId};
use crate::model::kafka::{DrainEta, KafkaLagRow, sparkline};
use crate::model::number::{count, rate};
use crate::model::pods::Severity;
use crate::theme::Theme;
use crate::ui::widgets::{self, Column, col, feed_status, severity_style, severity_symbol, wide};

/// Columns with a sparkline of `spark` cells (wider on wide terminals).
fn columns(spark: u16) -> [Column; 10] {
    [
        wide("GROUP", 16, 0, 16),
        wide("TOPIC", 12, 0, 16),
        col("LAG", 7, 0),
        col("MAX PART", 8, 3),
        col("UNCOMMITTED", 11, 1),
        col("MEMBERS", 7, 4),
        col("CONSUME/s", 9, 3),
        col("PRODUCE/s", 9, 3),
        col("ETA", 12, 0),
        col("LAST HOUR", spark, 2),
    ]
}

pub fn severity(r: &KafkaLagRow) -> Severity {
    let lag = r.lag.is_some_and(|l| l > 0.0 || l.is_nan());
    match r.eta {
        DrainEta::NotDraining if lag => Severity::Critical,
        DrainEta::Eta { secs } if secs > 3600.0 => Severity::Warning,
        DrainEta::Unknown if lag => Severity::Info,
        _ if r.uncommitted_partitions > 0 => Severity::Info,
        _ => Severity::Ok,
    }
}

pub fn draw(state: &AppState, theme: &Theme, frame: &mut Frame, area: Rect) {
    let status = feed_status(theme, state, SourceId::Kafka, &state.platform.kafka);
    let list = &state.platform.lags;
    let mut title = vec![Span::styled(
        format!(" Kafka consumer lag ({}) ", list.visible_len()),
        theme.title,
    )];
    if status.data.is_none() {
        let body = status
            .notice
            .unwrap_or_else(|| Line::styled("no data", theme.dim));
        widgets::message_pane(frame, area, theme, Line::from(title), body);
        return;
    }
    let area = widgets::above_notice(frame, area, status.notice);
    let spark: u16 = if area.width >= 140 { 30 } else { 12 };
    let height = area.height.saturating_sub(3) as usize;
    let offset = list.scroll_for(height);
    let rows = list
        .window(offset, height)
        .map(|r| {
            let r = &r.row;
            let sev = severity(r);
            let mark = if theme.symbols {
                severity_symbol(sev)
            } else {
                ""
            };
            let uncommitted = match r.uncommitted_partitions {
                0 => "-".to_string(),
                1 => "1 part".to_string(),
                n => format!("{n} parts"),
            };
            (
                vec![
                    format!("{mark}{}", r.group),
                    r.topic.clone(),
                    count(r.lag),
                    count(r.max_partition_lag),
                    uncommitted,
                    count(r.members),
                    rate(r.consume_rate),
                    rate(r.produce_rate),
                    r.eta.label(),
                    sparkline(&r.history, spark as usize),
                ],
                severity_style(theme, sev),
            )
        })
        .collect();
    title.extend(widgets::filter_span(theme, &list.filter));
    let selected = list.selected.checked_sub(offset);
    widgets::table(
        frame,
        area,
        theme,
        Line::from(title),
        &columns(spark),
        rows,
        selected,
    );
}
