//! Browser tests: the web UI in a real headless Chromium (Debian's
//! `chromium`, driven through `chromedriver`), on both backends. A sales rep
//! signs in, creates an account and a contact (after a form error that keeps
//! what was typed), logs a call and sees it on the timeline, drags an
//! opportunity to another stage, builds and saves a filtered view, and finds
//! a contact with the search box. Screenshots of the main pages are written
//! to `$RELATA_SCREENSHOTS` (default: `relata-screenshots` in the temporary
//! directory), outside the repository.

#[path = "../api/helpers.rs"]
#[allow(dead_code)]
mod helpers;
mod webdriver;

use helpers::{Backend, PASSWORD, TestApp};
use serde_json::json;
use std::path::PathBuf;
use webdriver::Browser;

crate::both_backends!(
    a_rep_works_through_the_pages,
    pages_fit_a_phone_and_the_board_a_laptop,
    axe_finds_nothing_serious_on_any_page_in_two_languages,
    a_manager_writes_a_rule_with_the_filter_builder,
    an_agent_sees_who_is_calling_the_moment_it_rings,
    a_meeting_is_dragged_to_another_day_and_resized_on_the_calendar,
    date_pickers_start_weeks_where_the_reader_s_language_does
);

/// Signs `email` in through the sign-in page (with the tests' password).
async fn sign_in(browser: &Browser, base: &str, email: &str) {
    browser.goto(&format!("{base}/login")).await;
    browser.type_into("#email", email).await;
    browser.type_into("#password", PASSWORD).await;
    browser.click("form[action='/login'] button[type=submit]").await;
}

fn screenshot_dir(backend: Backend) -> PathBuf {
    let base = std::env::var("RELATA_SCREENSHOTS")
        .map(PathBuf::from)
        .unwrap_or_else(|_| std::env::temp_dir().join("relata-screenshots"));
    let dir = base.join(match backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    });
    std::fs::create_dir_all(&dir).expect("the screenshot folder");
    dir
}

