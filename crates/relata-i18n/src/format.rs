//! Dates, times, numbers and money as people of a language read them (CLDR
//! data through ICU4X), in their own time zone; amounts read back from what
//! they type, refusing what could be read two ways.

use crate::{Language, Tr};
use chrono::{DateTime, Datelike, NaiveDate, Timelike, Utc};
use fixed_decimal::Decimal;
use icu_calendar::Gregorian;
use icu_datetime::FixedCalendarDateTimeFormatter;
use icu_datetime::fieldsets::{T, YMD, YMDT};
use icu_datetime::input::{Date, DateTime as IcuDateTime, Time};
use icu_datetime::options::TimePrecision;
use icu_decimal::DecimalFormatter;
use icu_locale_core::Locale;

/// The formatters of one language, made once.
struct Formatters {
    decimal: DecimalFormatter,
    date: FixedCalendarDateTimeFormatter<Gregorian, YMD>,
    date_time: FixedCalendarDateTimeFormatter<Gregorian, YMDT>,
    time: FixedCalendarDateTimeFormatter<Gregorian, T>,
}

thread_local! {
    // Per thread: ICU4X's formatters are not shared between threads (their
    // data may be reference-counted); each thread makes its own once.
    static ALL: Vec<Formatters> = Language::OFFERED.iter().map(|l| make(*l)).collect();
}

/// Runs `f` with the formatters of `language`.
fn with_formatters<R>(language: Language, f: impl FnOnce(&Formatters) -> R) -> R {
    ALL.with(|all| f(&all[language.index()]))
}

/// The formatters of one of the offered languages, from ICU4X's compiled
/// data, which has every one of them.
fn make(language: Language) -> Formatters {
    let locale: Locale = language.tag().parse().unwrap_or(Locale::UNKNOWN);
    let decimal =
        DecimalFormatter::try_new(locale.clone().into(), Default::default()).expect("number formats are compiled in");
    let minutes = TimePrecision::Minute;
    let date = FixedCalendarDateTimeFormatter::try_new(locale.clone().into(), YMD::medium())
        .expect("date formats are compiled in");
    let date_time =
        FixedCalendarDateTimeFormatter::try_new(locale.clone().into(), YMDT::medium().with_time_precision(minutes))
            .expect("date and time formats are compiled in");
    let time = FixedCalendarDateTimeFormatter::try_new(locale.into(), T::medium().with_time_precision(minutes))
        .expect("time formats are compiled in");
    Formatters { decimal, date, date_time, time }
}

fn icu_date(date: NaiveDate) -> Option<Date<Gregorian>> {
    Date::try_new_gregorian(date.year(), date.month() as u8, date.day() as u8).ok()
}

/// A moment in a time zone, as that zone's wall clock.
fn icu_local(at: DateTime<Utc>, zone: chrono_tz::Tz) -> Option<IcuDateTime<Gregorian>> {
    let local = at.with_timezone(&zone).naive_local();
    let date = icu_date(local.date())?;
    let time = Time::try_new(local.hour() as u8, local.minute() as u8, local.second() as u8, 0).ok()?;
    Some(IcuDateTime { date, time })
}

/// A date: `Dec 2, 2026`, `2 gru 2026`, `2 дек. 2026 г.`.
pub fn date(language: Language, date: NaiveDate) -> String {
    match icu_date(date) {
        Some(d) => with_formatters(language, |f| f.date.format(&d).to_string()),
        None => date.to_string(),
    }
}

/// A moment as the wall clock of `zone` shows it, to the minute:
/// `Dec 2, 2026, 2:05 PM`, `2 gru 2026, 14:05`.
pub fn date_time(language: Language, zone: chrono_tz::Tz, at: DateTime<Utc>) -> String {
    match icu_local(at, zone) {
        Some(local) => with_formatters(language, |f| f.date_time.format(&local).to_string()),
        None => at.to_rfc3339(),
    }
}

/// The time of day of a moment in `zone`: `14:05`, `2:05 PM`.
pub fn time(language: Language, zone: chrono_tz::Tz, at: DateTime<Utc>) -> String {
    match icu_local(at, zone) {
        Some(local) => with_formatters(language, |f| f.time.format(&local).to_string()),
        None => at.to_rfc3339(),
    }
}

