//! E-mail addresses. (stub: to be implemented)

use crate::model::Email;

/// Every address in one cell, each validated and classified.
pub fn normalize_emails(cell: &str) -> Vec<Email> {
    let _ = cell;
    Vec::new()
}
