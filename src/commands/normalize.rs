//! `golive normalize [DIR]`: every accepted row of the current source versions → a party.

use crate::pipeline::normalize::NormalizeReport;

pub fn print(r: &NormalizeReport) {
    crate::say!("normalize: {} parties, {} rejected", r.parties, r.rejected);
}
