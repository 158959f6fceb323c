//! Configurable products: option groups of options with prices, and the
//! rules a configuration must keep. Pure: the caller reads the groups.
//!
//! Rules, each reported by name when broken:
//! - `unknown`: an option code the product does not have;
//! - `quantity`: an option's quantity outside its minimum and maximum
//!   (1 and unlimited unless the option says), or not above 0;
//! - `min_choices` / `max_choices`: too few or too many options of a group;
//! - `requires`: an option chosen without an option it requires;
//! - `excludes`: two options chosen that exclude each other;
//! - `combination`: the product lists allowed combinations and the chosen
//!   options are none of them;
//! - `currency`: an option priced in another currency than the document.

use relata_core::decimal::Decimal;
use relata_core::money::Currency;
use std::collections::{BTreeMap, BTreeSet};

#[derive(Clone, Debug, PartialEq)]
pub struct OptionDef {
    pub code: String,
    pub name: String,
    /// Minor units and currency, per unit of the option.
    pub price: Option<(i64, Currency)>,
    pub min_quantity: Option<Decimal>,
    pub max_quantity: Option<Decimal>,
    pub requires: Vec<String>,
    pub excludes: Vec<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Group {
    pub name: String,
    pub min_choices: Option<i64>,
    pub max_choices: Option<i64>,
    pub options: Vec<OptionDef>,
}

/// A broken rule: its name, the option or group it is about, a message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub rule: &'static str,
    pub subject: String,
    pub message: String,
}

/// What a configuration comes to.
#[derive(Clone, Debug, PartialEq)]
pub struct Checked {
    pub problems: Vec<Problem>,
    /// Σ option price × quantity, in minor units of the document currency.
    pub options_price: i64,
}

/// Codes in a rule's text: separated by commas or spaces.
pub fn codes(text: &str) -> Vec<String> {
    text.split([',', ' ', ';']).map(str::trim).filter(|c| !c.is_empty()).map(str::to_string).collect()
}

/// A configuration as a line writes it: `RAM32*2, GPU` (quantity 1 unless
/// given after `*`); the message says what does not parse.
pub fn parse_selection(text: &str) -> Result<Vec<(String, Decimal)>, String> {
    let mut out = Vec::new();
    for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (code, quantity) = match part.split_once('*') {
            Some((code, q)) => {
                let q = relata_core::decimal::parse(q.trim(), 3).map_err(|e| format!("{part:?}: {}", e.0))?;
                (code.trim(), q)
            }
            None => (part, Decimal::ONE),
        };
        if code.is_empty() || code.contains(char::is_whitespace) {
            return Err(format!("{part:?} is not an option code"));
        }
        out.push((code.to_string(), quantity));
    }
    Ok(out)
}

