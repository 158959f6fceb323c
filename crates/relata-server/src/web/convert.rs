//! The lead conversion screen (sales): a lead becomes an account (new or
//! existing), a contact and optionally an opportunity, in one transaction.

use super::{Layout, Page, S, after_save, app_error_page, csrf_ok, csrf_refused, layout, not_found, read_form, render};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use relata_app::AppError;
use relata_app::read;
use relata_core::RecordId;
use relata_sales::LEADS;
use std::collections::HashMap;

#[derive(Template)]
#[template(path = "convert.html")]
struct ConvertPage {
    layout: Layout,
    /// "Convert Ben Lis".
    heading: String,
    /// The account field's label, which names the company a new account gets.
    account_label: String,
    action: String,
    cancel_href: String,
    account: String,
    account_error: Option<String>,
    create_opportunity: bool,
    opportunity_name: String,
    opportunity_amount: String,
    opportunity_error: Option<String>,
    problem: Option<String>,
}

/// The page's texts that name the lead and its company.
fn named(page: &Page, lead_title: &str, company: &str) -> (String, String) {
    let tr = page.tr();
    (
        tr.t_with("convert-heading", &[("title", lead_title.into())]),
        tr.t_with("convert-account", &[("company", company.into())]),
    )
}

/// `GET /leads/{id}/convert`: the conversion screen.
pub async fn convert_form(State(server): S, page: Page, Path(id): Path<String>) -> Response {
    let Ok(id) = id.parse::<RecordId>() else { return not_found(&page) };
    let (lead, _) = match read::get(&server.app, &page.ctx, LEADS, id, false).await {
        Ok(found) => found,
        Err(e) => return app_error_page(&page, e),
    };
    let company = lead.values.text("company").unwrap_or("").to_string();
    let (heading, account_label) = named(&page, &page.schema(LEADS).title(&lead), &company);
    let template = ConvertPage {
        layout: layout(&page, &page.tr().t("convert-title"), Some(LEADS)),
        heading,
        account_label,
        opportunity_name: if company.is_empty() {
            String::new()
        } else {
            page.tr().t_with("convert-opportunity-default", &[("company", company.as_str().into())])
        },
        action: format!("/leads/{id}/convert"),
        cancel_href: format!("/leads/{id}"),
        account: String::new(),
        account_error: None,
        create_opportunity: true,
        opportunity_amount: String::new(),
        opportunity_error: None,
        problem: None,
    };
    render(&template, StatusCode::OK)
}

/// An amount as the person typed it (`1 234,50 EUR` in Polish, `1,234.50
/// EUR` in English; the currency code before or after, else the
/// workspace's first currency), as the conversion reads it: the amount in
/// digits with a dot, and the currency code. What is no amount in the
/// person's format goes as typed, for the conversion to name.
fn typed_amount(page: &Page, typed: &str) -> (String, String) {
    let (code, number) = super::forms::split_currency(typed);
    let currency = code
        .map(str::to_ascii_uppercase)
        .unwrap_or_else(|| page.principal.workspace.currencies.first().map_or("EUR", |c| c.code()).to_string());
    let exponent = relata_core::money::Currency::parse(&currency).map_or(2, |c| c.exponent());
    match relata_i18n::format::parse_amount(page.locale.language, &number, exponent) {
        Ok(minor) => (relata_core::money::minor_to_decimal(minor, exponent), currency),
        Err(_) => (number, currency),
    }
}

/// `POST /leads/{id}/convert`: converts in one transaction, then shows the new contact.
pub async fn convert_submit(State(server): S, page: Page, Path(id): Path<String>, body: Bytes) -> Response {
    let form = read_form(&body);
    if !csrf_ok(&page, &form) {
        return csrf_refused(&page);
    }
    let Ok(id) = id.parse::<RecordId>() else { return not_found(&page) };
    let text = |k: &str| form.get(k).map(|v| v.trim().to_string()).unwrap_or_default();
    let create_opportunity = form.get("create_opportunity").is_some_and(|v| v == "true");
    let mut body = serde_json::Map::new();
    if !text("account").is_empty() {
        body.insert("account".into(), serde_json::Value::String(text("account")));
    }
    if create_opportunity {
        let mut opp = serde_json::Map::new();
        if !text("opportunity_name").is_empty() {
            opp.insert("name".into(), serde_json::Value::String(text("opportunity_name")));
        }
        let amount = text("opportunity_amount");
        if !amount.is_empty() {
            let (value, currency) = typed_amount(&page, &amount);
            opp.insert("amount".into(), serde_json::json!({"amount": value, "currency": currency}));
        }
        body.insert("opportunity".into(), serde_json::Value::Object(opp));
    } else {
        body.insert("opportunity".into(), serde_json::Value::Bool(false));
    }
    let result = match relata_sales::convert::ConvertRequest::from_json(&serde_json::Value::Object(body)) {
        Ok(request) => relata_sales::convert::convert_lead(&server.app, &page.ctx, id, request).await,
        Err(v) => Err(AppError::Invalid(v)),
    };
    match result {
        Ok(done) => after_save(&HashMap::new(), format!("/contacts/{}", done.contact.id)),
        Err(AppError::Invalid(v)) => {
            let (lead_title, company) = match read::get(&server.app, &page.ctx, LEADS, id, false).await {
                Ok((lead, _)) => {
                    (page.schema(LEADS).title(&lead), lead.values.text("company").unwrap_or("").to_string())
                }
                Err(e) => return app_error_page(&page, e),
            };
            let about = |prefix: &str| {
                let found: Vec<String> = v
                    .errors
                    .iter()
                    .filter(|e| e.field.starts_with(prefix))
                    .map(|e| format!("{}: {}", e.field, page.tr().refusal(e)))
                    .collect();
                (!found.is_empty()).then(|| found.join("; "))
            };
            let others: Vec<String> = v
                .errors
                .iter()
                .filter(|e| !e.field.starts_with("account") && !e.field.starts_with("opportunity"))
                .map(|e| format!("{}: {}", e.field, page.tr().refusal(e)))
                .collect();
            let (heading, account_label) = named(&page, &lead_title, &company);
            let template = ConvertPage {
                layout: layout(&page, &page.tr().t("convert-title"), Some(LEADS)),
                heading,
                account_label,
                action: format!("/leads/{id}/convert"),
                cancel_href: format!("/leads/{id}"),
                account: text("account"),
                account_error: about("account"),
                create_opportunity,
                opportunity_name: text("opportunity_name"),
                opportunity_amount: text("opportunity_amount"),
                opportunity_error: about("opportunity"),
                problem: Some(if others.is_empty() {
                    page.tr().t("convert-needs-attention")
                } else {
                    others.join("; ")
                }),
            };
            render(&template, StatusCode::UNPROCESSABLE_ENTITY)
        }
        Err(e) => app_error_page(&page, e),
    }
}
