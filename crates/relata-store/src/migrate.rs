//! Schema migrations, one SQL file per backend per version, applied in order
//! inside a transaction each. Shipped migrations are never edited.

use crate::db::{Backend, Store};
use crate::error::{Result, StoreError};
use sea_query::{Expr, ExprTrait, Query};

struct Migration {
    version: i64,
    name: &'static str,
    sqlite: &'static str,
    postgres: &'static str,
}

const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "init",
        sqlite: include_str!("../migrations/sqlite/0001_init.sql"),
        postgres: include_str!("../migrations/postgres/0001_init.sql"),
    },
    Migration {
        version: 2,
        name: "list_indexes",
        sqlite: include_str!("../migrations/sqlite/0002_list_indexes.sql"),
        postgres: include_str!("../migrations/postgres/0002_list_indexes.sql"),
    },
    Migration {
        version: 3,
        name: "search_order",
        sqlite: include_str!("../migrations/sqlite/0003_search_order.sql"),
        postgres: include_str!("../migrations/postgres/0003_search_order.sql"),
    },
    Migration {
        version: 4,
        name: "identity",
        sqlite: include_str!("../migrations/sqlite/0004_identity.sql"),
        postgres: include_str!("../migrations/postgres/0004_identity.sql"),
    },
    Migration {
        version: 5,
        name: "board_totals",
        sqlite: include_str!("../migrations/sqlite/0005_board_totals.sql"),
        postgres: include_str!("../migrations/postgres/0005_board_totals.sql"),
    },
    Migration {
        version: 6,
        name: "storage_format",
        sqlite: include_str!("../migrations/sqlite/0006_storage_format.sql"),
        postgres: include_str!("../migrations/postgres/0006_storage_format.sql"),
    },
    Migration {
        version: 7,
        name: "platform",
        sqlite: include_str!("../migrations/sqlite/0007_platform.sql"),
        postgres: include_str!("../migrations/postgres/0007_platform.sql"),
    },
    Migration {
        version: 8,
        name: "documents",
        sqlite: include_str!("../migrations/sqlite/0008_documents.sql"),
        postgres: include_str!("../migrations/postgres/0008_documents.sql"),
    },
    Migration {
        version: 9,
        name: "compact_storage",
        sqlite: include_str!("../migrations/sqlite/0009_compact_storage.sql"),
        postgres: include_str!("../migrations/postgres/0009_compact_storage.sql"),
    },
    Migration {
        version: 10,
        name: "audit_retention",
        sqlite: include_str!("../migrations/sqlite/0010_audit_retention.sql"),
        postgres: include_str!("../migrations/postgres/0010_audit_retention.sql"),
    },
    Migration {
        version: 11,
        name: "compress_changes_and_search",
        sqlite: include_str!("../migrations/sqlite/0011_compress_changes_and_search.sql"),
        postgres: include_str!("../migrations/postgres/0011_compress_changes_and_search.sql"),
    },
    Migration {
        version: 12,
        name: "integrations",
        sqlite: include_str!("../migrations/sqlite/0012_integrations.sql"),
        postgres: include_str!("../migrations/postgres/0012_integrations.sql"),
    },
    Migration {
        version: 13,
        name: "notifications",
        sqlite: include_str!("../migrations/sqlite/0013_notifications.sql"),
        postgres: include_str!("../migrations/postgres/0013_notifications.sql"),
    },
    Migration {
        version: 14,
        name: "workspace settings",
        sqlite: include_str!("../migrations/sqlite/0014_settings.sql"),
        postgres: include_str!("../migrations/postgres/0014_settings.sql"),
    },
    Migration {
        version: 15,
        name: "files",
        sqlite: include_str!("../migrations/sqlite/0015_files.sql"),
        postgres: include_str!("../migrations/postgres/0015_files.sql"),
    },
    Migration {
        version: 16,
        name: "sync",
        sqlite: include_str!("../migrations/sqlite/0016_sync.sql"),
        postgres: include_str!("../migrations/postgres/0016_sync.sql"),
    },
    Migration {
        version: 17,
        name: "dav",
        sqlite: include_str!("../migrations/sqlite/0017_dav.sql"),
        postgres: include_str!("../migrations/postgres/0017_dav.sql"),
    },
    Migration {
        version: 18,
        name: "preferences",
        sqlite: include_str!("../migrations/sqlite/0018_preferences.sql"),
        postgres: include_str!("../migrations/postgres/0018_preferences.sql"),
    },
    Migration {
        version: 19,
        name: "labels and widgets",
        sqlite: include_str!("../migrations/sqlite/0019_labels_and_widgets.sql"),
        postgres: include_str!("../migrations/postgres/0019_labels_and_widgets.sql"),
    },
    Migration {
        version: 20,
        name: "reminders, activities by owner and creation",
        sqlite: include_str!("../migrations/sqlite/0020_reminders.sql"),
        postgres: include_str!("../migrations/postgres/0020_reminders.sql"),
    },
    Migration {
        version: 21,
        name: "attendees, calendar indexes",
        sqlite: include_str!("../migrations/sqlite/0021_attendees.sql"),
        postgres: include_str!("../migrations/postgres/0021_attendees.sql"),
    },
    Migration {
        version: 22,
        name: "covering indexes for the home dashboard",
        sqlite: include_str!("../migrations/sqlite/0022_dashboard_indexes.sql"),
        postgres: include_str!("../migrations/postgres/0022_dashboard_indexes.sql"),
    },
    Migration {
        version: 23,
        name: "quiet deals by owner",
        sqlite: include_str!("../migrations/sqlite/0023_owner_quiet_index.sql"),
        postgres: include_str!("../migrations/postgres/0023_owner_quiet_index.sql"),
    },
];

