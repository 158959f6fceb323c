//! The one write path: create, update, delete, restore, and bulk create.

use crate::error::AppError;
use crate::module::{TrashOp, installed};
use crate::{App, Ctx};
use relata_core::access::Right;
use relata_core::document::{Line, LineInput, check_lines, currency_of, line_json, merge_lines, parse_lines, totals};
use relata_core::input::{apply_defaults, merge, missing_required, parse_fields, relations_set};
use relata_core::meta::{EntityKind, FieldType, Schema, Target};
use relata_core::record::{creation_diff, diff};
use relata_core::value::{FieldValue, Values};
use relata_core::{FieldError, Record, RecordId, ValidationError};
use relata_i18n::{Arg, refusal};
use relata_store::ScopedConn;
use relata_store::changes::{ChangeOp, NewChange};
use relata_store::idempotency::StoredResponse;
use relata_store::records::Probe;
use serde_json::{Value as Json, json};
use std::collections::{HashMap, HashSet};

/// Runs the owning module's before-save hook, with every record readable.
async fn before_save(
    tx: &mut ScopedConn,
    ctx: &Ctx,
    old: Option<&Record>,
    new: &mut Record,
) -> Result<(), relata_store::StoreError> {
    let Some(module) = installed().owner_of(new.kind) else { return Ok(()) };
    let visibility = tx.lift_visibility();
    let result = module.before_save(tx, ctx, old, new).await;
    tx.restore_visibility(visibility);
    result
}

/// Runs the owning module's after-save hook, with every record readable.
async fn after_save(
    tx: &mut ScopedConn,
    ctx: &Ctx,
    old: Option<&Record>,
    new: &Record,
) -> Result<(), relata_store::StoreError> {
    let Some(module) = installed().owner_of(new.kind) else { return Ok(()) };
    let visibility = tx.lift_visibility();
    let result = module.after_save(tx, ctx, old, new).await;
    tx.restore_visibility(visibility);
    result
}

/// Runs the owning module's hook before or after a record moves to the
/// trash or back (`before`), with every record readable.
async fn trash_hook(
    tx: &mut ScopedConn,
    ctx: &Ctx,
    op: TrashOp,
    record: &Record,
    before: bool,
) -> Result<(), relata_store::StoreError> {
    let Some(module) = installed().owner_of(record.kind) else { return Ok(()) };
    let visibility = tx.lift_visibility();
    let result = if before {
        module.before_trash(tx, ctx, op, record).await
    } else {
        module.after_trash(tx, ctx, op, record).await
    };
    tx.restore_visibility(visibility);
    result
}

/// An idempotent create: the key and a hash of the request it came with.
pub struct Idempotency {
    pub key: String,
    pub request_hash: String,
}

/// What a create returned.
pub enum Created {
    New(Box<Record>, Json),
    /// The same Idempotency-Key was seen before: its first response.
    Replayed(StoredResponse),
}

/// Wanted relation targets in chunks of a statement's size.
fn target_chunks(wanted: HashMap<Target, HashSet<String>>) -> Vec<(Target, Vec<String>)> {
    wanted
        .into_iter()
        .flat_map(|(target, ids)| {
            let ids: Vec<String> = ids.into_iter().collect();
            ids.chunks(500).map(|chunk| (target, chunk.to_vec())).collect::<Vec<_>>()
        })
        .collect()
}

fn target_probes(chunks: &[(Target, Vec<String>)]) -> Vec<Probe<'_>> {
    chunks
        .iter()
        .map(|(target, ids)| match target {
            Target::Entity(kind) => Probe::Records(*kind, ids),
            Target::User => Probe::Members(ids),
        })
        .collect()
}

/// Which targets exist (and the writer may see), from the chunks' answers.
fn found_targets(
    chunks: &[(Target, Vec<String>)],
    answers: impl Iterator<Item = HashSet<String>>,
) -> HashMap<Target, HashSet<String>> {
    let mut found: HashMap<Target, HashSet<String>> = HashMap::new();
    for ((target, _), existing) in chunks.iter().zip(answers) {
        found.entry(*target).or_default().extend(existing);
    }
    found
}

