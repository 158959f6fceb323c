//! When a calendar object's events happen in a window of time: the master
//! event repeated by its RRULE (daily, weekly with BYDAY, monthly by day or
//! by weekday such as the second Tuesday, yearly; INTERVAL, COUNT, UNTIL),
//! less EXDATEs, plus RDATEs, with exceptions
//! (RECURRENCE-ID) moved or cancelled. Free-busy answers and calendar
//! queries with a time range read it.

use crate::content::Component;
use crate::ical::{self, Zone};
use chrono::{DateTime, Datelike, Duration, Months, NaiveDateTime, Utc, Weekday};

/// Instances looked at per object at most (a rule with no end stops here).
const MAX_INSTANCES: usize = 5000;

/// A stretch of time an event takes; `busy` is false for a transparent
/// event (it shows as free).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub busy: bool,
}

fn overlaps(span: &Span, from: DateTime<Utc>, to: DateTime<Utc>) -> bool {
    // A zero-length event at the window's start counts (RFC 4791 9.9).
    span.start < to && (span.end > from || (span.start == span.end && span.start >= from))
}

/// The spans of a calendar object's events that overlap `[from, to)`.
pub fn spans(calendar: &Component, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<Span> {
    let Some(master) = ical::master(calendar) else { return Vec::new() };
    if master.name != "VEVENT" {
        return todo_span(master, calendar).into_iter().filter(|s| overlaps(s, from, to)).collect();
    }
    let exceptions: Vec<(DateTime<Utc>, &Component)> = ical::items(calendar)
        .filter_map(|c| Some((ical::instant(c.property("RECURRENCE-ID")?, calendar).ok()?, c)))
        .collect();
    let mut out = Vec::new();
    for start in master_starts(master, calendar, to) {
        if exceptions.iter().any(|(at, _)| *at == start) {
            continue;
        }
        if let Some(span) = event_span(master, calendar, Some(start)).filter(|s| overlaps(s, from, to)) {
            out.push(span);
        }
    }
    for (_, exception) in exceptions {
        let cancelled = exception.property("STATUS").is_some_and(|s| s.value.trim().eq_ignore_ascii_case("CANCELLED"));
        if let Some(span) = event_span(exception, calendar, None).filter(|s| !cancelled && overlaps(s, from, to)) {
            out.push(span);
        }
    }
    out.sort_by_key(|s| s.start);
    out
}

fn todo_span(todo: &Component, calendar: &Component) -> Option<Span> {
    let due = ical::instant(todo.property("DUE")?, calendar).ok()?;
    let start = todo.property("DTSTART").and_then(|p| ical::instant(p, calendar).ok()).unwrap_or(due);
    Some(Span { start: start.min(due), end: due, busy: false })
}

/// An event's span starting at `start` (default: its DTSTART).
fn event_span(event: &Component, calendar: &Component, start: Option<DateTime<Utc>>) -> Option<Span> {
    let dtstart = event.property("DTSTART")?;
    let first = ical::instant(dtstart, calendar).ok()?;
    let length = match (event.property("DTEND"), event.property("DURATION")) {
        (Some(end), _) => ical::instant(end, calendar).ok()? - first,
        (None, Some(d)) => ical::duration(&d.value)?,
        (None, None) if dtstart.param("VALUE").is_some_and(|v| v.eq_ignore_ascii_case("DATE")) => Duration::days(1),
        (None, None) => Duration::zero(),
    };
    let start = start.unwrap_or(first);
    let busy = !event.property("TRANSP").is_some_and(|t| t.value.trim().eq_ignore_ascii_case("TRANSPARENT"));
    Some(Span { start, end: start + length.max(Duration::zero()), busy })
}

/// The master's instance starts up to `until`, in order.
fn master_starts(master: &Component, calendar: &Component, until: DateTime<Utc>) -> Vec<DateTime<Utc>> {
    let Some(dtstart) = master.property("DTSTART") else { return Vec::new() };
    let (Ok(zone), Ok(local)) = (ical::zone_of(dtstart, calendar), ical::local_time(&dtstart.value)) else {
        return Vec::new();
    };
    let zone = if dtstart.param("VALUE").is_some_and(|v| v.eq_ignore_ascii_case("DATE")) { Zone::Utc } else { zone };
    let mut starts = match master.property("RRULE").and_then(|r| Rule::parse(&r.value)) {
        Some(rule) => rule.starts(local, zone, until),
        None => vec![zone.to_utc(local)],
    };
    for rdate in master.properties_named("RDATE") {
        for value in rdate.value.split(',') {
            if let Ok(t) = ical::local_time(value) {
                let zone = if value.trim().ends_with('Z') {
                    Zone::Utc
                } else {
                    ical::zone_of(rdate, calendar).unwrap_or(zone)
                };
                starts.push(zone.to_utc(t));
            }
        }
    }
    let mut excluded = Vec::new();
    for exdate in master.properties_named("EXDATE") {
        let zone = ical::zone_of(exdate, calendar).unwrap_or(zone);
        for value in exdate.value.split(',') {
            if let Ok(t) = ical::local_time(value) {
                excluded.push(if value.trim().ends_with('Z') { t.and_utc() } else { zone.to_utc(t) });
            }
        }
    }
    starts.retain(|s| !excluded.contains(s));
    starts.sort();
    starts.dedup();
    starts
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Frequency {
    Daily,
    Weekly,
    Monthly,
    Yearly,
}

#[derive(Debug, Clone)]
struct Rule {
    frequency: Frequency,
    interval: u32,
    count: Option<usize>,
    until: Option<String>,
    /// Weekdays, with their ordinal in the month where one is given
    /// (`2TU`: the second Tuesday, `-1FR`: the last Friday).
    by_day: Vec<(Option<i32>, Weekday)>,
}

impl Rule {
    fn parse(text: &str) -> Option<Rule> {
        let mut rule = Rule { frequency: Frequency::Daily, interval: 1, count: None, until: None, by_day: Vec::new() };
        let mut frequency = None;
        for part in text.split(';') {
            let (key, value) = part.split_once('=')?;
            match key.trim().to_ascii_uppercase().as_str() {
                "FREQ" => {
                    frequency = Some(match value.trim().to_ascii_uppercase().as_str() {
                        "DAILY" => Frequency::Daily,
                        "WEEKLY" => Frequency::Weekly,
                        "MONTHLY" => Frequency::Monthly,
                        "YEARLY" => Frequency::Yearly,
                        _ => return None,
                    })
                }
                "INTERVAL" => rule.interval = value.trim().parse().ok().filter(|i| *i > 0)?,
                "COUNT" => rule.count = value.trim().parse().ok(),
                "UNTIL" => rule.until = Some(value.trim().to_string()),
                "BYDAY" => {
                    for day in value.split(',') {
                        let day = day.trim();
                        let split = day.len().saturating_sub(2);
                        let (ordinal, code) = day.split_at(split);
                        let ordinal = match ordinal {
                            "" => None,
                            o => Some(o.trim_start_matches('+').parse::<i32>().ok().filter(|n| *n != 0)?),
                        };
                        let weekday = match code.to_ascii_uppercase().as_str() {
                            "MO" => Weekday::Mon,
                            "TU" => Weekday::Tue,
                            "WE" => Weekday::Wed,
                            "TH" => Weekday::Thu,
                            "FR" => Weekday::Fri,
                            "SA" => Weekday::Sat,
                            "SU" => Weekday::Sun,
                            _ => return None,
                        };
                        rule.by_day.push((ordinal, weekday));
                    }
                }
                _ => {}
            }
        }
        rule.frequency = frequency?;
        Some(rule)
    }

    /// The instance starts from `first` (local time in `zone`) up to `until`.
    fn starts(&self, first: NaiveDateTime, zone: Zone, until: DateTime<Utc>) -> Vec<DateTime<Utc>> {
        let end = self.until.as_deref().and_then(|u| {
            let t = ical::local_time(u).ok()?;
            Some(if u.trim().ends_with('Z') { t.and_utc() } else { zone.to_utc(t) })
        });
        let mut out = Vec::new();
        let mut period = 0u32;
        while out.len() < MAX_INSTANCES {
            let candidates = self.period(first, period);
            period += 1;
            let Some(earliest) = candidates.first() else {
                // A period without an instance (no 31st this month).
                if period > 100_000 {
                    break;
                }
                continue;
            };
            let earliest = zone.to_utc(*earliest);
            if earliest > until || end.is_some_and(|e| earliest > e) {
                break;
            }
            for local in candidates {
                if local < first {
                    continue;
                }
                let t = zone.to_utc(local);
                if end.is_some_and(|e| t > e) || self.count.is_some_and(|c| out.len() >= c) {
                    return out;
                }
                out.push(t);
            }
            if self.count.is_some_and(|c| out.len() >= c) || period > 100_000 {
                break;
            }
        }
        out
    }

    /// The local starts of the `n`th period after the first.
    fn period(&self, first: NaiveDateTime, n: u32) -> Vec<NaiveDateTime> {
        let step = n.saturating_mul(self.interval);
        match self.frequency {
            Frequency::Daily => vec![first + Duration::days(step.into())],
            Frequency::Weekly if self.by_day.is_empty() => vec![first + Duration::weeks(step.into())],
            Frequency::Weekly => {
                let monday = first - Duration::days(first.weekday().num_days_from_monday().into());
                let week = monday + Duration::weeks(step.into());
                let mut days: Vec<NaiveDateTime> =
                    self.by_day.iter().map(|(_, d)| week + Duration::days(d.num_days_from_monday().into())).collect();
                days.sort();
                days
            }
            Frequency::Monthly if !self.by_day.is_empty() => {
                let Some(month) = first.date().with_day(1).and_then(|d| d.checked_add_months(Months::new(step))) else {
                    return Vec::new();
                };
                let mut days: Vec<NaiveDateTime> = self
                    .by_day
                    .iter()
                    .flat_map(|(ordinal, weekday)| weekdays_in(month, *ordinal, *weekday))
                    .map(|d| d.and_time(first.time()))
                    .collect();
                days.sort();
                days.dedup();
                days
            }
            // The 31st of a month without one is skipped (RFC 5545), not moved.
            Frequency::Monthly => same_day(first, first.checked_add_months(Months::new(step))),
            Frequency::Yearly => same_day(first, first.checked_add_months(Months::new(step.saturating_mul(12)))),
        }
    }
}

fn same_day(first: NaiveDateTime, moved: Option<NaiveDateTime>) -> Vec<NaiveDateTime> {
    moved.filter(|m| m.day() == first.day()).into_iter().collect()
}

/// The days of a month that are this weekday: all of them, or the `n`th
/// (from the end when negative).
fn weekdays_in(month: chrono::NaiveDate, ordinal: Option<i32>, weekday: Weekday) -> Vec<chrono::NaiveDate> {
    let all: Vec<chrono::NaiveDate> =
        month.iter_days().take_while(|d| d.month() == month.month()).filter(|d| d.weekday() == weekday).collect();
    match ordinal {
        None => all,
        Some(n) if n > 0 => all.get(n as usize - 1).copied().into_iter().collect(),
        Some(n) => {
            all.len().checked_sub(n.unsigned_abs() as usize).and_then(|i| all.get(i).copied()).into_iter().collect()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ical;
    use chrono::TimeZone;

    fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, h, min, 0).unwrap()
    }

    #[test]
    fn a_weekly_rule_with_an_exdate_and_a_moved_instance() {
        let cal = ical::parse(crate::ical::tests::RECURRING).unwrap();
        let got: Vec<_> = spans(&cal, at(2026, 12, 1, 0, 0), at(2027, 1, 1, 0, 0)).iter().map(|s| s.start).collect();
        // 7 Dec 09:00 Warsaw = 08:00 UTC; 14 Dec excluded; 21 Dec moved to 11:30; 28 Dec.
        assert_eq!(got, [at(2026, 12, 7, 8, 0), at(2026, 12, 21, 10, 30), at(2026, 12, 28, 8, 0)]);
        // COUNT=10 ends in February (10 instances counted before the EXDATE).
        let all = spans(&cal, at(2026, 1, 1, 0, 0), at(2028, 1, 1, 0, 0));
        assert_eq!(all.len(), 9);
    }

    #[test]
    fn summer_time_keeps_the_wall_clock() {
        let text = "BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:d\nDTSTART;TZID=Europe/Warsaw:20270322T090000\nDURATION:PT30M\nRRULE:FREQ=WEEKLY;BYDAY=MO,WE;UNTIL=20270401T000000Z\nEND:VEVENT\nEND:VCALENDAR";
        let cal = ical::parse(text).unwrap();
        let got: Vec<_> = spans(&cal, at(2027, 3, 1, 0, 0), at(2027, 5, 1, 0, 0)).iter().map(|s| s.start).collect();
        // Summer time starts on 28 March 2027: 09:00 is 08:00 UTC before, 07:00 after.
        assert_eq!(got, [at(2027, 3, 22, 8, 0), at(2027, 3, 24, 8, 0), at(2027, 3, 29, 7, 0), at(2027, 3, 31, 7, 0)]);
    }

    #[test]
    fn monthly_by_weekday_and_missing_days() {
        let text = "BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:m\nDTSTART:20270112T090000Z\nRRULE:FREQ=MONTHLY;BYDAY=2TU,-1FR;COUNT=4\nEND:VEVENT\nEND:VCALENDAR";
        let cal = ical::parse(text).unwrap();
        let got: Vec<_> = spans(&cal, at(2027, 1, 1, 0, 0), at(2028, 1, 1, 0, 0)).iter().map(|s| s.start).collect();
        // The second Tuesday and the last Friday of January and February 2027.
        assert_eq!(got, [at(2027, 1, 12, 9, 0), at(2027, 1, 29, 9, 0), at(2027, 2, 9, 9, 0), at(2027, 2, 26, 9, 0)]);
        let text = "BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:n\nDTSTART:20270131T090000Z\nRRULE:FREQ=MONTHLY;COUNT=3\nEND:VEVENT\nEND:VCALENDAR";
        let cal = ical::parse(text).unwrap();
        let got: Vec<_> = spans(&cal, at(2027, 1, 1, 0, 0), at(2028, 1, 1, 0, 0)).iter().map(|s| s.start).collect();
        assert_eq!(got, [at(2027, 1, 31, 9, 0), at(2027, 3, 31, 9, 0), at(2027, 5, 31, 9, 0)], "no 31 February");
    }

    #[test]
    fn an_endless_rule_stops_at_the_window() {
        let text = "BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:e\nDTSTART:20200101T100000Z\nRRULE:FREQ=DAILY\nEND:VEVENT\nEND:VCALENDAR";
        let cal = ical::parse(text).unwrap();
        assert_eq!(spans(&cal, at(2026, 1, 1, 0, 0), at(2026, 1, 8, 0, 0)).len(), 7);
    }
}
