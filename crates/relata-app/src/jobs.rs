//! Durable jobs: the handlers registered for job kinds, enqueueing inside a
//! write's transaction, and the workers that claim due jobs, run them with a
//! lease, retry failures with exponential back-off and jitter, dead-letter
//! what keeps failing, fire recurring schedules, and shut down gracefully.
//! Every "now" comes from the store's clock, so tests move time instead of
//! sleeping.

use crate::error::AppError;
use crate::module::BoxFuture;
use crate::{App, Ctx};
use chrono::{DateTime, Duration as TimeDelta, Utc};
use relata_core::ValidationError;
use relata_store::ScopedConn;
use relata_store::jobs::{Job, NewJob, Schedule};
use serde_json::{Value as Json, json};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use uuid::Uuid;

/// Why a job did not finish.
#[derive(Debug)]
pub enum JobError {
    /// Worth trying again later (a peer was down, a timeout).
    Retry(String),
    /// Will never work (a payload the handler cannot read, a refusal):
    /// dead-lettered at once with the reason.
    Fail(String),
}

/// The code that runs jobs of one kind. The job's id is the idempotency key
/// for its side effects: a job runs at least once, and again after a crash.
/// The workspace a job runs for; a job whose workspace is gone fails for good.
pub async fn workspace_of(
    app: &App,
    job: &relata_store::jobs::Job,
) -> Result<relata_store::admin::Workspace, JobError> {
    app.store
        .workspaces()
        .await
        .map_err(|e| JobError::Retry(e.to_string()))?
        .into_iter()
        .find(|w| w.id == job.workspace)
        .ok_or_else(|| JobError::Fail("the workspace is gone".into()))
}

pub trait JobHandler: Send + Sync {
    /// The kind, by convention `module.what` (`http.post`).
    fn kind(&self) -> &'static str;

    /// Attempts before the job is dead-lettered.
    fn max_attempts(&self) -> i64 {
        8
    }

    /// Whether administrators may enqueue jobs of this kind by hand
    /// (`POST /api/v1/admin/jobs`).
    fn enqueued_by_administrators(&self) -> bool {
        false
    }

    fn run<'a>(&'a self, app: &'a App, job: &'a Job) -> BoxFuture<'a, Result<(), JobError>>;
}

/// Options of a job to enqueue.
#[derive(Clone, Debug, Default)]
pub struct Enqueue {
    pub run_at: Option<DateTime<Utc>>,
    pub max_attempts: Option<i64>,
    /// Unique per workspace; enqueueing the same key again does nothing.
    pub idempotency_key: Option<String>,
}

/// Enqueues a job in the caller's transaction: it exists only if the
/// transaction commits.
pub async fn enqueue_in(
    tx: &mut ScopedConn,
    app: &App,
    kind: &str,
    payload: Json,
    options: Enqueue,
) -> Result<Uuid, AppError> {
    let handler = app
        .job_handler(kind)
        .ok_or_else(|| ValidationError::single("kind", "unknown_kind", format!("no job kind {kind:?}")))?;
    let job = NewJob {
        kind: kind.to_string(),
        payload,
        run_at: options.run_at.unwrap_or_else(|| tx.now()),
        max_attempts: options.max_attempts.unwrap_or_else(|| handler.max_attempts()).clamp(1, 100),
        idempotency_key: options.idempotency_key,
        schedule: None,
    };
    Ok(tx.enqueue_job(job).await?)
}

/// Enqueues a job in a transaction of its own (administrators, the CLI).
pub async fn enqueue(app: &App, ctx: &Ctx, kind: &str, payload: Json, options: Enqueue) -> Result<Uuid, AppError> {
    let mut tx = app.store.write(ctx.ws()).await?;
    let id = enqueue_in(&mut tx, app, kind, payload, options).await?;
    tx.commit().await?;
    Ok(id)
}

