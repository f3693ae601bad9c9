//! Dates as written in exports (`19560409`, `1956-04-09`, `09.04.1956`, `4/9/1956`,
//! `1956年4月9日`, Excel serials) to `YYYYMMDD`, for comparison.
//!
//! Day-first is assumed for `NN/NN/YYYY` unless the first number cannot be a day's
//! month (> 12 means day first anyway, a second number > 12 means month first): the
//! matcher has a "day/month swapped" level, so a wrong guess costs little. Placeholders
//! (`1900-01-01`, `0000-00-00`, `9999-12-31`) and impossible dates are no date.

/// The date as `YYYYMMDD`, or `None` when the text is not a plausible date.
pub fn normalize_date(input: &str) -> Option<String> {
    let s = input.trim();
    if s.is_empty() || s.len() > 40 {
        return None;
    }
    let mut nums: Vec<(u32, usize)> = Vec::with_capacity(3);
    let mut cur: Option<(u32, usize)> = None;
    for c in s.chars() {
        // Full-width digits count as digits.
        let d = match c {
            '0'..='9' => Some(c as u32 - '0' as u32),
            '０'..='９' => Some(c as u32 - '０' as u32),
            _ => None,
        };
        match (d, cur.as_mut()) {
            (Some(d), Some((v, n))) => {
                if *n >= 8 {
                    return None;
                }
                *v = *v * 10 + d;
                *n += 1;
            }
            (Some(d), None) => cur = Some((d, 1)),
            (None, _) => {
                if let Some(x) = cur.take() {
                    nums.push(x);
                }
                if !(c.is_whitespace() || "-./年月日T:－／．".contains(c)) {
                    // A time part may follow a date (`2020-01-31 00:00:00`); other text may not.
                    if nums.len() < 3 {
                        return None;
                    }
                    break;
                }
            }
        }
        if nums.len() > 6 {
            return None;
        }
    }
    if let Some(x) = cur {
        nums.push(x);
    }
    let (y, m, d) = match nums.as_slice() {
        [(v, 8), ..] => (v / 10000, v / 100 % 100, v % 100),
        // An Excel serial day number (1955–2050) written into a date column.
        [(v, 5)] if (20_000..=55_000).contains(v) => return from_excel_serial(*v),
        [(y, 4), (m, 1..=2), (d, 1..=2), ..] => (*y, *m, *d),
        [(a, 1..=2), (b, 1..=2), (y, 4), ..] => {
            if *b > 12 && *a <= 12 {
                (*y, *a, *b)
            } else {
                (*y, *b, *a)
            }
        }
        _ => return None,
    };
    valid(y, m, d).then(|| format!("{y:04}{m:02}{d:02}"))
}

fn valid(y: u32, m: u32, d: u32) -> bool {
    if !(1850..=2100).contains(&y) || !(1..=12).contains(&m) || d == 0 || d > days_in(y, m) {
        return false;
    }
    // Placeholders people type when the date is unknown.
    !matches!((y, m, d), (1900, 1, 1) | (1899, 12, 31) | (1899, 12, 30))
}

fn days_in(y: u32, m: u32) -> u32 {
    match m {
        2 if (y.is_multiple_of(4) && !y.is_multiple_of(100)) || y.is_multiple_of(400) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Excel's day 1 is 1900-01-01 and it counts a 29 February 1900 that never was.
fn from_excel_serial(serial: u32) -> Option<String> {
    let mut days = serial as i64 - 25_569; // days since 1970-01-01
    // Civil-from-days (Howard Hinnant's algorithm).
    days += 719_468;
    let era = days.div_euclid(146_097);
    let doe = days.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = (yoe + era * 400 + i64::from(m <= 2)) as u32;
    valid(y, m, d).then(|| format!("{y:04}{m:02}{d:02}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_ways_dates_are_written() {
        let cases = [
            ("19560409", Some("19560409")),
            ("1956-04-09", Some("19560409")),
            ("1956/4/9", Some("19560409")),
            ("09.04.1956", Some("19560409")),
            ("9/4/1956", Some("19560409")),
            ("4/29/1956", Some("19560429")),
            ("29/4/1956", Some("19560429")),
            ("1956年4月9日", Some("19560409")),
            ("１９５６－０４－０９", Some("19560409")),
            ("2020-01-31 00:00:00", Some("20200131")),
            ("20561", Some("19560416")),
            ("1900-01-01", None),
            ("19561309", None),
            ("19560230", None),
            ("", None),
            ("unknown", None),
            ("12345", None),
            ("31.02.1999", None),
        ];
        for (input, want) in cases {
            assert_eq!(normalize_date(input).as_deref(), want, "{input}");
        }
    }

    proptest! {
        #[test]
        fn a_normalized_date_normalizes_to_itself(y in 1850u32..2100, m in 1u32..=12, d in 1u32..=31) {
            let s = format!("{y:04}-{m:02}-{d:02}");
            if let Some(n) = normalize_date(&s) {
                prop_assert_eq!(normalize_date(&n), Some(n.clone()));
                prop_assert_eq!(n, format!("{y:04}{m:02}{d:02}"));
            } else {
                prop_assert!(d > days_in(y, m) || (y, m, d) == (1900, 1, 1) || (y, m, d) == (1899, 12, 31) || (y, m, d) == (1899, 12, 30));
            }
        }

        #[test]
        fn never_panics(s in "\\PC{0,30}") {
            let _ = normalize_date(&s);
        }
    }
}
