//! Calendars: a person's and a team's meetings, calls and tasks by day,
//! week and month in each viewer's time zone; rescheduling under the
//! version shown (the keyboard's form and the drag's request); finding a
//! time free for several people; reminders before a meeting, through jobs.
//! On both backends.

use crate::helpers::{TestApp, id_of};
use crate::web::{browser, page};
use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use relata_i18n::Language;
use reqwest::Method;
use serde_json::json;

crate::both_backends!(
    calendars_show_a_person_and_a_team_in_each_viewer_s_time_zone_and_reschedule_by_version,
    find_a_time_proposes_a_slot_everyone_has_free,
    a_meeting_reminds_its_owner_before_it_starts_and_a_moved_one_only_at_its_new_time,
    a_meeting_s_attendees_see_it_on_their_calendars_are_busy_and_reminded_as_far_as_they_may_read_it,
);

/// An account of `who`'s, for their activities to be about.
async fn account_of(app: &TestApp, who: &crate::helpers::Session) -> serde_json::Value {
    let account = json!({"name": format!("Account of {}", who.user), "owner": who.user});
    app.post_as(&who.token, "/api/v1/accounts", &account).await.expect(201).body["id"].clone()
}

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text).unwrap().with_timezone(&Utc)
}

/// A time as a viewer in `zone` reads it on a calendar (`2:05 PM`).
fn shown(zone: &str, moment: DateTime<Utc>) -> String {
    relata_i18n::format::time(Language::En, zone.parse().unwrap(), moment)
}

