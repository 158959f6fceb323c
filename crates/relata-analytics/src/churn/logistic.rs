//! L2-regularised logistic regression fitted by Newton's method on
//! standardised features.
//!
//! Standardising (mean 0, standard deviation 1, from the training data) makes
//! one penalty fit every feature whatever its unit, and makes coefficient ×
//! standardised value a fair measure of how much a feature pushed one
//! customer's score — the explanation. The intercept is not penalised.

use super::{ChurnError, Classifier, Dataset};
use serde::Serialize;

#[derive(Clone, Debug)]
pub struct LogisticOptions {
    /// L2 penalty λ on the coefficients (the objective is the negative
    /// log-likelihood + λ/2 · Σ w²).
    pub l2: f64,
    pub max_iterations: usize,
    /// Stop when no coefficient moves by more than this in a Newton step.
    pub tolerance: f64,
}

impl Default for LogisticOptions {
    fn default() -> Self {
        LogisticOptions { l2: 1.0, max_iterations: 100, tolerance: 1e-9 }
    }
}

/// A fitted model.
#[derive(Clone, Debug, Serialize)]
pub struct Logistic {
    names: Vec<String>,
    means: Vec<f64>,
    scales: Vec<f64>,
    pub intercept: f64,
    /// Per standardised feature, in the dataset's order.
    pub coefficients: Vec<f64>,
}

/// How much one feature moved one customer's log-odds.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Contribution {
    pub feature: String,
    pub value: f64,
    /// coefficient × standardised value, in log-odds.
    pub contribution: f64,
}

impl Logistic {
    pub fn fit(data: &Dataset, options: &LogisticOptions) -> Result<Self, ChurnError> {
        data.check_trainable()?;
        let d = data.names.len();
        let (means, scales) = standardisation(data);
        let rows: Vec<(Vec<f64>, f64)> = data
            .examples
            .iter()
            .map(|e| {
                let mut z = Vec::with_capacity(d + 1);
                z.push(1.0);
                z.extend(e.values.iter().zip(means.iter().zip(&scales)).map(|(v, (m, s))| (v - m) / s));
                (z, if e.churned { 1.0 } else { 0.0 })
            })
            .collect();
        let mut w = vec![0.0; d + 1];
        for _ in 0..options.max_iterations {
            let (gradient, hessian) = derivatives(&rows, &w, options.l2);
            let step = solve(hessian, gradient).ok_or(ChurnError::NotConverged)?;
            let mut largest: f64 = 0.0;
            for (wi, si) in w.iter_mut().zip(&step) {
                *wi -= si;
                largest = largest.max(si.abs());
            }
            if w.iter().any(|v| !v.is_finite()) {
                return Err(ChurnError::NotConverged);
            }
            if largest < options.tolerance {
                return Ok(Logistic {
                    names: data.names.clone(),
                    means,
                    scales,
                    intercept: w[0],
                    coefficients: w[1..].to_vec(),
                });
            }
        }
        Err(ChurnError::NotConverged)
    }

    fn standardised<'a>(&'a self, values: &'a [f64]) -> impl Iterator<Item = f64> + 'a {
        values.iter().zip(self.means.iter().zip(&self.scales)).map(|(v, (m, s))| (v - m) / s)
    }

    /// Features ordered by the size of their contribution, largest first.
    pub fn explain(&self, values: &[f64]) -> Vec<Contribution> {
        let mut out: Vec<Contribution> = self
            .standardised(values)
            .zip(&self.coefficients)
            .zip(values.iter().zip(&self.names))
            .map(|((z, c), (v, name))| Contribution { feature: name.clone(), value: *v, contribution: c * z })
            .collect();
        out.sort_by(|a, b| b.contribution.abs().total_cmp(&a.contribution.abs()));
        out
    }
}

impl Classifier for Logistic {
    fn predict(&self, values: &[f64]) -> f64 {
        let logit = self.intercept + self.standardised(values).zip(&self.coefficients).map(|(z, c)| z * c).sum::<f64>();
        sigmoid(logit)
    }
}

fn sigmoid(x: f64) -> f64 {
    if x >= 0.0 {
        1.0 / (1.0 + (-x).exp())
    } else {
        let e = x.exp();
        e / (1.0 + e)
    }
}

/// Per-feature mean and standard deviation; a constant feature gets scale 1
/// (it then standardises to 0 and cannot matter).
fn standardisation(data: &Dataset) -> (Vec<f64>, Vec<f64>) {
    let n = data.examples.len() as f64;
    let d = data.names.len();
    let mut means = vec![0.0; d];
    for e in &data.examples {
        for (m, v) in means.iter_mut().zip(&e.values) {
            *m += v / n;
        }
    }
    let mut scales = vec![0.0; d];
    for e in &data.examples {
        for ((s, v), m) in scales.iter_mut().zip(&e.values).zip(&means) {
            *s += (v - m).powi(2) / n;
        }
    }
    for s in &mut scales {
        *s = if *s > 1e-24 { s.sqrt() } else { 1.0 };
    }
    (means, scales)
}

