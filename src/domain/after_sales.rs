//! After-sales services: REFUND (money only), RETURN (goods back + money), EXCHANGE
//! (goods back, other goods out). The rules are seed 000's "店员新建售后单":
//!
//! - a RETURN linked to an order takes each order line's quantity (we cap it at what was
//!   ordered minus what earlier services already took back); an unlinked RETURN needs
//!   `quantity` and `refund_fee` on every line;
//! - an EXCHANGE must be linked; every line has a quantity; a return line is worth
//!   `order line price × quantity`, an exchange line `product price × quantity`; if the
//!   returns are worth more the difference is `refund_fee`, otherwise `supplementary_fee`.
//!
//! Worked example from the seed: returns 3 × 30 = 90, exchanges 2 × 11 = 22 →
//! refund_fee 68, supplementary_fee null.

use std::collections::HashMap;
use ts_rs::TS;

use serde::{Deserialize, Serialize};

use super::order::validate_quantity;
use super::{DomainError, Money};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "UPPERCASE")]
pub enum ServiceType {
    Refund,
    Return,
    Exchange,
}

impl ServiceType {
    pub fn as_str(&self) -> &'static str {
        match self {
            ServiceType::Refund => "REFUND",
            ServiceType::Return => "RETURN",
            ServiceType::Exchange => "EXCHANGE",
        }
    }
    pub fn parse(s: &str) -> Option<ServiceType> {
        [ServiceType::Refund, ServiceType::Return, ServiceType::Exchange].into_iter().find(|t| t.as_str() == s)
    }
}

/// After-sales is for orders the customer paid for: not for one still waiting for
/// payment, cancelled, or timed out, nor one already refunded in full (CLOSED_REFUNDED).
/// Where a service goes (platform or store only) is `after_sales_rules::route`.
pub fn order_accepts_service(status: super::order::Status) -> Result<(), DomainError> {
    use super::order::Status::*;
    match status {
        CreatedPayPending | ClosedPayTimeout | ClosedCanceled => {
            Err(DomainError::AfterSales(format!("order is {}: nothing was paid", status.as_str())))
        }
        ClosedRefunded => Err(DomainError::AfterSales("order is CLOSED_REFUNDED: already refunded in full".into())),
        _ => Ok(()),
    }
}

/// An order line as after-sales needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SoldLine {
    pub line_no: i64,
    pub product_id: i64,
    pub specification_id: Option<i64>,
    pub name: String,
    pub unit_price: Money,
    pub quantity: i64,
}

/// A return line names an order line by `line_no` (our UI) or by product (the
/// platform's request format, used by `storepos after-sales quote`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(optional_fields = nullable)]
pub struct ReturnRequest {
    #[serde(default)]
    pub line_no: Option<i64>,
    #[serde(default)]
    pub product_id: Option<i64>,
    #[serde(default)]
    pub product_specification_id: Option<i64>,
    #[serde(default)]
    pub quantity: Option<i64>,
    #[serde(default)]
    pub refund_fee: Option<Money>,
    /// For unlinked returns: what the item is called on the slip.
    #[serde(default)]
    pub name: Option<String>,
}

/// An exchange line, already priced from the catalog by the caller.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExchangeLine {
    pub product_id: i64,
    #[serde(default)]
    pub specification_id: Option<i64>,
    pub name: String,
    pub unit_price: Money,
    pub quantity: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct QuotedLine {
    pub line_no: Option<i64>,
    pub product_id: i64,
    pub specification_id: Option<i64>,
    pub name: String,
    pub quantity: i64,
    pub amount: Money,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Quote {
    pub service_type: ServiceType,
    pub refund_fee: Option<Money>,
    pub supplementary_fee: Option<Money>,
    pub returns: Vec<QuotedLine>,
    pub exchanges: Vec<QuotedLine>,
}

pub struct QuoteInput<'a> {
    pub service_type: ServiceType,
    /// `None` for an unlinked RETURN.
    pub order_lines: Option<&'a [SoldLine]>,
    /// Quantity already taken back per `line_no` by earlier services.
    pub already_returned: &'a HashMap<i64, i64>,
    /// For REFUND: the amount asked for; capped at the order total.
    pub refund_fee: Option<Money>,
    pub returns: &'a [ReturnRequest],
    pub exchanges: &'a [ExchangeLine],
}

