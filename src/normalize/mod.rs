//! Normalization: every mapped row becomes a [`crate::model::Party`].

pub mod address;
pub mod date;
pub mod email;
pub mod org;
pub mod party;
pub mod person;
pub mod phone;
pub mod region;
pub mod tax_id;
pub mod text;
pub mod translit;
pub mod web;
