//! The start page: my open tasks (overdue ones marked), my open pipeline by
//! stage and my team's weighted pipeline as charts drawn by the server,
//! recent activity, and what [`super::dashboard`] adds by role (a manager's
//! team figures, a salesperson's quota and quiet deals, widgets).

use super::{Layout, Page, S, layout, render};
use crate::http::escape_html;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use relata_app::read::{self, ListParams};
use relata_core::UserId;
use relata_core::filter::Expr;
use relata_core::value::{FieldValue, format_datetime};
use relata_crm::ACTIVITIES;

pub struct TaskItem {
    pub title: String,
    pub href: String,
    /// When it is due, in the user's format and time zone.
    pub due: String,
    /// The same, relative to now ("in 2 hours").
    pub due_relative: String,
    /// The same, for machines (`<time datetime>`).
    pub due_iso: String,
    pub overdue: bool,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    layout: Layout,
    greeting: String,
    tasks: Vec<TaskItem>,
    pipeline_svg: String,
    team_svg: String,
    /// (href, title, kind) of the latest activities the user may see.
    recent: Vec<(String, String, String)>,
    /// The user's webhook subscriptions that were paused, a line each.
    paused_webhooks: Vec<String>,
    /// For who leads a team.
    team: Option<super::dashboard::TeamSection>,
    mine: super::dashboard::MineSection,
    widgets: Vec<super::dashboard::WidgetView>,
}

/// Bars of open amounts per stage, drawn by the server (`what` names the
/// chart), or what to do when there are none.
fn pipeline_svg(page: &Page, what: &str, bars: &[(String, i64, String)]) -> String {
    let tr = page.tr();
    if bars.is_empty() {
        return format!("<p class=\"empty\">{}</p>", escape_html(&tr.t("home-no-open-opportunities")));
    }
    bars_svg(&tr.t(what), bars)
}

/// Horizontal bars (label, value, value shown), drawn by the server.
pub(crate) fn bars_svg(what: &str, bars: &[(String, i64, String)]) -> String {
    let max = bars.iter().map(|(_, v, _)| *v).max().unwrap_or(1).max(1) as f64;
    let height = bars.len() * 28 + 8;
    let mut svg =
        format!("<svg role=\"img\" aria-label=\"{}\" viewBox=\"0 0 480 {height}\" width=\"100%\">", escape_html(what));
    for (i, (stage, value, label)) in bars.iter().enumerate() {
        let y = 4 + i * 28;
        let width = ((*value as f64 / max) * 280.0).max(2.0);
        svg.push_str(&format!(
            "<text x=\"0\" y=\"{}\" font-size=\"12\">{}</text><rect x=\"120\" y=\"{y}\" width=\"{width:.0}\" height=\"20\" fill=\"#3b6fb6\"></rect><text x=\"{:.0}\" y=\"{}\" font-size=\"12\">{}</text>",
            y + 14,
            escape_html(stage),
            126.0 + width,
            y + 14,
            escape_html(label)
        ));
    }
    svg.push_str("</svg>");
    svg
}

