//! From metadata to SQL: column lists, values, filter conditions, sorting and
//! keyset conditions, with the few dialect differences (JSON paths, full-text
//! match, case-insensitive contains) kept here.

use crate::db::{Backend, Row};
use crate::error::{Result, StoreError};
use relata_core::WorkspaceId;
use relata_core::filter::{Filter, Op};
use relata_core::list::Sort;
use relata_core::meta::{Column, EntityKind, FieldDef, FieldType, Schema};
use relata_core::money::{Currency, Money};
use relata_core::value::{FieldValue, format_datetime, parse_datetime};
use sea_query::{
    Condition, Expr, ExprTrait, Func, JoinType, LikeExpr, Order, Query, SelectStatement, SimpleExpr, Value,
};
use serde_json::{Map, Value as Json, json};
use uuid::Uuid;

/// The columns every record table has, in select order.
pub(crate) const SYSTEM_COLUMNS: &[&str] =
    &["id", "version", "created_at", "updated_at", "created_by_id", "updated_by_id", "deleted_at"];

/// All columns of an entity table: system columns, field columns, `custom`
/// (which holds custom fields, and a custom object's own fields).
pub(crate) fn select_columns(schema: &Schema) -> Vec<&'static str> {
    let mut cols: Vec<&'static str> = SYSTEM_COLUMNS.to_vec();
    for field in schema.own_fields().iter().filter(|f| !f.system) {
        match field.column {
            Column::Named(c) => cols.push(c),
            Column::Money { amount, currency } => {
                cols.push(amount);
                cols.push(currency);
            }
            Column::Custom | Column::Data => {}
        }
    }
    cols.push("custom");
    cols
}

/// A typed SQL NULL or value for a field stored in its own column(s).
/// PostgreSQL needs typed NULLs, so the field type decides even for NULL.
pub(crate) fn column_values(field: &FieldDef, value: &FieldValue) -> Vec<(&'static str, Value)> {
    match (&field.column, value) {
        (Column::Money { amount, currency }, FieldValue::Money(m)) => vec![
            (*amount, Value::BigInt(Some(m.minor))),
            (*currency, Value::String(Some(m.currency.code().to_string()))),
        ],
        (Column::Money { amount, currency }, _) => {
            vec![(*amount, Value::BigInt(None)), (*currency, Value::String(None))]
        }
        (Column::Named(c), v) => vec![(*c, scalar_value(&field.ty, v))],
        (Column::Custom | Column::Data, _) => vec![],
    }
}

fn scalar_value(ty: &FieldType, v: &FieldValue) -> Value {
    use FieldType as T;
    match ty {
        T::Integer { .. } => Value::BigInt(match v {
            FieldValue::Int(i) => Some(*i),
            _ => None,
        }),
        T::Number => Value::Double(match v {
            FieldValue::Number(n) => Some(*n),
            _ => None,
        }),
        T::Decimal { scale } => Value::BigInt(match v {
            FieldValue::Decimal(d) => Some(relata_core::decimal::to_scaled(*d, *scale)),
            _ => None,
        }),
        T::Boolean => Value::Bool(match v {
            FieldValue::Bool(b) => Some(*b),
            _ => None,
        }),
        T::Date => Value::ChronoDate(match v {
            FieldValue::Date(d) => Some(*d),
            _ => None,
        }),
        T::DateTime => Value::ChronoDateTimeUtc(match v {
            FieldValue::DateTime(t) => Some(*t),
            _ => None,
        }),
        T::Emails | T::Phones | T::MultiChoice(_) | T::Members | T::Stages => Value::Json(match v {
            FieldValue::Null => None,
            other => Some(Box::new(other.to_json())),
        }),
        T::Relation(_) | T::Id => Value::Uuid(match v {
            FieldValue::Ref(id) => Some(*id),
            _ => None,
        }),
        T::Money => Value::BigInt(match v {
            FieldValue::Money(m) => Some(m.minor),
            _ => None,
        }),
        T::Text { .. } | T::LongText | T::Email | T::Phone | T::Choice(_) | T::Stage => Value::String(match v {
            FieldValue::Text(s) => Some(s.clone()),
            _ => None,
        }),
    }
}

