//! Reusable parts of the screens.
pub mod banner;
pub mod card;
pub mod field;
pub mod header;
pub mod method_name;
pub mod qr;
pub mod secret;
pub mod steps;
