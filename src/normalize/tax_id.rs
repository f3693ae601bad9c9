//! Tax and registration identifiers with checksums. (stub: to be implemented)

use crate::model::{Field, TaxId};

/// `field` says which column the value came from (tax_id, tax_id_2 = КПП,
/// registration_id = ОГРН…); `region` is the project's default country.
pub fn normalize_tax_id(input: &str, field: Field, region: &str) -> TaxId {
    let _ = (field, region);
    TaxId {
        input: input.to_string(),
        ..TaxId::default()
    }
}
