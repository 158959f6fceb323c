//! Opportunity stage history: every stage an opportunity entered, when, by
//! whom and at what amount (forecasting and sales-cycle analysis read it).

use crate::db::ScopedConn;
use crate::error::{Result, StoreError};
use crate::sql::in_workspace;
use chrono::{DateTime, Utc};
use relata_core::money::{Currency, Money};
use relata_core::{RecordId, UserId};
use sea_query::{Expr, ExprTrait, Order, Query, Value};

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
        let ws = self.workspace.to_string();
        let rows: Vec<Vec<Value>> = changes
            .iter()
            .map(|c| {
                vec![
                    Value::String(Some(ws.clone())),
                    Value::String(Some(c.id.to_string())),
                    Value::String(Some(c.opportunity.to_string())),
                    Value::String(c.pipeline.map(|p| p.to_string())),
                    Value::String(c.from_stage.clone()),
                    Value::String(Some(c.to_stage.clone())),
                    Value::ChronoDateTimeUtc(Some(c.changed_at)),
                    Value::String(c.changed_by.map(|u| u.to_string())),
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
            .and_where(Expr::col("opportunity_id").is_in(opportunities.iter().cloned()))
            .order_by("changed_at", Order::Asc)
            .order_by("id", Order::Asc)
            .to_owned();
        let bad = |c: &str| StoreError::Corrupt(format!("stage_history.{c}"));
        let rows = self.conn.fetch_all(&q).await?;
        rows.iter()
            .map(|r| {
                let amount = match (r.int("amount_minor")?, r.text("amount_currency")?) {
                    (Some(m), Some(c)) => {
                        Some(Money::new(m, Currency::parse(&c).ok_or_else(|| bad("amount_currency"))?))
                    }
                    _ => None,
                };
                Ok(StageChange {
                    id: r.text("id")?.and_then(|s| s.parse().ok()).ok_or_else(|| bad("id"))?,
                    opportunity: r
                        .text("opportunity_id")?
                        .and_then(|s| s.parse().ok())
                        .ok_or_else(|| bad("opportunity_id"))?,
                    pipeline: r.text("pipeline_id")?.and_then(|s| s.parse().ok()),
                    from_stage: r.text("from_stage_id")?,
                    to_stage: r.text("to_stage_id")?.ok_or_else(|| bad("to_stage_id"))?,
                    changed_at: r.datetime("changed_at")?.ok_or_else(|| bad("changed_at"))?,
                    changed_by: r.text("changed_by_id")?.and_then(|s| s.parse().ok()),
                    amount,
                })
            })
            .collect()
    }
}
