//! Cross-selling: association rules mined from order lines ("orders with X
//! also contain Y": support, confidence, lift), and first-order transitions
//! between the products of consecutive purchases ("after X, customers next
//! buy Y").
//!
//! Products are interned to integers once; baskets are sorted, de-duplicated
//! id lists. Itemsets are counted level by level (Apriori): pairs only among
//! frequent products, triples only when all three of their pairs are frequent.

use chrono::NaiveDate;
use serde::Serialize;
use std::collections::HashMap;
use std::hash::Hash;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CrossSellError {
    #[error("no orders to mine")]
    NoOrders,
    #[error("the minimum support must be in (0, 1] and the minimum confidence in [0, 1]")]
    BadThreshold,
    #[error("itemsets of {0} products are not supported (2 or 3)")]
    BadItemsetSize(usize),
}

/// One line of an order.
#[derive(Clone, Debug)]
pub struct OrderLine<O> {
    pub order: O,
    pub product: String,
}

/// Product names ↔ dense ids.
#[derive(Debug, Default)]
struct Catalogue {
    names: Vec<String>,
    ids: HashMap<String, u32>,
}

impl Catalogue {
    fn id(&mut self, name: String) -> u32 {
        if let Some(id) = self.ids.get(&name) {
            return *id;
        }
        let id = self.names.len() as u32;
        self.names.push(name.clone());
        self.ids.insert(name, id);
        id
    }

    fn name(&self, id: u32) -> &str {
        &self.names[id as usize]
    }
}

/// The distinct products of every order.
#[derive(Debug)]
pub struct Baskets {
    catalogue: Catalogue,
    orders: Vec<Vec<u32>>,
}

/// Collects order lines one at a time (from a stream) into [`Baskets`].
#[derive(Debug)]
pub struct BasketBuilder<O> {
    catalogue: Catalogue,
    by_order: HashMap<O, Vec<u32>>,
}

impl<O: Hash + Eq> Default for BasketBuilder<O> {
    fn default() -> Self {
        BasketBuilder { catalogue: Catalogue::default(), by_order: HashMap::new() }
    }
}

impl<O: Hash + Eq> BasketBuilder<O> {
    pub fn add(&mut self, line: OrderLine<O>) {
        let id = self.catalogue.id(line.product);
        self.by_order.entry(line.order).or_default().push(id);
    }

    pub fn finish(self) -> Baskets {
        let orders = self
            .by_order
            .into_values()
            .map(|mut b| {
                b.sort_unstable();
                b.dedup();
                b
            })
            .collect();
        Baskets { catalogue: self.catalogue, orders }
    }
}

impl Baskets {
    pub fn from_lines<O: Hash + Eq>(lines: impl IntoIterator<Item = OrderLine<O>>) -> Self {
        let mut builder = BasketBuilder::default();
        for line in lines {
            builder.add(line);
        }
        builder.finish()
    }

    pub fn orders(&self) -> usize {
        self.orders.len()
    }

    pub fn products(&self) -> usize {
        self.catalogue.names.len()
    }
}

#[derive(Clone, Debug)]
pub struct RuleOptions {
    /// Share of orders an itemset must appear in.
    pub min_support: f64,
    /// Share of the antecedent's orders that must also hold the consequent.
    pub min_confidence: f64,
    /// Largest itemset (antecedent + consequent): 2 or 3.
    pub max_itemset: usize,
}

impl Default for RuleOptions {
    fn default() -> Self {
        RuleOptions { min_support: 0.01, min_confidence: 0.1, max_itemset: 3 }
    }
}

/// antecedent ⇒ consequent.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Rule {
    pub antecedent: Vec<String>,
    pub consequent: String,
    /// Orders with antecedent and consequent.
    pub count: u64,
    /// count / orders.
    pub support: f64,
    /// count / orders with the antecedent.
    pub confidence: f64,
    /// confidence / share of orders with the consequent: how many times more
    /// likely the consequent is given the antecedent (1 = independent).
    pub lift: f64,
}

