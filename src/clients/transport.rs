//! What a failed HTTP exchange with any platform means, once for every client (the
//! platform's `/rest` client and the other channels' clients map these into their own
//! error types). The question that matters for exactly-once is whether the request may
//! have reached the server: a refused connection sent nothing, anything after it might
//! have.

/// A transport failure, classified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Transport {
    /// Could not connect at all: nothing was sent.
    Connect { detail: String },
    /// Sent, no answer in time: outcome unknown.
    Timeout,
    /// The connection dropped before a whole answer: outcome unknown.
    Reset { detail: String },
    /// An answer that could not be read as what was asked: outcome unknown.
    Undecodable { detail: String },
}

/// Classifies a reqwest error. The URL's query is cut first: queries may name a customer
/// (`phone=`, `search=`) and these details end up in logs and on screens; the path stays.
pub fn classify(mut e: reqwest::Error) -> Transport {
    if let Some(u) = e.url_mut() {
        u.set_query(None);
    }
    let mut detail = e.to_string();
    let mut src = std::error::Error::source(&e);
    while let Some(inner) = src {
        detail.push_str(": ");
        detail.push_str(&inner.to_string());
        src = inner.source();
    }
    if e.is_connect() {
        Transport::Connect { detail }
    } else if e.is_timeout() {
        Transport::Timeout
    } else if e.is_decode() {
        Transport::Undecodable { detail }
    } else {
        // Request or body errors after the connection was up: the bytes may have
        // reached the server.
        Transport::Reset { detail }
    }
}
