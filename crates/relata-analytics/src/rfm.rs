//! RFM analysis: each customer's recency (days since the last purchase),
//! frequency (purchases, i.e. purchase days) and monetary value (total spent),
//! scored 1–5 by quintile among all customers (5 = most recent, most
//! frequent, highest spend), and a named segment.
//!
//! Segments come from the recency score R and the combined
//! frequency-monetary score FM = ⌈(F + M) / 2⌉:
//!
//! | R \ FM | 1              | 2                  | 3                  | 4         | 5           |
//! |--------|----------------|--------------------|--------------------|-----------|-------------|
//! | 5      | new            | potential_loyalist | potential_loyalist | champions | champions   |
//! | 4      | promising      | potential_loyalist | potential_loyalist | loyal     | loyal       |
//! | 3      | about_to_sleep | about_to_sleep     | need_attention     | loyal     | loyal       |
//! | 2      | hibernating    | hibernating        | at_risk            | at_risk   | cannot_lose |
//! | 1      | lost           | lost               | at_risk            | at_risk   | cannot_lose |
//!
//! Ties get the same score, that of the lowest rank in their run: customers
//! are never split across scores by input order, a high score has to be
//! earned by beating the customers below, and the many one-time buyers of a
//! typical shop all get F = 1 (so recent ones show up as `new`).

use crate::history::Histories;
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::BTreeMap;
use std::hash::Hash;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RfmError {
    #[error("no customers to score")]
    NoCustomers,
    #[error("a purchase on {date} is after the as-of date {as_of}")]
    PurchaseAfterAsOf { date: NaiveDate, as_of: NaiveDate },
}

/// The named RFM segments.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Segment {
    Champions,
    Loyal,
    PotentialLoyalist,
    Promising,
    New,
    NeedAttention,
    AboutToSleep,
    AtRisk,
    CannotLose,
    Hibernating,
    Lost,
}

impl Segment {
    pub const ALL: [Segment; 11] = [
        Segment::Champions,
        Segment::Loyal,
        Segment::PotentialLoyalist,
        Segment::Promising,
        Segment::New,
        Segment::NeedAttention,
        Segment::AboutToSleep,
        Segment::AtRisk,
        Segment::CannotLose,
        Segment::Hibernating,
        Segment::Lost,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Segment::Champions => "champions",
            Segment::Loyal => "loyal",
            Segment::PotentialLoyalist => "potential_loyalist",
            Segment::Promising => "promising",
            Segment::New => "new",
            Segment::NeedAttention => "need_attention",
            Segment::AboutToSleep => "about_to_sleep",
            Segment::AtRisk => "at_risk",
            Segment::CannotLose => "cannot_lose",
            Segment::Hibernating => "hibernating",
            Segment::Lost => "lost",
        }
    }

    /// The table in the module documentation.
    pub fn of(scores: Scores) -> Segment {
        let fm = (scores.frequency + scores.monetary).div_ceil(2);
        match (scores.recency, fm) {
            (5, 1) => Segment::New,
            (5, 4..) => Segment::Champions,
            (4, 1) => Segment::Promising,
            (4 | 5, _) => Segment::PotentialLoyalist,
            (3, 1 | 2) => Segment::AboutToSleep,
            (3, 3) => Segment::NeedAttention,
            (3..=5, _) => Segment::Loyal,
            (_, 5) => Segment::CannotLose,
            (_, 3 | 4) => Segment::AtRisk,
            (2, _) => Segment::Hibernating,
            _ => Segment::Lost,
        }
    }
}

/// Quintile scores, each 1..=5.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Scores {
    pub recency: u8,
    pub frequency: u8,
    pub monetary: u8,
}

/// One customer's RFM figures.
#[derive(Clone, Debug, PartialEq)]
pub struct CustomerRfm<K> {
    pub customer: K,
    pub last_purchase: NaiveDate,
    /// Days from the last purchase to the as-of date.
    pub recency_days: i64,
    pub frequency: u32,
    pub monetary: f64,
    pub scores: Scores,
    pub segment: Segment,
}

/// The scored customers and the as-of date used.
#[derive(Debug)]
pub struct Rfm<K> {
    pub as_of: NaiveDate,
    pub customers: Vec<CustomerRfm<K>>,
}

impl<K> Rfm<K> {
    /// Customers per segment, every segment present (possibly with 0).
    pub fn segment_counts(&self) -> BTreeMap<&'static str, usize> {
        let mut counts: BTreeMap<&'static str, usize> = Segment::ALL.iter().map(|s| (s.as_str(), 0)).collect();
        for c in &self.customers {
            *counts.entry(c.segment.as_str()).or_default() += 1;
        }
        counts
    }
}

/// Scores every customer as of `as_of` (default: the latest purchase date).
pub fn analyse<K: Hash + Eq>(histories: Histories<K>, as_of: Option<NaiveDate>) -> Result<Rfm<K>, RfmError> {
    let mut raw = Vec::with_capacity(histories.len());
    for (customer, purchases) in histories.into_purchases() {
        let (Some(last), n) = (purchases.last(), purchases.len()) else { continue };
        let monetary = purchases.iter().map(|p| p.value).sum::<f64>();
        raw.push((customer, last.date, n as u32, monetary));
    }
    let latest = raw.iter().map(|r| r.1).max().ok_or(RfmError::NoCustomers)?;
    let as_of = as_of.unwrap_or(latest);
    if latest > as_of {
        return Err(RfmError::PurchaseAfterAsOf { date: latest, as_of });
    }
    let recency: Vec<f64> = raw.iter().map(|r| -((as_of - r.1).num_days() as f64)).collect();
    let frequency: Vec<f64> = raw.iter().map(|r| r.2 as f64).collect();
    let monetary: Vec<f64> = raw.iter().map(|r| r.3).collect();
    let (rs, fs, ms) = (quintiles(&recency), quintiles(&frequency), quintiles(&monetary));
    let customers = raw
        .into_iter()
        .enumerate()
        .map(|(i, (customer, last_purchase, frequency, monetary))| {
            let scores = Scores { recency: rs[i], frequency: fs[i], monetary: ms[i] };
            CustomerRfm {
                customer,
                last_purchase,
                recency_days: (as_of - last_purchase).num_days(),
                frequency,
                monetary,
                scores,
                segment: Segment::of(scores),
            }
        })
        .collect();
    Ok(Rfm { as_of, customers })
}

