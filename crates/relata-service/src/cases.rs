//! A case's life: routed to a team and an agent when it is opened; its
//! status kept with the times it was resolved and closed; its SLA clock,
//! paused while the case waits on the customer; a breach escalates it (a
//! priority up, to the team's manager, both told). Comments: a reply goes
//! to the customer by email and is the first response; a note stays
//! internal; what the customer writes brings a waiting or resolved case
//! back to work.

use crate::entities::{CASE_COMMENTS, CASES, SERVICE_TEAMS, SLA_POLICIES};
use crate::routing;
use crate::sla::{self, RUNNING, record};
use relata_app::Ctx;
use relata_app::error::into_store;
use relata_core::filter::{Filter, Op};
use relata_core::meta::Schema;
use relata_core::value::{FieldValue, Values};
use relata_core::{Record, UserId};
use relata_i18n::refused;
use relata_store::{ScopedConn, StoreError};

fn status(record: &Record) -> &str {
    record.values.text("status").unwrap_or("new")
}

/// Whether any of `fields` differs from before (a new record: all do).
fn changed(old: Option<&Record>, new: &Record, fields: &[&str]) -> bool {
    old.is_none_or(|o| fields.iter().any(|f| o.values.std(f) != new.values.std(f)))
}

fn datetime(t: Option<chrono::DateTime<chrono::Utc>>) -> FieldValue {
    t.map_or(FieldValue::Null, FieldValue::DateTime)
}

/// Before a case is stored.
pub async fn before_save(
    tx: &mut ScopedConn,
    ctx: &Ctx,
    old: Option<&Record>,
    new: &mut Record,
) -> Result<(), StoreError> {
    // Coverage first: routing may go by it.
    if changed(old, new, &["account", "product", "contract"]) {
        crate::contracts::cover(tx, new).await?;
    }
    if old.is_none() {
        route(tx, ctx, new).await?;
    }
    let now = tx.now();
    let policy = if changed(old, new, &["priority", "account", "team", "contract"]) {
        sla::policy_for(tx, new).await?
    } else {
        record(tx, SLA_POLICIES, new.values.ref_id("sla_policy")).await?
    };
    let calendar = sla::calendar_for(tx, policy.as_ref(), new).await?;
    keep_status_times(new, old, now, &calendar)?;
    let Some(policy) = policy else {
        for field in ["sla_policy", "sla_status", "first_response_due", "resolution_due"] {
            new.values.set_std(field, FieldValue::Null);
        }
        return Ok(());
    };
    new.values.set_std("sla_policy", FieldValue::Ref(policy.id.uuid()));
    let (first_due, resolution_due) = sla::dues(&calendar, &policy, new);
    new.values.set_std("first_response_due", datetime(first_due));
    new.values.set_std("resolution_due", datetime(resolution_due));
    let standing = sla::standing(new, sla::warn_minutes(Some(&policy)), now);
    let before = old.and_then(|o| o.values.text("sla_status"));
    if standing == "breached" && before != Some("breached") && RUNNING.contains(&status(new)) {
        escalate(tx, new).await?;
    }
    new.values.set_std("sla_status", FieldValue::Text(standing.into()));
    Ok(())
}

/// A new case without a team gets one from the routing rules; a case with
/// a team goes to one of its present agents, unless its owner is one.
async fn route(tx: &mut ScopedConn, ctx: &Ctx, new: &mut Record) -> Result<(), StoreError> {
    if new.values.ref_id("team").is_none()
        && let Some(team) = routing::team_for(tx, new).await?
    {
        new.values.set_std("team", FieldValue::Ref(team));
    }
    let Some(team) = record(tx, SERVICE_TEAMS, new.values.ref_id("team")).await? else { return Ok(()) };
    let members = routing::present_members(&team);
    if new.values.ref_id("owner").is_some_and(|owner| members.contains(&owner)) {
        return Ok(());
    }
    if let Some(agent) = routing::agent_for(tx, &team).await? {
        new.values.set_std("owner", FieldValue::Ref(agent));
        routing::remember_assignment(tx, ctx, &team, agent).await?;
    }
    Ok(())
}

