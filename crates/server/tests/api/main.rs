//! API tests over a real socket on port 0, each with a fresh database.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod admin;
mod app_passwords;
mod common;
mod health;
mod legacy;
mod mfa;
mod openapi;
mod portal;
mod replicas;
mod sessions;
mod smtp;
