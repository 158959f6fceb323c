//! The pages of automation and channels beyond the generic ones: the
//! actions on a rule's page (dry run, pause or resume, its runs), on a print
//! batch's page (download the letters, mark them posted), the run history of
//! any record, the dry run's page, and writing an email from a contact's,
//! account's or opportunity's page. Rules, runs, templates, messages and
//! batches themselves are listed and edited through the generic pages.

use super::commerce::Action;
use super::{
    Layout, Page, PagePath, S, app_error_page, csrf_ok, csrf_refused, layout, not_found, read_form, render, see_other,
};
use askama::Template;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use relata_automation::{AUTOMATION_RULES, AUTOMATION_RUNS};
use relata_channels::{MESSAGES, PRINT_BATCHES};
use relata_core::Record;
use relata_core::access::Right;
use relata_core::meta::Schema;
use relata_core::value::{FieldValue, Values};
use serde_json::Value as Json;
use std::collections::HashMap;

/// What can be done from a record's page besides the generic: the rule's
/// and the batch's actions, and every record's automation runs.
pub(crate) fn actions(page: &Page, schema: &Schema, record: &Record) -> Vec<Action> {
    let kind = schema.kind;
    let access = &page.ctx.access;
    let id = record.id;
    let mut out = Vec::new();
    if kind == PRINT_BATCHES {
        out.push(Action::link(&page.tr().t("action-download-letters"), format!("/api/v1/print_batches/{id}/pdf")));
        let open = super::visible_std(schema, record, "status").as_text() == Some("open");
        if open && access.check_kind(PRINT_BATCHES, Right::Update).is_ok() {
            out.push(Action::post(
                &page.tr().t("action-mark-posted"),
                format!("/print_batches/{id}/posted"),
                Vec::new(),
            ));
        }
    }
    if kind == AUTOMATION_RULES {
        out.push(Action::link(&page.tr().t("action-dry-run"), format!("/automation_rules/{id}/dry_run")));
        out.push(Action::link(&page.tr().t("action-runs"), runs_href("rule", &id.to_string())));
        if access.check_kind(AUTOMATION_RULES, Right::Update).is_ok() {
            let active = super::visible_std(schema, record, "active") == &FieldValue::Bool(true);
            let (label, to) = if active { ("action-pause", "false") } else { ("action-resume", "true") };
            let fields = vec![("active".into(), to.into()), ("version".into(), record.version.to_string())];
            out.push(Action::post(&page.tr().t(label), format!("/automation_rules/{id}/active"), fields));
        }
    } else if kind != AUTOMATION_RUNS && access.check_kind(AUTOMATION_RUNS, Right::Read).is_ok() {
        out.push(Action::link(&page.tr().t("action-automation-runs"), runs_href("record_id", &id.to_string())));
    }
    if let Some(query) = compose_query(schema, record)
        && access.check_kind(MESSAGES, Right::Create).is_ok()
    {
        let pairs: Vec<(&str, &str)> = query.iter().map(|(k, v)| (*k, v.as_str())).collect();
        out.push(Action::link(
            &page.tr().t("action-write-email"),
            format!("/messages/new?{}", super::query_string(&pairs)),
        ));
    }
    out
}

/// The new email's form for a customer's record: to the contact (the
/// account's first address otherwise), about the opportunity; a template
/// is picked in the form. Sent through the writer's own SMTP server when
/// they connected their mailbox.
fn compose_query(schema: &Schema, record: &Record) -> Option<Vec<(&'static str, String)>> {
    use relata_crm::{ACCOUNTS, CONTACTS};
    let id = record.id.to_string();
    let linked = |field: &str| super::visible_std(schema, record, field).as_ref_id().map(|r| r.to_string());
    let mut query = vec![("channel", "email".to_string())];
    match schema.kind {
        k if k == CONTACTS => {
            query.push(("contact", id));
            query.extend(linked("account").map(|a| ("account", a)));
        }
        k if k == ACCOUNTS => query.push(("account", id)),
        k if k == relata_sales::OPPORTUNITIES => {
            query.extend(linked("primary_contact").map(|c| ("contact", c)));
            query.extend(linked("account").map(|a| ("account", a)));
            query.push(("about_entity", "opportunities".into()));
            query.push(("about_id", id));
        }
        _ => return None,
    }
    Some(query)
}

