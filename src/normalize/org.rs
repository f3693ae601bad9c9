//! Company names and legal forms.
//!
//! `normalize_org_name` separates the legal form (from `data/legal_forms.tsv`)
//! from the core name and builds a match key:
//! - NFKC first (㈱ → (株), ㍿ → 株式会社, full-width → ASCII); quotes «» „“ "" ‹› 「」
//!   become spaces; apostrophes only inside a word (O'Neil, McDonald's) stay.
//! - One legal form is taken from the start or the end; if both ends carry one,
//!   the longer canonical form wins (so "AO Smith Corporation" keeps "AO").
//!   Japanese forms are matched glued to the name and keep their position
//!   (前株 / 後株 are different legal names); others by whole tokens.
//! - A suffix form right after `&` / `and` / `и` is part of the name ("Tiffany & Co").
//! - Japanese honorifics (御中, 様, 殿) are dropped from name and key; branch
//!   endings (東京支店) stay in both, the legal form is still found before them.
//! - ИП: `legal_form` is "ИП" and `name` is the entrepreneur's name as written;
//!   the caller runs the person normalizer on it.
//! - A form alone ("ООО") gives an empty `name`: the caller flags it.
//! - `match_key`: the core name folded like `text::fold` (case, Ё→Е), `-'&・`
//!   dropped (Coca-Cola = CocaCola, AT&T = ATT), other punctuation as spaces,
//!   runs of one-letter words joined (A.O. = AO, И. И. = И.И.), Cyrillic
//!   transliterated (`translit::to_latin`), spaces between two CJK characters
//!   dropped (Japanese does not use them, so 山田 商事 = 山田商事).

use crate::model::{FormPosition, OrgName};
use crate::normalize::{text, translit};
use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::LazyLock;

struct Form {
    canonical: &'static str,
    country: Option<&'static str>,
}

/// A written variant matched glued to the name (contains kana/kanji/hangul).
struct Glue {
    variant: &'static str,
    form: usize,
}

#[derive(Default)]
struct Forms {
    forms: Vec<Form>,
    /// Token-key sequence (space-joined) → form, for variants at the start.
    prefix: text::FastMap<String, usize>,
    /// Token-key sequence in reverse token order → form, for variants at the end,
    /// so the key of the last n tokens is a prefix of the last n+1 tokens' key.
    suffix: text::FastMap<String, usize>,
    /// Every leading run of tokens of a `prefix` / `suffix` key (the first token, the
    /// first two…): most names are rejected with one lookup, and a scan stops at the
    /// first token that no form continues with.
    prefix_partial: text::FastSet<String>,
    suffix_partial: text::FastSet<String>,
    max_tokens: usize,
    /// By first character (ASCII lower-cased), longest first: a linear scan of every
    /// variant was a third of a Japanese name's time, as kana/kanji share lead bytes.
    glue_prefix: text::FastMap<char, Vec<Glue>>,
    /// By last character, longest first.
    glue_suffix: text::FastMap<char, Vec<Glue>>,
}

