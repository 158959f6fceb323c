//! The UI in people's own languages: a person's language and time zone
//! (profile, then browser, then workspace), dates and amounts in their
//! format, bad choices refused by field, and the pseudo-language that shows
//! any text not taken from a catalogue; on both backends.

use crate::helpers::{TestApp, id_of};
use crate::web::{browser, page};
use reqwest::Method;
use serde_json::json;

crate::both_backends!(
    a_person_reads_pages_in_their_language_time_zone_and_formats,
    the_browser_then_the_workspace_choose_for_who_chose_nothing,
    bad_languages_and_time_zones_are_refused_by_field_and_change_nothing,
    translated_pages_show_no_text_outside_the_catalogues,
    labels_options_and_stages_speak_the_reader_s_language,
);

/// A page as a browser that sends `Accept-Language`.
async fn page_with_language(app: &TestApp, cookie: &str, path: &str, accept: &str) -> (u16, String) {
    let client = reqwest::Client::new();
    let request = client.get(format!("{}{path}", app.base)).header("cookie", cookie).header("accept-language", accept);
    let response = request.send().await.unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

async fn a_person_reads_pages_in_their_language_time_zone_and_formats(app: TestApp) {
    let app = &app;
    let ola = app.member("ola@example.com", "sales_rep").await;
    let chosen = json!({"language": "pl", "time_zone": "Europe/Warsaw"});
    let answer = app.put_as(&ola.token, "/api/v1/me/preferences", &chosen).await.expect(200).body;
    assert_eq!(answer["language"], "pl");
    assert_eq!(answer["effective"], json!({"language": "pl", "time_zone": "Europe/Warsaw"}));
    let read = app.get_as(&ola.token, "/api/v1/me/preferences").await.expect(200).body;
    assert_eq!(read["time_zone"], "Europe/Warsaw");
    assert_eq!(read["languages"].as_array().unwrap().len(), 5);

    // A task due at 13:05 UTC is due at 14:05 in Warsaw, in Polish.
    let account = app.post_as(&ola.token, "/api/v1/accounts", &json!({"name": "Amber"})).await.expect(201).body;
    let task = json!({"kind": "task", "subject": "Zadzwonić do Amber", "due_at": "2031-01-15T13:05:00Z",
                      "owner": ola.user, "account": account["id"]});
    app.post_as(&ola.token, "/api/v1/activities", &task).await.expect(201);
    let b = browser(app, "ola@example.com").await;
    // Whatever the browser asks, the profile's choice wins.
    let (status, html) = page_with_language(app, &b.cookie, "/", "ru, en;q=0.5").await;
    assert_eq!(status, 200);
    assert!(html.contains("<html lang=\"pl\">"), "{html}");
    for polish in ["Moje otwarte zadania", "Wyloguj", "Przejdź do treści", "Kontakty", "Lejek sprzedaży"] {
        assert!(html.contains(polish), "{polish} in {html}");
    }
    assert!(!html.contains("My open tasks"));
    assert!(html.contains("15 sty 2031, 14:05"), "the due time in Warsaw, in Polish: {html}");
    assert!(html.contains("datetime=\"2031-01-15T13:05:00.000000Z\""), "and for machines: {html}");

    // Amounts on the board in Polish format: the currency after, a comma.
    let deal = json!({"name": "Wielka umowa", "account": account["id"], "owner": ola.user,
                      "amount": {"amount": "169000.00", "currency": "EUR"}, "expected_close_date": "2031-06-30"});
    let deal = app.post_as(&ola.token, "/api/v1/opportunities", &deal).await.expect(201).body;
    let (_, _, board) = page(app, &b, Method::GET, "/board", &[]).await;
    assert!(board.contains("169\u{a0}000,00\u{a0}€"), "{board}");
    assert!(!board.contains("169000.00 EUR"));
    // Lists speak Polish too (their columns are the fields' labels, not yet translated).
    let (_, _, list) = page(app, &b, Method::GET, "/opportunities?sort=-name", &[]).await;
    for polish in ["Szanse sprzedaży", "Eksport CSV", "Zapisz ten widok", "sortowanie malejąco", "Przenieś do kosza"]
    {
        assert!(list.contains(polish), "{polish} in {list}");
    }
    let (_, _, empty) = page(app, &b, Method::GET, "/opportunities?q=nothing-matches-this", &[]).await;
    assert!(empty.contains("Nic tu nie ma."), "{empty}");
    // The record page shows values in the same format.
    let (_, _, record) = page(app, &b, Method::GET, &format!("/opportunities/{}", id_of(&deal)), &[]).await;
    assert!(record.contains("169\u{a0}000,00\u{a0}€"), "{record}");
    for polish in ["Historia zmian", "utworzono", "Edytuj", "Szybkie akcje", "Zaplanuj spotkanie"] {
        assert!(record.contains(polish), "{polish} in {record}");
    }
    assert!(board.contains("Nowa szansa") && board.contains("ważone"), "{board}");

    // Amounts typed in Polish format are read as Polish; an ambiguous one is refused.
    let typed = |amount: &'static str| {
        vec![
            ("csrf_token", b.csrf.clone()),
            ("name", "Mała umowa".to_string()),
            ("account", account["id"].as_str().unwrap().to_string()),
            ("amount", amount.to_string()),
            ("expected_close_date", "2031-06-30".to_string()),
        ]
    };
    let form = typed("1.234 EUR");
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, _, html) = page(app, &b, Method::POST, "/opportunities", &form).await;
    assert_eq!(status, 422, "{html}");
    assert!(html.contains("„1234” czy „1,234”?"), "the ambiguity is explained: {html}");
    assert!(html.contains("value=\"1.234 EUR\""), "what was typed is kept");
    assert!(html.contains("Nowy rekord: szansa sprzedaży") && html.contains("Anuluj"), "the form in Polish: {html}");
    let form = typed("1 234,50 EUR");
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, location, html) = page(app, &b, Method::POST, "/opportunities", &form).await;
    assert_eq!(status, 303, "{html}");
    let small = app.get_as(&ola.token, &format!("/api/v1{location}")).await.expect(200).body;
    assert_eq!((&small["amount"]["amount"], &small["amount"]["currency"]), (&json!("1234.50"), &json!("EUR")));
    let (_, _, edit) = page(app, &b, Method::GET, &format!("{location}/edit"), &[]).await;
    assert!(edit.contains("value=\"1234,50 EUR\""), "the edit form shows it the Polish way: {edit}");

    // Back to automatic: the browser's language again.
    let none = json!({"language": null, "time_zone": null});
    app.put_as(&ola.token, "/api/v1/me/preferences", &none).await.expect(200);
    let (_, html) = page_with_language(app, &b.cookie, "/", "ru, en;q=0.5").await;
    assert!(html.contains("<html lang=\"ru\">") && html.contains("Мои открытые задачи"), "{html}");
    assert!(html.contains("15 янв. 2031\u{202f}г., 13:05"), "UTC, in Russian: {html}");
}

