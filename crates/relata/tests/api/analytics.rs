//! `relata analytics`, black-box: the built binary on small CSV files in a
//! temporary directory. No database is involved, so these run once rather
//! than on both backends.

use relata_analytics::clv::sim::{self, Spender};
use relata_analytics::clv::{BgNbd, GammaGamma};
use relata_analytics::rng::Rng;
use serde_json::Value as Json;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Output;

/// A temporary directory removed when the test ends.
struct Dir(PathBuf);

impl Dir {
    fn new() -> Self {
        let path = std::env::temp_dir().join(format!("relata-analytics-{}", uuid::Uuid::now_v7().simple()));
        std::fs::create_dir_all(&path).unwrap();
        Dir(path)
    }

    fn write(&self, name: &str, content: &str) -> String {
        let path = self.0.join(name);
        std::fs::write(&path, content).unwrap();
        path.display().to_string()
    }

    fn path(&self, name: &str) -> String {
        self.0.join(name).display().to_string()
    }

    fn files(&self) -> BTreeSet<String> {
        std::fs::read_dir(&self.0).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().to_string()).collect()
    }
}

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn relata(dir: &Dir, args: &[&str]) -> Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_relata"))
        .args(args)
        .current_dir(&dir.0)
        .output()
        .expect("relata runs")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).to_string()
}

fn json(o: &Output) -> Json {
    assert!(o.status.success(), "{}", stderr(o));
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&o.stdout)))
}

/// Rows of a CSV file as header → value maps, and the header.
fn csv_file(path: &Path) -> (Vec<String>, Vec<BTreeMap<String, String>>) {
    let mut reader = csv::Reader::from_path(path).unwrap();
    let header: Vec<String> = reader.headers().unwrap().iter().map(str::to_string).collect();
    let rows =
        reader.records().map(|r| header.iter().cloned().zip(r.unwrap().iter().map(str::to_string)).collect()).collect();
    (header, rows)
}

fn number(v: &str) -> f64 {
    v.parse().unwrap_or_else(|_| panic!("{v:?} is not a number"))
}

/// Transactions of `customers` customers drawn from known BG/NBD and
/// Gamma-Gamma populations: first purchases during 2023, repeat purchases
/// until mid-2024, two transactions on some purchase days. Returns the CSV and
/// each customer's purchase days after 2023-12-31.
fn simulated_transactions(customers: u32) -> (String, BTreeMap<String, usize>) {
    let bg = BgNbd::new(0.8, 6.0, 0.8, 2.5).unwrap();
    let gg = GammaGamma::new(6.0, 4.0, 15.0).unwrap();
    let start: chrono::NaiveDate = "2023-01-01".parse().unwrap();
    let end: chrono::NaiveDate = "2024-06-30".parse().unwrap();
    let calibration_end: chrono::NaiveDate = "2023-12-31".parse().unwrap();
    let mut rng = Rng::new(5);
    let mut csv = String::from("customer_id,date,amount,channel\n");
    let mut holdout = BTreeMap::new();
    for c in 0..customers {
        let id = format!("cust-{c:04}");
        let birth = start + chrono::Days::new(rng.below(300));
        let weeks = (end - birth).num_days() as f64 / 7.0;
        let spender = Spender::draw(&mut rng, &gg);
        let mut days = vec![birth];
        days.extend(
            sim::purchase_times(&mut rng, &bg, weeks).iter().map(|t| birth + chrono::Days::new((t * 7.0) as u64)),
        );
        days.dedup();
        holdout.insert(id.clone(), days.iter().filter(|d| **d > calibration_end).count());
        for day in days {
            let amount = spender.purchase(&mut rng);
            if rng.uniform() < 0.2 {
                // Two rows on one day: one purchase of the summed amount.
                csv += &format!("{id},{day},{:.2},web\n{id},{day},{:.2},shop\n", amount / 2.0, amount / 2.0);
            } else {
                csv += &format!("{id},{day},{amount:.2},web\n");
            }
        }
    }
    (csv, holdout)
}

const CLV_KEYS: [&str; 9] = ["r", "alpha", "a", "b", "p", "q", "v", "log_likelihood", "gamma_gamma_log_likelihood"];

