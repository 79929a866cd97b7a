//! dyld interposing, as Apple's <mach-o/dyld-interposing.h> `DYLD_INTERPOSE` does it (and
//! geofft/redhook in Rust): each `{replacement, original}` pair in section `__DATA,__interpose` of
//! an inserted dylib makes dyld bind every other image's references to `original` (libSystem's
//! function) to `replacement` (our hook). This dylib's own references are left alone: that is how
//! the hooks reach the real functions (real.rs).

use super::real::{libsystem, ConnectFn, ExecveFn, FreeaddrinfoFn, GetaddrinfoFn, PosixSpawnFn, SocketFn};

/// One pair, laid out as dyld reads it: two pointers.
#[repr(C)]
pub struct Interpose<F: 'static> {
    pub replacement: F,
    pub original: F,
}

macro_rules! interpose {
    ($($name:ident: $ty:ty = $replacement:path => $original:path;)*) => {$(
        #[cfg(not(test))]
        #[used]
        #[link_section = "__DATA,__interpose"]
        static $name: Interpose<$ty> = Interpose { replacement: $replacement, original: $original };
    )*};
}

interpose! {
    GETADDRINFO: GetaddrinfoFn = crate::dns::getaddrinfo => libsystem::getaddrinfo;
    FREEADDRINFO: FreeaddrinfoFn = crate::dns::freeaddrinfo => libsystem::freeaddrinfo;
    SOCKET: SocketFn = crate::socket::socket => libsystem::socket;
    CONNECT: ConnectFn = crate::socket::connect => libsystem::connect;
    EXECVE: ExecveFn = super::exec::execve => libsystem::execve;
    POSIX_SPAWN: PosixSpawnFn = super::exec::posix_spawn => libsystem::posix_spawn;
}
