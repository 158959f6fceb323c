//! The UI's strings, from Fluent catalogues compiled into the binary: per
//! language under `locales/`, `ui.ftl` for the pages and `fields.ftl` for
//! the labels of Relata's built-in fields and choice options (English's
//! is generated from the metadata; a test keeps it so). A message missing from a
//! language falls back to English (the test below fails on any); one
//! missing from English shows its id, so that it is seen.

use crate::Language;
use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use std::sync::OnceLock;

type Bundle = FluentBundle<FluentResource>;

/// The catalogue files of a language (the pseudo-language is made from
/// English's): the pages' strings, the built-in fields' labels, the call
/// center's pages, the other domain pages, and what domain rules refuse.
fn sources(language: Language) -> [&'static str; 5] {
    macro_rules! files {
        ($tag:literal) => {
            [
                include_str!(concat!("../locales/", $tag, "/ui.ftl")),
                include_str!(concat!("../locales/", $tag, "/fields.ftl")),
                include_str!(concat!("../locales/", $tag, "/calls.ftl")),
                include_str!(concat!("../locales/", $tag, "/pages.ftl")),
                include_str!(concat!("../locales/", $tag, "/refusals.ftl")),
            ]
        };
    }
    match language.data() {
        Language::Pl => files!("pl"),
        Language::Lt => files!("lt"),
        Language::Ru => files!("ru"),
        Language::Bg => files!("bg"),
        Language::En | Language::Pseudo => files!("en"),
    }
}

/// English's catalogue of built-in fields as the binary holds it (a test
/// compares it with what the metadata generates).
pub fn english_fields_catalogue() -> &'static str {
    sources(Language::En)[1]
}

fn bundle(language: Language) -> &'static Bundle {
    static BUNDLES: OnceLock<Vec<Bundle>> = OnceLock::new();
    &BUNDLES.get_or_init(|| Language::OFFERED.iter().map(|l| build(*l)).collect())[language.index()]
}

fn build(language: Language) -> Bundle {
    let id: unic_langid::LanguageIdentifier = language.tag().parse().unwrap_or_default();
    let mut bundle = FluentBundle::new_concurrent(vec![id]);
    // Pages are HTML: no invisible direction marks around arguments.
    bundle.set_use_isolating(false);
    let _ = bundle.add_function("PLURAL", move |positional, _named| match positional.first() {
        Some(FluentValue::Number(n)) => FluentValue::from(plural_category(language, n.value)),
        _ => FluentValue::Error,
    });
    for source in sources(language) {
        let resource = match FluentResource::try_new(source.to_string()) {
            Ok(resource) => resource,
            // A syntax error drops only the broken entries; the test fails on it.
            Err((resource, _)) => resource,
        };
        let _ = bundle.add_resource(resource);
    }
    bundle
}

/// CLDR's cardinal plural rules of a language, from ICU4X's data.
fn plural_rules(language: Language) -> icu_plurals::PluralRules {
    let locale: icu_locale_core::Locale = language.data().tag().parse().unwrap_or(icu_locale_core::Locale::UNKNOWN);
    icu_plurals::PluralRules::try_new_cardinal(locale.into())
        .or_else(|_| icu_plurals::PluralRules::try_new_cardinal(icu_locale_core::Locale::UNKNOWN.into()))
        .expect("the root locale's plural rules are compiled in")
}