/// Which of the wanted relation targets exist (and the writer may see).
async fn existing_targets(
    tx: &mut ScopedConn,
    wanted: HashMap<Target, HashSet<String>>,
) -> Result<HashMap<Target, HashSet<String>>, AppError> {
    let chunks = target_chunks(wanted);
    let answers = tx.probe(&target_probes(&chunks)).await?;
    Ok(found_targets(&chunks, answers.into_iter()))
}

/// Relation targets and unique values of each record in `batch`, checked
/// together (one statement for a record, a few for a large batch: inside a
/// write transaction every round trip costs the writer's time); returns the
/// errors of each record by position.
pub async fn check_references(
    tx: &mut ScopedConn,
    schema: &Schema,
    batch: &[&Record],
) -> Result<Vec<Vec<FieldError>>, AppError> {
    let mut wanted: HashMap<Target, HashSet<String>> = HashMap::new();
    for record in batch {
        for (field, id) in relations_set(schema, &record.values) {
            if let Some(t) = field.ty.points_at() {
                wanted.entry(t).or_default().insert(id.to_string());
            }
        }
    }
    // The targets, then each record's unique values.
    let chunks = target_chunks(wanted);
    let uniques: Vec<(usize, &relata_core::meta::FieldDef, &FieldValue, String)> = batch
        .iter()
        .enumerate()
        .flat_map(|(n, record)| {
            schema.fields().filter(|f| f.unique).filter_map(move |field| {
                let value = record.values.get(field);
                let shown = match value {
                    FieldValue::Text(v) => format!("{v:?}"),
                    FieldValue::Int(i) => i.to_string(),
                    _ => return None,
                };
                Some((n, field, value, shown))
            })
        })
        .collect();
    let mut probes = target_probes(&chunks);
    probes.extend(uniques.iter().map(|(_, field, value, _)| Probe::Holders(schema, field, value)));
    let mut answers = tx.probe(&probes).await?.into_iter();
    let found = found_targets(&chunks, answers.by_ref());
    let mut out = Vec::with_capacity(batch.len());
    for record in batch {
        let mut errors = Vec::new();
        for (field, id) in relations_set(schema, &record.values) {
            let Some(t) = field.ty.points_at() else { continue };
            if !found.get(&t).is_some_and(|s| s.contains(&id.to_string())) {
                let what = match t {
                    Target::Entity(k) => relata_i18n::entity_one(k),
                    Target::User => {
                        Arg::Label { id: "refuse-member".into(), fallback: "user in this workspace".into() }
                    }
                };
                let args = vec![("what", what), ("id", id.to_string().into())];
                errors.push(refusal(field.qualified_id(), "not_found", "refuse-no-such", args));
            }
        }
        out.push(errors);
    }
    for ((n, field, _, shown), holders) in uniques.into_iter().zip(answers) {
        if holders.iter().any(|o| *o != batch[n].id.to_string()) {
            let args = vec![("value", shown.into()), ("what", relata_i18n::entity_one(schema.kind))];
            out[n].push(refusal(field.qualified_id(), "duplicate", "refuse-already-used", args));
        }
    }
    Ok(out)
}

/// Stores a new record in an open transaction: rules, checks, side indexes,
/// change entry. Returns field errors without writing anything on failure.
pub async fn create_in(tx: &mut ScopedConn, ctx: &Ctx, schema: &Schema, values: Values) -> Result<Record, AppError> {
    create_document_in(tx, ctx, schema, values, Vec::new()).await
}

