//! The built-in cluster, used when no agent is named (`mirrord-lab exec`): a service table that
//! answers DNS, and one HTTP service on loopback behind every ClusterIP.

use crate::events::{json_str, Events};
use protocol::DnsReply;
use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::time::Duration;

/// What `kubectl get svc` would show in the `default` namespace.
pub const DEFAULT_SERVICES: [(&str, &str); 3] = [
    ("db.default.svc.cluster.local", "10.96.0.10"),
    ("api.default.svc.cluster.local", "10.96.0.11"),
    ("cache.default.svc.cluster.local", "10.96.0.12"),
];

/// glibc's text for EAI_NONAME, as the agent would say it.
const NO_SUCH_NAME: &str = "Name or service not known";

pub struct Builtin {
    services: BTreeMap<String, String>,
    pub service_port: u16,
}

impl Builtin {
    /// The default services plus `extra`, and the HTTP service started on 127.0.0.1.
    pub fn start(extra: BTreeMap<String, String>, events: Arc<Events>) -> std::io::Result<Builtin> {
        let mut services: BTreeMap<String, String> = DEFAULT_SERVICES.iter().map(|(n, ip)| (n.to_string(), ip.to_string())).collect();
        services.extend(extra);
        let http = TcpListener::bind("127.0.0.1:0")?;
        let service_port = http.local_addr()?.port();
        std::thread::spawn(move || {
            for conn in http.incoming().flatten() {
                let events = events.clone();
                std::thread::spawn(move || serve_http(&events, conn));
            }
        });
        Ok(Builtin { services, service_port })
    }

    pub fn dns(&self, name: &str) -> DnsReply {
        match self.services.get(&name.trim_end_matches('.').to_ascii_lowercase()) {
            Some(ip) => ip.parse().map_or_else(|_| DnsReply::Nx(NO_SUCH_NAME.into()), DnsReply::A),
            None => DnsReply::Nx(NO_SUCH_NAME.into()),
        }
    }
}

/// The cluster service behind every ClusterIP: a one-response HTTP server.
fn serve_http(events: &Events, mut conn: TcpStream) {
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
    events.emit("http", &format!(",\"request\":{},\"host\":{}", json_str(&first), json_str(&host)));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_from_the_table() {
        let mut extra = BTreeMap::new();
        extra.insert("x.ns.svc.cluster.local".to_string(), "10.96.1.2".to_string());
        let b = Builtin::start(extra, Arc::new(Events::disabled("intproxy"))).unwrap();
        assert_eq!(b.dns("DB.default.svc.cluster.local."), DnsReply::A("10.96.0.10".parse().unwrap()));
        assert_eq!(b.dns("x.ns.svc.cluster.local"), DnsReply::A("10.96.1.2".parse().unwrap()));
        assert_eq!(b.dns("nosuch.default.svc.cluster.local"), DnsReply::Nx("Name or service not known".into()));
    }
}
