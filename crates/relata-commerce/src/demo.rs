//! Commerce's demo data, on top of the sales demo's accounts: a catalogue
//! of ten products with a price book in the workspace's currency, a
//! default document template, and a few dozen quotes in every status, the
//! accepted ones ordered, invoiced, issued and partly or fully paid. Made
//! through the same services as everything else, so every rule runs. A
//! fixed small number, whatever the size of the company: enough to show
//! every page.

use crate::entities::{DOCUMENT_TEMPLATES, INVOICES, PAYMENTS, PRICE_BOOKS, PRODUCTS, QUOTES};
use relata_app::error::AppError;
use relata_app::module::{DemoCounts, DemoPlan, DemoProgress};
use relata_app::read::{self, ListParams};
use relata_app::{App, Ctx, write};
use relata_core::Record;
use relata_core::meta::EntityKind;
use serde_json::{Value as Json, json};

/// (SKU, name, family, kind, unit, tax rate, price in major units).
const CATALOGUE: &[(&str, &str, &str, &str, &str, &str, &str)] = &[
    ("LP-14", "Laptop Pro 14", "Hardware", "goods", "piece", "23", "1450.00"),
    ("DS-1", "Docking station", "Hardware", "goods", "piece", "23", "189.00"),
    ("MN-27", "27-inch monitor", "Hardware", "goods", "piece", "23", "329.00"),
    ("HS-2", "Wireless headset", "Hardware", "goods", "piece", "23", "119.00"),
    ("LIC-CRM", "CRM licence, one user a year", "Software", "service", "licence", "23", "240.00"),
    ("SUP-Y", "Support plan, a year", "Services", "service", "year", "23", "900.00"),
    ("SRV-INST", "Installation on site", "Services", "service", "hour", "23", "95.00"),
    ("TRN-D", "Training day", "Services", "service", "day", "8", "1100.00"),
    ("CNS-H", "Consulting", "Services", "service", "hour", "23", "130.00"),
    ("BK-1", "Printed handbook", "Books", "goods", "piece", "5", "35.00"),
];

/// Quotes made: one per account, for the first this many accounts.
const QUOTES_MADE: u64 = 40;

fn id(record: &Record) -> String {
    record.id.to_string()
}

async fn create(app: &App, ctx: &Ctx, kind: EntityKind, body: Json) -> Result<Record, AppError> {
    match write::create(app, ctx, kind, &body, None).await? {
        write::Created::New(record, _) => Ok(*record),
        write::Created::Replayed(_) => Err(AppError::System("a demo record was replayed".into())),
    }
}

/// A small deterministic sequence from the plan's seed.
struct Dice(u64);

impl Dice {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (self.0 >> 33) % n.max(1)
    }
}

