//! The web UI over HTTP: pages for people signed in by cookie, generic
//! lists, record pages with timelines, forms that keep what was typed,
//! CSRF-protected posts, escaping, and the same visibility as the API; on
//! both backends. (Browser tests in Chromium come with the interactive parts.)

use crate::helpers::{PASSWORD, TestApp, id_of};
use reqwest::Method;
use serde_json::json;

crate::both_backends!(
    pages_list_show_and_edit_records_through_forms,
    pages_keep_to_the_same_rules_as_the_api,
    the_board_groups_opportunities_by_stage_with_totals,
    views_are_saved_private_or_for_the_team,
    bulk_actions_conversion_related_records_and_workspace_switching,
    every_response_tells_browsers_what_pages_may_do,
    field_rules_hold_on_the_board_timelines_and_every_write,
);

/// A browser: the session cookie and CSRF token of a signed-in member.
pub(crate) struct Browser {
    pub(crate) cookie: String,
    pub(crate) csrf: String,
}

pub(crate) async fn browser(app: &TestApp, email: &str) -> Browser {
    let body = json!({"email": email, "password": PASSWORD}).to_string().into_bytes();
    let reply =
        app.send(Method::POST, "/api/v1/auth/login", None, &[("content-type", "application/json")], Some(body)).await;
    let cookie = reply.header("set-cookie").unwrap().split(';').next().unwrap().to_string();
    Browser { cookie, csrf: reply.body["csrf_token"].as_str().unwrap().to_string() }
}