/// The times a status change stands for: waiting on the customer pauses
/// the clock (the business time waited is added when work resumes);
/// resolving needs a resolution; reopening clears the resolution times.
fn keep_status_times(
    new: &mut Record,
    old: Option<&Record>,
    now: chrono::DateTime<chrono::Utc>,
    calendar: &crate::calendar::BusinessCalendar,
) -> Result<(), StoreError> {
    let was = old.map(|o| status(o).to_string());
    let is = status(new).to_string();
    if matches!(is.as_str(), "resolved" | "closed") && new.values.text("resolution").is_none_or(str::is_empty) {
        return Err(refused("resolution", "required", "refuse-case-resolution", vec![]).into());
    }
    if was.as_deref() == Some(is.as_str()) {
        return Ok(());
    }
    if was.as_deref() == Some("waiting_on_customer") {
        if let Some(since) = new.values.datetime("paused_since") {
            let waited = calendar.minutes_between(since, now);
            let total = new.values.int("paused_minutes").unwrap_or(0) + waited;
            new.values.set_std("paused_minutes", FieldValue::Int(total));
        }
        new.values.set_std("paused_since", FieldValue::Null);
    }
    match is.as_str() {
        "waiting_on_customer" => new.values.set_std("paused_since", FieldValue::DateTime(now)),
        "resolved" => new.values.set_std("resolved_at", FieldValue::DateTime(now)),
        "closed" => {
            if new.values.datetime("resolved_at").is_none() {
                new.values.set_std("resolved_at", FieldValue::DateTime(now));
            }
            new.values.set_std("closed_at", FieldValue::DateTime(now));
        }
        _ => {
            new.values.set_std("resolved_at", FieldValue::Null);
            new.values.set_std("closed_at", FieldValue::Null);
        }
    }
    Ok(())
}

/// A breach: the priority one step up, the case to the team's manager.
async fn escalate(tx: &mut ScopedConn, case: &mut Record) -> Result<(), StoreError> {
    if let Some(up) = case.values.text("priority").and_then(sla::raised) {
        case.values.set_std("priority", FieldValue::Text(up.into()));
    }
    let count = case.values.int("escalations").unwrap_or(0) + 1;
    case.values.set_std("escalations", FieldValue::Int(count));
    let team = record(tx, SERVICE_TEAMS, case.values.ref_id("team")).await?;
    if let Some(manager) = team.and_then(|t| t.values.ref_id("manager")) {
        case.values.set_std("owner", FieldValue::Ref(manager));
    }
    Ok(())
}

fn title(case: &Record) -> String {
    let number = case.values.text("number").unwrap_or("");
    let subject = case.values.text("subject").unwrap_or("");
    format!("{number} {subject}").trim().to_string()
}

use relata_app::notifications::{Text, TextArg};

