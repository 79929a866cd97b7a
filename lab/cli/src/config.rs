//! The lab's config file (`-f config.json` for `exec`, `MIRRORD_CONFIG_FILE` for the intproxy): a
//! small subset of mirrord's keys plus a `lab` section. mirrord's other top-level keys are accepted
//! and ignored, so one file serves the lab and real mirrord; unknown keys are errors, as in mirrord.

use crate::json::{self, Json};
use std::collections::BTreeMap;

#[derive(Debug, Clone)]
pub struct Settings {
    /// `experimental.enable_exec_hooks_linux` (exists from 3.112.1). `None` when not given.
    pub enable_exec_hooks_linux: Option<bool>,
    /// `internal_proxy.idle_timeout`, seconds after the last session closes. mirrord: 5; lab default 1.
    pub idle_timeout_s: f64,
    /// `internal_proxy.start_idle_timeout`, seconds to wait for the first session. mirrord: 60.
    pub start_idle_timeout_s: f64,
    /// `lab.cluster_domain`: names under it are resolved by the intproxy.
    pub cluster_domain: String,
    /// `lab.services`: extra cluster services, name -> ClusterIP (10.96.0.0/12).
    pub services: BTreeMap<String, String>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            enable_exec_hooks_linux: None,
            idle_timeout_s: 1.0,
            start_idle_timeout_s: 60.0,
            cluster_domain: "svc.cluster.local".into(),
            services: BTreeMap::new(),
        }
    }
}

/// mirrord's top-level keys (3.112.x config/src/lib.rs `LayerConfig`, plus `pause` from older
/// releases) that the lab has no use for.
pub const IGNORED_MIRRORD_KEYS: [&str; 14] = [
    "feature",
    "operator",
    "telemetry",
    "agent",
    "target",
    "kubeconfig",
    "kube_context",
    "connect_tcp",
    "accept_invalid_certificates",
    "skip_processes",
    "sip_binaries",
    "pause",
    "skip_build_tools",
    "use_proxy",
];

/// mirrord's `experimental` keys at 3.112.x other than `enable_exec_hooks_linux`.
const IGNORED_EXPERIMENTAL_KEYS: [&str; 3] = ["tcp_ping4_mock", "readlink", "trust_any_certificate"];

fn object<'a>(v: &'a Json, at: &str) -> Result<&'a BTreeMap<String, Json>, String> {
    match v {
        Json::Object(m) => Ok(m),
        _ => Err(format!("{at} must be an object")),
    }
}

fn number(v: &Json, at: &str) -> Result<f64, String> {
    match v {
        Json::Number(n) if *n >= 0.0 => Ok(*n),
        _ => Err(format!("{at} must be a non-negative number of seconds")),
    }
}

/// Reads and parses a config file; errors name the file.
pub fn load(path: &std::path::Path) -> Result<Settings, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read config {}: {e}", path.display()))?;
    parse(&text).map_err(|e| format!("config {}: {e}", path.display()))
}

