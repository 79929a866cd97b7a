//! `execve` and `posix_spawn` on macOS, per release profile.
//!
//! mirrord's macOS layer hooked both at 3.111.0 already (for SIP), through `#[hook_guard_fn]`: a hook
//! entered with the guard set calls the original straight away, any other holds a `DetourGuard`
//! across the real call. 3.112.0 added the shared-sockets variable there (PR 2610), so its profile
//! runs the Linux 3.112.0 body (../exec_hooks.rs: the guard per strategy, the socket table's read
//! lock across the call), the lab's strategies included. PR 2628 (3.112.1) removed the guard from
//! the Linux hook; the macOS hook kept `#[hook_guard_fn]` *(inferred: the PR changed the Linux
//! exec hooks)*, and gets 3.112.1's copied table like Linux.
//!
//! mirrord's SIP patching (running protected binaries from a patched copy) is left out: a protected
//! program drops `DYLD_INSERT_LIBRARIES` and runs without the layer, which only loses its own hooks.
//!
//! On macOS Ruby never vforks (CRuby's configure sets `ac_cv_func_vfork=no` on darwin): its child
//! forks, then calls `execve`, so a guard set there lands in the child's own copy of memory.
//! `posix_spawn` runs in the caller itself: a guard it forgets (strategy `forget`) stays set there.

use crate::config::{self, Profile};
use crate::detour::{bypass_is_set, DetourGuard};
use crate::events;
use crate::exec_hooks;
use crate::real::real;
use crate::sys::{self, c_char, c_int, c_void, pid_t};

#[cfg(not(test))]
pub unsafe extern "C" fn execve(path: *const c_char, argv: *const *const c_char, envp: *const *const c_char) -> c_int {
    exec_detour("execve", path, envp, |env| (real().execve)(path, argv, env))
}

#[cfg(not(test))]
pub unsafe extern "C" fn posix_spawn(
    pid: *mut pid_t,
    path: *const c_char,
    file_actions: *const c_void,
    attrp: *const c_void,
    argv: *const *const c_char,
    envp: *const *const c_char,
) -> c_int {
    exec_detour("posix_spawn", path, envp, |env| (real().posix_spawn)(pid, path, file_actions, attrp, argv, env))
}

/// The hook `hook` for a new image of `path` with environment `envp`; `original` makes the real
/// call with the environment it is given.
unsafe fn exec_detour(
    hook: &str,
    path: *const c_char,
    envp: *const *const c_char,
    original: impl Fn(*const *const c_char) -> c_int,
) -> c_int {
    let guard_was_set = bypass_is_set();
    let log = |bypassed: bool, shared: usize| {
        events::emit("hook", hook, |l| {
            l.bool("bypassed", bypassed).bool("guard_was_set", guard_was_set).bool("installed", true);
            l.str("path", sys::cstr_bytes(path)).int("shared_sockets", shared as i64);
        });
    };
    // `#[hook_guard_fn]`: the guard is already set, so the original, untouched.
    if guard_was_set {
        log(true, 0);
        return original(envp);
    }
    match config::profile() {
        Profile::V3_111_0 => {
            let _guard = DetourGuard::new();
            log(false, 0);
            original(envp)
        }
        Profile::V3_112_0 => exec_hooks::execve_3_112_0(envp, |_, shared| log(false, shared), original),
        Profile::V3_112_1 => {
            let _guard = DetourGuard::new();
            exec_hooks::execve_3_112_1(envp, |_, shared| log(false, shared), original)
        }
    }
}
