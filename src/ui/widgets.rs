//! Shared drawing pieces: the data table (columns dropped by priority to fit the width,
//! only the visible window of rows built), severity styling that also works without
//! colour (symbols), text gauges, and the source-status line panes put in their titles.

use jiff::Timestamp;
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Row, Table};

use crate::app::SourceState;
use crate::model::duration::human_duration;
use crate::model::pods::Severity;
use crate::theme::Theme;

/// A table column: header, width, and priority (lower stays longer when space is short).
pub struct Column {
    pub header: &'static str,
    pub width: u16,
    pub priority: u8,
    /// How many extra cells this column may take when there is room (long names, reasons).
    pub grow: u16,
}

pub const fn col(header: &'static str, width: u16, priority: u8) -> Column {
    Column {
        header,
        width,
        priority,
        grow: 0,
    }
}

/// A column that takes up to `grow` spare cells.
pub const fn wide(header: &'static str, width: u16, priority: u8, grow: u16) -> Column {
    Column {
        header,
        width,
        priority,
        grow,
    }
}

/// Which columns fit in `width` (1 cell between columns); the rest are dropped, lowest
/// priority first. The last kept column absorbs spare width.
pub fn fit(columns: &[Column], width: u16) -> Vec<usize> {
    let mut keep: Vec<usize> = (0..columns.len()).collect();
    // Columns plus one space between neighbours.
    let total = |k: &[usize]| {
        k.iter().map(|&i| columns[i].width).sum::<u16>() + k.len().saturating_sub(1) as u16
    };
    while total(&keep) > width && keep.len() > 1 {
        let worst = keep
            .iter()
            .enumerate()
            .max_by_key(|(_, i)| columns[**i].priority)
            .map(|(pos, _)| pos);
        match worst {
            Some(pos) => {
                keep.remove(pos);
            }
            None => break,
        }
    }
    keep
}

/// Widths of the kept columns: their base widths, with spare cells handed to growable
/// columns (most important first) up to what each may take.
pub fn widths(columns: &[Column], keep: &[usize], width: u16) -> Vec<u16> {
    let mut out: Vec<u16> = keep.iter().map(|&i| columns[i].width).collect();
    let used = out.iter().sum::<u16>() + keep.len().saturating_sub(1) as u16;
    let mut spare = width.saturating_sub(used);
    let mut order: Vec<usize> = (0..keep.len()).collect();
    order.sort_by_key(|&n| columns[keep[n]].priority);
    for n in order {
        let add = columns[keep[n]].grow.min(spare);
        out[n] += add;
        spare -= add;
    }
    out
}

pub fn severity_style(theme: &Theme, s: Severity) -> Style {
    match s {
        Severity::Critical => theme.critical,
        Severity::Warning => theme.warning,
        Severity::Info => theme.info,
        Severity::Ok => theme.ok,
    }
}

/// A marker that shows severity without colour (mono themes).
pub fn severity_symbol(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "✗ ",
        Severity::Warning => "! ",
        Severity::Info => "· ",
        Severity::Ok => "  ",
    }
}

/// Draws a bordered table of `rows` (already the visible window) with `selected` as the
/// highlighted index within them.
pub fn table(
    frame: &mut Frame,
    area: Rect,
    theme: &Theme,
    title: Line<'_>,
    columns: &[Column],
    rows: Vec<(Vec<String>, Style)>,
    selected: Option<usize>,
) {
    let keep = fit(columns, area.width.saturating_sub(2));
    let widths: Vec<Constraint> = widths(columns, &keep, area.width.saturating_sub(2))
        .into_iter()
        .map(Constraint::Length)
        .collect();
    let header =
        Row::new(keep.iter().map(|&i| Cell::from(columns[i].header))).style(theme.table_header);
    let body: Vec<Row> = rows
        .into_iter()
        .enumerate()
        .map(|(n, (cells, style))| {
            // The selection is drawn over the row's own style, so severity stays visible.
            let style = if Some(n) == selected {
                style.patch(theme.selected)
            } else {
                style
            };
            Row::new(
                keep.iter()
                    .map(|&i| Cell::from(cells.get(i).cloned().unwrap_or_default())),
            )
            .style(style)
        })
        .collect();
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border)
        .title(title);
    frame.render_widget(
        Table::new(body, widths)
            .header(header)
            .block(block)
            .column_spacing(1),
        area,
    );
}

