//! The 360 view: every episode linked to an account or contact, newest
//! first, merged from each source with keyset paging on (time, id).

use crate::error::AppError;
use crate::module::{Answered, SourceReads, Story};
use crate::{App, Ctx};
use chrono::{DateTime, Utc};
use cursor::{decode_cursor, encode_cursor};
use relata_core::RecordId;
use relata_core::meta::{Column, EntityKind, FieldDef, FieldType, Schema, Target};
use relata_core::value::FieldValue;
use relata_store::together::{Answers, ListedRead, NewestRead, Reads};
use serde::Serialize;
use serde_json::Value as Json;

/// One episode of the customer's story.
#[derive(Clone, Debug, Serialize)]
pub struct TimelineItem {
    pub at: DateTime<Utc>,
    /// The singular of the episode's entity type (`activity`), or what a
    /// module's source calls its items (`stage_change`).
    #[serde(rename = "type")]
    pub item_type: &'static str,
    pub id: String,
    pub title: String,
    pub record: Json,
}

pub struct TimelinePage {
    pub items: Vec<TimelineItem>,
    pub next_cursor: Option<String>,
}

/// Timeline cursors are "<microseconds>~<id>": URL-safe, validated on the way back.
pub mod cursor {
    use chrono::{DateTime, Utc};

    pub fn encode_cursor(at: &DateTime<Utc>, id: &str) -> String {
        format!("{}~{id}", at.timestamp_micros())
    }

    pub fn decode_cursor(s: &str) -> Option<(DateTime<Utc>, String)> {
        let (micros, id) = s.split_once('~')?;
        let at = DateTime::from_timestamp_micros(micros.parse().ok()?)?;
        uuid::Uuid::parse_str(id).ok()?;
        Some((at, id.to_string()))
    }
}

/// Whether records of `kind` have a story: some entity type's episodes
/// link to it.
pub fn has_timeline(schemas: &crate::Schemas, kind: EntityKind) -> bool {
    schemas.iter().any(|s| episode_links(s, kind).next().is_some())
}

/// The fields of `schema` through which its records are episodes of a
/// `kind` record's story.
fn episode_links(schema: &Schema, kind: EntityKind) -> impl Iterator<Item = &FieldDef> {
    let links = schema.def().episode.as_ref().map(|e| e.links.as_slice()).unwrap_or_default();
    schema.fields().filter(move |f| links.contains(&f.id) && f.ty == FieldType::Relation(Target::Entity(kind)))
}

/// An episode on its way to a page: read whole, or found by its time and
/// id (read whole once it is known to be on the page).
enum Episode<'s> {
    Read(TimelineItem),
    Found(&'s Schema, String, DateTime<Utc>),
}

impl Episode<'_> {
    fn at(&self) -> DateTime<Utc> {
        match self {
            Episode::Read(item) => item.at,
            Episode::Found(_, _, at) => *at,
        }
    }

    fn id(&self) -> &str {
        match self {
            Episode::Read(item) => &item.id,
            Episode::Found(_, id, _) => id,
        }
    }

    fn item_type(&self) -> &'static str {
        match self {
            Episode::Read(item) => item.item_type,
            Episode::Found(schema, _, _) => schema.kind.singular(),
        }
    }
}

/// A record as an episode of a story: at its time (its creation's when it has none).
fn item_of(schema: &Schema, at: &str, r: &relata_core::Record) -> TimelineItem {
    TimelineItem {
        at: match r.field_value(at) {
            FieldValue::DateTime(t) => t,
            _ => r.created_at,
        },
        item_type: schema.kind.singular(),
        id: r.id.to_string(),
        title: schema.title(r),
        record: r.to_json(schema),
    }
}

/// How many steps of reads a module's source may take (each a round trip):
/// a source that keeps asking is cut off there, so a timeline always ends.
const SOURCE_STEPS: usize = 4;

/// The items of the modules' sources, from the answers to their first
/// reads and the reads of their next steps (the steps of all sources sent
/// together).
async fn sources_answered<'s>(
    conn: &mut relata_store::ScopedConn,
    mut asked: Vec<Box<dyn SourceReads<'s> + 's>>,
    first: &mut Answers,
) -> Result<Vec<TimelineItem>, AppError> {
    let mut items = Vec::new();
    let mut later: Option<Answers> = None;
    for step in 1.. {
        let answers = later.as_mut().unwrap_or(&mut *first);
        let mut reads = Reads::default();
        let mut again = Vec::new();
        for source in asked {
            match source.answer(conn, answers, &mut reads)? {
                Answered::Items(found) => items.extend(found),
                Answered::Again(next) => again.push(next),
            }
        }
        if again.is_empty() {
            break;
        }
        if step >= SOURCE_STEPS {
            return Err(AppError::System(format!("a timeline source still reads after {SOURCE_STEPS} steps")));
        }
        later = Some(conn.read_together(reads).await?);
        asked = again;
    }
    Ok(items)
}

