//! Catalog sync for large platform catalogs (100,000 products and more).
//!
//! - **Streamed**: `GET /rest/product?all=true` is decoded row by row as it arrives
//!   ([`crate::clients::platform::envelope_stream::EnvelopeStream`]); the answer is never held whole, nor is a `Vec` of every row.
//! - **Incremental**: each list row's fingerprint is compared with the one stored when the
//!   product was last applied; only new or changed products are written.
//! - **Small transactions**: changes are applied [`BATCH`] products per transaction and
//!   the ledger is released between them, and a batch commits early when a sale is
//!   waiting for the ledger ([`App::ledger_wanted`]): a sale waits for a few products.
//! - **Not durable, and out of the sale's way**: the batches are written on the catalog's
//!   own connection ([`SideWriter`]) at `synchronous=NORMAL` (the catalog can always be
//!   fetched again; a sale's durable commit carries them to disk), under the app's ledger
//!   lock for the commit only, and the WAL is checkpointed by the sync between batches
//!   with the lock released (never by a sale's commit). The comparison state is read on
//!   that connection without the lock.
//! - Products that left the platform (or stopped being ONSELL) are **deactivated**, never
//!   deleted (old orders and after-sales still name them).
//! - **Specifications** come only with a product's detail: they are fetched for new or
//!   changed products (at most [`DETAILS_PER_ROUND`] a round, the rest on later rounds) and
//!   for every product that has specifications (so their prices refresh), a few at a time.
//!
//! Memory: the per-product state is one small tuple per product (fingerprint, active,
//! has-specifications) plus the set of ids seen in this round: a few MB at 100,000.

use std::collections::{HashMap, HashSet};
use std::time::Instant;

use futures::StreamExt;
use serde::Serialize;

use crate::app::App;
use crate::clients::platform::client::{Platform, PlatformError};
use crate::clients::platform::wire::ProductRow;
use crate::ledger::catalog::{self, SeedProduct, SyncRow};
use crate::ledger::SideWriter;

/// Products applied per transaction.
pub const BATCH: usize = 100;
/// New or changed products whose detail (specifications) is fetched in one round.
pub const DETAILS_PER_ROUND: i64 = 200;
/// Detail requests in flight at once.
const DETAIL_CONCURRENCY: usize = 8;
/// Products applied between two looks at whether a sale waits for the ledger.
const YIELD_EVERY: usize = 10;
/// Batches committed between two checkpoints of the catalog's connection.
const CHECKPOINT_EVERY: usize = 4;
/// Ledger rows read per chunk when loading the comparison state.
const STATE_CHUNK: i64 = 5_000;

#[derive(Debug, Clone, Default, Serialize)]
pub struct CatalogSyncReport {
    /// ONSELL products the platform listed (what the old `refresh_catalog` returned).
    pub listed: usize,
    /// New or changed products written.
    pub changed: usize,
    pub unchanged: usize,
    pub deactivated: usize,
    /// Products missing from the list but kept active because the list looked truncated
    /// (empty, or missing more than half of what we hold).
    pub deactivation_held_back: usize,
    /// Product details (specifications) fetched, and still due for later rounds.
    pub details_fetched: usize,
    pub details_failed: usize,
    pub transactions: usize,
    /// The longest single hold of the ledger by this sync.
    pub longest_hold_ms: f64,
    pub wall_ms: f64,
}

/// Same signature as the old `sync::pull::refresh_catalog` (the sync engine calls it).
pub async fn refresh_catalog(app: &App, client: &dyn Platform) -> Result<usize, PlatformError> {
    Ok(refresh_catalog_report(app, client).await?.listed)
}

fn ledger_err(e: impl std::fmt::Display) -> PlatformError {
    PlatformError::Undecodable { detail: format!("catalog not saved: {e}") }
}

/// FNV-1a over the fields of a list row we keep: stable across builds and platforms.
pub fn fingerprint(r: &ProductRow) -> i64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut eat = |bytes: &[u8]| {
        for b in bytes.iter().chain(std::iter::once(&0xffu8)) {
            h ^= *b as u64;
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    };
    eat(&r.id.to_le_bytes());
    eat(r.name.as_bytes());
    eat(&r.category_id.unwrap_or(-1).to_le_bytes());
    eat(r.category_name.as_bytes());
    eat(&r.price.fen().to_le_bytes());
    eat(r.barcode.as_deref().unwrap_or("").trim().as_bytes());
    eat(r.status.as_bytes());
    h as i64
}

