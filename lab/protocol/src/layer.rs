//! Layer <-> intproxy, over TCP on loopback (`MIRRORD_CONNECT_TCP=127.0.0.1:<port>`):
//!   `HELLO <pid> <ppid> <profile> <strategy>` -> `OK`
//!   `DNS <name>`                              -> `A <ipv4>` | `NX <text>` | `ERR <text>`
//!   `CONNECT <ipv4>:<port>`                   -> `OK <ipv4>:<port>` (connect there instead) | `ERR <text>`
//!   `ABORT <reason>` (from `exec`)            -> `OK`

use crate::parse_addr;
use std::net::SocketAddrV4;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    Hello { pid: u32, ppid: u32, profile: String, strategy: String },
    Dns(String),
    Connect(SocketAddrV4),
    Abort(String),
}

impl Request {
    pub fn parse(line: &str) -> Result<Request, String> {
        let (verb, rest) = line.split_once(' ').unwrap_or((line, ""));
        match verb {
            "HELLO" => {
                let mut parts = rest.split(' ');
                let mut next = || parts.next().filter(|p| !p.is_empty());
                let (Some(pid), Some(ppid), Some(profile), Some(strategy)) = (next(), next(), next(), next()) else {
                    return Err("HELLO needs <pid> <ppid> <profile> <strategy>".into());
                };
                let (Ok(pid), Ok(ppid)) = (pid.parse(), ppid.parse()) else { return Err("HELLO: pids must be numbers".into()) };
                Ok(Request::Hello { pid, ppid, profile: profile.into(), strategy: strategy.into() })
            }
            "DNS" if !rest.is_empty() => Ok(Request::Dns(rest.into())),
            "CONNECT" => parse_addr(rest).map(Request::Connect).ok_or_else(|| format!("CONNECT: {rest:?} is not an IPv4 address:port")),
            "ABORT" => Ok(Request::Abort(rest.into())),
            _ => Err("unknown request".into()),
        }
    }
}

/// The intproxy's answer to `CONNECT`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConnectReply {
    /// Connect the app's socket here instead (mirrord's outgoing interceptor, on loopback).
    Redirect(SocketAddrV4),
    /// The cluster could not be reached there: the app's connect fails.
    Refused(String),
}

impl ConnectReply {
    pub fn parse(line: &str) -> Option<ConnectReply> {
        if let Some(addr) = line.strip_prefix("OK ") {
            return parse_addr(addr).map(ConnectReply::Redirect);
        }
        line.strip_prefix("ERR ").map(|e| ConnectReply::Refused(e.into()))
    }
}

impl std::fmt::Display for ConnectReply {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ConnectReply::Redirect(addr) => write!(f, "OK {addr}"),
            ConnectReply::Refused(e) => write!(f, "ERR {e}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests() {
        assert_eq!(
            Request::parse("HELLO 12 1 3.112.0 none"),
            Ok(Request::Hello { pid: 12, ppid: 1, profile: "3.112.0".into(), strategy: "none".into() })
        );
        assert_eq!(Request::parse("DNS db.default.svc.cluster.local"), Ok(Request::Dns("db.default.svc.cluster.local".into())));
        assert_eq!(Request::parse("CONNECT 10.96.0.10:80"), Ok(Request::Connect("10.96.0.10:80".parse().unwrap())));
        assert_eq!(Request::parse("ABORT exec_failed"), Ok(Request::Abort("exec_failed".into())));
        assert!(Request::parse("HELLO 12 1 3.112.0").is_err());
        assert!(Request::parse("HELLO x 1 3.112.0 none").is_err());
        assert!(Request::parse("DNS").is_err());
        assert!(Request::parse("CONNECT db:80").is_err());
        assert!(Request::parse("CONNECT [::1]:80").is_err());
        assert_eq!(Request::parse("FROB"), Err("unknown request".into()));
    }

    #[test]
    fn connect_replies() {
        let ok = ConnectReply::Redirect("127.0.0.1:5000".parse().unwrap());
        assert_eq!(ConnectReply::parse(&ok.to_string()), Some(ok));
        assert_eq!(ConnectReply::parse("ERR connection refused"), Some(ConnectReply::Refused("connection refused".into())));
        assert_eq!(ConnectReply::parse("OK"), None);
        assert_eq!(ConnectReply::parse("OK nowhere"), None);
        assert_eq!(ConnectReply::parse("A 10.96.0.10"), None);
    }
}
