//! The match stage's output and the steward decisions it obeys.

use super::Workspace;
use crate::error::Result;
use rusqlite::params;

/// A steward decision on two parties, by source and identity key (the source
/// key, or `~fingerprint` for rows whose key is only their row number).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StewardDecision {
    pub left: (String, String),
    pub right: (String, String),
    /// `true`: merge (must-link); `false`: keep apart (cannot-link).
    pub merge: bool,
    pub decided_by: String,
    /// `2026-12-02 19:20:00 UTC`.
    pub decided_at: String,
    pub note: String,
    /// What each row said when the steward saw it (empty: not recorded).
    pub left_hash: String,
    pub right_hash: String,
}

/// One golden record as stored.
#[derive(Clone, Debug, PartialEq)]
pub struct StoredGolden {
    pub golden_id: String,
    pub kind: String,
    pub members: usize,
    pub record_json: String,
}

/// A party's golden record, by row id.
#[derive(Clone, Debug, PartialEq)]
pub struct ClusterRow {
    pub row_id: i64,
    pub golden_id: String,
}

/// A scored pair as stored: both rows, the comparison vector (one level per
/// field of the comparison table, as digits), and the explanation as
/// `--explain` prints it, serialized.
#[derive(Clone, Debug, PartialEq)]
pub struct StoredPair {
    pub left_row: i64,
    pub right_row: i64,
    pub score: f64,
    pub decision: String,
    pub levels: String,
    pub explanation_json: String,
}

/// One match run: what it was given and the parameters it scored with.
#[derive(Clone, Debug, PartialEq)]
pub struct MatchRun {
    pub parties: u64,
    pub candidate_pairs: u64,
    pub params_json: String,
}

/// Where a row came from, as a person finds it again.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct RowRef {
    pub row_id: i64,
    pub source: String,
    /// The file's path as configured (relative to the project).
    pub file: String,
    pub sheet: Option<String>,
    pub row_number: i64,
    pub source_key: String,
}

/// A person's link to an organization's golden record.
#[derive(Clone, Debug, PartialEq)]
pub struct LinkRow {
    pub row_id: i64,
    pub organization: Option<String>,
    pub method: String,
    pub confidence: f64,
    /// Golden IDs an ambiguous link could go to (empty otherwise).
    pub candidates: Vec<String>,
}

/// An organization created from persons' company-name text.
#[derive(Clone, Debug, PartialEq)]
pub struct CreatedOrganization {
    pub golden_id: String,
    pub name: String,
    pub match_key: String,
}

/// Writes one match run's output in one transaction, in pieces.
pub struct MatchWriter<'a> {
    open: super::Open<'a>,
    run_id: i64,
}

/// Reads of the workspace (the parties) go through the writer meanwhile.
impl std::ops::Deref for MatchWriter<'_> {
    type Target = super::Workspace;
    fn deref(&self) -> &super::Workspace {
        self.open.ws
    }
}

