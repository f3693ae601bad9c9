//! Person names: RU Фамилия Имя Отчество, JP family-first, Western given-first. (stub)

use crate::model::PersonName;

/// Which order a full name is written in; `Auto` decides from the script.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum NameOrder {
    #[default]
    Auto,
    /// Фамилия Имя Отчество (also initials: Иванов И.И.).
    FamilyFirst,
    /// Given Middle Family, with titles and suffixes.
    GivenFirst,
}

/// Split and order a full name.
pub fn normalize_person_name(input: &str, order: NameOrder) -> PersonName {
    let _ = order;
    PersonName {
        input: input.to_string(),
        ..PersonName::default()
    }
}

/// Build a name from separate columns.
pub fn person_from_parts(family: &str, given: &str, middle: &str) -> PersonName {
    PersonName {
        family: family.to_string(),
        given: given.to_string(),
        middle: middle.to_string(),
        ..PersonName::default()
    }
}
