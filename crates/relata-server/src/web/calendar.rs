//! Calendars: a person's or a team's meetings, calls and tasks by day
//! (team members side by side), week or month, in the viewer's time zone
//! and with weeks starting on their language's first day; rescheduled by
//! dragging (or resizing) an entry or, from the keyboard, with its
//! "Reschedule" form, both saved under the version the page showed (a
//! change made meanwhile is refused, not overwritten); and "Find a time":
//! the busy times of several people and the first slot all have free.

use super::{Layout, Page, PageQuery, S, csrf_ok, csrf_refused, layout, read_form, render};
use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, Utc, Weekday};
use relata_app::read::{self, ListParams};
use relata_core::filter::{Expr, Op};
use relata_core::value::{FieldValue, format_datetime};
use relata_core::{Record, UserId};
use relata_crm::ACTIVITIES;
use relata_crm::calendar::{Span, first_free_slot, involves, involving, moment_of, start_of_day};
use std::collections::HashMap;

/// Pixels an hour takes in the day and week views (a quarter: 10).
const HOUR_PX: i64 = 40;
/// The most entries of each sort (timed, due) a view loads: a list page's most.
const MAX_ENTRIES: u64 = 500;

pub struct Entry {
    pub id: String,
    pub version: i64,
    pub href: String,
    pub subject: String,
    /// The kind's id (`meeting`, for styling) and its label.
    pub kind_id: String,
    pub kind: String,
    pub owner: String,
    /// "10:00–11:00" in the viewer's zone and format.
    pub when: String,
    /// For the reschedule form (`datetime-local` values in the viewer's zone).
    pub start_local: String,
    pub end_local: String,
    /// Position and height in the day's column (pixels).
    pub top: i64,
    pub height: i64,
    /// Whether the viewer may move it.
    pub movable: bool,
}

pub struct Column {
    pub heading: String,
    /// The day the column shows (`YYYY-MM-DD`), for dropping onto it.
    pub date: String,
    pub today: bool,
    /// A month view's day outside the month.
    pub outside: bool,
    pub entries: Vec<Entry>,
}

#[derive(Template)]
#[template(path = "calendar.html")]
struct CalendarPage {
    layout: Layout,
    span: &'static str,
    heading: String,
    /// Day and week views: columns on a time grid; month: weeks of days.
    columns: Vec<Column>,
    weeks: Vec<Vec<Column>>,
    hours: Vec<String>,
    hour_px: i64,
    previous_href: String,
    next_href: String,
    today_href: String,
    span_links: Vec<(String, String, bool)>,
    who_links: Vec<(String, String, bool)>,
    zone: String,
    find_time_href: String,
}

/// The first day of the week where the viewer's language is spoken (CLDR:
/// Sunday for English as in the United States, Monday for the others).
pub fn first_weekday(language: relata_i18n::Language) -> Weekday {
    match language.data() {
        relata_i18n::Language::En => Weekday::Sun,
        _ => Weekday::Mon,
    }
}

/// Whose calendar: `me`, `team` (the viewer and the members of their
/// teams), or one member by id.
async fn people(server: &crate::Server, page: &Page, who: &str) -> Vec<UserId> {
    let me = page.principal.user;
    match who {
        "team" => {
            let mut people: Vec<UserId> = page.ctx.access.teams.colleagues.iter().copied().collect();
            people.extend(page.ctx.access.teams.managed.iter().copied());
            if !people.contains(&me) {
                people.insert(0, me);
            }
            people.sort();
            people.dedup();
            people
        }
        other => match other.parse::<uuid::Uuid>() {
            Ok(id) => {
                let members = relata_app::people::members(&server.app, &page.ctx).await.unwrap_or_default();
                members.iter().find(|m| m.user.id.uuid() == id).map_or_else(|| vec![me], |m| vec![m.user.id])
            }
            Err(_) => vec![me],
        },
    }
}

