//! Commerce on both backends: products and price books, quotes priced from
//! the best price book with discounts and taxes, acceptance into an order
//! that wins the opportunity, revisions, invoices with gapless numbers and
//! frozen amounts, payments allocated to them, credit notes, the overdue
//! pass, and the figures accounts keep; bad input refused by field with
//! nothing changed.

use crate::helpers::{TestApp, account, id_of, version_of};
use serde_json::{Value as Json, json};

crate::both_backends!(
    quotes_are_priced_from_the_best_price_book_and_accepted_into_orders,
    invoices_take_payments_and_accounts_keep_their_figures,
    bad_commerce_input_is_refused_by_field_and_changes_nothing,
    the_erp_sends_events_that_apply_once,
    products_import_from_an_xlsx_workbook,
    configurable_products_are_checked_and_priced,
    documents_print_as_pdf_in_every_language,
    invoices_export_as_ubl,
    quotes_are_built_and_worked_through_to_payment_on_the_pages,
    payments_imported_in_bulk_keep_the_accounts_figures,
    documents_print_with_the_workspace_template_in_its_language,
);

fn eur(amount: &str) -> Json {
    json!({"amount": amount, "currency": "EUR"})
}

fn today() -> chrono::NaiveDate {
    chrono::Utc::now().date_naive()
}

fn day(offset: i64) -> String {
    (today() + chrono::Duration::days(offset)).to_string()
}

struct Catalogue {
    widget: String,
    consulting: String,
    acme: String,
}

/// Two products, a general price book with a volume price, and a cheaper
/// book for one account.
async fn catalogue(app: &TestApp) -> Catalogue {
    let widget = app
        .create(
            "products",
            json!({"sku": "W-1", "name": "Widget", "unit": "piece", "tax_rate": "23", "family": "Hardware"}),
        )
        .await;
    let consulting = app
        .create(
            "products",
            json!({"sku": "C-1", "name": "Consulting", "kind": "service", "unit": "hour",
                "fractional_quantities": true, "tax_rate": "8"}),
        )
        .await;
    let acme = app.create("accounts", account("Acme Sp. z o.o.")).await;
    let (widget, consulting, acme) = (id_of(&widget), id_of(&consulting), id_of(&acme));
    app.create(
        "price_books",
        json!({"name": "List prices 2026", "currency": "EUR", "valid_from": day(-30), "valid_to": day(60), "lines": [
            {"product": widget, "unit_price": eur("100.00")},
            {"product": widget, "unit_price": eur("90.00"), "min_quantity": "10"},
            {"product": consulting, "unit_price": eur("150.00")}
        ]}),
    )
    .await;
    app.create(
        "price_books",
        json!({"name": "Acme contract", "currency": "EUR", "account": acme, "lines": [
            {"product": widget, "unit_price": eur("80.00")}
        ]}),
    )
    .await;
    Catalogue { widget, consulting, acme }
}

async fn quotes_are_priced_from_the_best_price_book_and_accepted_into_orders(app: TestApp) {
    let c = catalogue(&app).await;
    let other = id_of(&app.create("accounts", account("Other GmbH")).await);
    let opportunity =
        app.create("opportunities", json!({"name": "Acme widgets", "account": c.acme, "amount": eur("5000")})).await;
    let quote = app
        .post(
            "/api/v1/quotes",
            &json!({"account": c.acme, "opportunity": id_of(&opportunity), "discount_percent": "5", "lines": [
                {"product": c.widget, "quantity": "12", "discount_percent": "10"},
                {"product": c.consulting, "quantity": "2.5"},
                {"description": "Installation", "quantity": "1", "unit_price": eur("50.00"), "tax_rate": "23"},
                {"description": "Export crate", "quantity": "1", "unit_price": eur("40.00"), "tax_treatment": "reverse_charge"}
            ]}),
        )
        .await
        .expect(201)
        .body;
    let lines = quote["lines"].as_array().unwrap();
    // Acme's own book beats the general one, even its volume price.
    assert_eq!(lines[0]["unit_price"]["amount"], "80.00");
    assert_eq!(lines[0]["list_price"]["amount"], "80.00");
    assert_eq!(lines[0]["description"], "Widget", "completed from the catalogue");
    assert_eq!(lines[0]["unit"], "piece");
    assert_eq!(lines[0]["tax_rate"], "23.00");
    assert_eq!(lines[1]["unit_price"]["amount"], "150.00", "from the general book");
    // 12 × 80 × 0.9 × 0.95 = 820.80; 2.5 × 150 × 0.95 = 356.25; 50 × 0.95 = 47.50; 40 × 0.95 = 38.00
    let nets: Vec<&str> = lines.iter().map(|l| l["net_amount"]["amount"].as_str().unwrap()).collect();
    assert_eq!(nets, ["820.80", "356.25", "47.50", "38.00"]);
    // Per line: 820.80 × 23% = 188.78 (188.784); 356.25 × 8% = 28.50; 47.50 × 23% = 10.93 (10.925 up).
    let taxes: Vec<Json> = lines.iter().map(|l| l["tax_amount"]["amount"].clone()).collect();
    assert_eq!(taxes, [json!("188.78"), json!("28.50"), json!("10.93"), json!("0.00")]);
    assert_eq!(quote["net_total"]["amount"], "1262.55");
    assert_eq!(quote["tax_total"]["amount"], "228.21");
    assert_eq!(quote["grand_total"]["amount"], "1490.76");
    assert_eq!(quote["tax_summary"], "23% of 868.30: 199.71\n8% of 356.25: 28.50\nreverse charge of 38.00: 0.00");
    assert!(quote["legal_notes"].as_str().unwrap().contains("Reverse charge"));
    assert!(quote["number"].as_str().unwrap().starts_with("Q-"));
    assert_eq!(quote["revision"], 1);
    assert_eq!(quote["status"], "draft");
    assert_eq!(quote["valid_until"], day(30), "valid 30 days by default");
    assert_eq!(quote["currency"], "EUR");

    // Per-document rounding rounds each rate's sum once: 868.30 × 23% = 199.709 → 199.71 as well,
    // and lines print no tax.
    let path = format!("/api/v1/quotes/{}", id_of(&quote));
    let per_doc = app.patch(&path, version_of(&quote), &json!({"rounding": "per_document"})).await.expect(200).body;
    assert_eq!(per_doc["tax_total"]["amount"], "228.21");
    assert_eq!(per_doc["lines"][0]["tax_amount"], Json::Null);

    // The general book's volume price applies to another account.
    let volume = app
        .post("/api/v1/quotes", &json!({"account": other, "lines": [{"product": c.widget, "quantity": "10"}]}))
        .await
        .expect(201)
        .body;
    assert_eq!(volume["lines"][0]["unit_price"]["amount"], "90.00");
    // Changing the quantity follows the book's price again.
    let fewer = app
        .patch(
            &format!("/api/v1/quotes/{}", id_of(&volume)),
            version_of(&volume),
            &json!({"lines": [{"id": volume["lines"][0]["id"], "quantity": "3"}]}),
        )
        .await
        .expect(200)
        .body;
    assert_eq!(fewer["lines"][0]["unit_price"]["amount"], "100.00");
    assert_eq!(fewer["grand_total"]["amount"], "369.00");

    // A sales rep may not sell below the book; the administrator may.
    let rep = app.member("rep@commerce.test", "sales_rep").await;
    let own = app.post_as(&rep.token, "/api/v1/accounts", &account("Rep's customer")).await.expect(201).body;
    let own = id_of(&own);
    let cheap = json!({"account": own, "lines": [{"product": c.widget, "quantity": "1", "unit_price": eur("70.00")}]});
    let refused = app.post_as(&rep.token, "/api/v1/quotes", &cheap).await.expect(422);
    assert_eq!(refused.error_fields(), ["lines[0].unit_price"]);
    assert!(refused.body.to_string().contains("price_override"));
    let at_list = json!({"account": own, "lines": [{"product": c.widget, "quantity": "1"}]});
    app.post_as(&rep.token, "/api/v1/quotes", &at_list).await.expect(201);
    app.post("/api/v1/quotes", &cheap).await.expect(201);

    // Accepting makes the order and wins the opportunity.
    let accepted = app.patch(&path, version_of(&per_doc), &json!({"status": "accepted"})).await.expect(200).body;
    let order_id = accepted["order"].as_str().expect("an order").to_string();
    let order = app.get(&format!("/api/v1/orders/{order_id}")).await.expect(200).body;
    assert!(order["number"].as_str().unwrap().starts_with("SO-"));
    assert_eq!(order["quote"], quote["id"]);
    assert_eq!(order["status"], "open");
    assert_eq!(order["grand_total"], per_doc["grand_total"]);
    assert_eq!(order["lines"].as_array().unwrap().len(), 4);
    let won = app.get(&format!("/api/v1/opportunities/{}", id_of(&opportunity))).await.expect(200).body;
    assert_eq!(won["status"], "won");
    // An accepted quote is settled; a revision carries it on.
    let settled = app.patch(&path, version_of(&accepted), &json!({"discount_percent": "7"})).await.expect(422);
    assert_eq!(settled.error_fields(), ["discount_percent"]);
    let revision = app.post(&format!("{path}/revise"), &json!({})).await.expect(201).body;
    assert_eq!(revision["number"], quote["number"]);
    assert_eq!(revision["revision"], 2);
    assert_eq!(revision["revision_of"], quote["id"]);
    assert_eq!(revision["status"], "draft");
    assert_eq!(revision["grand_total"], per_doc["grand_total"]);
    let earlier = app.get(&path).await.expect(200).body;
    assert_eq!(earlier["status"], "accepted", "the earlier revision stays as it was");

    // Quotes, orders and products are on the customer's timeline and in search.
    let timeline = app.get(&format!("/api/v1/accounts/{}/timeline", c.acme)).await.expect(200).body;
    let types: Vec<&str> = timeline["data"].as_array().unwrap().iter().map(|i| i["type"].as_str().unwrap()).collect();
    assert!(types.contains(&"quote") && types.contains(&"order"), "{types:?}");
    let found = app.get("/api/v1/products?q=widget").await.expect(200).body;
    assert_eq!(found["data"][0]["sku"], "W-1");
}

