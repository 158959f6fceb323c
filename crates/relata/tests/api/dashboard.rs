//! The home page by role: a manager sees their team's pipeline by stage
//! and owner, win rate, forecast against quota, activities this week and
//! deals gone quiet; a salesperson their quota and quiet deals; anyone the
//! widgets they made from saved views. On both backends.

use crate::helpers::TestApp;
use crate::web::{browser, page};
use reqwest::Method;
use serde_json::json;

crate::both_backends!(
    a_manager_sees_the_team_and_a_salesperson_their_own_figures,
    widgets_from_saved_views_count_sum_and_chart_and_open_their_list,
);

async fn a_manager_sees_the_team_and_a_salesperson_their_own_figures(app: TestApp) {
    let app = &app;
    let mara = app.member("mara@example.com", "manager").await;
    let ola = app.member("ola@example.com", "sales_rep").await;
    let jonas = app.member("jonas@example.com", "sales_rep").await;
    app.team("Baltic", &[(&mara, true), (&ola, false), (&jonas, false)]).await;
    let account = app.post_as(&ola.token, "/api/v1/accounts", &json!({"name": "Amber", "owner": ola.user})).await;
    let account = account.expect(201).body["id"].clone();
    let deal = |name: &str, stage: &str, amount: &str, owner: &str| {
        json!({"name": name, "account": account, "stage": stage, "owner": owner,
               "amount": {"amount": amount, "currency": "EUR"}})
    };
    app.post_as(&ola.token, "/api/v1/opportunities", &deal("Quiet deal", "proposal", "5000", &ola.user))
        .await
        .expect(201);
    let busy = deal("Old but busy", "proposal", "700", &ola.user);
    let busy = app.post_as(&ola.token, "/api/v1/opportunities", &busy).await.expect(201).body;
    // A month passes; one old deal gets an activity, the other none.
    app.app.app.store.clock().advance(chrono::Duration::days(31));
    let sign_in = |email| app.sign_in(email, crate::helpers::PASSWORD);
    let (mara, ola, jonas) =
        (sign_in("mara@example.com").await, sign_in("ola@example.com").await, sign_in("jonas@example.com").await);
    let call = json!({"kind": "call", "subject": "Checked in", "owner": ola.user, "opportunity": busy["id"]});
    app.post_as(&ola.token, "/api/v1/activities", &call).await.expect(201);
    app.post_as(&ola.token, "/api/v1/opportunities", &deal("Big win", "won", "2000", &ola.user)).await.expect(201);
    app.post_as(&jonas.token, "/api/v1/opportunities", &deal("Lost one", "lost", "900", &jonas.user)).await.expect(201);
    let today = app.app.app.store.now().date_naive();
    let hot = json!({"name": "Hot deal", "account": account, "stage": "negotiation", "owner": ola.user,
                     "amount": {"amount": "4000", "currency": "EUR"}, "expected_close_date": today.to_string()});
    app.post_as(&ola.token, "/api/v1/opportunities", &hot).await.expect(201);

    // Quotas are a manager's to set; a period that runs backwards is refused by field, nothing written.
    let (start, end) = relata_sales::team::quarter_of(today);
    let quota = json!({"user": ola.user, "period_start": start.to_string(), "period_end": end.to_string(),
                       "amount": {"amount": "10000", "currency": "EUR"}});
    app.post_as(&ola.token, "/api/v1/quotas", &quota).await.expect_problem(403, "forbidden");
    let backwards = json!({"user": ola.user, "period_start": end.to_string(), "period_end": start.to_string(),
                           "amount": {"amount": "10000", "currency": "EUR"}});
    assert_eq!(app.post_as(&mara.token, "/api/v1/quotas", &backwards).await.expect(422).error_fields(), ["period_end"]);
    assert_eq!(app.list_all("quotas", "").await.len(), 0);
    let quota = app.post_as(&mara.token, "/api/v1/quotas", &quota).await.expect(201).body;
    assert_eq!(quota["name"], format!("{start} – {end}"), "named by its period: {quota}");

    let manager = browser(app, "mara@example.com").await;
    let (status, _, home) = page(app, &manager, Method::GET, "/", &[]).await;
    assert_eq!(status, 200);
    for part in ["My team", "Team pipeline by stage and owner", "Negotiation", "Proposal", "ola@example.com"] {
        assert!(home.contains(part), "{part} in {home}");
    }
    // Ola's open deals: 5,000 + 700 in Proposal, 4,000 in Negotiation.
    assert!(home.contains("€5,700.00") && home.contains("€4,000.00") && home.contains("€9,700.00"), "{home}");
    assert!(home.contains("50% (1 won, 1 lost)"), "the quarter's win rate: {home}");
    // Forecast: won 2,000 + 4,000 × 75% in Negotiation = 5,000 of 10,000.
    assert!(home.contains("Quota €10,000.00 · Won €2,000.00 · Forecast €5,000.00 (50%)"), "{home}");
    assert!(home.contains("Activities this week"), "{home}");
    let quiet_at = home.find("Deals with no activity for 30 days").expect("the quiet deals");
    let quiet = &home[quiet_at..];
    assert!(quiet.contains("Quiet deal") && !quiet.contains("Old but busy") && !quiet.contains("Hot deal"), "{quiet}");

    let rep = browser(app, "ola@example.com").await;
    let (_, _, mine) = page(app, &rep, Method::GET, "/", &[]).await;
    assert!(!mine.contains("Team pipeline by stage and owner"), "a salesperson leads no team: {mine}");
    assert!(mine.contains("My quota") && mine.contains("Forecast €5,000.00 (50%)"), "{mine}");
    assert!(mine.contains("My deals with no activity for 30 days") && mine.contains("Quiet deal"), "{mine}");
    let jonas_home = browser(app, "jonas@example.com").await;
    let (_, _, his) = page(app, &jonas_home, Method::GET, "/", &[]).await;
    assert!(!his.contains("Quiet deal") && !his.contains("My quota"), "only his own: {his}");
}