/// Mined rules, strongest lift first.
#[derive(Debug)]
pub struct Rules {
    pub rules: Vec<Rule>,
    pub orders: usize,
    pub frequent_products: usize,
    pub frequent_pairs: usize,
    pub frequent_triples: usize,
}

impl Rules {
    /// "Customers who bought X also bought": rules X ⇒ Y, by confidence.
    pub fn also_bought(&self, product: &str) -> Vec<&Rule> {
        let mut out: Vec<&Rule> = self.rules.iter().filter(|r| r.antecedent == [product]).collect();
        out.sort_by(|a, b| b.confidence.total_cmp(&a.confidence).then_with(|| a.consequent.cmp(&b.consequent)));
        out
    }
}

/// Mines association rules with single-product consequents.
pub fn mine(baskets: &Baskets, o: &RuleOptions) -> Result<Rules, CrossSellError> {
    if o.min_support.is_nan() || o.min_support <= 0.0 || o.min_support > 1.0 || !(0.0..=1.0).contains(&o.min_confidence)
    {
        return Err(CrossSellError::BadThreshold);
    }
    if !(2..=3).contains(&o.max_itemset) {
        return Err(CrossSellError::BadItemsetSize(o.max_itemset));
    }
    let n = baskets.orders.len();
    if n == 0 {
        return Err(CrossSellError::NoOrders);
    }
    // An itemset is frequent when count / n ≥ min_support.
    let min_count = ((o.min_support * n as f64) - 1e-9).ceil().max(1.0) as u64;
    let mut singles = vec![0u64; baskets.products()];
    for b in &baskets.orders {
        for &p in b {
            singles[p as usize] += 1;
        }
    }
    let frequent = |p: u32| singles[p as usize] >= min_count;
    let mut pairs: HashMap<(u32, u32), u64> = HashMap::new();
    let mut kept: Vec<u32> = Vec::new();
    for b in &baskets.orders {
        kept.clear();
        kept.extend(b.iter().copied().filter(|&p| frequent(p)));
        for (i, &x) in kept.iter().enumerate() {
            for &y in &kept[i + 1..] {
                *pairs.entry((x, y)).or_default() += 1;
            }
        }
    }
    pairs.retain(|_, c| *c >= min_count);
    let triples =
        if o.max_itemset >= 3 { count_triples(baskets, &pairs, min_count, &frequent) } else { HashMap::new() };

    let ctx = RuleContext { names: &baskets.catalogue, singles: &singles, pairs: &pairs, n: n as f64, o };
    let mut rules = Vec::new();
    for (&(x, y), &c) in &pairs {
        ctx.push(&mut rules, &[x], y, c);
        ctx.push(&mut rules, &[y], x, c);
    }
    for (&(x, y, z), &c) in &triples {
        ctx.push(&mut rules, &[x, y], z, c);
        ctx.push(&mut rules, &[x, z], y, c);
        ctx.push(&mut rules, &[y, z], x, c);
    }
    rules.sort_by(|a, b| {
        b.lift
            .total_cmp(&a.lift)
            .then(b.confidence.total_cmp(&a.confidence))
            .then_with(|| (&a.antecedent, &a.consequent).cmp(&(&b.antecedent, &b.consequent)))
    });
    Ok(Rules {
        rules,
        orders: n,
        frequent_products: singles.iter().filter(|c| **c >= min_count).count(),
        frequent_pairs: pairs.len(),
        frequent_triples: triples.len(),
    })
}

