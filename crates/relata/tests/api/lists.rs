//! Lists: cursor pagination, sorting, the filter language and full-text
//! search, identical on both backends.

use crate::helpers::{TestApp, contact, id_of};
use serde_json::{Value as Json, json};
use std::collections::HashSet;

crate::both_backends!(
    cursor_pages_visit_every_record_once_in_order,
    the_filter_language_selects_the_right_records,
    full_text_search_finds_names_emails_phones_and_notes,
    filters_reach_related_records_the_reader_may_see,
);

fn enc(s: &str) -> String {
    serde_urlencoded::to_string([("", s)]).unwrap()[1..].to_string()
}

fn names(records: &[Json]) -> Vec<String> {
    records.iter().map(|r| r["last_name"].as_str().unwrap_or("").to_string()).collect()
}

async fn cursor_pages_visit_every_record_once_in_order(app: TestApp) {
    let cities = ["Gdańsk", "Vilnius", "Sofia"];
    for i in 0..23 {
        let mut body = contact(&format!("P{i}"), &format!("Surname{:02}", (i * 7) % 23));
        if i % 4 != 0 {
            body["city"] = json!(cities[i % 3]);
        }
        app.create("contacts", body).await;
    }
    for sort in ["last_name", "-last_name", "city", "-city", "-created_at", "id"] {
        let mut seen = Vec::new();
        let mut cursor: Option<String> = None;
        let mut pages = 0;
        loop {
            let mut path = format!("/api/v1/contacts?limit=5&sort={sort}");
            if let Some(c) = &cursor {
                path.push_str(&format!("&cursor={c}"));
            }
            let page = app.get(&path).await.expect(200).body;
            pages += 1;
            seen.extend(page["data"].as_array().unwrap().iter().cloned());
            match page["next_cursor"].as_str() {
                Some(c) => cursor = Some(c.to_string()),
                None => break,
            }
        }
        assert_eq!(pages, 5, "{sort}");
        let ids: HashSet<String> = seen.iter().map(id_of).collect();
        assert_eq!(ids.len(), 23, "{sort}: every record exactly once");
        let field = sort.trim_start_matches('-');
        if field == "last_name" {
            let mut expected = names(&seen);
            expected.sort();
            if sort.starts_with('-') {
                expected.reverse();
            }
            assert_eq!(names(&seen), expected, "{sort}");
        }
        if field == "city" {
            let values: Vec<Option<&str>> = seen.iter().map(|r| r["city"].as_str()).collect();
            let nulls_at_start = values.iter().take_while(|v| v.is_none()).count();
            let nulls_at_end = values.iter().rev().take_while(|v| v.is_none()).count();
            if sort.starts_with('-') {
                assert_eq!(nulls_at_end, 6, "descending puts records without a value last");
            } else {
                assert_eq!(nulls_at_start, 6, "ascending puts records without a value first");
            }
        }
    }
    // A cursor belongs to its sort.
    let page = app.get("/api/v1/contacts?limit=5&sort=last_name").await.expect(200).body;
    let cursor = page["next_cursor"].as_str().unwrap();
    let wrong = app.get(&format!("/api/v1/contacts?limit=5&sort=city&cursor={cursor}")).await;
    assert_eq!(wrong.expect_problem(400, "bad-request").error_fields(), ["cursor"]);
    app.get("/api/v1/contacts?cursor=not-a-cursor").await.expect_problem(400, "bad-request");
    app.get("/api/v1/contacts?sort=shoe_size").await.expect_problem(400, "bad-request");
    app.get("/api/v1/contacts?limit=0").await.expect_problem(400, "bad-request");
    app.get("/api/v1/contacts?limit=501").await.expect_problem(400, "bad-request");
    app.get("/api/v1/contacts?limit=many").await.expect_problem(400, "bad-request");
}

