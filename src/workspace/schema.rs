//! Schema migrations, applied in order; `PRAGMA user_version` records the last one.

pub const MIGRATIONS: &[&str] = &[
    // 1: sources, their versions, the tables read from them, and every row with provenance.
    r#"
    CREATE TABLE sources (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        path TEXT NOT NULL
    );
    CREATE TABLE source_versions (
        id INTEGER PRIMARY KEY,
        source_id INTEGER NOT NULL REFERENCES sources(id),
        version INTEGER NOT NULL,
        sha256 TEXT NOT NULL,
        size INTEGER NOT NULL,
        ingested_at TEXT NOT NULL,
        skipped_sheets TEXT NOT NULL DEFAULT '[]',
        UNIQUE (source_id, version)
    );
    CREATE TABLE tables (
        id INTEGER PRIMARY KEY,
        version_id INTEGER NOT NULL REFERENCES source_versions(id),
        sheet TEXT,
        encoding TEXT,
        delimiter TEXT,
        header_row INTEGER NOT NULL,
        headers TEXT NOT NULL,
        mapping TEXT NOT NULL,
        profile_score REAL NOT NULL,
        warnings TEXT NOT NULL,
        row_count INTEGER NOT NULL DEFAULT 0,
        reject_count INTEGER NOT NULL DEFAULT 0,
        blank_count INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE rows (
        id INTEGER PRIMARY KEY,
        table_id INTEGER NOT NULL REFERENCES tables(id),
        row_number INTEGER NOT NULL,
        source_key TEXT NOT NULL,
        kind TEXT NOT NULL,
        cells TEXT NOT NULL,
        flags TEXT,
        reject TEXT
    );
    CREATE INDEX rows_by_table ON rows (table_id);
    "#,
    // 2: parties, the normalize stage's output (one per accepted row of the latest versions).
    r#"
    CREATE TABLE parties (
        row_id INTEGER PRIMARY KEY REFERENCES rows(id),
        source TEXT NOT NULL,
        source_key TEXT NOT NULL,
        kind TEXT NOT NULL,
        party TEXT NOT NULL,
        reject TEXT
    );
    CREATE TABLE party_flags (
        code TEXT NOT NULL,
        field TEXT NOT NULL,
        count INTEGER NOT NULL,
        PRIMARY KEY (code, field)
    );
    "#,
    // 3: steward decisions (by source keys, so they survive re-runs) and the match stage's output.
    r#"
    CREATE TABLE decisions (
        id INTEGER PRIMARY KEY,
        left_source TEXT NOT NULL,
        left_key TEXT NOT NULL,
        right_source TEXT NOT NULL,
        right_key TEXT NOT NULL,
        decision TEXT NOT NULL CHECK (decision IN ('merge', 'keep_apart')),
        UNIQUE (left_source, left_key, right_source, right_key)
    );
    CREATE TABLE clusters (
        row_id INTEGER PRIMARY KEY REFERENCES rows(id),
        golden_id TEXT NOT NULL
    );
    CREATE TABLE golden (
        golden_id TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        members INTEGER NOT NULL,
        record TEXT NOT NULL
    );
    CREATE TABLE match_pairs (
        left_row INTEGER NOT NULL,
        right_row INTEGER NOT NULL,
        score REAL NOT NULL,
        decision TEXT NOT NULL
    );
    "#,
    // 4: contact persons linked to organizations, and organizations created from their text.
    r#"
    CREATE TABLE links (
        row_id INTEGER PRIMARY KEY REFERENCES rows(id),
        organization TEXT,
        method TEXT NOT NULL,
        confidence REAL NOT NULL
    );
    CREATE TABLE created_organizations (
        golden_id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        match_key TEXT NOT NULL
    );
    "#,
    // 5: a table's rows are one rowid range (one table is written at a time), so
    // reads use the rowid instead of an index every insert would have to maintain.
    r#"
    ALTER TABLE tables ADD COLUMN first_row INTEGER;
    ALTER TABLE tables ADD COLUMN last_row INTEGER;
    UPDATE tables SET first_row = (SELECT MIN(id) FROM rows WHERE table_id = tables.id),
                      last_row = (SELECT MAX(id) FROM rows WHERE table_id = tables.id);
    DROP INDEX rows_by_table;
    "#,
    // 6: what the accounting proves and the later stages explain: the physical
    // rows the reader met per table; each match run's parameters; every stored
    // pair with its comparison vector and explanation; golden records by member.
    r#"
    ALTER TABLE tables ADD COLUMN physical_rows INTEGER;
    CREATE TABLE match_runs (
        id INTEGER PRIMARY KEY,
        finished_at TEXT NOT NULL,
        parties INTEGER NOT NULL,
        candidate_pairs INTEGER NOT NULL,
        params TEXT NOT NULL
    );
    DROP TABLE match_pairs;
    CREATE TABLE match_pairs (
        run_id INTEGER NOT NULL REFERENCES match_runs(id),
        left_row INTEGER NOT NULL,
        right_row INTEGER NOT NULL,
        score REAL NOT NULL,
        decision TEXT NOT NULL,
        levels TEXT NOT NULL,
        explanation TEXT NOT NULL,
        PRIMARY KEY (left_row, right_row)
    );
    CREATE INDEX clusters_by_golden ON clusters (golden_id);
    CREATE TABLE stage_marks (
        stage TEXT PRIMARY KEY,
        finished_at TEXT NOT NULL,
        last_version INTEGER NOT NULL
    );
    "#,
    // 7: the steward's loop: who decided what and when; golden-field overrides
    // (by golden ID) and person → organization choices (by the person's key);
    // the candidates of an ambiguous link; each review workbook written, so an
    // edited one is never overwritten before its decisions are imported.
    r#"
    ALTER TABLE decisions ADD COLUMN decided_by TEXT NOT NULL DEFAULT '';
    ALTER TABLE decisions ADD COLUMN decided_at TEXT NOT NULL DEFAULT '';
    ALTER TABLE decisions ADD COLUMN note TEXT NOT NULL DEFAULT '';
    ALTER TABLE decisions ADD COLUMN left_hash TEXT NOT NULL DEFAULT '';
    ALTER TABLE decisions ADD COLUMN right_hash TEXT NOT NULL DEFAULT '';
    CREATE TABLE golden_overrides (
        golden_id TEXT NOT NULL,
        field TEXT NOT NULL,
        value TEXT NOT NULL,
        decided_by TEXT NOT NULL,
        decided_at TEXT NOT NULL,
        note TEXT NOT NULL,
        PRIMARY KEY (golden_id, field)
    );
    CREATE TABLE link_decisions (
        person_source TEXT NOT NULL,
        person_key TEXT NOT NULL,
        organization TEXT,
        person_hash TEXT NOT NULL,
        decided_by TEXT NOT NULL,
        decided_at TEXT NOT NULL,
        note TEXT NOT NULL,
        PRIMARY KEY (person_source, person_key)
    );
    ALTER TABLE links ADD COLUMN candidates TEXT NOT NULL DEFAULT '';
    CREATE TABLE take_outs (
        source TEXT NOT NULL,
        key TEXT NOT NULL,
        golden_id TEXT NOT NULL,
        decided_by TEXT NOT NULL,
        decided_at TEXT NOT NULL,
        note TEXT NOT NULL,
        PRIMARY KEY (source, key, golden_id)
    );
    CREATE TABLE review_files (
        sha256 TEXT PRIMARY KEY,
        event TEXT NOT NULL CHECK (event IN ('exported', 'imported')),
        at TEXT NOT NULL
    );
    "#,
    // 8: the load: what each golden record became in each target (the external ID
    // golive gave it, or the CRM's own record ID) and a hash of what was sent, so a
    // re-load plans only changes; `anchor` is a member's identity, to say where a
    // record whose golden ID retired went. Every real load's counts.
    r#"
    CREATE TABLE crosswalk (
        target TEXT NOT NULL,
        entity TEXT NOT NULL CHECK (entity IN ('organization', 'person', 'link')),
        golden_id TEXT NOT NULL,
        target_id TEXT NOT NULL,
        id_kind TEXT NOT NULL CHECK (id_kind IN ('external', 'crm')),
        hash TEXT NOT NULL,
        anchor TEXT NOT NULL,
        action TEXT NOT NULL CHECK (action IN ('create', 'update')),
        loaded_at TEXT NOT NULL,
        PRIMARY KEY (target, entity, golden_id)
    ) WITHOUT ROWID;
    CREATE TABLE load_runs (
        id INTEGER PRIMARY KEY,
        target TEXT NOT NULL,
        mode TEXT NOT NULL,
        finished_at TEXT NOT NULL,
        counts TEXT NOT NULL
    );
    "#,
    // 9: what an API load did to each record, written in the transaction that
    // records its batch in the crosswalk: the log survives a kill with it.
    r#"
    CREATE TABLE load_log (
        target TEXT NOT NULL,
        run TEXT NOT NULL,
        entity TEXT NOT NULL,
        golden_id TEXT NOT NULL,
        action TEXT NOT NULL,
        target_id TEXT NOT NULL,
        error TEXT NOT NULL,
        at TEXT NOT NULL,
        PRIMARY KEY (target, entity, golden_id)
    ) WITHOUT ROWID;
    "#,
    // 10: the last load plan per target (dry run or real), which the report
    // accounts every row against; how long each stage took.
    r#"
    CREATE TABLE load_plan (
        target TEXT NOT NULL,
        entity TEXT NOT NULL,
        golden_id TEXT NOT NULL,
        action TEXT NOT NULL,
        reason TEXT NOT NULL,
        PRIMARY KEY (target, entity, golden_id)
    ) WITHOUT ROWID;
    CREATE TABLE load_plans (
        target TEXT PRIMARY KEY,
        dry_run INTEGER NOT NULL,
        planned_at TEXT NOT NULL
    );
    ALTER TABLE stage_marks ADD COLUMN seconds REAL;
    "#,
    // 11: the phase a plan was made for ('' for all); the fingerprint of what
    // a stage read, so `golive run` resumes after the stages still up to date;
    // flag counts and the normalize fingerprint per table, so an unchanged
    // table keeps its parties (normalize runs again on the first run after).
    r#"
    ALTER TABLE load_plans ADD COLUMN phase TEXT NOT NULL DEFAULT '';
    ALTER TABLE stage_marks ADD COLUMN inputs TEXT;
    DROP TABLE party_flags;
    CREATE TABLE party_flags (
        table_id INTEGER NOT NULL,
        code TEXT NOT NULL,
        field TEXT NOT NULL,
        count INTEGER NOT NULL,
        PRIMARY KEY (table_id, code, field)
    );
    CREATE TABLE normalized_tables (
        table_id INTEGER PRIMARY KEY,
        inputs TEXT NOT NULL
    );
    "#,
    // 12: parties are read in party order (source, then row): without an
    // index every read sorted all of them in memory (temp_store is MEMORY),
    // 1.6 GB at a million parties.
    r#"
    CREATE INDEX parties_in_order ON parties (source, row_id);
    "#,
    // 13: a party's quality flags beside its JSON, so the report's flag list
    // does not parse every party (2 s at a million).
    r#"
    ALTER TABLE parties ADD COLUMN flags TEXT;
    UPDATE parties SET flags = json_extract(party, '$.flags');
    "#,
];