/// The plural category of a number in a language, as a Fluent variant key
/// names it. Catalogues select on `PLURAL($count)` where the plural rules
/// that fluent-bundle carries are wrong for their language (Lithuanian:
/// it puts 22 under `other` and 111 under `one`); see [`OWN_PLURALS`].
fn plural_category(language: Language, n: f64) -> &'static str {
    use icu_plurals::{PluralCategory, PluralOperands, PluralRules};
    use std::cell::RefCell;
    use std::collections::HashMap;
    // The rules are not `Send`: each thread keeps its own, made once per language.
    thread_local! {
        static RULES: RefCell<HashMap<Language, PluralRules>> = RefCell::new(HashMap::new());
    }
    let operands: PluralOperands = if n.fract() == 0.0 && n.abs() < 1e15 {
        (n as i64).into()
    } else {
        n.to_string().parse::<fixed_decimal::Decimal>().map_or_else(|_| 0i64.into(), |d| (&d).into())
    };
    let category = RULES.with(|rules| {
        rules.borrow_mut().entry(language.data()).or_insert_with(|| plural_rules(language)).category_for(operands)
    });
    match category {
        PluralCategory::Zero => "zero",
        PluralCategory::One => "one",
        PluralCategory::Two => "two",
        PluralCategory::Few => "few",
        PluralCategory::Many => "many",
        PluralCategory::Other => "other",
    }
}

/// Languages whose catalogues choose plural forms with `PLURAL($n)`
/// (CLDR's rules through ICU4X) instead of selecting on `$n` itself: a
/// select on a bare number there may only name exact numbers (`[0]`, `[1]`)
/// and the default; a test holds them to it.
pub const OWN_PLURALS: [Language; 1] = [Language::Lt];

/// The strings of one language: what pages ask for their text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tr {
    pub language: Language,
}

impl Tr {
    pub fn new(language: Language) -> Tr {
        Tr { language }
    }

    /// The message `id`.
    pub fn t(&self, id: &str) -> String {
        self.format(id, None)
    }

    /// The message `id` with its arguments (`count` chooses the plural).
    pub fn t_with(&self, id: &str, args: &[(&str, Arg)]) -> String {
        let mut fluent = FluentArgs::new();
        for (name, value) in args {
            let value = match value {
                Arg::Text(text) => FluentValue::from(text.clone()),
                Arg::Number(n) => FluentValue::from(*n),
                Arg::Label { id, fallback } => FluentValue::from(self.t_or(id, fallback)),
            };
            fluent.set(*name, value);
        }
        self.format(id, Some(&fluent))
    }

    /// The message `id` counted: `count` chooses the plural form.
    pub fn count(&self, id: &str, count: i64) -> String {
        self.t_with(id, &[("count", Arg::Number(count))])
    }

    fn format(&self, id: &str, args: Option<&FluentArgs>) -> String {
        self.format_found(id, args).unwrap_or_else(|| id.to_string())
    }

    fn format_found(&self, id: &str, args: Option<&FluentArgs>) -> Option<String> {
        let found = [self.language, Language::En].into_iter().find_map(|language| {
            let bundle = bundle(language);
            let pattern = bundle.get_message(id)?.value()?;
            let mut errors = Vec::new();
            Some(bundle.format_pattern(pattern, args, &mut errors).into_owned())
        });
        match found {
            Some(text) if self.language == Language::Pseudo => Some(pseudo(&text)),
            found => found,
        }
    }

    /// The message `id`, if a catalogue has it.
    pub fn find(&self, id: &str) -> Option<String> {
        self.format_found(id, None)
    }

    /// The message `id`, or `fallback` where no catalogue has it (a custom
    /// object's label, which its definition gives).
    pub fn t_or(&self, id: &str, fallback: &str) -> String {
        self.format_found(id, None).unwrap_or_else(|| fallback.to_string())
    }
}

/// An argument of a message (numbers choose plural forms).
pub use relata_core::error::Arg;

