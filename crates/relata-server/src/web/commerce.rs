//! Commerce's pages: the actions on a quote, order, invoice or product page
//! (print, send, accept, revise, invoice, issue, record a payment, credit),
//! and the configuration page of a configurable product. Documents are
//! made and edited through the generic forms, whose lines table is the
//! line editor; these pages call the commerce services the API calls.

use super::{
    Layout, Page, PagePath, S, app_error_page, csrf_ok, csrf_refused, layout, not_found, read_form, render, see_other,
};
use askama::Template;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use relata_app::{AppError, read};
use relata_commerce::configurator::Group;
use relata_commerce::{INVOICES, ORDERS, PAYMENTS, PRODUCTS, QUOTES};
use relata_core::Record;
use relata_core::access::Right;
use relata_core::meta::{EntityKind, Schema};
use relata_core::value::FieldValue;
use serde_json::{Value as Json, json};
use std::collections::HashMap;

/// A button or link on a record's page.
pub struct Action {
    pub label: String,
    pub href: String,
    /// Posted with the session's CSRF token and these fields; else a link.
    pub post: Option<Vec<(String, String)>>,
}

impl Action {
    pub(crate) fn link(label: &str, href: String) -> Action {
        Action { label: label.into(), href, post: None }
    }

    pub(crate) fn post(label: &str, href: String, fields: Vec<(String, String)>) -> Action {
        Action { label: label.into(), href, post: Some(fields) }
    }

    /// Moves the record to `status` through the generic status action.
    fn status(label: &str, kind: EntityKind, record: &Record, status: &str) -> Action {
        let href = format!("/{}/{}/status", kind.api_name(), record.id);
        Action::post(
            label,
            href,
            vec![("status".into(), status.into()), ("version".into(), record.version.to_string())],
        )
    }
}

fn text<'a>(schema: &Schema, record: &'a Record, field: &str) -> &'a str {
    super::visible_std(schema, record, field).as_text().unwrap_or("")
}

/// A money value as a form reads it back: `120.50 EUR`.
fn form_money(value: &FieldValue) -> Option<String> {
    match value {
        FieldValue::Money(m) if m.minor > 0 => Some(format!("{} {}", m.major_string(), m.currency)),
        _ => None,
    }
}

/// What can be done with a commerce record from its page, as far as the
/// viewer's role allows.
pub(crate) fn actions(page: &Page, schema: &Schema, record: &Record) -> Vec<Action> {
    let kind = schema.kind;
    let access = &page.ctx.access;
    let can_update = access.check_kind(kind, Right::Update).is_ok();
    let id = record.id;
    let status = text(schema, record, "status");
    let mut out = Vec::new();
    if kind == QUOTES {
        out.push(Action::link(&page.tr().t("action-download-pdf"), format!("/api/v1/quotes/{id}/pdf")));
        if can_update && status == "draft" {
            out.push(Action::status(&page.tr().t("action-mark-sent"), kind, record, "sent"));
        }
        if can_update && (status == "draft" || status == "sent") {
            out.push(Action::status(&page.tr().t("action-accept"), kind, record, "accepted"));
            out.push(Action::status(&page.tr().t("action-reject"), kind, record, "rejected"));
        }
        if access.check_kind(QUOTES, Right::Create).is_ok() {
            out.push(Action::post(&page.tr().t("action-revise"), format!("/quotes/{id}/revise"), Vec::new()));
        }
    } else if kind == ORDERS {
        out.push(Action::link(&page.tr().t("action-download-pdf"), format!("/api/v1/orders/{id}/pdf")));
        if can_update && status == "open" {
            out.push(Action::status(&page.tr().t("action-confirm"), kind, record, "confirmed"));
        }
        if status != "cancelled" && access.check_kind(INVOICES, Right::Create).is_ok() {
            out.push(Action::post(&page.tr().t("action-create-invoice"), format!("/orders/{id}/invoice"), Vec::new()));
        }
    } else if kind == INVOICES {
        out.push(Action::link(&page.tr().t("action-download-pdf"), format!("/api/v1/invoices/{id}/pdf")));
        if status == "draft" {
            if can_update {
                out.push(Action::status(&page.tr().t("action-issue"), kind, record, "issued"));
            }
        } else {
            out.push(Action::link(&page.tr().t("action-download-ubl"), format!("/api/v1/invoices/{id}/ubl")));
        }
        let open = ["issued", "partly_paid", "overdue"].contains(&status);
        let account = super::visible_std(schema, record, "account").as_ref_id();
        if open
            && text(schema, record, "kind") == "invoice"
            && let Some(account) = account
        {
            if access.check_kind(PAYMENTS, Right::Create).is_ok() {
                let mut query = vec![("account", account.to_string()), ("lines[0].invoice", id.to_string())];
                if let Some(balance) = form_money(super::visible_std(schema, record, "balance")) {
                    query.push(("amount", balance.clone()));
                    query.push(("lines[0].amount", balance));
                }
                let query = serde_urlencoded::to_string(query).unwrap_or_default();
                out.push(Action::link(&page.tr().t("action-record-payment"), format!("/payments/new?{query}")));
            }
            if access.check_kind(INVOICES, Right::Create).is_ok() {
                let query = serde_urlencoded::to_string([
                    ("kind", "credit_note".to_string()),
                    ("corrects", id.to_string()),
                    ("account", account.to_string()),
                ])
                .unwrap_or_default();
                out.push(Action::link(&page.tr().t("action-credit-note"), format!("/invoices/new?{query}")));
            }
        }
    } else if kind == PRODUCTS && super::visible_std(schema, record, "configurable") == &FieldValue::Bool(true) {
        out.push(Action::link(&page.tr().t("action-configure"), format!("/products/{id}/configure")));
    }
    out
}

