//! The ticket model: what to print, independent of paper width and printer.
//! A [`Ticket`] is a list of [`Block`]s; [`fn@crate::layout`] turns it into lines
//! for a given paper, [`fn@crate::render`] into bytes, [`crate::layout::preview`]
//! into text. Serde so a print job can store the ticket it will print.

use serde::{Deserialize, Serialize};

/// Horizontal alignment of a text line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum Align {
    /// Flush left (default).
    #[default]
    Left,
    /// Centered.
    Center,
    /// Flush right.
    Right,
}

/// Character style of a line. Double width halves the columns available.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct TextStyle {
    /// Alignment (ignored for columns, which always span the full width).
    pub align: Align,
    /// Emphasized (`ESC E 1`).
    pub bold: bool,
    /// Each character twice as wide (`GS !`).
    pub double_width: bool,
    /// Each character twice as high (`GS !`).
    pub double_height: bool,
}

impl TextStyle {
    /// Plain, left aligned.
    pub fn plain() -> Self {
        Self::default()
    }
    /// Same style, centered.
    pub fn center(mut self) -> Self {
        self.align = Align::Center;
        self
    }
    /// Same style, right aligned.
    pub fn right(mut self) -> Self {
        self.align = Align::Right;
        self
    }
    /// Same style, bold.
    pub fn bold(mut self) -> Self {
        self.bold = true;
        self
    }
    /// Same style, double width.
    pub fn double_width(mut self) -> Self {
        self.double_width = true;
        self
    }
    /// Same style, double height.
    pub fn double_height(mut self) -> Self {
        self.double_height = true;
        self
    }
    /// Same style, double width and height.
    pub fn big(self) -> Self {
        self.double_width().double_height()
    }
}

/// One element of a ticket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Block {
    /// Text, wrapped to the paper; `\n` forces a line break.
    Text {
        /// The text (any Unicode; unprintable characters are replaced visibly).
        text: String,
        /// Style of every line of it.
        style: TextStyle,
    },
    /// `left … right` on one line: `left` wraps, `right` (an amount) stays
    /// right-aligned on the last line.
    Columns {
        /// Left part (a name), wraps.
        left: String,
        /// Right part (an amount), never wrapped unless wider than the paper.
        right: String,
        /// Style; `align` is ignored.
        style: TextStyle,
    },
    /// A full-width line of `ch` (`-`, `=`, `*`; ASCII, else `-` is used).
    Separator {
        /// The repeated character.
        ch: char,
    },
    /// A QR code of `payload`, centered.
    Qr {
        /// Bytes to encode (e.g. a WeChat `code_url`).
        payload: String,
    },
    /// `n` empty lines.
    Feed {
        /// Line count.
        lines: u8,
    },
    /// Feed past the tear bar and cut (cut only on printers with a cutter).
    Cut,
    /// Pulse the cash drawer (only on printers with a drawer).
    DrawerKick,
}

/// A ticket: blocks in print order. Build with the chaining methods.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Ticket {
    /// Blocks in print order.
    pub blocks: Vec<Block>,
}

impl Ticket {
    /// An empty ticket.
    pub fn new() -> Self {
        Self::default()
    }
    /// Appends text with a style.
    pub fn styled(mut self, text: impl Into<String>, style: TextStyle) -> Self {
        self.blocks.push(Block::Text { text: text.into(), style });
        self
    }
    /// Appends plain left-aligned text.
    pub fn text(self, text: impl Into<String>) -> Self {
        self.styled(text, TextStyle::plain())
    }
    /// Appends centered text.
    pub fn center(self, text: impl Into<String>) -> Self {
        self.styled(text, TextStyle::plain().center())
    }
    /// Appends `left … right` columns in plain style.
    pub fn columns(self, left: impl Into<String>, right: impl Into<String>) -> Self {
        self.columns_styled(left, right, TextStyle::plain())
    }
    /// Appends `left … right` columns with a style.
    pub fn columns_styled(mut self, left: impl Into<String>, right: impl Into<String>, style: TextStyle) -> Self {
        self.blocks.push(Block::Columns { left: left.into(), right: right.into(), style });
        self
    }
    /// Appends a `-` separator line.
    pub fn separator(self) -> Self {
        self.separator_of('-')
    }
    /// Appends a separator line of `ch`.
    pub fn separator_of(mut self, ch: char) -> Self {
        self.blocks.push(Block::Separator { ch });
        self
    }
    /// Appends a centered QR code.
    pub fn qr(mut self, payload: impl Into<String>) -> Self {
        self.blocks.push(Block::Qr { payload: payload.into() });
        self
    }
    /// Appends `lines` empty lines.
    pub fn feed(mut self, lines: u8) -> Self {
        self.blocks.push(Block::Feed { lines });
        self
    }
    /// Appends a cut.
    pub fn cut(mut self) -> Self {
        self.blocks.push(Block::Cut);
        self
    }
    /// Appends a drawer kick.
    pub fn drawer_kick(mut self) -> Self {
        self.blocks.push(Block::DrawerKick);
        self
    }
    /// Appends a block (for conditional building: `t.push(b)`).
    pub fn push(&mut self, block: Block) {
        self.blocks.push(block);
    }
}
