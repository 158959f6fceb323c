//! `relata analytics`: the analytical models of `relata-analytics` over CSV
//! files — customer lifetime value (`clv`), RFM segments (`rfm`), association
//! rules and next purchases (`rules`) — and their benchmark (`bench`); and
//! the pipeline forecast over the stored opportunities (`forecast`, which
//! reads the database instead of CSV files and prints one JSON document).
//!
//! Each command prints one JSON object (the model and a summary) on standard
//! output and writes its per-row results as CSV to a file. Input is read as a
//! stream into per-customer aggregates. Any bad row stops the command with
//! its line number; results go to a temporary file that is renamed into place
//! only when everything succeeded, so a failed run leaves no output behind.

mod bench;
mod forecast;

use chrono::NaiveDate;
use clap::{Args, Subcommand, ValueEnum};
use relata_analytics::clv::{self, BgNbd, ClvOptions, GammaGamma, Period, TimeUnit};
use relata_analytics::crosssell::{self, BasketBuilder, OrderLine, PurchaseEvent, RuleOptions, SequenceBuilder};
use relata_analytics::history::{Amount, Histories, Transaction};
use relata_analytics::rfm;
use serde_json::json;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Subcommand)]
pub enum AnalyticsCommand {
    /// Customer lifetime value: fit BG/NBD and Gamma-Gamma on customer_id,date,amount transactions.
    Clv(ClvArgs),
    /// Recency/frequency/monetary scores and segments from customer_id,date,amount transactions.
    Rfm(RfmArgs),
    /// Association rules from order_id,product order lines (and next purchases with customer_id,date).
    Rules(RulesArgs),
    /// Time the models on synthetic data and print one JSON line per figure.
    Bench(bench::BenchArgs),
    /// Pipeline forecast over the stored opportunities (the database, not CSV files), as JSON.
    Forecast(forecast::ForecastArgs),
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum Unit {
    Week,
    Day,
}

impl From<Unit> for TimeUnit {
    fn from(u: Unit) -> Self {
        match u {
            Unit::Week => TimeUnit::Week,
            Unit::Day => TimeUnit::Day,
        }
    }
}

#[derive(Args)]
pub struct ClvArgs {
    /// CSV with a header row and the columns customer_id, date (YYYY-MM-DD), amount.
    #[arg(long)]
    transactions: PathBuf,
    /// Last day of the calibration period the models are fitted on.
    #[arg(long, value_name = "YYYY-MM-DD")]
    calibration_end: NaiveDate,
    /// Unit of recency, T, the horizon and the CLV periods.
    #[arg(long, value_enum, default_value = "week")]
    time_unit: Unit,
    /// End of a holdout period: predictions cover calibration end → holdout end, next to the actual purchases.
    #[arg(long, value_name = "YYYY-MM-DD")]
    holdout_end: Option<NaiveDate>,
    /// Per-customer predictions CSV (standard output carries the JSON summary).
    #[arg(long, default_value = "clv-predictions.csv")]
    output: PathBuf,
    /// CLV horizon in time units, also the prediction window without a holdout [default: one year].
    #[arg(long)]
    horizon: Option<u32>,
    /// Annual discount rate for the CLV (0.1 = 10 % a year), compounded per time unit.
    #[arg(long, default_value_t = 0.1)]
    discount_rate: f64,
}

#[derive(Args)]
pub struct RfmArgs {
    /// CSV with a header row and the columns customer_id, date (YYYY-MM-DD), amount.
    #[arg(long)]
    transactions: PathBuf,
    /// Date recency is measured from [default: the latest transaction date].
    #[arg(long, value_name = "YYYY-MM-DD")]
    as_of: Option<NaiveDate>,
    /// Per-customer scores CSV (standard output carries the JSON summary).
    #[arg(long, default_value = "rfm-scores.csv")]
    output: PathBuf,
}

#[derive(Args)]
pub struct RulesArgs {
    /// CSV with a header row and the columns order_id, product; with customer_id and date too,
    /// next-purchase predictions are written as well.
    #[arg(long)]
    order_lines: PathBuf,
    /// Minimum share of orders holding a rule's products.
    #[arg(long, default_value_t = 0.01)]
    min_support: f64,
    /// Minimum share of the antecedent's orders that also hold the consequent.
    #[arg(long, default_value_t = 0.1)]
    min_confidence: f64,
    /// Rules CSV (standard output carries the JSON summary).
    #[arg(long, default_value = "rules.csv")]
    output: PathBuf,
    /// Next-purchase CSV, written when the order lines have customer_id and date columns.
    #[arg(long, default_value = "next-purchases.csv")]
    next_output: PathBuf,
}

pub async fn run(db: &crate::DbArgs, command: AnalyticsCommand) -> Result<ExitCode, String> {
    match command {
        AnalyticsCommand::Forecast(args) => return forecast::run(db, args).await,
        AnalyticsCommand::Clv(args) => clv_command(&args),
        AnalyticsCommand::Rfm(args) => rfm_command(&args),
        AnalyticsCommand::Rules(args) => rules_command(&args),
        AnalyticsCommand::Bench(args) => bench::run(&args),
    }
    .map(|()| ExitCode::SUCCESS)
}

// ---------------------------------------------------------------- reading

/// A CSV file whose named columns are looked up once in the header.
struct Table {
    path: PathBuf,
    reader: csv::Reader<File>,
    headers: csv::StringRecord,
}

impl Table {
    fn open(path: &Path) -> Result<Self, String> {
        let file = File::open(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(file);
        let headers = reader.headers().map_err(|e| format!("{}: {e}", path.display()))?.clone();
        Ok(Table { path: path.to_path_buf(), reader, headers })
    }

    fn column(&self, name: &str) -> Option<usize> {
        // A byte-order mark (as spreadsheet programs write) is not part of the name.
        self.headers.iter().position(|h| h.trim_start_matches('\u{feff}').trim().eq_ignore_ascii_case(name))
    }

    fn require(&self, name: &str) -> Result<usize, String> {
        self.column(name).ok_or_else(|| {
            format!(
                "{}: line 1: the header has no column {name:?} (it has: {})",
                self.path.display(),
                self.header_list()
            )
        })
    }

    fn header_list(&self) -> String {
        self.headers.iter().collect::<Vec<_>>().join(", ")
    }

    /// Calls `f` with each row and its line number; the first error stops.
    fn for_each(&mut self, mut f: impl FnMut(&Row<'_>) -> Result<(), String>) -> Result<usize, String> {
        let mut record = csv::StringRecord::new();
        let mut rows = 0;
        loop {
            let more = self.reader.read_record(&mut record).map_err(|e| format!("{}: {e}", self.path.display()))?;
            if !more {
                return Ok(rows);
            }
            let line = record.position().map_or(0, |p| p.line());
            f(&Row { record: &record }).map_err(|e| format!("{}: line {line}: {e}", self.path.display()))?;
            rows += 1;
        }
    }
}

struct Row<'a> {
    record: &'a csv::StringRecord,
}

impl Row<'_> {
    fn text(&self, column: usize, name: &str) -> Result<&str, String> {
        match self.record.get(column).map(str::trim) {
            Some(v) if !v.is_empty() => Ok(v),
            _ => Err(format!("{name} is missing")),
        }
    }