/// `POST /quotes/{id}/revise`: a new draft revision, opened in its form.
pub async fn revise(State(server): S, path: PagePath, page: Page, body: Bytes) -> Response {
    if !csrf_ok(&page, &read_form(&body)) {
        return csrf_refused(&page);
    }
    let Some(id) = super::record_id(&path) else { return not_found(&page) };
    match relata_commerce::quotes::revise(&server.app, &page.ctx, id).await {
        Ok(record) => see_other(format!("/quotes/{}/edit", record.id)),
        Err(e) => app_error_page(&page, e),
    }
}

/// `POST /orders/{id}/invoice`: the order's draft invoice.
pub async fn invoice_order(State(server): S, path: PagePath, page: Page, body: Bytes) -> Response {
    if !csrf_ok(&page, &read_form(&body)) {
        return csrf_refused(&page);
    }
    let Some(id) = super::record_id(&path) else { return not_found(&page) };
    match relata_commerce::quotes::invoice_order(&server.app, &page.ctx, id).await {
        Ok(record) => see_other(format!("/invoices/{}", record.id)),
        Err(e) => app_error_page(&page, e),
    }
}

pub struct OptionView {
    pub code: String,
    pub name: String,
    pub price: String,
    pub chosen: bool,
    pub quantity: String,
    pub rules: String,
}

pub struct GroupView {
    pub name: String,
    pub hint: String,
    pub options: Vec<OptionView>,
}

#[derive(Template)]
#[template(path = "configure.html")]
struct ConfigurePage {
    /// Its title names the product.
    layout: Layout,
    action: String,
    quantity: String,
    groups: Vec<GroupView>,
    /// After checking: whether it is valid, and what it says.
    result: Option<(bool, Vec<String>)>,
    quote_href: Option<String>,
}

fn group_views(page: &Page, groups: &[Group], form: &HashMap<String, String>) -> Vec<GroupView> {
    let tr = page.tr();
    groups
        .iter()
        .map(|g| {
            let number = |n: i64| relata_i18n::Arg::from(page.locale.integer(n));
            let hint = match (g.min_choices, g.max_choices) {
                (Some(a), Some(b)) if a == b => tr.t_with("configure-choose", &[("count", number(a))]),
                (Some(a), Some(b)) => tr.t_with("configure-choose-between", &[("min", number(a)), ("max", number(b))]),
                (Some(a), None) => tr.t_with("configure-choose-at-least", &[("count", number(a))]),
                (None, Some(b)) => tr.t_with("configure-choose-at-most", &[("count", number(b))]),
                (None, None) => String::new(),
            };
            let options = g
                .options
                .iter()
                .map(|o| {
                    let mut rules = Vec::new();
                    if !o.requires.is_empty() {
                        rules.push(tr.t_with("configure-requires", &[("options", o.requires.join(", ").into())]));
                    }
                    if !o.excludes.is_empty() {
                        rules.push(tr.t_with("configure-excludes", &[("options", o.excludes.join(", ").into())]));
                    }
                    OptionView {
                        chosen: form.get(&format!("option.{}", o.code)).is_some_and(|v| v == "true"),
                        quantity: form.get(&format!("quantity.{}", o.code)).cloned().unwrap_or_else(|| "1".into()),
                        price: o.price.map(|(minor, c)| page.locale.money(minor, c.code())).unwrap_or_default(),
                        code: o.code.clone(),
                        name: o.name.clone(),
                        rules: rules.join("; "),
                    }
                })
                .collect();
            GroupView { name: g.name.clone(), hint, options }
        })
        .collect()
}

