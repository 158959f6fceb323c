//! Channels on both backends, against real peers: email through a real SMTP
//! server (aiosmtpd) with merge fields in the contact's language, consent
//! asked at send time, the unsubscribe link and header, a refused sender and
//! a server that is down; SMS through an HTTP gateway (a local server that
//! records requests: no real gateway runs here) that fails, then succeeds,
//! once; letters collected in a print batch and printed as one PDF.

use crate::commerce::{download, pdf_text};
use crate::helpers::{TestApp, id_of};
use relata_app::jobs::{WorkerOptions, Workers};
use serde_json::{Value as Json, json};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

crate::both_backends!(
    email_goes_out_over_smtp_in_the_contacts_language_with_consent_and_unsubscribe,
    sms_go_through_the_gateway_and_failures_are_retried_once,
    letters_collect_in_a_print_batch_printed_as_one_pdf,
    templates_and_settings_refuse_bad_input_by_field,
    channel_settings_rules_and_batches_work_from_the_pages
);

/// A real SMTP server on a free port, keeping what it accepts in a folder.
pub struct SmtpSink {
    pub port: u16,
    pub dir: PathBuf,
    child: std::process::Child,
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

impl SmtpSink {
    pub fn start() -> SmtpSink {
        use std::io::BufRead;
        let port = free_port();
        let dir = std::env::temp_dir().join(format!("relata-smtp-{}", uuid::Uuid::now_v7()));
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/smtp_sink.py");
        let mut child = std::process::Command::new("python3")
            .args([script, &port.to_string(), dir.to_str().unwrap()])
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("python3 runs the SMTP sink (aiosmtpd, which scripts/test installs)");
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        assert_eq!(line.trim(), "ready", "the SMTP sink starts (is aiosmtpd installed? scripts/test installs it)");
        SmtpSink { port, dir, child }
    }