fn bad(msg: impl Into<String>) -> DomainError {
    DomainError::AfterSales(msg.into())
}

fn find_line<'a>(lines: &'a [SoldLine], r: &ReturnRequest) -> Result<&'a SoldLine, DomainError> {
    let hit = match (r.line_no, r.product_id) {
        (Some(n), _) => lines.iter().find(|l| l.line_no == n),
        (None, Some(p)) => lines.iter().find(|l| {
            l.product_id == p
                && (r.product_specification_id.is_none() || l.specification_id == r.product_specification_id)
        }),
        (None, None) => return Err(bad("return line needs line_no or product_id")),
    };
    hit.ok_or_else(|| bad(format!("return line {:?}/{:?} is not on the order", r.line_no, r.product_id)))
}

pub fn quote(input: &QuoteInput<'_>) -> Result<Quote, DomainError> {
    match input.service_type {
        ServiceType::Refund => quote_refund(input),
        ServiceType::Return => quote_return(input),
        ServiceType::Exchange => quote_exchange(input),
    }
}

fn quote_refund(input: &QuoteInput<'_>) -> Result<Quote, DomainError> {
    let lines = input.order_lines.ok_or_else(|| bad("REFUND must be linked to an order"))?;
    let fee = input.refund_fee.ok_or_else(|| bad("REFUND needs refund_fee"))?;
    if fee.is_negative() || fee == Money::ZERO {
        return Err(bad("refund_fee must be positive"));
    }
    let total: Money = lines.iter().map(|l| l.unit_price.times(l.quantity)).sum();
    if fee > total {
        return Err(bad(format!("refund_fee {fee} exceeds the order total {total}")));
    }
    Ok(Quote {
        service_type: ServiceType::Refund,
        refund_fee: Some(fee),
        supplementary_fee: None,
        returns: vec![],
        exchanges: vec![],
    })
}

/// Resolves linked return lines with the cap "ordered − already returned − earlier
/// lines of this same request".
fn linked_returns(
    input: &QuoteInput<'_>,
    lines: &[SoldLine],
    quantity_required: bool,
) -> Result<Vec<QuotedLine>, DomainError> {
    if input.returns.is_empty() {
        return Err(bad("at least one return line is needed"));
    }
    let mut taken: HashMap<i64, i64> = HashMap::new();
    let mut out = Vec::new();
    for r in input.returns {
        let line = find_line(lines, r)?;
        let remaining = returnable(line, input.already_returned) - taken.get(&line.line_no).copied().unwrap_or(0);
        let qty = match r.quantity {
            Some(q) => q,
            None if quantity_required => return Err(bad("every exchange return line needs a quantity")),
            None => remaining,
        };
        validate_quantity(qty).map_err(|_| bad(format!("line {}: nothing left to return", line.line_no)))?;
        if qty > remaining {
            return Err(bad(format!(
                "line {}: return {qty} but only {remaining} left of {}",
                line.line_no, line.quantity
            )));
        }
        *taken.entry(line.line_no).or_default() += qty;
        let mut amount = line.unit_price.times(qty);
        // A lower client refund_fee wins (the platform does the same).
        if let Some(f) = r.refund_fee {
            if f.is_negative() {
                return Err(DomainError::NegativeAmount(f.to_string()));
            }
            amount = amount.min(f);
        }
        out.push(QuotedLine {
            line_no: Some(line.line_no),
            product_id: line.product_id,
            specification_id: line.specification_id,
            name: line.name.clone(),
            quantity: qty,
            amount,
        });
    }
    Ok(out)
}

