//! Sales forecasting from opportunity snapshots and their stage changes:
//!
//! - the weighted pipeline (amount × stage probability of open
//!   opportunities) by expected-close period and owner, team or territory;
//! - historical win rates per stage: among closed opportunities that reached
//!   a stage, the share that was won — and a forecast that weights open
//!   opportunities by the win rate of their current stage;
//! - how long opportunities stay in each stage (mean and median days);
//! - forecast versus actual for periods that have ended.
//!
//! Money stays in integer minor units of one currency; every total is kept
//! per currency and never converted or mixed. Weighted amounts are rounded
//! per opportunity (half away from zero) and summed in 128 bits.
//!
//! Two ways in: [`Pipeline`] takes every snapshot and change at once (in any
//! order) and answers any period kind or grouping; [`Forecaster`] is told the
//! period kind, grouping and as-of day first and then takes a stream of
//! opportunities, each with its own changes, folding each into aggregates so
//! that callers reading stored records page by page keep memory bounded.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ForecastError {
    #[error("{0:?} is not a currency code (three capital letters)")]
    BadCurrency(String),
    #[error("{0} is not a probability between 0 and 1")]
    BadProbability(f64),
    #[error("opportunity {0:?} appears twice")]
    DuplicateOpportunity(String),
    #[error("opportunity {0:?} is closed but has no closing time")]
    ClosedWithoutDate(String),
    #[error("a total in {0} does not fit in 64 bits")]
    Overflow(Currency),
}

/// An ISO 4217-style currency code: three ASCII capital letters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Currency([u8; 3]);

impl Currency {
    pub fn parse(code: &str) -> Result<Self, ForecastError> {
        match code.as_bytes() {
            &[a, b, c] if [a, b, c].iter().all(u8::is_ascii_uppercase) => Ok(Currency([a, b, c])),
            _ => Err(ForecastError::BadCurrency(code.to_string())),
        }
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(std::str::from_utf8(&self.0).expect("ASCII by construction"))
    }
}

impl Serialize for Currency {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// An amount in minor units (cents) of a currency.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Money {
    pub minor: i64,
    pub currency: Currency,
}

/// A probability in basis points (0..=10 000), so weighting stays integer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Probability(u16);

impl Probability {
    pub fn from_fraction(p: f64) -> Result<Self, ForecastError> {
        if (0.0..=1.0).contains(&p) {
            Ok(Probability((p * 10_000.0).round() as u16))
        } else {
            Err(ForecastError::BadProbability(p))
        }
    }

    pub fn basis_points(self) -> u16 {
        self.0
    }

    pub fn fraction(self) -> f64 {
        f64::from(self.0) / 10_000.0
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    Open,
    Won,
    Lost,
}

/// An opportunity as it is now.
#[derive(Clone, Debug)]
pub struct Opportunity {
    pub id: String,
    /// None for an opportunity nobody owns.
    pub owner: Option<String>,
    pub team: Option<String>,
    pub territory: Option<String>,
    pub stage: String,
    pub stage_probability: Probability,
    pub status: Status,
    pub amount: Money,
    pub expected_close: NaiveDate,
    pub created_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
}

/// One move of an opportunity between stages.
#[derive(Clone, Debug)]
pub struct StageChange {
    pub opportunity: String,
    /// None for the stage an opportunity was created in.
    pub from_stage: Option<String>,
    pub to_stage: String,
    pub changed_at: DateTime<Utc>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PeriodKind {
    Month,
    Quarter,
}

/// A calendar month or quarter.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Period {
    pub year: i32,
    /// Month 1–12 or quarter 1–4.
    pub index: u32,
    pub quarter: bool,
}

impl Period {
    pub fn of(date: NaiveDate, kind: PeriodKind) -> Self {
        match kind {
            PeriodKind::Month => Period { year: date.year(), index: date.month(), quarter: false },
            PeriodKind::Quarter => Period { year: date.year(), index: date.month0() / 3 + 1, quarter: true },
        }
    }

    pub fn start(self) -> NaiveDate {
        let month = if self.quarter { (self.index - 1) * 3 + 1 } else { self.index };
        NaiveDate::from_ymd_opt(self.year, month, 1).expect("a valid period")
    }

    /// The first day after the period.
    pub fn end(self) -> NaiveDate {
        let months = if self.quarter { 3 } else { 1 };
        self.start() + chrono::Months::new(months)
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.quarter {
            write!(f, "{}-Q{}", self.year, self.index)
        } else {
            write!(f, "{}-{:02}", self.year, self.index)
        }
    }
}

impl Serialize for Period {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GroupBy {
    Owner,
    Team,
    Territory,
    Nothing,
}

/// Pipeline totals for one period × group × currency.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PipelineRow {
    pub period: Period,
    pub group: Option<String>,
    pub currency: Currency,
    pub opportunities: u64,
    pub amount_minor: i64,
    /// Σ amount × probability; the probability is the stage's own for the
    /// weighted pipeline, the historical win rate for the forecast.
    pub weighted_minor: i64,
    /// Opportunities weighted by their stage's probability because their
    /// stage has no closed history (forecast only; 0 in the weighted pipeline).
    pub fallback_opportunities: u64,
}

/// Historical outcome of the opportunities that reached a stage.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct WinRate {
    pub won: u64,
    pub lost: u64,
    /// won / (won + lost); None when no closed opportunity reached the stage.
    pub rate: Option<f64>,
}

