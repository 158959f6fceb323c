//! Time-based one-time passwords (RFC 6238, HMAC-SHA1, 6 digits, 30-second
//! steps), as authenticator apps implement them; secrets travel as RFC 4648
//! base32 in an `otpauth://` URI.

use hmac::{Hmac, KeyInit, Mac};
use sha1::Sha1;

const STEP_SECONDS: i64 = 30;
const DIGITS: u32 = 6;
/// Codes from one step before or after are accepted (clock drift).
const DRIFT_STEPS: i64 = 1;

const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// Encodes bytes as unpadded base32.
pub fn base32_encode(bytes: &[u8]) -> String {
    let mut out = String::new();
    let (mut buffer, mut bits) = (0u32, 0u32);
    for &b in bytes {
        buffer = (buffer << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            out.push(ALPHABET[((buffer >> (bits - 5)) & 31) as usize] as char);
            bits -= 5;
        }
    }
    if bits > 0 {
        out.push(ALPHABET[((buffer << (5 - bits)) & 31) as usize] as char);
    }
    out
}

/// Decodes base32, ignoring case, spaces and padding.
pub fn base32_decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let (mut buffer, mut bits) = (0u32, 0u32);
    for c in text.chars().filter(|c| !c.is_whitespace() && *c != '=') {
        let value = ALPHABET.iter().position(|&a| a as char == c.to_ascii_uppercase())? as u32;
        buffer = (buffer << 5) | value;
        bits += 5;
        if bits >= 8 {
            out.push((buffer >> (bits - 8)) as u8);
            bits -= 8;
        }
        buffer &= (1 << bits) - 1;
    }
    Some(out)
}

/// A new random 160-bit secret, base32-encoded.
pub fn generate_secret() -> Result<String, getrandom::Error> {
    let mut buf = [0u8; 20];
    getrandom::fill(&mut buf)?;
    Ok(base32_encode(&buf))
}

/// The code for one time step (RFC 4226 dynamic truncation).
fn code_at(key: &[u8], step: u64) -> u32 {
    let mut mac = <Hmac<Sha1> as KeyInit>::new_from_slice(key).expect("HMAC takes keys of any length");
    mac.update(&step.to_be_bytes());
    let digest = mac.finalize().into_bytes();
    let offset = (digest[digest.len() - 1] & 0x0f) as usize;
    let value = u32::from_be_bytes([digest[offset] & 0x7f, digest[offset + 1], digest[offset + 2], digest[offset + 3]]);
    value % 10u32.pow(DIGITS)
}

/// The code a device shows at `unix_seconds`.
pub fn code(secret_base32: &str, unix_seconds: i64) -> Option<String> {
    let key = base32_decode(secret_base32)?;
    let step = u64::try_from(unix_seconds.div_euclid(STEP_SECONDS)).ok()?;
    Some(format!("{:0width$}", code_at(&key, step), width = DIGITS as usize))
}

/// Whether `given` is the code of the current step or a neighbouring one.
pub fn verify(secret_base32: &str, given: &str, unix_seconds: i64) -> bool {
    let given = given.trim().replace(' ', "");
    if given.len() != DIGITS as usize || !given.chars().all(|c| c.is_ascii_digit()) {
        return false;
    }
    (-DRIFT_STEPS..=DRIFT_STEPS).any(|d| {
        code(secret_base32, unix_seconds + d * STEP_SECONDS)
            .is_some_and(|c| crate::secret::constant_time_eq(c.as_bytes(), given.as_bytes()))
    })
}

/// The URI authenticator apps read (usually from a QR code).
pub fn provisioning_uri(secret_base32: &str, account: &str, issuer: &str) -> String {
    let enc = |s: &str| -> String {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'@' => (b as char).to_string(),
                _ => format!("%{b:02X}"),
            })
            .collect()
    };
    format!(
        "otpauth://totp/{}:{}?secret={secret_base32}&issuer={}&algorithm=SHA1&digits={DIGITS}&period={STEP_SECONDS}",
        enc(issuer),
        enc(account),
        enc(issuer)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 appendix B, SHA-1 column (8-digit values, last 6 digits).
    #[test]
    fn matches_the_rfc_6238_test_vectors() {
        let secret = base32_encode(b"12345678901234567890");
        for (time, eight_digits) in [
            (59, "94287082"),
            (1_111_111_109, "07081804"),
            (1_111_111_111, "14050471"),
            (1_234_567_890, "89005924"),
            (2_000_000_000, "69279037"),
        ] {
            assert_eq!(code(&secret, time).unwrap(), eight_digits[2..], "at {time}");
        }
    }

    #[test]
    fn base32_round_trips_and_rejects_garbage() {
        for bytes in [&b""[..], b"f", b"fo", b"foo", b"foob", b"fooba", b"foobar"] {
            assert_eq!(base32_decode(&base32_encode(bytes)).unwrap(), bytes);
        }
        assert_eq!(base32_encode(b"foobar"), "MZXW6YTBOI");
        assert!(base32_decode("not base32!").is_none());
    }

    #[test]
    fn neighbouring_steps_are_accepted_and_others_not() {
        let secret = generate_secret().unwrap();
        let now = 1_700_000_000;
        let current = code(&secret, now).unwrap();
        assert!(verify(&secret, &current, now));
        assert!(verify(&secret, &current, now + 30));
        assert!(!verify(&secret, &current, now + 95));
        assert!(!verify(&secret, "12345", now));
        assert!(!verify(&secret, "abcdef", now));
        assert!(provisioning_uri(&secret, "anna@example.com", "Relata").starts_with("otpauth://totp/Relata:anna@"));
    }
}
