//! The lab's intproxy (`mirrord-lab intproxy`; `mirrord intproxy` in a published copy): listens on
//! 127.0.0.1 (TCP), accepts one session per layer (process image), and answers the layers' DNS and
//! CONNECT requests through its upstream (upstream.rs): the agent named by `MIRRORD_CONNECT_TCP`,
//! as mirrord's intproxy, or, without it, the lab's built-in cluster (builtin.rs). It exits on its
//! own once no session has been open for the idle timeout, and never while a session is open: a
//! hung app keeps it alive, as mirrord's intproxy did in the upstream report.
//!
//! Requests (lab/protocol/src/layer.rs): `HELLO`/`DNS`/`CONNECT` from layers, and `ABORT <reason>`
//! from `exec` when the command could not be started: no layer will ever connect, so waiting out
//! the start timeout would only leave a process behind.

mod builtin;
mod outgoing;
mod settings;
mod upstream;

use crate::events::{json_str, Events};
use protocol::io::write_line;
use protocol::layer::{ConnectReply, Request};
use protocol::DnsReply;
use std::fs::File;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};
use upstream::Upstream;

extern "C" {
    fn setsid() -> i32;
    fn dup2(old: i32, new: i32) -> i32;
}

#[derive(Default)]
pub struct Sessions {
    open: usize,
    total: usize,
    last_close: Option<Instant>,
    /// Set by `ABORT <reason>`: exit as soon as no session is open.
    abort: Option<String>,
    /// The agent's control connection is gone: exit as soon as no session is open.
    agent_lost: bool,
}

/// What the main thread waits on: sessions opening and closing, an abort, a lost agent.
#[derive(Default)]
pub struct Lifecycle {
    sessions: Mutex<Sessions>,
    changed: Condvar,
}

impl Lifecycle {
    pub fn update(&self, f: impl FnOnce(&mut Sessions)) {
        f(&mut self.sessions.lock().unwrap_or_else(|e| e.into_inner()));
        self.changed.notify_all();
    }

    pub fn agent_lost(&self) {
        self.update(|s| s.agent_lost = true);
    }
}

struct Proxy {
    events: Arc<Events>,
    lifecycle: Arc<Lifecycle>,
    upstream: Upstream,
}

pub fn main() -> i32 {
    let events = Arc::new(Events::open_from_env("intproxy"));
    let settings = match settings::load() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("mirrord-lab intproxy: {e}");
            return 1;
        }
    };
    let listener = match TcpListener::bind("127.0.0.1:0") {
        Ok(l) => l,
        Err(e) => {
            eprintln!("mirrord-lab intproxy: cannot listen on 127.0.0.1: {e}");
            return 1;
        }
    };
    let port = listener.local_addr().map(|a| a.port()).unwrap_or(0);
    let lifecycle = Arc::new(Lifecycle::default());
    let upstream = match std::env::var("MIRRORD_CONNECT_TCP") {
        Ok(agent) => Upstream::agent(&agent, events.clone(), lifecycle.clone()),
        Err(_) => Upstream::builtin(settings.services.clone(), events.clone()),
    };
    let upstream = match upstream {
        Ok(u) => u,
        Err(e) => {
            eprintln!("mirrord-lab intproxy: {e}");
            return 1;
        }
    };
    events.emit("listening", &format!(",\"port\":{port}{}", upstream.describe()));
    let proxy = Arc::new(Proxy { events, lifecycle, upstream });

    // Tell the CLI where we are as mirrord 3.112.x does (a bare port, then an empty line), then
    // detach like mirrord's intproxy: own session, no stdio.
    print!("{port}\n\n");
    let _ = std::io::stdout().flush();
    detach();

    let p = proxy.clone();
    std::thread::spawn(move || {
        for conn in listener.incoming().flatten() {
            let p = p.clone();
            std::thread::spawn(move || serve_session(&p, conn));
        }
    });

    let reason = wait_for_exit(&proxy.lifecycle, settings.idle_timeout, settings.start_idle_timeout);
    let total = proxy.lifecycle.sessions.lock().unwrap_or_else(|e| e.into_inner()).total;
    proxy.events.emit("exit", &format!(",\"reason\":{},\"sessions\":{total}", json_str(&reason)));
    0
}

