//! Durable jobs: work that runs later and survives a crash.
//!
//! A write enqueues its jobs in its own transaction ([`ScopedConn::enqueue_job`]):
//! nothing is enqueued for a write that rolls back, nothing lost for one
//! that commits. Workers claim due jobs with a lease (`FOR UPDATE SKIP
//! LOCKED` on PostgreSQL; SQLite's single writer serialises claims); a job
//! whose lease ran out (its worker crashed) is claimed again. Only the
//! worker holding the lease may finish a job. Recurring jobs come from
//! schedules, each firing claimed once with compare-and-set.

use crate::db::{Backend, Row, ScopedConn, Store};
use crate::error::{Result, StoreError};
use crate::sql::{in_workspace, uuid};
use chrono::{DateTime, Utc};
use relata_core::WorkspaceId;
use sea_query::{Condition, Expr, ExprTrait, LockBehavior, LockType, OnConflict, Order, Query, SelectStatement, Value};
use serde_json::Value as Json;
use uuid::Uuid;

/// Jobs of no workspace (server work) belong to the nil workspace.
pub const SERVER: WorkspaceId = WorkspaceId::from_uuid(Uuid::nil());

/// Where a job is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum JobState {
    /// Waiting for its time (a retry waits here too).
    Queued,
    Running,
    Done,
    /// Failed every attempt, or could not run at all: kept for people to
    /// look at and retry.
    Dead,
    Cancelled,
}

impl JobState {
    pub const ALL: [JobState; 5] =
        [JobState::Queued, JobState::Running, JobState::Done, JobState::Dead, JobState::Cancelled];

    pub fn as_str(self) -> &'static str {
        match self {
            JobState::Queued => "queued",
            JobState::Running => "running",
            JobState::Done => "done",
            JobState::Dead => "dead",
            JobState::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<JobState> {
        JobState::ALL.into_iter().find(|st| st.as_str() == s)
    }
}

/// What a job list selects by `state`: jobs in one state, or `failed` ones:
/// queued again after a failed attempt, waiting for their retry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JobSelector {
    State(JobState),
    Failed,
}

impl JobSelector {
    /// The names `parse` accepts: the states, with `failed` after `queued`.
    pub fn names() -> Vec<&'static str> {
        let mut names: Vec<&'static str> = JobState::ALL.iter().map(|s| s.as_str()).collect();
        names.insert(1, "failed");
        names
    }

    pub fn parse(s: &str) -> Option<JobSelector> {
        if s == "failed" { Some(JobSelector::Failed) } else { JobState::parse(s).map(JobSelector::State) }
    }
}

impl From<JobState> for JobSelector {
    fn from(state: JobState) -> Self {
        JobSelector::State(state)
    }
}

/// Queued jobs that failed an attempt and wait for their retry (a job
/// retried by hand starts again from no attempts).
fn failed() -> Condition {
    Condition::all()
        .add(Expr::col("state").eq("queued"))
        .add(Expr::col("attempts").gt(0))
        .add(Expr::col("last_error").is_not_null())
}

/// A job as stored.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Job {
    pub workspace: WorkspaceId,
    pub id: Uuid,
    pub kind: String,
    pub payload: Json,
    pub state: JobState,
    pub run_at: DateTime<Utc>,
    pub attempts: i64,
    pub max_attempts: i64,
    pub lease_until: Option<DateTime<Utc>>,
    pub leased_by: Option<String>,
    pub last_error: Option<String>,
    pub idempotency_key: Option<String>,
    pub schedule: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

/// A job to enqueue.
#[derive(Clone, Debug)]
pub struct NewJob {
    pub kind: String,
    pub payload: Json,
    pub run_at: DateTime<Utc>,
    pub max_attempts: i64,
    /// Unique per workspace: enqueueing the same key again is a no-op that
    /// answers the first job's id.
    pub idempotency_key: Option<String>,
    pub schedule: Option<Uuid>,
}

