//! How a workspace sends: its SMTP server and its SMS gateway, kept as
//! workspace settings (`channels.email`, `channels.sms`). Administrators put
//! them through the API; secrets (the SMTP password, the gateway's
//! credential) are written and never shown again: reads say only whether
//! one is set.

use relata_app::audit::{Event, audit_in};
use relata_app::error::AppError;
use relata_app::{App, Ctx};
use relata_core::error::{FieldError, ValidationError};
use relata_store::ScopedConn;
use serde_json::{Map, Value as Json, json};

pub const EMAIL: &str = "email";
pub const SMS: &str = "sms";

/// How the SMTP connection is protected.
pub const SECURITIES: &[&str] = &["starttls", "tls", "none"];

/// The SMTP server a workspace sends through.
#[derive(Clone, Debug, PartialEq)]
pub struct EmailSettings {
    pub host: String,
    pub port: u16,
    pub security: String,
    pub username: Option<String>,
    pub password: Option<String>,
    pub from_address: String,
    pub from_name: Option<String>,
    pub reply_to: Option<String>,
}

/// An HTTP SMS gateway: where to send, how, and what a success looks like.
#[derive(Clone, Debug, PartialEq)]
pub struct SmsSettings {
    pub url: String,
    pub method: String,
    /// `json` or `form`: how the body is encoded (its values are escaped
    /// for it).
    pub content_type: String,
    /// The body with `{{to}}`, `{{from}}` and `{{text}}`.
    pub body: String,
    pub sender: Option<String>,
    /// A header carrying the credential (`Authorization`), and its value.
    pub auth_header: Option<String>,
    pub auth_value: Option<String>,
    /// Text the gateway's answer must contain to count as sent (besides a
    /// 2xx status).
    pub success_contains: Option<String>,
}

fn setting_name(channel: &str) -> String {
    format!("channels.{channel}")
}

pub(crate) fn text(input: &Map<String, Json>, key: &str, errors: &mut Vec<FieldError>, max: usize) -> Option<String> {
    match input.get(key) {
        None | Some(Json::Null) => None,
        Some(Json::String(s)) if s.trim().is_empty() => None,
        Some(Json::String(s)) if s.chars().count() > max => {
            errors.push(FieldError::new(key, "too_long", format!("at most {max} characters")));
            None
        }
        Some(Json::String(s)) => Some(s.trim().to_string()),
        Some(_) => {
            errors.push(FieldError::new(key, "invalid_type", "text"));
            None
        }
    }
}

pub(crate) fn required(value: Option<String>, key: &str, errors: &mut Vec<FieldError>) -> String {
    if value.is_none() && !errors.iter().any(|e| e.field == key) {
        errors.push(FieldError::new(key, "required", "required"));
    }
    value.unwrap_or_default()
}

pub(crate) fn unknown_keys(input: &Map<String, Json>, known: &[&str], errors: &mut Vec<FieldError>) {
    for key in input.keys().filter(|k| !known.contains(&k.as_str())) {
        errors.push(FieldError::new(key.as_str(), "unknown_field", format!("one of {}", known.join(", "))));
    }
}

/// A secret as put: absent keeps the stored one, `""` or null clears it.
pub(crate) fn secret(
    input: &Map<String, Json>,
    key: &str,
    stored: Option<String>,
    errors: &mut Vec<FieldError>,
) -> Option<String> {
    match input.get(key) {
        None => stored,
        Some(Json::Null) => None,
        Some(Json::String(s)) if s.is_empty() => None,
        Some(Json::String(s)) if s.len() > 1000 => {
            errors.push(FieldError::new(key, "too_long", "at most 1000 bytes"));
            None
        }
        Some(Json::String(s)) => Some(s.clone()),
        Some(_) => {
            errors.push(FieldError::new(key, "invalid_type", "text"));
            None
        }
    }
}

/// Where a mail server is: `<prefix>host`, `<prefix>port` (by default
/// `ports.0` for TLS, `ports.1` otherwise) and `<prefix>security` (one of
/// [`SECURITIES`]); with a password, no clear text beyond loopback.
pub(crate) struct ServerAddress {
    pub host: String,
    pub port: u16,
    pub security: String,
}

