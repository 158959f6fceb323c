//! In-app notifications: what Relata tells one user (their webhook was
//! paused; later, automation steps), shown by the bell in the page header
//! and at `/api/v1/notifications`. Only the user they are for lists them
//! or marks them read.

use crate::{App, AppError, Ctx};
use relata_core::UserId;
use relata_store::notifications::Notification;
use relata_store::{ScopedConn, StoreError};
use serde_json::{Value as Json, json};
use uuid::Uuid;

/// The most notifications one page lists.
pub const MAX_PAGE: u64 = 200;

/// What a notification says: a catalogue message, written in the
/// recipient's language (their profile's, else the workspace's) when it is
/// made, or text as someone wrote it (a rule's subject) or as the caller
/// already wrote it for the recipient.
pub enum Text<'a> {
    Message(&'static str, Vec<(&'static str, TextArg)>),
    Plain(&'a str),
}

/// An argument of a notification's message.
pub enum TextArg {
    Text(String),
    Number(i64),
    /// A moment, in the recipient's time zone and format.
    Moment(chrono::DateTime<chrono::Utc>),
    /// A moment from now, in the recipient's words ("in 10 minutes").
    FromNow(chrono::DateTime<chrono::Utc>),
    /// A catalogue message of its own (a choice's option label), or the
    /// fallback where no catalogue has it.
    Label {
        id: String,
        fallback: String,
    },
}

impl Text<'_> {
    fn render(&self, locale: &relata_i18n::Locale, now: chrono::DateTime<chrono::Utc>) -> String {
        match self {
            Text::Plain(text) => text.to_string(),
            Text::Message(id, args) => {
                let args: Vec<(&str, relata_i18n::Arg)> = args
                    .iter()
                    .map(|(name, arg)| {
                        let value = match arg {
                            TextArg::Text(text) => text.as_str().into(),
                            TextArg::Number(n) => (*n).into(),
                            TextArg::Moment(at) => locale.moment(at).into(),
                            TextArg::FromNow(at) => locale.relative(at, &now).into(),
                            TextArg::Label { id, fallback } => locale.tr().t_or(id, fallback).into(),
                        };
                        (*name, value)
                    })
                    .collect();
                locale.tr().t_with(id, &args)
            }
        }
    }
}

/// Tells `user` something, inside the caller's write.
pub async fn notify_in(
    tx: &mut ScopedConn,
    user: UserId,
    kind: &str,
    title: Text<'_>,
    body: Option<Text<'_>>,
    link: Option<&str>,
) -> Result<(), StoreError> {
    let (language, zone) = tx.member_locale(user).await?;
    let locale = relata_i18n::Locale::choose((language.as_deref(), zone.as_deref()), None, (None, None));
    let now = tx.now();
    let n = Notification {
        id: Uuid::now_v7(),
        user,
        kind: kind.to_string(),
        title: title.render(&locale, now).chars().take(300).collect(),
        body: body.map(|b| b.render(&locale, now)),
        link: link.map(str::to_string),
        created_at: now,
        read_at: None,
    };
    tx.insert_notification(&n).await
}

fn me(ctx: &Ctx) -> Result<UserId, AppError> {
    ctx.actor.ok_or_else(|| AppError::forbidden("refuse-people-only", vec![]))
}

/// The signed-in user's notifications, newest first, before `before`.
pub async fn list(
    app: &App,
    ctx: &Ctx,
    unread_only: bool,
    before: Option<Uuid>,
    limit: u64,
) -> Result<Vec<Notification>, AppError> {
    if limit == 0 || limit > MAX_PAGE {
        return Err(AppError::BadParameter("limit", format!("must be between 1 and {MAX_PAGE}")));
    }
    let user = me(ctx)?;
    Ok(app.store.read(ctx.ws()).await?.notifications_of(user, unread_only, before, limit).await?)
}

/// How many of the signed-in user's notifications are unread (0 for
/// credentials without a user).
pub async fn unread(app: &App, ctx: &Ctx) -> Result<i64, AppError> {
    let Some(user) = ctx.actor else { return Ok(0) };
    Ok(app.store.read(ctx.ws()).await?.unread_notifications(user).await?)
}

/// Marks one of the user's notifications read (not found when it is not
/// theirs), or all of them; returns how many were unread.
pub async fn mark_read(app: &App, ctx: &Ctx, id: Option<Uuid>) -> Result<u64, AppError> {
    let user = me(ctx)?;
    let mut tx = app.store.write(ctx.ws()).await?;
    if let Some(id) = id
        && !tx.has_notification(user, id).await?
    {
        return Err(AppError::NotFound);
    }
    let marked = tx.mark_notifications_read(user, id).await?;
    tx.commit().await?;
    Ok(marked)
}

pub fn to_json(n: &Notification) -> Json {
    json!({"id": n.id, "kind": n.kind, "title": n.title, "body": n.body, "link": n.link,
        "created_at": relata_core::value::format_datetime(&n.created_at),
        "read_at": n.read_at.map(|t| relata_core::value::format_datetime(&t)), "read": n.read_at.is_some()})
}
