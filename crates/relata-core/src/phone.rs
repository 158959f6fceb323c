//! Phone numbers, normalised to E.164 at the edge so that a caller can be found
//! by the number they call from, whatever way it was typed.

use phonenumber::country::Id as CountryId;
use serde::{Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

/// A valid phone number in E.164 form, e.g. `+48581234567`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct PhoneE164(String);

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct PhoneError(String);

/// An ISO 3166-1 alpha-2 region used to read national numbers ("058 123 45 67").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Region(CountryId);

impl Region {
    pub fn parse(code: &str) -> Option<Region> {
        CountryId::from_str(&code.trim().to_ascii_uppercase()).ok().map(Region)
    }
    pub fn code(&self) -> String {
        format!("{:?}", self.0)
    }
}

/// How many of the numbering plan's patterns stay compiled. The metadata
/// compiles its patterns on use and keeps the last 100; a parse and its
/// validity check use a few dozen of a region's, so numbers from a handful
/// of countries evicted each other's and every parse compiled patterns
/// again. The bound keeps the memory they take bounded all the same.
const COMPILED_PATTERNS: usize = 2000;

fn keep_compiled_patterns() {
    static WIDENED: std::sync::Once = std::sync::Once::new();
    WIDENED.call_once(|| {
        let cache = phonenumber::metadata::DATABASE.cache();
        let mut patterns = cache.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        patterns.set_capacity(COMPILED_PATTERNS);
    });
}

impl PhoneE164 {
    /// Parses international (`+…`, `00…`) numbers anywhere and national numbers
    /// relative to `default_region`.
    pub fn parse(input: &str, default_region: Option<Region>) -> Result<Self, PhoneError> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(PhoneError("is empty".into()));
        }
        if trimmed.len() > 40 {
            return Err(PhoneError("is too long".into()));
        }
        let international =
            trimmed.strip_prefix("00").map(|rest| format!("+{rest}")).unwrap_or_else(|| trimmed.to_string());
        keep_compiled_patterns();
        let parsed = phonenumber::parse(default_region.map(|r| r.0), &international).map_err(|_| {
            if international.starts_with('+') || default_region.is_some() {
                PhoneError(format!("{trimmed:?} is not a phone number"))
            } else {
                PhoneError(format!("{trimmed:?} has no country code; write it as +<country code> <number>"))
            }
        })?;
        if !phonenumber::is_valid(&parsed) {
            return Err(PhoneError(format!("{trimmed:?} is not a valid number for its country")));
        }
        Ok(PhoneE164(parsed.format().mode(phonenumber::Mode::E164).to_string()))
    }

    /// Rebuilds a value that was stored after parsing; never fails on data we wrote.
    pub fn from_stored(s: String) -> Self {
        PhoneE164(s)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for PhoneE164 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for PhoneE164 {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_international_and_national_forms() {
        let pl = Region::parse("pl");
        assert_eq!(PhoneE164::parse("+48 58 123 45 67", None).unwrap().as_str(), "+48581234567");
        assert_eq!(PhoneE164::parse("0048 58 123 45 67", None).unwrap().as_str(), "+48581234567");
        assert_eq!(PhoneE164::parse("58 123 45 67", pl).unwrap().as_str(), "+48581234567");
        assert_eq!(PhoneE164::parse("+370 612 34567", pl).unwrap().as_str(), "+37061234567");
    }

    #[test]
    fn rejects_garbage_and_impossible_numbers() {
        assert!(PhoneE164::parse("call me", None).is_err());
        assert!(PhoneE164::parse("+48 12", None).is_err());
        assert!(PhoneE164::parse("", None).is_err());
        assert!(PhoneE164::parse("581234567", None).is_err());
    }
}
