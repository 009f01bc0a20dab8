//! The order number people see and call out: `<till>-<seq>` such as `T1-0007`.
//!
//! The sequence restarts each business day per till, so two tills of one store never
//! collide (their till codes differ) and the number stays short enough to shout
//! across a counter. The platform's 16-digit `order_number` is attached by sync later.

pub fn format(till: &str, seq: i64) -> String {
    format!("{till}-{seq:04}")
}

/// Till codes go on paper and into the number: short, upper-case letters and digits.
pub fn valid_till_code(code: &str) -> bool {
    (1..=4).contains(&code.len()) && code.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    #[test]
    fn formats_and_validates() {
        assert_eq!(super::format("T1", 7), "T1-0007");
        assert_eq!(super::format("T2", 12345), "T2-12345");
        assert!(super::valid_till_code("T1"));
        assert!(!super::valid_till_code("t1"));
        assert!(!super::valid_till_code(""));
        assert!(!super::valid_till_code("T1-X"));
    }
}
