//! The layer's session with the intproxy: one Unix-socket connection per process image.
//!
//! Protocol (one request line, one reply line):
//!   `HELLO <pid> <ppid> <profile> <strategy>` -> `OK <service port>`
//!   `DNS <name>`                              -> `A <ipv4>` | `NX`
//! The session fd is close-on-exec: an exec ends the image's session, and the new image's layer
//! opens its own. A forked child (not vfork: it never runs Rust code before exec) reopens lazily.

use crate::config;
use crate::real::real;
use crate::sys::{self, c_void};
use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::Mutex;

struct Session {
    fd: i32,
    pid: i32,
}

static SESSION: Mutex<Option<Session>> = Mutex::new(None);
static SERVICE_PORT: AtomicU16 = AtomicU16::new(0);

/// Loopback port of the cluster service the intproxy serves (target of redirected connects).
pub fn service_port() -> u16 {
    SERVICE_PORT.load(Ordering::Relaxed)
}

fn connect() -> Result<Session, String> {
    let path = std::env::var("MIRRORD_LAB_INTPROXY").map_err(|_| "MIRRORD_LAB_INTPROXY is not set".to_string())?;
    let mut addr = sys::sockaddr_un { sun_family: sys::AF_UNIX as u16, sun_path: [0; 108] };
    if path.len() >= addr.sun_path.len() {
        return Err(format!("intproxy socket path too long: {path}"));
    }
    for (dst, src) in addr.sun_path.iter_mut().zip(path.bytes()) {
        *dst = src as _;
    }
    // The real functions, not our exported hooks: the layer's own traffic is not the app's.
    let fd = unsafe { (real().socket)(sys::AF_UNIX, sys::SOCK_STREAM | sys::SOCK_CLOEXEC, 0) };
    if fd < 0 {
        return Err(format!("socket: errno {}", sys::errno()));
    }
    let len = std::mem::size_of::<sys::sockaddr_un>() as u32;
    if unsafe { (real().connect)(fd, &addr as *const _ as *const sys::sockaddr, len) } != 0 {
        let e = sys::errno();
        unsafe { sys::close(fd) };
        return Err(format!("connect {path}: errno {e}"));
    }
    let pid = unsafe { sys::getpid() };
    let mut session = Session { fd, pid };
    let hello = format!(
        "HELLO {pid} {} {} {}",
        unsafe { sys::getppid() },
        config::profile().name(),
        config::strategy().name()
    );
    let reply = roundtrip(&mut session, &hello)?;
    let port = reply.strip_prefix("OK ").and_then(|p| p.parse().ok()).ok_or(format!("bad HELLO reply {reply:?}"))?;
    SERVICE_PORT.store(port, Ordering::Relaxed);
    Ok(session)
}

fn roundtrip(session: &mut Session, request: &str) -> Result<String, String> {
    let mut msg = request.as_bytes().to_vec();
    msg.push(b'\n');
    let mut sent = 0;
    while sent < msg.len() {
        // MSG_NOSIGNAL: a dead intproxy must reach `die` (event, then SIGKILL), not kill a program that
        // keeps SIGPIPE's default (Perl, C) silently first. Rust std sends that way, so mirrord does.
        let n = unsafe { sys::send(session.fd, msg[sent..].as_ptr() as *const c_void, msg.len() - sent, sys::MSG_NOSIGNAL) };
        if n <= 0 {
            return Err(format!("send to intproxy: errno {}", sys::errno()));
        }
        sent += n as usize;
    }
    let mut reply = Vec::new();
    let mut buf = [0u8; 256];
    while !reply.ends_with(b"\n") {
        let n = unsafe { sys::read(session.fd, buf.as_mut_ptr() as *mut c_void, buf.len()) };
        if n <= 0 {
            return Err(format!("intproxy closed the session (read returned {n}, errno {})", sys::errno()));
        }
        reply.extend_from_slice(&buf[..n as usize]);
    }
    reply.pop();
    String::from_utf8(reply).map_err(|_| "non-UTF-8 reply from intproxy".into())
}

/// Opens this image's session at load. Like mirrord's layer, failing to reach the proxy is fatal.
pub fn open_or_die() {
    match connect() {
        Ok(s) => *SESSION.lock().unwrap_or_else(|e| e.into_inner()) = Some(s),
        Err(e) => {
            // mirrord's layer ctor: `exit(-1)`.
            sys::write_all(2, format!("mirrord-lab layer: cannot open a session with the intproxy: {e}\n").as_bytes());
            unsafe { sys::_exit(255) }
        }
    }
}

/// Sends one request on this process's session, reopening it after a fork.
pub fn request(line: &str) -> String {
    let mut guard = SESSION.lock().unwrap_or_else(|e| e.into_inner());
    let pid = unsafe { sys::getpid() };
    if guard.as_ref().map_or(true, |s| s.pid != pid) {
        // A forked child shares the parent's connection: leave it to the parent, open our own.
        match connect() {
            Ok(s) => *guard = Some(s),
            Err(e) => die(&format!("cannot open a session with the intproxy: {e}")),
        }
    }
    match roundtrip(guard.as_mut().expect("session just opened"), line) {
        Ok(reply) => reply,
        Err(e) => die(&format!("lost the intproxy session: {e}")),
    }
}

/// mirrord's `graceful_exit!`: a layer that lost its proxy kills its own process.
fn die(msg: &str) -> ! {
    sys::write_all(2, format!("mirrord-lab layer (pid {}): {msg}\n", unsafe { sys::getpid() }).as_bytes());
    crate::events::emit("fatal", "session", |l| {
        l.str("error", msg.as_bytes());
    });
    unsafe {
        sys::kill(sys::getpid(), sys::SIGKILL);
        sys::_exit(255)
    }
}
