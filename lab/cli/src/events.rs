//! The CLI side of the evidence file: JSON lines appended to `MIRRORD_LAB_EVENTS`, in the shape
//! the layer writes (lab/layer/src/events.rs), tagged with who wrote them (`intproxy`, `cli`).

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

pub struct Events {
    src: &'static str,
    file: Option<Mutex<File>>,
}

impl Events {
    /// Appends to `MIRRORD_LAB_EVENTS` when it is set; otherwise every `emit` is a no-op.
    pub fn open_from_env(src: &'static str) -> Events {
        let file = std::env::var_os("MIRRORD_LAB_EVENTS")
            .and_then(|p| OpenOptions::new().create(true).append(true).open(p).ok())
            .map(Mutex::new);
        Events { src, file }
    }

    /// Writes nothing (tests).
    #[cfg(test)]
    pub fn disabled(src: &'static str) -> Events {
        Events { src, file: None }
    }

    /// Writes one line; `fields` is either empty or a run of `,"key":value` pairs.
    pub fn emit(&self, event: &str, fields: &str) {
        let Some(file) = &self.file else { return };
        let t_ns = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos());
        let line = format!(
            "{{\"src\":\"{}\",\"event\":\"{event}\",\"pid\":{},\"t_ns\":{t_ns}{fields}}}\n",
            self.src,
            std::process::id()
        );
        // One write on an O_APPEND file: lines from several processes never interleave.
        let _ = file.lock().unwrap_or_else(|e| e.into_inner()).write_all(line.as_bytes());
    }
}

/// `s` as a JSON string literal.
pub fn json_str(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_strings_escape_quotes_backslashes_and_controls() {
        assert_eq!(json_str("a\"b\\c\nd"), r#""a\"b\\c\u000ad""#);
        let parsed = crate::json::parse(&json_str("tab\there \"q\"")).unwrap();
        assert_eq!(parsed, crate::json::Json::String("tab\there \"q\"".into()));
    }
}
