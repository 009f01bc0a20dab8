//! The operations the outbox carries, as one typed enum. A row stores the tag in its
//! `op` column and the rest of the fields as JSON in `payload`; rows written by earlier
//! versions decode to the same variants.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::domain::order::Status;

/// One operation a platform must hear of.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Op {
    /// Primary platform: create the counter order (its marker carries our `client_ref`).
    Create,
    /// Primary platform: an order action (`complete`, `cancel`, `accept`, …) and what the
    /// order must read back as afterwards.
    Action { action: String, expect: Expect },
    /// Primary platform: an after-sales service (`service` is its client_ref).
    AfterSales {
        service: String,
        #[serde(default)]
        marker: Option<String>,
        #[serde(default)]
        id: Option<i64>,
    },
    /// Another channel: report a till sale (omni `from_client` 5 POS, 6 PAD).
    Report {
        #[serde(default = "pos")]
        from_client: i64,
    },
    /// Another channel: a status move of an order it holds.
    Status { action: String, to: Expect },
    /// Another channel: a person's action on one of its orders (seed 001 refunds, …).
    ChannelAction { remote_id: String, action: Value },
}

fn pos() -> i64 {
    5
}

impl Op {
    /// The tag stored in the `op` column.
    pub fn tag(&self) -> &'static str {
        match self {
            Op::Create => "create",
            Op::Action { .. } => "action",
            Op::AfterSales { .. } => "after_sales",
            Op::Report { .. } => "report",
            Op::Status { .. } => "status",
            Op::ChannelAction { .. } => "channel_action",
        }
    }

    /// The payload column: every field but the tag.
    pub fn payload(&self) -> Value {
        let mut v = serde_json::to_value(self).unwrap_or(Value::Null);
        if let Some(m) = v.as_object_mut() {
            m.remove("op");
        }
        v
    }

    /// Decodes a stored row (its `op` tag and `payload`). Rows of earlier versions decode
    /// to the same variants (migration 0009 gave their channel actions their own tag).
    pub fn decode(tag: &str, payload: &Value) -> Result<Op, String> {
        let mut v = match payload {
            Value::Object(m) => Value::Object(m.clone()),
            Value::Null => Value::Object(Default::default()),
            other => return Err(format!("payload of {tag} is not an object: {other}")),
        };
        v["op"] = Value::String(tag.to_string());
        serde_json::from_value(v).map_err(|e| format!("undecodable {tag} operation: {e}"))
    }
}

/// What an action expects to read back: a status on the order's path, or the order
/// leaving the store (a FLASH reject).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    Status(Status),
    LeftStore,
}

impl Expect {
    pub fn parse(s: &str) -> Option<Expect> {
        if s == "LEFT_STORE" {
            Some(Expect::LeftStore)
        } else {
            Status::parse(s).map(Expect::Status)
        }
    }
    pub fn as_str(&self) -> &'static str {
        match self {
            Expect::Status(s) => s.as_str(),
            Expect::LeftStore => "LEFT_STORE",
        }
    }
}

impl Serialize for Expect {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Expect {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Expect::parse(&s).ok_or_else(|| serde::de::Error::custom(format!("unknown status {s:?}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn rows_of_earlier_versions_decode() {
        assert_eq!(Op::decode("create", &json!({})).unwrap(), Op::Create);
        assert_eq!(
            Op::decode("action", &json!({"action": "complete", "expect": "CLOSED_CONFIRMED"})).unwrap(),
            Op::Action { action: "complete".into(), expect: Expect::Status(Status::ClosedConfirmed) }
        );
        assert_eq!(
            Op::decode("after_sales", &json!({"service": "s1", "marker": "[spos:s1]", "id": 3})).unwrap(),
            Op::AfterSales { service: "s1".into(), marker: Some("[spos:s1]".into()), id: Some(3) }
        );
        assert_eq!(Op::decode("report", &json!({})).unwrap(), Op::Report { from_client: 5 });
        assert_eq!(
            Op::decode("status", &json!({"action": "reject", "to": "LEFT_STORE"})).unwrap(),
            Op::Status { action: "reject".into(), to: Expect::LeftStore }
        );
        assert_eq!(
            Op::decode("channel_action", &json!({"remote_id": "9", "action": {"action": "cancel"}})).unwrap(),
            Op::ChannelAction { remote_id: "9".into(), action: json!({"action": "cancel"}) }
        );
    }

    #[test]
    fn payload_round_trips_without_the_tag() {
        for op in [
            Op::Create,
            Op::Action { action: "cancel".into(), expect: Expect::Status(Status::ClosedCanceled) },
            Op::Status { action: "accept".into(), to: Expect::Status(Status::ConfirmedPickPending) },
            Op::Report { from_client: 6 },
        ] {
            let p = op.payload();
            assert!(p.get("op").is_none());
            assert_eq!(Op::decode(op.tag(), &p).unwrap(), op);
        }
    }

    #[test]
    fn bad_rows_are_typed_errors() {
        assert!(Op::decode("teleport", &json!({})).is_err());
        assert!(Op::decode("action", &json!({"action": "complete", "expect": "NOWHERE"})).is_err());
        assert!(Op::decode("create", &json!([1])).is_err());
    }
}
