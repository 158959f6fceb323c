//! The conformance test: every registered entity type, and a custom object
//! the test defines, through the same operations on both backends. It reads
//! the types and their fields from the metadata endpoint, builds records
//! from the field types alone, and checks what every type must do: create,
//! read, update under If-Match, filter and sort on every filterable and
//! sortable field, history, trash and restore, CSV export then import,
//! visibility own/team/all, and a hidden field that appears in no response
//! (records, lists, search, titles, lookup, timelines, history, exports,
//! the feed, pages). A module that adds a type is covered without a change
//! here; a new field type needs a sample below.

use crate::custom_objects::vehicles;
use crate::documents::work_orders;
use crate::helpers::{TestApp, id_of, version_of};
use reqwest::Method;
use serde_json::{Value as Json, json};
use std::collections::HashMap;

crate::both_backends!(every_entity_type_conforms);

/// Builds records of any type from its metadata.
struct Samples<'a> {
    app: &'a TestApp,
    metadata: HashMap<String, Json>,
    admin: String,
    /// One record per type, the target of relation fields.
    targets: HashMap<String, String>,
    counter: u32,
}

impl<'a> Samples<'a> {
    fn entity(&self, name: &str) -> &Json {
        &self.metadata[name]
    }

    /// The fields of `entity` a client may write.
    fn writable(&self, entity: &str) -> Vec<Json> {
        self.entity(entity)["fields"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["read_only"] == false && f["id"] != "owner")
            .cloned()
            .collect()
    }

    /// A value for a field, distinct for each `n`; `None` for fields whose
    /// value a rule derives (stages) or that would point at the record's
    /// own type (hierarchies).
    fn value(&mut self, entity: &str, field: &Json, n: u32) -> Option<Json> {
        let id = field["id"].as_str().unwrap();
        let name = id.trim_start_matches("custom.");
        let options = || field["options"].as_array().unwrap().clone();
        if let Some(value) = domain_value(entity, name, n) {
            return Some(value);
        }
        if (entity, name) == ("messages", "about_id") {
            return Some(json!(self.target("contacts")));
        }
        Some(match field["type"].as_str().unwrap() {
            "text" => json!(format!("{name} {n} of {entity}")),
            "long_text" => json!(format!("Notes {n} about {entity}")),
            "email" => json!(format!("{name}{n}.{entity}@example.com")),
            "emails" => json!([format!("{name}{n}.{entity}@example.com")]),
            "phone" => json!(format!("+48 58 {:03} {:02} {:02}", 100 + self.counter % 800, n % 100, entity.len())),
            "phones" => json!([format!("+48 58 {:03} {:02} {:02}", 100 + self.counter % 800, n % 100, entity.len())]),
            // Within the narrowest range a type gives (a score: 0 to 100).
            "integer" => json!(10 + n % 80),
            "number" => json!(f64::from(n) + 0.5),
            "decimal" => json!(format!("{}.5", n % 100)),
            "money" => json!({"amount": format!("{}.50", 100 * n), "currency": "EUR"}),
            "date" => json!(format!("2026-0{}-1{}", 1 + n % 9, n % 10)),
            "datetime" => json!(format!("2026-0{}-1{}T10:00:00Z", 1 + n % 9, n % 10)),
            "boolean" => json!(n % 2 == 1),
            "choice" => options()[(n as usize) % options().len().min(2)].clone(),
            "multi_choice" => json!([options()[(n as usize) % options().len()]]),
            "stages" => json!([
                {"name": format!("Open {n}"), "kind": "open", "probability": 10},
                {"name": "Won", "kind": "won"},
                {"name": "Lost", "kind": "lost"}
            ]),
            "relation" => match field["target"].as_str().unwrap() {
                "users" => json!(self.admin),
                target if target == entity => return None,
                target => json!(self.target(target)),
            },
            "members" => json!([self.admin]),
            "stage" | "id" => return None,
            other => panic!("no sample for field type {other:?}: add one to the conformance test"),
        })
    }