/// Counts triples whose three pairs are all frequent (anything else cannot be
/// frequent itself).
fn count_triples(
    baskets: &Baskets,
    pairs: &HashMap<(u32, u32), u64>,
    min_count: u64,
    frequent: &dyn Fn(u32) -> bool,
) -> HashMap<(u32, u32, u32), u64> {
    let mut triples: HashMap<(u32, u32, u32), u64> = HashMap::new();
    if pairs.is_empty() {
        return triples;
    }
    let mut kept: Vec<u32> = Vec::new();
    for b in &baskets.orders {
        kept.clear();
        kept.extend(b.iter().copied().filter(|&p| frequent(p)));
        for (i, &x) in kept.iter().enumerate() {
            for (j, &y) in kept.iter().enumerate().skip(i + 1) {
                if !pairs.contains_key(&(x, y)) {
                    continue;
                }
                for &z in &kept[j + 1..] {
                    if pairs.contains_key(&(x, z)) && pairs.contains_key(&(y, z)) {
                        *triples.entry((x, y, z)).or_default() += 1;
                    }
                }
            }
        }
    }
    triples.retain(|_, c| *c >= min_count);
    triples
}

struct RuleContext<'a> {
    names: &'a Catalogue,
    singles: &'a [u64],
    pairs: &'a HashMap<(u32, u32), u64>,
    n: f64,
    o: &'a RuleOptions,
}

impl RuleContext<'_> {
    fn push(&self, rules: &mut Vec<Rule>, antecedent: &[u32], consequent: u32, count: u64) {
        let antecedent_count = match antecedent {
            [x] => self.singles[*x as usize],
            [x, y] => self.pairs[&(*x.min(y), *x.max(y))],
            _ => unreachable!("antecedents have one or two products"),
        };
        let confidence = count as f64 / antecedent_count as f64;
        if confidence < self.o.min_confidence {
            return;
        }
        let consequent_share = self.singles[consequent as usize] as f64 / self.n;
        rules.push(Rule {
            antecedent: antecedent.iter().map(|&p| self.names.name(p).to_string()).collect(),
            consequent: self.names.name(consequent).to_string(),
            count,
            support: count as f64 / self.n,
            confidence,
            lift: confidence / consequent_share,
        });
    }
}

/// A dated purchase of one product by one customer.
#[derive(Clone, Debug)]
pub struct PurchaseEvent<K> {
    pub customer: K,
    pub date: NaiveDate,
    pub product: String,
}

/// First-order transitions between consecutive purchase days: every product
/// bought on one day counts one transition to every *different* product the
/// same customer bought on their next purchase day.
#[derive(Debug)]
pub struct NextPurchase<K> {
    catalogue: Catalogue,
    counts: HashMap<u32, HashMap<u32, u64>>,
    /// Each customer's products of their latest purchase day.
    last_baskets: Vec<(K, Vec<u32>)>,
}

/// The most likely next product after a basket.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Suggestion {
    pub product: String,
    /// Share of the transitions out of the basket's products that go to this
    /// product.
    pub probability: f64,
    pub transitions: u64,
}

/// Collects dated purchases one at a time into a [`NextPurchase`] model.
#[derive(Debug)]
pub struct SequenceBuilder<K> {
    catalogue: Catalogue,
    by_customer: HashMap<K, Vec<(NaiveDate, u32)>>,
}

impl<K: Hash + Eq> Default for SequenceBuilder<K> {
    fn default() -> Self {
        SequenceBuilder { catalogue: Catalogue::default(), by_customer: HashMap::new() }
    }
}

impl<K: Hash + Eq> SequenceBuilder<K> {
    pub fn add(&mut self, e: PurchaseEvent<K>) {
        let id = self.catalogue.id(e.product);
        self.by_customer.entry(e.customer).or_default().push((e.date, id));
    }

