//! What the home page adds by role: for a manager, their team's pipeline
//! by stage and owner, win rate, forecast against quota, activities this
//! week and deals gone quiet; for a salesperson, their quota and their
//! quiet deals; for everyone, the widgets they made from saved views
//! (a count, a sum, a chart drawn as SVG, each linking to its list).

use super::{Page, Titles};
use crate::Server;
use chrono::{Datelike, TimeZone};
use relata_app::views::{Widget, WidgetFigure};
use relata_core::UserId;
use relata_core::value::FieldValue;
use relata_sales::team;
use std::collections::HashMap;

pub struct PipelineTable {
    pub stages: Vec<String>,
    /// An owner's name, their amount per stage, their total.
    pub rows: Vec<(String, Vec<String>, String)>,
}

pub struct QuotaRow {
    pub who: String,
    pub quota: String,
    pub target: String,
    pub won: String,
    pub forecast: String,
    /// The forecast as a share of the target, shown and as a bar (0–100).
    pub percent: String,
    pub bar: u32,
}

pub struct QuietDeal {
    pub href: String,
    pub title: String,
    pub owner: String,
    pub amount: String,
    pub quiet: String,
}

/// A manager's view of their team.
pub struct TeamSection {
    pub pipeline: PipelineTable,
    pub win_rate: String,
    pub quotas: Vec<QuotaRow>,
    pub activities_svg: String,
    pub quiet: Vec<QuietDeal>,
}

/// A salesperson's own figures.
pub struct MineSection {
    pub quotas: Vec<QuotaRow>,
    pub quiet: Vec<QuietDeal>,
}

pub struct WidgetView {
    pub id: String,
    pub title: String,
    pub href: String,
    /// The figure (a count or a sum), or a chart as SVG.
    pub figure: String,
    pub svg: String,
    pub gone: bool,
}

/// Whom a person sees as their team: the members of the teams they
/// manage; for administrators and managers without a team, every active
/// member. `None`: they lead no one.
pub fn team_of(page: &Page, members: &[relata_store::identity::Member]) -> Option<Vec<UserId>> {
    let managed = &page.ctx.access.teams.managed;
    if !managed.is_empty() {
        return Some(managed.iter().copied().collect());
    }
    if !matches!(page.principal.role.as_str(), "admin" | "manager") {
        return None;
    }
    Some(members.iter().filter(|m| m.active).map(|m| m.user.id).collect())
}

/// Members' display names by id.
pub fn names(members: &[relata_store::identity::Member]) -> HashMap<uuid::Uuid, String> {
    members.iter().map(|m| (m.user.id.uuid(), m.user.display_name.clone())).collect()
}

fn name_of(names: &HashMap<uuid::Uuid, String>, page: &Page, id: Option<uuid::Uuid>) -> String {
    id.and_then(|id| names.get(&id).cloned()).unwrap_or_else(|| page.tr().t("home-nobody"))
}

/// What the home page reads once and its sections share: the pipelines,
/// the open amounts per owner and stage of the default pipeline for
/// everyone the page shows, and the quotas covering today of everyone the
/// page shows.
pub struct Shared {
    pub pipelines: team::Pipelines,
    pub open: Vec<team::OpenTotal>,
    pub quotas: Vec<team::QuotaProgress>,
}

impl Shared {
    /// One grouped read of open amounts and one of quotas for `people`.
    pub async fn read(server: &Server, page: &Page, people: &[UserId]) -> Shared {
        let (app, ctx) = (&server.app, &page.ctx);
        let pipelines = team::pipelines(app, ctx).await.unwrap_or_default();
        let default = team::default_pipeline(&pipelines).map(|(pipeline, _)| pipeline.id.uuid());
        let open = async {
            match default {
                Some(pipeline) => team::open_by_owner_and_stage(app, ctx, people, pipeline).await.unwrap_or_default(),
                None => Vec::new(),
            }
        };
        let today = app.store.now().with_timezone(&page.locale.zone).date_naive();
        let (open, quotas) = tokio::join!(open, team::quota_progress(app, ctx, people, today, &pipelines));
        Shared { pipelines, open, quotas: quotas.unwrap_or_default() }
    }

    /// The default pipeline's open stages.
    fn open_stages(&self) -> Vec<&relata_sales::pipeline::Stage> {
        team::default_pipeline(&self.pipelines)
            .map(|(_, stages)| stages.iter().filter(|s| s.kind == relata_sales::pipeline::StageKind::Open).collect())
            .unwrap_or_default()
    }

