//! Routing: the first active rule (by its order) whose conditions a new
//! case meets (category, priority, product, language, the customer's kind
//! and territory, what covers the case) gives it a team; the team's
//! present agents then get it by round-robin or to whoever has the fewest
//! open cases.

use crate::entities::{CASES, ROUTING_RULES, SERVICE_CONTRACTS, SERVICE_TEAMS};
use crate::sla::{RUNNING, record};
use relata_core::filter::{Filter, Op};
use relata_core::meta::Schema;
use relata_core::value::FieldValue;
use relata_core::{Record, RecordId};
use relata_store::{ScopedConn, StoreError};
use uuid::Uuid;

/// The team the first matching rule names.
pub async fn team_for(tx: &mut ScopedConn, case: &Record) -> Result<Option<Uuid>, StoreError> {
    let schema = Schema::standard(ROUTING_RULES);
    let active = schema.field("active").expect("a field of routing rules");
    let filter = Filter::Compare { field: active, op: Op::Eq, value: FieldValue::Bool(true) };
    let mut rules = relata_app::read::every_in(tx, &schema, filter).await?;
    rules.sort_by_key(|r| (position(r), r.created_at, r.id.uuid()));
    let account = record(tx, relata_crm::ACCOUNTS, case.values.ref_id("account")).await?;
    let contract = record(tx, SERVICE_CONTRACTS, case.values.ref_id("contract")).await?;
    let customer = Customer {
        kind: crate::sla::customer_kind(account.as_ref()),
        territory: account.as_ref().and_then(|a| a.values.text("territory")),
        coverage: match &contract {
            Some(c) if c.values.text("kind") == Some("warranty") => "warranty",
            Some(_) => "contract",
            None => "none",
        },
    };
    Ok(rules.iter().find(|rule| meets(rule, case, &customer)).and_then(|rule| rule.values.ref_id("team")))
}

fn position(rule: &Record) -> i64 {
    rule.values.int("position").unwrap_or(i64::MAX)
}

/// What routing knows of the case's customer.
struct Customer<'a> {
    /// `key_account` or `other`.
    kind: &'static str,
    territory: Option<&'a str>,
    /// What covers the case: `contract`, `warranty` or `none`.
    coverage: &'static str,
}

/// Every condition a rule names holds for the case (an empty one always does).
fn meets(rule: &Record, case: &Record, customer: &Customer) -> bool {
    let same = |field: &str| match rule.values.std(field) {
        FieldValue::Null => true,
        wanted => case.values.std(field) == wanted,
    };
    let language = match rule.values.text("language") {
        None => true,
        Some(wanted) => case.values.text("language").is_some_and(|l| l.eq_ignore_ascii_case(wanted)),
    };
    let customer_fits = rule.values.text("customer").is_none_or(|wanted| wanted == customer.kind);
    let territory = match rule.values.text("territory") {
        None => true,
        Some(wanted) => customer.territory.is_some_and(|t| t.eq_ignore_ascii_case(wanted)),
    };
    let covered = rule.values.text("coverage").is_none_or(|wanted| wanted == customer.coverage);
    same("category") && same("priority") && same("product") && language && customer_fits && territory && covered
}

/// The agents of a team who are present, in the order the team lists them.
pub fn present_members(team: &Record) -> Vec<Uuid> {
    team.lines
        .iter()
        .flatten()
        .filter(|line| !matches!(line.values.std("present"), FieldValue::Bool(false)))
        .filter_map(|line| line.values.ref_id("member"))
        .collect()
}

/// The agent of `team` who gets the next case (none when no one is present).
pub async fn agent_for(tx: &mut ScopedConn, team: &Record) -> Result<Option<Uuid>, StoreError> {
    let members = present_members(team);
    if members.is_empty() {
        return Ok(None);
    }
    if team.values.text("assignment") == Some("round_robin") {
        let last = team.values.ref_id("last_assigned");
        let next = match last.and_then(|l| members.iter().position(|m| *m == l)) {
            Some(at) => members[(at + 1) % members.len()],
            None => members[0],
        };
        return Ok(Some(next));
    }
    // Least open cases; the first listed among equals.
    let schema = Schema::standard(CASES);
    let field = |id: &str| schema.field(id).expect("a field of cases");
    let filter = Filter::And(vec![
        Filter::In { field: field("owner"), values: members.iter().map(|m| FieldValue::Ref(*m)).collect() },
        Filter::In {
            field: field("status"),
            values: RUNNING.iter().map(|s| FieldValue::Text(s.to_string())).collect(),
        },
    ]);
    let open = relata_app::read::every_in(tx, &schema, filter).await?;
    let load = |m: &Uuid| open.iter().filter(|c| c.values.ref_id("owner") == Some(*m)).count();
    Ok(members.iter().min_by_key(|m| load(m)).copied())
}

/// Notes on the team whom round-robin gave the last case.
pub async fn remember_assignment(
    tx: &mut ScopedConn,
    ctx: &relata_app::Ctx,
    team: &Record,
    agent: Uuid,
) -> Result<(), StoreError> {
    if team.values.text("assignment") != Some("round_robin") {
        return Ok(());
    }
    let mut patch = relata_core::value::Values::default();
    patch.set_std("last_assigned", FieldValue::Ref(agent));
    let relata = relata_app::Ctx::new(ctx.workspace.clone(), None);
    let schema = Schema::standard(SERVICE_TEAMS);
    relata_app::write::update_in(tx, &relata, &schema, RecordId::from_uuid(team.id.uuid()), patch, None)
        .await
        .map(drop)
        .map_err(relata_app::error::into_store)
}
