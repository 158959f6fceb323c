//! Customer lifetime value: the BG/NBD model of how often customers buy and
//! when they silently leave ([`bgnbd`]), the Gamma-Gamma model of how much
//! they spend per purchase ([`gamma_gamma`]), and their combination into a
//! discounted value over a horizon ([`clv`]).
//!
//! Time is measured in a [`TimeUnit`] (days or weeks) from each customer's
//! first purchase; the usual summary per customer is
//!
//! - `frequency` x: repeat purchases (purchase days after the first) up to the
//!   end of the calibration period,
//! - `recency` t_x: time from the first to the last purchase,
//! - `T`: time from the first purchase to the end of the calibration period,
//! - `monetary`: mean value of the repeat purchases (the first is left out,
//!   as the Gamma-Gamma model describes repeat spending).

pub mod bgnbd;
pub mod gamma_gamma;
pub mod sim;

use crate::history::{Histories, Purchase};
use chrono::NaiveDate;
use std::hash::Hash;

pub use bgnbd::BgNbd;
pub use gamma_gamma::GammaGamma;

/// What can go wrong fitting or using the CLV models. Fits refuse data from
/// which the parameters cannot be estimated rather than return meaningless
/// numbers, and predictions are checked to be finite.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ClvError {
    #[error("no customers to fit the model on")]
    NoCustomers,
    #[error("{0} customer(s) are too few to fit the model on (at least {MIN_CUSTOMERS} are needed)")]
    TooFewCustomers(usize),
    #[error("no customer made a repeat purchase, so purchase rates and drop-out cannot be told apart")]
    NoRepeatPurchases,
    #[error("every customer made their first purchase at the end of the calibration period")]
    NoObservationTime,
    #[error("the {model} fit did not converge after {evaluations} likelihood evaluations")]
    NotConverged { model: &'static str, evaluations: usize },
    #[error("the {what} is not a finite number")]
    NonFinite { what: &'static str },
    #[error("a purchase on {date} is after the end of the data period ({end})")]
    PurchaseAfterEnd { date: NaiveDate, end: NaiveDate },
    #[error("the holdout end {holdout_end} is not after the calibration end {calibration_end}")]
    EmptyHoldout { calibration_end: NaiveDate, holdout_end: NaiveDate },
    #[error("the hypergeometric series did not converge")]
    SeriesDiverged,
    #[error("the discount rate must be a finite number above −1")]
    BadDiscountRate,
}

/// Fewer customers than this cannot identify four parameters.
pub const MIN_CUSTOMERS: usize = 2;

/// The unit of the model's time axis (and of the CLV periods).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimeUnit {
    Day,
    Week,
}

impl TimeUnit {
    pub fn days(self) -> f64 {
        match self {
            TimeUnit::Day => 1.0,
            TimeUnit::Week => 7.0,
        }
    }

    /// Periods of this unit in a year (365.25 days).
    pub fn per_year(self) -> f64 {
        365.25 / self.days()
    }
}

/// The calibration period (and optional holdout) of a CLV analysis.
#[derive(Clone, Copy, Debug)]
pub struct Period {
    calibration_end: NaiveDate,
    holdout_end: Option<NaiveDate>,
    unit: TimeUnit,
}

impl Period {
    pub fn new(calibration_end: NaiveDate, holdout_end: Option<NaiveDate>, unit: TimeUnit) -> Result<Self, ClvError> {
        if let Some(h) = holdout_end
            && h <= calibration_end
        {
            return Err(ClvError::EmptyHoldout { calibration_end, holdout_end: h });
        }
        Ok(Period { calibration_end, holdout_end, unit })
    }

    pub fn calibration_end(&self) -> NaiveDate {
        self.calibration_end
    }

    pub fn holdout_end(&self) -> Option<NaiveDate> {
        self.holdout_end
    }

    pub fn unit(&self) -> TimeUnit {
        self.unit
    }

    /// The last date data may have.
    pub fn end(&self) -> NaiveDate {
        self.holdout_end.unwrap_or(self.calibration_end)
    }

