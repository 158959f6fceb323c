//! Call lists: the contacts a saved view or a filter selects (in the list
//! filter language: a segment, a territory, "no order this year"), made
//! into calls to make for the list's agents (in turn, by territory or by
//! skill), each contact once per list, and none who
//! said not to be called: a contact who withdrew consent to phone calls is
//! left out, and for a marketing list so is one who never gave it. The
//! agents then work their calls on the next-call page; `next_call` checks
//! the consent again before it offers a call.

use crate::{CALL_QUEUE_ENTRIES, relation};
use relata_app::error::AppError;
use relata_app::read::{self, ListParams};
use relata_app::{App, Ctx};
use relata_core::access::Right;
use relata_core::meta::{
    Default, EntityDef, EntityKind, FieldDef, FieldType, LinesDef, Schema, Target, business_record_rights, options,
};
use relata_core::value::{FieldValue, ParseContext, Values};
use relata_core::{Record, RecordId, ValidationError};
use relata_crm::{ACCOUNTS, CONTACTS};
use relata_store::{ScopedConn, StoreError};
use serde_json::{Value as Json, json};
use std::collections::{HashMap, HashSet};

pub const CALL_LISTS: EntityKind = EntityKind::named("call_lists");
/// Why a list calls: marketing calls need consent given; the others only
/// that it was not withdrawn.
pub const PURPOSES: &[&str] = &["sales", "service", "collections", "marketing"];
/// How a list's calls are shared among its agents: in turn; by the
/// territory of the contact's account (an agent line's `territory`; lines
/// without one take what no territory claims); among the agents whose
/// `skills` include the list's `skill`, in turn.
pub const DISTRIBUTIONS: &[&str] = &["round_robin", "territory", "skills"];

pub fn call_list() -> EntityDef {
    use FieldType::*;
    let mut def = EntityDef::new(CALL_LISTS, "calls", "call_list", "Call list", "Call lists")
        .fields([
            FieldDef::text("name", "Name").required().searchable(),
            FieldDef::standard("purpose", "Purpose", Choice(options(PURPOSES)))
                .required()
                .default(Default::Text("sales")),
            FieldDef::standard("filter", "Contacts (a filter)", Text { max_len: 2000 }),
            // A saved view of contacts (its id): its filter and search,
            // narrowed by `filter` when both are given.
            FieldDef::standard("saved_view", "Contacts (a saved view)", Text { max_len: 100 }),
            FieldDef::text("reason", "Reason given to each call"),
            FieldDef::standard("priority", "Priority", Integer { min: 0, max: 100 }),
            FieldDef::standard("distribution", "Shared among agents", Choice(options(DISTRIBUTIONS)))
                .default(Default::Text("round_robin")),
            FieldDef::text("skill", "Skill needed (shared by skills)"),
            FieldDef::standard("generated", "Calls made", Integer { min: 0, max: i64::MAX }).read_only(),
            FieldDef::standard("skipped", "Contacts left out", Integer { min: 0, max: i64::MAX }).read_only(),
            FieldDef::standard("generated_at", "Made", DateTime).read_only(),
        ])
        .title(&["name"])
        .columns(&["name", "purpose", "generated", "skipped", "generated_at", "owner"])
        .rights(business_record_rights);
    def.lines = Some(LinesDef {
        fields: vec![
            FieldDef::data("agent".to_string(), "Agent".to_string(), FieldType::Relation(Target::User), true),
            FieldDef::data("territory".to_string(), "Territory".to_string(), FieldType::Text { max_len: 200 }, false),
            FieldDef::data("skills".to_string(), "Skills (comma-separated)".to_string(), Text { max_len: 500 }, false),
        ],
        totals: Vec::new(),
        currency_field: None,
        personal_fields: Vec::new(),
    });
    def
}

/// The field a call to make names its list by.
pub fn list_field() -> FieldDef {
    relation("call_list", "Call list", CALL_LISTS)
}

