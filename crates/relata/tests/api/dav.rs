//! CardDAV and CalDAV under `/dav`: discovery, sign-in with app passwords,
//! the address book and calendar a subscription selects, objects written
//! and read back through the CRM's write path (keeping what the CRM does
//! not hold), ETags, sync-collection, free-busy, permissions, hidden fields
//! and bad input; then real clients: vdirsyncer both ways, the Python
//! `caldav` library, and the `tsdav` CardDAV client. On both backends.

use crate::helpers::{TestApp, id_of, version_of};
use reqwest::Method;
use serde_json::{Value as Json, json};

crate::both_backends!(
    discovery_and_sign_in,
    the_address_book_reads_writes_and_syncs,
    the_calendar_keeps_recurrences_and_answers_free_busy,
    permissions_hidden_fields_and_bad_input_hold_over_dav,
    vdirsyncer_syncs_contacts_and_events_both_ways,
    python_caldav_round_trips_recurring_events_and_tasks,
    a_carddav_client_syncs_an_address_book,
    the_connect_page_gives_addresses_subscription_and_app_passwords,
);

const ADMIN: &str = "admin@relata.localhost";

/// A DAV client's answer.
struct Answer {
    status: u16,
    headers: reqwest::header::HeaderMap,
    body: String,
}

impl Answer {
    #[track_caller]
    fn expect(self, status: u16) -> Answer {
        assert_eq!(self.status, status, "unexpected status; body: {}", self.body);
        self
    }

    fn header(&self, name: &str) -> Option<String> {
        self.headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_string)
    }

    /// The hrefs of the multistatus responses that carry this text.
    fn hrefs(&self) -> Vec<String> {
        self.body
            .split("<d:response>")
            .skip(1)
            .filter_map(|r| r.split("<d:href>").nth(1)?.split("</d:href>").next().map(str::to_string))
            .collect()
    }
}

/// One DAV request signed in with Basic (email and token).
async fn dav(
    app: &TestApp,
    (email, token): (&str, &str),
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> Answer {
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let mut request = client
        .request(Method::from_bytes(method.as_bytes()).unwrap(), format!("{}{path}", app.base))
        .basic_auth(email, Some(token))
        .body(body.to_string());
    for (k, v) in headers {
        request = request.header(*k, *v);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    Answer { status, headers, body: response.text().await.unwrap() }
}

fn propfind_body(props: &str) -> String {
    format!(
        r#"<?xml version="1.0"?><d:propfind xmlns:d="DAV:" xmlns:card="urn:ietf:params:xml:ns:carddav" xmlns:cal="urn:ietf:params:xml:ns:caldav" xmlns:cs="http://calendarserver.org/ns/"><d:prop>{props}</d:prop></d:propfind>"#
    )
}

fn sync_body(token: Option<&str>, data: &str) -> String {
    format!(
        r#"<d:sync-collection xmlns:d="DAV:" xmlns:card="urn:ietf:params:xml:ns:carddav" xmlns:cal="urn:ietf:params:xml:ns:caldav"><d:sync-token>{}</d:sync-token><d:sync-level>1</d:sync-level><d:prop><d:getetag/>{data}</d:prop></d:sync-collection>"#,
        token.unwrap_or("")
    )
}

fn between<'a>(text: &'a str, start: &str, end: &str) -> Option<&'a str> {
    text.split(start).nth(1)?.split(end).next()
}

fn sync_token_of(answer: &Answer) -> String {
    between(&answer.body, "<d:sync-token>", "</d:sync-token>").expect("a sync token").to_string()
}

fn book(user: &str) -> String {
    format!("/dav/addressbooks/{user}/contacts/")
}

fn calendar(user: &str) -> String {
    format!("/dav/calendars/{user}/crm/")
}

/// The contacts the API lists with a filter.
async fn contacts_where(app: &TestApp, filter: &str) -> Vec<Json> {
    app.list_all("contacts", &format!("&filter={}", encode(filter))).await
}

fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") })
        .collect()
}

