//! How change diffs are kept on SQLite: JSON text until a workspace has
//! written [`SAMPLES`] entries of an entity type (counted by this process,
//! checked against the database), then compressed with a zstd dictionary
//! trained from that type's latest entries (schema v11). A diff alone compresses poorly (a few hundred
//! bytes of field names and values); against a dictionary of its type's
//! vocabulary it shrinks to about a quarter, and the change log is the
//! largest table of a CRM. PostgreSQL keeps JSONB.
//!
//! A packed diff is a blob: [`PACKED`], the dictionary's id as a LEB128
//! number, and a zstd frame. JSON text never starts with that byte, so
//! readers tell the two forms apart by their first byte, and entries
//! written before a dictionary existed stay readable as they are.
//!
//! A dictionary trained inside a transaction is used by that transaction
//! only until it commits (see [`ScopedConn::commit`]): a rollback takes the
//! dictionary row away with the entries that use it.

use crate::db::{Backend, Conn, Row, ScopedConn};
use crate::error::{Result, StoreError};
use crate::sql::{in_workspace, uuid};
use sea_query::{Expr, ExprTrait, Order, Query, Value};
use serde_json::Value as Json;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// Entries of a type written (in this process) before a dictionary is trained
/// for it, and the most the training reads.
const SAMPLES: u32 = 1000;
/// Fewer plain entries than this in the database (another process packs
/// them, say) and training waits for more.
const MIN_SAMPLES: usize = 100;
const DICTIONARY_BYTES: usize = 32 * 1024;
const LEVEL: i32 = 3;
/// The first byte of a packed diff.
const PACKED: u8 = 0x01;
/// No diff unpacks to more than this (a corrupt frame could claim anything).
const MAX_DIFF_BYTES: u64 = 16 * 1024 * 1024;

/// A trained dictionary, prepared for both directions.
pub(crate) struct Dictionary {
    id: i64,
    workspace: uuid::Uuid,
    entity: String,
    /// One compression context with the dictionary loaded, reused by every
    /// write (setting one up cost more than compressing a diff).
    compressor: std::sync::Mutex<zstd::bulk::Compressor<'static>>,
    decoder: zstd::dict::DecoderDictionary<'static>,
}

impl Dictionary {
    fn new(id: i64, workspace: uuid::Uuid, entity: String, bytes: &[u8]) -> Result<Dictionary> {
        let mut compressor = zstd::bulk::Compressor::with_dictionary(LEVEL, bytes).map_err(io)?;
        // The frame needs no copy of the dictionary's id: the prefix holds ours.
        compressor.set_parameter(zstd::zstd_safe::CParameter::DictIdFlag(false)).map_err(io)?;
        Ok(Dictionary {
            id,
            workspace,
            entity,
            compressor: std::sync::Mutex::new(compressor),
            decoder: zstd::dict::DecoderDictionary::copy(bytes),
        })
    }

    /// A packer for a run of diffs, holding the dictionary's compression
    /// context meanwhile.
    pub(crate) fn packer(&self) -> Result<Packer<'_>> {
        let compressor = self.compressor.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        Ok(Packer { id: self.id, compressor })
    }

    fn unpack(&self, frame: &[u8]) -> Result<Json> {
        let size = match zstd::zstd_safe::get_frame_content_size(frame) {
            Ok(Some(n)) if n <= MAX_DIFF_BYTES => n as usize,
            _ => return Err(StoreError::Corrupt("a packed diff without a valid size".into())),
        };
        // One decompression context per thread, reused: readers unpack a page
        // of entries at a time, and a context is costly to set up.
        thread_local! {
            static CONTEXT: std::cell::RefCell<zstd::zstd_safe::DCtx<'static>> =
                std::cell::RefCell::new(zstd::zstd_safe::DCtx::create());
        }
        let mut text = Vec::with_capacity(size);
        CONTEXT
            .with_borrow_mut(|context| context.decompress_using_ddict(&mut text, frame, self.decoder.as_ddict()))
            .map_err(|code| StoreError::Corrupt(format!("packed diff: {}", zstd::zstd_safe::get_error_name(code))))?;
        serde_json::from_slice(&text).map_err(|e| StoreError::Corrupt(format!("packed diff: {e}")))
    }
}

/// Packs diffs with one dictionary.
pub(crate) struct Packer<'d> {
    id: i64,
    compressor: std::sync::MutexGuard<'d, zstd::bulk::Compressor<'static>>,
}

