//! WebDAV's XML: the requests clients send (PROPFIND, and the REPORTs of
//! CardDAV, CalDAV and collection sync) read into what they ask for, and the
//! `multistatus` answers written back. Namespaces are matched by URI, never
//! by the prefix a client chose.

use chrono::{DateTime, NaiveDateTime, Utc};
use quick_xml::NsReader;
use quick_xml::events::Event;
use quick_xml::name::ResolveResult;

pub const DAV: &str = "DAV:";
pub const CARDDAV: &str = "urn:ietf:params:xml:ns:carddav";
pub const CALDAV: &str = "urn:ietf:params:xml:ns:caldav";
pub const CALENDARSERVER: &str = "http://calendarserver.org/ns/";
pub const APPLE_ICAL: &str = "http://apple.com/ns/ical/";

const MAX_DEPTH: usize = 32;
const MAX_ELEMENTS: usize = 100_000;

/// A property's name: namespace URI and local name.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Name {
    pub ns: String,
    pub local: String,
}

impl Name {
    pub fn new(ns: &str, local: &str) -> Name {
        Name { ns: ns.to_string(), local: local.to_string() }
    }

    pub fn is(&self, ns: &str, local: &str) -> bool {
        self.ns == ns && self.local == local
    }
}

/// An element of a request body.
#[derive(Debug, Clone, Default)]
pub struct Element {
    pub ns: String,
    pub local: String,
    pub attributes: Vec<(String, String)>,
    pub children: Vec<Element>,
    pub text: String,
}

impl Element {
    pub fn is(&self, ns: &str, local: &str) -> bool {
        self.ns == ns && self.local == local
    }

    pub fn child(&self, ns: &str, local: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.is(ns, local))
    }

    pub fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    fn name(&self) -> Name {
        Name::new(&self.ns, &self.local)
    }
}

/// Reads an XML body into its root element.
pub fn parse(body: &str) -> Result<Element, String> {
    let mut reader = NsReader::from_str(body);
    reader.config_mut().trim_text(true);
    let mut stack: Vec<Element> = Vec::new();
    let mut count = 0;
    loop {
        let (ns, event) = reader.read_resolved_event().map_err(|e| format!("not well-formed XML: {e}"))?;
        let namespace = match ns {
            ResolveResult::Bound(n) => String::from_utf8_lossy(n.as_ref()).into_owned(),
            _ => String::new(),
        };
        match event {
            Event::Start(e) | Event::Empty(e) if stack.len() >= MAX_DEPTH || count >= MAX_ELEMENTS => {
                let _ = e;
                return Err("the XML body is too deep or too large".into());
            }
            Event::Start(e) => {
                count += 1;
                stack.push(element(namespace, &e));
            }
            Event::Empty(e) => {
                count += 1;
                let done = element(namespace, &e);
                match stack.last_mut() {
                    Some(parent) => parent.children.push(done),
                    None => return Ok(done),
                }
            }
            Event::End(_) => {
                let done = stack.pop().ok_or("an end tag without a start")?;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(done),
                    None => return Ok(done),
                }
            }
            Event::Text(t) => {
                if let Some(top) = stack.last_mut() {
                    let text = t.decode().map_err(|e| format!("not UTF-8 text: {e}"))?;
                    top.text.push_str(&unescape(&text));
                }
            }
            Event::CData(t) => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&String::from_utf8_lossy(&t));
                }
            }
            Event::GeneralRef(r) => {
                if let Some(top) = stack.last_mut() {
                    let name = String::from_utf8_lossy(&r).into_owned();
                    top.text.push_str(&unescape(&format!("&{name};")));
                }
            }
            Event::Eof => return Err("the XML body ended before its root element closed".into()),
            _ => {}
        }
    }
}

fn element(ns: String, e: &quick_xml::events::BytesStart) -> Element {
    let local = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
    let attributes = e
        .attributes()
        .flatten()
        .map(|a| {
            let name = String::from_utf8_lossy(a.key.local_name().as_ref()).into_owned();
            (name, unescape(&String::from_utf8_lossy(&a.value)))
        })
        .collect();
    Element { ns, local, attributes, children: Vec::new(), text: String::new() }
}

