//! The UI in people's own languages.
//!
//! - [`Language`]: the languages the UI is written in, and the choice of one
//!   (a person's profile, else their browser's `Accept-Language`, else the
//!   workspace's default).
//! - [`catalogue`]: every string the UI shows, from Fluent message
//!   catalogues (`locales/<language>/ui.ftl`), with CLDR plural rules.
//! - [`format`]: dates and times in a person's time zone, numbers and money
//!   in their language's CLDR format, and amounts read back from what they
//!   type.

pub mod catalogue;
pub mod format;

pub use catalogue::{Arg, Tr, entity_one, option, refusal, refused};

/// A language the UI is written in. `Pseudo` is English made strange
/// (accented, bracketed) for the test that finds text not taken from a
/// catalogue; people can choose it too (its tag is `en-XA`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Language {
    En,
    Pl,
    Lt,
    Ru,
    Bg,
    Pseudo,
}

impl Language {
    /// The languages people can choose, in the order a menu lists them.
    pub const OFFERED: [Language; 5] = [Language::En, Language::Pl, Language::Lt, Language::Ru, Language::Bg];

    /// The language whose catalogue, plural rules and CLDR formats this one
    /// uses: its own, English's for the pseudo-language.
    pub fn data(self) -> Language {
        if self == Language::Pseudo { Language::En } else { self }
    }

    /// Where this language's data stands in [`Language::OFFERED`] (for the
    /// tables built once per language).
    pub(crate) fn index(self) -> usize {
        Language::OFFERED.iter().position(|l| *l == self.data()).unwrap_or(0)
    }

    /// The BCP 47 tag (`pl`), as `<html lang>` and the profile keep it.
    pub fn tag(self) -> &'static str {
        match self {
            Language::En => "en",
            Language::Pl => "pl",
            Language::Lt => "lt",
            Language::Ru => "ru",
            Language::Bg => "bg",
            Language::Pseudo => "en-XA",
        }
    }

    /// The language's own name for itself, for the language menu.
    pub fn native_name(self) -> &'static str {
        match self {
            Language::En => "English",
            Language::Pl => "Polski",
            Language::Lt => "Lietuvių",
            Language::Ru => "Русский",
            Language::Bg => "Български",
            Language::Pseudo => "Ëñğłîšĥ (pseudo)",
        }
    }

    /// The language a tag names: `pl`, `pl-PL` and `PL_pl` are Polish;
    /// `en-XA` is the pseudo-language. A tag of a language Relata is not
    /// written in, or no tag at all, is refused with the reason.
    pub fn parse(tag: &str) -> Result<Language, String> {
        let tag = tag.trim();
        if tag.eq_ignore_ascii_case("en-XA") || tag.eq_ignore_ascii_case("en_XA") {
            return Ok(Language::Pseudo);
        }
        let primary = tag.split(['-', '_']).next().unwrap_or_default();
        let well_formed = (2..=8).contains(&primary.len()) && primary.bytes().all(|b| b.is_ascii_alphabetic());
        if !well_formed {
            return Err(format!("{tag:?} is not a language tag (such as \"pl\" or \"en-GB\")"));
        }
        Language::OFFERED.into_iter().find(|l| l.tag().eq_ignore_ascii_case(primary)).ok_or_else(|| {
            let offered: Vec<&str> = Language::OFFERED.iter().map(|l| l.tag()).collect();
            format!("Relata is not written in {tag:?}; choose one of {}", offered.join(", "))
        })
    }

    /// The first language of an `Accept-Language` header Relata is written
    /// in, by the header's preference (`q`); `None` for a header that names
    /// none of them. Malformed items are skipped, never an error: a browser
    /// that sends nonsense still gets a page.
    pub fn from_accept_language(header: &str) -> Option<Language> {
        let mut wanted: Vec<(u16, usize, Language)> = Vec::new();
        for (position, item) in header.split(',').enumerate().take(32) {
            let mut parts = item.split(';');
            let tag = parts.next().unwrap_or_default().trim();
            let mut quality = 1000u16;
            for parameter in parts {
                let Some((name, value)) = parameter.split_once('=') else { continue };
                if name.trim().eq_ignore_ascii_case("q") {
                    quality = parse_quality(value.trim()).unwrap_or(0);
                }
            }
            if quality == 0 {
                continue;
            }
            if let Ok(language) = Language::parse(tag) {
                wanted.push((quality, position, language));
            }
        }
        wanted.sort_by_key(|(quality, position, _)| (std::cmp::Reverse(*quality), *position));
        wanted.first().map(|(_, _, language)| *language)
    }

    /// Whose language a page is in: the person's own choice, else their
    /// browser's, else the workspace's.
    pub fn choose(profile: Option<&str>, accept_language: Option<&str>, workspace: Option<&str>) -> Language {
        profile
            .and_then(|p| Language::parse(p).ok())
            .or_else(|| accept_language.and_then(Language::from_accept_language))
            .or_else(|| workspace.and_then(|w| Language::parse(w).ok()))
            .unwrap_or(Language::En)
    }
}

