//! Email addresses, checked once at the edge.

use serde::{Serialize, Serializer};
use std::fmt;

/// A syntactically valid email address: one `@`, a non-empty local part of
/// permitted characters, and a domain of dot-separated labels with a dot in it.
/// The domain is lower-cased (it is case-insensitive); the local part is kept.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Email(String);

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct EmailError(&'static str);

impl Email {
    pub fn parse(input: &str) -> Result<Self, EmailError> {
        let s = input.trim();
        if s.is_empty() {
            return Err(EmailError("is empty"));
        }
        if s.len() > 254 {
            return Err(EmailError("is longer than 254 characters"));
        }
        let (local, domain) = s.rsplit_once('@').ok_or(EmailError("has no @ sign"))?;
        if local.is_empty() || local.len() > 64 {
            return Err(EmailError("has an empty or over-long part before the @"));
        }
        if local.starts_with('.') || local.ends_with('.') || local.contains("..") {
            return Err(EmailError("has a misplaced dot before the @"));
        }
        const LOCAL_SPECIALS: &str = "!#$%&'*+/=?^_`{|}~.-";
        if !local.chars().all(|c| c.is_alphanumeric() || LOCAL_SPECIALS.contains(c)) {
            return Err(EmailError("has a character not allowed before the @"));
        }
        if !domain.contains('.') {
            return Err(EmailError("has a domain without a dot"));
        }
        for label in domain.split('.') {
            let ok = !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_alphanumeric() || c == '-');
            if !ok {
                return Err(EmailError("has an invalid domain"));
            }
        }
        Ok(Email(format!("{local}@{}", domain.to_lowercase())))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for Email {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_ordinary_addresses_and_lowercases_the_domain() {
        assert_eq!(Email::parse(" Anna.Nowak@Example.PL ").unwrap().as_str(), "Anna.Nowak@example.pl");
        assert!(Email::parse("o'brien+crm@mail.example.co.uk").is_ok());
        assert!(Email::parse("jūratė@pavyzdys.lt").is_ok());
    }

    #[test]
    fn rejects_malformed_addresses() {
        for bad in [
            "",
            "plain",
            "@example.com",
            "a@",
            "a@localhost",
            "a..b@example.com",
            "a@-x.com",
            "a b@example.com",
            "a@exa mple.com",
            ".a@example.com",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?} should be rejected");
        }
    }
}
