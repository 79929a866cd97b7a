//! `execv` / `execve` hooks, per release profile (Linux; the 3.112.0 and 3.112.1 bodies are shared
//! with macOS's `execve` and `posix_spawn` hooks, macos/exec.rs).
//!
//! Ruby (when not privileged), Python's subprocess and others call these from a vfork child,
//! which runs on the parent thread's stack and TLS until exec succeeds. Everything here is
//! therefore allocation-free; the only lock is the socket table's read lock, as upstream had.

use crate::config::{self, Strategy};
use crate::detour::DetourGuard;
use crate::socket::{encode_shared, ManagedSocket, SHARED_SOCKETS_VAR, SOCKETS};
use crate::sys::{self, c_char, c_int};
#[cfg(layer_os = "linux")]
use crate::{config::Profile, detour::bypass_is_set, events, real::real};

/// Most environment entries passed through with the added variable; larger envs go unchanged.
/// The hook uses about 20 KiB of the caller's stack (this array is 16 KiB): fine on the thread stacks
/// Ruby and Python vfork from, too much for a `clone(CLONE_VM|CLONE_VFORK)` child with a tiny stack.
const MAX_ENV: usize = 2048;
/// Most sockets 3.112.1 copies out of the table before exec.
const MAX_SHARED: usize = 64;

#[cfg(all(not(test), layer_os = "linux"))]
#[no_mangle]
pub unsafe extern "C" fn execv(path: *const c_char, argv: *const *const c_char) -> c_int {
    exec_detour("execv", path, argv, sys::environ)
}

#[cfg(all(not(test), layer_os = "linux"))]
#[no_mangle]
pub unsafe extern "C" fn execve(path: *const c_char, argv: *const *const c_char, envp: *const *const c_char) -> c_int {
    exec_detour("execve", path, argv, envp)
}

#[cfg(layer_os = "linux")]
unsafe fn exec_detour(hook: &str, path: *const c_char, argv: *const *const c_char, envp: *const *const c_char) -> c_int {
    let guard_was_set = bypass_is_set();
    let log = |installed: bool, shared: usize| {
        events::emit("hook", hook, |l| {
            l.bool("bypassed", false).bool("guard_was_set", guard_was_set).bool("installed", installed);
            l.str("path", sys::cstr_bytes(path)).int("shared_sockets", shared as i64);
        });
    };
    let original = |envp: *const *const c_char| match hook {
        "execv" if envp == sys::environ => (real().execv)(path, argv),
        _ => (real().execve)(path, argv, envp),
    };
    match config::profile() {
        // 3.111.0 has no Linux exec hooks; 3.112.1 can switch them off. The call goes straight through.
        Profile::V3_111_0 => {
            log(false, 0);
            original(envp)
        }
        Profile::V3_112_1 if !config::exec_hooks_linux() => {
            log(false, 0);
            original(envp)
        }
        Profile::V3_112_0 => execve_3_112_0(envp, log, |env| (real().execve)(path, argv, env)),
        Profile::V3_112_1 => execve_3_112_1(envp, log, |env| (real().execve)(path, argv, env)),
    }
}

/// 3.112.0 (PR 2610 + 2620): the guard and the table's read guard are alive across the real exec
/// (`exec`, called with `envp` plus the shared sockets). A failed exec drops both; a successful one
/// in a vfork child leaves both behind in the parent.
pub(crate) unsafe fn execve_3_112_0(
    envp: *const *const c_char,
    log: impl Fn(bool, usize),
    exec: impl FnOnce(*const *const c_char) -> c_int,
) -> c_int {
    let _guard = match config::strategy() {
        Strategy::None => None,
        Strategy::Normal => DetourGuard::new(),
        Strategy::Forget => {
            std::mem::forget(DetourGuard::new());
            None
        }
    };
    let sockets = SOCKETS.read().unwrap_or_else(|e| e.into_inner());
    log(true, sockets.len());
    let mut var = [0u8; 1024];
    let len = encode_shared(sockets.iter(), &mut var);
    with_shared_env(envp, &mut var, len, exec)
}

/// 3.112.1 (PR 2628): no guard; the table is copied and its lock released before exec.
pub(crate) unsafe fn execve_3_112_1(
    envp: *const *const c_char,
    log: impl Fn(bool, usize),
    exec: impl FnOnce(*const *const c_char) -> c_int,
) -> c_int {
    let mut copy = [(0 as c_int, ManagedSocket::new(0, 0)); MAX_SHARED];
    let mut n = 0;
    for (fd, s) in SOCKETS.read().unwrap_or_else(|e| e.into_inner()).iter().take(MAX_SHARED) {
        copy[n] = (*fd, *s);
        n += 1;
    }
    log(true, n);
    let mut var = [0u8; 1024];
    let len = encode_shared(copy[..n].iter().map(|(fd, s)| (fd, s)), &mut var);
    with_shared_env(envp, &mut var, len, exec)
}

/// Calls `exec` with `envp` plus `var` (replacing any inherited value), built on the stack.
unsafe fn with_shared_env(
    envp: *const *const c_char,
    var: &mut [u8; 1024],
    len: usize,
    exec: impl FnOnce(*const *const c_char) -> c_int,
) -> c_int {
    var[len] = 0;
    let mut env: [*const c_char; MAX_ENV] = [std::ptr::null(); MAX_ENV];
    let mut n = 0;
    let mut p = envp;
    while !p.is_null() && !(*p).is_null() {
        if n + 2 >= MAX_ENV {
            return exec(envp);
        }
        if !sys::cstr_bytes(*p).starts_with(SHARED_SOCKETS_VAR) {
            env[n] = *p;
            n += 1;
        }
        p = p.add(1);
    }
    env[n] = var.as_ptr() as *const c_char;
    exec(env.as_ptr())
}
