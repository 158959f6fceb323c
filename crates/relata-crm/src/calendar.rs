//! Calendars of activities: which activities take time (meetings and calls
//! from `start_at` to `end_at`, tasks at `due_at`), the span a day, week or
//! month view covers, the first free slot common to several people, and
//! reminders before a meeting or a task's due time (a job per activity and
//! moment, which tells the owner in the app when it runs).

use crate::ACTIVITIES;
use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Utc, Weekday};
use relata_app::jobs::{JobError, JobHandler};
use relata_app::module::BoxFuture;
use relata_core::filter::Expr;
use relata_core::value::FieldValue;
use relata_core::{Record, RecordId, UserId};
use relata_store::jobs::{Job, NewJob};
use relata_store::{ScopedConn, StoreError};
use serde_json::json;

/// The job kind that reminds an activity's owner.
pub const REMINDER_JOB: &str = "crm.reminder";

/// How long before its moment an activity reminds its owner when it says
/// nothing (`remind_before_minutes` empty).
pub const DEFAULT_REMINDER_MINUTES: i64 = 15;

/// The span a calendar view shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Span {
    Day,
    Week,
    Month,
}

impl Span {
    pub fn parse(text: &str) -> Option<Span> {
        match text {
            "day" => Some(Span::Day),
            "week" => Some(Span::Week),
            "month" => Some(Span::Month),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Span::Day => "day",
            Span::Week => "week",
            Span::Month => "month",
        }
    }

    /// The days the view of `day` shows, first and last: a week starts on
    /// `first_weekday`; a month view shows whole weeks around the month.
    pub fn days(self, day: NaiveDate, first_weekday: Weekday) -> (NaiveDate, NaiveDate) {
        let week_of = |d: NaiveDate| {
            let back = (7 + d.weekday().num_days_from_monday() - first_weekday.num_days_from_monday()) % 7;
            d - Duration::days(i64::from(back))
        };
        match self {
            Span::Day => (day, day),
            Span::Week => {
                let start = week_of(day);
                (start, start + Duration::days(6))
            }
            Span::Month => {
                let first = day.with_day(1).expect("the first of a month");
                let next = if first.month() == 12 {
                    NaiveDate::from_ymd_opt(first.year() + 1, 1, 1)
                } else {
                    NaiveDate::from_ymd_opt(first.year(), first.month() + 1, 1)
                }
                .expect("a month");
                let start = week_of(first);
                let last = next - Duration::days(1);
                (start, week_of(last) + Duration::days(6))
            }
        }
    }

    /// The view before or after (`step` = -1 or 1).
    pub fn step(self, day: NaiveDate, step: i32) -> NaiveDate {
        match self {
            Span::Day => day + Duration::days(i64::from(step)),
            Span::Week => day + Duration::days(7 * i64::from(step)),
            Span::Month => {
                let months = day.year() * 12 + day.month0() as i32 + step;
                NaiveDate::from_ymd_opt(months.div_euclid(12), months.rem_euclid(12) as u32 + 1, 1).expect("a month")
            }
        }
    }
}

/// The first moment of a local day in a zone, as UTC.
pub fn start_of_day<Z: TimeZone>(zone: &Z, day: NaiveDate) -> DateTime<Utc> {
    let midnight = day.and_time(NaiveTime::MIN);
    zone.from_local_datetime(&midnight).earliest().map_or_else(|| midnight.and_utc(), |t| t.with_timezone(&Utc))
}

/// When an activity takes place: meetings and calls from their start to
/// their end (an hour when no end is given), tasks at their due time (a
/// quarter of an hour). `None`: not on a calendar.
pub fn moment_of(activity: &Record) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    let at = |name| match activity.values.std(name) {
        FieldValue::DateTime(t) => Some(*t),
        _ => None,
    };
    match activity.values.text("kind") {
        Some("meeting" | "call") => {
            let start = at("start_at")?;
            let end = at("end_at").filter(|e| *e > start).unwrap_or(start + Duration::hours(1));
            Some((start, end))
        }
        Some("task") => at("due_at").map(|due| (due, due + Duration::minutes(15))),
        _ => None,
    }
}