fn quote_return(input: &QuoteInput<'_>) -> Result<Quote, DomainError> {
    let returns = match input.order_lines {
        Some(lines) => linked_returns(input, lines, false)?,
        None => {
            if input.returns.is_empty() {
                return Err(bad("at least one return line is needed"));
            }
            input
                .returns
                .iter()
                .map(|r| {
                    let product_id = r.product_id.ok_or_else(|| bad("unlinked return line needs product_id"))?;
                    let qty = r.quantity.ok_or_else(|| bad("unlinked return line needs quantity"))?;
                    validate_quantity(qty)?;
                    let fee = r.refund_fee.ok_or_else(|| bad("unlinked return line needs refund_fee"))?;
                    if fee.is_negative() {
                        return Err(DomainError::NegativeAmount(fee.to_string()));
                    }
                    Ok(QuotedLine {
                        line_no: None,
                        product_id,
                        specification_id: r.product_specification_id,
                        name: r.name.clone().unwrap_or_else(|| format!("#{product_id}")),
                        quantity: qty,
                        amount: fee,
                    })
                })
                .collect::<Result<Vec<_>, _>>()?
        }
    };
    let refund: Money = returns.iter().map(|l| l.amount).sum();
    Ok(Quote {
        service_type: ServiceType::Return,
        refund_fee: Some(refund),
        supplementary_fee: None,
        returns,
        exchanges: vec![],
    })
}

fn quote_exchange(input: &QuoteInput<'_>) -> Result<Quote, DomainError> {
    let lines = input.order_lines.ok_or_else(|| bad("EXCHANGE must be linked to an order"))?;
    let returns = linked_returns(input, lines, true)?;
    if input.exchanges.is_empty() {
        return Err(bad("at least one exchange line is needed"));
    }
    let exchanges = input
        .exchanges
        .iter()
        .map(|e| {
            validate_quantity(e.quantity)?;
            Ok(QuotedLine {
                line_no: None,
                product_id: e.product_id,
                specification_id: e.specification_id,
                name: e.name.clone(),
                quantity: e.quantity,
                amount: e.unit_price.times(e.quantity),
            })
        })
        .collect::<Result<Vec<_>, DomainError>>()?;
    let back: Money = returns.iter().map(|l| l.amount).sum();
    let out: Money = exchanges.iter().map(|l| l.amount).sum();
    let (refund_fee, supplementary_fee) = if back > out { (Some(back - out), None) } else { (None, Some(out - back)) };
    Ok(Quote { service_type: ServiceType::Exchange, refund_fee, supplementary_fee, returns, exchanges })
}

/// What is still refundable of an order: paid − refunded before, never below zero.
pub fn refundable(paid: Money, refunded_before: Money) -> Money {
    let left = paid - refunded_before;
    if left.is_negative() {
        Money::ZERO
    } else {
        left
    }
}

/// How many of an order line may still be returned: ordered − already returned.
pub fn returnable(line: &SoldLine, already_returned: &HashMap<i64, i64>) -> i64 {
    (line.quantity - already_returned.get(&line.line_no).copied().unwrap_or(0)).max(0)
}

/// One order line's cap, as the wizard shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct LineCap {
    pub line_no: i64,
    pub ordered: i64,
    pub returnable: i64,
}

/// The caps a service on this order runs into ([`quote`] and [`check_refund_cap`]
/// enforce exactly these), published so the wizard never works them out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct Caps {
    pub lines: Vec<LineCap>,
    pub refundable: Money,
    pub paid: Money,
    pub refunded_before: Money,
}

pub fn caps(lines: &[SoldLine], already_returned: &HashMap<i64, i64>, paid: Money, refunded_before: Money) -> Caps {
    Caps {
        lines: lines
            .iter()
            .map(|l| LineCap { line_no: l.line_no, ordered: l.quantity, returnable: returnable(l, already_returned) })
            .collect(),
        refundable: refundable(paid, refunded_before),
        paid,
        refunded_before,
    }
}

