//! The macOS (arm64/x86_64) ABI of the few libc items the layer needs, from the SDK's headers
//! (<sys/socket.h>, <netinet/in.h>, <netdb.h>, <fcntl.h>, <sys/errno.h>), declared by hand like the
//! Linux one. The BSD layouts differ from glibc's: `sockaddr`s start with a length byte, and
//! `addrinfo` has `ai_canonname` before `ai_addr`. Where macOS lacks a Linux flag its constant is 0
//! and [`cloexec_nosigpipe`] gives the socket the same property.
//!
//! Never compiled to code here (no macOS target on the machine this was written on); type-checked
//! with `MIRRORD_LAB_CHECK_MACOS=1 cargo check` (build.rs).
#![allow(non_camel_case_types, dead_code)]

pub use std::os::raw::{c_char, c_int, c_void};

pub type socklen_t = u32;
pub type sa_family_t = u8;
pub type pid_t = i32;

pub const AF_INET: c_int = 2;
pub const AF_INET6: c_int = 30;
pub const SOCK_STREAM: c_int = 1;
pub const SOCK_DGRAM: c_int = 2;
/// None on macOS: [`cloexec_nosigpipe`] sets FD_CLOEXEC instead.
pub const SOCK_CLOEXEC: c_int = 0;
pub const IPPROTO_TCP: c_int = 6;
pub const IPPROTO_UDP: c_int = 17;
/// None on macOS: [`cloexec_nosigpipe`] sets SO_NOSIGPIPE instead.
pub const MSG_NOSIGNAL: c_int = 0;
pub const MSG_PEEK: c_int = 0x2;
pub const MSG_DONTWAIT: c_int = 0x80;
pub const SOL_SOCKET: c_int = 0xffff;
pub const SO_NOSIGPIPE: c_int = 0x1022;

pub const O_WRONLY: c_int = 0x1;
pub const O_CREAT: c_int = 0x200;
pub const O_APPEND: c_int = 0x8;
pub const O_CLOEXEC: c_int = 0x100_0000;
pub const F_GETFD: c_int = 1;
pub const F_SETFD: c_int = 2;
pub const FD_CLOEXEC: c_int = 1;
pub const F_DUPFD_CLOEXEC: c_int = 67;
pub const CLOCK_REALTIME: c_int = 0;
pub const SIGKILL: c_int = 9;
pub const EBADF: c_int = 9;
pub const EAGAIN: c_int = 35;
pub const ECONNREFUSED: c_int = 61;
pub const ERANGE: c_int = 34;

pub const AI_CANONNAME: c_int = 0x0002;
// <netdb.h> on macOS: positive, unlike glibc's.
pub const EAI_AGAIN: c_int = 2;
pub const EAI_FAMILY: c_int = 5;
pub const EAI_MEMORY: c_int = 6;
pub const EAI_NONAME: c_int = 8;
pub const EAI_SERVICE: c_int = 9;

#[repr(C)]
pub struct addrinfo {
    pub ai_flags: c_int,
    pub ai_family: c_int,
    pub ai_socktype: c_int,
    pub ai_protocol: c_int,
    pub ai_addrlen: socklen_t,
    pub ai_canonname: *mut c_char,
    pub ai_addr: *mut sockaddr,
    pub ai_next: *mut addrinfo,
}

#[repr(C)]
pub struct sockaddr {
    pub sa_len: u8,
    pub sa_family: sa_family_t,
    pub sa_data: [c_char; 14],
}

#[repr(C)]
#[derive(Clone, Copy)]
pub struct sockaddr_in {
    pub sin_len: u8,
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
        sockaddr_in {
            sin_len: std::mem::size_of::<sockaddr_in>() as u8,
            sin_family: AF_INET as sa_family_t,
            sin_port: port_be,
            sin_addr: addr_be,
            sin_zero: [0; 8],
        }
    }
}

#[repr(C)]
pub struct timespec {
    pub tv_sec: i64,
    pub tv_nsec: i64,
}

extern "C" {
    pub fn getpid() -> c_int;
    pub fn getppid() -> c_int;
    pub fn open(path: *const c_char, flags: c_int, ...) -> c_int;
    pub fn read(fd: c_int, buf: *mut c_void, count: usize) -> isize;
    pub fn write(fd: c_int, buf: *const c_void, count: usize) -> isize;
    pub fn send(fd: c_int, buf: *const c_void, len: usize, flags: c_int) -> isize;
    pub fn recv(fd: c_int, buf: *mut c_void, len: usize, flags: c_int) -> isize;
    pub fn close(fd: c_int) -> c_int;
    pub fn fcntl(fd: c_int, cmd: c_int, ...) -> c_int;
    pub fn setsockopt(fd: c_int, level: c_int, name: c_int, value: *const c_void, len: socklen_t) -> c_int;
    pub fn clock_gettime(clock: c_int, ts: *mut timespec) -> c_int;
    pub fn malloc(size: usize) -> *mut c_void;
    pub fn free(ptr: *mut c_void);
    pub fn kill(pid: c_int, sig: c_int) -> c_int;
    pub fn _exit(code: c_int) -> !;
    /// The thread-local `errno` (what <errno.h>'s `errno` expands to).
    pub fn __error() -> *mut c_int;
    /// `thread` NULL: the calling thread.
    pub fn pthread_threadid_np(thread: *mut c_void, id: *mut u64) -> c_int;
}

pub fn errno() -> c_int {
    unsafe { *__error() }
}

pub fn set_errno(e: c_int) {
    unsafe { *__error() = e }
}

/// The calling thread's system-wide id: what Ruby's `Thread#native_thread_id` reports on macOS,
/// so the layer's events and the workload's report name threads alike (Linux: `gettid`).
pub unsafe fn gettid() -> u64 {
    let mut id = 0u64;
    pthread_threadid_np(std::ptr::null_mut(), &mut id);
    id
}

/// What `SOCK_CLOEXEC` and `MSG_NOSIGNAL` do on Linux, for the layer's session socket: closed on
/// exec (each image opens its own session), and a dead intproxy reaching `die` rather than SIGPIPE.
pub fn cloexec_nosigpipe(fd: c_int) {
    let on: c_int = 1;
    unsafe {
        fcntl(fd, F_SETFD, FD_CLOEXEC);
        setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &on as *const c_int as *const c_void, std::mem::size_of::<c_int>() as socklen_t);
    }
}
