//! Where the intproxy takes the layers' requests: the agent (`MIRRORD_CONNECT_TCP=<agent>`, as
//! mirrord's intproxy dials `connect_tcp`) or the built-in cluster.
//!
//! With an agent, DNS goes over one control connection (requests serialized, replies read by a
//! thread of their own so a lost agent is noticed at once), and each CONNECT opens a connection of
//! its own. Once the control connection is lost, every request is refused: the layers then die, as
//! they do when mirrord's agent goes away.

use super::builtin::Builtin;
use super::outgoing;
use super::Lifecycle;
use crate::events::{json_str, Events};
use protocol::agent::{HELLO, HELLO_OK_PREFIX};
use protocol::io::{read_line, write_line};
use protocol::layer::ConnectReply;
use protocol::DnsReply;
use std::io::{BufRead, BufReader};
use std::net::{Shutdown, SocketAddr, SocketAddrV4, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{channel, Receiver};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Connecting to the agent, and waiting for its `HELLO` reply.
const AGENT_TIMEOUT: Duration = Duration::from_secs(5);
/// Waiting for the agent's answer to `CONNECT` (it gives its own connect 3 s).
const AGENT_CONNECT_REPLY: Duration = Duration::from_secs(10);
pub const AGENT_LOST: &str = "agent connection lost";

pub enum Upstream {
    Builtin(Builtin),
    Agent(Agent),
}

pub struct Agent {
    addr: SocketAddrV4,
    pub version: String,
    control: Mutex<Control>,
    lost: Arc<AtomicBool>,
}

struct Control {
    writer: TcpStream,
    replies: Receiver<String>,
}

impl Upstream {
    pub fn builtin(services: std::collections::BTreeMap<String, String>, events: Arc<Events>) -> Result<Upstream, String> {
        Builtin::start(services, events).map(Upstream::Builtin).map_err(|e| format!("cannot start the cluster service: {e}"))
    }

    pub fn agent(addr: &str, events: Arc<Events>, lifecycle: Arc<Lifecycle>) -> Result<Upstream, String> {
        let addr: SocketAddrV4 = addr.parse().map_err(|_| format!("MIRRORD_CONNECT_TCP={addr:?} is not an IPv4 HOST:PORT"))?;
        Agent::hello(addr, events, lifecycle).map(Upstream::Agent)
    }

    pub fn via(&self) -> &'static str {
        match self {
            Upstream::Builtin(_) => "builtin",
            Upstream::Agent(_) => "agent",
        }
    }

    /// The `listening` event's upstream fields.
    pub fn describe(&self) -> String {
        match self {
            Upstream::Builtin(b) => format!(",\"upstream\":\"builtin\",\"service_port\":{}", b.service_port),
            Upstream::Agent(a) => format!(",\"upstream\":\"agent\",\"agent\":\"{}\",\"agent_version\":{}", a.addr, json_str(&a.version)),
        }
    }

    /// Why no request can be served any more, if so.
    pub fn refusal(&self) -> Option<&'static str> {
        match self {
            Upstream::Agent(a) if a.lost.load(Ordering::SeqCst) => Some(AGENT_LOST),
            _ => None,
        }
    }

    pub fn dns(&self, name: &str) -> DnsReply {
        match self {
            Upstream::Builtin(b) => b.dns(name),
            Upstream::Agent(a) => a.dns(name),
        }
    }

    pub fn connect(&self, target: SocketAddrV4) -> ConnectReply {
        match self {
            Upstream::Builtin(b) => ConnectReply::Redirect(SocketAddrV4::new(std::net::Ipv4Addr::LOCALHOST, b.service_port)),
            Upstream::Agent(a) => a.connect(target),
        }
    }
}