async fn discovery_and_sign_in(app: TestApp) {
    let me = (ADMIN, app.token.as_str());
    let admin = app.admin_id().await;
    // RFC 6764: the well-known addresses lead to the root.
    for well_known in ["/.well-known/carddav", "/.well-known/caldav"] {
        let a = dav(&app, me, "PROPFIND", well_known, &[], "").await.expect(301);
        assert_eq!(a.header("location").as_deref(), Some("/dav/"));
    }
    let options = dav(&app, me, "OPTIONS", "/dav/", &[], "").await.expect(200);
    assert!(
        options.header("dav").unwrap().contains("addressbook")
            && options.header("dav").unwrap().contains("calendar-access")
    );
    let root = dav(&app, me, "PROPFIND", "/dav/", &[("depth", "0")], &propfind_body("<d:current-user-principal/>"))
        .await
        .expect(207);
    let principal = format!("/dav/principals/{admin}/");
    assert!(root.body.contains(&format!("<d:current-user-principal><d:href>{principal}</d:href>")), "{}", root.body);
    let homes = dav(
        &app,
        me,
        "PROPFIND",
        &principal,
        &[("depth", "0")],
        &propfind_body("<card:addressbook-home-set/><cal:calendar-home-set/><cal:calendar-user-address-set/><d:displayname/><d:unknown-thing/>"),
    )
    .await
    .expect(207);
    assert!(homes.body.contains(&format!("<card:addressbook-home-set><d:href>/dav/addressbooks/{admin}/</d:href>")));
    assert!(homes.body.contains(&format!("<cal:calendar-home-set><d:href>/dav/calendars/{admin}/</d:href>")));
    assert!(homes.body.contains("mailto:admin@relata.localhost"));
    assert!(homes.body.contains("<d:unknown-thing/></d:prop><d:status>HTTP/1.1 404 Not Found"), "{}", homes.body);
    // The homes list one collection each, with their types.
    let home = dav(
        &app,
        me,
        "PROPFIND",
        &format!("/dav/addressbooks/{admin}/"),
        &[("depth", "1")],
        &propfind_body("<d:resourcetype/><cs:getctag/><d:sync-token/><card:supported-address-data/>"),
    )
    .await
    .expect(207);
    assert_eq!(home.hrefs(), [format!("/dav/addressbooks/{admin}/"), book(&admin)]);
    assert!(home.body.contains("<d:collection/><card:addressbook/>"));
    assert!(home.body.contains("<cs:getctag>urn:relata:sync:"));
    assert!(home.body.contains(r#"version="3.0""#));
    let cal = dav(
        &app,
        me,
        "PROPFIND",
        &calendar(&admin),
        &[("depth", "0")],
        &propfind_body("<d:resourcetype/><cal:supported-calendar-component-set/>"),
    )
    .await
    .expect(207);
    assert!(cal.body.contains("<cal:calendar/>") && cal.body.contains(r#"<cal:comp name="VTODO"/>"#));

    // Sign-in: the email and an API token (an app password); nothing else.
    let wrong = dav(&app, (ADMIN, "rlt_not-a-token"), "PROPFIND", "/dav/", &[], "").await.expect(401);
    assert!(wrong.header("www-authenticate").unwrap().starts_with("Basic realm=\"Relata\""));
    dav(&app, ("someone@else.example", &app.token), "PROPFIND", "/dav/", &[], "").await.expect(401);
    let rep = app.member("rep@example.com", "sales_rep").await;
    dav(&app, ("rep@example.com", &rep.token), "PROPFIND", "/dav/", &[], "").await.expect(401);
    let unauthenticated = reqwest::Client::new()
        .request(Method::from_bytes(b"PROPFIND").unwrap(), format!("{}/dav/", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(unauthenticated.status(), 401);
    let telephony = app.token_with_scope("telephony").await;
    dav(&app, (ADMIN, &telephony), "PROPFIND", "/dav/", &[], "").await.expect(403);
    // Another user's collections are theirs.
    dav(&app, me, "PROPFIND", &book(&rep.user), &[("depth", "0")], &propfind_body("<d:getetag/>")).await.expect(403);
    dav(&app, me, "MKCOL", &format!("/dav/addressbooks/{admin}/other/"), &[], "").await.expect(403);
    dav(&app, me, "PROPFIND", "/dav/nowhere/at/all/x/y", &[], "").await.expect(404);
}

const CARD3: &str = "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:phone-anna-1\r\nFN:Anna Kowalska\r\nN:Kowalska;Anna;Maria;;\r\nNICKNAME:Ania\r\nTEL;TYPE=CELL:+48 601 234 567\r\nTEL;TYPE=WORK:*100#\r\nEMAIL;TYPE=INTERNET:anna@example.pl\r\nADR;TYPE=WORK:;;ul. Długa 5;Gdańsk;pomorskie;80-001;Poland\r\nBDAY:1985-04-12\r\nX-PHONE-APP-FLAG:favourite\r\nEND:VCARD\r\n";

async fn the_address_book_reads_writes_and_syncs(app: TestApp) {
    let me = (ADMIN, app.token.as_str());
    let admin = app.admin_id().await;
    let book = book(&admin);
    let jan = app
        .create(
            "contacts",
            json!({"first_name": "Jan", "last_name": "Nowak", "emails": ["jan@example.pl"], "city": "Gdańsk"}),
        )
        .await;
    let ola = app.create("contacts", json!({"first_name": "Ola", "last_name": "Wiśniewska", "city": "Kraków"})).await;
    let listed = dav(&app, me, "PROPFIND", &book, &[("depth", "1")], &propfind_body("<d:getetag/><d:getcontenttype/>"))
        .await
        .expect(207);
    let jan_href = format!("{book}{}.vcf", id_of(&jan));
    assert!(listed.hrefs().contains(&jan_href), "{}", listed.body);
    assert_eq!(listed.hrefs().len(), 3, "the collection and its two contacts: {}", listed.body);
    let card = dav(&app, me, "GET", &jan_href, &[], "").await.expect(200);
    assert_eq!(card.header("content-type").as_deref(), Some("text/vcard; charset=utf-8"));
    assert!(card.body.starts_with("BEGIN:VCARD\r\nVERSION:4.0\r\n"), "{}", card.body);
    assert!(card.body.contains("FN:Jan Nowak\r\n") && card.body.contains("EMAIL:jan@example.pl\r\n"));
    assert!(card.body.contains("ADR:;;;Gdańsk;;;\r\n"), "{}", card.body);
    let etag = card.header("etag").unwrap();

    // A first sync, then a change, a removal and a new contact.
    let first = dav(&app, me, "REPORT", &book, &[], &sync_body(None, "")).await.expect(207);
    assert_eq!(first.hrefs().len(), 2);
    let token = sync_token_of(&first);
    app.patch(&format!("/api/v1/contacts/{}", id_of(&jan)), version_of(&jan), &json!({"title": "CFO"}))
        .await
        .expect(200);
    app.delete(&format!("/api/v1/contacts/{}", id_of(&ola))).await.expect(200);
    let changed =
        dav(&app, me, "REPORT", &book, &[], &sync_body(Some(&token), "<card:address-data/>")).await.expect(207);
    assert_eq!(changed.hrefs(), [jan_href.clone(), format!("{book}{}.vcf", id_of(&ola))], "{}", changed.body);
    assert!(changed.body.contains("TITLE:CFO"));
    assert!(changed.body.contains("<d:status>HTTP/1.1 404 Not Found</d:status>"));
    let new_etag = between(&changed.body, "<d:getetag>", "</d:getetag>").unwrap().replace("&quot;", "\"");
    assert_ne!(new_etag, etag);
    let next = sync_token_of(&changed);
    let limited = sync_body(Some(&token), "")
        .replace("</d:sync-level>", "</d:sync-level><d:limit><d:nresults>1</d:nresults></d:limit>");
    let over = dav(&app, me, "REPORT", &book, &[], &limited).await.expect(507);
    assert!(over.body.contains("number-of-matches-within-limits"));
    let quiet = dav(&app, me, "REPORT", &book, &[], &sync_body(Some(&next), "")).await.expect(207);
    assert!(quiet.hrefs().is_empty(), "{}", quiet.body);
    let forged = dav(&app, me, "REPORT", &book, &[], &sync_body(Some("urn:relata:sync:bm9wZQ"), "")).await.expect(403);
    assert!(forged.body.contains("valid-sync-token"));

    // A phone adds a contact as vCard 3.0: an ordinary change, and what the
    // CRM does not hold comes back.
    let anna_href = format!("{book}phone-anna-1.vcf");
    let put = dav(&app, me, "PUT", &anna_href, &[("if-none-match", "*"), ("content-type", "text/vcard")], CARD3)
        .await
        .expect(201);
    let anna_etag = put.header("etag").unwrap();
    let anna = contacts_where(&app, "last_name = \"Kowalska\"").await;
    assert_eq!(anna.len(), 1);
    assert_eq!(anna[0]["first_name"], "Anna");
    assert_eq!(anna[0]["phones"], json!(["+48601234567"]));
    assert_eq!(anna[0]["emails"], json!(["anna@example.pl"]));
    assert_eq!(anna[0]["city"], "Gdańsk");
    assert_eq!(anna[0]["birthday"], "1985-04-12");
    let history = app.get(&format!("/api/v1/contacts/{}/history", id_of(&anna[0]))).await.expect(200).body;
    assert_eq!(history["data"].as_array().unwrap().len(), 1, "one change in the change log: {history}");
    let back = dav(&app, me, "GET", &anna_href, &[], "").await.expect(200);
    assert_eq!(back.header("etag"), Some(anna_etag.clone()));
    for kept in [
        "VERSION:3.0",
        "UID:phone-anna-1",
        "NICKNAME:Ania",
        "TEL;TYPE=CELL:+48 601 234 567",
        "TEL;TYPE=WORK:*100#",
        "X-PHONE-APP-FLAG:favourite",
        "N:Kowalska;Anna;Maria;;",
    ] {
        assert!(back.body.contains(kept), "{kept} is kept: {}", back.body);
    }
    dav(&app, me, "PUT", &anna_href, &[("if-none-match", "*")], CARD3).await.expect(412);
    // Edited in the CRM: the card follows, the rest stays.
    app.patch(&format!("/api/v1/contacts/{}", id_of(&anna[0])), version_of(&anna[0]), &json!({"city": "Sopot"}))
        .await
        .expect(200);
    let moved = dav(&app, me, "GET", &anna_href, &[], "").await.expect(200);
    assert!(moved.body.contains("Sopot") && moved.body.contains("NICKNAME:Ania"), "{}", moved.body);
    dav(&app, me, "PUT", &anna_href, &[("if-match", &anna_etag)], CARD3).await.expect(412);
    let edited = CARD3.replace("NICKNAME:Ania", "NICKNAME:Anka").replace("BDAY:1985-04-12", "BDAY:1985-04-13");
    let moved_etag = moved.header("etag").unwrap();
    dav(&app, me, "PUT", &anna_href, &[("if-match", &moved_etag)], &edited).await.expect(204);
    let anna = contacts_where(&app, "last_name = \"Kowalska\"").await;
    assert_eq!(anna[0]["birthday"], "1985-04-13");
    assert_eq!(anna[0]["city"], "Gdańsk", "the card says Gdańsk again");
    let multiget = format!(
        r#"<card:addressbook-multiget xmlns:d="DAV:" xmlns:card="urn:ietf:params:xml:ns:carddav"><d:prop><d:getetag/><card:address-data/></d:prop><d:href>{anna_href}</d:href><d:href>{book}missing.vcf</d:href></card:addressbook-multiget>"#
    );
    let got = dav(&app, me, "REPORT", &book, &[], &multiget).await.expect(207);
    assert!(got.body.contains("NICKNAME:Anka"));
    assert!(got.body.contains("missing.vcf</d:href><d:status>HTTP/1.1 404 Not Found"));
    // A change only the kept card holds (a nickname) reaches other
    // clients' syncs too, though the contact did not change.
    let before = sync_token_of(&dav(&app, me, "REPORT", &book, &[], &sync_body(None, "")).await.expect(207));
    let served = dav(&app, me, "GET", &anna_href, &[], "").await.expect(200);
    let renamed = served.body.replace("NICKNAME:Anka", "NICKNAME:Anusia");
    let put =
        dav(&app, me, "PUT", &anna_href, &[("if-match", &served.header("etag").unwrap())], &renamed).await.expect(204);
    let seen = dav(&app, me, "REPORT", &book, &[], &sync_body(Some(&before), "<card:address-data/>")).await.expect(207);
    assert_eq!(seen.hrefs(), vec![anna_href.clone()], "{}", seen.body);
    assert!(
        seen.body.contains("NICKNAME:Anusia")
            && seen.body.contains(&put.header("etag").unwrap().replace('"', "&quot;"))
    );

    // Deleted from the phone: to the trash, through the write path.
    let last = dav(&app, me, "GET", &anna_href, &[], "").await.header("etag").unwrap();
    dav(&app, me, "DELETE", &anna_href, &[("if-match", "\"0-0-x\"")], "").await.expect(412);
    dav(&app, me, "DELETE", &anna_href, &[("if-match", &last)], "").await.expect(204);
    assert!(contacts_where(&app, "last_name = \"Kowalska\"").await.is_empty());
    dav(&app, me, "GET", &anna_href, &[], "").await.expect(404);
    // Made again under the same name and UID: a new contact.
    dav(&app, me, "PUT", &anna_href, &[("if-none-match", "*")], CARD3).await.expect(201);
    assert_eq!(contacts_where(&app, "last_name = \"Kowalska\"").await.len(), 1);
    // A name a live contact outside the collection goes by is not taken over.
    let outside = app.create("contacts", json!({"first_name": "Other", "last_name": "Owner"})).await;
    let taken = format!("{book}{}.vcf", id_of(&outside));
    app.put_as(&app.token, "/api/v1/sync/dav", &json!({"contacts": "last_name != \"Owner\""})).await.expect(200);
    dav(&app, me, "PUT", &taken, &[], &CARD3.replace("phone-anna-1", "other-1")).await.expect(409);
    app.put_as(&app.token, "/api/v1/sync/dav", &json!({"contacts": "owner = me"})).await.expect(200);

    // The subscription chooses what the address book shows.
    let sub = app.get("/api/v1/sync/dav").await.expect(200).body;
    assert_eq!(sub["contacts"], "owner = me");
    assert!(sub["carddav"].as_str().unwrap().ends_with(&book));
    let token = sync_token_of(&dav(&app, me, "REPORT", &book, &[], &sync_body(None, "")).await.expect(207));
    app.put_as(&app.token, "/api/v1/sync/dav", &json!({"contacts": "city = \"Gdańsk\""})).await.expect(200);
    let narrowed =
        dav(&app, me, "PROPFIND", &book, &[("depth", "1")], &propfind_body("<d:getetag/>")).await.expect(207);
    assert_eq!(narrowed.hrefs(), [book.clone(), jan_href.clone(), anna_href.clone()]);
    // Tokens from before the change would miss what left: sync again.
    dav(&app, me, "REPORT", &book, &[], &sync_body(Some(&token), "")).await.expect(403);
    let bad = app
        .put_as(&app.token, "/api/v1/sync/dav", &json!({"contacts": "city = = 1", "activities": 7}))
        .await
        .expect(422);
    assert_eq!(bad.error_fields(), ["contacts", "activities"]);
    assert_eq!(app.get("/api/v1/sync/dav").await.body["contacts"], "city = \"Gdańsk\"");
}

const RECURRING: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//EN\r\nBEGIN:VTIMEZONE\r\nTZID:Europe/Warsaw\r\nBEGIN:STANDARD\r\nDTSTART:19701025T030000\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\nBEGIN:VEVENT\r\nUID:weekly-standup\r\nDTSTAMP:20261201T000000Z\r\nDTSTART;TZID=Europe/Warsaw:20261207T090000\r\nDTEND;TZID=Europe/Warsaw:20261207T100000\r\nRRULE:FREQ=WEEKLY;COUNT=10\r\nEXDATE;TZID=Europe/Warsaw:20261214T090000\r\nSUMMARY:Sales stand-up\r\nATTENDEE;CN=Jan:mailto:jan@example.pl\r\nBEGIN:VALARM\r\nACTION:DISPLAY\r\nDESCRIPTION:Soon\r\nTRIGGER:-PT10M\r\nEND:VALARM\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:weekly-standup\r\nDTSTAMP:20261201T000000Z\r\nRECURRENCE-ID;TZID=Europe/Warsaw:20261221T090000\r\nDTSTART;TZID=Europe/Warsaw:20261221T113000\r\nDTEND;TZID=Europe/Warsaw:20261221T123000\r\nSUMMARY:Sales stand-up (moved)\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";

async fn the_calendar_keeps_recurrences_and_answers_free_busy(app: TestApp) {
    let me = (ADMIN, app.token.as_str());
    let admin = app.admin_id().await;
    let cal = calendar(&admin);
    let jan =
        app.create("contacts", json!({"first_name": "Jan", "last_name": "Nowak", "emails": ["jan@example.pl"]})).await;
    // An activity concerns a customer: an event nobody of the CRM attends is refused.
    let lonely = RECURRING.replace("ATTENDEE;CN=Jan:mailto:jan@example.pl", "ATTENDEE:mailto:stranger@example.com");
    let refused = dav(&app, me, "PUT", &format!("{cal}lonely.ics"), &[], &lonely).await.expect(400);
    assert!(refused.body.contains("invite one of your contacts"), "{}", refused.body);
    let href = format!("{cal}weekly-standup.ics");
    dav(&app, me, "PUT", &href, &[("content-type", "text/calendar")], RECURRING).await.expect(201);
    let meetings = app.list_all("activities", &format!("&filter={}", encode("subject = \"Sales stand-up\""))).await;
    assert_eq!(meetings.len(), 1);
    assert_eq!(meetings[0]["kind"], "meeting");
    assert_eq!(meetings[0]["contact"], json!(id_of(&jan)), "linked to the attendee");
    assert_eq!(meetings[0]["start_at"], "2026-12-07T08:00:00.000000Z");
    assert_eq!(meetings[0]["end_at"], "2026-12-07T09:00:00.000000Z");
    let back = dav(&app, me, "GET", &href, &[], "").await.expect(200);
    for kept in [
        "RRULE:FREQ=WEEKLY;COUNT=10",
        "EXDATE;TZID=Europe/Warsaw:20261214T090000",
        "RECURRENCE-ID;TZID=Europe/Warsaw:20261221T090000",
        "BEGIN:VALARM",
        "ATTENDEE;CN=Jan:mailto:jan@example.pl",
        "TZID:Europe/Warsaw",
        "DTSTART;TZID=Europe/Warsaw:20261207T090000",
    ] {
        assert!(back.body.contains(kept), "{kept} is kept: {}", back.body);
    }
    // Moved an hour later in the CRM: the event moves in its own time zone.
    app.patch(
        &format!("/api/v1/activities/{}", id_of(&meetings[0])),
        version_of(&meetings[0]),
        &json!({"start_at": "2026-12-07T09:00:00Z", "end_at": "2026-12-07T10:00:00Z"}),
    )
    .await
    .expect(200);
    let moved = dav(&app, me, "GET", &href, &[], "").await.expect(200);
    assert!(moved.body.contains("DTSTART;TZID=Europe/Warsaw:20261207T100000"), "{}", moved.body);
    assert!(moved.body.contains("RRULE:FREQ=WEEKLY;COUNT=10"));
    // A call from the CRM is an event; a task a VTODO.
    let jan_id = id_of(&jan);
    app.create("activities", json!({"kind": "call", "subject": "Call Jan", "contact": jan_id, "start_at": "2026-12-08T12:00:00Z", "end_at": "2026-12-08T12:15:00Z"})).await;
    let task = app
        .create(
            "activities",
            json!({"kind": "task", "subject": "Send offer", "contact": jan_id, "due_at": "2026-12-09T16:00:00Z"}),
        )
        .await;
    app.create("activities", json!({"kind": "note", "subject": "A note is not in a calendar", "contact": jan_id}))
        .await;
    let listed = dav(&app, me, "REPORT", &cal, &[], &sync_body(None, "<cal:calendar-data/>")).await.expect(207);
    assert_eq!(listed.hrefs().len(), 3, "{}", listed.body);
    assert!(listed.body.contains("X-RELATA-KIND:call") && listed.body.contains("BEGIN:VTODO"));
    assert!(listed.body.contains(&format!("X-RELATA-CONTACT:{jan_id}")));
    // A calendar-query with a time range sees the recurrence's instances.
    let query = |component: &str, start: &str, end: &str| {
        format!(
            r#"<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><D:getetag/></D:prop><C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="{component}"><C:time-range start="{start}" end="{end}"/></C:comp-filter></C:comp-filter></C:filter></C:calendar-query>"#
        )
    };
    let january =
        dav(&app, me, "REPORT", &cal, &[("depth", "1")], &query("VEVENT", "20270111T000000Z", "20270112T000000Z"))
            .await
            .expect(207);
    assert_eq!(january.hrefs(), vec![href.clone()], "a weekly instance on 11 January: {}", january.body);
    let excluded =
        dav(&app, me, "REPORT", &cal, &[], &query("VEVENT", "20261214T000000Z", "20261215T000000Z")).await.expect(207);
    assert!(excluded.hrefs().is_empty(), "14 December is an EXDATE: {}", excluded.body);
    let todos =
        dav(&app, me, "REPORT", &cal, &[], &query("VTODO", "20261201T000000Z", "20261231T000000Z")).await.expect(207);
    assert_eq!(todos.hrefs(), [format!("{cal}{}.ics", id_of(&task))]);
    // Free-busy: the instances, the moved exception, the call.
    let fb = r#"<C:free-busy-query xmlns:C="urn:ietf:params:xml:ns:caldav"><C:time-range start="20261207T000000Z" end="20261222T000000Z"/></C:free-busy-query>"#;
    let busy = dav(&app, me, "REPORT", &cal, &[], fb).await.expect(200);
    assert_eq!(busy.header("content-type").as_deref(), Some("text/calendar; charset=utf-8"));
    let periods: Vec<&str> = busy.body.lines().filter(|l| l.starts_with("FREEBUSY")).collect();
    assert_eq!(
        periods,
        [
            "FREEBUSY;FBTYPE=BUSY:20261207T090000Z/20261207T100000Z",
            "FREEBUSY;FBTYPE=BUSY:20261208T120000Z/20261208T121500Z",
            "FREEBUSY;FBTYPE=BUSY:20261221T103000Z/20261221T113000Z",
        ],
        "{}",
        busy.body
    );
    // A task completed on the phone is done in the CRM.
    let task_href = format!("{cal}{}.ics", id_of(&task));
    let todo = dav(&app, me, "GET", &task_href, &[], "").await.expect(200);
    let completed = todo.body.replace("STATUS:NEEDS-ACTION", "STATUS:COMPLETED");
    dav(&app, me, "PUT", &task_href, &[("if-match", &todo.header("etag").unwrap())], &completed).await.expect(204);
    let task = app.get(&format!("/api/v1/activities/{}", id_of(&task))).await.expect(200).body;
    assert_eq!(task["done"], true);
    assert_eq!(task["kind"], "task");
}

async fn permissions_hidden_fields_and_bad_input_hold_over_dav(app: TestApp) {
    let me = (ADMIN, app.token.as_str());
    let admin = app.admin_id().await;
    let book = book(&admin);
    // A token that may only read reads.
    let reader = app.token_with_scope("read").await;
    let card = "BEGIN:VCARD\r\nVERSION:4.0\r\nUID:x1\r\nFN:Read Only\r\nEND:VCARD\r\n";
    dav(&app, (ADMIN, &reader), "PUT", &format!("{book}x1.vcf"), &[], card).await.expect(403);
    dav(&app, (ADMIN, &reader), "PROPFIND", &book, &[("depth", "1")], &propfind_body("<d:getetag/>")).await.expect(207);
    // Bad objects: a clear message, nothing written.
    let before = app.list_all("contacts", "").await.len();
    for (body, says) in [
        ("BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Broken\r\n", "never ended"),
        ("BEGIN:VCARD\r\nVERSION:2.1\r\nFN:Old\r\nEND:VCARD\r\n", "2.1 is not supported"),
        ("BEGIN:VCARD\r\nVERSION:4.0\r\nEMAIL:a@b.example\r\nEND:VCARD\r\n", "needs a name"),
        ("not a vcard at all", "not a vcard at all"),
        (
            "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:A B\r\nBDAY:19850412\r\nX-JUNK;=x:1\r\nEND:VCARD\r\n",
            "parameter without a name",
        ),
    ] {
        let a = dav(&app, me, "PUT", &format!("{book}bad.vcf"), &[], body).await.expect(400);
        assert!(a.body.contains("valid-address-data") && a.body.contains(says), "{says}: {}", a.body);
    }
    let latin1 = b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ma\xf1ana\r\nEND:VCARD\r\n".to_vec();
    let client = reqwest::Client::new();
    let refused = client
        .put(format!("{}{book}latin1.vcf", app.base))
        .basic_auth(ADMIN, Some(&app.token))
        .body(latin1)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 400);
    assert!(refused.text().await.unwrap().contains("not UTF-8"));
    let long_name = dav(&app, me, "PUT", &format!("{book}{}.vcf", "x".repeat(300)), &[], card).await.expect(400);
    assert!(long_name.body.contains("not a name"));
    let too_big = format!("BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Big\r\nNOTE:{}\r\nEND:VCARD\r\n", "x".repeat(1_100_000));
    dav(&app, me, "PUT", &format!("{book}big.vcf"), &[], &too_big).await.expect(400);
    // A card whose fields the CRM refuses (a last name over 200 characters).
    let refused = format!("BEGIN:VCARD\r\nVERSION:4.0\r\nN:{};Anna;;;\r\nFN:x\r\nEND:VCARD\r\n", "K".repeat(300));
    let a = dav(&app, me, "PUT", &format!("{book}refused.vcf"), &[], &refused).await.expect(400);
    assert!(a.body.contains("last_name"), "{}", a.body);
    assert_eq!(app.list_all("contacts", "").await.len(), before, "nothing was written");
    let cal = calendar(&admin);
    for (body, says) in [
        ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n", "no VEVENT"),
        (
            "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:a\r\nDTSTART;TZID=Mars/Olympus:20260101T000000\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
            "unknown time zone",
        ),
        (
            "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:a\r\nDTSTART:20260102T000000Z\r\nDTEND:20260101T000000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
            "ends before",
        ),
        (
            "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:a\r\nDTSTART:20260101T000000Z\r\nEND:VEVENT\r\nBEGIN:VTODO\r\nUID:a\r\nEND:VTODO\r\nEND:VCALENDAR\r\n",
            "not both",
        ),
    ] {
        let a = dav(&app, me, "PUT", &format!("{cal}bad.ics"), &[], body).await.expect(400);
        assert!(a.body.contains("valid-calendar-data") && a.body.contains(says), "{says}: {}", a.body);
    }
    assert!(app.list_all("activities", "").await.is_empty());
    dav(&app, me, "REPORT", &book, &[], "<d:sync-collection").await.expect(400);
    dav(&app, me, "REPORT", &book, &[], r#"<d:expand-property xmlns:d="DAV:"/>"#).await.expect(400);
    dav(&app, me, "PROPFIND", &book, &[], "<x>").await.expect(400);

    // A field hidden from a role never travels in a card, not even from
    // what a client of someone else sent.
    let rights = json!({"create": true, "read": "all", "update": "all", "delete": "all", "export": false});
    let role = json!({
        "label": "No phones",
        "entities": {"contacts": rights},
        "fields": {"contacts": {"phones": "hidden", "birthday": "hidden"}},
    });
    app.put_as(&app.token, "/api/v1/roles/no_phones", &role).await.expect(200);
    let viewer = app.member("viewer@example.com", "no_phones").await;
    let viewer_token =
        app.post_as(&viewer.token, "/api/v1/tokens", &json!({"name": "phone"})).await.expect(201).body["secret"]
            .as_str()
            .unwrap()
            .to_string();
    let them = ("viewer@example.com", viewer_token.as_str());
    let viewer_book = crate::dav::book(&viewer.user);
    app.put_as(&viewer.token, "/api/v1/sync/dav", &json!({"contacts": "created_at is not null"})).await.expect(200);
    let card = "BEGIN:VCARD\r\nVERSION:4.0\r\nUID:shared-1\r\nFN:Piotr Zieliński\r\nTEL:+48 601 999 888\r\nTEL:*555#\r\nBDAY:19900101\r\nBDAY:--0412\r\nEND:VCARD\r\n";
    dav(&app, me, "PUT", &format!("{book}shared-1.vcf"), &[], card).await.expect(201);
    let seen = dav(&app, them, "GET", &format!("{viewer_book}shared-1.vcf"), &[], "").await.expect(200);
    assert!(seen.body.contains("FN:Piotr Zieliński"), "{}", seen.body);
    // The card's revision time may hold any digits: the hidden values are looked for elsewhere.
    let without_revision = |body: &str| body.lines().filter(|l| !l.contains("REV:")).collect::<Vec<_>>().join("\n");
    let card_seen = without_revision(&seen.body);
    for hidden in ["TEL", "601", "555", "BDAY", "1990", "0412"] {
        assert!(!card_seen.contains(hidden), "{hidden} is hidden: {}", seen.body);
    }
    let synced =
        dav(&app, them, "REPORT", &viewer_book, &[], &sync_body(None, "<card:address-data/>")).await.expect(207);
    let card_synced = without_revision(&synced.body);
    assert!(
        card_synced.contains("Zieli") && !card_synced.contains("601") && !card_synced.contains("BDAY"),
        "{}",
        synced.body
    );
    // What they send back cannot write the hidden fields, nor wipe them.
    let edited = seen
        .body
        .replace("N:Zieliński;Piotr", "N:Zieliński-Nowak;Piotr")
        .replace("END:VCARD", "TEL:+48 500 000 000\r\nEND:VCARD");
    dav(
        &app,
        them,
        "PUT",
        &format!("{viewer_book}shared-1.vcf"),
        &[("if-match", &seen.header("etag").unwrap())],
        &edited,
    )
    .await
    .expect(204);
    let piotr = contacts_where(&app, "first_name = \"Piotr\"").await;
    assert_eq!(piotr[0]["last_name"], "Zieliński-Nowak");
    assert_eq!(piotr[0]["phones"], json!(["+48601999888"]), "the hidden phones stay as they were");
    assert_eq!(piotr[0]["birthday"], "1990-01-01");
}

/// Where `scripts/test` installed the DAV clients' npm packages.
fn node_modules() -> std::path::PathBuf {
    std::env::var_os("RELATA_NODE_MODULES")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::path::PathBuf::from("/var/tmp/relata-node/node_modules"))
}

/// Runs a program, panicking with its output unless it succeeds.
fn run(program: &str, args: &[&str], dir: &std::path::Path, env: &[(&str, &str)], input: Option<&str>) -> String {
    use std::io::Write;
    let mut command = std::process::Command::new(program);
    command
        .args(args)
        .current_dir(dir)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    for (k, v) in env {
        command.env(k, v);
    }
    let mut child = command.spawn().unwrap_or_else(|e| panic!("{program} runs (scripts/test installs it): {e}"));
    if let Some(text) = input {
        child.stdin.take().unwrap().write_all(text.as_bytes()).unwrap();
    }
    drop(child.stdin.take());
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "{program} {args:?} failed:\n{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    stdout
}

async fn run_blocking(
    program: &'static str,
    args: Vec<String>,
    dir: std::path::PathBuf,
    env: Vec<(String, String)>,
) -> String {
    tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        run(program, &args, &dir, &env, None)
    })
    .await
    .unwrap()
}

async fn vdirsyncer_syncs_contacts_and_events_both_ways(app: TestApp) {
    let admin = app.admin_id().await;
    let dir = tempfile_dir("vdirsyncer");
    let config = format!(
        r#"[general]
status_path = "{dir}/status/"

[pair contacts]
a = "relata_contacts"
b = "local_contacts"
collections = null
conflict_resolution = "a wins"

[storage relata_contacts]
type = "carddav"
url = "{base}{book}"
username = "{ADMIN}"
password = "{token}"

[storage local_contacts]
type = "filesystem"
path = "{dir}/contacts/"
fileext = ".vcf"

[pair events]
a = "relata_calendar"
b = "local_calendar"
collections = null
conflict_resolution = "a wins"

[storage relata_calendar]
type = "caldav"
url = "{base}{cal}"
username = "{ADMIN}"
password = "{token}"

[storage local_calendar]
type = "filesystem"
path = "{dir}/calendar/"
fileext = ".ics"
"#,
        dir = dir.display(),
        base = app.base,
        book = book(&admin),
        cal = calendar(&admin),
        token = app.token,
    );
    std::fs::create_dir_all(dir.join("contacts")).unwrap();
    std::fs::create_dir_all(dir.join("calendar")).unwrap();
    std::fs::write(dir.join("config"), config).unwrap();
    let sync = || {
        run_blocking(
            "vdirsyncer",
            vec!["-c".into(), dir.join("config").display().to_string(), "sync".into()],
            dir.clone(),
            vec![],
        )
    };
    let jan = app.create("contacts", json!({"first_name": "Jan", "last_name": "Nowak", "phones": ["+48 601 111 222"], "emails": ["jan@example.pl"]})).await;
    app.create("activities", json!({"kind": "meeting", "subject": "Kick-off", "contact": id_of(&jan), "start_at": "2026-12-10T09:00:00Z", "end_at": "2026-12-10T10:00:00Z"})).await;
    run_blocking(
        "vdirsyncer",
        vec!["-c".into(), dir.join("config").display().to_string(), "discover".into()],
        dir.clone(),
        vec![],
    )
    .await;
    sync().await;
    let jan_file = dir.join("contacts").join(format!("{}.vcf", id_of(&jan)));
    let local = std::fs::read_to_string(&jan_file).unwrap_or_else(|e| panic!("{}: {e}", jan_file.display()));
    assert!(local.contains("FN:Jan Nowak") && local.contains("+48601111222"), "{local}");
    let events: Vec<_> = std::fs::read_dir(dir.join("calendar")).unwrap().flatten().collect();
    assert_eq!(events.len(), 1);
    assert!(std::fs::read_to_string(events[0].path()).unwrap().contains("SUMMARY:Kick-off"));

    // Edited locally (a phone, a nickname the CRM does not hold), a new
    // card and a recurring event made locally: up they go.
    std::fs::write(
        &jan_file,
        local.replace("FN:Jan Nowak", "FN:Jan Nowak\r\nNICKNAME:Janek\r\nTEL;TYPE=work:+48 22 555 01 02"),
    )
    .unwrap();
    std::fs::write(dir.join("contacts").join("local-ewa.vcf"), "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:local-ewa\r\nFN:Ewa Lis\r\nN:Lis;Ewa;;;\r\nEMAIL:ewa@example.pl\r\nEND:VCARD\r\n").unwrap();
    std::fs::write(dir.join("calendar").join("weekly-standup.ics"), RECURRING).unwrap();
    sync().await;
    let jan_now = app.get(&format!("/api/v1/contacts/{}", id_of(&jan))).await.expect(200).body;
    assert_eq!(jan_now["phones"], json!(["+48225550102", "+48601111222"]), "in the card's order");
    let ewa = contacts_where(&app, "last_name = \"Lis\"").await;
    assert_eq!(ewa.len(), 1);
    assert_eq!(ewa[0]["emails"], json!(["ewa@example.pl"]));
    let standup = app.list_all("activities", &format!("&filter={}", encode("subject = \"Sales stand-up\""))).await;
    assert_eq!(standup.len(), 1);
    assert_eq!(standup[0]["start_at"], "2026-12-07T08:00:00.000000Z");

    // Edited in the CRM: down it comes, and what it did not hold is kept.
    let jan_now = app
        .patch(&format!("/api/v1/contacts/{}", id_of(&jan)), version_of(&jan_now), &json!({"title": "Buyer"}))
        .await
        .expect(200)
        .body;
    app.patch(
        &format!("/api/v1/activities/{}", id_of(&standup[0])),
        version_of(&standup[0]),
        &json!({"subject": "Stand-up"}),
    )
    .await
    .expect(200);
    sync().await;
    let local = std::fs::read_to_string(&jan_file).unwrap();
    assert!(
        local.contains("TITLE:Buyer")
            && local.contains("NICKNAME:Janek")
            && local.contains("TEL;TYPE=work:+48 22 555 01 02"),
        "{local}"
    );
    let event = std::fs::read_to_string(dir.join("calendar").join("weekly-standup.ics")).unwrap();
    for kept in [
        "SUMMARY:Stand-up",
        "RRULE:FREQ=WEEKLY;COUNT=10",
        "RECURRENCE-ID;TZID=Europe/Warsaw:20261221T090000",
        "DTSTART;TZID=Europe/Warsaw:20261207T090000",
    ] {
        assert!(event.contains(kept), "{kept}: {event}");
    }
    // Deleted locally: to the CRM's trash.
    std::fs::remove_file(&jan_file).unwrap();
    sync().await;
    app.get(&format!("/api/v1/contacts/{}", id_of(&jan_now))).await.expect(404);
    let _ = std::fs::remove_dir_all(&dir);
}

fn tempfile_dir(what: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("relata-{what}-{}", uuid::Uuid::now_v7().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

const CALDAV_SCRIPT: &str = r#"
import json, sys, datetime
import caldav
url, user, password = sys.argv[1], sys.argv[2], sys.argv[3]
recurring = sys.stdin.read()
client = caldav.DAVClient(url=url, username=user, password=password)
principal = client.principal()
calendars = principal.calendars()
assert len(calendars) == 1, calendars
calendar = calendars[0]
calendar.save_event(recurring)
todo = calendar.save_todo("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VTODO\r\nUID:py-todo-1\r\nATTENDEE:mailto:jan@example.pl\r\nSUMMARY:Prepare the offer\r\nDUE:20261211T150000Z\r\nEND:VTODO\r\nEND:VCALENDAR\r\n")
out = {}
event = calendar.event_by_uid("weekly-standup")
out["event"] = event.data
found = calendar.search(start=datetime.datetime(2027, 1, 11, tzinfo=datetime.timezone.utc), end=datetime.datetime(2027, 1, 12, tzinfo=datetime.timezone.utc), event=True)
out["january"] = [str(e.url) for e in found]
todos = calendar.todos()
out["todos"] = [t.data for t in todos]
todos[0].complete()
out["after_complete"] = [t.data for t in calendar.todos(include_completed=True)]
fb = calendar.freebusy_request(datetime.datetime(2026, 12, 7, tzinfo=datetime.timezone.utc), datetime.datetime(2026, 12, 15, tzinfo=datetime.timezone.utc))
out["freebusy"] = fb.data
print(json.dumps(out))
"#;

async fn python_caldav_round_trips_recurring_events_and_tasks(app: TestApp) {
    app.create("contacts", json!({"first_name": "Jan", "last_name": "Nowak", "emails": ["jan@example.pl"]})).await;
    let dir = tempfile_dir("caldav");
    std::fs::write(dir.join("client.py"), CALDAV_SCRIPT).unwrap();
    let url = format!("{}/dav/", app.base);
    let (token, d) = (app.token.clone(), dir.clone());
    let out = tokio::task::spawn_blocking(move || {
        run("python3", &["client.py", &url, ADMIN, &token], &d, &[], Some(RECURRING))
    })
    .await
    .unwrap();
    let out: Json = serde_json::from_str(out.trim().lines().last().unwrap()).unwrap();
    let event = out["event"].as_str().unwrap();
    for kept in [
        "RRULE:FREQ=WEEKLY;COUNT=10",
        "EXDATE;TZID=Europe/Warsaw:20261214T090000",
        "RECURRENCE-ID;TZID=Europe/Warsaw:20261221T090000",
        "DTSTART;TZID=Europe/Warsaw:20261221T113000",
        "BEGIN:VALARM",
    ] {
        assert!(event.contains(kept), "{kept}: {event}");
    }
    assert_eq!(out["january"].as_array().unwrap().len(), 1, "{out}");
    assert!(out["todos"][0].as_str().unwrap().contains("SUMMARY:Prepare the offer"));
    assert!(out["after_complete"][0].as_str().unwrap().contains("STATUS:COMPLETED"), "{out}");
    let fb = out["freebusy"].as_str().unwrap();
    assert!(fb.contains("FREEBUSY;FBTYPE=BUSY:20261207T080000Z/20261207T090000Z"), "{fb}");
    assert!(!fb.contains("20261214"), "the EXDATE is free: {fb}");
    let task = app.list_all("activities", &format!("&filter={}", encode("subject = \"Prepare the offer\""))).await;
    assert_eq!(task[0]["kind"], "task");
    assert_eq!(task[0]["done"], true);
    assert_eq!(task[0]["due_at"], "2026-12-11T15:00:00.000000Z");
    let _ = std::fs::remove_dir_all(&dir);
}

const TSDAV_SCRIPT: &str = r#"
const { createDAVClient } = require('tsdav');
(async () => {
  const [url, username, password] = process.argv.slice(2);
  const client = await createDAVClient({ serverUrl: url, credentials: { username, password }, authMethod: 'Basic', defaultAccountType: 'carddav' });
  const books = await client.fetchAddressBooks();
  const out = { books: books.map((b) => b.url) };
  const book = books[0];
  out.cards = (await client.fetchVCards({ addressBook: book })).map((c) => c.data);
  const created = await client.createVCard({ addressBook: book, filename: 'tsdav-marta.vcf', vCardString: 'BEGIN:VCARD\r\nVERSION:3.0\r\nUID:tsdav-marta\r\nFN:Marta Wójcik\r\nN:Wójcik;Marta;;;\r\nTEL;TYPE=CELL:+48 602 333 444\r\nX-TSDAV:yes\r\nEND:VCARD\r\n' });
  out.created = created.status;
  const synced = await client.syncCollection({ url: book.url, props: { 'd:getetag': {} }, syncLevel: 1, syncToken: book.syncToken });
  out.changed = synced.map((r) => r.href);
  const cards = await client.fetchVCards({ addressBook: book });
  const marta = cards.find((c) => c.url.endsWith('tsdav-marta.vcf'));
  out.marta = marta.data;
  const updated = await client.updateVCard({ vCard: { url: marta.url, etag: marta.etag, data: marta.data.replace('FN:Marta Wójcik', 'FN:Marta Wójcik\r\nTITLE:Buyer') } });
  out.updated = updated.status;
  console.log(JSON.stringify(out));
})().catch((e) => { console.error(e); process.exit(1); });
"#;

async fn a_carddav_client_syncs_an_address_book(app: TestApp) {
    let admin = app.admin_id().await;
    app.create("contacts", json!({"first_name": "Jan", "last_name": "Nowak"})).await;
    let dir = tempfile_dir("tsdav");
    std::fs::write(dir.join("client.js"), TSDAV_SCRIPT).unwrap();
    let modules = node_modules();
    assert!(modules.join("tsdav").exists(), "tsdav is installed by scripts/test into {}", modules.display());
    let url = format!("{}/.well-known/carddav", app.base);
    let out = run_blocking(
        "node",
        vec!["client.js".into(), url, ADMIN.into(), app.token.clone()],
        dir.clone(),
        vec![("NODE_PATH".into(), modules.display().to_string())],
    )
    .await;
    let out: Json = serde_json::from_str(out.trim().lines().last().unwrap()).unwrap();
    assert!(out["books"][0].as_str().unwrap().ends_with(&book(&admin)), "{out}");
    assert!(out["cards"][0].as_str().unwrap().contains("FN:Jan Nowak"), "{out}");
    assert_eq!(out["created"], 201);
    assert!(
        out["changed"].as_array().unwrap().iter().any(|h| h.as_str().unwrap().ends_with("tsdav-marta.vcf")),
        "{out}"
    );
    assert!(out["marta"].as_str().unwrap().contains("X-TSDAV:yes"));
    assert_eq!(out["updated"], 204);
    let marta = contacts_where(&app, "last_name = \"Wójcik\"").await;
    assert_eq!(marta[0]["title"], "Buyer");
    assert_eq!(marta[0]["phones"], json!(["+48602333444"]));
    let _ = std::fs::remove_dir_all(&dir);
}

async fn the_connect_page_gives_addresses_subscription_and_app_passwords(app: TestApp) {
    use crate::web::{browser, page};
    let rep = app.member("rep@example.com", "sales_rep").await;
    let b = browser(&app, "rep@example.com").await;
    let (status, _, html) = page(&app, &b, Method::GET, "/connect", &[]).await;
    assert_eq!(status, 200);
    assert!(html.contains(&format!("/dav/addressbooks/{}/contacts/", rep.user)), "{html}");
    assert!(html.contains(&format!("/dav/calendars/{}/crm/", rep.user)));
    assert!(html.contains("rep@example.com") && html.contains("owner = me"));
    // An app password, shown once, that a client signs in with.
    let (status, _, html) = page(
        &app,
        &b,
        Method::POST,
        "/connect/tokens",
        &[("csrf_token", &b.csrf), ("name", "Anna's iPhone"), ("scope", "read_write")],
    )
    .await;
    assert_eq!(status, 201);
    let secret = between(&html, "<code id=\"new-app-password\">", "</code>").expect("the secret is shown").to_string();
    assert!(html.contains("Anna&#x27;s iPhone") || html.contains("Anna&#39;s iPhone"), "{html}");
    dav(
        &app,
        ("rep@example.com", &secret),
        "PROPFIND",
        "/dav/",
        &[("depth", "0")],
        &propfind_body("<d:current-user-principal/>"),
    )
    .await
    .expect(207);
    let (_, _, again) = page(&app, &b, Method::GET, "/connect", &[]).await;
    assert!(!again.contains(&secret), "shown once");
    let (status, _, html) =
        page(&app, &b, Method::POST, "/connect/tokens", &[("csrf_token", &b.csrf), ("name", " ")]).await;
    assert_eq!(status, 422);
    assert!(html.contains("app-password-name-error"));
    // What the collections show, with errors next to the field.
    let (status, _, html) = page(
        &app,
        &b,
        Method::POST,
        "/connect/subscription",
        &[("csrf_token", &b.csrf), ("contacts", "city = = 1"), ("activities", "owner = me")],
    )
    .await;
    assert_eq!(status, 422);
    assert!(html.contains("dav-contacts-error") && html.contains("city = = 1"), "{html}");
    let form = [("csrf_token", b.csrf.as_str()), ("contacts", "city = \"Gdańsk\""), ("activities", "owner = me")];
    let (status, location, _) = page(&app, &b, Method::POST, "/connect/subscription", &form).await;
    assert_eq!((status, location.as_str()), (303, "/connect"));
    assert_eq!(app.get_as(&rep.token, "/api/v1/sync/dav").await.body["contacts"], "city = \"Gdańsk\"");
    let (status, _, _) = page(&app, &b, Method::POST, "/connect/subscription", &[("contacts", "x")]).await;
    assert_eq!(status, 403, "no CSRF token, no change");
    // Revoked: the client is out.
    let tokens = app.get_as(&rep.token, "/api/v1/tokens").await.body;
    let id = tokens["data"][0]["id"].as_str().unwrap().to_string();
    let (status, _, _) =
        page(&app, &b, Method::POST, &format!("/connect/tokens/{id}/revoke"), &[("csrf_token", &b.csrf)]).await;
    assert_eq!(status, 303);
    dav(&app, ("rep@example.com", &secret), "PROPFIND", "/dav/", &[], "").await.expect(401);
}
