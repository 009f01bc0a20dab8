//! Printer profiles: what a configured printer can do. The app stores these as
//! JSON in its settings, so every type here is serde (de)serializable and new
//! fields get defaults (old settings files keep loading).

use serde::{Deserialize, Serialize};

/// Paper roll width. Columns are Font A (12×24 dots): an ASCII character takes
/// one column, a GBK double-byte character (every CJK ideograph, full-width
/// punctuation, `￥`) takes two.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Paper {
    /// 58 mm roll: 384 dots, 32 columns (16 CJK characters).
    W58,
    /// 80 mm roll: 576 dots, 48 columns (24 CJK characters).
    W80,
}

impl Paper {
    /// Printable width in dots (8 dots per mm at 203 dpi).
    pub fn dots(self) -> u16 {
        match self {
            Paper::W58 => 384,
            Paper::W80 => 576,
        }
    }

    /// Font A columns at normal width.
    pub fn columns(self) -> usize {
        match self {
            Paper::W58 => 32,
            Paper::W80 => 48,
        }
    }

    /// Maps the CLI's `--width 58|80` to a paper; `None` for other widths.
    pub fn from_mm(mm: u32) -> Option<Paper> {
        match mm {
            58 => Some(Paper::W58),
            80 => Some(Paper::W80),
            _ => None,
        }
    }

    /// Roll width in millimetres (58 or 80).
    pub fn mm(self) -> u32 {
        match self {
            Paper::W58 => 58,
            Paper::W80 => 80,
        }
    }
}

/// Text encoding the printer's font expects. Only GB18030 (restricted to its
/// GBK two-byte subset, which is what Chinese printer fonts hold) today; an
/// enum so a settings file can name it and a later printer family can be added.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub enum TextEncoding {
    /// GB18030 bytes, printer switched to Chinese mode with `FS &`.
    #[default]
    Gb18030,
}

/// One configured printer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrinterProfile {
    /// Name shown to people ("前台", "热菜档口").
    pub name: String,
    /// Roll width.
    pub paper: Paper,
    /// Print QR codes with the printer's own `GS ( k` QR engine instead of a
    /// raster image. Off by default: missing or buggy on some cheap models.
    #[serde(default)]
    pub native_qr: bool,
    /// The printer has an auto cutter: `GS V` is sent at a cut.
    #[serde(default = "default_true")]
    pub cutter: bool,
    /// A cash drawer is wired to this printer's kick connector.
    #[serde(default)]
    pub drawer: bool,
    /// Font encoding.
    #[serde(default)]
    pub encoding: TextEncoding,
}

fn default_true() -> bool {
    true
}

impl PrinterProfile {
    /// A profile with the safe defaults: raster QR, cutter, no drawer, GB18030.
    pub fn new(name: impl Into<String>, paper: Paper) -> Self {
        PrinterProfile {
            name: name.into(),
            paper,
            native_qr: false,
            cutter: true,
            drawer: false,
            encoding: TextEncoding::Gb18030,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profile_json_round_trips_and_old_settings_get_defaults() {
        let p = PrinterProfile { drawer: true, ..PrinterProfile::new("前台", Paper::W80) };
        let json = serde_json::to_string(&p).unwrap();
        assert_eq!(serde_json::from_str::<PrinterProfile>(&json).unwrap(), p);
        // A settings file written before the optional fields existed still loads.
        let old: PrinterProfile = serde_json::from_str(r#"{"name":"厨房","paper":"W58"}"#).unwrap();
        assert_eq!(old, PrinterProfile::new("厨房", Paper::W58));
    }

    #[test]
    fn paper_geometry_matches_font_a() {
        assert_eq!((Paper::W58.dots(), Paper::W58.columns()), (384, 32));
        assert_eq!((Paper::W80.dots(), Paper::W80.columns()), (576, 48));
        assert_eq!(Paper::from_mm(80), Some(Paper::W80));
        assert_eq!(Paper::from_mm(76), None);
    }
}
