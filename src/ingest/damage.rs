//! Identifiers Excel damaged: numbers that lost leading zeros, long numbers
//! saved as `4.01E+12`, codes Excel turned into dates. Flagged at ingest; the
//! normalizers repair what a checksum can confirm.

use super::cell::{Cell, format_number};
use crate::model::Field;

pub const NUMBER_IN_IDENTIFIER: &str = "excel_number_in_identifier";
pub const SCIENTIFIC_NOTATION: &str = "excel_scientific_notation";
pub const DATE_IN_IDENTIFIER: &str = "excel_date_in_identifier";

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
        Cell::Date { date } => Some((
            DATE_IN_IDENTIFIER,
            format!("`{date}` is a date: Excel converted a code; export the column as text"),
        )),
        _ => None,
    }
}

/// `7.70708E+09`, `4,01E+12` (Russian decimal comma).
pub fn is_scientific(s: &str) -> bool {
    let Some((mantissa, exp)) = s.split_once(['E', 'e']) else {
        return false;
    };
    let exp = exp.strip_prefix('+').unwrap_or(exp);
    let mut parts = mantissa.splitn(2, ['.', ',']);
    let int = parts.next().unwrap_or("");
    let frac = parts.next().unwrap_or("0");
    !int.is_empty()
        && int.len() <= 2
        && int.bytes().all(|b| b.is_ascii_digit())
        && frac.bytes().all(|b| b.is_ascii_digit())
        && !exp.is_empty()
        && exp.len() <= 2
        && exp.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn scientific_notation_shapes() {
        for s in ["7.70708E+09", "4,01E+12", "1E+13", "4.011001098993e12"] {
            assert!(is_scientific(s), "{s}");
        }
        for s in ["ООО Е+12", "E+12", "7707083893", "12.5", "1.2E+"] {
            assert!(!is_scientific(s), "{s}");
        }
    }
}