/// A list or detail row as the ledger keeps it, or None when it is not for sale.
fn seed_of(r: ProductRow, stations: &HashMap<i64, Option<String>>, with_specs: bool) -> Option<SeedProduct> {
    let cat = r.category_id?;
    if r.price.is_negative() || (!r.status.is_empty() && r.status != "ONSELL") {
        return None;
    }
    let specs = if with_specs {
        r.specifications
            .unwrap_or_default()
            .into_iter()
            .filter(|s| !s.price.is_negative())
            .map(|s| (s.id, s.name, s.price, s.barcode.filter(|b| !b.trim().is_empty())))
            .collect()
    } else {
        vec![]
    };
    Some(SeedProduct {
        id: r.id,
        name: r.name,
        category_id: cat,
        category_name: if r.category_name.is_empty() { "未分类".into() } else { r.category_name },
        station: stations.get(&cat).cloned().flatten(),
        price: r.price,
        barcode: r.barcode.filter(|b| !b.trim().is_empty()),
        specifications: specs,
    })
}

struct Applier<'a> {
    app: &'a App,
    /// The catalog's own connection (`synchronous=NORMAL`, checkpointed here); `None` on
    /// an in-memory ledger, where the ledger itself writes.
    side: Option<SideWriter>,
    /// Batches committed since the last checkpoint.
    unflushed: usize,
    report: CatalogSyncReport,
}

impl Applier<'_> {
    /// One short transaction; the ledger is free again when this returns. The app's
    /// ledger lock is held for the commit only (a sale waits at most one batch, and
    /// never in SQLite's busy handler); the checkpoint runs after it is released.
    ///
    /// Yields early: every [`YIELD_EVERY`] products it looks whether a sale is waiting for
    /// the ledger, and if so commits what it has, lets the sale in, and goes on with the
    /// rest in a new transaction.
    fn apply(&mut self, rows: &[SyncRow]) -> Result<(), PlatformError> {
        let app = self.app;
        let mut rest = rows;
        while !rest.is_empty() {
            let done = self.write(|tx| {
                let mut done = 0;
                for chunk in rest.chunks(YIELD_EVERY) {
                    catalog::apply_sync(tx, chunk)?;
                    done += chunk.len();
                    if app.ledger_wanted() {
                        break;
                    }
                }
                Ok(done)
            })?;
            rest = &rest[done..];
        }
        Ok(())
    }

    fn deactivate(&mut self, ids: &[i64]) -> Result<usize, PlatformError> {
        self.write(|tx| catalog::deactivate(tx, ids))
    }

    fn write<T>(
        &mut self,
        f: impl FnOnce(&rusqlite::Transaction<'_>) -> Result<T, crate::ledger::LedgerError>,
    ) -> Result<T, PlatformError> {
        let out = {
            let mut ledger = self.app.ledger();
            let t = Instant::now();
            let out = match &mut self.side {
                Some(side) => side.write(f),
                None => ledger.write(f),
            }
            .map_err(ledger_err)?;
            self.note_hold(t);
            out
        };
        self.unflushed += 1;
        if self.unflushed >= CHECKPOINT_EVERY {
            self.checkpoint();
        }
        Ok(out)
    }

    /// Outside the ledger lock: a sale commits meanwhile.
    fn checkpoint(&mut self) {
        self.unflushed = 0;
        if let Some(side) = &self.side {
            if let Err(e) = side.checkpoint() {
                tracing::debug!(error = %e, "catalog checkpoint skipped");
            }
        }
    }

    /// Reads on the catalog's own connection when there is one (no lock taken).
    fn read<T>(
        &self,
        f: impl FnOnce(&rusqlite::Connection) -> Result<T, crate::ledger::LedgerError>,
    ) -> Result<T, PlatformError> {
        match &self.side {
            Some(side) => f(side.read()),
            None => f(self.app.ledger().read()),
        }
        .map_err(ledger_err)
    }

    fn note_hold(&mut self, t: Instant) {
        self.report.transactions += 1;
        self.report.longest_hold_ms = self.report.longest_hold_ms.max(t.elapsed().as_secs_f64() * 1e3);
    }
}

