//! The libSystem functions behind each hook. dyld interposes every image's calls but this dylib's
//! own (interpose.rs), so the layer reaches the real ones by calling them: no `dlsym`, and nothing
//! to resolve in a hook, as on Linux (../real.rs).

use crate::sys::{addrinfo, c_char, c_int, c_void, pid_t, sockaddr, socklen_t};

pub type GetaddrinfoFn =
    unsafe extern "C" fn(*const c_char, *const c_char, *const addrinfo, *mut *mut addrinfo) -> c_int;
pub type FreeaddrinfoFn = unsafe extern "C" fn(*mut addrinfo);
pub type SocketFn = unsafe extern "C" fn(c_int, c_int, c_int) -> c_int;
pub type ConnectFn = unsafe extern "C" fn(c_int, *const sockaddr, socklen_t) -> c_int;
pub type ExecveFn = unsafe extern "C" fn(*const c_char, *const *const c_char, *const *const c_char) -> c_int;
/// `posix_spawn(pid, path, file_actions, attrp, argv, envp)`; both `posix_spawn*_t` are pointers on macOS.
pub type PosixSpawnFn = unsafe extern "C" fn(
    *mut pid_t,
    *const c_char,
    *const c_void,
    *const c_void,
    *const *const c_char,
    *const *const c_char,
) -> c_int;

/// libSystem's own, by their C names.
pub mod libsystem {
    use crate::sys::{addrinfo, c_char, c_int, c_void, pid_t, sockaddr, socklen_t};

    extern "C" {
        pub fn getaddrinfo(node: *const c_char, service: *const c_char, hints: *const addrinfo, res: *mut *mut addrinfo) -> c_int;
        pub fn freeaddrinfo(ai: *mut addrinfo);
        pub fn socket(domain: c_int, kind: c_int, protocol: c_int) -> c_int;
        pub fn connect(fd: c_int, addr: *const sockaddr, len: socklen_t) -> c_int;
        pub fn execve(path: *const c_char, argv: *const *const c_char, envp: *const *const c_char) -> c_int;
        pub fn posix_spawn(
            pid: *mut pid_t,
            path: *const c_char,
            file_actions: *const c_void,
            attrp: *const c_void,
            argv: *const *const c_char,
            envp: *const *const c_char,
        ) -> c_int;
    }
}

pub struct Real {
    pub getaddrinfo: GetaddrinfoFn,
    pub freeaddrinfo: FreeaddrinfoFn,
    pub socket: SocketFn,
    pub connect: ConnectFn,
    pub execve: ExecveFn,
    pub posix_spawn: PosixSpawnFn,
}

static REAL: Real = Real {
    getaddrinfo: libsystem::getaddrinfo,
    freeaddrinfo: libsystem::freeaddrinfo,
    socket: libsystem::socket,
    connect: libsystem::connect,
    execve: libsystem::execve,
    posix_spawn: libsystem::posix_spawn,
};

/// The real functions (the same shape as on Linux, so the shared hooks call them alike).
pub fn real() -> &'static Real {
    &REAL
}