    /// Length of the holdout period in time units (0 without one).
    pub fn holdout_length(&self) -> f64 {
        self.holdout_end.map_or(0.0, |h| self.between(self.calibration_end, h))
    }

    fn between(&self, from: NaiveDate, to: NaiveDate) -> f64 {
        (to - from).num_days() as f64 / self.unit.days()
    }
}

/// One customer's calibration summary and holdout count.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CustomerSummary {
    /// Repeat purchases x.
    pub frequency: u32,
    /// t_x, in time units.
    pub recency: f64,
    /// T, in time units.
    pub age: f64,
    /// Mean value of the repeat purchases (0 when there are none).
    pub monetary: f64,
    /// Purchases in the holdout period.
    pub holdout_purchases: u32,
}

/// Summaries of every customer whose first purchase falls in the calibration
/// period.
#[derive(Debug)]
pub struct Summaries<K> {
    pub customers: Vec<(K, CustomerSummary)>,
    /// Customers seen only in the holdout period (not part of the fit).
    pub first_seen_in_holdout: usize,
}

/// Summarises each customer's purchases for the period. A purchase after the
/// period's end is an error, not something to drop silently.
pub fn summarise<K: Hash + Eq>(histories: Histories<K>, period: &Period) -> Result<Summaries<K>, ClvError> {
    let mut customers = Vec::with_capacity(histories.len());
    let mut first_seen_in_holdout = 0;
    for (key, purchases) in histories.into_purchases() {
        match summarise_one(&purchases, period)? {
            Some(s) => customers.push((key, s)),
            None => first_seen_in_holdout += 1,
        }
    }
    Ok(Summaries { customers, first_seen_in_holdout })
}

/// One customer's summary from their purchases in date order; `None` when the
/// first purchase is after the calibration end.
pub fn summarise_one(purchases: &[Purchase], period: &Period) -> Result<Option<CustomerSummary>, ClvError> {
    if let Some(last) = purchases.last()
        && last.date > period.end()
    {
        return Err(ClvError::PurchaseAfterEnd { date: last.date, end: period.end() });
    }
    let calibration = purchases.partition_point(|p| p.date <= period.calibration_end);
    let (in_calibration, in_holdout) = purchases.split_at(calibration);
    let (Some(first), Some(last)) = (in_calibration.first(), in_calibration.last()) else {
        return Ok(None);
    };
    let repeats = &in_calibration[1..];
    let monetary =
        if repeats.is_empty() { 0.0 } else { repeats.iter().map(|p| p.value).sum::<f64>() / repeats.len() as f64 };
    Ok(Some(CustomerSummary {
        frequency: repeats.len() as u32,
        recency: period.between(first.date, last.date),
        age: period.between(first.date, period.calibration_end),
        monetary,
        holdout_purchases: in_holdout.len() as u32,
    }))
}

/// Options for the lifetime value: how many periods (time units) ahead, and
/// the discount rate per period.
#[derive(Clone, Copy, Debug)]
pub struct ClvOptions {
    pub horizon: u32,
    pub discount_per_period: f64,
}

impl ClvOptions {
    /// From an annual discount rate: the per-period rate d with
    /// (1 + d)^(periods per year) = 1 + annual.
    pub fn with_annual_rate(horizon: u32, annual: f64, unit: TimeUnit) -> Result<Self, ClvError> {
        if !annual.is_finite() || annual <= -1.0 {
            return Err(ClvError::BadDiscountRate);
        }
        Ok(ClvOptions { horizon, discount_per_period: (1.0 + annual).powf(1.0 / unit.per_year()) - 1.0 })
    }
}

