//! Values as a recipient reads them in their language: amounts with the
//! language's separators and the currency's symbol where it goes, dates in
//! the local order. The languages are the workspace languages Relata ships
//! (English, Polish, Lithuanian, Russian, Bulgarian); others read English.

use chrono::{Datelike, NaiveDate};
use relata_core::money::{Money, minor_to_decimal};

/// The languages messages are written in.
pub const LANGUAGES: &[&str] = &["en", "pl", "lt", "ru", "bg"];

/// A language Relata writes in, from a contact's preference such as
/// `pl-PL` or `Polish`; `None` when it is none of them.
pub fn language(preference: &str) -> Option<&'static str> {
    let lower = preference.trim().to_ascii_lowercase();
    let code = lower.split(['-', '_']).next().unwrap_or_default();
    let named = match lower.as_str() {
        "english" => "en",
        "polish" | "polski" => "pl",
        "lithuanian" | "lietuvių" => "lt",
        "russian" => "ru",
        "bulgarian" => "bg",
        _ => code,
    };
    LANGUAGES.iter().copied().find(|l| *l == named)
}

fn symbol(code: &str) -> Option<&'static str> {
    Some(match code {
        "EUR" => "€",
        "USD" => "$",
        "GBP" => "£",
        "PLN" => "zł",
        "RUB" => "₽",
        "BGN" => "лв.",
        "UAH" => "₴",
        "CHF" => "CHF",
        _ => return None,
    })
}

/// `1234.5` as the language groups and separates it: `1,234.50` in
/// English, `1 234,50` (with no-break spaces) elsewhere.
pub fn number(plain: &str, language: &str) -> String {
    let (negative, digits) = match plain.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, plain),
    };
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    let (group, decimal) = if language == "en" { (",", ".") } else { ("\u{a0}", ",") };
    let mut grouped = String::with_capacity(whole.len() + whole.len() / 3 * 2);
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            grouped.push_str(group);
        }
        grouped.push(c);
    }
    let mut out = String::new();
    if negative {
        out.push('-');
    }
    out.push_str(&grouped);
    if !fraction.is_empty() {
        out.push_str(decimal);
        out.push_str(fraction);
    }
    out
}

/// An amount with its currency: `€1,234.50`, `1 234,50 zł`.
pub fn money(amount: &Money, language: &str) -> String {
    let code = amount.currency.code();
    let plain = number(&minor_to_decimal(amount.minor, amount.currency.exponent()), language);
    match (language, symbol(code)) {
        ("en", Some(s)) if ["EUR", "USD", "GBP"].contains(&code) => match plain.strip_prefix('-') {
            Some(positive) => format!("-{s}{positive}"),
            None => format!("{s}{plain}"),
        },
        ("en", _) => format!("{plain} {code}"),
        (_, Some(s)) => format!("{plain}\u{a0}{s}"),
        (_, None) => format!("{plain}\u{a0}{code}"),
    }
}

const MONTHS_EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// A date as the language writes it: `4 December 2026`, `04.12.2026`,
/// `2026-12-04`.
pub fn date(d: NaiveDate, language: &str) -> String {
    match language {
        "pl" | "ru" => d.format("%d.%m.%Y").to_string(),
        "bg" => format!("{} г.", d.format("%d.%m.%Y")),
        "lt" => d.format("%Y-%m-%d").to_string(),
        _ => format!("{} {} {}", d.day(), MONTHS_EN[d.month0() as usize], d.year()),
    }
}

/// Yes and no.
pub fn yes_no(value: bool, language: &str) -> &'static str {
    let [yes, no] = match language {
        "pl" => ["tak", "nie"],
        "lt" => ["taip", "ne"],
        "ru" => ["да", "нет"],
        "bg" => ["да", "не"],
        _ => ["yes", "no"],
    };
    if value { yes } else { no }
}

#[cfg(test)]
mod tests {
    use super::*;
    use relata_core::money::Currency;

    fn amount(minor: i64, code: &str) -> Money {
        Money::new(minor, Currency::parse(code).unwrap())
    }

    #[test]
    fn amounts_read_as_each_language_writes_them() {
        assert_eq!(money(&amount(16_900_000, "PLN"), "pl"), "169\u{a0}000,00\u{a0}zł");
        assert_eq!(money(&amount(16_900_000, "EUR"), "lt"), "169\u{a0}000,00\u{a0}€");
        assert_eq!(money(&amount(16_900_000, "EUR"), "en"), "€169,000.00");
        assert_eq!(money(&amount(-12_345, "USD"), "en"), "-$123.45");
        assert_eq!(money(&amount(12_345, "SEK"), "en"), "123.45 SEK");
        assert_eq!(money(&amount(100, "BGN"), "bg"), "1,00\u{a0}лв.");
        assert_eq!(number("1234567", "en"), "1,234,567");
        assert_eq!(number("-999.5", "ru"), "-999,5");
    }

    #[test]
    fn dates_and_languages() {
        let d = NaiveDate::from_ymd_opt(2026, 12, 4).unwrap();
        assert_eq!(date(d, "en"), "4 December 2026");
        assert_eq!(date(d, "pl"), "04.12.2026");
        assert_eq!(date(d, "lt"), "2026-12-04");
        assert_eq!(date(d, "bg"), "04.12.2026 г.");
        assert_eq!(language("pl-PL"), Some("pl"));
        assert_eq!(language("Russian"), Some("ru"));
        assert_eq!(language("de"), None);
    }
}