impl MatchWriter<'_> {
    pub fn add_clusters(&mut self, clusters: &[ClusterRow]) -> Result<()> {
        let ws = self.open.ws;
        let mut stmt = ws
            .conn
            .prepare_cached("INSERT INTO clusters (row_id, golden_id) VALUES (?1, ?2)")
            .map_err(|e| ws.err(e))?;
        for c in clusters {
            stmt.execute(params![c.row_id, c.golden_id])
                .map_err(|e| ws.err(e))?;
        }
        Ok(())
    }

    pub fn add_golden(&mut self, golden: &[StoredGolden]) -> Result<()> {
        let ws = self.open.ws;
        let mut stmt = ws
            .conn
            .prepare_cached(
                "INSERT INTO golden (golden_id, kind, members, record) VALUES (?1, ?2, ?3, ?4)",
            )
            .map_err(|e| ws.err(e))?;
        for g in golden {
            stmt.execute(params![
                g.golden_id,
                g.kind,
                g.members as i64,
                g.record_json
            ])
            .map_err(|e| ws.err(e))?;
        }
        Ok(())
    }

    pub fn add_pairs(&mut self, pairs: &[StoredPair]) -> Result<()> {
        let ws = self.open.ws;
        let mut stmt = ws
            .conn
            .prepare_cached(
                "INSERT INTO match_pairs (run_id, left_row, right_row, score, decision, levels, explanation)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )
            .map_err(|e| ws.err(e))?;
        for p in pairs {
            stmt.execute(params![
                self.run_id,
                p.left_row,
                p.right_row,
                p.score,
                p.decision,
                p.levels,
                p.explanation_json
            ])
            .map_err(|e| ws.err(e))?;
        }
        Ok(())
    }

    pub fn commit(self) -> Result<()> {
        let ws = self.open.ws;
        ws.conn
            .execute_batch("CREATE INDEX clusters_by_golden ON clusters (golden_id)")
            .map_err(|e| ws.err(e))?;
        self.open.commit()
    }
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
        self.conn
            .execute(
                super::review::UPSERT_DECISION,
                super::review::decision_params(d),
            )
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    pub fn decisions(&self) -> Result<Vec<StewardDecision>> {
        self.query_all("SELECT left_source, left_key, right_source, right_key, decision, decided_by, decided_at, note, left_hash, right_hash FROM decisions ORDER BY id", [], |r| {
            Ok(StewardDecision {
                left: (r.get(0)?, r.get(1)?),
                right: (r.get(2)?, r.get(3)?),
                merge: r.get::<_, String>(4)? == "merge",
                decided_by: r.get(5)?,
                decided_at: r.get(6)?,
                note: r.get(7)?,
                left_hash: r.get(8)?,
                right_hash: r.get(9)?,
            })
        })
    }

    /// Start replacing the match output: the run and its parameters are
    /// recorded, the previous clusters, golden records and pairs removed;
    /// nothing is visible until [`MatchWriter::commit`], dropping rolls back.
    pub fn match_writer(&mut self, run: &MatchRun) -> Result<MatchWriter<'_>> {
        let open = super::Open::begin(
            self,
            // Links point at the previous golden records: the link stage redoes them.
            // The index by golden ID is built once all clusters are in: a
            // million inserts into it in golden-ID disorder took 15 s.
            "DROP INDEX IF EXISTS clusters_by_golden;
             DELETE FROM clusters; DELETE FROM golden; DELETE FROM match_pairs;
             DELETE FROM links; DELETE FROM created_organizations;",
        )?;
        self.conn
            .execute(
                "INSERT INTO match_runs (finished_at, parties, candidate_pairs, params) VALUES (datetime('now'), ?1, ?2, ?3)",
                params![run.parties as i64, run.candidate_pairs as i64, run.params_json],
            )
            .map_err(|e| self.err(e))?;
        let run_id = self.conn.last_insert_rowid();
        Ok(MatchWriter { open, run_id })
    }

    /// The rows a golden record is made of, in row order.
    pub fn golden_members(&self, golden_id: &str) -> Result<Vec<RowRef>> {
        self.query_all(
            &format!(
                "{ROW_REF_SELECT} JOIN clusters c ON c.row_id = r.id WHERE c.golden_id = ?1 ORDER BY r.id"
            ),
            [golden_id],
            RowRef::from_row,
        )
    }

    /// A current row by its source and source key.
    pub fn row_by_key(&self, source: &str, source_key: &str) -> Result<Option<RowRef>> {
        use rusqlite::OptionalExtension;
        self.conn()
            .query_row(
                &format!(
                    "{ROW_REF_SELECT} WHERE s.name = ?1 AND r.source_key = ?2 AND v.id IN ({})",
                    super::queries::LATEST_VERSIONS
                ),
                params![source, source_key],
                RowRef::from_row,
            )
            .optional()
            .map_err(|e| self.err(e))
    }

    /// A stored pair (either order) of the last match run.
    pub fn stored_pair(&self, a: i64, b: i64) -> Result<Option<StoredPair>> {
        use rusqlite::OptionalExtension;
        self.conn()
            .query_row(
                "SELECT left_row, right_row, score, decision, levels, explanation FROM match_pairs
                 WHERE (left_row = ?1 AND right_row = ?2) OR (left_row = ?2 AND right_row = ?1)",
                params![a, b],
                StoredPair::from_row,
            )
            .optional()
            .map_err(|e| self.err(e))
    }

    /// The parameters the last match run scored with (JSON).
    pub fn last_match_params(&self) -> Result<Option<String>> {
        use rusqlite::OptionalExtension;
        self.conn()
            .query_row(
                "SELECT params FROM match_runs ORDER BY id DESC LIMIT 1",
                [],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| self.err(e))
    }

    /// Golden id of every party, as the match stage left them, in the order
    /// of [`Workspace::load_parties`]; rows whose party is gone last, so a
    /// stale match stage shows as a list out of step.
    pub fn golden_ids(&self) -> Result<Vec<(i64, String)>> {
        self.query_all(
            &format!(
                "SELECT c.row_id, c.golden_id FROM clusters c LEFT JOIN parties p ON p.row_id = c.row_id
                 ORDER BY p.row_id IS NULL, {}, c.row_id",
                super::parties::PARTY_ORDER
            ),
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
    }

    /// The golden IDs of organizations and sole proprietors (every golden
    /// record with a member that is not a person), in ID order.
    pub fn organization_golden_ids(&self) -> Result<Vec<String>> {
        self.query_all(
            "SELECT DISTINCT c.golden_id FROM clusters c JOIN parties p ON p.row_id = c.row_id
             WHERE p.reject IS NULL AND p.kind != ?1 ORDER BY c.golden_id",
            [crate::model::Kind::Person.as_str()],
            |r| r.get(0),
        )
    }

    /// Replace the link stage's output in one transaction.
    pub fn replace_links(
        &mut self,
        links: &[LinkRow],
        created: &[CreatedOrganization],
    ) -> Result<()> {
        self.in_transaction(|tx| {
            tx.execute_batch("DELETE FROM links; DELETE FROM created_organizations;")?;
            let mut stmt = tx.prepare(
                "INSERT INTO links (row_id, organization, method, confidence, candidates) VALUES (?1, ?2, ?3, ?4, ?5)",
            )?;
            for l in links {
                stmt.execute(params![
                    l.row_id,
                    l.organization,
                    l.method,
                    l.confidence,
                    l.candidates.join(" ")
                ])?;
            }
            let mut stmt = tx.prepare(
                "INSERT INTO created_organizations (golden_id, name, match_key) VALUES (?1, ?2, ?3)",
            )?;
            for c in created {
                stmt.execute(params![c.golden_id, c.name, c.match_key])?;
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

/// Selects what [`RowRef::from_row`] reads; joins add to it, then `WHERE`.
pub(super) const ROW_REF_SELECT: &str =
    "SELECT r.id, s.name, s.path, t.sheet, r.row_number, r.source_key FROM rows r
     JOIN tables t ON t.id = r.table_id JOIN source_versions v ON v.id = t.version_id
     JOIN sources s ON s.id = v.source_id";

impl StoredPair {
    /// From a query selecting left row, right row, score, decision, levels, explanation.
    pub(super) fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
        Ok(StoredPair {
            left_row: r.get(0)?,
            right_row: r.get(1)?,
            score: r.get(2)?,
            decision: r.get(3)?,
            levels: r.get(4)?,
            explanation_json: r.get(5)?,
        })
    }
}

impl RowRef {
    /// From a query selecting row id, source, path, sheet, row number, source key.
    pub(super) fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
        Ok(RowRef {
            row_id: r.get(0)?,
            source: r.get(1)?,
            file: r.get(2)?,
            sheet: r.get(3)?,
            row_number: r.get(4)?,
            source_key: r.get(5)?,
        })
    }
}
