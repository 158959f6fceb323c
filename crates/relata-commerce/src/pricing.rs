//! The arithmetic of a sales document: line amounts after discounts, taxes
//! per rate with per-line or per-document rounding, and totals that always
//! equal the sum of what the document prints. Pure: no storage, no HTTP.
//!
//! The rules (README, "Sales documents: tax and rounding"):
//! 1. A line's net amount is `quantity × unit price × (1 − line discount) ×
//!    (1 − document discount)`, rounded once to the currency's minor unit,
//!    half away from zero. The document prints it, and the net total is the
//!    sum of the printed line amounts.
//! 2. Lines are grouped by tax treatment and rate. A standard-rated group's
//!    tax is, with per-line rounding, the sum of each line's tax (net × rate,
//!    rounded and printed on the line); with per-document rounding, the
//!    group's net sum × rate, rounded once (lines print no tax).
//! 3. Zero-rated, exempt and reverse-charge lines carry no tax; each
//!    treatment used adds its legal note to the document.
//! 4. Tax total = Σ group taxes; grand total = net total + tax total.

use relata_core::decimal::Decimal;
use rust_decimal::RoundingStrategy;

/// How taxes are rounded (a workspace setting).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rounding {
    PerLine,
    PerDocument,
}

impl Rounding {
    pub const NAMES: &'static [&'static str] = &["per_line", "per_document"];

    pub fn parse(name: &str) -> Option<Rounding> {
        match name {
            "per_line" => Some(Rounding::PerLine),
            "per_document" => Some(Rounding::PerDocument),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Rounding::PerLine => "per_line",
            Rounding::PerDocument => "per_document",
        }
    }
}

/// How a line is taxed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Treatment {
    Standard,
    ZeroRated,
    Exempt,
    ReverseCharge,
}

impl Treatment {
    pub const NAMES: &'static [&'static str] = &["standard", "zero_rated", "exempt", "reverse_charge"];

    pub fn parse(name: &str) -> Option<Treatment> {
        match name {
            "standard" => Some(Treatment::Standard),
            "zero_rated" => Some(Treatment::ZeroRated),
            "exempt" => Some(Treatment::Exempt),
            "reverse_charge" => Some(Treatment::ReverseCharge),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        Treatment::NAMES[self as usize]
    }

    /// The note the law asks a document to print when a line is taxed so.
    pub fn legal_note(self) -> Option<&'static str> {
        match self {
            Treatment::Standard => None,
            Treatment::ZeroRated => Some("Zero-rated supply (0% VAT)."),
            Treatment::Exempt => Some("VAT exempt supply."),
            Treatment::ReverseCharge => {
                Some("Reverse charge: VAT to be accounted for by the recipient (Article 196, Directive 2006/112/EC).")
            }
        }
    }
}

/// What a line contributes: all exact decimals, money in major units.
#[derive(Clone, Debug, PartialEq)]
pub struct LineInput {
    pub quantity: Decimal,
    pub unit_price: Decimal,
    /// Percent, 0 to 100.
    pub discount_percent: Decimal,
    /// Percent; ignored unless the treatment is standard.
    pub tax_rate: Decimal,
    pub treatment: Treatment,
}

/// A line's printed amounts, in minor units.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LineAmounts {
    pub net: i64,
    /// The line's tax, printed with per-line rounding only.
    pub tax: Option<i64>,
}

/// One row of the tax summary: a treatment and rate, what it applies to
/// and its tax, in minor units.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TaxGroup {
    pub treatment: Treatment,
    pub rate: Decimal,
    pub net: i64,
    pub tax: i64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DocumentAmounts {
    pub lines: Vec<LineAmounts>,
    pub groups: Vec<TaxGroup>,
    pub net: i64,
    pub tax: i64,
    pub gross: i64,
    pub legal_notes: Vec<&'static str>,
}

/// The amounts would not fit in 64-bit minor units.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TooLarge;

fn hundred() -> Decimal {
    Decimal::ONE_HUNDRED
}

/// `value` (major units) rounded half away from zero to `exponent` places,
/// as minor units.
pub fn to_minor(value: Decimal, exponent: u32) -> Result<i64, TooLarge> {
    let mut rounded = value.round_dp_with_strategy(exponent, RoundingStrategy::MidpointAwayFromZero);
    rounded.rescale(exponent);
    i64::try_from(rounded.mantissa()).map_err(|_| TooLarge)
}