    pub fn finish(self) -> NextPurchase<K> {
        let mut counts: HashMap<u32, HashMap<u32, u64>> = HashMap::new();
        let mut last_baskets = Vec::with_capacity(self.by_customer.len());
        for (customer, mut events) in self.by_customer {
            events.sort_unstable();
            events.dedup();
            let days: Vec<Vec<u32>> =
                events.chunk_by(|a, b| a.0 == b.0).map(|day| day.iter().map(|e| e.1).collect()).collect();
            for pair in days.windows(2) {
                for &from in &pair[0] {
                    for &to in pair[1].iter().filter(|&&to| to != from) {
                        *counts.entry(from).or_default().entry(to).or_default() += 1;
                    }
                }
            }
            if let Some(last) = days.into_iter().last() {
                last_baskets.push((customer, last));
            }
        }
        NextPurchase { catalogue: self.catalogue, counts, last_baskets }
    }
}

impl<K: Hash + Eq> NextPurchase<K> {
    pub fn learn(events: impl IntoIterator<Item = PurchaseEvent<K>>) -> Self {
        let mut builder = SequenceBuilder::default();
        for e in events {
            builder.add(e);
        }
        builder.finish()
    }
}

impl<K> NextPurchase<K> {
    /// Number of distinct (from, to) transitions seen.
    pub fn transitions(&self) -> usize {
        self.counts.values().map(HashMap::len).sum()
    }

    /// Ranked next products after a purchase of `basket` (products not in it).
    pub fn after(&self, basket: &[&str]) -> Vec<Suggestion> {
        let ids: Vec<u32> = basket.iter().filter_map(|p| self.catalogue.ids.get(*p).copied()).collect();
        self.ranked(&ids)
    }

    fn ranked(&self, basket: &[u32]) -> Vec<Suggestion> {
        let mut totals: HashMap<u32, u64> = HashMap::new();
        for from in basket {
            for (to, c) in self.counts.get(from).into_iter().flatten() {
                if !basket.contains(to) {
                    *totals.entry(*to).or_default() += c;
                }
            }
        }
        let all: u64 = totals.values().sum();
        let mut out: Vec<Suggestion> = totals
            .into_iter()
            .map(|(to, c)| Suggestion {
                product: self.catalogue.name(to).to_string(),
                probability: c as f64 / all as f64,
                transitions: c,
            })
            .collect();
        out.sort_by(|a, b| b.transitions.cmp(&a.transitions).then_with(|| a.product.cmp(&b.product)));
        out
    }

