//! Email over SMTP with lettre: the workspace's server, STARTTLS or TLS (or
//! plain, for a relay on the same host), a stable Message-ID derived from the
//! message's id (so that a receiver can recognise a repeat), and the
//! one-click unsubscribe headers of RFC 8058.

use crate::messages::SendError;
use crate::settings::EmailSettings;
use lettre::message::Mailbox;
use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use relata_core::Record;
use std::time::Duration;

fn text<'a>(message: &'a Record, field: &str) -> &'a str {
    message.values.std(field).as_text().unwrap_or_default()
}

fn mailbox(name: Option<&str>, address: &str) -> Result<Mailbox, SendError> {
    let address = address.parse().map_err(|e| SendError::Permanent(format!("{address:?} is not an address: {e}")))?;
    Ok(Mailbox::new(name.map(str::to_string), address))
}

/// The email as sent: headers and a plain-text body.
pub fn build(settings: &EmailSettings, message: &Record, body: &str, unsubscribe: &str) -> Result<Message, SendError> {
    let domain = settings.from_address.rsplit('@').next().unwrap_or("relata.invalid");
    let mut builder = Message::builder()
        .from(mailbox(settings.from_name.as_deref(), &settings.from_address)?)
        .to(mailbox(None, text(message, "to_address"))?)
        .subject(text(message, "subject"))
        .message_id(Some(format!("<{}@{domain}>", message.id)))
        .header(ContentType::TEXT_PLAIN);
    if let Some(reply_to) = &settings.reply_to {
        builder = builder.reply_to(mailbox(None, reply_to)?);
    }
    builder = builder
        .raw_header(HeaderValue::new(HeaderName::new_from_ascii_str("List-Unsubscribe"), format!("<{unsubscribe}>")))
        .raw_header(HeaderValue::new(
            HeaderName::new_from_ascii_str("List-Unsubscribe-Post"),
            "List-Unsubscribe=One-Click".into(),
        ));
    builder.body(body.to_string()).map_err(|e| SendError::Permanent(format!("the email cannot be built: {e}")))
}

fn transport(settings: &EmailSettings) -> Result<AsyncSmtpTransport<Tokio1Executor>, SendError> {
    let tls_parameters =
        || TlsParameters::new(settings.host.clone()).map_err(|e| SendError::Permanent(format!("TLS: {e}")));
    let tls = match settings.security.as_str() {
        "tls" => Tls::Wrapper(tls_parameters()?),
        "starttls" => Tls::Required(tls_parameters()?),
        _ => Tls::None,
    };
    let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(settings.host.clone())
        .port(settings.port)
        .tls(tls)
        .timeout(Some(Duration::from_secs(30)));
    if let (Some(user), Some(password)) = (&settings.username, &settings.password) {
        builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
    }
    Ok(builder.build())
}

/// Sends one email; answers its Message-ID.
pub async fn send(
    settings: &EmailSettings,
    message: &Record,
    body: &str,
    unsubscribe: &str,
) -> Result<String, SendError> {
    let email = build(settings, message, body, unsubscribe)?;
    let id = email.headers().get_raw("Message-ID").unwrap_or_default().to_string();
    match transport(settings)?.send(email).await {
        Ok(_) => Ok(id),
        Err(e) if e.is_permanent() => Err(SendError::Permanent(format!("the mail server refused: {e}"))),
        Err(e) => Err(SendError::Transient(format!("the mail server did not take it: {e}"))),
    }
}
