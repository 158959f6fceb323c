//! `relata bench`'s service figures, on a database of their own: `--cases`
//! cases over five teams (a thousand made through the write path, the rest
//! copied behind its back), then the case list filtered by team and status
//! through the app next to the bare query on the same rows, and a full SLA
//! re-evaluation (what a changed calendar starts) in cases/s next to a bare
//! read of the same rows.

use crate::bench::{figure, sqlite_args};
use relata_app::Ctx;
use relata_app::read::ListParams;
use relata_core::meta::Schema;
use relata_core::value::{FieldValue, Values};
use relata_service::entities::{CASES, SERVICE_CALENDARS, SERVICE_TEAMS, SLA_POLICIES};
use serde_json::json;
use std::path::Path;
use std::time::Instant;

const TEAMS: usize = 5;
const SEEDS: usize = 1_000;
const STATUSES: [&str; 4] = ["new", "open", "waiting_on_third_party", "resolved"];

fn err(e: impl std::fmt::Display) -> String {
    e.to_string()
}

fn round(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

fn quantile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    round(sorted[((sorted.len() - 1) as f64 * q).round() as usize])
}

fn one(values: &[(&str, FieldValue)]) -> Values {
    let mut v = Values::default();
    for (field, value) in values {
        v.set_std(field, value.clone());
    }
    v
}