/// Quintile score of each value (5 = highest): 1 + ⌊5 · rank / n⌋ with
/// 0-based ranks; equal values share the score of the lowest rank among them.
pub fn quintiles(values: &[f64]) -> Vec<u8> {
    let n = values.len();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| values[a].total_cmp(&values[b]));
    let mut scores = vec![0u8; n];
    let mut start = 0;
    while start < n {
        let mut end = start + 1;
        while end < n && values[order[end]] == values[order[start]] {
            end += 1;
        }
        let score = (1 + 5 * start / n).min(5) as u8;
        for &i in &order[start..end] {
            scores[i] = score;
        }
        start = end;
    }
    scores
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::{Amount, Transaction};

    #[test]
    fn quintiles_split_ranks_evenly_and_keep_ties_together() {
        let values: Vec<f64> = (1..=10).map(f64::from).collect();
        assert_eq!(quintiles(&values), vec![1, 1, 2, 2, 3, 3, 4, 4, 5, 5]);
        assert_eq!(quintiles(&[7.0, 7.0, 7.0, 7.0]), vec![1, 1, 1, 1]);
        // Six one-time buyers of ten share the lowest score.
        assert_eq!(quintiles(&[1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 2.0, 3.0, 3.0, 9.0]), vec![1, 1, 1, 1, 1, 1, 4, 4, 4, 5]);
        let s = quintiles(&[1.0, 9.0, 9.0, 2.0, 3.0]);
        assert_eq!(s[1], s[2]);
        assert!(s[0] < s[3] && s[3] < s[4] && s[4] < s[1]);
    }

    #[test]
    fn every_score_combination_has_the_documented_segment() {
        let seg = |r, f, m| Segment::of(Scores { recency: r, frequency: f, monetary: m }).as_str();
        assert_eq!(seg(5, 5, 5), "champions");
        assert_eq!(seg(5, 4, 3), "champions"); // FM = ⌈3.5⌉ = 4
        assert_eq!(seg(5, 1, 1), "new");
        assert_eq!(seg(4, 1, 1), "promising");
        assert_eq!(seg(4, 2, 3), "potential_loyalist");
        assert_eq!(seg(3, 5, 4), "loyal");
        assert_eq!(seg(3, 3, 3), "need_attention");
        assert_eq!(seg(3, 1, 2), "about_to_sleep");
        assert_eq!(seg(2, 4, 4), "at_risk");
        assert_eq!(seg(1, 5, 5), "cannot_lose");
        assert_eq!(seg(2, 1, 2), "hibernating");
        assert_eq!(seg(1, 2, 1), "lost");
        let mut seen = std::collections::BTreeSet::new();
        for r in 1..=5 {
            for f in 1..=5 {
                for m in 1..=5 {
                    seen.insert(seg(r, f, m));
                }
            }
        }
        assert_eq!(seen.len(), Segment::ALL.len(), "every segment is reachable");
    }

    fn tx(c: u32, date: &str, v: f64) -> Transaction<u32> {
        Transaction { customer: c, date: date.parse().unwrap(), amount: Amount::new(v).unwrap() }
    }

    #[test]
    fn analysis_computes_recency_frequency_and_monetary_per_customer() {
        let mut rows = vec![];
        // Customer c buys c times (days 1..=c of March), 10 each; the later
        // the id, the more recent, frequent and valuable.
        for c in 1..=10u32 {
            for d in 1..=c {
                rows.push(tx(c, &format!("2024-03-{d:02}"), 10.0));
            }
        }
        rows.push(tx(10, "2024-03-10", 5.0)); // same day: still one purchase
        let rfm = analyse(rows.into_iter().collect(), Some("2024-03-31".parse().unwrap())).unwrap();
        let mut by_id: Vec<_> = rfm.customers.iter().collect();
        by_id.sort_by_key(|c| c.customer);
        let top = by_id[9];
        assert_eq!((top.recency_days, top.frequency, top.monetary), (21, 10, 105.0));
        assert_eq!(top.scores, Scores { recency: 5, frequency: 5, monetary: 5 });
        assert_eq!(top.segment, Segment::Champions);
        assert_eq!(by_id[0].segment, Segment::Lost);
        let counts = rfm.segment_counts();
        assert_eq!(counts.values().sum::<usize>(), 10);
        assert_eq!(counts.len(), 11);
    }

    #[test]
    fn errors_for_no_customers_and_purchases_after_the_as_of_date() {
        let empty: Histories<u32> = Histories::new();
        assert_eq!(analyse(empty, None).unwrap_err(), RfmError::NoCustomers);
        let h: Histories<u32> = [tx(1, "2024-05-01", 1.0)].into_iter().collect();
        assert!(matches!(analyse(h, Some("2024-04-01".parse().unwrap())), Err(RfmError::PurchaseAfterAsOf { .. })));
    }
}
