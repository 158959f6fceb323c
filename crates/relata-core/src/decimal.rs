//! Exact decimals of a fixed scale: quantities, unit prices finer than the
//! minor unit, tax and discount rates. A field's scale (places after the
//! point) is part of its type; values are stored as whole numbers of that
//! scale (`2.5` at scale 3 is `2500`), so both backends keep them exactly,
//! compare them as integers and sort them in order.

pub use rust_decimal::Decimal;
use std::str::FromStr;

/// At most this many digits in all: the scaled value fits in a BIGINT.
pub const MAX_DIGITS: u32 = 18;

/// The largest scale a field may have.
pub const MAX_SCALE: u32 = 9;

/// Why a text is not a decimal of the scale asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecimalError(pub String);

/// Parses `12.5`, `-0.125`, `1e3` is refused (people write decimals); more
/// places than `scale` is an error, never a silent rounding.
pub fn parse(text: &str, scale: u32) -> Result<Decimal, DecimalError> {
    let t = text.trim();
    let plain = !t.is_empty()
        && t.trim_start_matches(['-', '+']).chars().all(|c| c.is_ascii_digit() || c == '.')
        && t.matches('.').count() <= 1
        && t.trim_start_matches(['-', '+']).chars().any(|c| c.is_ascii_digit());
    if !plain {
        return Err(DecimalError(format!("{t:?} is not a decimal number like 12.5")));
    }
    let value = Decimal::from_str(t).map_err(|_| DecimalError(format!("{t:?} has too many digits")))?;
    let value = value.normalize();
    if value.scale() > scale {
        return Err(DecimalError(format!("at most {scale} decimal places")));
    }
    at_scale(value, scale)
}

/// The value at exactly `scale` places, if it has at most [`MAX_DIGITS`] digits.
pub fn at_scale(value: Decimal, scale: u32) -> Result<Decimal, DecimalError> {
    let mut v = value;
    v.rescale(scale);
    if v != value || v.mantissa().unsigned_abs() >= 10u128.pow(MAX_DIGITS) {
        return Err(DecimalError(format!("at most {MAX_DIGITS} digits, {scale} of them after the point")));
    }
    Ok(v)
}

/// The stored form: a whole number of units of the scale.
pub fn to_scaled(value: Decimal, scale: u32) -> i64 {
    let mut v = value;
    v.rescale(scale);
    i64::try_from(v.mantissa()).unwrap_or(if v.is_sign_negative() { i64::MIN } else { i64::MAX })
}

/// The value a stored whole number stands for.
pub fn from_scaled(units: i64, scale: u32) -> Decimal {
    Decimal::new(units, scale)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_keep_their_scale_and_refuse_what_they_cannot_hold() {
        assert_eq!(parse("2.5", 3).unwrap().to_string(), "2.500");
        assert_eq!(parse(" -0.125 ", 3).unwrap().to_string(), "-0.125");
        assert_eq!(parse("7", 0).unwrap().to_string(), "7");
        assert_eq!(parse("2.50", 1).unwrap().to_string(), "2.5", "trailing zeros are not places");
        assert_eq!(parse("0.1255", 3).unwrap_err().0, "at most 3 decimal places");
        assert!(parse("1e3", 2).is_err());
        assert!(parse("12,5", 2).is_err());
        assert!(parse("", 2).is_err());
        assert!(parse("-", 2).is_err());
        assert!(parse("1.2.3", 2).is_err());
        assert!(parse("123456789012345678", 0).is_ok());
        assert!(parse("1234567890123456789", 0).is_err(), "19 digits");
        assert!(parse("1234567890123456.78", 2).is_ok(), "18 digits in all");
        assert!(parse("12345678901234567.8", 2).is_err(), "19 digits in all at scale 2");
        let d = parse("12.345", 3).unwrap();
        assert_eq!(to_scaled(d, 3), 12345);
        assert_eq!(from_scaled(12345, 3), d);
        assert_eq!(to_scaled(parse("-1.5", 2).unwrap(), 2), -150);
    }
}
