//! Kitchen production ticket (出品单) for one station (seed 003 flow).

use crate::ticket::{TextStyle, Ticket};
use serde::{Deserialize, Serialize};

/// Where the order came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Channel {
    /// 柜台: counter order.
    Counter,
    /// 自提: online, customer picks up.
    SelfPick,
    /// 闪送: online, courier delivers.
    Flash,
}

impl Channel {
    /// Label on paper.
    pub fn label(self) -> &'static str {
        match self {
            Channel::Counter => "柜台",
            Channel::SelfPick => "自提",
            Channel::Flash => "闪送",
        }
    }
}

/// Seed 003 order type: when the ticket prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Flow {
    /// 预订: printed on check-in or by hand.
    Booking,
    /// 外送: printed at once (seed 003 `deliver`).
    Deliver,
}

impl Flow {
    /// Label on paper.
    pub fn label(self) -> &'static str {
        match self {
            Flow::Booking => "预订",
            Flow::Deliver => "外送",
        }
    }
}

/// One line for this station.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KitchenLine {
    /// Product name.
    pub name: String,
    /// Quantity.
    pub quantity: i64,
    /// Line note (`少盐`).
    pub memo: Option<String>,
}

/// Everything a kitchen ticket shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KitchenData {
    /// Station name (`热菜`, `水吧`).
    pub station: String,
    /// Sequence number called aloud (`0007`), printed double size.
    pub sequence: String,
    /// Order channel.
    pub channel: Channel,
    /// Booking or deliver flow.
    pub flow: Flow,
    /// Order memo (`不要加辣椒`): bold, double height, framed.
    pub memo: Option<String>,
    /// Only this station's lines.
    pub lines: Vec<KitchenLine>,
    /// Prints `加单`: lines added to an order already in production.
    pub addition: bool,
    /// A void ticket (退单): the order was cancelled after this station printed it; the
    /// lines are what to stop making.
    #[serde(default)]
    pub void: bool,
    /// Prints `重印`: a copy requested by a person.
    pub reprint: bool,
    /// Time, local, formatted.
    pub time_local: String,
    /// Pickup contact (name / phone) for online orders.
    pub pickup_contact: Option<String>,
}

/// The channel line under the sequence number: `柜台` alone on a counter sale (it is made
/// here, for a customer at the counter: nothing is delivered), `闪送 / 外送` on a FLASH
/// order, `自提 / 预订` on a SELF_PICK order.
fn header_of(d: &KitchenData) -> String {
    match d.channel {
        Channel::Counter => d.channel.label().to_string(),
        Channel::SelfPick | Channel::Flash => format!("{} / {}", d.channel.label(), d.flow.label()),
    }
}

/// Builds the kitchen ticket: station, big sequence number, channel and flow,
/// `加单` / `重印` banners, the order memo framed by `*` lines in bold double
/// height, then the lines in bold double height with their memos.
pub fn kitchen_ticket(d: &KitchenData) -> Ticket {
    let title = if d.void { "退单" } else { "出品单" };
    let mut t = Ticket::new()
        .styled(format!("【{}】{title}", d.station), TextStyle::plain().center().bold())
        .styled(d.sequence.clone(), TextStyle::plain().center().bold().big())
        .center(header_of(d));
    if d.void {
        t = super::banner(t, "退单");
        t = t.styled("订单已取消，以下菜品停止制作", TextStyle::plain().center().bold());
    }
    if d.addition {
        t = super::banner(t, "加单");
    }
    if d.reprint {
        t = super::banner(t, "重印");
    }
    t = t.text(format!("时间：{}", d.time_local));
    if let Some(c) = d.pickup_contact.as_deref().filter(|c| !c.trim().is_empty()) {
        t = t.text(format!("取餐人：{c}"));
    }
    if let Some(m) = d.memo.as_deref().filter(|m| !m.trim().is_empty()) {
        t = t
            .separator_of('*')
            .styled(format!("备注：{m}"), TextStyle::plain().bold().double_height())
            .separator_of('*');
    } else {
        t = t.separator();
    }
    let mut count = 0i64;
    for l in &d.lines {
        count = count.saturating_add(l.quantity);
        t = t.columns_styled(l.name.clone(), format!("x{}", l.quantity), TextStyle::plain().bold().double_height());
        if let Some(m) = l.memo.as_deref().filter(|m| !m.trim().is_empty()) {
            t = t.styled(format!("  > {m}"), TextStyle::plain().bold());
        }
    }
    let total = if d.void { format!("退 {count} 份") } else { format!("共 {count} 份") };
    t.separator().columns(total, d.sequence.clone()).cut()
}
