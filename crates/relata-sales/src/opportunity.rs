//! Opportunities: the stage decides status and probability; every stage
//! change is recorded with time, actor and amount.

use crate::pipeline::{StageKind, default_pipeline, stages_of};
use crate::{OPPORTUNITIES, PIPELINES};
use relata_app::error::AppError;
use relata_app::module::{Answered, SourceReads, Story, TimelineSource};
use relata_app::timeline::TimelineItem;
use relata_core::meta::{FieldType, Schema, Target};
use relata_core::value::FieldValue;
use relata_core::{Record, RecordId, UserId};
use relata_i18n::refused;
use relata_store::stages::StageChange;
use relata_store::together::{Answers, ListedRead, Reads, StageChangesRead};
use relata_store::{ScopedConn, StoreError};

/// Fills the pipeline and stage, checks the stage belongs to the pipeline, and
/// derives status, probability and closing time from the stage.
pub async fn before_save(tx: &mut ScopedConn, old: Option<&Record>, new: &mut Record) -> Result<(), StoreError> {
    let pipeline = match new.values.ref_id("pipeline") {
        Some(id) => tx
            .get_record(&Schema::standard(PIPELINES), RecordId::from_uuid(id), false)
            .await?
            .ok_or_else(|| refused("pipeline", "not_found", "refuse-no-such-pipeline", vec![]))?,
        None => {
            default_pipeline(tx).await?.ok_or_else(|| refused("pipeline", "required", "refuse-no-pipeline", vec![]))?
        }
    };
    new.values.set_std("pipeline", FieldValue::Ref(pipeline.id.uuid()));
    let stages = stages_of(&pipeline);
    let stage = match new.values.text("stage") {
        Some(id) => stages.iter().find(|s| s.id == id).ok_or_else(|| {
            let ids: Vec<&str> = stages.iter().map(|s| s.id.as_str()).collect();
            let args = vec![
                ("stage", id.into()),
                ("pipeline", Schema::standard(PIPELINES).title(&pipeline).into()),
                ("stages", ids.join(", ").into()),
            ];
            refused("stage", "invalid_stage", "refuse-not-a-stage", args)
        })?,
        None => stages
            .iter()
            .find(|s| s.kind == StageKind::Open)
            .ok_or_else(|| refused("stage", "required", "refuse-no-open-stage", vec![]))?,
    };
    new.values.set_std("stage", FieldValue::Text(stage.id.clone()));
    new.values.set_std("status", FieldValue::Text(stage.kind.as_str().to_string()));
    new.values.set_std("probability", FieldValue::Int(stage.probability));
    let was_closed = old.is_some_and(|o| o.values.text("status").is_some_and(|s| s != "open"));
    match stage.kind {
        StageKind::Open => new.values.set_std("closed_at", FieldValue::Null),
        StageKind::Won | StageKind::Lost
            if !was_closed || old.and_then(|o| o.values.text("stage")) != Some(&stage.id) =>
        {
            // The time of this write: now, or the recorded time of imported history.
            new.values.set_std("closed_at", FieldValue::DateTime(new.updated_at));
        }
        _ => {}
    }
    Ok(())
}

/// Records the stage the opportunity entered, if it changed.
pub async fn after_save(
    tx: &mut ScopedConn,
    old: Option<&Record>,
    new: &Record,
    actor: Option<UserId>,
) -> Result<(), StoreError> {
    if let Some(change) = stage_change(old, new, actor) {
        tx.insert_stage_changes(&[change]).await?;
    }
    Ok(())
}

/// The stage-history entry for a write, if the stage changed (or on create).
pub fn stage_change(old: Option<&Record>, new: &Record, actor: Option<UserId>) -> Option<StageChange> {
    let to = new.values.text("stage")?;
    let from = old.and_then(|o| o.values.text("stage"));
    if from == Some(to) && old.and_then(|o| o.values.ref_id("pipeline")) == new.values.ref_id("pipeline") {
        return None;
    }
    Some(StageChange {
        id: RecordId::new(),
        opportunity: new.id,
        pipeline: new.values.ref_id("pipeline").map(RecordId::from_uuid),
        from_stage: from.map(str::to_string),
        to_stage: to.to_string(),
        changed_at: new.updated_at,
        changed_by: actor,
        amount: match new.values.std("amount") {
            FieldValue::Money(m) => Some(*m),
            _ => None,
        },
    })
}

