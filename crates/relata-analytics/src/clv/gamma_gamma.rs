//! The Gamma-Gamma spend model (Fader, Hardie & Lee 2005, "RFM and CLV:
//! Using Iso-Value Curves"; Fader & Hardie's note "The Gamma-Gamma Model of
//! Monetary Value"): each purchase value is Gamma(p, ν) with the customer's
//! own ν ~ Gamma(q, v). It is fitted on repeat customers (x > 0) by maximum
//! likelihood of their mean repeat-purchase value m̄, over (ln p, ln q, ln v).
//!
//! The model assumes spend is independent of purchase frequency; values are
//! divided by their mean before fitting (v scales with the currency, p and q do
//! not), so the optimiser sees the same problem in cents as in euros.

use super::bgnbd::{SAMPLE_ABOVE, SAMPLE_ROWS};
use super::{ClvError, CustomerSummary, check_sample, finite};
use crate::optimize::{self, Options};
use crate::par;
use crate::special::ln_gamma;

/// Gamma-Gamma parameters, all positive and finite.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct GammaGamma {
    p: f64,
    q: f64,
    v: f64,
}

/// A maximum-likelihood fit and what is needed to predict from it.
#[derive(Clone, Debug)]
pub struct GammaGammaFit {
    pub model: GammaGamma,
    pub log_likelihood: f64,
    /// Repeat customers fitted on.
    pub customers: usize,
    /// Repeat customers left out because their mean value was 0 (the model's
    /// density is defined for positive values only).
    pub zero_value_customers: usize,
    pub evaluations: usize,
    /// Mean repeat-purchase value over the fitted customers, weighted by their
    /// purchases: the fallback when the model's mean does not exist.
    pub observed_mean: f64,
}

impl GammaGamma {
    pub fn new(p: f64, q: f64, v: f64) -> Result<Self, ClvError> {
        for (x, what) in [(p, "parameter p"), (q, "parameter q"), (v, "parameter v")] {
            if !(x.is_finite() && x > 0.0) {
                return Err(ClvError::NonFinite { what });
            }
        }
        Ok(GammaGamma { p, q, v })
    }

    pub fn p(&self) -> f64 {
        self.p
    }
    pub fn q(&self) -> f64 {
        self.q
    }
    pub fn v(&self) -> f64 {
        self.v
    }

    /// ln f(m̄ | x) for a customer with x > 0 repeat purchases of mean m̄ > 0:
    ///
    /// f = Γ(px+q) / (Γ(px) Γ(q)) · v^q · m̄^(px−1) · x^(px) / (v + x m̄)^(px+q)
    pub fn log_likelihood(&self, x: u32, mean: f64) -> f64 {
        let Self { p, q, v } = *self;
        let px = p * x as f64;
        ln_gamma(px + q) - ln_gamma(px) - ln_gamma(q) + q * v.ln() + (px - 1.0) * mean.ln() + px * (x as f64).ln()
            - (px + q) * (v + x as f64 * mean).ln()
    }

