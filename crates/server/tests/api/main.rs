//! API tests over a real socket on port 0, each with a fresh database.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
mod health;