async fn the_browser_then_the_workspace_choose_for_who_chose_nothing(app: TestApp) {
    let app = &app;
    app.member("jonas@example.com", "sales_rep").await;
    let b = browser(app, "jonas@example.com").await;
    let (_, html) = page_with_language(app, &b.cookie, "/", "de-DE, bg;q=0.7, lt;q=0.8").await;
    assert!(html.contains("<html lang=\"lt\">") && html.contains("Mano atviros užduotys"), "{html}");
    // A malformed header is no error: the workspace's language (English by default).
    let (status, html) = page_with_language(app, &b.cookie, "/", ";;q=,=,bg;q=x").await;
    assert_eq!(status, 200);
    assert!(html.contains("<html lang=\"en\">") && html.contains("My open tasks"), "{html}");
    // The workspace's default is for who chose nothing and whose browser names none of ours.
    let defaults = json!({"language": "bg", "time_zone": "Europe/Sofia"});
    let member = app.member("member@example.com", "sales_rep").await;
    app.put_as(&member.token, "/api/v1/workspace/locale", &defaults).await.expect(403);
    let bad = app.put_as(&app.token, "/api/v1/workspace/locale", &json!({"time_zone": "Europe/Nowhere"})).await;
    let refused = bad.expect(422).body;
    assert_eq!(refused["errors"][0]["field"], "time_zone", "{refused}");
    app.put_as(&app.token, "/api/v1/workspace/locale", &defaults).await.expect(200);
    let audit = app.audit("action=workspace.locale").await;
    assert_eq!(audit.len(), 1, "the change of defaults is audited: {audit:?}");
    let (_, html) = page_with_language(app, &b.cookie, "/", "de").await;
    assert!(html.contains("<html lang=\"bg\">") && html.contains("Моите отворени задачи"), "{html}");
    let effective = app.get_as(&app.token, "/api/v1/me/preferences").await.expect(200).body;
    assert_eq!(effective["workspace"], json!({"language": "bg", "time_zone": "Europe/Sofia"}));
}