/// The JSON stored for a custom field inside the `custom` column.
pub(crate) fn custom_json(value: &FieldValue) -> Json {
    match value {
        FieldValue::Money(m) => json!({"amount_minor": m.minor, "currency": m.currency.code()}),
        // Whole units of the field's scale (the value is at that scale): exact, and ordered as numbers.
        FieldValue::Decimal(d) => json!(i64::try_from(d.mantissa()).unwrap_or_default()),
        other => other.to_json(),
    }
}

/// Reads a custom field back from its stored JSON; values that no longer fit
/// the field's definition are dropped rather than failing the whole record.
pub(crate) fn custom_from_json(field: &FieldDef, v: &Json) -> FieldValue {
    use FieldType as T;
    let parsed = match (&field.ty, v) {
        (_, Json::Null) => None,
        (T::Integer { .. }, Json::Number(n)) => n.as_i64().map(FieldValue::Int),
        (T::Number, Json::Number(n)) => n.as_f64().map(FieldValue::Number),
        (T::Decimal { scale }, Json::Number(n)) => {
            n.as_i64().map(|units| FieldValue::Decimal(relata_core::decimal::from_scaled(units, *scale)))
        }
        (T::Boolean, Json::Bool(b)) => Some(FieldValue::Bool(*b)),
        (T::Date, Json::String(s)) => s.parse().ok().map(FieldValue::Date),
        (T::DateTime, Json::String(s)) => parse_datetime(s).map(FieldValue::DateTime),
        (T::Money, Json::Object(o)) => {
            let minor = o.get("amount_minor").and_then(Json::as_i64);
            let cur = o.get("currency").and_then(Json::as_str).and_then(Currency::parse);
            minor.zip(cur).map(|(m, c)| FieldValue::Money(Money::new(m, c)))
        }
        (T::Relation(_), Json::String(s)) => Uuid::parse_str(s).ok().map(FieldValue::Ref),
        (T::MultiChoice(_) | T::Members, Json::Array(items)) => {
            Some(FieldValue::List(items.iter().filter_map(|i| i.as_str().map(str::to_string)).collect()))
        }
        (_, Json::String(s)) => Some(FieldValue::Text(s.clone())),
        _ => None,
    };
    parsed.unwrap_or(FieldValue::Null)
}

/// Decodes a standard field from its column(s).
pub(crate) fn decode_field(row: &Row, field: &FieldDef) -> Result<FieldValue> {
    use FieldType as T;
    let col = match &field.column {
        Column::Named(c) => *c,
        Column::Money { amount, currency } => {
            let minor = row.int(amount)?;
            let code = row.text(currency)?;
            return Ok(match (minor, code) {
                (Some(minor), Some(code)) => FieldValue::Money(Money::new(
                    minor,
                    Currency::parse(&code).ok_or_else(|| StoreError::Corrupt(format!("currency {code}")))?,
                )),
                _ => FieldValue::Null,
            });
        }
        Column::Custom | Column::Data => return Ok(FieldValue::Null),
    };
    let v = match &field.ty {
        T::Integer { .. } => row.int(col)?.map(FieldValue::Int),
        T::Number => row.float(col)?.map(FieldValue::Number),
        T::Decimal { scale } => {
            row.int(col)?.map(|units| FieldValue::Decimal(relata_core::decimal::from_scaled(units, *scale)))
        }
        T::Boolean => row.bool(col)?.map(FieldValue::Bool),
        T::Date => row.date(col)?.map(FieldValue::Date),
        T::DateTime => row.datetime(col)?.map(FieldValue::DateTime),
        T::Emails | T::Phones | T::MultiChoice(_) | T::Members => row.json(col)?.map(|j| {
            FieldValue::List(
                j.as_array()
                    .map(|a| a.iter().filter_map(|i| i.as_str().map(str::to_string)).collect())
                    .unwrap_or_default(),
            )
        }),
        T::Stages => row.json(col)?.map(FieldValue::Json),
        T::Relation(_) | T::Id => row.uuid(col)?.map(FieldValue::Ref),
        T::Money => None,
        T::Text { .. } | T::LongText | T::Email | T::Phone | T::Choice(_) | T::Stage => {
            row.text(col)?.map(FieldValue::Text)
        }
    };
    Ok(v.unwrap_or(FieldValue::Null))
}