const COLUMNS: [&str; 16] = [
    "workspace_id",
    "id",
    "kind",
    "payload",
    "state",
    "run_at",
    "attempts",
    "max_attempts",
    "lease_until",
    "leased_by",
    "last_error",
    "idempotency_key",
    "schedule_id",
    "created_at",
    "updated_at",
    "finished_at",
];

fn decode_job(r: &Row) -> Result<Job> {
    let corrupt = |c: &str| StoreError::Corrupt(format!("jobs.{c}"));
    let state = r.text("state")?.unwrap_or_default();
    Ok(Job {
        workspace: WorkspaceId::from_uuid(r.uuid("workspace_id")?.ok_or_else(|| corrupt("workspace_id"))?),
        id: r.uuid("id")?.ok_or_else(|| corrupt("id"))?,
        kind: r.text("kind")?.unwrap_or_default(),
        payload: r.json("payload")?.unwrap_or(Json::Null),
        state: JobState::parse(&state).ok_or_else(|| corrupt("state"))?,
        run_at: r.datetime("run_at")?.ok_or_else(|| corrupt("run_at"))?,
        attempts: r.int("attempts")?.unwrap_or(0),
        max_attempts: r.int("max_attempts")?.unwrap_or(1),
        lease_until: r.datetime("lease_until")?,
        leased_by: r.text("leased_by")?,
        last_error: r.text("last_error")?,
        idempotency_key: r.text("idempotency_key")?,
        schedule: r.uuid("schedule_id")?,
        created_at: r.datetime("created_at")?.ok_or_else(|| corrupt("created_at"))?,
        updated_at: r.datetime("updated_at")?.ok_or_else(|| corrupt("updated_at"))?,
        finished_at: r.datetime("finished_at")?,
    })
}

fn time(t: DateTime<Utc>) -> Value {
    Value::ChronoDateTimeUtc(Some(t))
}

/// One job by workspace and id.
fn job_key(ws: WorkspaceId, id: Uuid) -> Condition {
    Condition::all().add(in_workspace(ws)).add(Expr::col("id").eq(uuid(id)))
}

/// Which jobs a listing shows.
#[derive(Clone, Debug, Default)]
pub struct JobQuery {
    /// `None`: every workspace's (server administrators).
    pub workspace: Option<WorkspaceId>,
    pub state: Option<JobSelector>,
    pub kind: Option<String>,
    /// Jobs created before this one (the cursor).
    pub before: Option<(DateTime<Utc>, Uuid)>,
    pub limit: u64,
}

impl ScopedConn {
    /// Enqueues a job in this transaction; it exists only if the transaction
    /// commits. Answers the job's id (the earlier job's, when the
    /// idempotency key was used before).
    pub async fn enqueue_job(&mut self, job: NewJob) -> Result<Uuid> {
        let id = Uuid::now_v7();
        let values = self.job_row(id, &job);
        let stmt = Query::insert()
            .into_table("jobs")
            .columns(COLUMNS)
            .values_panic(values.into_iter().map(Expr::val))
            .on_conflict(OnConflict::new().do_nothing().to_owned())
            .to_owned();
        let inserted = self.conn.execute(&stmt).await?;
        self.enqueued_jobs = true;
        if inserted == 1 {
            return Ok(id);
        }
        // The key was used: the job it named stands.
        let key = job.idempotency_key.ok_or_else(|| StoreError::Corrupt("a job was not enqueued".into()))?;
        let q = Query::select()
            .column("id")
            .from("jobs")
            .and_where(in_workspace(self.workspace))
            .and_where(Expr::col("idempotency_key").eq(key))
            .to_owned();
        let row = self.conn.fetch_optional(&q).await?.ok_or(StoreError::NotFound)?;
        row.uuid("id")?.ok_or(StoreError::NotFound)
    }

    /// Enqueues many jobs in this transaction in multi-row statements (the
    /// automation's daily pass); a job whose idempotency key was used
    /// before is skipped, the earlier one standing.
    pub async fn enqueue_jobs(&mut self, jobs: &[NewJob]) -> Result<()> {
        if jobs.is_empty() {
            return Ok(());
        }
        let rows = jobs.iter().map(|job| self.job_row(Uuid::now_v7(), job)).collect();
        self.conn.insert_missing_rows("jobs", &COLUMNS, rows).await?;
        self.enqueued_jobs = true;
        Ok(())
    }