static FORMS: LazyLock<Forms> = LazyLock::new(|| {
    let mut f = Forms::default();
    let mut index: HashMap<(&str, &str), usize> = HashMap::new();
    for line in include_str!("../../data/legal_forms.tsv")
        .lines()
        .skip_while(|l| l.starts_with('#'))
        .skip(1)
    {
        let mut cols = line.split('\t');
        let (Some(country), Some(canonical), Some(variant), Some(_kind), Some(pos)) = (
            cols.next(),
            cols.next(),
            cols.next(),
            cols.next(),
            cols.next(),
        ) else {
            continue;
        };
        let form = *index.entry((country, canonical)).or_insert_with(|| {
            f.forms.push(Form {
                canonical,
                country: (!country.is_empty()).then_some(country),
            });
            f.forms.len() - 1
        });
        let (at_start, at_end) = (pos != "suffix", pos != "prefix");
        if variant.chars().any(is_cjk) {
            let (Some(first), Some(last)) = (variant.chars().next(), variant.chars().next_back())
            else {
                continue;
            };
            if at_start {
                let glues = f.glue_prefix.entry(first.to_ascii_lowercase());
                glues.or_default().push(Glue { variant, form });
            }
            if at_end {
                let glues = f.glue_suffix.entry(last.to_ascii_lowercase());
                glues.or_default().push(Glue { variant, form });
            }
            continue;
        }
        let keys: Vec<String> = variant
            .split_whitespace()
            .map(|t| {
                let mut k = String::new();
                push_token_key(t, &mut k);
                k
            })
            .filter(|k| !k.is_empty())
            .collect();
        if keys.is_empty() {
            continue;
        }
        f.max_tokens = f.max_tokens.max(keys.len());
        let partials = |keys: &[&str]| {
            (1..=keys.len())
                .map(|n| keys[..n].join(" "))
                .collect::<Vec<_>>()
        };
        if at_start {
            let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
            f.prefix_partial.extend(partials(&keys));
            f.prefix.entry(keys.join(" ")).or_insert(form);
        }
        if at_end {
            let reversed: Vec<&str> = keys.iter().rev().map(String::as_str).collect();
            f.suffix_partial.extend(partials(&reversed));
            f.suffix.entry(reversed.join(" ")).or_insert(form);
        }
    }
    for glues in f.glue_prefix.values_mut().chain(f.glue_suffix.values_mut()) {
        glues.sort_by_key(|g| std::cmp::Reverse(g.variant.len()));
    }
    f
});

fn word_list(data: &'static str) -> Vec<&'static str> {
    data.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect()
}

static HONORIFICS: LazyLock<Vec<&'static str>> =
    LazyLock::new(|| word_list(include_str!("../../data/org_honorifics.txt")));
static BRANCH_WORDS: LazyLock<Vec<&'static str>> =
    LazyLock::new(|| word_list(include_str!("../../data/org_branch_words.txt")));

/// Kana, kanji and hangul: scripts written without spaces between words.
pub(crate) fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3005..=0x3007 | 0x3040..=0x30FF | 0x31F0..=0x31FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF
        | 0xF900..=0xFAFF | 0xAC00..=0xD7AF | 0x1100..=0x11FF | 0x20000..=0x3FFFF)
}

/// Quotation marks of any script; they never carry meaning in a company name.
fn is_quote(c: char) -> bool {
    matches!(
        c,
        '"' | '«'
            | '»'
            | '„'
            | '“'
            | '”'
            | '‟'
            | '‹'
            | '›'
            | '「'
            | '」'
            | '『'
            | '』'
            | '〝'
            | '〞'
            | '〟'
    )
}

fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '‘' | '’' | '‚' | '‛' | '`' | '´')
}

/// Latin letters and digits that look like Cyrillic ones, for tokens typed in a
/// mix of both layouts ("OОО", "ЗAO").
fn cyrillic_lookalike(c: char) -> char {
    match c {
        'a' => 'а',
        'b' => 'в',
        'c' => 'с',
        'e' => 'е',
        'h' => 'н',
        'k' => 'к',
        'm' => 'м',
        'o' | '0' => 'о',
        'p' => 'р',
        't' => 'т',
        'x' => 'х',
        'y' => 'у',
        '3' => 'з',
        c => c,
    }
}

fn is_cyrillic(c: char) -> bool {
    matches!(c, '\u{400}'..='\u{4FF}')
}

/// Appends the legal-form lookup key of one token: lower case, Ё→Е, dots,
/// dashes, apostrophes and `,;:()[]|` dropped (L.L.C. = LLC, "(Pty)" = Pty,
/// "ООО-" = ООО), Latin look-alikes folded to
/// Cyrillic when the token also has Cyrillic letters.
fn push_token_key(token: &str, out: &mut String) {
    let mixed = token.chars().any(is_cyrillic) && token.chars().any(|c| c.is_ascii_alphanumeric());
    for c in token.chars() {
        if matches!(
            c,
            '.' | ',' | ';' | ':' | '(' | ')' | '[' | ']' | '-' | '–' | '—' | '|' | '・'
        ) || is_apostrophe(c)
        {
            continue;
        }
        text::for_each_lower(c, |l| {
            let l = if l == 'ё' { 'е' } else { l };
            out.push(if mixed { cyrillic_lookalike(l) } else { l });
        });
    }
}

