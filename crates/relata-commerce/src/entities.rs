//! Products, price books, quotes, orders, invoices and payments, described
//! for the generic machinery; and the figures commerce keeps on accounts.

use relata_app::module::Extension;
use relata_core::access::{EntityRights, Level};
use relata_core::meta::{
    Default, EntityDef, EntityKind, FieldDef, FieldType, LinesDef, Numbering, Target, business_record_rights, options,
};
use relata_crm::{ACCOUNTS, CONTACTS};
use relata_sales::OPPORTUNITIES;
use std::borrow::Cow;

pub const PRODUCTS: EntityKind = EntityKind::named("products");
pub const PRICE_BOOKS: EntityKind = EntityKind::named("price_books");
pub const QUOTES: EntityKind = EntityKind::named("quotes");
pub const ORDERS: EntityKind = EntityKind::named("orders");
pub const INVOICES: EntityKind = EntityKind::named("invoices");
pub const PAYMENTS: EntityKind = EntityKind::named("payments");
pub const OPTION_GROUPS: EntityKind = EntityKind::named("option_groups");
pub const DOCUMENT_TEMPLATES: EntityKind = EntityKind::named("document_templates");

pub const PRODUCT_KINDS: &[&str] = &["goods", "service"];
pub const UNITS: &[&str] = &["piece", "hour", "day", "month", "year", "kg", "m", "m2", "l", "licence", "set"];
pub const QUOTE_STATUSES: &[&str] = &["draft", "sent", "accepted", "rejected", "expired"];
pub const ORDER_STATUSES: &[&str] = &["open", "confirmed", "partly_shipped", "shipped", "delivered", "cancelled"];
pub const INVOICE_KINDS: &[&str] = &["invoice", "credit_note"];
pub const INVOICE_STATUSES: &[&str] =
    &["draft", "issued", "partly_paid", "paid", "overdue", "written_off", "cancelled"];
pub const PAYMENT_KINDS: &[&str] = &["payment", "refund"];
pub const PAYMENT_METHODS: &[&str] = &["bank_transfer", "card", "cash", "cheque", "direct_debit", "other"];

fn relation(id: &'static str, label: &'static str, kind: EntityKind) -> FieldDef {
    FieldDef::standard(id, label, FieldType::Relation(Target::Entity(kind)))
}

fn money(id: &'static str, label: &'static str) -> FieldDef {
    FieldDef::standard(id, label, FieldType::Money)
}

fn percent(id: &'static str, label: &'static str) -> FieldDef {
    FieldDef::standard(id, label, FieldType::Decimal { scale: 2 })
}

fn choice(id: &'static str, label: &'static str, values: &[&str], default: &'static str) -> FieldDef {
    FieldDef::standard(id, label, FieldType::Choice(options(values))).required().default(Default::Text(default))
}

fn line_field(id: &str, label: &str, ty: FieldType) -> FieldDef {
    FieldDef::data(id.to_string(), label.to_string(), ty, false)
}

/// Everyone reads the catalogue; managers and administrators keep it.
/// Who may change price books may also sell at another price than theirs.
pub(crate) fn catalogue_rights(role: &str) -> EntityRights {
    match role {
        "manager" => {
            EntityRights { create: true, read: Level::All, update: Level::All, delete: Level::All, export: true }
        }
        _ => EntityRights::READ_ALL,
    }
}

pub fn product() -> EntityDef {
    use FieldType::*;
    EntityDef::new(PRODUCTS, "commerce", "product", "Product", "Products")
        .fields([
            FieldDef::text("sku", "SKU").required().unique().searchable(),
            FieldDef::text("name", "Name").required().searchable(),
            FieldDef::standard("description", "Description", LongText).searchable(),
            FieldDef::text("family", "Family"),
            choice("kind", "Kind", PRODUCT_KINDS, "goods"),
            choice("unit", "Unit", UNITS, "piece"),
            FieldDef::standard("fractional_quantities", "Fractional quantities", Boolean).default(Default::Bool(false)),
            percent("tax_rate", "Tax rate (%)"),
            FieldDef::standard("active", "Active", Boolean).default(Default::Bool(true)),
            FieldDef::standard("stock_quantity", "In stock", Decimal { scale: 3 }).read_only(),
            FieldDef::standard("configurable", "Configurable", Boolean).default(Default::Bool(false)),
            FieldDef::standard("allowed_combinations", "Allowed combinations", LongText),
        ])
        .title(&["name"])
        .searchable_globally()
        .columns(&["sku", "name", "family", "unit", "tax_rate", "active"])
        .rights(catalogue_rights)
}

