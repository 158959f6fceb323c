//! Identity primitives, free of storage and HTTP: Argon2id password hashes
//! ([`password`]), random secrets for tokens, sessions, invitations and
//! resets ([`secret`]), TOTP second factors ([`totp`]) and the sign-in
//! throttling policy ([`throttle`]).

pub mod password;
pub mod secret;
pub mod throttle;
pub mod totp;