#[test]
fn clv_fits_the_models_and_predicts_the_holdout() {
    let dir = Dir::new();
    let (csv, holdout) = simulated_transactions(600);
    let input = dir.write("tx.csv", &csv);
    let out = dir.path("pred.csv");
    let args = ["analytics", "clv", "--transactions", &input, "--calibration-end", "2023-12-31"];
    let o = relata(&dir, &[&args[..], &["--holdout-end", "2024-06-30", "--output", &out]].concat());
    let summary = json(&o);
    for key in CLV_KEYS {
        let v = summary[key].as_f64().unwrap_or_else(|| panic!("{key} missing in {summary}"));
        assert!(v.is_finite(), "{key} = {v}");
    }
    for key in ["r", "alpha", "a", "b", "p", "q", "v"] {
        assert!(summary[key].as_f64().unwrap() > 0.0, "{key}");
    }
    assert!(summary["log_likelihood"].as_f64().unwrap() < 0.0);
    assert_eq!(summary["customers"], 600);

    let (header, rows) = csv_file(Path::new(&out));
    assert_eq!(
        header,
        [
            "customer_id",
            "frequency",
            "recency",
            "T",
            "p_alive",
            "expected_purchases",
            "actual_purchases",
            "expected_average_value",
            "clv"
        ]
    );
    assert_eq!(rows.len(), 600);
    for row in &rows {
        let p_alive = number(&row["p_alive"]);
        assert!((0.0..=1.0).contains(&p_alive), "{row:?}");
        if row["frequency"] == "0" {
            assert_eq!(p_alive, 1.0, "no repeat purchase, no drop-out: {row:?}");
        }
        assert!(number(&row["recency"]) <= number(&row["T"]));
        assert!(number(&row["expected_purchases"]) >= 0.0 && number(&row["clv"]) >= 0.0);
        assert!(number(&row["expected_average_value"]) > 0.0);
        assert_eq!(row["actual_purchases"], holdout[&row["customer_id"]].to_string(), "{row:?}");
    }
    // The data come from the model, so its holdout prediction should be close in total.
    let expected: f64 = rows.iter().map(|r| number(&r["expected_purchases"])).sum();
    let actual: f64 = holdout.values().sum::<usize>() as f64;
    assert!((expected / actual - 1.0).abs() < 0.3, "expected {expected} vs actual {actual}");
    assert!(!dir.files().iter().any(|f| f.contains(".tmp")), "{:?}", dir.files());
}

#[test]
fn clv_without_a_holdout_writes_the_default_file_over_the_horizon() {
    let dir = Dir::new();
    let (csv, _) = simulated_transactions(200);
    // Keep only calibration rows (the holdout rows would be after the end).
    let csv: String = csv.lines().filter(|l| !l.contains(",2024-")).map(|l| format!("{l}\n")).collect();
    let input = dir.write("tx.csv", &csv);
    let args = ["analytics", "clv", "--transactions", &input, "--calibration-end", "2023-12-31"];
    let short = json(&relata(&dir, &[&args[..], &["--horizon", "4", "--output", "short.csv"]].concat()));
    let o = relata(&dir, &[&args[..], &["--time-unit", "week"]].concat());
    let long = json(&o);
    assert!(stderr(&o).contains("clv-predictions.csv"), "{}", stderr(&o));
    let (header, rows) = csv_file(&dir.0.join("clv-predictions.csv"));
    assert!(!header.contains(&"actual_purchases".to_string()));
    assert_eq!(rows.len(), 200);
    assert_eq!(long["horizon"], 52);
    // The same fit; a longer horizon means more purchases and more value.
    assert_eq!(short["r"], long["r"]);
    assert!(long["expected_purchases_total"].as_f64() > short["expected_purchases_total"].as_f64());
    assert!(long["clv_total"].as_f64() > short["clv_total"].as_f64());
}