async fn calendars_show_a_person_and_a_team_in_each_viewer_s_time_zone_and_reschedule_by_version(app: TestApp) {
    let app = &app;
    let ola = app.member("ola@example.com", "sales_rep").await;
    let jonas = app.member("jonas@example.com", "sales_rep").await;
    app.team("Baltic", &[(&ola, false), (&jonas, false)]).await;
    app.put_as(&ola.token, "/api/v1/me/preferences", &json!({"time_zone": "Europe/Warsaw"})).await.expect(200);
    app.put_as(&jonas.token, "/api/v1/me/preferences", &json!({"time_zone": "Europe/Vilnius"})).await.expect(200);
    // Thursday 15 January 2032, 09:00 UTC: 10:00 in Warsaw, 11:00 in Vilnius.
    let start = at("2032-01-15T09:00:00Z");
    let (hers, his) = (account_of(app, &ola).await, account_of(app, &jonas).await);
    let meeting = json!({"kind": "meeting", "subject": "Amber kick-off", "owner": ola.user, "account": hers,
                         "start_at": "2032-01-15T09:00:00Z", "end_at": "2032-01-15T10:00:00Z"});
    let meeting = app.post_as(&ola.token, "/api/v1/activities", &meeting).await.expect(201).body;
    let task = json!({"kind": "task", "subject": "Send the offer", "owner": jonas.user, "account": his,
                      "due_at": "2032-01-16T13:00:00Z"});
    let task = app.post_as(&jonas.token, "/api/v1/activities", &task).await.expect(201).body;

    let b = browser(app, "ola@example.com").await;
    let (status, _, week) = page(app, &b, Method::GET, "/calendar?span=week&date=2032-01-15", &[]).await;
    assert_eq!(status, 200, "{week}");
    assert!(week.contains("Amber kick-off") && week.contains(&shown("Europe/Warsaw", start)), "{week}");
    assert!(!week.contains("Send the offer"), "only hers: {week}");
    assert!(week.contains("Times in Europe/Warsaw"), "{week}");
    // English weeks start on Sunday: 11 to 17 January.
    assert!(week.contains("data-date=\"2032-01-11\"") && week.contains("data-date=\"2032-01-17\""), "{week}");
    assert!(!week.contains("data-date=\"2032-01-18\""));
    // A team's day: one column per person, side by side.
    let (_, _, day) = page(app, &b, Method::GET, "/calendar?span=day&date=2032-01-15&who=team", &[]).await;
    assert!(
        day.contains("aria-label=\"ola@example.com\"") && day.contains("aria-label=\"jonas@example.com\""),
        "{day}"
    );
    let (_, _, month) = page(app, &b, Method::GET, "/calendar?span=month&date=2032-01-01&who=team", &[]).await;
    assert!(month.contains("Amber kick-off") && month.contains("Send the offer"), "{month}");
    // Jonas, in Vilnius and in Polish-free English, sees her meeting at his time.
    let jb = browser(app, "jonas@example.com").await;
    let (_, _, his) =
        page(app, &jb, Method::GET, &format!("/calendar?span=day&date=2032-01-15&who={}", ola.user), &[]).await;
    assert!(his.contains("Amber kick-off") && his.contains(&shown("Europe/Vilnius", start)), "{his}");
    // In Polish, weeks start on Monday.
    app.put_as(&ola.token, "/api/v1/me/preferences", &json!({"language": "pl", "time_zone": "Europe/Warsaw"}))
        .await
        .expect(200);
    let (_, _, polish) = page(app, &b, Method::GET, "/calendar?span=week&date=2032-01-15", &[]).await;
    assert!(polish.contains("data-date=\"2032-01-12\"") && polish.contains("data-date=\"2032-01-18\""), "{polish}");
    assert!(polish.contains("Zmień termin") && polish.contains("Kalendarz"), "{polish}");

    // The keyboard's form: local times in her zone, under the version shown.
    let id = id_of(&meeting);
    let send = |version, start, end| reschedule(app, &b, &id, version, start, end);
    let (status, _, refused) = send("1", "2032-01-15T15:00", "2032-01-15T14:00").await;
    assert_eq!(status, 422, "an end before the start: {refused}");
    let (status, _, _) = send("1", "2032-01-15T14:00", "2032-01-15T15:30").await;
    assert_eq!(status, 303);
    let moved = app.get_as(&ola.token, &format!("/api/v1/activities/{id}")).await.expect(200).body;
    assert_eq!(
        (&moved["start_at"], &moved["end_at"]),
        (&json!("2032-01-15T13:00:00.000000Z"), &json!("2032-01-15T14:30:00.000000Z"))
    );
    assert_eq!(moved["version"], 2);
    // A page that showed version 1 does not overwrite what changed since.
    let (status, _, stale) = send("1", "2032-01-15T08:00", "2032-01-15T09:00").await;
    assert_eq!(status, 409, "{stale}");
    assert!(stale.contains("w międzyczasie"), "{stale}");
    let unchanged = app.get_as(&ola.token, &format!("/api/v1/activities/{id}")).await.expect(200).body;
    assert_eq!(unchanged["version"], 2);

    // The drag's request: If-Match and JSON; the same drag from a stale page is refused.
    let (status, answer) = drag(app, &b, &id, "2", ("2032-01-16T09:00", "2032-01-16T10:30")).await;
    assert_eq!((status, &answer["version"]), (200, &json!(3)), "{answer}");
    let (status, answer) = drag(app, &b, &id, "2", ("2032-01-16T09:00", "2032-01-16T10:30")).await;
    assert_eq!(status, 409, "{answer}");
    // Someone who may not change a colleague's activity cannot move it.
    let jonas_task = id_of(&task);
    let (status, _, _) = reschedule(app, &b, &jonas_task, "1", "2032-01-16T10:00", "2032-01-16T10:15").await;
    assert!(status == 403 || status == 404, "{status}");
    let task_now = app.get_as(&jonas.token, &format!("/api/v1/activities/{jonas_task}")).await.expect(200).body;
    assert_eq!(task_now["due_at"], "2032-01-16T13:00:00.000000Z");
}

/// What the calendar's script sends when an entry is dropped: the times,
/// the version as `If-Match`, asking for JSON.
async fn drag(
    app: &TestApp,
    b: &crate::web::Browser,
    id: &str,
    version: &str,
    (start, end): (&str, &str),
) -> (u16, serde_json::Value) {
    let body =
        serde_urlencoded::to_string([("csrf_token", b.csrf.as_str()), ("id", id), ("start", start), ("end", end)])
            .unwrap();
    let response = reqwest::Client::new()
        .post(format!("{}/calendar/move", app.base))
        .header("cookie", &b.cookie)
        .header("content-type", "application/x-www-form-urlencoded")
        .header("accept", "application/json")
        .header("if-match", format!("\"{version}\""))
        .body(body)
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.json().await.unwrap_or_default())
}

/// The "Reschedule" form of a calendar entry, sent.
async fn reschedule(
    app: &TestApp,
    b: &crate::web::Browser,
    id: &str,
    version: &str,
    start: &str,
    end: &str,
) -> (u16, String, String) {
    let fields = [("csrf_token", b.csrf.as_str()), ("id", id), ("version", version), ("start", start), ("end", end)];
    page(app, b, Method::POST, "/calendar/move", &fields).await
}

