//! Checks of what people type, shared by every command that takes text.

use super::CommandError;

/// The longest free text (a remark, a reason) a command takes, in characters.
pub const MAX_TEXT: usize = 200;

pub fn check_text(what_zh: &str, what_en: &str, s: &str) -> Result<(), CommandError> {
    if s.chars().count() > MAX_TEXT {
        return Err(CommandError::validation(
            format!("{what_zh}过长（最多 {MAX_TEXT} 字）"),
            format!("{what_en} is too long (max {MAX_TEXT})"),
        ));
    }
    if s.contains("[spos:") {
        return Err(CommandError::validation(
            format!("{what_zh}含有保留字符"),
            format!("{what_en} contains a reserved marker"),
        ));
    }
    Ok(())
}
