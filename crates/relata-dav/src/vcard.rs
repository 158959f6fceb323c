//! Contacts as vCards: what a card says about a contact's fields, and the
//! card of a contact, keeping what a client sent that the CRM does not hold
//! (photos, nicknames, a second address, its own parameters) so that a round
//! trip through the CRM loses nothing.
//!
//! Field values travel in the API's JSON form (`"birthday": "1985-04-12"`,
//! `"phones": ["+48…"]`); the caller decides which fields a user sees and
//! may write.

use crate::content::{self, Component, FormatError, Property, error};
use chrono::NaiveDate;
use serde_json::{Map, Value as Json, json};

/// The contact fields a vCard carries, by the property that carries them.
pub const MAPPED: &[(&str, &[&str])] = &[
    ("N", &["first_name", "last_name"]),
    ("FN", &["first_name", "last_name"]),
    ("TITLE", &["title"]),
    ("EMAIL", &["emails"]),
    ("TEL", &["phones"]),
    ("ADR", &["street", "city", "region", "postal_code", "country"]),
    ("BDAY", &["birthday"]),
    ("LANG", &["language"]),
    ("NOTE", &["notes"]),
];

/// Properties written afresh on every card (never copied from a kept one).
const REGENERATED: &[&str] = &["VERSION", "PRODID", "UID", "REV"];

pub const PRODID: &str = "-//Relata//Relata CRM//EN";

fn fields_of(property: &str) -> Option<&'static [&'static str]> {
    MAPPED.iter().find(|(p, _)| p.eq_ignore_ascii_case(property)).map(|(_, f)| *f)
}

/// The one VCARD of a text, refused unless it is vCard 3.0 or 4.0.
pub fn parse(text: &str) -> Result<Component, FormatError> {
    let mut found = content::parse(text)?;
    if found.len() != 1 || found[0].name != "VCARD" {
        return Err(error(0, "send exactly one vCard (BEGIN:VCARD … END:VCARD)"));
    }
    let card = found.remove(0);
    match card.property("VERSION").map(|v| v.value.trim().to_string()).as_deref() {
        Some("3.0" | "4.0") => {}
        Some(other) => return Err(error(0, format!("vCard {other} is not supported: send 3.0 or 4.0"))),
        None => return Err(error(0, "the vCard has no VERSION")),
    }
    Ok(card)
}

pub fn uid(card: &Component) -> Option<String> {
    card.text_of("UID").map(|u| u.trim().to_string())
}

/// The mapped property a card's fields come from where it holds several
/// (`ADR`, `NOTE` …): the one marked preferred, else the first.
fn chosen<'a>(card: &'a Component, name: &'a str) -> Option<&'a Property> {
    let preferred = card.properties_named(name).find(|p| {
        p.param("PREF").is_some_and(|v| v.trim() == "1")
            || p.param_values("TYPE").any(|t| t.eq_ignore_ascii_case("pref"))
    });
    preferred.or_else(|| card.property(name))
}

fn is_chosen(card: &Component, p: &Property) -> bool {
    chosen(card, &p.name).is_some_and(|c| std::ptr::eq(c, p))
}