/// How one person reads: their language and their time zone. Pages format
/// every date, number and amount through it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Locale {
    pub language: Language,
    pub zone: chrono_tz::Tz,
}

impl Locale {
    pub fn new(language: Language, zone: chrono_tz::Tz) -> Locale {
        Locale { language, zone }
    }

    /// The person's language and time zone: their own choice, else their
    /// browser's language and the workspace's; a stored value that no
    /// longer parses counts as none.
    pub fn choose(
        (profile_language, profile_zone): (Option<&str>, Option<&str>),
        accept_language: Option<&str>,
        (workspace_language, workspace_zone): (Option<&str>, Option<&str>),
    ) -> Locale {
        let language = Language::choose(profile_language, accept_language, workspace_language);
        let zone = [profile_zone, workspace_zone]
            .into_iter()
            .flatten()
            .find_map(|z| parse_time_zone(z).ok())
            .unwrap_or(chrono_tz::UTC);
        Locale { language, zone }
    }

    /// The person's strings.
    pub fn tr(&self) -> Tr {
        Tr::new(self.language)
    }

    pub fn money(&self, minor: i64, currency: &str) -> String {
        format::money(self.language, minor, currency)
    }

    pub fn moment(&self, at: &chrono::DateTime<chrono::Utc>) -> String {
        format::date_time(self.language, self.zone, *at)
    }

    pub fn date(&self, date: &chrono::NaiveDate) -> String {
        format::date(self.language, *date)
    }

    pub fn integer(&self, n: i64) -> String {
        format::integer(self.language, n)
    }

    /// A percentage given as such (`66.7`), to a hundredth.
    pub fn percent(&self, percent: f64) -> String {
        format::percent(self.language, (percent * 100.0).round() as i64)
    }

    /// "3 days ago", "in 2 hours" (past a month, the date).
    pub fn relative(&self, at: &chrono::DateTime<chrono::Utc>, now: &chrono::DateTime<chrono::Utc>) -> String {
        format::relative(self.tr(), self.zone, *at, *now)
    }

    /// A value of `field` as this person reads it: a choice shows its
    /// option's label (in the language the field's schema was localized to).
    pub fn field_value(&self, field: &relata_core::meta::FieldDef, value: &relata_core::value::FieldValue) -> String {
        use relata_core::value::FieldValue;
        match value {
            FieldValue::Text(option) if field.ty.options().is_some() => field.option_label(option).to_string(),
            FieldValue::List(options) if field.ty.options().is_some() => {
                options.iter().map(|o| field.option_label(o)).collect::<Vec<_>>().join(", ")
            }
            other => self.value(other),
        }
    }