fn major(minor: i64, exponent: u32) -> Decimal {
    Decimal::new(minor, exponent)
}

fn percent_off(value: Decimal, percent: Decimal) -> Option<Decimal> {
    value.checked_mul(hundred().checked_sub(percent)?)?.checked_div(hundred())
}

/// The amounts of a document in a currency with `exponent` minor digits.
pub fn compute(
    lines: &[LineInput],
    document_discount: Decimal,
    rounding: Rounding,
    exponent: u32,
) -> Result<DocumentAmounts, TooLarge> {
    let mut out = Vec::with_capacity(lines.len());
    let mut groups: Vec<TaxGroup> = Vec::new();
    for line in lines {
        let gross = line.quantity.checked_mul(line.unit_price).ok_or(TooLarge)?;
        let after_line = percent_off(gross, line.discount_percent).ok_or(TooLarge)?;
        let after_document = percent_off(after_line, document_discount).ok_or(TooLarge)?;
        let net = to_minor(after_document, exponent)?;
        let rate = if line.treatment == Treatment::Standard { line.tax_rate.normalize() } else { Decimal::ZERO };
        let tax = match rounding {
            Rounding::PerLine => {
                let t =
                    major(net, exponent).checked_mul(rate).ok_or(TooLarge)?.checked_div(hundred()).ok_or(TooLarge)?;
                Some(to_minor(t, exponent)?)
            }
            Rounding::PerDocument => None,
        };
        let group = match groups.iter_mut().find(|g| g.treatment == line.treatment && g.rate == rate) {
            Some(g) => g,
            None => {
                groups.push(TaxGroup { treatment: line.treatment, rate, net: 0, tax: 0 });
                groups.last_mut().expect("just pushed")
            }
        };
        group.net = group.net.checked_add(net).ok_or(TooLarge)?;
        group.tax = group.tax.checked_add(tax.unwrap_or(0)).ok_or(TooLarge)?;
        out.push(LineAmounts { net, tax });
    }
    if rounding == Rounding::PerDocument {
        for g in &mut groups {
            let t =
                major(g.net, exponent).checked_mul(g.rate).ok_or(TooLarge)?.checked_div(hundred()).ok_or(TooLarge)?;
            g.tax = to_minor(t, exponent)?;
        }
    }
    groups.sort_by(|a, b| a.treatment.cmp(&b.treatment).then(b.rate.cmp(&a.rate)));
    let net = groups.iter().try_fold(0i64, |acc, g| acc.checked_add(g.net)).ok_or(TooLarge)?;
    let tax = groups.iter().try_fold(0i64, |acc, g| acc.checked_add(g.tax)).ok_or(TooLarge)?;
    let gross = net.checked_add(tax).ok_or(TooLarge)?;
    let mut legal_notes: Vec<&'static str> = groups.iter().filter_map(|g| g.treatment.legal_note()).collect();
    legal_notes.dedup();
    Ok(DocumentAmounts { lines: out, groups, net, tax, gross, legal_notes })
}

