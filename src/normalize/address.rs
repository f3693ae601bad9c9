//! Addresses: a folded key for comparison. (stub)

use crate::model::Address;

pub fn normalize_address(address: Address) -> Address {
    address
}
