//! The layer's session with the intproxy: one TCP connection per process image, to the address
//! in `MIRRORD_CONNECT_TCP` (mirrord's layer reads the same variable).
//!
//! One request line, one reply line: lab/protocol/src/layer.rs.
//! The session fd is close-on-exec: an exec ends the image's session, and the new image's layer
//! opens its own. A forked child (not vfork: it never runs Rust code before exec) reopens lazily.

use crate::config;
use crate::real::real;
use crate::sys::{self, c_void};
use protocol::layer::ConnectReply;
use std::net::SocketAddrV4;
use std::sync::Mutex;

struct Session {
    fd: i32,
    pid: i32,
}

static SESSION: Mutex<Option<Session>> = Mutex::new(None);

/// `MIRRORD_CONNECT_TCP` as the layer accepts it: an IPv4 `HOST:PORT`.
pub fn parse_connect_tcp(value: Option<&str>) -> Result<SocketAddrV4, String> {
    let value = value.ok_or("MIRRORD_CONNECT_TCP is not set")?;
    value.parse().map_err(|_| format!("MIRRORD_CONNECT_TCP={value:?} is not an IPv4 HOST:PORT"))
}

fn sockaddr(addr: SocketAddrV4) -> sys::sockaddr_in {
    sys::sockaddr_in::inet(addr.port().to_be(), u32::from(*addr.ip()).to_be())
}

/// Connects `fd` to `addr` with libc's `connect`, never our hook.
pub fn real_connect(fd: i32, addr: SocketAddrV4) -> i32 {
    let sin = sockaddr(addr);
    unsafe { (real().connect)(fd, &sin as *const _ as *const sys::sockaddr, std::mem::size_of::<sys::sockaddr_in>() as u32) }
}

fn connect() -> Result<Session, String> {
    let addr = parse_connect_tcp(std::env::var("MIRRORD_CONNECT_TCP").ok().as_deref())?;
    // The real functions, not our exported hooks: the layer's own traffic is not the app's.
    let fd = unsafe { (real().socket)(sys::AF_INET, sys::SOCK_STREAM | sys::SOCK_CLOEXEC, 0) };
    if fd < 0 {
        return Err(format!("socket: errno {}", sys::errno()));
    }
    // macOS has neither SOCK_CLOEXEC nor MSG_NOSIGNAL (both 0 there): the socket gets the same two
    // properties from fcntl and setsockopt.
    #[cfg(layer_os = "macos")]
    sys::cloexec_nosigpipe(fd);
    if real_connect(fd, addr) != 0 {
        let e = sys::errno();
        unsafe { sys::close(fd) };
        return Err(format!("connect {addr}: errno {e}"));
    }
    let pid = unsafe { sys::getpid() };
    let mut session = Session { fd, pid };
    let hello = format!(
        "HELLO {pid} {} {} {}",
        unsafe { sys::getppid() },
        config::profile().name(),
        config::strategy().name()
    );
    match roundtrip(&mut session, &hello)?.as_str() {
        "OK" => Ok(session),
        reply => {
            unsafe { sys::close(fd) };
            Err(format!("HELLO refused: {reply:?}"))
        }
    }
}

const CLOSED: &str = "the intproxy closed the connection";

fn roundtrip(session: &mut Session, request: &str) -> Result<String, String> {
    // Nothing is ever unread between requests: a readable session means the intproxy has gone
    // (TCP would let a first send to a dead peer succeed and fail only later, less clearly).
    let mut peek = [0u8; 1];
    let n = unsafe { sys::recv(session.fd, peek.as_mut_ptr() as *mut c_void, 1, sys::MSG_PEEK | sys::MSG_DONTWAIT) };
    match n {
        0 => return Err(CLOSED.into()),
        n if n < 0 && sys::errno() != sys::EAGAIN => return Err(format!("read from intproxy: errno {}", sys::errno())),
        n if n > 0 => return Err("unexpected data from the intproxy before a request".into()),
        _ => {}
    }
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
        match n {
            0 => return Err(CLOSED.into()),
            n if n < 0 => return Err(format!("read from intproxy: errno {}", sys::errno())),
            n => reply.extend_from_slice(&buf[..n as usize]),
        }
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

/// Asks the intproxy where a connect to the cluster address `to` should go.
pub fn outgoing(to: SocketAddrV4) -> ConnectReply {
    let reply = request(&format!("CONNECT {to}"));
    ConnectReply::parse(&reply).unwrap_or_else(|| die(&format!("bad CONNECT reply from the intproxy: {reply:?}")))
}

/// mirrord's `graceful_exit!`: a layer that lost its proxy (or got an error from it) kills its own process.
pub fn die(msg: &str) -> ! {
    sys::write_all(2, format!("mirrord-lab layer (pid {}): {msg}\n", unsafe { sys::getpid() }).as_bytes());
    crate::events::emit("fatal", "session", |l| {
        l.str("error", msg.as_bytes());
    });
    unsafe {
        sys::kill(sys::getpid(), sys::SIGKILL);
        sys::_exit(255)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connect_tcp_is_an_ipv4_host_port() {
        assert_eq!(parse_connect_tcp(Some("127.0.0.1:4242")), Ok("127.0.0.1:4242".parse().unwrap()));
        assert_eq!(parse_connect_tcp(None), Err("MIRRORD_CONNECT_TCP is not set".into()));
        assert!(parse_connect_tcp(Some("localhost:4242")).unwrap_err().contains("not an IPv4 HOST:PORT"));
        assert!(parse_connect_tcp(Some("[::1]:4242")).is_err());
        assert!(parse_connect_tcp(Some("127.0.0.1")).is_err());
    }
}
