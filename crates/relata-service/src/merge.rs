//! Duplicate and tangled cases: merging a duplicate into the case it
//! repeats (its comments move over, it is closed as merged), splitting a
//! case's comments off into a new linked case, each in one transaction
//! through the one write path under the caller's rights.

use crate::entities::{CASE_COMMENTS, CASES};
use relata_app::{App, AppError, Ctx};
use relata_core::error::ValidationError;
use relata_core::filter::{Filter, Op};
use relata_core::meta::Schema;
use relata_core::value::{FieldValue, Values};
use relata_core::{Record, RecordId};
use relata_store::ScopedConn;

fn invalid(field: &str, code: &'static str, message: impl Into<String>) -> AppError {
    ValidationError::single(field, code, message).into()
}

/// A case the caller may read, else a field error on `field`.
async fn case(tx: &mut ScopedConn, cases: &Schema, id: RecordId, field: &str) -> Result<Record, AppError> {
    match tx.get_record(cases, id, false).await? {
        Some(case) => Ok(case),
        None => Err(invalid(field, "not_found", format!("no such case: {id}"))),
    }
}

async fn comments_of(tx: &mut ScopedConn, case: RecordId) -> Result<Vec<Record>, AppError> {
    let schema = Schema::standard(CASE_COMMENTS);
    let filter = Filter::Compare {
        field: schema.field("case").expect("a field of comments"),
        op: Op::Eq,
        value: FieldValue::Ref(case.uuid()),
    };
    Ok(relata_app::read::every_in(tx, &schema, filter).await?)
}

async fn move_comment(tx: &mut ScopedConn, ctx: &Ctx, comment: &Record, to: RecordId) -> Result<(), AppError> {
    let mut patch = Values::default();
    patch.set_std("case", FieldValue::Ref(to.uuid()));
    // Relata moves them: the comments of a case the caller may change.
    let relata = Ctx::new(ctx.workspace.clone(), None);
    relata_app::write::update_in(tx, &relata, &Schema::standard(CASE_COMMENTS), comment.id, patch, None).await?;
    Ok(())
}

/// Merges case `duplicate` into case `into`; answers the duplicate as closed.
pub async fn merge(app: &App, ctx: &Ctx, duplicate: RecordId, into: RecordId) -> Result<Record, AppError> {
    if duplicate == into {
        return Err(invalid("into", "same_case", "a case cannot be merged into itself"));
    }
    let schemas = app.schemas_for(ctx).await?;
    let cases = schemas.get(CASES);
    let mut tx = app.writer(ctx).await?;
    let dup = case(&mut tx, cases, duplicate, "id").await?;
    let target = case(&mut tx, cases, into, "into").await?;
    for (record, field) in [(&dup, "id"), (&target, "into")] {
        if record.values.ref_id("merged_into").is_some() {
            return Err(invalid(field, "merged", "this case was merged into another already"));
        }
    }
    // The caller's rights on the target: touching it through the write path.
    relata_app::write::update_in(&mut tx, ctx, cases, into, Values::default(), None).await?;
    for comment in comments_of(&mut tx, duplicate).await? {
        move_comment(&mut tx, ctx, &comment, into).await?;
    }
    let mut patch = Values::default();
    let number = target.values.text("number").unwrap_or_default();
    patch.set_std("status", FieldValue::Text("closed".into()));
    patch.set_std("resolution", FieldValue::Text(format!("Merged into {number}")));
    patch.set_std("merged_into", FieldValue::Ref(into.uuid()));
    patch.set_std("related_case", FieldValue::Ref(into.uuid()));
    let closed = relata_app::write::update_in(&mut tx, ctx, cases, duplicate, patch, None).await?;
    tx.commit().await?;
    Ok(closed)
}

/// Splits `comments` of case `from` off into a new case about the same
/// customer, linked to it; answers the new case.
pub async fn split(
    app: &App,
    ctx: &Ctx,
    from: RecordId,
    subject: &str,
    comments: &[RecordId],
) -> Result<Record, AppError> {
    if subject.trim().is_empty() {
        return Err(invalid("subject", "required", "the new case's subject"));
    }
    if comments.is_empty() {
        return Err(invalid("comments", "required", "the comments that go to the new case"));
    }
    let schemas = app.schemas_for(ctx).await?;
    let cases = schemas.get(CASES);
    let mut tx = app.writer(ctx).await?;
    let original = case(&mut tx, cases, from, "id").await?;
    let all = comments_of(&mut tx, from).await?;
    let mut moving = Vec::new();
    for (i, id) in comments.iter().enumerate() {
        match all.iter().find(|c| c.id == *id) {
            Some(c) => moving.push(c.clone()),
            None => return Err(invalid(&format!("comments[{i}]"), "not_found", "not a comment of this case")),
        }
    }
    let mut values = Values::default();
    values.set_std("subject", FieldValue::Text(subject.trim().to_string()));
    for field in [
        "account",
        "contact",
        "requester_email",
        "channel",
        "category",
        "product",
        "order",
        "priority",
        "team",
        "language",
    ] {
        values.set_std(field, original.values.std(field).clone());
    }
    values.set_std("related_case", FieldValue::Ref(from.uuid()));
    let new_case = relata_app::write::create_in(&mut tx, ctx, cases, values).await?;
    for comment in &moving {
        move_comment(&mut tx, ctx, comment, new_case.id).await?;
    }
    tx.commit().await?;
    Ok(new_case)
}