async fn bad_languages_and_time_zones_are_refused_by_field_and_change_nothing(app: TestApp) {
    let app = &app;
    let ola = app.member("ola@example.com", "sales_rep").await;
    app.put_as(&ola.token, "/api/v1/me/preferences", &json!({"language": "pl"})).await.expect(200);
    let bad = json!({"language": "tlh", "time_zone": "Mars/Olympus_Mons"});
    let refused = app.put_as(&ola.token, "/api/v1/me/preferences", &bad).await.expect(422);
    let fields: Vec<&str> =
        refused.body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["language", "time_zone"], "{}", refused.body);
    // In the person's language.
    assert!(refused.body["errors"][0]["message"].as_str().unwrap().starts_with("Relata nie ma wersji"));
    let wrong = json!({"language": 7, "theme": "dark"});
    let refused = app.put_as(&ola.token, "/api/v1/me/preferences", &wrong).await.expect(422);
    assert_eq!(refused.body["errors"].as_array().unwrap().len(), 2, "{}", refused.body);
    let kept = app.get_as(&ola.token, "/api/v1/me/preferences").await.expect(200).body;
    assert_eq!((kept["language"].as_str(), kept["time_zone"].as_str()), (Some("pl"), None), "nothing changed");

    // The page: the error next to the field, in the person's language; nothing saved.
    let b = browser(app, "ola@example.com").await;
    let form = [("csrf_token", b.csrf.as_str()), ("language", "pl"), ("time_zone", "Europe/Atlantis")];
    let (status, _, html) = page(app, &b, Method::POST, "/preferences", &form).await;
    assert_eq!(status, 422, "{html}");
    assert!(html.contains("id=\"pref-time-zone-error\"") && html.contains("To nie jest strefa czasowa"), "{html}");
    assert!(html.contains("aria-invalid=\"true\""));
    let kept = app.get_as(&ola.token, "/api/v1/me/preferences").await.expect(200).body;
    assert_eq!(kept["time_zone"], serde_json::Value::Null);
    // Without the CSRF token, nothing either; with it, saved.
    let (status, _, _) = page(app, &b, Method::POST, "/preferences", &[("language", "ru")]).await;
    assert_eq!(status, 403);
    let form = [("csrf_token", b.csrf.as_str()), ("language", "lt"), ("time_zone", "Europe/Vilnius")];
    let (status, location, _) = page(app, &b, Method::POST, "/preferences", &form).await;
    assert_eq!((status, location.as_str()), (303, "/preferences?saved=1"));
    let (_, _, html) = page(app, &b, Method::GET, "/preferences?saved=1", &[]).await;
    assert!(html.contains("Išsaugota.") && html.contains("<option selected>Europe/Vilnius</option>"), "{html}");
    // A record's form refused: what any field of the type can be refused for, in her language; nothing saved.
    let bad = [("csrf_token", b.csrf.as_str()), ("last_name", ""), ("emails", "not-an-email")];
    let (status, _, html) = page(app, &b, Method::POST, "/contacts", &bad).await;
    assert_eq!(status, 422, "{html}");
    assert!(html.contains("Tai ne el. pašto adresas."), "{html}");
    assert!(html.contains("Kai kuriuos laukus reikia pataisyti."), "the form's banner in her language: {html}");
    let (status, _, html) = page(app, &b, Method::POST, "/contacts", &[bad[0], bad[1]]).await;
    assert_eq!(status, 422, "{html}");
    assert!(html.contains("Užpildykite šį lauką."), "{html}");
    // A rule of the write path refused (the account named does not exist): its own words, in her language.
    let missing = "0190c3f2-0000-7000-8000-000000000000";
    let (status, _, html) =
        page(app, &b, Method::POST, "/contacts", &[bad[0], ("last_name", "Kazlauskas"), ("account", missing)]).await;
    assert_eq!(status, 422, "{html}");
    assert!(html.contains(&format!("nerasta: įmonė {missing}")), "{html}");
    // A saved view without a name: the module's refusal in her language too.
    let unnamed = [bad[0], ("name", " "), ("query", "filter=city+%3D+%22Vilnius%22")];
    let (status, _, html) = page(app, &b, Method::POST, "/contacts/views", &unnamed).await;
    assert_eq!(status, 422, "{html}");
    assert!(html.contains("name: pavadinimas (nuo 1 iki 100 simbolių)"), "{html}");
    // A filter the list cannot read: where, in her language.
    let (_, _, html) = page(app, &b, Method::GET, "/contacts?filter=city%20%3D%3D%20%22x", &[]).await;
    assert!(html.contains("Relata negali perskaityti šio filtro ("), "{html}");
    // A list her role may not read: why, in her language.
    let (status, _, html) = page(app, &b, Method::GET, "/automation_rules", &[]).await;
    assert_eq!(status, 403, "{html}");
    assert!(html.contains("Jūsų vaidmuo neleidžia peržiūrėti „"), "{html}");
    let refused = app.audit("action=request.refused").await;
    assert!(
        refused.iter().any(|e| e["target_id"] == json!("GET /automation_rules") && e["actor"] == json!(ola.user)),
        "a page's refusal is audited as the API's is: {refused:?}"
    );
    // A contact given to someone her role may not give records to: why, in her language; nothing saved.
    let mara = app.member("mara@example.com", "sales_rep").await;
    let given = [bad[0], ("last_name", "Petraitis"), ("owner", mara.user.as_str())];
    let (status, _, html) = page(app, &b, Method::POST, "/contacts", &given).await;
    assert_eq!(status, 422, "{html}");
    assert!(html.contains("Jūsų vaidmuo neleidžia priskirti „"), "{html}");
    assert!(app.list_all("contacts", "").await.is_empty(), "nothing was written");
    let refused = app.audit("action=request.refused").await;
    assert!(
        refused.iter().any(|e| e["target_id"] == json!("POST /contacts") && e["actor"] == json!(ola.user)),
        "a form kept with its refusal is audited too: {refused:?}"
    );
    // What the state refuses, said by a module (a conflict), in her language too:
    // dialling without an extension of her own,
    let dial = [bad[0], ("number", "+37061234567")];
    let (status, _, html) = page(app, &b, Method::POST, "/calls/dial", &dial).await;
    assert_eq!(status, 409, "{html}");
    assert!(html.contains("neturite vidinio numerio, iš kurio galėtumėte skambinti"), "{html}");
    assert!(app.list_all("phone_calls", "").await.is_empty(), "nothing was dialled");
    // and logging a call of her list that she logged already.
    let contact = app.create("contacts", json!({"last_name": "Vaitkus", "phones": ["+37061234567"]})).await;
    let entry = json!({"reason": "Sąskaita vėluoja", "contact": contact["id"], "owner": ola.user});
    let entry = app.create("call_queue_entries", entry).await;
    let path = format!("/calls/{}/outcome", entry["id"].as_str().unwrap());
    let reached = [bad[0], ("outcome", "reached")];
    let (status, _, html) = page(app, &b, Method::POST, &path, &reached).await;
    assert_eq!(status, 303, "{html}");
    let (status, _, html) = page(app, &b, Method::POST, &path, &reached).await;
    assert_eq!(status, 409, "{html}");
    assert!(html.contains("šis skambutis jau nebeatviras"), "{html}");
    let logged = app.get(&format!("/api/v1/call_queue_entries/{}", entry["id"].as_str().unwrap())).await.expect(200);
    assert_eq!(logged.body["attempts"], json!(1), "logged once: {}", logged.body);
    // The API says the same refusal in English.
    let again = app
        .post_as(
            &ola.token,
            &format!("/api/v1/call_queue_entries/{}/outcome", entry["id"].as_str().unwrap()),
            &json!({"outcome": "reached"}),
        )
        .await;
    let again = again.expect_problem(409, "conflict");
    assert_eq!(again.body["detail"], json!("this call is no longer open"), "{}", again.body);
}

