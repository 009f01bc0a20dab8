//! A typed client of the platform's `/rest/store` API.
//!
//! [`Platform`] is what the sync engine talks to; [`PlatformClient`] is its first
//! implementation (seed 000/002 dialect, documented and field servers alike), so other
//! dialects (seeds 001/004) can plug in later. Every failure is a [`PlatformError`] that
//! says whether the request **may have been applied** — the one fact exactly-once sync
//! needs. The password never appears in any error or log line.

use std::sync::Arc;
use std::time::Duration;

use futures::future::BoxFuture;
use serde_json::{json, Value};

use super::types::PlatformOrder;
use super::wire::{data_as, decode_envelope, Answer, OrderRow, Page, PlatformCount, ProductRow, ServiceRow};

/// Every way a platform call can fail.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlatformError {
    /// `status_code: 1` with the platform's message: a business refusal, nothing applied.
    #[error("platform refused: {message}")]
    Refused { message: String },
    /// 401 / auth message (after one re-login and retry): nothing applied.
    #[error("not authorized: {message}")]
    Auth { message: String },
    /// Login itself refused (`invalid.username`, `incorrect.password`, …).
    #[error("login refused: {message}")]
    LoginFailed { message: String },
    /// HTTP 404 (HTML page or JSON): nothing applied; for a GET, the thing is not there.
    #[error("not found (HTTP {status}): {detail}")]
    NotFound { status: u16, detail: String },
    /// Another 4xx: nothing applied.
    #[error("HTTP {status}: {detail}")]
    Http { status: u16, detail: String },
    /// 5xx (HTML crash page or other): the server may have committed before failing.
    #[error("server error HTTP {status}: {detail}")]
    Server { status: u16, detail: String },
    /// Could not connect at all: nothing was sent.
    #[error("cannot reach the platform: {detail}")]
    Connect { detail: String },
    /// Sent, no answer in time: outcome unknown.
    #[error("timed out waiting for the platform")]
    Timeout,
    /// The connection dropped before a whole answer: outcome unknown.
    #[error("connection lost: {detail}")]
    Reset { detail: String },
    /// An answer that is not the envelope (garbage, truncated JSON): outcome unknown.
    #[error("undecodable answer: {detail}")]
    Undecodable { detail: String },
}

impl PlatformError {
    /// True when the platform may have done what was asked (so a retry could double it).
    pub fn may_have_applied(&self) -> bool {
        matches!(
            self,
            PlatformError::Server { .. }
                | PlatformError::Timeout
                | PlatformError::Reset { .. }
                | PlatformError::Undecodable { .. }
        )
    }

    /// A business refusal: retrying the same request will be refused again.
    pub fn is_refusal(&self) -> bool {
        matches!(self, PlatformError::Refused { .. })
    }

    /// The platform could not be reached or did not answer (we are "offline").
    pub fn is_offline(&self) -> bool {
        matches!(self, PlatformError::Connect { .. } | PlatformError::Timeout | PlatformError::Reset { .. })
    }

    /// The platform's own words, when it said something.
    pub fn platform_message(&self) -> Option<&str> {
        match self {
            PlatformError::Refused { message }
            | PlatformError::Auth { message }
            | PlatformError::LoginFailed { message } => Some(message),
            _ => None,
        }
    }

    fn from_reqwest(e: reqwest::Error) -> PlatformError {
        PlatformError::from(crate::clients::transport::classify(e))
    }
}

impl From<crate::clients::transport::Transport> for PlatformError {
    fn from(t: crate::clients::transport::Transport) -> PlatformError {
        use crate::clients::transport::Transport;
        match t {
            Transport::Connect { detail } => PlatformError::Connect { detail },
            Transport::Timeout => PlatformError::Timeout,
            Transport::Reset { detail } => PlatformError::Reset { detail },
            Transport::Undecodable { detail } => PlatformError::Undecodable { detail },
        }
    }
}

pub type CResult<T> = Result<T, PlatformError>;

