//! Churn prediction over named customer features: a [`Dataset`] of examples
//! (feature vector + whether the customer churned), a deterministic
//! train/test split, two models ([`logistic`] regression and a CART
//! [`tree`]) and their evaluation ([`metrics`]: AUC and a calibration table).
//!
//! Features are generic names and numbers so callers can use whatever they
//! have; [`SUGGESTED_FEATURES`] lists the usual CRM ones.

pub mod logistic;
pub mod metrics;
pub mod tree;

pub use logistic::{Logistic, LogisticOptions};
pub use metrics::{CalibrationBin, Evaluation, auc, calibration};
pub use tree::{Tree, TreeOptions};

/// The customer features a CRM typically has at hand.
pub const SUGGESTED_FEATURES: [&str; 8] =
    ["recency_days", "frequency", "tenure_days", "monetary", "cases", "complaints", "payment_delays", "activities"];

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ChurnError {
    #[error("no examples to train on")]
    NoExamples,
    #[error("all examples have the same label, so there is nothing to learn or rank")]
    OneClass,
    #[error("example {id:?} has {got} feature values, expected {expected}")]
    WrongFeatureCount { id: String, expected: usize, got: usize },
    #[error("feature {feature:?} of example {id:?} is not a finite number")]
    NonFinite { id: String, feature: String },
    #[error("the test fraction must be between 0 and 1")]
    BadFraction,
    #[error("the model did not converge")]
    NotConverged,
}

/// One customer: an id, feature values in the dataset's order, the label.
#[derive(Clone, Debug, PartialEq)]
pub struct Example {
    pub id: String,
    pub values: Vec<f64>,
    pub churned: bool,
}

/// Examples with a fixed list of feature names; every example is checked
/// against it when added.
#[derive(Clone, Debug)]
pub struct Dataset {
    names: Vec<String>,
    examples: Vec<Example>,
}

impl Dataset {
    pub fn new(names: impl IntoIterator<Item = impl Into<String>>) -> Self {
        Dataset { names: names.into_iter().map(Into::into).collect(), examples: vec![] }
    }

    pub fn push(&mut self, example: Example) -> Result<(), ChurnError> {
        if example.values.len() != self.names.len() {
            return Err(ChurnError::WrongFeatureCount {
                id: example.id,
                expected: self.names.len(),
                got: example.values.len(),
            });
        }
        if let Some(i) = example.values.iter().position(|v| !v.is_finite()) {
            return Err(ChurnError::NonFinite { id: example.id, feature: self.names[i].clone() });
        }
        self.examples.push(example);
        Ok(())
    }

    pub fn names(&self) -> &[String] {
        &self.names
    }

    pub fn examples(&self) -> &[Example] {
        &self.examples
    }

    pub fn len(&self) -> usize {
        self.examples.len()
    }

    pub fn is_empty(&self) -> bool {
        self.examples.is_empty()
    }

    /// Splits into (train, test). Membership depends only on the example's id
    /// and the seed (a hash), so it is the same whatever the input order and
    /// a customer stays on the same side as data grows.
    pub fn split(&self, test_fraction: f64, seed: u64) -> Result<(Dataset, Dataset), ChurnError> {
        if !(0.0..1.0).contains(&test_fraction) {
            return Err(ChurnError::BadFraction);
        }
        let (mut train, mut test) = (Dataset::new(self.names.clone()), Dataset::new(self.names.clone()));
        for e in &self.examples {
            let u = (fnv1a(e.id.as_bytes(), seed) >> 11) as f64 / (1u64 << 53) as f64;
            if u < test_fraction { &mut test } else { &mut train }.examples.push(e.clone());
        }
        Ok((train, test))
    }

    fn check_trainable(&self) -> Result<(), ChurnError> {
        let positives = self.examples.iter().filter(|e| e.churned).count();
        match positives {
            _ if self.examples.is_empty() => Err(ChurnError::NoExamples),
            0 => Err(ChurnError::OneClass),
            p if p == self.examples.len() => Err(ChurnError::OneClass),
            _ => Ok(()),
        }
    }
}

/// FNV-1a over the seed's bytes then the id, followed by a final avalanche so
/// that similar ids spread evenly.
fn fnv1a(bytes: &[u8], seed: u64) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in seed.to_le_bytes().iter().chain(bytes) {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^ (h >> 33)
}

/// A trained model that gives a churn probability.
pub trait Classifier {
    fn predict(&self, values: &[f64]) -> f64;

