//! Schemas in a person's language: every field label and choice option
//! that a page, a filter builder or a labelled export shows comes from the
//! field's own translations in the metadata (custom fields), else the
//! catalogues (Relata's built-in fields), else the definition's label.
//!
//! The schema itself is localized, rather than each page asking for labels,
//! so that every path that shows a label shows it in the person's language
//! ([`crate::App::schemas_for`] hands out localized schemas whenever the
//! context names a language).
//!
//! Catalogue ids: a field's label is `field-{type}-{field}`, else the
//! shared `field-{field}` (system fields, `name`, `owner`); a document
//! line's is `line-{type}-{field}`, else `field-{field}`; a choice option's
//! is `option-{type}-{field}-{option}`. English's `fields.ftl` is generated
//! from the metadata ([`english_catalogue`]), and a test keeps it so.

use crate::Schemas;
use relata_core::FieldError;
use relata_core::meta::{EntityKind, FieldDef, Schema, Translations};
use relata_i18n::{Language, Tr};
use serde_json::Value as Json;
use std::collections::BTreeMap;

/// Every schema of `schemas` with labels in `language`.
pub fn localize(schemas: &Schemas, language: Language) -> Schemas {
    Schemas { by_kind: schemas.iter().map(|schema| localize_schema(schema, language)).collect() }
}

fn localize_schema(schema: &Schema, language: Language) -> Schema {
    let tr = Tr::new(language);
    let kind = schema.kind;
    let mut def = schema.def().clone();
    for field in &mut def.fields {
        relabel(field, tr, kind, Place::Header);
    }
    if let Some(lines) = &mut def.lines {
        for field in &mut lines.fields {
            relabel(field, tr, kind, Place::Line);
        }
    }
    let custom = schema
        .custom
        .iter()
        .map(|field| {
            let mut field = field.clone();
            relabel(&mut field, tr, kind, Place::Header);
            field
        })
        .collect();
    schema.relabelled(def, custom)
}

/// Where a field sits in its type.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Place {
    Header,
    Line,
}

/// Whether the catalogues describe this field: Relata's own fields of
/// Relata's own types, and the system fields every type has. A workspace's
/// custom fields and its custom objects' fields name themselves.
fn catalogued(kind: EntityKind, field: &FieldDef) -> bool {
    if kind.is_custom() { field.system } else { !field.is_custom() }
}

/// The catalogue ids of a field's label, the most specific first.
fn label_ids(kind: EntityKind, field: &FieldDef, place: Place) -> [String; 2] {
    let prefix = if place == Place::Line { "line" } else { "field" };
    [format!("{prefix}-{}-{}", kind.api_name(), field.id), format!("field-{}", field.id)]
}

/// The catalogue id of a choice option, when the option can be part of one.
fn option_id(kind: EntityKind, field: &FieldDef, option: &str) -> Option<String> {
    let fits = !option.is_empty() && option.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    fits.then(|| format!("option-{}-{}-{option}", kind.api_name(), field.id))
}

fn relabel(field: &mut FieldDef, tr: Tr, kind: EntityKind, place: Place) {
    let tag = tr.language.tag();
    let catalogued = catalogued(kind, field);
    let own = field.translations.labels.get(tag).cloned();
    let from_catalogue = || label_ids(kind, field, place).iter().find_map(|id| tr.find(id));
    if let Some(label) = own.or_else(|| catalogued.then(from_catalogue).flatten()) {
        field.label = label.into();
    }
    let Some(options) = field.ty.options() else { return };
    let mut shown = BTreeMap::new();
    for option in options {
        let given = field.translations.option_labels.get(option);
        let label = given
            .and_then(|by_language| by_language.get(tag))
            .cloned()
            .or_else(|| catalogued.then(|| option_id(kind, field, option).and_then(|id| tr.find(&id))).flatten())
            .or_else(|| given.and_then(|by_language| by_language.get(Language::En.tag())).cloned());
        if let Some(label) = label {
            shown.insert(option.clone(), label);
        }
    }
    field.option_labels = shown;
}

