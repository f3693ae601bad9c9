//! The steward's loop as stored: decisions on pairs (in `decisions`), golden
//! field overrides, person → organization choices, and the review workbooks
//! golive wrote or read (so an edited one is never overwritten unread).

use super::Workspace;
use super::matches::{StewardDecision, StoredPair};
use crate::error::Result;
use rusqlite::{OptionalExtension, params};

pub(super) const UPSERT_DECISION: &str = "INSERT INTO decisions (left_source, left_key, right_source, right_key, decision, decided_by, decided_at, note, left_hash, right_hash)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
     ON CONFLICT (left_source, left_key, right_source, right_key) DO UPDATE SET
       decision = excluded.decision, decided_by = excluded.decided_by,
       decided_at = excluded.decided_at, note = excluded.note,
       left_hash = excluded.left_hash, right_hash = excluded.right_hash";

/// A decision's parameters for [`UPSERT_DECISION`], its sides in one order
/// so that a repeated decision replaces the old one.
pub(super) fn decision_params(d: &StewardDecision) -> [&dyn rusqlite::ToSql; 10] {
    let swap = d.left > d.right;
    let (l, r) = if swap {
        (&d.right, &d.left)
    } else {
        (&d.left, &d.right)
    };
    let (lh, rh) = if swap {
        (&d.right_hash, &d.left_hash)
    } else {
        (&d.left_hash, &d.right_hash)
    };
    [
        &l.0,
        &l.1,
        &r.0,
        &r.1,
        if d.merge { &"merge" } else { &"keep_apart" },
        &d.decided_by,
        &d.decided_at,
        &d.note,
        lh,
        rh,
    ]
}

/// A steward's value for one field of a golden record.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GoldenOverride {
    pub golden_id: String,
    /// A canonical field name (`name`, `phone`, `email`).
    pub field: String,
    pub value: String,
    pub decided_by: String,
    pub decided_at: String,
    pub note: String,
}

/// A steward's choice of organization for a person, by the person's source
/// and identity key; `None`: leave the person without an organization.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LinkDecision {
    pub person: (String, String),
    pub organization: Option<String>,
    /// What the person's row said when the steward saw it.
    pub person_hash: String,
    pub decided_by: String,
    pub decided_at: String,
    pub note: String,
}

/// A member a steward took out of a cluster: the match that follows keeps
/// it apart from the members that stay (as keep-apart pairs) and leaves the
/// cluster's golden ID with them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TakeOut {
    pub member: (String, String),
    pub golden_id: String,
    pub decided_by: String,
    pub decided_at: String,
    pub note: String,
}

/// Everything one review import stores, in one transaction.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DecisionBatch {
    pub pairs: Vec<StewardDecision>,
    pub overrides: Vec<GoldenOverride>,
    pub links: Vec<LinkDecision>,
    pub take_outs: Vec<TakeOut>,
    /// SHA-256 of the workbook the decisions came from.
    pub workbook_sha256: String,
}

/// What storing a batch changed, per kind of decision.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Stored {
    pub new: usize,
    pub changed: usize,
    pub unchanged: usize,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct StoredBatch {
    pub pairs: Stored,
    pub overrides: Stored,
    pub links: Stored,
}

/// Count one upsert: `before` is the stored (decision, note), if any.
fn tally<T: PartialEq>(counts: &mut Stored, before: Option<T>, now: &T) -> bool {
    match before {
        None => counts.new += 1,
        Some(b) if b == *now => {
            counts.unchanged += 1;
            return false;
        }
        Some(_) => counts.changed += 1,
    }
    true
}

