//! The few libc items the layer needs, declared by hand (no `libc` crate offline): the ABI of the OS
//! it is built for (sys/linux.rs, sys/macos.rs; `layer_os`, see build.rs), and helpers over it.

#[cfg(layer_os = "linux")]
mod linux;
#[cfg(layer_os = "linux")]
pub use linux::*;
#[cfg(layer_os = "macos")]
mod macos;
#[cfg(layer_os = "macos")]
pub use macos::*;

pub fn now_ns() -> u64 {
    let mut ts = timespec { tv_sec: 0, tv_nsec: 0 };
    unsafe { clock_gettime(CLOCK_REALTIME, &mut ts) };
    ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64
}

/// Bytes of a C string, without allocating (safe in a vfork child).
pub unsafe fn cstr_bytes<'a>(p: *const c_char) -> &'a [u8] {
    if p.is_null() {
        return &[];
    }
    std::ffi::CStr::from_ptr(p).to_bytes()
}

/// Writes all of `buf` to `fd`, retrying short writes; errors are dropped (evidence is best effort).
pub fn write_all(fd: c_int, mut buf: &[u8]) {
    while !buf.is_empty() {
        let n = unsafe { write(fd, buf.as_ptr() as *const c_void, buf.len()) };
        if n <= 0 {
            return;
        }
        buf = &buf[n as usize..];
    }
}
