//! A fingerprint of a ledger's whole content: every table in `sqlite_schema` (FTS shadow
//! tables included), every row in key order, every column, hashed with a typed,
//! length-prefixed encoding. "A refused command changed nothing" means two fingerprints are
//! equal; an UPDATE of one column of one row is enough to make them differ (see the test
//! below), which a row count could never see.

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use rusqlite::types::ValueRef;
use rusqlite::{Connection, OpenFlags};
use sha2::{Digest, Sha256};

/// Per table: the number of rows and a digest of their content, so a failed comparison
/// names the table that changed.
#[derive(Clone, PartialEq, Eq)]
pub struct Fingerprint(pub BTreeMap<String, (usize, String)>);

impl fmt::Debug for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (t, (n, h)) in &self.0 {
            writeln!(f, "{t}: {n} rows {h}")?;
        }
        Ok(())
    }
}

impl Fingerprint {
    /// The tables whose content differs between two fingerprints (for messages).
    pub fn changed(&self, other: &Fingerprint) -> Vec<String> {
        let mut names: Vec<&String> = self.0.keys().chain(other.0.keys()).collect();
        names.sort();
        names.dedup();
        names.into_iter().filter(|t| self.0.get(*t) != other.0.get(*t)).cloned().collect()
    }
}

/// Every table of the ledger at `data_dir/storepos.db`, opened read-only.
pub fn of_dir(data_dir: &Path) -> Fingerprint {
    let c = Connection::open_with_flags(data_dir.join("storepos.db"), OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    of(&c, &[])
}

/// Every table of `c` except those named in `skip` (each caller says why it skips one).
pub fn of(c: &Connection, skip: &[&str]) -> Fingerprint {
    let mut st = c
        .prepare(
            "SELECT name, sql FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'
             ORDER BY name",
        )
        .unwrap();
    let tables: Vec<(String, String)> =
        st.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).unwrap().map(Result::unwrap).collect();
    let mut out = BTreeMap::new();
    for (t, sql) in tables {
        if skip.contains(&t.as_str()) {
            continue;
        }
        // A virtual table's rows live in its shadow tables (hashed on their own); an
        // external-content FTS table reads `products`, also hashed.
        if sql.to_ascii_uppercase().starts_with("CREATE VIRTUAL") {
            continue;
        }
        out.insert(t.clone(), table(c, &t, &sql));
    }
    Fingerprint(out)
}

fn table(c: &Connection, t: &str, sql: &str) -> (usize, String) {
    let without_rowid = sql.to_ascii_uppercase().replace(char::is_whitespace, "").ends_with("WITHOUTROWID");
    let q = if without_rowid {
        // Key order: the primary key's columns in key order.
        let mut st = c.prepare(&format!("SELECT name FROM pragma_table_info('{t}') WHERE pk > 0 ORDER BY pk")).unwrap();
        let pk: Vec<String> = st.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect();
        assert!(!pk.is_empty(), "{t}: WITHOUT ROWID table without a primary key?");
        let keys = pk.iter().map(|k| format!("\"{k}\"")).collect::<Vec<_>>().join(", ");
        format!("SELECT * FROM \"{t}\" ORDER BY {keys}")
    } else {
        // The rowid too: it is the identity other rows refer to.
        format!("SELECT rowid, * FROM \"{t}\" ORDER BY rowid")
    };
    let mut st = c.prepare(&q).unwrap();
    let n = st.column_count();
    let mut h = Sha256::new();
    for i in 0..n {
        field(&mut h, b'c', st.column_name(i).unwrap().as_bytes());
    }
    let mut rows = 0;
    let mut q = st.query([]).unwrap();
    while let Some(r) = q.next().unwrap() {
        rows += 1;
        h.update(b"\n");
        for i in 0..n {
            match r.get_ref(i).unwrap() {
                ValueRef::Null => h.update(b"N"),
                ValueRef::Integer(v) => field(&mut h, b'I', &v.to_be_bytes()),
                ValueRef::Real(v) => field(&mut h, b'R', &v.to_bits().to_be_bytes()),
                ValueRef::Text(v) => field(&mut h, b'T', v),
                ValueRef::Blob(v) => field(&mut h, b'B', v),
            }
        }
    }
    let d = h.finalize();
    (rows, d.iter().take(8).map(|b| format!("{b:02x}")).collect())
}

/// Type tag, length, bytes: no two different rows encode to the same stream.
fn field(h: &mut Sha256, tag: u8, bytes: &[u8]) {
    h.update([tag]);
    h.update((bytes.len() as u64).to_be_bytes());
    h.update(bytes);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ledger() -> (tempfile::TempDir, Connection) {
        let dir = tempfile::tempdir().unwrap();
        storepos::services::setup::init_store(dir.path(), &storepos::services::setup::InitOptions::default()).unwrap();
        let c = Connection::open(dir.path().join("storepos.db")).unwrap();
        (dir, c)
    }

    #[test]
    fn an_update_of_one_column_changes_the_fingerprint() {
        let (_dir, c) = ledger();
        let before = of(&c, &[]);
        assert!(before.0.contains_key("users") && before.0.contains_key("order_lines"), "{before:?}");
        assert!(before.0.contains_key("products_fts_data"), "FTS shadow tables are hashed: {before:?}");
        // Same row count, one integer column of one row changed.
        c.execute("UPDATE users SET failed_attempts = failed_attempts + 1 WHERE username = 'cashier'", []).unwrap();
        let after = of(&c, &[]);
        assert_ne!(before, after);
        assert_eq!(before.changed(&after), ["users"]);
        assert_eq!(before.0["users"].0, after.0["users"].0, "same number of rows");
        // And back: the fingerprint depends on content only.
        c.execute("UPDATE users SET failed_attempts = failed_attempts - 1 WHERE username = 'cashier'", []).unwrap();
        assert_eq!(before, of(&c, &[]));
        // A text value moved between two rows' columns is seen too (the encoding is positional).
        c.execute("UPDATE settings SET value = value || ' ' WHERE key = (SELECT min(key) FROM settings)", []).unwrap();
        assert_eq!(before.changed(&of(&c, &[])), ["settings"]);
    }

    #[test]
    fn a_without_rowid_table_and_null_versus_empty_are_seen() {
        let (_dir, c) = ledger();
        c.execute("INSERT INTO barcodes (barcode, product_id) VALUES ('fp-test', 1)", []).unwrap();
        let before = of(&c, &[]);
        // `barcodes` is WITHOUT ROWID: ordered and hashed by its key.
        c.execute("UPDATE barcodes SET specification_id = NULL WHERE barcode = 'fp-test'", []).unwrap();
        assert_eq!(before, of(&c, &[]), "setting NULL to NULL changes nothing");
        c.execute("UPDATE barcodes SET product_id = 2 WHERE barcode = 'fp-test'", []).unwrap();
        assert_eq!(before.changed(&of(&c, &[])), ["barcodes"]);
        c.execute("UPDATE barcodes SET product_id = 1 WHERE barcode = 'fp-test'", []).unwrap();
        // NULL and '' are different values.
        c.execute("UPDATE users SET locked_until = '' WHERE username = 'cashier'", []).unwrap();
        assert_eq!(before.changed(&of(&c, &[])), ["users"]);
        // Skipped tables are left out, and only they.
        let skipped = of(&c, &["users"]);
        assert!(!skipped.0.contains_key("users") && skipped.0.len() + 1 == before.0.len());
    }
}