fn runs_href(field: &str, id: &str) -> String {
    format!("/automation_runs?{}", super::query_string(&[("filter", &format!("{field} = \"{id}\""))]))
}

/// `POST /print_batches/{id}/posted`: the batch went to the post.
pub async fn posted(State(server): S, path: PagePath, page: Page, body: Bytes) -> Response {
    if !csrf_ok(&page, &read_form(&body)) {
        return csrf_refused(&page);
    }
    let Some(id) = super::record_id(&path) else { return not_found(&page) };
    match relata_channels::letters::mark_posted(&server.app, &page.ctx, id).await {
        Ok(_) => see_other(format!("/print_batches/{id}")),
        Err(e) => app_error_page(&page, e),
    }
}

/// `POST /automation_rules/{id}/active`: pauses or resumes a rule (if
/// nobody changed it meanwhile).
pub async fn set_active(State(server): S, path: PagePath, page: Page, body: Bytes) -> Response {
    let form = read_form(&body);
    if !csrf_ok(&page, &form) {
        return csrf_refused(&page);
    }
    let Some(id) = super::record_id(&path) else { return not_found(&page) };
    let version = form.get("version").and_then(|v| v.parse::<i64>().ok());
    let mut patch = Values::default();
    patch.set_std("active", FieldValue::Bool(form.get("active").map(String::as_str) == Some("true")));
    let schema = page.schema(AUTOMATION_RULES).clone();
    let result = async {
        let mut tx = server.app.writer(&page.ctx).await?;
        relata_app::write::update_in(&mut tx, &page.ctx, &schema, id, patch, version).await?;
        tx.commit().await?;
        Ok::<(), relata_app::AppError>(())
    }
    .await;
    match result {
        Ok(()) => see_other(format!("/automation_rules/{id}")),
        Err(e) => app_error_page(&page, e),
    }
}

pub struct MessageView {
    pub channel: String,
    /// "to …" (empty: no address).
    pub to: String,
    pub language: String,
    pub subject: String,
    pub body: String,
    pub error: String,
}

pub struct RecordView {
    pub title: String,
    pub href: String,
    pub messages: Vec<MessageView>,
}

#[derive(Template)]
#[template(path = "dry_run.html")]
struct DryRunPage {
    /// Its title names the rule.
    layout: Layout,
    rule_id: String,
    /// How many records the rule would act on, and how many are shown.
    summary: String,
    steps: Vec<String>,
    records: Vec<RecordView>,
}

/// A rule's steps in the reader's words: fields of the rule's type and
/// actions by their labels in the reader's language.
fn step_texts(page: &Page, rule: &Record, entity: &str) -> Vec<String> {
    let tr = page.tr();
    let target = page.schemas.kind(entity).and_then(|kind| page.schemas.try_get(kind));
    let field_label = |id: &str| {
        target.and_then(|schema| schema.field(id)).map_or_else(|| id.to_string(), |field| field.label.to_string())
    };
    let lines = page.schema(AUTOMATION_RULES).def().lines.as_ref();
    let action_label = |action: &str| {
        lines
            .and_then(|def| def.fields.iter().find(|f| f.id == "action"))
            .map_or_else(|| action.to_string(), |field| field.option_label(action).to_string())
    };
    relata_automation::Plan::of_rule(rule)
        .steps
        .iter()
        .map(|step| {
            step.words().in_words(tr, |name, value| match name {
                "field" | "until" => field_label(value),
                "action" => action_label(value),
                _ => value.to_string(),
            })
        })
        .collect()
}

