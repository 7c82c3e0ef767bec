//! The reference identity endpoint for the app-passwords module.
#![forbid(unsafe_code)]

pub mod accounts;
pub mod admin;
pub mod app_passwords;
pub mod clock;
pub mod config;
pub mod crypto;
pub mod db;
pub mod deliver;
pub mod demo;
pub mod error;
pub mod idempotency;
pub mod methods;
pub mod portal;
pub mod proofs;
pub mod request_id;
pub mod routes;
pub mod security;
pub mod sessions;
pub mod startup;
pub mod throttle;
