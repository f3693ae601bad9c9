//! `golive normalize [DIR]`: every accepted row of the current source versions → a party.

use crate::pipeline::normalize::NormalizeReport;

pub fn print(r: &NormalizeReport) {
    let kept = if r.kept_tables > 0 {
        format!(
            " ({} of them kept from {} unchanged table(s))",
            r.kept_parties, r.kept_tables
        )
    } else {
        String::new()
    };
    crate::say!(
        "normalize: {} parties, {} rejected{kept}",
        r.parties,
        r.rejected
    );
}
