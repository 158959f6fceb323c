//! Business time: a team's working hours in its time zone, less holidays.
//! SLA targets are counted in it: a four-hour response target set at 16:00
//! on a Friday, with hours 9–17 on weekdays, falls due at 12:00 on Monday.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Utc, Weekday};
use chrono_tz::Tz;
use std::collections::BTreeSet;

/// How far ahead business time is looked for: a calendar whose hours are
/// all holidays for longer has no business time at all.
const HORIZON_DAYS: i64 = 3 * 366;

/// Working hours per weekday (Monday first), holidays, and the time zone
/// both are read in.
#[derive(Clone, Debug, PartialEq)]
pub struct BusinessCalendar {
    pub time_zone: Tz,
    hours: [Vec<(NaiveTime, NaiveTime)>; 7],
    holidays: BTreeSet<NaiveDate>,
}

/// Why a calendar cannot be used, by the line it is about.
#[derive(Debug, PartialEq)]
pub struct CalendarProblem {
    pub line: Option<usize>,
    pub field: &'static str,
    /// What is wrong, as the catalogue's refusal (`refusals.ftl`).
    pub said: &'static str,
}

/// One line of a calendar as stored: a weekday's period of work or a holiday.
#[derive(Clone, Debug)]
pub enum CalendarLine {
    Hours { weekday: Weekday, start: NaiveTime, end: NaiveTime },
    Holiday(NaiveDate),
}

impl BusinessCalendar {
    /// Every hour of every day, in UTC (when no calendar is given).
    pub fn always() -> BusinessCalendar {
        let day = vec![(NaiveTime::MIN, NaiveTime::MIN)];
        BusinessCalendar { time_zone: Tz::UTC, hours: std::array::from_fn(|_| day.clone()), holidays: BTreeSet::new() }
    }

    /// A calendar from its lines: periods must end after they start (an end
    /// of 00:00 is midnight), and periods of one weekday must not overlap.
    /// Without any period, every hour counts (in the calendar's zone).
    pub fn new(time_zone: Tz, lines: &[CalendarLine]) -> Result<BusinessCalendar, Vec<CalendarProblem>> {
        let mut hours: [Vec<(NaiveTime, NaiveTime)>; 7] = Default::default();
        let mut holidays = BTreeSet::new();
        let mut problems = Vec::new();
        let mut positions: [Vec<usize>; 7] = Default::default();
        for (i, line) in lines.iter().enumerate() {
            match *line {
                CalendarLine::Hours { weekday, start, end } => {
                    if end != NaiveTime::MIN && end <= start {
                        problems.push(CalendarProblem {
                            line: Some(i),
                            field: "end",
                            said: "refuse-ends-before-start",
                        });
                        continue;
                    }
                    let day = weekday.num_days_from_monday() as usize;
                    hours[day].push((start, end));
                    positions[day].push(i);
                }
                CalendarLine::Holiday(date) => {
                    holidays.insert(date);
                }
            }
        }
        for (day, periods) in hours.iter_mut().enumerate() {
            let mut order: Vec<usize> = (0..periods.len()).collect();
            order.sort_by_key(|&k| periods[k].0);
            for pair in order.windows(2) {
                let (earlier, later) = (periods[pair[0]], periods[pair[1]]);
                if end_of(earlier) > later.0 {
                    problems.push(CalendarProblem {
                        line: Some(positions[day][pair[1]]),
                        field: "start",
                        said: "refuse-hours-overlap",
                    });
                }
            }
            periods.sort();
        }
        // No hours given (yet): every hour of every day, in the zone.
        if hours.iter().all(Vec::is_empty) {
            hours = BusinessCalendar::always().hours;
        }
        if problems.is_empty() { Ok(BusinessCalendar { time_zone, hours, holidays }) } else { Err(problems) }
    }