/// Completed stays in a stage.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StageDuration {
    pub count: usize,
    pub mean_days: f64,
    pub median_days: f64,
}

/// Forecast and outcome of one ended period in one currency.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ForecastActual {
    pub period: Period,
    pub currency: Currency,
    pub forecast_minor: i64,
    pub actual_minor: i64,
    pub won: u64,
}

/// Opportunities and their stage histories, all in memory: the plain batch
/// computation that the streaming [`Forecaster`] (what Relata uses) is
/// tested against.
#[cfg(test)]
#[derive(Debug)]
pub struct Pipeline {
    opportunities: Vec<Opportunity>,
    /// Per opportunity (same index), its stage changes in time order.
    changes: Vec<Vec<StageChange>>,
    /// Stage changes naming an opportunity that is not in the snapshots.
    pub ignored_changes: usize,
}

#[cfg(test)]
impl Pipeline {
    pub fn new(
        opportunities: impl IntoIterator<Item = Opportunity>,
        changes: impl IntoIterator<Item = StageChange>,
    ) -> Result<Self, ForecastError> {
        let mut index = HashMap::new();
        let mut opps = Vec::new();
        for o in opportunities {
            if o.status != Status::Open && o.closed_at.is_none() {
                return Err(ForecastError::ClosedWithoutDate(o.id));
            }
            if index.insert(o.id.clone(), opps.len()).is_some() {
                return Err(ForecastError::DuplicateOpportunity(o.id));
            }
            opps.push(o);
        }
        let mut by_opp: Vec<Vec<StageChange>> = vec![Vec::new(); opps.len()];
        let mut ignored_changes = 0;
        for c in changes {
            match index.get(&c.opportunity) {
                Some(&i) => by_opp[i].push(c),
                None => ignored_changes += 1,
            }
        }
        for list in &mut by_opp {
            list.sort_by_key(|c| c.changed_at);
        }
        Ok(Pipeline { opportunities: opps, changes: by_opp, ignored_changes })
    }

    /// Open opportunities weighted by their stage probability.
    pub fn weighted_pipeline(&self, kind: PeriodKind, group: GroupBy) -> Result<Vec<PipelineRow>, ForecastError> {
        self.open_totals(kind, group, |o| (o.stage_probability, false))
    }

    /// Open opportunities weighted by the historical win rate of their stage
    /// (the stage probability when the stage has no closed history).
    pub fn forecast(&self, kind: PeriodKind, group: GroupBy) -> Result<Vec<PipelineRow>, ForecastError> {
        let rates = self.win_rates();
        self.open_totals(kind, group, |o| match rates.get(&o.stage).and_then(|r| r.rate) {
            Some(rate) => (Probability::from_fraction(rate).expect("a rate is a probability"), false),
            None => (o.stage_probability, true),
        })
    }

    fn open_totals(
        &self,
        kind: PeriodKind,
        group: GroupBy,
        weight: impl Fn(&Opportunity) -> (Probability, bool),
    ) -> Result<Vec<PipelineRow>, ForecastError> {
        type Key = (Period, Option<String>, Currency);
        let mut totals: BTreeMap<Key, (u64, i128, i128, u64)> = BTreeMap::new();
        for o in self.opportunities.iter().filter(|o| o.status == Status::Open) {
            let key = (Period::of(o.expected_close, kind), group_of(o, group), o.amount.currency);
            let (p, fallback) = weight(o);
            let t = totals.entry(key).or_default();
            t.0 += 1;
            t.1 += i128::from(o.amount.minor);
            t.2 += weighted(o.amount.minor, p);
            t.3 += u64::from(fallback);
        }
        totals
            .into_iter()
            .map(|((period, group, currency), totals)| PipelineRow::from_totals(period, group, currency, totals))
            .collect()
    }

    /// Per stage: won and lost among the closed opportunities that reached it.
    pub fn win_rates(&self) -> BTreeMap<String, WinRate> {
        let mut rates: BTreeMap<String, WinRate> = BTreeMap::new();
        for (i, o) in self.opportunities.iter().enumerate() {
            if o.status == Status::Open {
                continue;
            }
            for stage in stages_reached(o, &self.changes[i]) {
                let r = rates.entry(stage.to_string()).or_insert(WinRate { won: 0, lost: 0, rate: None });
                if o.status == Status::Won { r.won += 1 } else { r.lost += 1 }
            }
        }
        for r in rates.values_mut() {
            r.rate = Some(r.won as f64 / (r.won + r.lost) as f64);
        }
        rates
    }