/// After a case is stored: who must know is told (a new owner, the owner
/// of a case near or past its target).
pub async fn after_save(tx: &mut ScopedConn, ctx: &Ctx, old: Option<&Record>, new: &Record) -> Result<(), StoreError> {
    let link = format!("/{}/{}", CASES.api_name(), new.id);
    let owner = new.values.ref_id("owner").map(UserId::from_uuid);
    let old_owner = old.and_then(|o| o.values.ref_id("owner")).map(UserId::from_uuid);
    let standing = new.values.text("sla_status");
    let was = old.and_then(|o| o.values.text("sla_status"));
    // Each told in their own language: (who, message, its body's message and argument).
    let case = || vec![("case", TextArg::Text(title(new)))];
    let mut messages: Vec<(UserId, Text, Option<Text>)> = Vec::new();
    if standing != was {
        match standing {
            Some("warning") => {
                let due = new
                    .values
                    .datetime("first_response_due")
                    .filter(|_| new.values.datetime("first_response_at").is_none())
                    .or(new.values.datetime("resolution_due"));
                if let Some(user) = owner {
                    let body = due.map(|d| Text::Message("notify-sla-due", vec![("at", TextArg::Moment(d))]));
                    messages.push((user, Text::Message("notify-sla-warning", case()), body));
                }
            }
            Some("breached") if RUNNING.contains(&status(new)) => {
                let priority = new.values.text("priority").unwrap_or("").to_string();
                for user in owner.into_iter().chain(old_owner.filter(|o| Some(*o) != owner)) {
                    let label = TextArg::Label {
                        id: format!("option-{}-priority-{priority}", CASES.api_name()),
                        fallback: priority.clone(),
                    };
                    let body = Text::Message("notify-sla-escalated", vec![("priority", label)]);
                    messages.push((user, Text::Message("notify-sla-breached", case()), Some(body)));
                }
            }
            _ => {}
        }
    }
    if owner != old_owner
        && let Some(user) = owner
        && ctx.actor != Some(user)
        && !messages.iter().any(|(u, ..)| *u == user)
    {
        messages.push((user, Text::Message("notify-case-assigned", case()), None));
    }
    for (user, text, body) in messages {
        relata_app::notifications::notify_in(tx, user, "service", text, body, Some(&link)).await?;
    }
    if let Some(was) = old_owner.filter(|_| owner.is_some() && owner != old_owner) {
        comments_follow(tx, ctx, new, was).await?;
    }
    // What the contract's entitlements have been used for.
    let contract = new.values.ref_id("contract");
    let was_under = old.and_then(|o| o.values.ref_id("contract"));
    if contract != was_under || changed(old, new, &["hours_spent", "on_site_visit"]) {
        for c in contract.into_iter().chain(was_under.filter(|w| Some(*w) != contract)) {
            crate::contracts::count_use(tx, ctx, c).await?;
        }
    }
    // The next moment its standing changes by itself, it is looked at again.
    let policy = record(tx, SLA_POLICIES, new.values.ref_id("sla_policy")).await?;
    if let Some(at) = sla::next_check(new, sla::warn_minutes(policy.as_ref()), tx.now()) {
        tx.enqueue_jobs(&[sla::check_job(new.id, at)]).await?;
    }
    Ok(())
}

/// Before a comment is stored: it is about a case, whose customer it
/// belongs to (for the timeline); a new reply is emailed to the case's
/// contact (as a message from whoever wrote it), which it needs.
pub async fn before_save_comment(
    tx: &mut ScopedConn,
    ctx: &Ctx,
    old: Option<&Record>,
    new: &mut Record,
) -> Result<(), StoreError> {
    let Some(case) = record(tx, CASES, new.values.ref_id("case")).await? else {
        return Err(refused("case", "not_found", "refuse-no-such-case", vec![]).into());
    };
    for field in ["contact", "account"] {
        new.values.set_std(field, case.values.std(field).clone());
    }
    // Whoever may read the case reads its conversation: a new comment
    // belongs to the case's owner (who wrote it stays in `created_by`),
    // unless it was given to someone else.
    let owner = new.values.ref_id("owner");
    if old.is_none()
        && case.values.ref_id("owner").is_some()
        && (owner.is_none() || owner == ctx.actor.map(|a| a.uuid()))
    {
        new.values.set_std("owner", case.values.std("owner").clone());
    }
    let is_reply = new.values.text("kind") == Some("reply");
    let template = new.values.ref_id("template");
    if template.is_some() && !is_reply {
        return Err(refused("template", "not_a_reply", "refuse-template-not-reply", vec![]).into());
    }
    let has_body = new.values.text("body").is_some_and(|b| !b.trim().is_empty());
    if !has_body && (template.is_none() || old.is_some()) {
        return Err(refused("body", "required", "refuse-comment-body", vec![]).into());
    }
    if is_reply && old.is_none() {
        let Some(to) = reply_address(tx, &case).await? else {
            return Err(refused("kind", "no_recipient", "refuse-reply-no-recipient", vec![]).into());
        };
        let message = send_reply(tx, ctx, &case, new, &to).await?;
        new.values.set_std("email_sent", FieldValue::Ref(message.id.uuid()));
        if !has_body {
            new.values.set_std("body", message.values.std("body").clone());
        }
    }
    Ok(())
}

/// Where a reply goes: the contact's first address, else the address the
/// case came from.
async fn reply_address(tx: &mut ScopedConn, case: &Record) -> Result<Option<String>, StoreError> {
    let contact = record(tx, relata_crm::CONTACTS, case.values.ref_id("contact")).await?;
    let first = contact.and_then(|c| match c.values.std("emails") {
        FieldValue::List(emails) => emails.first().cloned(),
        _ => None,
    });
    Ok(first.or_else(|| case.values.text("requester_email").filter(|e| !e.is_empty()).map(str::to_string)))
}