    /// A create body for `entity` with every writable field set.
    fn body(&mut self, entity: &str, owner: Option<&str>) -> Json {
        self.counter += 1;
        let n = self.counter;
        let mut body = json!({});
        for field in self.writable(entity) {
            let Some(value) = self.value(entity, &field, n) else { continue };
            let id = field["id"].as_str().unwrap();
            match id.strip_prefix("custom.") {
                Some(custom) => {
                    body.as_object_mut().unwrap().entry("custom").or_insert(json!({}))[custom] = value;
                }
                None => body[id] = value,
            }
        }
        if let Some(owner) = owner {
            body["owner"] = json!(owner);
        }
        // Business hours need at least one period of work.
        if entity == "service_calendars" {
            body["lines"] = json!([{"day": "monday", "start": "09:00", "end": "17:00"}]);
        }
        body
    }

    /// The record relation fields to `entity` point at (made once).
    fn target(&mut self, entity: &str) -> String {
        if let Some(id) = self.targets.get(entity) {
            return id.clone();
        }
        let body = self.body(entity, None);
        let app = self.app;
        let path = format!("/api/v1/{entity}");
        let id = tokio::task::block_in_place(|| {
            tokio::runtime::Handle::current().block_on(async move {
                let reply = app.post(&path, &body).await;
                assert_eq!(reply.status, 201, "a {entity} target from {body}: {}", reply.body);
                id_of(&reply.body)
            })
        });
        self.targets.insert(entity.to_string(), id.clone());
        id
    }

    async fn create(&mut self, entity: &str, owner: Option<&str>) -> Json {
        let body = self.body(entity, owner);
        let reply = self.app.post(&format!("/api/v1/{entity}"), &body).await;
        assert_eq!(reply.status, 201, "create {entity} from {body}: {}", reply.body);
        reply.body
    }
}

/// Values a type's domain rules require where any value of the field's
/// type would not do: documents are in an enabled currency and start as
/// drafts (an issued invoice cannot be trashed), payments are payments (a
/// refund needs credit to pay back).
fn domain_value(entity: &str, field: &str, n: u32) -> Option<Json> {
    match (entity, field) {
        ("quotes" | "orders" | "invoices" | "price_books", "currency") => Some(json!("EUR")),
        ("quotes" | "invoices", "status") => Some(json!("draft")),
        ("invoices", "kind") => Some(json!("invoice")),
        ("payments", "kind") => Some(json!("payment")),
        // A rule names a type, its fields and a filter that fits it; a
        // draft needs no steps.
        ("automation_rules", "entity") => Some(json!("contacts")),
        ("automation_rules", "watch_fields") => Some(json!("city")),
        ("automation_rules", "conditions") => Some(json!("city = \"Gdańsk\"")),
        ("automation_rules", "stop_when") => Some(json!("city = \"Sopot\"")),
        ("automation_rules", "active") => Some(json!(false)),
        // A template has a key (one per language and channel) and is about
        // any record; a message goes by email to an address, about no record.
        ("message_templates", "key") => Some(json!(format!("key_{n}"))),
        ("message_templates" | "messages", "channel") => Some(json!("email")),
        ("message_templates", "entity") | ("messages", "about_entity") => Some(json!("contacts")),
        ("messages", "to_address") => Some(json!(format!("to{n}@example.com"))),
        // A logo is a JPEG; an empty one is no logo.
        ("document_templates", "logo") => Some(json!("")),
        ("service_calendars", "time_zone") => Some(json!("Europe/Warsaw")),
        // Only a reply is written from a template, and the samples are notes.
        ("case_comments", "template") => Some(Json::Null),
        ("call_lists", "filter") => Some(json!(format!("city = \"City {n}\""))),
        _ => None,
    }
}

/// The value of a field in a record's JSON (`custom.tier` under `custom`).
fn value_of<'r>(record: &'r Json, field: &str) -> &'r Json {
    match field.strip_prefix("custom.") {
        Some(custom) => &record["custom"][custom],
        None => &record[field],
    }
}

