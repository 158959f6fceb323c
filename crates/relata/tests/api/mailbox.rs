//! People's own mailboxes, synced from a real IMAP server (Dovecot on
//! loopback, which scripts/test installs): mail to and from known contacts
//! is logged once, stays when deleted from the mailbox, survives a new
//! UIDVALIDITY and a worker killed in the middle of a large folder, and is
//! private to its owner unless they share it.

use crate::helpers::{TestApp, id_of, serve_process};
use serde_json::{Value as Json, json};
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Duration;

crate::both_backends!(
    mail_with_known_contacts_is_logged_once_and_shared_as_its_owner_chooses,
    a_sync_killed_mid_folder_loses_and_doubles_nothing,
    erasing_a_person_erases_the_mail_of_every_mailbox_and_its_attachments
);

const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/imap_server.py");
pub(crate) const ANNA: &str = "anna@example.com";
pub(crate) const SECRET: &str = "app-password";

/// A real IMAP server on a free port, stopped when dropped.
pub(crate) struct ImapServer {
    pub(crate) port: u16,
    child: std::process::Child,
    _dir: PathBuf,
}

impl Drop for ImapServer {
    fn drop(&mut self) {
        // Closing its standard input stops Dovecot and removes its folder.
        drop(self.child.stdin.take());
        let _ = self.child.wait();
    }
}

impl ImapServer {
    pub(crate) fn start() -> ImapServer {
        use std::io::BufRead;
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let dir = std::env::temp_dir().join(format!("relata-imap-{}", uuid::Uuid::now_v7()));
        let mut child = Command::new("python3")
            .args([FIXTURE, "serve", &port.to_string(), dir.to_str().unwrap(), &format!("{ANNA}:{SECRET}")])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("python3 runs the IMAP fixture");
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        assert_eq!(line.trim(), "ready", "Dovecot starts (is dovecot-imapd installed? scripts/test installs it)");
        ImapServer { port, child, _dir: dir }
    }

    pub(crate) fn run(&self, args: &[&str], input: Option<String>) {
        let port = self.port.to_string();
        let mut all = vec![FIXTURE, args[0], &port, ANNA, SECRET];
        all.extend(&args[1..]);
        let mut child = Command::new("python3").args(&all).stdin(Stdio::piped()).spawn().unwrap();
        child.stdin.take().unwrap().write_all(input.unwrap_or_default().as_bytes()).unwrap();
        assert!(child.wait().unwrap().success(), "imap_server.py {args:?}");
    }

    pub(crate) fn append(&self, folder: &str, messages: &[String]) {
        self.run(&["append", folder], Some(serde_json::to_string(messages).unwrap()));
    }
}

pub(crate) fn mail(from: &str, to: &str, subject: &str, id: &str, extra: &str) -> String {
    format!(
        "From: {from}\r\nTo: {to}\r\nSubject: {subject}\r\nMessage-ID: <{id}>\r\n\
         Date: Thu, 03 Dec 2026 10:00:00 +0000\r\n{extra}\r\nAbout {subject}.\r\n"
    )
}

fn settings(port: u16, sharing: &str) -> Json {
    json!({"host": "127.0.0.1", "port": port, "security": "none", "username": ANNA, "password": SECRET,
           "address": ANNA, "folders": ["INBOX", "Clients"], "sharing": sharing})
}

async fn sync(app: &TestApp) {
    app.post("/api/v1/mailbox/sync", &json!({})).await.expect(202);
    crate::channels::work(app).await;
}

async fn emails(app: &TestApp) -> Vec<Json> {
    app.list_all("emails", "").await
}

fn by_subject<'a>(list: &'a [Json], subject: &str) -> &'a Json {
    list.iter().find(|e| e["subject"] == subject).unwrap_or_else(|| panic!("{subject} in {list:?}"))
}

/// A message to `to` with a small PDF attached.
pub(crate) fn mail_with_pdf(from: &str, to: &str, subject: &str, id: &str) -> String {
    let with_pdf = concat!(
        "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n",
        "--b\r\nContent-Type: text/plain\r\n\r\nThe offer is attached.\r\n",
        "--b\r\nContent-Type: application/pdf; name=offer.pdf\r\nContent-Disposition: attachment; filename=offer.pdf\r\n",
        "Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n--b--\r\n"
    );
    mail(from, to, subject, id, "").replace(&format!("\r\nAbout {subject}.\r\n"), "") + with_pdf
}