async fn find_a_time_proposes_a_slot_everyone_has_free(app: TestApp) {
    let app = &app;
    let ola = app.member("ola@example.com", "sales_rep").await;
    let jonas = app.member("jonas@example.com", "sales_rep").await;
    // Both are busy for most of the coming days, at different times.
    let now = app.app.app.store.now();
    let accounts =
        [(ola.user.clone(), account_of(app, &ola).await), (jonas.user.clone(), account_of(app, &jonas).await)];
    let account_for = |user: &str| accounts.iter().find(|(u, _)| u == user).unwrap().1.clone();
    let mut busy = Vec::new();
    for day in 0..7 {
        let base = (now + Duration::days(day)).date_naive().and_hms_opt(0, 0, 0).unwrap().and_utc();
        for (who, from, to) in [(&ola, 7, 11), (&jonas, 11, 14), (&ola, 14, 15)] {
            let (start, end) = (base + Duration::hours(from), base + Duration::hours(to));
            let meeting = json!({"kind": "meeting", "subject": "Busy", "owner": who.user, "account": account_for(&who.user),
                                 "start_at": start.to_rfc3339(), "end_at": end.to_rfc3339()});
            app.post_as(&who.token, "/api/v1/activities", &meeting).await.expect(201);
            busy.push((start, end));
        }
    }
    let b = browser(app, "ola@example.com").await;
    let path = format!("/calendar/find-time?who={}&who={}&minutes=60", ola.user, jonas.user);
    let (status, _, html) = page(app, &b, Method::GET, &path, &[]).await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("Proposed:") && html.contains("Busy times"), "{html}");
    // The proposal's link opens a new meeting at a time neither is busy, within working hours (UTC here).
    let marker = "/activities/new?";
    let at_link = html.find(marker).expect("a link to the new meeting");
    let query: String = html[at_link + marker.len()..].chars().take_while(|c| *c != '"').collect();
    let query = query.replace("&#38;", "&").replace("&amp;", "&");
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(&query).unwrap();
    let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()).unwrap();
    let parse = |v: String| NaiveDateTime::parse_from_str(&v, "%Y-%m-%dT%H:%M").unwrap().and_utc();
    let (start, end) = (parse(get("start_at")), parse(get("end_at")));
    assert_eq!(end - start, Duration::hours(1));
    assert!(start >= now - Duration::minutes(1), "not in the past");
    assert!(busy.iter().all(|(s, e)| *e <= start || *s >= end), "{start}–{end} clashes with {busy:?}");
    assert!((9..17).contains(&start.format("%H").to_string().parse::<u32>().unwrap()));
    assert_eq!(get("kind"), "meeting");
    let (_, _, form) = page(app, &b, Method::GET, &format!("{marker}{query}"), &[]).await;
    assert!(form.contains(&format!("value=\"{}\"", get("start_at"))), "the form shows the proposed time: {form}");
    // The others chosen are the meeting's attendees, ticked.
    assert_eq!(get("attendees"), jonas.user);
    let ticked = format!("name=\"attendees[{}]\" value=\"true\" checked", jonas.user);
    assert!(form.contains(&ticked), "{form}");
    assert!(!form.contains(&format!("name=\"attendees[{}]\" value=\"true\" checked", ola.user)), "{form}");
    // Without anyone chosen, the viewer alone; an odd length falls back to an hour.
    let (status, _, alone) = page(app, &b, Method::GET, "/calendar/find-time?minutes=abc&who=nobody", &[]).await;
    assert_eq!(status, 200);
    assert!(alone.contains("value=\"60\""), "{alone}");
}

