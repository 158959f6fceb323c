//! SMS through the workspace's HTTP gateway: the body template filled with
//! the recipient, sender and text (escaped for JSON or a form), the
//! credential in its header; a 2xx answer (containing the configured text,
//! if any) is sent, 408, 429 and 5xx or no answer are tried again, other
//! answers fail with what the gateway said.

use crate::merge::{self, Template};
use crate::messages::SendError;
use crate::settings::SmsSettings;
use relata_app::App;
use relata_core::Record;

struct Fill<'a> {
    to: &'a str,
    from: &'a str,
    text: &'a str,
    form: bool,
}

impl merge::Values for Fill<'_> {
    fn text(&self, path: &str) -> Option<String> {
        let raw = match path {
            "to" => self.to,
            "from" => self.from,
            "text" => self.text,
            _ => return None,
        };
        Some(if self.form {
            serde_urlencoded::to_string([("", raw)]).map(|s| s[1..].to_string()).unwrap_or_default()
        } else {
            // The inside of a JSON string.
            let quoted = serde_json::Value::String(raw.to_string()).to_string();
            quoted[1..quoted.len() - 1].to_string()
        })
    }

    fn present(&self, path: &str) -> bool {
        self.text(path).is_some_and(|s| !s.is_empty())
    }
}

/// The request body for one message.
pub fn body(settings: &SmsSettings, to: &str, text: &str) -> Result<String, SendError> {
    let template =
        Template::parse(&settings.body).map_err(|e| SendError::Permanent(format!("the gateway's body: {e}")))?;
    let fill =
        Fill { to, from: settings.sender.as_deref().unwrap_or_default(), text, form: settings.content_type == "form" };
    Ok(template.render(&fill))
}

pub async fn send(
    http: &reqwest::Client,
    app: &App,
    settings: &SmsSettings,
    message: &Record,
    text: &str,
) -> Result<String, SendError> {
    let to = message.values.std("to_address").as_text().unwrap_or_default();
    // The same guard as webhooks: no private addresses unless allowed.
    let allow_private = app.allow_private_webhooks.load(std::sync::atomic::Ordering::Relaxed);
    let url = relata_app::webhooks::check_url(&settings.url, allow_private)
        .await
        .map_err(|e| SendError::Permanent(format!("the gateway's URL: {e}")))?;
    let method = reqwest::Method::from_bytes(settings.method.as_bytes()).unwrap_or(reqwest::Method::POST);
    let body = body(settings, to, text)?;
    let content_type =
        if settings.content_type == "form" { "application/x-www-form-urlencoded" } else { "application/json" };
    let mut request = if method == reqwest::Method::GET {
        // A GET gateway takes the (form-encoded) body as its query.
        let mut url = url;
        url.set_query(Some(&body));
        http.request(method, url)
    } else {
        http.request(method, url).header("content-type", content_type).body(body)
    };
    if let (Some(name), Some(value)) = (&settings.auth_header, &settings.auth_value) {
        request = request.header(name.as_str(), value.as_str());
    }
    let response =
        request.send().await.map_err(|e| SendError::Transient(format!("the gateway did not answer: {e}")))?;
    let status = response.status();
    let answer: String = response.text().await.unwrap_or_default().chars().take(500).collect();
    if status.is_success() {
        match &settings.success_contains {
            Some(needle) if !answer.contains(needle.as_str()) => {
                Err(SendError::Permanent(format!("the gateway answered {status} without {needle:?}: {answer}")))
            }
            _ => Ok(provider_id(&answer)),
        }
    } else if relata_app::jobs::worth_retrying(status) {
        Err(SendError::Transient(format!("the gateway answered {status}: {answer}")))
    } else {
        Err(SendError::Permanent(format!("the gateway answered {status}: {answer}")))
    }
}

/// The gateway's id for the message, when its answer is JSON with one.
fn provider_id(answer: &str) -> String {
    let json: serde_json::Value = serde_json::from_str(answer).unwrap_or_default();
    ["id", "message_id", "messageId", "sid"]
        .iter()
        .find_map(|k| json.get(*k).map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string)))
        .unwrap_or_default()
}