/// An id as SQL binds it: 16 bytes (a blob on SQLite, a UUID on PostgreSQL).
pub(crate) fn uuid(u: Uuid) -> Value {
    Value::Uuid(Some(u))
}

/// An optional id; NULL stays NULL.
pub(crate) fn uuid_opt(u: Option<Uuid>) -> Value {
    Value::Uuid(u)
}

/// An id given as text. Text that is no id becomes NULL, which equals
/// nothing: a lookup by it finds nothing, as a lookup by an unknown id would.
pub(crate) fn id_text(s: &str) -> Value {
    Value::Uuid(Uuid::parse_str(s).ok())
}

/// `workspace_id = ws`: added by every scoped query.
pub(crate) fn in_workspace(ws: WorkspaceId) -> SimpleExpr {
    Expr::col("workspace_id").eq(uuid(ws.uuid()))
}

/// The SQL expression for a field (its column, or its JSON path in `custom`).
pub(crate) fn field_expr(backend: Backend, field: &FieldDef) -> SimpleExpr {
    match &field.column {
        Column::Named(c) => Expr::col(*c),
        Column::Money { amount, .. } => Expr::col(*amount),
        Column::Custom | Column::Data => custom_expr(backend, field),
    }
}

fn custom_expr(backend: Backend, field: &FieldDef) -> SimpleExpr {
    let key = field.id.to_string();
    match backend {
        Backend::Sqlite => {
            let path = match field.ty {
                FieldType::Money => format!("$.\"{key}\".amount_minor"),
                _ => format!("$.\"{key}\""),
            };
            Expr::cust_with_values("json_extract(custom, ?)", [path])
        }
        Backend::Postgres => match field.ty {
            FieldType::Money => Expr::cust_with_values("((custom->$1->>'amount_minor')::bigint)", [key]),
            FieldType::Integer { .. } | FieldType::Decimal { .. } => {
                Expr::cust_with_values("((custom->>$1)::bigint)", [key])
            }
            FieldType::Number => Expr::cust_with_values("((custom->>$1)::double precision)", [key]),
            FieldType::Boolean => Expr::cust_with_values("((custom->>$1)::boolean)", [key]),
            _ => Expr::cust_with_values("(custom->>$1)", [key]),
        },
    }
}

/// The SQL value a filter or cursor compares a field with.
pub(crate) fn compare_value(field: &FieldDef, v: &FieldValue) -> Value {
    if field.in_json() {
        return match v {
            FieldValue::Int(i) => Value::BigInt(Some(*i)),
            FieldValue::Number(n) => Value::Double(Some(*n)),
            FieldValue::Decimal(d) => Value::BigInt(Some(match field.ty {
                FieldType::Decimal { scale } => relata_core::decimal::to_scaled(*d, scale),
                _ => 0,
            })),
            FieldValue::Bool(b) => Value::Bool(Some(*b)),
            FieldValue::Money(m) => Value::BigInt(Some(m.minor)),
            FieldValue::Date(d) => Value::String(Some(d.to_string())),
            FieldValue::DateTime(t) => Value::String(Some(format_datetime(t))),
            FieldValue::Ref(id) => Value::String(Some(id.to_string())),
            FieldValue::Text(s) => Value::String(Some(s.clone())),
            _ => Value::String(None),
        };
    }
    match (&field.ty, v) {
        // List columns are compared element-wise through contact points.
        (FieldType::Emails | FieldType::Phones, FieldValue::Text(s)) => Value::String(Some(s.clone())),
        _ => scalar_value(&field.ty, v),
    }
}

