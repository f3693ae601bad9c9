//! Identifiers Excel damaged: numbers that lost leading zeros, long numbers
//! saved as `4.01E+12`, codes Excel turned into dates. Flagged at ingest; the
//! normalizers repair what a checksum can confirm.

use crate::model::Field;
use crate::model::cell::{Cell, format_number, is_scientific};
use crate::model::flags::{DATE_IN_IDENTIFIER, NUMBER_IN_IDENTIFIER, SCIENTIFIC_NOTATION};

/// A flag code and what to tell the user, when a cell of an identifier field
/// shows Excel damage.
pub fn check(cell: &Cell, field: Field) -> Option<(&'static str, String)> {
    if !field.is_identifier() {
        return None;
    }
    match cell {
        Cell::Number(n) => Some((
            NUMBER_IN_IDENTIFIER,
            format!(
                "{} stored as a number: leading zeros may be lost",
                format_number(*n)
            ),
        )),
        Cell::Text(s) if is_scientific(s.trim()) => Some((
            SCIENTIFIC_NOTATION,
            format!(
                "`{}` is in scientific notation: digits are lost; export the column as text",
                s.trim()
            ),
        )),
        Cell::Text(s) if is_date_text(s.trim()) => Some((
            DATE_IN_IDENTIFIER,
            format!(
                "`{}` is a date: Excel converted a code; export the column as text",
                s.trim()
            ),
        )),
        Cell::Date { date } => Some((
            DATE_IN_IDENTIFIER,
            format!("`{date}` is a date: Excel converted a code; export the column as text"),
        )),
        _ => None,
    }
}

/// A date as Excel writes one into a CSV: `04.03.2012`, `2012-03-04`,
/// `3/4/2012`, `2012/03/04` (day and month in range, a four-digit year).
pub fn is_date_text(s: &str) -> bool {
    let parts: Vec<&str> = s.split(['.', '-', '/']).collect();
    let [a, b, c] = parts.as_slice() else {
        return false;
    };
    let num = |p: &str, len: std::ops::RangeInclusive<usize>| {
        (len.contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit()))
            .then(|| p.parse::<u32>().ok())
            .flatten()
    };
    let day_month = |x: u32, y: u32| {
        (1..=31).contains(&x) && (1..=12).contains(&y)
            || (1..=12).contains(&x) && (1..=31).contains(&y)
    };
    let year = |y: u32| (1900..=2099).contains(&y);
    let separators = [b'.', b'-', b'/']
        .iter()
        .filter(|c| s.as_bytes().contains(c))
        .count();
    separators == 1
        && match (
            num(a, 1..=2),
            num(b, 1..=2),
            num(c, 4..=4),
            num(a, 4..=4),
            num(c, 1..=2),
        ) {
            (Some(x), Some(y), Some(z), _, _) => day_month(x, y) && year(z),
            (_, Some(y), _, Some(z), Some(x)) => day_month(x, y) && year(z),
            _ => false,
        }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::cell::exact_scientific;

    #[test]
    fn flags_damage_only_in_identifier_fields() {
        assert_eq!(
            check(&Cell::Number(770708389.0), Field::TaxId).map(|f| f.0),
            Some(NUMBER_IN_IDENTIFIER)
        );
        assert_eq!(check(&Cell::Number(5.0), Field::Notes), None);
        assert_eq!(
            check(&Cell::Text("4.01E+12".into()), Field::RegistrationId).map(|f| f.0),
            Some(SCIENTIFIC_NOTATION)
        );
        assert_eq!(check(&Cell::Text("7707083893".into()), Field::TaxId), None);
        assert_eq!(
            check(
                &Cell::Date {
                    date: "2024-01-02".into()
                },
                Field::SourceKey
            )
            .map(|f| f.0),
            Some(DATE_IN_IDENTIFIER)
        );
    }

    #[test]
    fn dates_written_as_text_are_damage_too() {
        for s in [
            "04.03.2012",
            "2012-03-04",
            "3/4/2012",
            "2012/03/04",
            "31.12.1999",
        ] {
            assert!(is_date_text(s), "{s}");
            assert_eq!(
                check(&Cell::Text(s.into()), Field::Phone).map(|f| f.0),
                Some(DATE_IN_IDENTIFIER)
            );
        }
        for s in [
            "7707083893",
            "495-123-4567",
            "12.5",
            "32.13.2012",
            "04.03-2012",
            "1.2.3",
        ] {
            assert!(!is_date_text(s), "{s}");
        }
    }

    #[test]
    fn scientific_notation_is_read_exactly_only_when_no_digit_was_lost() {
        assert_eq!(
            exact_scientific("7.707083893E+09").as_deref(),
            Some("7707083893")
        );
        assert_eq!(
            exact_scientific("7.7070838930E+09").as_deref(),
            Some("7707083893")
        );
        assert_eq!(exact_scientific("4,01E+12"), None);
        assert_eq!(exact_scientific("7.70708389312E+09"), None);
        assert_eq!(exact_scientific("ООО"), None);
    }

    #[test]
    fn scientific_notation_shapes() {
        for s in ["7.70708E+09", "4,01E+12", "1E+13", "4.011001098993e12"] {
            assert!(is_scientific(s), "{s}");
        }
        for s in ["ООО Е+12", "E+12", "7707083893", "12.5", "1.2E+"] {
            assert!(!is_scientific(s), "{s}");
        }
    }
}