    /// The messages received so far, as text.
    pub fn received(&self) -> Vec<String> {
        let mut files: Vec<_> = std::fs::read_dir(&self.dir)
            .map(|d| {
                d.filter_map(Result::ok)
                    .map(|e| e.path())
                    .filter(|p| p.extension().is_some_and(|x| x == "eml"))
                    .collect()
            })
            .unwrap_or_default();
        files.sort_by_key(|p| std::fs::metadata(p).and_then(|m| m.modified()).ok());
        files.iter().map(|p| std::fs::read_to_string(p).unwrap()).collect()
    }
}

/// What an SMS gateway received, and how it answers: `failures` 500s first.
#[derive(Default)]
pub struct Gateway {
    pub requests: Mutex<Vec<(String, Json)>>,
    pub failures: Mutex<u32>,
}

/// A local HTTP server standing in for an SMS gateway.
pub async fn gateway() -> (String, Arc<Gateway>) {
    use axum::extract::State;
    use axum::http::{HeaderMap, StatusCode};
    async fn send(State(g): State<Arc<Gateway>>, headers: HeaderMap, body: String) -> (StatusCode, String) {
        let auth = headers.get("authorization").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
        let body: Json = serde_json::from_str(&body).unwrap_or(Json::String(body));
        let mut failures = g.failures.lock().unwrap();
        if *failures > 0 {
            *failures -= 1;
            return (StatusCode::INTERNAL_SERVER_ERROR, "gateway overloaded".into());
        }
        let mut requests = g.requests.lock().unwrap();
        requests.push((auth, body));
        (StatusCode::OK, json!({"status": "accepted", "id": format!("gw-{}", requests.len())}).to_string())
    }
    let state = Arc::new(Gateway::default());
    let router = axum::Router::new().route("/send", axum::routing::post(send)).with_state(state.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/send", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    (url, state)
}

/// Runs the jobs that are due (sending).
pub async fn work(app: &TestApp) {
    let workers = Workers::new(app.app.app.clone(), WorkerOptions::default());
    for _ in 0..5 {
        if workers.run_due().await.unwrap() == 0 {
            return;
        }
    }
}

pub async fn use_smtp(app: &TestApp, sink: &SmtpSink, from: &str) {
    let settings = json!({"host": "127.0.0.1", "port": sink.port, "security": "none", "from_address": from,
                          "from_name": "Relata Billing"});
    app.put_as(&app.token, "/api/v1/channels/email", &settings).await.expect(200);
}

async fn message(app: &TestApp, body: Json) -> Json {
    app.post("/api/v1/messages", &body).await.expect(201).body
}

async fn reread(app: &TestApp, record: &Json) -> Json {
    app.get(&format!("/api/v1/messages/{}", id_of(record))).await.expect(200).body
}

async fn template(app: &TestApp, key: &str, language: &str) -> Json {
    let filter = format!("&filter=key%20%3D%20%22{key}%22%20and%20language%20%3D%20%22{language}%22");
    app.list_all("message_templates", &filter)
        .await
        .into_iter()
        .next()
        .unwrap_or_else(|| panic!("template {key} {language}"))
}

async fn email_goes_out_over_smtp_in_the_contacts_language_with_consent_and_unsubscribe(app: TestApp) {
    let sink = SmtpSink::start();
    let shown = app.get("/api/v1/channels/email").await.expect(200).body;
    assert_eq!(shown["settings"], Json::Null, "nothing set yet");
    use_smtp(&app, &sink, "billing@relata.test").await;
    let anna = app
        .create(
            "contacts",
            json!({"first_name": "Anna", "last_name": "Kowalska", "emails": ["anna@example.pl"], "language": "pl"}),
        )
        .await;
    let contact = id_of(&anna);
    let birthday = template(&app, "birthday_email", "en").await;

    // A birthday greeting is marketing: without consent it is blocked.
    let first = message(&app, json!({"channel": "email", "contact": contact, "template": id_of(&birthday)})).await;
    assert_eq!(first["status"], "queued");
    assert_eq!(first["language"], "pl", "the contact's language chose the variant");
    assert_eq!(first["subject"], "Wszystkiego najlepszego, Anna!");
    assert_eq!(first["to_address"], "anna@example.pl");
    work(&app).await;
    let blocked = reread(&app, &first).await;
    assert_eq!(blocked["status"], "blocked", "{blocked}");
    assert!(blocked["error"].as_str().unwrap().contains("consent"), "{blocked}");
    assert!(sink.received().is_empty());

    // With consent it goes out, once, as the contact reads it.
    app.post(
        &format!("/api/v1/contacts/{contact}/consents"),
        &json!({"channel": "email", "status": "given", "source": "web form"}),
    )
    .await
    .expect(201);
    let second = message(&app, json!({"channel": "email", "contact": contact, "template": id_of(&birthday)})).await;
    work(&app).await;
    work(&app).await;
    let sent = reread(&app, &second).await;
    assert_eq!((sent["status"].as_str(), sent["attempts"].as_i64()), (Some("sent"), Some(1)), "{sent}");
    assert!(sent["sent_at"].is_string());
    let mails = sink.received();
    assert_eq!(mails.len(), 1, "sent once");
    let mail = &mails[0];
    assert!(mail.contains("To: anna@example.pl"), "{mail}");
    assert!(
        mail.contains("From: \"Relata Billing\" <billing@relata.test>")
            || mail.contains("From: Relata Billing <billing@relata.test>"),
        "{mail}"
    );
    assert!(mail.contains(&format!("Message-ID: <{}@relata.test>", id_of(&second))), "{mail}");
    assert!(mail.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"), "{mail}");
    let header = mail.lines().find(|l| l.starts_with("List-Unsubscribe: <")).expect("the header");
    let link = header.trim_start_matches("List-Unsubscribe: <").trim_end_matches('>').to_string();
    assert!(sent["body"].as_str().unwrap().contains(&link), "the body has the same link: {}", sent["body"]);
    assert!(!sent["body"].as_str().unwrap().contains("{{"), "every field merged");
    // The message is an episode of Anna's story, with its status.
    let timeline = app.get(&format!("/api/v1/contacts/{contact}/timeline")).await.expect(200).body;
    let episode =
        timeline["data"].as_array().unwrap().iter().find(|i| i["id"] == second["id"]).expect("on the timeline");
    assert_eq!(episode["record"]["status"], "sent");

    // The link: a page that asks, then consent withdrawn in the ledger.
    let path = link.split_once("://").map(|(_, rest)| &rest[rest.find('/').unwrap()..]).unwrap().to_string();
    let page = reqwest::get(format!("{}{path}", app.base)).await.unwrap();
    assert_eq!(page.status(), 200);
    // In the language Anna was written to, whatever her browser says.
    let asks = page.text().await.unwrap();
    assert!(asks.contains("lang=\"pl\"") && asks.contains("Nie chcesz już otrzymywać od nas e-maili?"), "{asks}");
    let nothing = reqwest::Client::new()
        .get(format!("{}/unsubscribe/{}/{}", app.base, app.workspace.id, "0".repeat(36)))
        .header("accept-language", "lt")
        .send()
        .await
        .unwrap();
    assert_eq!(nothing.status(), 404);
    assert!(nothing.text().await.unwrap().contains("Ši nuoroda negalioja"), "an unknown link: the browser's language");
    let one_click = reqwest::Client::new()
        .post(format!("{}{path}", app.base))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .unwrap();
    assert_eq!(one_click.status(), 200);
    let consents = app.get(&format!("/api/v1/contacts/{contact}/consents")).await.expect(200).body;
    assert_eq!(consents["current"]["email"]["status"], "withdrawn", "{consents}");
    assert_eq!(consents["current"]["email"]["source"], "unsubscribe link");
    // Withdrawn: even a transactional email is not sent now.
    let note =
        message(&app, json!({"channel": "email", "contact": contact, "subject": "Your order", "body": "Shipped."}))
            .await;
    work(&app).await;
    assert_eq!(reread(&app, &note).await["status"], "blocked");
    assert_eq!(sink.received().len(), 1);

    // A server that refuses the sender: failed with its words, not retried.
    use_smtp(&app, &sink, "refused@relata.test").await;
    let bob = app.create("contacts", json!({"last_name": "Brown", "emails": ["bob@example.com"]})).await;
    let refused =
        message(&app, json!({"channel": "email", "contact": id_of(&bob), "subject": "Hello", "body": "Hi Bob"})).await;
    work(&app).await;
    let failed = reread(&app, &refused).await;
    assert_eq!(failed["status"], "failed", "{failed}");
    assert!(failed["error"].as_str().unwrap().contains("refused"), "{failed}");

    // A server that is down: queued again with the reason, then sent on a
    // later attempt, once.
    let down =
        json!({"host": "127.0.0.1", "port": free_port(), "security": "none", "from_address": "billing@relata.test"});
    app.put_as(&app.token, "/api/v1/channels/email", &down).await.expect(200);
    let later =
        message(&app, json!({"channel": "email", "contact": id_of(&bob), "subject": "Later", "body": "Hi again"}))
            .await;
    work(&app).await;
    let waiting = reread(&app, &later).await;
    assert_eq!(waiting["status"], "queued", "{waiting}");
    assert!(waiting["error"].as_str().unwrap().starts_with("attempt 1:"), "{waiting}");
    use_smtp(&app, &sink, "billing@relata.test").await;
    app.app.app.store.clock().advance(chrono::Duration::minutes(5));
    work(&app).await;
    let delivered = reread(&app, &later).await;
    assert_eq!((delivered["status"].as_str(), delivered["attempts"].as_i64()), (Some("sent"), Some(2)), "{delivered}");
    app.app.app.store.clock().advance(chrono::Duration::hours(2));
    work(&app).await;
    let mails = sink.received();
    assert_eq!(mails.iter().filter(|m| m.contains("Subject: Later")).count(), 1, "never sent twice");
}

async fn sms_go_through_the_gateway_and_failures_are_retried_once(app: TestApp) {
    app.app.app.allow_private_webhooks.store(true, std::sync::atomic::Ordering::SeqCst);
    let (url, gateway) = gateway().await;
    let settings = json!({"url": url, "auth_header": "Authorization", "auth_value": "Bearer s3cret", "sender": "Relata",
                          "success_contains": "accepted"});
    let put = app.put_as(&app.token, "/api/v1/channels/sms", &settings).await.expect(200).body;
    assert_eq!(put["settings"]["auth_value_set"], true);
    assert!(put["settings"].get("auth_value").is_none(), "the secret is never shown: {put}");
    let rep = app.member("rep@sms.test", "sales_rep").await;
    app.get_as(&rep.token, "/api/v1/channels/sms").await.expect(403);

    let jan =
        app.create("contacts", json!({"first_name": "Jan", "last_name": "Nowak", "phones": ["+48 601 234 567"]})).await;
    let sms = message(&app, json!({"channel": "sms", "contact": id_of(&jan), "body": "Your \"order\" is ready"})).await;
    assert_eq!(sms["to_address"], "+48601234567");
    assert_eq!(sms["subject"], "SMS: Your \"order\" is ready");
    *gateway.failures.lock().unwrap() = 1;
    work(&app).await;
    let retried = reread(&app, &sms).await;
    assert_eq!(retried["status"], "queued");
    assert!(retried["error"].as_str().unwrap().contains("500"), "{retried}");
    app.app.app.store.clock().advance(chrono::Duration::minutes(5));
    work(&app).await;
    let sent = reread(&app, &sms).await;
    assert_eq!((sent["status"].as_str(), sent["provider_id"].as_str()), (Some("sent"), Some("gw-1")), "{sent}");
    app.app.app.store.clock().advance(chrono::Duration::hours(2));
    work(&app).await;
    let requests = gateway.requests.lock().unwrap().clone();
    assert_eq!(requests.len(), 1, "sent once");
    let (auth, body) = &requests[0];
    assert_eq!(auth, "Bearer s3cret");
    assert_eq!(body, &json!({"to": "+48601234567", "from": "Relata", "text": "Your \"order\" is ready"}));
    // The gateway reports the delivery back.
    let report = format!("/api/v1/messages/{}/delivery", id_of(&sms));
    assert_eq!(app.post(&report, &json!({"status": "read"})).await.expect(422).error_fields(), ["status"]);
    let delivered = app.post(&report, &json!({"status": "delivered"})).await.expect(200).body;
    assert_eq!(delivered["status"], "delivered");

    // Consent withdrawn for SMS: blocked at send time.
    app.post(
        &format!("/api/v1/contacts/{}/consents", id_of(&jan)),
        &json!({"channel": "sms", "status": "withdrawn", "source": "phone call"}),
    )
    .await
    .expect(201);
    let after = message(&app, json!({"channel": "sms", "contact": id_of(&jan), "body": "Hello again"})).await;
    work(&app).await;
    assert_eq!(reread(&app, &after).await["status"], "blocked");
    let report = format!("/api/v1/messages/{}/delivery", id_of(&after));
    assert_eq!(app.post(&report, &json!({"status": "delivered"})).await.expect(422).error_codes(), ["not_sent"]);
    assert_eq!(gateway.requests.lock().unwrap().len(), 1);
}

async fn letters_collect_in_a_print_batch_printed_as_one_pdf(app: TestApp) {
    let account = app
        .create("accounts", json!({"name": "Żuraw Sp. z o.o.", "street": "ul. Długa 1", "postal_code": "80-001", "city": "Gdańsk", "country": "PL"}))
        .await;
    let ewa = app
        .create(
            "contacts",
            json!({"first_name": "Ewa", "last_name": "Zając", "account": id_of(&account), "language": "pl"}),
        )
        .await;
    let olaf = app
        .create("contacts", json!({"first_name": "Olaf", "last_name": "Berg", "street": "Storgatan 2", "city": "Malmö", "country": "SE"}))
        .await;
    let letter = app
        .create(
            "message_templates",
            json!({"name": "Price change", "key": "price_change", "channel": "letter", "subject": "New prices from {{today}}",
                   "body": "Dear {{contact.first_name}},\nour prices change next month."}),
        )
        .await;
    let first = message(&app, json!({"channel": "letter", "contact": id_of(&ewa), "template": id_of(&letter)})).await;
    let second = message(&app, json!({"channel": "letter", "contact": id_of(&olaf), "template": id_of(&letter)})).await;
    assert_eq!(
        first["postal_address"], "Ewa Zając\nŻuraw Sp. z o.o.\nul. Długa 1\n80-001 Gdańsk\nPL",
        "the account's address"
    );
    assert_eq!(second["postal_address"], "Olaf Berg\nStorgatan 2\nMalmö\nSE", "the contact's own address");
    assert_eq!(first["print_batch"], second["print_batch"], "one open batch");
    let nowhere = app.create("contacts", json!({"last_name": "Nowhere"})).await;
    let refused = app
        .post("/api/v1/messages", &json!({"channel": "letter", "contact": id_of(&nowhere), "template": id_of(&letter)}))
        .await;
    assert_eq!(refused.expect(422).error_fields(), ["postal_address"]);

    let batch_id = first["print_batch"].as_str().unwrap().to_string();
    let batch = app.get(&format!("/api/v1/print_batches/{batch_id}")).await.expect(200).body;
    assert_eq!((batch["status"].as_str(), batch["letters"].as_i64()), (Some("open"), Some(2)));
    let pdf = download(&app, &format!("/api/v1/print_batches/{batch_id}/pdf")).await;
    assert!(pdf.starts_with(b"%PDF"));
    let text = pdf_text(&pdf);
    for expected in ["Ewa Zając", "ul. Długa 1", "Dear Ewa,", "Olaf Berg", "Dear Olaf,", "New prices from"] {
        assert!(text.contains(expected), "{expected:?} in {text}");
    }
    assert_eq!(text.matches('\u{c}').count(), 2, "a page per letter: {text:?}");
    // People do not make batches; they post them.
    app.post("/api/v1/print_batches", &json!({})).await.expect(403);
    let posted = app.post(&format!("/api/v1/print_batches/{batch_id}/posted"), &json!({})).await.expect(200).body;
    assert_eq!(posted["status"], "posted");
    assert_eq!(reread(&app, &first).await["status"], "sent");
    assert_eq!(
        app.post(&format!("/api/v1/print_batches/{batch_id}/posted"), &json!({})).await.expect(422).error_fields(),
        ["status"]
    );
    let third = message(&app, json!({"channel": "letter", "contact": id_of(&ewa), "template": id_of(&letter)})).await;
    assert_ne!(third["print_batch"], first["print_batch"], "a new batch after posting");
}

async fn templates_and_settings_refuse_bad_input_by_field(app: TestApp) {
    let bad = |body: Json| {
        let app = &app;
        async move { app.post("/api/v1/message_templates", &body).await.expect(422) }
    };
    let unbalanced =
        bad(json!({"name": "x", "key": "x", "channel": "email", "subject": "Hi", "body": "Dear {{contact.first_name"}))
            .await;
    assert_eq!(
        (unbalanced.error_fields(), unbalanced.error_codes()),
        (vec!["body".to_string()], vec!["unbalanced_braces".to_string()])
    );
    let unknown = bad(json!({"name": "x", "key": "x", "channel": "email", "subject": "{{invoice.number}}", "entity": "contacts", "body": "Hi {{contact.nickname}}"})).await;
    assert_eq!(unknown.error_fields(), ["subject", "body"]);
    assert!(unknown.body["errors"][1]["message"].as_str().unwrap().contains("contact.nickname"), "{}", unknown.body);
    let duplicate = bad(json!({"name": "x", "key": "birthday_email", "channel": "email", "language": "pl", "subject": "x", "body": "x"})).await;
    assert_eq!(duplicate.error_codes(), ["duplicate"]);
    assert!(app.list_all("message_templates", "&filter=key%20%3D%20%22x%22").await.is_empty(), "nothing saved");
    // Settings: every problem by field, nothing stored.
    let settings = json!({"host": "smtp.example.com", "port": 70000, "security": "none", "password": "pw", "from_address": "nobody"});
    let refused = app.put_as(&app.token, "/api/v1/channels/email", &settings).await.expect(422);
    assert_eq!(refused.error_fields(), ["port", "security", "from_address"]);
    assert_eq!(app.get("/api/v1/channels/email").await.expect(200).body["settings"], Json::Null);
    app.get("/api/v1/channels/fax").await.expect(422);
    // A message without an address to go to.
    let nobody = app.create("contacts", json!({"last_name": "Nobody"})).await;
    let none = app
        .post("/api/v1/messages", &json!({"channel": "email", "contact": id_of(&nobody), "subject": "x", "body": "y"}))
        .await;
    assert_eq!(none.expect(422).error_fields(), ["to_address"]);
}

async fn channel_settings_rules_and_batches_work_from_the_pages(app: TestApp) {
    use crate::web::{browser, page};
    use reqwest::Method;
    app.member("boss@pages.test", "admin").await;
    app.member("rep@pages.test", "sales_rep").await;
    let admin = browser(&app, "boss@pages.test").await;
    let (status, _, html) = page(&app, &admin, Method::GET, "/settings/channels", &[]).await;
    assert_eq!(status, 200);
    assert!(html.contains("SMTP server") && html.contains("SMS gateway"), "{html}");
    let bad = [
        ("csrf_token", admin.csrf.as_str()),
        ("host", "127.0.0.1"),
        ("port", "0"),
        ("security", "none"),
        ("from_address", "billing@pages.test"),
    ];
    let (status, _, html) = page(&app, &admin, Method::POST, "/settings/channels/email", &bad).await;
    assert_eq!(status, 422);
    assert!(html.contains("a port number"), "{html}");
    let good = [
        ("csrf_token", admin.csrf.as_str()),
        ("host", "127.0.0.1"),
        ("port", "2525"),
        ("security", "none"),
        ("password", "pw"),
        ("from_address", "billing@pages.test"),
    ];
    let (status, _, html) = page(&app, &admin, Method::POST, "/settings/channels/email", &good).await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("Saved the email settings"));
    let shown = app.get("/api/v1/channels/email").await.expect(200).body;
    assert_eq!(
        (shown["settings"]["port"].as_u64(), shown["settings"]["password_set"].as_bool()),
        (Some(2525), Some(true))
    );
    // Saved again without the password: it is kept.
    let again = [good[0], good[1], good[2], good[3], good[5]];
    let (status, _, _) = page(&app, &admin, Method::POST, "/settings/channels/email", &again).await;
    assert_eq!(status, 200);
    assert_eq!(app.get("/api/v1/channels/email").await.expect(200).body["settings"]["password_set"], true);
    let rep = browser(&app, "rep@pages.test").await;
    let (status, _, _) = page(&app, &rep, Method::GET, "/settings/channels", &[]).await;
    assert_eq!(status, 403);

    // The dunning rule's page: its dry run, and resuming it.
    let rule = app.list_all("automation_rules", "&filter=name%20%3D%20%22Dunning%20ladder%22").await.remove(0);
    let path = format!("/automation_rules/{}", id_of(&rule));
    let (status, _, html) = page(&app, &admin, Method::GET, &path, &[]).await;
    assert_eq!(status, 200);
    assert!(html.contains("Dry run") && html.contains("Resume") && html.contains("Runs"), "{html}");
    let (status, _, html) = page(&app, &admin, Method::GET, &format!("{path}/dry_run"), &[]).await;
    assert_eq!(status, 200);
    assert!(html.contains("Dry run: Dunning ladder") && html.contains("No record would be acted on now"), "{html}");
    assert!(html.contains("Send email with template dunning_reminder"), "{html}");
    let version = rule["version"].as_i64().unwrap().to_string();
    let resume = [("csrf_token", admin.csrf.as_str()), ("active", "true"), ("version", version.as_str())];
    let (status, location, _) = page(&app, &admin, Method::POST, &format!("{path}/active"), &resume).await;
    assert_eq!((status, location.as_str()), (303, path.as_str()));
    assert_eq!(app.get(&format!("/api/v1{path}")).await.expect(200).body["active"], true);

    // A print batch's page: download, then mark posted.
    let ewa = app
        .create("contacts", json!({"first_name": "Ewa", "last_name": "Lis", "street": "Polna 1", "city": "Sopot"}))
        .await;
    let letter =
        message(&app, json!({"channel": "letter", "contact": id_of(&ewa), "subject": "Hello", "body": "Dear Ewa"}))
            .await;
    let batch = format!("/print_batches/{}", letter["print_batch"].as_str().unwrap());
    let (status, _, html) = page(&app, &admin, Method::GET, &batch, &[]).await;
    assert_eq!(status, 200);
    assert!(html.contains("Download letters (PDF)") && html.contains("Mark posted"), "{html}");
    let (status, location, _) =
        page(&app, &admin, Method::POST, &format!("{batch}/posted"), &[("csrf_token", admin.csrf.as_str())]).await;
    assert_eq!((status, location.as_str()), (303, batch.as_str()));
    assert_eq!(reread(&app, &letter).await["status"], "sent");
}
