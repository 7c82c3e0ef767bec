//! The reference identity endpoint for the app-passwords module.
//!
//! Layers, top to bottom (each imports only from the layers under it):
//! - `startup` builds the application from its configuration (`config`) and serves it;
//!   `cli` is the command line (the server, and the admin commands);
//! - `http/`: the router, middleware, extractors, the one error type and the handlers
//!   (`http/routes/`, one module per resource): they parse, call down, and answer;
//! - `credentials/`: the primary-credential seam (the one rule for checking a person's
//!   password, whatever the door) and the Argon2id hasher behind it;
//! - `deliveries/`: sending codes and notices (SMTP, the text/voice gateway, the demo
//!   outbox);
//! - `store/`: every rule that must hold under concurrency, and all SQL;
//! - `domain/`: the rules that need no database (validated values, policy, limits);
//! - `crypto`, `clock`: randomness, keyed hashes, sealing; the time every rule reads.
#![forbid(unsafe_code)]

pub mod cli;
pub mod clock;
pub mod config;
pub mod credentials;
pub mod crypto;
pub mod deliveries;
pub mod demo;
pub mod domain;
pub mod http;
pub mod startup;
pub mod store;