/// A domain rule's refusal of a field: the message `id` of `refusals.ftl`
/// with its arguments. The API says it in English (the `message`, from the
/// English catalogue, so the words are written once); pages say it in the
/// reader's language.
pub fn refusal(
    field: impl Into<String>,
    code: &'static str,
    id: &'static str,
    args: Vec<(&'static str, Arg)>,
) -> relata_core::FieldError {
    let message = Tr::new(Language::En).t_with(id, &args);
    relata_core::FieldError {
        said: Some(relata_core::error::Said { id, args }),
        ..relata_core::FieldError::new(field, code, message)
    }
}

/// A domain rule's [`refusal`] as the whole input's error.
pub fn refused(
    field: impl Into<String>,
    code: &'static str,
    id: &'static str,
    args: Vec<(&'static str, Arg)>,
) -> relata_core::ValidationError {
    relata_core::ValidationError { errors: vec![refusal(field, code, id, args)] }
}

/// A choice option of a field of Relata's own types, named by its label
/// in the reader's language.
pub fn option(kind: relata_core::meta::EntityKind, field: &str, value: &str) -> Arg {
    Arg::Label { id: format!("option-{}-{field}-{value}", kind.api_name()), fallback: value.to_string() }
}

/// A type's singular name ("contact"), in the reader's language.
pub fn entity_one(kind: relata_core::meta::EntityKind) -> Arg {
    Arg::Label { id: format!("entity-one-{}", kind.api_name()), fallback: kind.singular().to_string() }
}

impl Tr {
    /// A catalogue message by id with its arguments (a refusal's reason),
    /// in this language.
    pub fn said(&self, said: &relata_core::error::Said) -> String {
        self.t_with(said.id, &said.args)
    }

    /// What a field's refusal says in this language: its own message where
    /// it has one, else the catalogue's for its code (`error-required`:
    /// what any field of its type can be refused for), else the API's words.
    pub fn refusal(&self, error: &relata_core::FieldError) -> String {
        match &error.said {
            Some(said) => self.said(said),
            None => self.find(&format!("error-{}", error.code)).unwrap_or_else(|| error.message.clone()),
        }
    }
}

/// Where a pseudo-translated message begins and ends.
pub const PSEUDO_OPEN: char = '⟦';
pub const PSEUDO_CLOSE: char = '⟧';

/// English made strange but readable: letters accented, the whole in
/// brackets, so a page in the pseudo-language shows at a glance (and to a
/// test) which text did not come from a catalogue.
fn pseudo(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 2 + 6);
    out.push(PSEUDO_OPEN);
    let mut in_markup = false;
    for c in text.chars() {
        // Markup a message carries (a link) keeps its ASCII.
        match c {
            '<' => in_markup = true,
            '>' => in_markup = false,
            _ => {}
        }
        out.push(if in_markup { c } else { accented(c) });
    }
    out.push(PSEUDO_CLOSE);
    out
}

fn accented(c: char) -> char {
    const PLAIN: &str = "aceinosuyzACEINOSUYZ";
    const MARKED: &str = "àçéîñöšüýžÀÇÉÎÑÖŠÜÝŽ";
    PLAIN.chars().position(|p| p == c).and_then(|at| MARKED.chars().nth(at)).unwrap_or(c)
}

/// Every message id of a language's own catalogue (a message starts a
/// line with its id and ` =`; comments, terms and continuation lines do
/// not).
pub fn ids(language: Language) -> Vec<&'static str> {
    sources(language)
        .into_iter()
        .flat_map(str::lines)
        .filter(|line| line.starts_with(|c: char| c.is_ascii_lowercase()))
        .filter_map(|line| line.split_once(" =").map(|(id, _)| id.trim()))
        .collect()
}