/// The reads that find the activities `people` take part in: those they
/// own and, where the reader sees the attendees, those they attend. Each
/// is served by an index of its own; one `or` of both would read every
/// activity of the span.
pub fn involving(people: &[UserId], attendees_visible: bool) -> Vec<Expr> {
    let mut reads = vec![Expr::one_of("owner", people.iter().copied())];
    if attendees_visible {
        reads.push(Expr::one_of("attendees", people.iter().copied()));
    }
    reads
}

/// Whether `person` takes part in an activity: its owner or an attendee.
pub fn involves(activity: &Record, person: UserId) -> bool {
    activity.values.ref_id("owner") == Some(person.uuid()) || attendees(activity).contains(&person)
}

/// An activity's attendees (besides its owner).
pub fn attendees(activity: &Record) -> Vec<UserId> {
    match activity.values.std("attendees") {
        FieldValue::List(ids) => ids.iter().filter_map(|id| id.parse().ok()).map(UserId::from_uuid).collect(),
        _ => Vec::new(),
    }
}

/// The first slot of `length` inside one of `windows` (working hours,
/// in order) that overlaps none of `busy`, starting on a quarter hour.
pub fn first_free_slot(
    windows: &[(DateTime<Utc>, DateTime<Utc>)],
    busy: &[(DateTime<Utc>, DateTime<Utc>)],
    length: Duration,
) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    let step = Duration::minutes(15);
    for (from, to) in windows {
        let mut start = *from;
        while start + length <= *to {
            let end = start + length;
            match busy.iter().filter(|(b, e)| *b < end && *e > start).map(|(_, e)| *e).max() {
                // Jump past what is in the way, to the next quarter hour.
                Some(blocked_until) => {
                    let past = blocked_until - *from;
                    let quarters = (past.num_minutes() + 14) / 15;
                    start = (*from + step * quarters as i32).max(start + step);
                }
                None => return Some((start, end)),
            }
        }
    }
    None
}

/// After an activity is saved: a reminder job for its owner at its moment
/// less its lead time, unless it is done, has no owner or moment, or the
/// reminder would be in the past. Keyed by activity and moment: saving it
/// again unchanged adds nothing, and a moved activity's old reminder finds
/// the moment changed and says nothing.
pub async fn schedule_reminder(tx: &mut ScopedConn, activity: &Record) -> Result<(), StoreError> {
    if activity.kind != ACTIVITIES || activity.values.std("done") == &FieldValue::Bool(true) {
        return Ok(());
    }
    let (Some((moment, _)), Some(owner)) = (moment_of(activity), activity.values.ref_id("owner")) else {
        return Ok(());
    };
    let minutes = match activity.values.std("remind_before_minutes") {
        FieldValue::Int(m) => *m,
        _ => DEFAULT_REMINDER_MINUTES,
    };
    let run_at = moment - Duration::minutes(minutes);
    if minutes < 0 || run_at <= tx.now() {
        return Ok(());
    }
    let moment_text = relata_core::value::format_datetime(&moment);
    tx.enqueue_job(NewJob {
        kind: REMINDER_JOB.to_string(),
        payload: json!({"activity": activity.id.to_string(), "moment": moment_text, "owner": owner.to_string()}),
        run_at,
        max_attempts: 5,
        idempotency_key: Some(format!("reminder:{}:{moment_text}", activity.id)),
        schedule: None,
    })
    .await?;
    Ok(())
}

/// Tells an activity's owner and attendees that it is coming, each in
/// their language and time zone, if it still is at the moment the reminder
/// was made for.
pub struct ReminderJob;