/// Names in several languages as metadata gives them (`{"pl": "Rozmiar",
/// "lt": "Dydis"}`): keys are languages the UI is written in, names 1 to
/// 100 characters. Errors name the member (`{path}.pl`).
pub fn parse_labels(given: &Json, path: &str) -> Result<BTreeMap<String, String>, Vec<FieldError>> {
    let Some(items) = given.as_object() else {
        return Err(vec![FieldError::new(path, "invalid_type", "expected {\"language\": \"name\", …}")]);
    };
    let mut errors = Vec::new();
    let mut labels = BTreeMap::new();
    for (tag, name) in items {
        let at = format!("{path}.{tag}");
        let language = Language::parse(tag).ok().filter(|l| Language::OFFERED.contains(l) && l.tag() == tag);
        let Some(language) = language else {
            let offered: Vec<_> = Language::OFFERED.iter().map(|l| l.tag()).collect();
            errors.push(FieldError::new(at, "unknown_language", format!("languages are {}", offered.join(", "))));
            continue;
        };
        match name.as_str().map(str::trim) {
            Some(name) if !name.is_empty() && name.chars().count() <= 100 => {
                labels.insert(language.tag().to_string(), name.to_string());
            }
            _ => errors.push(FieldError::new(at, "invalid", "a name of 1 to 100 characters")),
        }
    }
    if errors.is_empty() { Ok(labels) } else { Err(errors) }
}

/// A field definition's `labels` and `option_labels` (options by id, each
/// with its names by language); `options` are the field's own.
pub fn parse_translations(
    labels: Option<&Json>,
    option_labels: Option<&Json>,
    options: &[String],
    path: &str,
) -> Result<Translations, Vec<FieldError>> {
    let at = |member: &str| if path.is_empty() { member.to_string() } else { format!("{path}.{member}") };
    let mut errors = Vec::new();
    let mut translations = Translations::default();
    if let Some(given) = labels.filter(|j| !j.is_null()) {
        match parse_labels(given, &at("labels")) {
            Ok(labels) => translations.labels = labels,
            Err(mut e) => errors.append(&mut e),
        }
    }
    match option_labels.filter(|j| !j.is_null()).map(|j| (j, j.as_object())) {
        None => {}
        Some((_, None)) => errors.push(FieldError::new(
            at("option_labels"),
            "invalid_type",
            "expected {\"option\": {\"language\": \"name\"}}",
        )),
        Some((_, Some(by_option))) => {
            for (option, names) in by_option {
                let member = at(&format!("option_labels.{option}"));
                if !options.contains(option) {
                    errors.push(FieldError::new(member, "unknown_option", "not one of the field's options"));
                    continue;
                }
                match parse_labels(names, &member) {
                    Ok(names) => {
                        translations.option_labels.insert(option.clone(), names);
                    }
                    Err(mut e) => errors.append(&mut e),
                }
            }
        }
    }
    if errors.is_empty() { Ok(translations) } else { Err(errors) }
}

/// English's catalogue of built-in fields, from the metadata: a label
/// shared by most types with the field becomes `field-{field}`, the others
/// `field-{type}-{field}`; every option of a choice gets its id written
/// as words ("closed_won" → "Closed won").
pub fn english_catalogue(schemas: &Schemas) -> String {
    let mut labels: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    let mut options = Vec::new();
    for schema in schemas.iter().filter(|s| !s.kind.is_custom()) {
        let kind = schema.kind;
        let lines = schema.def().lines.iter().flat_map(|l| l.fields.iter().map(|f| (f, Place::Line)));
        for (field, place) in schema.own_fields().iter().map(|f| (f, Place::Header)).chain(lines) {
            let [specific, _] = label_ids(kind, field, place);
            labels.entry(field.id.to_string()).or_default().push((specific, field.label.to_string()));
            for option in field.ty.options().unwrap_or_default() {
                if let Some(id) = option_id(kind, field, option) {
                    options.push((id, option_words(option)));
                }
            }
        }
    }
    let mut out = String::from(
        "# Labels of Relata's built-in fields and choice options.\n\
         # English's file is generated from the metadata: after changing a label, run\n\
         # RELATA_WRITE_FIELD_CATALOGUE=1 cargo test -p relata-server field_catalogue\n\n",
    );
    for (id, uses) in &labels {
        let shared = most_common(uses.iter().map(|(_, label)| label.as_str()));
        out.push_str(&format!("field-{id} = {shared}\n"));
        for (specific, label) in uses.iter().filter(|(_, label)| label != shared) {
            out.push_str(&format!("{specific} = {label}\n"));
        }
    }
    out.push('\n');
    options.sort();
    options.dedup();
    for (id, label) in options {
        out.push_str(&format!("{id} = {label}\n"));
    }
    out
}