    /// Days spent in each stage, over completed stays (left by a later
    /// change). The first stay starts at the opportunity's creation.
    pub fn stage_durations(&self) -> BTreeMap<String, StageDuration> {
        let mut stays: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
        for (o, changes) in self.opportunities.iter().zip(&self.changes) {
            for_each_stay(o, changes, |stage, days| stays.entry(stage).or_default().push(days));
        }
        stays.into_iter().map(|(stage, days)| (stage.to_string(), duration(days))).collect()
    }

    /// For each period that ended by `as_of`: the forecast as it stood at the
    /// period's start — opportunities expected to close in the period (by
    /// their current expected close date), created and not yet closed before
    /// it, weighted by the probability of the stage they were in then — next
    /// to the amount actually won in the period. Stage probabilities come from
    /// the snapshots' current stages; a stage no snapshot is in any more
    /// weighs 0.
    pub fn forecast_vs_actual(&self, kind: PeriodKind, as_of: NaiveDate) -> Result<Vec<ForecastActual>, ForecastError> {
        let probabilities: HashMap<&str, Probability> =
            self.opportunities.iter().map(|o| (o.stage.as_str(), o.stage_probability)).collect();
        let mut totals: BTreeMap<(Period, Currency), (i128, i128, u64)> = BTreeMap::new();
        for (o, changes) in self.opportunities.iter().zip(&self.changes) {
            let currency = o.amount.currency;
            if let Some((expected, stage)) = expected_at_start(o, changes, kind, as_of) {
                let p = probabilities.get(stage).copied().unwrap_or(Probability(0));
                totals.entry((expected, currency)).or_default().0 += weighted(o.amount.minor, p);
            }
            if let Some(period) = won_in_ended_period(o, kind, as_of) {
                let t = totals.entry((period, currency)).or_default();
                t.1 += i128::from(o.amount.minor);
                t.2 += 1;
            }
        }
        totals
            .into_iter()
            .map(|((period, currency), (forecast, actual, won))| {
                Ok(ForecastActual {
                    period,
                    currency,
                    forecast_minor: to_i64(forecast, currency)?,
                    actual_minor: to_i64(actual, currency)?,
                    won,
                })
            })
            .collect()
    }
}

/// Interned names (stages, groups): each distinct name is kept once.
#[derive(Debug, Default)]
struct Names {
    index: HashMap<String, u32>,
    names: Vec<String>,
}

impl Names {
    fn id(&mut self, name: &str) -> u32 {
        if let Some(&id) = self.index.get(name) {
            return id;
        }
        let id = u32::try_from(self.names.len()).expect("fewer than 2³² distinct names");
        self.index.insert(name.to_string(), id);
        self.names.push(name.to_string());
        id
    }

    fn name(&self, id: u32) -> &str {
        &self.names[id as usize]
    }
}

type Key = (Period, Option<u32>, Currency);

/// An open opportunity, as much as the win-rate forecast needs of it.
#[derive(Debug)]
struct OpenEntry {
    key: Key,
    stage: u32,
    stage_probability: Probability,
    amount: i64,
}

/// An opportunity in the forecast of an ended period, as it stood then.
#[derive(Debug)]
struct ExpectedEntry {
    period: Period,
    currency: Currency,
    stage: u32,
    amount: i64,
}

/// The analyses of [`Pipeline`] over a stream: each opportunity is given once,
/// with its stage changes, and folded into aggregates at once. What is kept is
/// bounded by the distinct periods, groups, currencies and stages, plus a few
/// numbers per open opportunity (for the win-rate forecast, which needs every
/// win rate first), per opportunity in an ended period's forecast (whose
/// stage probabilities are known only at the end) and per completed stay (for
/// the median) — never the snapshots or their changes themselves. Results
/// equal [`Pipeline`]'s for the same opportunities given in the same order.
#[derive(Debug)]
pub struct Forecaster {
    kind: PeriodKind,
    group: GroupBy,
    as_of: NaiveDate,
    names: Names,
    /// Per key: (opportunities, amount, weighted by the stage probability).
    pipeline: BTreeMap<Key, (u64, i128, i128)>,
    open: Vec<OpenEntry>,
    /// Per stage: (won, lost) among the closed opportunities that reached it.
    outcomes: HashMap<u32, (u64, u64)>,
    stays: HashMap<u32, Vec<f64>>,
    /// The probability of each stage some opportunity is in now (the last given wins).
    probabilities: HashMap<u32, Probability>,
    expected: Vec<ExpectedEntry>,
    /// Per ended period and currency: (amount won, opportunities won).
    actual: BTreeMap<(Period, Currency), (i128, u64)>,
    /// Stage changes given with an opportunity that they do not name.
    pub ignored_changes: usize,
}