/// The syntax errors of a language's catalogue, as text.
pub fn syntax_errors(language: Language) -> Vec<String> {
    sources(language)
        .into_iter()
        .flat_map(|source| match FluentResource::try_new(source.to_string()) {
            Ok(_) => Vec::new(),
            Err((_, errors)) => errors.iter().map(|e| format!("{e:?}")).collect(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_catalogue_parses_and_has_every_english_message() {
        let english = ids(Language::En);
        assert!(english.len() > 50, "the English catalogue has {} messages", english.len());
        for language in Language::OFFERED {
            assert_eq!(syntax_errors(language), Vec::<String>::new(), "{} has syntax errors", language.tag());
            let own = ids(language);
            let missing: Vec<_> = english.iter().filter(|id| !own.contains(id)).collect();
            assert!(missing.is_empty(), "{} lacks {missing:?}", language.tag());
            let extra: Vec<_> = own.iter().filter(|id| !english.contains(id)).collect();
            assert!(extra.is_empty(), "{} has messages English lacks: {extra:?}", language.tag());
        }
    }

    #[test]
    fn a_refusal_speaks_english_to_the_api_and_each_reader_s_language_on_pages() {
        let refused = refusal(
            "status",
            "invalid_transition",
            "refuse-invoice-transition",
            vec![
                ("was", Arg::Label { id: "option-invoices-status-paid".into(), fallback: "paid".into() }),
                ("asked", "draft".into()),
            ],
        );
        assert_eq!(refused.code, "invalid_transition");
        assert!(refused.message.starts_with("an invoice cannot go from Paid to draft:"), "{}", refused.message);
        let polish = Tr::new(Language::Pl).refusal(&refused);
        assert!(polish.contains("Zapłacona") && !polish.contains("cannot"), "{polish}");
        // Without words of its own, a refusal is said by its code, else as the API says it.
        let generic = relata_core::FieldError::new("last_name", "required", "is required");
        assert_eq!(Tr::new(Language::Lt).refusal(&generic), Tr::new(Language::Lt).t("error-required"));
        let unknown = relata_core::FieldError::new("x", "no_such_code", "as the API says");
        assert_eq!(Tr::new(Language::Ru).refusal(&unknown), "as the API says");
    }

    /// Every `"refuse-…"` id the crates' sources name, by walking them.
    fn refusal_ids_in_sources() -> std::collections::BTreeSet<String> {
        fn walk(dir: &std::path::Path, found: &mut std::collections::BTreeSet<String>) {
            for entry in std::fs::read_dir(dir).expect("a source folder").flatten() {
                let path = entry.path();
                if path.is_dir() {
                    walk(&path, found);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    let text = std::fs::read_to_string(&path).expect("a source file");
                    for (at, _) in text.match_indices("\"refuse-") {
                        let rest = &text[at + 1..];
                        // An id is a whole string literal of lower-case words.
                        let end = rest.find(|c: char| !(c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'));
                        let id = &rest[..end.unwrap_or(rest.len())];
                        if rest[id.len()..].starts_with('"') && id.len() > "refuse-".len() {
                            found.insert(id.to_string());
                        }
                    }
                }
            }
        }
        let crates = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("the crates folder");
        let mut found = std::collections::BTreeSet::new();
        for entry in std::fs::read_dir(crates).expect("the crates folder").flatten() {
            let src = entry.path().join("src");
            if src.is_dir() {
                walk(&src, &mut found);
            }
        }
        found
    }

    #[test]
    fn every_refusal_the_code_names_is_in_the_catalogue_and_every_one_there_is_used() {
        let named = refusal_ids_in_sources();
        assert!(named.len() > 50, "found {} refusal ids in the sources", named.len());
        let catalogued: std::collections::BTreeSet<String> =
            ids(Language::En).into_iter().filter(|id| id.starts_with("refuse-")).map(str::to_string).collect();
        let missing: Vec<_> = named.difference(&catalogued).collect();
        assert!(missing.is_empty(), "refusals the code names that refusals.ftl lacks: {missing:?}");
        let unused: Vec<_> = catalogued.difference(&named).collect();
        assert!(unused.is_empty(), "refusals.ftl messages no code names: {unused:?}");
    }

    #[test]
    fn plurals_follow_each_language() {
        let pl = Tr::new(Language::Pl);
        assert_eq!(pl.count("relative-days-ago", 1), "wczoraj");
        assert_eq!(pl.count("relative-days-ago", 3), "3 dni temu");
        assert_eq!(pl.count("relative-hours-ahead", 5), "za 5 godzin");
        assert_eq!(pl.count("relative-hours-ahead", 22), "za 22 godziny");
        let ru = Tr::new(Language::Ru);
        assert_eq!(ru.count("relative-days-ago", 21), "21 день назад");
        assert_eq!(ru.count("relative-days-ago", 5), "5 дней назад");
        let en = Tr::new(Language::En);
        assert_eq!(en.count("relative-days-ago", 3), "3 days ago");
        assert_eq!(en.count("relative-hours-ahead", 1), "in 1 hour");
    }

    /// Where a language chooses plurals through `PLURAL($n)`, a select on
    /// the bare number would fall back on fluent-bundle's rules: it may
    /// name only exact numbers and its default.
    #[test]
    fn languages_with_own_plural_rules_choose_forms_through_them() {
        use fluent_syntax::ast::{Expression, InlineExpression, Pattern, PatternElement, VariantKey};
        fn bare_selects_with_categories(pattern: &Pattern<&str>, found: &mut Vec<String>) {
            for element in &pattern.elements {
                let PatternElement::Placeable { expression: Expression::Select { selector, variants } } = element
                else {
                    continue;
                };
                for variant in variants {
                    if let (InlineExpression::VariableReference { id }, VariantKey::Identifier { name }) =
                        (selector, &variant.key)
                        && ["zero", "one", "two", "few", "many", "other"].contains(name)
                        && !(variant.default && *name == "other")
                    {
                        found.push(format!("${} -> [{name}]", id.name));
                    }
                    bare_selects_with_categories(&variant.value, found);
                }
            }
        }
        for language in OWN_PLURALS {
            let mut found = Vec::new();
            for source in sources(language) {
                let resource = fluent_syntax::parser::parse(source).unwrap_or_else(|(resource, _)| resource);
                for entry in &resource.body {
                    if let fluent_syntax::ast::Entry::Message(message) = entry
                        && let Some(pattern) = &message.value
                    {
                        let before = found.len();
                        bare_selects_with_categories(pattern, &mut found);
                        for f in &mut found[before..] {
                            *f = format!("{}: {f}", message.id.name);
                        }
                    }
                }
            }
            assert!(found.is_empty(), "{} selects plural categories on bare numbers: {found:?}", language.tag());
        }
        let lt = Tr::new(Language::Lt);
        let records = |n| lt.count("home-widget-records", n);
        assert_eq!(
            [1, 2, 9, 10, 12, 21, 22, 111, 122].map(records),
            [
                "1 įrašas",
                "2 įrašai",
                "9 įrašai",
                "10 įrašų",
                "12 įrašų",
                "21 įrašas",
                "22 įrašai",
                "111 įrašų",
                "122 įrašai"
            ]
        );
        assert_eq!(lt.count("relative-days-ago", 1), "vakar");
        assert_eq!(lt.count("relative-days-ago", 23), "prieš 23 dienas");
        assert_eq!(lt.count("notifications-unread", 0), "Pranešimai, neperskaitytų nėra");
        assert_eq!(lt.count("notifications-unread", 32), "Pranešimai, 32 neperskaityti");
        // The other languages' rules agree with CLDR's.
        let pl = |n: i32| plural_category(Language::Pl, f64::from(n));
        assert_eq!([1, 2, 5, 22, 25, 112].map(pl), ["one", "few", "many", "few", "many", "many"]);
        assert_eq!(plural_category(Language::Lt, 1.5), "many", "Lithuanian fractions");
    }

    #[test]
    fn the_pseudo_language_marks_every_message_and_missing_ones_show_their_id() {
        let pseudo = Tr::new(Language::Pseudo).t("nav-home");
        assert!(pseudo.starts_with(PSEUDO_OPEN) && pseudo.ends_with(PSEUDO_CLOSE), "{pseudo}");
        assert_ne!(pseudo, format!("{PSEUDO_OPEN}{}{PSEUDO_CLOSE}", Tr::new(Language::En).t("nav-home")));
        assert_eq!(Tr::new(Language::Pl).t("no-such-message"), "no-such-message");
    }
}
