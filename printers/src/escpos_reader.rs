//! An independent ESC/POS decoder for tests (here and in the main crate).
//!
//! It shares no code with the renderer or the layout: it walks the byte
//! stream, knows the exact length of every command the renderer may emit,
//! decodes GB18030 text with its own width count (1 column per ASCII byte, 2
//! per double-byte code, doubled in double width) and reports anything
//! unknown, malformed or too wide in `errors` instead of guessing.

use crate::profile::Paper;
use crate::ticket::Align;

/// A printed text line (text up to an `LF`), with the style of its first
/// character.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodedLine {
    /// Text decoded from GB18030.
    pub text: String,
    /// Printed width in Font A columns (double width counted twice).
    pub columns: usize,
    /// `ESC E` state.
    pub bold: bool,
    /// `GS !` width bit.
    pub double_w: bool,
    /// `GS !` height bit.
    pub double_h: bool,
    /// `ESC a` state.
    pub align: Align,
}

/// A `GS v 0` raster image, 1 bit per dot, rows of `width_dots / 8` bytes,
/// MSB leftmost, 1 = black.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RasterImage {
    /// Width in dots (a multiple of 8).
    pub width_dots: usize,
    /// Height in dots.
    pub height: usize,
    /// Packed bits.
    pub bits: Vec<u8>,
}

impl RasterImage {
    /// True when the dot at (x, y) is black; false outside the image.
    pub fn is_black(&self, x: usize, y: usize) -> bool {
        if x >= self.width_dots || y >= self.height {
            return false;
        }
        let row = self.width_dots / 8;
        self.bits[y * row + x / 8] & (0x80 >> (x % 8)) != 0
    }

    /// Greyscale pixels (0 black, 255 white), row-major, for QR decoders.
    pub fn to_luma(&self) -> Vec<u8> {
        let mut v = Vec::with_capacity(self.width_dots * self.height);
        for y in 0..self.height {
            for x in 0..self.width_dots {
                v.push(if self.is_black(x, y) { 0 } else { 255 });
            }
        }
        v
    }
}

/// A QR symbol printed with the native `GS ( k` commands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NativeQr {
    /// Stored data.
    pub payload: String,
    /// Model set by fn 165 (`0x32` = model 2), if any.
    pub model: Option<u8>,
    /// EC level set by fn 169 (`0x31` = M), if any.
    pub ec: Option<u8>,
    /// Module size set by fn 167, if any.
    pub module_size: Option<u8>,
}

/// Everything the reader understood, plus what it did not.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Decoded {
    /// Lines in order, empty ones (feeds) included.
    pub lines: Vec<DecodedLine>,
    /// Payloads of printed native QR symbols.
    pub qr_payloads: Vec<String>,
    /// Native QR symbols with their settings.
    pub native_qrs: Vec<NativeQr>,
    /// Raster images.
    pub raster_images: Vec<RasterImage>,
    /// `GS V` count.
    pub cuts: usize,
    /// `ESC p m t1 t2` pulses as `(m, t1, t2)`.
    pub drawer_pulses: Vec<(u8, u8, u8)>,
    /// `ESC @` count.
    pub inits: usize,
    /// `DLE EOT n` real-time status queries seen.
    pub status_queries: Vec<u8>,
    /// Problems, each with the byte offset.
    pub errors: Vec<String>,
}

impl Decoded {
    /// Texts of all lines (convenience for assertions).
    pub fn texts(&self) -> Vec<&str> {
        self.lines.iter().map(|l| l.text.as_str()).collect()
    }
    /// Non-empty line texts joined by `\n`, trimmed of padding spaces.
    pub fn plain_text(&self) -> String {
        self.lines.iter().map(|l| l.text.trim()).filter(|t| !t.is_empty()).collect::<Vec<_>>().join("\n")
    }
}

struct State {
    bold: bool,
    double_w: bool,
    double_h: bool,
    align: Align,
    chinese: bool,
}

impl State {
    fn reset() -> Self {
        State { bold: false, double_w: false, double_h: false, align: Align::Left, chinese: false }
    }
}

