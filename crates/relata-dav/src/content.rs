//! The text format vCard (RFC 6350, and 2426 for 3.0) and iCalendar (RFC
//! 5545) share: folded content lines `group.NAME;PARAM=v1,v2:value` nested
//! in `BEGIN:`/`END:` components. Values stay as written (escaped) so that a
//! property the CRM does not understand is written back as it came.

use std::fmt::Write as _;

/// Why a text is not a vCard or iCalendar object, with the line it broke on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormatError {
    /// 1-based, counting unfolded lines; 0 when the whole text is at fault.
    pub line: usize,
    pub message: String,
}

impl std::fmt::Display for FormatError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.line == 0 { f.write_str(&self.message) } else { write!(f, "line {}: {}", self.line, self.message) }
    }
}

impl std::error::Error for FormatError {}

pub fn error(line: usize, message: impl Into<String>) -> FormatError {
    FormatError { line, message: message.into() }
}

/// Components nested deeper than this are refused (a VCALENDAR holds
/// VEVENTs holding VALARMs: three levels are all that is real).
const MAX_DEPTH: usize = 8;
/// Properties in one object at most.
const MAX_PROPERTIES: usize = 20_000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Property {
    /// A vCard group prefix (`item1.EMAIL`), as written.
    pub group: Option<String>,
    /// Upper case.
    pub name: String,
    /// Parameters in order: name upper case, values unquoted.
    pub params: Vec<(String, Vec<String>)>,
    /// The value as written: escaped, unfolded.
    pub value: String,
}

impl Property {
    pub fn new(name: &str, value: impl Into<String>) -> Property {
        Property { group: None, name: name.to_ascii_uppercase(), params: Vec::new(), value: value.into() }
    }

    /// A property whose value is text, escaped here.
    pub fn text(name: &str, text: &str) -> Property {
        Property::new(name, escape_text(text))
    }

    pub fn with_param(mut self, name: &str, value: &str) -> Property {
        self.params.push((name.to_ascii_uppercase(), vec![value.to_string()]));
        self
    }

    /// The first value of a parameter.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).and_then(|(_, v)| v.first()).map(String::as_str)
    }

    /// Every value of every occurrence of a parameter (`TYPE=home,voice`).
    pub fn param_values(&self, name: &str) -> impl Iterator<Item = &str> {
        self.params
            .iter()
            .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
            .flat_map(|(_, v)| v.iter())
            .map(|s| s.as_str())
    }

    /// The value read as text (escapes undone).
    pub fn text_value(&self) -> String {
        unescape_text(&self.value)
    }

    /// The value read as a structured text (`N`, `ADR`): components split
    /// at unescaped `;`, each unescaped.
    pub fn components(&self) -> Vec<String> {
        split_unescaped(&self.value, ';').iter().map(|c| unescape_text(c)).collect()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Component {
    /// Upper case: VCARD, VCALENDAR, VEVENT …
    pub name: String,
    pub properties: Vec<Property>,
    pub components: Vec<Component>,
}

impl Component {
    pub fn new(name: &str) -> Component {
        Component { name: name.to_ascii_uppercase(), properties: Vec::new(), components: Vec::new() }
    }

    pub fn property(&self, name: &str) -> Option<&Property> {
        self.properties.iter().find(|p| p.name.eq_ignore_ascii_case(name))
    }

    pub fn properties_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Property> + 'a {
        self.properties.iter().filter(move |p| p.name.eq_ignore_ascii_case(name))
    }

    pub fn push(&mut self, property: Property) {
        self.properties.push(property);
    }

    /// The text value of the first property of that name, if not empty.
    pub fn text_of(&self, name: &str) -> Option<String> {
        self.property(name).map(Property::text_value).filter(|t| !t.trim().is_empty())
    }

    /// The object as text: CRLF line ends, lines folded at 75 octets.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        self.write(&mut out);
        out
    }

    fn write(&self, out: &mut String) {
        write_line(out, &format!("BEGIN:{}", self.name));
        for p in &self.properties {
            write_line(out, &property_line(p));
        }
        for c in &self.components {
            c.write(out);
        }
        write_line(out, &format!("END:{}", self.name));
    }
}

