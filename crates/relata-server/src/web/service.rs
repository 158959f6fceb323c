//! Customer service's pages: the actions on a case's page (reply to the
//! customer, add an internal note, through the generic comment form; a
//! new contact for an unknown sender), the case's conversation with a
//! form to answer it, and the release or discard of held mail.

use super::commerce::Action;
use super::{Page, PagePath, Titles, app_error_page, csrf_ok, csrf_refused, not_found, read_form, see_other};
use axum::body::Bytes;
use axum::extract::State;
use axum::response::Response;
use relata_app::read::{self, ListParams};
use relata_core::Record;
use relata_core::access::Right;
use relata_core::filter::Expr;
use relata_core::meta::Schema;
use relata_core::value::format_datetime;
use relata_service::entities::{CASE_COMMENTS, CASES, HELD_MESSAGES};

pub(crate) fn actions(page: &Page, schema: &Schema, record: &Record) -> Vec<Action> {
    if schema.kind == HELD_MESSAGES {
        return held_actions(page, record);
    }
    if schema.kind != CASES || page.ctx.access.check_kind(CASE_COMMENTS, Right::Create).is_err() {
        return Vec::new();
    }
    let new_comment = |kind: &str| format!("/{}/new?case={}&kind={kind}", CASE_COMMENTS.api_name(), record.id);
    let mut out = vec![
        Action::link(&page.tr().t("action-reply-customer"), new_comment("reply")),
        Action::link(&page.tr().t("action-internal-note"), new_comment("note")),
    ];
    // Mail from an unknown address: a new contact is proposed, prefilled.
    if let (None, Some(address)) = (record.values.ref_id("contact"), record.values.text("requester_email"))
        && page.ctx.access.check_kind(relata_crm::CONTACTS, Right::Create).is_ok()
    {
        let query = serde_urlencoded::to_string([("emails", address)]).unwrap_or_default();
        out.push(Action::link(&format!("New contact for {address}"), format!("/contacts/new?{query}")));
    }
    out
}

/// A held message's page: release it into a case, or discard it.
fn held_actions(page: &Page, record: &Record) -> Vec<Action> {
    if record.values.text("status") != Some("held") || page.ctx.access.check_kind(HELD_MESSAGES, Right::Update).is_err()
    {
        return Vec::new();
    }
    let base = format!("/{}/{}", HELD_MESSAGES.api_name(), record.id);
    vec![
        Action::post(&page.tr().t("action-release"), format!("{base}/release"), Vec::new()),
        Action::post(&page.tr().t("action-discard"), format!("{base}/discard"), Vec::new()),
    ]
}

/// A case's comments, oldest first, as the viewer may read them.
pub(crate) struct Conversation {
    pub entries: Vec<Entry>,
    /// The inline form, for who may write comments.
    pub form: Option<CommentForm>,
}

pub(crate) struct Entry {
    pub href: String,
    /// `reply`, `note` or `customer` (a class for its look).
    pub kind: String,
    /// Who wrote it, in the reader's language ("From the customer").
    pub label: String,
    pub author: String,
    /// When, for machines (`<time datetime>`), and as the reader reads it.
    pub at: String,
    pub at_shown: String,
    pub body: String,
    /// (link, name) of the files kept with it.
    pub files: Vec<(String, String)>,
}

pub(crate) struct CommentForm {
    pub case: String,
    pub return_to: String,
    /// Whether a reply can go out (the case has an address to answer).
    pub can_reply: bool,
    /// (id, name) of the email templates a reply may start from.
    pub templates: Vec<(String, String)>,
}

/// The conversation of a case's page (none for other types).
pub(crate) async fn conversation(server: &crate::Server, page: &Page, record: &Record) -> Option<Conversation> {
    if record.kind != CASES || page.ctx.access.check_kind(CASE_COMMENTS, Right::Read).is_err() {
        return None;
    }
    let params = ListParams {
        conditions: vec![Expr::eq("case", record.id)],
        sort: Some("created_at".into()),
        limit: Some(200),
        ..Default::default()
    };
    let (found, schemas) = read::list(&server.app, &page.ctx, CASE_COMMENTS, &params).await.ok()?;
    let schema = schemas.get(CASE_COMMENTS);
    let comments: Vec<&Record> = found.records.iter().collect();
    let titles = Titles::of_fields(server, page, schema, &comments, Some(&["created_by"])).await;
    let entries = comments.iter().map(|c| entry(schema, &titles, c)).collect();
    let form = match page.ctx.access.check_kind(CASE_COMMENTS, Right::Create) {
        Err(_) => None,
        Ok(()) => Some(CommentForm {
            case: record.id.to_string(),
            return_to: format!("/{}/{}", CASES.api_name(), record.id),
            can_reply: record.values.ref_id("contact").is_some() || record.values.text("requester_email").is_some(),
            templates: reply_templates(server, page).await,
        }),
    };
    Some(Conversation { entries, form })
}

