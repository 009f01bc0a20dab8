//! What a transport that can open the till to the LAN offers the rest of the app: the
//! switch (implemented by the HTTP server, set once on the [`super::App`]) and what the
//! 局域网 tab shows.

use serde::Serialize;
use ts_rs::TS;

use super::error::CommandError;

/// What a transport that can open the till to the LAN offers the commands. Implemented
/// by the HTTP server; set once on the [`super::App`].
pub trait LanSwitch: Send + Sync {
    /// The current state.
    fn status(&self) -> LanStatus;
    /// Opens (binds the LAN listener, HTTPS only) or closes the till to the LAN. Closing
    /// ends every LAN connection, event streams included. The choice is remembered across
    /// restarts of the till.
    ///
    /// Errors: the LAN address cannot be bound (port in use), or the certificate cannot be
    /// made (the data dir is not writable).
    fn set(&self, on: bool) -> Result<LanStatus, CommandError>;
}

/// The 局域网 tab's view. No secrets: every device pairs with its own one-time code.
#[derive(Debug, Clone, Serialize, TS)]
pub struct LanStatus {
    pub enabled: bool,
    /// False in the desktop shell: only `storepos serve` can open the till to the LAN.
    pub switchable: bool,
    /// The address an iPad opens (`https://IP:port`), the till's first LAN address.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub url: Option<String>,
    /// Every address the till answers on (one per LAN address of the machine).
    pub urls: Vec<String>,
    /// SHA-256 of the store CA's certificate (`AB:CD:…`), to compare on the iPad.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub ca_fingerprint: Option<String>,
    /// Where the CA certificate (`.crt`) and the iOS profile (`.mobileconfig`) download.
    pub ca_cert_path: String,
    pub ca_profile_path: String,
}

impl LanStatus {
    /// The answer without a server behind the app.
    pub fn unavailable() -> LanStatus {
        LanStatus {
            enabled: false,
            switchable: false,
            url: None,
            urls: vec![],
            ca_fingerprint: None,
            ca_cert_path: CA_CERT_PATH.into(),
            ca_profile_path: CA_PROFILE_PATH.into(),
        }
    }
}

/// `GET` path of the store CA certificate (DER, `application/x-x509-ca-cert`).
pub const CA_CERT_PATH: &str = "/lan/storepos-ca.crt";
/// `GET` path of the iOS configuration profile carrying the store CA.
pub const CA_PROFILE_PATH: &str = "/lan/storepos-ca.mobileconfig";
