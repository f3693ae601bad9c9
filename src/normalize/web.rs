//! Websites → registrable domain; free-mail domains.
//!
//! Host names are lower-cased and kept in Unicode (`xn--e1afmkfd.xn--p1ai` →
//! `пример.рф`), so a domain typed in Cyrillic and one copied as punycode
//! compare equal. The registrable domain is the label before the longest
//! public suffix listed in `data/public_suffixes.txt` (a selection of the
//! Public Suffix List: multi-level country suffixes such as `co.jp`, `msk.ru`,
//! `co.uk`, plus hosting platforms whose customers get subdomains); an
//! unlisted suffix counts as one label, as the PSL's default rule says.

use std::borrow::Cow;
use std::sync::LazyLock;

use crate::normalize::text;

static PUBLIC_SUFFIXES: LazyLock<text::FastSet<&'static str>> =
    LazyLock::new(|| table(include_str!("../../data/public_suffixes.txt")));
static FREE_MAIL: LazyLock<text::FastSet<&'static str>> =
    LazyLock::new(|| table(include_str!("../../data/free_mail_domains.txt")));

/// One entry per line; `#` starts a comment.
pub(crate) fn table(text: &'static str) -> text::FastSet<&'static str> {
    text.lines()
        .map(|l| l.split('#').next().unwrap_or_default().trim())
        .filter(|l| !l.is_empty())
        .collect()
}

/// Longest host name DNS allows.
const MAX_HOST: usize = 253;

/// `https://www.shop.example.co.jp/about` → `example.co.jp`. The first word of
/// the cell that reads as a host wins (`сайт: example.ru` → `example.ru`);
/// IP addresses, single labels and bare public suffixes give `None`.
pub fn registrable_domain(input: &str) -> Option<String> {
    let folded = fold_width(input);
    folded
        .split(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | '|'))
        .filter(|w| !w.is_empty())
        .find_map(|w| {
            host_of_url(w)
                .and_then(clean_host)
                .and_then(|h| registrable(&h))
        })
}

/// gmail.com, mail.ru, yandex.ru, yahoo.co.jp…: the domain does not identify a
/// company. Subdomains count too (`xx.ocn.ne.jp`: Japanese ISPs hand those
/// out), except below a public suffix.
pub fn is_free_mail_domain(domain: &str) -> bool {
    let simple = domain
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-')
        && !domain.contains("xn--")
        && !domain.ends_with('.');
    let domain: Cow<str> = if simple {
        Cow::Borrowed(domain)
    } else {
        match clean_host(domain.trim()) {
            Some(d) => Cow::Owned(d),
            None => return false,
        }
    };
    let mut d = domain.as_ref();
    loop {
        if FREE_MAIL.contains(d) {
            return true;
        }
        match d.split_once('.') {
            // Below a public suffix (`company.narod.ru`) each name has its own owner.
            Some((_, parent)) if parent.contains('.') && !PUBLIC_SUFFIXES.contains(parent) => {
                d = parent
            }
            _ => return false,
        }
    }
}

/// NFKC (full-width letters and dots) with ideographic full stops as dots;
/// borrowed when the text is plain ASCII, the common case.
pub(crate) fn fold_width(s: &str) -> Cow<'_, str> {
    if s.is_ascii() {
        return Cow::Borrowed(s);
    }
    let n = text::nfkc_cow(s);
    if !n.contains(['。', '｡', '．']) {
        return n;
    }
    Cow::Owned(
        n.chars()
            .map(|c| {
                if matches!(c, '。' | '｡' | '．') {
                    '.'
                } else {
                    c
                }
            })
            .collect(),
    )
}

/// The host part of a URL-ish word: scheme, credentials, port, path, query and
/// fragment removed.
fn host_of_url(word: &str) -> Option<&str> {
    let w = word.trim_matches(|c: char| {
        matches!(
            c,
            '"' | '\'' | '<' | '>' | '(' | ')' | '«' | '»' | '「' | '」'
        )
    });
    let w = match w.find("://") {
        Some(i) => &w[i + 3..],
        None => w.strip_prefix("//").unwrap_or(w),
    };
    let authority = w.split(['/', '?', '#', '\\']).next()?;
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    if host.starts_with('[') {
        return None; // IPv6 literal
    }
    let host = host.split_once(':').map_or(host, |(h, _)| h);
    Some(host.trim_end_matches('.'))
}