/// [`create_in`] for a document type, with its lines.
pub async fn create_document_in(
    tx: &mut ScopedConn,
    ctx: &Ctx,
    schema: &Schema,
    mut values: Values,
    lines: Vec<LineInput>,
) -> Result<Record, AppError> {
    check_made_by_relata(ctx, schema)?;
    // The role's field rules hold whoever built the values (defaults and
    // the owner are Relata's, applied after).
    let refused: Vec<FieldError> =
        schema.fields().filter(|f| !values.get(f).is_null()).filter_map(|f| role_refusal(schema, f)).collect();
    ValidationError::check(refused)?;
    apply_defaults(schema, &mut values);
    if values.std("owner").is_null()
        && let Some(actor) = ctx.actor
    {
        values.set_std("owner", FieldValue::Ref(actor.uuid()));
    }
    ctx.access.check_kind(schema.kind, Right::Create)?;
    check_owner(ctx, schema.kind, &values)?;
    let mut record = Record::new(schema.kind, ctx.actor, values, tx.now());
    if schema.def().lines.is_some() {
        record.lines = Some(merge_lines(&[], lines).map_err(|errors| ValidationError { errors })?);
    } else if !lines.is_empty() {
        return Err(
            ValidationError { errors: vec![refusal("lines", "unknown_field", "refuse-no-lines", vec![])] }.into()
        );
    }
    let mut errors = check_references(tx, schema, &[&record]).await?.pop().unwrap_or_default();
    errors.extend(missing_required(schema, &record.values));
    ValidationError::check(errors)?;
    before_save(tx, ctx, None, &mut record).await?;
    let mut errors = document_rules(tx, ctx, schema, &mut record).await?;
    errors.extend(missing_required(schema, &record.values));
    ValidationError::check(errors)?;
    assign_number(tx, schema, &mut record).await?;
    tx.insert_record(schema, &record).await.map_err(|e| unique_to_field(schema, e))?;
    if let (Some(def), Some(lines)) = (&schema.def().lines, &record.lines) {
        tx.replace_lines(schema.kind, def, record.id, lines).await?;
    }
    tx.index_new_records(schema, std::slice::from_ref(&record)).await?;
    tx.append_changes(vec![NewChange {
        entity: schema.kind.singular(),
        id: record.id,
        op: ChangeOp::Create,
        actor: ctx.actor,
        at: record.created_at,
        diff: with_lines_diff(schema, creation_diff(schema, &record.values), None, record.lines.as_deref()),
        version: record.version,
        owner_before: None,
        owner_after: owner_of(&record.values),
    }])
    .await?;
    after_save(tx, ctx, None, &record).await?;
    Ok(record)
}

/// Records only Relata writes (automation runs) refuse every person's write.
fn check_made_by_relata(ctx: &Ctx, schema: &Schema) -> Result<(), AppError> {
    if schema.def().made_by_relata && ctx.actor.is_some() {
        return Err(AppError::Denied(relata_core::access::Denied::MadeByRelata { kind: schema.kind }));
    }
    Ok(())
}

/// The owner a record's values name.
pub fn owner_of(values: &Values) -> Option<relata_core::UserId> {
    match values.std("owner") {
        FieldValue::Ref(u) => Some(relata_core::UserId::from_uuid(*u)),
        _ => None,
    }
}

/// A document's rules that every write passes: its lines' references and
/// currency, and the header totals kept from the lines (set on `record`).
/// Returns the problems, by field (`lines[2].unit_price`).
async fn document_rules(
    tx: &mut ScopedConn,
    ctx: &Ctx,
    schema: &Schema,
    record: &mut Record,
) -> Result<Vec<FieldError>, AppError> {
    let (Some(def), Some(lines)) = (&schema.def().lines, &record.lines) else { return Ok(Vec::new()) };
    let currency = currency_of(schema.def(), def, &record.values, lines, ctx.parse.default_currency());
    let mut errors = check_lines(def, lines, currency);
    errors.extend(check_line_references(tx, def, lines).await?);
    match totals(schema.def(), def, lines, currency) {
        Ok(values) => merge(&mut record.values, values),
        Err(e) => errors.push(e),
    }
    Ok(errors)
}

