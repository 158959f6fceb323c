//! Opportunity stage history: every stage an opportunity entered, when, by
//! whom and at what amount (forecasting and sales-cycle analysis read it).

use crate::db::ScopedConn;
use crate::error::{Result, StoreError};
use crate::sql::{self, id_text, in_workspace, uuid, uuid_opt};
use chrono::{DateTime, Utc};
use relata_core::meta::{FieldDef, Schema};
use relata_core::money::{Currency, Money};
use relata_core::value::FieldValue;
use relata_core::{RecordId, UserId};
use sea_query::{Condition, Expr, ExprTrait, Order, Query, Value};

#[derive(Clone, Debug, PartialEq)]
pub struct StageChange {
    pub id: RecordId,
    pub opportunity: RecordId,
    pub pipeline: Option<RecordId>,
    pub from_stage: Option<String>,
    pub to_stage: String,
    pub changed_at: DateTime<Utc>,
    pub changed_by: Option<UserId>,
    pub amount: Option<Money>,
}

/// The columns of a stage change besides its workspace.
const COLUMNS: [&str; 9] = [
    "id",
    "opportunity_id",
    "pipeline_id",
    "from_stage_id",
    "to_stage_id",
    "changed_at",
    "changed_by_id",
    "amount_minor",
    "amount_currency",
];

impl ScopedConn {
    pub async fn insert_stage_changes(&mut self, changes: &[StageChange]) -> Result<()> {
        let ws = uuid(self.workspace.uuid());
        let rows: Vec<Vec<Value>> = changes
            .iter()
            .map(|c| {
                vec![
                    ws.clone(),
                    uuid(c.id.uuid()),
                    uuid(c.opportunity.uuid()),
                    uuid_opt(c.pipeline.map(|p| p.uuid())),
                    Value::String(c.from_stage.clone()),
                    Value::String(Some(c.to_stage.clone())),
                    Value::ChronoDateTimeUtc(Some(c.changed_at)),
                    uuid_opt(c.changed_by.map(|u| u.uuid())),
                    Value::BigInt(c.amount.map(|m| m.minor)),
                    Value::String(c.amount.map(|m| m.currency.code().to_string())),
                ]
            })
            .collect();
        let mut columns = vec!["workspace_id"];
        columns.extend(COLUMNS);
        // Same order as each row: workspace first, then COLUMNS.
        self.conn.insert_rows("stage_history", &columns, rows).await
    }

    /// Stage changes of the given opportunities, oldest first.
    pub async fn stage_changes_of(&mut self, opportunities: &[String]) -> Result<Vec<StageChange>> {
        if opportunities.is_empty() {
            return Ok(Vec::new());
        }
        let q = Query::select()
            .columns(COLUMNS)
            .from("stage_history")
            .and_where(in_workspace(self.workspace))
            .and_where(Expr::col("opportunity_id").is_in(opportunities.iter().map(|o| id_text(o))))
            .order_by("changed_at", Order::Asc)
            .order_by("id", Order::Asc)
            .to_owned();
        self.conn.fetch_all(&q).await?.iter().map(decode_change).collect()
    }

    /// One page of a customer's stage changes: those of the live
    /// opportunities whose `link` points at `target` (and which the viewer
    /// may read), newest first, strictly before `before`, at most `limit`.
    pub(crate) fn stage_changes_linked_query(
        &self,
        schema: &Schema,
        link: &FieldDef,
        target: RecordId,
        before: Option<(DateTime<Utc>, String)>,
        limit: u64,
    ) -> sea_query::SelectStatement {
        let backend = self.backend();
        let mut linked = Query::select();
        linked
            .column("id")
            .from(schema.kind.table())
            .cond_where(self.of_kind(schema.kind))
            .and_where(sql::field_expr(backend, link).eq(sql::compare_value(link, &FieldValue::Ref(target.uuid()))))
            .and_where(Expr::col("deleted_at").is_null());
        if let Some(visible) = self.visible(schema.kind) {
            linked.and_where(visible);
        }
        let mut q = Query::select();
        q.columns(COLUMNS)
            .from("stage_history")
            .and_where(in_workspace(self.workspace))
            .and_where(Expr::col("opportunity_id").in_subquery(linked));
        if let Some((at, id)) = before {
            let at = Value::ChronoDateTimeUtc(Some(at));
            q.cond_where(
                Condition::any()
                    .add(Expr::col("changed_at").lt(at.clone()))
                    .add(Condition::all().add(Expr::col("changed_at").eq(at)).add(Expr::col("id").lt(id_text(&id)))),
            );
        }
        q.order_by("changed_at", Order::Desc).order_by("id", Order::Desc).limit(limit);
        q
    }
}

pub(crate) fn decode_change(r: &crate::db::Row) -> Result<StageChange> {
    let bad = |c: &str| StoreError::Corrupt(format!("stage_history.{c}"));
    let amount = match (r.int("amount_minor")?, r.text("amount_currency")?) {
        (Some(m), Some(c)) => Some(Money::new(m, Currency::parse(&c).ok_or_else(|| bad("amount_currency"))?)),
        _ => None,
    };
    Ok(StageChange {
        id: RecordId::from_uuid(r.uuid("id")?.ok_or_else(|| bad("id"))?),
        opportunity: RecordId::from_uuid(r.uuid("opportunity_id")?.ok_or_else(|| bad("opportunity_id"))?),
        pipeline: r.uuid("pipeline_id")?.map(RecordId::from_uuid),
        from_stage: r.text("from_stage_id")?,
        to_stage: r.text("to_stage_id")?.ok_or_else(|| bad("to_stage_id"))?,
        changed_at: r.datetime("changed_at")?.ok_or_else(|| bad("changed_at"))?,
        changed_by: r.uuid("changed_by_id")?.map(UserId::from_uuid),
        amount,
    })
}
