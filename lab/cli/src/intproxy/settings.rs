//! The intproxy's settings: `MIRRORD_CONFIG_FILE` (the file the harness also gives real mirrord),
//! then the `MIRRORD_LAB_*` variables, which win (that is how `exec` passes what it parsed).

use crate::config;
use std::collections::BTreeMap;
use std::time::Duration;

pub struct IntproxySettings {
    pub idle_timeout: Duration,
    pub start_idle_timeout: Duration,
    /// Cluster services beyond the built-in ones, name -> ClusterIP (builtin upstream only).
    pub services: BTreeMap<String, String>,
}

pub fn load() -> Result<IntproxySettings, String> {
    resolve(std::env::var_os("MIRRORD_CONFIG_FILE").map(Into::into), |k| std::env::var(k).ok())
}

fn seconds(name: &str, value: &str) -> Result<Duration, String> {
    value
        .parse::<f64>()
        .ok()
        .filter(|s| s.is_finite() && *s >= 0.0)
        .map(Duration::from_secs_f64)
        .ok_or_else(|| format!("{name}={value:?} is not a non-negative number of seconds"))
}

fn resolve(file: Option<std::path::PathBuf>, env: impl Fn(&str) -> Option<String>) -> Result<IntproxySettings, String> {
    let file = match file {
        Some(path) => config::load(&path)?,
        None => config::Settings::default(),
    };
    let mut out = IntproxySettings {
        idle_timeout: Duration::from_secs_f64(file.idle_timeout_s),
        start_idle_timeout: Duration::from_secs_f64(file.start_idle_timeout_s),
        services: file.services,
    };
    if let Some(v) = env("MIRRORD_LAB_IDLE_TIMEOUT") {
        out.idle_timeout = seconds("MIRRORD_LAB_IDLE_TIMEOUT", &v)?;
    }
    if let Some(v) = env("MIRRORD_LAB_START_IDLE_TIMEOUT") {
        out.start_idle_timeout = seconds("MIRRORD_LAB_START_IDLE_TIMEOUT", &v)?;
    }
    for pair in env("MIRRORD_LAB_SERVICES").unwrap_or_default().split(',').filter(|p| !p.is_empty()) {
        let (name, ip) = pair.split_once('=').ok_or_else(|| format!("MIRRORD_LAB_SERVICES: {pair:?} is not name=ip"))?;
        out.services.insert(name.to_ascii_lowercase(), ip.to_string());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_wins_over_the_file() {
        let dir = std::env::temp_dir().join(format!("lab-settings-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("mirrord.json");
        std::fs::write(&path, r#"{"operator":false,"internal_proxy":{"idle_timeout":7,"start_idle_timeout":9},"lab":{"services":{"x.ns.svc.cluster.local":"10.96.1.2"}}}"#).unwrap();
        let none = |_: &str| None;
        let s = resolve(Some(path.clone()), none).unwrap();
        assert_eq!((s.idle_timeout, s.start_idle_timeout), (Duration::from_secs(7), Duration::from_secs(9)));
        assert_eq!(s.services["x.ns.svc.cluster.local"], "10.96.1.2");
        let env = |k: &str| match k {
            "MIRRORD_LAB_IDLE_TIMEOUT" => Some("0.5".to_string()),
            "MIRRORD_LAB_SERVICES" => Some("y.ns.svc.cluster.local=10.96.1.3".to_string()),
            _ => None,
        };
        let s = resolve(Some(path.clone()), env).unwrap();
        assert_eq!((s.idle_timeout, s.start_idle_timeout), (Duration::from_millis(500), Duration::from_secs(9)));
        assert_eq!(s.services.len(), 2);
        assert!(resolve(None, |k| (k == "MIRRORD_LAB_IDLE_TIMEOUT").then(|| "soon".to_string())).is_err());
        std::fs::write(&path, r#"{"bogus":1}"#).unwrap();
        assert!(resolve(Some(path.clone()), none).err().unwrap().ends_with("unknown key bogus"));
        let defaults = resolve(None, none).unwrap();
        assert_eq!((defaults.idle_timeout, defaults.start_idle_timeout), (Duration::from_secs(1), Duration::from_secs(60)));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
