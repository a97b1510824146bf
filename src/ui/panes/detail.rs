//! The describe and YAML views: fetched text, scrollable; while loading or on failure it
//! says so (with the reason) instead of showing nothing.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Paragraph};

use crate::theme::Theme;
use crate::ui::widgets::printable;

pub fn draw(
    theme: &Theme,
    frame: &mut Frame,
    area: Rect,
    title: &str,
    lines: Option<&Result<Vec<String>, String>>,
    scroll: usize,
) {
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border)
        .title(Line::styled(format!(" {title} "), theme.title));
    let body: Vec<Line> = match lines {
        None => vec![Line::styled("loading…", theme.dim)],
        Some(Err(e)) => vec![Line::styled(format!("could not load: {e}"), theme.error)],
        Some(Ok(lines)) => {
            let height = area.height.saturating_sub(2) as usize;
            let top = scroll.min(lines.len().saturating_sub(height));
            lines
                .iter()
                .skip(top)
                .take(height)
                .map(|l| Line::raw(printable(l)))
                .collect()
        }
    };
    frame.render_widget(Paragraph::new(body).block(block), area);
}