/// `GET /`: the signed-in start page, or the anonymous one.
pub async fn home(State(server): S, headers: axum::http::HeaderMap, page: Result<Page, Response>) -> Response {
    let page = match page {
        Ok(page) => page,
        Err(_) => return crate::session::anonymous_home_in(crate::session::browser_language(&headers)).into_response(),
    };
    let me = page.principal.user;
    let now = server.app.store.now();
    let activities = page.schema(ACTIVITIES);
    let tasks_params = ListParams {
        conditions: vec![Expr::eq("owner", me), Expr::eq("done", false), Expr::is_null("due_at", true)],
        sort: Some("due_at".into()),
        limit: Some(20),
        ..Default::default()
    };
    // The page's reads that do not depend on each other run side by side.
    let recent_params = ListParams { limit: Some(10), ..Default::default() };
    let (tasks, recent, paused, members) = tokio::join!(
        read::list(&server.app, &page.ctx, ACTIVITIES, &tasks_params),
        read::list(&server.app, &page.ctx, ACTIVITIES, &recent_params),
        relata_app::webhooks::paused_for(&server.app, &page.ctx),
        // The workspace's members, read once: whom a manager leads, and everyone's names.
        relata_app::people::members(&server.app, &page.ctx),
    );
    let tasks = match tasks {
        Ok((p, _)) => p
            .records
            .iter()
            .map(|r| {
                let due = match super::visible_std(activities, r, "due_at") {
                    FieldValue::DateTime(t) => Some(*t),
                    _ => None,
                };
                TaskItem {
                    title: activities.title(r),
                    href: format!("/activities/{}", r.id),
                    due: due.map(|t| page.locale.moment(&t)).unwrap_or_default(),
                    due_relative: due.map(|t| page.locale.relative(&t, &now)).unwrap_or_default(),
                    due_iso: due.map(|t| format_datetime(&t)).unwrap_or_default(),
                    overdue: due.is_some_and(|t| t < now),
                }
            })
            .collect(),
        Err(_) => Vec::new(),
    };
    let recent = recent
        .map(|(p, _)| {
            p.records
                .iter()
                .map(|r| {
                    (
                        format!("/activities/{}", r.id),
                        activities.title(r),
                        // The kind's label in the reader's language (none when the field is hidden).
                        activities
                            .field("kind")
                            .map(|f| page.locale.field_value(f, r.values.std("kind")))
                            .unwrap_or_default(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let paused_webhooks = paused
        .unwrap_or_default()
        .into_iter()
        .map(|s| {
            let reason = s.paused_reason.unwrap_or_default();
            page.tr().t_with("home-webhook-paused", &[("url", s.url.into()), ("reason", reason.into())])
        })
        .collect();
    let members = members.unwrap_or_default();
    let names = super::dashboard::names(&members);
    let led = super::dashboard::team_of(&page, &members).filter(|people| !people.is_empty());
    let colleagues: Vec<UserId> =
        page.ctx.access.teams.colleagues.iter().chain(page.ctx.access.teams.managed.iter()).copied().collect();
    // What the sections share, read once for everyone the page shows.
    let mut everyone: Vec<UserId> = led.iter().flatten().chain(colleagues.iter()).copied().collect();
    everyone.push(me);
    everyone.sort();
    everyone.dedup();
    let shared = super::dashboard::Shared::read(&server, &page, &everyone).await;
    let by_stage = shared.stage_bars(&page, &[me], false);
    let team_bars = shared.stage_bars(&page, &colleagues, true);
    let team = async {
        match &led {
            Some(people) => Some(super::dashboard::team_section(&server, &page, people, &names, &shared).await),
            None => None,
        }
    };
    let (team, mine, widgets) = tokio::join!(
        team,
        super::dashboard::mine_section(&server, &page, &names, &shared),
        super::dashboard::widget_views(&server, &page),
    );
    let tr = page.tr();
    let template = HomePage {
        team,
        mine,
        widgets,
        paused_webhooks,
        greeting: tr.t_with("home-greeting", &[("name", page.principal.display_name.as_str().into())]),
        layout: layout(&page, &tr.t("home-title"), None),
        tasks,
        pipeline_svg: pipeline_svg(&page, "home-chart-pipeline", &by_stage),
        team_svg: pipeline_svg(&page, "home-chart-team", &team_bars),
        recent,
    };
    render(&template, StatusCode::OK)
}

pub struct NotificationItem {
    pub id: String,
    /// When, for machines (`<time datetime>`).
    pub at: String,
    /// When, in the reader's format and time zone.
    pub at_shown: String,
    pub title: String,
    pub body: String,
    pub link: Option<String>,
    pub unread: bool,
}

#[derive(Template)]
#[template(path = "notifications.html")]
struct NotificationsPage {
    layout: Layout,
    items: Vec<NotificationItem>,
    /// The next page's link, when there are more.
    more: Option<String>,
}

/// `GET /notifications`: the user's notifications, newest first, a page
/// at a time (`?before=ID`).
pub async fn notifications_page(
    State(server): S,
    page: Page,
    axum::extract::RawQuery(raw): axum::extract::RawQuery,
) -> Response {
    const PER_PAGE: u64 = 50;
    let before = super::PageQuery::parse(raw.as_deref()).get("before").parse::<uuid::Uuid>().ok();
    let found = match relata_app::notifications::list(&server.app, &page.ctx, false, before, PER_PAGE).await {
        Ok(found) => found,
        Err(e) => return super::app_error_page(&page, e),
    };
    let more = (found.len() as u64 == PER_PAGE)
        .then(|| found.last().map(|n| format!("/notifications?before={}", n.id)))
        .flatten();
    let items = found
        .iter()
        .map(|n| NotificationItem {
            id: n.id.to_string(),
            at: format_datetime(&n.created_at),
            at_shown: page.locale.moment(&n.created_at),
            title: n.title.clone(),
            body: n.body.clone().unwrap_or_default(),
            // Only this server's paths are links.
            link: n.link.clone().filter(|l| super::is_local_path(l)),
            unread: n.read_at.is_none(),
        })
        .collect();
    let title = page.tr().t("notifications-title");
    render(&NotificationsPage { layout: layout(&page, &title, None), items, more }, StatusCode::OK)
}

/// `POST /notifications/read`: one (`id`) or all of the user's
/// notifications marked read.
pub async fn notifications_read(State(server): S, page: Page, body: axum::body::Bytes) -> Response {
    let form = super::read_form(&body);
    if !super::csrf_ok(&page, &form) {
        return super::csrf_refused(&page);
    }
    let id = match form.get("id").filter(|i| !i.is_empty()) {
        Some(text) => match text.parse::<uuid::Uuid>() {
            Ok(id) => Some(id),
            Err(_) => return super::not_found(&page),
        },
        None => None,
    };
    match relata_app::notifications::mark_read(&server.app, &page.ctx, id).await {
        Ok(_) => super::see_other("/notifications".into()),
        Err(e) => super::app_error_page(&page, e),
    }
}