/// Filter text comparing `field` with a record's value, or `None` when the
/// type has no equality (long text: contains).
fn equals(field: &Json, value: &Json) -> String {
    let id = field["id"].as_str().unwrap();
    let quoted = |s: &str| format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""));
    match (field["type"].as_str().unwrap(), value) {
        (_, Json::Null) => format!("{id} = null"),
        ("long_text", Json::String(s)) => format!("{id} ~ {}", quoted(&s[..s.len().min(8)])),
        ("emails" | "phones" | "multi_choice" | "members", Json::Array(items)) => {
            format!("{id} = {}", quoted(items[0].as_str().unwrap()))
        }
        ("money", m) => format!("{id} = \"{} {}\"", m["amount"].as_str().unwrap(), m["currency"].as_str().unwrap()),
        (_, Json::String(s)) => format!("{id} = {}", quoted(s)),
        (_, other) => format!("{id} = {other}"),
    }
}

fn encode(text: &str) -> String {
    let pair = serde_urlencoded::to_string([("", text)]).unwrap();
    pair.trim_start_matches('=').to_string()
}

/// Ids of the records of `entity` a list request returns.
async fn listed(app: &TestApp, token: &str, entity: &str, query: &str) -> Vec<String> {
    let reply = app.get_as(token, &format!("/api/v1/{entity}?limit=200&{query}")).await;
    assert_eq!(reply.status, 200, "{entity}?{query}: {}", reply.body);
    reply.body["data"].as_array().unwrap().iter().map(id_of).collect()
}

fn among(ids: &[&str]) -> String {
    let quoted: Vec<String> = ids.iter().map(|i| format!("\"{i}\"")).collect();
    format!("id in ({})", quoted.join(", "))
}

/// Whether two values compare the same way in every backend's sort order.
fn comparable(field: &Json) -> bool {
    matches!(field["type"].as_str().unwrap(), "integer" | "number" | "date" | "datetime" | "text" | "money")
}

fn sort_key(field: &Json, value: &Json) -> String {
    match field["type"].as_str().unwrap() {
        "integer" => format!("{:020}", value.as_i64().unwrap() + (1 << 40)),
        "number" => format!("{:020.6}", value.as_f64().unwrap() + 1e9),
        "money" => format!("{:020.2}", value["amount"].as_str().unwrap().parse::<f64>().unwrap() + 1e9),
        _ => value.as_str().unwrap().to_string(),
    }
}

async fn every_entity_type_conforms(app: TestApp) {
    let app = &app;
    app.post("/api/v1/metadata/entities", &vehicles()).await.expect(201);
    // A document type too: numbered, with lines and totals.
    app.post("/api/v1/metadata/entities", &work_orders(true)).await.expect(201);
    let metadata = app.get("/api/v1/metadata").await.expect(200).body;
    let entities: Vec<Json> = metadata["entities"].as_array().unwrap().clone();
    let names: Vec<String> = entities.iter().map(|e| e["name"].as_str().unwrap().to_string()).collect();
    let mut registered: Vec<String> =
        relata_core::meta::EntityKind::all().iter().map(|k| k.api_name().to_string()).collect();
    registered.push("vehicles".into());
    registered.push("work_orders".into());
    assert_eq!(names, registered, "the metadata lists every registered type and the custom object");
    let mut samples = Samples {
        app,
        metadata: entities.iter().map(|e| (e["name"].as_str().unwrap().to_string(), e.clone())).collect(),
        admin: app.admin_id().await,
        targets: HashMap::new(),
        counter: 0,
    };
    let start =
        app.get("/api/v1/changes?limit=1000").await.expect(200).body["next_cursor"].as_str().unwrap().to_string();
    // Types only Relata writes (automation runs) refuse people's writes;
    // the rest of this test is about the types people write.
    let made_by_relata: Vec<String> = entities
        .iter()
        .filter(|e| e["made_by_relata"] == true)
        .map(|e| e["name"].as_str().unwrap().to_string())
        .collect();
    for entity in &made_by_relata {
        app.post(&format!("/api/v1/{entity}"), &json!({})).await.expect(403);
    }
    let names: Vec<String> = names.into_iter().filter(|n| !made_by_relata.contains(n)).collect();
    for entity in &names {
        records_work(app, &mut samples, entity).await;
    }
    let feed = app.get(&format!("/api/v1/changes?after={start}&limit=1000")).await.expect(200).body;
    for entity in &names {
        let ops: Vec<&str> = feed["data"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["entity"] == *entity)
            .map(|e| e["op"].as_str().unwrap())
            .collect();
        for op in ["create", "update", "delete", "restore"] {
            assert!(ops.contains(&op), "the feed has a {op} of {entity}: {ops:?}");
        }
    }
    visibility_follows_own_team_and_all(app, &mut samples, &names).await;
    hidden_fields_appear_nowhere(app, &mut samples, &names).await;
}

