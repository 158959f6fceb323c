//! Document templates: what a workspace prints on its quotes, orders and
//! invoices (the seller's name, address, tax and registration numbers,
//! bank account, a JPEG logo, a legal footer, the language of the labels)
//! and the tax rounding its new documents take. One template is the
//! default; a document may name another (`template`).

use crate::entities::{DOCUMENT_TEMPLATES, catalogue_rights};
use crate::pricing::Rounding;
use crate::records::{self, invalid};
use relata_app::Ctx;
use relata_core::Record;
use relata_core::meta::{Default, EntityDef, FieldDef, FieldType, options};
use relata_core::value::{FieldValue, Values};
use relata_i18n::refusal;
use relata_store::{ScopedConn, StoreError};

/// The languages documents are printed in.
pub const LANGUAGES: &[&str] = &["en", "pl", "lt", "ru", "bg"];

/// The largest logo a template keeps (bytes of the JPEG file).
pub const MAX_LOGO_BYTES: usize = 64 * 1024;

pub fn document_template() -> EntityDef {
    use FieldType::*;
    let text = |id: &'static str, label: &'static str| FieldDef::text(id, label);
    EntityDef::new(DOCUMENT_TEMPLATES, "commerce", "document_template", "Document template", "Document templates")
        .fields([
            text("name", "Name").required().searchable(),
            FieldDef::standard("is_default", "Default", Boolean).default(Default::Bool(false)),
            FieldDef::standard("language", "Language", Choice(options(LANGUAGES)))
                .required()
                .default(Default::Text("en")),
            FieldDef::standard("rounding", "Tax rounding of new documents", Choice(options(Rounding::NAMES)))
                .required()
                .default(Default::Text("per_line")),
            text("company_name", "Company name"),
            FieldDef::standard("company_address", "Address", LongText),
            text("tax_id", "Tax id"),
            text("registration_id", "Registration number"),
            text("bank_name", "Bank"),
            text("bank_account", "Bank account"),
            text("contact_line", "Contact line"),
            FieldDef::standard("legal_footer", "Legal footer", LongText),
            FieldDef::standard("logo", "Logo (JPEG, base64)", LongText),
        ])
        .title(&["name"])
        .columns(&["name", "is_default", "language", "rounding", "company_name"])
        .rights(catalogue_rights)
}

/// The bytes of a template's logo, when it has one that is a JPEG.
pub fn logo(template: &Record) -> Option<Vec<u8>> {
    let text = records::text(&template.values, "logo")?;
    let data = text.trim().strip_prefix("data:image/jpeg;base64,").unwrap_or(text.trim());
    use base64::Engine;
    let bytes = base64::engine::general_purpose::STANDARD.decode(data.replace(['\n', '\r', ' '], "")).ok()?;
    crate::pdf::jpeg_size(&bytes).map(|_| bytes)
}

/// A template is checked when saved (a logo that is a JPEG within the
/// size limit), and a new default takes over from the previous one.
pub async fn before_save(
    tx: &mut ScopedConn,
    ctx: &Ctx,
    old: Option<&Record>,
    new: &mut Record,
) -> Result<(), StoreError> {
    if records::text(&new.values, "logo").is_some_and(|t| !t.trim().is_empty()) {
        match logo(new) {
            Some(bytes) if bytes.len() > MAX_LOGO_BYTES => {
                let args = vec![("bytes", (MAX_LOGO_BYTES as i64).into())];
                return Err(invalid(vec![refusal("logo", "too_large", "refuse-logo-too-large", args)]));
            }
            Some(_) => {}
            None => {
                return Err(invalid(vec![refusal("logo", "invalid_image", "refuse-logo-not-jpeg", vec![])]));
            }
        }
    }
    let becomes_default = new.values.std("is_default") == &FieldValue::Bool(true)
        && old.is_none_or(|o| o.values.std("is_default") != &FieldValue::Bool(true));
    if becomes_default {
        for other in records::all_where(tx, DOCUMENT_TEMPLATES, "is_default", FieldValue::Bool(true)).await? {
            if other.id != new.id {
                let mut patch = Values::default();
                patch.set_std("is_default", FieldValue::Bool(false));
                records::update(tx, ctx, DOCUMENT_TEMPLATES, other.id.uuid(), patch).await?;
            }
        }
    }
    Ok(())
}

/// The template a document prints with: the one it names, else the
/// workspace's default.
pub async fn template_for(tx: &mut ScopedConn, document: &Record) -> Result<Option<Record>, StoreError> {
    if let Some(id) = document.values.ref_id("template")
        && let Some(template) = records::get(tx, DOCUMENT_TEMPLATES, id).await?
    {
        return Ok(Some(template));
    }
    let defaults = records::all_where(tx, DOCUMENT_TEMPLATES, "is_default", FieldValue::Bool(true)).await?;
    Ok(defaults.into_iter().next())
}

