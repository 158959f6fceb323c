//! Quotes, orders, invoices and credit notes as PDF files
//! (`GET /api/v1/{quotes|orders|invoices}/{id}/pdf`): the seller, the
//! customer, the dates, every line as stored, the tax summary, the totals
//! and the legal notes: the same numbers the API shows.

use crate::entities::{INVOICES, ORDERS, QUOTES};
use crate::pdf::{Align, Layout, MARGIN, PAGE_WIDTH};
use crate::records;
use relata_app::error::AppError;
use relata_app::{App, Ctx};
use relata_core::Record;
use relata_core::meta::EntityKind;
use relata_core::value::FieldValue;

fn shown(value: &FieldValue) -> String {
    match value {
        FieldValue::Null => String::new(),
        FieldValue::Money(m) => m.to_string(),
        FieldValue::Decimal(d) => d.normalize().to_string(),
        FieldValue::Date(d) => d.to_string(),
        FieldValue::Text(t) => t.clone(),
        other => other.to_csv(),
    }
}

fn title(kind: EntityKind, record: &Record) -> &'static str {
    if kind == QUOTES {
        "Quote"
    } else if kind == ORDERS {
        "Order confirmation"
    } else if records::text(&record.values, "kind") == Some("credit_note") {
        "Credit note"
    } else {
        "Invoice"
    }
}

/// A document printed or exported without its amounts would not be one:
/// refused to a role from which any of them is hidden.
fn require_amounts(schema: &relata_core::meta::Schema) -> Result<(), AppError> {
    for field in ["net_total", "tax_total", "grand_total"] {
        if schema.field(field).is_none_or(|f| schema.is_hidden(f)) {
            return Err(AppError::Forbidden(format!("the document's {field} is hidden from your role")));
        }
    }
    Ok(())
}

/// A download's file name from a document number (`INV-2026-000001.pdf`).
fn file_name(number: &str, extension: &str) -> String {
    format!("{}.{extension}", number.replace(|c: char| !c.is_ascii_alphanumeric() && c != '-', "_"))
}

