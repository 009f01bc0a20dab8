//! Devices paired over the store LAN (issue 24): the one-time pairing codes (memory only,
//! five minutes, one at a time) and the keyed hash under which a device's credential is
//! stored (HMAC-SHA256 with a key in `DATA/device-key`, mode 0600, outside the ledger: a
//! copied ledger file hands out no device). The rows are `ledger::devices`; the commands
//! `commands::devices`; the HTTP check the server's `pairing` module.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The file holding the hashing key (32 random bytes).
pub const KEY_FILE: &str = "device-key";

/// How long a pairing code shown on the till stays valid.
pub const CODE_TTL: Duration = Duration::from_secs(5 * 60);

/// Wrong codes tried while one is pending before that code is withdrawn (the manager then
/// shows a new one). With 40-bit codes this leaves a guesser no chance.
pub const MAX_WRONG_CODES: u32 = 10;

/// Letters and digits that cannot be mistaken for one another when typed from the screen.
const CODE_ALPHABET: &[u8] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
const CODE_LEN: usize = 8;

struct Pending {
    code: String,
    expires: Instant,
    /// Who showed it (`username#id`), recorded on the device row.
    by: String,
}

#[derive(Default)]
struct Codes {
    pending: Option<Pending>,
    wrong: u32,
}

/// Why a code was not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeRefusal {
    /// No code is pending, it expired, it was used, or it is not the one shown.
    Invalid,
    /// Too many wrong codes: the pending one was withdrawn.
    Withdrawn,
}

/// Pairing codes and the credential hash key of one store.
pub struct DeviceHub {
    data_dir: PathBuf,
    key: OnceLock<[u8; 32]>,
    codes: Mutex<Codes>,
}

impl DeviceHub {
    pub fn new(data_dir: &Path) -> DeviceHub {
        DeviceHub { data_dir: data_dir.to_path_buf(), key: OnceLock::new(), codes: Mutex::default() }
    }

    /// The hashing key, read from `DATA/device-key` or made there on first use.
    ///
    /// Errors: the file cannot be read or written (the data dir is broken; no device can
    /// pair or be checked until it is fixed).
    fn key(&self) -> std::io::Result<&[u8; 32]> {
        if let Some(k) = self.key.get() {
            return Ok(k);
        }
        let path = self.data_dir.join(KEY_FILE);
        let key = match std::fs::read(&path) {
            Ok(b) if b.len() == 32 => {
                let mut k = [0u8; 32];
                k.copy_from_slice(&b);
                k
            }
            Ok(_) => return Err(std::io::Error::other(format!("{} is damaged", path.display()))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let k: [u8; 32] = rand::random();
                crate::app::config::write_private(&path, &k)?;
                k
            }
            Err(e) => return Err(e),
        };
        Ok(self.key.get_or_init(|| key))
    }

    /// The stored form of a device credential: hex HMAC-SHA256 under the store's key.
    pub fn credential_hash(&self, credential: &str) -> std::io::Result<String> {
        let mut mac = Hmac::<Sha256>::new_from_slice(self.key()?).expect("HMAC takes any key length");
        mac.update(credential.as_bytes());
        Ok(hex::encode(mac.finalize().into_bytes()))
    }

    /// A new one-time code, replacing any pending one (one QR on the till at a time).
    pub fn new_code(&self, by: &str, now: Instant) -> String {
        let code: String =
            (0..CODE_LEN).map(|_| CODE_ALPHABET[rand::random_range(0..CODE_ALPHABET.len())] as char).collect();
        let mut c = self.codes.lock().unwrap_or_else(|p| p.into_inner());
        c.pending = Some(Pending { code: code.clone(), expires: now + CODE_TTL, by: by.to_string() });
        c.wrong = 0;
        code
    }

    /// Uses up the pending code if `code` is it (case and separators ignored) and still
    /// valid; answers who showed it.
    pub fn take_code(&self, code: &str, now: Instant) -> Result<String, CodeRefusal> {
        let typed: String = code.chars().filter(|c| c.is_ascii_alphanumeric()).collect::<String>().to_ascii_uppercase();
        let mut c = self.codes.lock().unwrap_or_else(|p| p.into_inner());
        let Some(p) = c.pending.take() else { return Err(CodeRefusal::Invalid) };
        if p.expires <= now {
            return Err(CodeRefusal::Invalid);
        }
        if same(typed.as_bytes(), p.code.as_bytes()) {
            c.wrong = 0;
            return Ok(p.by);
        }
        c.wrong += 1;
        if c.wrong >= MAX_WRONG_CODES {
            c.wrong = 0;
            return Err(CodeRefusal::Withdrawn);
        }
        c.pending = Some(p);
        Err(CodeRefusal::Invalid)
    }

    /// Withdraws the pending code (LAN switched off).
    pub fn withdraw_code(&self) {
        self.codes.lock().unwrap_or_else(|p| p.into_inner()).pending = None;
    }
}

/// Constant-time comparison: the answer's timing says nothing about the code.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_works_once_and_not_after_five_minutes() {
        let dir = tempfile::tempdir().unwrap();
        let hub = DeviceHub::new(dir.path());
        let t0 = Instant::now();
        let code = hub.new_code("manager#3", t0);
        assert_eq!(code.len(), CODE_LEN);
        let typed = format!("{}-{}", &code[..4], code[4..].to_ascii_lowercase());
        assert_eq!(hub.take_code(&typed, t0), Ok("manager#3".into()), "case and dashes do not matter");
        assert_eq!(hub.take_code(&code, t0), Err(CodeRefusal::Invalid), "a code is one-time");
        let code = hub.new_code("manager#3", t0);
        assert_eq!(hub.take_code(&code, t0 + CODE_TTL), Err(CodeRefusal::Invalid), "expired after 5 minutes");
    }

    #[test]
    fn wrong_codes_withdraw_the_pending_one() {
        let dir = tempfile::tempdir().unwrap();
        let hub = DeviceHub::new(dir.path());
        let t0 = Instant::now();
        let code = hub.new_code("m", t0);
        for _ in 1..MAX_WRONG_CODES {
            assert_eq!(hub.take_code("WRONG000", t0), Err(CodeRefusal::Invalid));
        }
        assert_eq!(hub.take_code("WRONG000", t0), Err(CodeRefusal::Withdrawn));
        assert_eq!(hub.take_code(&code, t0), Err(CodeRefusal::Invalid), "the right code no longer works");
    }

    #[test]
    fn the_hash_is_keyed_and_the_key_private_and_kept() {
        let dir = tempfile::tempdir().unwrap();
        let a = DeviceHub::new(dir.path()).credential_hash("c").unwrap();
        assert_eq!(a, DeviceHub::new(dir.path()).credential_hash("c").unwrap(), "the key survives a restart");
        let other = tempfile::tempdir().unwrap();
        assert_ne!(a, DeviceHub::new(other.path()).credential_hash("c").unwrap(), "another store, another key");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join(KEY_FILE)).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600, "only the till's user reads the key");
        }
    }
}