/// A list's own rules: its filter reads as a filter over contacts; a list
/// shared by skills names the skill.
pub fn check(list: &Record) -> Result<(), StoreError> {
    if list.values.text("distribution") == Some("skills") && list.values.text("skill").is_none_or(str::is_empty) {
        return Err(relata_i18n::refused("skill", "required", "refuse-list-skill", vec![]).into());
    }
    let Some(text) = list.values.text("filter").filter(|f| !f.trim().is_empty()) else { return Ok(()) };
    let parse = ParseContext { phone_region: None, currencies: Vec::new() };
    let cx = relata_core::filter::CompileContext::relata(&parse);
    let schema = Schema::standard(CONTACTS);
    let compiled = relata_core::filter::parse(text)
        .map_err(|e| e.to_string())
        .and_then(|expr| relata_core::filter::compile(&expr, &schema, &cx).map(drop).map_err(|e| e.to_string()));
    compiled.map_err(|e| {
        relata_i18n::refused("filter", "invalid_filter", "refuse-filter", vec![("detail", e.into())]).into()
    })
}

/// What making a list's calls did.
pub struct Made {
    pub list: Record,
    pub made: u64,
    /// Contacts left out, by why.
    pub skipped: Json,
}

/// `POST /api/v1/call_lists/{id}/generate`: a call to make for each contact
/// the filter selects that the caller may read, has a phone, may be called
/// for the list's purpose and has no call of this list yet; the list's
/// agents get them in turn. Runs again safely: it only adds who is new.
pub async fn generate(app: &App, ctx: &Ctx, id: RecordId) -> Result<Made, AppError> {
    ctx.access.check_kind(CALL_QUEUE_ENTRIES, Right::Create)?;
    let schemas = app.schemas_for(ctx).await?;
    let (list, _) = read::get(app, ctx, CALL_LISTS, id, false).await?;
    ctx.access.check(CALL_LISTS, Right::Update, relata_app::write::owner_of(&list.values))?;
    let mut share = Share::of(&list)?;
    let purpose = list.values.text("purpose").unwrap_or("sales").to_string();
    let selection = selection(app, ctx, &list).await?;
    let mut tx = app.writer(ctx).await?;
    let mut listed = already_listed(&mut tx, id).await?;
    let mut cursor = None;
    let mut made = 0u64;
    let (mut no_phone, mut do_not_call, mut listed_before, mut no_agent) = (0u64, 0u64, 0u64, 0u64);
    let entries = schemas.get(CALL_QUEUE_ENTRIES);
    loop {
        let params =
            ListParams { sort: Some("id".into()), limit: Some(500), cursor: cursor.clone(), ..selection.clone() };
        let (page, _) = read::list(app, ctx, CONTACTS, &params).await?;
        let territories = match share.by_territory {
            true => territories(&mut tx, &page.records).await?,
            false => HashMap::new(),
        };
        for contact in &page.records {
            if !listed.insert(contact.id.uuid()) {
                listed_before += 1;
                continue;
            }
            if matches!(contact.values.std("phones"), FieldValue::List(p) if p.is_empty())
                || contact.values.std("phones").is_null()
            {
                no_phone += 1;
                continue;
            }
            if refuses_calls(&mut tx, contact.id, &purpose).await? {
                do_not_call += 1;
                continue;
            }
            let territory = contact.values.ref_id("account").and_then(|a| territories.get(&a)).map(String::as_str);
            let Some(agent) = share.next(territory) else {
                no_agent += 1;
                listed.remove(&contact.id.uuid());
                continue;
            };
            let mut values = Values::default();
            let reason = list.values.text("reason").or(list.values.text("name")).unwrap_or_default();
            values.set_std("reason", FieldValue::Text(reason.to_string()));
            values.set_std("contact", FieldValue::Ref(contact.id.uuid()));
            values.set_std("call_list", FieldValue::Ref(id.uuid()));
            values.set_std("priority", list.values.std("priority").clone());
            values.set_std("owner", FieldValue::Ref(agent));
            relata_app::write::create_in(&mut tx, ctx, entries, values).await?;
            made += 1;
        }
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    let skipped = json!({"no_phone": no_phone, "do_not_call": do_not_call, "listed_before": listed_before,
                         "no_agent": no_agent});
    let mut patch = Values::default();
    let total = list.values.int("generated").unwrap_or(0) + made as i64;
    patch.set_std("generated", FieldValue::Int(total));
    patch.set_std("skipped", FieldValue::Int((no_phone + do_not_call + no_agent) as i64));
    patch.set_std("generated_at", FieldValue::DateTime(tx.now()));
    let relata = Ctx::new(ctx.workspace.clone(), ctx.actor);
    let list = relata_app::write::update_in(&mut tx, &relata, schemas.get(CALL_LISTS), id, patch, None).await?;
    tx.commit().await?;
    Ok(Made { list, made, skipped })
}

/// Who gets a list's next call (see [`DISTRIBUTIONS`]).
#[derive(Debug)]
struct Share {
    /// (agent, territory in lower case) of the agents who may get calls.
    agents: Vec<(uuid::Uuid, Option<String>)>,
    by_territory: bool,
    /// The next turn among the agents of each territory (`None`: of no
    /// territory, or of all when not shared by territory).
    turns: HashMap<Option<String>, usize>,
}

impl Share {
    fn of(list: &Record) -> Result<Share, ValidationError> {
        let norm = |t: &str| Some(t.trim().to_lowercase()).filter(|t| !t.is_empty());
        let lines: Vec<_> = list.lines.iter().flatten().collect();
        let mut agents: Vec<(uuid::Uuid, Option<String>)> = lines
            .iter()
            .filter_map(|l| Some((l.values.ref_id("agent")?, l.values.text("territory").and_then(norm))))
            .collect();
        if agents.is_empty() {
            return Err(ValidationError::single("lines", "required", "name the agents who make the calls"));
        }
        let distribution = list.values.text("distribution").unwrap_or("round_robin");
        if distribution == "skills" {
            let skill = list.values.text("skill").and_then(norm).unwrap_or_default();
            let has = |l: &&&relata_core::document::Line| {
                l.values.text("skills").is_some_and(|s| s.split(',').any(|k| norm(k).as_deref() == Some(&skill)))
            };
            let skilled: Vec<uuid::Uuid> = lines.iter().filter(has).filter_map(|l| l.values.ref_id("agent")).collect();
            agents.retain(|(a, _)| skilled.contains(a));
            if agents.is_empty() {
                let message = format!("no agent of the list has the skill {skill:?}");
                return Err(ValidationError::single("skill", "no_agent", message));
            }
        }
        Ok(Share { agents, by_territory: distribution == "territory", turns: HashMap::new() })
    }

    /// The next agent for a contact of `territory`: in turn among the
    /// agents of that territory, else among those of none; `None` when no
    /// agent takes it.
    fn next(&mut self, territory: Option<&str>) -> Option<uuid::Uuid> {
        let key = match self.by_territory {
            false => None,
            true => territory
                .map(|t| t.trim().to_lowercase())
                .filter(|t| self.agents.iter().any(|(_, own)| own.as_ref() == Some(t))),
        };
        let eligible: Vec<uuid::Uuid> =
            self.agents.iter().filter(|(_, own)| !self.by_territory || *own == key).map(|(agent, _)| *agent).collect();
        if eligible.is_empty() {
            return None;
        }
        let turn = self.turns.entry(key).or_default();
        let agent = eligible[*turn % eligible.len()];
        *turn += 1;
        Some(agent)
    }
}

/// The territory of each contact's account, read past the caller's read
/// limits: it only routes the call.
async fn territories(tx: &mut ScopedConn, contacts: &[Record]) -> Result<HashMap<uuid::Uuid, String>, AppError> {
    let ids: Vec<String> = contacts
        .iter()
        .filter_map(|c| c.values.ref_id("account"))
        .collect::<HashSet<_>>()
        .iter()
        .map(uuid::Uuid::to_string)
        .collect();
    let lifted = tx.lift_visibility();
    let accounts = tx.records_by_ids(&Schema::standard(ACCOUNTS), &ids).await;
    tx.restore_visibility(lifted);
    Ok(accounts?.into_iter().filter_map(|a| Some((a.id.uuid(), a.values.text("territory")?.to_string()))).collect())
}

/// Which contacts a list selects: its saved view's filter and search (a
/// view the caller sees), narrowed by the list's own filter.
async fn selection(app: &App, ctx: &Ctx, list: &Record) -> Result<ListParams, AppError> {
    let own = list.values.text("filter").filter(|f| !f.trim().is_empty()).map(str::to_string);
    let Some(id) = list.values.text("saved_view").filter(|v| !v.trim().is_empty()) else {
        return Ok(ListParams { filter: own, ..ListParams::default() });
    };
    let views = relata_app::views::views(app, ctx, CONTACTS).await?;
    let Some(view) = views.iter().find(|v| v.id == id.trim()) else {
        let message = "no saved view of contacts you see has this id";
        return Err(ValidationError::single("saved_view", "not_found", message).into());
    };
    let mut params = relata_app::views::params_of(&view.query);
    params.filter = match (params.filter.take(), own) {
        (Some(theirs), Some(ours)) => Some(format!("({theirs}) and ({ours})")),
        (theirs, ours) => theirs.or(ours),
    };
    params.sort = None;
    Ok(params)
}

/// The contacts that have a call of this list already, whatever became of it.
async fn already_listed(tx: &mut ScopedConn, list: RecordId) -> Result<HashSet<uuid::Uuid>, AppError> {
    let schema = Schema::standard(CALL_QUEUE_ENTRIES);
    let filter = relata_core::filter::Filter::Compare {
        field: schema.field("call_list").expect("a field of calls to make"),
        op: relata_core::filter::Op::Eq,
        value: FieldValue::Ref(list.uuid()),
    };
    // Every one, whoever owns it: lift the caller's read limits for this.
    let lifted = tx.lift_visibility();
    let found = read::every_in(tx, &schema, filter).await;
    tx.restore_visibility(lifted);
    Ok(found?.iter().filter_map(|e| e.values.ref_id("contact")).collect())
}

/// Why a list calls (`sales` for a list no longer there).
pub async fn purpose_of(tx: &mut ScopedConn, list: RecordId) -> Result<String, AppError> {
    let lifted = tx.lift_visibility();
    let found = tx.get_record(&Schema::standard(CALL_LISTS), list, false).await;
    tx.restore_visibility(lifted);
    Ok(found?.as_ref().and_then(|l| l.values.text("purpose")).unwrap_or("sales").to_string())
}

/// Whether a contact said not to be called (for `purpose`): the consent
/// ledger's rule, for the channel `phone`.
pub async fn refuses_calls(tx: &mut ScopedConn, contact: RecordId, purpose: &str) -> Result<bool, AppError> {
    Ok(relata_app::privacy::refusal(tx, contact, "phone", purpose).await?.is_some())
}

#[cfg(test)]
mod tests {
    use super::*;
    use relata_core::document::Line;

    fn list(distribution: &str, skill: Option<&str>, agents: &[(u128, Option<&str>, &str)]) -> Record {
        let mut record = Record::new(CALL_LISTS, None, Values::default(), chrono::Utc::now());
        record.values.set_std("distribution", FieldValue::Text(distribution.into()));
        if let Some(skill) = skill {
            record.values.set_std("skill", FieldValue::Text(skill.into()));
        }
        let lines = agents.iter().map(|(agent, territory, skills)| {
            let mut line = Line { id: uuid::Uuid::from_u128(*agent + 1000), values: Values::default() };
            line.values.set_std("agent", FieldValue::Ref(uuid::Uuid::from_u128(*agent)));
            if let Some(t) = territory {
                line.values.set_std("territory", FieldValue::Text(t.to_string()));
            }
            line.values.set_std("skills", FieldValue::Text(skills.to_string()));
            line
        });
        record.lines = Some(lines.collect());
        record
    }

    fn agent(n: u128) -> Option<uuid::Uuid> {
        Some(uuid::Uuid::from_u128(n))
    }

    #[test]
    fn calls_go_round_in_turn_by_territory_and_by_skill() {
        let agents = [(1, Some("North"), "polish, german"), (2, Some("north "), "german"), (3, None, "polish")];
        let mut turns = Share::of(&list("round_robin", None, &agents)).unwrap();
        let given: Vec<_> = (0..4).map(|_| turns.next(Some("South"))).collect();
        assert_eq!(given, [agent(1), agent(2), agent(3), agent(1)]);

        let mut by_place = Share::of(&list("territory", None, &agents)).unwrap();
        assert_eq!(by_place.next(Some("NORTH")), agent(1), "territories match without regard to case");
        assert_eq!(by_place.next(Some("South")), agent(3), "what no agent claims goes to the agents of none");
        assert_eq!(by_place.next(Some("north")), agent(2));
        assert_eq!(by_place.next(None), agent(3));
        let mut only_north = Share::of(&list("territory", None, &agents[..2])).unwrap();
        assert_eq!(only_north.next(Some("South")), None, "no agent takes it");

        let mut speakers = Share::of(&list("skills", Some(" Polish"), &agents)).unwrap();
        let given: Vec<_> = (0..3).map(|_| speakers.next(None)).collect();
        assert_eq!(given, [agent(1), agent(3), agent(1)]);
        let none = Share::of(&list("skills", Some("french"), &agents)).unwrap_err();
        assert_eq!(none.errors[0].field, "skill");
    }
}
