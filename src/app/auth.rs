//! PIN hashing (Argon2id, a deliberately slow hash) and session tokens.
//!
//! Only hashes are stored; a session token is random and stored as its SHA-256, so a
//! copied ledger file does not hand out live sessions.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use sha2::{Digest, Sha256};

/// PINs are 4 to 8 digits: what a cashier can type on a PIN pad.
pub fn valid_pin(pin: &str) -> bool {
    (4..=8).contains(&pin.len()) && pin.chars().all(|c| c.is_ascii_digit())
}

pub fn hash_pin(pin: &str) -> Result<String, String> {
    let salt_bytes: [u8; 16] = rand::random();
    let salt = SaltString::encode_b64(&salt_bytes).map_err(|e| e.to_string())?;
    Argon2::default().hash_password(pin.as_bytes(), &salt).map(|h| h.to_string()).map_err(|e| e.to_string())
}

pub fn verify_pin(pin: &str, hash: &str) -> bool {
    match PasswordHash::new(hash) {
        Ok(parsed) => Argon2::default().verify_password(pin.as_bytes(), &parsed).is_ok(),
        Err(_) => false,
    }
}

pub fn new_token() -> String {
    let bytes: [u8; 32] = rand::random();
    hex::encode(bytes)
}

pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Lock-out after repeated wrong PINs: none for the first 4 misses, then 30 s doubling
/// per further miss, capped at 15 minutes.
pub fn lockout_seconds(failed_attempts_after_this_one: i64) -> Option<i64> {
    if failed_attempts_after_this_one < 5 {
        return None;
    }
    let exp = (failed_attempts_after_this_one - 5).min(10) as u32;
    Some((30i64 << exp).min(900))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_and_verify() {
        let h = hash_pin("1234").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_pin("1234", &h));
        assert!(!verify_pin("1235", &h));
        assert!(!verify_pin("1234", "garbage"));
    }

    #[test]
    fn lockout_grows_and_caps() {
        assert_eq!(lockout_seconds(4), None);
        assert_eq!(lockout_seconds(5), Some(30));
        assert_eq!(lockout_seconds(6), Some(60));
        assert_eq!(lockout_seconds(30), Some(900));
        assert!(valid_pin("0000") && !valid_pin("12a4") && !valid_pin("123"));
    }
}