async fn the_filter_language_selects_the_right_records(app: TestApp) {
    let app = &app;
    let acme = app.create("accounts", json!({"name": "Acme", "city": "Gdańsk", "lifecycle": "customer"})).await;
    let globex = app.create("accounts", json!({"name": "Globex", "city": "Sofia", "key_account": true})).await;
    app.create(
        "contacts",
        json!({"first_name": "Anna", "last_name": "Nowak", "city": "Gdańsk", "lifecycle": "current",
            "emails": ["anna@acme.example.com"], "account": acme["id"], "birthday": "1980-01-01"}),
    )
    .await;
    app.create(
        "contacts",
        json!({"first_name": "Jan", "last_name": "Kowalski", "city": "Gdańsk", "lifecycle": "potential",
            "phones": ["+48 601 234 567"]}),
    )
    .await;
    app.create(
        "contacts",
        json!({"first_name": "Ivan", "last_name": "Petrov", "city": "Sofia", "lifecycle": "current"}),
    )
    .await;
    for (name, account, amount) in [("Small", &acme, "500"), ("Big", &acme, "25000"), ("Mid", &globex, "1500.50")] {
        app.create(
            "opportunities",
            json!({"name": name, "account": account["id"], "amount": {"amount": amount, "currency": "EUR"}}),
        )
        .await;
    }

    let contacts = |filter: &str| {
        let path = format!("&sort=last_name&filter={}", enc(filter));
        async move { names(&app.list_all("contacts", &path).await) }
    };
    assert_eq!(contacts(r#"lifecycle = "current" and city = "Gdańsk""#).await, ["Nowak"]);
    assert_eq!(contacts(r#"lifecycle = "current" or city = "Gdańsk""#).await, ["Kowalski", "Nowak", "Petrov"]);
    assert_eq!(contacts(r#"not city = "Sofia""#).await, ["Kowalski", "Nowak"]);
    assert_eq!(contacts(r#"city != "Sofia""#).await, ["Kowalski", "Nowak"]);
    assert_eq!(contacts(r#"last_name in ("Petrov", "Nowak")"#).await, ["Nowak", "Petrov"]);
    assert_eq!(contacts(r#"last_name ~ "OWA""#).await, ["Kowalski", "Nowak"]);
    assert_eq!(contacts("birthday is not null").await, ["Nowak"]);
    assert_eq!(contacts("account is null").await, ["Kowalski", "Petrov"]);
    assert_eq!(contacts(&format!("account = \"{}\"", id_of(&acme))).await, ["Nowak"]);
    assert_eq!(contacts(r#"emails = "anna@acme.example.com""#).await, ["Nowak"]);
    assert_eq!(contacts(r#"phones = "+48601234567""#).await, ["Kowalski"]);
    assert_eq!(contacts(r#"phones ~ "601 234""#).await, ["Kowalski"]);
    assert_eq!(contacts("owner = me").await, ["Kowalski", "Nowak", "Petrov"]);
    assert_eq!(
        contacts(r#"(city = "Sofia" or first_name = "Anna") and lifecycle = "current""#).await,
        ["Nowak", "Petrov"]
    );
    assert_eq!(contacts(r#"birthday < "1990-01-01""#).await, ["Nowak"]);

    let opportunities = |filter: &str| {
        let path = format!("&sort=amount&filter={}", enc(filter));
        async move {
            app.list_all("opportunities", &path)
                .await
                .iter()
                .map(|o| o["name"].as_str().unwrap().to_string())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(opportunities("amount > 1000").await, ["Mid", "Big"]);
    assert_eq!(opportunities("amount >= 500 and amount <= 1500.50").await, ["Small", "Mid"]);
    assert_eq!(opportunities(r#"stage = "qualification" and status = "open""#).await, ["Small", "Mid", "Big"]);
    let accounts = app.list_all("accounts", &format!("&filter={}", enc("key_account = true"))).await;
    assert_eq!(accounts.len(), 1);
    assert_eq!(accounts[0]["name"], "Globex");

    // Filters that do not parse or do not fit say where.
    for (filter, column) in [
        (r#"city = "#, 8),
        (r#"city = "Gdańsk" and"#, 20),
        (r#"colour = "red""#, 1),
        (r#"lifecycle = "gold""#, 13),
        (r#"city = Gdańsk"#, 8),
        (r#"birthday > 5"#, 12),
    ] {
        let reply = app.get(&format!("/api/v1/contacts?filter={}", enc(filter))).await;
        let reply = reply.expect_problem(400, "invalid-filter");
        assert_eq!(reply.body["errors"][0]["column"], column, "{filter}: {}", reply.body);
        assert_eq!(reply.body["errors"][0]["field"], "filter");
    }
    // Nesting is bounded in every form, `not` as well as parentheses.
    for deep in ["not ".repeat(500) + r#"city = "Gdańsk""#, "(".repeat(100) + r#"city = "Gdańsk""# + &")".repeat(100)]
    {
        let reply = app.get(&format!("/api/v1/contacts?filter={}", enc(&deep))).await;
        let reply = reply.expect_problem(400, "invalid-filter");
        assert!(reply.body["errors"][0]["message"].as_str().unwrap().contains("nested"), "{}", reply.body);
    }
}

async fn full_text_search_finds_names_emails_phones_and_notes(app: TestApp) {
    let app = &app;
    app.create(
        "contacts",
        json!({"first_name": "Małgorzata", "last_name": "Dąbrowska", "emails": ["gosia@amber.example.com"],
            "phones": ["+48 58 123 45 67"], "notes": "Prefers meetings in the morning"}),
    )
    .await;
    app.create("contacts", json!({"first_name": "Małgorzata", "last_name": "Nowak", "city": "Kraków"})).await;
    app.create("contacts", json!({"first_name": "Jonas", "last_name": "Petrauskas"})).await;

    let search = |q: &str| {
        let path = format!("&sort=last_name&q={}", enc(q));
        async move { names(&app.list_all("contacts", &path).await) }
    };
    assert_eq!(search("Dąbrowska").await, ["Dąbrowska"]);
    assert_eq!(search("dąbrow").await, ["Dąbrowska"], "prefix, any case");
    assert_eq!(search("DABROWSKA").await, ["Dąbrowska"], "diacritics folded");
    assert_eq!(search("Małgorzata").await, ["Dąbrowska", "Nowak"]);
    assert_eq!(search("małgorzata nowak").await, ["Nowak"], "every word must match");
    assert_eq!(search("gosia@amber.example.com").await, ["Dąbrowska"]);
    assert_eq!(search("48581234567").await, ["Dąbrowska"]);
    assert_eq!(search("morning").await, ["Dąbrowska"]);
    assert_eq!(search("Kraków").await, ["Nowak"]);
    assert!(search("Smith").await.is_empty());
    // Search combines with filters; punctuation alone matches everything.
    let both = app.list_all("contacts", &format!("&q=Ma%C5%82gorzata&filter={}", enc(r#"city = "Kraków""#))).await;
    assert_eq!(names(&both), ["Nowak"]);
    assert_eq!(search("'\"*()").await.len(), 3);
    // Global search looks in every customer-facing entity type.
    app.create("accounts", json!({"name": "Małgorzata Bakery"})).await;
    let everywhere = app.get("/api/v1/search?q=ma%C5%82gorzata").await.expect(200).body;
    let mut found: Vec<(String, String)> = everywhere["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["entity"].as_str().unwrap().to_string(), r["title"].as_str().unwrap().to_string()))
        .collect();
    found.sort();
    assert_eq!(
        found,
        [
            ("accounts".to_string(), "Małgorzata Bakery".to_string()),
            ("contacts".to_string(), "Małgorzata Dąbrowska".to_string()),
            ("contacts".to_string(), "Małgorzata Nowak".to_string()),
        ]
    );
    app.get("/api/v1/search").await.expect_problem(400, "bad-request");
    // A changed record's old words leave the index (the newest entry is
    // replaced, so its index rowid is used again at once).
    let jonas = app.create("contacts", json!({"first_name": "Jonas", "last_name": "Zebrauskas"})).await;
    app.patch(&format!("/api/v1/contacts/{}", id_of(&jonas)), 1, &json!({"last_name": "Vilkas"})).await.expect(200);
    assert!(search("Zebrauskas").await.is_empty(), "old words are gone");
    assert_eq!(search("Vilkas").await, ["Vilkas"]);
    // Without a sort, matches come most recently changed first, page by page.
    let mut kowalczyk = Vec::new();
    for i in 0..7 {
        kowalczyk.push(app.create("contacts", json!({"first_name": format!("K{i}"), "last_name": "Kowalczyk"})).await);
    }
    app.patch(&format!("/api/v1/contacts/{}", id_of(&kowalczyk[2])), 1, &json!({"city": "Łódź"})).await.expect(200);
    let mut firsts = Vec::new();
    let mut cursor = String::new();
    loop {
        let page = app.get(&format!("/api/v1/contacts?q=kowalczyk&limit=3&cursor={cursor}")).await.expect(200).body;
        firsts.extend(page["data"].as_array().unwrap().iter().map(|c| c["first_name"].as_str().unwrap().to_string()));
        match page["next_cursor"].as_str() {
            Some(c) => cursor = c.to_string(),
            None => break,
        }
    }
    assert_eq!(firsts, ["K2", "K6", "K5", "K4", "K3", "K1", "K0"]);
    let page = app.get("/api/v1/contacts?q=kowalczyk&limit=3").await.expect(200).body;
    let search_cursor = page["next_cursor"].as_str().unwrap();
    app.get(&format!("/api/v1/contacts?q=kowalczyk&sort=last_name&cursor={search_cursor}"))
        .await
        .expect_problem(400, "bad-request");
    let filtered = app
        .list_all("contacts", &format!("&q=kowalczyk&filter={}", enc(r#"first_name in ("K1", "K5") or city = "Łódź""#)))
        .await;
    let firsts: Vec<&str> = filtered.iter().map(|c| c["first_name"].as_str().unwrap()).collect();
    assert_eq!(firsts, ["K2", "K5", "K1"]);
    // Deleted records drop out of search.
    let petrauskas = app.list_all("contacts", "&q=Petrauskas").await;
    app.delete(&format!("/api/v1/contacts/{}", id_of(&petrauskas[0]))).await.expect(200);
    assert!(search("Petrauskas").await.is_empty());
}

/// `account.city = "Gdańsk"`: a condition on the record a relation points
/// at, seeing only related records the reader may see.
async fn filters_reach_related_records_the_reader_may_see(app: TestApp) {
    let gdansk = app.create("accounts", json!({"name": "Amber", "city": "Gdańsk"})).await;
    let sopot = app.create("accounts", json!({"name": "Pier", "city": "Sopot"})).await;
    let rep = app.member("rep@example.com", "sales_rep").await;
    app.create("contacts", json!({"last_name": "InGdansk", "account": id_of(&gdansk)})).await;
    app.create("contacts", json!({"last_name": "InSopot", "account": id_of(&sopot)})).await;
    app.create("contacts", json!({"last_name": "Alone"})).await;
    // The rep's own contact at an account the rep may not see.
    app.create("contacts", json!({"last_name": "RepsOwn", "account": id_of(&gdansk), "owner": rep.user})).await;
    let list = |token: String, filter: &str| {
        let (app, path) = (&app, format!("/api/v1/contacts?limit=100&filter={}", enc(filter)));
        async move {
            let mut found = names(app.get_as(&token, &path).await.expect(200).body["data"].as_array().unwrap());
            found.sort();
            found
        }
    };
    let admin = app.token.clone();
    assert_eq!(list(admin.clone(), r#"account.city = "Gdańsk""#).await, ["InGdansk", "RepsOwn"]);
    assert_eq!(list(admin.clone(), r#"account.city != "Gdańsk""#).await, ["InSopot"]);
    assert_eq!(
        list(admin.clone(), r#"account.name in ("Pier", "Nowhere") or last_name = "Alone""#).await,
        ["Alone", "InSopot"]
    );
    assert_eq!(list(admin.clone(), r#"not account.city ~ "gda""#).await, ["Alone", "InSopot"]);
    // The rep sees the contact, not its account: the condition cannot hold.
    assert_eq!(list(rep.token.clone(), "last_name = \"RepsOwn\"").await, ["RepsOwn"]);
    assert!(list(rep.token.clone(), r#"account.city = "Gdańsk""#).await.is_empty());
    for (filter, column) in [(r#"account.colour = "red""#, 1), (r#"city.name = "x""#, 1), (r#"account.city = 5 "#, 16)]
    {
        let reply = app.get(&format!("/api/v1/contacts?filter={}", enc(filter))).await;
        let reply = reply.expect_problem(400, "invalid-filter");
        assert_eq!(reply.body["errors"][0]["column"], column, "{filter}: {}", reply.body);
    }
}