/// Relation fields of lines point at records that exist (and that the
/// writer may see).
async fn check_line_references(
    tx: &mut ScopedConn,
    def: &relata_core::meta::LinesDef,
    lines: &[Line],
) -> Result<Vec<FieldError>, AppError> {
    let mut wanted: HashMap<Target, HashSet<String>> = HashMap::new();
    for line in lines {
        for field in &def.fields {
            if let (FieldType::Relation(t), FieldValue::Ref(id)) = (&field.ty, line.values.get(field)) {
                wanted.entry(*t).or_default().insert(id.to_string());
            }
        }
    }
    let found = existing_targets(tx, wanted).await?;
    let mut errors = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        for field in &def.fields {
            if let (FieldType::Relation(t), FieldValue::Ref(id)) = (&field.ty, line.values.get(field))
                && !found.get(t).is_some_and(|s| s.contains(&id.to_string()))
            {
                let args = vec![("id", id.to_string().into())];
                errors.push(refusal(
                    format!("lines[{i}].{}", field.id),
                    "not_found",
                    "refuse-no-such-line-record",
                    args,
                ));
            }
        }
    }
    Ok(errors)
}

/// Gives a new record of a numbered type its document number, in this
/// transaction (see [`ScopedConn::next_number`]).
async fn assign_number(tx: &mut ScopedConn, schema: &Schema, record: &mut Record) -> Result<(), AppError> {
    let Some(numbering) = &schema.def().numbering else { return Ok(()) };
    use chrono::Datelike;
    let year = record.created_at.year();
    let series = format!("{}.{}", schema.kind.api_name(), numbering.field);
    let period = relata_core::document::number_period(&numbering.format, year);
    let number = tx.next_number(&series, &period, numbering.gapless).await?;
    let text = relata_core::document::format_number(&numbering.format, year, number);
    record.values.set_std(&numbering.field, FieldValue::Text(text));
    Ok(())
}

/// A change entry's diff with the lines' before and after, when they changed.
fn with_lines_diff(schema: &Schema, mut changes: Json, before: Option<&[Line]>, after: Option<&[Line]>) -> Json {
    let Some(def) = &schema.def().lines else { return changes };
    if before == after || (before.is_none() && after.is_some_and(<[Line]>::is_empty)) {
        return changes;
    }
    let shown = |lines: Option<&[Line]>| -> Json {
        lines.map_or(Json::Null, |l| Json::Array(l.iter().map(|line| line_json(def, line)).collect()))
    };
    if let Some(obj) = changes.as_object_mut() {
        if before.is_none() {
            // A creation diff holds the values after.
            obj.insert("lines".into(), shown(after));
        } else {
            obj.insert("lines".into(), json!({"before": shown(before), "after": shown(after)}));
        }
    }
    changes
}

/// Refuses owners the acting user may not give records to.
fn check_owner(ctx: &Ctx, kind: EntityKind, values: &Values) -> Result<(), AppError> {
    if ctx.access.may_assign(kind, owner_of(values)) {
        return Ok(());
    }
    Err(AppError::Denied(relata_core::access::Denied::Assign { kind }))
}

/// The answer when a record cannot be read: not found, or, when it exists
/// but is hidden from who asks, [`AppError::Hidden`] (answered as not found
/// too, and recorded in the audit log by the edge).
pub async fn missing_or_hidden(conn: &mut ScopedConn, kind: EntityKind, id: RecordId) -> AppError {
    match conn.exists_but_hidden(kind, id).await {
        Ok(true) => AppError::Hidden { kind, id },
        Ok(false) => AppError::NotFound,
        Err(e) => e.into(),
    }
}

fn unique_to_field(schema: &Schema, e: relata_store::StoreError) -> AppError {
    if e.is_unique_violation()
        && let Some(f) = schema.fields().find(|f| f.unique)
    {
        return AppError::Invalid(ValidationError {
            errors: vec![refusal(f.qualified_id(), "duplicate", "refuse-used", vec![])],
        });
    }
    e.into()
}