pub async fn timeline(
    app: &App,
    ctx: &Ctx,
    kind: EntityKind,
    id: RecordId,
    cursor: Option<&str>,
    limit: u64,
) -> Result<TimelinePage, AppError> {
    let schemas = app.schemas_for(ctx).await?;
    let before = match cursor.filter(|c| !c.is_empty()) {
        Some(c) => Some(
            decode_cursor(c)
                .ok_or_else(|| AppError::BadParameter("cursor", "cursor is not one this server issued".into()))?,
        ),
        None => None,
    };
    let mut conn = app.reader(ctx).await?;
    timeline_in(app.modules, &mut conn, ctx, &schemas, (kind, id), before, limit).await
}

/// [`timeline`] on a connection the caller holds (restricted to what `ctx`
/// may read), from a decoded cursor; `modules` add their own sources.
pub async fn timeline_in(
    modules: &crate::module::Modules,
    conn: &mut relata_store::ScopedConn,
    ctx: &Ctx,
    schemas: &crate::Schemas,
    (kind, id): (EntityKind, RecordId),
    before: Option<(DateTime<Utc>, String)>,
    limit: u64,
) -> Result<TimelinePage, AppError> {
    ctx.access.check_kind(kind, relata_core::access::Right::Read)?;
    let Some(subject) = conn.get_record(schemas.get(kind), id, false).await? else {
        return Err(crate::write::missing_or_hidden(conn, kind, id).await);
    };
    timeline_of(modules, conn, ctx, schemas, &subject, before, limit).await
}

/// [`timeline_in`] of a record the caller read through `conn` (so that
/// `ctx` may read it).
pub async fn timeline_of(
    modules: &crate::module::Modules,
    conn: &mut relata_store::ScopedConn,
    ctx: &Ctx,
    schemas: &crate::Schemas,
    subject: &relata_core::Record,
    before: Option<(DateTime<Utc>, String)>,
    limit: u64,
) -> Result<TimelinePage, AppError> {
    let mut reads = Reads::default();
    let story = ask_story(modules, conn, &mut reads, ctx, schemas, (subject.kind, subject.id), before, limit)?;
    let mut answers = conn.read_together(reads).await?;
    story.page(conn, &mut answers).await
}

/// The first reads of a page of the story of `kind` record `id`, added to
/// `reads` (so that a caller can send its own with them); the page is made
/// of their answers by [`StoryAsked::page`]. Whoever asks makes sure that
/// `ctx` may read the record before showing the page.
#[allow(clippy::too_many_arguments)]
pub fn ask_story<'s>(
    modules: &crate::module::Modules,
    conn: &mut relata_store::ScopedConn,
    reads: &mut Reads,
    ctx: &Ctx,
    schemas: &'s crate::Schemas,
    (kind, id): (EntityKind, RecordId),
    before: Option<(DateTime<Utc>, String)>,
    limit: u64,
) -> Result<StoryAsked<'s>, AppError> {
    if !has_timeline(schemas, kind) {
        return Err(AppError::NotFound);
    }
    // The types' own episodes: each source's newest in one statement (a
    // source whose time is no column of its own is read apart); with the
    // modules' sources, all read together.
    let mut sources = Vec::new();
    let mut apart = Vec::new();
    for schema in schemas.iter() {
        if ctx.access.check_kind(schema.kind, relata_core::access::Right::Read).is_err() {
            continue;
        }
        let Some(episode) = schema.def().episode.as_ref() else { continue };
        let Some(at_field) = schema.fields().find(|f| f.id == episode.at) else { continue };
        for link in episode_links(schema, kind) {
            if matches!(at_field.column, Column::Named(_)) {
                sources.push((schema, link, at_field));
                continue;
            }
            let read = conn.read_linked_before(reads, schema, (link, id), at_field, before.clone(), limit);
            apart.push((&*episode.at, read));
        }
    }
    let newest = conn.read_newest_linked(reads, &sources, id, before.clone(), limit);
    let story = Story { schemas, kind, id, before: before.clone(), limit };
    let mut asked = Vec::new();
    for source in modules.iter().flat_map(|m| m.timeline_sources()) {
        asked.push(source.ask(conn, reads, &story)?);
    }
    let sources = sources.into_iter().map(|(schema, _, _)| schema).collect();
    Ok(StoryAsked { sources, apart, newest, asked, before, limit })
}