/// Create, read, update under If-Match, filters and sorts, history, trash
/// and restore, and CSV export then import, for one type.
async fn records_work(app: &TestApp, samples: &mut Samples<'_>, entity: &str) {
    let token = app.token.clone();
    let a = samples.create(entity, None).await;
    let b = samples.create(entity, None).await;
    let (a_id, b_id) = (id_of(&a), id_of(&b));
    let path = format!("/api/v1/{entity}/{a_id}");
    let read = app.get(&path).await.expect(200).body;
    assert_eq!(read, a, "{entity}: read what was created");
    for field in samples.writable(entity) {
        let id = field["id"].as_str().unwrap();
        let sent = samples.value(entity, &field, 0).is_some();
        if sent && matches!(field["type"].as_str().unwrap(), "text" | "integer" | "boolean" | "choice" | "date") {
            assert!(!value_of(&read, id).is_null(), "{entity}.{id} was stored");
        }
    }

    // Update under If-Match.
    let fields = samples.writable(entity);
    // A change of the first plain field the type has (text, else another kind).
    let plain = ["text", "long_text", "integer", "decimal", "date"];
    let field = plain
        .iter()
        .find_map(|ty| fields.iter().find(|f| f["type"] == *ty && !f["id"].as_str().unwrap().starts_with("custom.")))
        .expect("a type with a plain field");
    let changed = samples.value(entity, field, 997).expect("a sample");
    let patch = json!({ field["id"].as_str().unwrap(): changed });
    app.patch(&path, version_of(&a) + 5, &patch).await.expect_problem(412, "version-conflict");
    let updated = app.patch(&path, version_of(&a), &patch).await.expect(200).body;
    assert!(version_of(&updated) > version_of(&a), "{entity}: the version moves on");
    let a = updated;

    // Every filterable field filters; every sortable field sorts.
    let both = among(&[&a_id, &b_id]);
    for field in samples.entity(entity)["fields"].as_array().unwrap().clone() {
        let id = field["id"].as_str().unwrap();
        let (va, vb) = (value_of(&a, id).clone(), value_of(&b, id).clone());
        if field["filterable"] == true {
            let filter = format!("{} and {both}", equals(&field, &va));
            let found = listed(app, &token, entity, &format!("filter={}", encode(&filter))).await;
            assert!(found.contains(&a_id), "{entity}: `{filter}` finds the record: {found:?}");
            if va != vb && field["type"] != "long_text" && !matches!(field["type"].as_str(), Some("multi_choice")) {
                assert!(!found.contains(&b_id), "{entity}: `{filter}` leaves out the other: {found:?}");
            }
        }
        if field["sortable"] == true {
            let filter = format!("filter={}", encode(&both));
            let up = listed(app, &token, entity, &format!("{filter}&sort={id}")).await;
            let down = listed(app, &token, entity, &format!("{filter}&sort=-{id}")).await;
            assert_eq!(up.len(), 2, "{entity}: sort={id}");
            if comparable(&field) && !va.is_null() && !vb.is_null() && sort_key(&field, &va) != sort_key(&field, &vb) {
                let a_first = sort_key(&field, &va) < sort_key(&field, &vb);
                let expected = if a_first { [a_id.clone(), b_id.clone()] } else { [b_id.clone(), a_id.clone()] };
                assert_eq!(up, expected, "{entity}: sort={id} ({va} vs {vb})");
                assert_eq!(down, [expected[1].clone(), expected[0].clone()], "{entity}: sort=-{id}");
            }
        }
    }

    // History: the creation and the update.
    let history = app.get(&format!("{path}/history")).await.expect(200).body;
    let ops: Vec<&str> = history["data"].as_array().unwrap().iter().map(|c| c["op"].as_str().unwrap()).collect();
    assert!(ops.contains(&"create") && ops.contains(&"update"), "{entity} history: {ops:?}");

    // Trash and restore.
    app.delete(&path).await.expect(200);
    app.get(&path).await.expect(404);
    assert!(app.get(&format!("{path}?include_deleted=true")).await.expect(200).body["deleted_at"].is_string());
    let trashed = listed(app, &token, entity, &format!("deleted=true&filter={}", encode(&both))).await;
    assert_eq!(trashed, std::slice::from_ref(&a_id), "{entity}: the trash");
    app.post(&format!("{path}/restore"), &json!({})).await.expect(200);
    assert_eq!(app.get(&path).await.expect(200).body["deleted_at"], Json::Null);

    // CSV export, then import of what was exported (after the original
    // went to the trash, so that unique values are free): the same values.
    let filter = encode(&format!("id = \"{a_id}\""));
    let text = exported_text(app, &token, entity, &filter).await;
    app.delete(&path).await.expect(200);
    let imported = app
        .send(
            Method::POST,
            &format!("/api/v1/{entity}/import"),
            Some(&token),
            &[("content-type", "text/csv")],
            Some(text.clone().into_bytes()),
        )
        .await;
    assert_eq!(imported.status, 200, "{entity}: import of {text}: {}", imported.body);
    assert_eq!(imported.body["imported"], 1);
    let newest = app.get(&format!("/api/v1/{entity}?sort=-created_at&limit=1")).await.expect(200).body;
    let copy = &newest["data"][0];
    assert_ne!(copy["id"], json!(a_id));
    for field in samples.writable(entity) {
        let id = field["id"].as_str().unwrap();
        assert_eq!(value_of(copy, id), value_of(&a, id), "{entity}.{id} survives export and import");
    }
    app.delete(&format!("/api/v1/{entity}/{}", id_of(copy))).await.expect(200);
    app.post(&format!("{path}/restore"), &json!({})).await.expect(200);
}

