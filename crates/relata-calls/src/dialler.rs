//! The progressive dialler (`POST /api/v1/calls/dialler`): when the agent
//! is free it dials their next call to make (through click-to-dial, so the
//! switch rings the agent's extension and then the customer), and when
//! they are not it says why. The agent is busy while a call of theirs is
//! being dialled, rings or is talked on, until it is logged (and for at
//! most [`STALE_AFTER`]: a switch that never reported the end does not
//! block them for ever), and
//! a call dialled for their next entry waits to be logged before the
//! entry is dialled again. A number that turns out to be a do-not-call
//! number cancels its entry and the dialler goes on to the next, so the
//! loop ends: each pass closes an entry for good or returns.

use crate::logging::dialled_for;
use crate::telephony::{self, Dialled, PHONE_CALLS};
use chrono::Duration;
use relata_app::error::AppError;
use relata_app::read::{self, ListParams};
use relata_app::{App, Ctx};
use relata_core::Record;
use serde_json::json;

/// How long a call with no end reported keeps its agent busy.
pub const STALE_AFTER: Duration = Duration::hours(2);

/// What the dialler did.
pub enum Offer {
    /// The agent is on a call (or one is being dialled or rings).
    Busy(Record),
    /// The next entry's last call waits to be logged.
    ToLog { entry: Record, call: Record },
    /// The next entry, dialled now.
    Dialled { entry: Record, call: Record },
    /// No call is due.
    Done,
}

/// The agent's call being dialled, ringing or talked on, if any.
pub async fn live_call(app: &App, ctx: &Ctx) -> Result<Option<Record>, AppError> {
    let Some(me) = ctx.actor else { return Ok(None) };
    let since = relata_core::value::format_datetime(&(app.store.now() - STALE_AFTER));
    let params = ListParams {
        filter: Some(format!(
            "agent = \"{me}\" and status in (\"dialing\", \"ringing\", \"answered\", \"transferred\") \
             and activity = null and created_at >= \"{since}\""
        )),
        sort: Some("-created_at".into()),
        limit: Some(1),
        ..ListParams::default()
    };
    let (page, _) = read::list(app, ctx, PHONE_CALLS, &params).await?;
    Ok(page.records.into_iter().next())
}

/// Dials the agent's next call if they are free (see the module).
pub async fn offer(app: &App, ctx: &Ctx) -> Result<Offer, AppError> {
    if let Some(call) = live_call(app, ctx).await? {
        return Ok(Offer::Busy(call));
    }
    loop {
        let Some(entry) = crate::next_call(app, ctx).await? else { return Ok(Offer::Done) };
        let mut tx = app.writer(ctx).await?;
        if let Some(call) = dialled_for(&mut tx, entry.id).await? {
            return Ok(Offer::ToLog { entry, call });
        }
        let placed = telephony::dial_in(&mut tx, ctx, &json!({"call_queue_entry": entry.id.to_string()})).await?;
        match placed {
            Dialled::Call(call) => {
                tx.commit().await?;
                return Ok(Offer::Dialled { entry, call });
            }
            Dialled::Refused(_) => {
                crate::cancel_refused(&mut tx, ctx, &entry).await?;
                tx.commit().await?;
            }
        }
    }
}
