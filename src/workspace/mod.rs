//! The SQLite workspace.
