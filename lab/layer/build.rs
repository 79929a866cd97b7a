//! Sets `layer_os`, the OS whose hooks and ABI the layer is built with: `target_os` ("linux" or
//! "macos"), except that `MIRRORD_LAB_CHECK_MACOS=1` selects "macos" on any target. That is for
//! `cargo check` only, with a target dir of its own: a type-check of the macOS code on a machine
//! that has no macOS target (test/lab/macos-check.test.ts). Its build output would be neither OS's
//! layer, so nothing else may use it.

fn main() {
    println!("cargo:rustc-check-cfg=cfg(layer_os, values(\"linux\", \"macos\"))");
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=MIRRORD_LAB_CHECK_MACOS");
    let target = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let check_macos = std::env::var("MIRRORD_LAB_CHECK_MACOS").is_ok_and(|v| v == "1");
    let os = if target == "macos" || check_macos { "macos" } else { "linux" };
    println!("cargo:rustc-cfg=layer_os=\"{os}\"");
}