/// Where and how to reach the platform.
#[derive(Clone)]
pub struct ClientConfig {
    pub base_url: String,
    pub username: String,
    pub password: String,
    pub store_id: i64,
    pub store_name: String,
    pub connect_timeout: Duration,
    pub request_timeout: Duration,
}

impl std::fmt::Debug for ClientConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientConfig")
            .field("base_url", &self.base_url)
            .field("username", &self.username)
            .field("password", &"***")
            .field("store_id", &self.store_id)
            .field("connect_timeout", &self.connect_timeout)
            .field("request_timeout", &self.request_timeout)
            .finish()
    }
}

impl ClientConfig {
    pub fn new(base_url: &str, username: &str, password: &str, store_id: i64, store_name: &str) -> ClientConfig {
        ClientConfig {
            base_url: base_url.trim_end_matches('/').to_string(),
            username: username.into(),
            password: password.into(),
            store_id,
            store_name: store_name.into(),
            connect_timeout: Duration::from_secs(3),
            request_timeout: Duration::from_secs(10),
        }
    }

    pub fn with_timeouts(mut self, connect: Duration, total: Duration) -> ClientConfig {
        self.connect_timeout = connect;
        self.request_timeout = total;
        self
    }
}

/// One line of a counter order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewItem {
    pub product_id: i64,
    pub specification_id: Option<i64>,
    pub quantity: i64,
}

/// The customer of a counter order (seed 000 店员新建订单): `contact` (name, phone),
/// `invoice` 1 + `invoice_title`, `origin` OTHER. Never `pay_credit`: with no member
/// matched it would spend the clerk's own points. Its `Debug` hides the phone.
#[derive(Clone, Default, PartialEq)]
pub struct CreateExtras {
    pub contact_user: Option<String>,
    pub phone: Option<String>,
    pub invoice_title: Option<String>,
}

impl std::fmt::Debug for CreateExtras {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CreateExtras")
            .field("contact_user", &self.contact_user.as_ref().map(|_| "***"))
            .field("phone", &self.phone.as_deref().map(crate::domain::member::mask_mobile))
            .field("invoice_title", &self.invoice_title)
            .finish()
    }
}

impl CreateExtras {
    pub fn is_empty(&self) -> bool {
        self.phone.is_none() && self.contact_user.is_none() && self.invoice_title.is_none()
    }
    /// Adds the fields to a create body.
    pub fn apply(&self, body: &mut Value) {
        if self.is_empty() {
            return;
        }
        if self.phone.is_some() || self.contact_user.is_some() {
            body["contact"] = json!({
                "contact_user": self.contact_user.clone().unwrap_or_default(),
                "phone": self.phone.clone().unwrap_or_default(),
            });
        }
        if let Some(t) = &self.invoice_title {
            body["invoice"] = json!(1);
            body["invoice_title"] = json!(t);
        }
        body["origin"] = json!("OTHER");
    }
}

/// Filters of `GET /rest/store/order`: the documented ones and the field server's.
/// Its `Debug` hides the customer's name and phone (`contact_user`, `phone`, `search`).
#[derive(Clone, Default)]
pub struct OrderQuery {
    pub page_number: u32,
    pub page_size: u32,
    /// `ORDER` or `STORE_ORDER`.
    pub order_type: Option<String>,
    pub statuses: Vec<String>,
    pub contact_user: Option<String>,
    pub phone: Option<String>,
    pub order_number: Option<String>,
    /// Documented `startTime` / `endTime` (`yyyy-MM-dd[ HH:mm:ss]`).
    pub start_time: Option<String>,
    pub end_time: Option<String>,
    /// Field `createTime=D1&createTime=D2`.
    pub create_time: Option<(String, String)>,
    /// Field `month=YYYY-MM`.
    pub month: Option<String>,
    /// Field `search=` (exact order number, contact or phone).
    pub search: Option<String>,
}