/// The PDF of a document the caller may read, and a file name for it.
pub async fn document_pdf(
    app: &App,
    ctx: &Ctx,
    kind: EntityKind,
    id: relata_core::RecordId,
) -> Result<(String, Vec<u8>), AppError> {
    if ![QUOTES, ORDERS, INVOICES].contains(&kind) {
        return Err(AppError::NotFound);
    }
    let schemas = app.schemas_for(ctx).await?;
    let schema = schemas.get(kind);
    require_amounts(schema)?;
    let mut conn = app.reader(ctx).await?;
    let Some(record) = conn.get_record(schema, id, false).await? else {
        return Err(relata_app::write::missing_or_hidden(&mut conn, kind, id).await);
    };
    let account = match record.values.ref_id("account") {
        Some(a) => {
            conn.get_record(schemas.get(relata_crm::ACCOUNTS), relata_core::RecordId::from_uuid(a), false).await?
        }
        None => None,
    };
    drop(conn);
    let v = &record.values;
    let number = records::text(v, "number").unwrap_or("draft").to_string();
    let heading = format!("{} {number}", title(kind, &record));
    let mut page = Layout::new();
    let right = PAGE_WIDTH - MARGIN;
    page.line(16.0);
    page.text(MARGIN, 16.0, Align::Left, &heading);
    page.text(right, 10.0, Align::Right, &ctx.workspace.name);
    page.space(10.0);
    page.line(10.0);
    page.text(MARGIN, 10.0, Align::Left, "Customer");
    let mut dates: Vec<(&str, String)> = Vec::new();
    for (field, label) in [
        ("quote_date", "Date"),
        ("order_date", "Date"),
        ("issue_date", "Issued"),
        ("valid_until", "Valid until"),
        ("due_date", "Due"),
    ] {
        if !v.std(field).is_null() {
            dates.push((label, shown(v.std(field))));
        }
    }
    if let Some((label, value)) = dates.first() {
        page.text(right, 10.0, Align::Right, &format!("{label}: {value}"));
    }
    let customer: Vec<String> = match &account {
        Some(a) => ["name", "street", "postal_code", "city", "country"]
            .iter()
            .map(|f| shown(a.values.std(f)))
            .filter(|s| !s.is_empty())
            .collect(),
        None => vec!["—".into()],
    };
    for (i, text) in customer.iter().enumerate() {
        page.line(10.0);
        page.text(MARGIN, 10.0, Align::Left, text);
        if let Some((label, value)) = dates.get(i + 1) {
            page.text(right, 10.0, Align::Right, &format!("{label}: {value}"));
        }
    }
    if let Some(corrects) = record.values.ref_id("corrects") {
        page.line(10.0);
        page.text(MARGIN, 10.0, Align::Left, &format!("Corrects invoice {corrects}"));
    }
    page.space(14.0);
    // The lines: description, quantity and unit, unit price, discount, tax, net.
    let columns: [(&str, f32, Align); 6] = [
        ("Description", MARGIN, Align::Left),
        ("Quantity", 320.0, Align::Right),
        ("Unit price", 400.0, Align::Right),
        ("Disc. %", 440.0, Align::Right),
        ("Tax", 480.0, Align::Right),
        ("Net", right, Align::Right),
    ];
    page.line(9.0);
    for (label, x, align) in columns {
        page.text(x, 9.0, align, label);
    }
    page.rule();
    for line in record.lines.iter().flatten() {
        let l = &line.values;
        page.line(9.0);
        let description = records::text(l, "description").unwrap_or_default().to_string();
        let description = match records::text(l, "configuration") {
            Some(c) => format!("{description} ({c})"),
            None => description,
        };
        let fitted = page.fit(&description, 9.0, 230.0);
        page.text(MARGIN, 9.0, Align::Left, &fitted);
        let quantity = format!("{} {}", shown(l.std("quantity")), shown(l.std("unit"))).trim().to_string();
        page.text(320.0, 9.0, Align::Right, &quantity);
        page.text(400.0, 9.0, Align::Right, &shown(l.std("unit_price")));
        page.text(440.0, 9.0, Align::Right, &shown(l.std("discount_percent")));
        let tax = match records::text(l, "tax_treatment") {
            Some("standard") | None => format!("{}%", shown(l.std("tax_rate"))),
            Some(other) => other.replace('_', " "),
        };
        page.text(480.0, 9.0, Align::Right, &tax);
        page.text(right, 9.0, Align::Right, &shown(l.std("net_amount")));
    }
    page.rule();
    page.space(6.0);
    let mut totals: Vec<(String, String)> = Vec::new();
    if let Some(d) = records::decimal(v, "discount_percent").filter(|d| !d.is_zero()) {
        totals.push(("Document discount".into(), format!("{}%", d.normalize())));
    }
    totals.push(("Net total".into(), shown(v.std("net_total"))));
    for row in records::text(v, "tax_summary").unwrap_or_default().lines() {
        totals.push(("Tax".into(), row.to_string()));
    }
    totals.push(("Tax total".into(), shown(v.std("tax_total"))));
    totals.push(("Total".into(), shown(v.std("grand_total"))));
    if kind == INVOICES && records::text(v, "kind") != Some("credit_note") {
        for (field, label) in [("paid_amount", "Paid"), ("credited_amount", "Credited"), ("balance", "Balance due")] {
            if !v.std(field).is_null() && !schema.field(field).is_some_and(|f| schema.is_hidden(f)) {
                totals.push((label.into(), shown(v.std(field))));
            }
        }
    }
    for (label, value) in totals {
        page.line(10.0);
        page.text(330.0, 10.0, Align::Left, &label);
        page.text(right, 10.0, Align::Right, &value);
    }
    for field in ["legal_notes", "terms", "notes"] {
        if let Some(text) = records::text(v, field) {
            page.space(8.0);
            page.paragraph(MARGIN, 8.0, right - MARGIN, text);
        }
    }
    let file = file_name(&number, "pdf");
    Ok((file, page.finish(&heading)))
}

/// An issued invoice or credit note as UBL 2.1 XML (`GET
/// /api/v1/invoices/{id}/ubl`), and a file name for it.
pub async fn invoice_ubl(app: &App, ctx: &Ctx, id: relata_core::RecordId) -> Result<(String, String), AppError> {
    let schemas = app.schemas_for(ctx).await?;
    let schema = schemas.get(INVOICES);
    require_amounts(schema)?;
    let mut conn = app.reader(ctx).await?;
    let Some(invoice) = conn.get_record(schema, id, false).await? else {
        return Err(relata_app::write::missing_or_hidden(&mut conn, INVOICES, id).await);
    };
    let Some(number) = records::text(&invoice.values, "number").map(str::to_string) else {
        return Err(AppError::Conflict("a draft invoice has no number yet: issue it first".into()));
    };
    let account = match invoice.values.ref_id("account") {
        Some(a) => {
            conn.get_record(schemas.get(relata_crm::ACCOUNTS), relata_core::RecordId::from_uuid(a), false).await?
        }
        None => None,
    };
    let corrected = match invoice.values.ref_id("corrects") {
        Some(c) => conn
            .get_record(schema, relata_core::RecordId::from_uuid(c), false)
            .await?
            .and_then(|r| records::text(&r.values, "number").map(str::to_string)),
        None => None,
    };
    let xml = crate::ubl::document(&invoice, account.as_ref(), &ctx.workspace.name, corrected.as_deref());
    let file = file_name(&number, "xml");
    Ok((file, xml))
}
