//! Reads sent together: on SQLite in one round trip to the connection's
//! thread (each round trip is a hop there and back, which a busy server
//! pays in context switches), on PostgreSQL one after the other. A caller
//! adds each read to a [`Reads`], keeps the handle it gets, sends them with
//! [`ScopedConn::read_together`], and takes each answer by its handle.

use crate::db::{Row, ScopedConn};
use crate::error::{Result, StoreError};
use crate::records::Tally;
use crate::search::ContactPointHit;
use crate::sql;
use crate::stages::StageChange;
use crate::webhooks::InboundEvent;
use chrono::{DateTime, Utc};
use relata_core::filter::Filter;
use relata_core::meta::{FieldDef, Schema};
use relata_core::{Record, RecordId};
use sea_query::{Order, SelectStatement};
use serde_json::Value as Json;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};

/// Reads to send together.
pub struct Reads {
    selects: Vec<SelectStatement>,
    /// Which batch this is: a handle answers only in its own batch's
    /// answers (a caller sending several batches cannot mix them up).
    batch: u64,
}

impl Default for Reads {
    fn default() -> Self {
        static BATCHES: AtomicU64 = AtomicU64::new(0);
        Reads { selects: Vec::new(), batch: BATCHES.fetch_add(1, Ordering::Relaxed) }
    }
}

impl Reads {
    fn add(&mut self, select: SelectStatement) -> Slot {
        self.selects.push(select);
        Slot { batch: self.batch, n: self.selects.len() - 1 }
    }
}

/// Where a read's answer is: its batch and place in it.
struct Slot {
    batch: u64,
    n: usize,
}

/// What reads sent together answered, each taken once by its handle.
pub struct Answers {
    rows: Vec<Vec<Row>>,
    batch: u64,
}

impl Answers {
    fn take(&mut self, slot: Slot) -> Result<Vec<Row>> {
        if slot.batch != self.batch {
            return Err(StoreError::Misuse("a read's answer was asked of another batch of reads"));
        }
        Ok(self.rows.get_mut(slot.n).map(std::mem::take).unwrap_or_default())
    }

    /// The answer of a read that may have sent nothing.
    fn take_if(&mut self, slot: Option<Slot>) -> Result<Vec<Row>> {
        slot.map_or(Ok(Vec::new()), |slot| self.take(slot))
    }

    /// The records a [`ScopedConn::read_records`] read (their documents'
    /// lines read through `conn`).
    pub async fn records(&mut self, read: RecordsRead<'_>, conn: &mut ScopedConn) -> Result<Vec<Record>> {
        let mut records = Vec::new();
        for row in self.take(read.n)? {
            records.push(conn.record_of(&row, read.schema).await?);
        }
        Ok(records)
    }

    /// The tallies a [`ScopedConn::read_tallies`] read, each its
    /// `(currency, total, records)` rows (a count's one row has no currency
    /// and a total of 0; a sum has a row per currency, none when nothing
    /// matches).
    pub fn tallies(&mut self, read: TalliesRead) -> Result<Vec<Vec<(String, i64, i64)>>> {
        let rows = self.take_if(read.n)?;
        crate::records::tallied_of(rows, read.asked)
    }

    /// The settings a [`ScopedConn::read_settings`] read.
    pub fn settings(&mut self, read: SettingsRead) -> Result<HashMap<String, Json>> {
        crate::settings::settings_of(self.take(read.0)?)
    }

    /// The contact points a [`ScopedConn::read_contact_points`] read.
    pub fn contact_points(&mut self, read: ContactPointsRead) -> Result<Vec<ContactPointHit>> {
        crate::search::hits_of(self.take(read.0)?)
    }

    /// The records a [`ScopedConn::read_linked_before`] or
    /// [`ScopedConn::read_records_by_ids`] read, as lists show them (a
    /// document without its lines).
    pub fn listed(&mut self, read: ListedRead<'_>) -> Result<Vec<Record>> {
        let rows = self.take_if(read.n)?;
        rows.iter().map(|row| crate::records::decode_record(row, read.schema)).collect()
    }

    /// The episodes a [`ScopedConn::read_newest_linked`] found: `(source,
    /// id, time)`, the time of a record without one being its creation's.
    pub fn newest(&mut self, read: NewestRead) -> Result<Vec<(usize, String, DateTime<Utc>)>> {
        crate::records::newest_of(self.take_if(read.0)?)
    }

    /// The stage changes a [`ScopedConn::read_stage_changes_linked`] read.
    pub fn stage_changes(&mut self, read: StageChangesRead) -> Result<Vec<StageChange>> {
        self.take(read.0)?.iter().map(crate::stages::decode_change).collect()
    }

    /// The event a [`ScopedConn::read_inbound_event`] read.
    pub fn inbound_event(&mut self, read: InboundEventRead) -> Result<Option<InboundEvent>> {
        self.take(read.0)?.first().map(crate::webhooks::inbound_event_of).transpose()
    }
}

/// Live records of a type, read together with other reads.
pub struct RecordsRead<'s> {
    n: Slot,
    schema: &'s Schema,
}

/// Live records of a type as lists show them, read together with other
/// reads.
pub struct ListedRead<'s> {
    /// `None` when there was nothing to read.
    n: Option<Slot>,
    schema: &'s Schema,
}

impl<'s> ListedRead<'s> {
    /// The schema of the records read.
    pub fn schema(&self) -> &'s Schema {
        self.schema
    }
}

/// The newest episodes of several sources, read together with other reads.
pub struct NewestRead(Option<Slot>);

/// Stage changes, read together with other reads.
pub struct StageChangesRead(Slot);

