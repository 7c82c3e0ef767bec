//! Rebuilds the server when a migration is added: `sqlx::migrate!` embeds the files it
//! finds at compile time, and cargo would not otherwise notice a new one (sqlx's own
//! advice for the macro).
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