    fn date(&self, column: usize, name: &str) -> Result<NaiveDate, String> {
        let text = self.text(column, name)?;
        // A time after the date (2024-01-31T10:00:00Z, 2024-01-31 10:00) is ignored.
        let day = text.split(['T', ' ']).next().unwrap_or(text);
        NaiveDate::parse_from_str(day, "%Y-%m-%d").map_err(|_| format!("{name} {text:?} is not a date (YYYY-MM-DD)"))
    }

    fn amount(&self, column: usize, name: &str) -> Result<Amount, String> {
        let text = self.text(column, name)?;
        let value: f64 = text.parse().map_err(|_| format!("{name} {text:?} is not a number"))?;
        Amount::new(value).map_err(|e| format!("{name} {text:?}: {e}"))
    }
}

/// Reads customer_id,date,amount rows into per-customer purchase histories,
/// refusing dates after `last` (named `last_name` in the message).
fn read_transactions(path: &Path, last: Option<(NaiveDate, &str)>) -> Result<(Histories<String>, usize), String> {
    let mut table = Table::open(path)?;
    let (customer, date, amount) = (table.require("customer_id")?, table.require("date")?, table.require("amount")?);
    let mut histories = Histories::new();
    let rows = table.for_each(|row| {
        let t = Transaction {
            customer: row.text(customer, "customer_id")?.to_string(),
            date: row.date(date, "date")?,
            amount: row.amount(amount, "amount")?,
        };
        if let Some((end, what)) = last
            && t.date > end
        {
            return Err(format!("date {} is after the {what} {end}", t.date));
        }
        histories.add(t);
        Ok(())
    })?;
    if rows == 0 {
        return Err(format!("{}: no transactions", path.display()));
    }
    Ok((histories, rows))
}

// ---------------------------------------------------------------- writing

/// A CSV written to a temporary file beside its destination and renamed into
/// place by [`Output::finish`]; dropped unfinished, it removes itself.
struct Output {
    temp: PathBuf,
    path: PathBuf,
    writer: Option<csv::Writer<BufWriter<File>>>,
}

impl Output {
    fn create(path: &Path) -> Result<Self, String> {
        let name = path.file_name().ok_or_else(|| format!("{}: not a file name", path.display()))?;
        let temp = path.with_file_name(format!(".{}.{}.tmp", name.to_string_lossy(), std::process::id()));
        let file = File::create(&temp).map_err(|e| format!("cannot write {}: {e}", temp.display()))?;
        Ok(Output { temp, path: path.to_path_buf(), writer: Some(csv::Writer::from_writer(BufWriter::new(file))) })
    }

