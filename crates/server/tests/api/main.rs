//! API tests over a real socket on port 0, each with a fresh database.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod admin;
mod app_passwords;
mod assets;
mod attacks;
mod common;
mod contract;
mod deliveries;
mod directory;
mod flood;
mod health;
mod helpdesk;
mod legacy;
mod locks;
mod mail_servers;
mod mfa;
mod notices;
mod openapi;
mod operations;
mod passkeys;
mod password;
mod portal;
mod replicas;
mod scale;
mod schema;
mod scim;
mod scopes;
mod security_info;
mod sessions;
mod sso;
mod sso_forged;
