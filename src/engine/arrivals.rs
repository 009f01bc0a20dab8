//! The one way an order from a platform lands on the clerk's board, whichever platform
//! sent it (the platform's online orders, a channel's own orders): its lines named and
//! priced as the platform has them (that is what the customer paid) with category and
//! kitchen station from the local catalog, its local number from the day's sequence of
//! its till code, one journal row. Called inside the pull's transaction.

use chrono::{DateTime, Timelike, Utc};

use crate::app::StoreConfig;
use crate::domain::order::{Arrival, Channel, Order, OrderLine, Status};
use crate::domain::Money;
use crate::ledger::{catalog, journal, now_text, orders, time_text, LedgerError};

/// One line as the platform sent it.
pub struct IncomingLine {
    pub product_id: i64,
    pub specification_id: Option<i64>,
    /// Empty: named from the local catalog.
    pub name: String,
    pub unit: Money,
    pub quantity: i64,
}

/// An order arriving from a platform.
pub struct Incoming {
    /// `W` for the platform's online orders, `C` for another channel's.
    pub till_code: &'static str,
    pub order_number: Option<String>,
    pub channel: Channel,
    pub status: Status,
    /// None: the sum of the lines.
    pub total: Option<Money>,
    pub remark: String,
    pub contact_user: String,
    pub phone: String,
    pub created: DateTime<Utc>,
    pub lines: Vec<IncomingLine>,
    /// Who writes the journal row and with what action (`online_order`, `channel_order`).
    pub actor: &'static str,
    pub action: &'static str,
    /// The journal row's detail before the line count and total (`FLASH 2611…`).
    pub source: String,
}

/// Records `inc` as a new local order and returns it.
pub fn record(tx: &rusqlite::Transaction<'_>, cfg: &StoreConfig, inc: Incoming) -> Result<Order, LedgerError> {
    let day = cfg.rule.day_of(inc.created).to_string();
    let local_hour = inc.created.with_timezone(&cfg.rule.tz).hour();
    let mut lines = Vec::with_capacity(inc.lines.len());
    for (i, l) in inc.lines.iter().enumerate() {
        let p = catalog::get(tx, l.product_id)?;
        let name = if !l.name.is_empty() {
            l.name.clone()
        } else {
            p.as_ref().map(|p| p.name.clone()).unwrap_or_else(|| format!("商品 {}", l.product_id))
        };
        // A negative price is a platform slip: the catalog's price, else nothing.
        let unit = if l.unit.is_negative() { p.as_ref().map(|p| p.price).unwrap_or(Money::ZERO) } else { l.unit };
        let (category, station) =
            p.as_ref().map(|p| (p.category_name.clone(), p.station.clone())).unwrap_or_else(|| ("线上".into(), None));
        let line = OrderLine::reported(
            i as i64 + 1,
            l.product_id,
            l.specification_id,
            name,
            category,
            station,
            unit,
            l.quantity,
        );
        lines.push(line);
    }
    let total = inc.total.unwrap_or_else(|| crate::domain::order::order_total(&lines));
    let seq = orders::next_day_seq(tx, &day, inc.till_code)?;
    let client_ref = uuid::Uuid::now_v7().to_string();
    let o = Order::arrived_online(Arrival {
        client_ref: client_ref.clone(),
        till_code: inc.till_code.into(),
        seq,
        business_day: day,
        order_number: inc.order_number,
        channel: inc.channel,
        status: inc.status,
        total,
        remark: inc.remark,
        contact_user: inc.contact_user,
        phone: inc.phone,
        created_at: time_text(inc.created),
        updated_at: now_text(),
        lines: lines.clone(),
    });
    orders::insert(tx, &o, &lines, None, local_hour, seq)?;
    journal::append(
        tx,
        journal::Entry {
            actor: inc.actor,
            entity: "order",
            entity_ref: &client_ref,
            action: inc.action,
            before: None,
            after: Some(inc.status.as_str()),
            detail: Some(format!("{} {} lines, total {total}", inc.source, lines.len())),
        },
    )?;
    Ok(o)
}
