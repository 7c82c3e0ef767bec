//! The rules of the domain that need no database: validated names and addresses,
//! TOTP, what an account's policy allows, the client's address, every limit. Parsed
//! once at the edge; the store and the handlers only see these types.

pub mod accounts;
pub mod app_passwords;
pub mod client;
pub mod directory;
pub mod limits;
pub mod methods;
pub mod passkeys;
pub mod scim;
pub mod username;

pub use wire::rules::is_unsafe_char;