/// The newest schema version this binary knows.
pub fn latest_version() -> i64 {
    MIGRATIONS.last().map_or(0, |m| m.version)
}

/// What `run` did.
#[derive(Debug)]
pub struct Report {
    pub applied: Vec<String>,
    pub version: i64,
}

const CREATE_TABLE: &str = "CREATE TABLE IF NOT EXISTS schema_migrations (\
    version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)";

/// The schema version of the database (0 for an empty one).
pub async fn current_version(store: &Store) -> Result<i64> {
    store.execute_script(CREATE_TABLE).await?;
    let mut conn = store.acquire().await?;
    let q = Query::select().expr_as(Expr::col("version").max(), "v").from("schema_migrations").to_owned();
    let row = conn.fetch_optional(&q).await?;
    Ok(match row {
        Some(r) => r.int("v")?.unwrap_or(0),
        None => 0,
    })
}

/// The schema version of the database, read without writing anything (for
/// readiness checks): an error when the database does not answer.
pub async fn applied_version(store: &Store) -> Result<i64> {
    let mut conn = store.acquire().await?;
    let q = Query::select().expr_as(Expr::col("version").max(), "v").from("schema_migrations").to_owned();
    let row = conn.fetch_optional(&q).await?;
    Ok(row.map(|r| r.int("v")).transpose()?.flatten().unwrap_or(0))
}

/// Refuses to open a database written by a newer binary.
pub async fn check_not_newer(store: &Store) -> Result<i64> {
    let database = current_version(store).await?;
    if database > latest_version() {
        return Err(StoreError::SchemaTooNew { database, binary: latest_version() });
    }
    Ok(database)
}

/// Applies every pending migration. Several processes may open the same
/// database at once: each migration is applied by exactly one of them.
pub async fn run(store: &Store) -> Result<Report> {
    let current = check_not_newer(store).await?;
    let mut applied = Vec::new();
    for m in MIGRATIONS.iter().filter(|m| m.version > current) {
        let body = match store.backend() {
            Backend::Sqlite => m.sqlite,
            Backend::Postgres => m.postgres,
        };
        let record = format!(
            "INSERT INTO schema_migrations (version, name, applied_at) VALUES ({}, '{}', '{}');",
            m.version,
            m.name,
            chrono::Utc::now().to_rfc3339()
        );
        let current = "SELECT COALESCE(MAX(version), 0) FROM schema_migrations";
        if store.apply_migration(&format!("{body}\n{record}"), m.version, current).await? {
            applied.push(format!("{:04}_{}", m.version, m.name));
        }
    }
    Ok(Report { applied, version: std::cmp::max(latest_version(), current) })
}

/// A schema change a domain module ships with (its own tables, indexes),
/// applied after Relata's own, in version order, once per database.
#[derive(Clone, Copy, Debug)]
pub struct ModuleMigration {
    pub version: i64,
    pub name: &'static str,
    pub sqlite: &'static str,
    pub postgres: &'static str,
}

const CREATE_MODULE_TABLE: &str = "CREATE TABLE IF NOT EXISTS module_migrations (\
    module TEXT NOT NULL, version BIGINT NOT NULL, name TEXT NOT NULL, applied_at TEXT NOT NULL, \
    PRIMARY KEY (module, version))";

/// Applies a module's pending migrations; returns those this call applied.
/// Like [`run`], safe when several processes start at once.
pub async fn run_module(store: &Store, module: &'static str, migrations: &[ModuleMigration]) -> Result<Vec<String>> {
    if !module.chars().all(|c| c.is_ascii_lowercase() || c == '_') {
        return Err(StoreError::Corrupt(format!("module name {module:?} is not lower-case letters and _")));
    }
    if migrations.windows(2).any(|w| w[0].version >= w[1].version) {
        return Err(StoreError::Corrupt(format!("the migrations of module {module} are not in version order")));
    }
    store.execute_script(CREATE_MODULE_TABLE).await?;
    let current = format!("SELECT COALESCE(MAX(version), 0) FROM module_migrations WHERE module = '{module}'");
    let mut applied = Vec::new();
    for m in migrations {
        let body = match store.backend() {
            Backend::Sqlite => m.sqlite,
            Backend::Postgres => m.postgres,
        };
        let record = format!(
            "INSERT INTO module_migrations (module, version, name, applied_at) VALUES ('{module}', {}, '{}', '{}');",
            m.version,
            m.name.replace('\'', "''"),
            chrono::Utc::now().to_rfc3339()
        );
        if store.apply_migration(&format!("{body}\n{record}"), m.version, &current).await? {
            applied.push(format!("{module}/{:04}_{}", m.version, m.name));
        }
    }
    Ok(applied)
}