/// Creates a record from API JSON.
pub async fn create(
    app: &App,
    ctx: &Ctx,
    kind: EntityKind,
    body: &Json,
    idem: Option<Idempotency>,
) -> Result<Created, AppError> {
    let schemas = app.schemas_for(ctx).await?;
    let schema = schemas.get(kind);
    let (values, lines) = parse_body(schema, body, ctx)?;
    if let Some(idem) = &idem {
        let mut conn = app.reader(ctx).await?;
        if let Some(previous) = conn.idempotent_response(&idem.key).await? {
            return replay(previous, idem);
        }
    }
    let mut tx = app.writer(ctx).await?;
    let record = create_document_in(&mut tx, ctx, schema, values, lines.unwrap_or_default()).await?;
    let json = record.to_json(schema);
    if let Some(idem) = &idem {
        let response = StoredResponse { request_hash: idem.request_hash.clone(), status: 201, body: json.to_string() };
        if let Err(e) = tx.save_idempotent_response(&idem.key, &response).await {
            if e.is_unique_violation() {
                // A concurrent request with the same key won; answer as it did.
                drop(tx);
                let mut conn = app.reader(ctx).await?;
                if let Some(previous) = conn.idempotent_response(&idem.key).await? {
                    return replay(previous, idem);
                }
            }
            return Err(e.into());
        }
    }
    tx.commit().await?;
    Ok(Created::New(Box::new(record), json))
}

fn replay(previous: StoredResponse, idem: &Idempotency) -> Result<Created, AppError> {
    if previous.request_hash != idem.request_hash {
        return Err(AppError::IdempotencyMismatch);
    }
    Ok(Created::Replayed(previous))
}

/// Creates a record from values already parsed (web forms), with a
/// document's lines.
pub async fn create_values(
    app: &App,
    ctx: &Ctx,
    kind: EntityKind,
    values: Values,
    lines: Vec<LineInput>,
) -> Result<Record, AppError> {
    let schemas = app.schemas_for(ctx).await?;
    let mut tx = app.writer(ctx).await?;
    let record = create_document_in(&mut tx, ctx, schemas.get(kind), values, lines).await?;
    tx.commit().await?;
    Ok(record)
}

/// Applies parsed values (web forms) if the record is still at `expected_version`.
pub async fn update_values(
    app: &App,
    ctx: &Ctx,
    kind: EntityKind,
    id: RecordId,
    patch: Values,
    expected_version: i64,
) -> Result<Record, AppError> {
    update_document_values(app, ctx, kind, id, patch, None, expected_version).await
}

/// [`update_values`] with a document's lines, when they are given (see
/// [`relata_core::document::merge_lines`]).
pub async fn update_document_values(
    app: &App,
    ctx: &Ctx,
    kind: EntityKind,
    id: RecordId,
    patch: Values,
    lines: Option<Vec<LineInput>>,
    expected_version: i64,
) -> Result<Record, AppError> {
    let schemas = app.schemas_for(ctx).await?;
    let mut tx = app.writer(ctx).await?;
    let record = update_document_in(&mut tx, ctx, schemas.get(kind), id, patch, lines, Some(expected_version)).await?;
    tx.commit().await?;
    Ok(record)
}

/// Applies a PATCH if the record is still at `expected_version`; a
/// document's `lines`, when given, are the lines it keeps (see
/// [`relata_core::document::merge_lines`]).
pub async fn update(
    app: &App,
    ctx: &Ctx,
    kind: EntityKind,
    id: RecordId,
    body: &Json,
    expected_version: i64,
) -> Result<Record, AppError> {
    let schemas = app.schemas_for(ctx).await?;
    let schema = schemas.get(kind);
    let (patch, lines) = parse_body(schema, body, ctx)?;
    let mut tx = app.writer(ctx).await?;
    let record = update_document_in(&mut tx, ctx, schema, id, patch, lines, Some(expected_version)).await?;
    tx.commit().await?;
    Ok(record)
}

