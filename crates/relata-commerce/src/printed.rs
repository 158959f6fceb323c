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

/// The label key of a document's title.
fn title_key(kind: EntityKind, record: &Record) -> &'static str {
    if kind == QUOTES {
        "quote"
    } else if kind == ORDERS {
        "order"
    } else if records::text(&record.values, "kind") == Some("credit_note") {
        "credit_note"
    } else {
        "invoice"
    }
}

/// A document printed or exported without its amounts would not be one:
/// refused to a role from which any of them is hidden.
fn require_amounts(schema: &relata_core::meta::Schema) -> Result<(), AppError> {
    for field in ["net_total", "tax_total", "grand_total"] {
        if schema.field(field).is_none_or(|f| schema.is_hidden(f)) {
            return Err(AppError::forbidden("refuse-printed-amounts", vec![]));
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
    let template = crate::templates::template_for(&mut conn, &record).await?;
    drop(conn);
    let v = &record.values;
    let t = template.as_ref().map(|t| &t.values);
    let from_template = |field: &str| t.and_then(|t| records::text(t, field)).unwrap_or_default().to_string();
    let language = t.and_then(|t| records::text(t, "language")).unwrap_or("en").to_string();
    let label = |key: &str| crate::templates::label(&language, key);
    let number = records::text(v, "number").unwrap_or("draft").to_string();
    let heading = format!("{} {number}", label(title_key(kind, &record)));
    let mut page = Layout::new();
    let right = PAGE_WIDTH - MARGIN;
    let logo = template.as_ref().and_then(crate::templates::logo);
    let has_logo = logo.is_some();
    if let Some(logo) = logo {
        page.image(logo, right, 140.0, 48.0);
    }
    page.line(16.0);
    page.text(MARGIN, 16.0, Align::Left, &heading);
    page.space(if has_logo { 30.0 } else { 10.0 });
    // The seller on the left, the customer on the right.
    let company = from_template("company_name");
    let mut seller = vec![if company.is_empty() { ctx.workspace.name.clone() } else { company }];
    seller.extend(from_template("company_address").lines().map(str::to_string).filter(|l| !l.trim().is_empty()));
    for (field, key) in [("tax_id", "tax_id"), ("registration_id", "registration_id")] {
        let value = from_template(field);
        if !value.is_empty() {
            seller.push(format!("{}: {value}", label(key)));
        }
    }
    let contact_line = from_template("contact_line");
    if !contact_line.is_empty() {
        seller.push(contact_line);
    }
    let customer: Vec<String> = match &account {
        Some(a) => {
            let place = [shown(a.values.std("postal_code")), shown(a.values.std("city"))].join(" ").trim().to_string();
            [shown(a.values.std("name")), shown(a.values.std("street")), place, shown(a.values.std("country"))]
                .into_iter()
                .filter(|s| !s.is_empty())
                .collect()
        }
        None => vec!["—".into()],
    };
    let column = 310.0;
    page.line(10.0);
    page.text(MARGIN, 10.0, Align::Left, label("seller"));
    page.text(column, 10.0, Align::Left, label("customer"));
    for i in 0..seller.len().max(customer.len()) {
        page.line(10.0);
        if let Some(text) = seller.get(i) {
            let fitted = page.fit(text, 10.0, column - MARGIN - 10.0);
            page.text(MARGIN, 10.0, Align::Left, &fitted);
        }
        if let Some(text) = customer.get(i) {
            let fitted = page.fit(text, 10.0, right - column);
            page.text(column, 10.0, Align::Left, &fitted);
        }
    }
    page.space(6.0);
    let mut dates: Vec<String> = Vec::new();
    for (field, key) in [
        ("quote_date", "date"),
        ("order_date", "date"),
        ("issue_date", "issued"),
        ("valid_until", "valid_until"),
        ("due_date", "due"),
    ] {
        if !v.std(field).is_null() {
            dates.push(format!("{}: {}", label(key), shown(v.std(field))));
        }
    }
    if !dates.is_empty() {
        page.line(10.0);
        page.text(MARGIN, 10.0, Align::Left, &dates.join("    "));
    }
    if let Some(corrects) = record.values.ref_id("corrects") {
        page.line(10.0);
        page.text(MARGIN, 10.0, Align::Left, &format!("{} {corrects}", label("corrects")));
    }
    page.space(14.0);
    // The lines: description, quantity and unit, unit price, discount, tax, net.
    let columns: [(&str, f32, Align); 6] = [
        (label("description"), MARGIN, Align::Left),
        (label("quantity"), 320.0, Align::Right),
        (label("unit_price"), 400.0, Align::Right),
        (label("discount"), 440.0, Align::Right),
        (label("tax"), 480.0, Align::Right),
        (label("net"), right, Align::Right),
    ];
    page.line(9.0);
    for (text, x, align) in columns {
        page.text(x, 9.0, align, text);
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
    let mut totals: Vec<(&str, String)> = Vec::new();
    if let Some(d) = records::decimal(v, "discount_percent").filter(|d| !d.is_zero()) {
        totals.push((label("document_discount"), format!("{}%", d.normalize())));
    }
    totals.push((label("net_total"), shown(v.std("net_total"))));
    for row in records::text(v, "tax_summary").unwrap_or_default().lines() {
        totals.push((label("tax"), row.to_string()));
    }
    totals.push((label("tax_total"), shown(v.std("tax_total"))));
    totals.push((label("total"), shown(v.std("grand_total"))));
    let invoice = kind == INVOICES && records::text(v, "kind") != Some("credit_note");
    if invoice {
        for (field, key) in [("paid_amount", "paid"), ("credited_amount", "credited"), ("balance", "balance")] {
            if !v.std(field).is_null() && !schema.field(field).is_some_and(|f| schema.is_hidden(f)) {
                totals.push((label(key), shown(v.std(field))));
            }
        }
    }
    for (text, value) in totals {
        page.line(10.0);
        page.text(330.0, 10.0, Align::Left, text);
        page.text(right, 10.0, Align::Right, &value);
    }
    let bank = [from_template("bank_name"), from_template("bank_account")].join(" ").trim().to_string();
    if invoice && !bank.is_empty() {
        page.space(8.0);
        page.line(10.0);
        page.text(MARGIN, 10.0, Align::Left, &format!("{}: {bank}", label("bank")));
    }
    for field in ["legal_notes", "terms", "notes"] {
        if let Some(text) = records::text(v, field) {
            page.space(8.0);
            page.paragraph(MARGIN, 8.0, right - MARGIN, text);
        }
    }
    let footer = from_template("legal_footer");
    if !footer.is_empty() {
        page.space(12.0);
        page.paragraph(MARGIN, 7.0, right - MARGIN, &footer);
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
        return Err(AppError::conflict("refuse-invoice-draft-printed", vec![]));
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
