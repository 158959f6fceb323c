//! The knowledge base: articles by category, language and product, written
//! as drafts, reviewed and published (by managers and administrators), and
//! archived; every version is in the article's change history (`revision`
//! counts publications). Published articles are suggested on a case from
//! its words, can be linked to the case they helped with, and gather "was
//! this helpful" votes; the customer portal will show them.

use crate::entities::{CASES, KB_ARTICLES};
use relata_app::read::{self, ListParams};
use relata_app::{App, AppError, Ctx};
use relata_core::filter::Expr;
use relata_core::meta::Schema;
use relata_core::value::{FieldValue, Values};
use relata_core::{Record, RecordId};
use relata_i18n::refused;
use relata_store::StoreError;
use std::collections::HashMap;

/// How many articles a case is offered.
const SUGGESTIONS: usize = 5;

/// Who may publish: managers and administrators (and Relata).
fn may_publish(ctx: &Ctx) -> bool {
    ctx.access.is_admin() || ctx.access.role.name == "manager" || ctx.actor.is_none()
}

/// Before an article is stored: the workflow's steps (draft, in review,
/// published, archived), publishing by those who may, the revision and
/// the time of publication kept.
pub fn before_save(
    ctx: &Ctx,
    old: Option<&Record>,
    new: &mut Record,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), StoreError> {
    let was = old.and_then(|o| o.values.text("status")).unwrap_or("draft").to_string();
    let is = new.values.text("status").unwrap_or("draft").to_string();
    let content_changed = old.is_none_or(|o| ["title", "body"].iter().any(|f| o.values.std(f) != new.values.std(f)));
    if is == "published" && (was != "published" || content_changed) {
        if !may_publish(ctx) {
            return Err(refused("status", "forbidden", "refuse-publish-role", vec![]).into());
        }
        let revision = new.values.int("revision").unwrap_or(0) + 1;
        new.values.set_std("revision", FieldValue::Int(revision));
        new.values.set_std("published_at", FieldValue::DateTime(now));
    }
    if was == "archived" && is == "in_review" {
        return Err(refused("status", "invalid_step", "refuse-archived-to-review", vec![]).into());
    }
    Ok(())
}

/// Published articles that share the most words with the case's subject
/// and description (words of four letters or more, at most eight), the
/// most helpful first among equals; read as the viewer may.
pub async fn suggested(app: &App, ctx: &Ctx, case: RecordId) -> Result<Vec<Record>, AppError> {
    let (case, _) = read::get(app, ctx, CASES, case, false).await?;
    let text = format!(
        "{} {}",
        case.values.text("subject").unwrap_or_default(),
        case.values.text("description").unwrap_or_default()
    );
    let mut words: Vec<String> = Vec::new();
    for word in relata_core::text::search_words(&text) {
        if word.chars().count() >= 4 && !words.contains(&word) {
            words.push(word);
        }
        if words.len() == 8 {
            break;
        }
    }
    let mut found: HashMap<RecordId, (usize, Record)> = HashMap::new();
    for word in words {
        let params = ListParams {
            q: Some(word),
            conditions: vec![Expr::eq("status", "published")],
            limit: Some(20),
            ..Default::default()
        };
        let (page, _) = read::list(app, ctx, KB_ARTICLES, &params).await?;
        for article in page.records {
            found.entry(article.id).or_insert((0, article)).0 += 1;
        }
    }
    let helpful = |r: &Record| r.values.int("helpful_yes").unwrap_or(0);
    let mut ranked: Vec<(usize, Record)> = found.into_values().collect();
    ranked.sort_by(|(a, r), (b, s)| b.cmp(a).then(helpful(s).cmp(&helpful(r))).then(r.id.uuid().cmp(&s.id.uuid())));
    Ok(ranked.into_iter().take(SUGGESTIONS).map(|(_, r)| r).collect())
}

/// Counts a reader's answer to "was this helpful" on a published article.
pub async fn feedback(app: &App, ctx: &Ctx, article: RecordId, helpful: bool) -> Result<Record, AppError> {
    let (record, _) = read::get(app, ctx, KB_ARTICLES, article, false).await?;
    if record.values.text("status") != Some("published") {
        return Err(refused("status", "not_published", "refuse-feedback-unpublished", vec![]).into());
    }
    let field = if helpful { "helpful_yes" } else { "helpful_no" };
    let relata = Ctx::new(ctx.workspace.clone(), None);
    // Concurrent votes all count: a vote that lost the race to another
    // (PostgreSQL lets both read the same count) counts again on top of it.
    let mut attempts = 0;
    loop {
        attempts += 1;
        match count_vote(app, &relata, article, field).await {
            Err(AppError::VersionConflict { .. }) if attempts < 20 => continue,
            done => return done,
        }
    }
}

async fn count_vote(app: &App, relata: &Ctx, article: RecordId, field: &str) -> Result<Record, AppError> {
    let schema = Schema::standard(KB_ARTICLES);
    let mut tx = app.writer(relata).await?;
    let current = tx.get_record(&schema, article, false).await?.ok_or(AppError::NotFound)?;
    let count = current.values.int(field).unwrap_or(0) + 1;
    let mut patch = Values::default();
    patch.set_std(field, FieldValue::Int(count));
    let saved = relata_app::write::update_in(&mut tx, relata, &schema, article, patch, Some(current.version)).await?;
    tx.commit().await?;
    Ok(saved)
}