/// The fields of a create or PATCH body, and a document's lines; every
/// problem of both at once.
pub fn parse_body(schema: &Schema, body: &Json, ctx: &Ctx) -> Result<(Values, Option<Vec<LineInput>>), AppError> {
    let (Some(def), Some(raw_lines)) = (&schema.def().lines, body.get("lines")) else {
        return Ok((parse_fields(schema, body, &ctx.parse)?, None));
    };
    let mut header = body.clone();
    if let Some(obj) = header.as_object_mut() {
        obj.remove("lines");
    }
    let fields = parse_fields(schema, &header, &ctx.parse);
    let lines = parse_lines(def, raw_lines, &ctx.parse);
    match (fields, lines) {
        (Ok(values), Ok(lines)) => Ok((values, Some(lines))),
        (fields, lines) => {
            let mut errors = fields.err().map(|e| e.errors).unwrap_or_default();
            errors.extend(lines.err().unwrap_or_default());
            Err(ValidationError { errors }.into())
        }
    }
}

/// Updates a record in an open transaction; no-op patches write nothing.
pub async fn update_in(
    tx: &mut ScopedConn,
    ctx: &Ctx,
    schema: &Schema,
    id: RecordId,
    patch: Values,
    expected_version: Option<i64>,
) -> Result<Record, AppError> {
    update_document_in(tx, ctx, schema, id, patch, None, expected_version).await
}

/// Why the viewer's role may not write `field`, if it may not: hidden
/// fields are unknown to it, read-only ones refused.
fn role_refusal(schema: &Schema, field: &relata_core::meta::FieldDef) -> Option<FieldError> {
    if schema.is_hidden(field) {
        Some(refusal(field.qualified_id(), "unknown_field", "refuse-hidden-field", vec![]))
    } else if schema.is_read_only_for_role(field) {
        Some(refusal(field.qualified_id(), "read_only", "refuse-read-only", vec![]))
    } else {
        None
    }
}

/// [`update_in`] with a document's new lines, if they change.
pub async fn update_document_in(
    tx: &mut ScopedConn,
    ctx: &Ctx,
    schema: &Schema,
    id: RecordId,
    patch: Values,
    lines: Option<Vec<LineInput>>,
    expected_version: Option<i64>,
) -> Result<Record, AppError> {
    let old = match tx.get_record(schema, id, false).await? {
        Some(old) => old,
        None => return Err(missing_or_hidden(tx, schema.kind, id).await),
    };
    ctx.access.check(schema.kind, Right::Update, owner_of(&old.values))?;
    check_made_by_relata(ctx, schema)?;
    if let Some(v) = expected_version
        && v != old.version
    {
        return Err(AppError::VersionConflict { current: old.version });
    }
    let mut new = old.clone();
    // Only the fields the patch changes are re-checked against other records.
    let mut changed = Values::default();
    // The role's field rules hold here, on the one write path, whoever built
    // the patch (an API body, a form, the board's drag and drop).
    let mut refused = Vec::new();
    for field in schema.fields() {
        let v = patch.get(field);
        let present = if field.is_custom() {
            patch.custom.contains_key(field.id.as_ref())
        } else {
            patch.standard.contains_key(field.id.as_ref())
        };
        if present && old.values.get(field) != v {
            refused.extend(role_refusal(schema, field));
            changed.set(field, v.clone());
        }
    }
    ValidationError::check(refused)?;
    merge(&mut new.values, patch);
    if let Some(lines) = lines {
        if schema.def().lines.is_none() {
            return Err(
                ValidationError { errors: vec![refusal("lines", "unknown_field", "refuse-no-lines", vec![])] }.into()
            );
        }
        let stored = old.lines.as_deref().unwrap_or_default();
        new.lines = Some(merge_lines(stored, lines).map_err(|errors| ValidationError { errors })?);
    }
    if owner_of(&new.values) != owner_of(&old.values) {
        check_owner(ctx, schema.kind, &new.values)?;
    }
    let probe = Record { values: changed, ..new.clone() };
    let mut errors = check_references(tx, schema, &[&probe]).await?.pop().unwrap_or_default();
    errors.extend(missing_required(schema, &new.values));
    ValidationError::check(errors)?;
    // Rules see the time of this change (e.g. an opportunity's closing time).
    new.updated_at = tx.now();
    new.updated_by = ctx.actor;
    before_save(tx, ctx, Some(&old), &mut new).await?;
    ValidationError::check(document_rules(tx, ctx, schema, &mut new).await?)?;
    let changes = with_lines_diff(
        schema,
        diff(schema, Some(&old.values), Some(&new.values)),
        old.lines.as_deref(),
        new.lines.as_deref(),
    );
    if changes.as_object().is_some_and(|o| o.is_empty()) {
        return Ok(old);
    }
    new.version = old.version + 1;
    tx.update_record(schema, &new, old.version).await.map_err(|e| unique_to_field(schema, e))?;
    if let (Some(def), Some(lines)) = (&schema.def().lines, &new.lines)
        && new.lines != old.lines
    {
        tx.replace_lines(schema.kind, def, id, lines).await?;
    }
    tx.index_record(schema, Some(&old), &new).await?;
    tx.append_changes(vec![NewChange {
        entity: schema.kind.singular(),
        id,
        op: ChangeOp::Update,
        actor: ctx.actor,
        at: new.updated_at,
        diff: changes,
        version: new.version,
        owner_before: owner_of(&old.values),
        owner_after: owner_of(&new.values),
    }])
    .await?;
    after_save(tx, ctx, Some(&old), &new).await?;
    Ok(new)
}

