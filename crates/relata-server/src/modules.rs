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