/// The words a page hands its script (the body's `data-messages`), as JSON.
fn script_messages(html: &str) -> serde_json::Value {
    let marker = "data-messages=\"";
    let at = html.find(marker).expect("the body carries the script's words") + marker.len();
    let raw = &html[at..at + html[at..].find('"').unwrap()];
    let text = raw
        .replace("&#34;", "\"")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#60;", "<")
        .replace("&#62;", ">")
        .replace("&#38;", "&")
        .replace("&amp;", "&");
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("data-messages is JSON ({e}): {text}"))
}

/// The visible text of a page: what is between tags, outside scripts and
/// styles, with attribute texts people read (`aria-label`, `placeholder`,
/// `title`, `alt`).
fn visible_texts(html: &str) -> Vec<String> {
    let mut texts = Vec::new();
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        let text = rest[..open].trim();
        if !text.is_empty() {
            texts.push(text.to_string());
        }
        let Some(close) = rest[open..].find('>') else { break };
        let tag = &rest[open..open + close + 1];
        for attribute in ["aria-label=\"", "placeholder=\"", "title=\"", "alt=\""] {
            if let Some(at) = tag.find(attribute) {
                let value = &tag[at + attribute.len()..];
                texts.push(value[..value.find('"').unwrap_or(value.len())].to_string());
            }
        }
        rest = &rest[open + close + 1..];
        for raw in ["<script", "<style"] {
            if tag.starts_with(raw) && !tag.ends_with("/>") {
                let end = raw.replace('<', "</");
                rest = rest.find(end.as_str()).map_or("", |e| &rest[e..]);
            }
        }
    }
    texts
}

