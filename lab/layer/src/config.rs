//! What the CLI told this layer, read once at load from the environment (mirrord resolves its
//! config in the CLI and hands it to the layer the same way), except what the release stamp fixes.

use std::sync::atomic::{AtomicBool, AtomicI32, AtomicU8, Ordering};
use std::sync::OnceLock;

/// Which mirrord release the layer behaves like.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Profile {
    /// No Linux exec hooks.
    V3_111_0,
    /// exec hooks hold a `DetourGuard` and the socket table's read lock across the real exec.
    V3_112_0,
    /// exec hooks take no guard and copy the socket table before exec (PR 2628).
    V3_112_1,
}

/// How the 3.112.0 exec hook holds its `DetourGuard` (the three upstream experiments).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Strategy {
    None,
    Normal,
    Forget,
}

impl Profile {
    pub const ALL: [Profile; 3] = [Profile::V3_111_0, Profile::V3_112_0, Profile::V3_112_1];
    pub fn name(self) -> &'static str {
        match self {
            Profile::V3_111_0 => "3.111.0",
            Profile::V3_112_0 => "3.112.0",
            Profile::V3_112_1 => "3.112.1",
        }
    }
    pub fn parse(s: &str) -> Option<Profile> {
        Profile::ALL.into_iter().find(|p| p.name() == s)
    }
}

impl Strategy {
    pub const ALL: [Strategy; 3] = [Strategy::None, Strategy::Normal, Strategy::Forget];
    pub fn name(self) -> &'static str {
        match self {
            Strategy::None => "none",
            Strategy::Normal => "normal",
            Strategy::Forget => "forget",
        }
    }
    pub fn parse(s: &str) -> Option<Strategy> {
        Strategy::ALL.into_iter().find(|p| p.name() == s)
    }
}

// Atomics rather than a struct behind a lock: hooks in a vfork child read these.
static PROFILE: AtomicU8 = AtomicU8::new(2);
static STRATEGY: AtomicU8 = AtomicU8::new(1);
static EXEC_HOOKS_LINUX: AtomicBool = AtomicBool::new(true);
static INIT_PID: AtomicI32 = AtomicI32::new(0);
static CLUSTER_DOMAIN: OnceLock<String> = OnceLock::new();

pub const DEFAULT_CLUSTER_DOMAIN: &str = "svc.cluster.local";

/// Profile and strategy: a stamped release behaves as what it is, whatever the environment says;
/// an unstamped build (what `mirrord-lab exec` preloads) takes them from the environment.
fn profile_and_strategy(
    stamp: impl Fn(&str) -> Option<String>,
    env: impl Fn(&str) -> Option<String>,
) -> Result<(Profile, Strategy), String> {
    let (profile, strategy) = match stamp("profile") {
        // A stamped profile without a strategy is what that release shipped (`normal`).
        Some(p) => (("stamped profile", p), ("stamped strategy", stamp("strategy").unwrap_or_else(|| "normal".into()))),
        None => (
            ("MIRRORD_LAB_PROFILE", env("MIRRORD_LAB_PROFILE").unwrap_or_else(|| "3.112.1".into())),
            match stamp("strategy") {
                Some(s) => ("stamped strategy", s),
                None => ("MIRRORD_LAB_STRATEGY", env("MIRRORD_LAB_STRATEGY").unwrap_or_else(|| "normal".into())),
            },
        ),
    };
    let p = Profile::parse(&profile.1).ok_or(format!("unknown {} {:?}", profile.0, profile.1))?;
    let s = Strategy::parse(&strategy.1).ok_or(format!("unknown {} {:?}", strategy.0, strategy.1))?;
    Ok((p, s))
}