impl Agent {
    /// Dials the agent and says `HELLO`: the control connection, watched by a reader thread.
    fn hello(addr: SocketAddrV4, events: Arc<Events>, lifecycle: Arc<Lifecycle>) -> Result<Agent, String> {
        let fail = |what: &str, e: &dyn std::fmt::Display| format!("cannot {what} the agent at {addr}: {e}");
        let mut conn = TcpStream::connect_timeout(&SocketAddr::V4(addr), AGENT_TIMEOUT).map_err(|e| fail("connect to", &e))?;
        let _ = conn.set_nodelay(true);
        conn.set_read_timeout(Some(AGENT_TIMEOUT)).map_err(|e| fail("talk to", &e))?;
        write_line(&mut conn, HELLO).map_err(|e| fail("talk to", &e))?;
        let reply = match read_line(&mut conn) {
            Ok(Some(line)) => line,
            Ok(None) => return Err(fail("talk to", &"it closed the connection")),
            Err(e) => return Err(fail("talk to", &e)),
        };
        let version = reply.strip_prefix(HELLO_OK_PREFIX).ok_or_else(|| fail("talk to", &format!("unexpected reply {reply:?}")))?.to_string();
        conn.set_read_timeout(None).map_err(|e| fail("talk to", &e))?;

        let lost = Arc::new(AtomicBool::new(false));
        let (tx, replies) = channel();
        let reader = conn.try_clone().map_err(|e| fail("talk to", &e))?;
        let flag = lost.clone();
        std::thread::spawn(move || {
            let mut why = "the agent closed the connection".to_string();
            for line in BufReader::new(reader).lines() {
                match line {
                    Ok(line) => {
                        if tx.send(line).is_err() {
                            break;
                        }
                    }
                    Err(e) => {
                        why = e.to_string();
                        break;
                    }
                }
            }
            flag.store(true, Ordering::SeqCst);
            drop(tx); // a request waiting for its reply now gets `agent connection lost`
            events.emit("agent_lost", &format!(",\"agent\":\"{addr}\",\"error\":{}", json_str(&why)));
            lifecycle.agent_lost();
        });
        Ok(Agent { addr, version, control: Mutex::new(Control { writer: conn, replies }), lost })
    }

    fn dns(&self, name: &str) -> DnsReply {
        if self.lost.load(Ordering::SeqCst) {
            return DnsReply::Err(AGENT_LOST.into());
        }
        let mut control = self.control.lock().unwrap_or_else(|e| e.into_inner());
        if write_line(&mut control.writer, &format!("DNS {name}")).is_err() {
            // Make sure the reader thread sees it too, and reports the loss.
            let _ = control.writer.shutdown(Shutdown::Both);
            return DnsReply::Err(AGENT_LOST.into());
        }
        match control.replies.recv() {
            Ok(line) => DnsReply::parse(&line).unwrap_or_else(|| DnsReply::Err(format!("unexpected agent reply {line:?}"))),
            Err(_) => DnsReply::Err(AGENT_LOST.into()),
        }
    }

    fn connect(&self, target: SocketAddrV4) -> ConnectReply {
        if self.lost.load(Ordering::SeqCst) {
            return ConnectReply::Refused(AGENT_LOST.into());
        }
        match self.open(target).and_then(|remote| outgoing::redirect(remote).map_err(|e| format!("cannot listen on loopback: {e}"))) {
            Ok(local) => ConnectReply::Redirect(local),
            Err(e) => ConnectReply::Refused(e),
        }
    }

    /// A new connection to the agent for `target`, past the agent's `OK`.
    fn open(&self, target: SocketAddrV4) -> Result<TcpStream, String> {
        let mut conn = TcpStream::connect_timeout(&SocketAddr::V4(self.addr), AGENT_TIMEOUT).map_err(|e| format!("cannot reach the agent: {e}"))?;
        let _ = conn.set_nodelay(true);
        let io = |e: std::io::Error| format!("agent: {e}");
        conn.set_read_timeout(Some(AGENT_CONNECT_REPLY)).map_err(io)?;
        write_line(&mut conn, &format!("CONNECT {target}")).map_err(io)?;
        match read_line(&mut conn).map_err(io)?.as_deref() {
            Some("OK") => {
                conn.set_read_timeout(None).map_err(io)?;
                Ok(conn)
            }
            Some(line) => Err(line.strip_prefix("ERR ").map_or_else(|| format!("unexpected agent reply {line:?}"), str::to_string)),
            None => Err("the agent closed the connection".into()),
        }
    }
}