async fn translated_pages_show_no_text_outside_the_catalogues(app: TestApp) {
    let app = &app;
    let ola = app.member("ola@example.com", "manager").await;
    app.put_as(&ola.token, "/api/v1/me/preferences", &json!({"language": "en-XA"})).await.expect(200);
    let b = browser(app, "ola@example.com").await;
    // What the pages show that is data, not UI text: the person, the
    // workspace, the brand, and the time zones and languages offered by
    // their own names.
    let workspace = app.get_as(&ola.token, "/api/v1/me/preferences").await.expect(200).body;
    assert_eq!(workspace["effective"]["language"], "en-XA");
    let zones = relata_i18n::zone_names();
    // Records whose names are data (and say so).
    let account = json!({"name": "DATA-Amber", "owner": ola.user});
    let account = app.post_as(&ola.token, "/api/v1/accounts", &account).await.expect(201).body;
    let deal = json!({"name": "DATA-Deal", "account": account["id"], "owner": ola.user, "stage": "proposal",
                      "amount": {"amount": "1200.00", "currency": "EUR"}, "expected_close_date": "2031-06-30"});
    let deal = app.post_as(&ola.token, "/api/v1/opportunities", &deal).await.expect(201).body;
    let meeting = json!({"kind": "meeting", "subject": "DATA-Meeting", "owner": ola.user, "account": account["id"],
                         "start_at": "2031-06-03T09:00:00Z", "end_at": "2031-06-03T10:00:00Z"});
    app.post_as(&ola.token, "/api/v1/activities", &meeting).await.expect(201);
    let account_page = format!("/accounts/{}", id_of(&account));
    let deal_page = format!("/opportunities/{}", id_of(&deal));
    let deal_edit = format!("/opportunities/{}/edit", id_of(&deal));
    let pages = [
        "/",
        "/preferences",
        "/accounts",
        "/accounts/new",
        account_page.as_str(),
        "/opportunities",
        deal_page.as_str(),
        deal_edit.as_str(),
        "/board",
        "/calendar?span=week&date=2031-06-03",
        "/calendar?span=month&date=2031-06-03",
        "/calendar?span=day&date=2031-06-03&who=team",
        "/calendar/find-time",
        "/quotas",
        "/quotas/new",
        "/activities",
        "/calls/dashboard",
        "/calls/waiting",
        "/calls/next",
        "/service",
        "/connect",
        "/notifications",
    ];
    // Numbers, dates and amounts as the locale formats them are data too.
    let formatted = |t: &str| {
        t.chars().all(|c| {
            c.is_ascii_digit() || c.is_whitespace() || ",.:–-—+%€()/".contains(c) || c == '\u{a0}' || c == '\u{202f}'
        }) || t.split(|c: char| !c.is_alphanumeric()).all(|w| {
            w.is_empty()
                || w.chars().all(|c| c.is_ascii_digit())
                || [
                    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec", "AM", "PM",
                    "UTC", "EUR",
                ]
                .contains(&w)
        })
    };
    for path in pages {
        let (status, _, html) = page(app, &b, Method::GET, path, &[]).await;
        assert_eq!(status, 200, "{path}");
        let untranslated: Vec<String> = visible_texts(&html)
            .into_iter()
            // A message's pieces between its markup (`<code>`) carry its accents, not its brackets.
            .filter(|t| !t.chars().any(|c| "⟦⟧àçéîñöšüýžÀÇÉÎÑÖŠÜÝŽ".contains(c)))
            .filter(|t| !t.contains("DATA-") && !formatted(t) && !t.starts_with("http://"))
            // The default pipeline's name and stage names are the workspace's data (named from the
            // catalogues when it was made, in the languages the UI is written in).
            .filter(|t| {
                !["Sales", "Qualification", "Needs analysis", "Proposal", "Negotiation", "Closed won", "Closed lost"]
                    .contains(&t.as_str())
            })
            .filter(|t| !t.contains("ola@example.com") && !["Relata", "·", "Administrator"].contains(&t.as_str()))
            .filter(|t| {
                !zones.contains(&t.as_str())
                    && !["English", "Polski", "Lietuvių", "Русский", "Български"].contains(&t.as_str())
            })
            .filter(|t| !t.chars().all(|c| c.is_ascii_digit() || c.is_whitespace()))
            .filter(|t| !t.starts_with("&#") && !t.starts_with("Relata · ⟦"))
            .collect();
        assert!(untranslated.is_empty(), "{path} shows text from no catalogue: {untranslated:?}");
        // What the page's script will write (the screen pop, search, the board) comes from the catalogues too.
        let words = script_messages(&html);
        let mut script_texts: Vec<(String, String)> = Vec::new();
        for part in ["texts", "kinds", "statuses"] {
            let map = words[part].as_object().unwrap_or_else(|| panic!("{path}: no {part} in {words}"));
            assert!(!map.is_empty(), "{path}: {part} is empty");
            script_texts.extend(map.iter().map(|(k, v)| (format!("{part}.{k}"), v.as_str().unwrap().to_string())));
        }
        let bare: Vec<_> = script_texts.iter().filter(|(_, text)| !text.contains('⟦')).collect();
        assert!(bare.is_empty(), "{path}: the script's words from no catalogue: {bare:?}");
    }
    // The pages before signing in speak the browser's language.
    for path in ["/login", "/"] {
        let (status, html) = page_with_language(app, "", path, "en-XA").await;
        assert_eq!(status, 200, "{path}");
        let untranslated: Vec<String> = visible_texts(&html)
            .into_iter()
            .filter(|t| !t.chars().any(|c| "⟦⟧àçéîñöšüýžÀÇÉÎÑÖŠÜÝŽ".contains(c)))
            .filter(|t| !["Relata", "·", "Relata · Relata"].contains(&t.as_str()) && !t.starts_with("&#"))
            .collect();
        assert!(untranslated.is_empty(), "{path} shows text from no catalogue: {untranslated:?}");
    }
}