/// Customer lifetime value over the horizon:
///
/// CLV = Σ_{k=1..H} (E[Y(k)] − E[Y(k−1)]) · E[M] / (1 + d)^k
///
/// where E[Y(k)] is the BG/NBD expected number of purchases in the first k
/// periods after the calibration end given the customer's history, E[M] the
/// Gamma-Gamma expected value per purchase, d the discount rate per period and
/// H the horizon. Purchases in period k are discounted at its end.
pub fn clv(model: &BgNbd, expected_value: f64, s: &CustomerSummary, options: &ClvOptions) -> Result<f64, ClvError> {
    if !options.discount_per_period.is_finite() || options.discount_per_period <= -1.0 {
        return Err(ClvError::BadDiscountRate);
    }
    let periods: Vec<f64> = (1..=options.horizon).map(f64::from).collect();
    let cumulative = model.expected_purchases_curve(&periods, s.frequency, s.recency, s.age)?;
    let mut total = 0.0;
    let mut before = 0.0;
    let mut discount = 1.0;
    for expected in cumulative {
        discount /= 1.0 + options.discount_per_period;
        total += (expected - before) * expected_value * discount;
        before = expected;
    }
    finite(total, "customer lifetime value")
}

/// Everything predicted for one customer.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Prediction {
    pub p_alive: f64,
    /// Expected purchases over the prediction window.
    pub expected_purchases: f64,
    pub expected_average_value: f64,
    pub clv: f64,
}

/// Predicts one customer: P(alive), expected purchases in the next `window`
/// time units, expected value per purchase and CLV.
pub fn predict(
    bg: &BgNbd,
    spend: &gamma_gamma::GammaGammaFit,
    s: &CustomerSummary,
    window: f64,
    options: &ClvOptions,
) -> Result<Prediction, ClvError> {
    let value = finite(spend.expected_average_value(s.frequency, s.monetary), "expected average value")?;
    Ok(Prediction {
        p_alive: finite(bg.p_alive(s.frequency, s.recency, s.age), "probability of being alive")?,
        expected_purchases: bg.expected_purchases(window, s.frequency, s.recency, s.age)?,
        expected_average_value: value,
        clv: clv(bg, value, s, options)?,
    })
}

/// [`predict`] for every customer, split over threads; the first failure is
/// returned as the error.
pub fn predict_all<K: Sync>(
    bg: &BgNbd,
    spend: &gamma_gamma::GammaGammaFit,
    customers: &[(K, CustomerSummary)],
    window: f64,
    options: &ClvOptions,
) -> Result<Vec<Prediction>, ClvError> {
    crate::par::map(customers, |(_, s)| predict(bg, spend, s, window, options)).into_iter().collect()
}

pub(crate) fn finite(value: f64, what: &'static str) -> Result<f64, ClvError> {
    if value.is_finite() { Ok(value) } else { Err(ClvError::NonFinite { what }) }
}