/// NFKC'd text with quotes removed, stray apostrophes removed, white space collapsed.
fn clean(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut prev_alnum = false;
    let mut pending_space = false;
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        let drop = is_quote(c)
            || c.is_whitespace()
            || c.is_control()
            || (is_apostrophe(c)
                && !(prev_alnum && chars.peek().is_some_and(|&n| text::is_alnum(n))));
        if drop {
            pending_space = true;
            prev_alnum = false;
            continue;
        }
        if pending_space && !out.is_empty() {
            out.push(' ');
        }
        out.push(c);
        prev_alnum = text::is_alnum(c);
        // "WIDGETS,INC." is two words; "1,000" stays one.
        pending_space = c == ',' && chars.peek().is_some_and(|&n| text::is_alpha(n));
    }
    out
}

/// `s` minus trailing honorifics (山田商事御中, 山田商事 様); only when a name remains.
fn strip_honorific(mut s: &str) -> &str {
    // Every honorific and branch word is kana/kanji: one look at the last character
    // spares the suffix comparisons on nearly every name.
    if !s.chars().next_back().is_some_and(is_cjk) {
        return s;
    }
    // Repeated: "山田商事 御中 様" happens.
    while let Some(rest) = HONORIFICS
        .iter()
        .find_map(|h| s.strip_suffix(h).map(trim_edges))
    {
        if rest.is_empty() {
            break;
        }
        s = rest;
    }
    s
}

/// Splits a trailing Japanese branch ("東京支店") off: right after the last
/// legal form written before it (山田商事株式会社東京支店), else at the last space.
fn split_branch(s: &str) -> (&str, &str) {
    if !s.chars().next_back().is_some_and(is_cjk) || !BRANCH_WORDS.iter().any(|w| s.ends_with(w)) {
        return (s, "");
    }
    let after_form = FORMS
        .glue_suffix
        .values()
        .flatten()
        .filter_map(|g| {
            s.rfind(g.variant)
                .filter(|&at| at > 0)
                .map(|at| at + g.variant.len())
        })
        .filter(|&end| end < s.len() && !s[end..].trim().contains(' '))
        .max();
    match after_form.or_else(|| s.rfind(' ')) {
        Some(end) => (trim_edges(&s[..end]), trim_edges(&s[end..])),
        None => (s, ""),
    }
}

/// A legal form found at one end: its index and the byte range it covers.
#[derive(Clone, Copy)]
struct Hit {
    form: usize,
    start: usize,
    end: usize,
}

fn glue_prefix(s: &str) -> Option<Hit> {
    let first = s.chars().next()?.to_ascii_lowercase();
    let b = s.as_bytes();
    FORMS.glue_prefix.get(&first)?.iter().find_map(|g| {
        let n = g.variant.len();
        (b.len() >= n && b[..n].eq_ignore_ascii_case(g.variant.as_bytes())).then_some(Hit {
            form: g.form,
            start: 0,
            end: n,
        })
    })
}

fn glue_suffix(s: &str) -> Option<Hit> {
    let last = s.chars().next_back()?.to_ascii_lowercase();
    let b = s.as_bytes();
    FORMS.glue_suffix.get(&last)?.iter().find_map(|g| {
        let n = g.variant.len();
        (b.len() >= n && b[b.len() - n..].eq_ignore_ascii_case(g.variant.as_bytes())).then(|| Hit {
            form: g.form,
            start: b.len() - n,
            end: b.len(),
        })
    })
}

/// Token spans (byte ranges) of a cleaned, single-spaced string.
fn token_spans(s: &str) -> impl DoubleEndedIterator<Item = (usize, usize)> + '_ {
    s.split(' ').filter(|t| !t.is_empty()).map(move |t| {
        let start = t.as_ptr() as usize - s.as_ptr() as usize;
        (start, start + t.len())
    })
}

