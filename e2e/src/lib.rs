//! The end-to-end harness: the real server (in this process, on a free port, a fresh
//! SQLite database, demo accounts, serving the release build in `dist/`), WebDriver
//! processes and browser sessions, and helpers to drive and photograph the app as a
//! person uses it. One module per job; what the suites share with the API tests (an
//! SMTP server, oathtool, free ports) is `app-passwords-test-support`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod app_server;
mod browser;
mod driver;
mod mail;
mod otp;
mod shadow;

pub use app_server::*;
pub use browser::*;
pub use driver::*;
pub use mail::*;
pub use otp::*;
pub use shadow::*;
pub use support::{free_port, quoted_printable, root, totp_at, Idp, Slapd, Smtpd};

/// How WebDriver marks an element reference in JSON.
const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";
