//! Analytical CRM models over streams of customer data.
//!
//! - [`rfm`]: recency/frequency/monetary quintile scores and named segments;
//! - [`clv`]: BG/NBD purchase model, Gamma-Gamma spend model and customer
//!   lifetime value, all fitted by maximum likelihood;
//! - [`churn`]: logistic regression and CART decision trees with AUC,
//!   calibration tables and per-customer explanations;
//! - [`crosssell`]: association rules and next-purchase transitions;
//! - [`forecast`]: weighted pipeline, win-rate forecasts, stage durations and
//!   forecast-versus-actual from opportunity snapshots.
//!
//! The crate is pure: no files, no network, no database, and no dependency on
//! other Relata crates. Inputs are iterators so callers can stream stored
//! records; models keep per-customer (or per-order) aggregates, never the raw
//! transaction list. Every number a model returns is checked to be finite.

pub mod churn;
pub mod clv;
pub mod crosssell;
pub mod forecast;
pub mod history;
pub mod optimize;
mod par;
pub mod rfm;
pub mod rng;
pub mod special;

#[cfg(test)]
mod tests {
    /// The crate's boundary: no dependency on another Relata crate (checked
    /// on the manifest compiled into the test, so a new dependency fails here
    /// before it can creep in).
    #[test]
    fn depends_on_no_other_relata_crate() {
        let manifest = include_str!("../Cargo.toml");
        let dependencies = manifest.split("[dependencies]").nth(1).expect("a [dependencies] table");
        let ours: Vec<&str> = dependencies.lines().filter(|l| l.trim_start().starts_with("relata")).collect();
        assert!(ours.is_empty(), "relata-analytics must stay independent of other Relata crates: {ours:?}");
    }
}
