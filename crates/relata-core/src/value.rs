//! Typed field values: parsed from API JSON or CSV text against a
//! [`FieldDef`], rendered back to JSON and CSV, compared for change diffs.

use crate::email::Email;
use crate::error::FieldError;
use crate::meta::{FieldDef, FieldType, Target};
use crate::money::{Currency, Money};
use crate::phone::{PhoneE164, Region};
use chrono::{DateTime, NaiveDate, Utc};
use serde_json::{Value as Json, json};
use std::collections::BTreeMap;
use uuid::Uuid;

/// A value of one field. `Null` means "no value".
#[derive(Clone, Debug, PartialEq)]
pub enum FieldValue {
    Null,
    /// Text, long text, a single choice, an email, an E.164 phone, a stage id.
    Text(String),
    Int(i64),
    Number(f64),
    /// An exact decimal, at its field's scale.
    Decimal(crate::decimal::Decimal),
    Bool(bool),
    Date(NaiveDate),
    DateTime(DateTime<Utc>),
    Money(Money),
    /// A relation: the id of the record (or user) pointed at.
    Ref(Uuid),
    /// Emails, phones, multi-choice: an ordered list of strings.
    List(Vec<String>),
    /// Structured values (pipeline stages); shape checked by the owning domain.
    Json(Json),
}

impl FieldValue {
    pub fn is_null(&self) -> bool {
        matches!(self, FieldValue::Null)
    }

