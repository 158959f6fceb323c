//! `relata analytics bench`: times the analytical models on synthetic data
//! generated in memory from a fixed seed, and prints one JSON line per
//! figure.
//!
//! Transactions are drawn from the BG/NBD and Gamma-Gamma models themselves
//! (known parameters, printed next to the fitted ones as a sanity check) and
//! streamed into the per-customer aggregation, so the raw transactions are
//! never held in memory. Order lines come from a skewed product popularity
//! with planted pairs of products that sell together. The last figure is the
//! process's peak memory.

use chrono::{Days, NaiveDate};
use clap::Args;
use relata_analytics::clv::sim::{self, Spender};
use relata_analytics::clv::{self, BgNbd, ClvOptions, GammaGamma, Period, TimeUnit};
use relata_analytics::crosssell::{self, BasketBuilder, OrderLine, RuleOptions};
use relata_analytics::history::{Amount, Histories, Transaction};
use relata_analytics::rfm;
use relata_analytics::rng::Rng;
use serde_json::{Value as Json, json};
use std::time::Instant;

#[derive(Args, Debug)]
pub struct BenchArgs {
    /// Customers in the synthetic transaction history.
    #[arg(long, default_value_t = 1_000_000)]
    customers: u64,
    /// Order lines for the association rules.
    #[arg(long, default_value_t = 1_000_000)]
    order_lines: u64,
    /// The same seed generates the same data.
    #[arg(long, default_value_t = 42)]
    seed: u64,
}

fn figure(name: &str, mut fields: Json) {
    fields["figure"] = json!(name);
    println!("{fields}");
}

fn seconds(since: Instant) -> f64 {
    (since.elapsed().as_secs_f64() * 1000.0).round() / 1000.0
}

/// The population the transactions are drawn from (weekly time unit).
fn truth() -> (BgNbd, GammaGamma) {
    (BgNbd::new(0.25, 4.0, 0.8, 2.5).expect("valid"), GammaGamma::new(6.0, 4.0, 15.0).expect("valid"))
}

const FIRST_DAY: NaiveDate = NaiveDate::from_ymd_opt(2023, 1, 1).expect("a date");
const CALIBRATION_END: NaiveDate = NaiveDate::from_ymd_opt(2024, 12, 31).expect("a date");

/// Customers' transactions, one customer at a time: a first purchase on a
/// day of the first year, then the model's repeat purchases until the
/// calibration end.
fn transactions(customers: u64, seed: u64) -> impl Iterator<Item = Transaction<u64>> {
    let (bg, gg) = truth();
    let mut rng = Rng::new(seed);
    let span = (CALIBRATION_END - FIRST_DAY).num_days();
    (0..customers).flat_map(move |customer| {
        let birth = rng.below(365);
        let observe_weeks = (span - birth as i64) as f64 / 7.0;
        let spender = Spender::draw(&mut rng, &gg);
        let mut days = vec![birth];
        days.extend(sim::purchase_times(&mut rng, &bg, observe_weeks).iter().map(|t| birth + (t * 7.0) as u64));
        days.into_iter()
            .map(|d| Transaction {
                customer,
                date: FIRST_DAY + Days::new(d),
                amount: Amount::new(spender.purchase(&mut rng)).expect("gamma draws are positive"),
            })
            .collect::<Vec<_>>()
    })
}

pub fn run(args: &BenchArgs) -> Result<(), String> {
    clv_figures(args)?;
    rfm_figure(args)?;
    rules_figures(args)?;
    if let Some(mb) = peak_memory_mb() {
        figure("memory", json!({"peak_rss_mb": mb}));
    }
    Ok(())
}

/// The process's peak resident memory (Linux: VmHWM), in MB.
fn peak_memory_mb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024)
}

