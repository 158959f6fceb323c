//! Activities as iCalendar objects: meetings and calls as VEVENTs, tasks as
//! VTODOs. What the CRM holds of an event (subject, description, start,
//! end) is read from the master component; the rest of what a client sent
//! (recurrence rules, exceptions, time zones, alarms, attendees) is kept and
//! written back around the CRM's fields.

use crate::content::{self, Component, FormatError, Property, error};
use chrono::{DateTime, Duration, LocalResult, NaiveDate, NaiveDateTime, TimeZone, Utc};
use serde_json::{Map, Value as Json, json};

pub const PRODID: &str = "-//Relata//Relata CRM//EN";

/// Properties of the master component the CRM's fields replace.
const MAPPED_EVENT: &[(&str, &str)] = &[
    ("SUMMARY", "subject"),
    ("DESCRIPTION", "body"),
    ("DTSTART", "start_at"),
    ("DTEND", "end_at"),
    ("DURATION", "end_at"),
];
const MAPPED_TODO: &[(&str, &str)] =
    &[("SUMMARY", "subject"), ("DESCRIPTION", "body"), ("DUE", "due_at"), ("STATUS", "done"), ("COMPLETED", "done")];
const REGENERATED: &[&str] = &["UID", "DTSTAMP", "X-RELATA-KIND", "X-RELATA-CONTACT", "X-RELATA-ACCOUNT"];

/// One calendar object: a VCALENDAR with events or tasks of one UID.
pub fn parse(text: &str) -> Result<Component, FormatError> {
    let mut found = content::parse(text)?;
    if found.len() != 1 || found[0].name != "VCALENDAR" {
        return Err(error(0, "send exactly one calendar (BEGIN:VCALENDAR … END:VCALENDAR)"));
    }
    let calendar = found.remove(0);
    let items: Vec<&Component> = items(&calendar).collect();
    let Some(first) = items.first() else {
        return Err(error(0, "the calendar holds no VEVENT or VTODO"));
    };
    if items.iter().any(|c| c.name != first.name) {
        return Err(error(0, "one calendar object holds either events or tasks, not both"));
    }
    let uid = first.text_of("UID").ok_or_else(|| error(0, format!("the {} has no UID", first.name)))?;
    if items.iter().any(|c| c.text_of("UID").as_deref() != Some(uid.as_str())) {
        return Err(error(0, "every component of one calendar object has the same UID"));
    }
    for item in &items {
        for name in ["DTSTART", "DTEND", "DUE", "RECURRENCE-ID"] {
            if let Some(p) = item.property(name) {
                instant(p, &calendar).map_err(|m| error(0, format!("{} {name}: {m}", item.name)))?;
            }
        }
    }
    let master = master(&calendar).expect("items exist");
    if master.name == "VEVENT" && master.property("DTSTART").is_none() {
        return Err(error(0, "the VEVENT has no DTSTART"));
    }
    Ok(calendar)
}

/// The events and tasks of a calendar.
pub fn items(calendar: &Component) -> impl Iterator<Item = &Component> {
    calendar.components.iter().filter(|c| c.name == "VEVENT" || c.name == "VTODO")
}

/// The component that is not an exception to a recurrence (or the first).
pub fn master(calendar: &Component) -> Option<&Component> {
    items(calendar).find(|c| c.property("RECURRENCE-ID").is_none()).or_else(|| items(calendar).next())
}

pub fn uid(calendar: &Component) -> Option<String> {
    master(calendar).and_then(|m| m.text_of("UID"))
}

pub fn is_todo(calendar: &Component) -> bool {
    master(calendar).is_some_and(|m| m.name == "VTODO")
}