/// The `contact_points.kind` a list field is indexed under.
pub(crate) fn contact_point_kind(ty: &FieldType) -> Option<&'static str> {
    match ty {
        FieldType::Email | FieldType::Emails => Some("email"),
        FieldType::Phone | FieldType::Phones => Some("phone"),
        _ => None,
    }
}

fn escape_like(s: &str) -> String {
    s.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
}

/// What a reader may see of a type, as a condition (`None`: all of it).
pub(crate) type Visible<'v> = &'v dyn Fn(EntityKind) -> Option<SimpleExpr>;

/// Turns a typed filter into a SQL condition for `kind` in workspace `ws`;
/// a condition on related records looks only at those `visible` shows.
pub(crate) fn condition(
    backend: Backend,
    ws: WorkspaceId,
    kind: EntityKind,
    filter: &Filter,
    visible: Visible,
) -> Condition {
    let each = |p: &Filter| condition(backend, ws, kind, p, visible);
    match filter {
        Filter::And(parts) => parts.iter().fold(Condition::all(), |c, p| c.add(each(p))),
        Filter::Or(parts) => parts.iter().fold(Condition::any(), |c, p| c.add(each(p))),
        Filter::Not(inner) => each(inner).not(),
        Filter::Related { link, target, inner } => {
            let mut related = Query::select();
            related
                .column("id")
                .from(target.table())
                .and_where(in_workspace(ws))
                .and_where(Expr::col("deleted_at").is_null())
                .cond_where(condition(backend, ws, *target, inner, visible));
            if let Some(v) = visible(*target) {
                related.and_where(v);
            }
            // Two-valued, so that `not` holds for a record with no related one.
            let link = field_expr(backend, link);
            Condition::all().add(link.clone().is_not_null()).add(link.in_subquery(related))
        }
        Filter::IsNull { field, negated } => {
            let e = field_expr(backend, field);
            Condition::all().add(if *negated { e.is_not_null() } else { e.is_null() })
        }
        Filter::In { field, values } => {
            if matches!(field.ty, FieldType::Emails | FieldType::Phones) {
                return values
                    .iter()
                    .fold(Condition::any(), |c, v| c.add(contact_point_match(ws, kind, field, v, false)));
            }
            if matches!(field.ty, FieldType::MultiChoice(_) | FieldType::Members) {
                return values.iter().fold(Condition::any(), |c, v| c.add(list_has(backend, field, v)));
            }
            if field.ty == FieldType::Money {
                return values
                    .iter()
                    .fold(Condition::any(), |c, v| c.add(compare(backend, ws, kind, field, Op::Eq, v)));
            }
            let vals: Vec<Value> = values.iter().map(|v| compare_value(field, v)).collect();
            Condition::all().add(field_expr(backend, field).is_in(vals))
        }
        Filter::Compare { field, op, value } => compare(backend, ws, kind, field, *op, value),
    }
}

fn compare(
    backend: Backend,
    ws: WorkspaceId,
    kind: EntityKind,
    field: &FieldDef,
    op: Op,
    value: &FieldValue,
) -> Condition {
    if matches!(field.ty, FieldType::Emails | FieldType::Phones) {
        let m = contact_point_match(ws, kind, field, value, op == Op::Contains);
        return match op {
            Op::Ne => Condition::all().add(m.not()),
            _ => Condition::all().add(m),
        };
    }
    if matches!(field.ty, FieldType::MultiChoice(_) | FieldType::Members) {
        let has = list_has(backend, field, value);
        return match op {
            Op::Ne => Condition::all().add(has.not()),
            _ => Condition::all().add(has),
        };
    }
    let e = field_expr(backend, field);
    if op == Op::Contains {
        let text = value.as_text().unwrap_or_default().to_lowercase();
        let pattern = LikeExpr::new(format!("%{}%", escape_like(&text))).escape('\\');
        return Condition::all().add(Func::lower(e).like(pattern));
    }
    let v = compare_value(field, value);
    if let FieldValue::Money(m) = value {
        return money_compare(backend, field, op, e, v, m.currency.code());
    }
    let cmp = match op {
        Op::Eq => e.eq(v),
        // "not equal" includes records without a value, as people expect.
        Op::Ne => return Condition::any().add(e.clone().ne(v)).add(e.is_null()),
        Op::Lt => e.lt(v),
        Op::Le => e.lte(v),
        Op::Gt => e.gt(v),
        Op::Ge => e.gte(v),
        Op::Contains => unreachable!("handled above"),
    };
    Condition::all().add(cmp)
}

