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
    if a.is_ascii() && b.is_ascii() {
        let (x, y) = (a.as_bytes(), b.as_bytes());
        if x.len() <= MAX && y.len() <= MAX {
            return winkler(x, y);
        }
        return rf::normalized_similarity(x.iter().copied(), y.iter().copied());
    }
    let mut xs = ['\0'; MAX];
    let mut ys = ['\0'; MAX];
    match (fill(a, &mut xs), fill(b, &mut ys)) {
        (Some(n), Some(m)) => winkler(&xs[..n], &ys[..m]),
        _ => rf::normalized_similarity(a.chars(), b.chars()),
    }
}

/// The chars of `s` into `buf`; None when it has more than [`MAX`].
fn fill(s: &str, buf: &mut [char; MAX]) -> Option<usize> {
    let mut n = 0;
    for c in s.chars() {
        *buf.get_mut(n)? = c;
        n += 1;
    }
    Some(n)
}

fn winkler<T: PartialEq + Copy>(a: &[T], b: &[T]) -> f64 {
    let sim = jaro(a, b);
    if sim <= 0.7 {
        return sim;
    }
    let prefix = a.iter().zip(b).take(4).take_while(|(x, y)| x == y).count();
    sim + prefix as f64 * 0.1 * (1.0 - sim)
}

/// Jaro similarity of two slices of at most 64 elements. Matching runs over
/// `b`, each element taking the first free equal element of `a` within the
/// window, as rapidfuzz's bit-parallel version does (the transposition count
/// depends on that order).
fn jaro<T: PartialEq + Copy>(a: &[T], b: &[T]) -> f64 {
    let (la, lb) = (a.len(), b.len());
    debug_assert!(la <= MAX && lb <= MAX);
    if la == 0 && lb == 0 {
        return 1.0;
    }
    if la == 0 || lb == 0 {
        return 0.0;
    }
    let bound = (la.max(lb) / 2).saturating_sub(1);
    let (mut fa, mut fb) = (0u64, 0u64);
    let mut common = 0usize;
    for (j, &y) in b.iter().enumerate() {
        let lo = j.saturating_sub(bound);
        let hi = (j + bound + 1).min(la);
        for i in lo..hi {
            if fa & (1 << i) == 0 && a[i] == y {
                fa |= 1 << i;
                fb |= 1 << j;
                common += 1;
                break;
            }
        }
    }
    if common == 0 {
        return 0.0;
    }
    let mut transpositions = 0usize;
    let (mut fa, mut fb) = (fa, fb);
    while fb != 0 {
        let (i, j) = (fa.trailing_zeros() as usize, fb.trailing_zeros() as usize);
        transpositions += usize::from(a[i] != b[j]);
        fa &= fa - 1;
        fb &= fb - 1;
    }
    let m = common as f64;
    (m / la as f64 + m / lb as f64 + (m - (transpositions / 2) as f64) / m) / 3.0
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
            let (la, lb) = (next(20), next(20));
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
    fn long_strings_fall_back() {
        let a = "a".repeat(70) + "b";
        let b = "a".repeat(70) + "c";
        assert!((jaro_winkler(&a, &b) - reference(&a, &b)).abs() < 1e-12);
    }
}