async fn a_meeting_reminds_its_owner_before_it_starts_and_a_moved_one_only_at_its_new_time(app: TestApp) {
    let app = &app;
    let ola = app.member("ola@example.com", "sales_rep").await;
    let account = account_of(app, &ola).await;
    let now = app.app.app.store.now();
    let start = now + Duration::minutes(60);
    let meeting = json!({"kind": "meeting", "subject": "Amber call", "owner": ola.user, "account": account,
                         "start_at": start.to_rfc3339(), "end_at": (start + Duration::minutes(30)).to_rfc3339()});
    let meeting = app.post_as(&ola.token, "/api/v1/activities", &meeting).await.expect(201).body;
    let workers = relata_app::jobs::Workers::new(app.app.app.clone(), relata_app::jobs::WorkerOptions::default());
    let reminders = || async {
        let list = app.get_as(&ola.token, "/api/v1/notifications").await.expect(200).body;
        list["data"].as_array().unwrap().iter().filter(|n| n["kind"] == "reminder").cloned().collect::<Vec<_>>()
    };
    assert_eq!(workers.run_due().await.unwrap(), 0, "not yet");
    // Moved an hour later before its reminder ran: the first reminder says nothing.
    let later = start + Duration::hours(1);
    let patch = json!({"start_at": later.to_rfc3339(), "end_at": (later + Duration::minutes(30)).to_rfc3339()});
    let path = format!("/api/v1/activities/{}", id_of(&meeting));
    app.send(
        Method::PATCH,
        &path,
        Some(&ola.token),
        &[("content-type", "application/json"), ("if-match", "\"1\"")],
        Some(patch.to_string().into_bytes()),
    )
    .await
    .expect(200);
    app.app.app.store.clock().advance(Duration::minutes(50));
    workers.run_due().await.unwrap();
    assert!(reminders().await.is_empty(), "the old moment passed without a word");
    app.app.app.store.clock().advance(Duration::minutes(60));
    workers.run_due().await.unwrap();
    let told = reminders().await;
    assert_eq!(told.len(), 1, "{told:?}");
    assert!(told[0]["title"].as_str().unwrap().starts_with("Reminder: Amber call, in "), "{told:?}");
    assert_eq!(told[0]["link"], format!("/activities/{}", id_of(&meeting)));
    workers.run_due().await.unwrap();
    assert_eq!(reminders().await.len(), 1, "once");
    // A done task, or one whose reminder time passed, reminds no one.
    let past = json!({"kind": "task", "subject": "Too late", "owner": ola.user, "account": account,
                      "due_at": (app.app.app.store.now() + Duration::minutes(5)).to_rfc3339()});
    app.post_as(&ola.token, "/api/v1/activities", &past).await.expect(201);
    app.app.app.store.clock().advance(Duration::minutes(10));
    workers.run_due().await.unwrap();
    assert_eq!(reminders().await.len(), 1);
}

