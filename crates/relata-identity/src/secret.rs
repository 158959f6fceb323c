//! Random secrets (API tokens, sessions, CSRF tokens, invitations, password
//! resets) and their storage form. Secrets carry 256 bits of entropy, so a
//! SHA-256 digest is enough to store them: no slow hash is needed.

use sha2::{Digest, Sha256};

/// What a secret is for; the prefix makes a leaked secret recognisable.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SecretKind {
    ApiToken,
    Session,
    Csrf,
    Invitation,
    PasswordReset,
}

impl SecretKind {
    pub fn prefix(self) -> &'static str {
        match self {
            SecretKind::ApiToken => "rlt_",
            SecretKind::Session => "rls_",
            SecretKind::Csrf => "rlc_",
            SecretKind::Invitation => "rli_",
            SecretKind::PasswordReset => "rlr_",
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A fresh secret: the kind's prefix and 64 hex digits.
pub fn generate(kind: SecretKind) -> Result<String, getrandom::Error> {
    let mut buf = [0u8; 32];
    getrandom::fill(&mut buf)?;
    Ok(format!("{}{}", kind.prefix(), hex(&buf)))
}

/// The stored form of a secret.
pub fn digest(secret: &str) -> String {
    hex(&Sha256::digest(secret.as_bytes()))
}

/// Compares without revealing, through timing, where the inputs differ.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_prefixed_unique_and_stored_as_digests() {
        let a = generate(SecretKind::Session).unwrap();
        let b = generate(SecretKind::Session).unwrap();
        assert!(a.starts_with("rls_") && a.len() == 68);
        assert_ne!(a, b);
        assert_eq!(digest(&a).len(), 64);
        assert_ne!(digest(&a), digest(&b));
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
    }
}
