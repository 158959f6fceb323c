//! Invoices and credit notes as UBL 2.1 XML with the core fields of
//! EN 16931 (the European e-invoicing norm): number, dates, currency,
//! seller and buyer, a tax subtotal per category and rate (S standard, Z
//! zero rated, E exempt, AE reverse charge), the monetary totals, and each
//! line with its quantity (UN/ECE units), net amount, item, tax category and
//! price. The amounts come from the same `pricing` as the stored ones.

use crate::pricing::{self, LineInput, Rounding, Treatment};
use crate::records;
use relata_core::Record;
use relata_core::decimal::Decimal;
use relata_core::money::Currency;

use relata_core::xml::escape;

fn unit_code(unit: Option<&str>) -> &'static str {
    match unit {
        Some("hour") => "HUR",
        Some("day") => "DAY",
        Some("month") => "MON",
        Some("year") => "ANN",
        Some("kg") => "KGM",
        Some("m") => "MTR",
        Some("m2") => "MTK",
        Some("l") => "LTR",
        Some("set") => "SET",
        _ => "C62",
    }
}

fn category(treatment: Treatment) -> &'static str {
    match treatment {
        Treatment::Standard => "S",
        Treatment::ZeroRated => "Z",
        Treatment::Exempt => "E",
        Treatment::ReverseCharge => "AE",
    }
}

struct Xml {
    out: String,
    currency: Currency,
}

impl Xml {
    fn element(&mut self, name: &str, value: &str) {
        self.out.push_str(&format!("<{name}>{}</{name}>", escape(value)));
    }

    fn amount(&mut self, name: &str, minor: i64) {
        let exponent = u32::from(self.currency.exponent());
        let mut d = Decimal::new(minor, exponent);
        d.rescale(exponent);
        self.out.push_str(&format!("<{name} currencyID=\"{}\">{d}</{name}>", self.currency.code()));
    }

    fn open(&mut self, name: &str) {
        self.out.push_str(&format!("<{name}>"));
    }

    fn close(&mut self, name: &str) {
        self.out.push_str(&format!("</{name}>"));
    }

    fn tax_category(&mut self, name: &str, treatment: Treatment, rate: Decimal) {
        self.open(name);
        self.element("cbc:ID", category(treatment));
        self.element("cbc:Percent", &rate.normalize().to_string());
        if let Some(note) =
            treatment.legal_note().filter(|_| matches!(treatment, Treatment::Exempt | Treatment::ReverseCharge))
        {
            self.element("cbc:TaxExemptionReason", note);
        }
        self.open("cac:TaxScheme");
        self.element("cbc:ID", "VAT");
        self.close("cac:TaxScheme");
        self.close(name);
    }

    fn party(&mut self, name: &str, party: &[(&str, Option<&str>)]) {
        let get = |key: &str| party.iter().find(|(k, _)| *k == key).and_then(|(_, v)| *v).unwrap_or_default();
        self.open(name);
        self.open("cac:Party");
        self.open("cac:PartyName");
        self.element("cbc:Name", get("name"));
        self.close("cac:PartyName");
        self.open("cac:PostalAddress");
        for (key, element) in
            [("street", "cbc:StreetName"), ("city", "cbc:CityName"), ("postal_code", "cbc:PostalZone")]
        {
            if !get(key).is_empty() {
                self.element(element, get(key));
            }
        }
        self.open("cac:Country");
        self.element("cbc:IdentificationCode", get("country_code"));
        self.close("cac:Country");
        self.close("cac:PostalAddress");
        self.open("cac:PartyLegalEntity");
        self.element("cbc:RegistrationName", get("name"));
        self.close("cac:PartyLegalEntity");
        self.close("cac:Party");
        self.close(name);
    }
}

/// ISO 3166 codes of the countries people write out in addresses.
fn country_code(name: Option<&str>) -> Option<&'static str> {
    let name = name?.trim().to_lowercase();
    Some(match name.as_str() {
        "poland" | "polska" | "pl" => "PL",
        "lithuania" | "lietuva" | "lt" => "LT",
        "bulgaria" | "българия" | "bg" => "BG",
        "germany" | "deutschland" | "de" => "DE",
        "russia" | "россия" | "ru" => "RU",
        "latvia" | "latvija" | "lv" => "LV",
        "estonia" | "eesti" | "ee" => "EE",
        "czechia" | "czech republic" | "cz" => "CZ",
        "slovakia" | "sk" => "SK",
        "france" | "fr" => "FR",
        "united kingdom" | "uk" | "gb" => "GB",
        _ => return None,
    })
}