/// The stage changes of the opportunities in a customer's story (those whose
/// account or primary contact it is), as timeline items.
pub struct StageChanges;

impl TimelineSource for StageChanges {
    fn ask<'s>(
        &self,
        conn: &mut ScopedConn,
        reads: &mut Reads,
        story: &Story<'s>,
    ) -> Result<Box<dyn SourceReads<'s> + 's>, AppError> {
        let schema = story.schemas.get(OPPORTUNITIES);
        // One page: the newest `limit` changes before the cursor of the
        // customer's opportunities, whatever their age (an old opportunity's
        // stage change can be recent), read in the database.
        let links = schema.own_fields().iter().filter(|f| f.ty == FieldType::Relation(Target::Entity(story.kind)));
        let asked = links.map(|link| {
            conn.read_stage_changes_linked(reads, schema, link, story.id, story.before.clone(), story.limit)
        });
        Ok(Box::new(ChangesAsked { schema, asked: asked.collect(), limit: story.limit }))
    }
}

/// The stage changes of a story, asked.
struct ChangesAsked<'s> {
    schema: &'s Schema,
    asked: Vec<StageChangesRead>,
    limit: u64,
}

impl<'s> SourceReads<'s> for ChangesAsked<'s> {
    fn answer(
        self: Box<Self>,
        conn: &mut ScopedConn,
        answers: &mut Answers,
        reads: &mut Reads,
    ) -> Result<Answered<'s>, AppError> {
        let mut changes = Vec::new();
        for read in self.asked {
            changes.extend(answers.stage_changes(read)?);
        }
        changes.sort_by_key(|c| std::cmp::Reverse((c.changed_at, c.id.to_string())));
        changes.dedup_by(|a, b| a.id == b.id);
        changes.truncate(self.limit as usize);
        if changes.is_empty() {
            return Ok(Answered::Items(Vec::new()));
        }
        // Their opportunities' names, as the viewer may see them.
        let mut ids: Vec<String> = changes.iter().map(|c| c.opportunity.to_string()).collect();
        ids.sort();
        ids.dedup();
        let names = conn.read_records_by_ids(reads, self.schema, &ids);
        Ok(Answered::Again(Box::new(NamesAsked { schema: self.schema, changes, names })))
    }
}

/// The stage changes of a story, with their opportunities' names asked.
struct NamesAsked<'s> {
    schema: &'s Schema,
    changes: Vec<StageChange>,
    names: ListedRead<'s>,
}

impl<'s> SourceReads<'s> for NamesAsked<'s> {
    fn answer(
        self: Box<Self>,
        _: &mut ScopedConn,
        answers: &mut Answers,
        _: &mut Reads,
    ) -> Result<Answered<'s>, AppError> {
        let schema = self.schema;
        let names: std::collections::HashMap<String, String> =
            answers.listed(self.names)?.iter().map(|o| (o.id.to_string(), schema.title(o))).collect();
        let hides_amount = schema.field("amount").is_none();
        let mut items = Vec::new();
        for c in self.changes {
            let mut record = serde_json::json!({
                "opportunity": c.opportunity,
                "pipeline": c.pipeline,
                "from_stage": c.from_stage,
                "to_stage": c.to_stage,
                "changed_at": relata_core::value::format_datetime(&c.changed_at),
                "changed_by": c.changed_by,
                "amount": c.amount,
            });
            if hides_amount {
                // A role that may not see amounts sees none here either.
                record.as_object_mut().expect("an object").remove("amount");
            }
            items.push(TimelineItem {
                at: c.changed_at,
                item_type: "stage_change",
                id: c.id.to_string(),
                title: format!(
                    "{}: {} → {}",
                    names.get(&c.opportunity.to_string()).cloned().unwrap_or_default(),
                    c.from_stage.as_deref().unwrap_or("(new)"),
                    c.to_stage
                ),
                record,
            });
        }
        Ok(Answered::Items(items))
    }
}