/// The configuration a form chose, as a line writes it: `RAM*2, GPU`.
fn chosen_configuration(groups: &[GroupView]) -> String {
    groups
        .iter()
        .flat_map(|g| g.options.iter())
        .filter(|o| o.chosen)
        .map(|o| match o.quantity.trim() {
            "" | "1" => o.code.clone(),
            q => format!("{}*{q}", o.code),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// `GET /products/{id}/configure` and, with the choices, `POST`: the
/// product's options by group; checking names every broken rule or gives
/// the price, and offers a quote with the configuration on its line.
async fn configure_page(
    server: &crate::Server,
    path: &PagePath,
    page: &Page,
    form: HashMap<String, String>,
) -> Response {
    let Some(id) = super::record_id(path) else { return not_found(page) };
    let product = match read::get(&server.app, &page.ctx, PRODUCTS, id, false).await {
        Ok((record, schemas)) => schemas.get(PRODUCTS).title(&record),
        Err(e) => return app_error_page(page, e),
    };
    let groups = match relata_commerce::configure::option_groups(&server.app, &page.ctx, id).await {
        Ok(g) => g,
        Err(e) => return app_error_page(page, e),
    };
    let views = group_views(page, &groups, &form);
    let quantity = form.get("quantity").cloned().unwrap_or_else(|| "1".into());
    let mut result = None;
    let mut quote_href = None;
    let mut status = StatusCode::OK;
    if form.contains_key("check") {
        let configuration = chosen_configuration(&views);
        let body = json!({"options": configuration, "quantity": quantity.trim()});
        match relata_commerce::configure::configure(&server.app, &page.ctx, id, &body).await {
            Ok(answer) => {
                let valid = answer["valid"] == json!(true);
                let mut said: Vec<String> = answer["problems"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|p| {
                        format!(
                            "{} ({}): {}",
                            p["subject"].as_str().unwrap_or(""),
                            p["rule"].as_str().unwrap_or(""),
                            p["message"].as_str().unwrap_or("")
                        )
                    })
                    .collect();
                if valid {
                    let tr = page.tr();
                    // An amount as the reader's language writes money (`1 380,00 €` in Polish).
                    let money = |v: &Json| {
                        let currency = v["currency"].as_str().and_then(relata_core::money::Currency::parse);
                        let minor = currency.and_then(|c| {
                            let amount = v["amount"].as_str()?;
                            relata_core::money::parse_decimal_to_minor(amount, c.exponent()).ok()
                        });
                        match (minor, currency) {
                            (Some(minor), Some(c)) => page.locale.money(minor, c.code()),
                            _ => tr.t("configure-no-price"),
                        }
                    };
                    said.push(tr.t_with("configure-unit-price", &[("price", money(&answer["unit_price"]).into())]));
                    said.push(
                        tr.t_with("configure-options-price", &[("price", money(&answer["options_price"]).into())]),
                    );
                    let text = answer["configuration"].as_str().unwrap_or_default();
                    let options = if text.is_empty() { tr.t("configure-no-options") } else { text.to_string() };
                    said.push(tr.t_with("configure-configuration", &[("options", options.into())]));
                    if page.ctx.access.check_kind(QUOTES, Right::Create).is_ok() {
                        let query = serde_urlencoded::to_string([
                            ("lines[0].product", id.to_string()),
                            ("lines[0].configuration", text.to_string()),
                            ("lines[0].quantity", quantity.trim().to_string()),
                        ])
                        .unwrap_or_default();
                        quote_href = Some(format!("/quotes/new?{query}"));
                    }
                } else {
                    status = StatusCode::UNPROCESSABLE_ENTITY;
                }
                result = Some((valid, said));
            }
            Err(AppError::Invalid(v)) => {
                status = StatusCode::UNPROCESSABLE_ENTITY;
                let tr = page.tr();
                result = Some((false, v.errors.iter().map(|f| format!("{}: {}", f.field, tr.refusal(f))).collect()));
            }
            Err(e) => return app_error_page(page, e),
        }
    }
    let template = ConfigurePage {
        layout: layout(
            page,
            &page.tr().t_with("configure-title", &[("product", product.as_str().into())]),
            Some(PRODUCTS),
        ),
        action: format!("/products/{id}/configure"),
        quantity,
        groups: views,
        result,
        quote_href,
    };
    render(&template, status)
}

pub async fn configure_form(State(server): S, path: PagePath, page: Page) -> Response {
    configure_page(&server, &path, &page, HashMap::new()).await
}

pub async fn configure_check(State(server): S, path: PagePath, page: Page, body: Bytes) -> Response {
    let form = read_form(&body);
    if !csrf_ok(&page, &form) {
        return csrf_refused(&page);
    }
    configure_page(&server, &path, &page, form).await
}