/// The wait before attempt `attempt + 1`: 2 s doubled per attempt, at most
/// an hour, times a jitter of ±25% derived from the job's id, so that jobs
/// that failed together do not retry together.
pub fn backoff(job_id: Uuid, attempt: i64) -> TimeDelta {
    let base = 2_000i64.saturating_mul(1i64 << attempt.clamp(1, 20).saturating_sub(1)).min(3_600_000);
    let bytes = job_id.as_bytes();
    let spread = (u16::from_le_bytes([bytes[14], bytes[15]]) as i64 ^ attempt) % 1000;
    TimeDelta::milliseconds(base * (750 + spread / 2) / 1000)
}

/// When a schedule fires next after `after`: its cron expression read in
/// its time zone.
pub fn next_firing(cron: &str, time_zone: &str, after: DateTime<Utc>) -> Result<DateTime<Utc>, String> {
    use std::str::FromStr;
    let tz = chrono_tz::Tz::from_str(time_zone).map_err(|_| format!("{time_zone:?} is not an IANA time zone"))?;
    let pattern = croner::Cron::from_str(cron).map_err(|e| format!("{cron:?} is not a cron expression: {e}"))?;
    pattern
        .find_next_occurrence(&after.with_timezone(&tz), false)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| format!("{cron:?} never fires: {e}"))
}

/// A recurring job as an administrator defines it.
#[derive(Clone, Debug)]
pub struct ScheduleInput {
    pub kind: String,
    pub payload: Json,
    /// Five fields (minute hour day month weekday), or six with seconds.
    pub cron: String,
    /// An IANA time zone (`Europe/Warsaw`).
    pub time_zone: String,
    pub enabled: bool,
}

/// Defines (or changes) a recurring job of the workspace (administrators).
pub async fn put_schedule(app: &App, ctx: &Ctx, name: &str, input: ScheduleInput) -> Result<Schedule, AppError> {
    ctx.access.require_admin()?;
    let ScheduleInput { kind, payload, cron, time_zone, enabled } = input;
    let (kind, cron, time_zone) = (kind.as_str(), cron.as_str(), time_zone.as_str());
    let mut errors = Vec::new();
    if !relata_core::meta::is_valid_custom_field_id(name) {
        errors.push(relata_core::FieldError::new("name", "invalid", "lower-case letters, digits and _"));
    }
    if app.job_handler(kind).is_none() {
        errors.push(relata_core::FieldError::new("kind", "unknown_kind", format!("no job kind {kind:?}")));
    }
    let next = match next_firing(cron, time_zone, app.store.now()) {
        Ok(t) => Some(t),
        Err(m) => {
            let field = if m.contains("time zone") { "time_zone" } else { "cron" };
            errors.push(relata_core::FieldError::new(field, "invalid", m));
            None
        }
    };
    ValidationError::check(errors)?;
    let mut tx = app.store.write(ctx.ws()).await?;
    let existing = tx.schedules().await?.into_iter().find(|s| s.name == name);
    let schedule = Schedule {
        workspace: ctx.ws(),
        id: existing.map_or_else(Uuid::now_v7, |s| s.id),
        name: name.to_string(),
        kind: kind.to_string(),
        payload,
        cron: cron.to_string(),
        time_zone: time_zone.to_string(),
        next_run_at: next.expect("checked above"),
        enabled,
    };
    tx.put_schedule(&schedule).await?;
    crate::audit::audit_in(
        &mut tx,
        ctx,
        crate::audit::Event::new("schedule.define")
            .target("schedule", name)
            .details(json!({"kind": kind, "cron": cron, "time_zone": time_zone, "enabled": enabled})),
    )
    .await?;
    tx.commit().await?;
    Ok(schedule)
}

/// How workers run.
#[derive(Clone, Debug)]
pub struct WorkerOptions {
    /// Jobs run at once by one process.
    pub concurrency: usize,
    /// How long a claimed job is the worker's; extended while it runs.
    pub lease: Duration,
    /// How often to look for due jobs when nothing wakes the worker.
    pub poll: Duration,
    /// On shutdown, how long running jobs may take to finish before they
    /// are handed back.
    pub drain: Duration,
}