/// An option as English words: `closed_won` → `Closed won`; a code or a
/// unit of three letters or fewer (`bg`, `kg`, `EUR`) stays as it is.
fn option_words(option: &str) -> String {
    if option.chars().count() <= 3 {
        option.to_string()
    } else {
        crate::custom_objects::humanize(&option.replace('-', "_"))
    }
}

fn most_common<'a>(labels: impl Iterator<Item = &'a str>) -> &'a str {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for label in labels {
        *counts.entry(label).or_default() += 1;
    }
    counts.into_iter().max_by_key(|(label, n)| (*n, std::cmp::Reverse(*label))).map_or("", |(label, _)| label)
}

#[cfg(test)]
mod tests {
    use super::*;
    use relata_core::meta::FieldType;
    use serde_json::json;

    #[test]
    fn translations_name_offered_languages_and_the_field_s_own_options() {
        let options = vec!["s".to_string()];
        let ok =
            parse_translations(Some(&json!({"pl": " Rozmiar "})), Some(&json!({"s": {"lt": "Mažas"}})), &options, "");
        let ok = ok.unwrap();
        assert_eq!(ok.labels["pl"], "Rozmiar");
        assert_eq!(ok.option_labels["s"]["lt"], "Mažas");
        let bad = parse_translations(
            Some(&json!({"xx": "?", "en-XA": "?", "PL": "?", "ru": ""})),
            Some(&json!({"m": {"pl": "Średni"}, "s": "small"})),
            &options,
            "fields[0]",
        )
        .unwrap_err();
        let fields: Vec<_> = bad.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "fields[0].labels.PL",
                "fields[0].labels.en-XA",
                "fields[0].labels.ru",
                "fields[0].labels.xx",
                "fields[0].option_labels.m",
                "fields[0].option_labels.s"
            ]
        );
    }

    #[test]
    fn options_read_as_words_and_codes_stay() {
        assert_eq!(option_words("closed_won"), "Closed won");
        assert_eq!(option_words("call-back"), "Call back");
        assert_eq!((option_words("kg"), option_words("EUR")), ("kg".to_string(), "EUR".to_string()));
    }

    #[test]
    fn the_most_common_label_is_shared() {
        assert_eq!(most_common(["Name", "Subject", "Name"].into_iter()), "Name");
        assert_eq!(most_common(["B", "A"].into_iter()), "A", "ties go to the first in order");
    }

    #[test]
    fn a_field_of_a_type_not_in_the_catalogue_keeps_its_own_label() {
        let mut field = FieldDef::custom("size".into(), "Size".into(), FieldType::Choice(vec!["s".into()]), false);
        field.translations.labels.insert("pl".into(), "Rozmiar".into());
        field.translations.option_labels.insert("s".into(), BTreeMap::from([("en".into(), "Small".into())]));
        crate::module::install(Vec::new());
        let kind = EntityKind::custom("vehicles");
        relabel(&mut field, Tr::new(Language::Pl), kind, Place::Header);
        assert_eq!(field.label, "Rozmiar");
        assert_eq!(field.option_label("s"), "Small", "English's label where Polish has none");
        let mut plain = FieldDef::custom("x".into(), "X".into(), FieldType::Choice(vec!["a_b".into()]), false);
        relabel(&mut plain, Tr::new(Language::Lt), kind, Place::Header);
        assert_eq!((plain.label.as_ref(), plain.option_label("a_b")), ("X", "a_b"));
    }
}
