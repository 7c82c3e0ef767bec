//! Who is who: a person's primary password, whatever door it comes through (`primary`,
//! over the Argon2id hasher `argon2`), and the credentials of the systems that call the
//! endpoint on their own behalf: portals minting admin tokens (`admin`), mail servers
//! asking about their clients' passwords and identity systems provisioning people
//! (`shared_secrets`).

pub mod admin;
pub mod argon2;
pub mod directory;
pub mod primary;
pub mod shared_secrets;
pub mod sso;
