//! A ledger's schema as normalised text, for comparing a migrated ledger with a fresh one:
//! every table's and view's SQL, its columns (name, declared type, NOT NULL, default,
//! primary-key position, hidden), every index (named or automatic: columns, uniqueness,
//! partial) and every trigger. Whitespace is collapsed so formatting does not count.

use rusqlite::Connection;

fn squash(sql: &str) -> String {
    sql.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// One line per fact, sorted: a diff of two of these names exactly what differs.
pub fn describe(c: &Connection) -> Vec<String> {
    let mut out = Vec::new();
    let mut st =
        c.prepare("SELECT type, name, tbl_name, coalesce(sql, '') FROM sqlite_schema ORDER BY type, name").unwrap();
    let objects: Vec<(String, String, String, String)> =
        st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))).unwrap().map(Result::unwrap).collect();
    for (ty, name, tbl, sql) in &objects {
        out.push(format!("{ty} {name} on {tbl}: {}", squash(sql)));
        if ty != "table" {
            continue;
        }
        let mut st = c
            .prepare(&format!(
                "SELECT cid, name, type, \"notnull\", coalesce(dflt_value, '<none>'), pk, hidden
                 FROM pragma_table_xinfo('{name}') ORDER BY cid"
            ))
            .unwrap();
        let cols = st
            .query_map([], |r| {
                Ok(format!(
                    "column {name}.{}#{}: type {:?} notnull {} default {} pk {} hidden {}",
                    r.get::<_, String>(1)?,
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, i64>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, i64>(5)?,
                    r.get::<_, i64>(6)?
                ))
            })
            .unwrap()
            .map(Result::unwrap);
        out.extend(cols);
        let mut st =
            c.prepare(&format!("SELECT name, \"unique\", origin, partial FROM pragma_index_list('{name}')")).unwrap();
        let indexes: Vec<(String, i64, String, i64)> = st
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        for (ix, unique, origin, partial) in indexes {
            let mut st = c
                .prepare(&format!(
                    "SELECT coalesce(name, '<expr>'), \"desc\", coalesce(coll, '') FROM pragma_index_xinfo('{ix}')
                     WHERE key = 1 ORDER BY seqno"
                ))
                .unwrap();
            let keys: Vec<String> = st
                .query_map([], |r| {
                    Ok(format!("{} {} {}", r.get::<_, String>(0)?, r.get::<_, i64>(1)?, r.get::<_, String>(2)?))
                })
                .unwrap()
                .map(Result::unwrap)
                .collect();
            out.push(format!("index {ix} on {name}: unique {unique} origin {origin} partial {partial} keys {keys:?}"));
        }
    }
    out.sort();
    out
}

/// The lines only one side has, for a readable failure.
pub fn difference(a: &[String], b: &[String]) -> String {
    let only_a: Vec<&String> = a.iter().filter(|l| !b.contains(l)).collect();
    let only_b: Vec<&String> = b.iter().filter(|l| !a.contains(l)).collect();
    format!("only in the first:\n  {}\nonly in the second:\n  {}", join(&only_a), join(&only_b))
}

fn join(v: &[&String]) -> String {
    v.iter().map(|s| s.as_str()).collect::<Vec<_>>().join("\n  ")
}
