//! Person names: RU Фамилия Имя Отчество, JP family-first, Western given-first.
//!
//! - Titles (Mr, Dr, г-н, military ranks…) and suffixes (Jr., III, PhD, Esq,
//!   CPA…) from `data/person_titles.txt` are dropped, as are Japanese
//!   honorifics glued to the name (山田太郎様) and nicknames in quotes or
//!   brackets (Robert "Bob" Smith, William (Bill) Clinton).
//! - Cyrillic: Фамилия Имя Отчество unless a patronymic (-ович, -овна, -ична,
//!   оглы/кызы…) stands second (Имя Отчество Фамилия); initials in any position
//!   (Иванов И.И., И. И. Иванов, Иванов И И) become `И.`.
//! - Japanese (kana/kanji): family first. Without a space the family name is
//!   the longest known surname (`data/jp_family_names.txt`) that leaves a
//!   given name; an unknown one keeps the whole name in `family` and `given`
//!   stays empty — the caller may flag that. Katakana with `・` (ジョン・スミス)
//!   is a foreign name, given first.
//! - Latin: given first ("Smith, John" and a leading ALL-CAPS family name
//!   "YAMADA Taro" are family first); Latin patronymics (-ovich, -ovna) switch
//!   to the Russian order; particles (van, de, St.) stay with the family name,
//!   and a Spanish `y` joins two family names (Velasquez y Garcia).
//! - A single word is taken as the family name (CRMs require a last name).
//! - Case: a word written all upper or all lower case is title-cased per
//!   hyphen/apostrophe part (JOHN O'NEIL → John O'Neil, Mc prefix kept);
//!   mixed case (McDonald, DiCaprio) is kept as written.
//! - `match_key`: family given middle through the organization key folding
//!   (case, Ё→Е, punctuation, Cyrillic → Latin, no spaces between CJK — so
//!   山田太郎 and 山田 太郎 agree however they were split), then
//!   `translit::latin_key` so Yulia/Юлия/Iuliia meet.

use crate::model::PersonName;
use crate::normalize::org::{is_cjk, push_match_key};
use crate::normalize::{text, translit};
use std::borrow::Cow;
use std::sync::LazyLock;

/// Which order a full name is written in; `Auto` decides from the script.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum NameOrder {
    #[default]
    Auto,
    /// Фамилия Имя Отчество (also initials: Иванов И.И.).
    FamilyFirst,
    /// Given Middle Family, with titles and suffixes.
    GivenFirst,
}

struct Words {
    titles: text::FastSet<&'static str>,
    suffixes: text::FastSet<&'static str>,
    particles: text::FastSet<&'static str>,
    /// Particles written capitalized (St., San): not lower-cased by `tidy_case`.
    capitalized_particles: text::FastSet<&'static str>,
    honorifics: Vec<&'static str>,
    jp_family: text::FastSet<&'static str>,
}

static WORDS: LazyLock<Words> = LazyLock::new(|| {
    let mut w = Words {
        titles: text::FastSet::default(),
        suffixes: text::FastSet::default(),
        particles: text::FastSet::default(),
        capitalized_particles: text::FastSet::default(),
        honorifics: Vec::new(),
        jp_family: text::FastSet::default(),
    };
    for line in include_str!("../../data/person_titles.txt")
        .lines()
        .filter(|l| !l.starts_with('#'))
    {
        let Some((kind, word)) = line.split_once('\t') else {
            continue;
        };
        let word = word.trim().trim_end_matches('.');
        match kind {
            "title" => w.titles.insert(word),
            "suffix" => w.suffixes.insert(word),
            "particle" => w.particles.insert(word),
            "particle_cap" => {
                w.capitalized_particles.insert(word);
                w.particles.insert(word)
            }
            "honorific_jp" => {
                w.honorifics.push(word);
                true
            }
            _ => false,
        };
    }
    // Longest first, so さま is tried before a one-character honorific.
    w.honorifics.sort_by_key(|h| std::cmp::Reverse(h.len()));
    w.jp_family = include_str!("../../data/jp_family_names.txt")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect();
    w
});