/// What a card says about the contact's fields: every field of [`MAPPED`],
/// `null` where the card is silent (a replaced card replaces the fields).
pub fn fields(card: &Component) -> Result<Map<String, Json>, FormatError> {
    let mut out = Map::new();
    for (_, names) in MAPPED {
        for name in *names {
            out.insert((*name).to_string(), Json::Null);
        }
    }
    let (first, last) = names_of(card);
    if last.is_none() && first.is_none() {
        return Err(error(0, "the vCard has neither N nor FN: a contact needs a name"));
    }
    // The CRM wants a last name; a card with one name gives it as the last.
    let (first, last) = match (first, last) {
        (Some(f), None) => (None, Some(f)),
        other => other,
    };
    out.insert("first_name".into(), json!(first));
    out.insert("last_name".into(), json!(last));
    let single = |name: &str| {
        chosen(card, name).map(Property::text_value).map(|t| t.trim().to_string()).filter(|t| !t.is_empty())
    };
    out.insert("title".into(), json!(single("TITLE")));
    out.insert("notes".into(), json!(single("NOTE")));
    out.insert("language".into(), json!(single("LANG")));
    let emails: Vec<String> =
        card.properties_named("EMAIL").map(|p| p.text_value().trim().to_string()).filter(|e| !e.is_empty()).collect();
    let phones: Vec<String> = card.properties_named("TEL").filter_map(phone_text).collect();
    out.insert("emails".into(), if emails.is_empty() { Json::Null } else { json!(emails) });
    out.insert("phones".into(), if phones.is_empty() { Json::Null } else { json!(phones) });
    if let Some(adr) = chosen(card, "ADR") {
        let parts = adr.components();
        let part = |i: usize| parts.get(i).map(|s| s.trim().replace('\n', ", ")).filter(|s| !s.is_empty());
        for (i, field) in [(2, "street"), (3, "city"), (4, "region"), (5, "postal_code"), (6, "country")] {
            out.insert(field.into(), json!(part(i)));
        }
    }
    if let Some(bday) = chosen(card, "BDAY") {
        out.insert("birthday".into(), json!(birthday(bday).map(|d| d.format("%Y-%m-%d").to_string())));
    }
    Ok(out)
}

/// First and last name from `N`, else from `FN` split at its last space.
fn names_of(card: &Component) -> (Option<String>, Option<String>) {
    let clean = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
    if let Some(n) = card.property("N") {
        let parts = n.components();
        let last = parts.first().and_then(|s| clean(s));
        let first = parts.get(1).and_then(|s| clean(s));
        if last.is_some() || first.is_some() {
            return (first, last);
        }
    }
    let Some(full) = card.text_of("FN") else { return (None, None) };
    match full.trim().rsplit_once(' ') {
        Some((first, last)) => (clean(first), clean(last)),
        None => (None, clean(&full)),
    }
}

/// A telephone number as text, without the `tel:` of vCard 4.0's URIs.
fn phone_text(p: &Property) -> Option<String> {
    let value = p.text_value();
    let value = value.trim();
    let value = value.strip_prefix("tel:").unwrap_or(value);
    Some(value.to_string()).filter(|v| !v.is_empty())
}

/// A birthday the CRM can hold: a full date (`19850412`, `1985-04-12`,
/// with or without a time); not `--0412` (no year) or free text.
fn birthday(p: &Property) -> Option<NaiveDate> {
    if p.param("VALUE").is_some_and(|v| v.eq_ignore_ascii_case("text")) {
        return None;
    }
    let value = p.value.trim();
    let date = value.split('T').next().unwrap_or(value);
    NaiveDate::parse_from_str(date, "%Y%m%d").or_else(|_| NaiveDate::parse_from_str(date, "%Y-%m-%d")).ok()
}

/// How the card of one contact is made, for one reader.
pub struct CardInput<'a> {
    pub uid: &'a str,
    /// The record's fields the reader may see, in the API's JSON form.
    pub values: &'a Map<String, Json>,
    /// The card a client sent last, if any.
    pub kept: Option<&'a Component>,
    /// `REV`: when the record last changed (`20261206T101500Z`).
    pub revision: Option<String>,
    /// The CRM's form of an email or phone (`None`: the CRM could not hold
    /// it, so a kept property with it is written back as it came).
    pub normalize: &'a dyn Fn(&str, &str) -> Option<String>,
}

impl CardInput<'_> {
    fn sees(&self, field: &str) -> bool {
        self.values.contains_key(field)
    }

    fn text(&self, field: &str) -> Option<String> {
        self.values.get(field).and_then(Json::as_str).map(str::to_string).filter(|s| !s.is_empty())
    }

    fn list(&self, field: &str) -> Vec<String> {
        match self.values.get(field) {
            Some(Json::Array(items)) => items.iter().filter_map(|i| i.as_str().map(str::to_string)).collect(),
            _ => Vec::new(),
        }
    }
}