/// What a calendar object says about the activity's fields: every mapped
/// field, `null` where it is silent; `kind` is `task` for a VTODO, and for
/// an event `call` when Relata wrote it so, else `meeting`.
pub fn fields(calendar: &Component) -> Result<Map<String, Json>, FormatError> {
    let master = master(calendar).ok_or_else(|| error(0, "the calendar holds no VEVENT or VTODO"))?;
    let mut out = Map::new();
    let at = |name: &str| -> Result<Option<String>, FormatError> {
        master
            .property(name)
            .map(|p| instant(p, calendar).map(|t| format_instant(&t)).map_err(|m| error(0, format!("{name}: {m}"))))
            .transpose()
    };
    let subject =
        master.text_of("SUMMARY").map(|s| s.trim().replace('\n', " ")).unwrap_or_else(|| "(no subject)".into());
    out.insert("subject".into(), json!(subject));
    out.insert("body".into(), json!(master.text_of("DESCRIPTION")));
    if master.name == "VTODO" {
        out.insert("kind".into(), json!("task"));
        out.insert("due_at".into(), json!(at("DUE")?));
        let done = master.property("COMPLETED").is_some()
            || master.property("STATUS").is_some_and(|s| s.value.trim().eq_ignore_ascii_case("COMPLETED"));
        out.insert("done".into(), json!(done));
        return Ok(out);
    }
    let kind = match master.text_of("X-RELATA-KIND").as_deref().map(str::trim) {
        Some("call") => "call",
        _ => "meeting",
    };
    out.insert("kind".into(), json!(kind));
    let start = master.property("DTSTART").ok_or_else(|| error(0, "the VEVENT has no DTSTART"))?;
    let start_at = instant(start, calendar).map_err(|m| error(0, format!("DTSTART: {m}")))?;
    let end_at = match (master.property("DTEND"), master.property("DURATION")) {
        (Some(end), _) => instant(end, calendar).map_err(|m| error(0, format!("DTEND: {m}")))?,
        (None, Some(d)) => start_at + duration(&d.value).ok_or_else(|| error(0, "DURATION is not a duration"))?,
        (None, None) if is_date(start) => start_at + Duration::days(1),
        (None, None) => start_at,
    };
    if end_at < start_at {
        return Err(error(0, "the event ends before it starts"));
    }
    out.insert("start_at".into(), json!(format_instant(&start_at)));
    out.insert("end_at".into(), json!(format_instant(&end_at)));
    Ok(out)
}

/// Who an event or task concerns, as a client wrote it: Relata's own links
/// (`X-RELATA-CONTACT`, `X-RELATA-ACCOUNT`, written on every object it
/// serves) and the email addresses of the attendees and the organizer.
pub struct Links {
    pub contact: Option<String>,
    pub account: Option<String>,
    pub emails: Vec<String>,
}

pub fn links(calendar: &Component) -> Links {
    let master = master(calendar);
    let own = |name: &str| master.and_then(|m| m.text_of(name)).map(|v| v.trim().to_string());
    let emails = master
        .map(|m| {
            m.properties
                .iter()
                .filter(|p| p.name == "ATTENDEE" || p.name == "ORGANIZER")
                .filter_map(|p| {
                    let v = p.value.trim();
                    v.get(..7).filter(|s| s.eq_ignore_ascii_case("mailto:")).map(|_| v[7..].trim().to_string())
                })
                .collect()
        })
        .unwrap_or_default();
    Links { contact: own("X-RELATA-CONTACT"), account: own("X-RELATA-ACCOUNT"), emails }
}