/// A page of a story on its way (see [`ask_story`]).
pub struct StoryAsked<'s> {
    /// The types whose newest episodes `newest` reads, in its order.
    sources: Vec<&'s Schema>,
    /// Episodes of types whose time is no column of their own, with the
    /// field of that time.
    apart: Vec<(&'s str, ListedRead<'s>)>,
    newest: NewestRead,
    asked: Vec<Box<dyn SourceReads<'s> + 's>>,
    before: Option<(DateTime<Utc>, String)>,
    limit: u64,
}

impl<'s> StoryAsked<'s> {
    /// The page, from the answers to the reads asked (and what the
    /// modules' sources and the page's episodes read then, together).
    pub async fn page(
        self,
        conn: &mut relata_store::ScopedConn,
        answers: &mut Answers,
    ) -> Result<TimelinePage, AppError> {
        let StoryAsked { sources, apart, newest, asked, before, limit } = self;
        let mut items: Vec<Episode> = Vec::new();
        for (at, read) in apart {
            let schema = read.schema();
            items.extend(answers.listed(read)?.iter().map(|r| Episode::Read(item_of(schema, at, r))));
        }
        let found = answers.newest(newest)?;
        items.extend(found.into_iter().filter_map(|(n, id, at)| Some(Episode::Found(sources.get(n)?, id, at))));
        for item in sources_answered(conn, asked, answers).await? {
            items.push(Episode::Read(item));
        }
        page_of(conn, items, before, limit).await
    }
}

/// A page of episodes found: the newest `limit` before `before`, those
/// found by id read whole.
async fn page_of(
    conn: &mut relata_store::ScopedConn,
    mut items: Vec<Episode<'_>>,
    before: Option<(DateTime<Utc>, String)>,
    limit: u64,
) -> Result<TimelinePage, AppError> {
    // One record can be an episode through two links (an activity filed
    // under the account and linked to one of its contacts): shown once.
    items.sort_by(|a, b| (b.at(), b.id()).cmp(&(a.at(), a.id())));
    items.dedup_by(|a, b| a.id() == b.id() && a.item_type() == b.item_type());
    if let Some((at, id)) = &before {
        items.retain(|i| (i.at(), i.id()) < (*at, id.as_str()));
    }
    // The page's episodes found by id are read whole, together.
    items.truncate(limit as usize + 1);
    let mut wanted: Vec<(&Schema, Vec<String>)> = Vec::new();
    for item in &items {
        if let Episode::Found(schema, id, _) = item {
            match wanted.iter_mut().find(|(s, _)| s.kind == schema.kind) {
                Some((_, ids)) => ids.push(id.clone()),
                None => wanted.push((schema, vec![id.clone()])),
            }
        }
    }
    let mut reads = Reads::default();
    let wanted: Vec<_> =
        wanted.into_iter().map(|(schema, ids)| conn.read_records_by_ids(&mut reads, schema, &ids)).collect();
    let mut answers = conn.read_together(reads).await?;
    let mut read: std::collections::HashMap<(EntityKind, String), TimelineItem> = std::collections::HashMap::new();
    for records in wanted {
        let schema = records.schema();
        let Some(episode) = schema.def().episode.as_ref() else { continue };
        for record in answers.listed(records)? {
            read.insert((schema.kind, record.id.to_string()), item_of(schema, &episode.at, &record));
        }
    }
    // A record gone since (deleted meanwhile) is left out.
    let mut items: Vec<TimelineItem> = items
        .into_iter()
        .filter_map(|item| match item {
            Episode::Read(item) => Some(item),
            Episode::Found(schema, id, _) => read.remove(&(schema.kind, id)),
        })
        .collect();
    let more = items.len() as u64 > limit;
    items.truncate(limit as usize);
    let next_cursor = if more { items.last().map(|i| encode_cursor(&i.at, &i.id)) } else { None };
    Ok(TimelinePage { items, next_cursor })
}
