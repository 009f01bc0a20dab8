//! Text for a GBK printer font: which characters can be printed, how wide they
//! are, and their GB18030 bytes.
//!
//! GB18030 itself encodes every Unicode scalar (emoji become 4-byte sequences),
//! but Chinese thermal printers carry a GBK font: only ASCII and the two-byte
//! range print. Anything else is replaced *visibly* by `?` (never dropped) and
//! counted, so the UI can warn. Control characters are replaced too: a product
//! name containing ESC or GS must never become a printer command.

use std::borrow::Cow;

/// Shown on paper in place of a character the printer font cannot print.
pub const REPLACEMENT: char = '?';

/// Columns one (already printable) character takes on paper: ASCII is one
/// Font A cell, every GBK two-byte character is a full-width 24-dot glyph,
/// two cells. This is deliberately the printer's rule, not Unicode's East
/// Asian Width: `×`, `·` or `─` are "ambiguous"/narrow in Unicode but print
/// full-width from a GBK font.
#[inline]
pub fn char_columns(c: char) -> usize {
    if c.is_ascii() {
        1
    } else {
        2
    }
}

/// Columns a printable string takes (sum of [`char_columns`]).
pub fn display_width(s: &str) -> usize {
    s.chars().map(char_columns).sum()
}

/// True when the printer font can print `c` as is: printable ASCII, or a
/// character whose GB18030 encoding is a GBK two-byte code.
pub fn is_printable(c: char) -> bool {
    if c.is_ascii() {
        return !c.is_ascii_control();
    }
    let mut utf8 = [0u8; 4];
    let mut out = [0u8; 8];
    let src = c.encode_utf8(&mut utf8);
    // The GBK encoder refuses what needs GB18030's 4-byte form; it maps € to
    // the single byte 0x80, which printer fonts lack (GB18030 would send A2E3,
    // blank in GBK fonts). For every other GBK character both encoders agree.
    let mut enc = encoding_rs::GBK.new_encoder();
    let (res, _, written) = enc.encode_from_utf8_without_replacement(src, &mut out, true);
    matches!(res, encoding_rs::EncoderResult::InputEmpty) && written == 2 && (0x81..=0xFE).contains(&out[0])
}

/// Replaces every character the printer cannot print with [`REPLACEMENT`]
/// (tabs become a space) and returns the text and how many were replaced.
/// Borrowed when nothing changed: the common case allocates nothing.
pub fn sanitize(text: &str) -> (Cow<'_, str>, usize) {
    let ok = |c: char| c != '\t' && is_printable(c);
    if text.chars().all(ok) {
        return (Cow::Borrowed(text), 0);
    }
    let mut replaced = 0;
    let out: String = text
        .chars()
        .map(|c| {
            if c == '\t' {
                ' '
            } else if is_printable(c) {
                c
            } else {
                replaced += 1;
                REPLACEMENT
            }
        })
        .collect();
    (Cow::Owned(out), replaced)
}

/// Appends the GB18030 bytes of already-sanitized text to `out`.
pub fn encode_into(text: &str, out: &mut Vec<u8>) {
    if text.is_ascii() {
        out.extend_from_slice(text.as_bytes());
        return;
    }
    let (bytes, _, _) = encoding_rs::GB18030.encode(text);
    out.extend_from_slice(&bytes);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gbk_characters_print_and_others_are_replaced_visibly() {
        assert!(is_printable('辣'));
        assert!(is_printable('￥'));
        assert!(is_printable('×'));
        assert!(!is_printable('¥'), "U+00A5 is not in GBK fonts");
        assert!(!is_printable('😀'));
        assert!(!is_printable('€'), "€ is not in GBK printer fonts");
        assert!(!is_printable('\u{1b}'));
        let (s, n) = sanitize("不要辣😀\u{1b}@\tok");
        assert_eq!((s.as_ref(), n), ("不要辣??@ ok", 2));
        assert!(matches!(sanitize("拉面 x2").0, Cow::Borrowed(_)));
    }

    #[test]
    fn widths_follow_the_printer_font() {
        assert_eq!(display_width("拉面 x2"), 7);
        assert_eq!(display_width("￥12.50"), 7);
    }

    #[test]
    fn encodes_gb18030() {
        let mut v = Vec::new();
        encode_into("面A", &mut v);
        assert_eq!(v, vec![0xC3, 0xE6, b'A']);
    }
}