    /// A field's value as this person reads it; text as it is.
    pub fn value(&self, value: &relata_core::value::FieldValue) -> String {
        use relata_core::value::FieldValue;
        match value {
            FieldValue::Money(m) => self.money(m.minor, m.currency.code()),
            FieldValue::DateTime(t) => self.moment(t),
            FieldValue::Date(d) => self.date(d),
            FieldValue::Int(n) => self.integer(*n),
            FieldValue::Decimal(d) => match i64::try_from(d.mantissa()) {
                Ok(scaled) => format::decimal(self.language, scaled, d.scale() as u8),
                Err(_) => d.to_string(),
            },
            FieldValue::Bool(b) => self.tr().t(if *b { "value-yes" } else { "value-no" }),
            FieldValue::List(items) => items.join(", "),
            other => other.to_csv(),
        }
    }
}

/// A quality value (`0.8`) in thousandths; `None` when it is not one.
fn parse_quality(value: &str) -> Option<u16> {
    let (whole, fraction) = value.split_once('.').unwrap_or((value, ""));
    if fraction.len() > 3 || !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let digits = format!("{fraction:0<3}");
    match whole {
        "0" => digits.parse().ok(),
        "1" if digits.bytes().all(|b| b == b'0') => Some(1000),
        _ => None,
    }
}

pub use chrono_tz::Tz;

/// The time zones people choose from: the IANA zones of places
/// (`Europe/Warsaw`) and UTC, sorted.
pub fn zone_names() -> Vec<&'static str> {
    let place = |n: &&str| {
        n.contains('/') && !n.starts_with("Etc/") && !n.starts_with("US/") && n.starts_with(char::is_uppercase)
    };
    let mut zones: Vec<&'static str> = chrono_tz::TZ_VARIANTS.iter().map(|z| z.name()).filter(place).collect();
    zones.push("UTC");
    zones.sort_unstable();
    zones
}

/// A time zone as people choose it: an IANA name (`Europe/Warsaw`), or the
/// reason it is none.
pub fn parse_time_zone(name: &str) -> Result<chrono_tz::Tz, String> {
    name.trim()
        .parse::<chrono_tz::Tz>()
        .map_err(|_| format!("{name:?} is not a time zone; use an IANA name such as \"Europe/Warsaw\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_name_languages_or_say_why_not() {
        assert_eq!(Language::parse("pl"), Ok(Language::Pl));
        assert_eq!(Language::parse("pl-PL"), Ok(Language::Pl));
        assert_eq!(Language::parse("RU_ru"), Ok(Language::Ru));
        assert_eq!(Language::parse("en-XA"), Ok(Language::Pseudo));
        assert!(Language::parse("de").unwrap_err().contains("not written in"));
        assert!(Language::parse("").unwrap_err().contains("not a language tag"));
        assert!(Language::parse("p1").unwrap_err().contains("not a language tag"));
    }

    #[test]
    fn the_browser_header_is_read_by_preference_and_survives_nonsense() {
        assert_eq!(Language::from_accept_language("de-DE,lt;q=0.8,pl;q=0.9"), Some(Language::Pl));
        assert_eq!(Language::from_accept_language("bg, en;q=0.5"), Some(Language::Bg));
        assert_eq!(Language::from_accept_language("ru;q=0, en;q=0.1"), Some(Language::En));
        assert_eq!(Language::from_accept_language("de, fr"), None);
        assert_eq!(Language::from_accept_language(";;;,==,q=,pl;q=abc,lt;q=2"), None);
        assert_eq!(Language::from_accept_language("*"), None);
        assert_eq!(Language::from_accept_language(""), None);
    }

    #[test]
    fn the_profile_wins_then_the_browser_then_the_workspace() {
        assert_eq!(Language::choose(Some("lt"), Some("pl"), Some("ru")), Language::Lt);
        assert_eq!(Language::choose(None, Some("pl"), Some("ru")), Language::Pl);
        assert_eq!(Language::choose(None, Some("de"), Some("ru")), Language::Ru);
        assert_eq!(Language::choose(Some("xx"), None, None), Language::En);
    }

    #[test]
    fn time_zones_are_iana_names() {
        assert_eq!(parse_time_zone("Europe/Warsaw").map(|z| z.name()), Ok("Europe/Warsaw"));
        assert!(parse_time_zone("Mars/Olympus").unwrap_err().contains("not a time zone"));
    }
}