async fn invoices_take_payments_and_accounts_keep_their_figures(app: TestApp) {
    let c = catalogue(&app).await;
    let order = app
        .post("/api/v1/orders", &json!({"account": c.acme, "lines": [{"product": c.widget, "quantity": "10"}]}))
        .await
        .expect(201)
        .body;
    // 10 × 80.00 = 800.00 + 23% = 984.00
    let draft = app.post(&format!("/api/v1/orders/{}/invoice", id_of(&order)), &json!({})).await.expect(201).body;
    assert_eq!(draft["status"], "draft");
    assert_eq!(draft["number"], Json::Null, "drafts take no number");
    assert_eq!(draft["grand_total"]["amount"], "984.00");
    assert_eq!(draft["order"], order["id"]);
    let invoice_path = format!("/api/v1/invoices/{}", id_of(&draft));
    let issued = app.patch(&invoice_path, version_of(&draft), &json!({"status": "issued"})).await.expect(200).body;
    let year = today().format("%Y").to_string();
    assert_eq!(issued["number"], format!("INV-{year}-000001"));
    assert_eq!(issued["issue_date"], day(0));
    assert_eq!(issued["due_date"], day(14), "14 days' terms by default");
    assert_eq!(issued["balance"]["amount"], "984.00");
    assert_eq!(issued["status"], "issued");
    let acme = app.get(&format!("/api/v1/accounts/{}", c.acme)).await.expect(200).body;
    assert_eq!(acme["billing_currency"], "EUR");
    assert_eq!(acme["open_balance"]["amount"], "984.00");
    assert_eq!(acme["overdue_amount"]["amount"], "0.00");

    // Issued means frozen.
    let frozen = app
        .patch(
            &invoice_path,
            version_of(&issued),
            &json!({"lines": [{"id": issued["lines"][0]["id"], "quantity": "1"}]}),
        )
        .await
        .expect(422);
    assert_eq!(frozen.error_fields(), ["lines"]);
    let cannot = app.delete(&invoice_path).await.expect(422);
    assert_eq!(cannot.error_fields(), ["status"]);
    let by_hand = app.patch(&invoice_path, version_of(&issued), &json!({"status": "paid"})).await.expect(422);
    assert_eq!(by_hand.error_fields(), ["status"]);

    // A partial payment.
    let first = app
        .post(
            "/api/v1/payments",
            &json!({"account": c.acme, "amount": eur("400.00"), "reference": "BANK-1",
                "lines": [{"invoice": id_of(&issued), "amount": eur("400.00")}]}),
        )
        .await
        .expect(201)
        .body;
    assert_eq!(first["allocated_amount"]["amount"], "400.00");
    assert_eq!(first["unallocated_amount"]["amount"], "0.00");
    let partly = app.get(&invoice_path).await.expect(200).body;
    assert_eq!(partly["status"], "partly_paid");
    assert_eq!(partly["paid_amount"]["amount"], "400.00");
    assert_eq!(partly["balance"]["amount"], "584.00");
    // More than the balance is refused; the rest with an overpayment held as credit.
    let over = json!({"account": c.acme, "amount": eur("700.00"),
        "lines": [{"invoice": id_of(&issued), "amount": eur("600.00")}]});
    assert_eq!(app.post("/api/v1/payments", &over).await.expect(422).error_fields(), ["lines[0].amount"]);
    let second = app
        .post(
            "/api/v1/payments",
            &json!({"account": c.acme, "amount": eur("700.00"), "method": "card",
                "lines": [{"invoice": id_of(&issued), "amount": eur("584.00")}]}),
        )
        .await
        .expect(201)
        .body;
    assert_eq!(second["unallocated_amount"]["amount"], "116.00");
    let paid = app.get(&invoice_path).await.expect(200).body;
    assert_eq!(paid["status"], "paid");
    assert_eq!(paid["balance"]["amount"], "0.00");
    let acme = app.get(&format!("/api/v1/accounts/{}", c.acme)).await.expect(200).body;
    assert_eq!(acme["open_balance"]["amount"], "0.00");
    assert_eq!(acme["revenue_this_year"]["amount"], "984.00");
    assert_eq!(acme["revenue_total"]["amount"], "984.00");
    assert_eq!(acme["credit_balance"]["amount"], "116.00");
    // A refund pays credit back, never more than is held.
    let too_much = json!({"account": c.acme, "kind": "refund", "amount": eur("200.00")});
    assert_eq!(app.post("/api/v1/payments", &too_much).await.expect(422).error_fields(), ["amount"]);
    app.post("/api/v1/payments", &json!({"account": c.acme, "kind": "refund", "amount": eur("16.00")}))
        .await
        .expect(201);
    let acme = app.get(&format!("/api/v1/accounts/{}", c.acme)).await.expect(200).body;
    assert_eq!(acme["credit_balance"]["amount"], "100.00");

    // A second invoice, corrected by a credit note, then overdue.
    let second_invoice = app
        .post(
            "/api/v1/invoices",
            &json!({"account": c.acme, "payment_terms_days": 7, "lines": [
                {"product": c.consulting, "quantity": "4"},
                {"description": "Travel", "quantity": "1", "unit_price": eur("100.00"), "tax_treatment": "zero_rated"}
            ]}),
        )
        .await
        .expect(201)
        .body;
    // 4 × 150 = 600 + 8% = 648.00, + 100.00 zero-rated = 748.00
    assert_eq!(second_invoice["grand_total"]["amount"], "748.00");
    let second_path = format!("/api/v1/invoices/{}", id_of(&second_invoice));
    let second_issued =
        app.patch(&second_path, version_of(&second_invoice), &json!({"status": "issued"})).await.expect(200).body;
    assert_eq!(second_issued["number"], format!("INV-{year}-000002"), "no gaps");
    let credit_note = app
        .post(
            "/api/v1/invoices",
            &json!({"account": c.acme, "kind": "credit_note", "corrects": id_of(&second_invoice),
                "lines": [{"description": "Travel not taken", "quantity": "1", "unit_price": eur("100.00"),
                    "tax_treatment": "zero_rated"}]}),
        )
        .await
        .expect(201)
        .body;
    let issued_note = app
        .patch(
            &format!("/api/v1/invoices/{}", id_of(&credit_note)),
            version_of(&credit_note),
            &json!({"status": "issued"}),
        )
        .await
        .expect(200)
        .body;
    assert_eq!(issued_note["number"], format!("CN-{year}-000001"), "credit notes have their own series");
    let corrected = app.get(&second_path).await.expect(200).body;
    assert_eq!(corrected["credited_amount"]["amount"], "100.00");
    assert_eq!(corrected["balance"]["amount"], "648.00");
    assert_eq!(corrected["status"], "partly_paid");

    // Ten days on, the daily pass makes it overdue, and expires a sent
    // quote valid until yesterday (an accepted one stays accepted).
    let sent = json!({"account": c.acme, "status": "sent", "valid_until": day(9), "lines": [{"product": c.widget, "quantity": "1"}]});
    let sent = app.post("/api/v1/quotes", &sent).await.expect(201).body;
    let still = json!({"account": c.acme, "valid_until": day(30), "lines": [{"product": c.widget, "quantity": "1"}]});
    let still = app.post("/api/v1/quotes", &still).await.expect(201).body;
    let store = &app.app.app.store;
    store.clock().advance(chrono::Duration::days(10));
    app.post("/api/v1/admin/jobs", &json!({"kind": "commerce.overdue", "payload": {}})).await.expect(201);
    let workers = relata_app::jobs::Workers::new(app.app.app.clone(), relata_app::jobs::WorkerOptions::default());
    assert!(workers.run_due().await.unwrap() >= 1);
    let overdue = app.get(&second_path).await.expect(200).body;
    assert_eq!(overdue["status"], "overdue");
    let sent = app.get(&format!("/api/v1/quotes/{}", id_of(&sent))).await.expect(200).body;
    assert_eq!(sent["status"], "expired");
    assert_eq!(app.get(&format!("/api/v1/quotes/{}", id_of(&still))).await.expect(200).body["status"], "draft");
    let acme = app.get(&format!("/api/v1/accounts/{}", c.acme)).await.expect(200).body;
    assert_eq!(acme["overdue_amount"]["amount"], "648.00");
    assert_eq!(acme["overdue_days"], 3);
    let listed =
        app.get("/api/v1/accounts?filter=overdue_amount%20%3E%200&sort=-overdue_amount").await.expect(200).body;
    let names: Vec<&str> = listed["data"].as_array().unwrap().iter().map(|a| a["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Acme Sp. z o.o."]);
    // Paying it late settles it, and the figures follow.
    app.post(
        "/api/v1/payments",
        &json!({"account": c.acme, "amount": eur("648.00"), "lines": [{"invoice": id_of(&second_invoice), "amount": eur("648.00")}]}),
    )
    .await
    .expect(201);
    let settled = app.get(&second_path).await.expect(200).body;
    assert_eq!(settled["status"], "paid");
    let acme = app.get(&format!("/api/v1/accounts/{}", c.acme)).await.expect(200).body;
    assert_eq!(acme["overdue_amount"]["amount"], "0.00");
    assert_eq!(acme["overdue_days"], 0);

    // Deleting a payment takes its allocation back.
    app.delete(&format!("/api/v1/payments/{}", id_of(&first))).await.expect(200);
    let reopened = app.get(&invoice_path).await.expect(200).body;
    assert_eq!(reopened["paid_amount"]["amount"], "584.00");
    assert_eq!(reopened["status"], "partly_paid", "due in 14 days, 10 have passed");
    let timeline = app.get(&format!("/api/v1/accounts/{}/timeline", c.acme)).await.expect(200).body;
    let types: Vec<&str> = timeline["data"].as_array().unwrap().iter().map(|i| i["type"].as_str().unwrap()).collect();
    assert!(types.contains(&"invoice") && types.contains(&"payment"), "{types:?}");

    // Revenue by year: invoiced 984.00 + 748.00 − 100.00 credited; paid
    // 584.00 + 648.00 (the deleted payment no longer counts).
    let revenue = app.get(&format!("/api/v1/accounts/{}/revenue", c.acme)).await.expect(200).body;
    assert_eq!(revenue["currency"], "EUR");
    let sum = |what: &str| -> f64 {
        revenue["years"]
            .as_array()
            .unwrap()
            .iter()
            .map(|y| y[what]["amount"].as_str().unwrap().parse::<f64>().unwrap())
            .sum()
    };
    assert_eq!(sum("invoiced"), 1632.0, "{revenue}");
    assert_eq!(sum("paid"), 1232.0, "{revenue}");
}

