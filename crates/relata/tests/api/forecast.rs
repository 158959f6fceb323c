//! The pipeline forecast over stored opportunities: `GET
//! /api/v1/analytics/forecast` checked against figures computed by hand,
//! record visibility, parameter errors, paging through every opportunity,
//! and `relata analytics forecast` answering the same document.

use crate::cli::{relata, stderr, stdout};
use crate::helpers::{Session, TestApp, id_of, version_of};
use serde_json::{Value as Json, json};

crate::both_backends!(
    forecast_figures_match_hand_computations,
    reps_see_only_the_figures_of_what_they_may_read,
    bad_parameters_are_named_and_change_nothing,
    the_forecast_pages_through_every_opportunity,
    the_cli_prints_the_same_forecast_as_the_endpoint,
);

/// Who owns what: see [`data`].
struct Sales {
    ann: Session,
    sid: Session,
    /// The month the won opportunities closed in (today's), e.g. `2026-11`.
    closed_month: String,
}

fn amount(major: &str, currency: &str) -> Json {
    json!({"amount": major, "currency": currency})
}

/// Moves an opportunity through `stages` (PATCH with If-Match each time) and
/// returns its last state.
async fn walk(app: &TestApp, token: &str, opportunity: &Json, stages: &[&str]) -> Json {
    let path = format!("/api/v1/opportunities/{}", id_of(opportunity));
    let mut current = opportunity.clone();
    for stage in stages {
        current = app.patch_as(token, &path, version_of(&current), &json!({"stage": stage})).await.expect(200).body;
        assert_eq!(current["stage"], *stage);
    }
    current
}

async fn opportunity(app: &TestApp, token: &str, account: &Json, name: &str, money: Option<Json>, close: &str) -> Json {
    let mut body = json!({"name": name, "account": account["id"], "expected_close_date": close});
    if let Some(m) = money {
        body["amount"] = m;
    }
    app.post_as(token, "/api/v1/opportunities", &body).await.expect(201).body
}

/// The test data, on the default pipeline (qualification 10 %, needs_analysis
/// 25 %, proposal 50 %, negotiation 75 %, won, lost):
///
/// | | owner (team) | account territory | amount | close | stages |
/// |---|---|---|---|---|---|
/// | O1 | admin (none) | Scandinavia | 10 000 EUR | 2031-01-15 | qualification → proposal |
/// | O2 | admin | Scandinavia | 4 000 EUR | 2031-02-10 | → needs_analysis → won |
/// | O3 | admin | none | 3 000 EUR | 2031-01-20 | → proposal → lost |
/// | O4 | admin | none | 2 000 PLN | 2031-01-31 | qualification |
/// | O5 | admin | Scandinavia | none | 2031-01-31 | qualification (left out) |
/// | O6 | ann (North, Baltic Desk) | Baltics | 8 000 EUR | 2031-01-05 | → needs_analysis → negotiation |
/// | O7 | sid (South) | Iberia | 6 000 EUR | 2031-03-01 | → needs_analysis |
/// | O8 | sid | Iberia | 1 000 EUR | 2031-02-01 | → won |
async fn data(app: &TestApp) -> Sales {
    let ann = app.member("ann@example.com", "sales_rep").await;
    let sid = app.member("sid@example.com", "sales_rep").await;
    app.team("North", &[(&ann, false)]).await;
    app.team("Baltic Desk", &[(&ann, false)]).await;
    app.team("South", &[(&sid, false)]).await;
    let token = app.token.clone();
    let scandinavia = app.create("accounts", json!({"name": "Nordic AB", "territory": "Scandinavia"})).await;
    let nowhere = app.create("accounts", json!({"name": "Nowhere Ltd"})).await;
    let baltics = app
        .post_as(&ann.token, "/api/v1/accounts", &json!({"name": "Baltic OÜ", "territory": "Baltics"}))
        .await
        .expect(201)
        .body;
    let iberia = app
        .post_as(&sid.token, "/api/v1/accounts", &json!({"name": "Ibérica SA", "territory": "Iberia"}))
        .await
        .expect(201)
        .body;

    let o1 = opportunity(app, &token, &scandinavia, "O1", Some(amount("10000", "EUR")), "2031-01-15").await;
    walk(app, &token, &o1, &["proposal"]).await;
    let o2 = opportunity(app, &token, &scandinavia, "O2", Some(amount("4000", "EUR")), "2031-02-10").await;
    let won = walk(app, &token, &o2, &["needs_analysis", "won"]).await;
    assert_eq!(won["status"], "won");
    let o3 = opportunity(app, &token, &nowhere, "O3", Some(amount("3000", "EUR")), "2031-01-20").await;
    assert_eq!(walk(app, &token, &o3, &["proposal", "lost"]).await["status"], "lost");
    let o4 = opportunity(app, &token, &nowhere, "O4", Some(amount("2000", "PLN")), "2031-01-31").await;
    assert_eq!(o4["stage"], "qualification");
    opportunity(app, &token, &scandinavia, "O5", None, "2031-01-31").await;
    let o6 = opportunity(app, &ann.token, &baltics, "O6", Some(amount("8000", "EUR")), "2031-01-05").await;
    walk(app, &ann.token, &o6, &["needs_analysis", "negotiation"]).await;
    let o7 = opportunity(app, &sid.token, &iberia, "O7", Some(amount("6000", "EUR")), "2031-03-01").await;
    walk(app, &sid.token, &o7, &["needs_analysis"]).await;
    let o8 = opportunity(app, &sid.token, &iberia, "O8", Some(amount("1000", "EUR")), "2031-02-01").await;
    walk(app, &sid.token, &o8, &["won"]).await;
    let closed_month = won["closed_at"].as_str().unwrap()[..7].to_string();
    Sales { ann, sid, closed_month }
}