/// Checks a selection against the groups and the allowed combinations
/// (each a set of codes; none listed allows every combination).
pub fn check(
    groups: &[Group],
    combinations: &[BTreeSet<String>],
    selection: &[(String, Decimal)],
    currency: Currency,
) -> Checked {
    let mut problems = Vec::new();
    let mut problem = |rule: &'static str, subject: &str, message: String| {
        problems.push(Problem { rule, subject: subject.to_string(), message })
    };
    let options: BTreeMap<&str, (&Group, &OptionDef)> =
        groups.iter().flat_map(|g| g.options.iter().map(move |o| (o.code.as_str(), (g, o)))).collect();
    let mut chosen: BTreeMap<&str, Decimal> = BTreeMap::new();
    for (code, quantity) in selection {
        match options.get(code.as_str()) {
            None => problem("unknown", code, format!("the product has no option {code:?}")),
            Some(_) if chosen.contains_key(code.as_str()) => {
                problem("quantity", code, format!("option {code} is chosen twice; give its quantity once"))
            }
            Some(_) => {
                chosen.insert(code.as_str(), *quantity);
            }
        }
    }
    let mut options_price: i64 = 0;
    for (code, quantity) in &chosen {
        let (_, option) = options[code];
        let min = option.min_quantity.unwrap_or(Decimal::ONE);
        if *quantity <= Decimal::ZERO || *quantity < min {
            problem("quantity", code, format!("option {code} needs a quantity of at least {}", min.normalize()));
        }
        if let Some(max) = option.max_quantity
            && *quantity > max
        {
            problem("quantity", code, format!("option {code} allows at most {}", max.normalize()));
        }
        for needed in &option.requires {
            if !chosen.contains_key(needed.as_str()) {
                problem("requires", code, format!("option {code} requires {needed}"));
            }
        }
        match option.price {
            Some((minor, c)) if c == currency => {
                let total = (Decimal::from(minor) * quantity).round();
                options_price += i64::try_from(total.mantissa()).unwrap_or(i64::MAX);
            }
            Some((_, c)) => problem("currency", code, format!("option {code} is priced in {c}, not {currency}")),
            None => {}
        }
    }
    // Exclusions hold whichever side wrote them; each pair is named once.
    let excluded: BTreeSet<(&str, &str)> = chosen
        .keys()
        .flat_map(|code| {
            let (_, option) = options[code];
            option.excludes.iter().filter(|other| chosen.contains_key(other.as_str())).map(move |other| {
                if *code < other.as_str() { (*code, other.as_str()) } else { (other.as_str(), *code) }
            })
        })
        .collect();
    for (a, b) in excluded {
        problem("excludes", a, format!("options {a} and {b} exclude each other"));
    }
    for group in groups {
        let n = group.options.iter().filter(|o| chosen.contains_key(o.code.as_str())).count() as i64;
        if let Some(min) = group.min_choices
            && n < min
        {
            problem("min_choices", &group.name, format!("choose at least {min} of {}", group.name));
        }
        if let Some(max) = group.max_choices
            && n > max
        {
            problem("max_choices", &group.name, format!("choose at most {max} of {}", group.name));
        }
    }
    let broken = problems.len();
    if !combinations.is_empty() && broken == 0 {
        let set: BTreeSet<String> = chosen.keys().map(|c| c.to_string()).collect();
        if !combinations.contains(&set) {
            let listed: Vec<String> = set.iter().cloned().collect();
            problems.push(Problem {
                rule: "combination",
                subject: String::new(),
                message: format!("{} is not one of the product's allowed combinations", listed.join("+")),
            });
        }
    }
    Checked { problems, options_price }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn eur() -> Currency {
        Currency::parse("EUR").unwrap()
    }

    fn option(code: &str, price: i64) -> OptionDef {
        OptionDef {
            code: code.into(),
            name: code.into(),
            price: Some((price, eur())),
            min_quantity: None,
            max_quantity: None,
            requires: Vec::new(),
            excludes: Vec::new(),
        }
    }

    fn laptop() -> Vec<Group> {
        let mut ram = option("RAM", 5_000);
        ram.max_quantity = Some(Decimal::from(4));
        let mut gpu = option("GPU", 30_000);
        gpu.requires = vec!["PSU".into()];
        let mut eco = option("ECO", 0);
        eco.excludes = vec!["GPU".into()];
        vec![
            Group { name: "Memory".into(), min_choices: Some(1), max_choices: Some(1), options: vec![ram] },
            Group {
                name: "Extras".into(),
                min_choices: None,
                max_choices: Some(2),
                options: vec![gpu, option("PSU", 8_000), eco],
            },
        ]
    }

    fn rules(checked: &Checked) -> Vec<&'static str> {
        checked.problems.iter().map(|p| p.rule).collect()
    }

    #[test]
    fn a_valid_configuration_gives_its_price() {
        let selection = parse_selection("RAM*2, GPU, PSU").unwrap();
        let checked = check(&laptop(), &[], &selection, eur());
        assert!(checked.problems.is_empty(), "{:?}", checked.problems);
        assert_eq!(checked.options_price, 2 * 5_000 + 30_000 + 8_000);
    }

    #[test]
    fn every_broken_rule_is_named() {
        let selection = parse_selection("RAM*5, GPU, ECO, XYZ").unwrap();
        let checked = check(&laptop(), &[], &selection, eur());
        assert_eq!(rules(&checked), ["unknown", "requires", "quantity", "excludes"], "{:?}", checked.problems);
        let crowded = check(&laptop(), &[], &parse_selection("RAM, GPU, PSU, ECO").unwrap(), eur());
        assert_eq!(rules(&crowded), ["excludes", "max_choices"], "{:?}", crowded.problems);
        let none = check(&laptop(), &[], &[], eur());
        assert_eq!(rules(&none), ["min_choices"]);
        let usd = check(&laptop(), &[], &parse_selection("RAM").unwrap(), Currency::parse("USD").unwrap());
        assert_eq!(rules(&usd), ["currency"]);
    }

    #[test]
    fn allowed_combinations_limit_what_may_be_chosen() {
        let allowed = vec![BTreeSet::from(["RAM".to_string(), "PSU".to_string()])];
        assert!(check(&laptop(), &allowed, &parse_selection("RAM, PSU").unwrap(), eur()).problems.is_empty());
        let other = check(&laptop(), &allowed, &parse_selection("RAM").unwrap(), eur());
        assert_eq!(rules(&other), ["combination"]);
    }

    #[test]
    fn selections_parse_codes_and_quantities() {
        assert_eq!(
            parse_selection(" RAM*2 ,GPU").unwrap(),
            vec![("RAM".to_string(), Decimal::from(2)), ("GPU".to_string(), Decimal::ONE)]
        );
        assert_eq!(parse_selection("RAM*1.5").unwrap()[0].1, Decimal::from_str("1.5").unwrap());
        assert!(parse_selection("RAM*x").is_err());
        assert!(parse_selection("two words").is_err());
        assert_eq!(codes("A, B C;D"), ["A", "B", "C", "D"]);
    }
}
