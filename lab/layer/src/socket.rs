//! `socket` and `connect` hooks, and the socket table they share with the exec hooks.
//!
//! The table is a std `RwLock` (mirrord 3.112.0 had `DashMap`, 3.112.1 `Mutex<HashMap>`). A read
//! guard that a vfork child carries across a successful exec is never released: the count it
//! added stays in the parent's memory and the parent's next write (a new socket) waits forever.

use crate::detour::DetourGuard;
use crate::events::{self, Line};
use crate::real::real;
use crate::session;
use crate::sys::{self, c_int, sockaddr, sockaddr_in, socklen_t};
use protocol::layer::ConnectReply;
use std::collections::BTreeMap;
use std::net::{Ipv4Addr, SocketAddrV4};
use std::sync::RwLock;

/// What the layer knows about a socket it manages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ManagedSocket {
    pub domain: c_int,
    pub kind: c_int,
    /// The cluster address this socket was connected to and the loopback address it went to
    /// instead: a non-blocking connect called again (Ruby does) must not open a second one.
    pub outgoing: Option<(SocketAddrV4, SocketAddrV4)>,
}

impl ManagedSocket {
    pub const fn new(domain: c_int, kind: c_int) -> ManagedSocket {
        ManagedSocket { domain, kind, outgoing: None }
    }
}

pub static SOCKETS: RwLock<BTreeMap<c_int, ManagedSocket>> = RwLock::new(BTreeMap::new());

/// ClusterIPs live in 10.96.0.0/12, as in a default cluster: connects to them go to the cluster.
pub fn is_cluster_ip(addr_be: u32) -> bool {
    u32::from_be(addr_be) & 0xfff0_0000 == 0x0a60_0000
}

fn fmt_ipv4(line: &mut Line, key: &str, addr_be: u32, port_be: u16) {
    let ip = u32::from_be(addr_be).to_be_bytes();
    let mut buf = [0u8; 24];
    let mut w = Cursor { buf: &mut buf, len: 0 };
    let _ = std::fmt::Write::write_fmt(
        &mut w,
        format_args!("{}.{}.{}.{}:{}", ip[0], ip[1], ip[2], ip[3], u16::from_be(port_be)),
    );
    let len = w.len;
    line.str(key, &buf[..len]);
}

/// A tiny non-allocating formatter target.
pub struct Cursor<'a> {
    pub buf: &'a mut [u8],
    pub len: usize,
}

impl std::fmt::Write for Cursor<'_> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        let n = s.len().min(self.buf.len() - self.len);
        self.buf[self.len..self.len + n].copy_from_slice(&s.as_bytes()[..n]);
        self.len += n;
        Ok(())
    }
}

#[cfg(not(test))]
#[cfg_attr(layer_os = "linux", no_mangle)]
pub unsafe extern "C" fn socket(domain: c_int, kind: c_int, protocol: c_int) -> c_int {
    let Some(_guard) = DetourGuard::new() else {
        events::emit("hook", "socket", |l| {
            l.bool("bypassed", true).bool("guard_was_set", true).int("domain", domain as i64);
        });
        return (real().socket)(domain, kind, protocol);
    };
    let fd = (real().socket)(domain, kind, protocol);
    let managed = fd >= 0 && (domain == sys::AF_INET || domain == sys::AF_INET6);
    // Logged before the table write, so a process stuck on the table's lock shows this line last.
    events::emit("hook", "socket", |l| {
        l.bool("bypassed", false).bool("guard_was_set", false).int("domain", domain as i64).int("fd", fd as i64);
        l.bool("managed", managed);
    });
    if managed {
        let entry = ManagedSocket::new(domain, kind & 0xf);
        SOCKETS.write().unwrap_or_else(|e| e.into_inner()).insert(fd, entry);
    }
    fd
}

