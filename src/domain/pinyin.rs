//! Pinyin initials for search ("农夫山泉" → "nfsq"): how cashiers type product names.

use pinyin::ToPinyin;

pub fn initials(name: &str) -> String {
    let mut out = String::new();
    for (ch, py) in name.chars().zip(name.to_pinyin()) {
        match py {
            Some(p) => out.push_str(p.first_letter()),
            None if ch.is_ascii_alphanumeric() => out.push(ch.to_ascii_lowercase()),
            None => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn initials_of_chinese_names() {
        assert_eq!(super::initials("农夫山泉"), "nfsq");
        assert_eq!(super::initials("农夫山泉550ml"), "nfsq550ml");
        assert_eq!(super::initials("珍珠奶茶(大杯)"), "zzncdb");
    }
}
