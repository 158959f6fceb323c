//! The pipeline board (sales): opportunities as cards in stage columns, with
//! per-column totals and weighted totals, drag and drop (and a form per card
//! for keyboards), filters by pipeline, owner or team, and closing month.

use super::{
    Layout, Page, PageQuery, S, Titles, after_save, app_error_page, csrf_ok, csrf_refused, layout, message_page,
    query_string, read_form, render, visible_std,
};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use relata_app::read::{self, ListParams};
use relata_app::{AppError, write};
use relata_core::filter::{Expr, Op};
use relata_core::value::{FieldValue, Values};
use relata_core::{Record, RecordId};
use relata_sales::{OPPORTUNITIES, PIPELINES};
use uuid::Uuid;

pub struct Card {
    pub id: String,
    pub version: i64,
    pub name: String,
    pub account: String,
    pub amount: String,
}

/// Cards shown per column; the rest are counted and one click away.
const CARDS_PER_COLUMN: u64 = 30;

pub struct BoardColumn {
    /// Whether the stage has more cards than shown.
    pub more: bool,
    /// The stage's opportunities as a list.
    pub list_href: String,
    pub id: String,
    pub name: String,
    pub probability: i64,
    pub total: String,
    pub weighted: String,
    pub cards: Vec<Card>,
    /// Every stage, and whether it is this column's (the move form's choices).
    pub choices: Vec<(String, String, bool)>,
}

#[derive(Template)]
#[template(path = "board.html")]
struct BoardPage {
    layout: Layout,
    pipeline_name: String,
    pipeline_id: String,
    pipelines: Vec<(String, String, bool)>,
    owners: Vec<(String, String, bool)>,
    close: String,
    error: Option<String>,
    columns: Vec<BoardColumn>,
    return_to: String,
}

/// The first day of a `YYYY-MM` month and of the next one.
fn month_bounds(text: &str) -> Option<(chrono::NaiveDate, chrono::NaiveDate)> {
    let start = chrono::NaiveDate::parse_from_str(&format!("{}-01", text.trim()), "%Y-%m-%d").ok()?;
    let end = start.checked_add_months(chrono::Months::new(1))?;
    Some((start, end))
}