/// Runs a command that must fail: non-zero exit, a message naming `needle`
/// (e.g. the line), and no output file (nor temporary file) left behind.
fn assert_fails(dir: &Dir, args: &[&str], needle: &str) {
    let before = dir.files();
    let o = relata(dir, args);
    assert!(!o.status.success(), "{args:?} should fail");
    let message = stderr(&o);
    assert!(message.contains(needle), "{needle:?} not in {message:?}");
    assert_eq!(dir.files(), before, "files left behind");
}

#[test]
fn bad_transactions_are_refused_with_the_line_and_no_output() {
    let dir = Dir::new();
    let good = "customer_id,date,amount\na,2024-01-01,10\na,2024-01-08,5\nb,2024-01-02,7\n";
    let cases = [
        (format!("{good}c,2024-13-01,4\n"), "line 5"),  // bad date
        (format!("{good}c,2024-01-03,-4\n"), "line 5"), // negative amount
        (format!("{good}c,2024-01-03,\n"), "line 5"),   // missing amount
        ("customer_id,date,amount\nc,2024-01-03,ten\n".to_string(), "line 2"), // not a number
        (format!("{good}c,2024-02-01,4\n"), "line 5"),  // after the end
        ("customer_id,date,value\na,2024-01-01,10\n".to_string(), "line 1"), // missing column
    ];
    for (content, line) in cases {
        let input = dir.write("in.csv", &content);
        let out = dir.path("out.csv");
        let clv = ["analytics", "clv", "--transactions", &input, "--calibration-end", "2024-01-31", "--output", &out];
        assert_fails(&dir, &clv, line);
        let rfm = ["analytics", "rfm", "--transactions", &input, "--as-of", "2024-01-31", "--output", &out];
        assert_fails(&dir, &rfm, line);
    }
    let input = dir.write("in.csv", "customer_id,date,amount\na,2024-01-01,1\n");
    let message =
        stderr(&relata(&dir, &["analytics", "clv", "--transactions", &input, "--calibration-end", "2024-01-31"]));
    assert!(message.contains("too few") || message.contains("repeat"), "{message}");
    assert!(!dir.files().contains("clv-predictions.csv"));
}

#[test]
fn rfm_scores_segments_and_summarises() {
    let dir = Dir::new();
    // With a byte-order mark, as spreadsheet programs write.
    let mut csv = String::from("\u{feff}customer_id,date,amount\n");
    // Customer cN buys N times (days 1..=N of March) for 10 each.
    for n in 1..=10 {
        for day in 1..=n {
            csv += &format!("c{n:02},2024-03-{day:02},10\n");
        }
    }
    csv += "c10,2024-03-10,5.5\n";
    let input = dir.write("tx.csv", &csv);
    let o = relata(&dir, &["analytics", "rfm", "--transactions", &input, "--as-of", "2024-03-31"]);
    let summary = json(&o);
    assert_eq!(summary["customers"], 10);
    assert_eq!(summary["as_of"], "2024-03-31");
    let segments = summary["segments"].as_object().unwrap();
    assert_eq!(segments.len(), 11);
    assert_eq!(segments.values().map(|v| v.as_u64().unwrap()).sum::<u64>(), 10);
    let (header, rows) = csv_file(&dir.0.join("rfm-scores.csv"));
    assert_eq!(
        header,
        [
            "customer_id",
            "last_purchase",
            "recency_days",
            "frequency",
            "monetary",
            "r_score",
            "f_score",
            "m_score",
            "rfm_score",
            "segment"
        ]
    );
    let top = rows.iter().find(|r| r["customer_id"] == "c10").unwrap();
    assert_eq!((top["recency_days"].as_str(), top["frequency"].as_str()), ("21", "10"));
    assert_eq!(number(&top["monetary"]), 105.5);
    assert_eq!((top["rfm_score"].as_str(), top["segment"].as_str()), ("555", "champions"));
    let bottom = rows.iter().find(|r| r["customer_id"] == "c01").unwrap();
    assert_eq!((bottom["rfm_score"].as_str(), bottom["segment"].as_str()), ("111", "lost"));
}

