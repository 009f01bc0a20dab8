//! Line breaking, shared by the byte renderer and the text preview so that the
//! preview is exactly what comes out of the printer.
//!
//! Width rule: see [`crate::encoding::char_columns`] (ASCII 1 column, every
//! GBK double-byte character 2). Double width halves the columns of a line.

use crate::encoding::{char_columns, display_width, sanitize};
use crate::profile::Paper;
use crate::ticket::{Align, Block, TextStyle, Ticket};

/// One printed line: `text` already fits the columns of its style.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// Printable text (sanitized), without alignment padding.
    pub text: String,
    /// Style; the renderer turns `align` into `ESC a`.
    pub style: TextStyle,
}

/// A laid-out element.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LaidItem {
    /// A text line (possibly empty: a feed).
    Line(Line),
    /// A QR code with this payload (not sanitized: it is data, not text).
    Qr(String),
    /// A cut point.
    Cut,
    /// A drawer pulse.
    DrawerKick,
}

/// A ticket laid out for one paper width.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    /// Items in print order.
    pub items: Vec<LaidItem>,
    /// Characters the printer font cannot print, replaced by `?`.
    pub replaced_chars: usize,
}

/// Columns available to a line of this style.
pub fn columns_for(paper: Paper, style: &TextStyle) -> usize {
    if style.double_width {
        paper.columns() / 2
    } else {
        paper.columns()
    }
}

/// Greedy wrap of `text` (no `\n` expected; it is treated as a character) into
/// pieces at most `width` columns wide, breaking only between characters.
/// Inside an ASCII word the break moves back to just after the last space of
/// the piece, so `"Latte 2"` does not become `"Lat" "te 2"`. Invariants
/// (property-tested): every piece is non-empty and fits `width` (unless a
/// single character is wider than `width`), and the pieces concatenate to
/// `text`.
pub fn wrap(text: &str, width: usize) -> Vec<&str> {
    let mut pieces = Vec::new();
    let mut start = 0usize;
    let mut used = 0usize;
    // Byte index just after the last space in the current piece.
    let mut after_space: Option<usize> = None;
    let mut prev: Option<char> = None;
    for (i, c) in text.char_indices() {
        let cw = char_columns(c);
        if used + cw > width && i > start {
            let mut cut = i;
            let inside_word = c.is_ascii_alphanumeric() && prev.is_some_and(|p| p.is_ascii_alphanumeric());
            if inside_word {
                if let Some(a) = after_space {
                    if a > start && a < i {
                        cut = a;
                    }
                }
            }
            pieces.push(&text[start..cut]);
            start = cut;
            used = display_width(&text[start..i]);
            after_space = None;
        }
        used += cw;
        if c == ' ' {
            after_space = Some(i + 1);
        }
        prev = Some(c);
    }
    if start < text.len() {
        pieces.push(&text[start..]);
    }
    pieces
}

/// Lines of a `left … right` pair in `cols` columns: `left` wraps, `right`
/// sits right-aligned on the last line. If the last piece of `left` leaves no
/// room for `right`, that piece is re-wrapped narrower; if `right` is so wide
/// that `left` could not keep two columns beside it, `right` gets its own line.
pub fn columns_lines(left: &str, right: &str, cols: usize) -> Vec<String> {
    let rw = display_width(right);
    if right.is_empty() {
        return wrap(left, cols).into_iter().map(str::to_string).collect();
    }
    let right_line = |lines: &mut Vec<String>| {
        for piece in wrap(right, cols) {
            let w = display_width(piece);
            lines.push(format!("{}{}", " ".repeat(cols.saturating_sub(w)), piece));
        }
    };
    let mut lines: Vec<String> = Vec::new();
    if rw + 1 + 2 > cols {
        lines.extend(wrap(left, cols).into_iter().map(str::to_string));
        right_line(&mut lines);
        return lines;
    }
    let mut pieces = wrap(left, cols);
    let mut last = pieces.pop().unwrap_or("");
    if display_width(last) + 1 + rw > cols {
        let mut narrow = wrap(last, cols - rw - 1);
        last = narrow.pop().unwrap_or("");
        pieces.extend(narrow);
    }
    lines.extend(pieces.into_iter().map(str::to_string));
    let pad = cols - display_width(last) - rw;
    lines.push(format!("{last}{}{right}", " ".repeat(pad)));
    lines
}