/// Decodes `bytes` printed on `paper`. Never panics; stops at the first
/// unknown command (its length is unknowable) after recording an error.
pub fn decode(bytes: &[u8], paper: Paper) -> Decoded {
    let mut d = Decoded::default();
    let mut st = State::reset();
    // Current line: raw text bytes, style at its first character, width.
    let mut text: Vec<u8> = Vec::new();
    let mut line_style: Option<(bool, bool, bool, Align)> = None;
    let mut cols = 0usize;
    let mut qr = NativeQr { payload: String::new(), model: None, ec: None, module_size: None };
    let mut i = 0usize;
    macro_rules! need {
        ($n:expr, $what:expr) => {
            if i + $n > bytes.len() {
                d.errors.push(format!("@{i}: truncated {}", $what));
                break;
            }
        };
    }
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            b'\n' => {
                let (bold, double_w, double_h, align) =
                    line_style.unwrap_or((st.bold, st.double_w, st.double_h, st.align));
                let (s, _, bad) = encoding_rs::GB18030.decode(&text);
                if bad {
                    d.errors.push(format!("@{i}: malformed GB18030 in line"));
                }
                if cols > paper.columns() {
                    d.errors.push(format!("@{i}: line {:?} is {cols} columns, paper has {}", s, paper.columns()));
                }
                d.lines.push(DecodedLine { text: s.into_owned(), columns: cols, bold, double_w, double_h, align });
                text.clear();
                line_style = None;
                cols = 0;
                i += 1;
            }
            0x20..=0x7E => {
                line_style.get_or_insert((st.bold, st.double_w, st.double_h, st.align));
                text.push(b);
                cols += if st.double_w { 2 } else { 1 };
                i += 1;
            }
            0x81..=0xFE => {
                need!(2, "double-byte character");
                let t = bytes[i + 1];
                if (0x30..=0x39).contains(&t) {
                    d.errors.push(format!("@{i}: 4-byte GB18030 sequence: not printable with a GBK font"));
                    need!(4, "4-byte character");
                    i += 4;
                    continue;
                }
                if !(0x40..=0xFE).contains(&t) || t == 0x7F {
                    d.errors.push(format!("@{i}: bad GBK trail byte {t:#04x}"));
                    break;
                }
                if !st.chinese {
                    d.errors.push(format!("@{i}: double-byte text outside Chinese mode (FS &)"));
                }
                line_style.get_or_insert((st.bold, st.double_w, st.double_h, st.align));
                text.extend_from_slice(&bytes[i..i + 2]);
                cols += if st.double_w { 4 } else { 2 };
                i += 2;
            }
            0x1B => {
                need!(2, "ESC command");
                match bytes[i + 1] {
                    0x40 => {
                        st = State::reset();
                        d.inits += 1;
                        i += 2;
                    }
                    0x45 => {
                        need!(3, "ESC E");
                        st.bold = bytes[i + 2] & 1 == 1;
                        if bytes[i + 2] > 1 {
                            d.errors.push(format!("@{i}: ESC E with n={}", bytes[i + 2]));
                        }
                        i += 3;
                    }
                    0x61 => {
                        need!(3, "ESC a");
                        let a = match bytes[i + 2] {
                            0 | b'0' => Align::Left,
                            1 | b'1' => Align::Center,
                            2 | b'2' => Align::Right,
                            n => {
                                d.errors.push(format!("@{i}: ESC a with n={n}"));
                                st.align
                            }
                        };
                        if line_style.is_some() && a != st.align {
                            d.errors.push(format!("@{i}: ESC a inside a line is ignored by printers"));
                        }
                        st.align = a;
                        i += 3;
                    }
                    0x70 => {
                        need!(5, "ESC p");
                        d.drawer_pulses.push((bytes[i + 2], bytes[i + 3], bytes[i + 4]));
                        i += 5;
                    }
                    c => {
                        d.errors.push(format!("@{i}: unknown command ESC {c:#04x}"));
                        break;
                    }
                }
            }
            0x1C => {
                need!(2, "FS command");
                match bytes[i + 1] {
                    0x26 => st.chinese = true,
                    0x2E => st.chinese = false,
                    c => {
                        d.errors.push(format!("@{i}: unknown command FS {c:#04x}"));
                        break;
                    }
                }
                i += 2;
            }
            0x10 => {
                need!(3, "DLE command");
                if bytes[i + 1] != 0x04 || !(1..=4).contains(&bytes[i + 2]) {
                    d.errors.push(format!("@{i}: unknown DLE command"));
                    break;
                }
                d.status_queries.push(bytes[i + 2]);
                i += 3;
            }
            0x1D => {
                need!(2, "GS command");
                match bytes[i + 1] {
                    0x21 => {
                        need!(3, "GS !");
                        let n = bytes[i + 2];
                        let (w, h) = ((n >> 4) + 1, (n & 0x0F) + 1);
                        if w > 2 || h > 2 {
                            d.errors.push(format!("@{i}: GS ! size {w}x{h} not used by us"));
                        }
                        st.double_w = w > 1;
                        st.double_h = h > 1;
                        i += 3;
                    }
                    0x56 => {
                        need!(3, "GS V");
                        match bytes[i + 2] {
                            0 | 1 | 0x30 | 0x31 => i += 3,
                            0x41 | 0x42 => {
                                need!(4, "GS V m n");
                                i += 4;
                            }
                            m => {
                                d.errors.push(format!("@{i}: GS V with m={m}"));
                                break;
                            }
                        }
                        if !text.is_empty() {
                            d.errors.push(format!("@{i}: cut with unprinted text in buffer"));
                        }
                        d.cuts += 1;
                    }
                    0x76 => {
                        need!(8, "GS v 0 header");
                        if bytes[i + 2] != 0x30 || bytes[i + 3] > 3 {
                            d.errors.push(format!("@{i}: malformed GS v 0"));
                            break;
                        }
                        let xb = bytes[i + 4] as usize | (bytes[i + 5] as usize) << 8;
                        let h = bytes[i + 6] as usize | (bytes[i + 7] as usize) << 8;
                        let len = xb * h;
                        need!(8 + len, "GS v 0 data");
                        if xb * 8 > paper.dots() as usize {
                            d.errors.push(format!("@{i}: raster {} dots wide, paper has {}", xb * 8, paper.dots()));
                        }
                        if !text.is_empty() {
                            d.errors.push(format!("@{i}: raster image in the middle of a line"));
                        }
                        d.raster_images.push(RasterImage {
                            width_dots: xb * 8,
                            height: h,
                            bits: bytes[i + 8..i + 8 + len].to_vec(),
                        });
                        i += 8 + len;
                    }
                    0x28 => {
                        need!(5, "GS ( header");
                        if bytes[i + 2] != 0x6B {
                            d.errors.push(format!("@{i}: unknown GS ( {:#04x}", bytes[i + 2]));
                            break;
                        }
                        let p = bytes[i + 3] as usize | (bytes[i + 4] as usize) << 8;
                        need!(5 + p, "GS ( k parameters");
                        let body = &bytes[i + 5..i + 5 + p];
                        if p < 3 || body[0] != 0x31 {
                            d.errors.push(format!("@{i}: GS ( k not a QR function"));
                        } else {
                            match (body[1], p) {
                                (0x41, 4) => qr.model = Some(body[2]),
                                (0x43, 3) => qr.module_size = Some(body[2]),
                                (0x45, 3) => qr.ec = Some(body[2]),
                                (0x50, _) if body[2] == 0x30 => match std::str::from_utf8(&body[3..]) {
                                    Ok(s) => qr.payload = s.to_string(),
                                    Err(_) => d.errors.push(format!("@{i}: QR data not UTF-8")),
                                },
                                (0x51, 3) if body[2] == 0x30 => {
                                    d.qr_payloads.push(qr.payload.clone());
                                    d.native_qrs.push(qr.clone());
                                }
                                (f, _) => d.errors.push(format!("@{i}: QR fn {f:#04x} len {p}")),
                            }
                        }
                        i += 5 + p;
                    }
                    c => {
                        d.errors.push(format!("@{i}: unknown command GS {c:#04x}"));
                        break;
                    }
                }
            }
            other => {
                d.errors.push(format!("@{i}: unexpected byte {other:#04x} (control or invalid lead)"));
                break;
            }
        }
    }
    if !text.is_empty() {
        d.errors.push(format!(
            "text {:?} not terminated by LF: it would stay in the printer buffer",
            encoding_rs::GB18030.decode(&text).0
        ));
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_unknown_commands_and_wide_lines() {
        let d = decode(&[0x1B, 0x64, 0x01], Paper::W58);
        assert_eq!(d.errors.len(), 1, "ESC d is not in our command set: {:?}", d.errors);
        let mut wide = vec![0x1C, 0x26];
        for _ in 0..17 {
            wide.extend_from_slice(&[0xC3, 0xE6]);
        }
        wide.push(b'\n');
        let d = decode(&wide, Paper::W58);
        assert_eq!(d.lines[0].columns, 34);
        assert!(d.errors.iter().any(|e| e.contains("34 columns")), "{:?}", d.errors);
        let d = decode(&[0xC3, 0xE6, b'\n'], Paper::W58);
        assert!(d.errors.iter().any(|e| e.contains("outside Chinese mode")));
    }
}