    /// Open amounts of `owners` per open stage of the default pipeline
    /// (weighted by the stage's probability when `weighted`), as bars: one
    /// currency per bar, the first (by code) that has amounts there.
    pub fn stage_bars(&self, page: &Page, owners: &[UserId], weighted: bool) -> Vec<(String, i64, String)> {
        let mut bars = Vec::new();
        for stage in self.open_stages() {
            let here: Vec<&team::OpenTotal> =
                self.open.iter().filter(|t| t.owned_by(owners) && t.stage == stage.id).collect();
            let Some(code) = here.iter().map(|t| t.currency.as_str()).min() else { continue };
            let minor: i64 = here.iter().filter(|t| t.currency == code).map(|t| t.minor).sum();
            let value = if weighted { minor * stage.probability / 100 } else { minor };
            bars.push((stage.name_in(page.locale.language).to_string(), value, page.locale.money(value, code)));
        }
        bars
    }
}

/// The manager's section: every figure over `team`.
pub async fn team_section(
    server: &Server,
    page: &Page,
    team: &[UserId],
    names: &HashMap<uuid::Uuid, String>,
    shared: &Shared,
) -> TeamSection {
    let (app, ctx, tr) = (&server.app, &page.ctx, page.tr());
    let now = server.app.store.now();
    let today = now.with_timezone(&page.locale.zone).date_naive();
    let pipeline = pipeline_table(page, team, names, shared);
    let week_start = start_of_week(page, now);
    let (rate, activities, quiet) = tokio::join!(
        team::win_rate(app, ctx, team, team::quarter_of(today)),
        team::activities_since(app, ctx, team, week_start),
        quiet_deals(server, page, team, names),
    );
    let (rate, activities) = (rate.unwrap_or_default(), activities.unwrap_or_default());
    let win_rate = match rate.percent() {
        Some(percent) => tr.t_with(
            "home-win-rate-value",
            &[("percent", page.locale.percent(percent).into()), ("won", rate.won.into()), ("lost", rate.lost.into())],
        ),
        None => tr.t("home-win-rate-none"),
    };
    let quotas = quota_rows(page, team, names, shared);
    let mut bars: Vec<(String, i64, String)> =
        activities.iter().map(|(owner, n)| (name_of(names, page, *owner), *n, page.locale.integer(*n))).collect();
    bars.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let activities_svg = if bars.is_empty() {
        format!("<p class=\"empty\">{}</p>", crate::http::escape_html(&tr.t("home-no-activities")))
    } else {
        super::home::bars_svg(&tr.t("home-activities-week"), &bars)
    };
    TeamSection { pipeline, win_rate, quotas, activities_svg, quiet }
}

/// A salesperson's section.
pub async fn mine_section(
    server: &Server,
    page: &Page,
    names: &HashMap<uuid::Uuid, String>,
    shared: &Shared,
) -> MineSection {
    let me = [page.principal.user];
    MineSection { quotas: quota_rows(page, &me, names, shared), quiet: quiet_deals(server, page, &me, names).await }
}

/// Monday 00:00 of this week where the person is.
fn start_of_week(page: &Page, now: chrono::DateTime<chrono::Utc>) -> chrono::DateTime<chrono::Utc> {
    let local = now.with_timezone(&page.locale.zone).date_naive();
    let monday = local - chrono::Duration::days(i64::from(local.weekday().num_days_from_monday()));
    let midnight = monday.and_hms_opt(0, 0, 0).expect("midnight");
    page.locale.zone.from_local_datetime(&midnight).earliest().map_or(now, |t| t.with_timezone(&chrono::Utc))
}