/// Gradient and Hessian of the penalised negative log-likelihood.
fn derivatives(rows: &[(Vec<f64>, f64)], w: &[f64], l2: f64) -> (Vec<f64>, Vec<Vec<f64>>) {
    let k = w.len();
    let mut gradient = vec![0.0; k];
    let mut hessian = vec![vec![0.0; k]; k];
    for (z, y) in rows {
        let p = sigmoid(z.iter().zip(w).map(|(a, b)| a * b).sum());
        let weight = (p * (1.0 - p)).max(1e-12);
        for ((g, row), zi) in gradient.iter_mut().zip(hessian.iter_mut()).zip(z) {
            *g += (p - y) * zi;
            for (h, zj) in row.iter_mut().zip(z) {
                *h += weight * zi * zj;
            }
        }
    }
    // The intercept (index 0) is not penalised.
    for (i, (g, row)) in gradient.iter_mut().zip(hessian.iter_mut()).enumerate().skip(1) {
        *g += l2 * w[i];
        row[i] += l2;
    }
    (gradient, hessian)
}

/// Solves A x = b by Gaussian elimination with partial pivoting; `None` when
/// A is (numerically) singular.
fn solve(mut a: Vec<Vec<f64>>, mut b: Vec<f64>) -> Option<Vec<f64>> {
    let n = b.len();
    for col in 0..n {
        let pivot = (col..n).max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))?;
        if a[pivot][col].abs() < 1e-12 {
            return None;
        }
        a.swap(col, pivot);
        b.swap(col, pivot);
        let (upper, lower) = a.split_at_mut(col + 1);
        let pivot_row = &upper[col];
        for (offset, row) in lower.iter_mut().enumerate() {
            let f = row[col] / pivot_row[col];
            for (x, p) in row[col..].iter_mut().zip(&pivot_row[col..]) {
                *x -= f * p;
            }
            b[col + 1 + offset] -= f * b[col];
        }
    }
    let mut x = vec![0.0; n];
    for i in (0..n).rev() {
        let s: f64 = (i + 1..n).map(|k| a[i][k] * x[k]).sum();
        x[i] = (b[i] - s) / a[i][i];
    }
    Some(x)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::churn::{Example, metrics::evaluate};
    use crate::rng::Rng;

    /// logit = −1 + 2·a − b, c is noise; a is in thousands to check standardising.
    fn simulated(n: usize, seed: u64) -> Dataset {
        let mut rng = Rng::new(seed);
        let mut d = Dataset::new(["a", "b", "c"]);
        for i in 0..n {
            let (a, b, c) = (rng.normal(), rng.normal(), rng.normal());
            let churned = rng.uniform() < sigmoid(-1.0 + 2.0 * a - b);
            d.push(Example { id: format!("{i}"), values: vec![1000.0 * a, b, c], churned }).unwrap();
        }
        d
    }

    #[test]
    fn recovers_the_coefficients_of_simulated_data() {
        let data = simulated(20_000, 1);
        let m = Logistic::fit(&data, &LogisticOptions { l2: 1e-3, ..Default::default() }).unwrap();
        // Standard deviations are ≈ 1000, 1, 1, so standardised coefficients ≈ 2, −1, 0.
        assert!((m.intercept + 1.0).abs() < 0.1, "{m:?}");
        assert!((m.coefficients[0] - 2.0).abs() < 0.15, "{m:?}");
        assert!((m.coefficients[1] + 1.0).abs() < 0.1, "{m:?}");
        assert!(m.coefficients[2].abs() < 0.1, "{m:?}");
        let test = simulated(5_000, 2);
        let eval = evaluate(&m, &test).unwrap();
        assert!(eval.auc > 0.8, "{eval:?}");
        for bin in &eval.calibration {
            assert!((bin.mean_predicted - bin.observed_rate).abs() < 0.08, "{bin:?}");
        }
    }

    #[test]
    fn explanation_names_the_feature_that_pushed_the_score_most() {
        let m = Logistic::fit(&simulated(5_000, 3), &LogisticOptions::default()).unwrap();
        let why = m.explain(&[2500.0, 0.1, 0.0]);
        assert_eq!(why[0].feature, "a");
        assert!(why[0].contribution > 3.0);
        let why = m.explain(&[0.0, -3.0, 0.0]);
        assert_eq!(why[0].feature, "b");
        // The contributions add up to the log-odds.
        let total: f64 = why.iter().map(|c| c.contribution).sum::<f64>() + m.intercept;
        assert!((sigmoid(total) - m.predict(&[0.0, -3.0, 0.0])).abs() < 1e-12);
    }

    #[test]
    fn a_penalty_keeps_separable_data_finite_and_one_class_is_refused() {
        let mut d = Dataset::new(["x"]);
        for i in 0..20 {
            d.push(Example { id: format!("{i}"), values: vec![i as f64], churned: i >= 10 }).unwrap();
        }
        let m = Logistic::fit(&d, &LogisticOptions::default()).unwrap();
        assert!(m.predict(&[19.0]) > 0.9 && m.predict(&[0.0]) < 0.1);
        let mut one = Dataset::new(["x"]);
        one.push(Example { id: "a".into(), values: vec![1.0], churned: true }).unwrap();
        assert_eq!(Logistic::fit(&one, &LogisticOptions::default()).unwrap_err(), ChurnError::OneClass);
    }
}
