//! Documents made of a header and lines (quotes, orders, invoices, a custom
//! object with lines): lines parsed from API input with errors that name
//! the line (`lines[3].quantity`), a PATCH's lines merged into the stored
//! ones, the document's one currency, the totals the header keeps, and the
//! formats of document numbers.

use crate::decimal::Decimal;
use crate::error::FieldError;
use crate::meta::{EntityDef, FieldDef, FieldType, LinesDef, Total};
use crate::money::{Currency, Money};
use crate::value::{FieldValue, ParseContext, Values, parse_json};
use serde_json::{Map, Value as Json};
use uuid::Uuid;

/// The most lines one document may have.
pub const MAX_LINES: usize = 1000;

/// A stored line: its id (stable across edits) and its values.
#[derive(Clone, Debug, PartialEq)]
pub struct Line {
    pub id: Uuid,
    pub values: Values,
}

/// A line as a request gives it: an existing line's id and the fields to
/// change, or a new line's fields.
#[derive(Clone, Debug)]
pub struct LineInput {
    pub id: Option<Uuid>,
    pub values: Values,
}

fn at(index: usize, member: &str) -> String {
    if member.is_empty() { format!("lines[{index}]") } else { format!("lines[{index}].{member}") }
}

/// Parses the `lines` member of a create or PATCH body.
pub fn parse_lines(def: &LinesDef, input: &Json, ctx: &ParseContext) -> Result<Vec<LineInput>, Vec<FieldError>> {
    let Json::Array(items) = input else {
        return Err(vec![FieldError::new("lines", "invalid_type", "expected a list of lines")]);
    };
    if items.len() > MAX_LINES {
        return Err(vec![FieldError::new("lines", "too_many", format!("at most {MAX_LINES} lines"))]);
    }
    let mut out = Vec::with_capacity(items.len());
    let mut errors = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let Json::Object(obj) = item else {
            errors.push(FieldError::new(at(i, ""), "invalid_type", "a line is a JSON object"));
            continue;
        };
        let mut line = LineInput { id: None, values: Values::default() };
        for (key, raw) in obj {
            if key == "id" {
                match raw.as_str().and_then(|s| Uuid::parse_str(s).ok()) {
                    Some(id) => line.id = Some(id),
                    None => {
                        errors.push(FieldError::new(at(i, "id"), "invalid_id", "a line's id is the id Relata gave it"))
                    }
                }
                continue;
            }
            match def.field(key) {
                None => {
                    errors.push(FieldError::new(at(i, key), "unknown_field", format!("a line has no field {key:?}")))
                }
                Some(field) if !field.is_writable() => errors.push(FieldError::new(
                    at(i, key),
                    "read_only",
                    "is maintained by Relata and cannot be written",
                )),
                Some(field) => match parse_json(field, raw, ctx) {
                    Ok(v) => line.values.set(field, v),
                    Err(e) => errors.push(FieldError::new(at(i, key), e.code, e.message)),
                },
            }
        }
        out.push(line);
    }
    if errors.is_empty() { Ok(out) } else { Err(errors) }
}

/// The lines a request leaves: lines it names by id keep their other
/// values, lines without an id are new, stored lines it leaves out are
/// removed; the order is the request's.
pub fn merge_lines(stored: &[Line], given: Vec<LineInput>) -> Result<Vec<Line>, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut out = Vec::with_capacity(given.len());
    let mut seen = std::collections::HashSet::new();
    for (i, input) in given.into_iter().enumerate() {
        match input.id {
            None => out.push(Line { id: Uuid::now_v7(), values: input.values }),
            Some(id) if !seen.insert(id) => {
                errors.push(FieldError::new(at(i, "id"), "duplicate", "the same line is given twice"))
            }
            Some(id) => match stored.iter().find(|l| l.id == id) {
                Some(old) => {
                    let mut values = old.values.clone();
                    crate::input::merge(&mut values, input.values);
                    out.push(Line { id, values });
                }
                None => {
                    errors.push(FieldError::new(at(i, "id"), "not_found", format!("this document has no line {id}")))
                }
            },
        }
    }
    // A field set to null is a field without a value: lines compare equal
    // whether the null was written or left out.
    for line in &mut out {
        line.values.standard.retain(|_, v| !v.is_null());
    }
    if errors.is_empty() { Ok(out) } else { Err(errors) }
}

