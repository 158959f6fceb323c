//! Entity types and fields as the metadata endpoints describe them, seen
//! through the reader's role (hidden fields absent); sync sends the same.

use relata_core::meta::{Access, FieldDef, Schema};
use serde_json::{Value as Json, json};

/// One field as the metadata endpoint describes it.
pub fn field_json(schema: &Schema, field: &FieldDef) -> Json {
    let mut described = json!({
        "id": field.qualified_id(),
        "label": field.label,
        "type": field.ty.name(),
        "required": field.required,
        "unique": field.unique,
        "searchable": field.searchable,
        "filterable": field.filterable,
        "sortable": field.sortable,
        "read_only": field.access == Access::ReadOnly || schema.is_read_only_for_role(field),
        "custom": field.is_custom(),
        "options": field.ty.options(),
        "target": field.ty.target_name(),
    });
    // A field named in other languages says so (custom fields; the
    // catalogues name the built-in ones).
    if !field.translations.labels.is_empty() {
        described["labels"] = json!(field.translations.labels);
    }
    if !field.translations.option_labels.is_empty() {
        described["option_labels"] = json!(field.translations.option_labels);
    }
    described
}

/// One entity type with its visible fields.
pub fn entity_json(schema: &Schema) -> Json {
    let def = schema.def();
    json!({
        "name": schema.kind.api_name(),
        "singular": schema.kind.singular(),
        "label": def.label,
        "plural_label": def.plural_label,
        "module": def.module,
        "custom": schema.kind.is_custom(),
        "title_fields": def.title_fields,
        "global_search": def.global_search,
        "made_by_relata": def.made_by_relata,
        "episode": def.episode.as_ref().map(|e| json!({"links": e.links, "at": e.at})),
        "default_columns": def.default_columns,
        "fields": schema.visible_fields().map(|f| field_json(schema, f)).collect::<Vec<_>>(),
    })
}