/// The UBL document of an issued invoice or credit note. `seller` is the
/// workspace's name; `corrected` the number a credit note corrects.
pub fn document(invoice: &Record, account: Option<&Record>, seller: &str, corrected: Option<&str>) -> String {
    let v = &invoice.values;
    let currency = records::text(v, "currency").and_then(Currency::parse).unwrap_or_else(|| {
        records::money(v, "grand_total").map_or(Currency::parse("EUR").expect("EUR is known"), |m| m.currency)
    });
    let credit_note = records::text(v, "kind") == Some("credit_note");
    let (root, line_name, quantity_name, type_name, type_code) = if credit_note {
        ("CreditNote", "cac:CreditNoteLine", "cbc:CreditedQuantity", "cbc:CreditNoteTypeCode", "381")
    } else {
        ("Invoice", "cac:InvoiceLine", "cbc:InvoicedQuantity", "cbc:InvoiceTypeCode", "380")
    };
    let exponent = u32::from(currency.exponent());
    let lines: Vec<&relata_core::document::Line> = invoice.lines.iter().flatten().collect();
    let inputs: Vec<LineInput> = lines.iter().map(|l| crate::documents::pricing_input(&l.values, exponent)).collect();
    let rounding = records::text(v, "rounding").and_then(Rounding::parse).unwrap_or(Rounding::PerLine);
    let discount = records::decimal(v, "discount_percent").unwrap_or(Decimal::ZERO);
    let amounts = pricing::compute(&inputs, discount, rounding, exponent).unwrap_or(pricing::DocumentAmounts {
        lines: Vec::new(),
        groups: Vec::new(),
        net: 0,
        tax: 0,
        gross: 0,
        legal_notes: Vec::new(),
    });
    let mut x = Xml { out: String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"), currency };
    x.out.push_str(&format!(
        "<{root} xmlns=\"urn:oasis:names:specification:ubl:schema:xsd:{root}-2\" \
         xmlns:cac=\"urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2\" \
         xmlns:cbc=\"urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2\">"
    ));
    x.element("cbc:CustomizationID", "urn:cen.eu:en16931:2017");
    x.element("cbc:ID", records::text(v, "number").unwrap_or_default());
    x.element("cbc:IssueDate", &records::date(v, "issue_date").map(|d| d.to_string()).unwrap_or_default());
    if !credit_note && let Some(due) = records::date(v, "due_date") {
        x.element("cbc:DueDate", &due.to_string());
    }
    x.element(type_name, type_code);
    for note in amounts.legal_notes.iter() {
        x.element("cbc:Note", note);
    }
    x.element("cbc:DocumentCurrencyCode", currency.code());
    if let Some(reference) = records::text(v, "external_ref") {
        x.element("cbc:BuyerReference", reference);
    }
    if let Some(number) = corrected {
        x.open("cac:BillingReference");
        x.open("cac:InvoiceDocumentReference");
        x.element("cbc:ID", number);
        x.close("cac:InvoiceDocumentReference");
        x.close("cac:BillingReference");
    }
    x.party("cac:AccountingSupplierParty", &[("name", Some(seller))]);
    let field = |key: &str| account.and_then(|a| records::text(&a.values, key));
    let country = country_code(field("country"));
    x.party(
        "cac:AccountingCustomerParty",
        &[
            ("name", field("name")),
            ("street", field("street")),
            ("city", field("city")),
            ("postal_code", field("postal_code")),
            ("country_code", country),
        ],
    );
    x.open("cac:TaxTotal");
    x.amount("cbc:TaxAmount", amounts.tax);
    for group in &amounts.groups {
        x.open("cac:TaxSubtotal");
        x.amount("cbc:TaxableAmount", group.net);
        x.amount("cbc:TaxAmount", group.tax);
        x.tax_category("cac:TaxCategory", group.treatment, group.rate);
        x.close("cac:TaxSubtotal");
    }
    x.close("cac:TaxTotal");
    x.open("cac:LegalMonetaryTotal");
    x.amount("cbc:LineExtensionAmount", amounts.net);
    x.amount("cbc:TaxExclusiveAmount", amounts.net);
    x.amount("cbc:TaxInclusiveAmount", amounts.gross);
    let settled = records::minor(v, "paid_amount") + records::minor(v, "credited_amount");
    if !credit_note && settled > 0 {
        x.amount("cbc:PrepaidAmount", settled);
    }
    x.amount("cbc:PayableAmount", if credit_note { amounts.gross } else { amounts.gross - settled });
    x.close("cac:LegalMonetaryTotal");
    for (i, (line, (input, computed))) in lines.iter().zip(inputs.iter().zip(&amounts.lines)).enumerate() {
        x.open(line_name);
        x.element("cbc:ID", &(i + 1).to_string());
        x.out.push_str(&format!(
            "<{quantity_name} unitCode=\"{}\">{}</{quantity_name}>",
            unit_code(records::text(&line.values, "unit")),
            input.quantity.normalize()
        ));
        x.amount("cbc:LineExtensionAmount", computed.net);
        let gross = pricing::to_minor(input.quantity * input.unit_price, exponent).unwrap_or(computed.net);
        if gross != computed.net {
            x.open("cac:AllowanceCharge");
            x.element("cbc:ChargeIndicator", "false");
            x.element("cbc:AllowanceChargeReason", "Discount");
            x.amount("cbc:Amount", gross - computed.net);
            x.close("cac:AllowanceCharge");
        }
        x.open("cac:Item");
        x.element("cbc:Name", records::text(&line.values, "description").unwrap_or("—"));
        let rate = if input.treatment == Treatment::Standard { input.tax_rate } else { Decimal::ZERO };
        x.tax_category("cac:ClassifiedTaxCategory", input.treatment, rate);
        x.close("cac:Item");
        x.open("cac:Price");
        x.amount("cbc:PriceAmount", records::money(&line.values, "unit_price").map_or(0, |m| m.minor));
        x.close("cac:Price");
        x.close(line_name);
    }
    x.out.push_str(&format!("</{root}>\n"));
    x.out
}
