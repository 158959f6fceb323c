//! `relata check`: whether the database agrees with itself. SQLite's
//! integrity check; for every record of every type in every workspace, its
//! contact points and search entry against its values, and its newest
//! change entry against its version; side rows whose record is gone. With
//! `repair`, the derived rows (contact points, search entries) are rebuilt
//! and orphans removed; the change log is history and is only reported.

use crate::App;
use crate::error::AppError;
use relata_store::check::{ContactPointRow, Disagreement};
use serde::Serialize;

/// One thing found wrong.
#[derive(Clone, Debug, Serialize)]
pub struct Finding {
    pub workspace: String,
    pub entity: String,
    pub record_id: String,
    /// `contact_points`, `search_entry`, `history` or `orphan`.
    pub problem: &'static str,
    pub detail: String,
    pub repaired: bool,
}

/// What a check found.
#[derive(Clone, Debug, Default, Serialize)]
pub struct CheckReport {
    /// SQLite's integrity check: what it reported (empty when sound);
    /// `None` on PostgreSQL.
    pub integrity: Option<Vec<String>>,
    pub records_checked: u64,
    pub findings: Vec<Finding>,
}

impl CheckReport {
    /// Nothing is wrong, or everything wrong was repaired.
    pub fn sound(&self) -> bool {
        self.integrity.as_ref().is_none_or(Vec::is_empty) && self.findings.iter().all(|f| f.repaired)
    }
}

const PAGE: u64 = 500;

pub async fn check(app: &App, repair: bool) -> Result<CheckReport, AppError> {
    let mut report = CheckReport { integrity: app.store.integrity_problems().await?, ..Default::default() };
    for workspace in app.store.workspaces().await? {
        let schemas = app.schemas(workspace.id).await?;
        for schema in schemas.iter() {
            let entity = schema.kind.api_name().to_string();
            let finding = |id: String, problem: &'static str, detail: String, repaired: bool| Finding {
                workspace: workspace.slug.clone(),
                entity: entity.clone(),
                record_id: id,
                problem,
                detail,
                repaired,
            };
            let mut after = None;
            loop {
                let mut conn = app.store.read(workspace.id).await?;
                let page = conn.records_after(schema, after, PAGE).await?;
                // Ids only grow, so the walk ends whatever is found.
                let Some(last) = page.last() else { break };
                after = Some(last.id);
                report.records_checked += page.len() as u64;
                let found = conn.disagreements(schema, &page).await?;
                drop(conn);
                let mut rebuild = Vec::new();
                for (id, disagreement) in found {
                    let (problem, detail, repairable) = match disagreement {
                        Disagreement::ContactPoints => {
                            ("contact_points", "some of the record's emails and phones have no lookup row".into(), true)
                        }
                        Disagreement::SearchEntry => {
                            ("search_entry", "the search entry is missing or left behind".into(), true)
                        }
                        Disagreement::History { newest_version: None } => {
                            ("history", "the record has no change entry".into(), false)
                        }
                        Disagreement::History { newest_version: Some(v) } => {
                            let record = page.iter().find(|r| r.id == id).map_or(0, |r| r.version);
                            (
                                "history",
                                format!("the newest change entry is of version {v}, the record is at {record}"),
                                false,
                            )
                        }
                    };
                    let repaired = repair && repairable;
                    if repaired && !rebuild.contains(&id) {
                        rebuild.push(id);
                    }
                    report.findings.push(finding(id.to_string(), problem, detail, repaired));
                }
                if !rebuild.is_empty() {
                    let mut tx = app.store.write(workspace.id).await?;
                    for record in page.iter().filter(|r| rebuild.contains(&r.id)) {
                        tx.index_record(schema, None, record).await?;
                    }
                    tx.commit().await?;
                }
            }
            let mut conn = app.store.write(workspace.id).await?;
            for id in conn.orphan_search_entries(schema).await? {
                if repair {
                    conn.remove_search_entry(id).await?;
                }
                report.findings.push(finding(
                    id.to_string(),
                    "orphan",
                    "the search entry of a record that is gone".into(),
                    repair,
                ));
            }
            conn.commit().await?;
        }
        stale_contact_points(app, &workspace, &schemas, repair, &mut report).await?;
    }
    Ok(report)
}

/// Walks a workspace's contact points in key order and reports (and with
/// `repair` removes) those no live record's emails and phones account for:
/// left behind by a changed value, a record in the trash, or one gone.
async fn stale_contact_points(
    app: &App,
    workspace: &relata_store::admin::Workspace,
    schemas: &crate::Schemas,
    repair: bool,
    report: &mut CheckReport,
) -> Result<(), AppError> {
    use std::collections::{BTreeMap, BTreeSet};
    let schema_of = |entity: &str| schemas.iter().find(|s| s.kind.singular() == entity);
    let mut after: Option<ContactPointRow> = None;
    loop {
        let mut conn = app.store.read(workspace.id).await?;
        let page = conn.contact_points_after(after.as_ref(), PAGE).await?;
        // Keys only grow, so the walk ends whatever is found.
        let Some(last) = page.last() else { break };
        after = Some(last.clone());
        let mut ids_by_type: BTreeMap<&str, Vec<String>> = BTreeMap::new();
        for point in &page {
            ids_by_type.entry(point.entity.as_str()).or_default().push(point.record_id.to_string());
        }
        // (type, record, kind, value) of every point the page's live records have.
        let mut accounted: BTreeSet<(&str, relata_core::RecordId, String, String)> = BTreeSet::new();
        for (entity, ids) in ids_by_type {
            let Some(schema) = schema_of(entity) else { continue };
            for record in conn.records_by_ids(schema, &ids).await? {
                let points = relata_store::search::contact_points(schema, &record);
                accounted.extend(points.into_iter().map(|(kind, value)| (entity, record.id, kind.to_string(), value)));
            }
        }
        drop(conn);
        let stale: Vec<&ContactPointRow> = page
            .iter()
            .filter(|p| !accounted.contains(&(p.entity.as_str(), p.record_id, p.kind.clone(), p.value.clone())))
            .collect();
        if stale.is_empty() {
            continue;
        }
        let mut tx = if repair { Some(app.store.write(workspace.id).await?) } else { None };
        for point in stale {
            if let Some(tx) = tx.as_mut() {
                tx.remove_contact_point(point.record_id, &point.kind, &point.value).await?;
            }
            report.findings.push(Finding {
                workspace: workspace.slug.clone(),
                entity: schema_of(&point.entity).map_or(point.entity.clone(), |s| s.kind.api_name().to_string()),
                record_id: point.record_id.to_string(),
                problem: "contact_points",
                detail: format!("a lookup row for {} {} that the record does not have", point.kind, point.value),
                repaired: repair,
            });
        }
        if let Some(tx) = tx {
            tx.commit().await?;
        }
    }
    Ok(())
}