/// The one currency of a document: its currency field's, else that of the
/// header's other money values, else the first line's, else `default`.
pub fn currency_of(
    def: &EntityDef,
    lines_def: &LinesDef,
    header: &Values,
    lines: &[Line],
    default: Currency,
) -> Currency {
    if let Some(field) = &lines_def.currency_field
        && let Some(code) = header.std(field).as_text()
        && let Some(currency) = Currency::parse(code)
    {
        return currency;
    }
    let header_money =
        def.fields.iter().filter(|f| f.ty == FieldType::Money && !lines_def.is_total(&f.id)).find_map(|f| match header
            .get(f)
        {
            FieldValue::Money(m) => Some(m.currency),
            _ => None,
        });
    let line_money = || {
        lines.iter().find_map(|l| {
            lines_def.fields.iter().find_map(|f| match l.values.get(f) {
                FieldValue::Money(m) => Some(m.currency),
                _ => None,
            })
        })
    };
    header_money.or_else(line_money).unwrap_or(default)
}

/// What is wrong with the lines of a document in `currency`: missing
/// required fields, amounts in another currency.
pub fn check_lines(lines_def: &LinesDef, lines: &[Line], currency: Currency) -> Vec<FieldError> {
    let mut errors = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        for field in &lines_def.fields {
            let value = line.values.get(field);
            if field.required && value.is_null() {
                errors.push(FieldError::new(at(i, &field.id), "required", "is required"));
            }
            if let FieldValue::Money(m) = value
                && m.currency != currency
            {
                errors.push(FieldError::new(
                    at(i, &field.id),
                    "currency_mismatch",
                    format!("is in {}, but the document is in {currency}", m.currency),
                ));
            }
        }
    }
    errors
}

/// A factor of a total as an exact decimal (money in major units).
fn factor(value: &FieldValue) -> Option<Decimal> {
    match value {
        FieldValue::Int(i) => Some(Decimal::from(*i)),
        FieldValue::Decimal(d) => Some(*d),
        FieldValue::Money(m) => Some(Decimal::new(m.minor, u32::from(m.currency.exponent()))),
        _ => None,
    }
}

/// The header values the lines total to, in the document's currency.
/// Products are exact; each total is rounded once (half to even) to its
/// field's precision. A line missing a factor adds nothing.
pub fn totals(def: &EntityDef, lines_def: &LinesDef, lines: &[Line], currency: Currency) -> Result<Values, FieldError> {
    let mut out = Values::default();
    for total in &lines_def.totals {
        let Some(field) = def.field(&total.field) else { continue };
        let too_large =
            || FieldError::new(total.field.to_string(), "too_large", "the lines add up to too large a total");
        let mut sum = Decimal::ZERO;
        for line in lines {
            let mut product = Decimal::ONE;
            let mut complete = true;
            for id in &total.product_of {
                match lines_def.field(id).and_then(|f| factor(line.values.get(f))) {
                    Some(x) => product = product.checked_mul(x).ok_or_else(too_large)?,
                    None => complete = false,
                }
            }
            if complete {
                sum = sum.checked_add(product).ok_or_else(too_large)?;
            }
        }
        let strategy = rust_decimal::RoundingStrategy::MidpointNearestEven;
        let value = match field.ty {
            FieldType::Money => {
                let exponent = u32::from(currency.exponent());
                let mut major = sum.round_dp_with_strategy(exponent, strategy);
                major.rescale(exponent);
                let minor = i64::try_from(major.mantissa()).map_err(|_| too_large())?;
                FieldValue::Money(Money::new(minor, currency))
            }
            FieldType::Decimal { scale } => FieldValue::Decimal(
                crate::decimal::at_scale(sum.round_dp_with_strategy(scale, strategy), scale)
                    .map_err(|_| too_large())?,
            ),
            FieldType::Integer { .. } => FieldValue::Int(
                i64::try_from(sum.round_dp_with_strategy(0, strategy).mantissa()).map_err(|_| too_large())?,
            ),
            _ => continue,
        };
        out.set(field, value);
    }
    Ok(out)
}

