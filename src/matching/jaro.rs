//! Jaro-Winkler for the short strings the matcher compares (name parts,
//! address tokens, cities): the same values as rapidfuzz's
//! `jaro_winkler::normalized_similarity` (prefix weight 0.1, at most 4
//! prefix characters, boost above 0.7), without its per-call pattern table.
//! Strings up to 64 characters are compared on the stack (bytes when both
//! are ASCII, else chars); longer ones go to rapidfuzz.

use rapidfuzz::distance::jaro_winkler as rf;

/// Longest string (in characters) the own implementation takes.
const MAX: usize = 64;

/// Jaro-Winkler similarity of `a` and `b` in 0..=1.
pub fn jaro_winkler(a: &str, b: &str) -> f64 {
    if a.is_ascii() && b.is_ascii() && a.len() <= MAX && b.len() <= MAX {
        return winkler(a.as_bytes(), b.as_bytes(), jaro_ascii);
    }
    filtered(a, b, |_| true)
}

/// Jaro-Winkler of the strings with their spaces removed ("pridham street"
/// against "pridhamstreet"), without building them.
pub fn jaro_winkler_unspaced(a: &str, b: &str) -> f64 {
    filtered(a, b, |c| c != ' ')
}

fn filtered(a: &str, b: &str, keep: impl Fn(char) -> bool + Copy) -> f64 {
    if a.is_ascii() && b.is_ascii() {
        let (mut x, mut y) = ([0u8; MAX], [0u8; MAX]);
        let bytes =
            |s: &str, buf: &mut [u8; MAX]| fill(s.bytes().filter(|&c| keep(c as char)), buf);
        if let (Some(n), Some(m)) = (bytes(a, &mut x), bytes(b, &mut y)) {
            return winkler(&x[..n], &y[..m], jaro_ascii);
        }
    } else {
        let (mut x, mut y) = (['\0'; MAX], ['\0'; MAX]);
        let chars = |s: &str, buf: &mut [char; MAX]| fill(s.chars().filter(|&c| keep(c)), buf);
        if let (Some(n), Some(m)) = (chars(a, &mut x), chars(b, &mut y)) {
            return winkler(&x[..n], &y[..m], jaro);
        }
    }
    rf::normalized_similarity(
        a.chars().filter(|&c| keep(c)),
        b.chars().filter(|&c| keep(c)),
    )
}

/// The items into `buf`; None when there are more than [`MAX`].
fn fill<T>(items: impl Iterator<Item = T>, buf: &mut [T; MAX]) -> Option<usize> {
    let mut n = 0;
    for c in items {
        *buf.get_mut(n)? = c;
        n += 1;
    }
    Some(n)
}

fn winkler<T: PartialEq + Copy>(a: &[T], b: &[T], jaro: fn(&[T], &[T]) -> f64) -> f64 {
    let sim = jaro(a, b);
    if sim <= 0.7 {
        return sim;
    }
    let prefix = a.iter().zip(b).take(4).take_while(|(x, y)| x == y).count();
    sim + prefix as f64 * 0.1 * (1.0 - sim)
}

/// Bits `lo..hi` of a word.
fn span(lo: usize, hi: usize) -> u64 {
    let below = |n: usize| if n >= 64 { u64::MAX } else { (1u64 << n) - 1 };
    below(hi) & !below(lo)
}

/// [`jaro`] for ASCII bytes, bit-parallel: a table of where each byte occurs
/// in `a` finds the first free equal position in a window in one step.
fn jaro_ascii(a: &[u8], b: &[u8]) -> f64 {
    let (la, lb) = (a.len(), b.len());
    if la == 0 || lb == 0 {
        return if la == lb { 1.0 } else { 0.0 };
    }
    let mut pm = [0u64; 128];
    for (i, &c) in a.iter().enumerate() {
        pm[usize::from(c & 0x7F)] |= 1 << i;
    }
    let bound = (la.max(lb) / 2).saturating_sub(1);
    let (mut fa, mut fb) = (0u64, 0u64);
    for (j, &c) in b.iter().enumerate() {
        let lo = j.saturating_sub(bound);
        if lo >= la {
            break;
        }
        let x = pm[usize::from(c & 0x7F)] & span(lo, j + bound + 1) & !fa;
        if x != 0 {
            fa |= x & x.wrapping_neg();
            fb |= 1 << j;
        }
    }
    similarity(a, b, fa, fb)
}

