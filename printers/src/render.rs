//! Ticket → ESC/POS bytes.
//!
//! The byte encoder is written by hand instead of going through the `escpos`
//! crate (0.20). Reasons, checked against its source:
//! - its command builders (`Protocol`) are crate-private, so bytes only come out
//!   through a `Printer` writing to a driver: rendering would be tied to IO and
//!   we could not render once, store, and resend;
//! - `cash_drawer()` sends `ESC p m` without the pulse times (we need
//!   `1B 70 00 19 FA`), QR defaults to model 1, `writeln` feeds with `ESC d 1`,
//!   and image printing may send `CAN` first;
//! - its encoder either fails on unencodable text or substitutes HTML numeric
//!   references (`&#128512;` printed literally), and GB18030 "encodes" emoji as
//!   4-byte codes that GBK fonts print as garbage: we replace visibly instead.
//!
//! The command set we emit is small and listed here (the reader in
//! [`crate::escpos_reader`] accepts exactly these):
//! `ESC @` init, `FS &` / `FS .` Chinese mode on/off, `ESC a n` align,
//! `ESC E n` bold, `GS ! n` size, `LF`, `GS v 0` raster image,
//! `GS ( k` QR (model 2, EC M), `GS V 1` partial cut, `ESC p 0 25 250` drawer.

use crate::encoding::encode_into;
use crate::layout::{layout, LaidItem, Layout};
use crate::profile::{Paper, PrinterProfile};
use crate::ticket::{Align, TextStyle};
use qrcode::{Color, EcLevel, QrCode};

/// `ESC p 0 25 250`: pulse pin 2 for 50 ms on, 500 ms off (units of 2 ms).
pub const DRAWER_KICK: [u8; 5] = [0x1B, 0x70, 0x00, 0x19, 0xFA];
/// `GS V 1`: partial cut (leaves a hinge, the usual POS choice).
pub const CUT: [u8; 3] = [0x1D, 0x56, 0x01];
/// Line feeds before a cut: the cutter sits a few lines above the print head.
pub const FEED_BEFORE_CUT: usize = 4;
/// Quiet zone around a raster QR, in modules (the QR standard asks for 4).
pub const QR_QUIET_MODULES: usize = 4;
/// Target width of a QR code in dots; module size is chosen to get close.
pub const QR_TARGET_DOTS: usize = 256;

/// Why a ticket cannot be rendered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RenderError {
    /// The QR payload does not fit any QR version at EC level M.
    #[error("QR payload of {len} bytes cannot be encoded: {reason}")]
    QrData {
        /// Payload length in bytes.
        len: usize,
        /// Encoder message.
        reason: String,
    },
    /// The QR code is wider than the paper even at one dot per module.
    #[error("QR code needs {needed} dots, paper has {available}")]
    QrTooWide {
        /// Dots needed.
        needed: usize,
        /// Dots on the paper.
        available: usize,
    },
}

/// Bytes for one ticket plus what the caller should know about them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    /// The ESC/POS byte stream, starting with `ESC @`.
    pub bytes: Vec<u8>,
    /// Characters replaced by `?` because the printer font lacks them.
    pub replaced_chars: usize,
}

/// Renders a ticket for a printer. The line breaking is [`mod@crate::layout`]'s,
/// the same the preview uses. Cuts are sent only when `profile.cutter`
/// (otherwise the paper is just fed past the tear bar), drawer pulses only
/// when `profile.drawer`, native QR only when `profile.native_qr`.
pub fn render(ticket: &crate::ticket::Ticket, profile: &PrinterProfile) -> Result<Rendered, RenderError> {
    let laid = layout(ticket, profile.paper);
    render_layout(&laid, profile)
}

/// Renders an existing layout (see [`render`]).
pub fn render_layout(laid: &Layout, profile: &PrinterProfile) -> Result<Rendered, RenderError> {
    let mut w =
        Writer { out: Vec::with_capacity(64 + laid.items.len() * 40), align: Align::Left, bold: false, size: 0 };
    w.out.extend_from_slice(&[0x1B, 0x40]); // ESC @
    w.out.extend_from_slice(&[0x1C, 0x26]); // FS &: Chinese (GB) mode
    for item in &laid.items {
        match item {
            LaidItem::Line(line) => {
                w.style(&line.style);
                encode_into(&line.text, &mut w.out);
                w.out.push(b'\n');
            }
            LaidItem::Qr(payload) => {
                if profile.native_qr {
                    w.native_qr(payload)?;
                } else {
                    w.raster_qr(payload, profile.paper)?;
                }
            }
            LaidItem::Cut => {
                w.style(&TextStyle::plain());
                w.out.extend(std::iter::repeat_n(b'\n', FEED_BEFORE_CUT));
                if profile.cutter {
                    w.out.extend_from_slice(&CUT);
                }
            }
            LaidItem::DrawerKick => {
                if profile.drawer {
                    w.out.extend_from_slice(&DRAWER_KICK);
                }
            }
        }
    }
    w.out.extend_from_slice(&[0x1C, 0x2E]); // FS .: leave Chinese mode for whoever prints next
    Ok(Rendered { bytes: w.out, replaced_chars: laid.replaced_chars })
}