/// `GET /automation_rules/{id}/dry_run`: what the rule would act on now,
/// and what it would send, nothing done.
pub async fn dry_run(State(server): S, path: PagePath, page: Page) -> Response {
    let Some(id) = super::record_id(&path) else { return not_found(&page) };
    let report = async {
        let (rule, _) = relata_app::read::get(&server.app, &page.ctx, AUTOMATION_RULES, id, false).await?;
        let report = relata_automation::dry_run(&server.app, &page.ctx, &rule, 20).await?;
        Ok::<_, relata_app::AppError>((rule, report))
    }
    .await;
    let (rule, report) = match report {
        Ok(r) => r,
        Err(e) => return super::app_error_page(&page, e),
    };
    let entity = rule.values.std("entity").as_text().unwrap_or_default().to_string();
    let text = |j: &Json, k: &str| j.get(k).and_then(Json::as_str).unwrap_or_default().to_string();
    let tr = page.tr();
    // A message's channel as its choice reads in the viewer's language.
    let channel_field = page.schemas.try_get(MESSAGES).and_then(|s| s.field("channel"));
    let channel = |code: String| match channel_field {
        Some(field) => page.locale.field_value(field, &FieldValue::Text(code)),
        None => code,
    };
    let records: Vec<RecordView> = report["records"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .map(|r| {
            let id = text(&r["record"], "id");
            // The title as the viewer may see it (hidden fields never name a record).
            let title = text(r, "title");
            let messages = r["messages"]
                .as_array()
                .map(Vec::as_slice)
                .unwrap_or_default()
                .iter()
                .map(|m| MessageView {
                    channel: channel(text(m, "channel")),
                    to: match text(m, "to") {
                        to if to.is_empty() => to,
                        to => tr.t_with("dry-run-to", &[("address", to.into())]),
                    },
                    language: text(m, "language"),
                    subject: text(m, "subject"),
                    body: text(m, "body"),
                    error: text(m, "error"),
                })
                .collect();
            RecordView { href: format!("/{entity}/{id}"), title, messages }
        })
        .collect();
    let name = rule.values.std("name").as_text().unwrap_or_default().to_string();
    let count = report["count"].as_i64().unwrap_or(0);
    let shown = records.len() as i64;
    let summary = if shown < count {
        tr.t_with("dry-run-found-first", &[("count", count.into()), ("shown", shown.into())])
    } else {
        tr.count("dry-run-found", count)
    };
    let page_view = DryRunPage {
        layout: layout(&page, &tr.t_with("dry-run-title", &[("rule", name.as_str().into())]), Some(AUTOMATION_RULES)),
        rule_id: id.to_string(),
        summary,
        steps: step_texts(&page, &rule, &entity),
        records,
    };
    render(&page_view, StatusCode::OK)
}

pub struct SettingField {
    pub name: &'static str,
    pub label: String,
    pub value: String,
    /// A choice's options (value, label), the current one marked.
    pub options: Vec<(&'static str, String, bool)>,
    pub secret: bool,
    /// A secret that is stored (and is not shown).
    pub set: bool,
    pub error: String,
}

pub struct SettingsForm {
    pub channel: &'static str,
    pub title: String,
    /// The button: "Save Email (SMTP)".
    pub save: String,
    pub fields: Vec<SettingField>,
}

#[derive(Template)]
#[template(path = "channel_settings.html")]
struct ChannelSettingsPage {
    layout: Layout,
    notice: String,
    forms: Vec<SettingsForm>,
}

/// The fields of a channel's form: `(name, label's message, options, secret)`.
fn setting_fields(channel: &str) -> Vec<(&'static str, &'static str, Vec<&'static str>, bool)> {
    match channel {
        "email" => vec![
            ("host", "channels-smtp-server", vec![], false),
            ("port", "channels-port", vec![], false),
            ("security", "channels-security", relata_channels::settings::SECURITIES.to_vec(), false),
            ("username", "channels-user-name", vec![], false),
            ("password", "channels-password", vec![], true),
            ("from_address", "channels-from-address", vec![], false),
            ("from_name", "channels-from-name", vec![], false),
            ("reply_to", "channels-reply-to", vec![], false),
        ],
        _ => vec![
            ("url", "channels-gateway-url", vec![], false),
            ("method", "channels-method", vec!["POST", "PUT", "GET"], false),
            ("content_type", "channels-body-format", vec!["json", "form"], false),
            ("body", "channels-body", vec![], false),
            ("sender", "channels-sender", vec![], false),
            ("auth_header", "channels-credential-header", vec![], false),
            ("auth_value", "channels-credential", vec![], true),
            ("success_contains", "channels-success-contains", vec![], false),
        ],
    }
}

/// An option of a choice as the form shows it: words in the reader's
/// language, names of protocols and formats (`starttls`, `POST`, `json`) as they are.
fn option_label(page: &Page, option: &str) -> String {
    match option {
        "none" => page.tr().t("channels-security-none"),
        "form" => page.tr().t("channels-body-form"),
        other => other.to_string(),
    }
}

fn settings_form(
    page: &Page,
    channel: &'static str,
    shown: &Json,
    input: Option<&std::collections::HashMap<String, String>>,
    errors: &std::collections::HashMap<String, String>,
) -> SettingsForm {
    let tr = page.tr();
    let fields = setting_fields(channel)
        .into_iter()
        .map(|(name, label, options, secret)| {
            let stored = match &shown[name] {
                Json::String(s) => s.clone(),
                Json::Number(n) => n.to_string(),
                _ => String::new(),
            };
            let value = if secret { String::new() } else { input.and_then(|i| i.get(name).cloned()).unwrap_or(stored) };
            let options = options.into_iter().map(|o| (o, option_label(page, o), o == value)).collect();
            SettingField {
                name,
                label: tr.t(label),
                value,
                options,
                secret,
                set: shown[format!("{name}_set")] == Json::Bool(true),
                error: errors.get(name).cloned().unwrap_or_default(),
            }
        })
        .collect();
    let title = tr.t(if channel == "email" { "channels-email" } else { "channels-sms" });
    let save = tr.t_with("channels-save", &[("channel", title.as_str().into())]);
    SettingsForm { channel, title, save, fields }
}

/// A form that was refused: its channel, what was typed, the errors by field.
struct Refused<'a> {
    channel: &'a str,
    input: HashMap<String, String>,
    errors: HashMap<String, String>,
}

async fn settings_page(server: &crate::Server, page: &Page, notice: String, failed: Option<Refused<'_>>) -> Response {
    let mut forms = Vec::new();
    for channel in ["email", "sms"] {
        let shown = match relata_channels::settings::shown(&server.app, &page.ctx, channel).await {
            Ok(s) => s,
            Err(e) => return super::app_error_page(page, e),
        };
        let (input, errors) = match &failed {
            Some(f) if f.channel == channel => (Some(&f.input), f.errors.clone()),
            _ => (None, Default::default()),
        };
        forms.push(settings_form(page, channel, &shown, input, &errors));
    }
    let status = if failed.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    render(&ChannelSettingsPage { layout: layout(page, &page.tr().t("nav-channels"), None), notice, forms }, status)
}

/// `GET /settings/channels`: the SMTP server and SMS gateway (administrators).
pub async fn channel_settings(State(server): S, page: Page) -> Response {
    settings_page(&server, &page, String::new(), None).await
}

/// `POST /settings/channels/{channel}`: saves one channel's settings; an
/// empty secret keeps the stored one.
pub async fn save_channel_settings(
    State(server): S,
    page: Page,
    axum::extract::Path(channel): axum::extract::Path<String>,
    body: Bytes,
) -> Response {
    let form = read_form(&body);
    if !csrf_ok(&page, &form) {
        return csrf_refused(&page);
    }
    let channel: &'static str = match channel.as_str() {
        "email" => "email",
        "sms" => "sms",
        _ => return not_found(&page),
    };
    let mut input = serde_json::Map::new();
    for (name, _, _, secret) in setting_fields(channel) {
        let value = form.get(name).map(|v| v.trim().to_string()).unwrap_or_default();
        if secret && value.is_empty() {
            continue;
        }
        let json = match (name, value.parse::<u64>()) {
            ("port", Ok(n)) => Json::from(n),
            _ if value.is_empty() => Json::Null,
            _ => Json::String(value),
        };
        input.insert(name.to_string(), json);
    }
    match relata_channels::settings::put(&server.app, &page.ctx, channel, &Json::Object(input)).await {
        Ok(_) => {
            let notice = page.tr().t(if channel == "email" { "channels-saved-email" } else { "channels-saved-sms" });
            settings_page(&server, &page, notice, None).await
        }
        Err(relata_app::AppError::Invalid(v)) => {
            let errors = super::field_errors(page.tr(), &v);
            settings_page(&server, &page, String::new(), Some(Refused { channel, input: form, errors })).await
        }
        Err(e) => app_error_page(&page, e),
    }
}
