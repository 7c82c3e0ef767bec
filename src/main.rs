//! The standalone page built by Trunk: the app mounted on `<main id="app">`.
fn main() {
    app_passwords::mount_standalone();
}