/// XML's five entities and character references.
fn unescape(text: &str) -> String {
    if !text.contains('&') {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let Some(end) = rest.find(';') else { break };
        let entity = &rest[1..end];
        let decoded = match entity {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            e if e.starts_with("#x") => u32::from_str_radix(&e[2..], 16).ok().and_then(char::from_u32),
            e if e.starts_with('#') => e[1..].parse().ok().and_then(char::from_u32),
            _ => None,
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

pub use relata_core::xml::escape;

/// What a PROPFIND asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Props {
    /// `allprop`, or an empty body.
    All,
    /// `propname`.
    Names,
    Some(Vec<Name>),
}

pub fn propfind(body: &str) -> Result<Props, String> {
    if body.trim().is_empty() {
        return Ok(Props::All);
    }
    let root = parse(body)?;
    if !root.is(DAV, "propfind") {
        return Err(format!("expected DAV:propfind, found {}", root.local));
    }
    if root.child(DAV, "propname").is_some() {
        return Ok(Props::Names);
    }
    match root.child(DAV, "prop") {
        Some(prop) => Ok(Props::Some(prop.children.iter().map(Element::name).collect())),
        None => Ok(Props::All),
    }
}

/// A stretch of time `[from, to)`.
pub type TimeRange = (DateTime<Utc>, DateTime<Utc>);

/// A REPORT request.
#[derive(Debug, Clone, PartialEq)]
pub enum Report {
    /// RFC 6578: changes since a token (none: everything).
    SyncCollection { token: Option<String>, props: Vec<Name>, limit: Option<usize> },
    /// `addressbook-multiget` and `calendar-multiget`.
    Multiget { hrefs: Vec<String>, props: Vec<Name> },
    /// `addressbook-query` and `calendar-query`: members of a component
    /// type (VEVENT, VTODO) in a time range, where given.
    Query { component: Option<String>, range: Option<TimeRange>, props: Vec<Name> },
    /// `free-busy-query` (RFC 4791 7.10).
    FreeBusy { from: DateTime<Utc>, to: DateTime<Utc> },
}

fn props_of(root: &Element) -> Vec<Name> {
    root.child(DAV, "prop").map(|p| p.children.iter().map(Element::name).collect()).unwrap_or_default()
}

pub fn report(body: &str) -> Result<Report, String> {
    let root = parse(body)?;
    match (root.ns.as_str(), root.local.as_str()) {
        (DAV, "sync-collection") => {
            let token = root.child(DAV, "sync-token").map(|t| t.text.trim().to_string()).filter(|t| !t.is_empty());
            let limit = root
                .child(DAV, "limit")
                .and_then(|l| l.child(DAV, "nresults"))
                .map(|n| n.text.trim().parse::<usize>().map_err(|_| "DAV:nresults is not a number".to_string()))
                .transpose()?;
            Ok(Report::SyncCollection { token, props: props_of(&root), limit })
        }
        (CARDDAV, "addressbook-multiget") | (CALDAV, "calendar-multiget") => {
            let hrefs = root.children.iter().filter(|c| c.is(DAV, "href")).map(|h| h.text.trim().to_string()).collect();
            Ok(Report::Multiget { hrefs, props: props_of(&root) })
        }
        (CARDDAV, "addressbook-query") => Ok(Report::Query { component: None, range: None, props: props_of(&root) }),
        (CALDAV, "calendar-query") => {
            let (component, range) = match root.child(CALDAV, "filter") {
                Some(filter) => component_filter(filter)?,
                None => (None, None),
            };
            Ok(Report::Query { component, range, props: props_of(&root) })
        }
        (CALDAV, "free-busy-query") => {
            let range = root.child(CALDAV, "time-range").ok_or("free-busy-query needs a time-range")?;
            let (from, to) = time_range(range)?;
            Ok(Report::FreeBusy { from, to })
        }
        (ns, local) => Err(format!("the REPORT {local} ({ns}) is not supported")),
    }
}

/// The component type and time range of a calendar-query's filter
/// (`VCALENDAR` › `VEVENT` › `time-range`).
fn component_filter(filter: &Element) -> Result<(Option<String>, Option<TimeRange>), String> {
    let Some(calendar) = filter.child(CALDAV, "comp-filter") else { return Ok((None, None)) };
    let Some(inner) = calendar.child(CALDAV, "comp-filter") else { return Ok((None, None)) };
    let component = inner.attribute("name").map(|n| n.to_ascii_uppercase());
    let range = inner.child(CALDAV, "time-range").map(time_range).transpose()?;
    Ok((component, range))
}

fn time_range(element: &Element) -> Result<TimeRange, String> {
    let read = |name: &str, default: DateTime<Utc>| -> Result<DateTime<Utc>, String> {
        match element.attribute(name) {
            None => Ok(default),
            Some(text) => NaiveDateTime::parse_from_str(text.trim().trim_end_matches('Z'), "%Y%m%dT%H%M%S")
                .map(|t| t.and_utc())
                .map_err(|_| format!("time-range {name}={text:?} is not a UTC date-time (YYYYMMDDTHHMMSSZ)")),
        }
    };
    let from = read("start", DateTime::<Utc>::MIN_UTC)?;
    let to = read("end", DateTime::<Utc>::MAX_UTC)?;
    if to <= from {
        return Err("time-range ends before it starts".into());
    }
    Ok((from, to))
}

/// A property's value in an answer.
#[derive(Debug, Clone)]
pub enum Value {
    /// Text, escaped when written.
    Text(String),
    /// XML written as given (hrefs, resource types).
    Xml(String),
}

/// A `multistatus` answer being written.
pub struct Multistatus {
    out: String,
}

impl Default for Multistatus {
    fn default() -> Self {
        Multistatus::new()
    }
}

fn prefix_of(ns: &str) -> Option<&'static str> {
    match ns {
        DAV => Some("d"),
        CARDDAV => Some("card"),
        CALDAV => Some("cal"),
        CALENDARSERVER => Some("cs"),
        APPLE_ICAL => Some("ical"),
        _ => None,
    }
}

/// An empty element of that name, with its namespace declared when it is
/// not one of the answer's own.
pub fn empty(name: &Name) -> String {
    match prefix_of(&name.ns) {
        Some(p) => format!("<{p}:{}/>", name.local),
        None => format!("<x:{} xmlns:x=\"{}\"/>", name.local, escape(&name.ns)),
    }
}

fn open(name: &Name) -> (String, String) {
    match prefix_of(&name.ns) {
        Some(p) => (format!("<{p}:{}>", name.local), format!("</{p}:{}>", name.local)),
        None => (format!("<x:{} xmlns:x=\"{}\">", name.local, escape(&name.ns)), format!("</x:{}>", name.local)),
    }
}

impl Multistatus {
    pub fn new() -> Multistatus {
        let mut out = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
        out.push_str(&format!(
            "<d:multistatus xmlns:d=\"{DAV}\" xmlns:card=\"{CARDDAV}\" xmlns:cal=\"{CALDAV}\" xmlns:cs=\"{CALENDARSERVER}\" xmlns:ical=\"{APPLE_ICAL}\">"
        ));
        Multistatus { out }
    }

    /// A resource's properties: those found, and those asked for that it
    /// does not have (404).
    pub fn response(&mut self, href: &str, found: &[(Name, Value)], missing: &[Name]) {
        self.out.push_str("<d:response><d:href>");
        self.out.push_str(&escape(href));
        self.out.push_str("</d:href>");
        if !found.is_empty() {
            self.out.push_str("<d:propstat><d:prop>");
            for (name, value) in found {
                let (start, end) = open(name);
                self.out.push_str(&start);
                match value {
                    Value::Text(t) => self.out.push_str(&escape(t)),
                    Value::Xml(x) => self.out.push_str(x),
                }
                self.out.push_str(&end);
            }
            self.out.push_str("</d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat>");
        }
        if !missing.is_empty() {
            self.out.push_str("<d:propstat><d:prop>");
            for name in missing {
                self.out.push_str(&empty(name));
            }
            self.out.push_str("</d:prop><d:status>HTTP/1.1 404 Not Found</d:status></d:propstat>");
        }
        if found.is_empty() && missing.is_empty() {
            self.out.push_str("<d:propstat><d:prop/><d:status>HTTP/1.1 200 OK</d:status></d:propstat>");
        }
        self.out.push_str("</d:response>");
    }

    /// Properties a client asked to set, each refused (PROPPATCH).
    pub fn refused(&mut self, href: &str, names: &[Name]) {
        self.out.push_str("<d:response><d:href>");
        self.out.push_str(&escape(href));
        self.out.push_str("</d:href><d:propstat><d:prop>");
        for name in names {
            self.out.push_str(&empty(name));
        }
        self.out.push_str("</d:prop><d:status>HTTP/1.1 403 Forbidden</d:status></d:propstat></d:response>");
    }

    /// A resource with only a status (`404 Not Found` for a removal in a
    /// sync-collection answer, `507` for a truncated one).
    pub fn status(&mut self, href: &str, status: &str) {
        self.out.push_str("<d:response><d:href>");
        self.out.push_str(&escape(href));
        self.out.push_str("</d:href><d:status>HTTP/1.1 ");
        self.out.push_str(status);
        self.out.push_str("</d:status></d:response>");
    }

    pub fn sync_token(&mut self, token: &str) {
        self.out.push_str("<d:sync-token>");
        self.out.push_str(&escape(token));
        self.out.push_str("</d:sync-token>");
    }

    pub fn finish(mut self) -> String {
        self.out.push_str("</d:multistatus>\n");
        self.out
    }
}

/// A WebDAV `error` body with one precondition element.
pub fn error_body(ns: &str, condition: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<d:error xmlns:d=\"{DAV}\" xmlns:card=\"{CARDDAV}\" xmlns:cal=\"{CALDAV}\">{}</d:error>\n",
        empty(&Name::new(ns, condition))
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn propfind_names_are_read_by_namespace_not_prefix() {
        let body = r#"<?xml version="1.0"?><A:propfind xmlns:A="DAV:" xmlns:Z="http://calendarserver.org/ns/"><A:prop><A:getetag/><Z:getctag/><resourcetype xmlns="DAV:"/></A:prop></A:propfind>"#;
        assert_eq!(
            propfind(body).unwrap(),
            Props::Some(vec![
                Name::new(DAV, "getetag"),
                Name::new(CALENDARSERVER, "getctag"),
                Name::new(DAV, "resourcetype")
            ])
        );
        assert_eq!(propfind("").unwrap(), Props::All);
        assert!(propfind("<propfind").is_err());
        assert!(propfind(r#"<x xmlns="DAV:"/>"#).is_err());
    }

    #[test]
    fn reports_are_read() {
        let sync = r#"<d:sync-collection xmlns:d="DAV:"><d:sync-token>urn:x:1</d:sync-token><d:sync-level>1</d:sync-level><d:prop><d:getetag/></d:prop></d:sync-collection>"#;
        assert!(matches!(report(sync).unwrap(), Report::SyncCollection { token: Some(t), .. } if t == "urn:x:1"));
        let get = r#"<c:addressbook-multiget xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:carddav"><d:prop><c:address-data/></d:prop><d:href>/dav/a%20b.vcf</d:href><d:href>/x?a=1&amp;b=2</d:href></c:addressbook-multiget>"#;
        let Report::Multiget { hrefs, props } = report(get).unwrap() else { panic!() };
        assert_eq!(hrefs, ["/dav/a%20b.vcf", "/x?a=1&b=2"]);
        assert_eq!(props, [Name::new(CARDDAV, "address-data")]);
        let query = r#"<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><D:getetag/></D:prop><C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"><C:time-range start="20261201T000000Z" end="20270101T000000Z"/></C:comp-filter></C:comp-filter></C:filter></C:calendar-query>"#;
        let Report::Query { component, range, .. } = report(query).unwrap() else { panic!() };
        assert_eq!(component.as_deref(), Some("VEVENT"));
        assert_eq!(range.unwrap().0.to_rfc3339(), "2026-12-01T00:00:00+00:00");
        let bad = r#"<C:free-busy-query xmlns:C="urn:ietf:params:xml:ns:caldav"><C:time-range start="tomorrow"/></C:free-busy-query>"#;
        assert!(report(bad).unwrap_err().contains("not a UTC date-time"));
        assert!(report(r#"<x:expand-property xmlns:x="DAV:"/>"#).unwrap_err().contains("not supported"));
    }

    #[test]
    fn answers_escape_and_declare_foreign_namespaces() {
        let mut m = Multistatus::new();
        m.response(
            "/a&b",
            &[(Name::new(DAV, "displayname"), Value::Text("<Anna>".into()))],
            &[Name::new("urn:other", "x")],
        );
        let text = m.finish();
        assert!(text.contains("<d:href>/a&amp;b</d:href>"));
        assert!(text.contains("<d:displayname>&lt;Anna&gt;</d:displayname>"));
        assert!(text.contains(r#"<x:x xmlns:x="urn:other"/>"#));
        parse(&text).unwrap();
    }
}
