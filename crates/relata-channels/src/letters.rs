//! Printed letters: the letters of a print batch as one PDF on the
//! workspace's letterhead (the default document template: company, address,
//! logo, footer), one letter after another on new pages, and the batch
//! marked posted, which marks its letters sent.

use crate::entities::{MESSAGES, PRINT_BATCHES};
use crate::messages::consent_refusal;
use relata_app::error::AppError;
use relata_app::read::{self, ListParams};
use relata_app::{App, Ctx, write};
use relata_commerce::pdf::{Align, Layout, MARGIN, PAGE_WIDTH};
use relata_core::access::Right;
use relata_core::error::ValidationError;
use relata_core::filter::Expr;
use relata_core::meta::Schema;
use relata_core::value::{FieldValue, Values};
use relata_core::{Record, RecordId};

fn text<'a>(r: &'a Record, field: &str) -> &'a str {
    r.values.std(field).as_text().unwrap_or_default()
}

/// Every letter of a batch the caller may read, oldest first.
async fn letters(app: &App, ctx: &Ctx, batch: RecordId) -> Result<Vec<Record>, AppError> {
    let mut out = Vec::new();
    let mut cursor = None;
    loop {
        let params = ListParams {
            conditions: vec![Expr::eq("print_batch", batch.to_string())],
            sort: Some("id".into()),
            cursor,
            limit: Some(500),
            ..ListParams::default()
        };
        let (page, _) = read::list(app, ctx, MESSAGES, &params).await?;
        let next = page.next_cursor.clone();
        for head in page.records {
            // Lists leave long texts out; the letter needs its body.
            out.push(read::get(app, ctx, MESSAGES, head.id, false).await?.0);
        }
        match next {
            Some(n) => cursor = Some(n),
            None => return Ok(out),
        }
    }
}

/// The batch's letters as one PDF: `(file name, bytes)`. Letters whose
/// contact has since refused post are left out (and blocked when posted).
pub async fn batch_pdf(app: &App, ctx: &Ctx, id: RecordId) -> Result<(String, Vec<u8>), AppError> {
    let (batch, _) = read::get(app, ctx, PRINT_BATCHES, id, false).await?;
    let letters = letters(app, ctx, id).await?;
    let mut conn = app.reader(ctx).await?;
    let letterhead = relata_commerce::templates::template_for(&mut conn, &batch).await?;
    let mut printed = Vec::new();
    for letter in letters {
        let refused =
            consent_refusal(&mut conn, letter.values.ref_id("contact"), "letter", text(&letter, "purpose")).await?;
        if refused.is_none() && ["queued", "sent"].contains(&text(&letter, "status")) {
            printed.push(letter);
        }
    }
    drop(conn);
    let head = |field: &str| letterhead.as_ref().map(|t| text(t, field).to_string()).unwrap_or_default();
    let company = Some(head("company_name")).filter(|c| !c.is_empty()).unwrap_or_else(|| ctx.workspace.name.clone());
    let logo = letterhead.as_ref().and_then(relata_commerce::templates::logo);
    let right = PAGE_WIDTH - MARGIN;
    let width = PAGE_WIDTH - 2.0 * MARGIN;
    let mut page = Layout::new();
    for (i, letter) in printed.iter().enumerate() {
        if i > 0 {
            page.page_break();
        }
        if let Some(logo) = &logo {
            page.image(logo.clone(), right, 140.0, 48.0);
        }
        page.line(12.0);
        page.text(MARGIN, 12.0, Align::Left, &company);
        for line in head("company_address").lines().filter(|l| !l.trim().is_empty()) {
            page.line(8.0);
            page.text(MARGIN, 8.0, Align::Left, line);
        }
        page.space(40.0);
        for line in text(letter, "postal_address").lines() {
            page.line(11.0);
            page.text(MARGIN, 11.0, Align::Left, line);
        }
        page.space(24.0);
        page.line(10.0);
        let language = text(letter, "language");
        let date = crate::format::date(letter.created_at.date_naive(), language);
        page.text(right, 10.0, Align::Right, &date);
        page.space(16.0);
        page.line(12.0);
        let subject = page.fit(text(letter, "subject"), 12.0, width);
        page.text(MARGIN, 12.0, Align::Left, &subject);
        page.space(8.0);
        page.paragraph(MARGIN, 10.5, width, text(letter, "body"));
        let footer = head("legal_footer");
        if !footer.trim().is_empty() {
            page.space(24.0);
            page.paragraph(MARGIN, 7.5, width, &footer);
        }
    }
    let name = text(&batch, "name").to_string();
    let file = format!("{}.pdf", name.replace(|c: char| !c.is_ascii_alphanumeric() && c != '-', "_"));
    Ok((file, page.finish(&name)))
}

/// Marks a batch posted: its letters are sent (or blocked where consent was
/// withdrawn since), the batch closed; the next letter opens a new batch.
pub async fn mark_posted(app: &App, ctx: &Ctx, id: RecordId) -> Result<Record, AppError> {
    let (batch, _) = read::get(app, ctx, PRINT_BATCHES, id, false).await?;
    ctx.access.check(PRINT_BATCHES, Right::Update, relata_app::write::owner_of(&batch.values))?;
    if text(&batch, "status") != "open" {
        return Err(ValidationError::single("status", "already_posted", "this batch was posted already").into());
    }
    // Relata moves the letters and the batch (types people do not write).
    let system = Ctx::new(ctx.workspace.clone(), None);
    let all = letters(app, &system, id).await?;
    let mut tx = app.writer(ctx).await?;
    let now = tx.now();
    let messages = Schema::standard(MESSAGES);
    for letter in all.iter().filter(|l| text(l, "status") == "queued") {
        let refused =
            consent_refusal(&mut tx, letter.values.ref_id("contact"), "letter", text(letter, "purpose")).await?;
        let mut patch = Values::default();
        match refused {
            Some(reason) => {
                patch.set_std("status", FieldValue::Text("blocked".into()));
                patch.set_std("error", FieldValue::Text(reason));
            }
            None => {
                patch.set_std("status", FieldValue::Text("sent".into()));
                patch.set_std("sent_at", FieldValue::DateTime(now));
            }
        }
        write::update_in(&mut tx, &system, &messages, letter.id, patch, None).await?;
    }
    let mut patch = Values::default();
    patch.set_std("status", FieldValue::Text("posted".into()));
    patch.set_std("posted_at", FieldValue::DateTime(now));
    let posted = write::update_in(&mut tx, &system, &Schema::standard(PRINT_BATCHES), id, patch, None).await?;
    relata_app::audit::audit_in(
        &mut tx,
        ctx,
        relata_app::audit::Event::new("print_batch.posted")
            .target("print_batch", id)
            .details(serde_json::json!({"letters": all.len()})),
    )
    .await?;
    tx.commit().await?;
    Ok(posted)
}