pub fn load_from_env() -> Result<(), String> {
    let (profile, strategy) = profile_and_strategy(stamp::get, |k| std::env::var(k).ok())?;
    let exec_hooks = std::env::var("MIRRORD_LAB_ENABLE_EXEC_HOOKS_LINUX").map_or(true, |v| v != "false");
    let domain = std::env::var("MIRRORD_LAB_CLUSTER_DOMAIN").unwrap_or_else(|_| DEFAULT_CLUSTER_DOMAIN.into());
    PROFILE.store(profile as u8, Ordering::Relaxed);
    STRATEGY.store(strategy as u8, Ordering::Relaxed);
    EXEC_HOOKS_LINUX.store(exec_hooks, Ordering::Relaxed);
    INIT_PID.store(unsafe { crate::sys::getpid() }, Ordering::Relaxed);
    let _ = CLUSTER_DOMAIN.set(domain.trim_matches('.').to_ascii_lowercase());
    Ok(())
}

pub fn profile() -> Profile {
    Profile::ALL[PROFILE.load(Ordering::Relaxed) as usize]
}

pub fn strategy() -> Strategy {
    Strategy::ALL[STRATEGY.load(Ordering::Relaxed) as usize]
}

/// `experimental.enable_exec_hooks_linux` (3.112.1 only; the CLI refuses it elsewhere).
pub fn exec_hooks_linux() -> bool {
    EXEC_HOOKS_LINUX.load(Ordering::Relaxed)
}

/// Pid of the process image that loaded the layer; a hook running in a child that has not
/// exec'd yet (fork or vfork) sees a different `getpid()`.
pub fn init_pid() -> i32 {
    INIT_PID.load(Ordering::Relaxed)
}

pub fn cluster_domain() -> &'static str {
    CLUSTER_DOMAIN.get().map_or(DEFAULT_CLUSTER_DOMAIN, |s| s.as_str())
}

/// Whether `name` is served by the cluster's DNS (the intproxy), not the local resolver.
pub fn in_cluster_domain(name: &[u8]) -> bool {
    let domain = cluster_domain().as_bytes();
    let name = name.strip_suffix(b".").unwrap_or(name);
    name.len() > domain.len()
        && name[name.len() - domain.len()..].eq_ignore_ascii_case(domain)
        && name[name.len() - domain.len() - 1] == b'.'
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |k| pairs.iter().find(|(key, _)| *key == k).map(|(_, v)| v.to_string())
    }

    #[test]
    fn a_stamp_wins_over_the_environment() {
        let env = table(&[("MIRRORD_LAB_PROFILE", "3.111.0"), ("MIRRORD_LAB_STRATEGY", "forget")]);
        let stamped = table(&[("profile", "3.112.0"), ("strategy", "none")]);
        assert_eq!(profile_and_strategy(&stamped, &env), Ok((Profile::V3_112_0, Strategy::None)));
        // A stamped release without a strategy is the one it shipped, not the env's.
        assert_eq!(profile_and_strategy(table(&[("profile", "3.112.0")]), &env), Ok((Profile::V3_112_0, Strategy::Normal)));
        assert_eq!(profile_and_strategy(table(&[]), &env), Ok((Profile::V3_111_0, Strategy::Forget)));
        assert_eq!(profile_and_strategy(table(&[]), table(&[])), Ok((Profile::V3_112_1, Strategy::Normal)));
        assert_eq!(profile_and_strategy(table(&[("profile", "3.200.0")]), &env), Err("unknown stamped profile \"3.200.0\"".into()));
        assert_eq!(
            profile_and_strategy(table(&[]), table(&[("MIRRORD_LAB_PROFILE", "x")])),
            Err("unknown MIRRORD_LAB_PROFILE \"x\"".into())
        );
    }

    #[test]
    fn cluster_domain_matching() {
        assert!(in_cluster_domain(b"db.default.svc.cluster.local"));
        assert!(in_cluster_domain(b"DB.default.SVC.cluster.local."));
        assert!(!in_cluster_domain(b"svc.cluster.local"));
        assert!(!in_cluster_domain(b"evilsvc.cluster.local"));
        assert!(!in_cluster_domain(b"example.com"));
    }
}
