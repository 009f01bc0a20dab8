//! The customer display (客显 / 副屏): what the customer sees of the till — the cart's
//! lines and total, the WeChat QR while a payment is open, the change, 谢谢惠顾 after.
//!
//! The cart lives in the till's screen, so the till publishes its display state
//! (`display_update`, a seller's command); it is kept here in memory only and fanned out
//! to the paired display over `GET /api/display/events` (SSE) and `GET /api/display/state`.
//! A display is paired with this till by `display_pair`, which hands out a *display
//! token*: the server accepts it only on those two read-only routes. It is not a session
//! (it is never in the sessions table), so every command refuses it; pairing again
//! replaces the previous token (one display per till).

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use ts_rs::TS;

use serde::{Deserialize, Serialize};
use tokio::sync::broadcast;

use crate::app::error::{CommandError, ErrorCode};
use crate::domain::Money;

const TOKEN_FILE: &str = "display.json";
const MAX_LINES: usize = 200;
const MAX_TEXT: usize = 64;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default, TS)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// Nothing rung up: the display welcomes (欢迎光临).
    #[default]
    Idle,
    /// Lines being rung up.
    Cart,
    /// A WeChat code is open: the QR is shown.
    Wechat,
    /// Paid: change due and 谢谢惠顾.
    Paid,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(optional_fields = nullable)]
pub struct DisplayLine {
    pub name: String,
    #[serde(default)]
    pub spec: Option<String>,
    pub quantity: i64,
    pub unit_price: Money,
    pub line_total: Money,
}

/// What the till publishes.
#[derive(Debug, Clone, Serialize, Deserialize, Default, TS)]
#[serde(deny_unknown_fields)]
#[ts(optional_fields = nullable)]
pub struct DisplayState {
    pub phase: Phase,
    #[serde(default)]
    #[ts(as = "Option<_>", optional)]
    pub lines: Vec<DisplayLine>,
    #[serde(default)]
    pub total: Option<Money>,
    #[serde(default)]
    pub paid: Option<Money>,
    #[serde(default)]
    pub change: Option<Money>,
    /// "CASH" | "WECHAT".
    #[serde(default)]
    pub method: Option<String>,
    /// The open WeChat code (`weixin://wxpay/bizpayurl?pr=…`); the server draws its QR.
    #[serde(default)]
    pub code_url: Option<String>,
    #[serde(default)]
    pub expires_at: Option<String>,
}

impl DisplayState {
    pub fn check(&self) -> Result<(), CommandError> {
        let bad = |en: &str| CommandError::validation("客显内容无效", format!("invalid display state: {en}"));
        if self.lines.len() > MAX_LINES {
            return Err(bad("too many lines"));
        }
        let short = |s: &str| s.chars().count() <= MAX_TEXT;
        for l in &self.lines {
            if !short(&l.name) || !l.spec.as_deref().is_none_or(short) || !(1..=100_000).contains(&l.quantity) {
                return Err(bad("a line's name, spec or quantity"));
            }
        }
        if !self.method.as_deref().is_none_or(|m| m == "CASH" || m == "WECHAT") {
            return Err(bad("method"));
        }
        if let Some(u) = &self.code_url {
            if !u.starts_with("weixin://") || u.len() > 256 {
                return Err(bad("code_url"));
            }
        }
        if self.phase == Phase::Wechat && self.code_url.is_none() {
            return Err(bad("a wechat phase needs its code_url"));
        }
        if self.expires_at.as_deref().is_some_and(|s| s.len() > 40) {
            return Err(bad("expires_at"));
        }
        Ok(())
    }
}

/// What the display receives: the state, the QR drawn here, and a sequence number.
#[derive(Debug, Clone, Serialize, Default, TS)]
#[ts(rename = "DisplaySnapshot")]
pub struct Snapshot {
    pub seq: u64,
    pub store_name: String,
    pub till_code: String,
    pub state: DisplayState,
    pub qr_svg: Option<String>,
    pub updated_at: Option<String>,
}

pub struct DisplayHub {
    current: Mutex<Snapshot>,
    tx: broadcast::Sender<Snapshot>,
    /// sha256 of the paired display's token (None: no display paired).
    token_hash: Mutex<Option<String>>,
    file: PathBuf,
}

#[derive(Serialize, Deserialize)]
struct TokenFile {
    token_hash: String,
}

impl DisplayHub {
    pub fn new(data_dir: &Path) -> DisplayHub {
        let file = data_dir.join(TOKEN_FILE);
        let token_hash =
            std::fs::read(&file).ok().and_then(|b| serde_json::from_slice::<TokenFile>(&b).ok()).map(|t| t.token_hash);
        let (tx, _) = broadcast::channel(64);
        DisplayHub { current: Mutex::new(Snapshot::default()), tx, token_hash: Mutex::new(token_hash), file }
    }

    pub fn snapshot(&self) -> Snapshot {
        self.current.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Snapshot> {
        self.tx.subscribe()
    }

    pub fn update(&self, state: DisplayState, store_name: String, till_code: String) -> Result<u64, CommandError> {
        state.check()?;
        let qr_svg = match (&state.phase, &state.code_url) {
            (Phase::Wechat, Some(u)) => Some(super::qr::qr_svg(u)?),
            _ => None,
        };
        let mut cur = self.current.lock().unwrap_or_else(|p| p.into_inner());
        let next = Snapshot {
            seq: cur.seq + 1,
            store_name,
            till_code,
            state,
            qr_svg,
            updated_at: Some(crate::ledger::now_text()),
        };
        *cur = next.clone();
        drop(cur);
        let _ = self.tx.send(next.clone());
        Ok(next.seq)
    }

    /// A new display token (the previous one stops working), kept as a hash in a 0600 file.
    pub fn pair(&self) -> Result<String, CommandError> {
        let token = crate::app::auth::new_token();
        let hash = crate::app::auth::token_hash(&token);
        let body = serde_json::to_vec(&TokenFile { token_hash: hash.clone() }).unwrap_or_default();
        crate::app::config::write_private(&self.file, &body)
            .map_err(|e| CommandError::new(ErrorCode::Storage, "无法保存客显配对", e.to_string()))?;
        *self.token_hash.lock().unwrap_or_else(|p| p.into_inner()) = Some(hash);
        Ok(token)
    }

    pub fn unpair(&self) -> Result<(), CommandError> {
        match std::fs::remove_file(&self.file) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(CommandError::new(ErrorCode::Storage, "无法取消客显配对", e.to_string())),
        }
        *self.token_hash.lock().unwrap_or_else(|p| p.into_inner()) = None;
        Ok(())
    }

    pub fn paired(&self) -> bool {
        self.token_hash.lock().unwrap_or_else(|p| p.into_inner()).is_some()
    }

    /// Whether `token` is the paired display's token (constant-time compare of hashes).
    pub fn accepts(&self, token: &str) -> bool {
        let want = self.token_hash.lock().unwrap_or_else(|p| p.into_inner()).clone();
        let Some(want) = want else { return false };
        let got = crate::app::auth::token_hash(token);
        got.len() == want.len() && got.bytes().zip(want.bytes()).fold(0u8, |a, (x, y)| a | (x ^ y)) == 0
    }
}