/// A group of options of a configurable product (memory, extras), its
/// options as lines: a code, a price per unit, quantities, and the codes an
/// option requires or excludes (see `configurator`).
pub fn option_group() -> EntityDef {
    use FieldType::*;
    let mut def = EntityDef::new(OPTION_GROUPS, "commerce", "option_group", "Option group", "Option groups")
        .fields([
            relation("product", "Product", PRODUCTS).required(),
            FieldDef::text("name", "Name").required().searchable(),
            FieldDef::standard("position", "Position", Integer { min: 0, max: 1_000_000 }),
            FieldDef::standard("min_choices", "At least", Integer { min: 0, max: 1_000_000 }),
            FieldDef::standard("max_choices", "At most", Integer { min: 0, max: 1_000_000 }),
        ])
        .title(&["name"])
        .columns(&["product", "name", "min_choices", "max_choices"])
        .rights(catalogue_rights);
    def.lines = Some(LinesDef {
        fields: vec![
            FieldDef::data("code".into(), "Code".into(), Text { max_len: 40 }, true),
            FieldDef::data("name".into(), "Name".into(), Text { max_len: 200 }, true),
            line_field("price", "Price", Money),
            line_field("min_quantity", "Minimum quantity", Decimal { scale: 3 }),
            line_field("max_quantity", "Maximum quantity", Decimal { scale: 3 }),
            line_field("requires", "Requires", Text { max_len: 500 }),
            line_field("excludes", "Excludes", Text { max_len: 500 }),
        ],
        totals: Vec::new(),
        currency_field: None,
        personal_fields: Vec::new(),
    });
    def
}

pub fn price_book() -> EntityDef {
    use FieldType::*;
    let mut def = EntityDef::new(PRICE_BOOKS, "commerce", "price_book", "Price book", "Price books")
        .fields([
            FieldDef::text("name", "Name").required().searchable(),
            FieldDef::standard("currency", "Currency", Text { max_len: 3 }).required(),
            relation("account", "Account", ACCOUNTS),
            FieldDef::text("segment", "Customer segment"),
            FieldDef::standard("valid_from", "Valid from", Date),
            FieldDef::standard("valid_to", "Valid to", Date),
            FieldDef::standard("active", "Active", Boolean).default(Default::Bool(true)),
        ])
        .title(&["name"])
        .columns(&["name", "currency", "account", "segment", "valid_from", "valid_to", "active"])
        .rights(catalogue_rights);
    def.lines = Some(LinesDef {
        fields: vec![
            FieldDef::data("product".into(), "Product".into(), Relation(Target::Entity(PRODUCTS)), true),
            FieldDef::data("unit_price".into(), "Unit price".into(), Money, true),
            line_field("min_quantity", "From quantity", Decimal { scale: 3 }),
        ],
        totals: Vec::new(),
        currency_field: Some(Cow::Borrowed("currency")),
        personal_fields: Vec::new(),
    });
    def
}