/// Whether a total can be kept: its header field is money, decimal or a
/// whole number, its factors are numeric line fields, and only a money
/// total has (exactly one) money factor.
pub fn check_total(header_field: &FieldDef, lines: &LinesDef, total: &Total) -> Result<(), String> {
    if total.product_of.is_empty() {
        return Err(format!("total {:?} names no line fields", total.field));
    }
    let mut money_factors = 0;
    let mut whole = true;
    for id in &total.product_of {
        match lines.field(id).map(|f| &f.ty) {
            Some(FieldType::Money) => {
                money_factors += 1;
                whole = false;
            }
            Some(FieldType::Decimal { .. }) => whole = false,
            Some(FieldType::Integer { .. }) => {}
            Some(_) => return Err(format!("line field {id:?} is not a number (integer, decimal or money)")),
            None => return Err(format!("{id:?} is not a line field")),
        }
    }
    match header_field.ty {
        FieldType::Money if money_factors == 1 => Ok(()),
        FieldType::Money => Err(format!("a money total multiplies exactly one money line field, not {money_factors}")),
        FieldType::Decimal { .. } if money_factors == 0 => Ok(()),
        FieldType::Integer { .. } if whole => Ok(()),
        _ => Err(format!(
            "total {:?} ({}) cannot hold a product of {}",
            total.field,
            header_field.ty.name(),
            total.product_of.join(" × ")
        )),
    }
}

/// A line as the API shows it: its id and its fields.
pub fn line_json(def: &LinesDef, line: &Line) -> Json {
    let mut obj = Map::new();
    obj.insert("id".into(), Json::String(line.id.to_string()));
    for field in &def.fields {
        obj.insert(field.id.to_string(), line.values.get(field).to_json());
    }
    Json::Object(obj)
}

/// Checks a numbering format: literal text with one `{N…}` (1 to 12 Ns,
/// the number's zero-padded width) and at most one `{YYYY}` (the year,
/// which also starts the count anew).
pub fn check_number_format(format: &str) -> Result<(), String> {
    let problem = |m: &str| Err(format!("numbering format {format:?}: {m}"));
    if format.is_empty() || format.chars().count() > 60 {
        return problem("1 to 60 characters");
    }
    let mut numbers = 0;
    let mut rest = format;
    while let Some(start) = rest.find('{') {
        let Some(len) = rest[start..].find('}') else { return problem("a { without }") };
        let token = &rest[start + 1..start + len];
        match token {
            "YYYY" => {}
            n if !n.is_empty() && n.len() <= 12 && n.chars().all(|c| c == 'N') => numbers += 1,
            _ => return problem("placeholders are {YYYY} and {NNNNNN}"),
        }
        rest = &rest[start + len + 1..];
    }
    if rest.contains('}') || format.chars().any(|c| c.is_control()) {
        return problem("a } without {");
    }
    if numbers != 1 {
        return problem("give the number once, as {NNNNNN}");
    }
    Ok(())
}

/// The period a format's count runs in: the year when it shows one.
pub fn number_period(format: &str, year: i32) -> String {
    if format.contains("{YYYY}") { year.to_string() } else { String::new() }
}

