//! Evaluation of churn scores: the area under the ROC curve and a
//! calibration table (do customers given 30 % churn at about that rate?).

use super::{ChurnError, Classifier, Dataset};
use serde::Serialize;

/// AUC as the Mann–Whitney statistic: the probability that a random churner
/// scores above a random non-churner, ties counting one half (so a constant
/// score gives exactly 0.5).
pub fn auc(scores: &[f64], labels: &[bool]) -> Result<f64, ChurnError> {
    let positives = labels.iter().filter(|l| **l).count();
    let negatives = labels.len() - positives;
    if labels.is_empty() {
        return Err(ChurnError::NoExamples);
    }
    if positives == 0 || negatives == 0 {
        return Err(ChurnError::OneClass);
    }
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|&a, &b| scores[a].total_cmp(&scores[b]));
    // Sum of the (1-based, tie-averaged) ranks of the positives.
    let mut rank_sum = 0.0;
    let mut start = 0;
    while start < order.len() {
        let mut end = start + 1;
        while end < order.len() && scores[order[end]] == scores[order[start]] {
            end += 1;
        }
        let average_rank = (start + end + 1) as f64 / 2.0;
        rank_sum += average_rank * order[start..end].iter().filter(|&&i| labels[i]).count() as f64;
        start = end;
    }
    let (p, n) = (positives as f64, negatives as f64);
    Ok((rank_sum - p * (p + 1.0) / 2.0) / (p * n))
}

/// One row of a calibration table.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CalibrationBin {
    /// 1 = lowest predicted probabilities.
    pub bin: usize,
    pub count: usize,
    pub mean_predicted: f64,
    pub observed_rate: f64,
}

/// Customers sorted by predicted probability and cut into `bins` groups of
/// (nearly) equal size — deciles with 10; empty bins are left out when there
/// are fewer customers than bins.
pub fn calibration(scores: &[f64], labels: &[bool], bins: usize) -> Vec<CalibrationBin> {
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|&a, &b| scores[a].total_cmp(&scores[b]));
    let n = order.len();
    (0..bins)
        .filter_map(|b| {
            let members = &order[b * n / bins..(b + 1) * n / bins];
            (!members.is_empty()).then(|| CalibrationBin {
                bin: b + 1,
                count: members.len(),
                mean_predicted: members.iter().map(|&i| scores[i]).sum::<f64>() / members.len() as f64,
                observed_rate: members.iter().filter(|&&i| labels[i]).count() as f64 / members.len() as f64,
            })
        })
        .collect()
}

/// A model's AUC and decile calibration on a dataset.
#[derive(Clone, Debug, Serialize)]
pub struct Evaluation {
    pub auc: f64,
    pub calibration: Vec<CalibrationBin>,
}

pub fn evaluate(model: &impl Classifier, data: &Dataset) -> Result<Evaluation, ChurnError> {
    let (scores, labels) = model.score(data);
    Ok(Evaluation { auc: auc(&scores, &labels)?, calibration: calibration(&scores, &labels, 10) })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;

    #[test]
    fn auc_of_perfect_reversed_constant_and_random_scores() {
        let labels = [false, false, true, false, true, true];
        assert_eq!(auc(&[0.1, 0.2, 0.7, 0.3, 0.8, 0.9], &labels).unwrap(), 1.0);
        assert_eq!(auc(&[0.9, 0.8, 0.2, 0.7, 0.1, 0.0], &labels).unwrap(), 0.0);
        assert_eq!(auc(&[0.5; 6], &labels).unwrap(), 0.5);
        // By hand: positives 0.7, 0.4; negatives 0.5, 0.4 → pairs won 1 + 0 + 1 + 0.5 = 2.5 of 4.
        assert_eq!(auc(&[0.7, 0.4, 0.5, 0.4], &[true, true, false, false]).unwrap(), 0.625);
        let mut rng = Rng::new(3);
        let labels: Vec<bool> = (0..50_000).map(|_| rng.uniform() < 0.3).collect();
        let scores: Vec<f64> = (0..50_000).map(|_| rng.uniform()).collect();
        assert!((auc(&scores, &labels).unwrap() - 0.5).abs() < 0.01);
        assert_eq!(auc(&[0.1], &[true]).unwrap_err(), ChurnError::OneClass);
    }

    #[test]
    fn calibration_of_well_calibrated_scores_matches_the_observed_rates() {
        let mut rng = Rng::new(4);
        let scores: Vec<f64> = (0..100_000).map(|_| rng.uniform()).collect();
        let labels: Vec<bool> = scores.iter().map(|&p| rng.uniform() < p).collect();
        let table = calibration(&scores, &labels, 10);
        assert_eq!(table.len(), 10);
        assert_eq!(table.iter().map(|b| b.count).sum::<usize>(), 100_000);
        for b in &table {
            assert!((b.mean_predicted - (b.bin as f64 - 0.5) / 10.0).abs() < 0.01, "{b:?}");
            assert!((b.observed_rate - b.mean_predicted).abs() < 0.02, "{b:?}");
        }
        assert_eq!(calibration(&[0.2, 0.4], &[false, true], 10).len(), 2);
    }
}