pub fn format_instant(t: &DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

fn is_date(p: &Property) -> bool {
    p.param("VALUE").is_some_and(|v| v.eq_ignore_ascii_case("DATE")) || p.value.trim().len() == 8
}

/// A time zone a DATE-TIME names: IANA by name (Outlook's `/Europe/Warsaw`
/// too), or the VTIMEZONE of the object (its X-LIC-LOCATION, else its
/// standard offset).
#[derive(Clone, Copy, Debug)]
pub enum Zone {
    Utc,
    Named(chrono_tz::Tz),
    Fixed(chrono::FixedOffset),
}

impl Zone {
    pub fn to_utc(self, local: NaiveDateTime) -> DateTime<Utc> {
        fn pick<Z: TimeZone>(r: LocalResult<DateTime<Z>>, zone: &Z, local: NaiveDateTime) -> DateTime<Utc> {
            match r {
                LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => t.with_timezone(&Utc),
                // In a spring-forward gap: the wall clock an hour later.
                LocalResult::None => zone
                    .from_local_datetime(&(local + Duration::hours(1)))
                    .earliest()
                    .map_or_else(|| local.and_utc(), |t| t.with_timezone(&Utc)),
            }
        }
        match self {
            Zone::Utc => local.and_utc(),
            Zone::Named(tz) => pick(tz.from_local_datetime(&local), &tz, local),
            Zone::Fixed(offset) => pick(offset.from_local_datetime(&local), &offset, local),
        }
    }

    pub fn local(self, t: DateTime<Utc>) -> NaiveDateTime {
        match self {
            Zone::Utc => t.naive_utc(),
            Zone::Named(tz) => t.with_timezone(&tz).naive_local(),
            Zone::Fixed(offset) => t.with_timezone(&offset).naive_local(),
        }
    }
}

pub fn zone_of(p: &Property, calendar: &Component) -> Result<Zone, String> {
    let value = p.value.trim();
    if value.ends_with('Z') {
        return Ok(Zone::Utc);
    }
    let Some(tzid) = p.param("TZID") else { return Ok(Zone::Utc) };
    named_zone(tzid).or_else(|| declared_zone(tzid, calendar)).ok_or_else(|| format!("unknown time zone {tzid:?}"))
}

fn named_zone(name: &str) -> Option<Zone> {
    let name = name.trim().trim_start_matches('/');
    name.parse::<chrono_tz::Tz>().ok().map(Zone::Named)
}

fn declared_zone(tzid: &str, calendar: &Component) -> Option<Zone> {
    let zone = calendar
        .components
        .iter()
        .find(|c| c.name == "VTIMEZONE" && c.text_of("TZID").is_some_and(|t| t.trim() == tzid.trim()))?;
    if let Some(found) = zone.text_of("X-LIC-LOCATION").and_then(|l| named_zone(&l)) {
        return Some(found);
    }
    let standard = zone.components.iter().find(|c| c.name == "STANDARD").or_else(|| zone.components.first())?;
    let offset = standard.text_of("TZOFFSETTO")?;
    parse_offset(offset.trim()).map(Zone::Fixed)
}

fn parse_offset(text: &str) -> Option<chrono::FixedOffset> {
    let (sign, rest) = match text.as_bytes().first()? {
        b'+' => (1, &text[1..]),
        b'-' => (-1, &text[1..]),
        _ => return None,
    };
    if rest.len() < 4 || !rest.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let hours: i32 = rest[0..2].parse().ok()?;
    let minutes: i32 = rest[2..4].parse().ok()?;
    chrono::FixedOffset::east_opt(sign * (hours * 3600 + minutes * 60))
}

/// The local time a DATE or DATE-TIME value writes (a DATE at midnight).
pub fn local_time(value: &str) -> Result<NaiveDateTime, String> {
    let value = value.trim().trim_end_matches('Z');
    if value.len() == 8 {
        return NaiveDate::parse_from_str(value, "%Y%m%d")
            .map(|d| d.and_hms_opt(0, 0, 0).expect("midnight"))
            .map_err(|_| format!("{value:?} is not a date (YYYYMMDD)"));
    }
    NaiveDateTime::parse_from_str(value, "%Y%m%dT%H%M%S")
        .map_err(|_| format!("{value:?} is not a date-time (YYYYMMDDTHHMMSS)"))
}

/// The instant a DATE-TIME property names; a DATE is its midnight in UTC,
/// a floating time is read as UTC.
pub fn instant(p: &Property, calendar: &Component) -> Result<DateTime<Utc>, String> {
    let first = p.value.split(',').next().unwrap_or_default();
    let local = local_time(first)?;
    if is_date(p) {
        return Ok(local.and_utc());
    }
    Ok(zone_of(p, calendar)?.to_utc(local))
}

/// An RFC 5545 duration (`PT1H30M`, `P1D`, `P2W`, `-PT15M`).
pub fn duration(text: &str) -> Option<Duration> {
    let text = text.trim();
    let (sign, text) = match text.strip_prefix('-') {
        Some(rest) => (-1, rest),
        None => (1, text.strip_prefix('+').unwrap_or(text)),
    };
    let text = text.strip_prefix('P')?;
    let mut total = Duration::zero();
    let mut number = String::new();
    let mut in_time = false;
    for c in text.chars() {
        match c {
            '0'..='9' => number.push(c),
            'T' => in_time = true,
            unit => {
                let n: i64 = number.parse().ok()?;
                number.clear();
                total += match (unit, in_time) {
                    ('W', false) => Duration::weeks(n),
                    ('D', false) => Duration::days(n),
                    ('H', true) => Duration::hours(n),
                    ('M', true) => Duration::minutes(n),
                    ('S', true) => Duration::seconds(n),
                    _ => return None,
                };
            }
        }
    }
    number.is_empty().then_some(total * sign)
}

/// How the calendar object of one activity is made, for one reader.
pub struct ItemInput<'a> {
    pub uid: &'a str,
    /// `meeting`, `call` or `task`.
    pub kind: &'a str,
    /// The record's fields the reader may see, in the API's JSON form.
    pub values: &'a Map<String, Json>,
    /// The calendar object a client sent last, if any.
    pub kept: Option<&'a Component>,
    /// `DTSTAMP`: when the record last changed.
    pub stamp: DateTime<Utc>,
}

