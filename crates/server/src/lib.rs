//! The reference identity endpoint for the app-passwords module.
#![forbid(unsafe_code)]

pub mod accounts;
pub mod clock;
pub mod config;
pub mod crypto;
pub mod db;
pub mod demo;
pub mod error;
pub mod request_id;
pub mod routes;
pub mod security;
pub mod startup;