pub(crate) fn server_address(
    input: &Map<String, Json>,
    prefix: &str,
    default_security: &str,
    ports: (u16, u16),
    with_password: bool,
    errors: &mut Vec<FieldError>,
) -> ServerAddress {
    let key = |name: &str| format!("{prefix}{name}");
    let host = required(text(input, &key("host"), errors, 253), &key("host"), errors);
    let security = text(input, &key("security"), errors, 20).unwrap_or_else(|| default_security.into());
    if !SECURITIES.contains(&security.as_str()) {
        errors.push(FieldError::new(key("security"), "invalid_choice", format!("one of {}", SECURITIES.join(", "))));
    }
    let default_port = if security == "tls" { ports.0 } else { ports.1 };
    let port = match input.get(&key("port")) {
        None | Some(Json::Null) => Some(default_port),
        Some(p) => p.as_u64().and_then(|p| u16::try_from(p).ok()).filter(|p| *p > 0),
    };
    if port.is_none() {
        errors.push(FieldError::new(key("port"), "invalid_port", "a port number, 1 to 65535"));
    }
    if security == "none" && with_password && !host.is_empty() && !is_loopback(&host) {
        errors.push(FieldError::new(
            key("security"),
            "insecure",
            "a password would cross the network in clear text; use starttls or tls",
        ));
    }
    ServerAddress { host, port: port.unwrap_or(default_port), security }
}

