//! Idempotency keys: a retried create returns the first response, for
//! [`IDEMPOTENCY_TTL`]. Keys are made by the caller to include who sent them
//! (the credential), so one client's key never replays another's response.

use crate::db::ScopedConn;
use crate::error::Result;
use crate::sql::in_workspace;
use sea_query::{Expr, ExprTrait, Query, Value};

/// How long a stored response is replayed; older keys are forgotten.
pub const IDEMPOTENCY_TTL: chrono::TimeDelta = chrono::TimeDelta::hours(24);

#[derive(Clone, Debug, PartialEq)]
pub struct StoredResponse {
    /// A hash of method, path and body: the same key with another request is refused.
    pub request_hash: String,
    pub status: u16,
    pub body: String,
}

impl ScopedConn {
    pub async fn idempotent_response(&mut self, key: &str) -> Result<Option<StoredResponse>> {
        let q = Query::select()
            .columns(["request_hash", "status", "response"])
            .from("idempotency_keys")
            .and_where(in_workspace(self.workspace))
            .and_where(Expr::col("idem_key").eq(key))
            .and_where(Expr::col("created_at").gte(Value::ChronoDateTimeUtc(Some(self.now() - IDEMPOTENCY_TTL))))
            .to_owned();
        let Some(row) = self.conn.fetch_optional(&q).await? else {
            return Ok(None);
        };
        Ok(Some(StoredResponse {
            request_hash: row.text("request_hash")?.unwrap_or_default(),
            status: row.int("status")?.unwrap_or(200) as u16,
            body: row.text("response")?.unwrap_or_default(),
        }))
    }

    /// Saves the response in the transaction that made it; a concurrent
    /// request with the same key fails here on the primary key.
    /// Keys older than [`IDEMPOTENCY_TTL`] are forgotten first.
    pub async fn save_idempotent_response(&mut self, key: &str, response: &StoredResponse) -> Result<()> {
        let expired = Query::delete()
            .from_table("idempotency_keys")
            .and_where(in_workspace(self.workspace))
            .and_where(Expr::col("created_at").lt(Value::ChronoDateTimeUtc(Some(self.now() - IDEMPOTENCY_TTL))))
            .to_owned();
        self.conn.execute(&expired).await?;
        let stmt = Query::insert()
            .into_table("idempotency_keys")
            .columns(["workspace_id", "idem_key", "request_hash", "status", "response", "created_at"])
            .values_panic([
                Expr::val(crate::sql::uuid(self.workspace.uuid())),
                Expr::val(key),
                Expr::val(response.request_hash.clone()),
                Expr::val(response.status as i64),
                Expr::val(response.body.clone()),
                Expr::val(Value::ChronoDateTimeUtc(Some(self.now()))),
            ])
            .to_owned();
        self.conn.execute(&stmt).await?;
        Ok(())
    }

    /// Forgets stored responses that mention `text` (a record id), so that an
    /// erased person's data does not linger in replay copies.
    pub async fn forget_responses_mentioning(&mut self, text: &str) -> Result<u64> {
        let pattern = format!("%{}%", text.replace(['%', '_'], ""));
        let stmt = sea_query::Query::delete()
            .from_table("idempotency_keys")
            .and_where(crate::sql::in_workspace(self.workspace))
            .and_where(sea_query::Expr::col("response").like(pattern))
            .to_owned();
        self.conn.execute(&stmt).await
    }
}
