//! WeChat Pay NATIVE against the real simulator on loopback, and cash: paid,
//! expired-and-renewed, push_order failing, paid-after-cancel, offline.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use storepos::commands::{dispatch, App, CommandError};
use storepos::transports::background::{self, Background};
/// The test's own runtime for the simulator (the app has its own for platform IO).
fn runtime() -> &'static tokio::runtime::Runtime {
    static RT: std::sync::OnceLock<tokio::runtime::Runtime> = std::sync::OnceLock::new();
    RT.get_or_init(|| tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap())
}
use storepos::services::setup::{init_store, InitOptions};
use storepos_sim::{Mode, SimArgs, SimHandle};

struct Store {
    _dir: tempfile::TempDir,
    app: Arc<App>,
    bg: Option<Background>,
    sim: Option<SimHandle>,
    base: String,
    cashier: String,
    http: reqwest::blocking::Client,
}

impl Drop for Store {
    fn drop(&mut self) {
        if let Some(bg) = self.bg.take() {
            bg.stop();
        }
        if let Some(s) = self.sim.take() {
            runtime().block_on(s.shutdown());
        }
    }
}

fn store() -> Store {
    let sim = runtime().block_on(storepos_sim::start(SimArgs { mode: Mode::Field, ..SimArgs::default() })).unwrap();
    let base = sim.base_url();
    let dir = tempfile::tempdir().unwrap();
    drop(init_store(dir.path(), &InitOptions::default()).unwrap());
    storepos::app::config::save_platform(dir.path(), &base, "store1", "store1pass").unwrap();
    let app = Arc::new(App::open(dir.path()).unwrap());
    let cashier = dispatch(&app, None, false, "session_login", json!({"username":"cashier","pin":"1111"})).unwrap()
        ["token"]
        .as_str()
        .unwrap()
        .to_string();
    // Money is taken only in an open shift.
    dispatch(&app, Some(&cashier), false, "shift_open", json!({"float": "0"})).unwrap();
    let bg = background::start(app.clone());
    Store { _dir: dir, app, bg: Some(bg), sim: Some(sim), base, cashier, http: reqwest::blocking::Client::new() }
}