/// The card of a contact: its fields as the reader sees them, and from the
/// kept card every property the CRM does not hold. A kept property that
/// carries a field the reader may not see is left out, so a hidden field
/// never travels in a card.
pub fn card(input: &CardInput) -> String {
    let version3 = input.kept.and_then(|k| k.property("VERSION")).is_some_and(|v| v.value.trim() == "3.0");
    let mut card = Component::new("VCARD");
    card.push(Property::new("VERSION", if version3 { "3.0" } else { "4.0" }));
    card.push(Property::text("PRODID", PRODID));
    card.push(Property::text("UID", input.uid));
    let first = input.text("first_name");
    let last = input.text("last_name");
    let full = [first.as_deref(), last.as_deref()].into_iter().flatten().collect::<Vec<_>>().join(" ");
    card.push(Property::text("FN", if full.is_empty() { input.uid } else { &full }));
    if input.sees("first_name") || input.sees("last_name") {
        let n = format!(
            "{};{};;;",
            content::escape_text(last.as_deref().unwrap_or("")),
            content::escape_text(first.as_deref().unwrap_or(""))
        );
        card.push(keep_if_same(input.kept, "N", Property::new("N", n), |p| {
            let parts = p.components();
            (parts.first().map(|s| s.trim().to_string()), parts.get(1).map(|s| s.trim().to_string()))
        }));
    }
    single_text(&mut card, input, "TITLE", "title");
    single_text(&mut card, input, "LANG", "language");
    single_text(&mut card, input, "NOTE", "notes");
    if input.sees("birthday")
        && let Some(date) = input.text("birthday").and_then(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok())
    {
        let value = if version3 { date.format("%Y-%m-%d") } else { date.format("%Y%m%d") };
        card.push(Property::new("BDAY", value.to_string()).with_param("VALUE", "date"));
    }
    listed(&mut card, input, "EMAIL", "emails");
    listed(&mut card, input, "TEL", "phones");
    address(&mut card, input);
    if let Some(kept) = input.kept {
        for p in &kept.properties {
            let regenerated = REGENERATED.iter().any(|r| r.eq_ignore_ascii_case(&p.name));
            match fields_of(&p.name) {
                _ if regenerated => {}
                // Not a field of the CRM: written back as it came.
                None => card.push(p.clone()),
                // A second address, note … (the CRM holds the chosen one),
                // to readers who see that field.
                Some(fields)
                    if ["ADR", "NOTE", "TITLE", "LANG"].contains(&p.name.as_str())
                        && !is_chosen(kept, p)
                        && fields.iter().all(|f| input.sees(f)) =>
                {
                    card.push(p.clone())
                }
                // A birthday without a year: the CRM cannot hold it.
                Some(_) if p.name == "BDAY" && birthday(p).is_none() && input.sees("birthday") => card.push(p.clone()),
                Some(_) => {}
            }
        }
    }
    if let Some(rev) = &input.revision {
        card.push(Property::new("REV", rev.clone()));
    }
    card.to_text()
}

/// The kept property of that name when it says what ours says (so its
/// parameters and spelling survive), else ours.
fn keep_if_same<T: PartialEq>(
    kept: Option<&Component>,
    name: &str,
    ours: Property,
    read: impl Fn(&Property) -> T,
) -> Property {
    match kept.and_then(|k| chosen(k, name)) {
        Some(k) if read(k) == read(&ours) => k.clone(),
        _ => ours,
    }
}

fn single_text(card: &mut Component, input: &CardInput, name: &str, field: &str) {
    if !input.sees(field) {
        return;
    }
    if let Some(text) = input.text(field) {
        let ours = Property::text(name, &text);
        card.push(keep_if_same(input.kept, name, ours, |p| p.text_value().trim().to_string()));
    }
}

