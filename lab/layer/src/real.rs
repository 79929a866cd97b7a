//! The libc functions behind each hook, found with `dlsym(RTLD_NEXT, ..)` once at load, so that
//! no hook (least of all one in a vfork child) has to call into the dynamic linker.

use crate::sys::{self, addrinfo, c_char, c_int, c_void, hostent, sockaddr, socklen_t};
use std::sync::OnceLock;

pub type GetaddrinfoFn =
    unsafe extern "C" fn(*const c_char, *const c_char, *const addrinfo, *mut *mut addrinfo) -> c_int;
pub type FreeaddrinfoFn = unsafe extern "C" fn(*mut addrinfo);
pub type GethostbynameFn = unsafe extern "C" fn(*const c_char) -> *mut hostent;
pub type Gethostbyname2Fn = unsafe extern "C" fn(*const c_char, c_int) -> *mut hostent;
pub type GethostbynameRFn =
    unsafe extern "C" fn(*const c_char, *mut hostent, *mut c_char, usize, *mut *mut hostent, *mut c_int) -> c_int;
pub type Gethostbyname2RFn =
    unsafe extern "C" fn(*const c_char, c_int, *mut hostent, *mut c_char, usize, *mut *mut hostent, *mut c_int) -> c_int;
pub type SocketFn = unsafe extern "C" fn(c_int, c_int, c_int) -> c_int;
pub type ConnectFn = unsafe extern "C" fn(c_int, *const sockaddr, socklen_t) -> c_int;
pub type ExecvFn = unsafe extern "C" fn(*const c_char, *const *const c_char) -> c_int;
pub type ExecveFn = unsafe extern "C" fn(*const c_char, *const *const c_char, *const *const c_char) -> c_int;

pub struct Real {
    pub getaddrinfo: GetaddrinfoFn,
    pub freeaddrinfo: FreeaddrinfoFn,
    pub gethostbyname: GethostbynameFn,
    pub gethostbyname2: Gethostbyname2Fn,
    pub gethostbyname_r: GethostbynameRFn,
    pub gethostbyname2_r: Gethostbyname2RFn,
    pub socket: SocketFn,
    pub connect: ConnectFn,
    pub execv: ExecvFn,
    pub execve: ExecveFn,
}

static REAL: OnceLock<Real> = OnceLock::new();

unsafe fn next(name: &std::ffi::CStr) -> *mut c_void {
    let f = sys::dlsym(sys::RTLD_NEXT, name.as_ptr());
    if f.is_null() {
        let msg = b"mirrord-lab layer: dlsym(RTLD_NEXT) found no libc symbol to hook\n";
        sys::write_all(2, msg);
        sys::_exit(255);
    }
    f
}

/// The real functions; resolved at load (the first call may come from another preload's ctor).
pub fn real() -> &'static Real {
    REAL.get_or_init(|| unsafe {
        Real {
            getaddrinfo: std::mem::transmute::<*mut c_void, GetaddrinfoFn>(next(c"getaddrinfo")),
            freeaddrinfo: std::mem::transmute::<*mut c_void, FreeaddrinfoFn>(next(c"freeaddrinfo")),
            gethostbyname: std::mem::transmute::<*mut c_void, GethostbynameFn>(next(c"gethostbyname")),
            gethostbyname2: std::mem::transmute::<*mut c_void, Gethostbyname2Fn>(next(c"gethostbyname2")),
            gethostbyname_r: std::mem::transmute::<*mut c_void, GethostbynameRFn>(next(c"gethostbyname_r")),
            gethostbyname2_r: std::mem::transmute::<*mut c_void, Gethostbyname2RFn>(next(c"gethostbyname2_r")),
            socket: std::mem::transmute::<*mut c_void, SocketFn>(next(c"socket")),
            connect: std::mem::transmute::<*mut c_void, ConnectFn>(next(c"connect")),
            execv: std::mem::transmute::<*mut c_void, ExecvFn>(next(c"execv")),
            execve: std::mem::transmute::<*mut c_void, ExecveFn>(next(c"execve")),
        }
    })
}
