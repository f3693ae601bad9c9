//! The match stage's output and the steward decisions it obeys.

use super::Workspace;
use crate::error::Result;
use rusqlite::params;

/// A steward decision on two parties, by source and source key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StewardDecision {
    pub left: (String, String),
    pub right: (String, String),
    /// `true`: merge (must-link); `false`: keep apart (cannot-link).
    pub merge: bool,
}

/// One golden record as stored.
#[derive(Clone, Debug, PartialEq)]
pub struct StoredGolden {
    pub golden_id: String,
    pub kind: String,
    pub members: usize,
    pub record_json: String,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct MatchSummary {
    pub golden: i64,
    pub merged_parties: i64,
    pub match_pairs: i64,
    pub review_pairs: i64,
    pub decisions: i64,
}

impl Workspace {
    pub fn add_decision(&mut self, d: &StewardDecision) -> Result<()> {
        // Stored in one orientation so a repeated decision replaces the old one.
        let (l, r) = if d.left <= d.right {
            (&d.left, &d.right)
        } else {
            (&d.right, &d.left)
        };
        self.conn
            .execute(
                "INSERT INTO decisions (left_source, left_key, right_source, right_key, decision) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (left_source, left_key, right_source, right_key) DO UPDATE SET decision = excluded.decision",
                params![l.0, l.1, r.0, r.1, if d.merge { "merge" } else { "keep_apart" }],
            )
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    pub fn decisions(&self) -> Result<Vec<StewardDecision>> {
        self.query_all("SELECT left_source, left_key, right_source, right_key, decision FROM decisions ORDER BY id", [], |r| {
            Ok(StewardDecision {
                left: (r.get(0)?, r.get(1)?),
                right: (r.get(2)?, r.get(3)?),
                merge: r.get::<_, String>(4)? == "merge",
            })
        })
    }

    /// Replace the match output in one transaction: cluster of every party
    /// (by row id), golden records, scored pairs (by row ids).
    pub fn replace_matches(
        &mut self,
        clusters: &[(i64, String)],
        golden: &[StoredGolden],
        pairs: &[(i64, i64, f64, &str)],
    ) -> Result<()> {
        self.in_transaction(|tx| {
        tx.execute_batch("DELETE FROM clusters; DELETE FROM golden; DELETE FROM match_pairs;")?;
        {
            let mut stmt = tx
                .prepare("INSERT INTO clusters (row_id, golden_id) VALUES (?1, ?2)")?;
            for (row, g) in clusters {
                stmt.execute(params![row, g])?;
            }
            let mut stmt = tx
                .prepare(
                    "INSERT INTO golden (golden_id, kind, members, record) VALUES (?1, ?2, ?3, ?4)",
                )?;
            for g in golden {
                stmt.execute(params![
                    g.golden_id,
                    g.kind,
                    g.members as i64,
                    g.record_json
                ])?;
            }
            let mut stmt = tx
                .prepare("INSERT INTO match_pairs (left_row, right_row, score, decision) VALUES (?1, ?2, ?3, ?4)")?;
            for (a, b, score, decision) in pairs {
                stmt.execute(params![a, b, score, decision])?;
            }
        }
        Ok(())
        })
    }

    /// Golden id of every party (by row id, ascending), as the match stage left them.
    pub fn golden_ids(&self) -> Result<Vec<(i64, String)>> {
        self.query_all(
            "SELECT row_id, golden_id FROM clusters ORDER BY row_id",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
    }

    /// Replace the link stage's output in one transaction.
    pub fn replace_links(
        &mut self,
        links: &[(i64, Option<String>, String, f64)],
        created: &[(String, String, String)],
    ) -> Result<()> {
        self.in_transaction(|tx| {
        tx.execute_batch("DELETE FROM links; DELETE FROM created_organizations;")?;
        {
            let mut stmt = tx
                .prepare("INSERT INTO links (row_id, organization, method, confidence) VALUES (?1, ?2, ?3, ?4)")?;
            for (row, org, method, confidence) in links {
                stmt.execute(params![row, org, method, confidence])?;
            }
            let mut stmt = tx
                .prepare("INSERT INTO created_organizations (golden_id, name, match_key) VALUES (?1, ?2, ?3)")?;
            for (id, name, key) in created {
                stmt.execute(params![id, name, key])?;
            }
        }
        Ok(())
        })
    }

    /// Persons per link method (the first method for combined ones; `unlinked`
    /// and `ambiguous` by themselves).
    pub fn link_rates(&self) -> Result<Vec<(String, i64)>> {
        self.query_all("SELECT CASE WHEN organization IS NULL THEN substr(method, 1, instr(method || ':', ':') - 1)
                             ELSE method END AS m, COUNT(*)
                 FROM links GROUP BY m ORDER BY COUNT(*) DESC, m", [], |r| Ok((r.get(0)?, r.get(1)?)))
    }

    pub fn match_summary(&self) -> Result<MatchSummary> {
        self.conn
            .query_row(
                "SELECT (SELECT COUNT(*) FROM golden),
                        (SELECT COALESCE(SUM(members), 0) FROM golden WHERE members > 1),
                        (SELECT COUNT(*) FROM match_pairs WHERE decision = 'match'),
                        (SELECT COUNT(*) FROM match_pairs WHERE decision = 'review'),
                        (SELECT COUNT(*) FROM decisions)",
                [],
                |r| {
                    Ok(MatchSummary {
                        golden: r.get(0)?,
                        merged_parties: r.get(1)?,
                        match_pairs: r.get(2)?,
                        review_pairs: r.get(3)?,
                        decisions: r.get(4)?,
                    })
                },
            )
            .map_err(|e| self.err(e))
    }
}