/// Lays a ticket out for `paper`. Never fails: unprintable characters are
/// replaced and counted, over-long words are broken.
pub fn layout(ticket: &Ticket, paper: Paper) -> Layout {
    let mut items = Vec::with_capacity(ticket.blocks.len() + 8);
    let mut replaced_chars = 0;
    for block in &ticket.blocks {
        match block {
            Block::Text { text, style } => {
                let (text, n) = sanitize(text);
                replaced_chars += n;
                let cols = columns_for(paper, style);
                for para in text.split('\n') {
                    let pieces = wrap(para, cols);
                    if pieces.is_empty() {
                        items.push(line(String::new(), *style));
                    }
                    for (k, piece) in pieces.into_iter().enumerate() {
                        // A break at a space leaves it leading the next piece:
                        // drop it there (the wrapped text reads as words).
                        let piece = if k > 0 { piece.trim_start_matches(' ') } else { piece };
                        if piece.is_empty() {
                            continue;
                        }
                        // Trailing spaces are invisible but would shift centered
                        // or right-aligned text.
                        let piece = match style.align {
                            Align::Left => piece,
                            Align::Center | Align::Right => piece.trim_end_matches(' '),
                        };
                        items.push(line(piece.to_string(), *style));
                    }
                }
            }
            Block::Columns { left, right, style } => {
                let (left, n1) = sanitize(left);
                let (right, n2) = sanitize(right);
                replaced_chars += n1 + n2;
                let style = TextStyle { align: Align::Left, ..*style };
                let cols = columns_for(paper, &style);
                // A `\n` in a name would break the column geometry: flatten it.
                let left = left.replace('\n', " ");
                let right = right.replace('\n', " ");
                for l in columns_lines(&left, &right, cols) {
                    items.push(line(l, style));
                }
            }
            Block::Separator { ch } => {
                let ch = if ch.is_ascii_graphic() { *ch } else { '-' };
                items.push(line(std::iter::repeat_n(ch, paper.columns()).collect(), TextStyle::plain()));
            }
            Block::Qr { payload } => items.push(LaidItem::Qr(payload.clone())),
            Block::Feed { lines } => {
                for _ in 0..*lines {
                    items.push(line(String::new(), TextStyle::plain()));
                }
            }
            Block::Cut => items.push(LaidItem::Cut),
            Block::DrawerKick => items.push(LaidItem::DrawerKick),
        }
    }
    Layout { items, replaced_chars }
}

fn line(text: String, style: TextStyle) -> LaidItem {
    LaidItem::Line(Line { text, style })
}

/// Plain-text rendering of the same layout the printer gets: one text line
/// per printed line, alignment as spaces, double-width text spread out (a
/// space after each ASCII character, an ideographic space after each
/// double-byte one) so columns match the paper. QR codes, cuts and drawer
/// pulses show as markers. Trailing spaces are trimmed.
pub fn preview(ticket: &Ticket, paper: Paper) -> String {
    preview_layout(&layout(ticket, paper), paper)
}

/// [`preview`] of an existing layout.
pub fn preview_layout(layout: &Layout, paper: Paper) -> String {
    let cols = paper.columns();
    let mut out = String::new();
    let push_aligned = |out: &mut String, text: &str, width: usize, align: Align| {
        let pad = match align {
            Align::Left => 0,
            Align::Center => cols.saturating_sub(width) / 2,
            Align::Right => cols.saturating_sub(width),
        };
        let l = format!("{}{}", " ".repeat(pad), text);
        out.push_str(l.trim_end());
        out.push('\n');
    };
    for item in &layout.items {
        match item {
            LaidItem::Line(Line { text, style }) => {
                let factor = if style.double_width { 2 } else { 1 };
                let width = display_width(text) * factor;
                if style.double_width {
                    let spread: String =
                        text.chars().flat_map(|c| [c, if c.is_ascii() { ' ' } else { '\u{3000}' }]).collect();
                    push_aligned(&mut out, &spread, width, style.align);
                } else {
                    push_aligned(&mut out, text, width, style.align);
                }
            }
            LaidItem::Qr(payload) => {
                push_aligned(&mut out, "[二维码]", 8, Align::Center);
                for piece in wrap(payload, cols) {
                    push_aligned(&mut out, piece, display_width(piece), Align::Center);
                }
            }
            LaidItem::Cut => {
                out.push_str(&"~".repeat(cols));
                out.push('\n');
            }
            LaidItem::DrawerKick => push_aligned(&mut out, "[开钱箱]", 8, Align::Center),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_breaks_between_characters_and_keeps_words() {
        assert_eq!(wrap("宫保鸡丁盖浇饭", 6), vec!["宫保鸡", "丁盖浇", "饭"]);
        assert_eq!(wrap("a宫保", 4), vec!["a宫", "保"]);
        assert_eq!(wrap("Iced Latte large", 10), vec!["Iced Latte", " large"]);
        assert_eq!(wrap("Iced Latte large", 8), vec!["Iced ", "Latte ", "large"]);
        assert_eq!(wrap("", 10), Vec::<&str>::new());
    }

    #[test]
    fn columns_keep_amount_right_aligned_on_last_line() {
        let lines = columns_lines("宫保鸡丁盖浇饭加大份加蛋加肉丝", "￥32.40", 32);
        assert_eq!(lines.len(), 2, "{lines:?}");
        assert!(lines[1].ends_with("￥32.40"));
        assert!(lines.iter().all(|l| display_width(l) <= 32));
        assert_eq!(display_width(&lines[1]), 32);
        let short = columns_lines("合计", "￥8.00", 32);
        assert_eq!(short, vec![format!("合计{}￥8.00", " ".repeat(32 - 4 - 6))]);
    }

    #[test]
    fn double_width_halves_columns() {
        let t = Ticket::new().styled("一二三四五六七八九十", TextStyle::plain().big());
        let l = layout(&t, Paper::W58);
        assert_eq!(l.items.len(), 2, "16 columns hold 8 CJK characters");
    }
}