async fn a_rep_works_through_the_pages(app: TestApp) {
    let Some(browser) = Browser::start().await else { return };
    let shots = screenshot_dir(app.backend);
    let base = app.base.clone();
    let rep = app.member("rep@example.com", "sales_rep").await;

    // Sign in through the page.
    browser.goto(&format!("{base}/contacts")).await;
    browser.find("#email").await;
    assert!(browser.url().await.contains("/login?next="), "pages ask to sign in first");
    browser.type_into("#email", "rep@example.com").await;
    browser.type_into("#password", PASSWORD).await;
    browser.click("form[action='/login'] button[type=submit]").await;
    browser.wait_for_text("Contacts</h1>").await;
    browser.goto(&format!("{base}/")).await;
    browser.wait_for_text("My open tasks").await;
    browser.screenshot(&shots.join("home.png")).await;

    // Create an account.
    browser.goto(&format!("{base}/accounts/new")).await;
    browser.type_into("#f-name", "Baltic Amber").await;
    browser.click("form.record button[type=submit]").await;
    browser.wait_for_text("Quick actions").await;
    let account_url = browser.url().await;
    let account_id = account_url.rsplit('/').next().unwrap().to_string();
    assert!(account_url.contains("/accounts/"), "{account_url}");

    // A form error keeps everything typed; fixing it saves the contact.
    browser.goto(&format!("{base}/contacts/new?account={account_id}")).await;
    browser.type_into("#f-first_name", "Zofia").await;
    browser.type_into("#f-emails", "zofia-at-example").await;
    browser.type_into("#f-city", "Gdańsk").await;
    browser.click("form.record button[type=submit]").await;
    browser.wait_for_text("Some fields need your attention").await;
    assert_eq!(browser.value("#f-first_name").await, "Zofia");
    assert_eq!(browser.value("#f-emails").await, "zofia-at-example");
    assert_eq!(browser.value("#f-city").await, "Gdańsk");
    browser.find("#e-emails").await;
    browser.find("#e-last_name").await;
    browser.screenshot(&shots.join("form-error.png")).await;
    browser.type_into("#f-last_name", "Nowak").await;
    browser.type_into("#f-emails", "zofia@example.com").await;
    browser.click("form.record button[type=submit]").await;
    browser.wait_for_text("Quick actions").await;
    let contact_url = browser.url().await;
    assert!(contact_url.contains("/contacts/"), "{contact_url}");
    let contact_id = contact_url.rsplit('/').next().unwrap().to_string();

    // Log a call from the contact's page and see it on the timeline.
    browser.type_into("#quick-subject", "Discussed the renewal").await;
    browser.type_into("#quick-body", "Wants a quote by Friday").await;
    browser.click("form.quick button[type=submit]").await;
    browser.wait_for_text("Discussed the renewal</a>").await;
    assert_eq!(browser.url().await, contact_url, "back on the contact's page");
    browser.screenshot(&shots.join("record.png")).await;
    let timeline = app.get(&format!("/api/v1/contacts/{contact_id}/timeline")).await.expect(200).body;
    assert_eq!(timeline["data"][0]["title"], "Discussed the renewal");

    // Drag an opportunity to the next stage on the board; it is saved.
    let pipeline = app.get("/api/v1/pipelines").await.expect(200).body["data"][0].clone();
    let stages: Vec<String> =
        pipeline["stages"].as_array().unwrap().iter().map(|s| s["id"].as_str().unwrap().to_string()).collect();
    let deal = app
        .post_as(
            &rep.token,
            "/api/v1/opportunities",
            &json!({"name": "Amber renewal", "account": account_id, "amount": {"amount": "4200.00", "currency": "EUR"}}),
        )
        .await
        .expect(201)
        .body;
    let deal_id = deal["id"].as_str().unwrap().to_string();
    browser.goto(&format!("{base}/board")).await;
    browser.wait_for_text("Amber renewal").await;
    browser.screenshot(&shots.join("board.png")).await;
    let drag = "const card = document.querySelector('.card[data-id=\"' + arguments[0] + '\"]');\
                const column = document.querySelector('.column[data-stage=\"' + arguments[1] + '\"]');\
                const data = new DataTransfer();\
                card.dispatchEvent(new DragEvent('dragstart', {bubbles: true, dataTransfer: data}));\
                column.dispatchEvent(new DragEvent('dragover', {bubbles: true, cancelable: true, dataTransfer: data}));\
                column.dispatchEvent(new DragEvent('drop', {bubbles: true, cancelable: true, dataTransfer: data}));\
                return true;";
    browser.script(drag, json!([deal_id, stages[1]])).await;
    let mut saved = false;
    for _ in 0..100 {
        let now = app.get(&format!("/api/v1/opportunities/{deal_id}")).await.expect(200).body;
        if now["stage"] == json!(stages[1]) {
            assert_eq!(now["version"], 2);
            saved = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(saved, "the drop was saved");
    let column = format!(".column[data-stage='{}'] .card[data-id='{deal_id}']", stages[1]);
    browser.find(&column).await;

    // Build a filtered view with the filter builder, and save it.
    browser.goto(&format!("{base}/contacts")).await;
    browser.click("#fb-field option[value='city']").await;
    browser.click("#fb-op option[value='=']").await;
    browser.type_into("#fb-value", "Gdańsk").await;
    browser.click("#fb-add").await;
    assert_eq!(browser.value("#filter").await, "city = \"Gdańsk\"", "the builder writes the filter language");
    browser.click("form.filters button[type=submit]").await;
    browser.wait_for_url("filter=").await;
    browser.wait_for_text("Nowak").await;
    browser.click("details.save-view summary").await;
    browser.type_into("#view-name", "Gdańsk contacts").await;
    browser.click("details.save-view button[type=submit]").await;
    browser.wait_for_text("Saved views:").await;
    browser.screenshot(&shots.join("list.png")).await;
    browser.goto(&format!("{base}/contacts?filter=city+%3D+%22Sopot%22")).await;
    browser.wait_for_text("Nothing here.").await;
    browser.click("nav.views a").await;
    browser.wait_for_text("Nowak").await;

    // Build a quote with the line editor: choose a product, type a
    // quantity, save; the price comes from the price book.
    let product = app.create("products", json!({"sku": "AMB-1", "name": "Amber necklace", "tax_rate": "23"})).await;
    let product_id = product["id"].as_str().unwrap().to_string();
    let price = json!({"amount": "120.00", "currency": "EUR"});
    app.create(
        "price_books",
        json!({"name": "Jewellery", "currency": "EUR", "lines": [{"product": product_id, "unit_price": price}]}),
    )
    .await;
    browser.goto(&format!("{base}/quotes/new?account={account_id}")).await;
    browser.click(&format!("select[name='lines[0].product'] option[value='{product_id}']")).await;
    browser.type_into("input[name='lines[0].quantity']", "2").await;
    browser.screenshot(&shots.join("quote-form.png")).await;
    browser.click("form.record button[type=submit]:not([name])").await;
    browser.wait_for_text("Download PDF").await;
    browser.wait_for_text("Amber necklace</a>").await;
    assert!(browser.source().await.contains("295.20"), "2 × 120.00 + 23% tax");
    browser.screenshot(&shots.join("quote.png")).await;

    // Search as you type, then choose with the keyboard.
    browser.goto(&format!("{base}/")).await;
    browser.type_into("#global-search", "Nowak").await;
    browser.find("#search-results li").await;
    browser.keys("#global-search", "\u{E015}\u{E007}").await;
    browser.wait_for_url(&format!("/contacts/{contact_id}")).await;
    eprintln!("screenshots of the main pages: {}", shots.display());
    browser.quit().await;
}

/// A manager writes an automation rule: the conditions' filter builder
/// offers the fields of the type the rule names, as it is typed.
async fn a_manager_writes_a_rule_with_the_filter_builder(app: TestApp) {
    let Some(browser) = Browser::start().await else { return };
    let base = app.base.clone();
    app.member("manager@example.com", "manager").await;
    sign_in(&browser, &base, "manager@example.com").await;
    browser.wait_for_text("My open tasks").await;

    browser.goto(&format!("{base}/automation_rules/new")).await;
    browser.find("[data-filter-for='f-conditions'] [data-part='none']:not([hidden])").await;
    browser.type_into("#f-name", "Chase overdue invoices").await;
    browser.type_into("#f-entity", "invoices").await;
    browser.click("#fb-field-conditions option[value='status']").await;
    browser.click("#fb-op-conditions option[value='=']").await;
    browser.type_into("#fb-value-conditions", "overdue").await;
    browser.click("#fb-add-conditions").await;
    browser.click("#fb-field-conditions option[value='balance']").await;
    browser.click("#fb-op-conditions option[value='>']").await;
    browser.type_into("#fb-value-conditions", "100").await;
    browser.click("#fb-add-conditions").await;
    assert_eq!(browser.value("#f-conditions").await, "status = \"overdue\" and balance > 100");
    browser.click("#f-event option[value='updated']").await;
    browser.click("select[name='lines[0].action'] option[value='notify_owner']").await;
    browser.type_into("input[name='lines[0].subject']", "An invoice is overdue").await;
    browser.click("form.record button[type=submit]:not([name])").await;
    browser.wait_for_text("Dry run").await;
    browser.screenshot(&screenshot_dir(app.backend).join("rule.png")).await;
    browser.quit().await;
}

async fn an_agent_sees_who_is_calling_the_moment_it_rings(app: TestApp) {
    let Some(browser) = Browser::start().await else { return };
    let base = app.base.clone();
    let agent = app.member("agent@example.com", "service_agent").await;
    let set = json!({"extensions": {"201": agent.user}});
    app.put_as(&app.token, "/api/v1/telephony/settings", &set).await.expect(200);
    let acme = app.create("accounts", json!({"name": "Acme", "key_account": true})).await;
    let jan = json!({"first_name": "Jan", "last_name": "Nowak", "phones": ["+48 501 234 567"], "account": acme["id"]});
    let jan = app.create("contacts", jan).await;
    let note = json!({"kind": "note", "subject": "Asked about hinges", "contact": jan["id"]});
    app.create("activities", note).await;
    app.create("cases", json!({"subject": "Hinge squeaks", "account": acme["id"], "owner": agent.user})).await;
    app.create("cases", json!({"subject": "Hinge rusts", "account": acme["id"], "owner": agent.user})).await;
    let switch = app.token_with_scope("telephony").await;

    sign_in(&browser, &base, "agent@example.com").await;
    browser.find("#screen-pop[data-connected]").await;

    let send = |body: serde_json::Value| {
        let (app, switch) = (&app, &switch);
        async move {
            let bytes = body.to_string().into_bytes();
            let headers = [("content-type", "application/json")];
            let reply =
                app.send(reqwest::Method::POST, "/api/v1/telephony/events", Some(switch), &headers, Some(bytes)).await;
            assert_eq!(reply.status, 200, "{}", reply.body);
        }
    };
    send(json!({"call_id": "pop-1", "event": "ringing", "from": "0048501234567", "extension": "201"})).await;
    browser.wait_for_text("Incoming call: Jan Nowak").await;
    // The panel alone: the page also carries the script's words (data-messages).
    let panel = browser.script("return document.getElementById('screen-pop').innerHTML;", json!([])).await;
    let panel = panel.as_str().unwrap_or_default().to_string();
    assert!(panel.contains("Asked about hinges"), "the last episodes");
    assert!(panel.contains("Acme"), "the caller's account: {panel}");
    assert!(panel.contains("Log the call") && panel.contains("high (priority 60)"), "worth and actions");
    assert!(panel.contains("<dt>Open cases</dt><dd>2</dd>"), "the account's open cases: {panel}");
    browser.screenshot(&screenshot_dir(app.backend).join("screen_pop.png")).await;
    send(json!({"call_id": "pop-1", "event": "answered", "extension": "201"})).await;
    send(json!({"call_id": "pop-1", "event": "ended", "extension": "201"})).await;
    browser.wait_for_text("Call ended: Jan Nowak").await;
    // The call page: the outcome the call came to offered, logged from there.
    browser.click("#screen-pop .actions a[href^='/calls/phone/']").await;
    browser.wait_for_text("On the line").await;
    assert_eq!(browser.value("#outcome").await, "reached", "an answered call was reached");
    browser.type_into("#note", "Sends photos of the hinge").await;
    browser.click("form[action$='/log'] button[type=submit]").await;
    browser.wait_for_text("Logged:").await;
    browser.quit().await;
}

/// How far a page is wider than its screen, in CSS pixels (0: it fits).
const OVERFLOW: &str = "return Math.max(0, document.documentElement.scrollWidth - window.innerWidth);";

async fn pages_fit_a_phone_and_the_board_a_laptop(app: TestApp) {
    let Some(browser) = Browser::start().await else { return };
    let shots = screenshot_dir(app.backend);
    let base = app.base.clone();
    let rep = app.member("phone@example.com", "sales_rep").await;
    let account = app
        .post_as(&rep.token, "/api/v1/accounts", &json!({"name": "Bursztynowa Manufaktura Sp. z o.o. (Gdańsk)"}))
        .await
        .expect(201)
        .body;
    let account_id = account["id"].as_str().unwrap().to_string();
    let contact = json!({"first_name": "Ola", "last_name": "Wiśniewska-Konopnicka", "account": account_id,
                         "emails": ["aleksandra.wisniewska-konopnicka@bursztynowa-manufaktura.example.com"]});
    let contact = app.post_as(&rep.token, "/api/v1/contacts", &contact).await.expect(201).body;
    let deal = json!({"name": "Wielkie zamówienie bursztynu na sezon", "account": account_id,
                      "amount": {"amount": "169000.00", "currency": "EUR"}});
    app.post_as(&rep.token, "/api/v1/opportunities", &deal).await.expect(201);
    sign_in(&browser, &base, "phone@example.com").await;
    browser.wait_for_text("My open tasks").await;

    // A phone, 390 × 844: no page is wider than the screen.
    browser.screen(390, 844, true).await;
    let contact_page = format!("/contacts/{}", contact["id"].as_str().unwrap());
    let account_page = format!("/accounts/{account_id}");
    for path in [
        "/",
        "/contacts",
        contact_page.as_str(),
        "/contacts/new",
        "/accounts",
        account_page.as_str(),
        "/opportunities",
        "/activities",
        "/board",
        "/calendar",
        "/calendar?span=month",
        "/calendar?span=day&who=team",
        "/calendar/find-time",
        "/preferences",
        "/connect",
        "/notifications",
    ] {
        browser.goto(&format!("{base}{path}")).await;
        browser.find("main").await;
        let overflow = browser.script(OVERFLOW, json!([])).await;
        assert_eq!(overflow, json!(0), "{path} is wider than a phone's screen by {overflow} pixels");
    }
    // Lists are cards: a row is a block naming each field.
    browser.goto(&format!("{base}/contacts")).await;
    let row = browser
        .script(
            "const r = document.querySelector('.cards tbody tr'); return r && getComputedStyle(r).display;",
            json!([]),
        )
        .await;
    assert_eq!(row, json!("block"));
    browser.screenshot(&shots.join("phone-contacts.png")).await;
    // The header's menu folds behind a button at least 44 pixels high.
    let hidden = "return getComputedStyle(document.getElementById('main-nav')).display;";
    assert_eq!(browser.script(hidden, json!([])).await, json!("none"));
    let height = "return document.getElementById('menu-button').getBoundingClientRect().height;";
    assert!(browser.script(height, json!([])).await.as_f64().unwrap() >= 44.0);
    browser.click("#menu-button").await;
    assert_eq!(browser.script(hidden, json!([])).await, json!("flex"));
    let smallest =
        "return Math.min(...[...document.querySelectorAll('#main-nav a')].map(a => a.getBoundingClientRect().height));";
    assert!(browser.script(smallest, json!([])).await.as_f64().unwrap() >= 44.0, "menu entries are 44 pixels high");
    browser.screenshot(&shots.join("phone-menu.png")).await;

    // A laptop, 1366 × 768: the board shows every column, none cut off.
    browser.screen(1366, 768, false).await;
    browser.goto(&format!("{base}/board")).await;
    browser.find(".board .column").await;
    let cut = "const b = document.querySelector('.board'); return b.scrollWidth - b.clientWidth;";
    assert_eq!(browser.script(cut, json!([])).await, json!(0), "the board fits 1366 pixels");
    assert_eq!(browser.script(OVERFLOW, json!([])).await, json!(0));
    browser.screenshot(&shots.join("board-1366.png")).await;
    browser.quit().await;
}

/// axe-core, as `scripts/test` installed it (npm), injected by this test
/// only: the pages never serve it.
fn axe_source() -> String {
    let modules = std::env::var_os("RELATA_NODE_MODULES")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/var/tmp/relata-node/node_modules"));
    let path = modules.join("axe-core/axe.min.js");
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("axe-core is not at {} ({e}): scripts/test installs it", path.display()))
}

/// Runs axe-core on the page for WCAG 2.x A and AA; the serious and critical
/// violations, a line each.
const AXE_RUN: &str = "const done = arguments[arguments.length - 1];
axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']}})
  .then(r => done(r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
    .map(v => v.id + ': ' + v.help + ' @ ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | '))))
  .catch(e => done(['axe failed: ' + e]));";

