//! Taking an order in a call (`POST /api/v1/phone_calls/{id}/order`): an
//! order for the caller's account (and contact) with products and
//! quantities; the catalogue fills in each line's description, unit and
//! tax, and the price books its price, exactly as for an order made
//! anywhere else (the commerce module's document rules). The phone call
//! names the order taken.

use crate::telephony::PHONE_CALLS;
use relata_app::error::AppError;
use relata_app::{App, Ctx};
use relata_commerce::ORDERS;
use relata_core::meta::Schema;
use relata_core::value::{FieldValue, Values};
use relata_core::{Record, RecordId, ValidationError};
use serde_json::{Value as Json, json};

/// The order and the call after it.
pub struct Taken {
    pub order: Record,
    pub call: Record,
}

/// Takes an order: `{lines: [{product, quantity}], notes?, currency?}`.
pub async fn take(app: &App, ctx: &Ctx, call_id: RecordId, input: &Json) -> Result<Taken, AppError> {
    let schemas = app.schemas_for(ctx).await?;
    let mut tx = app.writer(ctx).await?;
    let Some(call) = tx.get_record(schemas.get(PHONE_CALLS), call_id, false).await? else {
        return Err(relata_app::write::missing_or_hidden(&mut tx, PHONE_CALLS, call_id).await);
    };
    let Some(account) = call.values.ref_id("account") else {
        let message = "the caller has no account to order for: open their record and give them one";
        return Err(ValidationError::single("account", "required", message).into());
    };
    let lines = input.get("lines").and_then(Json::as_array).filter(|l| !l.is_empty());
    let Some(lines) = lines else {
        return Err(ValidationError::single("lines", "required", "at least one line: {product, quantity}").into());
    };
    // Only what a caller orders: a product and how many, priced by the catalogue.
    let lines: Vec<Json> =
        lines.iter().map(|l| json!({"product": l.get("product"), "quantity": l.get("quantity")})).collect();
    let mut body = json!({"account": account.to_string(), "lines": lines,
                          "order_date": tx.now().date_naive().to_string()});
    if let Some(contact) = call.values.ref_id("contact") {
        body["contact"] = json!(contact.to_string());
    }
    for key in ["notes", "currency"] {
        if let Some(value) = input.get(key).filter(|v| !v.is_null()) {
            body[key] = value.clone();
        }
    }
    let schema = schemas.get(ORDERS);
    let (values, lines) = relata_app::write::parse_body(schema, &body, ctx)?;
    let order = relata_app::write::create_document_in(&mut tx, ctx, schema, values, lines.unwrap_or_default()).await?;
    let mut patch = Values::default();
    patch.set_std("order", FieldValue::Ref(order.id.uuid()));
    let system = Ctx::new(ctx.workspace.clone(), None);
    let call =
        relata_app::write::update_in(&mut tx, &system, &Schema::standard(PHONE_CALLS), call.id, patch, None).await?;
    tx.commit().await?;
    Ok(Taken { order, call })
}