async fn bad_commerce_input_is_refused_by_field_and_changes_nothing(app: TestApp) {
    let c = catalogue(&app).await;
    let other = id_of(&app.create("accounts", account("Other GmbH")).await);
    let before_quotes = app.get("/api/v1/quotes").await.expect(200).body["data"].as_array().unwrap().len();
    let bad_lines = json!({"account": c.acme, "lines": [
        {"product": c.widget, "quantity": "1.5"},
        {"product": c.widget, "quantity": "-2"},
        {"product": c.consulting, "quantity": "1", "unit_price": {"amount": "10.00", "currency": "USD"}},
        {"description": "No price", "quantity": "1", "tax_rate": "23"},
        {"description": "Odd rate", "quantity": "1", "unit_price": eur("1.00"), "tax_rate": "123"}
    ]});
    let refused = app.post("/api/v1/quotes", &bad_lines).await.expect(422);
    let mut fields = refused.error_fields();
    fields.sort();
    assert_eq!(
        fields,
        ["lines[0].quantity", "lines[1].quantity", "lines[2].unit_price", "lines[3].unit_price", "lines[4].tax_rate"],
        "{}",
        refused.body
    );
    let unknown_currency = json!({"account": c.acme, "currency": "XYZ", "lines": []});
    assert_eq!(app.post("/api/v1/quotes", &unknown_currency).await.expect(422).error_fields(), ["currency"]);
    let overlapping = json!({"name": "Overlap", "currency": "EUR", "valid_from": day(0),
        "lines": [{"product": c.widget, "unit_price": eur("1.00")}]});
    assert_eq!(app.post("/api/v1/price_books", &overlapping).await.expect(422).error_fields(), ["valid_from"]);
    let duplicate_sku = json!({"sku": "W-1", "name": "Another widget", "tax_rate": "23"});
    assert_eq!(app.post("/api/v1/products", &duplicate_sku).await.expect(422).error_fields(), ["sku"]);

    // Payments: unknown, another account's and over-allocated invoices.
    let invoice = app
        .post("/api/v1/invoices", &json!({"account": c.acme, "lines": [{"product": c.widget, "quantity": "1"}]}))
        .await
        .expect(201)
        .body;
    let draft_payment = json!({"account": c.acme, "amount": eur("10.00"),
        "lines": [{"invoice": id_of(&invoice), "amount": eur("10.00")}]});
    assert_eq!(app.post("/api/v1/payments", &draft_payment).await.expect(422).error_fields(), ["lines[0].invoice"]);
    let issued = app
        .patch(&format!("/api/v1/invoices/{}", id_of(&invoice)), version_of(&invoice), &json!({"status": "issued"}))
        .await
        .expect(200)
        .body;
    let unknown = json!({"account": c.acme, "amount": eur("10.00"),
        "lines": [{"invoice": uuid::Uuid::now_v7().to_string(), "amount": eur("10.00")}]});
    assert_eq!(app.post("/api/v1/payments", &unknown).await.expect(422).error_fields(), ["lines[0].invoice"]);
    let elsewhere = json!({"account": other, "amount": eur("10.00"),
        "lines": [{"invoice": id_of(&issued), "amount": eur("10.00")}]});
    assert_eq!(app.post("/api/v1/payments", &elsewhere).await.expect(422).error_fields(), ["lines[0].invoice"]);
    let over = json!({"account": c.acme, "amount": eur("10.00"),
        "lines": [{"invoice": id_of(&issued), "amount": eur("20.00")}]});
    let fields = app.post("/api/v1/payments", &over).await.expect(422).error_fields();
    assert!(fields.contains(&"lines".to_string()), "{fields:?}");
    let dollars = json!({"account": c.acme, "amount": {"amount": "10.00", "currency": "USD"}});
    assert_eq!(app.post("/api/v1/payments", &dollars).await.expect(422).error_fields(), ["amount"]);
    let usd_invoice = json!({"account": c.acme, "currency": "USD", "lines": []});
    assert_eq!(app.post("/api/v1/invoices", &usd_invoice).await.expect(422).error_fields(), ["currency"]);
    let issued_at_once = json!({"account": c.acme, "status": "issued", "lines": []});
    assert_eq!(app.post("/api/v1/invoices", &issued_at_once).await.expect(422).error_fields(), ["status"]);

    // Nothing of that was written.
    let after_quotes = app.get("/api/v1/quotes").await.expect(200).body["data"].as_array().unwrap().len();
    assert_eq!(before_quotes, after_quotes);
    assert!(app.get("/api/v1/payments").await.expect(200).body["data"].as_array().unwrap().is_empty());
    let acme = app.get(&format!("/api/v1/accounts/{}", c.acme)).await.expect(200).body;
    assert_eq!(acme["open_balance"]["amount"], "98.40", "only the issued invoice: 80.00 + 23%");
}

