//! Pipelines: ordered stages, each with a win probability and an open, won
//! or lost meaning.

use crate::{OPPORTUNITIES, PIPELINES};
use relata_core::filter::{Filter, Op};
use relata_core::list::parse_sort;
use relata_core::meta::Schema;
use relata_core::value::FieldValue;
use relata_core::{FieldError, Record, ValidationError};
use relata_i18n::refused;
use relata_store::records::ListQuery;
use relata_store::{ScopedConn, StoreError};
use serde::{Deserialize, Serialize};
use serde_json::{Value as Json, json};
use std::collections::BTreeMap;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StageKind {
    Open,
    Won,
    Lost,
}

impl StageKind {
    pub fn as_str(self) -> &'static str {
        match self {
            StageKind::Open => "open",
            StageKind::Won => "won",
            StageKind::Lost => "lost",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Stage {
    pub id: String,
    pub name: String,
    pub probability: i64,
    pub kind: StageKind,
    /// The stage's name in other languages, by language tag (`{"pl": "Negocjacje"}`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub names: BTreeMap<String, String>,
}

impl Stage {
    /// The stage's name in a language, else its own.
    pub fn name_in(&self, language: relata_i18n::Language) -> &str {
        self.names.get(language.tag()).map_or(&self.name, String::as_str)
    }
}

const MAX_STAGES: usize = 50;

fn slug(name: &str) -> String {
    let mut out = String::new();
    for c in name.to_lowercase().chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('_') && !out.is_empty() {
            out.push('_');
        }
    }
    out.trim_end_matches('_').chars().take(64).collect()
}

/// Parses and checks a stages list, giving stages without an id one derived
/// from their name. Errors name the stage (`stages[2].probability`).
pub fn parse_stages(raw: &Json) -> Result<Vec<Stage>, ValidationError> {
    let Some(items) = raw.as_array() else {
        return Err(ValidationError::single("stages", "invalid_type", "expected a list of stages"));
    };
    let mut errors = Vec::new();
    let mut stages = Vec::new();
    if items.is_empty() || items.len() > MAX_STAGES {
        errors.push(FieldError::new("stages", "invalid_stages", format!("a pipeline has 1 to {MAX_STAGES} stages")));
    }
    for (i, item) in items.iter().enumerate() {
        let at = |f: &str| format!("stages[{i}]{f}");
        let Some(obj) = item.as_object() else {
            errors.push(FieldError::new(
                at(""),
                "invalid_type",
                "expected {\"name\": …, \"probability\": …, \"kind\": …}",
            ));
            continue;
        };
        if let Some(k) = obj.keys().find(|k| !["id", "name", "probability", "kind", "names"].contains(&k.as_str())) {
            errors.push(FieldError::new(
                at(&format!(".{k}")),
                "unknown_field",
                "stages have id, name, names, probability and kind",
            ));
        }
        let names = match obj.get("names") {
            None | Some(Json::Null) => BTreeMap::new(),
            Some(given) => relata_app::localize::parse_labels(given, &at(".names")).unwrap_or_else(|mut e| {
                errors.append(&mut e);
                BTreeMap::new()
            }),
        };
        let name = obj.get("name").and_then(Json::as_str).map(str::trim).unwrap_or("");
        if name.is_empty() || name.chars().count() > 100 {
            errors.push(FieldError::new(at(".name"), "required", "a stage needs a name of at most 100 characters"));
        }
        let kind = match obj.get("kind") {
            None | Some(Json::Null) => StageKind::Open,
            Some(k) => match serde_json::from_value::<StageKind>(k.clone()) {
                Ok(k) => k,
                Err(_) => {
                    errors.push(FieldError::new(at(".kind"), "invalid_choice", "one of: open, won, lost"));
                    StageKind::Open
                }
            },
        };
        let default_probability = match kind {
            StageKind::Won => Some(100),
            StageKind::Lost => Some(0),
            StageKind::Open => None,
        };
        let probability = match obj.get("probability") {
            None | Some(Json::Null) => default_probability.unwrap_or_else(|| {
                errors.push(FieldError::new(at(".probability"), "required", "open stages need a probability (0-100)"));
                0
            }),
            Some(p) => match p.as_i64() {
                Some(p) if (0..=100).contains(&p) => p,
                _ => {
                    errors.push(FieldError::new(at(".probability"), "out_of_range", "a whole number from 0 to 100"));
                    0
                }
            },
        };
        let id = match obj.get("id") {
            None | Some(Json::Null) => slug(name),
            Some(Json::String(s))
                if !s.is_empty()
                    && s.len() <= 64
                    && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') =>
            {
                s.clone()
            }
            Some(_) => {
                errors.push(FieldError::new(at(".id"), "invalid_id", "letters, digits, _ and -, at most 64"));
                String::new()
            }
        };
        if id.is_empty() && !name.is_empty() && errors.is_empty() {
            errors.push(FieldError::new(
                at(".id"),
                "invalid_id",
                "give the stage an id (its name has no letters or digits)",
            ));
        }
        if stages.iter().any(|s: &Stage| s.id == id && !id.is_empty()) {
            errors.push(FieldError::new(at(".id"), "duplicate", format!("stage id {id:?} appears twice")));
        }
        if stages.iter().any(|s: &Stage| s.name.eq_ignore_ascii_case(name) && !name.is_empty()) {
            errors.push(FieldError::new(at(".name"), "duplicate", format!("stage name {name:?} appears twice")));
        }
        stages.push(Stage { id, name: name.to_string(), probability, kind, names });
    }
    if errors.is_empty() {
        for kind in [StageKind::Open, StageKind::Won, StageKind::Lost] {
            if !stages.iter().any(|s| s.kind == kind) {
                errors.push(FieldError::new(
                    "stages",
                    "invalid_stages",
                    format!("a pipeline needs at least one {} stage", kind.as_str()),
                ));
            }
        }
    }
    ValidationError::check(errors)?;
    Ok(stages)
}

pub fn stages_json(stages: &[Stage]) -> Json {
    json!(stages)
}

/// The stages of a stored pipeline record.
pub fn stages_of(pipeline: &Record) -> Vec<Stage> {
    match pipeline.values.std("stages") {
        FieldValue::Json(j) => parse_stages(j).unwrap_or_default(),
        _ => Vec::new(),
    }
}

/// Normalises the stages of a pipeline being written and refuses to drop a
/// stage that opportunities still stand in.
pub async fn before_save(tx: &mut ScopedConn, old: Option<&Record>, new: &mut Record) -> Result<(), StoreError> {
    let stages = match new.values.std("stages") {
        FieldValue::Json(raw) => parse_stages(raw)?,
        _ => return Err(StoreError::Invalid(ValidationError::single("stages", "required", "is required"))),
    };
    if let Some(old) = old {
        for removed in stages_of(old).iter().filter(|o| !stages.iter().any(|s| s.id == o.id)) {
            if stage_in_use(tx, old, &removed.id).await? {
                let args = vec![("stage", removed.name.as_str().into())];
                return Err(refused("stages", "stage_in_use", "refuse-stage-in-use", args).into());
            }
        }
    }
    new.values.set_std("stages", FieldValue::Json(stages_json(&stages)));
    Ok(())
}

async fn stage_in_use(tx: &mut ScopedConn, pipeline: &Record, stage: &str) -> Result<bool, StoreError> {
    let schema = Schema::standard(OPPORTUNITIES);
    let def = OPPORTUNITIES.def();
    let filter = Filter::And(vec![
        Filter::Compare {
            field: def.field("pipeline").expect("field"),
            op: Op::Eq,
            value: FieldValue::Ref(pipeline.id.uuid()),
        },
        Filter::Compare {
            field: def.field("stage").expect("field"),
            op: Op::Eq,
            value: FieldValue::Text(stage.to_string()),
        },
    ]);
    let sort = parse_sort(Some("id"), &schema).expect("id sorts");
    let page = tx
        .list_records(
            &schema,
            &ListQuery {
                filter: Some(filter),
                sort,
                cursor: None,
                limit: 1,
                q: None,
                deleted: false,
                search_order: false,
            },
        )
        .await?;
    Ok(!page.records.is_empty())
}

/// The workspace's default pipeline: the oldest marked default, else the oldest.
pub async fn default_pipeline(tx: &mut ScopedConn) -> Result<Option<Record>, StoreError> {
    let schema = Schema::standard(PIPELINES);
    let is_default = PIPELINES.def().field("is_default").expect("field");
    for filter in [Some(Filter::Compare { field: is_default, op: Op::Eq, value: FieldValue::Bool(true) }), None] {
        let sort = parse_sort(Some("id"), &schema).expect("id sorts");
        let page = tx
            .list_records(
                &schema,
                &ListQuery { filter, sort, cursor: None, limit: 1, q: None, deleted: false, search_order: false },
            )
            .await?;
        if let Some(p) = page.records.into_iter().next() {
            return Ok(Some(p));
        }
    }
    Ok(None)
}

/// Gives a workspace the standard sales pipeline if it has none.
pub async fn ensure_default_pipeline(
    app: &relata_app::App,
    ws: &relata_store::admin::Workspace,
) -> Result<(), relata_app::error::AppError> {
    let ctx = relata_app::Ctx::new(ws.clone(), None);
    let mut conn = app.store.read(ws.id).await?;
    if default_pipeline(&mut conn).await?.is_none() {
        drop(conn);
        let body = json!({"name": "Sales", "is_default": true, "stages": standard_stages()});
        relata_app::write::create(app, &ctx, PIPELINES, &body, None).await?;
    }
    Ok(())
}

/// The stages of a new workspace's default pipeline, named in every
/// language the UI is written in (the catalogues' `stage-{id}`).
pub fn standard_stages() -> Json {
    let stages = [
        ("qualification", 10, "open"),
        ("needs_analysis", 25, "open"),
        ("proposal", 50, "open"),
        ("negotiation", 75, "open"),
        ("won", 100, "won"),
        ("lost", 0, "lost"),
    ];
    let name = |language, id: &str| relata_i18n::Tr::new(language).t(&format!("stage-{id}"));
    let stages: Vec<Json> = stages
        .into_iter()
        .map(|(id, probability, kind)| {
            let names: BTreeMap<&str, String> = relata_i18n::Language::OFFERED
                .into_iter()
                .filter(|l| *l != relata_i18n::Language::En)
                .map(|l| (l.tag(), name(l, id)))
                .collect();
            json!({"id": id, "name": name(relata_i18n::Language::En, id), "names": names, "probability": probability, "kind": kind})
        })
        .collect();
    Json::Array(stages)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standard_stages_are_valid() {
        let stages = parse_stages(&standard_stages()).unwrap();
        assert_eq!(stages.len(), 6);
        assert_eq!(stages[4].kind, StageKind::Won);
        assert_eq!(
            (stages[4].name.as_str(), stages[3].name_in(relata_i18n::Language::Pl)),
            ("Closed won", "Negocjacje")
        );
    }

    #[test]
    fn ids_derive_from_names_and_defaults_apply() {
        let s = parse_stages(&json!([
            {"name": "First call", "probability": 5},
            {"name": "Won!", "kind": "won"},
            {"name": "Lost", "kind": "lost"}
        ]))
        .unwrap();
        assert_eq!(s[0].id, "first_call");
        assert_eq!(s[1].probability, 100);
    }

    #[test]
    fn errors_point_at_the_stage() {
        let e = parse_stages(&json!([{"name": "A", "probability": 120}, {"name": "a", "probability": 5}])).unwrap_err();
        let fields: Vec<_> = e.errors.iter().map(|e| e.field.as_str()).collect();
        assert!(fields.contains(&"stages[0].probability"), "{fields:?}");
        assert!(fields.contains(&"stages[1].name"), "{fields:?}");
        assert!(parse_stages(&json!([{"name": "Only", "probability": 5}])).is_err());
        assert!(parse_stages(&json!([])).is_err());
    }
}