impl ItemInput<'_> {
    fn instant(&self, field: &str) -> Option<DateTime<Utc>> {
        let text = self.values.get(field)?.as_str()?;
        DateTime::parse_from_rfc3339(text).ok().map(|t| t.with_timezone(&Utc))
    }

    fn text(&self, field: &str) -> Option<String> {
        self.values.get(field).and_then(Json::as_str).map(str::to_string).filter(|s| !s.is_empty())
    }
}

fn format_stamp(t: &DateTime<Utc>) -> String {
    t.format("%Y%m%dT%H%M%SZ").to_string()
}

/// The calendar object of an activity: its fields as the reader sees them
/// in the master component, and around them what a client sent that the
/// CRM does not hold. Kept properties that carry a field are replaced, so
/// a field the reader may not see never travels.
pub fn calendar(input: &ItemInput) -> String {
    let todo = input.kind == "task";
    let component = if todo { "VTODO" } else { "VEVENT" };
    let kept = input.kept.filter(|k| master(k).is_some_and(|m| m.name == component));
    let mut calendar = Component::new("VCALENDAR");
    calendar.push(Property::new("VERSION", "2.0"));
    calendar.push(Property::text("PRODID", PRODID));
    let kept_master = kept.and_then(master);
    if let Some(kept) = kept {
        for p in &kept.properties {
            if !["VERSION", "PRODID"].contains(&p.name.as_str()) {
                calendar.push(p.clone());
            }
        }
    }
    let mapped = if todo { MAPPED_TODO } else { MAPPED_EVENT };
    let mut item = Component::new(component);
    item.push(Property::text("UID", input.uid));
    item.push(Property::new("DTSTAMP", format_stamp(&input.stamp)));
    if let Some(contact) = input.text("contact") {
        item.push(Property::new("X-RELATA-CONTACT", contact));
    }
    if let Some(account) = input.text("account") {
        item.push(Property::new("X-RELATA-ACCOUNT", account));
    }
    if let Some(subject) = input.text("subject") {
        item.push(Property::text("SUMMARY", &subject));
    }
    if let Some(body) = input.text("body") {
        item.push(Property::text("DESCRIPTION", &body));
    }
    let context = kept.unwrap_or(&calendar);
    if todo {
        push_task_fields(&mut item, input, kept_master, context);
    } else {
        push_event_fields(&mut item, input, kept_master, context);
    }
    // A series moved in the CRM takes its exclusions and exceptions along.
    let shift = match (kept_master, input.instant("start_at")) {
        (Some(m), Some(start)) if !todo => series_shift(m, start, context),
        _ => None,
    };
    let moved = |p: &Property| match shift {
        Some(by) if ["EXDATE", "RDATE", "RECURRENCE-ID"].contains(&p.name.as_str()) => shifted(p, by),
        _ => p.clone(),
    };
    if let Some(m) = kept_master {
        for p in &m.properties {
            let replaced = REGENERATED.contains(&p.name.as_str()) || mapped.iter().any(|(name, _)| *name == p.name);
            if !replaced {
                item.push(moved(p));
            }
        }
        item.components = m.components.clone();
    }
    let mut placed = false;
    if let Some(kept) = kept {
        for c in &kept.components {
            if kept_master.is_some_and(|m| std::ptr::eq(m, c)) {
                calendar.components.push(item.clone());
                placed = true;
            } else {
                let mut c = without_unseen(c, mapped, input.values);
                c.properties = c.properties.iter().map(moved).collect();
                calendar.components.push(c);
            }
        }
    }
    if !placed {
        calendar.components.push(item);
    }
    calendar.to_text()
}