async fn erp_event(app: &TestApp, token: &str, body: &Json) -> crate::helpers::Reply {
    app.post_as(token, "/api/v1/erp/events", body).await
}

async fn the_erp_sends_events_that_apply_once(app: TestApp) {
    let c = catalogue(&app).await;
    let erp = app.token_with_scope("erp").await;
    let order = app
        .post("/api/v1/orders", &json!({"account": c.acme, "lines": [{"product": c.widget, "quantity": "10"}]}))
        .await
        .expect(201)
        .body;
    let number = order["number"].as_str().unwrap().to_string();

    // Only an ERP token sends ERP events.
    let confirm =
        json!({"id": "erp-1", "type": "order.confirmed", "data": {"order": number, "external_ref": "SAP-4711"}});
    app.post("/api/v1/erp/events", &confirm).await.expect(403);
    app.post_as("rlt_not_a_token", "/api/v1/erp/events", &confirm).await.expect(401);
    // And an ERP token writes nothing else.
    app.post_as(&erp, "/api/v1/contacts", &json!({"last_name": "Nope"})).await.expect(403);

    let applied = erp_event(&app, &erp, &confirm).await.expect(200);
    assert_eq!(applied.body["status"], "applied");
    assert_eq!(applied.body["record"]["entity"], "orders");
    let confirmed = app.get(&format!("/api/v1/orders/{}", id_of(&order))).await.expect(200).body;
    assert_eq!(confirmed["status"], "confirmed");
    assert_eq!(confirmed["external_ref"], "SAP-4711");
    // A replay answers the same and changes nothing; the same id for another event is refused.
    let replay = erp_event(&app, &erp, &confirm).await.expect(200);
    assert_eq!(replay.header("idempotent-replayed"), Some("true"));
    assert_eq!(replay.body, applied.body);
    let after_replay = app.get(&format!("/api/v1/orders/{}", id_of(&order))).await.expect(200).body;
    assert_eq!(version_of(&after_replay), version_of(&confirmed));
    let reused = json!({"id": "erp-1", "type": "order.shipped", "data": {"order": number}});
    assert!(erp_event(&app, &erp, &reused).await.status.is_client_error());
    // Another ERP token's event of the same id is its own.
    let other_erp = app.token_with_scope("erp").await;
    let shipped = json!({"id": "erp-1", "type": "order.shipped", "data": {"order": "SAP-4711"}});
    erp_event(&app, &other_erp, &shipped).await.expect(200);
    let now = app.get(&format!("/api/v1/orders/{}", id_of(&order))).await.expect(200).body;
    assert_eq!(now["status"], "shipped");

    // The ERP invoices the order, and the customer pays it.
    let issued = erp_event(
        &app,
        &erp,
        &json!({"id": "erp-2", "type": "invoice.issued", "data": {"order": "SAP-4711", "number": "FV/2026/77"}}),
    )
    .await
    .expect(200)
    .body;
    let invoice =
        app.get(&format!("/api/v1/invoices/{}", issued["record"]["id"].as_str().unwrap())).await.expect(200).body;
    assert_eq!(invoice["status"], "issued");
    assert_eq!(invoice["external_ref"], "FV/2026/77");
    assert_eq!(invoice["grand_total"]["amount"], "984.00");
    let unknown = json!({"id": "erp-3", "type": "payment.received",
        "data": {"invoice": "FV/2026/99", "amount": {"amount": "984.00", "currency": "EUR"}}});
    assert_eq!(erp_event(&app, &erp, &unknown).await.expect(422).error_fields(), ["data.invoice"]);
    let paid = json!({"id": "erp-3", "type": "payment.received",
        "data": {"invoice": "FV/2026/77", "amount": {"amount": "1000.00", "currency": "EUR"},
            "payment_date": day(0), "reference": "MT940 123"}});
    erp_event(&app, &erp, &paid).await.expect(200);
    erp_event(&app, &erp, &paid).await.expect(200);
    let settled = app.get(&format!("/api/v1/invoices/{}", id_of(&invoice))).await.expect(200).body;
    assert_eq!(settled["status"], "paid");
    let acme = app.get(&format!("/api/v1/accounts/{}", c.acme)).await.expect(200).body;
    assert_eq!(acme["credit_balance"]["amount"], "16.00", "applied once: 1000.00 − 984.00 held");
    let payments = app.get("/api/v1/payments").await.expect(200).body;
    assert_eq!(payments["data"].as_array().unwrap().len(), 1);

    // Prices and stock from the back office.
    let price = json!({"id": "erp-4", "type": "price.updated",
        "data": {"sku": "W-1", "price_book": "List prices 2026", "unit_price": {"amount": "95.00", "currency": "EUR"}}});
    erp_event(&app, &erp, &price).await.expect(200);
    let quote = app
        .post(
            "/api/v1/quotes",
            &json!({"account": id_of(&app.create("accounts", json!({"name": "New"})).await),
            "lines": [{"product": c.widget, "quantity": "1"}]}),
        )
        .await
        .expect(201)
        .body;
    assert_eq!(quote["lines"][0]["unit_price"]["amount"], "95.00");
    let stock = json!({"id": "erp-5", "type": "stock.updated", "data": {"sku": "W-1", "quantity": "42"}});
    erp_event(&app, &erp, &stock).await.expect(200);
    let widget = app.get(&format!("/api/v1/products/{}", c.widget)).await.expect(200).body;
    assert_eq!(widget["stock_quantity"], "42.000");
    let bad = json!({"id": "erp-6", "type": "stock.updated", "data": {"sku": "NOPE", "quantity": "x"}});
    let mut fields = erp_event(&app, &erp, &bad).await.expect(422).error_fields();
    fields.sort();
    assert_eq!(fields, ["data.quantity", "data.sku"]);
    let unknown_type = json!({"id": "erp-7", "type": "order.teleported", "data": {}});
    assert_eq!(erp_event(&app, &erp, &unknown_type).await.expect(422).error_fields(), ["type"]);

    // Recorded on the customer's story, by the token's owner.
    let timeline = app.get(&format!("/api/v1/accounts/{}/timeline", c.acme)).await.expect(200).body;
    let types: Vec<&str> = timeline["data"].as_array().unwrap().iter().map(|i| i["type"].as_str().unwrap()).collect();
    assert!(types.contains(&"payment") && types.contains(&"invoice"), "{types:?}");
}

async fn import_xlsx(app: &TestApp, query: &str, bytes: Vec<u8>) -> crate::helpers::Reply {
    let media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    app.send(
        reqwest::Method::POST,
        &format!("/api/v1/products/import{query}"),
        Some(&app.token),
        &[("content-type", media)],
        Some(bytes),
    )
    .await
}

async fn products_import_from_an_xlsx_workbook(app: TestApp) {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    let rows: [[&str; 4]; 4] = [
        ["SKU", "Name", "Tax rate (%)", "Unit"],
        ["P-100", "Pallet wrap", "23", "piece"],
        ["P-200", "Łańcuch stalowy", "8", "m"],
        ["P-300", "Broken", "many", "piece"],
    ];
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            match cell.parse::<f64>() {
                Ok(n) if r > 0 => sheet.write_number(r as u32, c as u16, n).unwrap(),
                _ => sheet.write_string(r as u32, c as u16, *cell).unwrap(),
            };
        }
    }
    let bytes = book.save_to_buffer().unwrap();
    // All or nothing: the bad row is named by its row in the sheet, nothing is written.
    let refused = import_xlsx(&app, "", bytes.clone()).await.expect(422);
    assert_eq!(refused.error_fields(), ["rows[4].tax_rate"], "{}", refused.body);
    assert!(app.get("/api/v1/products").await.expect(200).body["data"].as_array().unwrap().is_empty());
    let report = import_xlsx(&app, "?skip_bad_rows=true", bytes).await.expect(200).body;
    assert_eq!((report["imported"].as_u64(), report["skipped"].as_u64()), (Some(2), Some(1)));
    let chain = app.get("/api/v1/products?filter=sku%20%3D%20%22P-200%22").await.expect(200).body;
    assert_eq!(chain["data"][0]["name"], "Łańcuch stalowy");
    assert_eq!(chain["data"][0]["tax_rate"], "8.00");
    assert_eq!(chain["data"][0]["unit"], "m");
    // Not a workbook: a problem naming the file.
    let broken = import_xlsx(&app, "", b"PK\x03\x04 not really a zip".to_vec()).await.expect(422);
    assert_eq!(broken.error_fields(), ["file"]);
}

