//! The module as Trunk builds it: runs `start` on load (mounts the standalone page);
//! `mount`, for host pages, is exported from the library.
fn main() {
    app_passwords::start();
}