/// The body of a CSV export.
async fn exported_text(app: &TestApp, token: &str, entity: &str, filter: &str) -> String {
    let response = reqwest::Client::new()
        .get(format!("{}/api/v1/{entity}/export?format=csv&filter={filter}", app.base))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    response.text().await.unwrap()
}

/// A role with the same rights on every type at one read level.
fn role_at(names: &[String], level: &str) -> Json {
    let rights = json!({"create": true, "read": level, "update": level, "delete": level, "export": true});
    json!({"label": format!("Conformance {level}"), "entities": names.iter().map(|n| (n.clone(), rights.clone())).collect::<serde_json::Map<_, _>>()})
}

async fn visibility_follows_own_team_and_all(app: &TestApp, samples: &mut Samples<'_>, names: &[String]) {
    for level in ["own", "team", "all"] {
        app.put_as(&app.token, &format!("/api/v1/roles/conf_{level}"), &role_at(names, level)).await.expect(200);
    }
    let own = app.member("own@example.com", "conf_own").await;
    let team = app.member("team@example.com", "conf_team").await;
    let all = app.member("all@example.com", "conf_all").await;
    let mate = app.member("mate@example.com", "conf_own").await;
    let outsider = app.member("outsider@example.com", "conf_own").await;
    app.team("Conformance", &[(&own, false), (&team, false), (&mate, false)]).await;
    for entity in names {
        let mine = id_of(&samples.create(entity, Some(&own.user)).await);
        let mates = id_of(&samples.create(entity, Some(&mate.user)).await);
        let outsiders = id_of(&samples.create(entity, Some(&outsider.user)).await);
        let three = format!("filter={}", encode(&among(&[&mine, &mates, &outsiders])));
        let sees = |ids: Vec<String>| {
            let mut ids = ids;
            ids.sort();
            ids
        };
        let expect = |ids: &[&String]| {
            let mut ids: Vec<String> = ids.iter().map(|s| s.to_string()).collect();
            ids.sort();
            ids
        };
        assert_eq!(sees(listed(app, &own.token, entity, &three).await), expect(&[&mine]), "{entity}: own");
        assert_eq!(sees(listed(app, &team.token, entity, &three).await), expect(&[&mine, &mates]), "{entity}: team");
        assert_eq!(
            sees(listed(app, &all.token, entity, &three).await),
            expect(&[&mine, &mates, &outsiders]),
            "{entity}: all"
        );
        app.get_as(&own.token, &format!("/api/v1/{entity}/{mates}")).await.expect(404);
        app.get_as(&team.token, &format!("/api/v1/{entity}/{outsiders}")).await.expect(404);
        app.get_as(&team.token, &format!("/api/v1/{entity}/{mates}")).await.expect(200);
    }
}