/// How long ago or how soon, as people say it ("3 days ago", "in 2
/// hours"); past a month, the date itself.
pub fn relative(tr: Tr, zone: chrono_tz::Tz, at: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let seconds = (at - now).num_seconds();
    let (ahead, span) = (seconds > 0, seconds.unsigned_abs() as i64);
    let direction = if ahead { "ahead" } else { "ago" };
    if span < 60 {
        return tr.t("relative-now");
    }
    let (unit, count) = match span {
        s if s < 3_600 => ("minutes", s / 60),
        s if s < 86_400 => ("hours", s / 3_600),
        s if s < 31 * 86_400 => ("days", s / 86_400),
        _ => return date(tr.language, at.with_timezone(&zone).date_naive()),
    };
    tr.count(&format!("relative-{unit}-{direction}"), count)
}

/// A number with `scale` decimals given in hundredths and such (`minor`),
/// with the language's separators: `169 000,00`, `169,000.00`.
pub fn decimal(language: Language, minor: i64, scale: u8) -> String {
    let mut value = Decimal::from(minor);
    value.multiply_pow10(-(scale as i16));
    value.absolute.pad_end(-(scale as i16));
    with_formatters(language, |f| f.decimal.format(&value).to_string())
}

/// A whole number with the language's grouping: `1 234`, `1,234`.
pub fn integer(language: Language, n: i64) -> String {
    decimal(language, n, 0)
}

/// A share (0.25 is 25 %), with the language's sign and spacing.
pub fn percent(language: Language, hundredths_of_percent: i64) -> String {
    let number = decimal(language, hundredths_of_percent, 2);
    let number = number.trim_end_matches(['0']).trim_end_matches(['.', ',']).to_string();
    match language {
        Language::En | Language::Pseudo => format!("{number}%"),
        _ => format!("{number}\u{a0}%"),
    }
}

/// An amount of money in minor units with its currency's symbol where the
/// language puts it: `€169,000.00`, `169 000,00 zł`, `169 000,00 €`.
pub fn money(language: Language, minor: i64, currency: &str) -> String {
    let exponent = relata_core::money::Currency::parse(currency).map_or(2, |c| c.exponent());
    let number = decimal(language, minor, exponent);
    let symbol = symbol(language, currency);
    match language {
        // CLDR's English pattern is "¤#,##0.00": the symbol first, a space
        // only after a code.
        Language::En | Language::Pseudo => {
            let (sign, number) = match number.strip_prefix('-') {
                Some(rest) => ("-", rest.to_string()),
                None => ("", number),
            };
            let gap = if symbol.chars().all(|c| c.is_ascii_uppercase()) { "\u{a0}" } else { "" };
            format!("{sign}{symbol}{gap}{number}")
        }
        // Polish, Lithuanian, Russian and Bulgarian: "#,##0.00 ¤".
        _ => format!("{number}\u{a0}{symbol}"),
    }
}

/// A currency's symbol in a language (CLDR's, for the currencies Relata's
/// customers bill in); its ISO code where the language has none.
fn symbol(language: Language, currency: &str) -> String {
    let symbol = match (language, currency) {
        (_, "EUR") => "€",
        (Language::Pl, "PLN") => "zł",
        (Language::En | Language::Pseudo, "USD") => "$",
        (Language::En | Language::Pseudo, "GBP") => "£",
        (Language::Ru, "USD") => "$",
        (Language::Ru, "RUB") => "₽",
        (Language::Ru, "GBP") => "£",
        (Language::Bg, "BGN") => "лв.",
        (Language::Lt, "USD") => "USD",
        (Language::Ru, "UAH") | (Language::En | Language::Pseudo, "UAH") => "UAH",
        _ => currency,
    };
    symbol.to_string()
}

/// Why typed text is not an amount.
#[derive(Debug, PartialEq, Eq)]
pub enum AmountError {
    /// Not a number at all.
    NotANumber,
    /// More decimals than the currency has.
    TooPrecise {
        decimals: u8,
    },
    /// `1.234` typed by someone whose decimal sign is a comma: a thousand
    /// two hundred and thirty-four, or one and a bit?
    Ambiguous {
        read_as_group: String,
        read_as_decimal: String,
    },
    TooLarge,
}

impl AmountError {
    /// The message shown next to the field, in the person's language.
    pub fn message(&self, tr: Tr) -> String {
        match self {
            AmountError::NotANumber => tr.t("amount-not-a-number"),
            AmountError::TooPrecise { decimals } => tr.count("amount-too-precise", *decimals as i64),
            AmountError::Ambiguous { read_as_group, read_as_decimal } => tr.t_with(
                "amount-ambiguous",
                &[("grouped", read_as_group.as_str().into()), ("decimal", read_as_decimal.as_str().into())],
            ),
            AmountError::TooLarge => tr.t("amount-too-large"),
        }
    }
}