/// Money cap across services: what this service gives back (its `refund_fee`) may not
/// exceed what was paid minus what earlier services already gave back. Services refused
/// (by the rules or by the platform) and cancelled ones are not "earlier services".
pub fn check_refund_cap(q: &Quote, paid: Money, refunded_before: Money) -> Result<(), DomainError> {
    let fee = q.refund_fee.unwrap_or(Money::ZERO);
    let left = refundable(paid, refunded_before);
    if fee > left {
        return Err(bad(format!(
            "refund {fee} exceeds what is still refundable ({left} of {paid} paid; {refunded_before} already refunded)"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn sold(line_no: i64, product_id: i64, price_yuan: i64, qty: i64) -> SoldLine {
        SoldLine {
            line_no,
            product_id,
            specification_id: None,
            name: format!("p{product_id}"),
            unit_price: Money::yuan(price_yuan),
            quantity: qty,
        }
    }

    #[test]
    fn only_paid_orders_take_a_service() {
        use crate::domain::order::Status;
        assert!(order_accepts_service(Status::CreatedPayPending).is_err());
        assert!(order_accepts_service(Status::ClosedCanceled).is_err());
        assert!(order_accepts_service(Status::ClosedConfirmed).is_ok());
        assert!(order_accepts_service(Status::Delivering).is_ok());
        assert!(order_accepts_service(Status::ClosedRefunded).is_err(), "a closed-refunded order takes none");
    }

    #[test]
    fn seed_worked_example() {
        let lines = [sold(1, 130, 30, 5)];
        let none = HashMap::new();
        let returns = [ReturnRequest { product_id: Some(130), quantity: Some(3), ..Default::default() }];
        let exchanges = [ExchangeLine {
            product_id: 122,
            specification_id: None,
            name: "x".into(),
            unit_price: Money::yuan(11),
            quantity: 2,
        }];
        let q = quote(&QuoteInput {
            service_type: ServiceType::Exchange,
            order_lines: Some(&lines),
            already_returned: &none,
            refund_fee: None,
            returns: &returns,
            exchanges: &exchanges,
        })
        .unwrap();
        assert_eq!(q.refund_fee, Some(Money::yuan(68)));
        assert_eq!(q.supplementary_fee, None);
        assert_eq!(serde_json::to_value(&q).unwrap()["supplementary_fee"], serde_json::Value::Null);
    }

    #[test]
    fn linked_return_takes_the_remaining_quantity_and_caps() {
        let lines = [sold(1, 7, 10, 4)];
        let mut before = HashMap::new();
        before.insert(1, 3);
        let all = [ReturnRequest { line_no: Some(1), ..Default::default() }];
        let q = quote(&QuoteInput {
            service_type: ServiceType::Return,
            order_lines: Some(&lines),
            already_returned: &before,
            refund_fee: None,
            returns: &all,
            exchanges: &[],
        })
        .unwrap();
        assert_eq!(q.returns[0].quantity, 1);
        assert_eq!(q.refund_fee, Some(Money::yuan(10)));
        let two = [ReturnRequest { line_no: Some(1), quantity: Some(2), ..Default::default() }];
        assert!(quote(&QuoteInput {
            service_type: ServiceType::Return,
            order_lines: Some(&lines),
            already_returned: &before,
            refund_fee: None,
            returns: &two,
            exchanges: &[]
        })
        .is_err());
        before.insert(1, 4);
        assert!(
            quote(&QuoteInput {
                service_type: ServiceType::Return,
                order_lines: Some(&lines),
                already_returned: &before,
                refund_fee: None,
                returns: &all,
                exchanges: &[]
            })
            .is_err(),
            "nothing left"
        );
    }

    #[test]
    fn unlinked_return_needs_quantity_and_fee() {
        let none = HashMap::new();
        let missing = [ReturnRequest { product_id: Some(5), quantity: Some(1), ..Default::default() }];
        assert!(quote(&QuoteInput {
            service_type: ServiceType::Return,
            order_lines: None,
            already_returned: &none,
            refund_fee: None,
            returns: &missing,
            exchanges: &[]
        })
        .is_err());
        let ok = [ReturnRequest {
            product_id: Some(5),
            quantity: Some(2),
            refund_fee: Some(Money::from_fen(4000)),
            ..Default::default()
        }];
        let q = quote(&QuoteInput {
            service_type: ServiceType::Return,
            order_lines: None,
            already_returned: &none,
            refund_fee: None,
            returns: &ok,
            exchanges: &[],
        })
        .unwrap();
        assert_eq!(q.refund_fee, Some(Money::yuan(40)));
    }

    #[test]
    fn lower_client_fee_wins_and_exchange_must_link() {
        let lines = [sold(1, 7, 10, 4)];
        let none = HashMap::new();
        let r = [ReturnRequest {
            line_no: Some(1),
            quantity: Some(2),
            refund_fee: Some(Money::yuan(15)),
            ..Default::default()
        }];
        let q = quote(&QuoteInput {
            service_type: ServiceType::Return,
            order_lines: Some(&lines),
            already_returned: &none,
            refund_fee: None,
            returns: &r,
            exchanges: &[],
        })
        .unwrap();
        assert_eq!(q.refund_fee, Some(Money::yuan(15)));
        assert!(quote(&QuoteInput {
            service_type: ServiceType::Exchange,
            order_lines: None,
            already_returned: &none,
            refund_fee: None,
            returns: &r,
            exchanges: &[]
        })
        .is_err());
    }

    /// One step of a random sequence of services on one order.
    #[derive(Debug, Clone)]
    enum Step {
        Refund(i64),
        Return { line: i64, qty: Option<i64> },
        Exchange { line: i64, qty: i64, price: i64, xq: i64 },
    }

    fn step() -> impl Strategy<Value = (Step, bool)> {
        let s = prop_oneof![
            (1i64..20_000).prop_map(Step::Refund),
            (1i64..4, proptest::option::of(1i64..6)).prop_map(|(line, qty)| Step::Return { line, qty }),
            (1i64..4, 1i64..6, 1i64..5_000, 1i64..4).prop_map(|(line, qty, price, xq)| Step::Exchange {
                line,
                qty,
                price,
                xq
            }),
        ];
        // The bool: the platform refuses it (a refused service consumes nothing).
        (s, proptest::bool::weighted(0.2))
    }

    proptest! {
        /// Caps across any sequence of services: returned quantities never exceed what was
        /// sold, refunds never exceed what was paid, and a refused service consumes nothing.
        #[test]
        fn caps_hold_across_any_sequence(
            qty in proptest::collection::vec(1i64..6, 3),
            price in proptest::collection::vec(1i64..3_000, 3),
            steps in proptest::collection::vec(step(), 0..25),
        ) {
            let lines: Vec<SoldLine> = (0..3).map(|i| SoldLine { line_no: i as i64 + 1, product_id: i as i64 + 1, specification_id: None, name: "x".into(), unit_price: Money::from_fen(price[i]), quantity: qty[i] }).collect();
            let paid: Money = lines.iter().map(|l| l.unit_price.times(l.quantity)).sum();
            let mut returned: HashMap<i64, i64> = HashMap::new();
            let mut refunded = Money::ZERO;
            for (st, refused) in steps {
                let (t, fee, returns, exchanges) = match &st {
                    Step::Refund(f) => (ServiceType::Refund, Some(Money::from_fen(*f)), vec![], vec![]),
                    Step::Return { line, qty } => (ServiceType::Return, None, vec![ReturnRequest { line_no: Some(*line), quantity: *qty, ..Default::default() }], vec![]),
                    Step::Exchange { line, qty, price, xq } => (
                        ServiceType::Exchange,
                        None,
                        vec![ReturnRequest { line_no: Some(*line), quantity: Some(*qty), ..Default::default() }],
                        vec![ExchangeLine { product_id: 9, specification_id: None, name: "y".into(), unit_price: Money::from_fen(*price), quantity: *xq }],
                    ),
                };
                let r = quote(&QuoteInput { service_type: t, order_lines: Some(&lines), already_returned: &returned, refund_fee: fee, returns: &returns, exchanges: &exchanges })
                    .and_then(|q| check_refund_cap(&q, paid, refunded).map(|_| q));
                let Ok(q) = r else { continue };
                if refused {
                    continue; // consumes nothing
                }
                for l in &q.returns {
                    *returned.entry(l.line_no.unwrap()).or_default() += l.quantity;
                }
                refunded += q.refund_fee.unwrap_or(Money::ZERO);
                for l in &lines {
                    prop_assert!(returned.get(&l.line_no).copied().unwrap_or(0) <= l.quantity, "line {} over-returned", l.line_no);
                }
                prop_assert!(refunded <= paid, "refunded {} > paid {}", refunded, paid);
                prop_assert!(!q.refund_fee.unwrap_or(Money::ZERO).is_negative());
            }
        }
    }

    #[test]
    fn refund_cap_counts_earlier_services() {
        let q = |f: i64| Quote {
            service_type: ServiceType::Refund,
            refund_fee: Some(Money::yuan(f)),
            supplementary_fee: None,
            returns: vec![],
            exchanges: vec![],
        };
        assert!(check_refund_cap(&q(60), Money::yuan(100), Money::yuan(40)).is_ok());
        assert!(check_refund_cap(&q(61), Money::yuan(100), Money::yuan(40)).is_err());
        assert!(check_refund_cap(&q(1), Money::yuan(100), Money::yuan(100)).is_err(), "all refunded: nothing left");
        let sup = Quote {
            service_type: ServiceType::Exchange,
            refund_fee: None,
            supplementary_fee: Some(Money::yuan(5)),
            returns: vec![],
            exchanges: vec![],
        };
        assert!(check_refund_cap(&sup, Money::yuan(100), Money::yuan(100)).is_ok(), "a supplement gives nothing back");
    }

    proptest! {
        /// refund − supplement = returns − exchanges; neither is negative; caps hold.
        #[test]
        fn exchange_balance(price in 1i64..50_000, qty in 1i64..20, ret in 1i64..20, before in 0i64..20, xp in 1i64..50_000, xq in 1i64..20) {
            let lines = [SoldLine { line_no: 1, product_id: 1, specification_id: None, name: "a".into(), unit_price: Money::from_fen(price), quantity: qty }];
            let mut prior = HashMap::new();
            prior.insert(1, before);
            let returns = [ReturnRequest { line_no: Some(1), quantity: Some(ret), ..Default::default() }];
            let exchanges = [ExchangeLine { product_id: 2, specification_id: None, name: "b".into(), unit_price: Money::from_fen(xp), quantity: xq }];
            let r = quote(&QuoteInput { service_type: ServiceType::Exchange, order_lines: Some(&lines), already_returned: &prior, refund_fee: None, returns: &returns, exchanges: &exchanges });
            if ret + before > qty {
                prop_assert!(r.is_err());
            } else {
                let q = r.unwrap();
                let refund = q.refund_fee.unwrap_or(Money::ZERO);
                let sup = q.supplementary_fee.unwrap_or(Money::ZERO);
                prop_assert!(!refund.is_negative() && !sup.is_negative());
                prop_assert!(q.refund_fee.is_none() || q.supplementary_fee.is_none());
                prop_assert_eq!((refund - sup).fen(), price * ret - xp * xq);
            }
        }
    }
}