    /// The periods of work of a local day, as UTC instants.
    fn periods_of(&self, date: NaiveDate) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
        if self.holidays.contains(&date) {
            return Vec::new();
        }
        let day = date.weekday().num_days_from_monday() as usize;
        self.hours[day]
            .iter()
            .filter_map(|&(start, end)| {
                let from = self.instant(date, start)?;
                let to = if end == NaiveTime::MIN {
                    self.instant(date.succ_opt()?, NaiveTime::MIN)?
                } else {
                    self.instant(date, end)?
                };
                (to > from).then_some((from, to))
            })
            .collect()
    }

    /// A local wall-clock time as an instant (the later one when clocks go
    /// back, the first valid one after a gap when they go forward).
    fn instant(&self, date: NaiveDate, time: NaiveTime) -> Option<DateTime<Utc>> {
        let local = date.and_time(time);
        match self.time_zone.from_local_datetime(&local) {
            chrono::LocalResult::Single(t) => Some(t.with_timezone(&Utc)),
            chrono::LocalResult::Ambiguous(_, later) => Some(later.with_timezone(&Utc)),
            chrono::LocalResult::None => (1..=180).find_map(|m| {
                self.time_zone
                    .from_local_datetime(&(local + Duration::minutes(m)))
                    .single()
                    .map(|t| t.with_timezone(&Utc))
            }),
        }
    }

    fn local_date(&self, at: DateTime<Utc>) -> NaiveDate {
        at.with_timezone(&self.time_zone).date_naive()
    }

    /// The instant `minutes` of business time after `from`; `None` when the
    /// calendar has no business time within three years.
    pub fn add(&self, from: DateTime<Utc>, minutes: i64) -> Option<DateTime<Utc>> {
        let mut left = Duration::minutes(minutes.max(0));
        // The day before too: a period running past midnight started then.
        let mut date = self.local_date(from).pred_opt()?;
        for _ in 0..HORIZON_DAYS {
            for (start, end) in self.periods_of(date) {
                let start = start.max(from);
                if end <= start {
                    continue;
                }
                if end - start >= left {
                    return Some(start + left);
                }
                left -= end - start;
            }
            date = date.succ_opt()?;
        }
        None
    }

    /// Business minutes between two instants (0 when `to` is not later).
    pub fn minutes_between(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> i64 {
        if to <= from {
            return 0;
        }
        let mut total = Duration::zero();
        let Some(mut date) = self.local_date(from).pred_opt() else { return 0 };
        let last = self.local_date(to);
        while date <= last {
            for (start, end) in self.periods_of(date) {
                let (start, end) = (start.max(from), end.min(to));
                if end > start {
                    total += end - start;
                }
            }
            match date.succ_opt() {
                Some(next) => date = next,
                None => break,
            }
        }
        total.num_minutes()
    }
}

fn end_of(period: (NaiveTime, NaiveTime)) -> NaiveTime {
    if period.1 == NaiveTime::MIN { NaiveTime::from_hms_opt(23, 59, 59).unwrap_or(NaiveTime::MIN) } else { period.1 }
}

