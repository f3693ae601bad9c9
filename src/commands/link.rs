//! `golive link [DIR]`: every contact person to its organization's golden record;
//! `out/links.csv`, and the organizations created from free-text company names.

use crate::pipeline::link::LinkReport;

pub fn print(r: &LinkReport) {
    crate::say!(
        "link: {} persons: {} linked ({} to organizations created from their company name), {} ambiguous (to review), {} unlinked",
        r.persons,
        r.linked,
        r.created,
        r.ambiguous,
        r.persons - r.linked - r.ambiguous
    );
    if r.steward > 0 {
        crate::say!("  {} persons placed as the data steward chose", r.steward);
    }
    for (source, key, by, at) in &r.changed_since_decided {
        crate::say!(
            "  changed since {by} chose its organization ({at}): {source}:{key}: the choice stands; check it"
        );
    }
    for (source, key, why) in &r.unresolved {
        crate::say!("  link choice not applied: {source}:{key}: {why}");
    }
}