/// The activities `people` take part in (as owners, or as attendees where
/// `attendees_visible`) between two moments, as `ctx` may see them:
/// meetings and calls by start, tasks by due time.
async fn activities_between(
    server: &crate::Server,
    (ctx, attendees_visible): (&relata_app::Ctx, bool),
    people: &[UserId],
    (from, to): (DateTime<Utc>, DateTime<Utc>),
) -> Vec<Record> {
    let mut found: Vec<Record> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (field, kinds) in [("start_at", vec!["meeting", "call"]), ("due_at", vec!["task"])] {
        for read in involving(people, attendees_visible) {
            let conditions = vec![
                read,
                Expr::compare(field, Op::Ge, format_datetime(&from)),
                Expr::compare(field, Op::Lt, format_datetime(&to)),
                Expr::one_of("kind", kinds.clone()),
            ];
            let params = ListParams {
                conditions,
                sort: Some(field.to_string()),
                limit: Some(MAX_ENTRIES),
                ..Default::default()
            };
            match read::list(&server.app, ctx, ACTIVITIES, &params).await {
                // What one owns and also attends comes once.
                Ok((page, _)) => found.extend(page.records.into_iter().filter(|r| seen.insert(r.id))),
                Err(e) => tracing::warn!(error = %e, "calendar entries not read"),
            }
        }
    }
    found
}

/// `YYYY-MM-DDTHH:MM` in the viewer's zone (a `datetime-local` value).
fn local_input(page: &Page, at: &DateTime<Utc>) -> String {
    at.with_timezone(&page.locale.zone).format("%Y-%m-%dT%H:%M").to_string()
}

fn entry(page: &Page, names: &HashMap<uuid::Uuid, String>, activity: &Record, day_start: DateTime<Utc>) -> Entry {
    let (start, end) = moment_of(activity).unwrap_or((activity.created_at, activity.created_at));
    let time = |at: &DateTime<Utc>| relata_i18n::format::time(page.locale.language, page.locale.zone, *at);
    let schema = page.schema(ACTIVITIES);
    let minutes_in = (start - day_start).num_minutes().clamp(0, 24 * 60);
    let length = (end - start).num_minutes().clamp(15, 24 * 60 - minutes_in);
    let kind = activity.values.text("kind").unwrap_or_default();
    Entry {
        id: activity.id.to_string(),
        version: activity.version,
        href: format!("/activities/{}", activity.id),
        subject: schema.title(activity),
        kind_id: kind.to_string(),
        kind: schema.field("kind").map_or_else(|| kind.to_string(), |f| f.option_label(kind).to_string()),
        owner: super::visible_std(schema, activity, "owner")
            .as_ref_id()
            .and_then(|o| names.get(&o).cloned())
            .unwrap_or_default(),
        when: format!("{}–{}", time(&start), time(&end)),
        start_local: local_input(page, &start),
        end_local: local_input(page, &end),
        top: minutes_in * HOUR_PX / 60,
        height: (length * HOUR_PX / 60).max(HOUR_PX / 4),
        movable: page
            .ctx
            .access
            .check(
                ACTIVITIES,
                relata_core::access::Right::Update,
                activity.values.ref_id("owner").map(UserId::from_uuid),
            )
            .is_ok(),
    }
}