async fn configurable_products_are_checked_and_priced(app: TestApp) {
    let laptop =
        app.create("products", json!({"sku": "LT-1", "name": "Laptop", "tax_rate": "23", "configurable": true})).await;
    let laptop = id_of(&laptop);
    app.create(
        "price_books",
        json!({"name": "Hardware", "currency": "EUR", "lines": [
            {"product": laptop, "unit_price": eur("1000.00")}
        ]}),
    )
    .await;
    app.create(
        "option_groups",
        json!({"product": laptop, "name": "Memory", "position": 1, "min_choices": 1, "max_choices": 1, "lines": [
            {"code": "RAM16", "name": "16 GB", "price": eur("0.00")},
            {"code": "RAM32", "name": "32 GB", "price": eur("150.00")}
        ]}),
    )
    .await;
    app.create(
        "option_groups",
        json!({"product": laptop, "name": "Extras", "position": 2, "max_choices": 3, "lines": [
            {"code": "GPU", "name": "Graphics card", "price": eur("300.00"), "requires": "PSU"},
            {"code": "PSU", "name": "Stronger power supply", "price": eur("80.00")},
            {"code": "ECO", "name": "Eco mode", "excludes": "GPU"},
            {"code": "WARRANTY", "name": "Extra warranty year", "price": eur("50.00"), "max_quantity": "3"}
        ]}),
    )
    .await;
    let duplicate = json!({"product": laptop, "name": "Again", "lines": [{"code": "GPU", "name": "Another GPU"}]});
    assert_eq!(app.post("/api/v1/option_groups", &duplicate).await.expect(422).error_fields(), ["lines[0].code"]);

    let path = format!("/api/v1/products/{laptop}/configure");
    let good = app.post(&path, &json!({"options": "RAM32, GPU, PSU, WARRANTY*2"})).await.expect(200).body;
    assert_eq!(good["valid"], true, "{good}");
    assert_eq!(good["base_price"]["amount"], "1000.00");
    assert_eq!(good["options_price"]["amount"], "630.00");
    assert_eq!(good["unit_price"]["amount"], "1630.00");
    let bad = app
        .post(&path, &json!({"options": [{"code": "GPU"}, {"code": "ECO"}, {"code": "WARRANTY", "quantity": "4"}, {"code": "TURBO"}]}))
        .await
        .expect(200)
        .body;
    assert_eq!(bad["valid"], false);
    let mut rules: Vec<&str> =
        bad["problems"].as_array().unwrap().iter().map(|p| p["rule"].as_str().unwrap()).collect();
    rules.sort();
    assert_eq!(rules, ["excludes", "min_choices", "quantity", "requires", "unknown"], "{bad}");

    // On a quote: the configuration prices the line, and a broken one names it.
    let account = id_of(&app.create("accounts", json!({"name": "Config GmbH"})).await);
    let quote = app
        .post(
            "/api/v1/quotes",
            &json!({"account": account, "lines": [
                {"product": laptop, "configuration": "RAM32, GPU, PSU", "quantity": "2"}
            ]}),
        )
        .await
        .expect(201)
        .body;
    assert_eq!(quote["lines"][0]["unit_price"]["amount"], "1530.00");
    assert_eq!(quote["net_total"]["amount"], "3060.00");
    let broken = json!({"account": account, "lines": [{"product": laptop, "configuration": "GPU", "quantity": "1"}]});
    let refused = app.post("/api/v1/quotes", &broken).await.expect(422);
    assert_eq!(refused.error_fields(), ["lines[0].configuration"]);
    assert!(refused.body.to_string().contains("requires PSU"), "{}", refused.body);
    let plain = app.create("products", json!({"sku": "PL-1", "name": "Plain", "tax_rate": "23"})).await;
    let not_configurable = json!({"account": account, "lines": [
        {"product": id_of(&plain), "configuration": "GPU", "quantity": "1", "unit_price": eur("1.00")}
    ]});
    assert_eq!(
        app.post("/api/v1/quotes", &not_configurable).await.expect(422).error_fields(),
        ["lines[0].configuration"]
    );
}

/// A file the API serves, as bytes.
pub(crate) async fn download(app: &TestApp, path: &str) -> Vec<u8> {
    let client = reqwest::Client::new();
    let reply = client.get(format!("{}{path}", app.base)).bearer_auth(&app.token).send().await.unwrap();
    assert_eq!(reply.status(), 200, "{path}");
    reply.bytes().await.unwrap().to_vec()
}

/// The text of a PDF, as poppler's `pdftotext` reads it.
pub(crate) fn pdf_text(bytes: &[u8]) -> String {
    let file = std::env::temp_dir().join(format!("relata-{}.pdf", uuid::Uuid::now_v7()));
    std::fs::write(&file, bytes).unwrap();
    let out = std::process::Command::new("pdftotext")
        .args(["-layout", "-enc", "UTF-8", file.to_str().unwrap(), "-"])
        .output()
        .expect("pdftotext (Debian's poppler-utils, which scripts/test installs)");
    let _ = std::fs::remove_file(&file);
    assert!(out.status.success(), "pdftotext: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

async fn documents_print_as_pdf_in_every_language(app: TestApp) {
    let account = app
        .create("accounts", json!({"name": "Żółć i Syn Sp. z o.o.", "street": "ul. Źródlana 5", "city": "Łódź"}))
        .await;
    let invoice = app
        .post(
            "/api/v1/invoices",
            &json!({"account": id_of(&account), "lines": [
                {"description": "Ąžuolinis stalas (ąžuolas)", "quantity": "2", "unit_price": eur("450.00"), "tax_rate": "23"},
                {"description": "Новогодняя ёлка", "quantity": "1", "unit_price": eur("99.99"), "tax_rate": "8"},
                {"description": "Щастлива картичка", "quantity": "3", "unit_price": eur("2.50"), "tax_treatment": "reverse_charge"}
            ]}),
        )
        .await
        .expect(201)
        .body;
    let path = format!("/api/v1/invoices/{}", id_of(&invoice));
    let issued = app.patch(&path, version_of(&invoice), &json!({"status": "issued"})).await.expect(200).body;
    let reply = app.get(&format!("{path}/pdf")).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.header("content-type"), Some("application/pdf"));
    let number = issued["number"].as_str().unwrap();
    assert!(reply.header("content-disposition").unwrap().contains(&format!("{number}.pdf")));
    let bytes = download(&app, &format!("{path}/pdf")).await;
    assert!(bytes.starts_with(b"%PDF-"));
    assert!(bytes.len() < 120_000, "the font is subsetted: {} bytes", bytes.len());
    let text = pdf_text(&bytes);
    if std::env::var("RELATA_SHOW_PDF").is_ok() {
        eprintln!("{} bytes\n{text}", bytes.len());
    }
    for expected in [
        format!("Invoice {number}"),
        "Żółć i Syn Sp. z o.o.".to_string(),
        "Łódź".to_string(),
        "Ąžuolinis stalas (ąžuolas)".to_string(),
        "Новогодняя ёлка".to_string(),
        "Щастлива картичка".to_string(),
        issued["net_total"]["amount"].as_str().unwrap().to_string(),
        issued["tax_total"]["amount"].as_str().unwrap().to_string(),
        format!("{} EUR", issued["grand_total"]["amount"].as_str().unwrap()),
        "Reverse charge".to_string(),
    ] {
        assert!(text.contains(&expected), "{expected:?} is in the PDF:\n{text}");
    }
    // 900.00 × 23% = 207.00; 99.99 × 8% = 8.00 (7.9992); 7.50 reverse charge.
    assert_eq!(issued["grand_total"]["amount"], "1222.49");
    assert!(text.contains("1222.49 EUR"));
    // A quote prints too; what the caller may not read does not.
    let quote = app
        .post(
            "/api/v1/quotes",
            &json!({"account": id_of(&account), "lines": [
                {"description": "Consulting", "quantity": "1", "unit_price": eur("10.00"), "tax_rate": "23"}
            ]}),
        )
        .await
        .expect(201)
        .body;
    let quote_text = pdf_text(&download(&app, &format!("/api/v1/quotes/{}/pdf", id_of(&quote))).await);
    assert!(quote_text.contains(&format!("Quote {}", quote["number"].as_str().unwrap())), "{quote_text}");
    let rep = app.member("rep@pdf.test", "sales_rep").await;
    app.get_as(&rep.token, &format!("{path}/pdf")).await.expect(404);
}

/// Every element's text in an XML document, by its path (`Invoice/cbc:ID`);
/// fails on XML that is not well-formed.
fn xml_texts(xml: &str) -> Vec<(String, String)> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut path: Vec<String> = Vec::new();
    let mut text = String::new();
    let mut out = Vec::new();
    loop {
        match reader.read_event().expect("well-formed XML") {
            Event::Start(e) => {
                path.push(e.name().as_ref().to_string());
                text.clear();
            }
            Event::End(_) => {
                if !text.is_empty() {
                    out.push((path.join("/"), std::mem::take(&mut text)));
                }
                path.pop();
            }
            Event::Text(t) => text.push_str(&t.into_inner()),
            Event::GeneralRef(r) => text.push_str(match r.into_inner().as_ref() {
                "amp" => "&",
                "lt" => "<",
                "gt" => ">",
                "quot" => "\"",
                "apos" => "'",
                other => panic!("an unexpected entity {other}"),
            }),
            Event::Eof => return out,
            _ => {}
        }
    }
}

