//! Reading one line without buffering past it, and the two-way byte pipe behind every `CONNECT`.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpStream};

/// Longest request or reply line accepted.
pub const MAX_LINE: usize = 4096;

/// Reads one `\n`-terminated line a byte at a time, so that whatever follows it (a pipe's first
/// bytes) stays in the socket. `Ok(None)` at EOF before any byte.
pub fn read_line(stream: &mut impl Read) -> std::io::Result<Option<String>> {
    let mut line = Vec::new();
    let mut byte = [0u8; 1];
    loop {
        match stream.read(&mut byte) {
            Ok(0) if line.is_empty() => return Ok(None),
            Ok(0) => return Err(std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "connection closed mid-line")),
            Ok(_) if byte[0] == b'\n' => break,
            Ok(_) if line.len() >= MAX_LINE => return Err(std::io::Error::new(std::io::ErrorKind::InvalidData, "line too long")),
            Ok(_) => line.push(byte[0]),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        }
    }
    if line.last() == Some(&b'\r') {
        line.pop();
    }
    String::from_utf8(line).map_err(|_| std::io::Error::new(std::io::ErrorKind::InvalidData, "line is not UTF-8"))
        .map(Some)
}

/// Writes `line` and its newline in one write.
pub fn write_line(stream: &mut impl Write, line: &str) -> std::io::Result<()> {
    stream.write_all(format!("{line}\n").as_bytes())
}

/// Copies bytes both ways until both sides have closed: one thread per direction, and a side that
/// reaches EOF gets its peer's write half shut, so half-closes pass through as they would directly.
pub fn pipe(a: TcpStream, b: TcpStream) -> std::io::Result<()> {
    let (a2, b2) = (a.try_clone()?, b.try_clone()?);
    let forth = std::thread::spawn(move || copy_then_shut(a, b2));
    copy_then_shut(b, a2);
    let _ = forth.join();
    Ok(())
}

fn copy_then_shut(mut from: TcpStream, mut to: TcpStream) {
    let _ = std::io::copy(&mut from, &mut to);
    let _ = to.shutdown(Shutdown::Write);
    // A reset on the other side leaves this side nothing to read either.
    let _ = from.shutdown(Shutdown::Read);
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpListener;

    #[test]
    fn read_line_stops_at_the_newline() {
        let mut input: &[u8] = b"OK\r\nraw bytes";
        assert_eq!(read_line(&mut input).unwrap().as_deref(), Some("OK"));
        assert_eq!(input, b"raw bytes");
        assert!(read_line(&mut input).is_err(), "EOF mid-line");
        assert_eq!(read_line(&mut (&b""[..])).unwrap(), None);
    }

    #[test]
    fn pipe_copies_both_ways_and_passes_half_closes() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        // client <-> (x | pipe | y) <-> server
        let mut client = TcpStream::connect(addr).unwrap();
        let (x, _) = listener.accept().unwrap();
        let y = TcpStream::connect(addr).unwrap();
        let (mut server, _) = listener.accept().unwrap();
        let piping = std::thread::spawn(move || pipe(x, y));
        client.write_all(b"GET / HTTP/1.0\r\n\r\n").unwrap();
        client.shutdown(Shutdown::Write).unwrap();
        let mut request = String::new();
        server.read_to_string(&mut request).unwrap();
        assert_eq!(request, "GET / HTTP/1.0\r\n\r\n");
        server.write_all(b"HTTP/1.0 200 OK\r\n\r\nhi").unwrap();
        drop(server);
        let mut response = String::new();
        client.read_to_string(&mut response).unwrap();
        assert_eq!(response, "HTTP/1.0 200 OK\r\n\r\nhi");
        piping.join().unwrap().unwrap();
    }
}