pub fn parse(text: &str) -> Result<Settings, String> {
    let root = json::parse(text)?;
    let mut s = Settings::default();
    for (key, value) in object(&root, "the config")? {
        match key.as_str() {
            "experimental" => {
                for (k, v) in object(value, "experimental")? {
                    match (k.as_str(), v) {
                        ("enable_exec_hooks_linux", Json::Bool(b)) => s.enable_exec_hooks_linux = Some(*b),
                        ("enable_exec_hooks_linux", _) => return Err("experimental.enable_exec_hooks_linux must be true or false".into()),
                        (k, _) if IGNORED_EXPERIMENTAL_KEYS.contains(&k) => {}
                        _ => return Err(format!("unknown key experimental.{k}")),
                    }
                }
            }
            "internal_proxy" => {
                for (k, v) in object(value, "internal_proxy")? {
                    match k.as_str() {
                        "idle_timeout" => s.idle_timeout_s = number(v, "internal_proxy.idle_timeout")?,
                        "start_idle_timeout" => s.start_idle_timeout_s = number(v, "internal_proxy.start_idle_timeout")?,
                        // The lab's intproxy logs its events to MIRRORD_LAB_EVENTS instead.
                        "log_level" | "log_destination" if matches!(v, Json::String(_)) => {}
                        "log_level" | "log_destination" => return Err(format!("internal_proxy.{k} must be a string")),
                        _ => return Err(format!("unknown key internal_proxy.{k}")),
                    }
                }
            }
            "lab" => {
                for (k, v) in object(value, "lab")? {
                    match (k.as_str(), v) {
                        ("cluster_domain", Json::String(d)) => s.cluster_domain = d.trim_matches('.').to_string(),
                        ("services", Json::Object(m)) => {
                            for (name, ip) in m {
                                let Json::String(ip) = ip else { return Err(format!("lab.services.{name} must be an IPv4 string")) };
                                let parsed: std::net::Ipv4Addr = ip.parse().map_err(|_| format!("lab.services.{name}: {ip:?} is not an IPv4 address"))?;
                                if u32::from(parsed) & 0xfff0_0000 != 0x0a60_0000 {
                                    return Err(format!("lab.services.{name}: {ip} is outside the ClusterIP range 10.96.0.0/12"));
                                }
                                s.services.insert(name.to_ascii_lowercase(), ip.clone());
                            }
                        }
                        _ => return Err(format!("unknown or mistyped key lab.{k}")),
                    }
                }
            }
            k if IGNORED_MIRRORD_KEYS.contains(&k) => {}
            _ => return Err(format!("unknown key {key}")),
        }
    }
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_known_keys() {
        let s = parse(r#"{"experimental":{"enable_exec_hooks_linux":false},"internal_proxy":{"idle_timeout":0.2},"lab":{"services":{"x.ns.svc.cluster.local":"10.96.1.2"}}}"#).unwrap();
        assert_eq!(s.enable_exec_hooks_linux, Some(false));
        assert_eq!(s.idle_timeout_s, 0.2);
        assert_eq!(s.services["x.ns.svc.cluster.local"], "10.96.1.2");
    }

    #[test]
    fn accepts_and_ignores_mirrords_other_keys() {
        // The minimal targetless file of shared/real-mirrord.md §4, plus the rest of mirrord's top level.
        let s = parse(
            r#"{"operator":false,"telemetry":false,"feature":{"network":{"incoming":"off","dns":true,"outgoing":true}},
                "internal_proxy":{"log_destination":"/tmp/ip.log","log_level":"mirrord=trace","idle_timeout":5,"start_idle_timeout":60},
                "agent":{"image":"x"},"target":null,"kubeconfig":"/k","kube_context":"c","connect_tcp":"10.0.0.1:61337",
                "accept_invalid_certificates":true,"skip_processes":["a"],"sip_binaries":"b","pause":false,"skip_build_tools":true,
                "use_proxy":true,"experimental":{"readlink":true,"tcp_ping4_mock":true,"trust_any_certificate":false}}"#,
        )
        .unwrap();
        assert_eq!((s.idle_timeout_s, s.start_idle_timeout_s), (5.0, 60.0));
        assert_eq!(s.enable_exec_hooks_linux, None);
        assert_eq!(IGNORED_MIRRORD_KEYS.len() + ["experimental", "internal_proxy", "lab"].len(), 17);
    }

    #[test]
    fn rejects_unknown_and_mistyped() {
        assert_eq!(parse(r#"{"bogus":{}}"#).unwrap_err(), "unknown key bogus");
        assert_eq!(parse(r#"{"experimental":{"bogus":true}}"#).unwrap_err(), "unknown key experimental.bogus");
        assert_eq!(parse(r#"{"internal_proxy":{"log_level":3}}"#).unwrap_err(), "internal_proxy.log_level must be a string");
        assert!(parse(r#"{"lab":{"services":{"a":"192.168.1.1"}}}"#).unwrap_err().contains("outside"));
        assert!(parse(r#"{"internal_proxy":{"idle_timeout":"5"}}"#).is_err());
    }
}
