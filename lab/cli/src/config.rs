//! The lab's config file (`-f config.json`): a small subset of mirrord's keys plus a `lab`
//! section. Unknown keys are errors, as in mirrord's config.

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
                        _ => return Err(format!("unknown key experimental.{k}")),
                    }
                }
            }
            "internal_proxy" => {
                for (k, v) in object(value, "internal_proxy")? {
                    match k.as_str() {
                        "idle_timeout" => s.idle_timeout_s = number(v, "internal_proxy.idle_timeout")?,
                        "start_idle_timeout" => s.start_idle_timeout_s = number(v, "internal_proxy.start_idle_timeout")?,
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
    fn rejects_unknown_and_mistyped() {
        assert_eq!(parse(r#"{"feature":{}}"#).unwrap_err(), "unknown key feature");
        assert!(parse(r#"{"lab":{"services":{"a":"192.168.1.1"}}}"#).unwrap_err().contains("outside"));
        assert!(parse(r#"{"internal_proxy":{"idle_timeout":"5"}}"#).is_err());
    }
}