/// The whole round, with its figures.
pub async fn refresh_catalog_report(app: &App, client: &dyn Platform) -> Result<CatalogSyncReport, PlatformError> {
    let started = Instant::now();
    let side = SideWriter::open(&app.ledger()).map_err(ledger_err)?;
    let mut ap = Applier { app, side, unflushed: 0, report: CatalogSyncReport::default() };
    // What the ledger holds: (fingerprint, active, has specifications) per product, read in chunks.
    let mut known: HashMap<i64, (Option<i64>, bool, bool)> = HashMap::new();
    let stations: HashMap<i64, Option<String>> =
        ap.read(catalog::categories)?.into_iter().map(|c| (c.id, c.station)).collect();
    let mut after = i64::MIN;
    loop {
        let chunk = ap.read(|c| catalog::sync_state(c, after, STATE_CHUNK))?;
        let Some(last) = chunk.last() else { break };
        after = last.0;
        known.extend(chunk.into_iter().map(|(id, h, a, s)| (id, (h, a, s))));
    }

    let mut seen: HashSet<i64> = HashSet::with_capacity(known.len());
    let mut batch: Vec<SyncRow> = Vec::with_capacity(BATCH);
    {
        let mut sink = |r: ProductRow| -> Result<(), PlatformError> {
            let hash = fingerprint(&r);
            let id = r.id;
            let Some(seed) = seed_of(r, &stations, false) else { return Ok(()) };
            ap.report.listed += 1;
            if !seen.insert(id) {
                return Ok(()); // listed twice: the first one counts
            }
            if let Some((Some(h), true, _)) = known.get(&id) {
                if *h == hash {
                    ap.report.unchanged += 1;
                    return Ok(());
                }
            }
            ap.report.changed += 1;
            batch.push(SyncRow { seed, hash, specs_known: false });
            if batch.len() >= BATCH {
                let rows = std::mem::take(&mut batch);
                ap.apply(&rows)?;
            }
            Ok(())
        };
        client.products_each(&mut sink).await?;
    }
    ap.apply(&std::mem::take(&mut batch))?;

    // Left the platform: deactivated in small transactions.
    // A list that lost most of the catalog is more likely a platform fault than a
    // clearance: nothing is deactivated then (the next whole list decides).
    let gone: Vec<i64> =
        known.iter().filter(|(id, (_, active, _))| *active && !seen.contains(id)).map(|(id, _)| *id).collect();
    let active_known = known.values().filter(|(_, active, _)| *active).count();
    drop(known);
    drop(seen);
    if ap.report.listed == 0 || gone.len() > active_known / 2 + 100 {
        ap.report.deactivation_held_back = gone.len();
    } else {
        for chunk in gone.chunks(BATCH) {
            ap.report.deactivated += ap.deactivate(chunk)?;
        }
    }

    // Specifications: details of new / changed products (bounded per round) and of every
    // product with specifications (prices refresh).
    let due = ap.read(|c| catalog::spec_due(c, DETAILS_PER_ROUND))?;
    let mut details = futures::stream::iter(due.into_iter().map(|id| async move { (id, client.product(id).await) }))
        .buffer_unordered(DETAIL_CONCURRENCY);
    let mut rows: Vec<SyncRow> = Vec::new();
    while let Some((id, res)) = details.next().await {
        match res {
            Ok(d) if d.id == id => {
                ap.report.details_fetched += 1;
                let hash = fingerprint(&d);
                if let Some(seed) = seed_of(d, &stations, true) {
                    rows.push(SyncRow { seed, hash, specs_known: true });
                }
            }
            Ok(_) => ap.report.details_failed += 1,
            Err(e) if e.is_offline() => return Err(e),
            Err(_) => ap.report.details_failed += 1,
        }
        if rows.len() >= BATCH {
            ap.apply(&std::mem::take(&mut rows))?;
        }
    }
    ap.apply(&rows)?;
    ap.checkpoint();
    ap.report.wall_ms = started.elapsed().as_secs_f64() * 1e3;
    Ok(ap.report)
}
