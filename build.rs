//! Links the static musl release build with `scripts/hot-text.ld`, which `scripts/order-text.sh`
//! generates: the functions a server runs at start-up and idle go first in the text, then those of
//! the common requests, so the 64 KiB the kernel maps around each page an idle server touches hold
//! little else (idle resident memory: docs/performance.md). Other targets and debug builds link as
//! before.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=scripts/hot-text.ld");
    let target = std::env::var("TARGET").unwrap_or_default();
    let profile = std::env::var("PROFILE").unwrap_or_default();
    let dir = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default();
    let script = std::path::Path::new(&dir).join("scripts/hot-text.ld");
    if target.ends_with("-linux-musl") && profile == "release" && script.is_file() {
        // INSERT BEFORE .text: the default layout stays, with one output section (.text.hot) in front.
        println!("cargo:rustc-link-arg-bins=-Wl,-T,{}", script.display());
    }
}