/// A task's due time and status (the kept completion time when it was
/// completed already).
fn push_task_fields(item: &mut Component, input: &ItemInput, kept: Option<&Component>, context: &Component) {
    if let Some(due) = input.instant("due_at") {
        item.push(time_property("DUE", due, kept.and_then(|m| m.property("DUE")), context));
    }
    if input.values.get("done").and_then(Json::as_bool) == Some(true) {
        item.push(Property::new("STATUS", "COMPLETED"));
        let completed = kept.and_then(|m| m.property("COMPLETED")).cloned();
        item.push(completed.unwrap_or_else(|| Property::new("COMPLETED", format_stamp(&input.stamp))));
    } else if input.values.contains_key("done") {
        item.push(Property::new("STATUS", "NEEDS-ACTION"));
    }
}

/// An event's kind and times: the kept DURATION when it still says how
/// long, else DTEND in the kept time zone.
fn push_event_fields(item: &mut Component, input: &ItemInput, kept: Option<&Component>, context: &Component) {
    if input.kind == "call" {
        item.push(Property::new("X-RELATA-KIND", "call"));
    }
    let Some(start) = input.instant("start_at") else { return };
    item.push(time_property("DTSTART", start, kept.and_then(|m| m.property("DTSTART")), context));
    let Some(end) = input.instant("end_at").filter(|e| *e >= start) else { return };
    match kept.and_then(|m| m.property("DURATION")) {
        Some(d) if duration(&d.value) == Some(end - start) => item.push(d.clone()),
        _ => {
            let kept_end = kept.and_then(|m| m.property("DTEND").or_else(|| m.property("DTSTART")));
            let mut p = time_property("DTEND", end, kept_end, context);
            p.name = "DTEND".into();
            item.push(p);
        }
    }
}

/// An exception to a recurrence, without the properties that carry a
/// field the reader may not see.
fn without_unseen(c: &Component, mapped: &[(&str, &str)], values: &Map<String, Json>) -> Component {
    let mut c = c.clone();
    if c.name == "VEVENT" || c.name == "VTODO" {
        c.properties.retain(|p| mapped.iter().all(|(name, field)| *name != p.name || values.contains_key(*field)));
    }
    c
}

/// How far (on the wall clock) the CRM moved a series the client sent.
fn series_shift(kept_master: &Component, start: DateTime<Utc>, calendar: &Component) -> Option<Duration> {
    let p = kept_master.property("DTSTART")?;
    if is_date(p) {
        return None;
    }
    let before = local_time(&p.value).ok()?;
    let after = zone_of(p, calendar).ok()?.local(start);
    (after != before).then(|| after - before)
}

