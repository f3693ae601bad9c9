//! golive.toml.