/// A host name lower-cased, IDN labels decoded to Unicode, every label
/// checked; at least two labels and an alphabetic top-level label.
pub(crate) fn clean_host(host: &str) -> Option<String> {
    let host = host.strip_suffix('.').unwrap_or(host);
    if host.is_empty() || host.len() > MAX_HOST * 4 {
        return None;
    }
    let mut out = String::with_capacity(host.len());
    let mut labels = 0;
    let mut last_start = 0;
    for label in host.split('.') {
        let lower;
        let label = if label.bytes().any(|b| b.is_ascii_uppercase()) || !label.is_ascii() {
            lower = text::to_lower(label);
            lower.as_str()
        } else {
            label
        };
        if labels > 0 {
            out.push('.');
        }
        last_start = out.len();
        match label.strip_prefix("xn--") {
            Some(code) => {
                let decoded = punycode_decode(code)?;
                if !label_ok(&decoded) || decoded.is_ascii() {
                    return None;
                }
                out.push_str(&decoded);
            }
            None if label_ok(label) => out.push_str(label),
            None => return None,
        }
        labels += 1;
    }
    let tld = &out[last_start..];
    (labels >= 2 && out.chars().count() <= MAX_HOST && tld.chars().all(text::is_alpha))
        .then_some(out)
}

fn label_ok(label: &str) -> bool {
    if label.is_ascii() {
        let b = label.as_bytes();
        return (1..=63).contains(&b.len())
            && b[0] != b'-'
            && b[b.len() - 1] != b'-'
            && b.iter().all(|&c| c == b'-' || c.is_ascii_alphanumeric());
    }
    let n = label.chars().count();
    (1..=63).contains(&n)
        && !label.starts_with('-')
        && !label.ends_with('-')
        && label.chars().all(|c| c == '-' || text::is_alnum(c))
}

/// The label before the longest listed public suffix, with that suffix.
fn registrable(host: &str) -> Option<String> {
    if PUBLIC_SUFFIXES.contains(host) {
        return None;
    }
    // Candidate suffixes from the left: the first one listed is the longest.
    let mut label_start = 0;
    while let Some(dot) = host[label_start..].find('.') {
        let suffix = &host[label_start + dot + 1..];
        // Default rule: an unlisted top-level label is a suffix by itself.
        if PUBLIC_SUFFIXES.contains(suffix) || !suffix.contains('.') {
            return Some(host[label_start..].to_string());
        }
        label_start += dot + 1;
    }
    None
}

/// RFC 3492 decoding of the part after `xn--`.
fn punycode_decode(input: &str) -> Option<String> {
    const BASE: u32 = 36;
    const TMIN: u32 = 1;
    const TMAX: u32 = 26;
    const INITIAL_BIAS: u32 = 72;
    const INITIAL_N: u32 = 128;
    let (basic, extended) = input.rsplit_once('-').unwrap_or(("", input));
    if !basic.is_ascii() || !extended.is_ascii() {
        return None;
    }
    let mut output: Vec<char> = basic.chars().collect();
    let (mut n, mut i, mut bias) = (INITIAL_N, 0u32, INITIAL_BIAS);
    let mut bytes = extended.bytes();
    while bytes.len() > 0 {
        let old_i = i;
        let (mut w, mut k) = (1u32, BASE);
        loop {
            let digit = match bytes.next()? {
                c @ b'a'..=b'z' => c - b'a',
                c @ b'A'..=b'Z' => c - b'A',
                c @ b'0'..=b'9' => c - b'0' + 26,
                _ => return None,
            } as u32;
            i = i.checked_add(digit.checked_mul(w)?)?;
            let t = k.saturating_sub(bias).clamp(TMIN, TMAX);
            if digit < t {
                break;
            }
            w = w.checked_mul(BASE - t)?;
            k += BASE;
        }
        let len = u32::try_from(output.len()).ok()? + 1;
        bias = adapt(i - old_i, len, old_i == 0);
        n = n.checked_add(i / len)?;
        i %= len;
        output.insert(i as usize, char::from_u32(n)?);
        i += 1;
    }
    Some(output.into_iter().collect())
}

