//! Phone numbers → E.164 + extension + type. (stub: to be implemented)

use crate::model::{Phone, PhoneRole};

/// What the caller knows about where a number was written.
#[derive(Clone, Debug)]
pub struct PhoneOptions<'a> {
    /// Default country, ISO 3166 alpha-2 (`RU`, `JP`, `US`…).
    pub region: &'a str,
    /// Area code to assume for local numbers written without one, when the
    /// source declares it; otherwise such numbers are flagged, never invented.
    pub default_area_code: Option<&'a str>,
    pub role: PhoneRole,
}

/// Every number in one cell (`84951234567; 8-916-…`), each normalized.
pub fn normalize_phones(cell: &str, opts: &PhoneOptions) -> Vec<Phone> {
    let _ = (cell, opts);
    Vec::new()
}

/// One number (with an optional extension) normalized.
pub fn normalize_phone(input: &str, opts: &PhoneOptions) -> Phone {
    let _ = opts;
    Phone {
        input: input.to_string(),
        ..Phone::default()
    }
}
