//! Deduplication: blocking, comparison, scoring, clustering, golden records.
