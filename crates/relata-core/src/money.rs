//! Money: integer minor units plus an ISO 4217 currency. Never floats.

use serde::Serialize;
use std::fmt;

/// An ISO 4217 currency Relata knows, with its number of minor-unit digits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Currency {
    code: &'static str,
    exponent: u8,
}

/// The active ISO 4217 currencies Relata accepts, with their minor-unit digits.
const CURRENCIES: &[(&str, u8)] = &[
    ("AED", 2),
    ("ARS", 2),
    ("AUD", 2),
    ("BGN", 2),
    ("BHD", 3),
    ("BRL", 2),
    ("CAD", 2),
    ("CHF", 2),
    ("CLP", 0),
    ("CNY", 2),
    ("COP", 2),
    ("CZK", 2),
    ("DKK", 2),
    ("EGP", 2),
    ("EUR", 2),
    ("GBP", 2),
    ("HKD", 2),
    ("HUF", 2),
    ("IDR", 2),
    ("ILS", 2),
    ("INR", 2),
    ("ISK", 0),
    ("JOD", 3),
    ("JPY", 0),
    ("KRW", 0),
    ("KWD", 3),
    ("KZT", 2),
    ("MAD", 2),
    ("MXN", 2),
    ("MYR", 2),
    ("NGN", 2),
    ("NOK", 2),
    ("NZD", 2),
    ("OMR", 3),
    ("PEN", 2),
    ("PHP", 2),
    ("PKR", 2),
    ("PLN", 2),
    ("QAR", 2),
    ("RON", 2),
    ("RSD", 2),
    ("SAR", 2),
    ("SEK", 2),
    ("SGD", 2),
    ("THB", 2),
    ("TND", 3),
    ("TRY", 2),
    ("TWD", 2),
    ("UAH", 2),
    ("USD", 2),
    ("VND", 0),
    ("ZAR", 2),
];

impl Currency {
    pub fn parse(code: &str) -> Option<Currency> {
        let upper = code.trim().to_ascii_uppercase();
        CURRENCIES.iter().find(|(c, _)| *c == upper).map(|&(code, exponent)| Currency { code, exponent })
    }
    pub fn code(&self) -> &'static str {
        self.code
    }
    pub fn exponent(&self) -> u8 {
        self.exponent
    }
    fn scale(&self) -> i64 {
        10i64.pow(self.exponent as u32)
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code)
    }
}

/// An amount of money in minor units (cents) of its currency.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Money {
    pub minor: i64,
    pub currency: Currency,
}

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct MoneyError(pub String);

impl Money {
    pub fn new(minor: i64, currency: Currency) -> Money {
        Money { minor, currency }
    }

    /// Parses a decimal amount in major units ("1250.5", "-3", "1 000,00" is
    /// refused: one dot as the decimal separator, no grouping).
    pub fn parse_major(amount: &str, currency: Currency) -> Result<Money, MoneyError> {
        Ok(Money { minor: parse_decimal_to_minor(amount, currency.exponent)?, currency })
    }

    /// The amount in major units as an exact decimal string ("1250.50").
    pub fn major_string(&self) -> String {
        minor_to_decimal(self.minor, self.currency.exponent)
    }
}

/// Parses a decimal string to an integer scaled by 10^exponent, refusing more
/// fractional digits than the exponent allows and values that overflow.
pub fn parse_decimal_to_minor(amount: &str, exponent: u8) -> Result<i64, MoneyError> {
    let s = amount.trim();
    let (negative, digits) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    let (whole, frac) = digits.split_once('.').unwrap_or((digits, ""));
    let well_formed = !whole.is_empty()
        && whole.chars().all(|c| c.is_ascii_digit())
        && frac.chars().all(|c| c.is_ascii_digit())
        && !(digits.contains('.') && frac.is_empty());
    if !well_formed {
        return Err(MoneyError(format!("{s:?} is not a decimal amount like 1250.50")));
    }
    if frac.len() > exponent as usize {
        return Err(MoneyError(format!("{s:?} has more than {exponent} decimal places")));
    }
    let overflow = || MoneyError(format!("{s:?} is too large"));
    let scale = 10i64.pow(exponent as u32);
    let whole: i64 = whole.parse().map_err(|_| overflow())?;
    let frac_padded = format!("{frac:0<width$}", width = exponent as usize);
    let frac: i64 = if frac_padded.is_empty() { 0 } else { frac_padded.parse().map_err(|_| overflow())? };
    let minor = whole.checked_mul(scale).and_then(|w| w.checked_add(frac)).ok_or_else(overflow)?;
    Ok(if negative { -minor } else { minor })
}

/// Formats an integer scaled by 10^exponent as an exact decimal string.
pub fn minor_to_decimal(minor: i64, exponent: u8) -> String {
    if exponent == 0 {
        return minor.to_string();
    }
    let scale = 10u64.pow(exponent as u32);
    let abs = minor.unsigned_abs();
    let sign = if minor < 0 { "-" } else { "" };
    format!("{sign}{}.{:0width$}", abs / scale, abs % scale, width = exponent as usize)
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.major_string(), self.currency)
    }
}

impl Serialize for Money {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("Money", 3)?;
        st.serialize_field("amount", &self.major_string())?;
        st.serialize_field("amount_minor", &self.minor)?;
        st.serialize_field("currency", self.currency.code)?;
        st.end()
    }
}

impl Currency {
    /// Converts a whole number of major units to minor units, saturating.
    pub fn major_to_minor(&self, major: i64) -> i64 {
        major.saturating_mul(self.scale())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_exact_amounts() {
        let eur = Currency::parse("eur").unwrap();
        assert_eq!(Money::parse_major("1250.5", eur).unwrap().minor, 125050);
        assert_eq!(Money::parse_major("-3", eur).unwrap().minor, -300);
        assert_eq!(Money::parse_major("0.07", eur).unwrap().major_string(), "0.07");
        let jpy = Currency::parse("JPY").unwrap();
        assert_eq!(Money::parse_major("1500", jpy).unwrap().major_string(), "1500");
        let kwd = Currency::parse("KWD").unwrap();
        assert_eq!(Money::new(-1005, kwd).major_string(), "-1.005");
    }

    #[test]
    fn refuses_ambiguous_or_overflowing_amounts() {
        let eur = Currency::parse("EUR").unwrap();
        for bad in ["1,5", "12.345", "abc", "", "1.", ".5", "99999999999999999999", "1e3"] {
            assert!(Money::parse_major(bad, eur).is_err(), "{bad:?}");
        }
        assert!(Money::parse_major("1.5", Currency::parse("JPY").unwrap()).is_err());
        assert!(Currency::parse("XYZ").is_none());
    }
}
