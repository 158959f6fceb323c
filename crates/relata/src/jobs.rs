//! `relata jobs`: durable jobs from the command line (server-wide, as the
//! server's operator).

use crate::{DbArgs, open};
use clap::Subcommand;
use relata_store::jobs::{JobQuery, JobSelector};
use std::process::ExitCode;

#[derive(Subcommand)]
pub enum JobsCommand {
    /// List jobs, newest first, with how many are in each state.
    List {
        /// queued, failed (queued again after a failed attempt), running, done, dead or cancelled.
        #[arg(long)]
        state: Option<String>,
        /// Only jobs of this kind (`http.post`).
        #[arg(long)]
        kind: Option<String>,
        #[arg(long, default_value_t = 50)]
        limit: u64,
    },
    /// Queue a dead or cancelled job again.
    Retry { id: String },
    /// Cancel a queued job.
    Cancel { id: String },
}

pub async fn run(db: &DbArgs, command: JobsCommand) -> Result<ExitCode, String> {
    let (app, _) = open(db).await?;
    let store = &app.store;
    let find = |id: &str| {
        let id = id.to_string();
        async move {
            let uuid = uuid::Uuid::parse_str(&id).map_err(|_| format!("{id:?} is not a job id"))?;
            store.find_job(None, uuid).await.map_err(|e| e.to_string())?.ok_or_else(|| format!("no job {id}"))
        }
    };
    match command {
        JobsCommand::List { state, kind, limit } => {
            let state = match state.as_deref() {
                None => None,
                Some(s) => Some(
                    JobSelector::parse(s)
                        .ok_or_else(|| format!("--state: {s:?} is not one of {}", JobSelector::names().join(", ")))?,
                ),
            };
            let jobs = store
                .jobs_page(&JobQuery { state, kind, limit: limit.clamp(1, 1000), ..Default::default() })
                .await
                .map_err(|e| e.to_string())?;
            let counts = store.job_counts(None).await.map_err(|e| e.to_string())?;
            let counts: serde_json::Map<String, serde_json::Value> =
                counts.into_iter().map(|(s, n)| (s, serde_json::json!(n))).collect();
            println!("{}", serde_json::json!({"counts": counts, "jobs": jobs}));
        }
        JobsCommand::Retry { id } => {
            let job = find(&id).await?;
            if !store.retry_job(&job).await.map_err(|e| e.to_string())? {
                return Err(format!("job {id} is {}; only dead or cancelled jobs are retried", job.state.as_str()));
            }
            println!("job {id} queued again");
        }
        JobsCommand::Cancel { id } => {
            let job = find(&id).await?;
            if !store.cancel_job(&job).await.map_err(|e| e.to_string())? {
                return Err(format!("job {id} is {}; only queued jobs are cancelled", job.state.as_str()));
            }
            println!("job {id} cancelled");
        }
    }
    app.store.close().await;
    Ok(ExitCode::SUCCESS)
}
