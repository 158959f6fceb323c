//! Defining custom fields at run time.

use crate::error::AppError;
use crate::{App, Ctx};
use relata_core::meta::{EntityKind, FieldDef, FieldType, is_valid_custom_field_id};
use relata_core::{FieldError, RecordId, ValidationError};
use relata_store::changes::{ChangeOp, METADATA, NewChange};
use relata_store::custom_fields::CustomFieldRow;
use serde::Deserialize;
use serde_json::{Value as Json, json};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewCustomField {
    pub id: String,
    pub label: Option<String>,
    #[serde(rename = "type")]
    pub field_type: String,
    #[serde(default)]
    pub options: Vec<String>,
    pub target: Option<String>,
    #[serde(default)]
    pub required: bool,
    /// Places after the point, for decimal fields (default 2).
    pub scale: Option<u32>,
    /// The label in other languages: `{"pl": "Rozmiar"}`.
    pub labels: Option<Json>,
    /// The options' labels: `{"small": {"en": "Small", "pl": "Mały"}}`.
    pub option_labels: Option<Json>,
}

pub fn to_json(entity: EntityKind, def: &FieldDef) -> Json {
    json!({
        "entity": entity.api_name(),
        "id": def.id,
        "label": def.label,
        "type": def.ty.name(),
        "options": def.ty.options(),
        "target": def.ty.target_name(),
        "scale": def.ty.scale(),
        "required": def.required,
        "labels": def.translations.labels,
        "option_labels": def.translations.option_labels,
    })
}

/// Defines a custom field of `entity`. On a custom object, the field joins
/// the object's own fields (named without `custom.`).
pub async fn create(app: &App, ctx: &Ctx, entity: EntityKind, body: &Json) -> Result<FieldDef, AppError> {
    ctx.access.require_admin()?;
    if entity.is_custom() {
        return crate::custom_objects::add_field(app, ctx, entity.api_name(), body).await;
    }
    let new: NewCustomField =
        serde_json::from_value(body.clone()).map_err(|e| ValidationError::single("", "invalid_body", e.to_string()))?;
    let mut errors = Vec::new();
    if !is_valid_custom_field_id(&new.id) {
        errors.push(FieldError::new(
            "id",
            "invalid_id",
            "lower-case letters, digits and _, starting with a letter, at most 63",
        ));
    }
    let schemas = app.schemas_for(ctx).await?;
    let ty = FieldType::for_custom(&new.field_type, &new.options, new.target.as_deref(), &|t| schemas.kind(t))
        .and_then(|ty| ty.with_scale(new.scale))
        .map_err(|m| errors.push(FieldError::new("type", "invalid_type", m)))
        .ok();
    let translations = crate::localize::parse_translations(
        new.labels.as_ref(),
        new.option_labels.as_ref(),
        ty.as_ref().and_then(FieldType::options).unwrap_or_default(),
        "",
    )
    .map_err(|mut e| errors.append(&mut e))
    .unwrap_or_default();
    let label = new.label.clone().unwrap_or_else(|| new.id.replace('_', " "));
    if label.trim().is_empty() || label.chars().count() > 100 {
        errors.push(FieldError::new("label", "invalid", "1 to 100 characters"));
    }
    if schemas.get(entity).custom_field(&new.id).is_some() {
        errors.push(FieldError::new(
            "id",
            "duplicate",
            format!("{} already has a custom field {:?}", entity.api_name(), new.id),
        ));
    }
    ValidationError::check(errors)?;
    let mut def = FieldDef::custom(new.id, label, ty.expect("checked above"), new.required);
    def.translations = translations;
    let row = CustomFieldRow { id: RecordId::new(), entity, def, created_at: app.store.now() };
    let mut tx = app.writer(ctx).await?;
    crate::audit::audit_in(
        &mut tx,
        ctx,
        crate::audit::Event::new("field.define")
            .target("field", format!("{}.{}", entity.api_name(), row.def.id))
            .details(serde_json::json!({"type": row.def.ty.name()})),
    )
    .await?;
    tx.insert_custom_field(&row).await.map_err(|e| {
        if e.is_unique_violation() {
            AppError::Invalid(ValidationError::single("id", "duplicate", "already defined"))
        } else {
            e.into()
        }
    })?;
    metadata_change(&mut tx, ctx, row.id, ChangeOp::Create, json!({"field": to_json(entity, &row.def)})).await?;
    tx.commit().await?;
    app.forget_schemas(ctx.ws());
    Ok(row.def)
}

pub async fn delete(app: &App, ctx: &Ctx, entity: EntityKind, field_id: &str) -> Result<(), AppError> {
    ctx.access.require_admin()?;
    if entity.is_custom() {
        return crate::custom_objects::remove_field(app, ctx, entity.api_name(), field_id).await;
    }
    let mut tx = app.writer(ctx).await?;
    let rows = tx.custom_fields().await?;
    let Some(row) = rows.iter().find(|r| r.entity == entity && r.def.id == field_id) else {
        return Err(AppError::NotFound);
    };
    if !tx.delete_custom_field(entity, field_id).await? {
        return Err(AppError::NotFound);
    }
    metadata_change(&mut tx, ctx, row.id, ChangeOp::Delete, json!({"field": to_json(entity, &row.def)})).await?;
    crate::audit::audit_in(
        &mut tx,
        ctx,
        crate::audit::Event::new("field.delete").target("field", format!("{}.{field_id}", entity.api_name())),
    )
    .await?;
    tx.commit().await?;
    app.forget_schemas(ctx.ws());
    Ok(())
}

/// Records a change of the metadata in the change log (and so the feed),
/// in the transaction that makes it: readers that keep copies learn of new
/// fields before the records that use them.
pub(crate) async fn metadata_change(
    tx: &mut relata_store::ScopedConn,
    ctx: &Ctx,
    id: RecordId,
    op: ChangeOp,
    definition: Json,
) -> Result<(), AppError> {
    tx.append_changes(vec![NewChange {
        entity: METADATA,
        id,
        op,
        actor: ctx.actor,
        at: tx.now(),
        diff: definition,
        version: 1,
        owner_before: None,
        owner_after: None,
    }])
    .await?;
    Ok(())
}
