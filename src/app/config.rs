//! The platform connection (URL and store account), kept outside the ledger in a file
//! readable only by its owner (mode 0600): the password must not travel with a copied
//! ledger, nor ever be logged.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use crate::clients::channels::Secret;

use crate::app::error::{CommandError, ErrorCode};

#[derive(Clone, Serialize, Deserialize)]
pub struct PlatformConfig {
    pub url: String,
    pub username: String,
    pub password: String,
}

impl PlatformConfig {
    /// The platform client's settings for this store.
    pub fn client_config(&self, store_id: i64, store_name: &str) -> crate::clients::platform::client::ClientConfig {
        crate::clients::platform::client::ClientConfig::new(
            &self.url,
            &self.username,
            &self.password,
            store_id,
            store_name,
        )
    }
}

impl std::fmt::Debug for PlatformConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PlatformConfig")
            .field("url", &self.url)
            .field("username", &self.username)
            .field("password", &"***")
            .finish()
    }
}

pub fn path(data: &Path) -> PathBuf {
    data.join("central.json")
}

fn io(e: std::io::Error) -> CommandError {
    CommandError::new(ErrorCode::Storage, "无法保存平台连接配置", e.to_string())
}

pub fn save_platform(data: &Path, url: &str, username: &str, password: &str) -> Result<(), CommandError> {
    let url = url.trim_end_matches('/');
    if !(url.starts_with("http://") || url.starts_with("https://")) {
        return Err(CommandError::validation(
            "平台地址必须以 http:// 或 https:// 开头",
            "platform URL must start with http:// or https://",
        ));
    }
    let body = serde_json::to_vec_pretty(&PlatformConfig {
        url: url.into(),
        username: username.into(),
        password: password.into(),
    })
    .map_err(|e| io(e.into()))?;
    write_private(&path(data), &body).map_err(io)
}

/// Writes a file only its owner can read (mode 0600), atomically: a temp file, fsync,
/// rename. Every secret storepos keeps on disk goes through here.
pub fn write_private(path: &Path, body: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let tmp = path.with_extension("tmp");
    {
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create(true).truncate(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(0o600);
        }
        let mut f = opts.open(&tmp)?;
        f.write_all(body)?;
        f.sync_all()?;
    }
    std::fs::rename(&tmp, path)
}

pub fn load_platform(data: &Path) -> Result<Option<PlatformConfig>, CommandError> {
    match std::fs::read(path(data)) {
        Ok(b) => serde_json::from_slice(&b)
            .map(Some)
            .map_err(|e| CommandError::new(ErrorCode::Storage, "平台连接配置文件已损坏", e.to_string())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(io(e)),
    }
}

// ---- the other channels' credentials (`DATA/channels.json`, mode 0600, never in the ledger)

pub fn secrets_path(data: &Path) -> PathBuf {
    data.join("channels.json")
}

/// The credentials file could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum SecretsError {
    #[error("the channel credentials file is damaged: {0}")]
    Damaged(String),
    #[error("cannot read the channel credentials: {0}")]
    Read(std::io::Error),
    #[error("cannot save the channel credentials: {0}")]
    Write(std::io::Error),
}

pub fn load_secrets(data: &Path) -> Result<BTreeMap<String, Secret>, SecretsError> {
    match std::fs::read(secrets_path(data)) {
        Ok(b) => serde_json::from_slice(&b).map_err(|e| SecretsError::Damaged(e.to_string())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(BTreeMap::new()),
        Err(e) => Err(SecretsError::Read(e)),
    }
}

/// Atomic write, readable by the owner only.
pub fn save_secrets(data: &Path, s: &BTreeMap<String, Secret>) -> Result<(), SecretsError> {
    let body = serde_json::to_vec_pretty(s).map_err(|e| SecretsError::Write(e.into()))?;
    write_private(&secrets_path(data), &body).map_err(SecretsError::Write)
}

impl From<SecretsError> for CommandError {
    fn from(e: SecretsError) -> Self {
        let zh = match &e {
            SecretsError::Damaged(_) => "渠道凭据文件已损坏",
            SecretsError::Read(_) => "无法读取渠道凭据",
            SecretsError::Write(_) => "无法保存渠道凭据",
        };
        CommandError::new(ErrorCode::Storage, zh, e.to_string())
    }
}