#[cfg(not(test))]
#[cfg_attr(layer_os = "linux", no_mangle)]
pub unsafe extern "C" fn connect(fd: c_int, addr: *const sockaddr, len: socklen_t) -> c_int {
    // Length first, then an unaligned read: the caller's buffer owes us nothing more.
    let inet = (!addr.is_null() && len as usize >= std::mem::size_of::<sockaddr_in>())
        .then(|| std::ptr::read_unaligned(addr as *const sockaddr_in))
        .filter(|sin| sin.sin_family as c_int == sys::AF_INET);
    let Some(_guard) = DetourGuard::new() else {
        events::emit("hook", "connect", |l| {
            l.bool("bypassed", true).bool("guard_was_set", true).int("fd", fd as i64);
            if let Some(sin) = inet {
                fmt_ipv4(l, "addr", sin.sin_addr, sin.sin_port);
            }
        });
        return (real().connect)(fd, addr, len);
    };
    let entry = SOCKETS.read().unwrap_or_else(|e| e.into_inner()).get(&fd).copied();
    let managed = entry.is_some();
    // A managed socket to a ClusterIP goes to the cluster: the intproxy says where (mirrord's
    // outgoing interceptor), or that the cluster refused.
    let outgoing = match inet {
        Some(sin) if managed && is_cluster_ip(sin.sin_addr) => {
            let target = SocketAddrV4::new(Ipv4Addr::from(u32::from_be(sin.sin_addr)), u16::from_be(sin.sin_port));
            match entry.and_then(|e| e.outgoing) {
                // Already under way (non-blocking connect polled again): same place, so libc says
                // EALREADY or EISCONN as it would.
                Some((t, local)) if t == target => Some(ConnectReply::Redirect(local)),
                _ => {
                    let reply = session::outgoing(target);
                    if let ConnectReply::Redirect(local) = reply {
                        if let Some(e) = SOCKETS.write().unwrap_or_else(|e| e.into_inner()).get_mut(&fd) {
                            e.outgoing = Some((target, local));
                        }
                    }
                    Some(reply)
                }
            }
        }
        _ => None,
    };
    events::emit("hook", "connect", |l| {
        l.bool("bypassed", false).bool("guard_was_set", false).int("fd", fd as i64).bool("managed", managed);
        if let Some(sin) = inet {
            fmt_ipv4(l, "addr", sin.sin_addr, sin.sin_port);
        }
        l.bool("redirected", matches!(outgoing, Some(ConnectReply::Redirect(_))));
        match &outgoing {
            Some(ConnectReply::Redirect(to)) => {
                l.bool("remote", true);
                fmt_ipv4(l, "to", u32::from(*to.ip()).to_be(), to.port().to_be());
            }
            Some(ConnectReply::Refused(e)) => {
                l.bool("remote", true).str("error", e.as_bytes());
            }
            None => {
                l.bool("remote", false);
            }
        }
    });
    match outgoing {
        Some(ConnectReply::Redirect(to)) => session::real_connect(fd, to),
        Some(ConnectReply::Refused(_)) => {
            sys::set_errno(sys::ECONNREFUSED);
            -1
        }
        None => (real().connect)(fd, addr, len),
    }
}

/// `MIRRORD_SHARED_SOCKETS` as the exec hooks write it: `fd:domain:kind` joined by commas.
pub const SHARED_SOCKETS_VAR: &[u8] = b"MIRRORD_SHARED_SOCKETS=";

/// Writes the shared-sockets variable for `sockets` into `out` without allocating; returns its length.
pub fn encode_shared<'a>(sockets: impl Iterator<Item = (&'a c_int, &'a ManagedSocket)>, out: &mut [u8]) -> usize {
    let mut w = Cursor { buf: out, len: 0 };
    let _ = std::fmt::Write::write_str(&mut w, std::str::from_utf8(SHARED_SOCKETS_VAR).unwrap());
    for (i, (fd, s)) in sockets.enumerate() {
        let sep = if i == 0 { "" } else { "," };
        let _ = std::fmt::Write::write_fmt(&mut w, format_args!("{sep}{fd}:{}:{}", s.domain, s.kind));
    }
    w.len.min(out.len() - 1)
}

/// A new image adopts the sockets its parent passed, if they survived the exec (mirrord does
/// the same with `MIRRORD_SHARED_SOCKETS`).
pub fn adopt_shared_sockets() {
    let Ok(value) = std::env::var("MIRRORD_SHARED_SOCKETS") else { return };
    let mut table = SOCKETS.write().unwrap_or_else(|e| e.into_inner());
    for item in value.split(',') {
        let mut parts = item.split(':').map(|p| p.parse::<c_int>());
        if let (Some(Ok(fd)), Some(Ok(domain)), Some(Ok(kind))) = (parts.next(), parts.next(), parts.next()) {
            if unsafe { sys::fcntl(fd, sys::F_GETFD) } >= 0 {
                table.insert(fd, ManagedSocket::new(domain, kind));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cluster_ip_range() {
        assert!(is_cluster_ip(u32::from_be_bytes([10, 96, 0, 10]).to_be()));
        assert!(is_cluster_ip(u32::from_be_bytes([10, 111, 255, 1]).to_be()));
        assert!(!is_cluster_ip(u32::from_be_bytes([10, 112, 0, 1]).to_be()));
        assert!(!is_cluster_ip(u32::from_be_bytes([127, 0, 0, 1]).to_be()));
    }

    #[test]
    fn shared_sockets_encoding() {
        let mut map = BTreeMap::new();
        map.insert(3, ManagedSocket::new(2, 1));
        map.insert(7, ManagedSocket::new(10, 2));
        let mut out = [0u8; 128];
        let n = encode_shared(map.iter(), &mut out);
        assert_eq!(&out[..n], b"MIRRORD_SHARED_SOCKETS=3:2:1,7:10:2");
    }
}
