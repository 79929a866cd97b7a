//! `getaddrinfo` / `freeaddrinfo` hooks, and the routing every DNS hook shares (hostent.rs uses
//! it too): cluster names are resolved by the intproxy ("remote DNS"), everything else by libc.
//! When the guard is already set, libc resolves every name, cluster names included, and fails:
//! that is the bug as users saw it.
//!
//! On macOS the hooks are not exported under libc's names (our own calls to libc would bind to
//! them): dyld interposes them by their Rust names (macos/interpose.rs). So are socket.rs's.

use crate::config;
use crate::detour::DetourGuard;
use crate::events::{self, Line};
use crate::real::real;
use crate::session;
use crate::sys::{self, addrinfo, c_char, c_int, sockaddr, sockaddr_in};
use protocol::DnsReply;
use std::collections::BTreeSet;
use std::net::Ipv4Addr;
use std::sync::Mutex;

/// Results the layer allocated, so `freeaddrinfo` frees them itself (mirrord's MANAGED_ADDRINFO).
static MANAGED_ADDRINFO: Mutex<BTreeSet<usize>> = Mutex::new(BTreeSet::new());

/// Where one lookup goes. The guard lives as long as the caller keeps the route, so libc or the
/// intproxy is called with it held, as under upstream's `#[hook_guard_fn]`.
pub enum Route {
    /// The guard was already set on this thread: straight to libc (logged here).
    Bypassed,
    /// Not a cluster name, or nothing the cluster could answer: libc resolves it (logged here).
    Local(DetourGuard),
    /// A cluster name: the intproxy resolves it; the caller logs the answer with [`log_remote`].
    Remote(DetourGuard),
}

/// Decides the route of a lookup of `node` and logs the non-remote ones. `remote_ok` false sends
/// even cluster names to libc; `extra` adds hook-specific fields after the common ones.
pub unsafe fn route(hook: &str, node: *const c_char, remote_ok: bool, extra: impl Fn(&mut Line)) -> Route {
    let name = sys::cstr_bytes(node);
    let Some(guard) = DetourGuard::new() else {
        events::emit("hook", hook, |l| {
            l.bool("bypassed", true).bool("guard_was_set", true).str("name", name).bool("remote", false);
            extra(l);
        });
        return Route::Bypassed;
    };
    if node.is_null() || !remote_ok || !config::in_cluster_domain(name) {
        events::emit("hook", hook, |l| {
            l.bool("bypassed", false).bool("guard_was_set", false).str("name", name).bool("remote", false);
            extra(l);
        });
        return Route::Local(guard);
    }
    Route::Remote(guard)
}

/// What the cluster said of a name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    Addr(Ipv4Addr),
    /// The cluster's DNS: no such name.
    NoSuchName,
    /// The cluster's resolver failed (its DNS did not answer): the app gets EAI_AGAIN.
    Failed,
}

/// Asks the intproxy for `name`: its reply line, and what it says. A proxy error or a reply it
/// cannot read ends the process (`die`), as mirrord's `graceful_exit!`.
pub fn ask_intproxy(name: &[u8]) -> (String, Answer) {
    let name = String::from_utf8_lossy(name);
    let reply = session::request(&format!("DNS {name}"));
    match DnsReply::parse(&reply) {
        Some(DnsReply::A(ip)) => (reply, Answer::Addr(ip)),
        Some(DnsReply::Nx(_)) => (reply, Answer::NoSuchName),
        Some(DnsReply::Fail(_)) => (reply, Answer::Failed),
        Some(DnsReply::Err(e)) => session::die(&format!("the intproxy could not resolve {name}: {e}")),
        None => session::die(&format!("bad DNS reply from the intproxy: {reply:?}")),
    }
}

/// Logs a lookup the intproxy answered.
pub fn log_remote(hook: &str, name: &[u8], reply: &str, extra: impl Fn(&mut Line)) {
    events::emit("hook", hook, |l| {
        l.bool("bypassed", false).bool("guard_was_set", false).str("name", name).bool("remote", true);
        l.str("answer", reply.as_bytes());
        extra(l);
    });
}