#[test]
fn rules_and_next_purchases_from_order_lines() {
    let dir = Dir::new();
    let lines = "order_id,product,customer_id,date\n\
        1,bread,ann,2024-01-01\n1,butter,ann,2024-01-01\n\
        2,bread,bob,2024-01-02\n2,butter,bob,2024-01-02\n2,jam,bob,2024-01-02\n\
        3,bread,ann,2024-01-05\n3,butter,ann,2024-01-05\n3,jam,ann,2024-01-05\n\
        4,bread,cat,2024-01-03\n4,butter,cat,2024-01-03\n\
        5,bread,dan,2024-01-04\n5,milk,dan,2024-01-04\n\
        6,milk,bob,2024-01-09\n\
        7,butter,eve,2024-01-04\n\
        8,milk,eve,2024-01-06\n";
    let input = dir.write("lines.csv", lines);
    let o = relata(
        &dir,
        &["analytics", "rules", "--order-lines", &input, "--min-support", "0.2", "--min-confidence", "0.5"],
    );
    let summary = json(&o);
    assert_eq!((summary["orders"].as_u64(), summary["order_lines"].as_u64()), (Some(8), Some(15)));
    assert!(summary["rules"].as_u64().unwrap() > 0);
    assert_eq!(summary["next_purchase"]["customers"], 5);
    let (header, rows) = csv_file(&dir.0.join("rules.csv"));
    assert_eq!(header, ["antecedent", "consequent", "support", "confidence", "lift", "orders"]);
    // bread in 5 of 8 orders, butter in 5, both in 4: bread ⇒ butter has
    // support 0.5, confidence 0.8, lift 0.8 / 0.625.
    let rule = rows.iter().find(|r| r["antecedent"] == "bread" && r["consequent"] == "butter").unwrap();
    assert_eq!(number(&rule["support"]), 0.5);
    assert_eq!(number(&rule["confidence"]), 0.8);
    assert!((number(&rule["lift"]) - 0.8 / 0.625).abs() < 1e-12);
    assert!(rows.iter().all(|r| number(&r["support"]) >= 0.2 && number(&r["confidence"]) >= 0.5));
    let (header, next) = csv_file(&dir.0.join("next-purchases.csv"));
    assert_eq!(header, ["customer_id", "last_products", "next_product", "probability", "transitions"]);
    assert_eq!(next.len(), 5);
    // Transitions: bread → butter, jam, milk (once each); butter → bread, jam
    // (once) and milk (twice, bob and eve); jam → milk. cat's last basket is
    // bread + butter, so milk (3) beats jam (2).
    let dan = next.iter().find(|r| r["customer_id"] == "dan").unwrap();
    assert_eq!(dan["last_products"], "bread;milk");
    let cat = next.iter().find(|r| r["customer_id"] == "cat").unwrap();
    assert_eq!(cat["next_product"], "milk", "{next:?}");

    let bad = dir.write("bad.csv", "order_id,product\n1,bread\n2,\n");
    let out = dir.path("bad-rules.csv");
    assert_fails(&dir, &["analytics", "rules", "--order-lines", &bad, "--output", &out], "line 3");
    let no_column = dir.write("nocol.csv", "order,product\n1,bread\n");
    assert_fails(&dir, &["analytics", "rules", "--order-lines", &no_column, "--output", &out], "order_id");
}

#[test]
fn bench_prints_one_json_line_per_figure() {
    let dir = Dir::new();
    let o = relata(&dir, &["analytics", "bench", "--customers", "3000", "--order-lines", "3000"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let figures: Vec<Json> =
        String::from_utf8_lossy(&o.stdout).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let timed = ["clv_data", "bgnbd_fit", "gamma_gamma_fit", "clv_scoring", "clv_fit_and_score", "rfm", "rules_mining"];
    for name in timed {
        let figure = figures.iter().find(|f| f["figure"] == name).unwrap_or_else(|| panic!("{name} missing"));
        assert!(figure["seconds"].as_f64().is_some_and(|s| s >= 0.0), "{figure}");
    }
    let fit = figures.iter().find(|f| f["figure"] == "bgnbd_fit").unwrap();
    assert_eq!(fit["customers"], 3000);
    assert!(["r", "alpha", "a", "b"].iter().all(|k| fit[k].as_f64().is_some_and(f64::is_finite)), "{fit}");
}