fn property_line(p: &Property) -> String {
    let mut line = String::new();
    if let Some(group) = &p.group {
        line.push_str(group);
        line.push('.');
    }
    line.push_str(&p.name);
    for (name, values) in &p.params {
        line.push(';');
        line.push_str(name);
        line.push('=');
        for (i, v) in values.iter().enumerate() {
            if i > 0 {
                line.push(',');
            }
            if v.contains([':', ';', ',']) {
                let _ = write!(line, "\"{}\"", v.replace('"', "'"));
            } else {
                line.push_str(v);
            }
        }
    }
    line.push(':');
    line.push_str(&p.value);
    line
}

/// Writes one line folded at 75 octets (never inside a UTF-8 sequence).
fn write_line(out: &mut String, line: &str) {
    let mut width = 0;
    for ch in line.chars() {
        let len = ch.len_utf8();
        if width + len > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(ch);
        width += len;
    }
    out.push_str("\r\n");
}

/// Reads the components of a text (usually one VCARD or one VCALENDAR; an
/// address book export holds several VCARDs).
pub fn parse(text: &str) -> Result<Vec<Component>, FormatError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut stack: Vec<Component> = Vec::new();
    let mut done = Vec::new();
    let mut count = 0;
    for (number, line) in unfold(text) {
        if line.trim().is_empty() {
            continue;
        }
        let property = parse_line(&line).map_err(|m| error(number, m))?;
        count += 1;
        if count > MAX_PROPERTIES {
            return Err(error(number, format!("more than {MAX_PROPERTIES} lines")));
        }
        match property.name.as_str() {
            "BEGIN" => {
                if stack.len() >= MAX_DEPTH {
                    return Err(error(number, "components nested too deeply"));
                }
                let name = property.value.trim();
                if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
                    return Err(error(number, "BEGIN needs a component name"));
                }
                stack.push(Component::new(name));
            }
            "END" => {
                let Some(component) = stack.pop() else {
                    return Err(error(number, format!("END:{} without BEGIN", property.value.trim())));
                };
                if !component.name.eq_ignore_ascii_case(property.value.trim()) {
                    return Err(error(
                        number,
                        format!("END:{} where END:{} was expected", property.value.trim(), component.name),
                    ));
                }
                match stack.last_mut() {
                    Some(parent) => parent.components.push(component),
                    None => done.push(component),
                }
            }
            _ => match stack.last_mut() {
                Some(component) => component.properties.push(property),
                None => return Err(error(number, format!("{} outside of any BEGIN/END", property.name))),
            },
        }
    }
    if let Some(open) = stack.last() {
        return Err(error(0, format!("BEGIN:{} is never ended", open.name)));
    }
    if done.is_empty() {
        return Err(error(0, "no BEGIN:VCARD or BEGIN:VCALENDAR found"));
    }
    Ok(done)
}

/// Logical lines with the number of their first physical line: a line
/// starting with a space or tab continues the one before.
fn unfold(text: &str) -> Vec<(usize, String)> {
    let mut lines: Vec<(usize, String)> = Vec::new();
    for (i, raw) in text.split('\n').enumerate() {
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        match (raw.strip_prefix([' ', '\t']), lines.last_mut()) {
            (Some(rest), Some((_, last))) => last.push_str(rest),
            _ => lines.push((i + 1, raw.to_string())),
        }
    }
    lines
}

fn parse_line(line: &str) -> Result<Property, String> {
    let (head, value) = split_head(line).ok_or_else(|| format!("no ':' in {:?}", shorten(line)))?;
    let mut parts = split_params(head).into_iter();
    let qualified = parts.next().unwrap_or_default();
    let (group, name) = match qualified.rsplit_once('.') {
        Some((g, n)) => (Some(g.to_string()), n),
        None => (None, qualified.as_str()),
    };
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return Err(format!("{:?} is not a property name", shorten(&qualified)));
    }
    let mut params = Vec::new();
    for part in parts {
        let (pname, pvalue) = match part.split_once('=') {
            Some((n, v)) => (n.trim().to_ascii_uppercase(), v.to_string()),
            // vCard 2.1 and some 3.0 writers leave the TYPE= out: `TEL;CELL:…`.
            None => ("TYPE".to_string(), part.to_string()),
        };
        if pname.is_empty() {
            return Err(format!("a parameter without a name in {:?}", shorten(line)));
        }
        let values = split_quoted(&pvalue, ',').into_iter().map(|v| v.trim_matches('"').to_string()).collect();
        params.push((pname, values));
    }
    Ok(Property { group, name: name.to_ascii_uppercase(), params, value: value.to_string() })
}