#[cfg(not(test))]
#[cfg_attr(layer_os = "linux", no_mangle)]
pub unsafe extern "C" fn getaddrinfo(
    node: *const c_char,
    service: *const c_char,
    hints: *const addrinfo,
    res: *mut *mut addrinfo,
) -> c_int {
    let _guard = match route("getaddrinfo", node, true, |_| {}) {
        Route::Bypassed => return (real().getaddrinfo)(node, service, hints, res),
        Route::Local(_guard) => return (real().getaddrinfo)(node, service, hints, res),
        Route::Remote(guard) => guard,
    };
    let name = sys::cstr_bytes(node);
    let (reply, answer) = ask_intproxy(name);
    let rc = match answer {
        Answer::Addr(ip) => build_result(name, ip, sys::cstr_bytes(service), hints, res),
        Answer::NoSuchName => sys::EAI_NONAME,
        Answer::Failed => sys::EAI_AGAIN,
    };
    log_remote("getaddrinfo", name, &reply, |l| {
        l.int("rc", rc as i64);
    });
    rc
}

unsafe fn build_result(
    name: &[u8],
    ip: Ipv4Addr,
    service: &[u8],
    hints: *const addrinfo,
    res: *mut *mut addrinfo,
) -> c_int {
    let (family, socktype, protocol, flags) = match hints.as_ref() {
        Some(h) => (h.ai_family, h.ai_socktype, h.ai_protocol, h.ai_flags),
        None => (0, 0, 0, 0),
    };
    if family != 0 && family != sys::AF_INET {
        return sys::EAI_NONAME; // the cluster answers A records only, like mirrord's agent
    }
    let port: u16 = match service {
        b"" => 0,
        b"http" => 80,
        b"https" => 443,
        digits => match std::str::from_utf8(digits).ok().and_then(|s| s.parse().ok()) {
            Some(p) => p,
            None => return sys::EAI_SERVICE,
        },
    };
    let socktype = if socktype == 0 { sys::SOCK_STREAM } else { socktype };
    let protocol = match (protocol, socktype) {
        (0, sys::SOCK_STREAM) => sys::IPPROTO_TCP,
        (0, sys::SOCK_DGRAM) => sys::IPPROTO_UDP,
        (p, _) => p,
    };
    // One block: addrinfo, then sockaddr_in, then the canonical name when asked for.
    let ai_size = std::mem::size_of::<addrinfo>();
    let sin_size = std::mem::size_of::<sockaddr_in>();
    let canon = flags & sys::AI_CANONNAME != 0;
    let total = ai_size + sin_size + if canon { name.len() + 1 } else { 0 };
    let block = sys::malloc(total) as *mut u8;
    if block.is_null() {
        return sys::EAI_MEMORY;
    }
    let sin = block.add(ai_size) as *mut sockaddr_in;
    sin.write(sockaddr_in::inet(port.to_be(), u32::from(ip).to_be()));
    let canonname = if canon {
        let p = block.add(ai_size + sin_size);
        std::ptr::copy_nonoverlapping(name.as_ptr(), p, name.len());
        *p.add(name.len()) = 0;
        p as *mut c_char
    } else {
        std::ptr::null_mut()
    };
    let ai = block as *mut addrinfo;
    ai.write(addrinfo {
        ai_flags: flags,
        ai_family: sys::AF_INET,
        ai_socktype: socktype,
        ai_protocol: protocol,
        ai_addrlen: sin_size as u32,
        ai_addr: sin as *mut sockaddr,
        ai_canonname: canonname,
        ai_next: std::ptr::null_mut(),
    });
    MANAGED_ADDRINFO.lock().unwrap_or_else(|e| e.into_inner()).insert(ai as usize);
    *res = ai;
    0
}

/// Not guarded: whoever frees must free with the allocator that allocated, bypass or not.
#[cfg(not(test))]
#[cfg_attr(layer_os = "linux", no_mangle)]
pub unsafe extern "C" fn freeaddrinfo(ai: *mut addrinfo) {
    let ours = MANAGED_ADDRINFO.lock().unwrap_or_else(|e| e.into_inner()).remove(&(ai as usize));
    events::emit("hook", "freeaddrinfo", |l| {
        l.bool("bypassed", false).bool("guard_was_set", crate::detour::bypass_is_set()).bool("managed", ours);
    });
    if ours {
        sys::free(ai as *mut sys::c_void);
    } else {
        (real().freeaddrinfo)(ai)
    }
}
