//! The release stamp: one 128-byte static per binary, so one build can be published as several
//! releases. It is the magic below followed by 110 bytes of `key=value;key=value`, padded with NUL
//! (all NUL in a build). A publisher finds the magic in a copy of the built file and overwrites the
//! value bytes (layer: `profile=3.112.0;strategy=none`; CLI and agent: `version=3.112.0`).
//!
//! The magic is spelled only in [`MAGIC`], and nothing outside the tests reads that constant, so
//! the static is its only copy in an artifact: the publisher must find exactly one.

/// Length of the magic prefix.
pub const MAGIC_LEN: usize = 18;
/// Bytes a publisher may write after the magic.
pub const VALUE_LEN: usize = 110;
pub const STAMP_LEN: usize = MAGIC_LEN + VALUE_LEN;

/// Used at compile time only (building [`STAMP`]) and by tests: never read at run time.
const MAGIC: &[u8; MAGIC_LEN] = b"MIRRORD_LAB_STAMP:";

const fn unstamped() -> [u8; STAMP_LEN] {
    let mut out = [0u8; STAMP_LEN];
    let mut i = 0;
    while i < MAGIC_LEN {
        out[i] = MAGIC[i];
        i += 1;
    }
    out
}

/// The stamp itself. `#[used]` keeps it even in a binary that never asks for a key.
#[used]
pub static STAMP: [u8; STAMP_LEN] = unstamped();

/// The stamp's value bytes up to the first NUL, as written into this very file.
fn values() -> Vec<u8> {
    // Volatile: the compiler knows the build-time value (all NUL) and would fold every lookup to
    // `None`; the publisher changes the bytes after the build.
    let bytes: [u8; STAMP_LEN] = unsafe { std::ptr::read_volatile(&STAMP) };
    let value = &bytes[MAGIC_LEN..];
    value[..value.iter().position(|&b| b == 0).unwrap_or(VALUE_LEN)].to_vec()
}

/// Looks `key` up in `key=value;key=value` text.
pub fn lookup(text: &[u8], key: &str) -> Option<String> {
    let text = std::str::from_utf8(text).ok()?;
    text.split(';').filter_map(|pair| pair.split_once('=')).find(|(k, _)| k.trim() == key).map(|(_, v)| v.trim().to_string())
}

/// The stamped value of `key`, if this binary was stamped with one.
pub fn get(key: &str) -> Option<String> {
    lookup(&values(), key)
}

/// Whether this binary carries any stamp at all.
pub fn is_stamped() -> bool {
    !values().is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout_is_magic_then_110_nul_bytes() {
        assert_eq!(STAMP.len(), 128);
        assert_eq!(&STAMP[..MAGIC_LEN], MAGIC);
        assert_eq!(MAGIC.len(), 18);
        assert!(MAGIC.ends_with(b":"));
        assert!(STAMP[MAGIC_LEN..].iter().all(|&b| b == 0));
        assert_eq!(VALUE_LEN, 110);
    }

    #[test]
    fn unstamped_build_has_no_keys() {
        assert!(!is_stamped());
        assert_eq!(get("profile"), None);
        assert_eq!(get("version"), None);
    }

    #[test]
    fn lookup_reads_pairs() {
        assert_eq!(lookup(b"profile=3.112.0;strategy=none", "profile").as_deref(), Some("3.112.0"));
        assert_eq!(lookup(b"profile=3.112.0;strategy=none", "strategy").as_deref(), Some("none"));
        assert_eq!(lookup(b"version=3.112.1", "profile"), None);
        assert_eq!(lookup(b"version=3.112.1;", "version").as_deref(), Some("3.112.1"));
        assert_eq!(lookup(b"", "version"), None);
        assert_eq!(lookup(b"\xff=x", "version"), None);
    }
}