impl Default for WorkerOptions {
    fn default() -> Self {
        WorkerOptions {
            concurrency: 4,
            lease: Duration::from_secs(60),
            poll: Duration::from_millis(500),
            drain: Duration::from_secs(10),
        }
    }
}

/// A process's workers: they run the jobs whose kinds have handlers.
pub struct Workers {
    app: Arc<App>,
    handlers: HashMap<&'static str, Arc<dyn JobHandler>>,
    options: WorkerOptions,
    /// Who holds the leases: process and a random part.
    name: String,
    /// Woken when a running job finished: a slot is free.
    finished: tokio::sync::Notify,
}

impl Workers {
    /// Workers for every handler the platform and the modules register.
    pub fn new(app: Arc<App>, options: WorkerOptions) -> Workers {
        let handlers = app.job_handlers();
        Workers::with_handlers(app, handlers, options)
    }

    /// Workers for the given handlers only (benchmarks, tests).
    pub fn with_handlers(app: Arc<App>, handlers: Vec<Arc<dyn JobHandler>>, options: WorkerOptions) -> Workers {
        let name = format!("{}-{}", std::process::id(), &Uuid::now_v7().simple().to_string()[20..]);
        Workers {
            app,
            handlers: handlers.into_iter().map(|h| (h.kind(), h)).collect(),
            options,
            name,
            finished: tokio::sync::Notify::new(),
        }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    fn kinds(&self) -> Vec<&'static str> {
        self.handlers.keys().copied().collect()
    }

    fn lease_until(&self) -> DateTime<Utc> {
        self.app.store.now() + TimeDelta::from_std(self.options.lease).unwrap_or(TimeDelta::seconds(60))
    }

    /// Runs every job due now, one after another, until none is due; fires
    /// due schedules first. Returns how many jobs ran (tests, `relata jobs
    /// run`, benchmarks).
    pub async fn run_due(&self) -> Result<usize, AppError> {
        self.fire_schedules().await?;
        let mut ran = 0;
        loop {
            let jobs = self.app.store.claim_jobs(&self.name, &self.kinds(), 64, self.lease_until()).await?;
            if jobs.is_empty() {
                return Ok(ran);
            }
            for job in jobs {
                self.execute(job).await;
                ran += 1;
            }
        }
    }

    /// Enqueues the jobs of schedules whose time has come (each firing once,
    /// whichever process gets there first).
    pub async fn fire_schedules(&self) -> Result<usize, AppError> {
        let mut fired = 0;
        for schedule in self.app.store.due_schedules(100).await? {
            let next = match next_firing(&schedule.cron, &schedule.time_zone, schedule.next_run_at) {
                Ok(next) => next,
                Err(e) => {
                    tracing::warn!(schedule = %schedule.name, error = %e, "a schedule cannot fire");
                    continue;
                }
            };
            let max_attempts = self.app.job_handler(&schedule.kind).map_or(8, |h| h.max_attempts());
            let job = NewJob {
                kind: schedule.kind.clone(),
                payload: schedule.payload.clone(),
                run_at: schedule.next_run_at,
                max_attempts,
                idempotency_key: Some(format!("schedule:{}:{}", schedule.id, schedule.next_run_at.timestamp())),
                schedule: Some(schedule.id),
            };
            if self.app.store.fire_schedule(&schedule, next, job).await? {
                fired += 1;
            }
        }
        Ok(fired)
    }