/// `(period, group, currency, opportunities, amount_minor, weighted_minor, fallback_opportunities)`
type Row = (String, Option<String>, String, i64, i64, i64, i64);

fn rows(report: &Json, key: &str) -> Vec<Row> {
    report[key]
        .as_array()
        .unwrap_or_else(|| panic!("{key} is a list: {report}"))
        .iter()
        .map(|r| {
            (
                r["period"].as_str().unwrap().to_string(),
                r["group"].as_str().map(str::to_string),
                r["currency"].as_str().unwrap().to_string(),
                r["opportunities"].as_i64().unwrap(),
                r["amount_minor"].as_i64().unwrap(),
                r["weighted_minor"].as_i64().unwrap(),
                r["fallback_opportunities"].as_i64().unwrap(),
            )
        })
        .collect()
}

fn row(period: &str, group: Option<&str>, currency: &str, n: i64, amount: i64, weighted: i64, fallback: i64) -> Row {
    (period.into(), group.map(str::to_string), currency.into(), n, amount, weighted, fallback)
}

/// `stage → (won, lost, rate)`
fn win_rates(report: &Json) -> Vec<(String, i64, i64, f64)> {
    report["win_rates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["stage"].as_str().unwrap().to_string(),
                r["won"].as_i64().unwrap(),
                r["lost"].as_i64().unwrap(),
                r["rate"].as_f64().unwrap(),
            )
        })
        .collect()
}