/// Byte writer that sends a style command only when the style changes.
struct Writer {
    out: Vec<u8>,
    align: Align,
    bold: bool,
    size: u8,
}

impl Writer {
    fn set_align(&mut self, align: Align) {
        if self.align != align {
            let n = match align {
                Align::Left => 0,
                Align::Center => 1,
                Align::Right => 2,
            };
            self.out.extend_from_slice(&[0x1B, 0x61, n]);
            self.align = align;
        }
    }

    fn style(&mut self, style: &TextStyle) {
        self.set_align(style.align);
        if self.bold != style.bold {
            self.out.extend_from_slice(&[0x1B, 0x45, style.bold as u8]);
            self.bold = style.bold;
        }
        // GS ! n: high nibble width multiplier - 1, low nibble height - 1.
        let size = ((style.double_width as u8) << 4) | style.double_height as u8;
        if self.size != size {
            self.out.extend_from_slice(&[0x1D, 0x21, size]);
            self.size = size;
        }
    }

    /// `GS v 0` raster of the QR code. Centering is done inside the image (a
    /// left margin of white dots) rather than with `ESC a 1`, because not every
    /// printer applies justification to raster images.
    fn raster_qr(&mut self, payload: &str, paper: Paper) -> Result<(), RenderError> {
        let code = qr_code(payload)?;
        let n = code.width();
        let colors = code.to_colors();
        let total = n + 2 * QR_QUIET_MODULES;
        let dots = paper.dots() as usize;
        let module = (QR_TARGET_DOTS / total).max(1);
        let size = total * module;
        if size > dots {
            return Err(RenderError::QrTooWide { needed: size, available: dots });
        }
        let offset = (dots - size) / 2;
        let xbytes = (offset + size).div_ceil(8);
        self.set_align(Align::Left);
        self.out.extend_from_slice(&[
            0x1D,
            0x76,
            0x30,
            0x00,
            (xbytes & 0xFF) as u8,
            (xbytes >> 8) as u8,
            (size & 0xFF) as u8,
            (size >> 8) as u8,
        ]);
        let mut row = vec![0u8; xbytes];
        for mrow in 0..total {
            row.iter_mut().for_each(|b| *b = 0);
            if (QR_QUIET_MODULES..QR_QUIET_MODULES + n).contains(&mrow) {
                let qy = mrow - QR_QUIET_MODULES;
                for qx in 0..n {
                    if colors[qy * n + qx] == Color::Dark {
                        let x0 = offset + (qx + QR_QUIET_MODULES) * module;
                        for x in x0..x0 + module {
                            row[x / 8] |= 0x80 >> (x % 8);
                        }
                    }
                }
            }
            for _ in 0..module {
                self.out.extend_from_slice(&row);
            }
        }
        Ok(())
    }

    /// Native `GS ( k` QR: model 2, module size for ~256 dots, EC level M,
    /// store data, print. Centered with `ESC a 1`.
    fn native_qr(&mut self, payload: &str) -> Result<(), RenderError> {
        let code = qr_code(payload)?; // same limits as raster; also picks module size
        let module = (QR_TARGET_DOTS / (code.width() + 2 * QR_QUIET_MODULES)).clamp(1, 16) as u8;
        let data = payload.as_bytes();
        self.set_align(Align::Center);
        // fn 165: model 2 (n1 = '2').
        self.out.extend_from_slice(&[0x1D, 0x28, 0x6B, 0x04, 0x00, 0x31, 0x41, 0x32, 0x00]);
        // fn 167: module size.
        self.out.extend_from_slice(&[0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x43, module]);
        // fn 169: error correction M ('1').
        self.out.extend_from_slice(&[0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x45, 0x31]);
        // fn 180: store data; length counts cn fn m.
        let len = data.len() + 3;
        self.out.extend_from_slice(&[0x1D, 0x28, 0x6B, (len & 0xFF) as u8, (len >> 8) as u8, 0x31, 0x50, 0x30]);
        self.out.extend_from_slice(data);
        // fn 181: print the stored symbol.
        self.out.extend_from_slice(&[0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x51, 0x30]);
        Ok(())
    }
}

fn qr_code(payload: &str) -> Result<QrCode, RenderError> {
    QrCode::with_error_correction_level(payload.as_bytes(), EcLevel::M)
        .map_err(|e| RenderError::QrData { len: payload.len(), reason: e.to_string() })
}