impl Forecaster {
    /// Pipeline rows by `kind` periods and `group`; forecast versus actual
    /// for the periods that ended by `as_of`.
    pub fn new(kind: PeriodKind, group: GroupBy, as_of: NaiveDate) -> Self {
        Forecaster {
            kind,
            group,
            as_of,
            names: Names::default(),
            pipeline: BTreeMap::new(),
            open: Vec::new(),
            outcomes: HashMap::new(),
            stays: HashMap::new(),
            probabilities: HashMap::new(),
            expected: Vec::new(),
            actual: BTreeMap::new(),
            ignored_changes: 0,
        }
    }

    /// Folds in one opportunity and its stage changes (in any order). Each
    /// opportunity must be given once; changes naming another are ignored.
    pub fn add(&mut self, o: &Opportunity, mut changes: Vec<StageChange>) -> Result<(), ForecastError> {
        if o.status != Status::Open && o.closed_at.is_none() {
            return Err(ForecastError::ClosedWithoutDate(o.id.clone()));
        }
        let before = changes.len();
        changes.retain(|c| c.opportunity == o.id);
        self.ignored_changes += before - changes.len();
        changes.sort_by_key(|c| c.changed_at);
        let stage = self.names.id(&o.stage);
        self.probabilities.insert(stage, o.stage_probability);
        let currency = o.amount.currency;
        if o.status == Status::Open {
            let group = group_of(o, self.group).map(|g| self.names.id(&g));
            let key = (Period::of(o.expected_close, self.kind), group, currency);
            let t = self.pipeline.entry(key).or_default();
            t.0 += 1;
            t.1 += i128::from(o.amount.minor);
            t.2 += weighted(o.amount.minor, o.stage_probability);
            self.open.push(OpenEntry { key, stage, stage_probability: o.stage_probability, amount: o.amount.minor });
        } else {
            for reached in stages_reached(o, &changes) {
                let r = self.outcomes.entry(self.names.id(reached)).or_default();
                if o.status == Status::Won { r.0 += 1 } else { r.1 += 1 }
            }
        }
        let (names, stays) = (&mut self.names, &mut self.stays);
        for_each_stay(o, &changes, |stage, days| stays.entry(names.id(stage)).or_default().push(days));
        if let Some((period, at_start)) = expected_at_start(o, &changes, self.kind, self.as_of) {
            let stage = self.names.id(at_start);
            self.expected.push(ExpectedEntry { period, currency, stage, amount: o.amount.minor });
        }
        if let Some(period) = won_in_ended_period(o, self.kind, self.as_of) {
            let t = self.actual.entry((period, currency)).or_default();
            t.0 += i128::from(o.amount.minor);
            t.1 += 1;
        }
        Ok(())
    }

    /// Open opportunities weighted by their stage probability.
    pub fn weighted_pipeline(&self) -> Result<Vec<PipelineRow>, ForecastError> {
        let rows = self.pipeline.iter().map(|(key, &(n, amount, weighted))| (*key, (n, amount, weighted, 0)));
        self.rows(rows.collect())
    }

    /// Open opportunities weighted by the historical win rate of their stage
    /// (the stage probability when the stage has no closed history).
    pub fn forecast(&self) -> Result<Vec<PipelineRow>, ForecastError> {
        let mut totals: BTreeMap<Key, (u64, i128, i128, u64)> = BTreeMap::new();
        for e in &self.open {
            let (p, fallback) = match self.outcomes.get(&e.stage) {
                Some(&(won, lost)) => {
                    let rate = won as f64 / (won + lost) as f64;
                    (Probability::from_fraction(rate).expect("a rate is a probability"), false)
                }
                None => (e.stage_probability, true),
            };
            let t = totals.entry(e.key).or_default();
            t.0 += 1;
            t.1 += i128::from(e.amount);
            t.2 += weighted(e.amount, p);
            t.3 += u64::from(fallback);
        }
        self.rows(totals)
    }

    /// Rows in the order of [`Pipeline`]'s: by period, group name, currency.
    fn rows(&self, totals: BTreeMap<Key, (u64, i128, i128, u64)>) -> Result<Vec<PipelineRow>, ForecastError> {
        let named: BTreeMap<(Period, Option<&str>, Currency), _> = totals
            .into_iter()
            .map(|((period, group, currency), t)| ((period, group.map(|g| self.names.name(g)), currency), t))
            .collect();
        named
            .into_iter()
            .map(|((period, group, currency), totals)| {
                PipelineRow::from_totals(period, group.map(str::to_string), currency, totals)
            })
            .collect()
    }

    /// Per stage: won and lost among the closed opportunities that reached it.
    pub fn win_rates(&self) -> BTreeMap<String, WinRate> {
        self.outcomes
            .iter()
            .map(|(&stage, &(won, lost))| {
                let rate = Some(won as f64 / (won + lost) as f64);
                (self.names.name(stage).to_string(), WinRate { won, lost, rate })
            })
            .collect()
    }