fn adapt(delta: u32, points: u32, first: bool) -> u32 {
    const BASE: u32 = 36;
    const TMIN: u32 = 1;
    const TMAX: u32 = 26;
    let mut delta = if first { delta / 700 } else { delta / 2 };
    delta += delta / points;
    let mut k = 0;
    while delta > (BASE - TMIN) * TMAX / 2 {
        delta /= BASE - TMIN;
        k += BASE;
    }
    k + (BASE - TMIN + 1) * delta / (delta + 38)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const GOLDEN: &str = include_str!("../../tests/fixtures/normalize/website.tsv");

    /// `input \t registrable domain (empty: None) \t free mail`.
    #[test]
    fn golden_cases() {
        let mut n = 0;
        let mut failures = Vec::new();
        for (line_no, line) in GOLDEN.lines().enumerate() {
            if line.trim().is_empty() || line.starts_with('#') {
                continue;
            }
            n += 1;
            let cols: Vec<&str> = line.split('\t').collect();
            assert_eq!(cols.len(), 3, "line {}: {line:?}", line_no + 1);
            let got = registrable_domain(cols[0]);
            let free = got.as_deref().is_some_and(is_free_mail_domain);
            if got.as_deref().unwrap_or("") != cols[1] || free.to_string() != cols[2] {
                failures.push(format!(
                    "line {}: {:?} → {got:?} free={free}",
                    line_no + 1,
                    cols[0]
                ));
            }
        }
        assert!(
            failures.is_empty(),
            "{} failed:\n{}",
            failures.len(),
            failures.join("\n")
        );
        assert!(n >= 50, "only {n} golden cases");
    }

    #[test]
    fn tables_are_lower_case_and_clean() {
        for t in [&*PUBLIC_SUFFIXES, &*FREE_MAIL] {
            for e in t {
                assert_eq!(clean_host(e).as_deref(), Some(*e), "table entry {e:?}");
            }
        }
        assert!(FREE_MAIL.len() > 300);
    }

    #[test]
    fn free_mail_subdomains_and_case() {
        assert!(is_free_mail_domain("gmail.com"));
        assert!(is_free_mail_domain("Mail.RU."));
        assert!(is_free_mail_domain("abc.ocn.ne.jp"));
        assert!(!is_free_mail_domain("ne.jp"));
        assert!(!is_free_mail_domain("sberbank.ru"));
        assert!(!is_free_mail_domain(""));
    }

    #[test]
    fn punycode_round_trips_known_labels() {
        assert_eq!(punycode_decode("e1afmkfd").as_deref(), Some("пример"));
        assert_eq!(punycode_decode("p1ai").as_deref(), Some("рф"));
        assert_eq!(punycode_decode("wgv71a119e").as_deref(), Some("日本語"));
        assert_eq!(punycode_decode("!!"), None);
    }

    proptest! {
        #[test]
        fn no_panic_on_any_text(s in "\\PC{0,80}") {
            if let Some(d) = registrable_domain(&s) {
                is_free_mail_domain(&d);
            }
            is_free_mail_domain(&s);
        }

        #[test]
        fn no_panic_on_long_text(s in "\\PC{10000}") {
            registrable_domain(&s);
            is_free_mail_domain(&s);
        }

        #[test]
        fn no_panic_on_punycode(s in "xn--[a-z0-9-]{0,30}(\\.[a-z]{2,3})?") {
            registrable_domain(&s);
        }

        #[test]
        fn idempotent(s in "(https?://)?(www\\.)?([a-zA-Zа-яё0-9-]{1,10}\\.){1,3}(ru|jp|co\\.jp|com|рф|msk\\.ru|co\\.uk)(/[a-z]{0,5})?") {
            if let Some(d) = registrable_domain(&s) {
                prop_assert_eq!(registrable_domain(&d), Some(d.clone()));
            }
        }
    }
}