    /// Fits the model on the customers with repeat purchases of positive value.
    pub fn fit<'a>(customers: impl IntoIterator<Item = &'a CustomerSummary>) -> Result<GammaGammaFit, ClvError> {
        Self::fit_with(customers, &Options::default())
    }

    /// [`GammaGamma::fit`] with explicit optimiser options.
    pub fn fit_with<'a>(
        customers: impl IntoIterator<Item = &'a CustomerSummary>,
        options: &Options,
    ) -> Result<GammaGammaFit, ClvError> {
        let mut rows = Vec::new();
        let (mut zero, mut value_sum, mut purchases) = (0usize, 0.0, 0.0);
        for c in customers.into_iter().filter(|c| c.frequency > 0) {
            let m = finite(c.monetary, "mean purchase value")?;
            if m <= 0.0 {
                zero += 1;
                continue;
            }
            value_sum += m * c.frequency as f64;
            purchases += c.frequency as f64;
            rows.push((c.frequency, m));
        }
        if rows.is_empty() && zero == 0 {
            return Err(ClvError::NoRepeatPurchases);
        }
        check_sample(rows.len())?;
        let observed_mean = value_sum / purchases;
        let objective = |data: &Data, x: &[f64]| -> f64 {
            let m = GammaGamma { p: x[0].exp(), q: x[1].exp(), v: x[2].exp() };
            -data.log_likelihood(&m) / data.rows.len() as f64
        };
        let data = Data::new(&rows, observed_mean);
        let sample = (rows.len() > SAMPLE_ABOVE).then(|| data.sample(SAMPLE_ROWS));
        let sample_objective = sample.as_ref().map(|s| move |x: &[f64]| objective(s, x));
        let min = optimize::warm_started(
            |x| objective(&data, x),
            sample_objective.as_ref().map(|f| f as &dyn Fn(&[f64]) -> f64),
            &[0.0; 3],
            options,
        );
        if !min.converged || !min.value.is_finite() {
            return Err(ClvError::NotConverged { model: "Gamma-Gamma", evaluations: min.evaluations });
        }
        let model = GammaGamma::new(min.x[0].exp(), min.x[1].exp(), min.x[2].exp() * observed_mean)?;
        let log_likelihood = rows.iter().map(|&(x, m)| model.log_likelihood(x, m)).sum::<f64>();
        Ok(GammaGammaFit {
            model,
            log_likelihood: finite(log_likelihood, "Gamma-Gamma log-likelihood")?,
            customers: rows.len(),
            zero_value_customers: zero,
            evaluations: min.evaluations,
            observed_mean,
        })
    }
}

impl GammaGammaFit {
    /// E[M | x, m̄] = p (v + x m̄) / (p x + q − 1): a weighted average of the
    /// population mean p v / (q − 1) and the customer's own mean m̄, the
    /// latter weighing more the more purchases they made. The population mean
    /// exists only for q > 1; when the denominator is not positive (q ≤ 1 and
    /// too few purchases) the observed mean value is returned instead.
    pub fn expected_average_value(&self, x: u32, mean: f64) -> f64 {
        let GammaGamma { p, q, v } = self.model;
        let xf = x as f64;
        let m = if x == 0 { 0.0 } else { mean };
        let denominator = p * xf + q - 1.0;
        let value = p * (v + xf * m) / denominator;
        if denominator > 0.0 && value.is_finite() { value } else { self.observed_mean }
    }
}

/// The fitted rows with values divided by their mean and the x-only terms
/// tabulated.
struct Data {
    xs: Vec<f64>,
    rows: Vec<(u32, f64, f64)>,
}

impl Data {
    fn new(rows: &[(u32, f64)], scale: f64) -> Self {
        let mut xs: Vec<f64> = rows.iter().map(|r| r.0 as f64).collect();
        xs.sort_by(f64::total_cmp);
        xs.dedup();
        let rows = rows
            .iter()
            .map(|&(x, m)| {
                let ix = xs.partition_point(|v| *v < x as f64) as u32;
                let m = m / scale;
                (ix, m, m.ln())
            })
            .collect();
        Data { xs, rows }
    }

    /// Every k-th row: a systematic sample of about `target` rows.
    fn sample(&self, target: usize) -> Data {
        let stride = self.rows.len().div_ceil(target).max(1);
        Data { xs: self.xs.clone(), rows: self.rows.iter().step_by(stride).copied().collect() }
    }