    pub fn as_text(&self) -> Option<&str> {
        match self {
            FieldValue::Text(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_ref_id(&self) -> Option<Uuid> {
        match self {
            FieldValue::Ref(id) => Some(*id),
            _ => None,
        }
    }

    pub fn as_int(&self) -> Option<i64> {
        match self {
            FieldValue::Int(i) => Some(*i),
            _ => None,
        }
    }

    pub fn as_date(&self) -> Option<NaiveDate> {
        match self {
            FieldValue::Date(d) => Some(*d),
            _ => None,
        }
    }

    pub fn as_datetime(&self) -> Option<DateTime<Utc>> {
        match self {
            FieldValue::DateTime(t) => Some(*t),
            _ => None,
        }
    }

    /// The JSON the API returns for this value.
    pub fn to_json(&self) -> Json {
        match self {
            FieldValue::Null => Json::Null,
            FieldValue::Text(s) => Json::String(s.clone()),
            FieldValue::Int(i) => json!(i),
            FieldValue::Number(n) => json!(n),
            FieldValue::Decimal(d) => Json::String(d.to_string()),
            FieldValue::Bool(b) => Json::Bool(*b),
            FieldValue::Date(d) => Json::String(d.to_string()),
            FieldValue::DateTime(t) => Json::String(format_datetime(t)),
            FieldValue::Money(m) => json!(m),
            FieldValue::Ref(id) => Json::String(id.to_string()),
            FieldValue::List(items) => json!(items),
            FieldValue::Json(v) => v.clone(),
        }
    }

    /// The text written into a CSV cell (the importer reads it back).
    pub fn to_csv(&self) -> String {
        match self {
            FieldValue::Null => String::new(),
            FieldValue::Text(s) => s.clone(),
            FieldValue::Int(i) => i.to_string(),
            FieldValue::Number(n) => n.to_string(),
            FieldValue::Decimal(d) => d.to_string(),
            FieldValue::Bool(b) => b.to_string(),
            FieldValue::Date(d) => d.to_string(),
            FieldValue::DateTime(t) => format_datetime(t),
            FieldValue::Money(m) => format!("{} {}", m.major_string(), m.currency),
            FieldValue::Ref(id) => id.to_string(),
            FieldValue::List(items) => items.join("; "),
            FieldValue::Json(v) => v.to_string(),
        }
    }
}

impl serde::Serialize for FieldValue {
    /// The same JSON as [`FieldValue::to_json`], written without building it.
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            FieldValue::Null => s.serialize_unit(),
            FieldValue::Text(t) => s.serialize_str(t),
            FieldValue::Int(i) => s.serialize_i64(*i),
            FieldValue::Number(n) if n.is_finite() => s.serialize_f64(*n),
            FieldValue::Number(_) => s.serialize_unit(),
            FieldValue::Decimal(d) => s.collect_str(d),
            FieldValue::Bool(b) => s.serialize_bool(*b),
            FieldValue::Date(d) => s.collect_str(d),
            FieldValue::DateTime(t) => s.collect_str(&t.format("%Y-%m-%dT%H:%M:%S%.6fZ")),
            FieldValue::Money(m) => m.serialize(s),
            FieldValue::Ref(id) => s.collect_str(id),
            FieldValue::List(items) => items.serialize(s),
            FieldValue::Json(v) => v.serialize(s),
        }
    }
}

/// RFC 3339 with microseconds and `Z`: what both backends store losslessly.
pub fn format_datetime(t: &DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

/// What parsing needs to know about the workspace.
#[derive(Clone, Debug)]
pub struct ParseContext {
    /// Region for reading national phone numbers.
    pub phone_region: Option<Region>,
    /// Currencies enabled in the workspace; the first is the default.
    pub currencies: Vec<Currency>,
}

impl ParseContext {
    pub fn default_currency(&self) -> Currency {
        self.currencies.first().copied().unwrap_or_else(|| Currency::parse("EUR").expect("EUR is known"))
    }

    fn check_currency(&self, field: &str, currency: Currency) -> Result<Currency, FieldError> {
        if self.currencies.contains(&currency) {
            Ok(currency)
        } else {
            let enabled: Vec<&str> = self.currencies.iter().map(|c| c.code()).collect();
            Err(FieldError::new(
                field,
                "currency_not_enabled",
                format!("currency {currency} is not enabled in this workspace (enabled: {})", enabled.join(", ")),
            ))
        }
    }
}

fn err(field: &FieldDef, code: &'static str, message: impl Into<String>) -> FieldError {
    FieldError::new(field.qualified_id(), code, message)
}

fn type_err(field: &FieldDef, expected: &str) -> FieldError {
    err(field, "invalid_type", format!("expected {expected}"))
}

/// Parses one JSON value from the API into a value of `field`.
pub fn parse_json(field: &FieldDef, input: &Json, ctx: &ParseContext) -> Result<FieldValue, FieldError> {
    if input.is_null() {
        return Ok(FieldValue::Null);
    }
    match &field.ty {
        FieldType::Integer { .. } => match input.as_i64() {
            Some(i) => check_integer(field, i),
            None => Err(type_err(field, "a whole number")),
        },
        FieldType::Number => match input.as_f64() {
            Some(n) if n.is_finite() => Ok(FieldValue::Number(n)),
            _ => Err(type_err(field, "a number")),
        },
        // A decimal string keeps every digit; a JSON number is read as written.
        FieldType::Decimal { .. } => match input {
            Json::String(s) => parse_text(field, s, ctx),
            Json::Number(n) => parse_text(field, &n.to_string(), ctx),
            _ => Err(type_err(field, "a decimal number like \"12.5\"")),
        },
        FieldType::Boolean => input.as_bool().map(FieldValue::Bool).ok_or_else(|| type_err(field, "true or false")),
        FieldType::Money => parse_money_json(field, input, ctx),
        FieldType::Emails | FieldType::Phones | FieldType::MultiChoice(_) | FieldType::Members => {
            let items = match input {
                Json::Array(items) => items
                    .iter()
                    .map(|i| i.as_str().map(str::to_string))
                    .collect::<Option<Vec<_>>>()
                    .ok_or_else(|| type_err(field, "a list of strings"))?,
                Json::String(s) => vec![s.clone()],
                _ => return Err(type_err(field, "a list of strings")),
            };
            parse_list(field, items, ctx)
        }
        FieldType::Stages => match input {
            Json::Array(_) => Ok(FieldValue::Json(input.clone())),
            _ => Err(type_err(field, "a list of stages")),
        },
        _ => match input.as_str() {
            Some(s) => parse_text(field, s, ctx),
            None => Err(type_err(field, "a string")),
        },
    }
}

fn check_integer(field: &FieldDef, i: i64) -> Result<FieldValue, FieldError> {
    if let FieldType::Integer { min, max } = field.ty
        && (i < min || i > max)
    {
        return Err(err(field, "out_of_range", format!("must be between {min} and {max}")));
    }
    Ok(FieldValue::Int(i))
}

fn parse_money_json(field: &FieldDef, input: &Json, ctx: &ParseContext) -> Result<FieldValue, FieldError> {
    let id = field.qualified_id();
    let Json::Object(obj) = input else {
        return Err(type_err(field, r#"an object like {"amount": "1250.00", "currency": "EUR"}"#));
    };
    for key in obj.keys() {
        if !["amount", "amount_minor", "currency"].contains(&key.as_str()) {
            return Err(err(field, "unknown_field", format!("money has no part {key:?}")));
        }
    }
    let currency = match obj.get("currency") {
        None | Some(Json::Null) => ctx.default_currency(),
        Some(Json::String(code)) => Currency::parse(code)
            .ok_or_else(|| err(field, "invalid_currency", format!("{code:?} is not an ISO 4217 currency code")))?,
        Some(_) => return Err(type_err(field, "a currency code string")),
    };
    let currency = ctx.check_currency(&id, currency)?;
    let minor = match (obj.get("amount"), obj.get("amount_minor")) {
        // Both, as Relata shows money: accepted when they agree, so that
        // what was read can be written back.
        (Some(amount), Some(minor)) => {
            let major = match amount {
                Json::String(s) => s.clone(),
                Json::Number(n) => n.to_string(),
                _ => return Err(type_err(field, "amount as a decimal string")),
            };
            let parsed = Money::parse_major(&major, currency).map_err(|e| err(field, "invalid_amount", e.0))?.minor;
            if minor.as_i64() != Some(parsed) {
                return Err(err(field, "ambiguous", "amount and amount_minor differ; give one of them"));
            }
            parsed
        }
        (Some(Json::String(s)), None) => {
            Money::parse_major(s, currency).map_err(|e| err(field, "invalid_amount", e.0))?.minor
        }
        (Some(Json::Number(n)), None) => {
            Money::parse_major(&n.to_string(), currency).map_err(|e| err(field, "invalid_amount", e.0))?.minor
        }
        (None, Some(Json::Number(n))) => n.as_i64().ok_or_else(|| type_err(field, "amount_minor as a whole number"))?,
        (None, None) => return Err(err(field, "required", "money needs an amount")),
        _ => return Err(type_err(field, "amount as a decimal string")),
    };
    Ok(FieldValue::Money(Money::new(minor, currency)))
}

fn parse_list(field: &FieldDef, items: Vec<String>, ctx: &ParseContext) -> Result<FieldValue, FieldError> {
    let mut out: Vec<String> = Vec::with_capacity(items.len());
    for item in items {
        let item = item.trim();
        if item.is_empty() {
            continue;
        }
        let parsed = match &field.ty {
            FieldType::Emails => Email::parse(item)
                .map(|e| e.as_str().to_string())
                .map_err(|e| err(field, "invalid_email", format!("{item:?} {e}")))?,
            FieldType::Phones => PhoneE164::parse(item, ctx.phone_region)
                .map(|p| p.as_str().to_string())
                .map_err(|e| err(field, "invalid_phone", e.to_string()))?,
            FieldType::MultiChoice(options) => check_choice(field, options, item)?,
            FieldType::Members => Uuid::parse_str(item)
                .map(|id| id.to_string())
                .map_err(|_| err(field, "invalid_id", format!("{item:?} is not a member's id")))?,
            _ => unreachable!("parse_list is only called for list types"),
        };
        if !out.contains(&parsed) {
            out.push(parsed);
        }
    }
    if out.is_empty() {
        Ok(FieldValue::Null)
    } else if out.len() > 50 {
        Err(err(field, "too_many", "at most 50 values"))
    } else {
        Ok(FieldValue::List(out))
    }
}

fn check_choice(field: &FieldDef, options: &[String], value: &str) -> Result<String, FieldError> {
    if options.iter().any(|o| o == value) {
        Ok(value.to_string())
    } else {
        Err(err(field, "invalid_choice", format!("{value:?} is not one of: {}", options.join(", "))))
    }
}

/// Parses text (a JSON string, a CSV cell, a filter literal) into a value of
/// `field`. Empty text is `Null`.
pub fn parse_text(field: &FieldDef, input: &str, ctx: &ParseContext) -> Result<FieldValue, FieldError> {
    let s = input.trim();
    if s.is_empty() {
        return Ok(FieldValue::Null);
    }
    match &field.ty {
        FieldType::Text { max_len } => {
            if s.chars().count() > *max_len {
                Err(err(field, "too_long", format!("at most {max_len} characters")))
            } else if s.chars().any(|c| c.is_control()) {
                Err(err(field, "invalid_text", "contains control characters"))
            } else {
                Ok(FieldValue::Text(s.to_string()))
            }
        }
        FieldType::LongText => {
            if input.len() > 100_000 {
                Err(err(field, "too_long", "at most 100000 bytes"))
            } else {
                Ok(FieldValue::Text(input.to_string()))
            }
        }
        FieldType::Email => Email::parse(s)
            .map(|e| FieldValue::Text(e.as_str().to_string()))
            .map_err(|e| err(field, "invalid_email", format!("{s:?} {e}"))),
        FieldType::Phone => PhoneE164::parse(s, ctx.phone_region)
            .map(|p| FieldValue::Text(p.as_str().to_string()))
            .map_err(|e| err(field, "invalid_phone", e.to_string())),
        FieldType::Emails | FieldType::Phones | FieldType::MultiChoice(_) | FieldType::Members => {
            parse_list(field, s.split([';', '|']).map(str::to_string).collect(), ctx)
        }
        FieldType::Integer { .. } => match s.parse::<i64>() {
            Ok(i) => check_integer(field, i),
            Err(_) => Err(type_err(field, "a whole number")),
        },
        FieldType::Number => match s.parse::<f64>() {
            Ok(n) if n.is_finite() => Ok(FieldValue::Number(n)),
            _ => Err(type_err(field, "a number")),
        },
        FieldType::Decimal { scale } => {
            crate::decimal::parse(s, *scale).map(FieldValue::Decimal).map_err(|e| err(field, "invalid_decimal", e.0))
        }
        FieldType::Boolean => match s.to_ascii_lowercase().as_str() {
            "true" | "yes" | "1" => Ok(FieldValue::Bool(true)),
            "false" | "no" | "0" => Ok(FieldValue::Bool(false)),
            _ => Err(type_err(field, "true or false")),
        },
        FieldType::Date => NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .map(FieldValue::Date)
            .map_err(|_| err(field, "invalid_date", format!("{s:?} is not a date like 2026-03-31"))),
        FieldType::DateTime => parse_datetime(s)
            .map(FieldValue::DateTime)
            .ok_or_else(|| err(field, "invalid_datetime", format!("{s:?} is not a time like 2026-03-31T14:30:00Z"))),
        FieldType::Money => {
            // CSV form: "1250.50 EUR" or "1250.50" in the default currency.
            let (amount, code) = s.split_once(' ').map_or((s, None), |(a, c)| (a, Some(c.trim())));
            let currency = match code {
                Some(code) => Currency::parse(code).ok_or_else(|| {
                    err(field, "invalid_currency", format!("{code:?} is not an ISO 4217 currency code"))
                })?,
                None => ctx.default_currency(),
            };
            let currency = ctx.check_currency(&field.qualified_id(), currency)?;
            Money::parse_major(amount, currency).map(FieldValue::Money).map_err(|e| err(field, "invalid_amount", e.0))
        }
        FieldType::Choice(options) => check_choice(field, options, s).map(FieldValue::Text),
        FieldType::Relation(_) | FieldType::Id => {
            Uuid::parse_str(s).map(FieldValue::Ref).map_err(|_| err(field, "invalid_id", format!("{s:?} is not an id")))
        }
        FieldType::Stage => {
            if s.len() > 64 {
                Err(err(field, "invalid_stage", "stage ids are at most 64 characters"))
            } else {
                Ok(FieldValue::Text(s.to_string()))
            }
        }
        FieldType::Stages => serde_json::from_str::<Json>(s)
            .map_err(|_| type_err(field, "a JSON list of stages"))
            .and_then(|j| parse_json(field, &j, ctx)),
    }
}

/// Accepts RFC 3339 times and plain dates (taken as midnight UTC).
pub fn parse_datetime(s: &str) -> Option<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&Utc));
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok().and_then(|d| d.and_hms_opt(0, 0, 0)).map(|t| t.and_utc())
}

/// The values of a record's writable fields: standard ones by field id and
/// custom ones (under `custom`) by custom field id.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Values {
    pub standard: BTreeMap<String, FieldValue>,
    pub custom: BTreeMap<String, FieldValue>,
}