/// The team's open pipeline by owner (rows) and open stage (columns), in
/// one currency: the first with amounts (as the board's bars).
fn pipeline_table(page: &Page, team: &[UserId], names: &HashMap<uuid::Uuid, String>, shared: &Shared) -> PipelineTable {
    let open = shared.open_stages();
    let totals: Vec<&team::OpenTotal> = shared.open.iter().filter(|t| t.owned_by(team)).collect();
    let Some(currency) = totals.first().map(|t| t.currency.clone()) else {
        return PipelineTable { stages: Vec::new(), rows: Vec::new() };
    };
    let mut owners: Vec<Option<uuid::Uuid>> = totals.iter().map(|t| t.owner).collect();
    owners.sort();
    owners.dedup();
    let money = |minor: i64| page.locale.money(minor, &currency);
    let mut rows: Vec<(String, Vec<String>, String)> = owners
        .into_iter()
        .map(|owner| {
            let of = |stage: &str| {
                totals
                    .iter()
                    .filter(|t| t.owner == owner && t.stage == stage && t.currency == currency)
                    .map(|t| t.minor)
                    .sum::<i64>()
            };
            let cells: Vec<i64> = open.iter().map(|s| of(&s.id)).collect();
            let total = cells.iter().sum();
            (name_of(names, page, owner), cells.into_iter().map(money).collect(), money(total))
        })
        .collect();
    rows.sort();
    PipelineTable { stages: open.iter().map(|s| s.name_in(page.locale.language).to_string()).collect(), rows }
}

/// The quotas of `people`, from what the page read for everyone.
fn quota_rows(page: &Page, people: &[UserId], names: &HashMap<uuid::Uuid, String>, shared: &Shared) -> Vec<QuotaRow> {
    shared
        .quotas
        .iter()
        .filter(|q| team::is_one_of(q.user, people))
        .map(|q| {
            let money = |minor: i64| page.locale.money(minor, &q.currency);
            let percent = q.forecast_percent();
            QuotaRow {
                who: name_of(names, page, Some(q.user)),
                quota: q.quota.clone(),
                target: money(q.target),
                won: money(q.won),
                forecast: money(q.won + q.weighted_open),
                percent: page.locale.percent(percent),
                bar: percent.clamp(0.0, 100.0) as u32,
            }
        })
        .collect()
}

async fn quiet_deals(
    server: &Server,
    page: &Page,
    people: &[UserId],
    names: &HashMap<uuid::Uuid, String>,
) -> Vec<QuietDeal> {
    let now = server.app.store.now();
    let deals = team::stale_deals(&server.app, &page.ctx, people, now, 20).await.unwrap_or_default();
    let schema = page.schema(relata_sales::OPPORTUNITIES);
    deals
        .iter()
        .map(|deal| QuietDeal {
            href: format!("/opportunities/{}", deal.id),
            title: schema.title(deal),
            owner: name_of(names, page, super::visible_std(schema, deal, "owner").as_ref_id()),
            amount: match super::visible_std(schema, deal, "amount") {
                FieldValue::Money(m) => page.locale.money(m.minor, m.currency.code()),
                _ => String::new(),
            },
            quiet: page.locale.relative(&deal.updated_at, &now),
        })
        .collect()
}

/// The person's widgets, each drawn from its view's records as they may
/// see them now.
pub async fn widget_views(server: &Server, page: &Page) -> Vec<WidgetView> {
    let widgets = relata_app::views::widgets(&server.app, &page.ctx).await.unwrap_or_default();
    let mut drawn = Vec::with_capacity(widgets.len());
    for widget in widgets {
        drawn.push(widget_view(server, page, widget).await);
    }
    drawn
}

async fn widget_view(server: &Server, page: &Page, widget: Widget) -> WidgetView {
    let tr = page.tr();
    let id = widget.widget.id.clone();
    let (Some(view), Some(figure)) = (widget.view, widget.figure) else {
        let gone = tr.t("home-widget-gone");
        return WidgetView {
            id,
            title: gone,
            href: String::new(),
            figure: String::new(),
            svg: String::new(),
            gone: true,
        };
    };
    let (app, ctx, kind) = (&server.app, &page.ctx, widget.kind);
    let filter = relata_app::views::params_of(&view.query).filter;
    let href = format!("/{}?{}", kind.api_name(), view.query);
    let schema = page.schema(kind);
    let plural = super::plural_label(page, schema);
    let mut shown =
        WidgetView { id, title: String::new(), href, figure: String::new(), svg: String::new(), gone: false };
    match figure {
        WidgetFigure::Count => {
            let n = relata_app::read::count_by(app, ctx, kind, filter.as_deref(), &[], None)
                .await
                .ok()
                .and_then(|rows| rows.first().map(|(_, n)| *n))
                .unwrap_or(0);
            shown.title = format!("{} · {plural}", view.name);
            shown.figure = tr.count("home-widget-records", n);
        }
        WidgetFigure::Sum(field) => {
            let label = schema.field(&field).map(|f| f.label.to_string()).unwrap_or_else(|| field.clone());
            let sums = relata_app::read::money_totals(app, ctx, kind, filter.as_deref(), &[], &field)
                .await
                .unwrap_or_default();
            let parts: Vec<String> = sums
                .iter()
                .filter(|(c, _, _)| !c.is_empty())
                .map(|(c, minor, _)| page.locale.money(*minor, c))
                .collect();
            shown.title = format!("{} · {label}", view.name);
            shown.figure = if parts.is_empty() { page.locale.money(0, "EUR") } else { parts.join(" + ") };
        }
        WidgetFigure::Chart(field) => {
            let label = schema.field(&field).map(|f| f.label.to_string()).unwrap_or_else(|| field.clone());
            shown.title = format!("{} · {label}", view.name);
            let counted = relata_app::read::count_by(app, ctx, kind, filter.as_deref(), &[], Some(&field))
                .await
                .unwrap_or_default();
            shown.svg = chart(server, page, schema, &field, counted, &shown.title).await;
        }
    }
    shown
}

