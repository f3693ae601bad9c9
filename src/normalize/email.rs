//! E-mail addresses.
//!
//! A cell may hold a list (`,` `;` `、` new lines or spaces between addresses),
//! display names (`Иван Петров <ivan@x.ru>`), `mailto:` links and full-width
//! characters (`ｉｎｆｏ＠ｘ．ｊｐ`). Each address found becomes one [`Email`];
//! an address-like entry that fails the syntax check is returned with
//! `valid = false`, never dropped. Words without `@` next to real addresses
//! (names, comments such as `(бухгалтерия)`) are not entries; a cell without
//! any `@` is one invalid entry.
//!
//! Syntax is checked pragmatically: one `@`, a local part of at most 64 bytes
//! made of the RFC 5322 atom characters (or Unicode letters and digits) with
//! no leading, trailing or double dot, and a host name of two or more valid
//! labels with an alphabetic top-level label. Internationalized domains stay
//! in Unicode (`xn--` labels are decoded), as in [`crate::normalize::web`].
//!
//! The domain is lower-cased; the local part is kept as typed, because that is
//! what the customer wrote and what the target CRM should receive. For
//! comparison use [`same_address`], which ignores case in the whole address: every
//! mainstream provider treats the local part case-insensitively.

use std::sync::LazyLock;

use crate::model::Email;
use crate::normalize::text;
use crate::normalize::web::{clean_host, fold_width, is_free_mail_domain, table};

static ROLE_MAILBOXES: LazyLock<text::FastSet<&'static str>> =
    LazyLock::new(|| table(include_str!("../../data/role_mailboxes.txt")));

/// RFC 5321's limit for the local part.
const MAX_LOCAL: usize = 64;

/// Every address in one cell, each validated and classified.
pub fn normalize_emails(cell: &str) -> Vec<Email> {
    let cell = cell.trim();
    if cell.is_empty() {
        return Vec::new();
    }
    if !has_at(cell) {
        return vec![invalid(cell)];
    }
    let mut out = Vec::new();
    for segment in segments(cell) {
        let segment = segment.trim();
        if segment.is_empty() {
            continue;
        }
        // `Name <addr>`: the address is in the brackets.
        let mut bracketed = false;
        let mut rest = if either(segment, '<', '＜') {
            segment
        } else {
            ""
        };
        while let Some((_, after)) = rest.split_once(['<', '＜'])
            && let Some((inside, tail)) = after.split_once(['>', '＞'])
        {
            if has_at(inside) {
                bracketed = true;
                out.push(parse_address(segment, inside));
            }
            rest = tail;
        }
        if bracketed {
            continue;
        }
        for word in segment.split_whitespace() {
            if has_at(word) {
                out.push(parse_address(word, word));
            } else if looks_like_address(word) {
                out.push(invalid(word));
            }
        }
    }
    out
}

/// Both are valid and the same address: compared whole and case-insensitively, as every
/// mainstream provider treats the local part (without building lower-cased copies when
/// both are ASCII, as nearly all are).
pub fn same_address(a: &Email, b: &Email) -> bool {
    match (a.address.as_deref(), b.address.as_deref()) {
        (Some(x), Some(y)) if x.is_ascii() && y.is_ascii() => x.eq_ignore_ascii_case(y),
        (Some(x), Some(y)) => text::to_lower(x) == text::to_lower(y),
        _ => false,
    }
}

/// `s` holds `ascii` or its full-width form. `contains` on a multi-byte char (or a char
/// set) decodes every character; the ASCII one is a memchr, and ASCII text (most cells)
/// cannot hold the full-width one.
fn either(s: &str, ascii: char, wide: char) -> bool {
    s.contains(ascii) || (!s.is_ascii() && s.contains(wide))
}

fn has_at(s: &str) -> bool {
    either(s, '@', '＠')
}

/// Pieces of the cell between list separators, not splitting inside quotes
/// (`"Петров, Иван" <ivan@x.ru>`) or angle brackets.
fn segments(cell: &str) -> impl Iterator<Item = &str> {
    // One address, the common cell: ASCII without a separator byte.
    let single = cell.is_ascii()
        && !cell
            .bytes()
            .any(|b| matches!(b, b',' | b';' | b'\n' | b'\r' | b'|'));
    let mut in_quotes = false;
    let mut in_brackets = false;
    let split = (!single).then(|| {
        cell.split(move |c: char| {
            match c {
                '"' => in_quotes = !in_quotes,
                '<' | '＜' => in_brackets = true,
                '>' | '＞' => in_brackets = false,
                _ => {}
            }
            !in_quotes
                && !in_brackets
                && matches!(c, ',' | ';' | '\n' | '\r' | '，' | '；' | '、' | '|')
        })
    });
    split.into_iter().flatten().chain(single.then_some(cell))
}

/// `ivan.mail.ru`: a word someone meant as an address (it ends like a domain).
fn looks_like_address(word: &str) -> bool {
    word.rsplit_once('.').is_some_and(|(head, tld)| {
        !head.is_empty() && tld.chars().count() >= 2 && tld.chars().all(text::is_alpha)
    })
}

fn invalid(input: &str) -> Email {
    Email {
        input: input.to_string(),
        ..Email::default()
    }
}