pub async fn run(dir: &Path, cases: u64) -> Result<(), String> {
    if dir.exists() {
        std::fs::remove_dir_all(dir).map_err(|e| format!("cannot empty {}: {e}", dir.display()))?;
    }
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let (app, ws) = crate::open(&sqlite_args(&dir.join("relata"))).await?;
    let ctx = Ctx::new(ws.clone(), None);
    let text = |s: &str| FieldValue::Text(s.to_string());

    // Office hours, a policy counted in them, five teams, a thousand seeds.
    let started = Instant::now();
    let mut tx = app.writer(&ctx).await.map_err(err)?;
    let mut hours = Vec::new();
    for day in ["monday", "tuesday", "wednesday", "thursday", "friday"] {
        let mut line = Values::default();
        line.set_std("day", text(day));
        line.set_std("start", text("09:00"));
        line.set_std("end", text("17:00"));
        hours.push(relata_core::document::LineInput { id: None, values: line });
    }
    let calendar = relata_app::write::create_document_in(
        &mut tx,
        &ctx,
        &Schema::standard(SERVICE_CALENDARS),
        one(&[("name", text("Office")), ("time_zone", text("Europe/Warsaw"))]),
        hours,
    )
    .await
    .map_err(err)?;
    let policy = one(&[
        ("name", text("Standard")),
        ("first_response_minutes", FieldValue::Int(240)),
        ("resolution_minutes", FieldValue::Int(960)),
        ("calendar", FieldValue::Ref(calendar.id.uuid())),
    ]);
    relata_app::write::create_in(&mut tx, &ctx, &Schema::standard(SLA_POLICIES), policy).await.map_err(err)?;
    let mut teams = Vec::new();
    for n in 0..TEAMS {
        let team = one(&[("name", text(&format!("Team {n}"))), ("calendar", FieldValue::Ref(calendar.id.uuid()))]);
        teams.push(
            relata_app::write::create_in(&mut tx, &ctx, &Schema::standard(SERVICE_TEAMS), team).await.map_err(err)?,
        );
    }
    let seeds: Vec<Values> = (0..SEEDS.min(cases as usize))
        .map(|n| {
            one(&[
                ("subject", text(&format!("Case {n}"))),
                ("team", FieldValue::Ref(teams[n % TEAMS].id.uuid())),
                ("status", text(STATUSES[n % STATUSES.len()])),
                ("resolution", text("Bench")),
            ])
        })
        .collect();
    let seeded = seeds.len() as u64;
    let (made, refused) =
        relata_app::write::create_many_in(&mut tx, &ctx, &Schema::standard(CASES), seeds).await.map_err(err)?;
    if let Some((_, errors)) = refused.first() {
        return Err(format!("a seed case was refused: {errors:?}"));
    }
    tx.commit().await.map_err(err)?;
    let copies = cases.div_ceil(seeded.max(1)).saturating_sub(1);
    let columns = "workspace_id, version, owner_id, created_at, updated_at, created_by_id, updated_by_id, deleted_at, \
        number, subject, description, account_id, contact_id, requester_email, channel, category, product_id, \
        order_id, priority, status, team_id, language, resolution, root_cause, contract_id, article_id, \
        related_case_id, merged_into_id, coverage, hours_spent, on_site_visit, sla_policy_id, sla_status, \
        first_response_due, resolution_due, first_response_at, resolved_at, closed_at, paused_since, \
        paused_minutes, escalations, custom";
    let copy = format!(
        "WITH RECURSIVE copy(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM copy WHERE i < {copies}) \
         INSERT INTO cases (id, {columns}) SELECT randomblob(16), {columns} FROM cases, copy WHERE {copies} > 0;"
    );
    let copy: &'static str = copy.leak();
    let fixture =
        relata_store::migrate::ModuleMigration { version: 1, name: "bench cases", sqlite: copy, postgres: copy };
    relata_store::migrate::run_module(&app.store, "bench_cases", &[fixture]).await.map_err(err)?;
    app.store.refresh_statistics().await.map_err(err)?;
    let total = seeded * (copies + 1);
    figure(
        "service_fixture",
        json!({"cases": total, "made": made.len(), "seconds": round(started.elapsed().as_secs_f64())}),
    );

    // The case list, filtered by team and status, first page of 50.
    let team = teams[1].id;
    let filter = format!("team = \"{team}\" and status = \"open\"");
    let mut ours = Vec::new();
    for _ in 0..200 {
        let t = Instant::now();
        let params = ListParams { filter: Some(filter.clone()), limit: Some(50), ..Default::default() };
        let (page, _) = relata_app::read::list(&app, &ctx, CASES, &params).await.map_err(err)?;
        if page.records.len() != 50 {
            return Err(format!("the filtered list gave {} cases", page.records.len()));
        }
        ours.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", dir.join("relata/relata.db").display()))
        .await
        .map_err(err)?;
    let mut bare = Vec::new();
    for _ in 0..200 {
        let t = Instant::now();
        let rows = sqlx::query(
            "SELECT * FROM cases WHERE workspace_id = ? AND team_id = ? AND status = 'open' AND deleted_at IS NULL \
             ORDER BY id LIMIT 50",
        )
        .bind(ws.id.uuid())
        .bind(team.uuid())
        .fetch_all(&pool)
        .await
        .map_err(err)?;
        if rows.len() != 50 {
            return Err(format!("the bare query gave {} cases", rows.len()));
        }
        bare.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    ours.sort_by(f64::total_cmp);
    bare.sort_by(f64::total_cmp);
    figure(
        "service_case_list_by_team_and_status",
        json!({"cases": total, "p50_ms": quantile(&ours, 0.5), "p95_ms": quantile(&ours, 0.95),
               "bare_p50_ms": quantile(&bare, 0.5), "bare_p95_ms": quantile(&bare, 0.95)}),
    );

    // The service report of the last 30 days (in this fixture every case
    // was opened now: the worst case, every one of them read), next to a
    // bare count of the open backlog by team.
    let t = Instant::now();
    let report = relata_service::report::build(&app, &ctx, 30).await.map_err(err)?;
    let report_seconds = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let by_team: Vec<(Option<uuid::Uuid>, i64)> = sqlx::query_as(
        "SELECT team_id, count(*) FROM cases WHERE workspace_id = ? AND deleted_at IS NULL \
         AND status IN ('new', 'open', 'waiting_on_customer', 'waiting_on_third_party') GROUP BY team_id",
    )
    .bind(ws.id.uuid())
    .fetch_all(&pool)
    .await
    .map_err(err)?;
    let bare_count_seconds = t.elapsed().as_secs_f64();
    figure(
        "service_report_30_days",
        json!({"cases": total, "open": report.open, "teams": by_team.len(), "seconds": round(report_seconds),
               "bare_open_by_team_seconds": round(bare_count_seconds)}),
    );

    // A full re-evaluation, as a changed calendar starts it: every worked
    // case saved again, its due times moved. The office moves across the
    // Atlantic, so that its hours share no moment with the old ones and
    // every due time moves whatever the time of day the bench runs at (an
    // hour west, a case opened while both offices were open kept its due
    // time).
    let mut tx = app.writer(&ctx).await.map_err(err)?;
    let moved = one(&[("time_zone", text("America/Los_Angeles"))]);
    relata_app::write::update_in(&mut tx, &ctx, &Schema::standard(SERVICE_CALENDARS), calendar.id, moved, None)
        .await
        .map_err(err)?;
    tx.commit().await.map_err(err)?;
    let t = Instant::now();
    let worked: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM (SELECT id, created_at, priority, status, paused_minutes FROM cases \
         WHERE workspace_id = ? AND status IN ('new', 'open', 'waiting_on_third_party') AND deleted_at IS NULL)",
    )
    .bind(ws.id.uuid())
    .fetch_one(&pool)
    .await
    .map_err(err)?;
    let bare_seconds = t.elapsed().as_secs_f64();
    pool.close().await;
    let t = Instant::now();
    let changed =
        relata_service::sla::evaluate(&app, &ctx, relata_service::sla::Pass::Everything).await.map_err(err)?;
    let seconds = t.elapsed().as_secs_f64();
    figure(
        "service_sla_reevaluation",
        json!({"cases": total, "worked_cases": worked, "changed": changed, "seconds": round(seconds),
               "cases_per_second": round(worked as f64 / seconds), "bare_read_seconds": round(bare_seconds)}),
    );
    Ok(())
}
