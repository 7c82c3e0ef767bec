//! The build script: compiles the message files (`i18n/build.rs`) and, for the split
//! build (`--features split`, `make build`), keeps the linker's relocations in the
//! module, which wasm-split needs to tell which code and data go with each chunk
//! (scripts/bundle/wasm-bindgen).

#[path = "i18n/build.rs"]
mod messages;

fn main() -> Result<(), String> {
    println!("cargo::rerun-if-changed=src/build.rs");
    if std::env::var_os("CARGO_FEATURE_SPLIT").is_some() {
        println!("cargo::rustc-link-arg-bin=app-passwords=--emit-relocs");
    }
    messages::compile_all()
}
