//! One spreadsheet or CSV cell, with its type kept: a number stays a number so
//! that identifiers Excel damaged can be recognised later.

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize};

/// Stored as plain JSON values (`null`, `"text"`, `7.0`, `true`,
/// `{"date": …}`, `{"error": …}`); read back by [`CellVisitor`].
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Cell {
    Empty(()),
    Text(String),
    Number(f64),
    Bool(bool),
    /// A date/time cell, as ISO 8601.
    Date {
        date: String,
    },
    /// A formula error such as `#N/A`.
    Error {
        error: String,
    },
}

// By hand rather than `#[serde(untagged)]`: untagged tries each variant in
// turn and formats an error message for every miss, which made reading a
// million stored rows' cells a tenth of normalize's time.
impl<'de> Deserialize<'de> for Cell {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(CellVisitor)
    }
}

struct CellVisitor;

impl<'de> Visitor<'de> for CellVisitor {
    type Value = Cell;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a cell: null, text, number, boolean, {\"date\": …} or {\"error\": …}")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Cell, E> {
        Ok(Cell::EMPTY)
    }

    fn visit_none<E: de::Error>(self) -> Result<Cell, E> {
        Ok(Cell::EMPTY)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Cell, E> {
        Ok(Cell::Text(v.to_string()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Cell, E> {
        Ok(Cell::Text(v))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Cell, E> {
        Ok(Cell::Number(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Cell, E> {
        Ok(Cell::Number(v as f64))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Cell, E> {
        Ok(Cell::Number(v as f64))
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Cell, E> {
        Ok(Cell::Bool(v))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Cell, A::Error> {
        let Some(key) = map.next_key::<String>()? else {
            return Err(de::Error::invalid_length(0, &self));
        };
        let value: String = map.next_value()?;
        let cell = match key.as_str() {
            "date" => Cell::Date { date: value },
            "error" => Cell::Error { error: value },
            other => return Err(de::Error::unknown_field(other, &["date", "error"])),
        };
        if map.next_key::<de::IgnoredAny>()?.is_some() {
            return Err(de::Error::invalid_length(2, &self));
        }
        Ok(cell)
    }
}

impl Cell {
    pub const EMPTY: Cell = Cell::Empty(());

    pub fn is_empty(&self) -> bool {
        match self {
            Cell::Empty(()) => true,
            Cell::Text(s) => s.trim().is_empty(),
            _ => false,
        }
    }

    /// The value as a person reads it; integral numbers without `.0` or exponent.
    pub fn to_text(&self) -> String {
        match self {
            Cell::Empty(()) => String::new(),
            Cell::Text(s) => s.clone(),
            Cell::Number(n) => format_number(*n),
            Cell::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
            Cell::Date { date } => date.clone(),
            Cell::Error { error } => error.clone(),
        }
    }
}

/// Integral values print as integers (`7707083893`, not `7707083893.0` or
/// `7.707083893e9`): the digits Excel kept are the evidence for a repair.
pub fn format_number(n: f64) -> String {
    if n.is_finite() && n.fract() == 0.0 && n.abs() < 1e17 {
        format!("{}", n as i128)
    } else {
        format!("{n}")
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

/// The integer a scientific-notation cell stands for, when its mantissa writes
/// every digit (`7.707083893E+09` → `7707083893`); `None` when Excel's display
/// cut digits (`7.70708E+09`, `4,01E+12`): zeros put in their place would be a
/// guess, so those are only flagged.
pub fn exact_scientific(s: &str) -> Option<String> {
    if !is_scientific(s) {
        return None;
    }
    let (mantissa, exp) = s.split_once(['E', 'e'])?;
    let exp: usize = exp.trim_start_matches('+').parse().ok()?;
    let (int, frac) = mantissa.split_once(['.', ',']).unwrap_or((mantissa, ""));
    (frac.len() >= exp && frac[exp..].bytes().all(|b| b == b'0'))
        .then(|| format!("{int}{}", &frac[..exp]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_print_without_float_noise() {
        assert_eq!(format_number(7707083893.0), "7707083893");
        assert_eq!(format_number(4011001098993.0), "4011001098993");
        assert_eq!(format_number(12.5), "12.5");
        assert_eq!(format_number(-3.0), "-3");
    }

    #[test]
    fn cells_round_trip_through_json() {
        let cells = vec![
            Cell::EMPTY,
            Cell::Text("ООО «Ромашка»".into()),
            Cell::Number(7707083893.0),
            Cell::Bool(true),
            Cell::Date {
                date: "2024-03-01".into(),
            },
            Cell::Error {
                error: "#N/A".into(),
            },
        ];
        let json = serde_json::to_string(&cells).unwrap();
        assert_eq!(
            json,
            r##"[null,"ООО «Ромашка»",7707083893.0,true,{"date":"2024-03-01"},{"error":"#N/A"}]"##
        );
        let back: Vec<Cell> = serde_json::from_str(&json).unwrap();
        assert_eq!(back, cells);
    }

    #[test]
    fn integers_read_as_numbers_and_odd_objects_are_refused() {
        let back: Vec<Cell> = serde_json::from_str("[7, -3, 1e3]").unwrap();
        assert_eq!(
            back,
            [Cell::Number(7.0), Cell::Number(-3.0), Cell::Number(1000.0)]
        );
        for bad in [
            r#"{"when":"x"}"#,
            r#"{"date":"x","error":"y"}"#,
            "{}",
            "[1]",
        ] {
            assert!(serde_json::from_str::<Cell>(bad).is_err(), "{bad}");
        }
    }
}