fn shorten(s: &str) -> String {
    s.chars().take(60).collect()
}

/// The name and parameters, and the value: split at the first `:` outside
/// double quotes.
fn split_head(line: &str) -> Option<(&str, &str)> {
    let mut quoted = false;
    for (i, c) in line.char_indices() {
        match c {
            '"' => quoted = !quoted,
            ':' if !quoted => return Some((&line[..i], &line[i + 1..])),
            _ => {}
        }
    }
    None
}

fn split_params(head: &str) -> Vec<String> {
    split_quoted(head, ';')
}

fn split_quoted(text: &str, separator: char) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut quoted = false;
    for c in text.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                out.last_mut().expect("one part").push(c);
            }
            c if c == separator && !quoted => out.push(String::new()),
            c => out.last_mut().expect("one part").push(c),
        }
    }
    out
}

/// Splits a value at `separator`s not escaped by a backslash (the parts
/// keep their escapes).
pub fn split_unescaped(value: &str, separator: char) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut escaped = false;
    for c in value.chars() {
        if escaped {
            out.last_mut().expect("one part").push(c);
            escaped = false;
        } else if c == '\\' {
            out.last_mut().expect("one part").push(c);
            escaped = true;
        } else if c == separator {
            out.push(String::new());
        } else {
            out.last_mut().expect("one part").push(c);
        }
    }
    out
}

pub fn escape_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

pub fn unescape_text(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n' | 'N') => out.push('\n'),
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folded_lines_quoted_parameters_and_escapes_read_back() {
        let text = "BEGIN:VCARD\r\nVERSION:4.0\r\nitem1.EMAIL;TYPE=work,pref;PREF=1:a@b.example\r\nNOTE:one\\, two\\;\r\n  three\\nfour\r\nX-LABEL;X-Q=\"a:b\":v\r\nEND:VCARD\r\n";
        let cards = parse(text).unwrap();
        let card = &cards[0];
        let email = card.property("email").unwrap();
        assert_eq!(email.group.as_deref(), Some("item1"));
        assert_eq!(email.param_values("type").collect::<Vec<_>>(), ["work", "pref"]);
        assert_eq!(card.text_of("NOTE").unwrap(), "one, two; three\nfour");
        assert_eq!(card.property("X-LABEL").unwrap().param("x-q"), Some("a:b"));
        let again = parse(&card.to_text()).unwrap();
        assert_eq!(&again[0], card);
    }

    #[test]
    fn long_lines_fold_at_75_octets_without_splitting_characters() {
        let mut c = Component::new("VCARD");
        c.push(Property::text("NOTE", &"żółw ".repeat(40)));
        let text = c.to_text();
        assert!(text.split("\r\n").all(|l| l.len() <= 75));
        assert_eq!(parse(&text).unwrap()[0].text_of("NOTE").unwrap(), "żółw ".repeat(40));
    }

    #[test]
    fn broken_objects_are_refused_with_the_line() {
        assert_eq!(parse("BEGIN:VCARD\nFN:x\n").unwrap_err().message, "BEGIN:VCARD is never ended");
        assert_eq!(parse("BEGIN:VCARD\nno colon here\nEND:VCARD").unwrap_err().line, 2);
        assert!(parse("BEGIN:VCARD\nEND:VEVENT").unwrap_err().message.contains("END:VCARD was expected"));
        assert!(parse("FN:x").is_err());
        assert!(parse("").is_err());
        assert!(parse(&"BEGIN:X\n".repeat(20)).unwrap_err().message.contains("deeply"));
    }

    #[test]
    fn structured_values_split_at_unescaped_semicolons() {
        let p = Property::new("N", "M\\;üller;Anna;;;");
        assert_eq!(p.components(), ["M;üller", "Anna", "", "", ""]);
    }
}