/// `GET /calendar?span=day|week|month&date=YYYY-MM-DD&who=me|team|<member>`.
pub async fn calendar(State(server): S, page: Page, axum::extract::RawQuery(raw): axum::extract::RawQuery) -> Response {
    let query = PageQuery::parse(raw.as_deref());
    let tr = page.tr();
    let zone = page.locale.zone;
    let now = server.app.store.now();
    let today = now.with_timezone(&zone).date_naive();
    let span = Span::parse(&query.get("span")).unwrap_or(Span::Week);
    let date = query.get("date").parse::<NaiveDate>().unwrap_or(today);
    let who = match query.get("who") {
        w if w.is_empty() => "me".to_string(),
        w => w,
    };
    let first = first_weekday(page.locale.language);
    let (from_day, to_day) = span.days(date, first);
    let range = (start_of_day(&zone, from_day), start_of_day(&zone, to_day + Duration::days(1)));
    let people = people(&server, &page, &who).await;
    let members = relata_app::people::members(&server.app, &page.ctx).await.unwrap_or_default();
    let names: HashMap<uuid::Uuid, String> =
        members.iter().map(|m| (m.user.id.uuid(), m.user.display_name.clone())).collect();
    // Attended activities count where the viewer sees who attends.
    let attendees_visible = page.schema(ACTIVITIES).field("attendees").is_some();
    let found = activities_between(&server, (&page.ctx, attendees_visible), &people, range).await;
    let day_of = |a: &Record| moment_of(a).map(|(s, _)| s.with_timezone(&zone).date_naive());
    let column = |day: NaiveDate, heading: String, filter: &dyn Fn(&Record) -> bool| {
        let day_start = start_of_day(&zone, day);
        let mut entries: Vec<Entry> = found
            .iter()
            .filter(|a| day_of(a) == Some(day) && filter(a))
            .map(|a| entry(&page, &names, a, day_start))
            .collect();
        entries.sort_by_key(|e| e.top);
        Column { heading, date: day.to_string(), today: day == today, outside: false, entries }
    };
    let day_heading = |d: NaiveDate| relata_i18n::format::date(page.locale.language, d);
    let (mut columns, mut weeks) = (Vec::new(), Vec::new());
    match span {
        // A team's day: one column per person, side by side.
        Span::Day if people.len() > 1 => {
            for person in &people {
                let name = names.get(&person.uuid()).cloned().unwrap_or_default();
                let mine = |a: &Record| involves(a, *person);
                columns.push(column(date, name, &mine));
            }
        }
        Span::Day | Span::Week => {
            let mut day = from_day;
            while day <= to_day {
                columns.push(column(day, day_heading(day), &|_| true));
                day += Duration::days(1);
            }
        }
        Span::Month => {
            let mut day = from_day;
            while day <= to_day {
                let mut week = Vec::with_capacity(7);
                for _ in 0..7 {
                    let mut c = column(day, day.day().to_string(), &|_| true);
                    c.outside = day.month() != date.month();
                    week.push(c);
                    day += Duration::days(1);
                }
                weeks.push(week);
            }
        }
    }
    let link = |span: Span, date: NaiveDate, who: &str| {
        format!(
            "/calendar?{}",
            super::query_string(&[("span", span.as_str()), ("date", &date.to_string()), ("who", who)])
        )
    };
    let span_links = [(Span::Day, "calendar-day"), (Span::Week, "calendar-week"), (Span::Month, "calendar-month")]
        .into_iter()
        .map(|(s, label)| (link(s, date, &who), tr.t(label), s == span))
        .collect();
    let mut who_links = vec![
        (link(span, date, "me"), tr.t("calendar-mine"), who == "me"),
        (link(span, date, "team"), tr.t("calendar-team"), who == "team"),
    ];
    for member in members.iter().filter(|m| m.active && m.user.id != page.principal.user) {
        let id = member.user.id.to_string();
        who_links.push((link(span, date, &id), member.user.display_name.clone(), who == id));
    }
    let heading = match span {
        Span::Day => day_heading(date),
        _ => format!("{} – {}", day_heading(from_day), day_heading(to_day)),
    };
    let find_people: Vec<(&str, String)> = people.iter().map(|p| ("who", p.to_string())).collect();
    let find_pairs: Vec<(&str, &str)> = find_people.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let template = CalendarPage {
        layout: layout(&page, &tr.t("calendar-title"), None),
        span: span.as_str(),
        heading,
        columns,
        weeks,
        hours: (0..24).map(|h| format!("{h:02}:00")).collect(),
        hour_px: HOUR_PX,
        previous_href: link(span, span.step(date, -1), &who),
        next_href: link(span, span.step(date, 1), &who),
        today_href: link(span, today, &who),
        span_links,
        who_links,
        zone: tr.t_with("calendar-times-in", &[("zone", zone.name().into())]),
        find_time_href: format!("/calendar/find-time?{}", super::query_string(&find_pairs)),
    };
    render(&template, StatusCode::OK)
}

/// A local date-time typed in a form (`datetime-local`), in the viewer's zone.
fn parse_local(page: &Page, text: &str) -> Option<DateTime<Utc>> {
    let naive = NaiveDateTime::parse_from_str(text.trim(), "%Y-%m-%dT%H:%M").ok()?;
    use chrono::TimeZone;
    page.locale.zone.from_local_datetime(&naive).earliest().map(|t| t.with_timezone(&Utc))
}

