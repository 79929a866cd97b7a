//! JSON-lines evidence: one line per hook call, appended to `MIRRORD_LAB_EVENTS`.
//!
//! Hooks run inside vfork children, so nothing here allocates or locks: a line is formatted
//! into a stack buffer and written with one `write(2)` on an `O_APPEND` descriptor.

use crate::config;
use crate::sys;
use std::ffi::CString;
use std::fmt::{self, Write};
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::OnceLock;

static EVENTS_FD: AtomicI32 = AtomicI32::new(-1);
/// The events path as a C string, kept for reopening: children that close every descriptor
/// before exec (Python's close_fds) would otherwise lose their exec-hook evidence.
static EVENTS_PATH: OnceLock<CString> = OnceLock::new();
const EVENTS_FLAGS: i32 = sys::O_WRONLY | sys::O_CREAT | sys::O_APPEND | sys::O_CLOEXEC;

/// Opens the events file named by `MIRRORD_LAB_EVENTS`, if any. Called once at layer load.
pub fn open_from_env() {
    let Some(path) = std::env::var_os("MIRRORD_LAB_EVENTS") else { return };
    let Ok(path) = CString::new(std::os::unix::ffi::OsStrExt::as_bytes(path.as_os_str())) else {
        return;
    };
    let mut fd = unsafe { sys::open(path.as_ptr(), EVENTS_FLAGS, 0o666) };
    if fd >= 0 {
        // Out of the way of the low numbers a child reuses after closing ours.
        let high = unsafe { sys::fcntl(fd, sys::F_DUPFD_CLOEXEC, 900) };
        if high >= 0 {
            unsafe { sys::close(fd) };
            fd = high;
        }
    }
    EVENTS_FD.store(fd, Ordering::Relaxed);
    let _ = EVENTS_PATH.set(path);
}

/// Appends `line`; if our descriptor was closed under us, appends through a fresh one (syscalls
/// only, so still fine in a vfork child).
fn append(fd: i32, line: &[u8]) {
    let n = unsafe { sys::write(fd, line.as_ptr() as *const sys::c_void, line.len()) };
    if n == line.len() as isize {
        return;
    }
    if n < 0 && sys::errno() == sys::EBADF {
        if let Some(path) = EVENTS_PATH.get() {
            let fd = unsafe { sys::open(path.as_ptr(), EVENTS_FLAGS, 0o666) };
            if fd >= 0 {
                sys::write_all(fd, line);
                unsafe { sys::close(fd) };
            }
        }
    } else if n > 0 {
        sys::write_all(fd, &line[n as usize..]);
    }
}

/// A JSON object being built in a fixed buffer. Oversized lines are cut and marked, never grown.
pub struct Line {
    buf: [u8; 2048],
    len: usize,
    truncated: bool,
}

impl Write for Line {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.push(s.as_bytes());
        Ok(())
    }
}

impl Line {
    fn push(&mut self, bytes: &[u8]) {
        // Keep room for the closing `,"truncated":true}\n`.
        let room = self.buf.len() - 24 - self.len;
        let n = bytes.len().min(room);
        self.buf[self.len..self.len + n].copy_from_slice(&bytes[..n]);
        self.len += n;
        if n < bytes.len() {
            self.truncated = true;
        }
    }

    pub fn str(&mut self, key: &str, value: &[u8]) -> &mut Self {
        let _ = write!(self, ",\"{key}\":\"");
        for &b in value {
            match b {
                b'"' => self.push(b"\\\""),
                b'\\' => self.push(b"\\\\"),
                0..=0x1f | 0x7f..=0xff => {
                    let _ = write!(self, "\\u{:04x}", b);
                }
                _ => self.push(&[b]),
            }
        }
        self.push(b"\"");
        self
    }

    pub fn bool(&mut self, key: &str, value: bool) -> &mut Self {
        let _ = write!(self, ",\"{key}\":{value}");
        self
    }

    pub fn int(&mut self, key: &str, value: i64) -> &mut Self {
        let _ = write!(self, ",\"{key}\":{value}");
        self
    }
}

/// Emits one event line: the common fields, then whatever `fill` adds.
pub fn emit(event: &str, hook: &str, fill: impl FnOnce(&mut Line)) {
    let fd = EVENTS_FD.load(Ordering::Relaxed);
    if fd < 0 {
        return;
    }
    let mut line = Line { buf: [0; 2048], len: 0, truncated: false };
    let (pid, ppid, tid) = unsafe { (sys::getpid(), sys::getppid(), sys::gettid()) };
    let _ = write!(
        line,
        "{{\"src\":\"layer\",\"event\":\"{event}\",\"hook\":\"{hook}\",\"pid\":{pid},\"ppid\":{ppid},\"tid\":{tid},\"init_pid\":{},\"profile\":\"{}\",\"strategy\":\"{}\",\"t_ns\":{}",
        config::init_pid(),
        config::profile().name(),
        config::strategy().name(),
        sys::now_ns()
    );
    let common = line.len;
    fill(&mut line);
    if line.truncated {
        // A cut may fall inside a string: keep the common fields only, which always fit.
        let mark = b",\"truncated\":true";
        line.len = common;
        line.buf[line.len..line.len + mark.len()].copy_from_slice(mark);
        line.len += mark.len();
    }
    line.buf[line.len] = b'}';
    line.buf[line.len + 1] = b'\n';
    append(fd, &line.buf[..line.len + 2]);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oversized_fields_give_a_valid_line_marked_truncated() {
        let mut line = Line { buf: [0; 2048], len: 0, truncated: false };
        let _ = write!(line, "{{\"src\":\"layer\"");
        let common = line.len;
        line.str("path", &[b'x'; 4000]);
        assert!(line.truncated);
        assert!(common < line.len && line.len <= 2048 - 24);
    }
}