    fn row<I: IntoIterator<Item = T>, T: AsRef<[u8]>>(&mut self, fields: I) -> Result<(), String> {
        let writer = self.writer.as_mut().expect("open until finished");
        writer.write_record(fields).map_err(|e| format!("cannot write {}: {e}", self.temp.display()))
    }

    fn finish(mut self) -> Result<(), String> {
        let writer = self.writer.take().expect("finished once");
        let mut inner = writer.into_inner().map_err(|e| format!("cannot write {}: {e}", self.temp.display()))?;
        inner.flush().map_err(|e| format!("cannot write {}: {e}", self.temp.display()))?;
        drop(inner);
        std::fs::rename(&self.temp, &self.path).map_err(|e| format!("cannot write {}: {e}", self.path.display()))
    }
}

impl Drop for Output {
    fn drop(&mut self) {
        if self.writer.is_some() {
            self.writer = None;
            let _ = std::fs::remove_file(&self.temp);
        }
    }
}

/// Numbers in CSV: shortest round-tripping form.
fn num(v: f64) -> String {
    format!("{v}")
}

fn print_json(value: &serde_json::Value) {
    println!("{value}");
}

// ---------------------------------------------------------------- clv

fn clv_command(args: &ClvArgs) -> Result<(), String> {
    let unit = TimeUnit::from(args.time_unit);
    let period = Period::new(args.calibration_end, args.holdout_end, unit).map_err(|e| e.to_string())?;
    let last = match args.holdout_end {
        Some(h) => (h, "holdout end"),
        None => (args.calibration_end, "calibration end"),
    };
    let (histories, rows) = read_transactions(&args.transactions, Some(last))?;
    let summaries = clv::summarise(histories, &period).map_err(|e| e.to_string())?;
    let mut customers = summaries.customers;
    customers.sort_by(|a, b| a.0.cmp(&b.0));

    let bg = BgNbd::fit(customers.iter().map(|c| &c.1)).map_err(|e| format!("BG/NBD: {e}"))?;
    let spend = GammaGamma::fit(customers.iter().map(|c| &c.1)).map_err(|e| format!("Gamma-Gamma: {e}"))?;
    let horizon = args.horizon.unwrap_or(unit.per_year().round() as u32);
    let options = ClvOptions::with_annual_rate(horizon, args.discount_rate, unit).map_err(|e| e.to_string())?;
    let window = if args.holdout_end.is_some() { period.holdout_length() } else { f64::from(horizon) };
    let predictions = clv::predict_all(&bg.model, &spend, &customers, window, &options).map_err(|e| e.to_string())?;

    let mut out = Output::create(&args.output)?;
    let mut header = vec!["customer_id", "frequency", "recency", "T", "p_alive", "expected_purchases"];
    if args.holdout_end.is_some() {
        header.push("actual_purchases");
    }
    header.extend(["expected_average_value", "clv"]);
    out.row(&header)?;
    for ((id, s), p) in customers.iter().zip(&predictions) {
        let mut fields = vec![
            id.clone(),
            s.frequency.to_string(),
            num(s.recency),
            num(s.age),
            num(p.p_alive),
            num(p.expected_purchases),
        ];
        if args.holdout_end.is_some() {
            fields.push(s.holdout_purchases.to_string());
        }
        fields.extend([num(p.expected_average_value), num(p.clv)]);
        out.row(&fields)?;
    }
    out.finish()?;

    let m = bg.model;
    let g = spend.model;
    let mut summary = json!({
        "r": m.r(), "alpha": m.alpha(), "a": m.a(), "b": m.b(),
        "p": g.p(), "q": g.q(), "v": g.v(),
        "log_likelihood": bg.log_likelihood,
        "gamma_gamma_log_likelihood": spend.log_likelihood,
        "transactions": rows,
        "customers": customers.len(),
        "repeat_customers": customers.iter().filter(|c| c.1.frequency > 0).count(),
        "gamma_gamma_customers": spend.customers,
        "customers_first_seen_in_holdout": summaries.first_seen_in_holdout,
        "time_unit": format!("{:?}", args.time_unit).to_lowercase(),
        "calibration_end": args.calibration_end,
        "prediction_window": window,
        "horizon": horizon,
        "discount_rate_per_period": options.discount_per_period,
        "expected_purchases_total": predictions.iter().map(|p| p.expected_purchases).sum::<f64>(),
        "clv_total": predictions.iter().map(|p| p.clv).sum::<f64>(),
        "output": args.output,
    });
    if let Some(h) = args.holdout_end {
        summary["holdout_end"] = json!(h);
        summary["actual_purchases_total"] =
            json!(customers.iter().map(|c| u64::from(c.1.holdout_purchases)).sum::<u64>());
    }
    print_json(&summary);
    eprintln!("wrote predictions for {} customers to {}", customers.len(), args.output.display());
    Ok(())
}

// ---------------------------------------------------------------- rfm

fn rfm_command(args: &RfmArgs) -> Result<(), String> {
    let (histories, rows) = read_transactions(&args.transactions, args.as_of.map(|d| (d, "as-of date")))?;
    let mut result = rfm::analyse(histories, args.as_of).map_err(|e| e.to_string())?;
    result.customers.sort_by(|a, b| a.customer.cmp(&b.customer));
    let mut out = Output::create(&args.output)?;
    out.row([
        "customer_id",
        "last_purchase",
        "recency_days",
        "frequency",
        "monetary",
        "r_score",
        "f_score",
        "m_score",
        "rfm_score",
        "segment",
    ])?;
    for c in &result.customers {
        let s = c.scores;
        out.row([
            c.customer.clone(),
            c.last_purchase.to_string(),
            c.recency_days.to_string(),
            c.frequency.to_string(),
            num(c.monetary),
            s.recency.to_string(),
            s.frequency.to_string(),
            s.monetary.to_string(),
            format!("{}{}{}", s.recency, s.frequency, s.monetary),
            c.segment.as_str().to_string(),
        ])?;
    }
    out.finish()?;
    print_json(&json!({
        "as_of": result.as_of,
        "transactions": rows,
        "customers": result.customers.len(),
        "segments": result.segment_counts(),
        "output": args.output,
    }));
    eprintln!("wrote RFM scores for {} customers to {}", result.customers.len(), args.output.display());
    Ok(())
}

// ---------------------------------------------------------------- rules

fn rules_command(args: &RulesArgs) -> Result<(), String> {
    let mut table = Table::open(&args.order_lines)?;
    let (order, product) = (table.require("order_id")?, table.require("product")?);
    let sequence = table.column("customer_id").zip(table.column("date"));
    let mut baskets = BasketBuilder::default();
    let mut sequences = sequence.map(|_| SequenceBuilder::default());
    let rows = table.for_each(|row| {
        let product = row.text(product, "product")?.to_string();
        if let (Some((customer, date)), Some(sequences)) = (sequence, sequences.as_mut()) {
            sequences.add(PurchaseEvent {
                customer: row.text(customer, "customer_id")?.to_string(),
                date: row.date(date, "date")?,
                product: product.clone(),
            });
        }
        baskets.add(OrderLine { order: row.text(order, "order_id")?.to_string(), product });
        Ok(())
    })?;
    let baskets = baskets.finish();
    let options = RuleOptions { min_support: args.min_support, min_confidence: args.min_confidence, max_itemset: 3 };
    let rules = crosssell::mine(&baskets, &options).map_err(|e| e.to_string())?;

    let next = sequences.map(SequenceBuilder::finish);
    let mut next_out = None;
    if let Some(next) = &next {
        let mut out = Output::create(&args.next_output)?;
        out.row(["customer_id", "last_products", "next_product", "probability", "transitions"])?;
        let mut predictions: Vec<_> = next.predictions().collect();
        predictions.sort_by(|a, b| a.0.cmp(b.0));
        for (customer, basket, suggestion) in predictions {
            let (product, probability, transitions) = match suggestion {
                Some(s) => (s.product, num(s.probability), s.transitions.to_string()),
                None => (String::new(), String::new(), "0".to_string()),
            };
            out.row([customer.clone(), basket.join(";"), product, probability, transitions])?;
        }
        next_out = Some(out);
    }
    let mut out = Output::create(&args.output)?;
    out.row(["antecedent", "consequent", "support", "confidence", "lift", "orders"])?;
    for r in &rules.rules {
        out.row([
            r.antecedent.join(";"),
            r.consequent.clone(),
            num(r.support),
            num(r.confidence),
            num(r.lift),
            r.count.to_string(),
        ])?;
    }
    out.finish()?;
    if let Some(o) = next_out {
        o.finish()?;
    }
    let mut summary = json!({
        "order_lines": rows,
        "orders": rules.orders,
        "products": baskets.products(),
        "frequent_products": rules.frequent_products,
        "frequent_pairs": rules.frequent_pairs,
        "frequent_triples": rules.frequent_triples,
        "rules": rules.rules.len(),
        "top_rules": rules.rules.iter().take(10).collect::<Vec<_>>(),
        "output": args.output,
    });
    if let Some(next) = &next {
        summary["next_purchase"] = json!({
            "customers": next.predictions().count(),
            "transitions": next.transitions(),
            "output": args.next_output,
        });
    }
    print_json(&summary);
    eprintln!("wrote {} rules to {}", rules.rules.len(), args.output.display());
    Ok(())
}
