//! Small reads and writes the commerce rules share: a record by id, every
//! record a filter selects (paged), values read as numbers and money, and
//! consequential updates made by Relata itself through the one write path.

use relata_app::Ctx;
use relata_core::decimal::Decimal;
use relata_core::error::FieldError;
use relata_core::filter::{Filter, Op};
use relata_core::meta::{EntityKind, Schema};
use relata_core::money::{Currency, Money};
use relata_core::value::{FieldValue, Values};
use relata_core::{Record, RecordId, ValidationError};
use relata_store::{ScopedConn, StoreError};
use uuid::Uuid;

pub fn invalid(errors: Vec<FieldError>) -> StoreError {
    StoreError::Invalid(ValidationError { errors })
}

/// A live record of `kind` (every record of the workspace is readable in
/// the write path's hooks).
pub async fn get(tx: &mut ScopedConn, kind: EntityKind, id: Uuid) -> Result<Option<Record>, StoreError> {
    tx.get_record(&Schema::standard(kind), RecordId::from_uuid(id), false).await
}

/// Every live record of `kind` whose `field` equals `value`, page by page.
pub async fn all_where(
    tx: &mut ScopedConn,
    kind: EntityKind,
    field: &str,
    value: FieldValue,
) -> Result<Vec<Record>, StoreError> {
    let schema = Schema::standard(kind);
    let def = kind.def();
    let field = def.field(field).expect("a field of the type");
    relata_app::read::every_in(tx, &schema, Filter::Compare { field, op: Op::Eq, value }).await
}

/// Relata's own update of another record, with every right, recorded as
/// the acting user's change; a patch that changes nothing writes nothing.
pub async fn update(
    tx: &mut ScopedConn,
    ctx: &Ctx,
    kind: EntityKind,
    id: Uuid,
    patch: Values,
) -> Result<Record, StoreError> {
    let relata = Ctx::new(ctx.workspace.clone(), ctx.actor);
    relata_app::write::update_in(tx, &relata, &Schema::standard(kind), RecordId::from_uuid(id), patch, None)
        .await
        .map_err(into_store)
}

pub use relata_app::error::into_store;

pub fn decimal(values: &Values, id: &str) -> Option<Decimal> {
    match values.std(id) {
        FieldValue::Decimal(d) => Some(*d),
        FieldValue::Int(i) => Some(Decimal::from(*i)),
        _ => None,
    }
}

pub fn money(values: &Values, id: &str) -> Option<Money> {
    match values.std(id) {
        FieldValue::Money(m) => Some(*m),
        _ => None,
    }
}

/// Minor units of a money value in `currency` (0 when absent).
pub fn minor(values: &Values, id: &str) -> i64 {
    money(values, id).map_or(0, |m| m.minor)
}

pub fn text<'a>(values: &'a Values, id: &str) -> Option<&'a str> {
    values.std(id).as_text()
}

pub fn date(values: &Values, id: &str) -> Option<chrono::NaiveDate> {
    match values.std(id) {
        FieldValue::Date(d) => Some(*d),
        _ => None,
    }
}

pub fn amount(minor: i64, currency: Currency) -> FieldValue {
    FieldValue::Money(Money::new(minor, currency))
}

/// A money amount as people read it: `1234.50 EUR`.
pub fn shown(minor: i64, currency: Currency) -> String {
    Money::new(minor, currency).to_string()
}
