// Shared by the targets: the entity types the server runs, installed once.

use relata_core::meta::Schema;
use relata_core::value::ParseContext;
use std::sync::Once;

pub fn contacts() -> Schema {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        relata_app::module::install(vec![
            std::sync::Arc::new(relata_crm::Crm),
            std::sync::Arc::new(relata_sales::Sales),
        ]);
    });
    Schema::with_custom(relata_crm::CONTACTS, Vec::new())
}

pub fn parse_context() -> ParseContext {
    ParseContext {
        phone_region: relata_core::phone::Region::parse("PL"),
        currencies: vec![relata_core::money::Currency::parse("EUR").expect("known")],
    }
}
