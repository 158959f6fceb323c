//! Creating workspaces (companies) on a server: name, URL-safe slug,
//! currencies and phone region, checked at the edge; the creator becomes
//! the workspace's first admin and it gets the standard sales pipeline.

use crate::App;
use crate::error::AppError;
use relata_core::money::Currency;
use relata_core::phone::Region;
use relata_core::{FieldError, UserId, ValidationError};
use relata_store::admin::Workspace;
use relata_store::audit::AuditEntry;

/// What a new workspace should be.
#[derive(Clone, Debug, Default)]
pub struct WorkspaceSpec {
    pub name: String,
    /// Derived from the name when absent.
    pub slug: Option<String>,
    /// ISO 4217 codes, the first the default (EUR when empty).
    pub currencies: Vec<String>,
    /// ISO 3166 region for phone numbers typed without a country code.
    pub phone_region: Option<String>,
}

/// A slug from a name: lower-case ASCII letters and digits joined by dashes.
pub fn slug_of(name: &str) -> String {
    let mut slug = String::new();
    for c in name.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
    }
    slug.trim_end_matches('-').chars().take(50).collect()
}

fn valid_slug(slug: &str) -> bool {
    !slug.is_empty()
        && slug.len() <= 50
        && slug.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !slug.starts_with('-')
}

/// Creates a workspace; `admin`, when given, becomes its first admin.
pub async fn create(app: &App, spec: &WorkspaceSpec, admin: Option<UserId>) -> Result<Workspace, AppError> {
    let mut errors = Vec::new();
    let name = spec.name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        errors.push(FieldError::new("name", "invalid", "1 to 100 characters"));
    }
    let slug = spec.slug.clone().unwrap_or_else(|| slug_of(name));
    if !valid_slug(&slug) {
        errors.push(FieldError::new("slug", "invalid", "lower-case letters, digits and dashes, at most 50"));
    }
    let mut currencies = Vec::new();
    for code in &spec.currencies {
        match Currency::parse(&code.trim().to_uppercase()) {
            Some(c) if !currencies.contains(&c) => currencies.push(c),
            Some(_) => {}
            None => errors.push(FieldError::new(
                "currencies",
                "unknown_currency",
                format!("{code:?} is not an ISO 4217 code"),
            )),
        }
    }
    if currencies.is_empty() {
        currencies.push(Currency::parse("EUR").expect("known"));
    }
    let region = spec.phone_region.as_deref().map(|r| r.trim().to_uppercase());
    if let Some(r) = &region
        && Region::parse(r).is_none()
    {
        errors.push(FieldError::new("phone_region", "unknown_region", format!("{r:?} is not an ISO 3166 region")));
    }
    ValidationError::check(errors)?;
    if app.store.workspace_by_slug(&slug).await?.is_some() {
        return Err(ValidationError::single("slug", "duplicate", format!("a workspace {slug:?} exists already")).into());
    }
    let ws = app.store.create_workspace(name, &slug, &currencies, region.as_deref()).await.map_err(|e| {
        if e.is_unique_violation() {
            AppError::Invalid(ValidationError::single("slug", "duplicate", "a workspace with this slug exists already"))
        } else {
            e.into()
        }
    })?;
    if let Some(user) = admin {
        app.store.add_membership(ws.id, user, "admin").await?;
    }
    app.setup_workspace(&ws).await?;
    app.store
        .append_audit(vec![AuditEntry {
            workspace: Some(ws.id),
            actor: admin,
            action: "workspace.create".into(),
            outcome: "success",
            target_type: Some("workspace".into()),
            target_id: Some(ws.id.to_string()),
            address: None,
            details: serde_json::json!({"name": ws.name, "slug": ws.slug}),
        }])
        .await?;
    Ok(ws)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_url_safe() {
        assert_eq!(slug_of("Acme Sp. z o.o."), "acme-sp-z-o-o");
        assert_eq!(slug_of("  Żabka  "), "abka");
        assert!(valid_slug("acme-2"));
        assert!(!valid_slug("Acme"));
        assert!(!valid_slug(""));
    }
}