/// Checks what every fit needs: enough customers and some time observed.
pub(crate) fn check_sample(n: usize) -> Result<(), ClvError> {
    match n {
        0 => Err(ClvError::NoCustomers),
        n if n < MIN_CUSTOMERS => Err(ClvError::TooFewCustomers(n)),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::{Amount, Transaction};

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn histories(rows: &[(&'static str, &str, f64)]) -> Histories<&'static str> {
        rows.iter()
            .map(|&(c, date, v)| Transaction { customer: c, date: d(date), amount: Amount::new(v).unwrap() })
            .collect()
    }

    #[test]
    fn summaries_count_repeat_purchase_days_in_time_units() {
        let h = histories(&[
            ("a", "2024-01-01", 10.0),
            ("a", "2024-01-08", 4.0),
            ("a", "2024-01-08", 2.0),
            ("a", "2024-01-15", 12.0),
            ("a", "2024-02-01", 99.0),
            ("b", "2024-01-29", 5.0),
            ("c", "2024-02-02", 5.0),
        ]);
        let period = Period::new(d("2024-01-29"), Some(d("2024-02-05")), TimeUnit::Week).unwrap();
        let mut s = summarise(h, &period).unwrap();
        s.customers.sort_by_key(|(k, _)| *k);
        assert_eq!(s.first_seen_in_holdout, 1);
        assert_eq!(
            s.customers[0].1,
            CustomerSummary { frequency: 2, recency: 2.0, age: 4.0, monetary: 9.0, holdout_purchases: 1 }
        );
        assert_eq!(
            s.customers[1].1,
            CustomerSummary { frequency: 0, recency: 0.0, age: 0.0, monetary: 0.0, holdout_purchases: 0 }
        );
    }

    #[test]
    fn a_purchase_after_the_end_is_an_error() {
        let h = histories(&[("a", "2024-01-01", 1.0), ("a", "2024-03-01", 1.0)]);
        let period = Period::new(d("2024-02-01"), None, TimeUnit::Day).unwrap();
        assert_eq!(
            summarise(h, &period).unwrap_err(),
            ClvError::PurchaseAfterEnd { date: d("2024-03-01"), end: d("2024-02-01") }
        );
        assert!(matches!(
            Period::new(d("2024-02-01"), Some(d("2024-02-01")), TimeUnit::Day),
            Err(ClvError::EmptyHoldout { .. })
        ));
    }

    #[test]
    fn clv_discounts_each_period_and_matches_undiscounted_expectation() {
        let model = BgNbd::new(0.25, 4.0, 0.8, 2.5).unwrap();
        let s = CustomerSummary { frequency: 3, recency: 20.0, age: 30.0, monetary: 0.0, holdout_purchases: 0 };
        let undiscounted = clv(&model, 50.0, &s, &ClvOptions { horizon: 10, discount_per_period: 0.0 }).unwrap();
        let expected = model.expected_purchases(10.0, 3, 20.0, 30.0).unwrap() * 50.0;
        assert!((undiscounted - expected).abs() < 1e-9 * expected, "{undiscounted} vs {expected}");
        let discounted = clv(&model, 50.0, &s, &ClvOptions { horizon: 10, discount_per_period: 0.05 }).unwrap();
        assert!(discounted < undiscounted && discounted > undiscounted / 1.05f64.powi(10));
        // Hand computation of the same sum.
        let mut by_hand = 0.0;
        for k in 1..=10 {
            let inc = model.expected_purchases(k as f64, 3, 20.0, 30.0).unwrap()
                - model.expected_purchases(k as f64 - 1.0, 3, 20.0, 30.0).unwrap();
            by_hand += inc * 50.0 / 1.05f64.powi(k);
        }
        assert!((discounted - by_hand).abs() < 1e-9 * by_hand);
    }

    #[test]
    fn predictions_stay_finite_for_extreme_customers() {
        let bg = BgNbd::new(0.25, 4.0, 0.8, 2.5).unwrap();
        let spend = gamma_gamma::GammaGammaFit {
            model: GammaGamma::new(6.0, 4.0, 15.0).unwrap(),
            log_likelihood: 0.0,
            customers: 2,
            zero_value_customers: 0,
            evaluations: 0,
            observed_mean: 20.0,
        };
        let options = ClvOptions { horizon: 104, discount_per_period: 0.002 };
        let extremes = [
            CustomerSummary { frequency: 0, recency: 0.0, age: 0.0, monetary: 0.0, holdout_purchases: 0 },
            CustomerSummary { frequency: 0, recency: 0.0, age: 1e5, monetary: 0.0, holdout_purchases: 0 },
            CustomerSummary { frequency: 5_000, recency: 520.0, age: 520.0, monetary: 1e9, holdout_purchases: 0 },
            CustomerSummary { frequency: 5_000, recency: 1.0, age: 520.0, monetary: 1e-9, holdout_purchases: 0 },
        ];
        for s in &extremes {
            let p = predict(&bg, &spend, s, 52.0, &options).unwrap();
            for v in [p.p_alive, p.expected_purchases, p.expected_average_value, p.clv] {
                assert!(v.is_finite() && v >= 0.0, "{s:?}: {p:?}");
            }
        }
    }

    #[test]
    fn annual_discount_rates_compound_to_the_period_rate() {
        let o = ClvOptions::with_annual_rate(52, 0.1, TimeUnit::Week).unwrap();
        assert!(((1.0 + o.discount_per_period).powf(365.25 / 7.0) - 1.1).abs() < 1e-12);
        assert_eq!(ClvOptions::with_annual_rate(52, -1.0, TimeUnit::Week).unwrap_err(), ClvError::BadDiscountRate);
    }
}