    /// Runs one claimed job and settles it.
    async fn execute(&self, job: Job) {
        let store = &self.app.store;
        let settled = match self.handlers.get(job.kind.as_str()) {
            None => store.fail_job(&job, &self.name, &format!("no handler for job kind {:?}", job.kind), None).await,
            Some(_) if job.attempts > job.max_attempts => {
                // Claimed again after its lease ran out once too often: its
                // worker keeps dying while running it.
                let reason = format!("gave up after {} attempts whose workers stopped", job.max_attempts);
                store.fail_job(&job, &self.name, &reason, None).await
            }
            Some(handler) => {
                let outcome = self.run_with_lease(handler.clone(), &job).await;
                match outcome {
                    Ok(()) => store.complete_job(&job, &self.name).await,
                    Err(JobError::Fail(reason)) => store.fail_job(&job, &self.name, &reason, None).await,
                    Err(JobError::Retry(reason)) if job.attempts >= job.max_attempts => {
                        let reason = format!("{reason} (attempt {} of {})", job.attempts, job.max_attempts);
                        store.fail_job(&job, &self.name, &reason, None).await
                    }
                    Err(JobError::Retry(reason)) => {
                        let at = store.now() + backoff(job.id, job.attempts);
                        store.fail_job(&job, &self.name, &reason, Some(at)).await
                    }
                }
            }
        };
        match settled {
            Ok(true) => {}
            Ok(false) => tracing::warn!(job = %job.id, "a job's lease ran out while it ran; another worker has it"),
            Err(e) => tracing::warn!(job = %job.id, error = %e, "a job's outcome could not be recorded"),
        }
        self.finished.notify_one();
    }

    /// Runs a handler, extending the lease while it runs; a panic counts as
    /// a failure worth retrying.
    async fn run_with_lease(&self, handler: Arc<dyn JobHandler>, job: &Job) -> Result<(), JobError> {
        let app = self.app.clone();
        let owned = job.clone();
        let mut running = tokio::spawn(async move { handler.run(&app, &owned).await });
        let mut renew = tokio::time::interval(self.options.lease / 3);
        renew.tick().await;
        loop {
            tokio::select! {
                result = &mut running => {
                    return result.unwrap_or_else(|e| Err(JobError::Retry(format!("the handler failed: {e}"))));
                }
                _ = renew.tick() => {
                    if let Err(e) = self.app.store.extend_lease(job, &self.name, self.lease_until()).await {
                        tracing::warn!(job = %job.id, error = %e, "a job's lease could not be extended");
                    }
                }
            }
        }
    }

    /// Runs jobs until `stop` turns true: claims up to `concurrency` at a
    /// time when woken (a commit that enqueued jobs) or every `poll`, fires
    /// schedules. On stop it claims nothing more, lets running jobs finish
    /// for up to `drain`, then hands the rest back.
    pub async fn run(self: Arc<Self>, mut stop: tokio::sync::watch::Receiver<bool>) {
        let enqueued = self.app.store.jobs_enqueued();
        let mut running: Vec<(Job, tokio::task::JoinHandle<()>)> = Vec::new();
        loop {
            let woken = enqueued.notified();
            let slot_freed = self.finished.notified();
            running.retain(|(_, task)| !task.is_finished());
            if *stop.borrow() {
                break;
            }
            if let Err(e) = self.fire_schedules().await {
                tracing::warn!(error = %e, "schedules could not fire");
            }
            let free = self.options.concurrency.saturating_sub(running.len()) as u64;
            let claimed = match self.app.store.claim_jobs(&self.name, &self.kinds(), free, self.lease_until()).await {
                Ok(jobs) => jobs,
                Err(e) => {
                    tracing::warn!(error = %e, "due jobs could not be claimed");
                    Vec::new()
                }
            };
            let claimed_any = !claimed.is_empty();
            for job in claimed {
                let workers = self.clone();
                let owned = job.clone();
                running.push((job, tokio::spawn(async move { workers.execute(owned).await })));
            }
            if claimed_any && running.len() < self.options.concurrency {
                continue;
            }
            tokio::select! {
                _ = woken => {}
                _ = slot_freed => {}
                _ = tokio::time::sleep(self.options.poll) => {}
                _ = stop.changed() => {}
            }
        }
        let deadline = tokio::time::Instant::now() + self.options.drain;
        while running.iter().any(|(_, task)| !task.is_finished()) && tokio::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        for (job, task) in running {
            if !task.is_finished() {
                task.abort();
                match self.app.store.release_job(&job, &self.name).await {
                    Ok(_) => tracing::info!(job = %job.id, "handed back a running job at shutdown"),
                    Err(e) => tracing::warn!(job = %job.id, error = %e, "a job could not be handed back"),
                }
            }
        }
    }
}