/// The part of a pane title that tells how fresh its data is.
pub fn source_badge(theme: &Theme, state: &SourceState, now: Timestamp) -> Vec<Span<'static>> {
    match state {
        SourceState::Live => Vec::new(),
        SourceState::Connecting => vec![Span::styled(" connecting… ", theme.dim)],
        SourceState::Failing {
            reason,
            attempt,
            retry_in_secs,
            since,
        } => vec![Span::styled(
            format!(
                " STALE {}: {reason} — reconnecting (attempt {attempt}, next in {retry_in_secs} s) ",
                human_duration(now.duration_since(*since))
            ),
            theme.stale,
        )],
        SourceState::Forbidden(why) => vec![Span::styled(format!(" {why} "), theme.error)],
        SourceState::Unavailable(why) => vec![Span::styled(format!(" n/a: {why} "), theme.dim)],
    }
}

/// Text as a terminal shows it: tabs expanded to the next multiple of 8, other control
/// characters dropped (ratatui would silently swallow them).
pub fn printable(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\t' => {
                let pad = 8 - out.chars().count() % 8;
                out.extend(std::iter::repeat_n(' ', pad));
            }
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Badges for the sources a pane draws from; a live source adds nothing.
pub fn source_badges(
    theme: &Theme,
    state: &crate::app::AppState,
    ids: &[crate::app::SourceId],
) -> Vec<Span<'static>> {
    ids.iter()
        .flat_map(|id| source_badge(theme, &state.source(*id), state.now))
        .collect()
}

/// `▕███░░░░░▏ 47%` in `width` cells.
pub fn gauge(percent: Option<u8>, width: usize) -> String {
    let Some(p) = percent else {
        return format!("{:width$}", "n/a", width = width);
    };
    let bar = width.saturating_sub(5).max(1);
    let filled = (usize::from(p.min(100)) * bar).div_ceil(100);
    format!(
        "{}{} {:>3}%",
        "█".repeat(filled),
        "░".repeat(bar - filled.min(bar)),
        p
    )
}

pub fn bytes_column(b: u64) -> String {
    const MI: u64 = 1024 * 1024;
    if b >= 10 * 1024 * MI {
        format!("{}Gi", b / (1024 * MI))
    } else {
        format!("{}Mi", b / MI)
    }
}

/// What a platform pane can show of its feed: the data (if any ever arrived) and, when
/// the source is not live, a notice saying why (stale with age and error, not
/// configured with how to configure it, forbidden, still connecting).
pub struct FeedStatus<'a, T> {
    pub data: Option<&'a T>,
    pub notice: Option<Line<'static>>,
}

pub fn feed_status<'a, T>(
    theme: &Theme,
    state: &crate::app::AppState,
    id: crate::app::SourceId,
    feed: &'a crate::app::platform::Feed<T>,
) -> FeedStatus<'a, T> {
    let source = state.source(id);
    let data = feed.data.as_ref();
    let notice = match &source {
        SourceState::Live => None,
        SourceState::Connecting if data.is_none() => Some(Line::styled("loading…", theme.dim)),
        SourceState::Connecting => None,
        SourceState::Failing { reason, since, .. } => Some(if data.is_some() {
            Line::from(vec![
                Span::styled(
                    format!(
                        "STALE {} ",
                        human_duration(state.now.duration_since(*since))
                    ),
                    theme.stale.patch(theme.warning),
                ),
                Span::styled(format!("— {}", printable(reason)), theme.stale),
            ])
        } else {
            Line::styled(
                format!("could not load: {}", printable(reason)),
                theme.error,
            )
        }),
        SourceState::Forbidden(why) => Some(Line::styled(printable(why), theme.error)),
        SourceState::Unavailable(why) => Some(Line::styled(
            format!("not available: {}", printable(why)),
            theme.dim,
        )),
    };
    // Unavailable means "not configured / not served": old data would mislead.
    let data = if matches!(source, SourceState::Unavailable(_)) {
        None
    } else {
        data
    };
    FeedStatus { data, notice }
}

