//! The primary `/rest/store` platform as an [`OrderChannel`]: an adapter over the existing
//! [`Platform`] client. The primary sync engine (`crate::sync`) still drains the primary
//! outbox with its own richer rules (read-back of lying PUTs, after-sales); this adapter
//! lets the channel views (`channels_list`, mapping, reads) treat it like any channel.

use std::sync::Arc;

use futures::future::BoxFuture;
use serde_json::json;

use super::mapping::rest_status;
use super::{
    ChResult, ChannelAction, ChannelError, Dialect, OrderChannel, Pulled, RemoteLine, RemoteOrder, SaleReport, Tell,
};
use crate::central::client::{NewItem, OrderQuery, Platform};
use crate::central::types::PlatformOrder;
use crate::domain::order::{client_ref_marker, parse_client_ref_marker, Status};
use crate::ledger::outbox::CHANNEL_REST;

pub struct RestChannel {
    platform: Arc<dyn Platform>,
}

impl RestChannel {
    pub fn new(platform: Arc<dyn Platform>) -> RestChannel {
        RestChannel { platform }
    }

    pub fn order_from(o: &PlatformOrder) -> RemoteOrder {
        RemoteOrder {
            remote_id: o.order_number.clone(),
            number: o.order_number.clone(),
            status: rest_status(&o.status),
            refund_raw: None,
            our_ref: parse_client_ref_marker(&o.remark).map(str::to_string),
            total: Some(o.total_price),
            created_at: crate::sync::plan::parse_platform_time(&o.created_date),
            pickup: o.delivery_type != "FLASH",
            contact: o.contact_user.clone(),
            phone: o.phone.clone(),
            remark: o.remark.clone(),
            lines: o
                .order_items
                .iter()
                .map(|i| RemoteLine {
                    sku: match i.product_specification_id {
                        Some(s) => format!("{}-{s}", i.product_id),
                        None => i.product_id.to_string(),
                    },
                    name: i.product_name.clone(),
                    quantity: i.quantity,
                    price: i.price,
                })
                .collect(),
            extra: json!({ "type": o.order_type, "delivery_type": o.delivery_type, "payment_type": o.payment_type }),
        }
    }

    /// Ours → the store action that moves a primary order there (the table of seed 000).
    pub fn action_for(to: Status) -> Option<&'static str> {
        match to {
            Status::ClosedConfirmed => Some("complete"),
            Status::ClosedCanceled => Some("cancel"),
            Status::ConfirmedPickPending | Status::ConfirmedDeliverPending => Some("accept"),
            Status::Delivering => Some("delivering"),
            _ => None,
        }
    }
}

fn parse_sku(s: &str) -> Option<NewItem> {
    let (p, sp) = match s.split_once('-') {
        Some((p, sp)) => (p.parse().ok()?, Some(sp.parse().ok()?)),
        None => (s.parse().ok()?, None),
    };
    Some(NewItem { product_id: p, specification_id: sp, quantity: 0 })
}

impl OrderChannel for RestChannel {
    fn id(&self) -> &str {
        CHANNEL_REST
    }

    fn dialect(&self) -> Dialect {
        Dialect::RestStore
    }

    fn report_sale<'a>(&'a self, sale: &'a SaleReport) -> BoxFuture<'a, ChResult<RemoteOrder>> {
        Box::pin(async move {
            let mut items = vec![];
            for (sku, q) in &sale.items {
                let mut it = parse_sku(sku).ok_or_else(|| ChannelError::Unsupported { what: format!("sku {sku}") })?;
                it.quantity = *q;
                items.push(it);
            }
            let remark = format!("{} {}", sale.remark.trim(), client_ref_marker(&sale.client_ref)).trim().to_string();
            Ok(Self::order_from(&self.platform.create_store_order(&remark, &items).await?))
        })
    }

    fn find_sale<'a>(
        &'a self,
        client_ref: &'a str,
        _around: chrono::DateTime<chrono::Utc>,
    ) -> BoxFuture<'a, ChResult<Option<RemoteOrder>>> {
        Box::pin(async move {
            for page in 1..=5 {
                let q = OrderQuery {
                    page_number: page,
                    page_size: 50,
                    order_type: Some("STORE_ORDER".into()),
                    ..Default::default()
                };
                let p = self.platform.list_orders(&q).await?;
                if let Some(r) = p.list.iter().find(|r| parse_client_ref_marker(&r.remark) == Some(client_ref)) {
                    return Ok(Some(Self::order_from(&self.platform.order_detail(&r.order_number).await?)));
                }
                if p.is_last(50) {
                    break;
                }
            }
            Ok(None)
        })
    }

    fn get_order<'a>(&'a self, remote_id: &'a str) -> BoxFuture<'a, ChResult<RemoteOrder>> {
        Box::pin(async move { Ok(Self::order_from(&self.platform.order_detail(remote_id).await?)) })
    }

    fn tell<'a>(&'a self, remote_id: &'a str, _pickup: bool, tell: Tell) -> BoxFuture<'a, ChResult<RemoteOrder>> {
        Box::pin(async move {
            let action = match tell {
                Tell::Reject => "reject",
                Tell::Status(s) => Self::action_for(s).ok_or_else(|| ChannelError::Unsupported {
                    what: format!("no store action reaches {}", s.as_str()),
                })?,
            };
            self.platform.order_action(remote_id, action).await?;
            // The field server answers success even when it skipped the step: read back.
            Ok(Self::order_from(&self.platform.order_detail(remote_id).await?))
        })
    }

    fn pull<'a>(&'a self, pages: u32) -> BoxFuture<'a, ChResult<Pulled>> {
        Box::pin(async move {
            let mut out = Pulled { for_board: true, ..Default::default() };
            for page in 1..=pages.max(1) {
                let q = OrderQuery {
                    page_number: page,
                    page_size: 50,
                    order_type: Some("ORDER".into()),
                    ..Default::default()
                };
                let p = self.platform.list_orders(&q).await?;
                for r in &p.list {
                    out.orders.push(Self::order_from(&self.platform.order_detail(&r.order_number).await?));
                }
                if p.is_last(50) {
                    break;
                }
            }
            Ok(out)
        })
    }

    fn action<'a>(&'a self, remote_id: &'a str, action: &'a ChannelAction) -> BoxFuture<'a, ChResult<String>> {
        Box::pin(async move {
            match action {
                ChannelAction::Cancel => Ok(self.platform.order_action(remote_id, "cancel").await?),
                ChannelAction::Receipt => Ok(self.platform.order_action(remote_id, "complete").await?),
                other => Err(ChannelError::Unsupported {
                    what: format!("{} on the primary platform (use after-sales)", other.name()),
                }),
            }
        })
    }

    fn payment_status<'a>(&'a self, remote_id: &'a str) -> BoxFuture<'a, ChResult<bool>> {
        Box::pin(async move {
            let o = self.platform.order_detail(remote_id).await?;
            Ok(!matches!(
                Status::parse(&o.status),
                Some(Status::CreatedPayPending | Status::ClosedPayTimeout | Status::ClosedCanceled) | None
            ))
        })
    }
}