fn detach() {
    unsafe { setsid() };
    if let Ok(null) = File::options().read(true).write(true).open("/dev/null") {
        use std::os::fd::AsRawFd;
        for fd in 0..3 {
            unsafe { dup2(null.as_raw_fd(), fd) };
        }
    }
}

/// Blocks until the intproxy should exit; returns why (`no_session`, `idle`, `agent_lost`, or an
/// `ABORT` reason). Never while a session is open.
fn wait_for_exit(lifecycle: &Lifecycle, idle: Duration, start_idle: Duration) -> String {
    let started = Instant::now();
    let mut s = lifecycle.sessions.lock().unwrap_or_else(|e| e.into_inner());
    loop {
        if let (0, Some(reason)) = (s.open, &s.abort) {
            return reason.clone();
        }
        if s.open == 0 && s.agent_lost {
            return "agent_lost".into();
        }
        let (deadline, reason) = match (s.open, s.last_close) {
            (0, None) => (started + start_idle, "no_session"),
            (0, Some(closed)) => (closed + idle, "idle"),
            _ => (Instant::now() + Duration::from_secs(3600), ""),
        };
        let now = Instant::now();
        if s.open == 0 && now >= deadline {
            return reason.to_string();
        }
        s = lifecycle.changed.wait_timeout(s, deadline.saturating_duration_since(now)).unwrap_or_else(|e| e.into_inner()).0;
    }
}

fn serve_session(proxy: &Proxy, mut conn: TcpStream) {
    let _ = conn.set_nodelay(true);
    let Ok(reader) = conn.try_clone() else { return };
    let mut peer = 0u32;
    let mut opened = false;
    // Buffered: nothing but request lines ever arrives on a session.
    for line in BufReader::new(reader).lines() {
        let Ok(line) = line else { break };
        let reply = match Request::parse(&line) {
            Ok(Request::Hello { pid, ppid, .. }) => match proxy.upstream.refusal() {
                Some(e) => format!("ERR {e}"),
                None => {
                    peer = pid;
                    if !opened {
                        opened = true;
                        proxy.lifecycle.update(|s| {
                            s.open += 1;
                            s.total += 1;
                        });
                    }
                    proxy.events.emit("session_open", &format!(",\"peer_pid\":{pid},\"peer_ppid\":{ppid}"));
                    "OK".to_string()
                }
            },
            Ok(Request::Dns(name)) => {
                let reply = proxy.upstream.dns(&name);
                let (answer, error) = match &reply {
                    DnsReply::A(ip) => (json_str(&ip.to_string()), String::new()),
                    DnsReply::Nx(_) => ("null".into(), String::new()),
                    DnsReply::Fail(e) | DnsReply::Err(e) => ("null".into(), format!(",\"error\":{}", json_str(e))),
                };
                let fields = format!(",\"peer_pid\":{peer},\"name\":{},\"answer\":{answer},\"via\":\"{}\"{error}", json_str(&name), proxy.upstream.via());
                proxy.events.emit("dns", &fields);
                protocol::one_line(&reply.to_string())
            }
            Ok(Request::Connect(target)) => {
                let reply = proxy.upstream.connect(target);
                let outcome = match &reply {
                    ConnectReply::Redirect(to) => format!(",\"ok\":true,\"to\":\"{to}\""),
                    ConnectReply::Refused(e) => format!(",\"ok\":false,\"error\":{}", json_str(e)),
                };
                let fields = format!(",\"peer_pid\":{peer},\"target\":\"{target}\",\"via\":\"{}\"{outcome}", proxy.upstream.via());
                proxy.events.emit("connect", &fields);
                protocol::one_line(&reply.to_string())
            }
            Ok(Request::Abort(reason)) => {
                proxy.events.emit("abort", &format!(",\"reason\":{}", json_str(&reason)));
                proxy.lifecycle.update(|s| s.abort = Some(reason));
                "OK".to_string()
            }
            Err(e) => format!("ERR {e}"),
        };
        if write_line(&mut conn, &reply).is_err() {
            break;
        }
    }
    if opened {
        proxy.events.emit("session_close", &format!(",\"peer_pid\":{peer}"));
        proxy.lifecycle.update(|s| {
            s.open -= 1;
            s.last_close = Some(Instant::now());
        });
    }
}
