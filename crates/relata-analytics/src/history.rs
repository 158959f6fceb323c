//! Transactions and their per-customer aggregation into purchase days.
//!
//! Both RFM and CLV count *purchases*, not transaction rows: all transactions
//! of one customer on one day are one purchase whose value is their sum. The
//! aggregator keeps, per customer, one entry per purchase day (merged as it
//! goes), so memory grows with customers × purchase days, not with rows.

use chrono::NaiveDate;
use serde::Serialize;
use std::collections::HashMap;
use std::hash::Hash;

/// A non-negative, finite amount of money in currency units (the statistical
/// models work in floating point; forecasts, which add money up, keep integer
/// minor units instead).
#[derive(Clone, Copy, Debug, PartialEq, PartialOrd, Serialize)]
pub struct Amount(f64);

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AmountError {
    #[error("the amount is negative")]
    Negative,
    #[error("the amount is not a finite number")]
    NotFinite,
}

impl Amount {
    pub fn new(value: f64) -> Result<Self, AmountError> {
        if !value.is_finite() {
            Err(AmountError::NotFinite)
        } else if value < 0.0 {
            Err(AmountError::Negative)
        } else {
            Ok(Amount(value))
        }
    }

    pub fn get(self) -> f64 {
        self.0
    }
}

/// One transaction row.
#[derive(Clone, Debug)]
pub struct Transaction<K> {
    pub customer: K,
    pub date: NaiveDate,
    pub amount: Amount,
}

/// A purchase: the sum of one customer's transactions on one day.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Purchase {
    pub date: NaiveDate,
    pub value: f64,
}

/// Per-customer purchase days, built from a stream of transactions in any
/// order.
#[derive(Debug)]
pub struct Histories<K> {
    customers: HashMap<K, Days>,
}

/// (day number, value) pairs; merged on the fly when the same day repeats,
/// and sorted-and-merged before the vector would grow (so out-of-order input
/// costs a sort now and then, not unbounded memory).
#[derive(Debug, Default)]
struct Days(Vec<(i32, f64)>);

impl Days {
    fn add(&mut self, day: i32, value: f64) {
        if let Some(last) = self.0.last_mut()
            && last.0 == day
        {
            last.1 += value;
            return;
        }
        if self.0.len() == self.0.capacity() && self.0.len() >= 8 {
            self.compact();
        }
        self.0.push((day, value));
    }

    fn compact(&mut self) {
        self.0.sort_by_key(|d| d.0);
        let mut merged: Vec<(i32, f64)> = Vec::with_capacity(self.0.capacity());
        for &(day, value) in &self.0 {
            match merged.last_mut() {
                Some(last) if last.0 == day => last.1 += value,
                _ => merged.push((day, value)),
            }
        }
        self.0 = merged;
    }
}

impl<K: Hash + Eq> Default for Histories<K> {
    fn default() -> Self {
        Histories { customers: HashMap::new() }
    }
}

impl<K: Hash + Eq> Histories<K> {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add(&mut self, t: Transaction<K>) {
        self.customers.entry(t.customer).or_default().add(day_number(t.date), t.amount.get());
    }

    pub fn len(&self) -> usize {
        self.customers.len()
    }

    pub fn is_empty(&self) -> bool {
        self.customers.is_empty()
    }

    /// Each customer's purchases in date order (customers in no particular
    /// order).
    pub fn into_purchases(self) -> impl Iterator<Item = (K, Vec<Purchase>)> {
        self.customers.into_iter().map(|(k, mut days)| {
            days.compact();
            let purchases = days.0.into_iter().map(|(d, value)| Purchase { date: from_day_number(d), value }).collect();
            (k, purchases)
        })
    }
}

impl<K: Hash + Eq> FromIterator<Transaction<K>> for Histories<K> {
    fn from_iter<I: IntoIterator<Item = Transaction<K>>>(iter: I) -> Self {
        let mut h = Histories::new();
        for t in iter {
            h.add(t);
        }
        h
    }
}

fn day_number(date: NaiveDate) -> i32 {
    chrono::Datelike::num_days_from_ce(&date)
}

fn from_day_number(day: i32) -> NaiveDate {
    NaiveDate::from_num_days_from_ce_opt(day).expect("a day number made from a date")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn transactions_on_one_day_are_one_purchase_in_any_input_order() {
        let rows = [
            ("b", "2024-01-03", 1.0),
            ("a", "2024-01-05", 10.0),
            ("a", "2024-01-01", 5.0),
            ("a", "2024-01-05", 2.5),
            ("a", "2024-01-01", 1.0),
        ];
        // Enough out-of-order rows to trigger compaction several times.
        let many = (0..100).map(|i| ("c", if i % 2 == 0 { "2024-02-01" } else { "2024-01-15" }, 1.0));
        let h: Histories<&str> = rows
            .into_iter()
            .chain(many)
            .map(|(c, date, v)| Transaction { customer: c, date: d(date), amount: Amount::new(v).unwrap() })
            .collect();
        let mut all: Vec<_> = h.into_purchases().collect();
        all.sort_by_key(|(k, _)| *k);
        assert_eq!(
            all[0].1,
            vec![Purchase { date: d("2024-01-01"), value: 6.0 }, Purchase { date: d("2024-01-05"), value: 12.5 }]
        );
        assert_eq!(all[1].1.len(), 1);
        assert_eq!(
            all[2].1,
            vec![Purchase { date: d("2024-01-15"), value: 50.0 }, Purchase { date: d("2024-02-01"), value: 50.0 }]
        );
    }

    #[test]
    fn amounts_must_be_finite_and_non_negative() {
        assert_eq!(Amount::new(-0.01), Err(AmountError::Negative));
        assert_eq!(Amount::new(f64::NAN), Err(AmountError::NotFinite));
        assert_eq!(Amount::new(0.0).map(Amount::get), Ok(0.0));
    }
}
