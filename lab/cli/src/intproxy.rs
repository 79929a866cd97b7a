//! The lab's intproxy (`mirrord-lab intproxy`, started by `exec`): accepts one session per layer
//! (process image), answers DNS for the cluster domain from its service table, serves the
//! cluster's HTTP service on loopback, and exits on its own once no session has been open for
//! the idle timeout. It never exits while a session is open: a hung app keeps it alive, as
//! mirrord's intproxy did in the upstream report.
//!
//! Requests on the Unix socket, one line each: `HELLO`/`DNS` from layers (see
//! lab/layer/src/session.rs), and `ABORT <reason>` from `exec` when the command could not be
//! started: no layer will ever connect, so waiting out the start timeout would only leave a
//! process behind.

use crate::events::{json_str, Events};
use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::PathBuf;
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

extern "C" {
    fn setsid() -> i32;
}

/// The built-in cluster: what `kubectl get svc` would show in the `default` namespace.
pub const DEFAULT_SERVICES: [(&str, &str); 3] = [
    ("db.default.svc.cluster.local", "10.96.0.10"),
    ("api.default.svc.cluster.local", "10.96.0.11"),
    ("cache.default.svc.cluster.local", "10.96.0.12"),
];

#[derive(Default)]
struct Sessions {
    open: usize,
    total: usize,
    last_close: Option<Instant>,
    /// Set by `ABORT <reason>`: exit as soon as no session is open.
    abort: Option<String>,
}

struct Proxy {
    events: Events,
    services: BTreeMap<String, String>,
    sessions: Mutex<Sessions>,
    changed: Condvar,
    service_port: u16,
}

fn env_secs(name: &str, default: f64) -> Duration {
    Duration::from_secs_f64(std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default))
}

pub fn main() -> i32 {
    let events = Events::open_from_env("intproxy");
    let mut services: BTreeMap<String, String> =
        DEFAULT_SERVICES.iter().map(|(n, ip)| (n.to_string(), ip.to_string())).collect();
    for pair in std::env::var("MIRRORD_LAB_SERVICES").unwrap_or_default().split(',').filter(|p| !p.is_empty()) {
        if let Some((name, ip)) = pair.split_once('=') {
            services.insert(name.to_string(), ip.to_string());
        }
    }
    let idle = env_secs("MIRRORD_LAB_IDLE_TIMEOUT", 1.0);
    let start_idle = env_secs("MIRRORD_LAB_START_IDLE_TIMEOUT", 60.0);

    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.subsec_nanos());
    let dir = std::env::temp_dir().join(format!("mirrord-lab-{}-{nanos}", std::process::id()));
    let setup = (|| -> std::io::Result<(UnixListener, TcpListener, PathBuf)> {
        std::fs::create_dir(&dir)?;
        let sock = dir.join("intproxy.sock");
        if sock.as_os_str().len() >= 108 {
            let msg = format!("socket path {} is longer than a Unix socket allows (107 bytes): use a shorter TMPDIR", sock.display());
            return Err(std::io::Error::new(std::io::ErrorKind::InvalidInput, msg));
        }
        let unix = UnixListener::bind(&sock)?;
        let http = TcpListener::bind("127.0.0.1:0")?;
        Ok((unix, http, sock))
    })();
    let (unix, http, sock) = match setup {
        Ok(v) => v,
        Err(e) => {
            let _ = std::fs::remove_dir_all(&dir);
            eprintln!("mirrord-lab intproxy: cannot listen in {}: {e}", dir.display());
            return 1;
        }
    };
    let service_port = http.local_addr().map(|a| a.port()).unwrap_or(0);
    let proxy = Arc::new(Proxy { events, services, sessions: Mutex::default(), changed: Condvar::new(), service_port });
    proxy.events.emit("listening", &format!(",\"socket\":{},\"service_port\":{service_port}", json_str(&sock.to_string_lossy())));

    // Tell `exec` where we are, then detach like mirrord's intproxy: own session, no stdio.
    println!("READY {} {service_port}", sock.display());
    let _ = std::io::stdout().flush();
    unsafe { setsid() };
    if let Ok(null) = File::options().read(true).write(true).open("/dev/null") {
        use std::os::fd::AsRawFd;
        extern "C" {
            fn dup2(old: i32, new: i32) -> i32;
        }
        for fd in 0..3 {
            unsafe { dup2(null.as_raw_fd(), fd) };
        }
    }

    let p = proxy.clone();
    std::thread::spawn(move || {
        for conn in unix.incoming().flatten() {
            let p = p.clone();
            std::thread::spawn(move || serve_session(&p, conn));
        }
    });
    let p = proxy.clone();
    std::thread::spawn(move || {
        for conn in http.incoming().flatten() {
            let p = p.clone();
            std::thread::spawn(move || serve_http(&p, conn));
        }
    });

    let started = Instant::now();
    let reason = {
        let mut s = proxy.sessions.lock().unwrap();
        loop {
            if let (0, Some(reason)) = (s.open, &s.abort) {
                break reason.clone();
            }
            let (deadline, reason) = match (s.open, s.last_close) {
                (0, None) => (started + start_idle, "no_session"),
                (0, Some(closed)) => (closed + idle, "idle"),
                _ => (Instant::now() + Duration::from_secs(3600), ""),
            };
            let now = Instant::now();
            if s.open == 0 && now >= deadline {
                break reason.to_string();
            }
            s = proxy.changed.wait_timeout(s, deadline.saturating_duration_since(now)).unwrap().0;
        }
    };
    let total = proxy.sessions.lock().unwrap().total;
    proxy.events.emit("exit", &format!(",\"reason\":{},\"sessions\":{total}", json_str(&reason)));
    let _ = std::fs::remove_dir_all(&dir);
    0
}

