//! The one error type every command returns: a stable code plus a Chinese and an
//! English message for people. Transports map the code to a status (HTTP) or pass it
//! through (Tauri, CLI); nobody parses the messages.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::domain::DomainError;
use crate::ledger::LedgerError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    UnknownCommand,
    BadRequest,
    /// The request body is over the transport's size limit.
    TooLarge,
    Validation,
    Unauthenticated,
    /// A request over the store LAN from a device that is not paired (or was revoked):
    /// the screen goes to pairing, not to the PIN pad.
    DeviceUnpaired,
    Forbidden,
    /// A guarded act needs a manager's approval (授权); `details` names the rule, the
    /// subject and the amount to ask `approval_grant` for.
    ApprovalRequired,
    /// Money is taken only in an open shift: this till has none (the screen offers to open one).
    NoOpenShift,
    RateLimited,
    NotFound,
    IllegalAction,
    Conflict,
    Offline,
    Platform,
    DiskFull,
    Storage,
    Internal,
}

impl ErrorCode {
    pub fn http_status(&self) -> u16 {
        match self {
            ErrorCode::UnknownCommand | ErrorCode::NotFound => 404,
            ErrorCode::BadRequest | ErrorCode::Validation => 400,
            ErrorCode::TooLarge => 413,
            ErrorCode::Unauthenticated | ErrorCode::DeviceUnpaired => 401,
            ErrorCode::Forbidden | ErrorCode::ApprovalRequired => 403,
            ErrorCode::IllegalAction | ErrorCode::Conflict | ErrorCode::NoOpenShift => 409,
            ErrorCode::RateLimited => 429,
            ErrorCode::Offline | ErrorCode::Platform => 502,
            ErrorCode::DiskFull | ErrorCode::Storage => 507,
            ErrorCode::Internal => 500,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, thiserror::Error, TS)]
#[error("{code:?}: {message_en}")]
pub struct CommandError {
    pub code: ErrorCode,
    pub message_zh: String,
    pub message_en: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub details: Option<serde_json::Value>,
}

impl CommandError {
    pub fn new(code: ErrorCode, zh: impl Into<String>, en: impl Into<String>) -> Self {
        CommandError { code, message_zh: zh.into(), message_en: en.into(), details: None }
    }
    pub fn with_details(mut self, d: serde_json::Value) -> Self {
        self.details = Some(d);
        self
    }
    pub fn validation(zh: impl Into<String>, en: impl Into<String>) -> Self {
        Self::new(ErrorCode::Validation, zh, en)
    }
    pub fn not_found(zh: impl Into<String>, en: impl Into<String>) -> Self {
        Self::new(ErrorCode::NotFound, zh, en)
    }
    pub fn forbidden() -> Self {
        Self::new(ErrorCode::Forbidden, "当前角色无权执行此操作", "your role is not allowed to do this")
    }
    pub fn unauthenticated() -> Self {
        Self::new(ErrorCode::Unauthenticated, "请先登录", "please log in first")
    }
}

impl From<LedgerError> for CommandError {
    fn from(e: LedgerError) -> Self {
        match &e {
            LedgerError::DiskFull => {
                CommandError::new(ErrorCode::DiskFull, "磁盘已满，本次操作未保存，请清理空间后重试", e.to_string())
            }
            LedgerError::ReadOnly(_) => {
                CommandError::new(ErrorCode::Storage, "账本为只读，本次操作未保存", e.to_string())
            }
            LedgerError::Busy => CommandError::new(ErrorCode::Storage, "账本正忙，请重试", e.to_string()),
            LedgerError::NotFound(what) => CommandError::not_found(format!("未找到：{what}"), e.to_string()),
            // Not "nothing was saved": nothing was opened. The person must install the newer program.
            LedgerError::TooNew { .. } => CommandError::new(
                ErrorCode::Storage,
                "账本由新版本的 storepos 写入，本程序无法打开（文件未作改动），请安装新版本",
                e.to_string(),
            ),
            _ => CommandError::new(ErrorCode::Storage, "本地账本出错，本次操作未保存", e.to_string()),
        }
    }
}

impl From<DomainError> for CommandError {
    fn from(e: DomainError) -> Self {
        let en = e.to_string();
        match &e {
            DomainError::TooManyDecimals(a) => CommandError::validation(format!("金额 {a} 超过两位小数"), en),
            DomainError::BadAmount(a) => CommandError::validation(format!("金额 {a} 无效"), en),
            DomainError::NegativeAmount(a) => CommandError::validation(format!("金额 {a} 不能为负"), en),
            DomainError::BadQuantity(q) if *q > crate::domain::order::MAX_QUANTITY => {
                CommandError::validation(format!("数量 {q} 超过上限 {}", crate::domain::order::MAX_QUANTITY), en)
            }
            DomainError::BadQuantity(q) => CommandError::validation(format!("数量 {q} 必须是正整数"), en),
            DomainError::IllegalAction { status, action, .. } => CommandError::new(
                ErrorCode::IllegalAction,
                format!("订单当前状态「{}」不允许执行「{}」", status.label_zh(), action.as_str()),
                en,
            ),
            DomainError::InsufficientTender { tendered, due } => {
                CommandError::validation(format!("实收 {tendered} 少于应收 {due}"), en)
            }
            DomainError::AfterSales(m) => CommandError::validation(format!("售后单无效：{m}"), en),
            DomainError::EmptyOrder => CommandError::validation("订单至少需要一个商品", en),
            DomainError::Invalid(m) => CommandError::validation(m.clone(), en),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serializes_code_and_both_messages() {
        let e = CommandError::forbidden();
        let v = serde_json::to_value(&e).unwrap();
        assert_eq!(v["code"], "forbidden");
        assert!(v["message_zh"].as_str().unwrap().contains("无权"));
        assert!(v.get("details").is_none());
        assert_eq!(ErrorCode::Forbidden.http_status(), 403);
    }
}