/// `POST /calendar/move`: an activity rescheduled (`start`, `end` as local
/// date-times), under the version the page showed: the `If-Match` header
/// (dragging) or the form's `version` (the keyboard's form). Answers 303
/// back to the calendar, or, for scripts (`Accept: application/json`),
/// the new version.
pub async fn move_entry(State(server): S, page: Page, headers: HeaderMap, body: axum::body::Bytes) -> Response {
    let form = read_form(&body);
    if !csrf_ok(&page, &form) {
        return csrf_refused(&page);
    }
    let tr = page.tr();
    let field = |name: &str| form.get(name).map(String::as_str).unwrap_or("");
    let wants_json = headers.get("accept").and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains("json"));
    let refuse = |status: StatusCode, reason: String| -> Response {
        if wants_json {
            (status, axum::Json(serde_json::json!({"detail": reason}))).into_response()
        } else {
            super::message_page(&page, status, "calendar-not-saved", &reason)
        }
    };
    let version = headers
        .get("if-match")
        .and_then(|v| v.to_str().ok())
        .map(|v| v.trim().trim_start_matches("W/").trim_matches('"').to_string())
        .unwrap_or_else(|| field("version").to_string())
        .parse::<i64>();
    let (Ok(version), Some(start), Some(end)) =
        (version, parse_local(&page, field("start")), parse_local(&page, field("end")))
    else {
        return refuse(StatusCode::UNPROCESSABLE_ENTITY, tr.t("calendar-bad-times"));
    };
    if end <= start {
        return refuse(StatusCode::UNPROCESSABLE_ENTITY, tr.t("calendar-end-before-start"));
    }
    let Ok(id) = field("id").parse::<relata_core::RecordId>() else { return super::not_found(&page) };
    let schema = page.schema(ACTIVITIES);
    let current = match read::get(&server.app, &page.ctx, ACTIVITIES, id, false).await {
        Ok((r, _)) => r,
        Err(e) => return super::app_error_page(&page, e),
    };
    // Tasks move by their due time; meetings and calls by start and end.
    let mut patch = relata_core::value::Values::default();
    let set = |patch: &mut relata_core::value::Values, name: &str, at: DateTime<Utc>| {
        schema.field(name).map(|f| patch.set(f, FieldValue::DateTime(at))).is_some()
    };
    let settable = if current.values.text("kind") == Some("task") {
        set(&mut patch, "due_at", start)
    } else {
        set(&mut patch, "start_at", start) && set(&mut patch, "end_at", end)
    };
    if !settable {
        return refuse(StatusCode::FORBIDDEN, tr.t("not-allowed"));
    }
    match relata_app::write::update_values(&server.app, &page.ctx, ACTIVITIES, id, patch, version).await {
        Ok(saved) if wants_json => axum::Json(serde_json::json!({"version": saved.version})).into_response(),
        Ok(_) => {
            let back = field("back");
            super::see_other(if super::is_local_path(back) { back.to_string() } else { "/calendar".into() })
        }
        Err(relata_app::error::AppError::VersionConflict { .. }) => {
            refuse(StatusCode::CONFLICT, tr.t("calendar-conflict"))
        }
        Err(relata_app::error::AppError::Invalid(e)) => {
            refuse(StatusCode::UNPROCESSABLE_ENTITY, super::refusals_text(page.tr(), &e))
        }
        Err(e) => super::app_error_page(&page, e),
    }
}

pub struct BusyRow {
    pub day: String,
    /// Per person: their busy times that day, or that they are free.
    pub cells: Vec<String>,
}

#[derive(Template)]
#[template(path = "find_time.html")]
struct FindTimePage {
    layout: Layout,
    members: Vec<(String, String, bool)>,
    minutes: i64,
    names: Vec<String>,
    rows: Vec<BusyRow>,
    proposal: Option<(String, String)>,
    zone: String,
}