async fn axe_finds_nothing_serious_on_any_page_in_two_languages(app: TestApp) {
    let Some(browser) = Browser::start().await else { return };
    let axe = axe_source();
    let base = app.base.clone();
    let rep = app.member("a11y@example.com", "manager").await;
    let account = app.post_as(&rep.token, "/api/v1/accounts", &json!({"name": "Amber Works"})).await.expect(201).body;
    let account_id = account["id"].as_str().unwrap().to_string();
    let contact = json!({"first_name": "Ona", "last_name": "Kazlauskienė", "account": account_id});
    let contact = app.post_as(&rep.token, "/api/v1/contacts", &contact).await.expect(201).body;
    let deal = json!({"name": "Amber deal", "account": account_id, "amount": {"amount": "990.00", "currency": "EUR"}});
    app.post_as(&rep.token, "/api/v1/opportunities", &deal).await.expect(201);
    let note = json!({"kind": "note", "subject": "Met at the fair", "account": account_id});
    app.post_as(&rep.token, "/api/v1/activities", &note).await.expect(201);
    sign_in(&browser, &base, "a11y@example.com").await;
    browser.wait_for_text("My open tasks").await;
    let contact_page = format!("/contacts/{}", contact["id"].as_str().unwrap());
    let account_page = format!("/accounts/{account_id}");
    let pages = [
        "/",
        "/contacts",
        contact_page.as_str(),
        "/contacts/new",
        account_page.as_str(),
        "/opportunities",
        "/board",
        "/calendar",
        "/calendar?span=month",
        "/calendar?span=day&who=team",
        "/calendar/find-time",
        "/preferences",
        "/connect",
        "/notifications",
        "/search?q=Amber",
    ];
    let mut found = Vec::new();
    for language in ["en", "lt"] {
        app.put_as(&rep.token, "/api/v1/me/preferences", &json!({"language": language})).await.expect(200);
        for path in pages {
            browser.goto(&format!("{base}{path}")).await;
            browser.find("main").await;
            browser.script(&axe, json!([])).await;
            let violations = browser.script_async(AXE_RUN, json!([])).await;
            for v in violations.as_array().expect("axe's answer") {
                found.push(format!("[{language}] {path}: {}", v.as_str().unwrap_or_default()));
            }
        }
    }
    assert!(found.is_empty(), "axe-core found serious or critical violations:\n{}", found.join("\n"));
    browser.quit().await;
}