/// A new document without a rounding takes its template's (the workspace
/// setting), else per line.
pub async fn settle_rounding(tx: &mut ScopedConn, new: &mut Record) -> Result<(), StoreError> {
    if records::text(&new.values, "rounding").is_some() {
        return Ok(());
    }
    let rounding = template_for(tx, new)
        .await?
        .and_then(|t| records::text(&t.values, "rounding").and_then(Rounding::parse))
        .unwrap_or(Rounding::PerLine);
    new.values.set_std("rounding", FieldValue::Text(rounding.name().into()));
    Ok(())
}

/// The words printed on documents, by language (`en` when unknown).
pub fn label(language: &str, key: &str) -> &'static str {
    let row: [&'static str; 5] = match key {
        "quote" => ["Quote", "Oferta", "Komercinis pasiūlymas", "Коммерческое предложение", "Оферта"],
        "order" => [
            "Order confirmation",
            "Potwierdzenie zamówienia",
            "Užsakymo patvirtinimas",
            "Подтверждение заказа",
            "Потвърждение на поръчка",
        ],
        "invoice" => ["Invoice", "Faktura", "Sąskaita faktūra", "Счёт-фактура", "Фактура"],
        "credit_note" => [
            "Credit note",
            "Faktura korygująca",
            "Kreditinė sąskaita faktūra",
            "Корректировочный счёт-фактура",
            "Кредитно известие",
        ],
        "seller" => ["Seller", "Sprzedawca", "Pardavėjas", "Продавец", "Доставчик"],
        "customer" => ["Customer", "Nabywca", "Pirkėjas", "Покупатель", "Получател"],
        "date" => ["Date", "Data", "Data", "Дата", "Дата"],
        "issued" => ["Issue date", "Data wystawienia", "Išrašymo data", "Дата выставления", "Дата на издаване"],
        "valid_until" => ["Valid until", "Ważna do", "Galioja iki", "Действительно до", "Валидна до"],
        "due" => ["Due date", "Termin płatności", "Apmokėti iki", "Срок оплаты", "Падеж"],
        "corrects" => {
            ["Corrects invoice", "Koryguje fakturę", "Koreguoja sąskaitą", "Корректирует счёт", "Коригира фактура"]
        }
        "description" => ["Description", "Nazwa", "Aprašymas", "Наименование", "Описание"],
        "quantity" => ["Quantity", "Ilość", "Kiekis", "Кол-во", "Количество"],
        "unit_price" => ["Unit price", "Cena jedn.", "Vnt. kaina", "Цена", "Ед. цена"],
        "discount" => ["Disc. %", "Rabat %", "Nuol. %", "Скидка %", "Отст. %"],
        "tax" => ["Tax", "VAT", "PVM", "НДС", "ДДС"],
        "net" => ["Net", "Netto", "Be PVM", "Без НДС", "Нето"],
        "document_discount" => [
            "Document discount",
            "Rabat od dokumentu",
            "Dokumento nuolaida",
            "Скидка на документ",
            "Отстъпка за документа",
        ],
        "net_total" => ["Net total", "Razem netto", "Suma be PVM", "Итого без НДС", "Данъчна основа"],
        "tax_total" => ["Tax total", "Razem VAT", "PVM suma", "Итого НДС", "Общо ДДС"],
        "total" => ["Total", "Razem brutto", "Iš viso", "Всего к оплате", "Общо за плащане"],
        "paid" => ["Paid", "Zapłacono", "Sumokėta", "Оплачено", "Платено"],
        "credited" => ["Credited", "Skorygowano", "Kredituota", "Скорректировано", "Кредитирано"],
        "balance" => ["Balance due", "Do zapłaty", "Mokėtina suma", "К оплате", "Остатък за плащане"],
        "bank" => ["Bank account", "Rachunek bankowy", "Banko sąskaita", "Банковский счёт", "Банкова сметка"],
        "tax_id" => ["Tax id", "NIP", "PVM mokėtojo kodas", "ИНН", "ДДС номер"],
        "registration_id" => ["Registration no.", "REGON", "Įmonės kodas", "ОГРН", "ЕИК"],
        _ => return "",
    };
    let index = LANGUAGES.iter().position(|l| *l == language).unwrap_or(0);
    row[index]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_label_is_given_in_every_language() {
        let keys = [
            "quote",
            "order",
            "invoice",
            "credit_note",
            "seller",
            "customer",
            "date",
            "issued",
            "valid_until",
            "due",
            "corrects",
            "description",
            "quantity",
            "unit_price",
            "discount",
            "tax",
            "net",
            "document_discount",
            "net_total",
            "tax_total",
            "total",
            "paid",
            "credited",
            "balance",
            "bank",
            "tax_id",
            "registration_id",
        ];
        for key in keys {
            for language in LANGUAGES {
                assert!(!label(language, key).is_empty(), "{key} in {language}");
            }
        }
        assert_eq!(label("pl", "invoice"), "Faktura");
        assert_eq!(label("xx", "invoice"), "Invoice", "unknown languages print in English");
    }
}