impl Workspace {
    /// Store a review import: every decision or none. A decision equal to the
    /// stored one (same value and note) keeps its first author and time.
    pub fn store_decisions(&mut self, batch: &DecisionBatch) -> Result<StoredBatch> {
        self.in_transaction(|tx| {
            let mut out = StoredBatch::default();
            let mut find = tx.prepare(
                "SELECT decision, note FROM decisions WHERE left_source = ?1 AND left_key = ?2 AND right_source = ?3 AND right_key = ?4",
            )?;
            let mut upsert = tx.prepare(UPSERT_DECISION)?;
            for d in &batch.pairs {
                let (l, r) = if d.left <= d.right {
                    (&d.left, &d.right)
                } else {
                    (&d.right, &d.left)
                };
                let decision = if d.merge { "merge" } else { "keep_apart" };
                let before: Option<(String, String)> = find
                    .query_row(params![l.0, l.1, r.0, r.1], |r| Ok((r.get(0)?, r.get(1)?)))
                    .optional()?;
                if tally(&mut out.pairs, before, &(decision.to_string(), d.note.clone())) {
                    upsert.execute(decision_params(d))?;
                }
            }
            let mut find = tx.prepare(
                "SELECT value, note FROM golden_overrides WHERE golden_id = ?1 AND field = ?2",
            )?;
            let mut upsert = tx.prepare(
                "INSERT INTO golden_overrides (golden_id, field, value, decided_by, decided_at, note)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (golden_id, field) DO UPDATE SET value = excluded.value,
                   decided_by = excluded.decided_by, decided_at = excluded.decided_at, note = excluded.note",
            )?;
            let mut delete =
                tx.prepare("DELETE FROM golden_overrides WHERE golden_id = ?1 AND field = ?2")?;
            for o in &batch.overrides {
                let before: Option<(String, String)> = find
                    .query_row(params![o.golden_id, o.field], |r| Ok((r.get(0)?, r.get(1)?)))
                    .optional()?;
                // A blank value takes a stored override back.
                if o.value.is_empty() {
                    if before.is_some() {
                        delete.execute(params![o.golden_id, o.field])?;
                        out.overrides.changed += 1;
                    }
                    continue;
                }
                if tally(&mut out.overrides, before, &(o.value.clone(), o.note.clone())) {
                    upsert.execute(params![
                        o.golden_id,
                        o.field,
                        o.value,
                        o.decided_by,
                        o.decided_at,
                        o.note
                    ])?;
                }
            }
            let mut find = tx.prepare(
                "SELECT organization, note FROM link_decisions WHERE person_source = ?1 AND person_key = ?2",
            )?;
            let mut upsert = tx.prepare(
                "INSERT INTO link_decisions (person_source, person_key, organization, decided_by, decided_at, note, person_hash)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                 ON CONFLICT (person_source, person_key) DO UPDATE SET organization = excluded.organization,
                   person_hash = excluded.person_hash,
                   decided_by = excluded.decided_by, decided_at = excluded.decided_at, note = excluded.note",
            )?;
            for l in &batch.links {
                let before: Option<(Option<String>, String)> = find
                    .query_row(params![l.person.0, l.person.1], |r| {
                        Ok((r.get(0)?, r.get(1)?))
                    })
                    .optional()?;
                if tally(&mut out.links, before, &(l.organization.clone(), l.note.clone())) {
                    upsert.execute(params![
                        l.person.0,
                        l.person.1,
                        l.organization,
                        l.decided_by,
                        l.decided_at,
                        l.note,
                        l.person_hash
                    ])?;
                }
            }
            let mut take = tx.prepare(
                "INSERT INTO take_outs (source, key, golden_id, decided_by, decided_at, note)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (source, key, golden_id) DO NOTHING",
            )?;
            for t in &batch.take_outs {
                take.execute(params![
                    t.member.0,
                    t.member.1,
                    t.golden_id,
                    t.decided_by,
                    t.decided_at,
                    t.note
                ])?;
            }
            tx.execute(
                "INSERT INTO review_files (sha256, event, at) VALUES (?1, 'imported', datetime('now'))
                 ON CONFLICT (sha256) DO UPDATE SET event = 'imported', at = excluded.at",
                params![batch.workbook_sha256],
            )?;
            Ok(out)
        })
    }

    pub fn golden_overrides(&self) -> Result<Vec<GoldenOverride>> {
        self.query_all(
            "SELECT golden_id, field, value, decided_by, decided_at, note FROM golden_overrides ORDER BY golden_id, field",
            [],
            |r| {
                Ok(GoldenOverride {
                    golden_id: r.get(0)?,
                    field: r.get(1)?,
                    value: r.get(2)?,
                    decided_by: r.get(3)?,
                    decided_at: r.get(4)?,
                    note: r.get(5)?,
                })
            },
        )
    }

    pub fn link_decisions(&self) -> Result<Vec<LinkDecision>> {
        self.query_all(
            "SELECT person_source, person_key, organization, decided_by, decided_at, note, person_hash FROM link_decisions ORDER BY person_source, person_key",
            [],
            |r| {
                Ok(LinkDecision {
                    person: (r.get(0)?, r.get(1)?),
                    organization: r.get(2)?,
                    decided_by: r.get(3)?,
                    decided_at: r.get(4)?,
                    note: r.get(5)?,
                    person_hash: r.get(6)?,
                })
            },
        )
    }