/// A money comparison holds only between amounts of the same currency: the
/// filter's (named, or the workspace's default), never silently across
/// currencies. "Not equal" holds for other currencies and for no amount.
fn money_compare(backend: Backend, field: &FieldDef, op: Op, amount: SimpleExpr, v: Value, code: &str) -> Condition {
    let currency = currency_expr(backend, field);
    let same_currency = currency.clone().eq(code);
    let cmp = match op {
        Op::Eq => amount.eq(v),
        Op::Ne => {
            return Condition::any()
                .add(amount.clone().ne(v))
                .add(amount.is_null())
                .add(currency.clone().ne(code))
                .add(currency.is_null());
        }
        Op::Lt => amount.lt(v),
        Op::Le => amount.lte(v),
        Op::Gt => amount.gt(v),
        Op::Ge => amount.gte(v),
        Op::Contains => return Condition::all().add(Expr::val(false).eq(true)),
    };
    Condition::all().add(cmp).add(same_currency)
}

/// The SQL expression for a money field's currency code.
fn currency_expr(backend: Backend, field: &FieldDef) -> SimpleExpr {
    match (&field.column, backend) {
        (Column::Money { currency, .. }, _) => Expr::col(*currency),
        (_, Backend::Sqlite) => {
            Expr::cust_with_values("json_extract(custom, ?)", [format!("$.\"{}\".currency", field.id)])
        }
        (_, Backend::Postgres) => Expr::cust_with_values("(custom->$1->>'currency')", [field.id.to_string()]),
    }
}

/// `id IN (records with a contact point of this kind equal to / containing v)`.
fn contact_point_match(
    ws: WorkspaceId,
    kind: EntityKind,
    field: &FieldDef,
    v: &FieldValue,
    contains: bool,
) -> SimpleExpr {
    let point_kind = contact_point_kind(&field.ty).unwrap_or("email");
    let text = v.as_text().unwrap_or_default().to_string();
    let value_cond = if contains {
        let digits_or_text = if point_kind == "phone" {
            text.chars().filter(|c| c.is_ascii_digit()).collect::<String>()
        } else {
            text.to_lowercase()
        };
        Func::lower(Expr::col("value")).like(LikeExpr::new(format!("%{}%", escape_like(&digits_or_text))).escape('\\'))
    } else {
        Expr::col("value").eq(text)
    };
    let sub = Query::select()
        .column("record_id")
        .from("contact_points")
        .and_where(in_workspace(ws))
        .and_where(Expr::col("entity").eq(kind.singular()))
        .and_where(Expr::col("kind").eq(point_kind))
        .and_where(value_cond)
        .to_owned();
    Expr::col("id").in_subquery(sub)
}

/// Whether a list field (multi-choice, members) holds `v`: a JSON array in
/// its own column or under the record's `custom` column.
fn list_has(backend: Backend, field: &FieldDef, v: &FieldValue) -> SimpleExpr {
    let value = v.as_text().unwrap_or_default().to_string();
    match (&field.column, backend) {
        // Column names come from the metadata, never from input.
        // `IS NOT NULL` first: an index of the rows that have a list can serve it.
        (Column::Named(column), Backend::Sqlite) => Expr::cust_with_values(
            format!("({column} IS NOT NULL AND EXISTS (SELECT 1 FROM json_each({column}) WHERE json_each.value = ?))"),
            [value],
        ),
        (Column::Named(column), Backend::Postgres) => Expr::cust_with_values(
            format!("({column} IS NOT NULL AND {column} @> jsonb_build_array($1::text))"),
            [value],
        ),
        (_, Backend::Sqlite) => Expr::cust_with_values(
            "EXISTS (SELECT 1 FROM json_each(custom, ?) WHERE json_each.value = ?)",
            [format!("$.\"{}\"", field.id), value],
        ),
        (_, Backend::Postgres) => {
            Expr::cust_with_values("(custom->$1) @> jsonb_build_array($2::text)", [field.id.to_string(), value])
        }
    }
}

