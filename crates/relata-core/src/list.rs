//! Sorting and opaque cursors for keyset pagination.
//!
//! A list is ordered by one field and then by id (ids are unique, so the order
//! is total). A cursor carries the sort it was made for and the last row's sort
//! value and id; the next page starts strictly after that row, so pages stay
//! fast at any depth and never skip or repeat rows under concurrent inserts.

use crate::meta::{FieldDef, Schema};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use serde_json::Value as Json;

/// Order by one field, then by id in the same direction.
#[derive(Clone, Debug, PartialEq)]
pub struct Sort<'a> {
    pub field: &'a FieldDef,
    pub descending: bool,
}

impl Sort<'_> {
    /// The canonical text form (`-amount`), also stored in cursors.
    pub fn spec(&self) -> String {
        format!("{}{}", if self.descending { "-" } else { "" }, self.field.qualified_id())
    }
}

/// Parses `name`, `-created_at`, `custom.tier`. Empty means newest first.
pub fn parse_sort<'a>(input: Option<&str>, schema: &'a Schema) -> Result<Sort<'a>, String> {
    let spec = input.map(str::trim).filter(|s| !s.is_empty()).unwrap_or("-id");
    if spec.contains(',') {
        return Err("sort takes one field (ties are broken by id), e.g. -amount".into());
    }
    let (descending, name) = match spec.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, spec.strip_prefix('+').unwrap_or(spec)),
    };
    let field = schema.field(name).ok_or_else(|| format!("unknown sort field {name:?}"))?;
    if !field.sortable {
        return Err(format!("{name} cannot be sorted on"));
    }
    Ok(Sort { field, descending })
}

/// The position after the last row of a page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Cursor {
    /// The sort spec the cursor belongs to.
    pub s: String,
    /// The last row's sort value in its JSON form (null for no value).
    pub v: Json,
    /// The last row's id.
    pub id: String,
}

/// The sort spec of search-ordered lists (most recently changed match first).
pub const SEARCH_ORDER: &str = "~search";

impl Cursor {
    pub fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(self).expect("cursor serialises"))
    }

    /// Decodes a cursor and checks it was made for `sort`.
    pub fn decode(text: &str, sort: &Sort) -> Result<Cursor, String> {
        Cursor::decode_for(text, &sort.spec())
    }

    /// Decodes a cursor and checks it was made for the order `spec`.
    pub fn decode_for(text: &str, spec: &str) -> Result<Cursor, String> {
        let bytes =
            URL_SAFE_NO_PAD.decode(text.trim()).map_err(|_| "cursor is not one this server issued".to_string())?;
        let cursor: Cursor =
            serde_json::from_slice(&bytes).map_err(|_| "cursor is not one this server issued".to_string())?;
        if cursor.s != spec {
            return Err(format!("cursor was made for sort {:?}, not {spec:?}", cursor.s));
        }
        Ok(cursor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::meta::testing::{self, CONTACTS};

    #[test]
    fn sort_defaults_to_newest_first_and_checks_fields() {
        testing::install();
        let schema = Schema::standard(CONTACTS);
        let s = parse_sort(None, &schema).unwrap();
        assert_eq!(s.spec(), "-id");
        assert!(parse_sort(Some("shoe_size"), &schema).is_err());
        assert!(parse_sort(Some("notes"), &schema).is_err());
        assert!(parse_sort(Some("a,b"), &schema).is_err());
    }

    #[test]
    fn cursor_round_trips_and_is_bound_to_its_sort() {
        testing::install();
        let schema = Schema::standard(CONTACTS);
        let by_name = parse_sort(Some("last_name"), &schema).unwrap();
        let c = Cursor { s: by_name.spec(), v: Json::String("Nowak".into()), id: "x".into() };
        assert_eq!(Cursor::decode(&c.encode(), &by_name).unwrap(), c);
        let by_city = parse_sort(Some("city"), &schema).unwrap();
        assert!(Cursor::decode(&c.encode(), &by_city).is_err());
        assert!(Cursor::decode("!!!", &by_name).is_err());
    }
}