    /// Members taken out of clusters: (source, key, golden ID).
    pub fn take_outs(&self) -> Result<Vec<(String, String, String)>> {
        self.query_all(
            "SELECT source, key, golden_id FROM take_outs ORDER BY source, key, golden_id",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
    }

    /// Remember a review workbook golive wrote.
    pub fn record_review_export(&mut self, sha256: &str) -> Result<()> {
        self.conn()
            .execute(
                "INSERT INTO review_files (sha256, event, at) VALUES (?1, 'exported', datetime('now'))
                 ON CONFLICT (sha256) DO NOTHING",
                params![sha256],
            )
            .map(drop)
            .map_err(|e| self.err(e))
    }

    /// Whether golive wrote or imported a workbook with these bytes.
    pub fn review_file_known(&self, sha256: &str) -> Result<bool> {
        self.conn()
            .query_row(
                "SELECT 1 FROM review_files WHERE sha256 = ?1",
                params![sha256],
                |_| Ok(()),
            )
            .optional()
            .map(|o| o.is_some())
            .map_err(|e| self.err(e))
    }

    /// Pairs of the last match run in the review band (and, with
    /// `with_matches`, the automatic matches), strongest first.
    pub fn pairs_for_review(&self, with_matches: bool) -> Result<Vec<StoredPair>> {
        let filter = if with_matches {
            "decision IN ('review', 'match')"
        } else {
            "decision = 'review'"
        };
        self.query_all(
            &format!(
                "SELECT left_row, right_row, score, decision, levels, explanation FROM match_pairs
                 WHERE {filter} ORDER BY score DESC, left_row, right_row"
            ),
            [],
            StoredPair::from_row,
        )
    }

    /// Persons whose link was ambiguous: row id and the candidate golden IDs.
    pub fn ambiguous_links(&self) -> Result<Vec<(i64, Vec<String>)>> {
        self.query_all(
            "SELECT row_id, candidates FROM links WHERE candidates <> '' ORDER BY row_id",
            [],
            |r| {
                let c: String = r.get(1)?;
                Ok((r.get(0)?, c.split(' ').map(str::to_string).collect()))
            },
        )
    }

    /// Stored golden records (`GoldenByRow` JSON) with at least `min_members`
    /// members, by golden ID: (golden ID, JSON).
    pub fn golden_records(&self, min_members: usize) -> Result<Vec<(String, String)>> {
        self.query_all(
            "SELECT golden_id, record FROM golden WHERE members >= ?1 ORDER BY golden_id",
            params![min_members as i64],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
    }

    /// One stored golden record's JSON.
    pub fn golden_record(&self, golden_id: &str) -> Result<Option<String>> {
        self.conn()
            .query_row(
                "SELECT record FROM golden WHERE golden_id = ?1",
                params![golden_id],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| self.err(e))
    }

    /// Names of organizations created from persons' company text, by golden ID.
    pub fn created_organization_name(&self, golden_id: &str) -> Result<Option<String>> {
        self.conn()
            .query_row(
                "SELECT name FROM created_organizations WHERE golden_id = ?1",
                params![golden_id],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| self.err(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pair(a: &str, b: &str, merge: bool, note: &str) -> StewardDecision {
        StewardDecision {
            left: ("s".into(), a.into()),
            right: ("s".into(), b.into()),
            merge,
            decided_by: "x".into(),
            decided_at: "t".into(),
            note: note.into(),
            ..StewardDecision::default()
        }
    }

    fn value(id: &str, value: &str) -> GoldenOverride {
        GoldenOverride {
            golden_id: id.into(),
            field: "name".into(),
            value: value.into(),
            ..GoldenOverride::default()
        }
    }

    #[test]
    fn a_batch_counts_what_it_changed_and_a_blank_value_takes_an_override_back() {
        let tmp = tempfile::tempdir().unwrap();
        let mut ws = Workspace::open(tmp.path()).unwrap();
        let first = DecisionBatch {
            pairs: vec![pair("1", "2", true, ""), pair("3", "4", false, "")],
            overrides: vec![value("G1", "Acme")],
            workbook_sha256: "a".into(),
            ..DecisionBatch::default()
        };
        let s = ws.store_decisions(&first).unwrap();
        assert_eq!((s.pairs.new, s.overrides.new), (2, 1));
        // The same pair written the other way round, decided again; one changed.
        let second = DecisionBatch {
            pairs: vec![pair("2", "1", true, ""), pair("3", "4", true, "same firm")],
            overrides: vec![value("G1", ""), value("G2", "")],
            workbook_sha256: "b".into(),
            ..DecisionBatch::default()
        };
        let s = ws.store_decisions(&second).unwrap();
        assert_eq!((s.pairs.new, s.pairs.changed, s.pairs.unchanged), (0, 1, 1));
        assert_eq!((s.overrides.new, s.overrides.changed), (0, 1));
        assert!(ws.golden_overrides().unwrap().is_empty());
        let d = ws.decisions().unwrap();
        assert_eq!(d.len(), 2);
        assert!(d.iter().all(|d| d.merge));
        assert!(ws.review_file_known("b").unwrap() && !ws.review_file_known("c").unwrap());
    }
}
