//! `mirrord-agent`: the lab's agent, run in the cluster's network (mirrord's agent in targetless
//! mode: no sniffer, no stealer, no namespace switch). Each intproxy that says `HELLO` is a client;
//! the agent answers its DNS requests with the resolver it sees and opens the connections it asks
//! for (lab/protocol/src/agent.rs).
//!
//! Lifecycle, as mirrord's agent: no client within `-t` seconds -> exit 1; once the last client
//! has gone (after at least one) -> exit 0. Its log is one human line per event on stderr: the
//! cluster's side, not the laptop's evidence, so it never writes `MIRRORD_LAB_EVENTS`.

mod args;
mod dns;
mod outgoing;

use args::{Args, Command};
use protocol::agent::{Opening, Request, HELLO_OK_PREFIX};
use protocol::io::{read_line, write_line};
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

/// The stamped release, or the lab's own version in a build.
fn version() -> String {
    stamp::get("version").unwrap_or_else(|| env!("CARGO_PKG_VERSION").to_string())
}

#[derive(Default)]
struct Clients {
    open: usize,
    ever: bool,
}

struct Agent {
    version: String,
    clients: Mutex<Clients>,
    changed: Condvar,
}

/// A connection that has said nothing yet gets this long for its first line.
const FIRST_LINE_TIMEOUT: Duration = Duration::from_secs(30);

fn main() {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    match args::parse(&argv) {
        Ok(Command::Version) => println!("mirrord-agent {}", version()),
        Ok(Command::Help) => print!("{}", args::HELP),
        Ok(Command::Run(args)) => std::process::exit(run(args)),
        Err(msg) => {
            eprintln!("mirrord-agent: {msg}");
            std::process::exit(2);
        }
    }
}

fn run(args: Args) -> i32 {
    let listener = match TcpListener::bind(("0.0.0.0", args.port)) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("mirrord-agent: cannot listen on 0.0.0.0:{}: {e}", args.port);
            return 1;
        }
    };
    let agent = Arc::new(Agent { version: version(), clients: Mutex::default(), changed: Condvar::new() });
    // The line mirrord's CLI waits for in the agent pod's log.
    println!("agent ready - version {}", agent.version);
    let _ = std::io::stdout().flush();

    let a = agent.clone();
    std::thread::spawn(move || {
        for conn in listener.incoming().flatten() {
            let a = a.clone();
            std::thread::spawn(move || serve(&a, conn));
        }
    });

    let deadline = Instant::now() + Duration::from_secs(args.timeout_s.into());
    let mut clients = agent.clients.lock().unwrap();
    loop {
        match (clients.ever, clients.open) {
            (true, 0) => {
                eprintln!("agent: last client gone, exiting");
                return 0;
            }
            (true, _) => clients = agent.changed.wait(clients).unwrap(),
            (false, _) => {
                let now = Instant::now();
                if now >= deadline {
                    eprintln!("agent: no client connected within {} s", args.timeout_s);
                    return 1;
                }
                clients = agent.changed.wait_timeout(clients, deadline - now).unwrap().0;
            }
        }
    }
}

fn serve(agent: &Agent, mut conn: TcpStream) {
    let peer = conn.peer_addr().map_or("?".into(), |a| a.to_string());
    let _ = conn.set_read_timeout(Some(FIRST_LINE_TIMEOUT));
    let first = match read_line(&mut conn) {
        Ok(Some(line)) => line,
        _ => return,
    };
    let _ = conn.set_read_timeout(None);
    match Opening::parse(&first) {
        Ok(Opening::Hello) => serve_client(agent, conn, &peer),
        Ok(Opening::Connect(to)) => outgoing::serve(conn, to),
        Err(e) => {
            eprintln!("agent: {peer}: {e}: {first:?}");
            let _ = write_line(&mut conn, &format!("ERR {e}"));
        }
    }
}

/// An intproxy's control connection: a client of the agent until it closes.
fn serve_client(agent: &Agent, mut conn: TcpStream, peer: &str) {
    {
        let mut c = agent.clients.lock().unwrap();
        c.open += 1;
        c.ever = true;
        eprintln!("agent: intproxy {peer} connected ({} open)", c.open);
    }
    if write_line(&mut conn, &format!("{HELLO_OK_PREFIX}{}", agent.version)).is_ok() {
        if let Ok(reader) = conn.try_clone() {
            for line in BufReader::new(reader).lines() {
                let Ok(line) = line else { break };
                let reply = match Request::parse(&line) {
                    Ok(Request::Dns(name)) => {
                        let reply = dns::reply_line(&dns::resolve(&name));
                        eprintln!("agent: dns {name} -> {reply}");
                        reply
                    }
                    Ok(Request::Ping) => "PONG".into(),
                    Err(e) => format!("ERR {e}"),
                };
                if write_line(&mut conn, &reply).is_err() {
                    break;
                }
            }
        }
    }
    let mut c = agent.clients.lock().unwrap();
    c.open -= 1;
    eprintln!("agent: intproxy {peer} disconnected ({} open)", c.open);
    agent.changed.notify_all();
}