/// Longest token-wise legal form at the start (`from_end` false) or end.
fn token_form(s: &str, from_end: bool, key: &mut String) -> Option<Hit> {
    if from_end {
        scan_tokens(s, token_spans(s).rev(), true, key)
    } else {
        scan_tokens(s, token_spans(s), false, key)
    }
}

fn scan_tokens(
    s: &str,
    spans: impl Iterator<Item = (usize, usize)>,
    from_end: bool,
    key: &mut String,
) -> Option<Hit> {
    let forms = &*FORMS;
    let (map, partials) = if from_end {
        (&forms.suffix, &forms.suffix_partial)
    } else {
        (&forms.prefix, &forms.prefix_partial)
    };
    // (key length, outer byte of the span) after each non-empty token.
    let mut steps: [(usize, usize); 8] = [(0, 0); 8];
    let mut n = 0;
    key.clear();
    for (start, end) in spans {
        let before = key.len();
        if n > 0 {
            key.push(' ');
        }
        push_token_key(&s[start..end], key);
        if key.len() == before + usize::from(n > 0) {
            key.truncate(before);
            continue;
        }
        if !partials.contains(key.as_str()) {
            if n == 0 {
                return None;
            }
            break;
        }
        steps[n] = (key.len(), if from_end { start } else { end });
        n += 1;
        if n == forms.max_tokens.min(steps.len()) {
            break;
        }
    }
    (0..n).rev().find_map(|i| {
        let (len, edge) = steps[i];
        let form = *map.get(&key[..len])?;
        let (start, end) = if from_end { (edge, s.len()) } else { (0, edge) };
        if from_end && follows_conjunction(&s[..start]) {
            return None;
        }
        Some(Hit { form, start, end })
    })
}

/// Whether `head` ends with a word after which a suffix form belongs to the
/// name: "Tiffany & Co", "Smith and Company".
fn follows_conjunction(head: &str) -> bool {
    // Compared as written: "И." is an initial, not the conjunction "и".
    let head = head.trim_end();
    let Some((before, prev)) = head.rsplit_once(' ').or(Some(("", head))) else {
        return false;
    };
    let prev = text::to_lower(trim_edges(prev));
    // A conjunction needs a name before it: in "& ООО" the form is the form.
    ["&", "+", "and", "und", "et", "и", "y"].contains(&prev.as_str())
        && before.chars().any(text::is_alnum)
}

/// Punctuation left at the edges once the form is cut off ("ACME, INC." → "ACME").
fn trim_edges(s: &str) -> &str {
    s.trim_matches(|c: char| {
        c.is_whitespace()
            || is_apostrophe(c)
            || matches!(c, ',' | ';' | ':' | '-' | '/' | '|' | '・' | '–' | '—')
    })
}

/// Appends the match key of `s` (see the module docs); `pub(crate)` so person
/// names fold the same way.
pub(crate) fn push_match_key(s: &str, out: &mut String) {
    let mut pending_space = false;
    let mut last_cjk = false;
    for c in s.chars() {
        text::for_each_lower(c, |l| {
            let l = if l == 'ё' { 'е' } else { l };
            if text::is_alnum(l) {
                let cjk = is_cjk(l);
                if pending_space && !out.is_empty() && !(last_cjk && cjk) {
                    out.push(' ');
                }
                pending_space = false;
                last_cjk = cjk;
                if !translit::push_latin(l, out) {
                    out.push(l);
                }
            } else if !matches!(
                l,
                '-' | '\'' | '’' | '‘' | '&' | '・' | '\u{307}' | '\u{2010}'..='\u{2015}'
            ) {
                pending_space = true;
            }
        });
    }
}

