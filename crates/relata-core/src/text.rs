//! Text normalisation for search: both backends index and query the same
//! folded words, so "Dabrowska" finds "Dąbrowska" on SQLite and PostgreSQL
//! alike, and punctuation never decides what matches.

/// The base letter of a Latin letter with a diacritic (`ą` → `a`), for the
/// letters of the languages Relata's users write in; others are kept.
fn fold_char(c: char) -> &'static str {
    match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => "a",
        'æ' => "ae",
        'ç' | 'ć' | 'ĉ' | 'ċ' | 'č' => "c",
        'ď' | 'đ' => "d",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ĕ' | 'ė' | 'ę' | 'ě' => "e",
        'ĝ' | 'ğ' | 'ġ' | 'ģ' => "g",
        'ĥ' | 'ħ' => "h",
        'ì' | 'í' | 'î' | 'ï' | 'ĩ' | 'ī' | 'ĭ' | 'į' | 'ı' => "i",
        'ĵ' => "j",
        'ķ' => "k",
        'ĺ' | 'ļ' | 'ľ' | 'ŀ' | 'ł' => "l",
        'ñ' | 'ń' | 'ņ' | 'ň' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ŏ' | 'ő' => "o",
        'œ' => "oe",
        'ŕ' | 'ŗ' | 'ř' => "r",
        'ś' | 'ŝ' | 'ş' | 'š' | 'ș' => "s",
        'ß' => "ss",
        'ţ' | 'ť' | 'ŧ' | 'ț' => "t",
        'ù' | 'ú' | 'û' | 'ü' | 'ũ' | 'ū' | 'ŭ' | 'ů' | 'ű' | 'ų' => "u",
        'ŵ' => "w",
        'ý' | 'ÿ' | 'ŷ' => "y",
        'ź' | 'ż' | 'ž' => "z",
        _ => "",
    }
}

/// Lower-cased words of `text` with diacritics folded; everything that is not
/// a letter or digit separates words.
pub fn search_words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(|w| {
        let mut out = String::with_capacity(w.len());
        for c in w.chars().flat_map(char::to_lowercase) {
            match fold_char(c) {
                "" => out.push(c),
                base => out.push_str(base),
            }
        }
        out
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_case_diacritics_and_punctuation() {
        let words: Vec<String> = search_words("Małgorzata DĄBROWSKA-Žukauskienė, gosia@amber.pl +48 58").collect();
        assert_eq!(words, ["malgorzata", "dabrowska", "zukauskiene", "gosia", "amber", "pl", "48", "58"]);
        assert_eq!(search_words("Straße Иван").collect::<Vec<_>>(), ["strasse", "иван"]);
        assert_eq!(search_words("  ...  ").count(), 0);
    }
}