async fn mail_with_known_contacts_is_logged_once_and_shared_as_its_owner_chooses(app: TestApp) {
    let imap = ImapServer::start();
    let acme = app.create("accounts", json!({"name": "Acme", "website": "https://www.acme.pl/"})).await;
    let jan = app
        .create(
            "contacts",
            json!({"first_name": "Jan", "last_name": "Kowalski", "emails": ["jan@acme.pl"], "account": id_of(&acme)}),
        )
        .await;

    // Bad settings are refused by field, and nothing is stored.
    let bad = json!({"host": "", "port": 70000, "security": "none", "username": ANNA, "address": "anna",
                     "folders": ["IN\"BOX"], "sharing": "all"});
    let refused = app.put_as(&app.token, "/api/v1/mailbox", &bad).await.expect_problem(422, "validation").body;
    let fields: Vec<&str> =
        refused["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    for field in ["host", "port", "password", "address", "folders[0]", "sharing"] {
        assert!(fields.contains(&field), "{field} in {fields:?}");
    }
    assert_eq!(app.get("/api/v1/mailbox").await.expect(200).body["mailbox"], Json::Null);
    app.post("/api/v1/mailbox/sync", &json!({})).await.expect_problem(422, "validation");

    // Webhooks: another administrator's subscription gets nothing of the
    // mail (the owner's own does).
    app.app.app.allow_private_webhooks.store(true, std::sync::atomic::Ordering::SeqCst);
    let admin = app.member("second-admin@example.com", "admin").await;
    let hook = json!({"url": "http://127.0.0.1:9/hook", "events": ["email.*"]});
    let theirs = app.post_as(&admin.token, "/api/v1/webhooks", &hook).await.expect(201).body;
    let mine = app.post("/api/v1/webhooks", &hook).await.expect(201).body;

    let shown = app.put_as(&app.token, "/api/v1/mailbox", &settings(imap.port, "nothing")).await.expect(200).body;
    assert_eq!(shown["mailbox"]["password"], json!(true), "the password is never shown: {shown}");

    imap.append(
        "INBOX",
        &[
            mail("Jan Kowalski <jan@acme.pl>", ANNA, "Order 1", "order-1@acme.pl", ""),
            mail("spam@unknown.example", ANNA, "Win a prize", "spam@unknown.example", ""),
            mail("piotr@acme.pl", ANNA, "From the company", "piotr-1@acme.pl", ""),
            mail(
                "jan@acme.pl",
                ANNA,
                "Re: Order 1",
                "order-2@acme.pl",
                "In-Reply-To: <order-1@acme.pl>\r\nReferences: <order-1@acme.pl>\r\n",
            ),
        ],
    );
    imap.append("Clients", &[mail_with_pdf(ANNA, "jan@acme.pl", "Your offer", "offer@example.com")]);
    sync(&app).await;

    let logged = emails(&app).await;
    assert_eq!(logged.len(), 4, "known people's mail only: {logged:?}");
    let order = by_subject(&logged, "Order 1");
    assert_eq!(
        (&order["contact"], &order["account"], order["direction"].as_str()),
        (&jan["id"], &acme["id"], Some("inbound"))
    );
    assert!(order["body"].as_str().unwrap().contains("About Order 1"));
    let company = by_subject(&logged, "From the company");
    assert_eq!((&company["contact"], &company["account"]), (&Json::Null, &acme["id"]), "matched by the domain");
    let reply = by_subject(&logged, "Re: Order 1");
    assert_eq!(
        (reply["thread"].as_str(), reply["in_reply_to"].as_str()),
        (Some("order-1@acme.pl"), Some("order-1@acme.pl"))
    );
    let offer = by_subject(&logged, "Your offer");
    assert_eq!(
        (offer["direction"].as_str(), &offer["contact"], offer["folder"].as_str()),
        (Some("outbound"), &jan["id"], Some("Clients"))
    );
    // Its attachment is kept, and served to the owner as a download.
    let listed: Json = serde_json::from_str(offer["attachments"].as_str().unwrap()).unwrap();
    assert_eq!(listed[0]["name"], "offer.pdf", "{listed}");
    let pdf = app.get(&format!("/api/v1/emails/{}/attachments/0", id_of(offer))).await;
    assert_eq!(pdf.status, 200);
    assert_eq!(pdf.header("content-disposition"), Some("attachment; filename=\"offer.pdf\""));
    app.get(&format!("/api/v1/emails/{}/attachments/1", id_of(offer))).await.expect(404);
    relata_app::feed::consume_available(&app.app.app, &relata_app::webhooks::WebhookConsumer).await.unwrap();
    let deliveries = |sub: &Json| {
        let (app, path) = (&app, format!("/api/v1/webhooks/{}/deliveries?limit=100", id_of(sub)));
        async move { app.get(&path).await.expect(200).body["data"].as_array().unwrap().len() }
    };
    assert_eq!(
        (deliveries(&mine).await, deliveries(&theirs).await),
        (4, 0),
        "private mail reaches its owner's hooks only"
    );
    let timeline = app.get(&format!("/api/v1/contacts/{}/timeline", id_of(&jan))).await.expect(200).body;
    let on_timeline = timeline["data"].as_array().unwrap().iter().filter(|i| i["type"] == "email").count();
    assert_eq!(on_timeline, 3, "{timeline}");

    // Again: nothing twice. A message deleted in the mailbox stays, and a
    // folder made anew (a new UIDVALIDITY) is read again without doubles.
    let before = app.get("/api/v1/mailbox").await.expect(200).body["mailbox"]["folder_state"].clone();
    sync(&app).await;
    assert_eq!(emails(&app).await.len(), 4);
    imap.run(&["expunge", "INBOX", "Order 1"], None);
    imap.run(&["recreate", "Clients"], None);
    imap.append("Clients", &[mail(ANNA, "jan@acme.pl", "Second offer", "offer-2@example.com", "")]);
    sync(&app).await;
    let logged = emails(&app).await;
    assert_eq!(logged.len(), 5, "{logged:?}");
    by_subject(&logged, "Order 1");
    by_subject(&logged, "Second offer");
    let after = app.get("/api/v1/mailbox").await.expect(200).body["mailbox"].clone();
    assert_ne!(before[1]["uid_validity"], after["folder_state"][1]["uid_validity"], "{before} {after}");
    assert_eq!(after["last_sync"]["error"], Json::Null, "{after}");

    // A folder that is not there is reported, and the others still sync.
    let mut missing = settings(imap.port, "nothing");
    missing["folders"] = json!(["Gone", "INBOX"]);
    app.put_as(&app.token, "/api/v1/mailbox", &missing).await.expect(200);
    imap.append("INBOX", &[mail("jan@acme.pl", ANNA, "Still synced", "still@acme.pl", "")]);
    sync(&app).await;
    by_subject(&emails(&app).await, "Still synced");
    let state = app.get("/api/v1/mailbox").await.expect(200).body["mailbox"]["last_sync"].clone();
    assert!(state["error"].as_str().is_some_and(|e| e.contains("Gone")), "{state}");
    app.put_as(&app.token, "/api/v1/mailbox", &settings(imap.port, "nothing")).await.expect(200);

    // Private: a colleague, an administrator too, sees none of it.
    let rep = app.member("manager@example.com", "manager").await;
    for viewer in [&rep, &admin] {
        let list = app.get_as(&viewer.token, "/api/v1/emails").await.expect(200).body;
        assert_eq!(list["data"], json!([]), "{list}");
        app.get_as(&viewer.token, &format!("/api/v1/emails/{}", id_of(order))).await.expect(404);
        let path = format!("/api/v1/emails/{}/attachments/0", id_of(by_subject(&logged, "Your offer")));
        app.get_as(&viewer.token, &path).await.expect(404);
    }
    let shared = |viewer: String| {
        let app = &app;
        let path = format!("/api/v1/contacts/{}/timeline", id_of(&jan));
        async move {
            let t = app.get_as(&viewer, &path).await.expect(200).body;
            let items: Vec<Json> = t["data"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|i| i["type"].as_str().unwrap().ends_with("email"))
                .cloned()
                .collect();
            items
        }
    };
    assert!(shared(rep.token.clone()).await.is_empty(), "shared with nobody");

    // Subject and people: colleagues see those on the customer's timeline.
    app.put_as(
        &app.token,
        "/api/v1/mailbox",
        &json!({"host": "127.0.0.1", "port": imap.port, "security": "none",
        "username": ANNA, "address": ANNA, "folders": ["INBOX", "Clients"], "sharing": "subject_and_people"}),
    )
    .await
    .expect(200);
    let items = shared(rep.token.clone()).await;
    assert_eq!(items.len(), 5, "{items:?}");
    assert!(items.iter().all(|i| i["type"] == "shared_email" && i["record"]["body"].is_null()), "{items:?}");
    assert!(items.iter().any(|i| i["record"]["subject"] == "Order 1" && i["record"]["from_address"] == "jan@acme.pl"));
    // The owner sees their own as emails, not twice.
    let own = shared(app.token.clone()).await;
    assert_eq!(own.len(), 5, "{own:?}");
    assert!(own.iter().all(|i| i["type"] == "email"));

    // Everything: the body too.
    app.put_as(&app.token, "/api/v1/mailbox", &settings(imap.port, "everything")).await.expect(200);
    let items = shared(rep.token.clone()).await;
    assert!(
        items.iter().any(|i| i["record"]["body"].as_str().is_some_and(|b| b.contains("About Order 1"))),
        "{items:?}"
    );

    // Writing from the contact's page: the form comes prefilled, and what
    // Anna writes goes out through her own SMTP server, from her address.
    {
        use crate::web::{browser, page};
        let session = browser(&app, "second-admin@example.com").await;
        let (status, _, html) =
            page(&app, &session, reqwest::Method::GET, &format!("/contacts/{}", id_of(&jan)), &[]).await;
        assert_eq!(status, 200);
        let compose = format!("/messages/new?channel=email&#38;contact={}&#38;account={}", id_of(&jan), id_of(&acme));
        assert!(html.contains("Write an email") && html.contains(&compose), "{html}");
    }
    let sink = crate::channels::SmtpSink::start();
    let mut own = settings(imap.port, "everything");
    own["smtp_host"] = json!("127.0.0.1");
    own["smtp_port"] = json!(sink.port);
    own["smtp_security"] = json!("none");
    let shown = app.put_as(&app.token, "/api/v1/mailbox", &own).await.expect(200).body;
    assert_eq!(shown["mailbox"]["smtp_host"], "127.0.0.1", "{shown}");
    let written =
        json!({"channel": "email", "contact": id_of(&jan), "subject": "About your order", "body": "Dear Jan"});
    let message = app.post("/api/v1/messages", &written).await.expect(201).body;
    crate::channels::work(&app).await;
    let sent = app.get(&format!("/api/v1/messages/{}", id_of(&message))).await.expect(200).body;
    assert_eq!((sent["status"].as_str(), sent["from_address"].as_str()), (Some("sent"), Some(ANNA)), "{sent}");
    let received = sink.received();
    assert_eq!(received.len(), 1);
    let through_hers = format!("X-Sink-Login: {ANNA}\r\n");
    assert!(received[0].starts_with(&through_hers), "signed in as Anna: {}", received[0]);
    assert!(
        received[0].contains(&format!("From: {ANNA}")) && received[0].contains("About your order"),
        "{}",
        received[0]
    );

    // Disconnected: the mail logged stays.
    app.delete("/api/v1/mailbox").await.expect(204);
    assert_eq!(app.get("/api/v1/mailbox").await.expect(200).body["mailbox"], Json::Null);
    assert_eq!(emails(&app).await.len(), 6);
}

