//! The module as Trunk builds it: runs `start` on load (mounts the standalone page);
//! `mount`, for host pages, is exported from the library.
fn main() {
    app_passwords::start();
}

/// talc instead of Rust's default dlmalloc: 1.8 KB less brotli'd wasm (make bench), and
/// made for wasm's one growing memory. Sound here: the module runs on one thread.
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOCATOR: talc::TalckWasm = unsafe { talc::TalckWasm::new_global() };