/// Bars of counts per value of a field, the largest ten, each value named
/// as lists name it (an option's label, a record's title, a stage's name).
async fn chart(
    server: &Server,
    page: &Page,
    schema: &relata_core::meta::Schema,
    field: &str,
    mut counted: Vec<(FieldValue, i64)>,
    title: &str,
) -> String {
    let Some(def) = schema.field(field) else { return String::new() };
    counted.sort_by_key(|(_, n)| std::cmp::Reverse(*n));
    counted.truncate(10);
    // Each value stands in a record of its own so that it is named as lists name it.
    let records: Vec<relata_core::Record> = counted
        .iter()
        .map(|(value, _)| {
            let mut values = relata_core::value::Values::default();
            values.set(def, value.clone());
            relata_core::Record::new(schema.kind, None, values, server.app.store.now())
        })
        .collect();
    let refs: Vec<&relata_core::Record> = records.iter().collect();
    let titles = Titles::of_fields(server, page, schema, &refs, Some(&[field])).await;
    let bars: Vec<(String, i64, String)> = counted
        .iter()
        .zip(&records)
        .map(|((value, n), record)| {
            let name = if value.is_null() { page.tr().t("home-no-value") } else { titles.field(record, def).0 };
            (name, *n, page.locale.integer(*n))
        })
        .collect();
    if bars.is_empty() {
        return format!("<p class=\"empty\">{}</p>", crate::http::escape_html(&page.tr().t("home-widget-empty")));
    }
    super::home::bars_svg(title, &bars)
}

/// `POST /home/widgets` (a list page's "Add to home"): a figure of one of
/// the person's saved views on their home page.
pub async fn add_widget(
    axum::extract::State(server): super::S,
    page: Page,
    body: axum::body::Bytes,
) -> axum::response::Response {
    let form = super::read_form(&body);
    if !super::csrf_ok(&page, &form) {
        return super::csrf_refused(&page);
    }
    let field = |name: &str| form.get(name).map(String::as_str).unwrap_or("");
    let Some(kind) = page.schemas.kind(field("entity")) else { return super::not_found(&page) };
    match relata_app::views::add_widget(&server.app, &page.ctx, kind, field("view"), field("figure")).await {
        Ok(_) => super::see_other("/".into()),
        Err(relata_app::error::AppError::Invalid(e)) => {
            let reasons = super::refusals_text(page.tr(), &e);
            super::message_page(&page, axum::http::StatusCode::UNPROCESSABLE_ENTITY, "home-widget-refused", &reasons)
        }
        Err(e) => super::app_error_page(&page, e),
    }
}

/// `POST /home/widgets/{id}/delete`: takes a widget off the home page.
pub async fn remove_widget(
    axum::extract::State(server): super::S,
    page: Page,
    axum::extract::Path(id): axum::extract::Path<String>,
    body: axum::body::Bytes,
) -> axum::response::Response {
    let form = super::read_form(&body);
    if !super::csrf_ok(&page, &form) {
        return super::csrf_refused(&page);
    }
    match relata_app::views::remove_widget(&server.app, &page.ctx, &id).await {
        Ok(()) => super::see_other("/".into()),
        Err(e) => super::app_error_page(&page, e),
    }
}