async fn forecast_figures_match_hand_computations(app: TestApp) {
    let app = &app;
    let Sales { closed_month, .. } = data(app).await;
    let report = app.get("/api/v1/analytics/forecast?period=month&group=none&as_of=2032-01-01").await.expect(200).body;
    assert_eq!((report["period"].as_str(), report["group"].as_str()), (Some("month"), Some("none")));
    assert_eq!(report["as_of"], "2032-01-01");
    assert_eq!(
        report["opportunities"],
        json!({"read": 8, "used": 7, "left_out_without_amount": 1, "left_out_without_expected_close": 0,
            "left_out_without_stage": 0, "stage_changes": 7 + 9}),
        "O5 has no amount; each used opportunity has its creation plus its moves"
    );

    // Open: O1 10 000 EUR × 50 %, O4 2 000 PLN × 10 %, O6 8 000 EUR × 75 % (January), O7 6 000 EUR × 25 % (March).
    assert_eq!(
        rows(&report, "weighted_pipeline"),
        [
            row("2031-01", None, "EUR", 2, 1_800_000, 500_000 + 600_000, 0),
            row("2031-01", None, "PLN", 1, 200_000, 20_000, 0),
            row("2031-03", None, "EUR", 1, 600_000, 150_000, 0),
        ]
    );

    // Closed: O2 won (qualification, needs_analysis, won), O3 lost (qualification, proposal, lost),
    // O8 won (qualification, won). Stages in id order.
    assert_eq!(
        win_rates(&report),
        [
            ("lost".to_string(), 0, 1, 0.0),
            ("needs_analysis".to_string(), 1, 0, 1.0),
            ("proposal".to_string(), 0, 1, 0.0),
            ("qualification".to_string(), 2, 1, 2.0 / 3.0),
            ("won".to_string(), 2, 0, 1.0),
        ]
    );

    // Win-rate forecast: O1 (proposal) × 0; O6 (negotiation: no closed history) falls back to 75 %;
    // O4 (qualification) × 2/3 = 0.6667 → 200 000 × 0.6667 = 133 340; O7 (needs_analysis) × 1.
    assert_eq!(
        rows(&report, "forecast"),
        [
            row("2031-01", None, "EUR", 2, 1_800_000, 600_000, 1),
            row("2031-01", None, "PLN", 1, 200_000, 133_340, 0),
            row("2031-03", None, "EUR", 1, 600_000, 600_000, 0),
        ]
    );

    // Completed stays per stage (left by a later change): qualification O1, O2, O3, O6, O7, O8;
    // needs_analysis O2, O6; proposal O3. Every stay lasted a moment of this test.
    let durations: Vec<(String, i64)> = report["stage_durations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            let (mean, median) = (d["mean_days"].as_f64().unwrap(), d["median_days"].as_f64().unwrap());
            assert!(mean >= 0.0 && median >= 0.0, "{d}");
            (d["stage"].as_str().unwrap().to_string(), d["count"].as_i64().unwrap())
        })
        .collect();
    assert_eq!(
        durations,
        [("needs_analysis".to_string(), 2), ("proposal".to_string(), 1), ("qualification".to_string(), 6)]
    );

    // Forecast versus actual up to 2032: the month everything closed in (O2 4 000 + O8 1 000 won,
    // nothing expected), and the 2031 months at the probability of the stage each open
    // opportunity stands in (they were all created before those months).
    let fva: Vec<(String, String, i64, i64, i64)> = report["forecast_vs_actual"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["period"].as_str().unwrap().to_string(),
                r["currency"].as_str().unwrap().to_string(),
                r["forecast_minor"].as_i64().unwrap(),
                r["actual_minor"].as_i64().unwrap(),
                r["won"].as_i64().unwrap(),
            )
        })
        .collect();
    let s = |x: &str| x.to_string();
    assert_eq!(
        fva,
        [
            (closed_month.clone(), s("EUR"), 0, 500_000, 2),
            (s("2031-01"), s("EUR"), 1_100_000, 0, 0),
            (s("2031-01"), s("PLN"), 20_000, 0, 0),
            (s("2031-03"), s("EUR"), 150_000, 0, 0),
        ]
    );

    // By quarter and team: the admin is in no team; ann is in North and Baltic Desk (the first by name).
    let by_team = app.get("/api/v1/analytics/forecast?period=quarter&group=team&as_of=2032-01-01").await.expect(200);
    assert_eq!(
        rows(&by_team.body, "weighted_pipeline"),
        [
            row("2031-Q1", None, "EUR", 1, 1_000_000, 500_000, 0),
            row("2031-Q1", None, "PLN", 1, 200_000, 20_000, 0),
            row("2031-Q1", Some("Baltic Desk"), "EUR", 1, 800_000, 600_000, 0),
            row("2031-Q1", Some("South"), "EUR", 1, 600_000, 150_000, 0),
        ]
    );

    // By territory: the account's.
    let by_territory = app.get("/api/v1/analytics/forecast?group=territory").await.expect(200);
    assert_eq!(
        rows(&by_territory.body, "weighted_pipeline"),
        [
            row("2031-01", None, "PLN", 1, 200_000, 20_000, 0),
            row("2031-01", Some("Baltics"), "EUR", 1, 800_000, 600_000, 0),
            row("2031-01", Some("Scandinavia"), "EUR", 1, 1_000_000, 500_000, 0),
            row("2031-03", Some("Iberia"), "EUR", 1, 600_000, 150_000, 0),
        ]
    );

    // A filter narrows the opportunities: only open ones leave no closed history.
    let open =
        app.get("/api/v1/analytics/forecast?filter=status%20%3D%20%22open%22&as_of=2032-01-01").await.expect(200).body;
    assert_eq!((open["opportunities"]["read"].as_i64(), open["opportunities"]["used"].as_i64()), (Some(5), Some(4)));
    assert_eq!(open["filter"], "status = \"open\"");
    assert_eq!(open["win_rates"], json!([]));
    assert_eq!(open["weighted_pipeline"], report["weighted_pipeline"]);
    let all_fallback: Vec<i64> = rows(&open, "forecast").iter().map(|r| r.6).collect();
    assert_eq!(all_fallback, [2, 1, 1], "without closed history every stage falls back to its probability");
}