    /// Probabilities for every example of a dataset, with the labels.
    fn score(&self, data: &Dataset) -> (Vec<f64>, Vec<bool>) {
        data.examples.iter().map(|e| (self.predict(&e.values), e.churned)).unzip()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data(n: usize) -> Dataset {
        let mut d = Dataset::new(["x"]);
        for i in 0..n {
            d.push(Example { id: format!("c{i}"), values: vec![i as f64], churned: i % 2 == 0 }).unwrap();
        }
        d
    }

    #[test]
    fn split_is_deterministic_order_independent_and_near_the_fraction() {
        let d = data(10_000);
        let (train, test) = d.split(0.25, 7).unwrap();
        assert_eq!(train.len() + test.len(), 10_000);
        assert!((test.len() as f64 / 10_000.0 - 0.25).abs() < 0.02, "{}", test.len());
        let mut reversed = Dataset::new(["x"]);
        for e in d.examples().iter().rev() {
            reversed.push(e.clone()).unwrap();
        }
        let (_, test2) = reversed.split(0.25, 7).unwrap();
        let ids = |d: &Dataset| {
            let mut v: Vec<String> = d.examples().iter().map(|e| e.id.clone()).collect();
            v.sort();
            v
        };
        assert_eq!(ids(&test), ids(&test2));
        let (_, other_seed) = d.split(0.25, 8).unwrap();
        assert_ne!(ids(&test), ids(&other_seed));
        assert_eq!(d.split(1.0, 1).unwrap_err(), ChurnError::BadFraction);
    }

    /// A CRM-like population: churn grows with days since the last purchase
    /// and with complaints, falls with activity; the other features are noise.
    fn crm_population(n: usize) -> Dataset {
        let mut rng = crate::rng::Rng::new(99);
        let mut d = Dataset::new(SUGGESTED_FEATURES);
        for i in 0..n {
            let recency = rng.exponential(1.0 / 60.0);
            let complaints = rng.poisson(0.5) as f64;
            let activities = rng.poisson(4.0) as f64;
            let noise: Vec<f64> = (0..5).map(|_| rng.gamma(2.0, 0.1)).collect();
            let logit = -2.0 + recency / 40.0 + 0.8 * complaints - 0.3 * activities;
            let churned = rng.uniform() < 1.0 / (1.0 + (-logit).exp());
            let values = vec![recency, noise[0], noise[1], noise[2], noise[3], complaints, noise[4], activities];
            d.push(Example { id: format!("cust-{i}"), values, churned }).unwrap();
        }
        d
    }

    #[test]
    fn both_models_rank_churners_on_held_out_customers_and_explain_why() {
        let (train, test) = crm_population(6_000).split(0.3, 1).unwrap();
        let logistic = Logistic::fit(&train, &LogisticOptions::default()).unwrap();
        let tree = Tree::fit(&train, &TreeOptions::default()).unwrap();
        let (l, t) = (metrics::evaluate(&logistic, &test).unwrap(), metrics::evaluate(&tree, &test).unwrap());
        assert!(l.auc > 0.75 && t.auc > 0.7, "logistic {} tree {}", l.auc, t.auc);
        assert_eq!(l.calibration.len(), 10);
        // A long-silent customer with complaints: those two lead the explanation.
        let risky = [400.0, 0.2, 0.2, 0.2, 0.2, 4.0, 0.2, 1.0];
        let why = logistic.explain(&risky);
        let top: Vec<&str> = why.iter().take(2).map(|c| c.feature.as_str()).collect();
        assert!(top.contains(&"recency_days") && top.contains(&"complaints"), "{why:?}");
        let (path, p) = tree.explain(&risky);
        assert!(p > 0.5 && path.iter().any(|s| s.feature == "recency_days"), "{path:?} {p}");
    }

    #[test]
    fn examples_are_checked_against_the_feature_names() {
        let mut d = Dataset::new(["a", "b"]);
        let e = Example { id: "x".into(), values: vec![1.0], churned: false };
        assert!(matches!(d.push(e), Err(ChurnError::WrongFeatureCount { expected: 2, got: 1, .. })));
        let e = Example { id: "x".into(), values: vec![1.0, f64::NAN], churned: false };
        assert_eq!(d.push(e), Err(ChurnError::NonFinite { id: "x".into(), feature: "b".into() }));
        assert_eq!(d.check_trainable(), Err(ChurnError::NoExamples));
        d.push(Example { id: "y".into(), values: vec![1.0, 2.0], churned: true }).unwrap();
        assert_eq!(d.check_trainable(), Err(ChurnError::OneClass));
    }
}