/// The lines of quotes, orders and invoices.
fn sales_lines() -> LinesDef {
    use FieldType::*;
    LinesDef {
        fields: vec![
            line_field("product", "Product", Relation(Target::Entity(PRODUCTS))),
            line_field("configuration", "Configuration", Text { max_len: 500 }),
            line_field("description", "Description", Text { max_len: 500 }),
            FieldDef::data("quantity".into(), "Quantity".into(), Decimal { scale: 3 }, true),
            line_field("unit", "Unit", Choice(options(UNITS))),
            line_field("unit_price", "Unit price", Money),
            line_field("list_price", "List price", Money).read_only(),
            line_field("discount_percent", "Discount (%)", Decimal { scale: 2 }),
            line_field("tax_rate", "Tax rate (%)", Decimal { scale: 2 }),
            line_field("tax_treatment", "Tax treatment", Choice(options(crate::pricing::Treatment::NAMES))),
            line_field("net_amount", "Net amount", Money).read_only(),
            line_field("tax_amount", "Tax", Money).read_only(),
        ],
        totals: Vec::new(),
        currency_field: Some(Cow::Borrowed("currency")),
        personal_fields: Vec::new(),
    }
}

/// Fields every sales document has: its customer, currency, discount,
/// rounding and the amounts Relata keeps from its lines.
fn document_fields() -> Vec<FieldDef> {
    use FieldType::*;
    vec![
        relation("account", "Account", ACCOUNTS).required(),
        relation("contact", "Contact", CONTACTS),
        FieldDef::text("external_ref", "ERP reference"),
        FieldDef::standard("currency", "Currency", Text { max_len: 3 }),
        percent("discount_percent", "Document discount (%)"),
        // Unless given, a new document takes its template's rounding (the
        // workspace's setting): see `templates::settle_rounding`.
        FieldDef::standard("rounding", "Tax rounding", Choice(options(crate::pricing::Rounding::NAMES))),
        relation("template", "Template", DOCUMENT_TEMPLATES),
        money("net_total", "Net total").read_only(),
        money("tax_total", "Tax total").read_only(),
        money("grand_total", "Total").read_only(),
        FieldDef::standard("tax_summary", "Taxes", LongText).read_only(),
        FieldDef::standard("legal_notes", "Legal notes", LongText).read_only(),
    ]
}

fn document(kind: EntityKind, singular: &'static str, label: &'static str, plural: &'static str) -> EntityDef {
    let mut def = EntityDef::new(kind, "commerce", singular, label, plural);
    def.lines = Some(sales_lines());
    def
}

pub fn quote() -> EntityDef {
    use FieldType::*;
    document(QUOTES, "quote", "Quote", "Quotes")
        .fields([
            FieldDef::text("number", "Number").read_only().searchable(),
            FieldDef::standard("revision", "Revision", Integer { min: 1, max: 1000 }).read_only(),
            relation("revision_of", "Revision of", QUOTES).read_only(),
            relation("opportunity", "Opportunity", OPPORTUNITIES),
            FieldDef::standard("quote_date", "Quote date", Date),
            FieldDef::standard("valid_until", "Valid until", Date),
            choice("status", "Status", QUOTE_STATUSES, "draft"),
            FieldDef::standard("wins_opportunity", "Accepting wins the opportunity", Boolean)
                .default(Default::Bool(true)),
            relation("order", "Order", ORDERS).read_only(),
            FieldDef::standard("terms", "Terms", LongText),
        ])
        .fields(document_fields())
        .title(&["number"])
        .episode(&["account", "contact", "opportunity"], "created_at")
        .searchable_globally()
        .columns(&["number", "revision", "account", "status", "grand_total", "valid_until", "owner"])
        .rights(business_record_rights)
}

pub fn order() -> EntityDef {
    use FieldType::*;
    let mut def = document(ORDERS, "order", "Order", "Orders")
        .fields([
            FieldDef::text("number", "Number").read_only().searchable(),
            relation("quote", "Quote", QUOTES),
            relation("opportunity", "Opportunity", OPPORTUNITIES),
            FieldDef::standard("order_date", "Order date", Date),
            choice("status", "Status", ORDER_STATUSES, "open"),
            FieldDef::text("delivery_street", "Delivery street"),
            FieldDef::text("delivery_city", "Delivery city"),
            FieldDef::text("delivery_postal_code", "Delivery postal code"),
            FieldDef::text("delivery_region", "Delivery region"),
            FieldDef::text("delivery_country", "Delivery country"),
            FieldDef::standard("notes", "Notes", LongText),
        ])
        .fields(document_fields())
        .title(&["number"])
        .episode(&["account", "contact", "opportunity"], "created_at")
        .searchable_globally()
        .columns(&["number", "account", "status", "grand_total", "order_date", "owner"]);
    def.numbering =
        Some(Numbering { field: Cow::Borrowed("number"), format: Cow::Borrowed("SO-{YYYY}-{NNNNN}"), gapless: false });
    def
}