impl std::fmt::Debug for OrderQuery {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let hidden = |v: &Option<String>| v.as_ref().map(|_| "***");
        f.debug_struct("OrderQuery")
            .field("page_number", &self.page_number)
            .field("page_size", &self.page_size)
            .field("order_type", &self.order_type)
            .field("statuses", &self.statuses)
            .field("contact_user", &hidden(&self.contact_user))
            .field("phone", &hidden(&self.phone))
            .field("order_number", &self.order_number)
            .field("start_time", &self.start_time)
            .field("end_time", &self.end_time)
            .field("create_time", &self.create_time)
            .field("month", &self.month)
            .field("search", &hidden(&self.search))
            .finish()
    }
}

impl OrderQuery {
    pub fn params(&self, store_id: i64) -> Vec<(String, String)> {
        let mut p = vec![
            ("pageNumber".to_string(), self.page_number.max(1).to_string()),
            ("pageSize".to_string(), if self.page_size == 0 { 30 } else { self.page_size }.to_string()),
            ("storeId".to_string(), store_id.to_string()),
        ];
        let mut opt = |k: &str, v: &Option<String>| {
            if let Some(v) = v {
                p.push((k.to_string(), v.clone()));
            }
        };
        opt("type", &self.order_type);
        opt("contactUser", &self.contact_user);
        opt("phone", &self.phone);
        opt("orderNumber", &self.order_number);
        opt("startTime", &self.start_time);
        opt("endTime", &self.end_time);
        opt("month", &self.month);
        opt("search", &self.search);
        for s in &self.statuses {
            p.push(("status".into(), s.clone()));
        }
        if let Some((a, b)) = &self.create_time {
            p.push(("createTime".into(), a.clone()));
            p.push(("createTime".into(), b.clone()));
        }
        p
    }
}

/// Filters of `GET /rest/store/order_customer_service`.
#[derive(Debug, Clone, Default)]
pub struct ServiceQuery {
    pub page_number: u32,
    pub page_size: u32,
    pub service_type: Option<String>,
    pub service_number: Option<String>,
    pub start_time: Option<String>,
    pub end_time: Option<String>,
}

impl ServiceQuery {
    pub fn params(&self, store_id: i64) -> Vec<(String, String)> {
        let mut p = vec![
            ("pageNumber".to_string(), self.page_number.max(1).to_string()),
            ("pageSize".to_string(), if self.page_size == 0 { 30 } else { self.page_size }.to_string()),
            ("storeId".to_string(), store_id.to_string()),
        ];
        for (k, v) in [
            ("serviceType", &self.service_type),
            ("serviceNumber", &self.service_number),
            ("startTime", &self.start_time),
            ("endTime", &self.end_time),
        ] {
            if let Some(v) = v {
                p.push((k.to_string(), v.clone()));
            }
        }
        p
    }
}

/// What the sync engine needs from a platform. Object-safe so a store can be wired to
/// whichever dialect its platform speaks.
pub trait Platform: Send + Sync {
    /// Which dialect, for logs and summaries.
    fn dialect(&self) -> &'static str;
    fn store_id(&self) -> i64;
    /// Which platform account this client acts as (creates from one account are serialized
    /// across every engine of this process: see `engine::platform::outlet`).
    fn account(&self) -> String {
        format!("{}#{}", self.dialect(), self.store_id())
    }
    fn login(&self) -> BoxFuture<'_, CResult<String>>;
    fn products(&self) -> BoxFuture<'_, CResult<Vec<ProductRow>>>;
    /// Every product of the full list, handed to `sink` one at a time (a 100,000-product
    /// catalog need not sit in memory whole). The default reads the list with [`Platform::products`].
    fn products_each<'a>(
        &'a self,
        sink: &'a mut (dyn FnMut(ProductRow) -> CResult<()> + Send),
    ) -> BoxFuture<'a, CResult<usize>> {
        Box::pin(async move {
            let rows = self.products().await?;
            let n = rows.len();
            for r in rows {
                sink(r)?;
            }
            Ok(n)
        })
    }
    fn product(&self, id: i64) -> BoxFuture<'_, CResult<ProductRow>>;
    fn product_search<'a>(
        &'a self,
        barcode: Option<&'a str>,
        name: Option<&'a str>,
    ) -> BoxFuture<'a, CResult<Vec<ProductRow>>>;
    fn create_store_order<'a>(
        &'a self,
        remark: &'a str,
        items: &'a [NewItem],
        extras: &'a CreateExtras,
    ) -> BoxFuture<'a, CResult<PlatformOrder>>;
    fn list_orders<'a>(&'a self, q: &'a OrderQuery) -> BoxFuture<'a, CResult<Page<OrderRow>>>;
    fn order_detail<'a>(&'a self, order_number: &'a str) -> BoxFuture<'a, CResult<PlatformOrder>>;
    /// PUT an action; Ok carries the platform's message (which proves nothing: read back).
    fn order_action<'a>(&'a self, order_number: &'a str, action: &'a str) -> BoxFuture<'a, CResult<String>>;
    fn order_count(&self) -> BoxFuture<'_, CResult<PlatformCount>>;
    /// POST a service; `body` without store fields (added here). Ok carries the message.
    fn create_service<'a>(&'a self, body: &'a Value) -> BoxFuture<'a, CResult<String>>;
    fn service_detail<'a>(&'a self, service_number: &'a str) -> BoxFuture<'a, CResult<ServiceRow>>;
    fn list_services<'a>(&'a self, q: &'a ServiceQuery) -> BoxFuture<'a, CResult<Page<ServiceRow>>>;
    /// WeChat NATIVE: the `codeUrl` to show as a QR code.
    fn push_order<'a>(&'a self, order_number: &'a str) -> BoxFuture<'a, CResult<String>>;
}

