//! The HTTP surface: `/v1` JSON routes, one module per resource.

pub mod admin;
pub mod app_passwords;
pub mod demo;
pub mod docs;
pub mod health;
pub mod legacy;
pub mod methods;
pub mod metrics;
pub mod mfa;
pub mod notices;
pub mod openapi;
pub mod openapi_scim;
pub mod password;
pub mod scim;
pub mod sessions;
pub mod sso;