    /// A new job's row, one value per [`COLUMNS`].
    fn job_row(&self, id: Uuid, job: &NewJob) -> Vec<Value> {
        let now = self.now();
        vec![
            uuid(self.workspace.uuid()),
            uuid(id),
            Value::from(job.kind.clone()),
            Value::Json(Some(Box::new(job.payload.clone()))),
            Value::from(JobState::Queued.as_str()),
            time(job.run_at),
            Value::BigInt(Some(0)),
            Value::BigInt(Some(Ord::max(job.max_attempts, 1))),
            Value::ChronoDateTimeUtc(None),
            Value::String(None),
            Value::String(None),
            Value::String(job.idempotency_key.clone()),
            crate::sql::uuid_opt(job.schedule),
            time(now),
            time(now),
            Value::ChronoDateTimeUtc(None),
        ]
    }

    /// A job of this workspace.
    pub async fn job(&mut self, id: Uuid) -> Result<Option<Job>> {
        let q = Query::select().columns(COLUMNS).from("jobs").cond_where(job_key(self.workspace, id)).to_owned();
        self.conn.fetch_optional(&q).await?.map(|r| decode_job(&r)).transpose()
    }
}

impl Store {
    /// Claims up to `limit` due jobs of `kinds` for `worker`, each with a
    /// lease until `lease_until`: queued jobs whose time has come, and
    /// running jobs whose lease ran out (their worker died). Each claim
    /// counts as an attempt.
    pub async fn claim_jobs(
        &self,
        worker: &str,
        kinds: &[&str],
        limit: u64,
        lease_until: DateTime<Utc>,
    ) -> Result<Vec<Job>> {
        if kinds.is_empty() || limit == 0 {
            return Ok(Vec::new());
        }
        let now = self.now();
        let mut conn = self.begin().await?;
        // Two claims, each reading its own index in order: jobs whose
        // worker died (rare), then queued jobs whose time has come.
        let expired =
            Condition::all().add(Expr::col("state").eq("running")).add(Expr::col("lease_until").lt(time(now)));
        let due = Condition::all().add(Expr::col("state").eq("queued")).add(Expr::col("run_at").lte(time(now)));
        let mut jobs = Vec::new();
        for (condition, order) in [(expired, "lease_until"), (due, "run_at")] {
            let wanted = limit - jobs.len() as u64;
            if wanted == 0 {
                break;
            }
            let mut candidates: SelectStatement = Query::select()
                .columns(["workspace_id", "id"])
                .from("jobs")
                .cond_where(condition)
                .and_where(Expr::col("kind").is_in(kinds.iter().copied()))
                .order_by(order, Order::Asc)
                .limit(wanted)
                .to_owned();
            if self.backend() == Backend::Postgres {
                // Workers of other processes skip the rows this one is claiming.
                candidates.lock_with_behavior(LockType::Update, LockBehavior::SkipLocked);
            }
            let claim = Query::update()
                .table("jobs")
                .value("state", "running")
                .value("attempts", Expr::col("attempts").add(1))
                .value("lease_until", time(lease_until))
                .value("leased_by", worker)
                .value("updated_at", time(now))
                .and_where(Expr::tuple([Expr::col("workspace_id"), Expr::col("id")]).in_subquery(candidates))
                .returning(Query::returning().columns(COLUMNS))
                .to_owned();
            for row in conn.fetch_all(&claim).await? {
                jobs.push(decode_job(&row)?);
            }
        }
        conn.commit().await?;
        jobs.sort_by_key(|j| j.run_at);
        Ok(jobs)
    }