/// The `/rest/store` dialect over reqwest (rustls), with a shared login token.
pub struct PlatformClient {
    cfg: ClientConfig,
    http: reqwest::Client,
    /// (token, generation). A 401 with generation g logs in again only if nobody did since.
    token: tokio::sync::Mutex<(Option<String>, u64)>,
}

impl std::fmt::Debug for PlatformClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PlatformClient").field("cfg", &self.cfg).finish()
    }
}

#[derive(Clone, Copy)]
enum Verb {
    Get,
    Post,
    Put,
}

impl Verb {
    fn as_str(self) -> &'static str {
        match self {
            Verb::Get => "GET",
            Verb::Post => "POST",
            Verb::Put => "PUT",
        }
    }
}

impl PlatformClient {
    pub fn new(cfg: ClientConfig) -> CResult<PlatformClient> {
        let http = reqwest::Client::builder()
            .connect_timeout(cfg.connect_timeout)
            .timeout(cfg.request_timeout)
            .pool_idle_timeout(Duration::from_secs(30))
            .user_agent(concat!("storepos/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| PlatformError::Connect { detail: e.to_string() })?;
        Ok(PlatformClient { cfg, http, token: tokio::sync::Mutex::new((None, 0)) })
    }

    pub fn shared(cfg: ClientConfig) -> CResult<Arc<PlatformClient>> {
        Ok(Arc::new(PlatformClient::new(cfg)?))
    }

    pub fn config(&self) -> &ClientConfig {
        &self.cfg
    }

    async fn send(
        &self,
        verb: Verb,
        path: &str,
        query: &[(String, String)],
        body: Option<&Value>,
        token: Option<&str>,
    ) -> CResult<Answer> {
        let url = format!("{}{}", self.cfg.base_url, path);
        let mut rb = match verb {
            Verb::Get => self.http.get(&url),
            Verb::Post => self.http.post(&url),
            Verb::Put => self.http.put(&url),
        };
        if !query.is_empty() {
            rb = rb.query(query);
        }
        if let Some(t) = token {
            rb = rb.header(reqwest::header::AUTHORIZATION, t);
        }
        if let Some(b) = body {
            rb = rb.header(reqwest::header::CONTENT_TYPE, "application/json").body(b.to_string());
        }
        let started = std::time::Instant::now();
        let answer = async {
            let resp = rb.send().await.map_err(PlatformError::from_reqwest)?;
            let status = resp.status().as_u16();
            let bytes = resp.bytes().await.map_err(PlatformError::from_reqwest)?;
            Ok::<_, PlatformError>((status, bytes))
        }
        .await;
        // The path only: queries carry customer phone numbers and names (order search),
        // bodies the password; the token travels in a header and is never logged.
        let ms = started.elapsed().as_millis() as u64;
        let method = verb.as_str();
        match answer {
            Ok((status, bytes)) => {
                let decoded = decode_envelope(status, &bytes);
                match &decoded {
                    Ok(_) => tracing::debug!(method, path, status, ms, "platform call"),
                    Err(e) => tracing::debug!(method, path, status, ms, error = %e, "platform call refused"),
                }
                decoded
            }
            Err(e) => {
                tracing::debug!(method, path, ms, error = %e, "platform call failed");
                Err(e)
            }
        }
    }

    async fn do_login(&self) -> CResult<String> {
        let body = json!({ "username": self.cfg.username, "password": self.cfg.password });
        let answer = self.send(Verb::Post, "/rest/login", &[], Some(&body), None).await;
        match &answer {
            Ok(_) => tracing::info!(username = %self.cfg.username, "platform login"),
            Err(e) => tracing::warn!(username = %self.cfg.username, error = %e, "platform login failed"),
        }
        match answer {
            Ok(a) => {
                let v: Value = data_as(a)?;
                v.get("access_token")
                    .and_then(Value::as_str)
                    .filter(|t| !t.is_empty())
                    .map(str::to_string)
                    .ok_or_else(|| PlatformError::Undecodable { detail: "login answer without access_token".into() })
            }
            Err(PlatformError::Refused { message }) => Err(PlatformError::LoginFailed { message }),
            Err(e) => Err(e),
        }
    }

    async fn current_token(&self) -> CResult<(String, u64)> {
        let mut g = self.token.lock().await;
        if let Some(t) = &g.0 {
            return Ok((t.clone(), g.1));
        }
        let t = self.do_login().await?;
        g.0 = Some(t.clone());
        g.1 += 1;
        Ok((t, g.1))
    }

    async fn invalidate(&self, generation: u64) {
        let mut g = self.token.lock().await;
        if g.1 == generation {
            g.0 = None;
        }
    }

    /// An authorized call: on an auth failure, log in again once and retry (safe: an
    /// auth failure means the request was not applied).
    async fn call(&self, verb: Verb, path: &str, query: &[(String, String)], body: Option<&Value>) -> CResult<Answer> {
        let mut relogged = false;
        loop {
            let (token, generation) = self.current_token().await?;
            match self.send(verb, path, query, body, Some(&token)).await {
                Err(PlatformError::Auth { .. }) if !relogged => {
                    relogged = true;
                    self.invalidate(generation).await;
                }
                other => return other,
            }
        }
    }

    fn message(a: Answer) -> String {
        match a {
            Answer::Message(m) => m,
            Answer::Data(d) => d.to_string(),
        }
    }
}

fn seg(s: &str) -> String {
    // Order and service numbers are digits, letters and '-'; anything else is escaped.
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c.to_string()
            } else {
                format!("%{:02X}", c as u32 & 0xff)
            }
        })
        .collect()
}