/// Lower case, Ё→Е, trailing dot dropped: how words are compared with the lists.
/// Handed to `f` from a stack buffer: names are checked word by word against several
/// lists, and allocating each key was a third of a name's time.
fn with_word_key<R>(w: &str, f: impl FnOnce(&str) -> R) -> R {
    let w = w.trim_end_matches('.');
    let mut buf = [0u8; 64];
    let mut len = 0;
    for c in w.chars() {
        // Characters that need the Unicode tables (or a long word) take the general path.
        let Some(l) = text::lower_fast(c).filter(|l| len + l.len_utf8() <= buf.len()) else {
            return f(&text::lower_yo(w));
        };
        let l = if l == 'ё' { 'е' } else { l };
        len += l.encode_utf8(&mut buf[len..]).len();
    }
    match std::str::from_utf8(&buf[..len]) {
        Ok(key) => f(key),
        Err(_) => f(&text::lower_yo(w)),
    }
}

fn in_list(list: &text::FastSet<&'static str>, w: &str) -> bool {
    with_word_key(w, |k| list.contains(k))
}

/// A patronymic, Cyrillic or in Latin transliteration, or оглы/кызы.
fn is_patronymic(w: &str) -> bool {
    with_word_key(w, is_patronymic_key)
}

fn is_patronymic_key(k: &str) -> bool {
    let long_enough = k.chars().count() >= 5;
    const ENDINGS: [&str; 10] = [
        "ович", "евич", "овна", "евна", "ична", "ovich", "evich", "ovna", "evna", "ichna",
    ];
    (long_enough && ENDINGS.iter().any(|e| k.ends_with(e)))
        || (k.chars().count() >= 4 && k.ends_with("ич"))
        || k.ends_with(" оглы")
        || k.ends_with(" кызы")
        || k.ends_with(" ogly")
        || k.ends_with(" kyzy")
}

fn is_turkic_patronymic_marker(w: &str) -> bool {
    with_word_key(w, |k| {
        matches!(
            k,
            "оглы"
                | "кызы"
                | "оглу"
                | "улы"
                | "уулу"
                | "гызы"
                | "ogly"
                | "kyzy"
                | "oglu"
                | "uly"
        )
    })
}

/// One letter, with or without a dot: an initial.
fn is_initial(w: &str) -> bool {
    let mut letters = w.trim_end_matches('.').chars();
    // Cased scripts only: a one-kanji given name (亮) is not an initial.
    matches!((letters.next(), letters.next()), (Some(c), None) if c.is_uppercase() || c.is_lowercase())
}

/// Title-cases a word written all in one case; keeps mixed case as written.
fn tidy_case(w: &str, first_word: bool) -> String {
    // "y" in "Velasquez y Garcia" is a particle, not an initial.
    if !first_word && w.len() == 1 && in_list(&WORDS.particles, w) {
        return text::to_lower(w);
    }
    if is_initial(w) {
        let letter = w.trim_end_matches('.');
        let upper = letter.to_uppercase();
        // ῲ upper-cases to two letters, which would no longer read as an initial.
        let mut out = if upper.chars().nth(1).is_none() {
            upper
        } else {
            letter.to_string()
        };
        out.push('.');
        return out;
    }
    let has_upper = w.chars().any(char::is_uppercase);
    let has_lower = w.chars().any(char::is_lowercase);
    if has_upper && has_lower {
        return w.to_string();
    }
    let lower = text::to_lower(w);
    let key = lower.trim_end_matches('.');
    if !first_word && WORDS.particles.contains(key) && !WORDS.capitalized_particles.contains(key) {
        return lower;
    }
    let mut out = String::with_capacity(w.len());
    let mut start_of_part = true;
    let mut part_len = 0;
    let mut part_start = 0;
    for c in lower.chars() {
        let cased = c.is_lowercase() || c.is_uppercase();
        if start_of_part && cased {
            push_upper(c, &mut out);
        } else if part_len == 2 && out[part_start..].eq_ignore_ascii_case("mc") {
            // McDONALD / mcdonald → McDonald.
            push_upper(c, &mut out);
        } else {
            out.push(c);
        }
        // A part starts after a hyphen or apostrophe and lasts until its first cased letter.
        start_of_part = matches!(c, '-' | '\'' | '’') || (start_of_part && !cased);
        if start_of_part {
            part_len = 0;
            part_start = out.len();
        } else {
            part_len += 1;
        }
    }
    out
}

