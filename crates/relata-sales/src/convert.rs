//! Lead conversion, run through the write path in one transaction.

use crate::{LEADS, OPPORTUNITIES, lead};
use relata_app::error::AppError;
use relata_app::write::{create_in, update_in};
use relata_app::{App, Ctx};
use relata_core::input::parse_fields;
use relata_core::value::{FieldValue, Values};
use relata_core::{FieldError, Record, RecordId, ValidationError};
use relata_crm::{ACCOUNTS, CONTACTS};
use serde_json::Value as Json;

/// What the caller asks for: an existing account to attach the contact to (or
/// a new one from the lead's company), and optionally a new opportunity.
#[derive(Debug, Default)]
pub struct ConvertRequest {
    pub account: Option<RecordId>,
    /// Opportunity fields (`name`, `amount`, `stage`, …); `None` for no opportunity.
    pub opportunity: Option<Json>,
}

impl ConvertRequest {
    /// Reads `{"account": id?, "opportunity": {fields} | false}` from the API.
    /// Without `opportunity` the conversion creates one with default values;
    /// `false` creates none.
    pub fn from_json(body: &Json) -> Result<ConvertRequest, ValidationError> {
        let Json::Object(obj) = body else {
            return Err(ValidationError::single("", "invalid_type", "the body must be a JSON object"));
        };
        let mut errors = Vec::new();
        let mut request = ConvertRequest { account: None, opportunity: Some(Json::Object(Default::default())) };
        for (key, value) in obj {
            match (key.as_str(), value) {
                ("account", Json::Null) => {}
                ("account", Json::String(s)) => match s.parse() {
                    Ok(id) => request.account = Some(id),
                    Err(_) => errors.push(FieldError::new("account", "invalid_id", format!("{s:?} is not an id"))),
                },
                ("account", _) => errors.push(FieldError::new("account", "invalid_type", "expected an account id")),
                ("opportunity", Json::Bool(false)) => request.opportunity = None,
                ("opportunity", Json::Null) => {}
                ("opportunity", Json::Object(_)) => request.opportunity = Some(value.clone()),
                ("opportunity", _) => errors.push(FieldError::new(
                    "opportunity",
                    "invalid_type",
                    "expected opportunity fields as an object, or false for no opportunity",
                )),
                (other, _) => {
                    errors.push(FieldError::new(other, "unknown_field", "conversion takes account and opportunity"))
                }
            }
        }
        ValidationError::check(errors)?;
        Ok(request)
    }
}

pub struct Converted {
    pub lead: Record,
    pub account: Record,
    pub contact: Record,
    pub opportunity: Option<Record>,
}

pub async fn convert_lead(app: &App, ctx: &Ctx, id: RecordId, req: ConvertRequest) -> Result<Converted, AppError> {
    let schemas = app.schemas_for(ctx).await?;
    let opp_schema = schemas.get(OPPORTUNITIES);
    // Parse the opportunity part before touching anything.
    let opp_values = match &req.opportunity {
        Some(body) => Some(parse_fields(opp_schema, body, &ctx.parse).map_err(|e| prefix(e, "opportunity."))?),
        None => None,
    };
    let mut tx = app.writer(ctx).await?;
    let lead_record = tx.get_record(schemas.get(LEADS), id, false).await?.ok_or(AppError::NotFound)?;
    lead::check_convertible(&lead_record)?;
    let account = match req.account {
        Some(account_id) => tx
            .get_record(schemas.get(ACCOUNTS), account_id, false)
            .await?
            .ok_or_else(|| ValidationError::single("account", "not_found", "no such account"))?,
        None => create_in(&mut tx, ctx, schemas.get(ACCOUNTS), lead::account_values(&lead_record))
            .await
            .map_err(|e| prefix_app(e, "account."))?,
    };
    let contact = create_in(&mut tx, ctx, schemas.get(CONTACTS), lead::contact_values(&lead_record, account.id.uuid()))
        .await
        .map_err(|e| prefix_app(e, "contact."))?;
    let opportunity = match opp_values {
        Some(mut values) => {
            if values.std("name").is_null() {
                values.set_std(
                    "name",
                    FieldValue::Text(format!(
                        "{} opportunity",
                        relata_core::meta::Schema::standard(ACCOUNTS).title(&account)
                    )),
                );
            }
            values.set_std("account", FieldValue::Ref(account.id.uuid()));
            values.set_std("primary_contact", FieldValue::Ref(contact.id.uuid()));
            Some(create_in(&mut tx, ctx, opp_schema, values).await.map_err(|e| prefix_app(e, "opportunity."))?)
        }
        None => None,
    };
    let mut converted = lead_record.clone();
    lead::mark_converted(
        &mut converted,
        tx.now(),
        account.id.uuid(),
        contact.id.uuid(),
        opportunity.as_ref().map(|o| o.id.uuid()),
    );
    let patch = Values { standard: converted.values.standard.clone(), custom: Default::default() };
    let lead_after = update_in(&mut tx, ctx, schemas.get(LEADS), id, patch, None).await?;
    tx.commit().await?;
    Ok(Converted { lead: lead_after, account, contact, opportunity })
}

fn prefix(mut e: ValidationError, p: &str) -> ValidationError {
    for f in &mut e.errors {
        f.field = format!("{p}{}", f.field);
    }
    e
}

fn prefix_app(e: AppError, p: &str) -> AppError {
    match e {
        AppError::Invalid(v) => AppError::Invalid(prefix(v, p)),
        other => other,
    }
}
