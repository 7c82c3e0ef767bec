//! The HTTP surface: `/v1` JSON routes, one module per resource.

pub mod health;