async fn reps_see_only_the_figures_of_what_they_may_read(app: TestApp) {
    let app = &app;
    let Sales { ann, sid, closed_month } = data(app).await;
    // Sid (South) sees only O7 and O8: none of the admin's or ann's figures.
    let theirs = app.get_as(&sid.token, "/api/v1/analytics/forecast?group=owner&as_of=2032-01-01").await.expect(200);
    let report = &theirs.body;
    assert_eq!(
        (report["opportunities"]["read"].as_i64(), report["opportunities"]["used"].as_i64()),
        (Some(2), Some(2))
    );
    assert_eq!(rows(report, "weighted_pipeline"), [row("2031-03", Some(&sid.user), "EUR", 1, 600_000, 150_000, 0)]);
    // needs_analysis has no closed history among what sid sees: O7 falls back to its 25 %.
    assert_eq!(rows(report, "forecast"), [row("2031-03", Some(&sid.user), "EUR", 1, 600_000, 150_000, 1)]);
    assert_eq!(win_rates(report), [("qualification".to_string(), 1, 0, 1.0), ("won".to_string(), 1, 0, 1.0)]);
    assert_eq!(report["forecast_vs_actual"][0]["period"], json!(closed_month));
    assert_eq!(report["forecast_vs_actual"][0]["actual_minor"], 100_000);

    // Ann's territory grouping shows her account's territory; the admin's accounts stay unseen.
    let hers = app.get_as(&ann.token, "/api/v1/analytics/forecast?group=territory").await.expect(200).body;
    assert_eq!(rows(&hers, "weighted_pipeline"), [row("2031-01", Some("Baltics"), "EUR", 1, 800_000, 600_000, 0)]);

    // A token that may not read opportunities gets no forecast.
    let contacts_only = app
        .post_as(&ann.token, "/api/v1/tokens", &json!({"name": "phone", "entities": ["contacts"]}))
        .await
        .expect(201)
        .body;
    let secret = contacts_only["secret"].as_str().unwrap();
    app.get_as(secret, "/api/v1/analytics/forecast").await.expect_problem(403, "forbidden");
    app.send(reqwest::Method::GET, "/api/v1/analytics/forecast", None, &[], None)
        .await
        .expect_problem(401, "unauthorized");
}