/// `input` is the piece as written; `raw` the part holding the address.
fn parse_address(input: &str, raw: &str) -> Email {
    let mut email = invalid(input);
    let folded = fold_width(raw);
    let mut s = folded
        .trim_matches(|c: char| {
            c.is_whitespace()
                || matches!(
                    c,
                    '"' | '\'' | '<' | '>' | '(' | ')' | '[' | ']' | '«' | '»'
                )
        })
        .trim_end_matches(['.', ',', ';', ':']);
    if let Some(rest) = s
        .get(..7)
        .filter(|p| p.eq_ignore_ascii_case("mailto:"))
        .map(|_| &s[7..])
    {
        s = rest;
        // mailto: links may carry ?subject=…
        s = s.split_once('?').map_or(s, |(a, _)| a);
    }
    let Some((local, domain)) = s.split_once('@') else {
        return email;
    };
    if domain.contains('@') || !local_ok(local) {
        return email;
    }
    let Some(domain) = clean_host(domain) else {
        return email;
    };
    email.free_mail = is_free_mail_domain(&domain);
    email.role_account = is_role(local);
    email.valid = true;
    // Concatenated directly: `format!` costs more than the rest of the check.
    let mut address = String::with_capacity(local.len() + 1 + domain.len());
    address.push_str(local);
    address.push('@');
    address.push_str(&domain);
    email.address = Some(address);
    email
}

fn local_ok(local: &str) -> bool {
    !local.is_empty()
        && local.len() <= MAX_LOCAL
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local.chars().all(|c| {
            c.is_ascii_alphanumeric()
                || "!#$%&'*+-/=?^_`{|}~.".contains(c)
                || (!c.is_ascii() && text::is_alnum(c))
        })
}

/// `info`, `Sales+crm`, `zakaz2`, `info.msk`, `sales-spb`: a role mailbox, with
/// a tag, a number or a short branch suffix.
fn is_role(local: &str) -> bool {
    let base = local
        .split_once('+')
        .map_or(local, |(b, _)| b)
        .to_ascii_lowercase();
    let base = base.trim_end_matches(|c: char| c.is_ascii_digit());
    if ROLE_MAILBOXES.contains(base) {
        return true;
    }
    base.split_once(['.', '-', '_'])
        .is_some_and(|(head, branch)| branch.len() <= 3 && ROLE_MAILBOXES.contains(head))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const GOLDEN: &str = include_str!("../../tests/fixtures/normalize/email.tsv");

    /// One row per entry: `cell \t index \t address \t valid \t free_mail \t role`;
    /// a row with index `-` says the cell yields no entries at all.
    #[test]
    fn golden_cases() {
        let mut n = 0;
        let mut failures = Vec::new();
        let mut counts: Vec<(String, usize)> = Vec::new();
        for (line_no, line) in GOLDEN.lines().enumerate() {
            if line.trim().is_empty() || line.starts_with('#') {
                continue;
            }
            n += 1;
            let cols: Vec<&str> = line.split('\t').collect();
            assert_eq!(cols.len(), 6, "line {}: {line:?}", line_no + 1);
            let cell = cols[0].replace("\\n", "\n");
            let got = normalize_emails(&cell);
            if cols[1] == "-" {
                if !got.is_empty() {
                    failures.push(format!("line {}: {cell:?} → {got:?}", line_no + 1));
                }
                continue;
            }
            let Ok(i) = cols[1].parse::<usize>() else {
                panic!("line {}: bad index", line_no + 1)
            };
            match counts.iter_mut().find(|(c, _)| *c == cell) {
                Some((_, k)) => *k = (*k).max(i + 1),
                None => counts.push((cell.clone(), i + 1)),
            }
            let want = (
                cols[2],
                cols[3] == "true",
                cols[4] == "true",
                cols[5] == "true",
            );
            let row = got.get(i).map(|e| {
                (
                    e.address.as_deref().unwrap_or(""),
                    e.valid,
                    e.free_mail,
                    e.role_account,
                )
            });
            if row != Some(want) {
                failures.push(format!("line {}: {cell:?}[{i}] → {row:?}", line_no + 1));
            }
        }
        for (cell, k) in counts {
            let len = normalize_emails(&cell).len();
            if len != k {
                failures.push(format!("{cell:?}: {len} entries, fixture lists {k}"));
            }
        }
        assert!(
            failures.is_empty(),
            "{} failed:\n{}",
            failures.len(),
            failures.join("\n")
        );
        assert!(n >= 60, "only {n} golden cases");
    }

    #[test]
    fn addresses_compare_without_case() {
        let e = &normalize_emails("Ivan.Petrov@Mail.RU")[0];
        assert_eq!(e.address.as_deref(), Some("Ivan.Petrov@mail.ru"));
        assert!(same_address(e, &normalize_emails("ivan.petrov@mail.ru")[0]));
        assert!(!same_address(
            e,
            &normalize_emails("ivan.petrov@mail.com")[0]
        ));
        // Non-ASCII local parts compare by their lower case too; invalid entries never match.
        assert!(same_address(
            &normalize_emails("ИВАН@почта.рф")[0],
            &normalize_emails("иван@почта.рф")[0]
        ));
        assert!(!same_address(
            &normalize_emails("x")[0],
            &normalize_emails("x")[0]
        ));
    }

    proptest! {
        #[test]
        fn no_panic_on_any_text(s in "\\PC{0,80}") {
            normalize_emails(&s);
        }

        #[test]
        fn no_panic_on_long_text(s in "\\PC{10000}") {
            normalize_emails(&s);
        }

        #[test]
        fn idempotent(s in "[A-Za-z0-9._+-]{1,12}[@＠][A-Za-zа-я0-9.-]{1,12}\\.(ru|RU|jp|com|рф|co\\.jp)[.,]?") {
            for e in normalize_emails(&s) {
                if let Some(a) = &e.address {
                    let again = normalize_emails(a);
                    prop_assert_eq!(again.len(), 1);
                    prop_assert_eq!(again[0].address.as_ref(), Some(a));
                    prop_assert_eq!(
                        (again[0].valid, again[0].free_mail, again[0].role_account),
                        (e.valid, e.free_mail, e.role_account)
                    );
                }
            }
        }
    }
}