/// Tallies (see [`Tally`]), read together with other reads.
pub struct TalliesRead {
    /// `None` when none was asked.
    n: Option<Slot>,
    asked: usize,
}

/// Settings, read together with other reads.
pub struct SettingsRead(Slot);

/// Contact points, read together with other reads.
pub struct ContactPointsRead(Slot);

/// An applied inbound event, read together with other reads.
pub struct InboundEventRead(Slot);

impl ScopedConn {
    /// Sends the reads; on SQLite in one round trip.
    pub async fn read_together(&mut self, reads: Reads) -> Result<Answers> {
        Ok(Answers { rows: self.conn.fetch_each(&reads.selects).await?, batch: reads.batch })
    }

    /// Adds a read of up to `limit` live, visible records of `schema`'s type
    /// that `filter` selects, in id order.
    pub fn read_records<'s>(
        &self,
        reads: &mut Reads,
        schema: &'s Schema,
        filter: &Filter<'_>,
        limit: u64,
    ) -> RecordsRead<'s> {
        let mut q = self.aggregate(schema.kind, Some(filter));
        q.columns(sql::select_columns(schema)).order_by("id", Order::Asc).limit(limit);
        RecordsRead { n: reads.add(q), schema }
    }

    /// Adds a read of a live, visible record by id (see
    /// [`ScopedConn::get_record`]).
    pub fn read_record<'s>(&self, reads: &mut Reads, schema: &'s Schema, id: RecordId) -> RecordsRead<'s> {
        RecordsRead { n: reads.add(self.record_select(schema, id, false)), schema }
    }

    /// Adds a read of the records of `schema`'s type linked to `target` (see
    /// [`ScopedConn::records_linked_before`]).
    pub fn read_linked_before<'s>(
        &self,
        reads: &mut Reads,
        schema: &'s Schema,
        (link, target): (&FieldDef, RecordId),
        at: &FieldDef,
        before: Option<(DateTime<Utc>, String)>,
        limit: u64,
    ) -> ListedRead<'s> {
        let mut q = self.linked_before_select(schema, link, target, at, before, limit);
        q.columns(sql::select_columns(schema));
        ListedRead { n: Some(reads.add(q)), schema }
    }

    /// Adds a read of the live, visible records of `schema`'s type with one
    /// of `ids` (see [`ScopedConn::records_by_ids`]).
    pub fn read_records_by_ids<'s>(&self, reads: &mut Reads, schema: &'s Schema, ids: &[String]) -> ListedRead<'s> {
        let n = (!ids.is_empty()).then(|| reads.add(self.records_by_ids_query(schema, ids)));
        ListedRead { n, schema }
    }

    /// Adds a read of each source's newest episodes linked to `target`: of
    /// several sources of [`ScopedConn::records_linked_before`] whose times
    /// are columns of their own, each one's newest `limit` (one statement:
    /// a statement each would cost more than the rows).
    pub fn read_newest_linked(
        &self,
        reads: &mut Reads,
        sources: &[(&Schema, &FieldDef, &FieldDef)],
        target: RecordId,
        before: Option<(DateTime<Utc>, String)>,
        limit: u64,
    ) -> NewestRead {
        NewestRead(self.newest_linked_query(sources, target, before, limit).map(|union| reads.add(union)))
    }

    /// Adds a read of one page of a customer's stage changes: those of the
    /// live opportunities whose `link` points at `target` (and which the
    /// viewer may read), newest first, strictly before `before`, at most
    /// `limit`.
    pub fn read_stage_changes_linked(
        &self,
        reads: &mut Reads,
        schema: &Schema,
        link: &FieldDef,
        target: RecordId,
        before: Option<(DateTime<Utc>, String)>,
        limit: u64,
    ) -> StageChangesRead {
        StageChangesRead(reads.add(self.stage_changes_linked_query(schema, link, target, before, limit)))
    }

    /// Adds a read of tallies of live, visible records (see [`Tally`]).
    pub fn read_tallies(&self, reads: &mut Reads, asked: &[Tally<'_>]) -> Result<TalliesRead> {
        let n = self.tallies_query(asked)?.map(|union| reads.add(union));
        Ok(TalliesRead { n, asked: asked.len() })
    }

    /// Adds a read of the settings of these names that were ever put, by
    /// name.
    pub fn read_settings(&self, reads: &mut Reads, names: &[&str]) -> SettingsRead {
        SettingsRead(reads.add(self.settings_query(names)))
    }

    /// Adds a read of the records having this contact point (see
    /// [`ScopedConn::lookup_contact_point`]).
    pub fn read_contact_points(&self, reads: &mut Reads, kind: &str, value: &str) -> ContactPointsRead {
        ContactPointsRead(reads.add(self.contact_points_query(kind, value)))
    }

    /// Adds a read of the live, visible records of `schema`'s type having
    /// this contact point, in id order: read with
    /// [`ScopedConn::read_contact_points`] when the types a point usually
    /// finds are known, rather than after it.
    pub fn read_records_with_contact_point<'s>(
        &self,
        reads: &mut Reads,
        schema: &'s Schema,
        kind: &str,
        value: &str,
    ) -> RecordsRead<'s> {
        RecordsRead { n: reads.add(self.with_contact_point_query(schema, kind, value)), schema }
    }

    /// Adds a read of the event `source` sent with this id (see
    /// [`ScopedConn::inbound_event`]).
    pub fn read_inbound_event(&self, reads: &mut Reads, source: &str, event_id: &str) -> InboundEventRead {
        InboundEventRead(reads.add(self.inbound_event_query(source, event_id)))
    }
}
