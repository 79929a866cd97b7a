//! The Linux (glibc, x86_64/aarch64) ABI of the few libc items the layer needs.
#![allow(non_camel_case_types, dead_code)]

pub use std::os::raw::{c_char, c_int, c_void};

pub type socklen_t = u32;
pub type sa_family_t = u16;

pub const AF_INET: c_int = 2;
pub const AF_INET6: c_int = 10;
pub const SOCK_STREAM: c_int = 1;
pub const SOCK_DGRAM: c_int = 2;
pub const SOCK_CLOEXEC: c_int = 0o2000000;
pub const IPPROTO_TCP: c_int = 6;
pub const IPPROTO_UDP: c_int = 17;
pub const MSG_NOSIGNAL: c_int = 0x4000;
pub const MSG_PEEK: c_int = 0x2;
pub const MSG_DONTWAIT: c_int = 0x40;

pub const O_WRONLY: c_int = 0o1;
pub const O_CREAT: c_int = 0o100;
pub const O_APPEND: c_int = 0o2000;
pub const O_CLOEXEC: c_int = 0o2000000;
pub const F_GETFD: c_int = 1;
pub const F_DUPFD_CLOEXEC: c_int = 1030;
pub const CLOCK_REALTIME: c_int = 0;
pub const SIGKILL: c_int = 9;
pub const EBADF: c_int = 9;
pub const EAGAIN: c_int = 11;
pub const ECONNREFUSED: c_int = 111;
pub const ERANGE: c_int = 34;

// <netdb.h> h_errno values.
pub const NETDB_INTERNAL: c_int = -1;
pub const HOST_NOT_FOUND: c_int = 1;
pub const TRY_AGAIN: c_int = 2;
pub const NO_RECOVERY: c_int = 3;
pub const NO_DATA: c_int = 4;

pub const AI_CANONNAME: c_int = 0x0002;
pub const EAI_NONAME: c_int = -2;
pub const EAI_AGAIN: c_int = -3;
pub const EAI_FAMILY: c_int = -6;
pub const EAI_SERVICE: c_int = -8;
pub const EAI_MEMORY: c_int = -10;

pub const RTLD_NEXT: *mut c_void = -1isize as *mut c_void;

#[repr(C)]
pub struct addrinfo {
    pub ai_flags: c_int,
    pub ai_family: c_int,
    pub ai_socktype: c_int,
    pub ai_protocol: c_int,
    pub ai_addrlen: socklen_t,
    pub ai_addr: *mut sockaddr,
    pub ai_canonname: *mut c_char,
    pub ai_next: *mut addrinfo,
}

#[repr(C)]
pub struct hostent {
    pub h_name: *mut c_char,
    pub h_aliases: *mut *mut c_char,
    pub h_addrtype: c_int,
    pub h_length: c_int,
    pub h_addr_list: *mut *mut c_char,
}

#[repr(C)]
pub struct sockaddr {
    pub sa_family: sa_family_t,
    pub sa_data: [c_char; 14],
}

#[repr(C)]
#[derive(Clone, Copy)]
pub struct sockaddr_in {
    pub sin_family: sa_family_t,
    /// Network byte order.
    pub sin_port: u16,
    /// Network byte order.
    pub sin_addr: u32,
    pub sin_zero: [u8; 8],
}

impl sockaddr_in {
    /// An AF_INET address; `port_be` and `addr_be` in network byte order.
    pub const fn inet(port_be: u16, addr_be: u32) -> sockaddr_in {
        sockaddr_in { sin_family: AF_INET as sa_family_t, sin_port: port_be, sin_addr: addr_be, sin_zero: [0; 8] }
    }
}

#[repr(C)]
pub struct timespec {
    pub tv_sec: i64,
    pub tv_nsec: i64,
}

extern "C" {
    pub fn dlsym(handle: *mut c_void, symbol: *const c_char) -> *mut c_void;
    pub fn getpid() -> c_int;
    pub fn getppid() -> c_int;
    pub fn gettid() -> c_int;
    pub fn open(path: *const c_char, flags: c_int, ...) -> c_int;
    pub fn read(fd: c_int, buf: *mut c_void, count: usize) -> isize;
    pub fn write(fd: c_int, buf: *const c_void, count: usize) -> isize;
    pub fn send(fd: c_int, buf: *const c_void, len: usize, flags: c_int) -> isize;
    pub fn recv(fd: c_int, buf: *mut c_void, len: usize, flags: c_int) -> isize;
    pub fn close(fd: c_int) -> c_int;
    pub fn fcntl(fd: c_int, cmd: c_int, ...) -> c_int;
    pub fn clock_gettime(clock: c_int, ts: *mut timespec) -> c_int;
    pub fn malloc(size: usize) -> *mut c_void;
    pub fn free(ptr: *mut c_void);
    pub fn kill(pid: c_int, sig: c_int) -> c_int;
    pub fn _exit(code: c_int) -> !;
    pub fn __errno_location() -> *mut c_int;
    /// glibc's thread-local `h_errno`.
    pub fn __h_errno_location() -> *mut c_int;
    pub static environ: *const *const c_char;
}

pub fn errno() -> c_int {
    unsafe { *__errno_location() }
}

pub fn set_errno(e: c_int) {
    unsafe { *__errno_location() = e }
}

pub fn set_h_errno(e: c_int) {
    unsafe { *__h_errno_location() = e }
}
