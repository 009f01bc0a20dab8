//! Fault injection settings and the seeded draw that decides each request's fate.
//!
//! Every `/rest` request draws the same number of values from one seeded RNG, in
//! arrival order, whatever the settings are; so re-running a client against a simulator
//! with the same seed and the same request sequence replays the same failures.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};

/// The run-time fault settings (`GET`/`POST /sim/faults`). Rates are probabilities 0..=1.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Faults {
    /// Delay before every `/rest` answer.
    pub latency_ms: u64,
    /// Answer 5xx (HTML) before doing anything.
    pub fail_rate: f64,
    /// Do the work, then answer 500 or drop the connection (half each).
    pub drop_after_commit: f64,
    /// Accept the request and never answer (the connection is closed after 10 minutes).
    pub timeout_rate: f64,
    /// Close the connection without an answer, before doing anything.
    pub reset_rate: f64,
    /// Answer HTTP 200 with a non-JSON body, before doing anything.
    pub garbage_rate: f64,
    /// push_order answers HTTP 500 (the server cannot reach WeChat).
    pub push_order_fail: bool,
    /// PUT /rest/store/order/{n} answers success and does nothing.
    pub lying_put: bool,
    /// Field mode: the original-path refund of a *WeChat-paid* order fails at this rate
    /// and then behaves like a cash order's (answer `order.refund.failure` with
    /// status_code 0, the service IS stored as CREATED, the order goes to
    /// CANCELED_RETURN_PENDING). Cash/STORE orders always fail that way. (It used to mean
    /// "nothing stored", which the real server never does.)
    #[serde(default)]
    pub refund_fail_rate: f64,
    /// Field mode: probability that a create reuses the millisecond of the previous create
    /// by the same account, so it gets the same order number.
    #[serde(default)]
    pub collide_rate: f64,
    /// Field mode: probability that a create which overlapped in time with another
    /// in-progress create from the same account deadlocks: `新建订单失败 - 库存不足`,
    /// nothing stored. Field default 0.25, documented 0.
    #[serde(default)]
    pub deadlock_rate: f64,
    /// Field mode: probability that any create answers `新建订单失败 - 库存不足` with
    /// nothing stored (for tests).
    #[serde(default)]
    pub stock_error_rate: f64,
    /// Field mode: a FLASH `accept` jumps straight to DELIVERED_CONFIRM_PENDING.
    pub flash_auto_deliver: bool,
    /// Field mode: the platform's VIP / store services fail, so a counter create whose
    /// `contact.phone` belongs to a member answers HTTP 500 HTML and stores nothing.
    #[serde(default)]
    pub member_service_fail: bool,
    /// Seed of the fault RNG (setting it reseeds).
    pub seed: u64,
}

impl Default for Faults {
    fn default() -> Self {
        Faults {
            latency_ms: 0,
            fail_rate: 0.0,
            drop_after_commit: 0.0,
            timeout_rate: 0.0,
            reset_rate: 0.0,
            garbage_rate: 0.0,
            push_order_fail: false,
            lying_put: false,
            refund_fail_rate: 0.0,
            collide_rate: 0.0,
            deadlock_rate: 0.0,
            stock_error_rate: 0.0,
            flash_auto_deliver: false,
            member_service_fail: false,
            seed: 1,
        }
    }
}

/// A partial update posted to `/sim/faults`; absent fields keep their value.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct FaultsPatch {
    pub latency_ms: Option<u64>,
    pub fail_rate: Option<f64>,
    pub drop_after_commit: Option<f64>,
    pub timeout_rate: Option<f64>,
    pub reset_rate: Option<f64>,
    pub garbage_rate: Option<f64>,
    pub push_order_fail: Option<bool>,
    pub lying_put: Option<bool>,
    pub refund_fail_rate: Option<f64>,
    pub collide_rate: Option<f64>,
    pub deadlock_rate: Option<f64>,
    pub stock_error_rate: Option<f64>,
    pub flash_auto_deliver: Option<bool>,
    pub member_service_fail: Option<bool>,
    /// One-shot: every token issued so far is expired now.
    #[serde(default)]
    pub expire_tokens_now: bool,
    pub seed: Option<u64>,
}