async fn bad_parameters_are_named_and_change_nothing(app: TestApp) {
    let app = &app;
    data(app).await;
    let before = app.snapshot().await;
    for (query, parameter) in [
        ("period=week", "period"),
        ("group=region", "group"),
        ("as_of=2031-02-30", "as_of"),
        ("as_of=tomorrow", "as_of"),
        ("limit=5", "limit"),
        ("period=month&period=quarter", "period"),
    ] {
        let reply = app.get(&format!("/api/v1/analytics/forecast?{query}")).await.expect_problem(400, "bad-request");
        assert_eq!(reply.error_fields(), [parameter], "{query}: {}", reply.body);
        assert!(reply.body["detail"].as_str().unwrap().starts_with(parameter), "{}", reply.body);
    }
    let bad_filter =
        app.get("/api/v1/analytics/forecast?filter=amount%20%3E").await.expect_problem(400, "invalid-filter");
    assert_eq!(bad_filter.error_fields(), ["filter"]);
    let unknown_field = app.get("/api/v1/analytics/forecast?filter=colour%20%3D%20%22red%22").await;
    assert_eq!(unknown_field.expect_problem(400, "invalid-filter").error_fields(), ["filter"]);
    assert_eq!(app.snapshot().await, before);
}

async fn the_forecast_pages_through_every_opportunity(app: TestApp) {
    let app = &app;
    let account = app.create("accounts", json!({"name": "Bulk Buyer"})).await;
    // 1 201 opportunities: three pages of 500. Each 1.00 EUR in qualification (10 %).
    let mut csv = String::from("name,account,amount,expected_close_date\n");
    for i in 0..1_201 {
        csv.push_str(&format!("Deal {i},{},1.00 EUR,2031-06-30\n", id_of(&account)));
    }
    let import = relata(app, &["import", "opportunities", "-"], Some(&csv)).await;
    assert!(import.status.success(), "{}", stderr(&import));
    let report = app.get("/api/v1/analytics/forecast").await.expect(200).body;
    assert_eq!(report["opportunities"]["read"], 1_201);
    assert_eq!(rows(&report, "weighted_pipeline"), [row("2031-06", None, "EUR", 1_201, 120_100, 12_010, 0)]);
}

async fn the_cli_prints_the_same_forecast_as_the_endpoint(app: TestApp) {
    let app = &app;
    data(app).await;
    let query = "/api/v1/analytics/forecast?period=quarter&group=team&as_of=2032-01-01";
    let api = app.get(query).await.expect(200).body;
    let cli = relata(
        app,
        &[
            "analytics",
            "forecast",
            "--workspace",
            "default",
            "--period",
            "quarter",
            "--group",
            "team",
            "--as-of",
            "2032-01-01",
        ],
        None,
    )
    .await;
    assert!(cli.status.success(), "{}", stderr(&cli));
    let printed: Json = serde_json::from_str(&stdout(&cli)).expect("one JSON document");
    assert_eq!(printed, api);
    assert_eq!(printed["opportunities"]["read"], 8);

    let filtered =
        relata(app, &["analytics", "forecast", "--filter", "status = \"won\"", "--as-of", "2032-01-01"], None).await;
    assert!(filtered.status.success(), "{}", stderr(&filtered));
    let printed: Json = serde_json::from_str(&stdout(&filtered)).unwrap();
    let api = app.get("/api/v1/analytics/forecast?filter=status%20%3D%20%22won%22&as_of=2032-01-01").await.expect(200);
    assert_eq!(printed, api.body);

    for (args, named) in [
        (&["analytics", "forecast", "--period", "week"][..], "--period"),
        (&["analytics", "forecast", "--group", "region"][..], "--group"),
        (&["analytics", "forecast", "--as-of", "someday"][..], "--as-of"),
        (&["analytics", "forecast", "--workspace", "nope"][..], "nope"),
    ] {
        let out = relata(app, args, None).await;
        assert!(!out.status.success() && stdout(&out).is_empty(), "{args:?}");
        assert!(stderr(&out).contains(named), "{args:?}: {}", stderr(&out));
    }
}
