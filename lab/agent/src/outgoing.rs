//! `CONNECT <ipv4>:<port>`: the agent connects in the cluster's network and, once connected,
//! pipes bytes between that connection and the intproxy's (mirrord's outgoing traffic).

use protocol::io::{pipe, write_line};
use protocol::one_line;
use std::net::{SocketAddr, SocketAddrV4, TcpStream};
use std::time::Duration;

const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);

pub fn serve(mut conn: TcpStream, to: SocketAddrV4) {
    match TcpStream::connect_timeout(&SocketAddr::V4(to), CONNECT_TIMEOUT) {
        Ok(remote) => {
            eprintln!("agent: connect {to} ok");
            if write_line(&mut conn, "OK").is_ok() {
                let _ = pipe(conn, remote);
            }
        }
        Err(e) => {
            eprintln!("agent: connect {to} failed: {e}");
            let _ = write_line(&mut conn, &format!("ERR {}", one_line(&e.to_string())));
        }
    }
}