/// `GET /calendar/find-time?who=<member>&who=…&minutes=60`: each person's
/// busy times over the next five working days (9:00 to 17:00 where the
/// viewer is), and the first slot all of them have free, with a link that
/// opens a new meeting at that time. Busy times show no details: they come
/// from everyone's calendar, whatever the viewer may read.
pub async fn find_time(
    State(server): S,
    page: Page,
    axum::extract::RawQuery(raw): axum::extract::RawQuery,
) -> Response {
    let query = PageQuery::parse(raw.as_deref());
    let tr = page.tr();
    let zone = page.locale.zone;
    let members = relata_app::people::members(&server.app, &page.ctx).await.unwrap_or_default();
    let chosen: Vec<uuid::Uuid> = query.all("who").iter().filter_map(|w| w.parse().ok()).collect();
    let mut people: Vec<&relata_store::identity::Member> =
        members.iter().filter(|m| m.active && chosen.contains(&m.user.id.uuid())).collect();
    if people.is_empty() {
        people = members.iter().filter(|m| m.user.id == page.principal.user).collect();
    }
    let minutes = query.get("minutes").parse::<i64>().ok().filter(|m| (15..=480).contains(m)).unwrap_or(60);
    let now = server.app.store.now();
    let mut days = Vec::new();
    let mut day = now.with_timezone(&zone).date_naive();
    while days.len() < 5 {
        if day.weekday().num_days_from_monday() < 5 {
            days.push(day);
        }
        day += Duration::days(1);
    }
    let window = |d: NaiveDate| {
        let start = start_of_day(&zone, d);
        ((start + Duration::hours(9)).max(now), start + Duration::hours(17))
    };
    let range = (start_of_day(&zone, days[0]), start_of_day(&zone, days[4] + Duration::days(1)));
    // Everyone's calendar, whatever the viewer may read: only times are shown.
    let everything = relata_app::Ctx::new(page.ctx.workspace.clone(), None);
    let ids: Vec<UserId> = people.iter().map(|m| m.user.id).collect();
    let found = activities_between(&server, (&everything, true), &ids, range).await;
    let busy_of = |person: UserId| -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
        found
            .iter()
            .filter(|a| involves(a, person))
            .filter(|a| a.values.std("done") != &FieldValue::Bool(true) || a.values.text("kind") != Some("task"))
            .filter_map(moment_of)
            .collect()
    };
    let all_busy: Vec<_> = ids.iter().flat_map(|p| busy_of(*p)).collect();
    let windows: Vec<_> = days.iter().map(|d| window(*d)).filter(|(s, e)| s < e).collect();
    let time = |at: &DateTime<Utc>| relata_i18n::format::time(page.locale.language, zone, *at);
    let proposal = first_free_slot(&windows, &all_busy, Duration::minutes(minutes)).map(|(start, end)| {
        let when = format!(
            "{}, {}–{}",
            relata_i18n::format::date(page.locale.language, start.with_timezone(&zone).date_naive()),
            time(&start),
            time(&end)
        );
        // The others chosen attend the meeting the viewer will own.
        let others: Vec<String> = ids.iter().filter(|p| **p != page.principal.user).map(|p| p.to_string()).collect();
        let href = format!(
            "/activities/new?{}",
            super::query_string(&[
                ("kind", "meeting"),
                ("start_at", &local_input(&page, &start)),
                ("end_at", &local_input(&page, &end)),
                ("owner", &page.principal.user.to_string()),
                ("attendees", &others.join("; ")),
            ])
        );
        (tr.t_with("find-time-proposal", &[("when", when.into())]), href)
    });
    let rows = days
        .iter()
        .map(|d| {
            let (from, to) = (start_of_day(&zone, *d), start_of_day(&zone, *d + Duration::days(1)));
            let cells = ids
                .iter()
                .map(|p| {
                    let mut busy: Vec<_> = busy_of(*p).into_iter().filter(|(s, e)| *s < to && *e > from).collect();
                    busy.sort();
                    if busy.is_empty() {
                        tr.t("find-time-free")
                    } else {
                        busy.iter().map(|(s, e)| format!("{}–{}", time(s), time(e))).collect::<Vec<_>>().join(", ")
                    }
                })
                .collect();
            BusyRow { day: relata_i18n::format::date(page.locale.language, *d), cells }
        })
        .collect();
    let template = FindTimePage {
        layout: layout(&page, &tr.t("find-time-title"), None),
        members: members
            .iter()
            .filter(|m| m.active)
            .map(|m| {
                (m.user.id.to_string(), m.user.display_name.clone(), people.iter().any(|p| p.user.id == m.user.id))
            })
            .collect(),
        minutes,
        names: people.iter().map(|m| m.user.display_name.clone()).collect(),
        rows,
        proposal,
        zone: tr.t_with("calendar-times-in", &[("zone", zone.name().into())]),
    };
    render(&template, StatusCode::OK)
}
