//! Company names and legal forms. (stub: to be implemented)

use crate::model::OrgName;

pub fn normalize_org_name(input: &str) -> OrgName {
    OrgName {
        input: input.to_string(),
        ..OrgName::default()
    }
}