/// `GET /board`: opportunities as cards in stage columns, with per-column
/// totals and weighted totals, filtered by pipeline, owner and closing month.
pub async fn board(State(server): S, page: Page, RawQuery(raw): RawQuery) -> Response {
    let query = PageQuery::parse(raw.as_deref());
    let param = |name: &str| query.get(name);
    let (wanted_pipeline, owner, close) = (param("pipeline"), param("owner"), param("close"));
    let ctx = &page.ctx;
    let pipelines =
        match read::list(&server.app, ctx, PIPELINES, &ListParams { limit: Some(100), ..Default::default() }).await {
            Ok((p, _)) => p.records,
            Err(e) => return app_error_page(&page, e),
        };
    let chosen = pipelines
        .iter()
        .find(|p| p.id.to_string() == wanted_pipeline)
        .or_else(|| pipelines.iter().find(|p| p.values.std("is_default") == &FieldValue::Bool(true)))
        .or_else(|| pipelines.first());
    let Some(pipeline) = chosen else {
        return message_page(&page, StatusCode::NOT_FOUND, "board-no-pipeline", &page.tr().t("board-no-pipeline-text"));
    };
    let stages = relata_sales::pipeline::stages_of(pipeline);
    let mut conditions = vec![Expr::eq("pipeline", pipeline.id)];
    let mut error = None;
    let teams = relata_app::people::teams(&server.app, ctx).await.unwrap_or_default();
    match owner.as_str() {
        "" => {}
        "me" => conditions.push(Expr::eq("owner", page.principal.user)),
        team if team.starts_with("team:") => match teams.iter().find(|t| format!("team:{}", t.team.id) == team) {
            Some(t) if !t.members.is_empty() => {
                conditions.push(Expr::one_of("owner", t.members.iter().map(|(u, _)| *u)));
            }
            _ => error = Some(page.tr().t("board-choose-team")),
        },
        other => match other.parse::<Uuid>() {
            Ok(u) => conditions.push(Expr::eq("owner", u)),
            Err(_) => error = Some(page.tr().t("board-choose-owner")),
        },
    }
    if !close.trim().is_empty() {
        match month_bounds(&close) {
            Some((start, end)) => {
                conditions.push(Expr::compare("expected_close_date", Op::Ge, start));
                conditions.push(Expr::compare("expected_close_date", Op::Lt, end));
            }
            None => error = Some(page.tr().t_with("board-not-a-month", &[("month", close.as_str().into())])),
        }
    }
    // Each column: its first cards in index order, and totals over all of
    // the stage's opportunities in one aggregate query; the columns are
    // read side by side (each reads its own index range).
    let app = &server.app;
    let columns_read = stages.iter().map(|stage| {
        let mut stage_conditions = conditions.clone();
        stage_conditions.push(Expr::eq("stage", stage.id.as_str()));
        async move {
            let params = ListParams {
                conditions: stage_conditions.clone(),
                limit: Some(CARDS_PER_COLUMN),
                ..Default::default()
            };
            let (cards, sums) = tokio::join!(
                read::list(app, ctx, OPPORTUNITIES, &params),
                read::money_totals(app, ctx, OPPORTUNITIES, None, &stage_conditions, "amount"),
            );
            let (records, more) = match cards {
                Ok((p, _)) => (p.records, p.next_cursor.is_some()),
                Err(e) => return Err(e),
            };
            // The same selection as text, for the column's link to the list page.
            let stage_filter = relata_core::filter::to_text(&Expr::all(stage_conditions));
            Ok((stage, stage_filter, records, more, sums.unwrap_or_default()))
        }
    });
    let loaded = match futures_util::future::try_join_all(columns_read).await {
        Ok(loaded) => loaded,
        Err(e) => return app_error_page(&page, e),
    };
    // Account names for every card at once.
    let all: Vec<&Record> = loaded.iter().flat_map(|(_, _, records, _, _)| records.iter()).collect();
    let opportunities = page.schema(OPPORTUNITIES);
    let titles = Titles::of_fields(&server, &page, opportunities, &all, Some(&["account"])).await;
    // A role for which amounts are hidden sees neither them nor their sums.
    let amounts_visible = opportunities.field("amount").is_some();
    let show = |minor: i64, code: &str| page.locale.money(minor, code);
    let join = |parts: Vec<String>| if parts.is_empty() { "0".to_string() } else { parts.join(" + ") };
    let mut columns = Vec::with_capacity(stages.len());
    for (stage, stage_filter, records, more, sums) in &loaded {
        let priced: Vec<&(String, i64, i64)> = sums.iter().filter(|(c, _, _)| !c.is_empty()).collect();
        let total = join(priced.iter().map(|(c, minor, _)| show(*minor, c)).collect());
        let weighted = join(priced.iter().map(|(c, minor, _)| show(minor * stage.probability / 100, c)).collect());
        let cards = records
            .iter()
            .map(|r| Card {
                id: r.id.to_string(),
                version: r.version,
                name: opportunities.title(r),
                account: titles.show(visible_std(opportunities, r, "account")).0,
                amount: match visible_std(opportunities, r, "amount") {
                    FieldValue::Money(m) => page.locale.money(m.minor, m.currency.code()),
                    _ => String::new(),
                },
            })
            .collect::<Vec<_>>();
        let (total, weighted) = if amounts_visible { (total, weighted) } else { (String::new(), String::new()) };
        columns.push(BoardColumn {
            id: stage.id.clone(),
            name: stage.name_in(page.locale.language).to_string(),
            probability: stage.probability,
            total,
            weighted,
            more: *more,
            list_href: format!("/opportunities?{}", query_string(&[("filter", stage_filter)])),
            cards,
            choices: stages
                .iter()
                .map(|s| (s.id.clone(), s.name_in(page.locale.language).to_string(), s.id == stage.id))
                .collect(),
        });
    }
    let members = relata_app::people::members(&server.app, ctx).await.unwrap_or_default();
    let mut owners = vec![
        ("".to_string(), page.tr().t("board-everyone"), owner.is_empty()),
        ("me".into(), page.tr().t("board-me"), owner == "me"),
    ];
    owners.extend(
        members
            .iter()
            .filter(|m| m.active)
            .map(|m| (m.user.id.to_string(), m.user.display_name.clone(), owner == m.user.id.to_string())),
    );
    let return_to = format!(
        "/board?{}",
        query_string(&[("pipeline", &pipeline.id.to_string()), ("owner", &owner), ("close", &close)])
    );
    let mut frame = layout(&page, &page.tr().t("nav-pipeline"), None);
    for item in &mut frame.nav {
        item.current = item.href == "/board";
    }
    let pipeline_schema = page.schema(PIPELINES);
    let template = BoardPage {
        layout: frame,
        pipeline_name: pipeline_schema.title(pipeline),
        pipeline_id: pipeline.id.to_string(),
        pipelines: pipelines
            .iter()
            .map(|p| (p.id.to_string(), pipeline_schema.title(p), p.id == pipeline.id))
            .collect(),
        owners,
        close,
        error,
        columns,
        return_to,
    };
    render(&template, StatusCode::OK)
}

/// `POST /board/move` (the cards' forms): moves an opportunity to a stage,
/// if nobody changed it meanwhile.
pub async fn board_move(State(server): S, page: Page, body: Bytes) -> Response {
    let form = read_form(&body);
    if !csrf_ok(&page, &form) {
        return csrf_refused(&page);
    }
    let Some(id) = form.get("id").and_then(|i| i.parse::<RecordId>().ok()) else {
        return message_page(&page, StatusCode::NOT_FOUND, "not-found-title", &page.tr().t("board-no-such-deal"));
    };
    let version = form.get("version").and_then(|v| v.parse().ok()).unwrap_or(0);
    // Field rules apply to the board as to every path: a role for which the
    // stage is hidden or read-only cannot move cards.
    let Some(field) = page.schema(OPPORTUNITIES).field("stage") else {
        return message_page(&page, StatusCode::FORBIDDEN, "not-allowed", &page.tr().t("board-stage-not-allowed"));
    };
    let mut patch = Values::default();
    patch.set(field, FieldValue::Text(form.get("stage").cloned().unwrap_or_default()));
    match write::update_values(&server.app, &page.ctx, OPPORTUNITIES, id, patch, version).await {
        Ok(_) => after_save(&form, "/board".into()),
        Err(AppError::VersionConflict { .. }) => {
            message_page(&page, StatusCode::CONFLICT, "changed-meanwhile", &page.tr().t("board-changed-meanwhile"))
        }
        Err(AppError::Invalid(v)) => message_page(
            &page,
            StatusCode::UNPROCESSABLE_ENTITY,
            "board-not-moved",
            &super::refusals_text(page.tr(), &v),
        ),
        Err(e) => app_error_page(&page, e),
    }
}