pub(crate) fn is_loopback(host: &str) -> bool {
    host == "localhost" || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

const EMAIL_KEYS: &[&str] =
    &["host", "port", "security", "username", "password", "from_address", "from_name", "reply_to"];

impl EmailSettings {
    /// Settings from an administrator's input, over what was stored.
    pub fn parse(input: &Json, stored: Option<&EmailSettings>) -> Result<EmailSettings, ValidationError> {
        let Json::Object(input) = input else {
            return Err(ValidationError::single("", "invalid_type", "a JSON object"));
        };
        let mut errors = Vec::new();
        unknown_keys(input, EMAIL_KEYS, &mut errors);
        let password = secret(input, "password", stored.and_then(|s| s.password.clone()), &mut errors);
        let server = server_address(input, "", "starttls", (465, 587), password.is_some(), &mut errors);
        let username = text(input, "username", &mut errors, 320);
        let from = text(input, "from_address", &mut errors, 320);
        let from_address = required(from, "from_address", &mut errors);
        if !from_address.is_empty()
            && let Err(e) = relata_core::email::Email::parse(&from_address)
        {
            errors.push(FieldError::new("from_address", "invalid_email", e.to_string()));
        }
        let reply_to = text(input, "reply_to", &mut errors, 320);
        if let Some(r) = &reply_to
            && let Err(e) = relata_core::email::Email::parse(r)
        {
            errors.push(FieldError::new("reply_to", "invalid_email", e.to_string()));
        }
        let from_name = text(input, "from_name", &mut errors, 200);
        ValidationError::check(errors)?;
        Ok(EmailSettings {
            host: server.host,
            port: server.port,
            security: server.security,
            username,
            password,
            from_address,
            from_name,
            reply_to,
        })
    }

    fn stored_json(&self) -> Json {
        json!({"host": self.host, "port": self.port, "security": self.security, "username": self.username,
               "password": self.password, "from_address": self.from_address, "from_name": self.from_name,
               "reply_to": self.reply_to})
    }

    /// What the API shows: everything but the password.
    pub fn public_json(&self) -> Json {
        let mut shown = self.stored_json();
        shown.as_object_mut().map(|o| o.remove("password"));
        shown["password_set"] = Json::Bool(self.password.is_some());
        shown
    }

    fn from_stored(value: &Json) -> Option<EmailSettings> {
        let s = |k: &str| value.get(k).and_then(Json::as_str).map(str::to_string);
        Some(EmailSettings {
            host: s("host")?,
            port: value.get("port").and_then(Json::as_u64).and_then(|p| u16::try_from(p).ok())?,
            security: s("security")?,
            username: s("username"),
            password: s("password"),
            from_address: s("from_address")?,
            from_name: s("from_name"),
            reply_to: s("reply_to"),
        })
    }
}

const SMS_KEYS: &[&str] =
    &["url", "method", "content_type", "body", "sender", "auth_header", "auth_value", "success_contains"];

impl SmsSettings {
    pub fn parse(input: &Json, stored: Option<&SmsSettings>) -> Result<SmsSettings, ValidationError> {
        let Json::Object(input) = input else {
            return Err(ValidationError::single("", "invalid_type", "a JSON object"));
        };
        let mut errors = Vec::new();
        unknown_keys(input, SMS_KEYS, &mut errors);
        let url = text(input, "url", &mut errors, 2000);
        let url = required(url, "url", &mut errors);
        if !url.is_empty()
            && let Err(e) = relata_app::webhooks::parse_url(&url)
        {
            errors.push(FieldError::new("url", "invalid_url", e));
        }
        let method = text(input, "method", &mut errors, 10).unwrap_or_else(|| "POST".into()).to_ascii_uppercase();
        if !["POST", "GET", "PUT"].contains(&method.as_str()) {
            errors.push(FieldError::new("method", "invalid_choice", "POST, PUT or GET"));
        }
        let content_type = text(input, "content_type", &mut errors, 10).unwrap_or_else(|| "json".into());
        if !["json", "form"].contains(&content_type.as_str()) {
            errors.push(FieldError::new("content_type", "invalid_choice", "json or form"));
        }
        let default_body = if content_type == "json" {
            r#"{"to": "{{to}}", "from": "{{from}}", "text": "{{text}}"}"#
        } else {
            "to={{to}}&from={{from}}&text={{text}}"
        };
        let body = text(input, "body", &mut errors, 4000).unwrap_or_else(|| default_body.into());
        match crate::merge::Template::parse(&body) {
            Err(e) => errors.push(FieldError::new("body", e.code, e.message)),
            Ok(t) => {
                for f in t.fields() {
                    if !["to", "from", "text"].contains(&f) {
                        errors.push(FieldError::new(
                            "body",
                            "unknown_merge_field",
                            format!("{{{{{f}}}}}: the body knows {{{{to}}}}, {{{{from}}}} and {{{{text}}}}"),
                        ));
                    }
                }
            }
        }
        let sender = text(input, "sender", &mut errors, 50);
        let auth_header = text(input, "auth_header", &mut errors, 100);
        if let Some(h) = &auth_header
            && reqwest::header::HeaderName::from_bytes(h.as_bytes()).is_err()
        {
            errors.push(FieldError::new("auth_header", "invalid_header", "an HTTP header name"));
        }
        let auth_value = secret(input, "auth_value", stored.and_then(|s| s.auth_value.clone()), &mut errors);
        let success_contains = text(input, "success_contains", &mut errors, 200);
        ValidationError::check(errors)?;
        Ok(SmsSettings { url, method, content_type, body, sender, auth_header, auth_value, success_contains })
    }

    fn stored_json(&self) -> Json {
        json!({"url": self.url, "method": self.method, "content_type": self.content_type, "body": self.body,
               "sender": self.sender, "auth_header": self.auth_header, "auth_value": self.auth_value,
               "success_contains": self.success_contains})
    }

    pub fn public_json(&self) -> Json {
        let mut shown = self.stored_json();
        shown.as_object_mut().map(|o| o.remove("auth_value"));
        shown["auth_value_set"] = Json::Bool(self.auth_value.is_some());
        shown
    }

    fn from_stored(value: &Json) -> Option<SmsSettings> {
        let s = |k: &str| value.get(k).and_then(Json::as_str).map(str::to_string);
        Some(SmsSettings {
            url: s("url")?,
            method: s("method")?,
            content_type: s("content_type")?,
            body: s("body")?,
            sender: s("sender"),
            auth_header: s("auth_header"),
            auth_value: s("auth_value"),
            success_contains: s("success_contains"),
        })
    }
}

pub async fn email(conn: &mut ScopedConn) -> Result<Option<EmailSettings>, AppError> {
    Ok(conn.setting(&setting_name(EMAIL)).await?.as_ref().and_then(EmailSettings::from_stored))
}

pub async fn sms(conn: &mut ScopedConn) -> Result<Option<SmsSettings>, AppError> {
    Ok(conn.setting(&setting_name(SMS)).await?.as_ref().and_then(SmsSettings::from_stored))
}

fn unknown_channel(channel: &str) -> AppError {
    ValidationError::single("channel", "unknown_channel", format!("{channel:?}: email or sms")).into()
}

/// A channel's settings as administrators see them (`null` when unset).
pub async fn shown(app: &App, ctx: &Ctx, channel: &str) -> Result<Json, AppError> {
    ctx.access.require_admin()?;
    let mut conn = app.reader(ctx).await?;
    Ok(match channel {
        EMAIL => email(&mut conn).await?.map_or(Json::Null, |s| s.public_json()),
        SMS => sms(&mut conn).await?.map_or(Json::Null, |s| s.public_json()),
        other => return Err(unknown_channel(other)),
    })
}

/// Puts a channel's settings (administrators), audited without secrets.
pub async fn put(app: &App, ctx: &Ctx, channel: &str, input: &Json) -> Result<Json, AppError> {
    ctx.access.require_admin()?;
    let mut tx = app.writer(ctx).await?;
    let (stored, shown) = match channel {
        EMAIL => {
            let s = EmailSettings::parse(input, email(&mut tx).await?.as_ref())?;
            (s.stored_json(), s.public_json())
        }
        SMS => {
            let s = SmsSettings::parse(input, sms(&mut tx).await?.as_ref())?;
            (s.stored_json(), s.public_json())
        }
        other => return Err(unknown_channel(other)),
    };
    tx.put_setting(&setting_name(channel), &stored).await?;
    audit_in(&mut tx, ctx, Event::new("settings.change").target("channel", channel).details(shown.clone())).await?;
    tx.commit().await?;
    Ok(shown)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(e: ValidationError) -> Vec<(String, &'static str)> {
        e.errors.into_iter().map(|e| (e.field.to_string(), e.code)).collect()
    }

    #[test]
    fn email_settings_are_checked_and_keep_their_secret() {
        let first = EmailSettings::parse(
            &json!({"host": "127.0.0.1", "port": 2525, "security": "none", "password": "pw",
                    "from_address": "billing@example.com"}),
            None,
        )
        .unwrap();
        assert_eq!(first.password.as_deref(), Some("pw"));
        let shown = first.public_json();
        assert_eq!(shown["password_set"], true);
        assert!(shown.get("password").is_none());
        let kept = EmailSettings::parse(
            &json!({"host": "127.0.0.1", "port": 2525, "security": "none",
            "from_address": "billing@example.com"}),
            Some(&first),
        )
        .unwrap();
        assert_eq!(kept.password.as_deref(), Some("pw"));
        let bad = EmailSettings::parse(
            &json!({"host": "smtp.example.com", "security": "none", "password": "pw", "port": 0,
                    "from_address": "not an address", "colour": 1}),
            None,
        )
        .unwrap_err();
        let got = codes(bad);
        for want in [
            ("colour", "unknown_field"),
            ("port", "invalid_port"),
            ("security", "insecure"),
            ("from_address", "invalid_email"),
        ] {
            assert!(got.contains(&(want.0.to_string(), want.1)), "{want:?} in {got:?}");
        }
    }

    #[test]
    fn sms_settings_name_what_their_body_may_use() {
        let ok = SmsSettings::parse(
            &json!({"url": "http://127.0.0.1:9/send", "auth_header": "Authorization",
            "auth_value": "Bearer x"}),
            None,
        )
        .unwrap();
        assert_eq!(ok.method, "POST");
        assert_eq!(ok.public_json()["auth_value_set"], true);
        let bad =
            SmsSettings::parse(&json!({"url": "ftp://x", "body": "{{to}} {{message}}", "method": "DELETE"}), None)
                .unwrap_err();
        let got = codes(bad);
        for want in [("url", "invalid_url"), ("body", "unknown_merge_field"), ("method", "invalid_choice")] {
            assert!(got.contains(&(want.0.to_string(), want.1)), "{want:?} in {got:?}");
        }
    }
}