async fn hidden_fields_appear_nowhere(app: &TestApp, samples: &mut Samples<'_>, names: &[String]) {
    // For each type, the field that names its records (else a text field)
    // is hidden from the role; a record holds a marker there.
    let mut hidden: HashMap<String, String> = HashMap::new();
    for entity in names {
        let meta = samples.entity(entity).clone();
        let writable_text = |id: &str| samples.writable(entity).iter().any(|f| f["id"] == id && f["type"] == "text");
        let field = meta["title_fields"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|t| t.as_str())
            .find(|t| writable_text(t))
            .map(str::to_string)
            .or_else(|| {
                samples
                    .writable(entity)
                    .iter()
                    .find(|f| f["type"] == "text")
                    .map(|f| f["id"].as_str().unwrap().to_string())
            });
        if let Some(field) = field {
            hidden.insert(entity.clone(), field);
        }
    }
    let mut role = role_at(names, "all");
    role["label"] = json!("Conformance hidden");
    role["fields"] = json!(
        hidden.iter().map(|(e, f)| (e.clone(), json!({ f.clone(): "hidden" }))).collect::<serde_json::Map<_, _>>()
    );
    app.put_as(&app.token, "/api/v1/roles/conf_hidden", &role).await.expect(200);
    let viewer = app.member("viewer@example.com", "conf_hidden").await;
    let cookie = app.cookie_of("viewer@example.com").await;
    // The viewer's phone: an app password, and collections showing everything.
    let app_password =
        app.post_as(&viewer.token, "/api/v1/tokens", &json!({"name": "phone"})).await.expect(201).body["secret"]
            .as_str()
            .unwrap()
            .to_string();
    let basic = format!(
        "Basic {}",
        base64::Engine::encode(
            &base64::engine::general_purpose::STANDARD,
            format!("viewer@example.com:{app_password}")
        )
    );
    let everything = json!({"contacts": "created_at is not null", "activities": "created_at is not null"});
    app.put_as(&viewer.token, "/api/v1/sync/dav", &everything).await.expect(200);
    for entity in names {
        let Some(field) = hidden.get(entity) else { continue };
        let marker = format!("Zqxmarker{}", entity.replace('_', ""));
        let mut body = samples.body(entity, None);
        body[field] = json!(marker);
        if entity == "activities" {
            // A meeting: what a calendar shows.
            body["kind"] = json!("meeting");
            body["start_at"] = json!("2026-12-07T09:00:00Z");
            body["end_at"] = json!("2026-12-07T10:00:00Z");
        }
        let record = app.post(&format!("/api/v1/{entity}"), &body).await.expect(201).body;
        let id = id_of(&record);
        let path = format!("/api/v1/{entity}/{id}");
        let mut seen: Vec<(String, String)> = Vec::new();
        let mut fetch = |what: String, text: String| seen.push((what, text));
        let get = |p: String| {
            let token = viewer.token.clone();
            async move {
                let reply = app.send(Method::GET, &p, Some(&token), &[], None).await;
                assert_eq!(reply.status, 200, "{p}: {}", reply.body);
                (p, reply.body.to_string())
            }
        };
        let (p, t) = get(path.clone()).await;
        let shown: Json = serde_json::from_str(&t).unwrap();
        assert!(shown.get(field.as_str()).is_none(), "{entity}.{field} is not a member of the record: {t}");
        fetch(p, t);
        let (p, t) = get(format!("/api/v1/{entity}?filter={}", encode(&format!("id = \"{id}\"")))).await;
        fetch(p, t);
        let (p, t) = get(format!("{path}/history")).await;
        fetch(p, t);
        let (p, t) = get(format!("/api/v1/{entity}?q={marker}")).await;
        fetch(p.clone(), t.clone());
        assert!(!t.contains(&id), "searching for a hidden value does not find the record: {p}");
        let (p, t) = get(format!("/api/v1/search?q={marker}")).await;
        fetch(p, t);
        // Found by a visible value, its title must not show the hidden one.
        for other in samples
            .writable(entity)
            .iter()
            .filter(|f| f["searchable"] == true && f["type"] == "text" && f["id"] != field.as_str())
        {
            let value = value_of(&record, other["id"].as_str().unwrap()).as_str().unwrap_or_default().to_string();
            let (p, t) = get(format!("/api/v1/search?q={}", encode(&value))).await;
            assert!(t.contains(&id), "{p} finds the record");
            fetch(p, t);
            let html = app.page(&cookie, &format!("/search?q={}", encode(&value))).await;
            assert!(html.contains(&id), "the search page finds the record");
            fetch(format!("page /search?q={value}"), html);
        }
        for f in samples.writable(entity) {
            let kind = f["type"].as_str().unwrap();
            let v = value_of(&record, f["id"].as_str().unwrap());
            let first = v.as_array().and_then(|a| a.first()).unwrap_or(v);
            if let (Some(param), Some(value)) = (
                if kind.starts_with("email") {
                    Some("email")
                } else if kind.starts_with("phone") {
                    Some("phone")
                } else {
                    None
                },
                first.as_str(),
            ) {
                let (p, t) = get(format!("/api/v1/lookup?{param}={}", encode(value))).await;
                fetch(p, t);
            }
            // The stories this record is an episode of.
            if kind == "relation" && f["target"] != "users" {
                let target = f["target"].as_str().unwrap();
                if let Some(target_id) = value_of(&record, f["id"].as_str().unwrap()).as_str() {
                    let timeline = app
                        .send(
                            Method::GET,
                            &format!("/api/v1/{target}/{target_id}/timeline"),
                            Some(&viewer.token),
                            &[],
                            None,
                        )
                        .await;
                    // Types without a story answer 404 here.
                    if timeline.status == 200 {
                        fetch(format!("/api/v1/{target}/{target_id}/timeline"), timeline.body.to_string());
                    }
                    let html = app.page(&cookie, &format!("/{target}/{target_id}")).await;
                    fetch(format!("page /{target}/{target_id}"), html);
                }
            }
        }
        let csv = exported_text(app, &viewer.token, entity, &encode(&format!("id = \"{id}\""))).await;
        assert!(csv.lines().count() == 2, "{entity}: the viewer exports the record");
        fetch(format!("export {entity}"), csv);
        let (p, t) = get(format!("/api/v1/changes?entities={entity}&limit=1000")).await;
        assert!(t.contains(&id), "the feed has the record");
        fetch(p, t);
        // An offline device subscribed to the record.
        let subscription = json!([{"entity": entity, "filter": format!("id = \"{id}\""), "related": []}]);
        let device = app
            .post_as(&viewer.token, "/api/v1/sync/devices", &json!({"name": "Laptop", "subscriptions": subscription}))
            .await
            .expect(201)
            .body;
        let pull = format!("/api/v1/sync/devices/{}/pull", id_of(&device));
        let pulled = app.post_as(&viewer.token, &pull, &json!({})).await.expect(200).body;
        assert!(pulled["changes"].as_array().unwrap().iter().any(|c| c["id"] == id.as_str()), "the device gets it");
        fetch(pull, pulled.to_string());
        // The phone's address book or calendar holding it.
        let collection = match entity.as_str() {
            "contacts" => Some(format!("/dav/addressbooks/{}/contacts/{id}.vcf", viewer.user)),
            "activities" => Some(format!("/dav/calendars/{}/crm/{id}.ics", viewer.user)),
            _ => None,
        };
        if let Some(object) = collection {
            let reply = app.send(Method::GET, &object, None, &[("authorization", basic.as_str())], None).await;
            assert_eq!(reply.status, 200, "{object}: {}", reply.text());
            fetch(object, reply.text());
        }
        fetch(format!("page /{entity}"), app.page(&cookie, &format!("/{entity}")).await);
        fetch(format!("page /{entity}/{id}"), app.page(&cookie, &format!("/{entity}/{id}")).await);
        for (what, text) in &seen {
            assert!(!text.contains(&marker), "{entity}.{field} is hidden, yet {what} shows it");
        }
        // The administrator does see it, in the same places.
        assert!(app.get(&path).await.expect(200).body.to_string().contains(&marker));
    }
}
