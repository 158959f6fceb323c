//! `relata check`: whether the database agrees with itself. SQLite's
//! integrity check; for every record of every type in every workspace, its
//! contact points and search entry against its values, and its newest
//! change entry against its version; side rows whose record is gone. With
//! `repair`, the derived rows (contact points, search entries) are rebuilt
//! and orphans removed; the change log is history and is only reported.

use crate::App;
use crate::error::AppError;
use relata_store::check::Disagreement;
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
                            ("contact_points", "the lookup rows are not the record's emails and phones".into(), true)
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
                        tx.index_record(schema, record).await?;
                    }
                    tx.commit().await?;
                }
            }
            let mut conn = app.store.write(workspace.id).await?;
            for (side, id) in conn.orphan_side_rows(schema).await? {
                if repair {
                    conn.remove_side_rows(side, id).await?;
                }
                report.findings.push(finding(
                    id.to_string(),
                    "orphan",
                    format!("{side} rows of a record that is gone"),
                    repair,
                ));
            }
            conn.commit().await?;
        }
    }
    Ok(report)
}