/// `HH:MM` (24-hour) as a time of day.
pub fn parse_time(text: &str) -> Option<NaiveTime> {
    let (h, m) = text.trim().split_once(':')?;
    if h.len() > 2 || m.len() != 2 {
        return None;
    }
    match (h.parse::<u32>().ok()?, m.parse::<u32>().ok()?) {
        (24, 0) => Some(NaiveTime::MIN),
        (h, m) => NaiveTime::from_hms_opt(h, m, 0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    fn utc(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn weekdays(zone: Tz, holidays: &[&str]) -> BusinessCalendar {
        let mut lines: Vec<CalendarLine> = [Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri]
            .into_iter()
            .flat_map(|weekday| {
                [
                    CalendarLine::Hours { weekday, start: t(9, 0), end: t(13, 0) },
                    CalendarLine::Hours { weekday, start: t(14, 0), end: t(17, 0) },
                ]
            })
            .collect();
        lines.extend(holidays.iter().map(|d| CalendarLine::Holiday(d.parse().unwrap())));
        BusinessCalendar::new(zone, &lines).unwrap()
    }

    #[test]
    fn a_target_set_late_on_friday_falls_due_on_monday() {
        let warsaw = weekdays(chrono_tz::Europe::Warsaw, &[]);
        // Friday 2026-12-04 16:00 in Warsaw is 15:00 UTC: one hour left
        // that day, three more from 9:00 on Monday.
        let due = warsaw.add(utc("2026-12-04T15:00:00Z"), 240).unwrap();
        assert_eq!(due, utc("2026-12-07T11:00:00Z"));
        assert_eq!(warsaw.minutes_between(utc("2026-12-04T15:00:00Z"), due), 240);
    }

    #[test]
    fn lunch_breaks_holidays_and_nights_do_not_count() {
        let vilnius = weekdays(chrono_tz::Europe::Vilnius, &["2026-12-24", "2026-12-25"]);
        // Wednesday 23rd at 12:30 local (10:30 UTC): 30 minutes before
        // lunch, 3 hours after; Thursday and Friday are holidays.
        let due = vilnius.add(utc("2026-12-23T10:30:00Z"), 240).unwrap();
        assert_eq!(due, utc("2026-12-28T07:30:00Z"), "Monday 9:30 local");
        // A target of zero minutes set out of hours is due when work starts.
        assert_eq!(vilnius.add(utc("2026-12-26T12:00:00Z"), 0).unwrap(), utc("2026-12-28T07:00:00Z"));
        assert_eq!(vilnius.minutes_between(utc("2026-12-23T10:30:00Z"), utc("2026-12-28T07:30:00Z")), 240);
    }

    #[test]
    fn daylight_saving_changes_keep_local_hours() {
        let berlin = weekdays(chrono_tz::Europe::Berlin, &[]);
        // Friday 2026-03-27 16:00 CET (15:00 UTC); on Monday it is CEST.
        let due = berlin.add(utc("2026-03-27T15:00:00Z"), 120).unwrap();
        assert_eq!(due, utc("2026-03-30T08:00:00Z"), "Monday 10:00 CEST");
    }

    #[test]
    fn round_the_clock_counts_every_minute() {
        let always = BusinessCalendar::always();
        assert_eq!(always.add(utc("2026-12-05T23:30:00Z"), 90).unwrap(), utc("2026-12-06T01:00:00Z"));
        assert_eq!(always.minutes_between(utc("2026-12-05T23:30:00Z"), utc("2026-12-06T01:00:00Z")), 90);
    }

    #[test]
    fn bad_calendars_are_refused_by_line_and_empty_ones_end() {
        let mon = Weekday::Mon;
        let problems = BusinessCalendar::new(
            Tz::UTC,
            &[
                CalendarLine::Hours { weekday: mon, start: t(9, 0), end: t(12, 0) },
                CalendarLine::Hours { weekday: mon, start: t(11, 0), end: t(15, 0) },
                CalendarLine::Hours { weekday: mon, start: t(16, 0), end: t(15, 0) },
            ],
        )
        .unwrap_err();
        assert_eq!(
            problems.iter().map(|p| (p.line, p.field)).collect::<Vec<_>>(),
            [(Some(2), "end"), (Some(1), "start")]
        );
        let no_hours = BusinessCalendar::new(chrono_tz::Asia::Tokyo, &[]).unwrap();
        assert_eq!(no_hours.add(utc("2026-12-05T23:30:00Z"), 90), Some(utc("2026-12-06T01:00:00Z")), "round the clock");
        // Every working day a holiday: no business time, and the search ends.
        let only_one_day =
            BusinessCalendar::new(Tz::UTC, &[CalendarLine::Hours { weekday: mon, start: t(9, 0), end: t(10, 0) }])
                .unwrap();
        let mut all_mondays = only_one_day.clone();
        let mut day = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
        for _ in 0..100 {
            all_mondays.holidays.insert(day);
            day += Duration::days(7);
        }
        assert_eq!(
            all_mondays.add(utc("2026-12-01T00:00:00Z"), 60),
            Some(day.and_hms_opt(10, 0, 0).unwrap().and_utc())
        );
        // Beyond three years of holidays there is no business time to find.
        for _ in 0..100 {
            all_mondays.holidays.insert(day);
            day += Duration::days(7);
        }
        assert_eq!(all_mondays.add(utc("2026-12-01T00:00:00Z"), 60), None);
        let mut never = only_one_day;
        never.hours[0].clear();
        never.hours[0].push((t(9, 0), t(9, 0)));
        assert_eq!(never.add(utc("2026-12-01T00:00:00Z"), 60), None);
    }

    #[test]
    fn times_are_read_as_24_hour_clock() {
        assert_eq!(parse_time("09:30"), Some(t(9, 30)));
        assert_eq!(parse_time("24:00"), Some(NaiveTime::MIN));
        for bad in ["9", "25:00", "09:60", "9:5", "", "ab:cd"] {
            assert_eq!(parse_time(bad), None, "{bad}");
        }
    }
}