async fn invoices_export_as_ubl(app: TestApp) {
    let account = app
        .create(
            "accounts",
            json!({"name": "Ąžuolas & Co", "street": "Gedimino pr. 1", "city": "Vilnius", "country": "Lithuania"}),
        )
        .await;
    let invoice = app
        .post(
            "/api/v1/invoices",
            &json!({"account": id_of(&account), "discount_percent": "10", "lines": [
                {"description": "Oak table <large>", "quantity": "2", "unit": "piece", "unit_price": eur("450.00"), "tax_rate": "21"},
                {"description": "Assembly", "quantity": "1.5", "unit": "hour", "unit_price": eur("40.00"), "tax_treatment": "reverse_charge"}
            ]}),
        )
        .await
        .expect(201)
        .body;
    let path = format!("/api/v1/invoices/{}", id_of(&invoice));
    assert_eq!(app.get(&format!("{path}/ubl")).await.status, 409, "a draft has no number");
    let issued = app.patch(&path, version_of(&invoice), &json!({"status": "issued"})).await.expect(200).body;
    let xml = String::from_utf8(download(&app, &format!("{path}/ubl")).await).unwrap();
    let texts = xml_texts(&xml);
    let at = |p: &str| -> Vec<String> { texts.iter().filter(|(k, _)| k == p).map(|(_, v)| v.clone()).collect() };
    assert_eq!(at("Invoice/cbc:ID"), [issued["number"].as_str().unwrap()]);
    assert_eq!(at("Invoice/cbc:InvoiceTypeCode"), ["380"]);
    assert_eq!(at("Invoice/cbc:DocumentCurrencyCode"), ["EUR"]);
    assert_eq!(at("Invoice/cbc:DueDate"), [issued["due_date"].as_str().unwrap()]);
    assert_eq!(at("Invoice/cac:AccountingCustomerParty/cac:Party/cac:PartyName/cbc:Name"), ["Ąžuolas & Co"]);
    assert_eq!(
        at("Invoice/cac:AccountingCustomerParty/cac:Party/cac:PostalAddress/cac:Country/cbc:IdentificationCode"),
        ["LT"]
    );
    // 2 × 450 − 10% = 810.00 at 21% = 170.10; 1.5 × 40 − 10% = 54.00 reverse charge.
    assert_eq!(at("Invoice/cac:TaxTotal/cbc:TaxAmount"), [issued["tax_total"]["amount"].as_str().unwrap()]);
    assert_eq!(at("Invoice/cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory/cbc:ID"), ["S", "AE"]);
    assert_eq!(at("Invoice/cac:TaxTotal/cac:TaxSubtotal/cbc:TaxableAmount"), ["810.00", "54.00"]);
    assert_eq!(
        at("Invoice/cac:LegalMonetaryTotal/cbc:TaxInclusiveAmount"),
        [issued["grand_total"]["amount"].as_str().unwrap()]
    );
    assert_eq!(at("Invoice/cac:LegalMonetaryTotal/cbc:PayableAmount"), ["1034.10"]);
    assert_eq!(at("Invoice/cac:InvoiceLine/cbc:LineExtensionAmount"), ["810.00", "54.00"]);
    assert_eq!(at("Invoice/cac:InvoiceLine/cbc:InvoicedQuantity"), ["2", "1.5"]);
    assert_eq!(at("Invoice/cac:InvoiceLine/cac:Item/cbc:Name"), ["Oak table <large>", "Assembly"]);
    assert_eq!(at("Invoice/cac:InvoiceLine/cac:AllowanceCharge/cbc:Amount"), ["90.00", "6.00"]);
    assert!(xml.contains(r#"unitCode="HUR""#), "{xml}");
    assert!(at("Invoice/cbc:Note")[0].contains("Reverse charge"));
}

/// The id at the end of a redirect to a record's page (`/quotes/{id}`).
fn id_in(location: &str) -> String {
    location.trim_end_matches("/edit").rsplit('/').next().unwrap().to_string()
}

async fn quotes_are_built_and_worked_through_to_payment_on_the_pages(app: TestApp) {
    use crate::web::{browser, page};
    use reqwest::Method;
    let app = &app;
    let cat = catalogue(app).await;
    app.member("clerk@example.com", "admin").await;
    let b = browser(app, "clerk@example.com").await;
    let csrf = b.csrf.clone();

    // The new-quote form offers a lines table whose product is a choice.
    let (status, _, html) = page(app, &b, Method::GET, &format!("/quotes/new?account={}", cat.acme), &[]).await;
    assert_eq!(status, 200);
    assert!(html.contains("name=\"lines_present\""), "{html}");
    assert!(html.contains(&format!("<option value=\"{}\">Widget</option>", cat.widget)), "{html}");
    assert!(html.contains("name=\"lines[2].quantity\""), "three empty rows for new lines");

    // A bad cell is named on its row, everything typed is kept, nothing saved.
    let mut form = vec![
        ("csrf_token", csrf.as_str()),
        ("account", cat.acme.as_str()),
        ("lines_present", "1"),
        ("lines[0].product", cat.widget.as_str()),
        ("lines[0].quantity", "2"),
        ("lines[1].quantity", ""),
        ("lines[2].product", cat.consulting.as_str()),
        ("lines[2].quantity", "lots"),
    ];
    let (status, _, html) = page(app, &b, Method::POST, "/quotes", &form).await;
    assert_eq!(status, 422, "{html}");
    assert!(html.contains("id=\"e-lines[2].quantity\""), "{html}");
    assert!(html.contains("value=\"lots\""));
    assert!(app.list_all("quotes", "").await.is_empty(), "nothing saved");
    // A rule of the saved document (a line's product) comes back on the row it came from.
    form[7] = ("lines[2].quantity", "1.5");
    form.push(("lines[2].unit", "bottle"));
    let (status, _, html) = page(app, &b, Method::POST, "/quotes", &form).await;
    assert_eq!(status, 422, "{html}");
    assert!(html.contains("id=\"e-lines[2].unit\""), "{html}");
    form.pop();
    let (status, location, html) = page(app, &b, Method::POST, "/quotes", &form).await;
    assert_eq!(status, 303, "{html}");
    let quote_id = id_in(&location);
    let quote = app.get(&format!("/api/v1/quotes/{quote_id}")).await.expect(200).body;
    let lines = quote["lines"].as_array().unwrap();
    assert_eq!(lines.len(), 2, "the empty row is left out: {quote}");
    assert_eq!(lines[0]["unit_price"]["amount"], "80.00", "the account's price book");
    assert_eq!(lines[1]["quantity"], "1.500");
    assert_eq!(lines[1]["unit_price"]["amount"], "150.00");

    // The record page shows the lines with the products' names, and the actions.
    let (_, _, html) = page(app, &b, Method::GET, &location, &[]).await;
    assert!(html.contains(&format!("<a href=\"/products/{}\">Widget</a>", cat.widget)), "{html}");
    for action in ["Download PDF", "Mark as sent", "Accept", "Revise", &format!("/api/v1/quotes/{quote_id}/pdf")] {
        assert!(html.contains(action), "{action}: {html}");
    }

    // Edit: change one line, remove the other.
    let (_, _, html) = page(app, &b, Method::GET, &format!("/quotes/{quote_id}/edit"), &[]).await;
    let first = lines[0]["id"].as_str().unwrap();
    let second = lines[1]["id"].as_str().unwrap();
    assert!(html.contains(&format!("name=\"lines[0].id\" value=\"{first}\"")), "{html}");
    let version = version_of(&quote).to_string();
    let edit = [
        ("csrf_token", csrf.as_str()),
        ("version", version.as_str()),
        ("account", cat.acme.as_str()),
        ("lines_present", "1"),
        ("lines[0].id", first),
        ("lines[0].product", cat.widget.as_str()),
        ("lines[0].quantity", "3"),
        ("lines[1].id", second),
        ("lines[1].product", cat.consulting.as_str()),
        ("lines[1].quantity", "1.5"),
        ("lines[1].remove", "true"),
    ];
    // "Add lines" shows more empty rows and saves nothing.
    let mut more = edit.to_vec();
    more.push(("add_lines", "1"));
    let (status, _, html) = page(app, &b, Method::POST, &format!("/quotes/{quote_id}"), &more).await;
    assert_eq!(status, 200);
    assert!(html.contains("name=\"lines[9].quantity\""), "{html}");
    let (status, _, html) = page(app, &b, Method::POST, &format!("/quotes/{quote_id}"), &edit).await;
    assert_eq!(status, 303, "{html}");
    let quote = app.get(&format!("/api/v1/quotes/{quote_id}")).await.expect(200).body;
    assert_eq!(quote["lines"].as_array().unwrap().len(), 1, "{quote}");
    assert_eq!(quote["lines"][0]["id"], first, "the kept line keeps its id");
    assert_eq!(quote["lines"][0]["quantity"], "3.000");
    assert_eq!(quote["grand_total"]["amount"], "295.20", "3 × 80.00 + 23% tax");

    // Accept from the page: the quote becomes an order, which is invoiced,
    // issued and paid from the pages.
    let version = version_of(&quote).to_string();
    let stale = [("csrf_token", csrf.as_str()), ("status", "accepted"), ("version", "1")];
    let (status, _, _) = page(app, &b, Method::POST, &format!("/quotes/{quote_id}/status"), &stale).await;
    assert_eq!(status, 409, "a stale page does not move the record");
    let forged = [("csrf_token", "forged"), ("status", "accepted"), ("version", version.as_str())];
    let (status, _, _) = page(app, &b, Method::POST, &format!("/quotes/{quote_id}/status"), &forged).await;
    assert_eq!(status, 403);
    let accept = [("csrf_token", csrf.as_str()), ("status", "accepted"), ("version", version.as_str())];
    let (status, location, html) = page(app, &b, Method::POST, &format!("/quotes/{quote_id}/status"), &accept).await;
    assert_eq!((status, location.as_str()), (303, format!("/quotes/{quote_id}").as_str()), "{html}");
    let orders = app.list_all("orders", &format!("&filter=quote%20%3D%20%22{quote_id}%22")).await;
    assert_eq!(orders.len(), 1);
    let order_id = id_of(&orders[0]);
    let (_, _, html) = page(app, &b, Method::GET, &format!("/orders/{order_id}"), &[]).await;
    assert!(html.contains("Create invoice"), "{html}");
    let token = [("csrf_token", csrf.as_str())];
    let (status, location, html) = page(app, &b, Method::POST, &format!("/orders/{order_id}/invoice"), &token).await;
    assert_eq!(status, 303, "{html}");
    let invoice_id = id_in(&location);
    let invoice = app.get(&format!("/api/v1/invoices/{invoice_id}")).await.expect(200).body;
    let issue = [("csrf_token", csrf.as_str()), ("status", "issued"), ("version", &version_of(&invoice).to_string())];
    let (status, _, html) = page(app, &b, Method::POST, &format!("/invoices/{invoice_id}/status"), &issue).await;
    assert_eq!(status, 303, "{html}");
    let (_, _, html) = page(app, &b, Method::GET, &format!("/invoices/{invoice_id}"), &[]).await;
    assert!(html.contains("Download UBL") && html.contains("Credit note"), "{html}");
    let pay_link = html
        .split("href=\"")
        .map(|h| h.split('"').next().unwrap())
        .find(|h| h.starts_with("/payments/new?"))
        .expect("a link to record a payment")
        .replace("&#38;", "&");
    let (status, _, form_html) = page(app, &b, Method::GET, &pay_link, &[]).await;
    assert_eq!(status, 200);
    assert!(form_html.contains("value=\"295.20 EUR\""), "the balance prefilled: {form_html}");
    let payment = [
        ("csrf_token", csrf.as_str()),
        ("account", cat.acme.as_str()),
        ("amount", "295.20 EUR"),
        ("reference", "Transfer 77"),
        ("lines_present", "1"),
        ("lines[0].invoice", invoice_id.as_str()),
        ("lines[0].amount", "295.20 EUR"),
    ];
    let (status, _, html) = page(app, &b, Method::POST, "/payments", &payment).await;
    assert_eq!(status, 303, "{html}");
    let invoice = app.get(&format!("/api/v1/invoices/{invoice_id}")).await.expect(200).body;
    assert_eq!(invoice["status"], "paid", "{invoice}");

    // A refused move says why on a page.
    let again = [("csrf_token", csrf.as_str()), ("status", "draft"), ("version", &version_of(&invoice).to_string())];
    let (status, _, html) = page(app, &b, Method::POST, &format!("/invoices/{invoice_id}/status"), &again).await;
    assert_eq!(status, 422);
    assert!(html.contains("cannot go from Paid to Draft"), "{html}");

    // Configure a product on its page: broken rules named, a valid one priced
    // and offered as a quote line.
    let laptop =
        app.create("products", json!({"sku": "LT-9", "name": "Laptop", "tax_rate": "23", "configurable": true})).await;
    let laptop = id_of(&laptop);
    let books = app.list_all("price_books", "").await;
    let book = books.iter().find(|b| b["name"] == "List prices 2026").unwrap();
    let book = &app.get(&format!("/api/v1/price_books/{}", id_of(book))).await.expect(200).body;
    let mut book_lines: Vec<Json> = book["lines"].as_array().unwrap().iter().map(|l| json!({"id": l["id"]})).collect();
    book_lines.push(json!({"product": laptop, "unit_price": eur("1000.00")}));
    let book_path = format!("/api/v1/price_books/{}", id_of(book));
    app.patch(&book_path, version_of(book), &json!({"lines": book_lines})).await.expect(200);
    app.create(
        "option_groups",
        json!({"product": laptop, "name": "Extras", "lines": [
            {"code": "GPU", "name": "Graphics card", "price": eur("300.00"), "requires": "PSU"},
            {"code": "PSU", "name": "Stronger power supply", "price": eur("80.00")}
        ]}),
    )
    .await;
    let (_, _, html) = page(app, &b, Method::GET, &format!("/products/{laptop}"), &[]).await;
    assert!(html.contains(&format!("/products/{laptop}/configure")), "{html}");
    let path = format!("/products/{laptop}/configure");
    let (status, _, html) = page(app, &b, Method::GET, &path, &[]).await;
    assert_eq!(status, 200);
    assert!(html.contains("name=\"option.GPU\"") && html.contains("Graphics card"), "{html}");
    let broken = [("csrf_token", csrf.as_str()), ("quantity", "1"), ("option.GPU", "true"), ("check", "1")];
    let (status, _, html) = page(app, &b, Method::POST, &path, &broken).await;
    assert_eq!(status, 422);
    assert!(html.contains("GPU (requires)"), "{html}");
    let valid = [
        ("csrf_token", csrf.as_str()),
        ("quantity", "2"),
        ("option.GPU", "true"),
        ("option.PSU", "true"),
        ("check", "1"),
    ];
    let (status, _, html) = page(app, &b, Method::POST, &path, &valid).await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("Unit price: €1,380.00"), "in the reader's format: {html}");
    assert!(html.contains("lines%5B0%5D.configuration=GPU%2C+PSU"), "{html}");
}

async fn import_csv(app: &TestApp, entity: &str, csv: &str) -> crate::helpers::Reply {
    let headers = [("content-type", "text/csv")];
    let path = format!("/api/v1/{entity}/import");
    app.send(reqwest::Method::POST, &path, Some(&app.token), &headers, Some(csv.as_bytes().to_vec())).await
}

async fn payments_imported_in_bulk_keep_the_accounts_figures(app: TestApp) {
    let c = catalogue(&app).await;
    let fresh = id_of(&app.create("accounts", account("Fresh Payer")).await);
    // Acme owes an issued invoice: billed in EUR, with an open balance.
    let invoice = app
        .post("/api/v1/invoices", &json!({"account": c.acme, "lines": [{"product": c.widget, "quantity": "1"}]}))
        .await
        .expect(201)
        .body;
    let path = format!("/api/v1/invoices/{}", id_of(&invoice));
    app.patch(&path, version_of(&invoice), &json!({"status": "issued"})).await.expect(200);
    let figures = |id: &str| {
        let path = format!("/api/v1/accounts/{id}");
        let app = &app;
        async move { app.get(&path).await.expect(200).body }
    };

    // The first import bills the fresh account in EUR; both hold credit.
    let csv = format!(
        "account,amount,reference\n{fresh},10.00 EUR,P-1\n{fresh},20.00 EUR,P-2\n{acme},100.00 EUR,P-3\n{fresh},5.50 EUR,P-4\n",
        acme = c.acme
    );
    let report = import_csv(&app, "payments", &csv).await.expect(200).body;
    assert_eq!(report["imported"], 4, "{report}");
    let account = figures(&fresh).await;
    assert_eq!(account["billing_currency"], "EUR");
    assert_eq!(account["credit_balance"]["amount"], "35.50", "{account}");
    let acme = figures(&c.acme).await;
    assert_eq!(acme["credit_balance"]["amount"], "100.00", "{acme}");
    assert_eq!(acme["open_balance"]["amount"], "98.40", "the invoice is untouched");

    // The second moves the credit by what it holds and refunds.
    let csv = format!("account,amount,kind,reference\n{fresh},4.50 EUR,payment,P-5\n{fresh},30.00 EUR,refund,R-1\n");
    import_csv(&app, "payments", &csv).await.expect(200);
    assert_eq!(figures(&fresh).await["credit_balance"]["amount"], "10.00");
    // A payment in another currency than the account's is refused by row, nothing imported.
    let csv = format!("account,amount,reference\n{fresh},1.00 EUR,P-6\n{fresh},7.00 PLN,P-7\n");
    let refused = import_csv(&app, "payments", &csv).await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert_eq!(figures(&fresh).await["credit_balance"]["amount"], "10.00", "nothing changed");
    // A payment saved alone recomputes everything: the same figures.
    app.post("/api/v1/payments", &json!({"account": fresh, "amount": eur("1.00"), "reference": "P-8"}))
        .await
        .expect(201);
    assert_eq!(figures(&fresh).await["credit_balance"]["amount"], "11.00");
}

/// The images of a PDF, as poppler's `pdfimages -list` reads them.
fn pdf_images(bytes: &[u8]) -> String {
    let file = std::env::temp_dir().join(format!("relata-{}.pdf", uuid::Uuid::now_v7()));
    std::fs::write(&file, bytes).unwrap();
    let out =
        std::process::Command::new("pdfimages").args(["-list", file.to_str().unwrap()]).output().expect("pdfimages");
    let _ = std::fs::remove_file(&file);
    assert!(out.status.success(), "pdfimages: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

async fn documents_print_with_the_workspace_template_in_its_language(app: TestApp) {
    // A 16×8 JPEG made by Chromium's canvas, as a data URL.
    let logo = include_str!("../fixtures/logo-jpeg.txt").trim();
    let bad = app.post("/api/v1/document_templates", &json!({"name": "Broken", "logo": "bm90IGFuIGltYWdl"})).await;
    assert_eq!(bad.expect(422).error_fields(), ["logo"]);
    let polish = app
        .create(
            "document_templates",
            json!({"name": "Polskie dokumenty", "is_default": true, "language": "pl", "rounding": "per_document",
                "company_name": "Bursztyn Sp. z o.o.", "company_address": "ul. Długa 1\n80-001 Gdańsk",
                "tax_id": "PL5250001009", "registration_id": "012345678", "bank_name": "mBank",
                "bank_account": "PL61 1090 1014 0000 0712 1981 2874", "contact_line": "biuro@bursztyn.pl",
                "legal_footer": "Sąd Rejonowy Gdańsk-Północ, KRS 0000123456", "logo": logo}),
        )
        .await;
    let account = app.create("accounts", json!({"name": "Jantar UAB", "city": "Vilnius"})).await;
    let line = |name: &str| json!({"description": name, "quantity": "1", "unit_price": eur("0.15"), "tax_rate": "23"});
    let lines = json!([line("Bursztynowy naszyjnik"), line("Kolczyki"), line("Broszka")]);
    // The workspace's rounding (the default template's) applies to new
    // documents: per document, 0.45 × 23% = 0.1035 → 0.10; per line,
    // 0.0345 → 0.03 three times = 0.09.
    let invoice =
        app.post("/api/v1/invoices", &json!({"account": id_of(&account), "lines": lines})).await.expect(201).body;
    assert_eq!(invoice["rounding"], "per_document");
    assert_eq!(invoice["tax_total"]["amount"], "0.10");
    let given = json!({"account": id_of(&account), "rounding": "per_line", "lines": lines});
    assert_eq!(app.post("/api/v1/invoices", &given).await.expect(201).body["tax_total"]["amount"], "0.09");
    let path = format!("/api/v1/invoices/{}", id_of(&invoice));
    let issued = app.patch(&path, version_of(&invoice), &json!({"status": "issued"})).await.expect(200).body;
    let bytes = download(&app, &format!("{path}/pdf")).await;
    let text = pdf_text(&bytes);
    for expected in [
        format!("Faktura {}", issued["number"].as_str().unwrap()),
        "Sprzedawca".into(),
        "Nabywca".into(),
        "Bursztyn Sp. z o.o.".into(),
        "80-001 Gdańsk".into(),
        "NIP: PL5250001009".into(),
        "Jantar UAB".into(),
        "Razem brutto".into(),
        "Do zapłaty".into(),
        "Rachunek bankowy: mBank PL61 1090 1014 0000 0712 1981 2874".into(),
        "KRS 0000123456".into(),
    ] {
        assert!(text.contains(&expected), "{expected:?} is in the PDF:\n{text}");
    }
    let images = pdf_images(&bytes);
    assert!(images.lines().any(|l| l.contains("jpeg") && l.contains(" 16 ") && l.contains(" 8 ")), "{images}");

    // A document may name another template; a new default takes over.
    let lithuanian = app
        .create("document_templates", json!({"name": "Lietuviški", "language": "lt", "company_name": "Gintaras UAB"}))
        .await;
    let quote = app
        .post("/api/v1/quotes", &json!({"account": id_of(&account), "template": id_of(&lithuanian), "lines": lines}))
        .await
        .expect(201)
        .body;
    assert_eq!(quote["rounding"], "per_line", "the named template's rounding");
    let text = pdf_text(&download(&app, &format!("/api/v1/quotes/{}/pdf", id_of(&quote))).await);
    assert!(
        text.contains("Komercinis pasiūlymas") && text.contains("Gintaras UAB") && text.contains("Pirkėjas"),
        "{text}"
    );
    let path = format!("/api/v1/document_templates/{}", id_of(&lithuanian));
    app.patch(&path, version_of(&lithuanian), &json!({"is_default": true})).await.expect(200);
    let before = app.get(&format!("/api/v1/document_templates/{}", id_of(&polish))).await.expect(200).body;
    assert_eq!(before["is_default"], false, "one default at a time");
}