    /// Days spent in each stage, over completed stays.
    pub fn stage_durations(&self) -> BTreeMap<String, StageDuration> {
        self.stays.iter().map(|(&stage, days)| (self.names.name(stage).to_string(), duration(days.clone()))).collect()
    }

    /// Forecast versus actual for each period that ended by `as_of` (see
    /// [`Pipeline::forecast_vs_actual`]).
    pub fn forecast_vs_actual(&self) -> Result<Vec<ForecastActual>, ForecastError> {
        let mut totals: BTreeMap<(Period, Currency), (i128, i128, u64)> = BTreeMap::new();
        for e in &self.expected {
            let p = self.probabilities.get(&e.stage).copied().unwrap_or(Probability(0));
            totals.entry((e.period, e.currency)).or_default().0 += weighted(e.amount, p);
        }
        for (&key, &(amount, won)) in &self.actual {
            let t = totals.entry(key).or_default();
            t.1 += amount;
            t.2 += won;
        }
        totals
            .into_iter()
            .map(|((period, currency), (forecast, actual, won))| {
                Ok(ForecastActual {
                    period,
                    currency,
                    forecast_minor: to_i64(forecast, currency)?,
                    actual_minor: to_i64(actual, currency)?,
                    won,
                })
            })
            .collect()
    }
}

/// Every stage an opportunity reached: its changes' stages and its current one.
fn stages_reached<'a>(o: &'a Opportunity, changes: &'a [StageChange]) -> HashSet<&'a str> {
    let mut stages: HashSet<&str> = HashSet::new();
    stages.insert(&o.stage);
    for c in changes {
        stages.insert(&c.to_stage);
        if let Some(from) = &c.from_stage {
            stages.insert(from);
        }
    }
    stages
}

/// Calls `stay(stage, days)` for each completed stay of an opportunity (left
/// by a later change; `changes` in time order). The first stay starts at the
/// opportunity's creation.
fn for_each_stay<'a>(o: &Opportunity, changes: &'a [StageChange], mut stay: impl FnMut(&'a str, f64)) {
    let mut entered = o.created_at;
    let mut current: Option<&str> = None;
    for c in changes {
        if let Some(stage) = c.from_stage.as_deref().or(current) {
            let days = (c.changed_at - entered).num_seconds() as f64 / 86_400.0;
            // A change recorded before the stage was entered is bad data, not a stay.
            if days >= 0.0 {
                stay(stage, days);
            }
        }
        entered = c.changed_at;
        current = Some(&c.to_stage);
    }
}

/// Mean and median of a stage's stays (at least one).
fn duration(mut days: Vec<f64>) -> StageDuration {
    days.sort_by(f64::total_cmp);
    let n = days.len();
    let median = if n % 2 == 1 { days[n / 2] } else { (days[n / 2 - 1] + days[n / 2]) / 2.0 };
    let mean = days.iter().sum::<f64>() / n as f64;
    StageDuration { count: n, mean_days: mean, median_days: median }
}

/// The stage an opportunity was in at the start of `day`: the target of its
/// last change (`changes` in time order) before then, else the stage it was
/// created in.
fn stage_at<'a>(o: &'a Opportunity, changes: &'a [StageChange], day: NaiveDate) -> &'a str {
    let before = changes.partition_point(|c| c.changed_at.date_naive() < day);
    match before {
        0 => changes.first().and_then(|c| c.from_stage.as_deref()).unwrap_or(&o.stage),
        n => &changes[n - 1].to_stage,
    }
}

/// For forecast versus actual: the ended period an opportunity was expected
/// to close in and the stage it stood in at that period's start, if it was
/// in that period's forecast (created before the start, not closed by then).
fn expected_at_start<'a>(
    o: &'a Opportunity,
    changes: &'a [StageChange],
    kind: PeriodKind,
    as_of: NaiveDate,
) -> Option<(Period, &'a str)> {
    let expected = Period::of(o.expected_close, kind);
    let start = expected.start();
    let closed_before = o.closed_at.is_some_and(|t| t.date_naive() < start);
    (expected.end() <= as_of && o.created_at.date_naive() < start && !closed_before)
        .then(|| (expected, stage_at(o, changes, start)))
}

/// The ended period a won opportunity closed in.
fn won_in_ended_period(o: &Opportunity, kind: PeriodKind, as_of: NaiveDate) -> Option<Period> {
    match (o.status, o.closed_at) {
        (Status::Won, Some(closed)) => Some(Period::of(closed.date_naive(), kind)).filter(|p| p.end() <= as_of),
        _ => None,
    }
}

fn group_of(o: &Opportunity, group: GroupBy) -> Option<String> {
    match group {
        GroupBy::Owner => o.owner.clone(),
        GroupBy::Team => o.team.clone(),
        GroupBy::Territory => o.territory.clone(),
        GroupBy::Nothing => None,
    }
}