/// A page: status, location (for redirects) and the HTML.
pub(crate) async fn page(
    app: &TestApp,
    b: &Browser,
    method: Method,
    path: &str,
    form: &[(&str, &str)],
) -> (u16, String, String) {
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let mut request = client.request(method, format!("{}{path}", app.base)).header("cookie", &b.cookie);
    if !form.is_empty() {
        request = request
            .header("content-type", "application/x-www-form-urlencoded")
            .body(serde_urlencoded::to_string(form).unwrap());
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let location = response.headers().get("location").map(|l| l.to_str().unwrap().to_string()).unwrap_or_default();
    (status, location, response.text().await.unwrap())
}

async fn pages_list_show_and_edit_records_through_forms(app: TestApp) {
    let app = &app;
    // Without a session, pages send people to sign in and come back.
    let anonymous = app.send(Method::GET, "/contacts?q=x", None, &[], None).await;
    assert_eq!(anonymous.status, 303);
    assert_eq!(anonymous.header("location"), Some("/login?next=%2Fcontacts%3Fq%3Dx"));

    app.member("ola@example.com", "sales_rep").await;
    let b = browser(app, "ola@example.com").await;
    let (status, _, html) = page(app, &b, Method::GET, "/", &[]).await;
    assert_eq!(status, 200);
    assert!(html.contains("My open tasks") && html.contains("ola@example.com"));
    // Tabs and bookmarks show Relata's icon, where the page says and where browsers look.
    assert!(html.contains("<link rel=\"icon\" href=\"/assets/favicon.svg\""));
    for path in ["/assets/favicon.svg", "/favicon.ico"] {
        let icon = app.send(Method::GET, path, None, &[], None).await;
        assert_eq!(icon.status, 200, "{path}");
        assert_eq!(icon.header("content-type"), Some("image/svg+xml"));
        assert!(String::from_utf8_lossy(&icon.bytes).starts_with("<svg"));
    }

    // Create from the form: errors keep everything typed, next to the fields.
    let bad = [
        ("csrf_token", b.csrf.as_str()),
        ("first_name", "<script>alert(1)</script>"),
        ("last_name", ""),
        ("emails", "not-an-email"),
        ("city", "Gdańsk"),
    ];
    let (status, _, html) = page(app, &b, Method::POST, "/contacts", &bad).await;
    assert_eq!(status, 422, "{html}");
    assert!(html.contains("value=\"&#60;script&#62;alert(1)&#60;/script&#62;\""), "typed text kept, escaped: {html}");
    assert!(!html.contains("<script>alert(1)</script>"));
    assert!(html.contains("value=\"Gdańsk\"") && html.contains("value=\"not-an-email\""));
    assert!(html.contains("id=\"e-emails\"") && html.contains("aria-invalid=\"true\""));
    assert!(app.list_all("contacts", "").await.is_empty(), "nothing was written");
    // Without the CSRF token nothing is written either.
    let (status, _, _) = page(app, &b, Method::POST, "/contacts", &[("last_name", "Forged")]).await;
    assert_eq!(status, 403);
    let good = [
        ("csrf_token", b.csrf.as_str()),
        ("first_name", "<script>alert(1)</script>"),
        ("last_name", "Lewandowska"),
        ("emails", "ola.l@example.com"),
        ("city", "Gdańsk"),
        ("lifecycle", "current"),
    ];
    let (status, location, _) = page(app, &b, Method::POST, "/contacts", &good).await;
    assert_eq!(status, 303);
    assert!(location.starts_with("/contacts/"), "{location}");
    let id = location.trim_start_matches("/contacts/").to_string();

    // The list shows it, escaped, and filters with the filter language.
    let (status, _, html) = page(app, &b, Method::GET, "/contacts", &[]).await;
    assert_eq!(status, 200);
    assert!(html.contains("Lewandowska") && html.contains("&#60;script&#62;") && !html.contains("<script>alert"));
    // The owner column names the owner (read for the members the page shows).
    assert!(html.matches("ola@example.com").count() >= 2, "the header and the owner cell: {html}");
    let (_, _, html) = page(app, &b, Method::GET, "/contacts?filter=city+%3D+%22Sopot%22", &[]).await;
    assert!(!html.contains("Lewandowska"));
    let (status, _, html) = page(app, &b, Method::GET, "/contacts?filter=city+%3D", &[]).await;
    assert_eq!(status, 400);
    assert!(html.contains("role=\"alert\""), "the filter error is shown");
    let (_, _, html) = page(app, &b, Method::GET, "/contacts?sort=-last_name&columns=last_name,city", &[]).await;
    assert!(html.contains("aria-label=\"sorted descending\"") && html.contains("Gdańsk"));
    // The column chooser sends one `col` per column; the builder is on the page.
    let (_, _, html) = page(app, &b, Method::GET, "/contacts?col=last_name&col=city", &[]).await;
    let header = &html[html.find("<thead>").unwrap()..html.find("</thead>").unwrap()];
    assert!(header.contains("City") && !header.contains("Emails"), "{header}");
    assert!(html.contains("data-filter-builder") && html.contains("name=\"col\" value=\"emails\""));

    // The record page: facts, quick actions, and the timeline they feed.
    let (status, _, html) = page(app, &b, Method::GET, &location, &[]).await;
    assert_eq!(status, 200);
    assert!(html.contains("ola.l@example.com") && html.contains("Quick actions"));
    let call = [
        ("csrf_token", b.csrf.as_str()),
        ("kind", "call"),
        ("subject", "Asked for a quote"),
        ("body", "Wants 20 seats"),
        ("contact", id.as_str()),
        ("return_to", location.as_str()),
    ];
    let (status, back, _) = page(app, &b, Method::POST, "/activities", &call).await;
    assert_eq!((status, back.as_str()), (303, location.as_str()));
    let (_, _, html) = page(app, &b, Method::GET, &location, &[]).await;
    assert!(html.contains("Asked for a quote"), "the call is on the timeline");

    // Edit: a conflicting change is explained, and what was typed is kept.
    let (status, _, html) = page(app, &b, Method::GET, &format!("{location}/edit"), &[]).await;
    assert_eq!(status, 200);
    assert!(html.contains("name=\"version\" value=\"1\""));
    let contact = app.get(&format!("/api/v1/contacts/{id}")).await.expect(200).body;
    app.patch(&format!("/api/v1/contacts/{id}"), 1, &json!({"title": "Director"})).await.expect(200);
    let stale = [("csrf_token", b.csrf.as_str()), ("version", "1"), ("last_name", "Lewandowska"), ("city", "Sopot")];
    let (status, _, html) = page(app, &b, Method::POST, &location, &stale).await;
    assert_eq!(status, 409, "{html}");
    assert!(html.contains("Changed by") && html.contains("value=\"Sopot\""));
    let fresh = [("csrf_token", b.csrf.as_str()), ("version", "2"), ("last_name", "Lewandowska"), ("city", "Sopot")];
    let (status, _, _) = page(app, &b, Method::POST, &location, &fresh).await;
    assert_eq!(status, 303);
    let after = app.get(&format!("/api/v1/contacts/{}", id_of(&contact))).await.expect(200).body;
    assert_eq!((after["city"].as_str(), after["title"].as_str()), (Some("Sopot"), Some("Director")));

    // The assets are served from the binary.
    let css = app.send(Method::GET, "/assets/app.css", None, &[], None).await;
    assert_eq!(css.status, 200);
    assert_eq!(css.header("content-type"), Some("text/css; charset=utf-8"));
}

async fn pages_keep_to_the_same_rules_as_the_api(app: TestApp) {
    let app = &app;
    let ann = app.member("ann@example.com", "sales_rep").await;
    let sid = app.member("sid@example.com", "sales_rep").await;
    app.team("North", &[(&ann, false)]).await;
    app.team("South", &[(&sid, false)]).await;
    let secret =
        app.post_as(&ann.token, "/api/v1/contacts", &json!({"last_name": "Confidential"})).await.expect(201).body;
    let b = browser(app, "sid@example.com").await;
    let (status, _, html) = page(app, &b, Method::GET, &format!("/contacts/{}", id_of(&secret)), &[]).await;
    assert_eq!(status, 404);
    assert!(!html.contains("Confidential"));
    let (_, _, html) = page(app, &b, Method::GET, "/contacts", &[]).await;
    assert!(!html.contains("Confidential"));
    let (status, _, _) = page(app, &b, Method::GET, &format!("/contacts/{}/edit", id_of(&secret)), &[]).await;
    assert_eq!(status, 404);
    let form = [("csrf_token", b.csrf.as_str()), ("version", "1"), ("last_name", "Taken")];
    let (status, _, _) = page(app, &b, Method::POST, &format!("/contacts/{}", id_of(&secret)), &form).await;
    assert_eq!(status, 404);
    // Reps cannot open the pipeline form; the page says so.
    let (status, _, html) = page(app, &b, Method::GET, "/pipelines/new", &[]).await;
    assert_eq!(status, 403);
    assert!(html.contains("Your role may not create records of the type &#34;Pipelines&#34;."), "{html}");
    // The other workspace's admin sees none of it either.
    let (_, other) = app.other_workspace("elsewhere").await;
    let reply = app.get_as(&other, &format!("/api/v1/contacts/{}", id_of(&secret))).await;
    reply.expect_problem(404, "not-found");
    assert_eq!(
        app.get(&format!("/api/v1/contacts/{}", id_of(&secret))).await.expect(200).body["last_name"],
        "Confidential"
    );
}

async fn the_board_groups_opportunities_by_stage_with_totals(app: TestApp) {
    let app = &app;
    app.member("bo@example.com", "sales_rep").await;
    let b = browser(app, "bo@example.com").await;
    let token = app.sign_in("bo@example.com", PASSWORD).await.token;
    let pipeline = app.get("/api/v1/pipelines").await.expect(200).body["data"][0].clone();
    let stages = pipeline["stages"].as_array().unwrap().clone();
    let (first, second) = (stages[0]["id"].as_str().unwrap(), stages[1]["id"].as_str().unwrap());
    let account = app.post_as(&token, "/api/v1/accounts", &json!({"name": "Amber Ltd"})).await.expect(201).body;
    let mut ids = Vec::new();
    for (name, amount) in [("Big deal", "1000.00"), ("Small deal", "250.50")] {
        let body = json!({"name": name, "account": account["id"], "amount": {"amount": amount, "currency": "EUR"}, "expected_close_date": "2026-12-15"});
        ids.push(app.post_as(&token, "/api/v1/opportunities", &body).await.expect(201).body);
    }
    let (status, _, html) = page(app, &b, Method::GET, "/board", &[]).await;
    assert_eq!(status, 200);
    assert!(html.contains("Big deal") && html.contains("Amber Ltd"));
    // Amounts as English reads them (CLDR): the symbol first, grouped.
    assert!(html.contains("€1,250.50"), "the first column's total");
    let probability = stages[0]["probability"].as_i64().unwrap();
    let weighted = (100_000 * probability / 100) + (25_050 * probability / 100);
    assert!(weighted < 100_000, "no grouping in the weighted total");
    assert!(html.contains(&format!("€{}.{:02}", weighted / 100, weighted % 100)), "weighted total: {html}");
    // Filters: another closing month shows no cards.
    let (_, _, html) = page(app, &b, Method::GET, "/board?close=2027-01", &[]).await;
    assert!(!html.contains("Big deal"));
    let (status, _, html) = page(app, &b, Method::GET, "/board?close=soon", &[]).await;
    assert_eq!(status, 200);
    assert!(html.contains("is not a month"));
    // Moving by the card's form saves with the card's version.
    let id = id_of(&ids[0]);
    let moved = [
        ("csrf_token", b.csrf.as_str()),
        ("id", id.as_str()),
        ("version", "1"),
        ("stage", second),
        ("return_to", "/board"),
    ];
    let (status, location, _) = page(app, &b, Method::POST, "/board/move", &moved).await;
    assert_eq!((status, location.as_str()), (303, "/board"));
    let after = app.get(&format!("/api/v1/opportunities/{id}")).await.expect(200).body;
    assert_eq!(after["stage"], second);
    let (status, _, html) = page(app, &b, Method::POST, "/board/move", &moved).await;
    assert_eq!(status, 409, "a stale card is not moved: {html}");
    let history = app.get(&format!("/api/v1/opportunities/{id}/history")).await.expect(200).body;
    assert_eq!(history["data"].as_array().unwrap().len(), 2);
    let _ = first;
}

async fn views_are_saved_private_or_for_the_team(app: TestApp) {
    let app = &app;
    let ann = app.member("ann@example.com", "sales_rep").await;
    let ben = app.member("ben@example.com", "sales_rep").await;
    let sid = app.member("sid@example.com", "sales_rep").await;
    app.team("North", &[(&ann, false), (&ben, false)]).await;
    app.team("South", &[(&sid, false)]).await;
    let a = browser(app, "ann@example.com").await;
    let query = "filter=city+%3D+%22Gda%C5%84sk%22&sort=-last_name";
    let (status, location, _) = save_view(app, &a, "Gdańsk, mine", false, query).await;
    assert_eq!((status, location.as_str()), (303, format!("/contacts?{query}").as_str()));
    save_view(app, &a, "Gdańsk for the team", true, query).await;
    let (status, _, html) = save_view(app, &a, "Broken", false, "filter=city+%3D").await;
    assert_eq!(status, 422, "a view whose filter does not parse is refused: {html}");
    let (status, _, _) = save_view(app, &a, "", false, query).await;
    assert_eq!(status, 422);

    let (_, _, html) = page(app, &a, Method::GET, "/contacts", &[]).await;
    assert!(html.contains("Gdańsk, mine") && html.contains("Gdańsk for the team") && !html.contains("Broken"));
    let b = browser(app, "ben@example.com").await;
    let (_, _, html) = page(app, &b, Method::GET, "/contacts", &[]).await;
    assert!(html.contains("Gdańsk for the team") && !html.contains("Gdańsk, mine"), "teammates see shared views only");
    assert!(!html.contains("Delete the view"), "and cannot delete them");
    let s = browser(app, "sid@example.com").await;
    let (_, _, html) = page(app, &s, Method::GET, "/contacts", &[]).await;
    assert!(!html.contains("Gdańsk for the team") && !html.contains("Gdańsk, mine"), "other teams see none");
    // Deleting: only the owner's own views.
    let (_, _, mine) = page(app, &a, Method::GET, "/contacts", &[]).await;
    let marker = "/contacts/views/";
    let at = mine.find(marker).expect("a delete form") + marker.len();
    let view_id: String = mine[at..].chars().take_while(|c| *c != '/').collect();
    let (status, _, _) =
        page(app, &b, Method::POST, &format!("/contacts/views/{view_id}/delete"), &[("csrf_token", b.csrf.as_str())])
            .await;
    assert_eq!(status, 404);
    let (status, _, _) =
        page(app, &a, Method::POST, &format!("/contacts/views/{view_id}/delete"), &[("csrf_token", a.csrf.as_str())])
            .await;
    assert_eq!(status, 303);
    let (_, _, html) = page(app, &a, Method::GET, "/contacts", &[]).await;
    assert_eq!(html.matches("Delete the view").count(), 1);
}

async fn save_view(app: &TestApp, b: &Browser, name: &str, shared: bool, query: &str) -> (u16, String, String) {
    let mut form = vec![("csrf_token", b.csrf.as_str()), ("name", name), ("query", query)];
    if shared {
        form.push(("shared", "true"));
    }
    page(app, b, Method::POST, "/contacts/views", &form).await
}

async fn bulk_actions_conversion_related_records_and_workspace_switching(app: TestApp) {
    let app = &app;
    let ann = app.member("ann@example.com", "sales_rep").await;
    let ben = app.member("ben@example.com", "sales_rep").await;
    let mia = app.member("mia@example.com", "sales_rep").await;
    app.team("North", &[(&ann, false), (&ben, false), (&mia, true)]).await;
    let mut ids = Vec::new();
    for name in ["One", "Two", "Three"] {
        ids.push(id_of(&app.post_as(&ann.token, "/api/v1/accounts", &json!({"name": name})).await.expect(201).body));
    }
    // Mia manages the team: she hands two of Ann's accounts to Ben at once.
    let m = browser(app, "mia@example.com").await;
    let form = [
        ("csrf_token", m.csrf.as_str()),
        ("action", "assign"),
        ("owner", ben.user.as_str()),
        ("ids", ids[0].as_str()),
        ("ids", ids[1].as_str()),
        ("return_to", "/accounts"),
    ];
    let (status, location, _) = page(app, &m, Method::POST, "/accounts/bulk", &form).await;
    assert_eq!((status, location.as_str()), (303, "/accounts"));
    for (id, owner) in [(&ids[0], &ben.user), (&ids[1], &ben.user), (&ids[2], &ann.user)] {
        assert_eq!(app.get(&format!("/api/v1/accounts/{id}")).await.expect(200).body["owner"], json!(owner));
    }
    // Ann may not trash Ben's accounts: the page says what was refused.
    let a = browser(app, "ann@example.com").await;
    let form =
        [("csrf_token", a.csrf.as_str()), ("action", "delete"), ("ids", ids[1].as_str()), ("ids", ids[2].as_str())];
    let (status, _, html) = page(app, &a, Method::POST, "/accounts/bulk", &form).await;
    assert_eq!(status, 200);
    assert!(html.contains("1 done; 1 not"), "{html}");
    assert_eq!(app.list_all("accounts", "").await.len(), 2);
    let (status, _, _) =
        page(app, &a, Method::POST, "/accounts/bulk", &[("csrf_token", a.csrf.as_str()), ("action", "delete")]).await;
    assert_eq!(status, 422, "nothing selected");

    // The account page lists related records; the timeline filters by type.
    let contact = app
        .post_as(&ben.token, "/api/v1/contacts", &json!({"last_name": "Related", "account": ids[0]}))
        .await
        .expect(201)
        .body;
    app.post_as(&ben.token, "/api/v1/activities", &json!({"kind": "note", "subject": "A note", "account": ids[0]}))
        .await
        .expect(201);
    app.post_as(&ben.token, "/api/v1/opportunities", &json!({"name": "A deal", "account": ids[0]})).await.expect(201);
    let b = browser(app, "ben@example.com").await;
    let (_, _, html) = page(app, &b, Method::GET, &format!("/accounts/{}", ids[0]), &[]).await;
    assert!(
        html.contains(&format!("/contacts/{}", id_of(&contact))) && html.contains("A deal") && html.contains("A note")
    );
    let (_, _, html) = page(app, &b, Method::GET, &format!("/accounts/{}?show=activity", ids[0]), &[]).await;
    let timeline = &html[html.find("id=\"timeline\"").unwrap()..];
    assert!(timeline.contains("A note") && !timeline.contains("A deal"), "only activities");

    // Lead conversion from its screen: errors keep the input; then the contact page.
    let lead = app
        .post_as(&ben.token, "/api/v1/leads", &json!({"last_name": "Lis", "company": "Lis Foods"}))
        .await
        .expect(201)
        .body;
    let path = format!("/leads/{}/convert", id_of(&lead));
    let (status, _, html) = page(app, &b, Method::GET, &path, &[]).await;
    assert!(status == 200 && html.contains("Lis Foods"));
    let bad = [
        ("csrf_token", b.csrf.as_str()),
        ("create_opportunity", "true"),
        ("opportunity_name", "Lis deal"),
        ("opportunity_amount", "lots EUR"),
    ];
    let (status, _, html) = page(app, &b, Method::POST, &path, &bad).await;
    assert_eq!(status, 422, "{html}");
    assert!(html.contains("value=\"lots EUR\"") && html.contains("opportunity.amount"));
    let good = [
        ("csrf_token", b.csrf.as_str()),
        ("create_opportunity", "true"),
        ("opportunity_name", "Lis deal"),
        ("opportunity_amount", "900.00 EUR"),
    ];
    let (status, location, _) = page(app, &b, Method::POST, &path, &good).await;
    assert_eq!(status, 303);
    assert!(location.starts_with("/contacts/"), "{location}");
    let converted = app.get(&format!("/api/v1/leads/{}", id_of(&lead))).await.expect(200).body;
    assert_eq!(format!("/contacts/{}", converted["converted_contact"].as_str().unwrap()), location);
    let (_, _, html) = page(app, &b, Method::GET, &format!("/leads/{}", id_of(&lead)), &[]).await;
    assert!(!html.contains(&path), "a converted lead offers no conversion");

    // Switching workspace from the header.
    let (_, other) = app.other_workspace("second").await;
    let second =
        app.get_as(&other, "/api/v1/auth/me").await.expect(200).body["workspace"]["id"].as_str().unwrap().to_string();
    let ws: relata_core::WorkspaceId = second.parse().unwrap();
    let user: relata_core::UserId = ben.user.parse().unwrap();
    app.app.app.store.add_membership(ws, user, "sales_rep").await.unwrap();
    let (_, _, html) = page(app, &b, Method::GET, "/", &[]).await;
    assert!(html.contains("Switch workspace") && html.contains("value=\"second\""));
    let (status, _, _) =
        page(app, &b, Method::POST, "/workspace", &[("csrf_token", b.csrf.as_str()), ("workspace", "second")]).await;
    assert_eq!(status, 303);
    let (_, _, html) = page(app, &b, Method::GET, "/accounts", &[]).await;
    assert!(html.contains("Workspace second") && !html.contains("One"), "the other workspace's (empty) accounts");
    let (status, _, html) = page(app, &b, Method::GET, &format!("/accounts/{}", ids[0]), &[]).await;
    assert_eq!(status, 404, "no page shows another workspace's records");
    assert!(!html.contains("One"));
    let (status, _, _) =
        page(app, &b, Method::POST, "/workspace", &[("csrf_token", b.csrf.as_str()), ("workspace", "nowhere")]).await;
    assert_eq!(status, 404);
}

/// Security headers on pages, assets and the API; the pages keep to the
/// policy (no inline script or styles, no event-handler attributes), so it
/// breaks nothing; HSTS only when Relata is served over HTTPS.
async fn every_response_tells_browsers_what_pages_may_do(app: TestApp) {
    let app = &app;
    app.member("hana@example.com", "manager").await;
    let b = browser(app, "hana@example.com").await;
    let contact = app.create("contacts", json!({"last_name": "Headers"})).await;
    let record = format!("/contacts/{}", id_of(&contact));
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let fetch = |base: String, path: String| {
        let (client, cookie) = (client.clone(), b.cookie.clone());
        async move {
            let response = client.get(format!("{base}{path}")).header("cookie", cookie).send().await.unwrap();
            let headers = response.headers().clone();
            (headers, response.text().await.unwrap())
        }
    };
    let inline = inline_code;
    for path in ["/", "/contacts", record.as_str(), "/board", "/search?q=head", "/login", "/api/v1/docs"] {
        let (headers, html) = fetch(app.base.clone(), path.to_string()).await;
        let csp = headers.get("content-security-policy").and_then(|v| v.to_str().ok()).unwrap_or_default();
        for part in ["script-src 'self'", "style-src 'self'", "frame-ancestors 'none'", "object-src 'none'"] {
            assert!(csp.contains(part), "{path}: {csp}");
        }
        assert_eq!(headers["x-frame-options"], "DENY", "{path}");
        assert_eq!(headers["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(headers["referrer-policy"], "same-origin", "{path}");
        assert!(headers.get("strict-transport-security").is_none(), "{path}: not over plain HTTP");
        assert!(html.contains("<html"), "{path} is a page");
        assert_eq!(inline(&html), None, "{path} breaks its own policy");
    }
    for path in ["/api/v1/contacts", "/assets/app.css", "/api/v1/openapi.json"] {
        let reply = app.get(path).await;
        assert!(reply.header("content-security-policy").is_some(), "{path}");
        assert_eq!(reply.header("x-content-type-options"), Some("nosniff"), "{path}");
    }
    // Served over HTTPS (--public-url https://…), browsers are told to stay there.
    let store = relata_store::Store::open(&app.db().target()).await.unwrap();
    let https = relata_server::Server::configured(relata_server::modules::app(store), "https://crm.example.com", false);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let server = tokio::spawn(relata_server::serve(listener, https, std::future::pending()));
    let (headers, _) = fetch(base, "/login".to_string()).await;
    assert_eq!(headers["strict-transport-security"], "max-age=31536000");
    server.abort();
}

/// The first inline script, inline style or event-handler attribute of a
/// page, if it has one.
fn inline_code(html: &str) -> Option<String> {
    let lower = html.to_ascii_lowercase();
    if lower.contains("<style") {
        return Some("<style>".into());
    }
    let mut rest = lower.as_str();
    while let Some(at) = rest.find("<script") {
        let tag_end = rest[at..].find('>').map_or(rest.len(), |e| at + e);
        if !rest[at..tag_end].contains(" src=") {
            return Some(rest[at..tag_end].to_string());
        }
        rest = &rest[tag_end..];
    }
    let attributes =
        lower.split('<').skip(1).flat_map(|tag| tag.split('>').next().unwrap_or_default().split_whitespace().skip(1));
    attributes
        .map(|a| a.split('=').next().unwrap_or_default())
        .find(|name| {
            *name == "style"
                || (name.starts_with("on") && name.len() > 2 && name[2..].chars().all(|c| c.is_ascii_lowercase()))
        })
        .map(str::to_string)
}

/// A role for which opportunity amounts are hidden and stages read-only:
/// the board shows no amount (cards or totals), the customer's timeline no
/// amount in stage changes, and the board's move (a patch built by the
/// page, not parsed from a body) is refused by the write path itself.
async fn field_rules_hold_on_the_board_timelines_and_every_write(app: TestApp) {
    let app = &app;
    let cy = app.member("cy@example.com", "sales_rep").await;
    let b = browser(app, "cy@example.com").await;
    let pipeline = app.get("/api/v1/pipelines").await.expect(200).body["data"][0].clone();
    let stages = pipeline["stages"].as_array().unwrap().clone();
    let (first, second) = (stages[0]["id"].as_str().unwrap(), stages[1]["id"].as_str().unwrap());
    let account =
        app.post_as(&cy.token, "/api/v1/accounts", &json!({"name": "Hidden Sums Ltd"})).await.expect(201).body;
    let body = json!({"name": "Secret deal", "account": account["id"], "owner": cy.user,
        "amount": {"amount": "98765.43", "currency": "EUR"}, "stage": first});
    let deal = app.post("/api/v1/opportunities", &body).await.expect(201).body;
    let id = id_of(&deal);
    app.patch(&format!("/api/v1/opportunities/{id}"), 1, &json!({"stage": second})).await.expect(200);
    app.patch(&format!("/api/v1/opportunities/{id}"), 2, &json!({"stage": first})).await.expect(200);

    let mut rep = app.role("sales_rep").await;
    rep["fields"] = json!({"opportunities": {"amount": "hidden", "stage": "read_only"}});
    app.put_as(&app.token, "/api/v1/roles/sales_rep", &rep).await.expect(200);
    tokio::time::sleep(std::time::Duration::from_millis(5500)).await; // credentials and rights are cached for 5 s

    let (status, _, html) = page(app, &b, Method::GET, "/board", &[]).await;
    assert_eq!(status, 200);
    assert!(html.contains("Secret deal"), "the card is there");
    assert!(!html.contains("98765") && !html.contains("98 765"), "no amount on the board: {html}");
    let timeline = app.get_as(&cy.token, &format!("/api/v1/accounts/{}/timeline", id_of(&account))).await.expect(200);
    let text = timeline.body.to_string();
    assert!(text.contains("Secret deal") && !text.contains("98765"), "{text}");
    let (_, _, record_page) = page(app, &b, Method::GET, &format!("/accounts/{}", id_of(&account)), &[]).await;
    assert!(!record_page.contains("98765") && !record_page.contains("98 765"), "{record_page}");

    // Moving the card is changing the stage: refused, nothing changes.
    let moved = [("csrf_token", b.csrf.as_str()), ("id", id.as_str()), ("version", "3"), ("stage", second)];
    let (status, _, html) = page(app, &b, Method::POST, "/board/move", &moved).await;
    assert_eq!(status, 422, "{html}");
    let after = app.get(&format!("/api/v1/opportunities/{id}")).await.expect(200).body;
    assert_eq!((after["stage"].as_str(), after["version"].as_i64()), (Some(first), Some(3)));
    // Through the API likewise, and a hidden field is no field at all.
    let write = app.patch_as(&cy.token, &format!("/api/v1/opportunities/{id}"), 3, &json!({"stage": second})).await;
    assert_eq!(write.expect_problem(422, "validation").error_codes(), ["read_only"]);
    let write = app
        .patch_as(
            &cy.token,
            &format!("/api/v1/opportunities/{id}"),
            3,
            &json!({"amount": {"amount": "1", "currency": "EUR"}}),
        )
        .await;
    assert_eq!(write.expect_problem(422, "validation").error_codes(), ["unknown_field"]);
}