    /// Changes a job held by `worker`; false when the worker no longer
    /// holds it (its lease ran out and another worker claimed it).
    async fn settle_job(&self, job: &Job, worker: &str, values: Vec<(&'static str, Value)>) -> Result<bool> {
        let stmt = Query::update()
            .table("jobs")
            .values(values.into_iter().map(|(c, v)| (c, Expr::val(v))))
            .cond_where(job_key(job.workspace, job.id))
            .and_where(Expr::col("state").eq("running"))
            .and_where(Expr::col("leased_by").eq(worker))
            .and_where(Expr::col("attempts").eq(job.attempts))
            .to_owned();
        Ok(self.execute_alone(&stmt).await? == 1)
    }

    /// The job ran: done.
    pub async fn complete_job(&self, job: &Job, worker: &str) -> Result<bool> {
        let now = self.now();
        self.settle_job(
            job,
            worker,
            vec![
                ("state", Value::from("done")),
                ("lease_until", Value::ChronoDateTimeUtc(None)),
                ("updated_at", time(now)),
                ("finished_at", time(now)),
            ],
        )
        .await
    }

    /// The job failed: again at `retry_at`, or dead with the reason.
    pub async fn fail_job(
        &self,
        job: &Job,
        worker: &str,
        error: &str,
        retry_at: Option<DateTime<Utc>>,
    ) -> Result<bool> {
        let now = self.now();
        let error: String = error.chars().take(2000).collect();
        let mut values = vec![
            ("lease_until", Value::ChronoDateTimeUtc(None)),
            ("last_error", Value::from(error)),
            ("updated_at", time(now)),
        ];
        match retry_at {
            Some(at) => values.extend([("state", Value::from("queued")), ("run_at", time(at))]),
            None => values.extend([("state", Value::from("dead")), ("finished_at", time(now))]),
        }
        self.settle_job(job, worker, values).await
    }

    /// Hands a job back unfinished (a worker shutting down): it is due again
    /// at once and the attempt does not count.
    pub async fn release_job(&self, job: &Job, worker: &str) -> Result<bool> {
        self.settle_job(
            job,
            worker,
            vec![
                ("state", Value::from("queued")),
                ("attempts", Value::BigInt(Some(job.attempts - 1))),
                ("lease_until", Value::ChronoDateTimeUtc(None)),
                ("leased_by", Value::String(None)),
                ("updated_at", time(self.now())),
            ],
        )
        .await
    }

    /// Moves a running job's lease forward (long jobs).
    pub async fn extend_lease(&self, job: &Job, worker: &str, lease_until: DateTime<Utc>) -> Result<bool> {
        self.settle_job(job, worker, vec![("lease_until", time(lease_until))]).await
    }

    /// A page of jobs, newest first.
    pub async fn jobs_page(&self, query: &JobQuery) -> Result<Vec<Job>> {
        let mut q = Query::select();
        q.columns(COLUMNS).from("jobs");
        if let Some(ws) = query.workspace {
            q.and_where(in_workspace(ws));
        }
        match query.state {
            Some(JobSelector::State(state)) => {
                q.and_where(Expr::col("state").eq(state.as_str()));
            }
            Some(JobSelector::Failed) => {
                q.cond_where(failed());
            }
            None => {}
        }
        if let Some(kind) = &query.kind {
            q.and_where(Expr::col("kind").eq(kind.clone()));
        }
        if let Some((at, id)) = query.before {
            q.cond_where(
                Condition::any()
                    .add(Expr::col("created_at").lt(time(at)))
                    .add(Condition::all().add(Expr::col("created_at").eq(time(at))).add(Expr::col("id").lt(uuid(id)))),
            );
        }
        q.order_by("created_at", Order::Desc).order_by("id", Order::Desc).limit(query.limit);
        let mut conn = self.acquire().await?;
        conn.fetch_all(&q).await?.iter().map(decode_job).collect()
    }

    /// Seconds the longest-waiting due job has waited (0: none is due).
    pub async fn oldest_due_job_age(&self) -> Result<f64> {
        let now = self.now();
        let q = Query::select()
            .expr_as(Expr::col("run_at").min(), "oldest")
            .from("jobs")
            .and_where(Expr::col("state").eq("queued"))
            .and_where(Expr::col("run_at").lte(time(now)))
            .to_owned();
        let mut conn = self.acquire().await?;
        let oldest = conn.fetch_optional(&q).await?.map(|r| r.datetime("oldest")).transpose()?.flatten();
        Ok(oldest.map_or(0.0, |at| Ord::max((now - at).num_milliseconds(), 0) as f64 / 1000.0))
    }

    /// How many jobs are in each state (of one workspace, or all), and how
    /// many of the queued ones are `failed` (waiting for a retry).
    pub async fn job_counts(&self, workspace: Option<WorkspaceId>) -> Result<Vec<(String, i64)>> {
        let mut by_state = Query::select();
        by_state.column("state").expr_as(Expr::cust("COUNT(*)"), "n").from("jobs").group_by_col("state");
        let mut failing = Query::select();
        failing.expr_as(Expr::cust("COUNT(*)"), "n").from("jobs").cond_where(failed());
        if let Some(ws) = workspace {
            by_state.and_where(in_workspace(ws));
            failing.and_where(in_workspace(ws));
        }
        let mut conn = self.acquire().await?;
        let mut counts = conn
            .fetch_all(&by_state)
            .await?
            .iter()
            .map(|r| Ok((r.text("state")?.unwrap_or_default(), r.int("n")?.unwrap_or(0))))
            .collect::<Result<Vec<_>>>()?;
        let failed = conn.fetch_optional(&failing).await?.map(|r| r.int("n")).transpose()?.flatten().unwrap_or(0);
        if failed > 0 {
            counts.push(("failed".to_string(), failed));
        }
        Ok(counts)
    }

    /// One job by id (of one workspace, or any).
    pub async fn find_job(&self, workspace: Option<WorkspaceId>, id: Uuid) -> Result<Option<Job>> {
        let mut q = Query::select();
        q.columns(COLUMNS).from("jobs").and_where(Expr::col("id").eq(uuid(id)));
        if let Some(ws) = workspace {
            q.and_where(in_workspace(ws));
        }
        let mut conn = self.acquire().await?;
        conn.fetch_optional(&q).await?.map(|r| decode_job(&r)).transpose()
    }

    /// A dead or cancelled job queued again now, with its attempts reset.
    pub async fn retry_job(&self, job: &Job) -> Result<bool> {
        let now = self.now();
        let stmt = Query::update()
            .table("jobs")
            .values([
                ("state", Expr::val("queued")),
                ("run_at", Expr::val(time(now))),
                ("attempts", Expr::val(0)),
                ("leased_by", Expr::val(Value::String(None))),
                ("finished_at", Expr::val(Value::ChronoDateTimeUtc(None))),
                ("updated_at", Expr::val(time(now))),
            ])
            .cond_where(job_key(job.workspace, job.id))
            .and_where(Expr::col("state").is_in(["dead", "cancelled"]))
            .to_owned();
        let retried = self.execute_alone(&stmt).await? == 1;
        if retried {
            self.jobs_enqueued().notify_waiters();
        }
        Ok(retried)
    }

    /// A queued job cancelled (it will not run).
    pub async fn cancel_job(&self, job: &Job) -> Result<bool> {
        let now = self.now();
        let stmt = Query::update()
            .table("jobs")
            .values([
                ("state", Expr::val("cancelled")),
                ("finished_at", Expr::val(time(now))),
                ("updated_at", Expr::val(time(now))),
            ])
            .cond_where(job_key(job.workspace, job.id))
            .and_where(Expr::col("state").eq("queued"))
            .to_owned();
        Ok(self.execute_alone(&stmt).await? == 1)
    }
}

/// A recurring job.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Schedule {
    pub workspace: WorkspaceId,
    pub id: Uuid,
    pub name: String,
    pub kind: String,
    pub payload: Json,
    pub cron: String,
    pub time_zone: String,
    pub next_run_at: DateTime<Utc>,
    pub enabled: bool,
}