/// Emails or phones: the record's, each in the kept property that holds it
/// when there is one (its TYPE survives); kept ones the CRM could not hold
/// written back as they came.
fn listed(card: &mut Component, input: &CardInput, name: &str, field: &str) {
    if !input.sees(field) {
        return;
    }
    let normalize = |p: &Property| {
        let text = if name == "TEL" { phone_text(p) } else { Some(p.text_value().trim().to_string()) };
        text.and_then(|t| (input.normalize)(field, &t))
    };
    let kept: Vec<&Property> = input.kept.map(|k| k.properties_named(name).collect()).unwrap_or_default();
    for value in input.list(field) {
        match kept.iter().find(|k| normalize(k).as_deref() == Some(value.as_str())) {
            Some(k) => card.push((*k).clone()),
            None => card.push(Property::text(name, &value)),
        }
    }
    for k in kept.iter().filter(|k| normalize(k).is_none()) {
        card.push((*k).clone());
    }
}

fn address(card: &mut Component, input: &CardInput) {
    let fields = ["street", "city", "region", "postal_code", "country"];
    if !fields.iter().all(|f| input.sees(f)) {
        return;
    }
    let parts: Vec<String> = fields.iter().map(|f| input.text(f).unwrap_or_default()).collect();
    if parts.iter().all(String::is_empty) {
        return;
    }
    let value = format!(";;{}", parts.iter().map(|p| content::escape_text(p)).collect::<Vec<_>>().join(";"));
    let ours = Property::new("ADR", value);
    card.push(keep_if_same(input.kept, "ADR", ours, |p| {
        p.components().iter().skip(2).take(5).map(|s| s.trim().to_string()).collect::<Vec<_>>()
    }));
}

#[cfg(test)]
mod tests {
    use super::*;

    const CARD3: &str = "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:abc-1\r\nFN:Anna Kowalska\r\nN:Kowalska;Anna;Maria;Dr.;\r\nNICKNAME:Ania\r\nTEL;TYPE=CELL:+48 601 234 567\r\nTEL;TYPE=WORK:*100#\r\nEMAIL;TYPE=INTERNET,WORK:anna@example.pl\r\nADR;TYPE=WORK:;;ul. Długa 5;Gdańsk;pomorskie;80-001;Poland\r\nADR;TYPE=HOME:;;Polna 1;Sopot;;81-001;Poland\r\nBDAY:1985-04-12\r\nX-SOCIALPROFILE;TYPE=twitter:anna\r\nEND:VCARD\r\n";

    fn normalize(field: &str, value: &str) -> Option<String> {
        match field {
            "phones" => {
                let digits: String = value.chars().filter(|c| c.is_ascii_digit() || *c == '+').collect();
                digits.starts_with('+').then_some(digits)
            }
            _ => Some(value.to_lowercase()),
        }
    }

    fn written_back(values: &Map<String, Json>, kept: &Component) -> String {
        card(&CardInput { uid: "abc-1", values, kept: Some(kept), revision: None, normalize: &normalize })
    }

    #[test]
    fn a_vcard_3_gives_the_contact_fields() {
        let card = parse(CARD3).unwrap();
        let f = fields(&card).unwrap();
        assert_eq!(f["first_name"], "Anna");
        assert_eq!(f["last_name"], "Kowalska");
        assert_eq!(f["phones"], json!(["+48 601 234 567", "*100#"]));
        assert_eq!(f["emails"], json!(["anna@example.pl"]));
        assert_eq!(f["street"], "ul. Długa 5");
        assert_eq!(f["city"], "Gdańsk");
        assert_eq!(f["postal_code"], "80-001");
        assert_eq!(f["birthday"], "1985-04-12");
        assert_eq!(f["notes"], Json::Null);
        assert_eq!(uid(&card).as_deref(), Some("abc-1"));
    }