/// A worker process killed with SIGKILL in the middle of a large folder:
/// the next worker takes the job over and goes on from the checkpoint;
/// every message is logged exactly once.
async fn a_sync_killed_mid_folder_loses_and_doubles_nothing(app: TestApp) {
    const MESSAGES: usize = 600;
    let imap = ImapServer::start();
    app.create("contacts", json!({"last_name": "Nowak", "emails": ["ewa@nowak.example"]})).await;
    let all: Vec<String> = (0..MESSAGES)
        .map(|i| mail("ewa@nowak.example", ANNA, &format!("Note {i}"), &format!("note-{i}@nowak.example"), ""))
        .collect();
    imap.append("INBOX", &all);
    let mut mailbox = settings(imap.port, "nothing");
    mailbox["folders"] = json!(["INBOX"]);
    app.put_as(&app.token, "/api/v1/mailbox", &mailbox).await.expect(200);
    let server = serve_process(&app).await;
    let client = reqwest::Client::new();
    let last_uid = || {
        let (client, base, token) = (client.clone(), server.1.clone(), app.token.clone());
        async move {
            let shown: Json = client
                .get(format!("{base}/api/v1/mailbox"))
                .bearer_auth(token)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            shown["mailbox"]["folder_state"][0]["last_uid"].as_u64().unwrap_or(0)
        }
    };
    app.post("/api/v1/mailbox/sync", &json!({})).await.expect(202);

    let worker = |lease: &str| {
        let mut args = app.db().cli_args();
        args.extend(["worker", "--workers", "1", "--job-lease", lease].map(String::from));
        Command::new(env!("CARGO_BIN_EXE_relata"))
            .args(&args)
            .env("RELATA_LOG", "error")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("relata worker starts")
    };
    let mut first = worker("2");
    let mut killed_at = 0;
    for _ in 0..1200 {
        killed_at = last_uid().await;
        if killed_at > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    first.kill().unwrap(); // SIGKILL, mid-folder
    first.wait().unwrap();
    assert!(killed_at > 0 && (killed_at as usize) < MESSAGES, "killed mid-folder: at UID {killed_at} of {MESSAGES}");

    // The next worker takes the job over when its lease runs out.
    let mut second = worker("2");
    let mut done = 0;
    for _ in 0..1200 {
        done = last_uid().await;
        if done as usize == MESSAGES {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    second.kill().unwrap();
    second.wait().unwrap();
    assert_eq!(done as usize, MESSAGES, "the sync went on to the end");
    drop(server);
    let logged = app.list_all("emails", "").await;
    let mut ids: Vec<&str> = logged.iter().map(|e| e["message_id"].as_str().unwrap()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!((logged.len(), ids.len()), (MESSAGES, MESSAGES), "every message once");
}

/// Erasure is Relata's: it reaches every mailbox's mail about the person
/// (private to their owners, written by Relata only, every field read-only),
/// and the attachments' bytes; the next sync does not bring them back.
async fn erasing_a_person_erases_the_mail_of_every_mailbox_and_its_attachments(app: TestApp) {
    let imap = ImapServer::start();
    let jan =
        app.create("contacts", json!({"first_name": "Jan", "last_name": "Kowalski", "emails": ["jan@acme.pl"]})).await;
    let rep = app.member("rep@example.com", "sales_rep").await;
    app.put_as(&rep.token, "/api/v1/mailbox", &settings(imap.port, "everything")).await.expect(200);
    imap.append(
        "INBOX",
        &[
            mail("Jan Kowalski <jan@acme.pl>", ANNA, "Order 1", "order-1@acme.pl", ""),
            mail_with_pdf(ANNA, "jan@acme.pl", "Your offer", "offer@example.com"),
        ],
    );
    let sync_as_rep = || async {
        app.post_as(&rep.token, "/api/v1/mailbox/sync", &json!({})).await.expect(202);
        crate::channels::work(&app).await;
    };
    sync_as_rep().await;
    let reps_mail =
        || async { app.get_as(&rep.token, "/api/v1/emails?limit=100").await.expect(200).body["data"].clone() };
    let logged = reps_mail().await;
    assert_eq!(logged.as_array().unwrap().len(), 2, "{logged}");
    let offer = by_subject(logged.as_array().unwrap(), "Your offer").clone();
    assert_eq!(emails(&app).await.len(), 0, "the administrator does not see the rep's mail");

    let erased = app.post(&format!("/api/v1/contacts/{}/erase", id_of(&jan)), &json!({})).await.expect(200).body;
    assert_eq!(erased["emails"], 2, "{erased}");
    for _ in 0..2 {
        let after = reps_mail().await;
        let after = after.as_array().unwrap();
        assert_eq!(after.len(), 2, "the mail stays, anonymised: {after:?}");
        for email in after {
            for field in ["subject", "from_address", "to_addresses", "body", "attachments"] {
                assert_eq!(email[field], Json::Null, "{field} of {email}");
            }
            assert!(email["message_id"].is_string(), "kept, so that the next sync knows it: {email}");
        }
        let attachment = format!("/api/v1/emails/{}/attachments/0", id_of(&offer));
        app.get_as(&rep.token, &attachment).await.expect(404);
        let mut conn = app.app.app.store.read(app.workspace.id).await.unwrap();
        let id = offer["id"].as_str().unwrap().parse().unwrap();
        assert!(conn.file("email", id, 0).await.unwrap().is_none(), "the attachment's bytes are gone");
        let found = app.get_as(&rep.token, "/api/v1/search?q=offer").await.expect(200).body;
        assert!(!found.to_string().contains(&id_of(&offer)), "the search entry is gone: {found}");
        // The next sync finds the messages logged and leaves them erased.
        sync_as_rep().await;
    }
}