fn serve_session(proxy: &Proxy, conn: UnixStream) {
    let mut writer = match conn.try_clone() {
        Ok(w) => w,
        Err(_) => return,
    };
    let mut reader = BufReader::new(conn);
    let mut peer = String::from("0");
    let mut opened = false;
    let mut line = String::new();
    while {
        line.clear();
        matches!(reader.read_line(&mut line), Ok(n) if n > 0)
    } {
        let line = line.trim_end();
        let reply = if let Some(rest) = line.strip_prefix("HELLO ") {
            let mut parts = rest.split(' ');
            peer = parts.next().unwrap_or("0").to_string();
            let ppid = parts.next().unwrap_or("0");
            if !opened {
                opened = true;
                let mut s = proxy.sessions.lock().unwrap();
                s.open += 1;
                s.total += 1;
                proxy.changed.notify_all();
            }
            proxy.events.emit("session_open", &format!(",\"peer_pid\":{peer},\"peer_ppid\":{ppid}"));
            format!("OK {}", proxy.service_port)
        } else if let Some(name) = line.strip_prefix("DNS ") {
            let answer = proxy.services.get(&name.trim_end_matches('.').to_ascii_lowercase());
            proxy.events.emit(
                "dns",
                &format!(",\"peer_pid\":{peer},\"name\":{},\"answer\":{}", json_str(name), answer.map_or("null".into(), |a| json_str(a))),
            );
            answer.map_or("NX".to_string(), |ip| format!("A {ip}"))
        } else if let Some(reason) = line.strip_prefix("ABORT ") {
            proxy.events.emit("abort", &format!(",\"reason\":{}", json_str(reason)));
            proxy.sessions.lock().unwrap().abort = Some(reason.to_string());
            proxy.changed.notify_all();
            "OK".to_string()
        } else {
            "ERR unknown request".to_string()
        };
        if writer.write_all(format!("{reply}\n").as_bytes()).is_err() {
            break;
        }
    }
    if opened {
        proxy.events.emit("session_close", &format!(",\"peer_pid\":{peer}"));
        let mut s = proxy.sessions.lock().unwrap();
        s.open -= 1;
        s.last_close = Some(Instant::now());
        proxy.changed.notify_all();
    }
}

/// The cluster service behind every ClusterIP: a one-response HTTP server.
fn serve_http(proxy: &Proxy, mut conn: TcpStream) {
    let _ = conn.set_read_timeout(Some(Duration::from_secs(5)));
    let mut request = Vec::new();
    let mut buf = [0u8; 1024];
    while !request.windows(4).any(|w| w == b"\r\n\r\n") && request.len() < 16384 {
        match conn.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => request.extend_from_slice(&buf[..n]),
        }
    }
    let text = String::from_utf8_lossy(&request);
    let first = text.lines().next().unwrap_or("").to_string();
    let host = text
        .lines()
        .find_map(|l| l.split_once(':').filter(|(k, _)| k.eq_ignore_ascii_case("host")).map(|(_, v)| v.trim().to_string()))
        .unwrap_or_default();
    let body = format!("hello from the cluster service {host}\n");
    let response = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = conn.write_all(response.as_bytes());
    proxy.events.emit("http", &format!(",\"request\":{},\"host\":{}", json_str(&first), json_str(&host)));
}