/// Jaro similarity of two slices of at most 64 elements. Matching runs over
/// `b`, each element taking the first free equal element of `a` within the
/// window, as rapidfuzz's bit-parallel version does (the transposition count
/// depends on that order).
fn jaro<T: PartialEq + Copy>(a: &[T], b: &[T]) -> f64 {
    let (la, lb) = (a.len(), b.len());
    debug_assert!(la <= MAX && lb <= MAX);
    if la == 0 || lb == 0 {
        return if la == lb { 1.0 } else { 0.0 };
    }
    let bound = (la.max(lb) / 2).saturating_sub(1);
    let (mut fa, mut fb) = (0u64, 0u64);
    for (j, &y) in b.iter().enumerate() {
        let lo = j.saturating_sub(bound);
        let hi = (j + bound + 1).min(la);
        if let Some(i) = (lo..hi).find(|&i| fa & (1 << i) == 0 && a[i] == y) {
            fa |= 1 << i;
            fb |= 1 << j;
        }
    }
    similarity(a, b, fa, fb)
}

/// Jaro from the matched positions of each side.
fn similarity<T: PartialEq>(a: &[T], b: &[T], mut fa: u64, mut fb: u64) -> f64 {
    let common = fb.count_ones() as usize;
    if common == 0 {
        return 0.0;
    }
    let mut transpositions = 0usize;
    while fb != 0 {
        let (i, j) = (fa.trailing_zeros() as usize, fb.trailing_zeros() as usize);
        transpositions += usize::from(a[i] != b[j]);
        fa &= fa - 1;
        fb &= fb - 1;
    }
    let m = common as f64;
    (m / a.len() as f64 + m / b.len() as f64 + (m - (transpositions / 2) as f64) / m) / 3.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reference(a: &str, b: &str) -> f64 {
        rf::normalized_similarity(a.chars(), b.chars())
    }

    #[test]
    fn golden_values() {
        for (a, b, want) in [
            ("martha", "marhta", 0.961_111),
            ("dwayne", "duane", 0.84),
            ("dixon", "dicksonx", 0.813_333),
            ("pridham", "pridhamp", 0.975),
            ("jones", "johnson", 0.832_381),
            ("", "", 1.0),
            ("a", "", 0.0),
            ("a", "a", 1.0),
            ("ab", "ba", 0.0),
            ("東京都", "東京府", 0.822_222),
        ] {
            let got = jaro_winkler(a, b);
            assert!((got - want).abs() < 1e-6, "{a} {b}: {got} vs {want}");
            assert!((got - reference(a, b)).abs() < 1e-12, "{a} {b}");
        }
    }

    #[test]
    fn agrees_with_rapidfuzz_on_random_strings() {
        // Small alphabets make repeated characters, windows and transpositions common.
        let mut state = 0x1234_5678_9abc_def0u64;
        let mut next = |n: u64| {
            state = super::super::compare::mix64(state.wrapping_add(0x9E37_79B9_7F4A_7C15));
            state % n
        };
        let alphabets: [&[char]; 3] = [
            &['a', 'b', 'c'],
            &['a', 'b', 'c', 'd', 'e', ' '],
            &['ж', 'a', '山', 'b'],
        ];
        for _ in 0..20_000 {
            let alpha = alphabets[next(3) as usize];
            let (la, lb) = (next(70), next(70));
            let a: String = (0..la)
                .map(|_| alpha[next(alpha.len() as u64) as usize])
                .collect();
            let b: String = (0..lb)
                .map(|_| alpha[next(alpha.len() as u64) as usize])
                .collect();
            let (got, want) = (jaro_winkler(&a, &b), reference(&a, &b));
            assert!((got - want).abs() < 1e-12, "{a:?} {b:?}: {got} vs {want}");
        }
    }

    #[test]
    fn unspaced_is_the_glued_strings() {
        for (a, b) in [
            ("pridham street", "pridhamstreet"),
            ("a b c", "abc d"),
            ("東 京", "東京 都"),
        ] {
            let want = reference(&a.replace(' ', ""), &b.replace(' ', ""));
            assert!(
                (jaro_winkler_unspaced(a, b) - want).abs() < 1e-12,
                "{a} {b}"
            );
        }
    }

    #[test]
    fn long_strings_fall_back() {
        let a = "a".repeat(70) + "b";
        let b = "a".repeat(70) + "c";
        assert!((jaro_winkler(&a, &b) - reference(&a, &b)).abs() < 1e-12);
    }
}
