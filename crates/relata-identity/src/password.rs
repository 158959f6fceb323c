//! Passwords: Argon2id hashes in the PHC string format, and the rules a new
//! password must meet.
//!
//! Hashes record their parameters, so raising the cost later keeps old
//! hashes verifiable ([`needs_rehash`] tells when to upgrade one at sign-in).

use argon2::{Algorithm, Argon2, Params, Version};
use base64::Engine;
use base64::engine::general_purpose::STANDARD_NO_PAD;

/// OWASP's recommended Argon2id minimum: 19 MiB, 2 passes, 1 lane.
const MEMORY_KIB: u32 = 19 * 1024;
const PASSES: u32 = 2;
const LANES: u32 = 1;
const OUTPUT_LEN: usize = 32;
const SALT_LEN: usize = 16;

pub const MIN_LENGTH: usize = 10;
pub const MAX_LENGTH: usize = 1000;

/// A password that meets the rules; only [`NewPassword::parse`] makes one.
pub struct NewPassword(String);

impl std::fmt::Debug for NewPassword {
    /// Never prints the password.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NewPassword(***)")
    }
}

impl NewPassword {
    /// Checks a chosen password: long enough, not absurdly long (hashing cost),
    /// not a single repeated character, not the account's own email.
    pub fn parse(password: &str, email: &str) -> Result<NewPassword, String> {
        let chars = password.chars().count();
        if chars < MIN_LENGTH {
            return Err(format!("must be at least {MIN_LENGTH} characters"));
        }
        if chars > MAX_LENGTH {
            return Err(format!("must be at most {MAX_LENGTH} characters"));
        }
        let mut distinct: Vec<char> = password.chars().collect();
        distinct.sort_unstable();
        distinct.dedup();
        if distinct.len() < 3 {
            return Err("is too easy to guess: use more different characters".into());
        }
        if !email.is_empty() && password.trim().eq_ignore_ascii_case(email.trim()) {
            return Err("must not be your email address".into());
        }
        Ok(NewPassword(password.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[derive(Debug, thiserror::Error)]
pub enum HashError {
    #[error("argon2: {0}")]
    Argon2(String),
    #[error("no randomness: {0}")]
    Random(String),
}

fn argon2(memory: u32, passes: u32, lanes: u32) -> Result<Argon2<'static>, HashError> {
    let params = Params::new(memory, passes, lanes, Some(OUTPUT_LEN)).map_err(|e| HashError::Argon2(e.to_string()))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// Hashes a password with a fresh random salt.
pub fn hash(password: &NewPassword) -> Result<String, HashError> {
    let mut salt = [0u8; SALT_LEN];
    getrandom::fill(&mut salt).map_err(|e| HashError::Random(e.to_string()))?;
    let mut out = [0u8; OUTPUT_LEN];
    argon2(MEMORY_KIB, PASSES, LANES)?
        .hash_password_into(password.as_str().as_bytes(), &salt, &mut out)
        .map_err(|e| HashError::Argon2(e.to_string()))?;
    Ok(format!(
        "$argon2id$v=19$m={MEMORY_KIB},t={PASSES},p={LANES}${}${}",
        STANDARD_NO_PAD.encode(salt),
        STANDARD_NO_PAD.encode(out)
    ))
}

/// A parsed PHC string.
struct Phc {
    memory: u32,
    passes: u32,
    lanes: u32,
    salt: Vec<u8>,
    hash: Vec<u8>,
}

fn parse_phc(stored: &str) -> Option<Phc> {
    let mut parts = stored.split('$');
    let (empty, alg, version, params, salt, hash) =
        (parts.next()?, parts.next()?, parts.next()?, parts.next()?, parts.next()?, parts.next()?);
    if !empty.is_empty() || alg != "argon2id" || version != "v=19" || parts.next().is_some() {
        return None;
    }
    let mut memory = None;
    let mut passes = None;
    let mut lanes = None;
    for kv in params.split(',') {
        let (k, v) = kv.split_once('=')?;
        let v: u32 = v.parse().ok()?;
        match k {
            "m" => memory = Some(v),
            "t" => passes = Some(v),
            "p" => lanes = Some(v),
            _ => return None,
        }
    }
    Some(Phc {
        memory: memory?,
        passes: passes?,
        lanes: lanes?,
        salt: STANDARD_NO_PAD.decode(salt).ok()?,
        hash: STANDARD_NO_PAD.decode(hash).ok()?,
    })
}

/// Whether `password` matches a stored hash. A malformed hash matches nothing.
pub fn verify(password: &str, stored: &str) -> bool {
    let Some(phc) = parse_phc(stored) else { return false };
    if password.len() > MAX_LENGTH * 4 || phc.hash.is_empty() || phc.hash.len() > 64 {
        return false;
    }
    let Ok(argon) = argon2(phc.memory, phc.passes, phc.lanes) else { return false };
    let mut out = vec![0u8; phc.hash.len()];
    if argon.hash_password_into(password.as_bytes(), &phc.salt, &mut out).is_err() {
        return false;
    }
    crate::secret::constant_time_eq(&out, &phc.hash)
}

/// Whether a stored hash uses weaker parameters than new hashes do.
pub fn needs_rehash(stored: &str) -> bool {
    parse_phc(stored).is_none_or(|p| p.memory < MEMORY_KIB || p.passes < PASSES || p.hash.len() < OUTPUT_LEN)
}

/// A hash to verify against when the account does not exist, so that a
/// wrong email costs as much time as a wrong password.
pub fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| {
        let password = NewPassword("decoy-password-never-used".into());
        hash(&password).unwrap_or_default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_verifies_its_password_only() {
        let pw = NewPassword::parse("correct horse battery", "a@example.com").unwrap();
        let stored = hash(&pw).unwrap();
        assert!(stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{stored}");
        assert!(verify("correct horse battery", &stored));
        assert!(!verify("correct horse battery!", &stored));
        assert!(!verify("", &stored));
        assert!(!needs_rehash(&stored));
        let other = hash(&pw).unwrap();
        assert_ne!(stored, other, "salts differ");
    }

    #[test]
    fn malformed_hashes_match_nothing() {
        for bad in ["", "plain", "$argon2i$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$aGFzaA", "$argon2id$v=19$m=x,t=1,p=1$a$b"] {
            assert!(!verify("anything", bad), "{bad}");
            assert!(needs_rehash(bad));
        }
    }

    #[test]
    fn weak_passwords_are_refused_with_a_reason() {
        assert!(NewPassword::parse("short", "").unwrap_err().contains("at least"));
        assert!(NewPassword::parse("aaaaaaaaaaaa", "").unwrap_err().contains("guess"));
        assert!(NewPassword::parse("anna@example.com", "Anna@example.com").unwrap_err().contains("email"));
        assert!(NewPassword::parse(&"ab1".repeat(400), "").is_err());
        assert!(NewPassword::parse("Zażółć gęślą", "").is_ok());
    }
}