/// The decimal sign of a language.
pub fn decimal_sign(language: Language) -> char {
    match language {
        Language::En | Language::Pseudo => '.',
        _ => ',',
    }
}

/// An amount typed by someone of `language` (`1 234,50` in Polish,
/// `1,234.50` in English), in minor units of a currency with `exponent`
/// decimals. Spaces (ordinary, no-break, thin) and apostrophes group
/// digits; the language's decimal sign is the decimal sign. The other sign
/// is read as grouping only where that is the only reading (`1.234.567`,
/// `1.234,50`); a lone `1.234` typed with a comma for decimals is refused
/// as ambiguous rather than guessed.
pub fn parse_amount(language: Language, text: &str, exponent: u8) -> Result<i64, AmountError> {
    let own = decimal_sign(language);
    let other = if own == '.' { ',' } else { '.' };
    let mut cleaned: String =
        text.trim().chars().filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}' | '\u{2009}' | '\'')).collect();
    let negative = cleaned.starts_with('-') || cleaned.starts_with('\u{2212}');
    if negative {
        cleaned = cleaned.trim_start_matches(['-', '\u{2212}']).to_string();
    }
    if cleaned.is_empty() || !cleaned.chars().all(|c| c.is_ascii_digit() || c == own || c == other) {
        return Err(AmountError::NotANumber);
    }
    let others = cleaned.matches(other).count();
    let owns = cleaned.matches(own).count();
    if owns > 1 {
        return Err(AmountError::NotANumber);
    }
    // The other sign: grouping when it is used as grouping (groups of three,
    // before any decimal sign).
    let (whole, fraction) = match cleaned.split_once(own) {
        Some((whole, fraction)) => (whole.to_string(), fraction.to_string()),
        None => (cleaned.clone(), String::new()),
    };
    if fraction.contains(other) {
        return Err(AmountError::NotANumber);
    }
    let whole = if others > 0 {
        let groups: Vec<&str> = whole.split(other).collect();
        let grouped = !groups[0].is_empty() && groups[0].len() <= 3 && groups[1..].iter().all(|g| g.len() == 3);
        if !grouped {
            // `12,5` typed in English, `1.5` in Polish: the other language's
            // decimal sign. One sign, not groups of three: read as a decimal
            // sign, which is the only reading.
            if others == 1 && owns == 0 {
                return parse_amount_plain(negative, groups[0], groups[1], exponent);
            }
            return Err(AmountError::NotANumber);
        }
        // English groups with the comma itself; the other languages with
        // spaces, so a lone dot there may be German grouping or English
        // decimals.
        let own_grouping = matches!(language, Language::En | Language::Pseudo);
        if others == 1 && owns == 0 && !own_grouping {
            // `1.234`: a thousand and more, or one and a bit.
            let digits = groups.concat();
            return Err(AmountError::Ambiguous {
                read_as_group: digits.trim_start_matches('0').to_string(),
                read_as_decimal: format!("{}{own}{}", groups[0], groups[1]),
            });
        }
        groups.concat()
    } else {
        whole
    };
    parse_amount_plain(negative, &whole, &fraction, exponent)
}

