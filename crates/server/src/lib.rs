//! The reference identity endpoint for the app-passwords module.
//!
//! Layers, top to bottom: `routes/` (HTTP handlers, one module per resource, with the
//! `auth` and `client` extractors) → `store/` (every rule that must hold under
//! concurrency, and all SQL) → the database. `domain/` holds the rules that need no
//! database; `limits` names every limit; `startup` builds the router and `state` is what
//! handlers share.
#![forbid(unsafe_code)]

pub mod admin;
pub mod admin_access;
pub mod assets;
pub mod auth;
pub mod client;
pub mod clock;
pub mod config;
pub mod crypto;
pub mod deliver;
pub mod demo;
pub mod domain;
pub mod error;
pub mod idempotency;
pub mod limits;
pub mod mail_servers;
pub mod metrics;
pub mod notices;
pub mod passwords;
pub mod portal;
pub mod request_id;
pub mod routes;
pub mod security;
pub mod startup;
pub mod state;
pub mod store;