impl Store {
    fn call(&self, cmd: &str, req: Value) -> Result<Value, CommandError> {
        dispatch(&self.app, Some(&self.cashier), false, cmd, req)
    }
    fn sale(&self) -> (String, Value) {
        let o = self
            .call("sale_create", json!({"lines":[{"product_id":1,"quantity":2},{"product_id":5,"quantity":1}]}))
            .unwrap();
        (o["client_ref"].as_str().unwrap().to_string(), o)
    }
    fn sim(&self, path: &str, body: Value) -> reqwest::blocking::Response {
        self.http.post(format!("{}{path}", self.base)).json(&body).send().unwrap()
    }
    fn order_number(&self, r: &str) -> String {
        let t = Instant::now();
        loop {
            let o = self.call("order_get", json!({"client_ref": r})).unwrap();
            if let Some(n) = o["order_number"].as_str() {
                return n.to_string();
            }
            assert!(t.elapsed() < Duration::from_secs(15), "order never synced");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
    fn wait_status(&self, r: &str, want: &str) -> Value {
        let t = Instant::now();
        loop {
            let s = self.call("wechat_status_get", json!({"client_ref": r})).unwrap();
            if s["state"] == want {
                return s;
            }
            assert!(t.elapsed() < Duration::from_secs(15), "status {s} never became {want}");
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

/// Rasterizes the `M{l} {t}h{w}v{h}H{l}V{t}` rectangles the qrcode crate writes.
fn decode_svg(svg: &str) -> String {
    let dim = |key: &str| -> u32 {
        let i = svg.find(&format!("{key}=\"")).unwrap() + key.len() + 2;
        svg[i..].split('"').next().unwrap().parse().unwrap()
    };
    let (w, h) = (dim("width"), dim("height"));
    let mut img = image::GrayImage::from_pixel(w, h, image::Luma([255]));
    let d = svg.split(" d=\"").nth(1).unwrap().split('"').next().unwrap();
    for rect in d.split('M').filter(|s| !s.is_empty()) {
        let nums: Vec<u32> = rect
            .split(|c: char| c.is_ascii_alphabetic() || c == ' ')
            .filter(|s| !s.is_empty())
            .map(|s| s.parse().unwrap())
            .collect();
        let (l, t, rw, rh) = (nums[0], nums[1], nums[2], nums[3]);
        for y in t..t + rh {
            for x in l..l + rw {
                img.put_pixel(x, y, image::Luma([0]));
            }
        }
    }
    let mut prep = rqrr::PreparedImage::prepare(img);
    let grids = prep.detect_grids();
    assert_eq!(grids.len(), 1);
    grids[0].decode().unwrap().1
}

#[test]
fn wechat_paid_on_screen_and_paper() {
    let s = store();
    let (r, _) = s.sale();
    let n = s.order_number(&r);
    let code = s.call("wechat_start", json!({"client_ref": r, "print_slip": true})).unwrap();
    let url = code["code_url"].as_str().unwrap().to_string();
    assert!(url.starts_with("weixin://wxpay/bizpayurl?pr="), "{url}");
    assert_eq!(decode_svg(code["qr_svg"].as_str().unwrap()), url, "screen QR");
    // Asking again while it is live shows the same code: never two live codes.
    let again = s.call("wechat_start", json!({"client_ref": r})).unwrap();
    assert_eq!(again["code_url"], code["code_url"]);
    assert_eq!(s.call("wechat_status_get", json!({"client_ref": r})).unwrap()["state"], "waiting");
    // The pay-later slip carries the same code as a raster QR.
    let job = s
        .call("print_job_list", json!({"client_ref": r}))
        .unwrap()
        .as_array()
        .unwrap()
        .iter()
        .find(|j| j["kind"] == "pay_slip")
        .cloned()
        .expect("pay slip job");
    let payload: String = s
        .app
        .ledger()
        .read()
        .query_row("SELECT payload FROM print_jobs WHERE id = ?1", [job["id"].as_i64().unwrap()], |x| x.get(0))
        .unwrap();
    let ticket =
        storepos::services::print_service::ticket_for(&s.app.config(), &serde_json::from_str(&payload).unwrap(), false)
            .unwrap();
    let bytes =
        storepos_printers::render(&ticket, &storepos_printers::PrinterProfile::new("t", storepos_printers::Paper::W80))
            .unwrap()
            .bytes;
    let decoded = storepos_printers::escpos_reader::decode(&bytes, storepos_printers::Paper::W80);
    let raster = decoded.raster_images.first().expect("raster QR on paper");
    let luma = raster.to_luma();
    let mut prep = rqrr::PreparedImage::prepare_from_greyscale(raster.width_dots, raster.height, |x, y| {
        luma[y * raster.width_dots + x]
    });
    assert_eq!(prep.detect_grids()[0].decode().unwrap().1, url, "paper QR");
    let kitchen = |s: &Store| {
        s.call("print_job_list", json!({"client_ref": r}))
            .unwrap()
            .as_array()
            .unwrap()
            .iter()
            .filter(|j| j["kind"] == "kitchen")
            .count()
    };
    assert_eq!(kitchen(&s), 0, "no 出品单 before the money is taken");
    // The customer pays.
    assert!(s.sim(&format!("/sim/pay/{n}"), json!({"code_url": url})).status().is_success());
    let st = s.wait_status(&r, "paid");
    let stations: std::collections::BTreeSet<String> = [1, 5]
        .iter()
        .filter_map(|id| storepos::ledger::catalog::get(s.app.ledger().read(), *id).unwrap().and_then(|p| p.station))
        .collect();
    assert_eq!(kitchen(&s), stations.len(), "WeChat confirmed prints one 出品单 per station");
    assert_eq!(st["order"]["status"], "CLOSED_CONFIRMED");
    assert_eq!(st["order"]["payment_method"], "WECHAT");
    assert_eq!(st["order"]["paid"], st["order"]["total"]);
    // Cash is no longer possible on a paid order.
    assert!(s.call("sale_cash_pay", json!({"client_ref": r, "tendered": "100"})).is_err());
}

#[test]
fn an_expired_code_is_replaced_never_reused() {
    let s = store();
    let (r, _) = s.sale();
    let n = s.order_number(&r);
    let first = s.call("wechat_start", json!({"client_ref": r})).unwrap();
    // Two hours pass: on the platform's clock and on ours.
    s.sim("/sim/clock", json!({"advance_s": 7300}));
    s.app.ledger().read().execute("UPDATE wechat_codes SET expires_at = '2000-01-01T00:00:00.000Z'", []).unwrap();
    assert_eq!(s.call("wechat_status_get", json!({"client_ref": r})).unwrap()["state"], "expired");
    let second = s.call("wechat_start", json!({"client_ref": r})).unwrap();
    assert_ne!(second["code_url"], first["code_url"]);
    let live: i64 = s
        .app
        .ledger()
        .read()
        .query_row("SELECT count(*) FROM wechat_codes WHERE client_ref = ?1 AND state = 'live'", [&r], |x| x.get(0))
        .unwrap();
    assert_eq!(live, 1);
    // The old code cannot be paid; the new one can.
    assert!(!s.sim(&format!("/sim/pay/{n}"), json!({"code_url": first["code_url"]})).status().is_success());
    assert!(s.sim(&format!("/sim/pay/{n}"), json!({"code_url": second["code_url"]})).status().is_success());
    s.wait_status(&r, "paid");
}

#[test]
fn push_order_failure_leaves_cash_available() {
    let s = store();
    let (r, o) = s.sale();
    s.order_number(&r);
    s.sim("/sim/faults", json!({"push_order_fail": true}));
    let e = s.call("wechat_start", json!({"client_ref": r})).unwrap_err();
    assert_eq!(serde_json::to_value(&e).unwrap()["code"], "platform");
    assert!(e.message_zh.contains("现金"), "{}", e.message_zh);
    let paid = s.call("sale_cash_pay", json!({"client_ref": r, "tendered": "100.00"})).unwrap();
    assert_eq!(paid["order"]["status"], "CLOSED_CONFIRMED");
    let total = storepos::domain::Money::parse(o["total"].as_str().unwrap()).unwrap();
    assert_eq!(paid["change"], (storepos::domain::Money::yuan(100) - total).to_string());
}

#[test]
fn a_payment_after_cancel_becomes_a_conflict() {
    let s = store();
    let (r, _) = s.sale();
    let n = s.order_number(&r);
    let code = s.call("wechat_start", json!({"client_ref": r})).unwrap();
    s.call("wechat_cancel", json!({"client_ref": r})).unwrap();
    s.call("order_cancel", json!({"client_ref": r, "reason": "顾客不要了"})).unwrap();
    // Wait for the cancel to reach the platform, then the customer scans the old code.
    let t = Instant::now();
    while s.call("order_get", json!({"client_ref": r})).unwrap()["sync_state"] != "synced" {
        assert!(t.elapsed() < Duration::from_secs(15));
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(s
        .sim(&format!("/sim/pay/{n}"), json!({"code_url": code["code_url"], "force": true}))
        .status()
        .is_success());
    let t = Instant::now();
    loop {
        let o = s.call("order_get", json!({"client_ref": r})).unwrap();
        if o["sync_state"] == "conflict" {
            assert!(o["conflict"]["message"].as_str().unwrap().contains("退款"));
            assert_eq!(o["status"], "CLOSED_CANCELED");
            break;
        }
        assert!(t.elapsed() < Duration::from_secs(20), "late payment was ignored: {o}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn offline_is_a_clear_message_and_cash_still_works() {
    let mut s = store();
    let (r, _) = s.sale();
    s.order_number(&r);
    runtime().block_on(s.sim.take().unwrap().shutdown());
    let e = s.call("wechat_start", json!({"client_ref": r})).unwrap_err();
    assert_eq!(serde_json::to_value(&e).unwrap()["code"], "offline", "{e:?}");
    let paid = s.call("sale_cash_pay", json!({"client_ref": r, "tendered": "50"})).unwrap();
    assert_eq!(paid["order"]["status"], "CLOSED_CONFIRMED");
}
