//! Reusable parts, one component per file.
pub mod banner;