/// Upper case of one letter, or the letter itself where that is several
/// characters (ß → SS, ῢ → Ϋ̀): those would not read back the same.
fn push_upper(c: char, out: &mut String) {
    let upper = c.to_uppercase();
    if upper.len() == 1 {
        out.extend(upper);
    } else {
        out.push(c);
    }
}

/// Splits "И.И.Иванов" / "J.R.R." into words after each inner dot.
fn split_initials(w: &str) -> impl Iterator<Item = &str> {
    let mut rest = w;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let cut = rest
            .char_indices()
            .find(|&(i, c)| c == '.' && i + 1 < rest.len())
            .map(|(i, _)| i + 1);
        let (head, tail) = rest.split_at(cut.unwrap_or(rest.len()));
        rest = tail;
        Some(head)
    })
}

fn strip_jp_honorific(s: &str) -> &str {
    for h in &WORDS.honorifics {
        if let Some(rest) = s.strip_suffix(h) {
            let rest = rest.trim_end();
            if !rest.is_empty() {
                return rest;
            }
        }
    }
    s
}

/// Family / given for a Japanese name written without a space.
fn split_jp(name: &str) -> (String, String) {
    let ends: Vec<usize> = name
        .char_indices()
        .map(|(i, _)| i)
        .skip(1)
        .take(4)
        .collect();
    for &end in ends.iter().rev() {
        if WORDS.jp_family.contains(&name[..end]) {
            return (name[..end].to_string(), name[end..].to_string());
        }
    }
    (name.to_string(), String::new())
}

fn join(words: &[String]) -> String {
    words.join(" ")
}

/// family, given, middle from words already in Фамилия Имя Отчество order or
/// with the patronymic / initials telling otherwise.
fn russian_order(words: &[String]) -> (String, String, String) {
    let n = words.len();
    let initial = |i: usize| is_initial(&words[i]);
    match n {
        0 => Default::default(),
        1 => (words[0].clone(), String::new(), String::new()),
        _ if (0..n - 1).all(initial) && !initial(n - 1) => {
            // И. И. Иванов
            (
                words[n - 1].clone(),
                words[0].clone(),
                join(&words[1..n - 1]),
            )
        }
        2 if is_patronymic(&words[1]) => (String::new(), words[0].clone(), words[1].clone()),
        _ if n >= 3 && is_patronymic(&words[n - 1]) && !initial(1) => (
            join(&words[..n - 2]),
            words[n - 2].clone(),
            words[n - 1].clone(),
        ),
        _ if n >= 3 && is_patronymic(&words[1]) => {
            (join(&words[2..]), words[0].clone(), words[1].clone())
        }
        _ => (words[0].clone(), words[1].clone(), join(&words[2..])),
    }
}

fn western_order(words: &[String]) -> (String, String, String) {
    let n = words.len();
    match n {
        0 => Default::default(),
        1 => (words[0].clone(), String::new(), String::new()),
        _ => {
            // The family name takes the particles before it: "van Beethoven",
            // and a Spanish "y" joins two family names: "Velasquez y Garcia".
            let mut start = n - 1;
            loop {
                while start > 1 && in_list(&WORDS.particles, &words[start - 1]) {
                    start -= 1;
                }
                let conjunction = with_word_key(&words[start], |k| k == "y");
                if start > 1 && start < n - 1 && conjunction {
                    start -= 1;
                    continue;
                }
                break;
            }
            (
                join(&words[start..]),
                words[0].clone(),
                join(&words[1..start]),
            )
        }
    }
}

fn all_caps(w: &str) -> bool {
    w.chars().filter(|&c| text::is_alpha(c)).count() >= 2 && !w.chars().any(char::is_lowercase)
}