impl Faults {
    /// Apply a patch; returns true when the RNG must be reseeded.
    pub fn apply(&mut self, p: &FaultsPatch) -> bool {
        fn rate(v: Option<f64>, into: &mut f64) {
            if let Some(v) = v {
                *into = if v.is_finite() { v.clamp(0.0, 1.0) } else { 0.0 };
            }
        }
        if let Some(v) = p.latency_ms {
            self.latency_ms = v;
        }
        rate(p.fail_rate, &mut self.fail_rate);
        rate(p.drop_after_commit, &mut self.drop_after_commit);
        rate(p.timeout_rate, &mut self.timeout_rate);
        rate(p.reset_rate, &mut self.reset_rate);
        rate(p.garbage_rate, &mut self.garbage_rate);
        rate(p.refund_fail_rate, &mut self.refund_fail_rate);
        rate(p.collide_rate, &mut self.collide_rate);
        rate(p.deadlock_rate, &mut self.deadlock_rate);
        rate(p.stock_error_rate, &mut self.stock_error_rate);
        if let Some(v) = p.push_order_fail {
            self.push_order_fail = v;
        }
        if let Some(v) = p.lying_put {
            self.lying_put = v;
        }
        if let Some(v) = p.flash_auto_deliver {
            self.flash_auto_deliver = v;
        }
        if let Some(v) = p.member_service_fail {
            self.member_service_fail = v;
        }
        if let Some(s) = p.seed {
            self.seed = s;
            return true;
        }
        false
    }
}

/// What happens to one `/rest` request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fate {
    /// Handle normally.
    Normal,
    /// Never answer.
    Timeout,
    /// Close the connection without answering, nothing done.
    Reset,
    /// 5xx before doing anything (the status code to use).
    FailBefore(u16),
    /// HTTP 200 with a non-JSON body, nothing done.
    Garbage,
    /// Do the work, then answer 500.
    FailAfterCommit,
    /// Do the work, then drop the connection.
    DropAfterCommit,
}

/// The seeded fault RNG: one stream for request fates (seven draws per `/rest` request)
/// and a second one, seeded from the same seed, for business-level faults (three draws
/// per counter-order create, one per after-sales create), so neither shifts the other.
pub struct FaultRng {
    rng: StdRng,
    biz: StdRng,
}

/// The draws of one counter-order create (field mode).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CreateDraw {
    /// Reuse the previous create's millisecond (same order number).
    pub collide: bool,
    /// Deadlock if this create overlapped another one of the same account.
    pub deadlock_if_overlap: bool,
    /// Answer the stock error whatever happens.
    pub stock_error: bool,
}

impl FaultRng {
    pub fn new(seed: u64) -> Self {
        FaultRng { rng: StdRng::seed_from_u64(seed), biz: StdRng::seed_from_u64(seed ^ 0x5EED_C0DE_D1CE_F00D) }
    }

    /// Exactly three draws from the business stream, whatever the rates.
    pub fn create_draw(&mut self, f: &Faults) -> CreateDraw {
        let r: [f64; 3] = std::array::from_fn(|_| self.biz.random::<f64>());
        CreateDraw {
            collide: r[0] < f.collide_rate,
            deadlock_if_overlap: r[1] < f.deadlock_rate,
            stock_error: r[2] < f.stock_error_rate,
        }
    }

    /// Decide one request's fate. Always draws exactly seven values so the stream stays
    /// aligned with the request sequence whatever the rates are.
    pub fn draw(&mut self, f: &Faults) -> Fate {
        let r: [f64; 7] = std::array::from_fn(|_| self.rng.random::<f64>());
        if r[0] < f.timeout_rate {
            Fate::Timeout
        } else if r[1] < f.reset_rate {
            Fate::Reset
        } else if r[2] < f.fail_rate {
            Fate::FailBefore([500, 502, 503][(r[6] * 3.0) as usize % 3])
        } else if r[3] < f.garbage_rate {
            Fate::Garbage
        } else if r[4] < f.drop_after_commit {
            if r[5] < 0.5 {
                Fate::FailAfterCommit
            } else {
                Fate::DropAfterCommit
            }
        } else {
            Fate::Normal
        }
    }

    /// One draw from the business stream (the field-mode WeChat refund outcome).
    pub fn chance(&mut self, p: f64) -> bool {
        self.biz.random::<f64>() < p
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_schedule() {
        let f = Faults { fail_rate: 0.3, reset_rate: 0.1, drop_after_commit: 0.2, ..Faults::default() };
        let mut a = FaultRng::new(7);
        let mut b = FaultRng::new(7);
        let sa: Vec<Fate> = (0..200).map(|_| a.draw(&f)).collect();
        let sb: Vec<Fate> = (0..200).map(|_| b.draw(&f)).collect();
        assert_eq!(sa, sb);
        assert!(sa.contains(&Fate::Normal));
        assert!(sa.iter().any(|x| matches!(x, Fate::FailBefore(_))));
    }
}
