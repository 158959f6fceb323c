//! The domain modules this server runs: the one place that names them. A new
//! module is one line here.

use relata_app::App;
use relata_app::module::Module;
use relata_store::Store;
use std::sync::Arc;

pub fn modules() -> Vec<Arc<dyn Module>> {
    vec![
        Arc::new(relata_crm::Crm),
        Arc::new(relata_sales::Sales),
        Arc::new(relata_commerce::Commerce),
        Arc::new(relata_calls::Calls),
        Arc::new(relata_channels::Channels),
        Arc::new(relata_automation::Automation),
        Arc::new(relata_service::Service),
    ]
}

/// The application over `store` with every module.
pub fn app(store: Store) -> App {
    App::new(store, modules())
}

/// Installs the modules' entity types without opening a database (tests of
/// the route table and the OpenAPI document).
pub fn install() {
    relata_app::module::install(modules());
}

#[cfg(test)]
mod tests {
    use relata_core::filter::{CompileContext, compile, parse};
    use relata_core::meta::{EntityKind, FieldType, Schema, Target};
    use relata_core::value::ParseContext;

    /// English's catalogue of built-in fields is what the metadata says;
    /// `RELATA_WRITE_FIELD_CATALOGUE=1` writes it anew after a label
    /// changes (the other languages' tests then name what they lack).
    #[test]
    fn field_catalogue_matches_the_metadata() {
        super::install();
        let generated = relata_app::localize::english_catalogue(&relata_app::Schemas::standard());
        if std::env::var_os("RELATA_WRITE_FIELD_CATALOGUE").is_some() {
            let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../relata-i18n/locales/en/fields.ftl");
            std::fs::write(path, &generated).expect("write the catalogue");
            return;
        }
        assert!(
            generated == relata_i18n::catalogue::english_fields_catalogue(),
            "locales/en/fields.ftl is not what the metadata says: run \
             RELATA_WRITE_FIELD_CATALOGUE=1 cargo test -p relata-server field_catalogue"
        );
    }

    /// What a subscribed record brings along to an offline device must fit
    /// the types' descriptions: the link, the filter and the date field.
    #[test]
    fn what_subscribed_records_bring_fits_the_descriptions() {
        super::install();
        let parse_cx = ParseContext { phone_region: None, currencies: Vec::new() };
        let cx = CompileContext::relata(&parse_cx);
        let related: Vec<_> = super::modules().iter().flat_map(|m| m.sync_related()).collect();
        assert!(related.len() >= 5, "accounts bring contacts, opportunities, activities, cases, invoices");
        for r in related {
            let parent = EntityKind::all().into_iter().find(|k| k.api_name() == r.parent).expect("a parent type");
            let child = Schema::standard(r.child);
            let via = child.field(r.via).unwrap_or_else(|| panic!("{}.{} is a field", r.child, r.via));
            assert!(
                matches!(&via.ty, FieldType::Relation(Target::Entity(t)) if *t == parent),
                "{}.{} links to {}",
                r.child,
                r.via,
                r.parent
            );
            if let Some(filter) = r.filter {
                let expr = parse(filter).unwrap_or_else(|e| panic!("{filter}: {e}"));
                compile(&expr, &child, &cx).unwrap_or_else(|e| panic!("{filter} on {}: {e}", r.child));
            }
            if let Some((field, days)) = r.recent {
                let field = child.field(field).unwrap_or_else(|| panic!("{}.{field} is a field", r.child));
                assert!(matches!(field.ty, FieldType::DateTime) && days > 0);
            }
        }
    }
}