fn clv_figures(args: &BenchArgs) -> Result<(), String> {
    let start = Instant::now();
    let mut rows = 0u64;
    let histories: Histories<u64> = transactions(args.customers, args.seed).inspect(|_| rows += 1).collect();
    let period = Period::new(CALIBRATION_END, None, TimeUnit::Week).map_err(|e| e.to_string())?;
    let customers = clv::summarise(histories, &period).map_err(|e| e.to_string())?.customers;
    figure(
        "clv_data",
        json!({"customers": customers.len(), "transactions": rows, "seconds": seconds(start),
               "note": "generate transactions and aggregate them into per-customer summaries (streamed)"}),
    );

    let (truth_bg, truth_gg) = truth();
    let fit_start = Instant::now();
    let bg = BgNbd::fit(customers.iter().map(|c| &c.1)).map_err(|e| e.to_string())?;
    let bg_seconds = seconds(fit_start);
    let m = bg.model;
    figure(
        "bgnbd_fit",
        json!({"seconds": bg_seconds, "evaluations": bg.evaluations, "customers": bg.customers,
               "r": m.r(), "alpha": m.alpha(), "a": m.a(), "b": m.b(),
               "simulated_with": {"r": truth_bg.r(), "alpha": truth_bg.alpha(), "a": truth_bg.a(), "b": truth_bg.b()}}),
    );
    let gg_start = Instant::now();
    let spend = GammaGamma::fit(customers.iter().map(|c| &c.1)).map_err(|e| e.to_string())?;
    let gg_seconds = seconds(gg_start);
    let g = spend.model;
    figure(
        "gamma_gamma_fit",
        json!({"seconds": gg_seconds, "evaluations": spend.evaluations, "customers": spend.customers,
               "p": g.p(), "q": g.q(), "v": g.v(),
               "simulated_with": {"p": truth_gg.p(), "q": truth_gg.q(), "v": truth_gg.v()}}),
    );
    let score_start = Instant::now();
    let options = ClvOptions::with_annual_rate(52, 0.1, TimeUnit::Week).map_err(|e| e.to_string())?;
    let predictions = clv::predict_all(&m, &spend, &customers, 52.0, &options).map_err(|e| e.to_string())?;
    let score_seconds = seconds(score_start);
    figure(
        "clv_scoring",
        json!({"seconds": score_seconds, "customers": predictions.len(), "horizon_weeks": 52,
               "clv_total": predictions.iter().map(|p| p.clv).sum::<f64>(),
               "note": "P(alive), expected purchases over 52 weeks, expected value, 52-week discounted CLV"}),
    );
    figure(
        "clv_fit_and_score",
        json!({"seconds": ((bg_seconds + gg_seconds + score_seconds) * 1000.0).round() / 1000.0,
               "customers": predictions.len(), "target_seconds": 10,
               "threads": std::thread::available_parallelism().map_or(1, |n| n.get())}),
    );
    Ok(())
}

fn rfm_figure(args: &BenchArgs) -> Result<(), String> {
    let start = Instant::now();
    let histories: Histories<u64> = transactions(args.customers, args.seed).collect();
    let result = rfm::analyse(histories, Some(CALIBRATION_END)).map_err(|e| e.to_string())?;
    figure(
        "rfm",
        json!({"seconds": seconds(start), "customers": result.customers.len(),
               "segments": result.segment_counts(), "note": "includes generating the transactions again"}),
    );
    Ok(())
}

/// Order lines: 1–6 products per order, popularity skewed towards low
/// product numbers, and product 2k+1 joining product 2k in 30 % of orders.
fn order_lines(lines: u64, seed: u64) -> impl Iterator<Item = OrderLine<u64>> {
    const PRODUCTS: f64 = 2_000.0;
    let mut rng = Rng::new(seed ^ 0x5eed);
    let mut order = 0u64;
    std::iter::from_fn(move || {
        order += 1;
        let size = 1 + rng.poisson(1.5).min(5);
        let mut products = Vec::with_capacity(size as usize * 2);
        for _ in 0..size {
            let p = (PRODUCTS * rng.uniform().powi(3)) as u64;
            products.push(p);
            if p.is_multiple_of(2) && rng.uniform() < 0.3 {
                products.push(p + 1);
            }
        }
        Some(products.into_iter().map(move |p| OrderLine { order, product: format!("P{p:04}") }).collect::<Vec<_>>())
    })
    .flatten()
    .take(lines as usize)
}

fn rules_figures(args: &BenchArgs) -> Result<(), String> {
    let start = Instant::now();
    let mut builder = BasketBuilder::default();
    order_lines(args.order_lines, args.seed).for_each(|l| builder.add(l));
    let baskets = builder.finish();
    figure(
        "rules_baskets",
        json!({"seconds": seconds(start), "order_lines": args.order_lines, "orders": baskets.orders(),
               "products": baskets.products()}),
    );
    let start = Instant::now();
    let options = RuleOptions { min_support: 0.001, min_confidence: 0.1, max_itemset: 3 };
    let rules = crosssell::mine(&baskets, &options).map_err(|e| e.to_string())?;
    figure(
        "rules_mining",
        json!({"seconds": seconds(start), "rules": rules.rules.len(), "frequent_products": rules.frequent_products,
               "frequent_pairs": rules.frequent_pairs, "frequent_triples": rules.frequent_triples,
               "min_support": options.min_support, "min_confidence": options.min_confidence}),
    );
    Ok(())
}