/// Joins runs of one-letter words ("a o smith" → "ao smith"), so "A.O." = "A. O." = "AO"
/// and "И.И." = "И. И.".
fn merge_single_letters(key: &mut String) {
    let single = |w: &str| w.chars().nth(1).is_none();
    // Checked without collecting first: most keys have no such run.
    let mut prev_single = false;
    if !key.split(' ').any(|w| {
        let s = single(w);
        let run = s && prev_single;
        prev_single = s;
        run
    }) {
        return;
    }
    let words: Vec<&str> = key.split(' ').collect();
    let mut out = String::with_capacity(key.len());
    for (i, w) in words.iter().enumerate() {
        if i > 0 && !(single(w) && single(words[i - 1])) {
            out.push(' ');
        }
        out.push_str(w);
    }
    *key = out;
}

pub fn normalize_org_name(input: &str) -> OrgName {
    // NFKC leaves ASCII unchanged: skip it on the common all-ASCII row.
    let nfkc: Cow<str> = if input.is_ascii() {
        Cow::Borrowed(input)
    } else {
        Cow::Owned(text::nfkc_keep_dashes(input))
    };
    let cleaned = clean(&nfkc);
    let (rest, branch) = split_branch(strip_honorific(trim_edges(&cleaned)));
    let rest = trim_edges(rest);

    let mut key = String::with_capacity(rest.len() + 8);
    // Glue matching only where kana/kanji can be: skipped on all-ASCII rows.
    let cjk = !rest.is_ascii();
    let start_hit = cjk
        .then(|| glue_prefix(rest))
        .flatten()
        .or_else(|| token_form(rest, false, &mut key));
    // The end form is looked for after the start form, so the two never overlap
    // and a name glued to a start form ("株式会社Co.Ltd") reads the same way again.
    let from = start_hit.map_or(0, |h| h.end);
    let tail = &rest[from..];
    let end_hit = cjk
        .then(|| glue_suffix(tail))
        .flatten()
        .or_else(|| token_form(tail, true, &mut key))
        .map(|h| Hit {
            form: h.form,
            start: h.start + from,
            end: h.end + from,
        });
    let chosen = match (start_hit, end_hit) {
        // Compared by canonical length, so the choice survives re-normalizing the output.
        (Some(p), Some(s))
            if FORMS.forms[s.form].canonical.chars().count()
                > FORMS.forms[p.form].canonical.chars().count() =>
        {
            Some((s, FormPosition::Suffix))
        }
        (Some(p), _) => Some((p, FormPosition::Prefix)),
        (None, Some(s)) => Some((s, FormPosition::Suffix)),
        (None, None) => None,
    };

    // The form sits at one end, so the core is what lies on the other side.
    let core = trim_edges(match chosen {
        Some((hit, FormPosition::Prefix)) => &rest[hit.end..],
        Some((hit, FormPosition::Suffix)) => &rest[..hit.start],
        None => rest,
    });
    let name = match (core.is_empty(), branch.is_empty()) {
        (_, true) => core.to_string(),
        (true, false) => branch.to_string(),
        (false, false) => [core, branch].join(" "),
    };
    key.clear();
    push_match_key(&name, &mut key);
    merge_single_letters(&mut key);
    let form = chosen.map(|(hit, pos)| (&FORMS.forms[hit.form], pos));
    OrgName {
        input: input.to_string(),
        name,
        legal_form: form.map(|(f, _)| f.canonical.to_string()),
        form_position: form.map(|(_, pos)| pos),
        form_country: form.and_then(|(f, _)| f.country.map(str::to_string)),
        match_key: key,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn position(p: Option<FormPosition>) -> &'static str {
        match p {
            Some(FormPosition::Prefix) => "prefix",
            Some(FormPosition::Suffix) => "suffix",
            None => "",
        }
    }

    /// Every row of the golden file; all mismatches are reported at once.
    #[test]
    fn golden_org_names() {
        let data = include_str!("../../tests/fixtures/normalize/org_name.tsv");
        let mut rows = 0;
        let mut failures = Vec::new();
        for line in data
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        {
            let cols: Vec<&str> = line.split('\t').collect();
            assert_eq!(cols.len(), 6, "malformed fixture line: {line:?}");
            let want: Vec<&str> = cols[1..].iter().map(|c| c.trim()).collect();
            let got = normalize_org_name(cols[0]);
            let got_cols = [
                got.name.as_str(),
                got.legal_form.as_deref().unwrap_or(""),
                position(got.form_position),
                got.form_country.as_deref().unwrap_or(""),
                got.match_key.as_str(),
            ];
            if got_cols[..] != want[..] {
                failures.push(format!("{}\t{}", cols[0], got_cols.join("\t")));
            }
            rows += 1;
        }
        assert!(rows >= 120, "only {rows} golden rows");
        assert!(
            failures.is_empty(),
            "{} of {rows} rows differ (got):\n{}",
            failures.len(),
            failures.join("\n")
        );
    }

    /// International legal forms (ISO 20275 and the cleanco term list) after a
    /// name, and form-like words that must stay in it: at least 300 forms.
    #[test]
    fn international_legal_forms_table() {
        let data = include_str!("../../tests/fixtures/normalize/legal_forms_intl.tsv");
        let mut forms = 0;
        let mut failures = Vec::new();
        for line in data
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        {
            let cols: Vec<&str> = line.split('\t').collect();
            assert_eq!(cols.len(), 4, "malformed fixture line: {line:?}");
            let got = normalize_org_name(cols[0]);
            let got_cols = [
                got.name.as_str(),
                got.legal_form.as_deref().unwrap_or(""),
                got.form_country.as_deref().unwrap_or(""),
            ];
            if got_cols[..] != cols[1..] {
                failures.push(format!("{}\t{}", cols[0], got_cols.join("\t")));
            }
            forms += usize::from(!cols[2].is_empty());
        }
        assert!(forms >= 300, "only {forms} legal forms");
        assert!(
            failures.is_empty(),
            "{} rows differ (got):\n{}",
            failures.len(),
            failures.join("\n")
        );
    }

    /// Characters that exercise every branch: forms, quotes, look-alikes, kana, spaces.
    fn tricky() -> impl Strategy<Value = String> {
        let pieces = prop::sample::select(vec![
            "ООО",
            "ооо",
            "OOO",
            "3AO",
            "ИП",
            "Inc.",
            "Ltd",
            "Co.",
            "&",
            "and",
            "GmbH",
            "& Co. KG",
            "LLC",
            "AB",
            "株式会社",
            "(株)",
            "㈱",
            "㍿",
            "カ)",
            "(カ",
            "御中",
            "様",
            "東京支店",
            "山田",
            "商事",
            "«",
            "»",
            "\"",
            "'",
            "「",
            "」",
            ",",
            ".",
            "-",
            " ",
            "\u{3000}",
            "Ромашка",
            "Ёлка",
            "Acme",
            "İ",
            "ß",
            "ﬁ",
            "A",
            "И.",
        ]);
        prop::collection::vec(pieces, 0..12).prop_map(|v| v.concat())
    }

    use proptest::prelude::*;

    proptest! {
        #[test]
        fn no_panic_on_any_unicode(s in "\\PC{0,200}") {
            let _ = normalize_org_name(&s);
        }

        #[test]
        fn no_panic_on_long_mixed_scripts(chars in prop::collection::vec(any::<char>(), 9_000..10_001)) {
            let s: String = chars.into_iter().collect();
            let org = normalize_org_name(&s);
            prop_assert!(org.match_key.len() <= 4 * s.len());
        }

        /// Re-normalizing the output (name with the canonical form put back where
        /// it stood) gives the same name, form and key.
        #[test]
        fn idempotent(s in prop_oneof![tricky(), "\\PC{0,40}"]) {
            let first = normalize_org_name(&s);
            let again = match (&first.legal_form, first.form_position) {
                (Some(form), Some(FormPosition::Prefix)) => format!("{form} {}", first.name),
                (Some(form), Some(FormPosition::Suffix)) => format!("{} {form}", first.name),
                _ => first.name.clone(),
            };
            let second = normalize_org_name(&again);
            prop_assert_eq!(&second.match_key, &first.match_key, "via {:?}", again);
            prop_assert_eq!(&second.name, &first.name, "via {:?}", again);
            prop_assert_eq!(&second.legal_form, &first.legal_form, "via {:?}", again);
        }
    }
}