pub async fn load(app: &App, ctx: &Ctx, plan: &DemoPlan, progress: DemoProgress<'_>) -> Result<DemoCounts, AppError> {
    let mut counts = DemoCounts::new();
    // Demo data loaded again (`--append`) adds no second catalogue.
    let first_sku = ListParams { filter: Some(format!("sku = \"{}\"", CATALOGUE[0].0)), ..Default::default() };
    if !read::list(app, ctx, PRODUCTS, &first_sku).await?.0.records.is_empty() {
        return Ok(counts);
    }
    let currency = ctx.parse.default_currency();
    let mut dice = Dice(plan.seed ^ 0x636f_6d6d);
    let workspace = ctx.workspace.name.clone();
    create(
        app,
        ctx,
        DOCUMENT_TEMPLATES,
        json!({"name": "Standard", "is_default": true, "language": "en", "company_name": workspace,
            "company_address": "ul. Długa 1\n80-001 Gdańsk\nPoland", "tax_id": "PL5250001009",
            "bank_name": "Demo Bank", "bank_account": "PL61 1090 1014 0000 0712 1981 2874",
            "legal_footer": "Demo data: the company, its numbers and its bank account are invented."}),
    )
    .await?;
    *counts.entry("document_templates".into()).or_default() += 1;
    let mut products = Vec::with_capacity(CATALOGUE.len());
    let mut book_lines = Vec::with_capacity(CATALOGUE.len());
    for (sku, name, family, kind, unit, tax, price) in CATALOGUE {
        let fractional = *unit == "hour";
        let product = create(
            app,
            ctx,
            PRODUCTS,
            json!({"sku": sku, "name": name, "family": family, "kind": kind, "unit": unit, "tax_rate": tax,
                "fractional_quantities": fractional}),
        )
        .await?;
        book_lines.push(json!({"product": id(&product), "unit_price": {"amount": price, "currency": currency.code()}}));
        products.push((product, fractional));
    }
    *counts.entry("products".into()).or_default() += products.len() as u64;
    create(app, ctx, PRICE_BOOKS, json!({"name": "List prices", "currency": currency.code(), "lines": book_lines}))
        .await?;
    *counts.entry("price_books".into()).or_default() += 1;

    let params = ListParams { limit: Some(QUOTES_MADE), sort: Some("name".into()), ..Default::default() };
    let (accounts, _) = read::list(app, ctx, relata_crm::ACCOUNTS, &params).await?;
    let total = accounts.records.len() as u64;
    for (n, account) in accounts.records.iter().enumerate() {
        let lines: Vec<Json> = (0..1 + dice.below(4))
            .map(|_| {
                let (product, fractional) = &products[dice.below(products.len() as u64) as usize];
                let quantity =
                    if *fractional { format!("{}.5", 1 + dice.below(20)) } else { (1 + dice.below(12)).to_string() };
                json!({"product": id(product), "quantity": quantity})
            })
            .collect();
        let status = ["draft", "sent", "accepted", "rejected", "accepted"][n % 5];
        let quote =
            create(app, ctx, QUOTES, json!({"account": id(account), "status": "draft", "lines": lines})).await?;
        *counts.entry("quotes".into()).or_default() += 1;
        if status != "draft" {
            let moved = write::update(app, ctx, QUOTES, quote.id, &json!({"status": status}), quote.version).await?;
            if let Some(order) = moved.values.ref_id("order") {
                *counts.entry("orders".into()).or_default() += 1;
                if n % 10 != 4 {
                    let order = relata_core::RecordId::from_uuid(order);
                    let draft = crate::quotes::invoice_order(app, ctx, order).await?;
                    let issued =
                        write::update(app, ctx, INVOICES, draft.id, &json!({"status": "issued"}), draft.version)
                            .await?;
                    *counts.entry("invoices".into()).or_default() += 1;
                    pay(app, ctx, &mut dice, account, &issued, &mut counts).await?;
                }
            }
        }
        progress("commerce", n as u64 + 1, total);
    }
    Ok(counts)
}

/// Pays an issued invoice in full, in part, or not at all.
async fn pay(
    app: &App,
    ctx: &Ctx,
    dice: &mut Dice,
    account: &Record,
    invoice: &Record,
    counts: &mut DemoCounts,
) -> Result<(), AppError> {
    let relata_core::value::FieldValue::Money(balance) = invoice.values.std("balance") else { return Ok(()) };
    let share = match dice.below(3) {
        0 => return Ok(()),
        1 => balance.minor / 2,
        _ => balance.minor,
    };
    let amount = relata_core::money::Money::new(share, balance.currency);
    let amount = json!({"amount": amount.major_string(), "currency": balance.currency.code()});
    let reference = format!("Transfer {}", invoice.values.text("number").unwrap_or_default());
    create(
        app,
        ctx,
        PAYMENTS,
        json!({"account": id(account), "amount": amount, "reference": reference,
            "lines": [{"invoice": id(invoice), "amount": amount}]}),
    )
    .await?;
    *counts.entry("payments".into()).or_default() += 1;
    Ok(())
}