async fn a_meeting_s_attendees_see_it_on_their_calendars_are_busy_and_reminded_as_far_as_they_may_read_it(
    app: TestApp,
) {
    let app = &app;
    let ola = app.member("ola@example.com", "sales_rep").await;
    let jonas = app.member("jonas@example.com", "sales_rep").await;
    // Ines works in another team: sales reps read their team's activities only.
    let ines = app.member("ines@example.com", "sales_rep").await;
    app.team("Baltic", &[(&ola, false), (&jonas, false)]).await;
    app.team("Iberia", &[(&ines, false)]).await;
    let account = account_of(app, &ola).await;
    // 10:00 UTC on the next working day (find-a-time looks at working days).
    let now = app.app.app.store.now();
    let mut day = now.date_naive() + Duration::days(1);
    while chrono::Datelike::weekday(&day).num_days_from_monday() >= 5 {
        day += Duration::days(1);
    }
    let start = day.and_hms_opt(10, 0, 0).unwrap().and_utc();
    let end = start + Duration::hours(1);
    let meeting = |attendees: serde_json::Value| {
        json!({"kind": "meeting", "subject": "Amber planning", "owner": ola.user, "account": account,
               "start_at": start.to_rfc3339(), "end_at": end.to_rfc3339(), "attendees": attendees})
    };

    // Attendees are members of the workspace, named by id; anything else is refused by field.
    let before = app.snapshot().await;
    for (attendees, code) in [
        (json!(["not-an-id"]), "invalid_id"),
        (json!(["0190f2a4-1b2c-7d3e-8f40-123456789abc"]), "not_found"),
        (json!({"who": "jonas"}), "invalid_type"),
    ] {
        let reply = app.post_as(&ola.token, "/api/v1/activities", &meeting(attendees.clone())).await;
        let reply = reply.expect_problem(422, "validation");
        assert_eq!(reply.error_fields(), ["attendees"], "{attendees}: {}", reply.body);
        assert_eq!(reply.error_codes(), [code], "{attendees}: {}", reply.body);
    }
    assert_eq!(app.snapshot().await, before, "nothing saved");

    let body = meeting(json!([jonas.user, ines.user, jonas.user]));
    let created = app.post_as(&ola.token, "/api/v1/activities", &body).await.expect(201).body;
    assert_eq!(created["attendees"], json!([jonas.user, ines.user]), "each once, in order");
    let id = id_of(&created);
    // `attendees = me` finds what one attends.
    let filter = "attendees%20%3D%20me";
    let attended = app.get_as(&jonas.token, &format!("/api/v1/activities?filter={filter}")).await.expect(200).body;
    let ids: Vec<&str> = attended["data"].as_array().unwrap().iter().map(|a| a["id"].as_str().unwrap()).collect();
    assert_eq!(ids, [id.as_str()]);
    let mine = app.get_as(&ola.token, &format!("/api/v1/activities?filter={filter}")).await.expect(200).body;
    assert_eq!(mine["data"], json!([]), "the owner is no attendee");

    // Jonas sees it on his own calendar and in his column of the team's day; the page names who attends.
    let jb = browser(app, "jonas@example.com").await;
    let (_, _, his) = page(app, &jb, Method::GET, &format!("/calendar?span=week&date={day}"), &[]).await;
    assert!(his.contains("Amber planning"), "{his}");
    let (_, _, team_day) = page(app, &jb, Method::GET, &format!("/calendar?span=day&date={day}&who=team"), &[]).await;
    let his_column = team_day.split("aria-label=\"jonas@example.com\"").nth(1).unwrap_or_default();
    assert!(his_column.contains("Amber planning"), "{team_day}");
    let (_, _, record) = page(app, &jb, Method::GET, &format!("/activities/{id}"), &[]).await;
    assert!(record.contains("jonas@example.com, ines@example.com"), "attendees by name: {record}");
    // Ines attends but may not read the Baltic team's activities: not on her calendar.
    let ib = browser(app, "ines@example.com").await;
    let (_, _, hers) = page(app, &ib, Method::GET, &format!("/calendar?span=week&date={day}"), &[]).await;
    assert!(!hers.contains("Amber planning"), "{hers}");
    // Yet her time is taken: finding a time for her shows it busy (times only).
    let path = format!("/calendar/find-time?who={}&minutes=60", ines.user);
    let (_, _, busy) = page(app, &ib, Method::GET, &path, &[]).await;
    let shown_start = relata_i18n::format::time(Language::En, chrono_tz::UTC, start);
    assert!(busy.contains(&shown_start) && !busy.contains("Amber planning"), "{busy}");

    // The edit form ticks a box per attendee; unticking one and ticking another saves the change.
    let b = browser(app, "ola@example.com").await;
    let (_, _, form) = page(app, &b, Method::GET, &format!("/activities/{id}/edit"), &[]).await;
    for who in [&jonas, &ines] {
        assert!(form.contains(&format!("name=\"attendees[{}]\" value=\"true\" checked", who.user)), "{form}");
    }
    let fields = [
        ("csrf_token".to_string(), b.csrf.clone()),
        ("version".to_string(), "1".to_string()),
        ("kind".to_string(), "meeting".to_string()),
        ("subject".to_string(), "Amber planning".to_string()),
        ("attendees".to_string(), String::new()),
        (format!("attendees[{}]", ines.user), "true".to_string()),
    ];
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let (status, _, answer) = page(app, &b, Method::POST, &format!("/activities/{id}"), &fields).await;
    assert_eq!(status, 303, "{answer}");
    let saved = app.get_as(&ola.token, &format!("/api/v1/activities/{id}")).await.expect(200).body;
    assert_eq!(saved["attendees"], json!([ines.user]));
    // Put Jonas back, through the API.
    let path = format!("/api/v1/activities/{id}");
    app.send(
        Method::PATCH,
        &path,
        Some(&ola.token),
        &[("content-type", "application/json"), ("if-match", "\"2\"")],
        Some(json!({"attendees": [jonas.user, ines.user]}).to_string().into_bytes()),
    )
    .await
    .expect(200);

    // Its reminder reaches the owner and Jonas, each once; not Ines, who may not read it.
    let workers = relata_app::jobs::Workers::new(app.app.app.clone(), relata_app::jobs::WorkerOptions::default());
    app.app.app.store.clock().advance(start - now - Duration::minutes(10));
    workers.run_due().await.unwrap();
    let reminders = |email: &'static str| async move {
        // Signed in afresh: a day may have passed since.
        let token = app.sign_in(email, crate::helpers::PASSWORD).await.token;
        let list = app.get_as(&token, "/api/v1/notifications").await.expect(200).body;
        list["data"].as_array().unwrap().iter().filter(|n| n["kind"] == "reminder").count()
    };
    assert_eq!(reminders("ola@example.com").await, 1);
    assert_eq!(reminders("jonas@example.com").await, 1);
    assert_eq!(reminders("ines@example.com").await, 0);
}
