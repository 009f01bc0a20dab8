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

/// `text` with every mainland mobile number (11 digits starting 13–19, not part of a
/// longer number such as a 16-digit order number) replaced by `1**********`. For text
/// that comes from outside and may be logged or shown whole: a snippet of a platform's
/// garbled answer can hold a customer's phone.
pub fn mask_phones(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < b.len() {
        if b[i].is_ascii_digit() {
            let start = i;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            let run = &text[start..i];
            if run.len() == 11 && run.starts_with('1') && (b'3'..=b'9').contains(&run.as_bytes()[1]) {
                out.push_str("1**********");
            } else {
                out.push_str(run);
            }
        } else {
            let ch = text[i..].chars().next().expect("in bounds");
            out.push(ch);
            i += ch.len_utf8();
        }
    }
    out
}