/// `http.post`: delivers a JSON body to a URL with the job's id as
/// `Idempotency-Key`, so that the receiver applies a redelivery once. 2xx is
/// done; 408, 429 and 5xx and network failures are retried; other answers
/// fail for good.
pub struct HttpPost {
    client: reqwest::Client,
}

impl Default for HttpPost {
    fn default() -> Self {
        HttpPost {
            client: reqwest::Client::builder()
                .timeout(Duration::from_secs(30))
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("an HTTP client"),
        }
    }
}

impl JobHandler for HttpPost {
    fn kind(&self) -> &'static str {
        "http.post"
    }

    fn enqueued_by_administrators(&self) -> bool {
        true
    }

    fn run<'a>(&'a self, _app: &'a App, job: &'a Job) -> BoxFuture<'a, Result<(), JobError>> {
        Box::pin(async move {
            let url = job.payload.get("url").and_then(Json::as_str).unwrap_or("");
            let parsed = reqwest::Url::parse(url).map_err(|e| JobError::Fail(format!("payload.url: {e}")))?;
            if !matches!(parsed.scheme(), "http" | "https") {
                return Err(JobError::Fail("payload.url: only http and https".into()));
            }
            let body = job.payload.get("body").cloned().unwrap_or(Json::Null);
            let response = self
                .client
                .post(parsed)
                .header("idempotency-key", job.id.to_string())
                .json(&body)
                .send()
                .await
                .map_err(|e| JobError::Retry(format!("delivery failed: {e}")))?;
            let status = response.status();
            if status.is_success() {
                Ok(())
            } else if worth_retrying(status) {
                Err(JobError::Retry(format!("the receiver answered {status}")))
            } else {
                Err(JobError::Fail(format!("the receiver answered {status}")))
            }
        })
    }
}

/// Whether an HTTP answer is worth another attempt later: a timeout, too
/// many requests, or a server error; other refusals stay refusals.
pub fn worth_retrying(status: reqwest::StatusCode) -> bool {
    status.is_server_error() || status.as_u16() == 408 || status.as_u16() == 429
}

/// The job kinds the platform itself provides.
pub fn platform_handlers() -> Vec<Arc<dyn JobHandler>> {
    vec![Arc::new(HttpPost::default()), Arc::new(crate::webhooks::DeliverJob::default())]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_with_bounded_jitter() {
        let id = Uuid::now_v7();
        let mut last = TimeDelta::zero();
        for attempt in 1..=6 {
            let wait = backoff(id, attempt);
            let base = 2_000 * (1 << (attempt - 1));
            assert!(wait >= TimeDelta::milliseconds(base * 3 / 4) && wait <= TimeDelta::milliseconds(base * 5 / 4));
            assert!(wait > last, "{attempt}");
            last = wait;
        }
        assert!(backoff(id, 60) <= TimeDelta::milliseconds(3_600_000 * 5 / 4), "capped");
    }

    #[test]
    fn schedules_fire_in_their_time_zone() {
        let after = DateTime::parse_from_rfc3339("2026-03-28T12:00:00Z").unwrap().with_timezone(&Utc);
        let next = next_firing("0 9 * * *", "Europe/Warsaw", after).unwrap();
        assert_eq!(next.to_rfc3339(), "2026-03-29T07:00:00+00:00", "09:00 in Warsaw, summer time from that night");
        assert!(next_firing("61 * * * *", "UTC", after).is_err());
        assert!(next_firing("0 9 * * *", "Mars/Olympus", after).unwrap_err().contains("time zone"));
    }
}
