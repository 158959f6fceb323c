//! The drift check CI runs: the schema the migrations make matches the
//! entity registry on both backends, and the two migration folders make
//! the same tables with the same columns (where a backend does a thing its
//! own way, the difference is listed here, with why).

use crate::helpers::{Backend, TestDb};
use relata_store::Store;
use relata_store::introspect::Tables;
use std::collections::BTreeSet;

/// Tables only one backend has: SQLite's full-text index is an FTS5 table
/// with its shadow tables; SQLite compresses change diffs with
/// dictionaries, PostgreSQL keeps them as JSONB.
fn dialect_only_table(table: &str) -> bool {
    table.starts_with("search_fts") || table == "change_dictionaries"
}

/// Columns only one backend has, as `table.column`: PostgreSQL's change
/// entries get their commit-order position from the sequencer (`pos`);
/// SQLite's one writer makes `seq` commit order already. PostgreSQL's
/// full-text index is a tsvector column computed from the search
/// documents' text; SQLite's FTS5 index keeps no copy of the text.
const DIALECT_ONLY_COLUMNS: &[&str] = &["changes.pos", "search_docs.tsv", "search_docs.content"];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_migrations_match_the_registry_and_each_other() {
    relata_server::modules::install();
    let mut tables: Vec<(Backend, Tables)> = Vec::new();
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let Some(db) = TestDb::create(backend, "the_migrations_match_the_registry_and_each_other").await else {
            continue;
        };
        let store = Store::open(&db.target()).await.expect("migrated");
        // The modules' own migrations too, as start-up applies them.
        relata_server::modules::app(store.clone()).migrate_modules().await.expect("module migrations");
        let drift = store.registry_drift().await.expect("introspected");
        assert!(drift.is_empty(), "{backend:?} drifts from the registry:\n{}", drift.join("\n"));
        tables.push((backend, store.tables().await.expect("introspected")));
        store.close().await;
    }
    let [(_, sqlite), (_, postgres)] = &tables[..] else { return };
    let names = |t: &Tables| -> BTreeSet<String> { t.keys().filter(|n| !dialect_only_table(n)).cloned().collect() };
    assert_eq!(names(sqlite), names(postgres), "both backends have the same tables");
    for (table, columns) in sqlite.iter().filter(|(n, _)| !dialect_only_table(n)) {
        let other = &postgres[table];
        let differ: Vec<String> = columns
            .symmetric_difference(other)
            .map(|c| format!("{table}.{c}"))
            .filter(|c| !DIALECT_ONLY_COLUMNS.contains(&c.as_str()))
            .collect();
        assert!(differ.is_empty(), "columns of one backend only: {differ:?}");
    }
}

/// A module's migrations: applied after Relata's, in order, once, even when
/// two processes start together.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn module_migrations_apply_once_in_order() {
    use relata_store::migrate::{ModuleMigration, run_module};
    const MIGRATIONS: &[ModuleMigration] = &[
        ModuleMigration {
            version: 1,
            name: "products",
            sqlite: "CREATE TABLE test_products (workspace_id BLOB NOT NULL, id BLOB NOT NULL, PRIMARY KEY (workspace_id, id));",
            postgres: "CREATE TABLE test_products (workspace_id UUID NOT NULL, id UUID NOT NULL, PRIMARY KEY (workspace_id, id));",
        },
        ModuleMigration {
            version: 2,
            name: "product_names",
            sqlite: "ALTER TABLE test_products ADD COLUMN name TEXT;",
            postgres: "ALTER TABLE test_products ADD COLUMN name TEXT;",
        },
    ];
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let Some(db) = TestDb::create(backend, "module_migrations_apply_once_in_order").await else { continue };
        let (a, b) = (Store::open(&db.target()).await.unwrap(), Store::open(&db.target()).await.unwrap());
        let (first, second) =
            tokio::join!(run_module(&a, "test_module", MIGRATIONS), run_module(&b, "test_module", MIGRATIONS));
        let mut applied = first.unwrap();
        applied.extend(second.unwrap());
        applied.sort();
        assert_eq!(applied, ["test_module/0001_products", "test_module/0002_product_names"], "{backend:?}");
        assert!(run_module(&a, "test_module", MIGRATIONS).await.unwrap().is_empty(), "applied once");
        let tables = a.tables().await.unwrap();
        let columns: Vec<&str> = tables["test_products"].iter().map(String::as_str).collect();
        assert_eq!(columns, ["id", "name", "workspace_id"]);
        let unordered = [MIGRATIONS[1], MIGRATIONS[0]];
        assert!(run_module(&a, "other_module", &unordered).await.is_err(), "versions must ascend");
        a.close().await;
        b.close().await;
    }
}
