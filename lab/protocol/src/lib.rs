//! The lab's wire protocols, shared by the layer, the intproxy and the agent (mirrord's crates
//! share mirrord-protocol the same way). Every message is one line of text; every request gets
//! one reply line, except that an accepted `CONNECT` to the agent turns into a raw byte pipe.
//!
//! - layer -> intproxy ([`layer`]): `HELLO`, `DNS`, `CONNECT`; and `ABORT` from `mirrord-lab exec`.
//! - intproxy -> agent ([`agent`]): `HELLO intproxy`, `DNS`, `PING` on the control connection;
//!   `CONNECT` as the first line of a connection of its own.

pub mod agent;
pub mod io;
pub mod layer;

use std::net::{Ipv4Addr, SocketAddrV4};

/// The answer to `DNS <name>`, the same on both hops (the intproxy forwards the agent's).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DnsReply {
    /// `A <ipv4>`.
    A(Ipv4Addr),
    /// `NX <text>`: the cluster's DNS says there is no such name.
    Nx(String),
    /// `FAIL <text>`: the agent asked, and the cluster's resolver failed (EAI_AGAIN: its DNS silent).
    /// An answer like any other: the app gets the failure, the layer lives on.
    Fail(String),
    /// `ERR <text>`: no answer could be had at all (the agent is gone): a proxy error.
    Err(String),
}

impl DnsReply {
    pub fn parse(line: &str) -> Option<DnsReply> {
        if let Some(ip) = line.strip_prefix("A ") {
            return ip.parse().ok().map(DnsReply::A);
        }
        if line == "NX" {
            return Some(DnsReply::Nx(String::new()));
        }
        if let Some(text) = line.strip_prefix("NX ") {
            return Some(DnsReply::Nx(text.into()));
        }
        if let Some(text) = line.strip_prefix("FAIL ") {
            return Some(DnsReply::Fail(text.into()));
        }
        line.strip_prefix("ERR ").map(|e| DnsReply::Err(e.into()))
    }
}

impl std::fmt::Display for DnsReply {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DnsReply::A(ip) => write!(f, "A {ip}"),
            DnsReply::Nx(text) => write!(f, "NX {text}"),
            DnsReply::Fail(text) => write!(f, "FAIL {text}"),
            DnsReply::Err(text) => write!(f, "ERR {text}"),
        }
    }
}

/// A request's target address: IPv4 `a.b.c.d:port`.
pub fn parse_addr(s: &str) -> Option<SocketAddrV4> {
    s.parse().ok()
}

/// Text that fits on one protocol line (a newline in an error would split a reply).
pub fn one_line(text: &str) -> String {
    text.replace(['\n', '\r'], " ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dns_replies_round_trip() {
        for reply in [DnsReply::A(Ipv4Addr::new(10, 96, 0, 10)), DnsReply::Nx("Name or service not known".into()), DnsReply::Fail("Temporary failure in name resolution".into()), DnsReply::Err("agent connection lost".into())] {
            assert_eq!(DnsReply::parse(&reply.to_string()), Some(reply));
        }
        assert_eq!(DnsReply::parse("NX"), Some(DnsReply::Nx(String::new())));
        assert_eq!(DnsReply::parse("A nowhere"), None);
        assert_eq!(DnsReply::parse("NXDOMAIN"), None);
        assert_eq!(DnsReply::parse("OK"), None);
        assert_eq!(one_line("a\nb\r"), "a b ");
    }
}
