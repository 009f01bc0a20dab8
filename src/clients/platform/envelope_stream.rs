//! Decodes the platform's product list as it arrives: `{"status_code":0,"data":[row, …]}`
//! handed on row by row, so a 100,000-product catalog is never held whole (used by the
//! client's streamed `GET /rest/product?all=true`; the catalog refresh in the engine
//! applies the rows).

use super::client::PlatformError;
use super::wire::ProductRow;
use serde_json::Value;

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
enum St {
    #[default]
    Start,
    Key,
    Colon,
    Value,
    DataStart,
    DataItems,
    Done,
}

/// Decodes `{"status_code":0,"data":[row, row, …]}` incrementally: each element of `data`
/// is handed on as soon as its bytes are in, whatever the order of the envelope's keys.
/// A row that does not decode as a product is skipped (counted in `skipped`).
#[derive(Debug, Default)]
pub struct EnvelopeStream {
    buf: Vec<u8>,
    pos: usize,
    st: St,
    key: String,
    status_code: Option<i64>,
    message: Option<String>,
    pub rows: usize,
    pub skipped: usize,
}

enum Step<T> {
    Got(T),
    More,
}

impl EnvelopeStream {
    fn undecodable(&self, what: &str) -> PlatformError {
        let at = String::from_utf8_lossy(&self.buf[self.pos..(self.pos + 40).min(self.buf.len())]).into_owned();
        PlatformError::Undecodable { detail: format!("product list: {what} at {at:?}") }
    }

    fn skip_ws(&mut self) -> Option<u8> {
        while self.pos < self.buf.len() && self.buf[self.pos].is_ascii_whitespace() {
            self.pos += 1;
        }
        self.buf.get(self.pos).copied()
    }

    /// One JSON value at `pos`, only if at least one byte follows it (a number cut by a
    /// chunk boundary must not be taken for a whole one).
    fn value<T: serde::de::DeserializeOwned>(&mut self) -> Result<Step<T>, PlatformError> {
        let mut it = serde_json::Deserializer::from_slice(&self.buf[self.pos..]).into_iter::<T>();
        match it.next() {
            Some(Ok(v)) => {
                let used = it.byte_offset();
                if self.pos + used >= self.buf.len() {
                    return Ok(Step::More);
                }
                self.pos += used;
                Ok(Step::Got(v))
            }
            Some(Err(e)) if e.is_eof() => Ok(Step::More),
            None => Ok(Step::More),
            Some(Err(e)) => Err(self.undecodable(&e.to_string())),
        }
    }

    pub fn feed(
        &mut self,
        chunk: &[u8],
        sink: &mut (dyn FnMut(ProductRow) -> Result<(), PlatformError> + Send),
    ) -> Result<(), PlatformError> {
        self.buf.extend_from_slice(chunk);
        while let Some(b) = self.skip_ws() {
            match self.st {
                St::Start => {
                    if b != b'{' {
                        return Err(self.undecodable("not a JSON object"));
                    }
                    self.pos += 1;
                    self.st = St::Key;
                }
                St::Key => match b {
                    b'}' => {
                        self.pos += 1;
                        self.st = St::Done;
                    }
                    b',' => self.pos += 1,
                    _ => match self.value::<String>()? {
                        Step::Got(k) => {
                            self.key = k;
                            self.st = St::Colon;
                        }
                        Step::More => break,
                    },
                },
                St::Colon => {
                    if b != b':' {
                        return Err(self.undecodable("expected ':'"));
                    }
                    self.pos += 1;
                    self.st = if self.key == "data" { St::DataStart } else { St::Value };
                }
                St::DataStart => {
                    if b == b'[' {
                        self.pos += 1;
                        self.st = St::DataItems;
                    } else {
                        self.st = St::Value;
                    }
                }
                St::Value => match self.value::<Value>()? {
                    Step::Got(v) => {
                        match self.key.as_str() {
                            "status_code" => {
                                self.status_code = v.as_i64().or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))
                            }
                            "message" => self.message = v.as_str().map(str::to_string),
                            _ => {}
                        }
                        self.st = St::Key;
                    }
                    Step::More => break,
                },
                St::DataItems => match b {
                    b']' => {
                        self.pos += 1;
                        self.st = St::Key;
                    }
                    b',' => self.pos += 1,
                    _ => match self.value::<Value>()? {
                        Step::Got(v) => match serde_json::from_value::<ProductRow>(v) {
                            Ok(row) => {
                                self.rows += 1;
                                sink(row)?;
                            }
                            Err(_) => self.skipped += 1,
                        },
                        Step::More => break,
                    },
                },
                St::Done => {
                    self.pos = self.buf.len(); // trailing bytes: ignored
                    break;
                }
            }
        }
        // drop what was consumed (a row's bytes are all that is ever kept)
        if self.pos > 0 {
            self.buf.drain(..self.pos);
            self.pos = 0;
        }
        Ok(())
    }

    /// The answer ended: it must have been a whole envelope with `status_code` 0.
    pub fn finish(self) -> Result<usize, PlatformError> {
        if self.st != St::Done {
            return Err(PlatformError::Reset { detail: "product list ended early".into() });
        }
        match self.status_code {
            Some(0) => Ok(self.rows),
            _ => Err(PlatformError::Refused { message: self.message.unwrap_or_else(|| "product list refused".into()) }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode_in_chunks(body: &str, size: usize) -> Result<Vec<i64>, PlatformError> {
        let mut ids = vec![];
        let mut s = EnvelopeStream::default();
        {
            let mut sink = |r: ProductRow| -> Result<(), PlatformError> {
                ids.push(r.id);
                Ok(())
            };
            for c in body.as_bytes().chunks(size) {
                s.feed(c, &mut sink)?;
            }
        }
        s.finish()?;
        Ok(ids)
    }

    #[test]
    fn catalog_stream_decodes_rows_across_any_chunk_boundary() {
        let rows: Vec<String> = (1..=40).map(|i| format!(r#"{{"id":{i},"name":"商品{i}","category_id":1,"category_name":"饮料","price":{i}.50,"barcode":"69{i:011}","status":"ONSELL"}}"#)).collect();
        for body in [
            format!(r#"{{"status_code":0,"data":[{}]}}"#, rows.join(",")),
            format!("{{ \"data\" : [ {} ] , \"status_code\" : 0 }}\n", rows.join(" ,\n ")),
        ] {
            for size in [1, 2, 3, 7, 64, 100_000] {
                assert_eq!(decode_in_chunks(&body, size).unwrap(), (1..=40).collect::<Vec<_>>(), "chunk {size}");
            }
        }
        // refusals, truncation, garbage
        assert!(matches!(
            decode_in_chunks(r#"{"status_code":1,"message":"no"}"#, 5),
            Err(PlatformError::Refused { .. })
        ));
        assert!(matches!(
            decode_in_chunks(r#"{"status_code":0,"data":[{"id":1,"#, 5),
            Err(PlatformError::Reset { .. })
        ));
        assert!(matches!(decode_in_chunks("<html>500</html>", 5), Err(PlatformError::Undecodable { .. })));
        // a row that is not a product is skipped, the rest still arrive
        assert_eq!(
            decode_in_chunks(r#"{"status_code":0,"data":[{"id":"x"},{"id":2,"price":1}]}"#, 3).unwrap(),
            vec![2]
        );
    }
}