/// A list of DATE-TIMEs moved on the wall clock.
fn shifted(p: &Property, by: Duration) -> Property {
    let mut p = p.clone();
    let values: Vec<String> = p
        .value
        .split(',')
        .map(|v| match local_time(v) {
            Ok(t) if v.trim().len() > 8 => {
                let t = t + by;
                if v.trim().ends_with('Z') { format_stamp(&t.and_utc()) } else { t.format("%Y%m%dT%H%M%S").to_string() }
            }
            _ => v.to_string(),
        })
        .collect();
    p.value = values.join(",");
    p
}

/// A DATE-TIME property for an instant: the kept one when it names the
/// same instant (its time zone and spelling survive), else in the kept
/// one's time zone, else in UTC.
fn time_property(name: &str, t: DateTime<Utc>, kept: Option<&Property>, calendar: &Component) -> Property {
    if let Some(k) = kept {
        if k.name == name && instant(k, calendar).ok() == Some(t) {
            return k.clone();
        }
        if let (Some(tzid), Ok(zone)) = (k.param("TZID"), zone_of(k, calendar))
            && !is_date(k)
        {
            let local = zone.local(t);
            return Property::new(name, local.format("%Y%m%dT%H%M%S").to_string()).with_param("TZID", tzid);
        }
    }
    Property::new(name, format_stamp(&t))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub const RECURRING: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//EN\r\nBEGIN:VTIMEZONE\r\nTZID:Europe/Warsaw\r\nBEGIN:STANDARD\r\nDTSTART:19701025T030000\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\nBEGIN:VEVENT\r\nUID:weekly-1\r\nDTSTAMP:20261201T000000Z\r\nDTSTART;TZID=Europe/Warsaw:20261207T090000\r\nDTEND;TZID=Europe/Warsaw:20261207T100000\r\nRRULE:FREQ=WEEKLY;COUNT=10\r\nEXDATE;TZID=Europe/Warsaw:20261214T090000\r\nSUMMARY:Sales stand-up\r\nATTENDEE;CN=Jan:mailto:jan@example.pl\r\nBEGIN:VALARM\r\nACTION:DISPLAY\r\nTRIGGER:-PT10M\r\nEND:VALARM\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:weekly-1\r\nDTSTAMP:20261201T000000Z\r\nRECURRENCE-ID;TZID=Europe/Warsaw:20261221T090000\r\nDTSTART;TZID=Europe/Warsaw:20261221T113000\r\nDTEND;TZID=Europe/Warsaw:20261221T123000\r\nSUMMARY:Sales stand-up (moved)\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";

    #[test]
    fn an_event_in_a_time_zone_gives_utc_instants() {
        let cal = parse(RECURRING).unwrap();
        let f = fields(&cal).unwrap();
        assert_eq!(f["subject"], "Sales stand-up");
        assert_eq!(f["kind"], "meeting");
        assert_eq!(f["start_at"], "2026-12-07T08:00:00Z");
        assert_eq!(f["end_at"], "2026-12-07T09:00:00Z");
    }

    fn written_back(values: &Map<String, Json>, kept: &Component) -> String {
        calendar(&ItemInput { uid: "weekly-1", kind: "meeting", values, kept: Some(kept), stamp: Utc::now() })
    }

    #[test]
    fn the_object_written_back_keeps_rules_exceptions_zones_and_alarms() {
        let kept = parse(RECURRING).unwrap();
        let mut values = fields(&kept).unwrap();
        let text = written_back(&values, &kept);
        let back = parse(&text).unwrap();
        let m = master(&back).unwrap();
        assert_eq!(m.property("DTSTART").unwrap().param("TZID"), Some("Europe/Warsaw"));
        assert_eq!(m.property("DTSTART").unwrap().value, "20261207T090000");
        assert_eq!(m.property("RRULE").unwrap().value, "FREQ=WEEKLY;COUNT=10");
        assert!(m.property("EXDATE").is_some() && m.property("ATTENDEE").is_some());
        assert_eq!(m.components[0].name, "VALARM");
        assert_eq!(back.components.iter().filter(|c| c.name == "VEVENT").count(), 2);
        assert_eq!(back.components[0].name, "VTIMEZONE");
        // Moved an hour later in the CRM: written in the event's own zone.
        values["start_at"] = json!("2026-12-07T09:00:00Z");
        values["end_at"] = json!("2026-12-07T10:00:00Z");
        values["subject"] = json!("Stand-up");
        let text = written_back(&values, &kept);
        let back = parse(&text).unwrap();
        let m = master(&back).unwrap();
        assert_eq!(m.property("DTSTART").unwrap().value, "20261207T100000");
        assert_eq!(m.property("DTEND").unwrap().value, "20261207T110000");
        assert_eq!(m.text_of("SUMMARY").unwrap(), "Stand-up");
        assert_eq!(fields(&back).unwrap()["start_at"], "2026-12-07T09:00:00Z");
        assert_eq!(m.property("EXDATE").unwrap().value, "20261214T100000");
        let exception = back.components.iter().find(|c| c.property("RECURRENCE-ID").is_some()).unwrap();
        assert_eq!(exception.property("RECURRENCE-ID").unwrap().value, "20261221T100000");
    }

    #[test]
    fn a_task_is_a_vtodo_and_its_status_is_done() {
        let text = "BEGIN:VCALENDAR\nVERSION:2.0\nBEGIN:VTODO\nUID:t1\nSUMMARY:Send the offer\nDUE:20261210T170000Z\nSTATUS:COMPLETED\nEND:VTODO\nEND:VCALENDAR\n";
        let f = fields(&parse(text).unwrap()).unwrap();
        assert_eq!(f["kind"], "task");
        assert_eq!(f["due_at"], "2026-12-10T17:00:00Z");
        assert_eq!(f["done"], true);
        let values = json!({"subject": "Send the offer", "due_at": "2026-12-10T17:00:00Z", "done": false})
            .as_object()
            .unwrap()
            .clone();
        let out = calendar(&ItemInput { uid: "t1", kind: "task", values: &values, kept: None, stamp: Utc::now() });
        assert!(
            out.contains("BEGIN:VTODO") && out.contains("STATUS:NEEDS-ACTION") && out.contains("DUE:20261210T170000Z")
        );
    }

    #[test]
    fn broken_calendar_objects_are_refused_clearly() {
        let bad = |text: &str| parse(text).unwrap_err().message;
        assert!(bad("BEGIN:VCALENDAR\nEND:VCALENDAR").contains("no VEVENT"));
        assert!(
            bad("BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART:20260101T000000Z\nEND:VEVENT\nEND:VCALENDAR").contains("UID")
        );
        assert!(bad("BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:a\nDTSTART;TZID=Mars/Olympus:20260101T000000\nEND:VEVENT\nEND:VCALENDAR").contains("unknown time zone"));
        assert!(
            bad("BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:a\nDTSTART:2026-01-01\nEND:VEVENT\nEND:VCALENDAR")
                .contains("not a date")
        );
        assert!(bad("BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:a\nEND:VEVENT\nEND:VCALENDAR").contains("DTSTART"));
        let backwards = parse("BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:a\nDTSTART:20260102T000000Z\nDTEND:20260101T000000Z\nEND:VEVENT\nEND:VCALENDAR").unwrap();
        assert!(fields(&backwards).unwrap_err().message.contains("ends before"));
    }

    #[test]
    fn durations_read() {
        assert_eq!(duration("PT1H30M"), Some(Duration::minutes(90)));
        assert_eq!(duration("P1W"), Some(Duration::days(7)));
        assert_eq!(duration("-PT15M"), Some(Duration::minutes(-15)));
        assert_eq!(duration("1H"), None);
    }
}