/// Moves a record to the trash (soft delete) or back.
pub async fn set_deleted(
    app: &App,
    ctx: &Ctx,
    kind: EntityKind,
    id: RecordId,
    deleted: bool,
    expected_version: Option<i64>,
) -> Result<Record, AppError> {
    let schemas = app.schemas_for(ctx).await?;
    let mut tx = app.writer(ctx).await?;
    let record = set_deleted_in(&mut tx, ctx, schemas.get(kind), id, deleted, expected_version).await?;
    tx.commit().await?;
    Ok(record)
}

/// Moves a record to the trash or back in an open transaction.
pub async fn set_deleted_in(
    tx: &mut ScopedConn,
    ctx: &Ctx,
    schema: &Schema,
    id: RecordId,
    deleted: bool,
    expected_version: Option<i64>,
) -> Result<Record, AppError> {
    let kind = schema.kind;
    let old = match tx.get_record(schema, id, true).await? {
        Some(old) => old,
        None => return Err(missing_or_hidden(tx, kind, id).await),
    };
    ctx.access.check(kind, Right::Delete, owner_of(&old.values))?;
    check_made_by_relata(ctx, schema)?;
    if old.deleted_at.is_some() != deleted {
        if !deleted {
            // Restoring a record whose unique value was taken meanwhile would break uniqueness.
            let errors = check_references(tx, schema, &[&old]).await?.pop().unwrap_or_default();
            let dupes: Vec<FieldError> = errors.into_iter().filter(|e| e.code == "duplicate").collect();
            ValidationError::check(dupes)?;
        }
    } else if deleted {
        return Err(AppError::NotFound);
    } else {
        return Ok(old);
    }
    if let Some(v) = expected_version
        && v != old.version
    {
        return Err(AppError::VersionConflict { current: old.version });
    }
    let op = if deleted { TrashOp::Delete } else { TrashOp::Restore };
    trash_hook(tx, ctx, op, &old, true).await?;
    let mut new = old.clone();
    let now = tx.now();
    new.deleted_at = deleted.then_some(now);
    new.version += 1;
    new.updated_at = now;
    new.updated_by = ctx.actor;
    tx.update_record(schema, &new, old.version).await?;
    tx.index_record(schema, Some(&old), &new).await?;
    let change_op = if deleted { ChangeOp::Delete } else { ChangeOp::Restore };
    let at = |d: Option<chrono::DateTime<chrono::Utc>>| json!(d.map(|t| relata_core::value::format_datetime(&t)));
    tx.append_changes(vec![NewChange {
        entity: kind.singular(),
        id,
        op: change_op,
        actor: ctx.actor,
        at: now,
        diff: json!({"deleted_at": {"before": at(old.deleted_at), "after": at(new.deleted_at)}}),
        version: new.version,
        owner_before: owner_of(&old.values),
        owner_after: owner_of(&new.values),
    }])
    .await?;
    trash_hook(tx, ctx, op, &new, false).await?;
    let action = if deleted { "record.delete" } else { "record.restore" };
    crate::audit::audit_in(tx, ctx, crate::audit::Event::new(action).target(kind.singular(), id)).await?;
    Ok(new)
}

