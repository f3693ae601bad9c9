//! Tables from files.