impl JobHandler for ReminderJob {
    fn kind(&self) -> &'static str {
        REMINDER_JOB
    }

    fn max_attempts(&self) -> i64 {
        5
    }

    fn run<'a>(&'a self, app: &'a relata_app::App, job: &'a Job) -> BoxFuture<'a, Result<(), JobError>> {
        Box::pin(async move {
            let text = |name: &str| job.payload.get(name).and_then(serde_json::Value::as_str).unwrap_or_default();
            let id = text("activity")
                .parse::<uuid::Uuid>()
                .map_err(|_| JobError::Fail("payload.activity: an activity id".into()))?;
            let moment = text("moment").to_string();
            let retry = |e: relata_app::AppError| JobError::Retry(e.to_string());
            let workspace = relata_app::jobs::workspace_of(app, job).await?;
            let everything = relata_app::Ctx::new(workspace.clone(), None);
            let activity =
                match relata_app::read::get(app, &everything, ACTIVITIES, RecordId::from_uuid(id), false).await {
                    Ok((activity, _)) => activity,
                    Err(relata_app::AppError::NotFound) => return Ok(()),
                    Err(e) => return Err(retry(e)),
                };
            // Still at the moment the reminder was made for, and not done.
            let at =
                moment_of(&activity).map(|(at, _)| at).filter(|at| relata_core::value::format_datetime(at) == moment);
            let done = activity.values.std("done") == &FieldValue::Bool(true);
            let (Some(owner), Some(at), false) = (activity.values.ref_id("owner").map(UserId::from_uuid), at, done)
            else {
                return Ok(());
            };
            // The owner and each attendee, once, as each may read it (its
            // title from the fields their role shows), in their language
            // and time zone; read first, then written in one transaction.
            let mut people = vec![owner];
            people.extend(attendees(&activity).into_iter().filter(|a| *a != owner));
            let mut reminders = Vec::new();
            for person in people {
                let Some(ctx) = relata_app::people::member_ctx(app, &workspace, person).await.map_err(retry)? else {
                    continue;
                };
                let Ok((seen, schemas)) =
                    relata_app::read::get(app, &ctx, ACTIVITIES, RecordId::from_uuid(id), false).await
                else {
                    continue;
                };
                reminders.push((person, schemas.get(ACTIVITIES).title(&seen)));
            }
            let outcome = async {
                let mut tx = app.store.write(job.workspace).await?;
                let link = format!("/activities/{id}");
                for (person, subject) in reminders {
                    use relata_app::notifications::{Text, TextArg};
                    let title = Text::Message(
                        "reminder-title",
                        vec![("subject", TextArg::Text(subject)), ("when", TextArg::FromNow(at))],
                    );
                    let body = Text::Message("reminder-at", vec![("at", TextArg::Moment(at))]);
                    relata_app::notifications::notify_in(&mut tx, person, "reminder", title, Some(body), Some(&link))
                        .await?;
                }
                tx.commit().await?;
                Ok::<(), StoreError>(())
            }
            .await;
            outcome.map_err(|e| JobError::Retry(e.to_string()))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn weeks_start_on_the_locale_s_first_day_and_months_show_whole_weeks() {
        // Thursday 15 January 2031.
        assert_eq!(Span::Week.days(day(2031, 1, 15), Weekday::Mon), (day(2031, 1, 13), day(2031, 1, 19)));
        assert_eq!(Span::Week.days(day(2031, 1, 15), Weekday::Sun), (day(2031, 1, 12), day(2031, 1, 18)));
        assert_eq!(Span::Month.days(day(2031, 1, 15), Weekday::Mon), (day(2030, 12, 30), day(2031, 2, 2)));
        assert_eq!(Span::Month.step(day(2031, 12, 20), 1), day(2032, 1, 1));
        assert_eq!(Span::Month.step(day(2031, 1, 20), -1), day(2030, 12, 1));
    }

    #[test]
    fn the_first_free_slot_skips_what_is_busy_and_fits_the_window() {
        let at = |h: u32, m: u32| day(2031, 1, 15).and_hms_opt(h, m, 0).unwrap().and_utc();
        let windows = [(at(9, 0), at(17, 0))];
        let busy = [(at(9, 0), at(10, 10)), (at(10, 30), at(12, 0))];
        let hour = Duration::hours(1);
        assert_eq!(first_free_slot(&windows, &busy, hour), Some((at(12, 0), at(13, 0))));
        assert_eq!(first_free_slot(&windows, &busy, Duration::minutes(15)), Some((at(10, 15), at(10, 30))));
        assert_eq!(first_free_slot(&windows, &[(at(8, 0), at(18, 0))], hour), None, "a full day has no slot");
    }
}