async fn labels_options_and_stages_speak_the_reader_s_language(app: TestApp) {
    let app = &app;
    // A custom field named in other languages; bad names are refused by field and nothing is defined.
    let bad = json!({"id": "size", "type": "choice", "options": ["small", "large"],
                     "labels": {"xx": "?", "pl": ""}, "option_labels": {"medium": {"pl": "Średnia"}}});
    let refused = app.post("/api/v1/metadata/accounts/fields", &bad).await.expect(422).body;
    let fields: Vec<&str> =
        refused["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["labels.pl", "labels.xx", "option_labels.medium"], "{refused}");
    let described = app.get("/api/v1/metadata/accounts").await.expect(200).body;
    assert!(!described.to_string().contains("\"size\""), "nothing was defined: {described}");
    let size = json!({"id": "size", "label": "Size", "type": "choice", "options": ["small", "large"],
                      "labels": {"pl": "Wielkość", "lt": "Dydis"},
                      "option_labels": {"small": {"en": "Small", "pl": "Mała"}, "large": {"pl": "Duża"}}});
    let defined = app.post("/api/v1/metadata/accounts/fields", &size).await.expect(201).body;
    assert_eq!(defined["labels"], json!({"pl": "Wielkość", "lt": "Dydis"}), "{defined}");
    let ola = app.member("ola@example.com", "sales_rep").await;
    app.put_as(&ola.token, "/api/v1/me/preferences", &json!({"language": "pl"})).await.expect(200);
    let account = json!({"name": "Amber", "owner": ola.user, "custom": {"size": "small"}});
    let amber = app.post_as(&ola.token, "/api/v1/accounts", &account).await.expect(201).body;
    let deal = json!({"name": "Bursztyn", "account": amber["id"], "stage": "negotiation", "owner": ola.user,
                      "amount": {"amount": "1000.00", "currency": "EUR"}});
    let deal = app.post_as(&ola.token, "/api/v1/opportunities", &deal).await.expect(201).body;
    let b = browser(app, "ola@example.com").await;
    let pl = relata_i18n::Tr::new(relata_i18n::Language::Pl);
    let (_, _, list) = page(app, &b, Method::GET, "/accounts?columns=name,custom.size,lifecycle", &[]).await;
    let name = pl.find("field-accounts-name").or_else(|| pl.find("field-name")).expect("a label");
    assert_ne!(name, "Name", "the catalogue names the field in Polish");
    for polish in [name.as_str(), "Wielkość", "Mała"] {
        assert!(list.contains(&format!(">{polish}<")), "{polish} in {list}");
    }
    assert!(
        list.contains("<option value=\"small\">Mała</option>"),
        "the filter builder offers options by label: {list}"
    );
    let (_, _, record) = page(app, &b, Method::GET, &format!("/opportunities/{}", id_of(&deal)), &[]).await;
    assert!(
        record.contains("Negocjacje") && !record.contains(">negotiation<"),
        "the stage by its Polish name: {record}"
    );
    let (_, _, board) = page(app, &b, Method::GET, "/board", &[]).await;
    for stage in ["Kwalifikacja", "Analiza potrzeb", "Negocjacje", "Wygrana"] {
        assert!(board.contains(stage), "{stage} on the board: {board}");
    }
    let (_, _, form) = page(app, &b, Method::GET, &format!("/accounts/{}/edit", id_of(&amber)), &[]).await;
    assert!(form.contains("<option value=\"small\" selected>Mała</option>"), "{form}");
    // Lithuanian has no name for "small": English's, which the definition gives.
    let (_, lt) = page_with_language(app, &b.cookie, "/accounts?columns=name,custom.size", "lt").await;
    assert!(lt.contains(">Wielkość<"), "the profile's Polish wins over the browser: {lt}");
    let jonas = app.member("jonas@example.com", "sales_rep").await;
    let jb = browser(app, "jonas@example.com").await;
    let (_, lt) = page_with_language(app, &jb.cookie, "/accounts?columns=name,custom.size", "lt").await;
    assert!(lt.contains(">Dydis<") && lt.contains(">Small<"), "{lt}");

    // A labelled export names columns and choices in the reader's language
    // (here the browser's: the administrator chose none), and imports back.
    let path = "/api/v1/accounts/export?labels=true&filter=name%20%3D%20%22Amber%22";
    let export = app.send(Method::GET, path, Some(&app.token), &[("accept-language", "pl")], None).await;
    assert_eq!(export.status, 200);
    let csv = String::from_utf8(export.bytes).unwrap();
    let header = csv.lines().next().unwrap();
    assert!(header.contains("Wielkość") && header.contains(&name), "{csv}");
    assert!(csv.lines().nth(1).unwrap().contains("Mała"), "{csv}");
    let plain = app.send(Method::GET, "/api/v1/accounts/export", Some(&app.token), &[], None).await;
    let plain = String::from_utf8(plain.bytes).unwrap();
    assert!(
        plain.lines().next().unwrap().contains("custom.size") && plain.contains(",small"),
        "ids for programs: {plain}"
    );
    let again = format!("{},{}\nJantar,Duża\n", name, "Wielkość");
    let headers = [("content-type", "text/csv")];
    let imported =
        app.send(Method::POST, "/api/v1/accounts/import", Some(&jonas.token), &headers, Some(again.into_bytes())).await;
    assert_eq!(imported.status, 200, "{:?}", imported.body);
    let found = app.get("/api/v1/accounts?filter=name%20%3D%20%22Jantar%22").await.expect(200).body;
    assert_eq!(found["data"][0]["custom"]["size"], "large", "Polish headings and labels read back: {found}");
}