/// Words of a (non-Japanese) name with titles, suffixes and stray quotes removed.
fn name_words(s: &str) -> Vec<&str> {
    let mut words: Vec<&str> = s
        .split(|c: char| c.is_whitespace() || c == '"' || c == '«' || c == '»')
        .filter(|w| !w.is_empty())
        // "Ph.D." and "M.D." are suffixes, not initials.
        .flat_map(|w| {
            let listed = w.contains('.') && in_list(&WORDS.suffixes, w);
            let (whole, split) = if listed {
                (Some(w), None)
            } else {
                (None, Some(split_initials(w)))
            };
            whole.into_iter().chain(split.into_iter().flatten())
        })
        .collect();
    while words.len() > 1 && in_list(&WORDS.titles, words[0]) {
        words.remove(0);
    }
    while words.len() > 1 && in_list(&WORDS.suffixes, words[words.len() - 1]) {
        words.pop();
    }
    words
}

/// Split and order a full name.
pub fn normalize_person_name(input: &str, order: NameOrder) -> PersonName {
    let s = if input.is_ascii() {
        input.to_string()
    } else {
        text::nfkc_keep_dashes(input)
    };
    let s = strip_nicknames(&s);
    let s = text::collapse_ws(&s);
    let s = strip_jp_honorific(&s);

    let (family, given, middle) = if s.chars().any(is_cjk) {
        japanese(s, order)
    } else if !s.contains(',') {
        // One part (the common case): its words are split once, not once to check
        // them and again to order them; a part of suffixes only is dropped as below.
        let part = s.trim();
        let words = name_words(part);
        let suffixes_only = words.iter().all(|w| in_list(&WORDS.suffixes, w));
        if part.is_empty() || suffixes_only {
            ordered(&[], order)
        } else {
            ordered(&words, order)
        }
    } else {
        // "Smith, John" / "Иванов, Иван Иванович": family before the comma;
        // a part that holds only suffixes ("John Smith, Jr.") is dropped.
        let parts: Vec<&str> = s
            .split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty() && !name_words(p).iter().all(|w| in_list(&WORDS.suffixes, w)))
            .collect();
        if let [family, rest @ ..] = parts.as_slice()
            && !rest.is_empty()
        {
            let family: Vec<&str> = name_words(family);
            let rest: Vec<&str> = rest.iter().flat_map(|p| name_words(p)).collect();
            let tidy = |ws: &[&str]| {
                ws.iter()
                    .map(|w| tidy_case(w, false))
                    .collect::<Vec<_>>()
                    .join(" ")
            };
            let given = rest
                .first()
                .map(|w| tidy_case(w, false))
                .unwrap_or_default();
            (
                tidy(&family),
                given,
                tidy(rest.get(1..).unwrap_or_default()),
            )
        } else {
            ordered(&name_words(&parts.join(" ")), order)
        }
    };
    build(input, family, given, middle)
}

/// Drops nicknames and notes in quotes or brackets: Robert "Bob" Smith,
/// William (Bill) Clinton, Margaret 'Peggy' Olson, 山田太郎（ヤマダタロウ）.
/// A single quote opens only at a word's start and closes at its end, so
/// O'Neil and D'Angelo stay. Kept when nothing else would remain.
fn strip_nicknames(s: &str) -> Cow<'_, str> {
    if !s.contains(['"', '(', '[', '“', '„', '\'', '‘']) {
        return Cow::Borrowed(s);
    }
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let word_start = i == 0 || chars[i - 1].is_whitespace();
        let close = match c {
            '"' => Some('"'),
            '“' => Some('”'),
            '„' => Some('“'),
            '(' => Some(')'),
            '[' => Some(']'),
            '\'' if word_start => Some('\''),
            '‘' if word_start => Some('’'),
            _ => None,
        };
        let end = close.and_then(|close| {
            let end = i + 1 + chars[i + 1..].iter().position(|&d| d == close)?;
            let single = matches!(c, '\'' | '‘');
            let word_end = chars
                .get(end + 1)
                .is_none_or(|n| n.is_whitespace() || *n == ',');
            (!single || word_end).then_some(end)
        });
        match end {
            Some(end) => {
                out.push(' ');
                i = end + 1;
            }
            None => {
                out.push(c);
                i += 1;
            }
        }
    }
    if out.chars().any(char::is_alphanumeric) {
        Cow::Owned(out)
    } else {
        Cow::Borrowed(s)
    }
}