const SCHEDULE_COLUMNS: [&str; 9] =
    ["workspace_id", "id", "name", "kind", "payload", "cron", "time_zone", "next_run_at", "enabled"];

fn decode_schedule(r: &Row) -> Result<Schedule> {
    let corrupt = |c: &str| StoreError::Corrupt(format!("job_schedules.{c}"));
    Ok(Schedule {
        workspace: WorkspaceId::from_uuid(r.uuid("workspace_id")?.ok_or_else(|| corrupt("workspace_id"))?),
        id: r.uuid("id")?.ok_or_else(|| corrupt("id"))?,
        name: r.text("name")?.unwrap_or_default(),
        kind: r.text("kind")?.unwrap_or_default(),
        payload: r.json("payload")?.unwrap_or(Json::Null),
        cron: r.text("cron")?.unwrap_or_default(),
        time_zone: r.text("time_zone")?.unwrap_or_default(),
        next_run_at: r.datetime("next_run_at")?.ok_or_else(|| corrupt("next_run_at"))?,
        enabled: r.bool("enabled")?.unwrap_or(false),
    })
}

impl ScopedConn {
    /// Creates or replaces this workspace's schedule of that name.
    pub async fn put_schedule(&mut self, schedule: &Schedule) -> Result<()> {
        let now = self.now();
        let stmt = Query::insert()
            .into_table("job_schedules")
            .columns(SCHEDULE_COLUMNS.iter().copied().chain(["created_at", "updated_at"]))
            .values_panic([
                Expr::val(uuid(self.workspace.uuid())),
                Expr::val(uuid(schedule.id)),
                Expr::val(schedule.name.clone()),
                Expr::val(schedule.kind.clone()),
                Expr::val(Value::Json(Some(Box::new(schedule.payload.clone())))),
                Expr::val(schedule.cron.clone()),
                Expr::val(schedule.time_zone.clone()),
                Expr::val(time(schedule.next_run_at)),
                Expr::val(schedule.enabled),
                Expr::val(time(now)),
                Expr::val(time(now)),
            ])
            .on_conflict(
                OnConflict::columns(["workspace_id", "name"])
                    .update_columns(["kind", "payload", "cron", "time_zone", "next_run_at", "enabled", "updated_at"])
                    .to_owned(),
            )
            .to_owned();
        self.conn.execute(&stmt).await.map(drop)
    }

