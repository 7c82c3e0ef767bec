//! The admin mode's bundle, as Trunk builds it from admin.html with `--features admin`:
//! it exports `mountAdmin` (and the user's `mount`) and starts nothing on load; the
//! `<app-passwords mode="admin">` element mounts it.
fn main() {
    // Links the library (and so its exports); on a host page it mounts nothing.
    app_passwords::start();
}

/// The same allocator as the user's bundle (src/main.rs).
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOCATOR: talc::TalckWasm = unsafe { talc::TalckWasm::new_global() };
