//! mirrord's outgoing interceptor, on loopback: for each accepted `CONNECT` the intproxy binds a
//! one-shot listener, tells the layer to connect the app's socket there, and pipes that connection
//! to the one the agent opened in the cluster.

use std::net::{SocketAddrV4, TcpListener, TcpStream};
use std::os::fd::AsRawFd;
use std::time::Duration;

/// How long the layer has to connect the app's socket after the `OK` (it does so at once).
const ACCEPT_WAIT: Duration = Duration::from_secs(10);

#[repr(C)]
struct PollFd {
    fd: i32,
    events: i16,
    revents: i16,
}

const POLLIN: i16 = 1;

/// `nfds_t`: `unsigned long` in glibc, `unsigned int` on macOS.
#[cfg(not(target_os = "macos"))]
type NfdsT = u64;
#[cfg(target_os = "macos")]
type NfdsT = u32;

extern "C" {
    fn poll(fds: *mut PollFd, nfds: NfdsT, timeout_ms: i32) -> i32;
}

/// Whether `listener` has a connection to accept within `wait`.
fn ready(listener: &TcpListener, wait: Duration) -> bool {
    let mut fd = PollFd { fd: listener.as_raw_fd(), events: POLLIN, revents: 0 };
    let rc = unsafe { poll(&mut fd, 1, wait.as_millis().min(i32::MAX as u128) as i32) };
    rc == 1 && fd.revents & POLLIN != 0
}

/// Binds the one-shot listener for `remote` (the agent's connection, already past its `OK`) and
/// returns its address; one connection to it is then piped to `remote`, in the background.
pub fn redirect(remote: TcpStream) -> std::io::Result<SocketAddrV4> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let addr = match listener.local_addr()? {
        std::net::SocketAddr::V4(a) => a,
        other => return Err(std::io::Error::other(format!("unexpected listener address {other}"))),
    };
    std::thread::spawn(move || {
        if !ready(&listener, ACCEPT_WAIT) {
            return; // nobody came: dropping both ends closes the agent's connection
        }
        if let Ok((app, _)) = listener.accept() {
            drop(listener);
            let _ = app.set_nodelay(true);
            let _ = protocol::io::pipe(app, remote);
        }
    });
    Ok(addr)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};

    #[test]
    fn one_connection_is_piped_to_the_remote() {
        let server = TcpListener::bind("127.0.0.1:0").unwrap();
        let remote = TcpStream::connect(server.local_addr().unwrap()).unwrap();
        let (mut far_end, _) = server.accept().unwrap();
        let addr = redirect(remote).unwrap();
        assert_eq!(*addr.ip(), std::net::Ipv4Addr::LOCALHOST);
        let mut app = TcpStream::connect(addr).unwrap();
        app.write_all(b"ping").unwrap();
        let mut buf = [0u8; 4];
        far_end.read_exact(&mut buf).unwrap();
        assert_eq!(&buf, b"ping");
        far_end.write_all(b"pong").unwrap();
        drop(far_end);
        let mut back = String::new();
        app.read_to_string(&mut back).unwrap();
        assert_eq!(back, "pong");
        // One-shot: the listener is gone once its connection came.
        std::thread::sleep(Duration::from_millis(50));
        assert!(TcpStream::connect(addr).is_err());
    }
}
