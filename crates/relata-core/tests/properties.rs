//! Property tests of the parsers at the edge: no input makes them panic,
//! and what they produce reads back the same (the filter language, money,
//! decimals, phone numbers, emails, list cursors).

use proptest::prelude::*;
use relata_core::decimal;
use relata_core::email::Email;
use relata_core::filter::{Expr, Literal, Op, parse, to_text};
use relata_core::list::Cursor;
use relata_core::money::{Currency, Money};
use relata_core::phone::{PhoneE164, Region};

/// Positions point into the text a filter was parsed from; the same filter
/// printed and parsed again has other positions and is otherwise equal.
fn without_positions(expr: Expr) -> Expr {
    match expr {
        Expr::And(parts) => Expr::And(parts.into_iter().map(without_positions).collect()),
        Expr::Or(parts) => Expr::Or(parts.into_iter().map(without_positions).collect()),
        Expr::Not(inner) => Expr::Not(Box::new(without_positions(*inner))),
        Expr::Compare { field, op, value, .. } => Expr::Compare { field, at: 0, op, value, value_at: 0 },
        Expr::In { field, values, .. } => {
            Expr::In { field, at: 0, values: values.into_iter().map(|(v, _)| (v, 0)).collect() }
        }
        Expr::IsNull { field, negated, .. } => Expr::IsNull { field, at: 0, negated },
    }
}

fn field() -> impl Strategy<Value = String> {
    prop_oneof!["[a-z][a-z_]{0,12}", "custom\\.[a-z][a-z_]{0,8}"].prop_filter("not a keyword", |f| {
        !["and", "or", "not", "in", "is", "null", "true", "false", "me"].contains(&f.as_str())
    })
}

fn literal() -> impl Strategy<Value = Literal> {
    prop_oneof![
        any::<String>().prop_map(Literal::String),
        "-?[0-9]{1,9}(\\.[0-9]{1,4})?".prop_map(Literal::Number),
        any::<bool>().prop_map(Literal::Bool),
        Just(Literal::Me),
    ]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![Just(Op::Eq), Just(Op::Ne), Just(Op::Lt), Just(Op::Le), Just(Op::Gt), Just(Op::Ge), Just(Op::Contains)]
}

fn condition() -> impl Strategy<Value = Expr> {
    prop_oneof![
        (field(), op(), literal()).prop_map(|(f, o, v)| Expr::compare(&f, o, v)),
        (field(), prop::collection::vec(literal(), 1..4)).prop_map(|(f, vs)| Expr::one_of(&f, vs)),
        (field(), any::<bool>()).prop_map(|(f, n)| Expr::is_null(&f, n)),
    ]
}

fn filter() -> impl Strategy<Value = Expr> {
    condition().prop_recursive(4, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 2..4).prop_map(Expr::And),
            prop::collection::vec(inner.clone(), 2..4).prop_map(Expr::Or),
            inner.prop_map(|e| Expr::Not(Box::new(e))),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn a_printed_filter_parses_back_to_itself(expr in filter()) {
        let text = to_text(&expr);
        let parsed = parse(&text).map_err(|e| TestCaseError::fail(format!("{text:?}: {e:?}")))?;
        prop_assert_eq!(without_positions(parsed), without_positions(expr), "{}", text);
    }

    #[test]
    fn no_filter_text_panics(text in any::<String>()) {
        let _ = parse(&text);
    }

    #[test]
    fn no_filter_made_of_its_own_words_panics(words in prop::collection::vec(
        prop_oneof![
            Just("("), Just(")"), Just("not"), Just("and"), Just("or"), Just("in"), Just("is"), Just("null"),
            Just("="), Just("!="), Just("<="), Just("~"), Just(","), Just("\""), Just("\\"), Just("name"), Just("1.5"),
            Just("me"), Just("-"),
        ],
        0..60,
    )) {
        let _ = parse(&words.join(" "));
        let _ = parse(&words.concat());
    }

    #[test]
    fn money_reads_back_what_it_prints(minor in -1_000_000_000_000i64..1_000_000_000_000, code in prop::sample::select(vec!["EUR", "PLN", "USD", "JPY", "BHD"])) {
        let currency = Currency::parse(code).unwrap();
        let money = Money::new(minor, currency);
        prop_assert_eq!(Money::parse_major(&money.major_string(), currency).unwrap(), money);
    }

    #[test]
    fn no_amount_text_panics(text in any::<String>()) {
        let _ = Money::parse_major(&text, Currency::parse("EUR").unwrap());
    }

    #[test]
    fn decimals_keep_their_scale_exactly(units in -999_999_999_999i64..999_999_999_999, scale in 0u32..=6) {
        let value = decimal::from_scaled(units, scale);
        let parsed = decimal::parse(&value.to_string(), scale).unwrap();
        prop_assert_eq!(decimal::to_scaled(parsed, scale), units);
    }

    #[test]
    fn no_decimal_text_panics(text in any::<String>(), scale in 0u32..=12) {
        let _ = decimal::parse(&text, scale);
    }

    #[test]
    fn phone_numbers_normalise_once(text in "[+0-9 ()./-]{0,24}", region in prop::sample::select(vec!["PL", "LT", "DE", "US"])) {
        if let Ok(phone) = PhoneE164::parse(&text, Region::parse(region)) {
            let again = PhoneE164::parse(phone.as_str(), None).unwrap();
            prop_assert_eq!(again.as_str(), phone.as_str());
        }
    }

    #[test]
    fn no_phone_text_panics(text in any::<String>()) {
        let _ = PhoneE164::parse(&text, Region::parse("PL"));
    }

    #[test]
    fn emails_normalise_once(local in "[a-zA-Z0-9._%+-]{1,20}", domain in "[a-zA-Z0-9-]{1,15}\\.[a-zA-Z]{2,6}") {
        if let Ok(email) = Email::parse(&format!("{local}@{domain}")) {
            let again = Email::parse(email.as_str()).unwrap();
            prop_assert_eq!(again.as_str(), email.as_str());
        }
    }

    #[test]
    fn no_email_text_panics(text in any::<String>()) {
        let _ = Email::parse(&text);
    }

    #[test]
    fn cursors_decode_to_what_was_encoded(spec in "-?[a-z_]{1,12}", value in any::<Option<i64>>(), id in "[0-9a-f-]{36}") {
        let cursor = Cursor { s: spec.clone(), v: serde_json::json!(value), id };
        prop_assert_eq!(Cursor::decode_for(&cursor.encode(), &spec).unwrap(), cursor);
    }

    #[test]
    fn no_cursor_text_panics(text in any::<String>()) {
        let _ = Cursor::decode_for(&text, "name");
    }
}