/// A document number: `INV-{YYYY}-{NNNNNN}`, 2026, 123 → `INV-2026-000123`.
pub fn format_number(format: &str, year: i32, number: i64) -> String {
    let mut out = String::new();
    let mut rest = format;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let end = start + rest[start..].find('}').unwrap_or(rest.len() - start);
        let token = &rest[start + 1..end];
        if token == "YYYY" {
            out.push_str(&format!("{year:04}"));
        } else {
            out.push_str(&format!("{number:0width$}", width = token.len()));
        }
        rest = rest.get(end + 1..).unwrap_or("");
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::meta::{EntityKind, FieldDef};
    use std::borrow::Cow;

    fn lines_def() -> LinesDef {
        LinesDef {
            fields: vec![
                FieldDef::data("product".into(), "Product".into(), FieldType::Text { max_len: 200 }, true),
                FieldDef::data("quantity".into(), "Quantity".into(), FieldType::Decimal { scale: 3 }, true),
                FieldDef::data("unit_price".into(), "Unit price".into(), FieldType::Money, false),
            ],
            totals: vec![Total {
                field: Cow::Borrowed("total"),
                product_of: vec!["quantity".into(), "unit_price".into()],
            }],
            currency_field: None,
            personal_fields: vec![],
        }
    }

    fn header() -> EntityDef {
        let mut def = EntityDef::custom_object(EntityKind::named("test_documents"), "Doc".into(), "Docs".into());
        def.fields.push(FieldDef::data("total".into(), "Total".into(), FieldType::Money, false).read_only());
        def.lines = Some(lines_def());
        def
    }

    fn ctx() -> ParseContext {
        ParseContext {
            phone_region: None,
            currencies: vec![Currency::parse("EUR").unwrap(), Currency::parse("USD").unwrap()],
        }
    }

    #[test]
    fn errors_name_the_line_and_the_field() {
        let input = serde_json::json!([
            {"product": "A", "quantity": "1"},
            {"product": "B", "quantity": "1.2345"},
            {"product": "C", "colour": "red"},
            "not a line",
            {"id": "nope"}
        ]);
        let errors = parse_lines(&lines_def(), &input, &ctx()).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["lines[1].quantity", "lines[2].colour", "lines[3]", "lines[4].id"]);
        assert_eq!(errors[0].message, "at most 3 decimal places");
    }

    #[test]
    fn totals_are_exact_products_rounded_once_in_the_document_currency() {
        let def = header();
        let lines_def = def.lines.clone().unwrap();
        let input = serde_json::json!([
            {"product": "Bolts", "quantity": "3", "unit_price": {"amount": "0.335", "currency": "EUR"}},
            {"product": "Nuts", "quantity": "0.5", "unit_price": {"amount": "0.01", "currency": "EUR"}},
            {"product": "Free sample", "quantity": "2"}
        ]);
        let err = parse_lines(&lines_def, &input, &ctx()).unwrap_err();
        assert_eq!(err[0].field, "lines[0].unit_price", "money has at most its currency's minor digits");
        let input = serde_json::json!([
            {"product": "Bolts", "quantity": "3.333", "unit_price": {"amount": "0.15", "currency": "EUR"}},
            {"product": "Nuts", "quantity": "0.5", "unit_price": {"amount": "0.01", "currency": "EUR"}},
            {"product": "Free sample", "quantity": "2"}
        ]);
        let lines = merge_lines(&[], parse_lines(&lines_def, &input, &ctx()).unwrap()).unwrap();
        let currency = currency_of(&def, &lines_def, &Values::default(), &lines, Currency::parse("PLN").unwrap());
        assert_eq!(currency.code(), "EUR", "the lines' currency when the header names none");
        assert!(check_lines(&lines_def, &lines, currency).is_empty());
        // 3.333 × 0.15 = 0.49995; 0.5 × 0.01 = 0.005; Σ = 0.50495 → 0.50.
        let totals = totals(&def, &lines_def, &lines, currency).unwrap();
        assert_eq!(totals.std("total"), &FieldValue::Money(Money::new(50, currency)));
        let usd = Currency::parse("USD").unwrap();
        let errors = check_lines(&lines_def, &lines, usd);
        assert_eq!(errors[0].field, "lines[0].unit_price");
        assert_eq!(errors[0].code, "currency_mismatch");
    }

    #[test]
    fn patches_keep_named_lines_add_new_ones_and_drop_the_rest() {
        let def = lines_def();
        let stored = merge_lines(
            &[],
            parse_lines(
                &def,
                &serde_json::json!([{"product": "A", "quantity": "1"}, {"product": "B", "quantity": "2"}]),
                &ctx(),
            )
            .unwrap(),
        )
        .unwrap();
        let patch = serde_json::json!([
            {"id": stored[1].id.to_string(), "quantity": "5"},
            {"product": "C", "quantity": "1"}
        ]);
        let merged = merge_lines(&stored, parse_lines(&def, &patch, &ctx()).unwrap()).unwrap();
        assert_eq!(merged.len(), 2);
        assert_eq!(merged[0].id, stored[1].id);
        assert_eq!(merged[0].values.std("product").as_text(), Some("B"), "unnamed fields stay");
        assert_eq!(merged[0].values.std("quantity").to_json(), "5.000");
        let unknown = serde_json::json!([{"id": Uuid::now_v7().to_string()}]);
        let errors = merge_lines(&stored, parse_lines(&def, &unknown, &ctx()).unwrap()).unwrap_err();
        assert_eq!(errors[0].field, "lines[0].id");
    }

    #[test]
    fn document_numbers_follow_their_format() {
        assert!(check_number_format("INV-{YYYY}-{NNNNNN}").is_ok());
        assert!(check_number_format("Q{NNNN}").is_ok());
        assert!(check_number_format("INV-{YYYY}").is_err(), "no number");
        assert!(check_number_format("{NN}-{NN}").is_err(), "two numbers");
        assert!(check_number_format("INV-{XX}-{NN}").is_err());
        assert!(check_number_format("INV-{NN").is_err());
        assert_eq!(format_number("INV-{YYYY}-{NNNNNN}", 2026, 123), "INV-2026-000123");
        assert_eq!(format_number("Q{NN}", 2026, 12345), "Q12345", "the width is a minimum");
        assert_eq!(number_period("INV-{YYYY}-{NNNNNN}", 2026), "2026");
        assert_eq!(number_period("Q{NNNN}", 2026), "");
    }
}
