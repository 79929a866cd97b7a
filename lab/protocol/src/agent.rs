//! Intproxy <-> agent, over TCP (`MIRRORD_CONNECT_TCP=<agent>` in the intproxy's environment).
//! The first line of a connection decides what it is:
//!   `HELLO intproxy` -> `OK agent <version>`, then requests on the same connection (the control
//!     connection, a client of the agent): `DNS <name>` -> `A` | `NX` | `ERR`; `PING` -> `PONG`.
//!   `CONNECT <ipv4>:<port>` -> `OK`, then raw bytes both ways | `ERR <text>`, then close.

use crate::parse_addr;
use std::net::SocketAddrV4;

pub const HELLO: &str = "HELLO intproxy";
pub const HELLO_OK_PREFIX: &str = "OK agent ";

/// The first line on a connection to the agent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Opening {
    Hello,
    Connect(SocketAddrV4),
}

/// A request on the control connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    Dns(String),
    Ping,
}

impl Opening {
    pub fn parse(line: &str) -> Result<Opening, String> {
        if line == HELLO {
            return Ok(Opening::Hello);
        }
        match line.strip_prefix("CONNECT ") {
            Some(rest) => parse_addr(rest).map(Opening::Connect).ok_or_else(|| format!("CONNECT: {rest:?} is not an IPv4 address:port")),
            None => Err("unknown request".into()),
        }
    }
}

impl Request {
    pub fn parse(line: &str) -> Result<Request, String> {
        match line.split_once(' ') {
            None if line == "PING" => Ok(Request::Ping),
            Some(("DNS", name)) if !name.is_empty() => Ok(Request::Dns(name.into())),
            _ => Err("unknown request".into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn openings_and_requests() {
        assert_eq!(Opening::parse("HELLO intproxy"), Ok(Opening::Hello));
        assert_eq!(Opening::parse("CONNECT 10.96.0.10:80"), Ok(Opening::Connect("10.96.0.10:80".parse().unwrap())));
        assert!(Opening::parse("HELLO layer").is_err());
        assert!(Opening::parse("CONNECT 10.96.0.10").is_err());
        assert!(Opening::parse("DNS x").is_err());
        assert_eq!(Request::parse("DNS db.default.svc.cluster.local"), Ok(Request::Dns("db.default.svc.cluster.local".into())));
        assert_eq!(Request::parse("PING"), Ok(Request::Ping));
        assert!(Request::parse("DNS ").is_err());
        assert!(Request::parse("CONNECT 10.96.0.10:80").is_err());
    }
}