fn entry(schema: &Schema, titles: &Titles, comment: &Record) -> Entry {
    let kind = super::visible_std(schema, comment, "kind").as_text().unwrap_or("note").to_string();
    let tr = titles.locale.tr();
    let (label, author) = match kind.as_str() {
        "customer" => {
            let from = super::visible_std(schema, comment, "from_address").as_text().map(str::to_string);
            ("record-from-customer", from.unwrap_or_else(|| tr.t("record-the-customer")))
        }
        "reply" => ("record-reply", titles.show(super::visible_std(schema, comment, "created_by")).0),
        _ => ("record-internal-note", titles.show(super::visible_std(schema, comment, "created_by")).0),
    };
    let listed: Vec<serde_json::Value> = super::visible_std(schema, comment, "attachments")
        .as_text()
        .and_then(|a| serde_json::from_str(a).ok())
        .unwrap_or_default();
    let files = listed
        .iter()
        .filter(|a| a["kept"] == true)
        .filter_map(|a| {
            let position = a["position"].as_i64()?;
            let name = a["name"].as_str().unwrap_or("file").to_string();
            Some((format!("/api/v1/{}/{}/attachments/{position}", CASE_COMMENTS.api_name(), comment.id), name))
        })
        .collect();
    Entry {
        href: format!("/{}/{}", CASE_COMMENTS.api_name(), comment.id),
        kind,
        label: tr.t(label),
        author,
        at: format_datetime(&comment.created_at),
        at_shown: titles.locale.moment(&comment.created_at),
        body: super::visible_std(schema, comment, "body").as_text().unwrap_or_default().to_string(),
        files,
    }
}

/// The email templates for cases (or for any record) the viewer may read.
async fn reply_templates(server: &crate::Server, page: &Page) -> Vec<(String, String)> {
    use relata_channels::entities::MESSAGE_TEMPLATES;
    let params = ListParams {
        filter: Some(format!("channel = \"email\" and (entity = \"{}\" or entity = null)", CASES.api_name())),
        sort: Some("name".into()),
        limit: Some(100),
        ..Default::default()
    };
    let Ok((found, schemas)) = read::list(&server.app, &page.ctx, MESSAGE_TEMPLATES, &params).await else {
        return Vec::new();
    };
    let schema = schemas.get(MESSAGE_TEMPLATES);
    found.records.iter().map(|t| (t.id.to_string(), schema.title(t))).collect()
}

type S = State<std::sync::Arc<crate::Server>>;

/// `POST /held_messages/{id}/release`: into a case, shown next.
pub async fn release_held(State(server): S, path: PagePath, page: Page, body: Bytes) -> Response {
    held_action(&server, &path, &page, &body, true).await
}

/// `POST /held_messages/{id}/discard`: back to the held mail.
pub async fn discard_held(State(server): S, path: PagePath, page: Page, body: Bytes) -> Response {
    held_action(&server, &path, &page, &body, false).await
}

async fn held_action(server: &crate::Server, path: &PagePath, page: &Page, body: &[u8], release: bool) -> Response {
    if !csrf_ok(page, &read_form(body)) {
        return csrf_refused(page);
    }
    let Some(id) = super::record_id(path) else { return not_found(page) };
    let done = if release {
        let case = relata_service::inbound::release(&server.app, &page.ctx, id).await;
        case.map(|case| format!("/{}/{}", CASES.api_name(), case.id))
    } else {
        let held = relata_service::inbound::discard(&server.app, &page.ctx, id).await;
        held.map(|_| format!("/{}?filter=status%20%3D%20%22held%22", HELD_MESSAGES.api_name()))
    };
    match done {
        Ok(next) => see_other(next),
        Err(e) => app_error_page(page, e),
    }
}