/// Creates many records in an open transaction (import, demo data): checks
/// relations in batches, runs the rules of each record, and writes records,
/// side indexes and change entries in multi-row statements. Records whose
/// checks fail are returned with their errors, by position, and not written.
pub async fn create_many_in(
    tx: &mut ScopedConn,
    ctx: &Ctx,
    schema: &Schema,
    rows: Vec<Values>,
) -> Result<(Vec<Record>, Vec<(usize, Vec<FieldError>)>), AppError> {
    let now = tx.now();
    let records: Vec<Record> = rows
        .into_iter()
        .map(|mut values| {
            apply_defaults(schema, &mut values);
            if values.std("owner").is_null()
                && let Some(actor) = ctx.actor
            {
                values.set_std("owner", FieldValue::Ref(actor.uuid()));
            }
            Record::new(schema.kind, ctx.actor, values, now)
        })
        .collect();
    insert_many_in(tx, ctx, schema, records).await
}

/// The bulk path behind [`create_many_in`], for callers that build the
/// records themselves (demo data with back-dated histories): the same
/// checks, rules, side indexes and change entries as every other write.
pub async fn insert_many_in(
    tx: &mut ScopedConn,
    ctx: &Ctx,
    schema: &Schema,
    mut records: Vec<Record>,
) -> Result<(Vec<Record>, Vec<(usize, Vec<FieldError>)>), AppError> {
    ctx.access.check_kind(schema.kind, Right::Create)?;
    check_made_by_relata(ctx, schema)?;
    let refs: Vec<&Record> = records.iter().collect();
    let mut checks = check_references(tx, schema, &refs).await?;
    for (record, errors) in records.iter().zip(checks.iter_mut()) {
        if check_owner(ctx, schema.kind, &record.values).is_err() {
            errors.push(refusal("owner", "forbidden", "refuse-owner", vec![]));
        }
    }
    let mut failed = Vec::new();
    let mut good = Vec::with_capacity(records.len());
    for (i, mut record) in records.drain(..).enumerate() {
        let mut errors = std::mem::take(&mut checks[i]);
        if errors.is_empty() {
            match before_save(tx, ctx, None, &mut record).await {
                Ok(()) => {}
                Err(relata_store::StoreError::Invalid(v)) => errors.extend(v.errors),
                Err(e) => return Err(e.into()),
            }
            errors.extend(missing_required(schema, &record.values));
        }
        if errors.is_empty() {
            good.push(record);
        } else {
            failed.push((i, errors));
        }
    }
    for record in good.iter_mut() {
        assign_number(tx, schema, record).await?;
    }
    tx.insert_records(schema, &good).await?;
    tx.index_new_records(schema, &good).await?;
    let changes: Vec<NewChange> = good
        .iter()
        .map(|r| NewChange {
            entity: schema.kind.singular(),
            id: r.id,
            op: ChangeOp::Create,
            actor: ctx.actor,
            at: r.created_at,
            diff: creation_diff(schema, &r.values),
            version: r.version,
            owner_before: None,
            owner_after: owner_of(&r.values),
        })
        .collect();
    tx.append_changes(changes).await?;
    if let Some(module) = installed().owner_of(schema.kind) {
        let visibility = tx.lift_visibility();
        let result = module.after_insert_many(tx, ctx, &good).await;
        tx.restore_visibility(visibility);
        result?;
    }
    Ok((good, failed))
}