/// The tax summary as the document prints it, a row per group:
/// `23% of 1000.00: 230.00`, `reverse charge of 500.00: 0.00`.
pub fn summary(groups: &[TaxGroup], exponent: u32) -> String {
    let amount = |minor: i64| {
        let mut d = major(minor, exponent);
        d.rescale(exponent);
        d.to_string()
    };
    groups
        .iter()
        .map(|g| {
            let what = match g.treatment {
                Treatment::Standard => format!("{}%", g.rate.normalize()),
                other => other.name().replace('_', " "),
            };
            format!("{what} of {}: {}", amount(g.net), amount(g.tax))
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    fn line(q: &str, price: &str, discount: &str, rate: &str) -> LineInput {
        LineInput {
            quantity: d(q),
            unit_price: d(price),
            discount_percent: d(discount),
            tax_rate: d(rate),
            treatment: Treatment::Standard,
        }
    }

    /// The README's first worked example: three lines at 23% whose taxes
    /// round differently per line and per document.
    #[test]
    fn per_line_and_per_document_rounding_differ_by_what_they_round() {
        let lines = [line("1", "0.99", "0", "23"), line("1", "0.99", "0", "23"), line("1", "0.99", "0", "23")];
        // Per line: 0.99 × 23% = 0.2277 → 0.23, three times: 0.69.
        let per_line = compute(&lines, Decimal::ZERO, Rounding::PerLine, 2).unwrap();
        assert_eq!(per_line.lines[0], LineAmounts { net: 99, tax: Some(23) });
        assert_eq!((per_line.net, per_line.tax, per_line.gross), (297, 69, 366));
        // Per document: 2.97 × 23% = 0.6831 → 0.68.
        let per_doc = compute(&lines, Decimal::ZERO, Rounding::PerDocument, 2).unwrap();
        assert_eq!(per_doc.lines[0], LineAmounts { net: 99, tax: None });
        assert_eq!((per_doc.net, per_doc.tax, per_doc.gross), (297, 68, 365));
        // Either way the totals are the sums of what is printed.
        assert_eq!(per_line.lines.iter().map(|l| l.tax.unwrap()).sum::<i64>(), per_line.tax);
        assert_eq!(per_doc.groups.iter().map(|g| g.tax).sum::<i64>(), per_doc.tax);
    }

    /// The second worked example: discounts, several rates, a zero-rated and
    /// a reverse-charge line, in one document.
    #[test]
    fn discounts_and_several_rates_and_treatments() {
        let mut lines = vec![
            // 3 × 333.33 = 999.99, −10% = 899.991, −5% = 854.99145 → 854.99
            line("3", "333.33", "10", "23"),
            // 2.5 × 19.99 = 49.975, −5% = 47.47625 → 47.48
            line("2.5", "19.99", "0", "8"),
            // 1 × 100 −5% = 95.00
            line("1", "100", "0", "23"),
        ];
        lines.push(LineInput { treatment: Treatment::ZeroRated, ..line("4", "12.50", "0", "23") });
        lines.push(LineInput { treatment: Treatment::ReverseCharge, ..line("1", "1000", "0", "23") });
        let a = compute(&lines, d("5"), Rounding::PerDocument, 2).unwrap();
        let nets: Vec<i64> = a.lines.iter().map(|l| l.net).collect();
        assert_eq!(nets, [85499, 4748, 9500, 4750, 95000]);
        // 23%: (854.99 + 95.00) × 0.23 = 218.4977 → 218.50; 8%: 47.48 × 0.08 = 3.7984 → 3.80.
        let groups: Vec<(Treatment, String, i64, i64)> =
            a.groups.iter().map(|g| (g.treatment, g.rate.to_string(), g.net, g.tax)).collect();
        assert_eq!(
            groups,
            [
                (Treatment::Standard, "23".into(), 94999, 21850),
                (Treatment::Standard, "8".into(), 4748, 380),
                (Treatment::ZeroRated, "0".into(), 4750, 0),
                (Treatment::ReverseCharge, "0".into(), 95000, 0),
            ]
        );
        assert_eq!(a.net, 85499 + 4748 + 9500 + 4750 + 95000);
        assert_eq!(a.tax, 21850 + 380);
        assert_eq!(a.gross, a.net + a.tax);
        assert_eq!(a.legal_notes.len(), 2);
        assert_eq!(
            summary(&a.groups, 2),
            "23% of 949.99: 218.50\n8% of 47.48: 3.80\nzero rated of 47.50: 0.00\nreverse charge of 950.00: 0.00"
        );
    }

    #[test]
    fn halves_round_away_from_zero_and_currencies_keep_their_exponent() {
        // 0.125 → 0.13 (half away from zero, not to even).
        assert_eq!(to_minor(d("0.125"), 2).unwrap(), 13);
        assert_eq!(to_minor(d("-0.125"), 2).unwrap(), -13);
        // Yen have no minor unit: 3 × 33.5 = 100.5 → 101.
        let a = compute(&[line("3", "33.5", "0", "10")], Decimal::ZERO, Rounding::PerLine, 0).unwrap();
        assert_eq!((a.net, a.tax, a.gross), (101, 10, 111));
        assert_eq!(to_minor(Decimal::MAX, 2), Err(TooLarge));
        assert!(
            compute(&[line("999999999999", "999999999999", "0", "23")], Decimal::ZERO, Rounding::PerLine, 2).is_err()
        );
    }
}
