//! CSV for Excel: UTF-8 with a byte-order mark (so Excel opens Chinese right), CRLF
//! rows, RFC 4180 quoting, and a guard against formula injection.

/// U+FEFF, written first.
pub const BOM: &str = "\u{FEFF}";

/// True for a plain number (`12`, `-3.50`): Excel reads it as a number, never a formula,
/// so it is left alone; negative amounts stay numbers.
fn plain_number(s: &str) -> bool {
    let t = s.strip_prefix('-').unwrap_or(s);
    let mut parts = t.splitn(2, '.');
    let int = parts.next().unwrap_or("");
    let frac = parts.next();
    !int.is_empty()
        && int.bytes().all(|b| b.is_ascii_digit())
        && frac.is_none_or(|f| !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()))
}

/// One cell: a text starting with `=`, `+`, `-`, `@` (or a tab / carriage return, which
/// Excel strips before looking) gets a leading `'` so a spreadsheet shows it instead of
/// running it; then RFC 4180 quoting when it holds a comma, quote, CR or LF.
pub fn cell(s: &str) -> String {
    let guarded = match s.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') if !plain_number(s) => format!("'{s}"),
        _ => s.to_string(),
    };
    if guarded.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", guarded.replace('"', "\"\""))
    } else {
        guarded
    }
}

/// A whole file: BOM, header, rows, each row ended by CRLF.
pub fn to_csv(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut out = String::from(BOM);
    let line = |cells: &mut dyn Iterator<Item = String>| cells.collect::<Vec<_>>().join(",") + "\r\n";
    out.push_str(&line(&mut header.iter().map(|h| cell(h))));
    for r in rows {
        out.push_str(&line(&mut r.iter().map(|c| cell(c))));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_and_guard() {
        assert_eq!(cell("拿铁"), "拿铁");
        assert_eq!(cell("a,b"), "\"a,b\"");
        assert_eq!(cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(cell("line1\nline2"), "\"line1\nline2\"");
        assert_eq!(cell("=1+2"), "'=1+2");
        assert_eq!(cell("+86 138"), "'+86 138");
        assert_eq!(cell("-cmd|' /C calc'!A0"), "'-cmd|' /C calc'!A0");
        assert_eq!(cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(cell("=HYPERLINK(\"x\",\"y\")"), "\"'=HYPERLINK(\"\"x\"\",\"\"y\"\")\"");
        assert_eq!(cell("-3.50"), "-3.50");
        assert_eq!(cell("-"), "'-");
        assert_eq!(cell("-1e5"), "'-1e5");
        assert_eq!(cell(""), "");
    }

    #[test]
    fn file_has_bom_and_crlf() {
        let s = to_csv(&["名称", "金额"], &[vec!["咖啡,大杯".into(), "12.50".into()]]);
        assert!(s.starts_with('\u{FEFF}'));
        assert_eq!(s.as_bytes()[..3], [0xEF, 0xBB, 0xBF]);
        assert_eq!(&s[3..], "名称,金额\r\n\"咖啡,大杯\",12.50\r\n");
    }
}