impl Platform for PlatformClient {
    fn dialect(&self) -> &'static str {
        "rest-store"
    }

    fn store_id(&self) -> i64 {
        self.cfg.store_id
    }

    fn account(&self) -> String {
        format!("{} {} #{}", self.cfg.base_url.trim_end_matches('/'), self.cfg.username, self.cfg.store_id)
    }

    fn login(&self) -> BoxFuture<'_, CResult<String>> {
        Box::pin(async move {
            let t = self.do_login().await?;
            let mut g = self.token.lock().await;
            g.0 = Some(t.clone());
            g.1 += 1;
            Ok(t)
        })
    }

    fn products(&self) -> BoxFuture<'_, CResult<Vec<ProductRow>>> {
        Box::pin(async move {
            data_as(self.send(Verb::Get, "/rest/product", &[("all".into(), "true".into())], None, None).await?)
        })
    }

    fn products_each<'a>(
        &'a self,
        sink: &'a mut (dyn FnMut(ProductRow) -> CResult<()> + Send),
    ) -> BoxFuture<'a, CResult<usize>> {
        Box::pin(async move {
            // Streamed: rows are decoded and handed on as the answer arrives.
            let url = format!("{}/rest/product", self.cfg.base_url);
            let mut resp = self
                .http
                .get(&url)
                .query(&[("all", "true")])
                .timeout(Duration::from_secs(300))
                .send()
                .await
                .map_err(PlatformError::from_reqwest)?;
            let status = resp.status().as_u16();
            if status != 200 {
                let bytes = resp.bytes().await.map_err(PlatformError::from_reqwest)?;
                let rows: Vec<ProductRow> = data_as(decode_envelope(status, &bytes)?)?;
                let n = rows.len();
                for r in rows {
                    sink(r)?;
                }
                return Ok(n);
            }
            let mut parser = super::envelope_stream::EnvelopeStream::default();
            while let Some(chunk) = resp.chunk().await.map_err(PlatformError::from_reqwest)? {
                parser.feed(&chunk, sink)?;
            }
            parser.finish()
        })
    }

    fn product(&self, id: i64) -> BoxFuture<'_, CResult<ProductRow>> {
        Box::pin(async move { data_as(self.send(Verb::Get, &format!("/rest/product/{id}"), &[], None, None).await?) })
    }

    fn product_search<'a>(
        &'a self,
        barcode: Option<&'a str>,
        name: Option<&'a str>,
    ) -> BoxFuture<'a, CResult<Vec<ProductRow>>> {
        Box::pin(async move {
            let mut q = vec![];
            if let Some(b) = barcode {
                q.push(("barCode".to_string(), b.to_string()));
            }
            if let Some(n) = name {
                q.push(("name".to_string(), n.to_string()));
            }
            data_as(self.send(Verb::Get, "/rest/product_search", &q, None, None).await?)
        })
    }

    fn create_store_order<'a>(
        &'a self,
        remark: &'a str,
        items: &'a [NewItem],
        extras: &'a CreateExtras,
    ) -> BoxFuture<'a, CResult<PlatformOrder>> {
        Box::pin(async move {
            let items: Vec<Value> = items
                .iter()
                .map(|i| match i.specification_id {
                    Some(s) => {
                        json!({ "product_id": i.product_id, "product_specification_id": s, "quantity": i.quantity })
                    }
                    None => json!({ "product_id": i.product_id, "quantity": i.quantity }),
                })
                .collect();
            let mut body = json!({
                "store_id": self.cfg.store_id,
                "store_name": self.cfg.store_name,
                "payment_type": "STORE",
                "remark": remark,
                "order_items": items,
            });
            extras.apply(&mut body);
            let o: PlatformOrder = data_as(self.call(Verb::Post, "/rest/store/order", &[], Some(&body)).await?)?;
            if o.order_number.trim().is_empty() {
                return Err(PlatformError::Undecodable { detail: "created order without order_number".into() });
            }
            Ok(o)
        })
    }

    fn list_orders<'a>(&'a self, q: &'a OrderQuery) -> BoxFuture<'a, CResult<Page<OrderRow>>> {
        Box::pin(async move {
            data_as(self.call(Verb::Get, "/rest/store/order", &q.params(self.cfg.store_id), None).await?)
        })
    }

    fn order_detail<'a>(&'a self, order_number: &'a str) -> BoxFuture<'a, CResult<PlatformOrder>> {
        Box::pin(async move {
            data_as(self.call(Verb::Get, &format!("/rest/store/order/{}", seg(order_number)), &[], None).await?)
        })
    }

    fn order_action<'a>(&'a self, order_number: &'a str, action: &'a str) -> BoxFuture<'a, CResult<String>> {
        Box::pin(async move {
            let body = json!({ "store_id": self.cfg.store_id, "action": action.to_ascii_lowercase() });
            Ok(Self::message(
                self.call(Verb::Put, &format!("/rest/store/order/{}", seg(order_number)), &[], Some(&body)).await?,
            ))
        })
    }

    fn order_count(&self) -> BoxFuture<'_, CResult<PlatformCount>> {
        Box::pin(async move {
            data_as(
                self.call(
                    Verb::Get,
                    "/rest/store/order_count",
                    &[("storeId".into(), self.cfg.store_id.to_string())],
                    None,
                )
                .await?,
            )
        })
    }

    fn create_service<'a>(&'a self, body: &'a Value) -> BoxFuture<'a, CResult<String>> {
        Box::pin(async move {
            let mut b = body.clone();
            if let Value::Object(m) = &mut b {
                m.insert("store_id".into(), json!(self.cfg.store_id));
                m.insert("store_name".into(), json!(self.cfg.store_name));
            }
            Ok(Self::message(self.call(Verb::Post, "/rest/store/order_customer_service", &[], Some(&b)).await?))
        })
    }

    fn service_detail<'a>(&'a self, service_number: &'a str) -> BoxFuture<'a, CResult<ServiceRow>> {
        Box::pin(async move {
            data_as(
                self.call(Verb::Get, &format!("/rest/store/order_customer_service/{}", seg(service_number)), &[], None)
                    .await?,
            )
        })
    }

    fn list_services<'a>(&'a self, q: &'a ServiceQuery) -> BoxFuture<'a, CResult<Page<ServiceRow>>> {
        Box::pin(async move {
            data_as(
                self.call(Verb::Get, "/rest/store/order_customer_service", &q.params(self.cfg.store_id), None).await?,
            )
        })
    }

    fn push_order<'a>(&'a self, order_number: &'a str) -> BoxFuture<'a, CResult<String>> {
        Box::pin(async move {
            let body = json!({ "order_type": "Order", "order_number": order_number, "type": "NATIVE" });
            let v: Value = data_as(self.call(Verb::Post, "/rest/wx/push_order", &[], Some(&body)).await?)?;
            v.get("codeUrl")
                .and_then(Value::as_str)
                .map(str::to_string)
                .ok_or_else(|| PlatformError::Undecodable { detail: "push_order answer without codeUrl".into() })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_carries_both_dialects() {
        let q = OrderQuery {
            page_number: 2,
            page_size: 50,
            order_type: Some("STORE_ORDER".into()),
            start_time: Some("2024-01-01".into()),
            end_time: Some("2024-01-02".into()),
            create_time: Some(("2024-01-01".into(), "2024-01-02".into())),
            statuses: vec!["PAID_CONFIRM_PENDING".into(), "DELIVERING".into()],
            ..Default::default()
        };
        let p = q.params(7);
        assert!(p.contains(&("storeId".into(), "7".into())));
        assert_eq!(p.iter().filter(|(k, _)| k == "createTime").count(), 2);
        assert_eq!(p.iter().filter(|(k, _)| k == "status").count(), 2);
        assert!(p.contains(&("startTime".into(), "2024-01-01".into())));
    }

    #[test]
    fn debug_hides_the_password() {
        let c = ClientConfig::new("http://127.0.0.1:1/", "u", "s3cret-pw", 1, "店");
        assert_eq!(c.base_url, "http://127.0.0.1:1");
        assert!(!format!("{c:?}").contains("s3cret-pw"));
        let r = PlatformClient::new(c).unwrap();
        assert!(!format!("{r:?}").contains("s3cret-pw"));
    }

    #[test]
    fn applied_classification() {
        for e in [
            PlatformError::Timeout,
            PlatformError::Reset { detail: "x".into() },
            PlatformError::Server { status: 502, detail: "".into() },
            PlatformError::Undecodable { detail: "".into() },
        ] {
            assert!(e.may_have_applied(), "{e:?}");
        }
        for e in [
            PlatformError::Refused { message: "x".into() },
            PlatformError::Auth { message: "token.expired".into() },
            PlatformError::NotFound { status: 404, detail: "".into() },
            PlatformError::Connect { detail: "".into() },
            PlatformError::Http { status: 400, detail: "".into() },
        ] {
            assert!(!e.may_have_applied(), "{e:?}");
        }
        assert_eq!(seg("2401011200000001-3"), "2401011200000001-3");
        assert_eq!(seg("a/b"), "a%2Fb");
    }
}