    /// This workspace's schedules by name.
    pub async fn schedules(&mut self) -> Result<Vec<Schedule>> {
        let q = Query::select()
            .columns(SCHEDULE_COLUMNS)
            .from("job_schedules")
            .and_where(in_workspace(self.workspace))
            .order_by("name", Order::Asc)
            .to_owned();
        self.conn.fetch_all(&q).await?.iter().map(decode_schedule).collect()
    }
}

impl Store {
    /// Enabled schedules whose time has come (any workspace).
    pub async fn due_schedules(&self, limit: u64) -> Result<Vec<Schedule>> {
        let q = Query::select()
            .columns(SCHEDULE_COLUMNS)
            .from("job_schedules")
            .and_where(Expr::col("enabled").eq(true))
            .and_where(Expr::col("next_run_at").lte(time(self.now())))
            .order_by("next_run_at", Order::Asc)
            .limit(limit)
            .to_owned();
        let mut conn = self.acquire().await?;
        conn.fetch_all(&q).await?.iter().map(decode_schedule).collect()
    }

    /// Fires a schedule once: moves its next time from `fired` to `next`
    /// and enqueues its job, in one transaction. When another process fired
    /// it first, nothing happens (false).
    pub async fn fire_schedule(&self, schedule: &Schedule, next: DateTime<Utc>, job: NewJob) -> Result<bool> {
        let mut tx = self.write(schedule.workspace).await?;
        let moved = Query::update()
            .table("job_schedules")
            .value("next_run_at", time(next))
            .value("updated_at", time(self.now()))
            .cond_where(job_key(schedule.workspace, schedule.id))
            .and_where(Expr::col("next_run_at").eq(time(schedule.next_run_at)))
            .to_owned();
        if tx.conn.execute(&moved).await? != 1 {
            return Ok(false);
        }
        tx.enqueue_job(job).await?;
        tx.commit().await?;
        Ok(true)
    }
}