impl Values {
    pub fn get(&self, field: &FieldDef) -> &FieldValue {
        static NULL: FieldValue = FieldValue::Null;
        let map = if field.is_custom() { &self.custom } else { &self.standard };
        map.get(field.id.as_ref()).unwrap_or(&NULL)
    }

    pub fn set(&mut self, field: &FieldDef, value: FieldValue) {
        let map = if field.is_custom() { &mut self.custom } else { &mut self.standard };
        map.insert(field.id.to_string(), value);
    }

    /// A standard field's value by id (`Null` when absent).
    pub fn std(&self, id: &str) -> &FieldValue {
        static NULL: FieldValue = FieldValue::Null;
        self.standard.get(id).unwrap_or(&NULL)
    }

    pub fn set_std(&mut self, id: &str, value: FieldValue) {
        self.standard.insert(id.to_string(), value);
    }

    pub fn text(&self, id: &str) -> Option<&str> {
        self.std(id).as_text()
    }

    pub fn ref_id(&self, id: &str) -> Option<Uuid> {
        self.std(id).as_ref_id()
    }

    pub fn int(&self, id: &str) -> Option<i64> {
        self.std(id).as_int()
    }

    pub fn date(&self, id: &str) -> Option<NaiveDate> {
        self.std(id).as_date()
    }

