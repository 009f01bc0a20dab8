//! The platform connection (URL and store account), kept outside the ledger in a file
//! readable only by its owner (mode 0600): the password must not travel with a copied
//! ledger, nor ever be logged.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::commands::{CommandError, ErrorCode};

#[derive(Clone, Serialize, Deserialize)]
pub struct CentralConfig {
    pub url: String,
    pub username: String,
    pub password: String,
}

impl std::fmt::Debug for CentralConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CentralConfig")
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

pub fn save_central(data: &Path, url: &str, username: &str, password: &str) -> Result<(), CommandError> {
    let url = url.trim_end_matches('/');
    if !(url.starts_with("http://") || url.starts_with("https://")) {
        return Err(CommandError::validation(
            "平台地址必须以 http:// 或 https:// 开头",
            "central URL must start with http:// or https://",
        ));
    }
    let body = serde_json::to_vec_pretty(&CentralConfig {
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

pub fn load_central(data: &Path) -> Result<Option<CentralConfig>, CommandError> {
    match std::fs::read(path(data)) {
        Ok(b) => serde_json::from_slice(&b)
            .map(Some)
            .map_err(|e| CommandError::new(ErrorCode::Storage, "平台连接配置文件已损坏", e.to_string())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(io(e)),
    }
}