impl Packer<'_> {
    /// The stored form of `diff`.
    pub(crate) fn pack(&mut self, diff: &Json) -> Result<Vec<u8>> {
        let text = serde_json::to_vec(diff).map_err(|e| StoreError::Corrupt(format!("diff: {e}")))?;
        let frame = self.compressor.compress(&text).map_err(io)?;
        let mut packed = Vec::with_capacity(frame.len() + 4);
        packed.push(PACKED);
        write_leb128(&mut packed, self.id as u64);
        packed.extend_from_slice(&frame);
        Ok(packed)
    }
}

/// The stored form of a diff: packed when a packer is given.
pub(crate) fn stored_diff(packer: Option<&mut Packer<'_>>, diff: Json) -> Result<Value> {
    Ok(match packer {
        Some(p) => Value::Bytes(Some(p.pack(&diff)?)),
        None => Value::Json(Some(Box::new(diff))),
    })
}

fn io(e: std::io::Error) -> StoreError {
    StoreError::Corrupt(format!("diff compression: {e}"))
}

fn write_leb128(out: &mut Vec<u8>, mut n: u64) {
    loop {
        let byte = (n & 0x7f) as u8;
        n >>= 7;
        if n == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

/// The number at the start of `bytes` and what follows it.
fn read_leb128(bytes: &[u8]) -> Option<(u64, &[u8])> {
    let mut n = 0u64;
    for (i, byte) in bytes.iter().enumerate().take(10) {
        n |= u64::from(byte & 0x7f) << (7 * i);
        if byte & 0x80 == 0 {
            return Some((n, &bytes[i + 1..]));
        }
    }
    None
}

enum Training {
    Trained(Arc<Dictionary>),
    TooFew(usize),
    Failed,
}

/// A diff as read from its row, before unpacking.
pub(crate) enum StoredDiff {
    Json(Json),
    Packed { dictionary: i64, frame: Vec<u8> },
}

impl StoredDiff {
    /// Reads the `diff` column: bytes on SQLite (text or blob), JSONB on PostgreSQL.
    pub(crate) fn read(row: &Row) -> Result<StoredDiff> {
        let Row::Sqlite(r) = row else {
            return Ok(StoredDiff::Json(row.json("diff")?.unwrap_or(Json::Null)));
        };
        let bytes: Option<Vec<u8>> = sqlx::Row::try_get(r, "diff")?;
        let bytes = bytes.unwrap_or_default();
        if bytes.first() != Some(&PACKED) {
            if bytes.is_empty() {
                return Ok(StoredDiff::Json(Json::Null));
            }
            return serde_json::from_slice(&bytes)
                .map(StoredDiff::Json)
                .map_err(|e| StoreError::Corrupt(format!("diff: {e}")));
        }
        let (id, frame) = read_leb128(&bytes[1..])
            .ok_or_else(|| StoreError::Corrupt("a packed diff without its dictionary".into()))?;
        Ok(StoredDiff::Packed { dictionary: id as i64, frame: frame.to_vec() })
    }
}

/// The dictionaries this process knows, and how many plain entries it has
/// written of each type that has none yet. Shared by a store's connections.
#[derive(Default)]
pub(crate) struct DiffCodec {
    inner: Mutex<Known>,
}

#[derive(Default)]
struct Known {
    by_type: HashMap<(uuid::Uuid, String), Arc<Dictionary>>,
    by_id: HashMap<i64, Arc<Dictionary>>,
    plain_written: HashMap<(uuid::Uuid, String), u32>,
}

impl DiffCodec {
    fn lock(&self) -> std::sync::MutexGuard<'_, Known> {
        // A panic elsewhere while holding the lock leaves nothing half-done
        // that matters here (maps of prepared dictionaries and counters).
        self.inner.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Makes a committed dictionary known.
    pub(crate) fn install(&self, dictionary: Arc<Dictionary>) {
        let mut known = self.lock();
        known.plain_written.remove(&(dictionary.workspace, dictionary.entity.clone()));
        known.by_type.insert((dictionary.workspace, dictionary.entity.clone()), dictionary.clone());
        known.by_id.insert(dictionary.id, dictionary);
    }

    fn for_type(&self, workspace: uuid::Uuid, entity: &str) -> Option<Arc<Dictionary>> {
        self.lock().by_type.get(&(workspace, entity.to_string())).cloned()
    }

    /// Counts `n` plain entries; true when enough are written to train.
    fn count_plain(&self, workspace: uuid::Uuid, entity: &str, n: usize) -> bool {
        let mut known = self.lock();
        let count = known.plain_written.entry((workspace, entity.to_string())).or_default();
        *count = count.saturating_add(n as u32);
        *count >= SAMPLES
    }

    fn set_count(&self, workspace: uuid::Uuid, entity: &str, n: usize) {
        self.lock().plain_written.insert((workspace, entity.to_string()), n as u32);
    }

    /// The diff a row holds, unpacked with its dictionary (loaded through
    /// `conn` the first time). `workspace` is the row's: a dictionary of
    /// another workspace is refused.
    pub(crate) async fn unpack(&self, conn: &mut Conn, workspace: uuid::Uuid, stored: StoredDiff) -> Result<Json> {
        let (id, frame) = match stored {
            StoredDiff::Json(json) => return Ok(json),
            StoredDiff::Packed { dictionary, frame } => (dictionary, frame),
        };
        let known = self.lock().by_id.get(&id).cloned();
        let dictionary = match known {
            Some(d) => d,
            None => {
                let d = Arc::new(load_by_id(conn, id).await?);
                self.install(d.clone());
                d
            }
        };
        if dictionary.workspace != workspace {
            return Err(StoreError::Corrupt(format!("a diff packed with another workspace's dictionary {id}")));
        }
        dictionary.unpack(&frame)
    }
}

fn dictionary_row(row: &Row) -> Result<Dictionary> {
    let id = row.int("id")?.unwrap_or_default();
    let workspace = row.uuid("workspace_id")?.unwrap_or_default();
    let entity = row.text("entity")?.unwrap_or_default();
    let bytes: Vec<u8> = row.get("dictionary")?;
    Dictionary::new(id, workspace, entity, &bytes)
}

const DICTIONARY_COLUMNS: [&str; 4] = ["id", "workspace_id", "entity", "dictionary"];

async fn load_by_id(conn: &mut Conn, id: i64) -> Result<Dictionary> {
    let q = Query::select()
        .columns(DICTIONARY_COLUMNS)
        .from("change_dictionaries")
        .and_where(Expr::col("id").eq(id))
        .to_owned();
    match conn.fetch_optional(&q).await? {
        Some(row) => dictionary_row(&row),
        None => Err(StoreError::Corrupt(format!("a diff packed with dictionary {id}, which is missing"))),
    }
}

impl ScopedConn {
    /// The dictionary to pack `n` new entries of `entity` with, if any: a
    /// known one, one another process trained, or one trained now from the
    /// latest plain entries once enough have been written.
    pub(crate) async fn packing_dictionary(&mut self, entity: &str, n: usize) -> Result<Option<Arc<Dictionary>>> {
        if self.backend() != Backend::Sqlite || entity == crate::changes::METADATA {
            return Ok(None);
        }
        let ws = self.workspace.uuid();
        if let Some(d) = self.trained.iter().find(|d| d.entity == entity) {
            return Ok(Some(d.clone()));
        }
        if let Some(d) = self.diffs.for_type(ws, entity) {
            return Ok(Some(d));
        }
        if !self.diffs.count_plain(ws, entity, n) {
            return Ok(None);
        }
        if let Some(d) = self.stored_dictionary(entity).await? {
            // Committed (this transaction's own would be in `trained`).
            let d = Arc::new(d);
            self.diffs.install(d.clone());
            return Ok(Some(d));
        }
        match self.train(entity).await? {
            Training::Trained(d) => {
                self.trained.push(d.clone());
                Ok(Some(d))
            }
            // The entries about to be written count too: once they are
            // committed, the next write finds them and trains.
            Training::TooFew(found) => {
                self.diffs.set_count(ws, entity, found + n);
                Ok(None)
            }
            Training::Failed => {
                self.diffs.set_count(ws, entity, 0);
                Ok(None)
            }
        }
    }

    /// Trains and stores a dictionary from the type's latest plain entries
    /// (when there are too few or training fails, entries are written
    /// plain, as before).
    async fn train(&mut self, entity: &str) -> Result<Training> {
        let q = Query::select()
            .column("diff")
            .from("changes")
            .and_where(in_workspace(self.workspace))
            .and_where(Expr::col("entity").eq(entity))
            .and_where(Expr::cust("typeof(diff) = 'text'"))
            .order_by("seq", Order::Desc)
            .limit(u64::from(SAMPLES))
            .to_owned();
        let samples: Vec<Vec<u8>> =
            self.conn.fetch_all(&q).await?.iter().map(|r| r.get::<Vec<u8>>("diff")).collect::<Result<_>>()?;
        if samples.len() < MIN_SAMPLES {
            return Ok(Training::TooFew(samples.len()));
        }
        let started = std::time::Instant::now();
        let bytes = match zstd::dict::from_samples(&samples, DICTIONARY_BYTES) {
            Ok(bytes) => {
                let ms = started.elapsed().as_millis() as u64;
                tracing::info!(entity, samples = samples.len(), ms, "trained a change diff dictionary");
                bytes
            }
            Err(e) => {
                tracing::warn!(entity, error = %e, "training a change diff dictionary failed; diffs stay plain");
                return Ok(Training::Failed);
            }
        };
        let insert = Query::insert()
            .into_table("change_dictionaries")
            .columns(["workspace_id", "entity", "samples", "created_at", "dictionary"])
            .values_panic([
                uuid(self.workspace.uuid()).into(),
                Expr::val(entity),
                Expr::val(samples.len() as i64),
                self.now_value().into(),
                Value::Bytes(Some(bytes)).into(),
            ])
            .on_conflict(sea_query::OnConflict::columns(["workspace_id", "entity"]).do_nothing().to_owned())
            .to_owned();
        self.conn.execute(&insert).await?;
        // Ours, or the one another process stored first.
        let d =
            self.stored_dictionary(entity).await?.ok_or_else(|| StoreError::Corrupt("dictionary not stored".into()))?;
        Ok(Training::Trained(Arc::new(d)))
    }

    /// The workspace's dictionary for `entity`, as this connection sees it.
    async fn stored_dictionary(&mut self, entity: &str) -> Result<Option<Dictionary>> {
        let q = Query::select()
            .columns(DICTIONARY_COLUMNS)
            .from("change_dictionaries")
            .and_where(in_workspace(self.workspace))
            .and_where(Expr::col("entity").eq(entity))
            .to_owned();
        self.conn.fetch_optional(&q).await?.map(|row| dictionary_row(&row)).transpose()
    }

    /// Unpacks a row's diff read through this connection.
    pub(crate) async fn unpack_diff(&mut self, row: &Row) -> Result<Json> {
        let stored = StoredDiff::read(row)?;
        self.diffs.clone().unpack(&mut self.conn, self.workspace.uuid(), stored).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_round_trip_through_leb128() {
        for n in [0u64, 1, 127, 128, 300, 16_383, 16_384, u32::MAX as u64, u64::MAX] {
            let mut out = Vec::new();
            write_leb128(&mut out, n);
            out.push(0xAA);
            let (back, rest) = read_leb128(&out).expect("a complete number");
            assert_eq!(back, n);
            assert_eq!(rest, [0xAA]);
        }
        assert_eq!(read_leb128(&[0x80, 0x80]), None, "an unfinished number is refused");
    }

    #[test]
    fn a_packed_diff_unpacks_to_the_same_json_and_is_smaller() {
        let samples: Vec<Vec<u8>> = (0..400)
            .map(|i| {
                let city = ["Vilnius", "Kaunas", "Warszawa", "Sofia"][i % 4];
                serde_json::to_vec(&serde_json::json!({
                    "first_name": format!("Name{}", i % 37), "last_name": format!("Surname{}", i % 53),
                    "city": city, "lifecycle": "potential",
                    "emails": [format!("person{i}@example.com")], "phones": [format!("+3706{:07}", i * 7919)],
                }))
                .unwrap()
            })
            .collect();
        let bytes = zstd::dict::from_samples(&samples, DICTIONARY_BYTES).expect("trained");
        let d = Dictionary::new(7, uuid::Uuid::nil(), "contact".into(), &bytes).unwrap();
        let diff = serde_json::json!({"first_name": "Name3", "last_name": "Surname9", "city": "Sofia",
            "lifecycle": "potential", "emails": ["someone@example.com"], "phones": ["+37060000001"]});
        let packed = d.packer().unwrap().pack(&diff).unwrap();
        assert_eq!(packed[0], PACKED);
        assert!(packed.len() * 2 < serde_json::to_vec(&diff).unwrap().len(), "{} bytes packed", packed.len());
        let (id, frame) = read_leb128(&packed[1..]).unwrap();
        assert_eq!(id, 7);
        assert_eq!(d.unpack(frame).unwrap(), diff);
        assert!(d.unpack(&frame[..frame.len() / 2]).is_err(), "a cut frame is an error, not a panic");
    }
}