    #[test]
    fn the_card_written_back_keeps_what_the_crm_does_not_hold() {
        let kept = parse(CARD3).unwrap();
        let mut values = fields(&kept).unwrap();
        values["phones"] = json!(["+48601234567"]);
        values["city"] = json!("Gdańsk");
        values["notes"] = json!("met at the fair; likes tea");
        let text = written_back(&values, &kept);
        let back = parse(&text).unwrap();
        assert_eq!(back.property("VERSION").unwrap().value, "3.0");
        assert_eq!(back.text_of("NICKNAME").unwrap(), "Ania");
        assert!(back.property("X-SOCIALPROFILE").is_some());
        // The middle name and prefix survive: N says the same first and last name.
        assert_eq!(back.property("N").unwrap().value, "Kowalska;Anna;Maria;Dr.;");
        let tels: Vec<_> =
            back.properties_named("TEL").map(|p| (p.param("TYPE").map(str::to_string), p.value.clone())).collect();
        assert_eq!(tels, [(Some("CELL".into()), "+48 601 234 567".into()), (Some("WORK".into()), "*100#".into())]);
        assert_eq!(back.properties_named("ADR").count(), 2);
        assert_eq!(back.text_of("NOTE").unwrap(), "met at the fair; likes tea");
        assert_eq!(fields(&back).unwrap()["birthday"], "1985-04-12");
    }

    #[test]
    fn fields_the_reader_may_not_see_never_reach_the_card_not_even_from_the_kept_one() {
        let kept = parse(CARD3).unwrap();
        let mut values = fields(&kept).unwrap();
        values.remove("phones");
        values.remove("street");
        let text = written_back(&values, &kept);
        assert!(!text.contains("TEL"), "{text}");
        assert!(!text.contains("601"), "{text}");
        assert!(!text.contains("ADR"), "{text}");
        assert!(text.contains("NICKNAME:Ania"));
    }

    #[test]
    fn a_fresh_card_is_vcard_4() {
        let values = json!({"first_name": "Jan", "last_name": "Nowak", "emails": ["jan@example.pl"], "birthday": "1970-01-31", "phones": null})
            .as_object()
            .unwrap()
            .clone();
        let text = card(&CardInput {
            uid: "u1",
            values: &values,
            kept: None,
            revision: Some("20261206T000000Z".into()),
            normalize: &normalize,
        });
        assert!(text.starts_with("BEGIN:VCARD\r\nVERSION:4.0\r\n"));
        assert!(text.contains("FN:Jan Nowak\r\n"));
        assert!(text.contains("N:Nowak;Jan;;;\r\n"));
        assert!(text.contains("BDAY;VALUE=date:19700131\r\n"));
        assert!(text.contains("REV:20261206T000000Z\r\n"));
    }

    #[test]
    fn cards_the_crm_cannot_take_are_refused_clearly() {
        assert!(
            parse("BEGIN:VCARD\nVERSION:2.1\nFN:x\nEND:VCARD").unwrap_err().message.contains("2.1 is not supported")
        );
        assert!(parse("BEGIN:VCALENDAR\nEND:VCALENDAR").is_err());
        let nameless = parse("BEGIN:VCARD\nVERSION:4.0\nEMAIL:a@b.c\nEND:VCARD").unwrap();
        assert!(fields(&nameless).unwrap_err().message.contains("name"));
        let single = parse("BEGIN:VCARD\nVERSION:4.0\nFN:Madonna\nEND:VCARD").unwrap();
        assert_eq!(fields(&single).unwrap()["last_name"], "Madonna");
        let no_year = parse("BEGIN:VCARD\nVERSION:4.0\nFN:A B\nBDAY:--0412\nEND:VCARD").unwrap();
        assert_eq!(fields(&no_year).unwrap()["birthday"], Json::Null);
    }
}
