//! The mirrord lab's layer: a miniature of mirrord-layer, preloaded with `LD_PRELOAD` (on macOS
//! inserted with `DYLD_INSERT_LIBRARIES`: macos/).
//!
//! At load it reads its settings from the environment, resolves the real libc functions and
//! opens a session with the intproxy. Its hooks (exported symbols that interpose libc's) are
//! `getaddrinfo`/`freeaddrinfo` (dns.rs), `gethostbyname`/`gethostbyname2`/`gethostbyname_r`/
//! `gethostbyname2_r` (hostent.rs), `socket`/`connect` and `execv`/`execve`; each writes one
//! JSON line of evidence per call. Nothing here knows which program it is loaded into.
//!
//! Which OS it is built for is `layer_os` (build.rs). On macOS the hooks are `getaddrinfo`/
//! `freeaddrinfo`, `socket`/`connect`, `execve` and `posix_spawn`, what mirrord's macOS layer hooked
//! of these, interposed by dyld (macos/interpose.rs); the gethostbyname family and `execv` are
//! Linux's only.

// Unit tests build without the exported hooks (a test binary must not interpose libc), so what only
// the hooks use is unused there.
#![cfg_attr(test, allow(unused_imports, dead_code))]

pub mod config;
pub mod detour;
pub mod dns;
pub mod events;
pub mod exec_hooks;
#[cfg(layer_os = "linux")]
pub mod hostent;
#[cfg(layer_os = "macos")]
pub mod macos;
#[cfg(layer_os = "macos")]
pub use macos::real;
#[cfg(layer_os = "linux")]
pub mod real;
pub mod session;
pub mod socket;
pub mod sys;

pub(crate) extern "C" fn layer_init() {
    if let Err(e) = config::load_from_env() {
        sys::write_all(2, format!("mirrord-lab layer: {e}\n").as_bytes());
        unsafe { sys::_exit(255) };
    }
    real::real();
    events::open_from_env();
    socket::adopt_shared_sockets();
    session::open_or_die();
    #[cfg(layer_os = "linux")]
    let exe = std::fs::read_link("/proc/self/exe").unwrap_or_default();
    #[cfg(layer_os = "macos")]
    let exe = std::env::current_exe().unwrap_or_default();
    events::emit("init", "", |l| {
        l.str("exe", exe.as_os_str().as_encoded_bytes());
        l.bool("exec_hooks_linux", config::exec_hooks_linux());
    });
}

// Runs at load, before the program's main, as mirrord's `#[ctor]` does. Not in unit tests: the
// test binary is not a preloaded program. (macOS: macos/mod.rs.)
#[cfg(all(not(test), layer_os = "linux"))]
#[used]
#[link_section = ".init_array"]
static LAYER_INIT: extern "C" fn() = layer_init;
