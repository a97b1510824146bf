//! The logs view: the tail of a bounded buffer, following unless paused or scrolled
//! back, optional wrapping (the newest line stays at the bottom), and `/` search highlighting; the title says which container,
//! whether it is the previous instance, and why the stream ended if it did.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use crate::app::LogView;
use crate::theme::Theme;
use crate::ui::widgets::printable;

pub fn draw(theme: &Theme, frame: &mut Frame, area: Rect, v: &LogView) {
    let r = &v.request;
    let mut title = vec![Span::styled(
        format!(
            " logs {}/{} [{}]{} ",
            r.namespace,
            r.pod,
            r.container,
            if r.previous { " previous" } else { "" }
        ),
        theme.title,
    )];
    let mode = if v.paused || v.scroll_back > 0 {
        "paused"
    } else if r.follow {
        "following"
    } else {
        "snapshot"
    };
    title.push(Span::styled(
        format!(
            " {mode}{}{} ",
            if v.wrap { " · wrap" } else { "" },
            if r.timestamps { " · timestamps" } else { "" }
        ),
        theme.dim,
    ));
    if let Some(s) = &v.search {
        title.push(Span::styled(format!(" /{s} "), theme.filter));
    }
    if let Some(end) = &v.ended {
        title.push(Span::styled(format!(" {end} "), theme.warning));
    }
    let height = area.height.saturating_sub(2) as usize;
    let end = v.lines.len().saturating_sub(v.scroll_back);
    let start = end.saturating_sub(height);
    let lines: Vec<Line> = v
        .lines
        .iter()
        .skip(start)
        .take(end - start)
        .map(|l| match &v.search {
            Some(s) if l.contains(s.as_str()) => Line::styled(printable(l), theme.filter),
            _ => Line::raw(printable(l)),
        })
        .collect();
    let body = if lines.is_empty() {
        vec![Line::styled(
            if v.ended.is_some() {
                "no log lines"
            } else {
                "waiting for log lines…"
            },
            theme.dim,
        )]
    } else {
        lines
    };
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border)
        .title(Line::from(title));
    let mut p = Paragraph::new(body).block(block);
    if v.wrap {
        // Wrapped lines take several rows each: scroll past the overflow so the newest
        // line stays at the bottom (otherwise the tail being followed falls out of view).
        p = p.wrap(Wrap { trim: false });
        let rows = p.line_count(area.width.saturating_sub(2));
        let overflow = rows.saturating_sub(usize::from(area.height));
        p = p.scroll((u16::try_from(overflow).unwrap_or(u16::MAX), 0));
    }
    frame.render_widget(p, area);
}