/// Waits until the activity's `field` is `expected` (the page saves in the background).
async fn wait_for_field(app: &TestApp, id: &str, field: &str, expected: &str) -> serde_json::Value {
    for _ in 0..100 {
        let now = app.get(&format!("/api/v1/activities/{id}")).await.expect(200).body;
        if now[field] == json!(expected) {
            return now;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("{field} never became {expected}");
}

async fn a_meeting_is_dragged_to_another_day_and_resized_on_the_calendar(app: TestApp) {
    let Some(browser) = Browser::start().await else { return };
    let base = app.base.clone();
    let rep = app.member("cal@example.com", "sales_rep").await;
    let account = json!({"name": "Amber Calendar", "owner": rep.user});
    let account = app.post_as(&rep.token, "/api/v1/accounts", &account).await.expect(201).body;
    let meeting = json!({"kind": "meeting", "subject": "Planning", "owner": rep.user, "account": account["id"],
                         "start_at": "2032-01-15T09:00:00Z", "end_at": "2032-01-15T10:00:00Z"});
    let meeting = app.post_as(&rep.token, "/api/v1/activities", &meeting).await.expect(201).body;
    let id = meeting["id"].as_str().unwrap().to_string();
    sign_in(&browser, &base, "cal@example.com").await;
    browser.wait_for_text("My open tasks").await;
    browser.goto(&format!("{base}/calendar?span=week&date=2032-01-15")).await;
    browser.wait_for_text("Planning").await;
    browser.screenshot(&screenshot_dir(app.backend).join("calendar-week.png")).await;
    // Dragged to Friday at 14:00 (an hour is 40 pixels; grabbed 5 pixels below its top).
    let drag = "const entry = document.querySelector('.entry[data-id=\"' + arguments[0] + '\"]');\
                const slots = document.querySelector('.daycol[data-date=\"2032-01-16\"] .slots');\
                const data = new DataTransfer();\
                const top = entry.getBoundingClientRect().top;\
                entry.dispatchEvent(new DragEvent('dragstart', {bubbles: true, dataTransfer: data, clientY: top + 5}));\
                const y = slots.getBoundingClientRect().top + 14 * 40 + 5;\
                slots.dispatchEvent(new DragEvent('dragover', {bubbles: true, cancelable: true, dataTransfer: data, clientY: y}));\
                slots.dispatchEvent(new DragEvent('drop', {bubbles: true, cancelable: true, dataTransfer: data, clientY: y}));\
                return true;";
    browser.script(drag, json!([id])).await;
    let moved = wait_for_field(&app, &id, "start_at", "2032-01-16T14:00:00.000000Z").await;
    assert_eq!((&moved["end_at"], &moved["version"]), (&json!("2032-01-16T15:00:00.000000Z"), &json!(2)));
    // The page shows the server's calendar again; its lower edge dragged an hour down.
    browser.wait_for_text("Planning").await;
    let resize = "const entry = document.querySelector('.entry[data-id=\"' + arguments[0] + '\"]');\
                  if (!entry || entry.dataset.version !== '2') return false;\
                  const handle = entry.querySelector('.resize');\
                  const y = handle.getBoundingClientRect().top;\
                  const at = function (dy) { return {bubbles: true, cancelable: true, pointerId: 1, clientY: y + dy}; };\
                  handle.dispatchEvent(new PointerEvent('pointerdown', at(0)));\
                  handle.dispatchEvent(new PointerEvent('pointermove', at(40)));\
                  handle.dispatchEvent(new PointerEvent('pointerup', at(40)));\
                  return true;";
    let mut resized = false;
    for _ in 0..100 {
        if browser.script(resize, json!([id])).await == json!(true) {
            resized = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(resized, "the reloaded calendar shows version 2");
    let longer = wait_for_field(&app, &id, "end_at", "2032-01-16T16:00:00.000000Z").await;
    assert_eq!((&longer["start_at"], &longer["version"]), (&json!("2032-01-16T14:00:00.000000Z"), &json!(3)));
    browser.quit().await;
}

/// The date of the first day the open date picker shows, and the name at
/// the head of its first column.
async fn picker_first_day(browser: &Browser) -> (chrono::NaiveDate, String) {
    browser.find(".date-picker button[data-date]").await;
    let seen = browser
        .script(
            "return [document.querySelector('.date-picker button[data-date]').dataset.date,\
                     document.querySelector('.date-picker th').textContent];",
            json!([]),
        )
        .await;
    (seen[0].as_str().unwrap().parse().expect("a date"), seen[1].as_str().unwrap().to_string())
}

async fn date_pickers_start_weeks_where_the_reader_s_language_does(app: TestApp) {
    use chrono::Datelike;
    let Some(browser) = Browser::start().await else { return };
    let base = app.base.clone();
    let rep = app.member("dates@example.com", "sales_rep").await;
    let account = json!({"name": "Amber Dates", "owner": rep.user});
    let account = app.post_as(&rep.token, "/api/v1/accounts", &account).await.expect(201).body;
    app.put_as(&rep.token, "/api/v1/me/preferences", &json!({"language": "pl"})).await.expect(200);
    sign_in(&browser, &base, "dates@example.com").await;
    browser.find("main").await;
    let field = "input[name=expected_close_date]";
    let set = "document.querySelector(arguments[0]).value = arguments[1]; return true;";

    // In Polish, weeks start on Monday: May 2031 opens on Monday 28 April.
    browser.goto(&format!("{base}/opportunities/new")).await;
    browser.script(set, json!([field, "2031-05-14"])).await;
    browser.click(".date-pick").await;
    let (first, head) = picker_first_day(&browser).await;
    assert_eq!((first.to_string().as_str(), first.weekday()), ("2031-04-28", chrono::Weekday::Mon));
    assert!(head.starts_with("pon"), "Polish names the days: {head}");
    // Nothing serious for axe-core with the picker open.
    browser.script(&axe_source(), json!([])).await;
    let violations = browser.script_async(AXE_RUN, json!([])).await;
    assert_eq!(violations, json!([]), "axe-core on the open date picker");
    // From the keyboard: the chosen day has the focus; a day on, Enter picks it and closes the picker.
    browser.keys(".date-picker button[tabindex='0']", "\u{E014}").await;
    browser.keys(".date-picker button[tabindex='0']", "\u{E007}").await;
    assert_eq!(browser.value(field).await, "2031-05-15");
    let closed = browser.script("return document.querySelector('.date-picker') === null;", json!([])).await;
    assert_eq!(closed, json!(true));
    // Tab leaves the picker, which closes.
    browser.click(".date-pick").await;
    browser.keys(".date-picker button[tabindex='0']", "\u{E004}").await;
    let closed = browser.script("return document.querySelector('.date-picker') === null;", json!([])).await;
    assert_eq!(closed, json!(true), "tabbing out closes the picker");
    // Page Down shows the next month; a click picks a day.
    browser.click(".date-pick").await;
    browser.keys(".date-picker button[tabindex='0']", "\u{E00F}").await;
    browser.click(".date-picker button[data-date='2031-06-20']").await;
    assert_eq!(browser.value(field).await, "2031-06-20");

    // In English (as in the United States), on Sunday 27 April.
    app.put_as(&rep.token, "/api/v1/me/preferences", &json!({"language": "en"})).await.expect(200);
    browser.goto(&format!("{base}/opportunities/new")).await;
    browser.script(set, json!([field, "2031-05-14"])).await;
    browser.click(".date-pick").await;
    let (first, head) = picker_first_day(&browser).await;
    assert_eq!((first.to_string().as_str(), first.weekday()), ("2031-04-27", chrono::Weekday::Sun));
    assert_eq!(head, "Sun");
    // Escape closes it, and the form saves the day typed as ever.
    browser.keys(".date-picker button[tabindex='0']", "\u{E00C}").await;
    browser.type_into("input[name=name]", "Dated deal").await;
    browser.script(set, json!(["select[name=account]", account["id"]])).await;
    browser.click("main form button[type=submit]").await;
    browser.wait_for_text("Dated deal").await;
    let saved = app.list_all("opportunities", "").await;
    assert_eq!(saved.len(), 1, "{}", browser.source().await);
    assert_eq!(saved[0]["expected_close_date"], json!("2031-05-14"), "{saved:?}");
    browser.quit().await;
}
