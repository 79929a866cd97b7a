//! The layer on macOS, inserted with `DYLD_INSERT_LIBRARIES`: what mirrord's macOS layer hooked of
//! the functions the scenarios use. A dylib cannot interpose by exporting libc's names (two-level
//! namespaces bind each import to its library), so dyld is asked to, by the table in interpose.rs;
//! the constructor below runs at load like the Linux `.init_array` entry (lib.rs).
//!
//! Nothing here has been compiled to code or run: it was written on Linux with no macOS target, and
//! type-checked there only (`MIRRORD_LAB_CHECK_MACOS=1 cargo check`, build.rs). It first runs on a
//! macOS runner (.github/workflows/regress.yml, README "macOS").

pub mod exec;
pub mod interpose;
pub mod real;

// dyld calls each pointer in this section at load (the section rustc's own tests use for a `ctor`
// on Apple targets: type `mod_init_funcs`, S_MOD_INIT_FUNC_POINTERS).
#[cfg(not(test))]
#[used]
#[link_section = "__DATA,__mod_init_func,mod_init_funcs"]
static LAYER_INIT: extern "C" fn() = crate::layer_init;