/// Full-text terms: folded like the indexed words, at most eight.
pub(crate) fn search_terms(q: &str) -> Vec<String> {
    relata_core::text::search_words(q).take(8).collect()
}

/// `id IN (records of kind in ws matching every term as a prefix)`.
pub(crate) fn full_text_match(backend: Backend, ws: WorkspaceId, kind: EntityKind, terms: &[String]) -> SimpleExpr {
    match backend {
        Backend::Sqlite => {
            let query: Vec<String> = terms.iter().map(|t| fts5_term(t)).collect();
            Expr::cust_with_values(
                "id IN (SELECT d.record_id FROM search_fts JOIN search_docs d ON d.id = search_fts.rowid \
                 WHERE search_fts MATCH ? AND d.workspace_id = ? AND d.entity = ?)",
                [Value::from(query.join(" ")), uuid(ws.uuid()), Value::from(kind.singular())],
            )
        }
        Backend::Postgres => {
            let query: Vec<String> = terms.iter().map(|t| tsquery_term(t)).collect();
            Expr::cust_with_values(
                "id IN (SELECT record_id FROM search_docs WHERE workspace_id = $1 AND entity = $2 \
                 AND tsv @@ to_tsquery('simple', $3))",
                [uuid(ws.uuid()), Value::from(kind.singular()), Value::from(query.join(" & "))],
            )
        }
    }
}

/// An FTS5 query term: a prefix match, except for single letters, which
/// would match most of the index and are matched as whole words.
fn fts5_term(term: &str) -> String {
    if term.chars().count() > 1 { format!("\"{term}\"*") } else { format!("\"{term}\"") }
}

/// A PostgreSQL tsquery term, with the same rule as [`fts5_term`].
fn tsquery_term(term: &str) -> String {
    if term.chars().count() > 1 { format!("{term}:*") } else { term.to_string() }
}

/// Search index entries of `kind` matching every term, newest entry first,
/// strictly before entry `before`: `(doc, record_id)` rows. The index yields
/// them in order, so only `limit` entries are read.
pub(crate) fn search_candidates(
    backend: Backend,
    ws: WorkspaceId,
    kind: EntityKind,
    terms: &[String],
    before: Option<i64>,
    limit: u64,
) -> SelectStatement {
    let mut q = Query::select();
    match backend {
        Backend::Sqlite => {
            let query: Vec<String> = terms.iter().map(|t| fts5_term(t)).collect();
            q.expr_as(Expr::col(("d", "id")), "doc")
                .expr_as(Expr::col(("d", "record_id")), "record_id")
                .from("search_fts")
                .join_as(
                    JoinType::InnerJoin,
                    "search_docs",
                    "d",
                    Expr::col(("d", "id")).equals(("search_fts", "rowid")),
                )
                .and_where(Expr::cust_with_values("search_fts MATCH ?", [query.join(" ")]))
                .and_where(Expr::col(("d", "workspace_id")).eq(uuid(ws.uuid())))
                .and_where(Expr::col(("d", "entity")).eq(kind.singular()));
            if let Some(before) = before {
                q.and_where(Expr::col(("search_fts", "rowid")).lt(before));
            }
            q.order_by(("search_fts", "rowid"), Order::Desc);
        }
        Backend::Postgres => {
            let query: Vec<String> = terms.iter().map(|t| tsquery_term(t)).collect();
            q.expr_as(Expr::col("id"), "doc")
                .column("record_id")
                .from("search_docs")
                .and_where(in_workspace(ws))
                .and_where(Expr::col("entity").eq(kind.singular()))
                .and_where(Expr::cust_with_values("tsv @@ to_tsquery('simple', $1)", [query.join(" & ")]));
            if let Some(before) = before {
                q.and_where(Expr::col("id").lt(before));
            }
            q.order_by("id", Order::Desc);
        }
    }
    q.limit(limit);
    q
}