/// A bordered block with `title` and the notice (wrapped) as its only content.
pub fn message_pane(frame: &mut Frame, area: Rect, theme: &Theme, title: Line<'_>, body: Line<'_>) {
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border)
        .title(title);
    frame.render_widget(
        ratatui::widgets::Paragraph::new(body)
            .wrap(ratatui::widgets::Wrap { trim: true })
            .block(block),
        area,
    );
}

/// How many rows a wrapped notice needs at `width` (at most `max`).
pub fn notice_height(line: &Line<'_>, width: u16, max: u16) -> u16 {
    let len = line.width() as u16;
    len.div_ceil(width.max(1)).clamp(1, max)
}

/// Draws `notice` wrapped in `area` (no border).
pub fn notice(frame: &mut Frame, area: Rect, line: Line<'_>) {
    frame.render_widget(
        ratatui::widgets::Paragraph::new(line).wrap(ratatui::widgets::Wrap { trim: true }),
        area,
    );
}

/// Draws a pane's notice (stale data, a failing source; up to 3 wrapped rows) at the
/// top of `area` and returns the rest for the pane's tables.
pub fn above_notice(frame: &mut Frame, area: Rect, notice_line: Option<Line<'_>>) -> Rect {
    let Some(line) = notice_line else {
        return area;
    };
    let h = notice_height(&line, area.width, 3);
    let [top, rest] = area.layout(&ratatui::layout::Layout::vertical([
        Constraint::Length(h),
        Constraint::Min(3),
    ]));
    notice(frame, top, line);
    rest
}

/// The ` /text ` part of a list's title while a filter is active.
pub fn filter_span(theme: &Theme, filter: &crate::app::list::Filter) -> Option<Span<'static>> {
    (!filter.is_empty()).then(|| Span::styled(format!(" /{} ", filter.describe()), theme.filter))
}

/// "12m ago"-style age of `t`, or `-`.
pub fn ago(t: Option<Timestamp>, now: Timestamp) -> String {
    t.map_or_else(|| "-".into(), |t| human_duration(now.duration_since(t)))
}

/// Text cut to `max` characters with an ellipsis.
pub fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        let mut s: String = text.chars().take(max.saturating_sub(1)).collect();
        s.push('…');
        s
    }
}

/// A percentage gauge for an f64 percent (NaN/∞ or missing → n/a).
pub fn gauge_f(percent: Option<f64>, width: usize) -> String {
    gauge(
        percent
            .filter(|p| p.is_finite())
            .map(|p| p.round().clamp(0.0, 100.0) as u8),
        width,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_drop_by_priority_to_fit() {
        let cols = [
            col("NAME", 30, 0),
            col("STATUS", 16, 0),
            col("NODE", 16, 3),
            col("AGE", 6, 1),
        ];
        assert_eq!(fit(&cols, 200), vec![0, 1, 2, 3]);
        assert_eq!(fit(&cols, 56), vec![0, 1, 3]);
        assert_eq!(
            fit(&cols, 71),
            vec![0, 1, 2, 3],
            "exactly fits: 68 + 3 spaces"
        );
        let wide_cols = [wide("NAME", 10, 0, 20), col("AGE", 4, 1)];
        assert_eq!(widths(&wide_cols, &[0, 1], 40), vec![30, 4]);
        assert_eq!(widths(&wide_cols, &[0, 1], 20), vec![15, 4]);
        assert_eq!(fit(&cols, 10), vec![0]);
    }

    #[test]
    fn gauges_have_fixed_width() {
        assert_eq!(gauge(Some(50), 17).chars().count(), 17);
        assert_eq!(gauge(Some(100), 17).chars().count(), 17);
        assert_eq!(gauge(None, 5), "n/a  ");
    }
}
