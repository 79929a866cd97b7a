//! Name resolution on the cluster's side: libc's `getaddrinfo`, so the agent's own
//! `/etc/resolv.conf` and `/etc/hosts` decide, as with mirrord's agent. Hints AF_INET and
//! SOCK_STREAM make it one A query per lookup (no AAAA, one result per address), so the cluster DNS
//! server's query log counts lookups.

use protocol::{one_line, DnsReply};
use std::ffi::{c_char, c_int, CStr, CString};
use std::net::Ipv4Addr;

const AF_INET: c_int = 2;
const SOCK_STREAM: c_int = 1;
const EAI_NONAME: c_int = -2;
const EAI_NODATA: c_int = -5;

#[repr(C)]
struct addrinfo {
    ai_flags: c_int,
    ai_family: c_int,
    ai_socktype: c_int,
    ai_protocol: c_int,
    ai_addrlen: u32,
    ai_addr: *mut sockaddr_in,
    ai_canonname: *mut c_char,
    ai_next: *mut addrinfo,
}

#[repr(C)]
struct sockaddr_in {
    sin_family: u16,
    sin_port: u16,
    /// Network byte order.
    sin_addr: u32,
    sin_zero: [u8; 8],
}

extern "C" {
    fn getaddrinfo(node: *const c_char, service: *const c_char, hints: *const addrinfo, res: *mut *mut addrinfo) -> c_int;
    fn freeaddrinfo(res: *mut addrinfo);
    fn gai_strerror(code: c_int) -> *const c_char;
}

/// The reply for a `getaddrinfo` failure code: no such name is `NX`, anything else `FAIL` (the
/// cluster's resolver failed; the app gets that failure, as from mirrord's agent).
pub fn failure(code: c_int) -> DnsReply {
    let text = unsafe { CStr::from_ptr(gai_strerror(code)) }.to_string_lossy().into_owned();
    match code {
        EAI_NONAME | EAI_NODATA => DnsReply::Nx(text),
        _ => DnsReply::Fail(text),
    }
}

pub fn resolve(name: &str) -> DnsReply {
    let Ok(node) = CString::new(name) else { return failure(EAI_NONAME) };
    let hints = addrinfo {
        ai_flags: 0,
        ai_family: AF_INET,
        ai_socktype: SOCK_STREAM,
        ai_protocol: 0,
        ai_addrlen: 0,
        ai_addr: std::ptr::null_mut(),
        ai_canonname: std::ptr::null_mut(),
        ai_next: std::ptr::null_mut(),
    };
    let mut res: *mut addrinfo = std::ptr::null_mut();
    let rc = unsafe { getaddrinfo(node.as_ptr(), std::ptr::null(), &hints, &mut res) };
    if rc != 0 {
        return failure(rc);
    }
    let mut first = None;
    let mut ai = res;
    while let Some(entry) = unsafe { ai.as_ref() } {
        if entry.ai_family == AF_INET && !entry.ai_addr.is_null() && first.is_none() {
            first = Some(Ipv4Addr::from(u32::from_be(unsafe { (*entry.ai_addr).sin_addr })));
        }
        ai = entry.ai_next;
    }
    unsafe { freeaddrinfo(res) };
    match first {
        Some(ip) => DnsReply::A(ip),
        None => failure(EAI_NODATA),
    }
}

/// Keeps a resolver's text on one protocol line.
pub fn reply_line(reply: &DnsReply) -> String {
    one_line(&reply.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_are_nx_or_err_with_glibcs_text() {
        assert_eq!(failure(EAI_NONAME), DnsReply::Nx("Name or service not known".into()));
        assert_eq!(failure(EAI_NODATA), DnsReply::Nx("No address associated with hostname".into()));
        assert_eq!(failure(-3), DnsReply::Fail("Temporary failure in name resolution".into()));
    }

    #[test]
    fn resolves_a_literal_and_localhost_without_dns() {
        assert_eq!(resolve("10.96.0.10"), DnsReply::A(Ipv4Addr::new(10, 96, 0, 10)));
        assert_eq!(resolve("localhost"), DnsReply::A(Ipv4Addr::LOCALHOST));
        assert!(matches!(resolve("bad\0name"), DnsReply::Nx(_)));
    }
}