/// The value of the sort field that a cursor remembers, as plain JSON.
pub(crate) fn cursor_value(v: &FieldValue) -> Json {
    match v {
        FieldValue::Money(m) => json!(m.minor),
        other => custom_json(other),
    }
}

/// Reads a cursor's remembered value back into a comparable SQL value.
pub(crate) fn cursor_sql_value(field: &FieldDef, v: &Json) -> std::result::Result<Value, String> {
    let bad = || "cursor does not fit this list".to_string();
    if v.is_null() {
        return Ok(compare_value(field, &FieldValue::Null));
    }
    let fv = match &field.ty {
        FieldType::Money => {
            FieldValue::Money(Money::new(v.as_i64().ok_or_else(bad)?, Currency::parse("EUR").expect("known")))
        }
        FieldType::Id => FieldValue::Ref(v.as_str().and_then(|s| Uuid::parse_str(s).ok()).ok_or_else(bad)?),
        _ => match custom_from_json(field, v) {
            FieldValue::Null => return Err(bad()),
            fv => fv,
        },
    };
    Ok(compare_value(field, &fv))
}

/// Keyset condition: rows strictly after (value, id) in the sort order.
/// NULLs sort first ascending and last descending on both backends.
pub(crate) fn after_cursor(backend: Backend, sort: &Sort, value: Value, last_id: &str) -> Condition {
    let id = || Expr::col("id");
    let last_id = id_text(last_id);
    if sort.field.id == "id" && !sort.field.in_json() {
        return Condition::all().add(if sort.descending { id().lt(last_id) } else { id().gt(last_id) });
    }
    let e = field_expr(backend, sort.field);
    let is_null = value_is_null(&value);
    match (sort.descending, is_null) {
        (false, true) => Condition::any()
            .add(Condition::all().add(e.clone().is_null()).add(id().gt(last_id.clone())))
            .add(e.is_not_null()),
        (false, false) => Condition::any()
            .add(e.clone().gt(value.clone()))
            .add(Condition::all().add(e.eq(value)).add(id().gt(last_id.clone()))),
        (true, true) => Condition::all().add(e.is_null()).add(id().lt(last_id.clone())),
        (true, false) => Condition::any()
            .add(e.clone().lt(value.clone()))
            .add(Condition::all().add(e.clone().eq(value)).add(id().lt(last_id.clone())))
            .add(e.is_null()),
    }
}

fn value_is_null(v: &Value) -> bool {
    match v {
        Value::String(s) => s.is_none(),
        Value::BigInt(i) => i.is_none(),
        Value::Double(d) => d.is_none(),
        Value::Bool(b) => b.is_none(),
        Value::ChronoDate(d) => d.is_none(),
        Value::ChronoDateTimeUtc(t) => t.is_none(),
        Value::Json(j) => j.is_none(),
        Value::Uuid(u) => u.is_none(),
        _ => false,
    }
}

/// The JSON object stored in `custom`: a record's custom field values, or a
/// custom object's own field values. Keys of fields no longer defined are
/// kept as stored, so nothing is lost.
pub(crate) fn custom_object(schema: &Schema, values: &relata_core::value::Values) -> Json {
    let mut obj = Map::new();
    for (key, v) in &values.custom {
        if !v.is_null() {
            obj.insert(key.clone(), custom_json(v));
        }
    }
    for field in schema.own_fields().iter().filter(|f| f.column == Column::Data) {
        let v = values.get(field);
        if !v.is_null() {
            obj.insert(field.id.to_string(), custom_json(v));
        }
    }
    Json::Object(obj)
}

/// The condition that scopes a query to one entity type of one workspace:
/// the workspace, and for custom objects (which share a table) the object.
pub(crate) fn of_kind(ws: WorkspaceId, kind: EntityKind) -> Condition {
    let mut c = Condition::all().add(in_workspace(ws));
    if kind.is_custom() {
        c = c.add(Expr::col("object").eq(kind.api_name()));
    }
    c
}