    /// For each customer: their last purchase day's products and the most
    /// likely next product (None when nothing ever followed those products).
    pub fn predictions(&self) -> impl Iterator<Item = (&K, Vec<&str>, Option<Suggestion>)> {
        self.last_baskets.iter().map(|(k, basket)| {
            let names = basket.iter().map(|&p| self.catalogue.name(p)).collect();
            (k, names, self.ranked(basket).into_iter().next())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn baskets(orders: &[&[&str]]) -> Baskets {
        Baskets::from_lines(
            orders
                .iter()
                .enumerate()
                .flat_map(|(i, products)| products.iter().map(move |p| OrderLine { order: i, product: p.to_string() })),
        )
    }

    fn find<'a>(rules: &'a Rules, antecedent: &[&str], consequent: &str) -> Option<&'a Rule> {
        rules.rules.iter().find(|r| r.antecedent == antecedent && r.consequent == consequent)
    }

    #[test]
    fn rules_on_a_hand_made_basket_set() {
        // 10 orders. bread: 6, butter: 5, bread+butter: 4, milk: 4, bread+milk: 2,
        // bread+butter+jam: 2, jam: 3.
        let b = baskets(&[
            &["bread", "butter"],
            &["bread", "butter", "jam"],
            &["bread", "butter", "jam", "bread"],
            &["bread", "butter"],
            &["bread", "milk"],
            &["bread", "milk"],
            &["butter"],
            &["milk", "jam"],
            &["milk"],
            &["eggs"],
        ]);
        assert_eq!((b.orders(), b.products()), (10, 5));
        let rules = mine(&b, &RuleOptions { min_support: 0.2, min_confidence: 0.5, max_itemset: 3 }).unwrap();
        let r = find(&rules, &["bread"], "butter").unwrap();
        assert_eq!(r.count, 4);
        assert!((r.support - 0.4).abs() < 1e-12);
        assert!((r.confidence - 4.0 / 6.0).abs() < 1e-12);
        assert!((r.lift - (4.0 / 6.0) / 0.5).abs() < 1e-12);
        let r = find(&rules, &["butter"], "bread").unwrap();
        assert!((r.confidence - 0.8).abs() < 1e-12);
        // {bread, butter} ⇒ jam: 2/4 = 0.5 ≥ 0.5, lift 0.5 / 0.3.
        let r = find(&rules, &["bread", "butter"], "jam").unwrap();
        assert!((r.confidence - 0.5).abs() < 1e-12 && (r.lift - 0.5 / 0.3).abs() < 1e-12);
        // bread ⇒ milk: confidence 2/6 < 0.5; eggs is not frequent at all.
        assert!(find(&rules, &["bread"], "milk").is_none());
        assert!(rules.rules.iter().all(|r| r.consequent != "eggs" && !r.antecedent.contains(&"eggs".to_string())));
        assert!(rules.rules.windows(2).all(|w| w[0].lift >= w[1].lift));
        let also: Vec<&str> = rules.also_bought("bread").iter().map(|r| r.consequent.as_str()).collect();
        assert_eq!(also, ["butter"]);

        let pairs_only = mine(&b, &RuleOptions { min_support: 0.2, min_confidence: 0.5, max_itemset: 2 }).unwrap();
        assert!(pairs_only.rules.iter().all(|r| r.antecedent.len() == 1));
        assert_eq!(pairs_only.frequent_triples, 0);
    }

    #[test]
    fn bad_options_and_empty_input_are_errors() {
        let b = baskets(&[&["a"]]);
        assert_eq!(
            mine(&b, &RuleOptions { min_support: 0.0, ..Default::default() }).unwrap_err(),
            CrossSellError::BadThreshold
        );
        assert_eq!(
            mine(&b, &RuleOptions { max_itemset: 4, ..Default::default() }).unwrap_err(),
            CrossSellError::BadItemsetSize(4)
        );
        assert_eq!(mine(&baskets(&[]), &RuleOptions::default()).unwrap_err(), CrossSellError::NoOrders);
    }

    #[test]
    fn next_purchase_follows_consecutive_purchase_days() {
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        let events = [
            (1, "2024-01-01", "phone"),
            (1, "2024-01-05", "case"),
            (1, "2024-01-09", "charger"),
            (2, "2024-02-01", "phone"),
            (2, "2024-02-03", "case"),
            (2, "2024-02-03", "phone"), // same day as the case: no phone→phone
            (3, "2024-03-01", "phone"),
            (3, "2024-03-04", "charger"),
            (4, "2024-03-01", "case"),
        ];
        let np = NextPurchase::learn(events.iter().map(|&(c, date, p)| PurchaseEvent {
            customer: c,
            date: d(date),
            product: p.to_string(),
        }));
        let after_phone = np.after(&["phone"]);
        assert_eq!(after_phone[0], Suggestion { product: "case".into(), probability: 2.0 / 3.0, transitions: 2 });
        assert_eq!(after_phone[1].product, "charger");
        let mut predictions: Vec<_> = np.predictions().collect();
        predictions.sort_by_key(|p| *p.0);
        // Customer 4 just bought a case; after a case comes a charger once.
        assert_eq!(predictions[3].1, ["case"]);
        assert_eq!(predictions[3].2.as_ref().unwrap().product, "charger");
        // Customer 2's last day holds case and phone; nothing followed phone
        // except case (in the basket), so charger (after case) is the suggestion.
        assert_eq!(predictions[1].2.as_ref().unwrap().product, "charger");
        assert!(predictions[0].2.is_none(), "nothing ever followed a charger");
    }
}