pub fn invoice() -> EntityDef {
    use FieldType::*;
    document(INVOICES, "invoice", "Invoice", "Invoices")
        .fields([
            FieldDef::text("number", "Number").read_only().searchable(),
            choice("kind", "Kind", INVOICE_KINDS, "invoice"),
            relation("corrects", "Corrects invoice", INVOICES),
            relation("order", "Order", ORDERS),
            FieldDef::standard("issue_date", "Issue date", Date),
            FieldDef::standard("payment_terms_days", "Payment terms (days)", Integer { min: 0, max: 365 }),
            FieldDef::standard("due_date", "Due date", Date).read_only(),
            choice("status", "Status", INVOICE_STATUSES, "draft"),
            money("paid_amount", "Paid").read_only(),
            money("credited_amount", "Credited").read_only(),
            money("balance", "Balance").read_only(),
            // The customer contests it: reminders stop until it is settled.
            FieldDef::standard("disputed", "Disputed", Boolean).default(Default::Bool(false)),
        ])
        .fields(document_fields())
        .title(&["number"])
        .episode(&["account", "contact"], "created_at")
        .searchable_globally()
        .columns(&["number", "kind", "account", "status", "grand_total", "balance", "due_date", "owner"])
        .rights(business_record_rights)
}

pub fn payment() -> EntityDef {
    use FieldType::*;
    let mut def = EntityDef::new(PAYMENTS, "commerce", "payment", "Payment", "Payments")
        .fields([
            relation("account", "Account", ACCOUNTS).required(),
            choice("kind", "Kind", PAYMENT_KINDS, "payment"),
            money("amount", "Amount").required(),
            FieldDef::standard("payment_date", "Payment date", Date),
            choice("method", "Method", PAYMENT_METHODS, "bank_transfer"),
            FieldDef::text("reference", "Reference").searchable(),
            money("allocated_amount", "Allocated").read_only(),
            money("unallocated_amount", "Held as credit").read_only(),
            FieldDef::text("external_ref", "ERP reference"),
        ])
        .title(&["reference"])
        .episode(&["account"], "created_at")
        .columns(&["account", "kind", "amount", "payment_date", "method", "reference", "unallocated_amount"]);
    def.lines = Some(LinesDef {
        fields: vec![
            FieldDef::data("invoice".into(), "Invoice".into(), Relation(Target::Entity(INVOICES)), true),
            FieldDef::data("amount".into(), "Amount".into(), Money, true),
        ],
        totals: Vec::new(),
        currency_field: None,
        personal_fields: Vec::new(),
    });
    def
}

/// What commerce keeps on accounts: the currency they are billed in (set
/// by their first invoice or payment), their customer segment for price
/// books, and their figures, in that currency.
pub fn account_figures() -> Extension {
    use FieldType::*;
    Extension {
        kind: ACCOUNTS,
        fields: vec![
            FieldDef::text("price_segment", "Price segment"),
            FieldDef::standard("billing_currency", "Billing currency", Text { max_len: 3 }).read_only(),
            money("revenue_this_year", "Revenue this year").read_only(),
            money("revenue_last_year", "Revenue last year").read_only(),
            money("revenue_total", "Revenue, all time").read_only(),
            money("open_balance", "Open balance").read_only(),
            money("overdue_amount", "Overdue").read_only(),
            FieldDef::standard("overdue_days", "Days overdue", Integer { min: 0, max: 1_000_000 }).read_only(),
            money("credit_balance", "Credit").read_only(),
        ],
        episode_links: Vec::new(),
    }
}