fn parse_amount_plain(negative: bool, whole: &str, fraction: &str, exponent: u8) -> Result<i64, AmountError> {
    if whole.is_empty() && fraction.is_empty() {
        return Err(AmountError::NotANumber);
    }
    let fraction = fraction.trim_end_matches('0');
    if fraction.len() > exponent as usize {
        return Err(AmountError::TooPrecise { decimals: exponent });
    }
    let digits = format!("{whole}{fraction:0<width$}", width = exponent as usize);
    let digits = if digits.is_empty() { "0" } else { digits.as_str() };
    let minor: i64 = digits.parse().map_err(|_| AmountError::TooLarge)?;
    Ok(if negative { -minor } else { minor })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    const NBSP: char = '\u{a0}';

    #[test]
    fn money_has_each_languages_separators_and_symbol() {
        assert_eq!(money(Language::En, 16_900_000, "EUR"), "€169,000.00");
        assert_eq!(money(Language::Pl, 16_900_000, "PLN"), format!("169{NBSP}000,00{NBSP}zł"));
        assert_eq!(money(Language::Pl, 16_900_000, "EUR"), format!("169{NBSP}000,00{NBSP}€"));
        assert_eq!(money(Language::Ru, 123_450, "EUR"), format!("1{NBSP}234,50{NBSP}€"));
        assert_eq!(money(Language::En, -5_000, "USD"), "-$50.00");
        assert_eq!(money(Language::En, 5_000, "PLN"), format!("PLN{NBSP}50.00"));
        // Polish groups from five digits on (CLDR's minimum grouping).
        assert_eq!(decimal(Language::Pl, 123_450, 2), "1234,50");
        assert_eq!(integer(Language::En, 1_234_567), "1,234,567");
        assert_eq!(percent(Language::Pl, 2_550), format!("25,5{NBSP}%"));
        assert_eq!(percent(Language::En, 4_000), "40%");
    }

    #[test]
    fn dates_and_times_are_in_the_zone_and_the_language() {
        let at = Utc.with_ymd_and_hms(2026, 12, 2, 13, 5, 0).unwrap();
        let warsaw: chrono_tz::Tz = "Europe/Warsaw".parse().unwrap();
        assert_eq!(date_time(Language::En, warsaw, at), "Dec 2, 2026, 2:05\u{202f}PM");
        assert_eq!(date_time(Language::Pl, warsaw, at), "2 gru 2026, 14:05");
        assert_eq!(time(Language::En, chrono_tz::UTC, at), "1:05\u{202f}PM");
        assert_eq!(time(Language::Bg, chrono_tz::UTC, at), "13:05 ч.");
        let day = NaiveDate::from_ymd_opt(2026, 12, 2).unwrap();
        assert_eq!(date(Language::Ru, day), "2 дек. 2026\u{202f}г.");
    }

    #[test]
    fn relative_times_read_as_people_say_them() {
        let now = Utc.with_ymd_and_hms(2026, 12, 2, 12, 0, 0).unwrap();
        let en = Tr::new(Language::En);
        let z = chrono_tz::UTC;
        assert_eq!(relative(en, z, now - chrono::Duration::days(3), now), "3 days ago");
        assert_eq!(relative(en, z, now + chrono::Duration::hours(2), now), "in 2 hours");
        assert_eq!(relative(en, z, now - chrono::Duration::seconds(20), now), "just now");
        assert_eq!(relative(Tr::new(Language::Pl), z, now - chrono::Duration::minutes(5), now), "5 minut temu");
        assert_eq!(relative(en, z, now - chrono::Duration::days(60), now), "Oct 3, 2026");
    }

    #[test]
    fn amounts_are_read_in_the_persons_format_and_ambiguity_is_refused() {
        assert_eq!(parse_amount(Language::Pl, "1 234,50", 2), Ok(123_450));
        assert_eq!(parse_amount(Language::Pl, "1\u{a0}234,5", 2), Ok(123_450));
        assert_eq!(parse_amount(Language::Pl, "1.234,50", 2), Ok(123_450));
        assert_eq!(parse_amount(Language::Pl, "1.234.567", 2), Ok(123_456_700));
        assert_eq!(parse_amount(Language::Pl, "12.5", 2), Ok(1_250));
        assert_eq!(parse_amount(Language::En, "1,234.50", 2), Ok(123_450));
        assert_eq!(parse_amount(Language::En, "-12", 2), Ok(-1_200));
        assert_eq!(parse_amount(Language::En, "12,5", 2), Ok(1_250));
        assert_eq!(
            parse_amount(Language::Pl, "1.234", 2),
            Err(AmountError::Ambiguous { read_as_group: "1234".into(), read_as_decimal: "1,234".into() })
        );
        assert_eq!(parse_amount(Language::En, "1,234", 2), Ok(123_400));
        assert_eq!(
            parse_amount(Language::Lt, "2.500", 2),
            Err(AmountError::Ambiguous { read_as_group: "2500".into(), read_as_decimal: "2,500".into() })
        );
        assert_eq!(parse_amount(Language::Pl, "1,234", 2), Err(AmountError::TooPrecise { decimals: 2 }));
        assert_eq!(parse_amount(Language::En, "1.234", 2), Err(AmountError::TooPrecise { decimals: 2 }));
        assert_eq!(parse_amount(Language::En, "12abc", 2), Err(AmountError::NotANumber));
        assert_eq!(parse_amount(Language::En, "1.2.3", 2), Err(AmountError::NotANumber));
        assert_eq!(parse_amount(Language::En, "", 2), Err(AmountError::NotANumber));
        assert_eq!(parse_amount(Language::En, "99999999999999999999", 2), Err(AmountError::TooLarge));
        let message = parse_amount(Language::Pl, "1.234", 2).unwrap_err().message(Tr::new(Language::Pl));
        assert!(message.contains("1234") && message.contains("1,234"), "{message}");
    }
}