async fn widgets_from_saved_views_count_sum_and_chart_and_open_their_list(app: TestApp) {
    let app = &app;
    let ola = app.member("ola@example.com", "sales_rep").await;
    let account = app.post_as(&ola.token, "/api/v1/accounts", &json!({"name": "Amber", "owner": ola.user})).await;
    let account = account.expect(201).body["id"].clone();
    for (name, stage, amount) in [("A", "proposal", "100"), ("B", "proposal", "200"), ("C", "negotiation", "300")] {
        let deal = json!({"name": name, "account": account, "stage": stage, "owner": ola.user,
                          "amount": {"amount": amount, "currency": "EUR"}});
        app.post_as(&ola.token, "/api/v1/opportunities", &deal).await.expect(201);
    }
    let b = browser(app, "ola@example.com").await;
    let (_, _, home) = page(app, &b, Method::GET, "/", &[]).await;
    assert!(home.contains("Add figures from a saved view"), "an empty state that says what to do: {home}");
    let query = "filter=status+%3D+%22open%22";
    let form = [("csrf_token", b.csrf.as_str()), ("name", "My open deals"), ("query", query)];
    assert_eq!(page(app, &b, Method::POST, "/opportunities/views", &form).await.0, 303);
    let (_, _, list) = page(app, &b, Method::GET, "/opportunities", &[]).await;
    let marker = "/opportunities/views/";
    let at = list.find(marker).expect("the saved view") + marker.len();
    let view: String = list[at..].chars().take_while(|c| *c != '/').collect();
    assert!(
        list.contains("Add to home") && list.contains("value=\"sum:amount\"") && list.contains("value=\"chart:stage\"")
    );

    let add = |figure: &'static str| add_widget(app, &b, &view, figure);
    // What a widget cannot show is refused with a reason, and nothing is added.
    let (status, _, refused) = add("sum:name").await;
    assert_eq!(status, 422);
    assert!(refused.contains("no money field"), "{refused}");
    assert_eq!(add("chart:description").await.0, 422);
    assert_eq!(add("average:amount").await.0, 422);
    let form =
        [("csrf_token", b.csrf.as_str()), ("entity", "opportunities"), ("view", "no-such-view"), ("figure", "count")];
    assert_eq!(page(app, &b, Method::POST, "/home/widgets", &form).await.0, 422);
    let (_, _, home) = page(app, &b, Method::GET, "/", &[]).await;
    assert!(home.contains("Add figures from a saved view"), "nothing was added: {home}");

    for figure in ["count", "sum:amount", "chart:stage"] {
        assert_eq!(add(figure).await.0, 303, "{figure}");
    }
    let (_, _, home) = page(app, &b, Method::GET, "/", &[]).await;
    assert!(home.contains("My open deals · Opportunities") && home.contains("3 records"), "{home}");
    assert!(home.contains("My open deals · Amount") && home.contains("€600.00"), "{home}");
    assert!(home.contains("My open deals · Stage") && home.contains("<svg"), "{home}");
    let chart_at = home.find("My open deals · Stage").unwrap();
    let chart = &home[chart_at..];
    assert!(
        chart.contains(">Proposal<") && chart.contains(">Negotiation<"),
        "bars named like the list names stages: {chart}"
    );
    assert!(home.contains(&format!("href=\"/opportunities?{query}\"")), "each opens its list: {home}");

    // Another deal moves the figures; a widget whose view is deleted says so and can be removed.
    let more = json!({"name": "D", "account": account, "stage": "proposal", "owner": ola.user,
                      "amount": {"amount": "50", "currency": "EUR"}});
    app.post_as(&ola.token, "/api/v1/opportunities", &more).await.expect(201);
    let (_, _, home) = page(app, &b, Method::GET, "/", &[]).await;
    assert!(home.contains("4 records") && home.contains("€650.00"), "{home}");
    let delete = format!("/opportunities/views/{view}/delete");
    assert_eq!(page(app, &b, Method::POST, &delete, &[("csrf_token", b.csrf.as_str())]).await.0, 303);
    let (_, _, home) = page(app, &b, Method::GET, "/", &[]).await;
    let gone = home.matches("<p>The saved view behind this widget is gone.</p>").count();
    assert_eq!(gone, 3, "{}", &home[home.find("widgets").unwrap_or(0)..]);
    let marker = "/home/widgets/";
    let at = home.find(marker).expect("a widget") + marker.len();
    let widget: String = home[at..].chars().take_while(|c| *c != '/').collect();
    let remove = format!("/home/widgets/{widget}/delete");
    assert_eq!(page(app, &b, Method::POST, &remove, &[("csrf_token", b.csrf.as_str())]).await.0, 303);
    let (_, _, home) = page(app, &b, Method::GET, "/", &[]).await;
    assert_eq!(home.matches("<p>The saved view behind this widget is gone.</p>").count(), 2);
    // The same through the API: checked alike, listed, removed once.
    let api = app
        .post_as(&ola.token, "/api/v1/me/widgets", &json!({"entity": "opportunities", "view": view, "figure": "count"}))
        .await;
    assert_eq!(api.expect(422).error_fields(), ["view"], "the view was deleted");
    let bad = json!({"entity": "nothing", "view": view, "figure": "count"});
    assert_eq!(app.post_as(&ola.token, "/api/v1/me/widgets", &bad).await.expect(422).error_fields(), ["entity"]);
    let listed = app.get_as(&ola.token, "/api/v1/me/widgets").await.expect(200).body;
    assert_eq!(listed["data"].as_array().unwrap().len(), 2, "{listed}");
    assert_eq!(listed["data"][0]["view_gone"], true, "{listed}");
    let first = listed["data"][0]["id"].as_str().unwrap().to_string();
    let path = format!("/api/v1/me/widgets/{first}");
    app.send(Method::DELETE, &path, Some(&ola.token), &[], None).await.expect(204);
    app.send(Method::DELETE, &path, Some(&ola.token), &[], None).await.expect_problem(404, "not-found");
    // Someone else cannot remove another's widget: it stays.
    app.member("jonas@example.com", "sales_rep").await;
    let other = browser(app, "jonas@example.com").await;
    let last = listed["data"][1]["id"].as_str().unwrap().to_string();
    let remove = format!("/home/widgets/{last}/delete");
    assert_eq!(page(app, &other, Method::POST, &remove, &[("csrf_token", other.csrf.as_str())]).await.0, 404);
    let left = app.get_as(&ola.token, "/api/v1/me/widgets").await.expect(200).body;
    assert_eq!(left["data"][0]["id"], json!(last), "{left}");
}

async fn add_widget(app: &TestApp, b: &crate::web::Browser, view: &str, figure: &str) -> (u16, String, String) {
    let form = [("csrf_token", b.csrf.as_str()), ("entity", "opportunities"), ("view", view), ("figure", figure)];
    page(app, b, Method::POST, "/home/widgets", &form).await
}
