//! Cyrillic → Latin transliteration for cross-script matching keys.
//!
//! Two steps, both for keys only (display values keep their script):
//! - [`to_latin`]: one fixed scheme from `data/translit_ru.tsv`, the spelling
//!   people commonly type (Иванов → ivanov, Щукин → shchukin, Юлия → yuliya,
//!   Х → kh, Ц → ts, Й → y, signs dropped). Non-Cyrillic text is unchanged.
//! - [`latin_key`]: folds the Latin spelling variants that different schemes
//!   and habits produce, so Юлия / Yulia / Iuliia all become `iulia`
//!   (rules on that function). Person match keys use it; organization keys
//!   stay readable (`romashka`) and the matcher may apply it for blocking.

use std::sync::LazyLock;

/// The Cyrillic block U+0400–U+04FF is all the table covers.
const BASE: u32 = 0x400;
const SPAN: usize = 0x100;

/// Latin spelling of each Cyrillic code point, and whether it was upper case.
type Table = [Option<(&'static str, bool)>; SPAN];

static TABLE: LazyLock<Table> = LazyLock::new(|| {
    let mut table: Table = [None; SPAN];
    for (cyr, latin) in rows() {
        let mut set = |c: char, upper: bool| {
            if let Some(i) = (c as u32).checked_sub(BASE).map(|i| i as usize)
                && i < SPAN
            {
                table[i] = Some((latin, upper));
            }
        };
        set(cyr, false);
        for u in cyr.to_uppercase() {
            set(u, true);
        }
    }
    table
});

/// Well-formed rows of the table file: one Cyrillic letter, a tab, its Latin spelling.
fn rows() -> impl Iterator<Item = (char, &'static str)> {
    include_str!("../../data/translit_ru.tsv")
        .lines()
        .filter_map(|line| {
            if line.starts_with('#') {
                return None;
            }
            let (cyr, latin) = line.split_once('\t')?;
            let mut chars = cyr.chars();
            match (chars.next(), chars.next()) {
                (Some(c), None) => Some((c, latin)),
                _ => None,
            }
        })
}

/// Appends the Latin spelling of `c` when it is a Cyrillic letter in the table.
pub(crate) fn push_latin(c: char, out: &mut String) -> bool {
    let Some(i) = (c as u32).checked_sub(BASE) else {
        return false;
    };
    let Some(Some((latin, upper))) = TABLE.get(i as usize) else {
        return false;
    };
    if *upper {
        let mut bytes = latin.chars();
        if let Some(first) = bytes.next() {
            out.push(first.to_ascii_uppercase());
            out.push_str(bytes.as_str());
        }
    } else {
        out.push_str(latin);
    }
    true
}

/// Cyrillic is encoded in UTF-8 with lead bytes 0xD0–0xD3: checking bytes
/// lets the common all-Latin / all-kanji row skip the char loop.
fn has_cyrillic(s: &str) -> bool {
    s.bytes().any(|b| (0xD0..=0xD3).contains(&b))
}

/// Cyrillic → Latin by the table; everything else passes through unchanged.
/// Upper-case letters give a capitalized spelling (Щ → Shch).
pub fn to_latin(s: &str) -> String {
    if !has_cyrillic(s) {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len() + s.len() / 2);
    for c in s.chars() {
        if !push_latin(c, &mut out) {
            out.push(c);
        }
    }
    out
}

/// Folds Latin spelling variants of the same (mostly Russian) name, for keys.
/// Expects lower-case input (a match key); works word by word:
/// word-initial `ye` → `e` (Yevgeny/Евгений), `yo` after a consonant → `e`
/// (Fyodor/Фёдор), `kh` → `h`, `ph` → `f`, `sch` → `sh`, `x` → `ks`, `w` → `v`,
/// `y` → `i`, then runs of `i` → one `i` (Dmitriy/Dmitrii/Dmitry → dmitri,
/// Yuliya/Iuliia → iulia). `j` is kept (Kenji, John, Juan). Non-ASCII
/// characters pass through.
/// Over-folding only makes a few more candidate pairs; both sides are folded alike.
pub fn latin_key(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    let mut word_start = true;
    while i < b.len() {
        let c = b[i];
        if !c.is_ascii() {
            // Copy the whole UTF-8 sequence untouched.
            let len = s[i..].chars().next().map_or(1, char::len_utf8);
            out.push_str(&s[i..i + len]);
            i += len;
            word_start = false;
            continue;
        }
        let next = b.get(i + 1).copied();
        let (emit, used): (&str, usize) = match (c, next) {
            (b'y', Some(b'e')) if word_start => ("e", 2),
            (b'y', Some(b'o')) if !word_start && is_consonant(out.as_bytes().last()) => ("e", 2),
            (b'k', Some(b'h')) => ("h", 2),
            (b'p', Some(b'h')) => ("f", 2),
            (b's', Some(b'c')) if b.get(i + 2) == Some(&b'h') => ("sh", 3),
            (b'x', _) => ("ks", 1),
            (b'w', _) => ("v", 1),
            // `j` stays: Kenji, John and Juan are not keni, iohn and iuan.
            (b'y' | b'i', _) => ("i", 1),
            _ => ("", 1),
        };
        if used == 1 && emit.is_empty() {
            out.push(c as char);
        } else if !(emit == "i" && out.ends_with('i')) {
            out.push_str(emit);
        }
        word_start = c == b' ';
        i += used;
    }
    out
}

fn is_consonant(b: Option<&u8>) -> bool {
    b.is_some_and(|b| b.is_ascii_lowercase() && !b"aeiouy".contains(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_rows_all_load() {
        let lines = include_str!("../../data/translit_ru.tsv")
            .lines()
            .filter(|l| !l.starts_with('#') && !l.is_empty())
            .count();
        assert_eq!(
            rows().count(),
            lines,
            "a malformed line in data/translit_ru.tsv"
        );
        assert_eq!(TABLE.iter().flatten().count(), lines * 2);
    }

    #[test]
    fn common_names() {
        for (cyr, lat) in [
            ("иванов", "ivanov"),
            ("щукин", "shchukin"),
            ("юлия", "yuliya"),
            ("хабаров", "khabarov"),
            ("цой", "tsoy"),
            ("подъезд", "podezd"),
            ("Щукин", "Shchukin"),
            ("ООО Ромашка", "OOO Romashka"),
            ("Acme 山田 №1", "Acme 山田 №1"),
        ] {
            assert_eq!(to_latin(cyr), lat, "{cyr}");
        }
    }

    #[test]
    fn latin_variants_converge() {
        let groups: &[&[&str]] = &[
            &["юлия", "yulia", "yuliya", "iuliia"],
            &["мария", "maria", "mariya"],
            &["дмитрий", "dmitry", "dmitrii", "dmitri", "dmitriy"],
            &["михаил", "mikhail", "mihail"],
            &["алексей", "aleksey", "alexey", "aleksei", "alexei"],
            &["евгений", "yevgeny", "evgeniy", "evgenii", "evgeny"],
            &["фёдор", "федор", "fyodor", "fedor"],
            &["наталья", "natalya", "natalia", "nataliya"],
            &["шмидт", "schmidt", "shmidt"],
            &["юрий", "yuri", "yury", "iurii", "yuriy"],
            &["сергей", "sergey", "sergei"],
        ];
        for group in groups {
            let want = latin_key(&to_latin(&crate::normalize::text::fold(group[0])));
            for v in &group[1..] {
                assert_eq!(latin_key(&to_latin(v)), want, "{v} vs {}", group[0]);
            }
        }
        assert_eq!(latin_key("yuliya ivanova"), "iulia ivanova");
        assert_eq!(latin_key("kenji john juan"), "kenji john juan");
        assert_eq!(latin_key("山田 太郎"), "山田 太郎");
        assert_eq!(latin_key("acme widgets"), "acme vidgets");
    }
}

/// Katakana (two-character digraphs first) → romaji, from `data/kana_romaji.tsv`.
static KANA: LazyLock<std::collections::HashMap<String, &'static str>> = LazyLock::new(|| {
    include_str!("../../data/kana_romaji.tsv")
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| l.split_once('\t'))
        .map(|(k, r)| (k.to_string(), r))
        .collect()
});

/// A Japanese reading (フリガナ, ふりがな, half-width ﾌﾘｶﾞﾅ) as a Latin matching key,
/// so 山田 太郎 (reading ヤマダ タロウ) meets "Yamada Taro": Hepburn, long vowels
/// written short, then [`latin_key`]. `None` when the text is not kana.
pub fn reading_key(reading: &str) -> Option<String> {
    let folded: Vec<char> = super::text::nfkc_keep_dashes(reading)
        .chars()
        .map(|c| match c {
            // Hiragana → katakana.
            '\u{3041}'..='\u{3096}' => char::from_u32(c as u32 + 0x60).unwrap_or(c),
            c => c,
        })
        .collect();
    let mut out = String::with_capacity(folded.len() * 2);
    let mut double_next = false;
    let mut i = 0;
    while i < folded.len() {
        let c = folded[i];
        if c.is_whitespace() || c == '・' || c == '\u{3000}' {
            out.push(' ');
            i += 1;
            continue;
        }
        if c == 'ッ' {
            double_next = true;
            i += 1;
            continue;
        }
        if c == 'ー' || c == '-' {
            i += 1;
            continue;
        }
        let two: String = folded[i..(i + 2).min(folded.len())].iter().collect();
        let (romaji, used) = match KANA.get(&two) {
            Some(r) if two.chars().count() == 2 => (*r, 2),
            _ => (*KANA.get(&c.to_string())?, 1),
        };
        if double_next {
            if let Some(first) = romaji.chars().next() {
                out.push(if romaji.starts_with("ch") { 't' } else { first });
            }
            double_next = false;
        }
        out.push_str(romaji);
        i += used;
    }
    // Long vowels as people write them in Latin: ou/uu/oo → o/u/o.
    let short = out.replace("ou", "o").replace("uu", "u").replace("oo", "o");
    let key = latin_key(
        short
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .as_str(),
    );
    (!key.is_empty()).then_some(key)
}

#[cfg(test)]
mod reading_tests {
    use super::*;

    #[test]
    fn readings_meet_their_latin_spelling() {
        assert_eq!(reading_key("ヤマダ タロウ"), Some(latin_key("yamada taro")));
        assert_eq!(reading_key("やまだ たろう"), reading_key("ヤマダ タロウ"));
        assert_eq!(reading_key("ﾔﾏﾀﾞ ﾀﾛｳ"), reading_key("ヤマダ タロウ"));
        assert_eq!(reading_key("サトウ ハナコ"), Some(latin_key("sato hanako")));
        assert_eq!(reading_key("キョウコ"), Some(latin_key("kyoko")));
        assert_eq!(reading_key("ハットリ"), Some(latin_key("hattori")));
        assert_eq!(reading_key("山田"), None, "kanji is not a reading");
        assert_eq!(reading_key(""), None);
    }
}