fn japanese(s: &str, order: NameOrder) -> (String, String, String) {
    // ジョン・スミス: a foreign name in katakana, given first.
    if s.contains('・') || s.contains('=') {
        let words: Vec<String> = s
            .split(['・', '=', ' '])
            .filter(|w| !w.is_empty())
            .map(|w| tidy_case(w, false))
            .collect();
        return western_order(&words);
    }
    let words: Vec<String> = s
        .split(' ')
        .filter(|w| !w.is_empty())
        .map(|w| tidy_case(w, false))
        .collect();
    match (words.as_slice(), order) {
        ([], _) => Default::default(),
        ([one], _) => {
            let (family, given) = split_jp(one);
            (family, given, String::new())
        }
        ([first, rest @ ..], NameOrder::GivenFirst) => {
            (rest.concat(), first.clone(), String::new())
        }
        ([first, rest @ ..], _) => (first.clone(), rest.concat(), String::new()),
    }
}

fn ordered(raw: &[&str], order: NameOrder) -> (String, String, String) {
    // "Гусейн оглы" is one patronymic.
    let mut words: Vec<String> = Vec::with_capacity(raw.len());
    for (i, w) in raw.iter().enumerate() {
        let tidy = tidy_case(w, i == 0);
        match words.last_mut() {
            Some(prev) if is_turkic_patronymic_marker(w) => {
                prev.push(' ');
                prev.push_str(&text::to_lower(&tidy));
            }
            _ => words.push(tidy),
        }
    }
    let cyrillic = raw
        .iter()
        .any(|w| w.chars().any(|c| matches!(c, '\u{400}'..='\u{4FF}')));
    match order {
        NameOrder::FamilyFirst => russian_order(&words),
        NameOrder::GivenFirst => western_order(&words),
        NameOrder::Auto if cyrillic || words.iter().any(|w| is_patronymic(w)) => {
            russian_order(&words)
        }
        NameOrder::Auto
            if words.len() >= 2 && all_caps(raw[0]) && !raw[1..].iter().any(|w| all_caps(w)) =>
        {
            // YAMADA Taro: the family name in capitals, written first.
            russian_order(&words)
        }
        NameOrder::Auto => western_order(&words),
    }
}

fn build(input: &str, family: String, given: String, middle: String) -> PersonName {
    // One pass over the joined parts, so a Japanese split leaves no space in the key.
    let mut key = String::with_capacity(family.len() + given.len() + middle.len() + 2);
    push_match_key(
        &[family.as_str(), given.as_str(), middle.as_str()].join(" "),
        &mut key,
    );
    PersonName {
        input: input.to_string(),
        family,
        given,
        middle,
        reading: None,
        match_key: translit::latin_key(&key),
    }
}

