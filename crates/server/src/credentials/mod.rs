//! Who is who: a person's primary password, whatever door it comes through (`primary`,
//! over the Argon2id hasher `argon2`), and the credentials of the systems that call the
//! endpoint on their own behalf: portals minting admin tokens (`admin`), mail servers
//! asking about their clients' passwords (`mail_servers`).

pub mod admin;
pub mod argon2;
pub mod directory;
pub mod mail_servers;
pub mod primary;
pub mod sso;
