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
    /// The key webhook deliveries are signed with (kept, not digested:
    /// Relata signs with it).
    WebhookSigning,
}

impl SecretKind {
    pub fn prefix(self) -> &'static str {
        match self {
            SecretKind::ApiToken => "rlt_",
            SecretKind::Session => "rls_",
            SecretKind::Csrf => "rlc_",
            SecretKind::Invitation => "rli_",
            SecretKind::PasswordReset => "rlr_",
            SecretKind::WebhookSigning => "whsec_",
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

/// The signature of a webhook delivery: HMAC-SHA256 with the
/// subscription's secret over `"{timestamp}.{body}"`, in hex. Receivers
/// compute the same over the `t` and body they got, compare in constant
/// time, and refuse a timestamp too far from their clock (replays).
pub fn webhook_signature(secret: &str, timestamp: i64, body: &[u8]) -> String {
    use hmac::{Hmac, KeyInit, Mac};
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(secret.as_bytes()).expect("HMAC takes keys of any length");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    hex(&mac.finalize().into_bytes())
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
    fn webhook_signatures_match_rfc_4231_and_cover_time_and_body() {
        // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
        let mut mac = <hmac::Hmac<Sha256> as hmac::KeyInit>::new_from_slice(b"Jefe").unwrap();
        hmac::Mac::update(&mut mac, b"what do ya want for nothing?");
        assert_eq!(
            hex(&hmac::Mac::finalize(mac).into_bytes()),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        let signed = webhook_signature("whsec_k", 1_700_000_000, b"{}");
        assert_eq!(signed.len(), 64);
        assert_ne!(signed, webhook_signature("whsec_k", 1_700_000_001, b"{}"), "the time is signed");
        assert_ne!(signed, webhook_signature("whsec_k", 1_700_000_000, b"{ }"), "the body is signed");
        assert_ne!(signed, webhook_signature("whsec_x", 1_700_000_000, b"{}"), "the key matters");
    }

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