/// Build a name from separate columns: NFKC, spaces and case tidied, same match key.
pub fn person_from_parts(family: &str, given: &str, middle: &str) -> PersonName {
    let tidy = |part: &str| {
        let s = text::collapse_ws(&text::nfkc_keep_dashes(part));
        s.split(' ')
            .filter(|w| !w.is_empty())
            .map(|w| tidy_case(w, false))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let input = [family, given, middle]
        .iter()
        .filter(|p| !p.trim().is_empty())
        .copied()
        .collect::<Vec<_>>();
    build(&input.join(" "), tidy(family), tidy(given), tidy(middle))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every row of the golden file; all mismatches are reported at once.
    #[test]
    fn golden_person_names() {
        let data = include_str!("../../tests/fixtures/normalize/person_name.tsv");
        let mut rows = 0;
        let mut failures = Vec::new();
        for line in data
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        {
            let cols: Vec<&str> = line.split('\t').collect();
            assert_eq!(cols.len(), 6, "malformed fixture line: {line:?}");
            let order = match cols[1] {
                "family" => NameOrder::FamilyFirst,
                "given" => NameOrder::GivenFirst,
                _ => NameOrder::Auto,
            };
            let got = normalize_person_name(cols[0], order);
            let got_cols = [
                got.family.as_str(),
                got.given.as_str(),
                got.middle.as_str(),
                got.match_key.as_str(),
            ];
            if got_cols[..] != cols[2..] {
                failures.push(format!("{}\t{}\t{}", cols[0], cols[1], got_cols.join("\t")));
            }
            rows += 1;
        }
        assert!(rows >= 100, "only {rows} golden rows");
        assert!(
            failures.is_empty(),
            "{} of {rows} rows differ (got):\n{}",
            failures.len(),
            failures.join("\n")
        );
    }

    /// English full names (titles, suffixes, particles, "Last, First",
    /// nicknames): at least 300, all right.
    #[test]
    fn english_names_table() {
        let data = include_str!("../../tests/fixtures/normalize/person_name_en.tsv");
        let mut rows = 0;
        let mut failures = Vec::new();
        for line in data
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        {
            let cols: Vec<&str> = line.split('\t').collect();
            assert_eq!(cols.len(), 4, "malformed fixture line: {line:?}");
            let got = normalize_person_name(cols[0], NameOrder::Auto);
            let got_cols = [got.family.as_str(), got.given.as_str(), got.middle.as_str()];
            if got_cols[..] != cols[1..] {
                failures.push(format!("{}\t{}", cols[0], got_cols.join("\t")));
            }
            rows += 1;
        }
        assert!(rows >= 300, "only {rows} names");
        assert!(
            failures.is_empty(),
            "{} of {rows} names differ (got):\n{}",
            failures.len(),
            failures.join("\n")
        );
    }

    #[test]
    fn nicknames_and_j_in_keys() {
        let p = normalize_person_name("Kenji \"Ken\" Watanabe", NameOrder::Auto);
        assert_eq!(p.match_key, "vatanabe kenji");
        assert_eq!(
            normalize_person_name("John O'Neil", NameOrder::Auto).family,
            "O'Neil"
        );
    }

    #[test]
    fn empty_and_blank() {
        for input in ["", "   ", "\u{3000}", "様", "Mr.", ","] {
            let p = normalize_person_name(input, NameOrder::Auto);
            assert_eq!(p.input, input);
            assert!(
                p.given.is_empty() && p.middle.is_empty(),
                "{input:?} → {p:?}"
            );
        }
    }

    #[test]
    fn from_parts_matches_full_name() {
        let parts = person_from_parts(" ИВАНОВ ", "иван", "Иванович");
        assert_eq!(
            (
                parts.family.as_str(),
                parts.given.as_str(),
                parts.middle.as_str()
            ),
            ("Иванов", "Иван", "Иванович")
        );
        assert_eq!(
            parts.match_key,
            normalize_person_name("Иванов Иван Иванович", NameOrder::Auto).match_key
        );
        assert_eq!(
            person_from_parts("山田", "太郎", "").match_key,
            normalize_person_name("山田太郎", NameOrder::Auto).match_key
        );
        assert_eq!(person_from_parts("Smith", "JOHN", "").given, "John");
        assert_eq!(person_from_parts("", "", "").match_key, "");
    }

    use proptest::prelude::*;

    proptest! {
        #[test]
        fn no_panic_on_any_unicode(s in "\\PC{0,200}") {
            for order in [NameOrder::Auto, NameOrder::FamilyFirst, NameOrder::GivenFirst] {
                let _ = normalize_person_name(&s, order);
            }
        }

        #[test]
        fn no_panic_on_long_input(chars in prop::collection::vec(any::<char>(), 9_000..10_001)) {
            let s: String = chars.into_iter().collect();
            let _ = normalize_person_name(&s, NameOrder::Auto);
        }

        /// Building a name again from its own parts changes nothing.
        #[test]
        fn parts_are_stable(s in prop_oneof![
            "\\PC{0,40}",
            "(Mr\\.? |г-н |Dr )?([A-ZА-ЯЁa-zа-яё'-]{1,8}|[山田佐藤太郎花子]{1,4}|[A-ZА-Я]\\.) ?[A-ZА-Яa-zа-я.]{0,8}( [А-Яа-я]{2,6}(ович|овна|ич))?( Jr\\.)?",
        ]) {
            let first = normalize_person_name(&s, NameOrder::Auto);
            let again = person_from_parts(&first.family, &first.given, &first.middle);
            prop_assert_eq!((&again.family, &again.given, &again.middle), (&first.family, &first.given, &first.middle));
            prop_assert_eq!(&again.match_key, &first.match_key);
        }
    }
}
