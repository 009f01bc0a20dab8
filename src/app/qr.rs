//! QR codes for screens (the WeChat Pay code on the cashier's screen and on the customer
//! display). Paper QR codes are the printers crate's.

use qrcode::render::svg;
use qrcode::{EcLevel, QrCode};

use super::error::{CommandError, ErrorCode};

/// The code as an SVG for the screen: error correction M, a quiet zone, and large
/// enough (≥ 320 px) to scan from an iPad held at arm's length.
pub fn qr_svg(code_url: &str) -> Result<String, CommandError> {
    let code = QrCode::with_error_correction_level(code_url.as_bytes(), EcLevel::M)
        .map_err(|e| CommandError::new(ErrorCode::Internal, "无法生成二维码", e.to_string()))?;
    Ok(code
        .render::<svg::Color<'_>>()
        .min_dimensions(320, 320)
        .quiet_zone(true)
        .dark_color(svg::Color("#000000"))
        .light_color(svg::Color("#ffffff"))
        .build())
}
