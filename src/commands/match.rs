//! `golive match [DIR]`: duplicate counterparties → clusters and golden records,
//! obeying steward decisions; `out/clusters.csv` and `out/golden.csv`.

use crate::pipeline::r#match::MatchReport;

pub fn print(r: &MatchReport) {
    let s = &r.stats;
    crate::say!(
        "match: {} parties → {} golden records ({} merged from duplicates); {} pairs to review; {} steward decisions",
        s.parties,
        s.clusters,
        s.multi_clusters,
        s.reviews,
        r.decisions
    );
    if s.reviews > 0 {
        crate::say!("  `golive review export` writes them to out/review.xlsx for a data steward");
    }
    for (c, (source, key)) in r.blocking.capped.iter().zip(&r.capped_examples).take(5) {
        let what = if c.pairs == 0 {
            "skipped".to_string()
        } else {
            format!("windowed to {} pairs", c.pairs)
        };
        crate::say!(
            "  oversized block {:?} `{}`: {} parties (e.g. {source}:{key}), {what}",
            c.key,
            c.value,
            c.size
        );
    }
    if r.blocking.capped.len() > 5 {
        crate::say!("  … {} more oversized blocks", r.blocking.capped.len() - 5);
    }
    if let Some(note) = r.blocking.field_blocks_note() {
        crate::say!("  {note}");
    }
    if r.overrides_applied > 0 {
        crate::say!(
            "  {} golden field values set by the data steward",
            r.overrides_applied
        );
    }
    for (id, field, why) in &r.unresolved_overrides {
        crate::say!("  override not applied: {id} {field}: {why}");
    }
    for (source, key, by, at) in &r.changed_since_decided {
        crate::say!(
            "  changed since {by} decided on it ({at}): {source}:{key}: the decision stands; the next review export asks again"
        );
    }
    for (l, rr, why) in &r.unresolved {
        crate::say!(
            "  decision not applied: {}:{} ~ {}:{} ({why})",
            l.0,
            l.1,
            rr.0,
            rr.1
        );
    }
}