/// After a new comment: a reply counts as the first response; what the
/// customer wrote resumes a waiting case and reopens a resolved one.
pub async fn after_save_comment(
    tx: &mut ScopedConn,
    ctx: &Ctx,
    old: Option<&Record>,
    new: &Record,
) -> Result<(), StoreError> {
    if old.is_some() {
        return Ok(());
    }
    let Some(case) = record(tx, CASES, new.values.ref_id("case")).await? else { return Ok(()) };
    let relata = Ctx::new(ctx.workspace.clone(), None);
    let mut patch = Values::default();
    match new.values.text("kind") {
        Some("reply") => {
            if case.values.datetime("first_response_at").is_none() {
                patch.set_std("first_response_at", FieldValue::DateTime(new.created_at));
            }
            if status(&case) == "new" {
                patch.set_std("status", FieldValue::Text("open".into()));
            }
        }
        Some("customer") if matches!(status(&case), "waiting_on_customer" | "resolved" | "closed") => {
            patch.set_std("status", FieldValue::Text("open".into()));
        }
        _ => {}
    }
    if patch.standard.is_empty() {
        return Ok(());
    }
    relata_app::write::update_in(tx, &relata, &Schema::standard(CASES), case.id, patch, None)
        .await
        .map(drop)
        .map_err(into_store)
}

/// The reply as an email message to `to`, about the case, its subject
/// carrying the case's number (so the customer's answer finds the case);
/// its text is the comment's, or its template's merged with the case, its
/// contact and account in the contact's language.
async fn send_reply(
    tx: &mut ScopedConn,
    ctx: &Ctx,
    case: &Record,
    comment: &Record,
    to: &str,
) -> Result<Record, StoreError> {
    let mut values = Values::default();
    let subject = format!(
        "[{}] {}",
        case.values.text("number").unwrap_or_default(),
        case.values.text("subject").unwrap_or_default()
    );
    values.set_std("channel", FieldValue::Text("email".into()));
    values.set_std("purpose", FieldValue::Text("transactional".into()));
    values.set_std("subject", FieldValue::Text(subject));
    values.set_std("to_address", FieldValue::Text(to.to_string()));
    if comment.values.text("body").is_some_and(|b| !b.trim().is_empty()) {
        values.set_std("body", comment.values.std("body").clone());
    }
    values.set_std("template", comment.values.std("template").clone());
    for field in ["contact", "account"] {
        values.set_std(field, case.values.std(field).clone());
    }
    values.set_std("about_entity", FieldValue::Text(CASES.api_name().into()));
    values.set_std("about_id", FieldValue::Text(case.id.to_string()));
    let messages = Schema::standard(relata_channels::entities::MESSAGES);
    relata_app::write::create_in(tx, ctx, &messages, values).await.map_err(into_store)
}

/// A reassigned case's comments that were its owner's go to its new owner
/// (see [`before_save_comment`]), whoever may read them.
async fn comments_follow(tx: &mut ScopedConn, ctx: &Ctx, case: &Record, was: UserId) -> Result<(), StoreError> {
    let lifted = tx.lift_visibility();
    let result = move_comments(tx, ctx, case, was).await;
    tx.restore_visibility(lifted);
    result
}

async fn move_comments(tx: &mut ScopedConn, ctx: &Ctx, case: &Record, was: UserId) -> Result<(), StoreError> {
    let schema = Schema::standard(CASE_COMMENTS);
    let field = |id: &str| schema.field(id).expect("a field of comments");
    let filter = Filter::And(vec![
        Filter::Compare { field: field("case"), op: Op::Eq, value: FieldValue::Ref(case.id.uuid()) },
        Filter::Compare { field: field("owner"), op: Op::Eq, value: FieldValue::Ref(was.uuid()) },
    ]);
    let relata = Ctx::new(ctx.workspace.clone(), None);
    for comment in relata_app::read::every_in(tx, &schema, filter).await? {
        let mut patch = Values::default();
        patch.set_std("owner", case.values.std("owner").clone());
        relata_app::write::update_in(tx, &relata, &schema, comment.id, patch, None).await.map_err(into_store)?;
    }
    Ok(())
}