    fn log_likelihood(&self, m: &GammaGamma) -> f64 {
        let GammaGamma { p, q, v } = *m;
        let common = -ln_gamma(q) + q * v.ln();
        let base: Vec<f64> =
            self.xs.iter().map(|&x| common + ln_gamma(p * x + q) - ln_gamma(p * x) + p * x * x.ln()).collect();
        par::sum(&self.rows, |rows| {
            rows.iter()
                .map(|&(ix, mean, ln_mean)| {
                    let x = self.xs[ix as usize];
                    base[ix as usize] + (p * x - 1.0) * ln_mean - (p * x + q) * (v + x * mean).ln()
                })
                .sum()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clv::sim::Spender;
    use crate::rng::Rng;

    fn spender(frequency: u32, monetary: f64) -> CustomerSummary {
        CustomerSummary { frequency, recency: 1.0, age: 2.0, monetary, holdout_purchases: 0 }
    }

    #[test]
    fn likelihood_matches_a_hand_computed_value() {
        // p = 1, q = 2, v = 3, x = 1, m̄ = 2: Γ(3)/(Γ(1)Γ(2)) · 3² · 2⁰ · 1 / 5³ = 18/125.
        let m = GammaGamma::new(1.0, 2.0, 3.0).unwrap();
        assert!((m.log_likelihood(1, 2.0) - f64::ln(18.0 / 125.0)).abs() < 1e-12);
    }

    #[test]
    fn fit_recovers_simulated_parameters_in_any_currency_scale() {
        let truth = GammaGamma::new(6.0, 4.0, 15.0).unwrap();
        let mut rng = Rng::new(1);
        let customers: Vec<CustomerSummary> = (0..8_000)
            .map(|_| {
                let s = Spender::draw(&mut rng, &truth);
                let x = 1 + rng.below(10) as u32;
                let mean = (0..x).map(|_| s.purchase(&mut rng)).sum::<f64>() / x as f64;
                spender(x, mean)
            })
            .collect();
        let fit = GammaGamma::fit(&customers).unwrap();
        let m = fit.model;
        for (got, want, name) in [(m.p, 6.0, "p"), (m.q, 4.0, "q"), (m.v, 15.0, "v")] {
            assert!((got / want - 1.0).abs() < 0.2, "{name}: {got} vs {want} ({fit:?})");
        }
        let at_truth: f64 = customers.iter().map(|c| truth.log_likelihood(c.frequency, c.monetary)).sum();
        assert!(fit.log_likelihood >= at_truth - 1e-6);

        // In cents, v is 100 times larger and p, q are unchanged.
        let cents: Vec<CustomerSummary> = customers.iter().map(|c| spender(c.frequency, c.monetary * 100.0)).collect();
        let in_cents = GammaGamma::fit(&cents).unwrap().model;
        assert!((in_cents.p / m.p - 1.0).abs() < 1e-3 && (in_cents.v / (100.0 * m.v) - 1.0).abs() < 1e-3);
    }

    #[test]
    fn expected_value_shrinks_towards_the_population_mean() {
        let fit = GammaGammaFit {
            model: GammaGamma::new(6.0, 4.0, 15.0).unwrap(),
            log_likelihood: 0.0,
            customers: 2,
            zero_value_customers: 0,
            evaluations: 0,
            observed_mean: 33.0,
        };
        let population = 6.0 * 15.0 / 3.0;
        assert!((fit.expected_average_value(0, 0.0) - population).abs() < 1e-12);
        // x = 2, m̄ = 50: 6 · (15 + 100) / (12 + 3) = 46.
        assert!((fit.expected_average_value(2, 50.0) - 46.0).abs() < 1e-12);
        let no_mean = GammaGammaFit { model: GammaGamma::new(0.1, 0.5, 15.0).unwrap(), ..fit };
        assert_eq!(no_mean.expected_average_value(0, 0.0), 33.0);
    }

    #[test]
    fn degenerate_data_gives_typed_errors() {
        assert_eq!(GammaGamma::fit(&[spender(0, 0.0), spender(0, 0.0)]).unwrap_err(), ClvError::NoRepeatPurchases);
        assert_eq!(GammaGamma::fit(&[spender(2, 5.0), spender(0, 0.0)]).unwrap_err(), ClvError::TooFewCustomers(1));
        assert_eq!(GammaGamma::fit(&[spender(2, 0.0), spender(1, 0.0)]).unwrap_err(), ClvError::NoCustomers);
        let capped = Options { max_iterations: 3, restarts: 0, ..Options::default() };
        let fine = [spender(2, 5.0), spender(1, 9.0), spender(4, 6.5)];
        assert!(matches!(GammaGamma::fit_with(&fine, &capped), Err(ClvError::NotConverged { .. })));
    }
}