/// amount × basis points / 10 000, rounded half away from zero.
fn weighted(minor: i64, p: Probability) -> i128 {
    let product = i128::from(minor) * i128::from(p.0);
    let (q, r) = (product / 10_000, product % 10_000);
    if r.abs() * 2 >= 10_000 { q + product.signum() } else { q }
}

impl PipelineRow {
    /// A row from summed (count, amount, weighted amount, fallbacks), which
    /// are kept wide while summing and must fit the row's i64 minor units.
    fn from_totals(
        period: Period,
        group: Option<String>,
        currency: Currency,
        (opportunities, amount, weighted, fallback): (u64, i128, i128, u64),
    ) -> Result<PipelineRow, ForecastError> {
        Ok(PipelineRow {
            period,
            group,
            currency,
            opportunities,
            amount_minor: to_i64(amount, currency)?,
            weighted_minor: to_i64(weighted, currency)?,
            fallback_opportunities: fallback,
        })
    }
}

fn to_i64(v: i128, currency: Currency) -> Result<i64, ForecastError> {
    i64::try_from(v).map_err(|_| ForecastError::Overflow(currency))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        format!("{s}T12:00:00Z").parse().unwrap()
    }

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    struct O {
        id: &'static str,
        owner: &'static str,
        stage: &'static str,
        p: f64,
        status: Status,
        minor: i64,
        currency: &'static str,
        close: &'static str,
        created: &'static str,
        closed: Option<&'static str>,
    }

    fn opp(o: O) -> Opportunity {
        Opportunity {
            id: o.id.into(),
            owner: Some(o.owner.into()),
            team: (o.owner == "ann").then(|| "east".to_string()),
            territory: None,
            stage: o.stage.into(),
            stage_probability: Probability::from_fraction(o.p).unwrap(),
            status: o.status,
            amount: Money { minor: o.minor, currency: Currency::parse(o.currency).unwrap() },
            expected_close: d(o.close),
            created_at: at(o.created),
            closed_at: o.closed.map(at),
        }
    }

    fn change(id: &str, from: &str, to: &str, when: &str) -> StageChange {
        StageChange { opportunity: id.into(), from_stage: Some(from.into()), to_stage: to.into(), changed_at: at(when) }
    }

    /// Three open, one won and two lost opportunities; see the assertions for
    /// the hand computations.
    fn pipeline() -> Pipeline {
        use Status::*;
        let opps = [
            O {
                id: "A",
                owner: "ann",
                stage: "proposal",
                p: 0.5,
                status: Open,
                minor: 100_000,
                currency: "EUR",
                close: "2024-03-15",
                created: "2024-01-10",
                closed: None,
            },
            O {
                id: "B",
                owner: "ann",
                stage: "qualify",
                p: 0.2,
                status: Open,
                minor: 50_000,
                currency: "EUR",
                close: "2024-03-20",
                created: "2024-02-01",
                closed: None,
            },
            O {
                id: "C",
                owner: "bob",
                stage: "proposal",
                p: 0.5,
                status: Open,
                minor: 20_000,
                currency: "USD",
                close: "2024-05-02",
                created: "2024-03-01",
                closed: None,
            },
            O {
                id: "D",
                owner: "bob",
                stage: "won",
                p: 1.0,
                status: Won,
                minor: 30_000,
                currency: "EUR",
                close: "2024-02-10",
                created: "2024-01-01",
                closed: Some("2024-02-10"),
            },
            O {
                id: "E",
                owner: "ann",
                stage: "lost",
                p: 0.0,
                status: Lost,
                minor: 40_000,
                currency: "EUR",
                close: "2024-02-20",
                created: "2024-01-15",
                closed: Some("2024-02-20"),
            },
            O {
                id: "F",
                owner: "bob",
                stage: "lost",
                p: 0.0,
                status: Lost,
                minor: 10_000,
                currency: "EUR",
                close: "2024-03-31",
                created: "2024-01-02",
                closed: Some("2024-02-25"),
            },
        ];
        let changes = [
            change("D", "qualify", "proposal", "2024-01-05"),
            change("D", "proposal", "won", "2024-02-10"),
            change("E", "qualify", "lost", "2024-02-20"),
            change("F", "proposal", "lost", "2024-02-25"), // out of order on purpose
            change("F", "qualify", "proposal", "2024-01-10"),
            change("Z", "qualify", "proposal", "2024-01-10"), // unknown opportunity
        ];
        Pipeline::new(opps.into_iter().map(opp), changes).unwrap()
    }

    #[test]
    fn weighted_pipeline_by_month_and_owner_keeps_currencies_apart() {
        let rows = pipeline().weighted_pipeline(PeriodKind::Month, GroupBy::Owner).unwrap();
        let eur = &rows[0];
        assert_eq!(
            (eur.period.to_string(), eur.group.as_deref(), eur.currency.to_string()),
            ("2024-03".into(), Some("ann"), "EUR".into())
        );
        // 100 000 × 0.5 + 50 000 × 0.2
        assert_eq!((eur.opportunities, eur.amount_minor, eur.weighted_minor), (2, 150_000, 60_000));
        let usd = &rows[1];
        assert_eq!(
            (usd.period.to_string(), usd.currency.to_string(), usd.weighted_minor),
            ("2024-05".into(), "USD".into(), 10_000)
        );
        assert_eq!(rows.len(), 2);
        let by_quarter = pipeline().weighted_pipeline(PeriodKind::Quarter, GroupBy::Team).unwrap();
        assert_eq!(by_quarter[0].period.to_string(), "2024-Q1");
        assert_eq!(by_quarter[0].group.as_deref(), Some("east"));
        assert_eq!(by_quarter[1].group, None);
    }

    #[test]
    fn win_rates_count_closed_opportunities_that_reached_each_stage() {
        let rates = pipeline().win_rates();
        // qualify: D won, E and F lost; proposal: D won, F lost.
        assert_eq!(rates["qualify"], WinRate { won: 1, lost: 2, rate: Some(1.0 / 3.0) });
        assert_eq!(rates["proposal"], WinRate { won: 1, lost: 1, rate: Some(0.5) });
        let forecast = pipeline().forecast(PeriodKind::Month, GroupBy::Nothing).unwrap();
        // A: 100 000 × 0.5; B: 50 000 × 0.3333 = 16 665 (rate rounded to basis points).
        assert_eq!(forecast[0].weighted_minor, 50_000 + 16_665);
        assert_eq!(forecast[0].fallback_opportunities, 0);
    }

    #[test]
    fn stage_durations_start_at_creation_and_skip_unfinished_stays() {
        let p = pipeline();
        assert_eq!(p.ignored_changes, 1);
        let durations = p.stage_durations();
        // qualify: D 4 days, E 36 days, F 8 days; proposal: D 36, F 46.
        assert_eq!(durations["qualify"], StageDuration { count: 3, mean_days: 16.0, median_days: 8.0 });
        assert_eq!(durations["proposal"], StageDuration { count: 2, mean_days: 41.0, median_days: 41.0 });
        assert!(!durations.contains_key("won"));
    }

    #[test]
    fn forecast_versus_actual_for_ended_months() {
        let rows = pipeline().forecast_vs_actual(PeriodKind::Month, d("2024-04-01")).unwrap();
        let months: Vec<String> = rows.iter().map(|r| r.period.to_string()).collect();
        assert_eq!(months, ["2024-02", "2024-03"]);
        // February: D was in proposal on Feb 1 (0.5 × 30 000), E in qualify (0.2 × 40 000); D won 30 000.
        assert_eq!((rows[0].forecast_minor, rows[0].actual_minor, rows[0].won), (15_000 + 8_000, 30_000, 1));
        // March: A (proposal, 50 000) and B (qualify, 10 000); F closed in February.
        assert_eq!((rows[1].forecast_minor, rows[1].actual_minor), (60_000, 0));
    }

    /// Feeds the same opportunities to a [`Forecaster`], each with its changes.
    fn streamed(p: &Pipeline, kind: PeriodKind, group: GroupBy, as_of: NaiveDate) -> Forecaster {
        let mut f = Forecaster::new(kind, group, as_of);
        for (o, changes) in p.opportunities.iter().zip(&p.changes) {
            f.add(o, changes.clone()).unwrap();
        }
        f
    }

    fn assert_same(p: &Pipeline, kind: PeriodKind, group: GroupBy, as_of: NaiveDate) {
        let f = streamed(p, kind, group, as_of);
        assert_eq!(f.weighted_pipeline().unwrap(), p.weighted_pipeline(kind, group).unwrap());
        assert_eq!(f.forecast().unwrap(), p.forecast(kind, group).unwrap());
        assert_eq!(f.win_rates(), p.win_rates());
        assert_eq!(f.stage_durations(), p.stage_durations());
        assert_eq!(f.forecast_vs_actual().unwrap(), p.forecast_vs_actual(kind, as_of).unwrap());
    }

    #[test]
    fn the_streaming_forecaster_equals_the_pipeline() {
        let p = pipeline();
        for kind in [PeriodKind::Month, PeriodKind::Quarter] {
            for group in [GroupBy::Owner, GroupBy::Team, GroupBy::Territory, GroupBy::Nothing] {
                assert_same(&p, kind, group, d("2024-04-01"));
            }
        }
        // Out-of-order changes are sorted; changes of another opportunity are ignored.
        let mut f = Forecaster::new(PeriodKind::Month, GroupBy::Nothing, d("2024-04-01"));
        let o = p.opportunities.iter().find(|o| o.id == "F").unwrap();
        let changes = vec![
            change("F", "proposal", "lost", "2024-02-25"),
            change("F", "qualify", "proposal", "2024-01-10"),
            change("Z", "qualify", "proposal", "2024-01-10"),
        ];
        f.add(o, changes).unwrap();
        assert_eq!(f.ignored_changes, 1);
        assert_eq!(f.stage_durations()["proposal"].mean_days, 46.0);
        let mut closed = o.clone();
        closed.closed_at = None;
        assert_eq!(f.add(&closed, vec![]).unwrap_err(), ForecastError::ClosedWithoutDate("F".into()));
    }

    #[test]
    fn the_streaming_forecaster_equals_the_pipeline_on_random_pipelines() {
        let stages = [("s1", 0.1), ("s2", 0.25), ("s3", 0.5), ("s4", 0.75), ("won", 1.0), ("lost", 0.0)];
        let mut rng = crate::rng::Rng::new(7);
        let day0 = d("2024-01-01");
        let mut opps = Vec::new();
        let mut changes = Vec::new();
        for i in 0..400 {
            let id = format!("o{i}");
            let created = day0 + chrono::Days::new(rng.below(300));
            let mut at = created;
            let moves = rng.below(4);
            let mut stage = "s1";
            changes.push(StageChange {
                opportunity: id.clone(),
                from_stage: None,
                to_stage: stage.into(),
                changed_at: at.and_hms_opt(9, 0, 0).unwrap().and_utc(),
            });
            for _ in 0..moves {
                let next = stages[rng.below(stages.len() as u64) as usize].0;
                at = at + chrono::Days::new(1 + rng.below(40));
                changes.push(StageChange {
                    opportunity: id.clone(),
                    from_stage: Some(stage.into()),
                    to_stage: next.into(),
                    changed_at: at.and_hms_opt(10, 0, 0).unwrap().and_utc(),
                });
                stage = next;
            }
            let p = stages.iter().find(|s| s.0 == stage).unwrap().1;
            let status = match stage {
                "won" => Status::Won,
                "lost" => Status::Lost,
                _ => Status::Open,
            };
            opps.push(Opportunity {
                id,
                owner: (rng.below(4) > 0).then(|| format!("owner{}", rng.below(3))),
                team: (rng.below(2) == 0).then(|| format!("team{}", rng.below(2))),
                territory: (rng.below(3) > 0).then(|| format!("territory{}", rng.below(3))),
                stage: stage.into(),
                stage_probability: Probability::from_fraction(p).unwrap(),
                status,
                amount: Money {
                    minor: rng.below(1_000_000) as i64 - 1_000,
                    currency: Currency::parse(if rng.below(3) == 0 { "USD" } else { "EUR" }).unwrap(),
                },
                expected_close: created + chrono::Days::new(rng.below(200)),
                created_at: created.and_hms_opt(9, 0, 0).unwrap().and_utc(),
                closed_at: (status != Status::Open).then(|| at.and_hms_opt(10, 0, 0).unwrap().and_utc()),
            });
        }
        let p = Pipeline::new(opps, changes).unwrap();
        for kind in [PeriodKind::Month, PeriodKind::Quarter] {
            for group in [GroupBy::Owner, GroupBy::Team, GroupBy::Territory, GroupBy::Nothing] {
                assert_same(&p, kind, group, d("2024-09-01"));
            }
        }
    }

    #[test]
    fn inputs_are_parsed_and_checked() {
        assert!(Currency::parse("eur").is_err() && Currency::parse("EURO").is_err());
        assert_eq!(Probability::from_fraction(1.5).unwrap_err(), ForecastError::BadProbability(1.5));
        assert_eq!(weighted(-5, Probability(5_000)), -3);
        assert_eq!(weighted(5, Probability(5_000)), 3);
        let mut closed = opp(O {
            id: "X",
            owner: "o",
            stage: "s",
            p: 0.1,
            status: Status::Won,
            minor: 1,
            currency: "EUR",
            close: "2024-01-01",
            created: "2024-01-01",
            closed: None,
        });
        assert_eq!(Pipeline::new([closed.clone()], []).unwrap_err(), ForecastError::ClosedWithoutDate("X".into()));
        closed.closed_at = Some(at("2024-01-01"));
        assert_eq!(
            Pipeline::new([closed.clone(), closed], []).unwrap_err(),
            ForecastError::DuplicateOpportunity("X".into())
        );
        let huge = |id: &'static str| {
            opp(O {
                id,
                owner: "o",
                stage: "s",
                p: 1.0,
                status: Status::Open,
                minor: i64::MAX,
                currency: "EUR",
                close: "2024-01-01",
                created: "2024-01-01",
                closed: None,
            })
        };
        let p = Pipeline::new([huge("1"), huge("2")], []).unwrap();
        assert!(matches!(p.weighted_pipeline(PeriodKind::Month, GroupBy::Nothing), Err(ForecastError::Overflow(_))));
    }
}