    pub fn datetime(&self, id: &str) -> Option<DateTime<Utc>> {
        self.std(id).as_datetime()
    }
}

/// Whether `target` is a user relation (checked against members, not records).
pub fn is_user_relation(field: &FieldDef) -> bool {
    matches!(field.ty, FieldType::Relation(Target::User))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::meta::testing::{self, ACCOUNTS, CONTACTS, LEADS, OPPORTUNITIES};

    fn ctx() -> ParseContext {
        ParseContext {
            phone_region: Region::parse("PL"),
            currencies: vec![Currency::parse("EUR").unwrap(), Currency::parse("PLN").unwrap()],
        }
    }

    fn field(kind: crate::meta::EntityKind, id: &str) -> &'static FieldDef {
        kind.def().field(id).unwrap()
    }

    #[test]
    fn values_serialise_like_their_json() {
        testing::install();
        let t = DateTime::from_timestamp_micros(1_700_000_000_123_456).unwrap();
        let values = [
            FieldValue::DateTime(t),
            FieldValue::DateTime(DateTime::from_timestamp_micros(1_700_000_000_000_000).unwrap()),
            FieldValue::Date(NaiveDate::from_ymd_opt(2026, 3, 1).unwrap()),
            FieldValue::Ref(Uuid::nil()),
            FieldValue::Money(Money::new(-1005, Currency::parse("KWD").unwrap())),
            FieldValue::List(vec!["a".into()]),
            FieldValue::Number(1.5),
            FieldValue::Null,
        ];
        for v in values {
            assert_eq!(serde_json::to_value(&v).unwrap(), v.to_json(), "{v:?}");
        }
    }

    #[test]
    fn money_is_parsed_in_enabled_currencies_only() {
        testing::install();
        let amount = field(OPPORTUNITIES, "amount");
        let v = parse_json(amount, &json!({"amount": "1250.50", "currency": "PLN"}), &ctx()).unwrap();
        assert_eq!(v.to_json(), json!({"amount": "1250.50", "amount_minor": 125050, "currency": "PLN"}));
        let e = parse_json(amount, &json!({"amount": "10", "currency": "USD"}), &ctx()).unwrap_err();
        assert_eq!(e.code, "currency_not_enabled");
        let e = parse_json(amount, &json!({"amount": "10", "currency": "ZZZ"}), &ctx()).unwrap_err();
        assert_eq!(e.code, "invalid_currency");
        assert_eq!(parse_text(amount, "99.90", &ctx()).unwrap().to_csv(), "99.90 EUR");
    }

    #[test]
    fn phones_are_normalised_and_deduplicated() {
        testing::install();
        let phones = field(CONTACTS, "phones");
        let v = parse_json(phones, &json!(["58 123 45 67", "+48581234567"]), &ctx()).unwrap();
        assert_eq!(v, FieldValue::List(vec!["+48581234567".into()]));
        assert_eq!(parse_json(phones, &json!(["nope"]), &ctx()).unwrap_err().code, "invalid_phone");
    }

    #[test]
    fn choices_and_types_are_checked() {
        testing::install();
        let lifecycle = field(ACCOUNTS, "lifecycle");
        assert_eq!(parse_json(lifecycle, &json!("gold"), &ctx()).unwrap_err().code, "invalid_choice");
        assert_eq!(parse_json(lifecycle, &json!(3), &ctx()).unwrap_err().code, "invalid_type");
        let score = field(LEADS, "score");
        assert_eq!(parse_json(score, &json!(101), &ctx()).unwrap_err().code, "out_of_range");
        let birthday = field(CONTACTS, "birthday");
        assert_eq!(parse_text(birthday, "1990-02-30", &ctx()).unwrap_err().code, "invalid_date");
    }
}
