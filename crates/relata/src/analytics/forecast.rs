//! `relata analytics forecast`: the pipeline forecast over the stored
//! opportunities of a workspace, as Relata itself (every record), printed as
//! the same JSON document `GET /api/v1/analytics/forecast` answers.

use crate::DbArgs;
use clap::Args;
use relata_app::{AppError, Ctx};
use relata_sales::forecast::{self, ForecastParams};
use std::process::ExitCode;

#[derive(Args)]
pub struct ForecastArgs {
    /// The workspace's slug.
    #[arg(long, default_value = "default")]
    workspace: String,
    /// Forecast periods, by expected close date: month or quarter [default: month].
    #[arg(long)]
    period: Option<String>,
    /// Split pipeline rows by owner, team, territory or none [default: none].
    #[arg(long)]
    group: Option<String>,
    /// Only opportunities matching this filter (the API's filter language).
    #[arg(long)]
    filter: Option<String>,
    /// Periods ended by this day are compared with what was won [default: today, UTC].
    #[arg(long, value_name = "YYYY-MM-DD")]
    as_of: Option<String>,
}

pub async fn run(db: &DbArgs, args: ForecastArgs) -> Result<ExitCode, String> {
    let params =
        ForecastParams::parse(args.period.as_deref(), args.group.as_deref(), args.filter, args.as_of.as_deref())
            .map_err(|e| match e {
                AppError::BadParameter(name, message) => format!("--{}: {message}", name.replace('_', "-")),
                other => other.to_string(),
            })?;
    let (app, _) = crate::open(db).await?;
    let ws = crate::people::workspace_by_slug(&app, &args.workspace).await?;
    let report = forecast::forecast(&app, &Ctx::new(ws, None), &params).await.map_err(|e| e.to_string())?;
    println!("{}", serde_json::to_string_pretty(&report).expect("the forecast serialises"));
    app.store.close().await;
    Ok(ExitCode::SUCCESS)
}
