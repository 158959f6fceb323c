//! Opportunities: the stage decides status and probability; every stage
//! change is recorded with time, actor and amount.

use crate::invalid;
use crate::pipeline::{StageKind, default_pipeline, stages_of};
use relata_core::meta::{EntityKind, Schema};
use relata_core::value::FieldValue;
use relata_core::{Record, RecordId, UserId};
use relata_store::stages::StageChange;
use relata_store::{ScopedConn, StoreError};

/// Fills the pipeline and stage, checks the stage belongs to the pipeline, and
/// derives status, probability and closing time from the stage.
pub async fn before_save(tx: &mut ScopedConn, old: Option<&Record>, new: &mut Record) -> Result<(), StoreError> {
    let pipeline = match new.values.ref_id("pipeline") {
        Some(id) => tx
            .get_record(&Schema::standard(EntityKind::Pipeline), RecordId::from_uuid(id), false)
            .await?
            .ok_or_else(|| invalid("pipeline", "not_found", "no such pipeline"))?,
        None => default_pipeline(tx)
            .await?
            .ok_or_else(|| invalid("pipeline", "required", "this workspace has no pipeline yet; create one first"))?,
    };
    new.values.set_std("pipeline", FieldValue::Ref(pipeline.id.uuid()));
    let stages = stages_of(&pipeline);
    let stage = match new.values.text("stage") {
        Some(id) => stages.iter().find(|s| s.id == id).ok_or_else(|| {
            let ids: Vec<&str> = stages.iter().map(|s| s.id.as_str()).collect();
            invalid(
                "stage",
                "invalid_stage",
                format!("{id:?} is not a stage of pipeline {:?} (stages: {})", pipeline.title(), ids.join(", ")),
            )
        })?,
        None => stages
            .iter()
            .find(|s| s.kind == StageKind::Open)
            .ok_or_else(|| invalid("stage", "required", "the pipeline has no open stage"))?,
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
