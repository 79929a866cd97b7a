//! `mirrord-lab exec`: start the intproxy (on the built-in cluster), read its port, preload the
//! layer with `MIRRORD_CONNECT_TCP=127.0.0.1:<port>` and replace this process with the command
//! (like `mirrord exec`, which `execvp`s into the app). The layer is `LD_PRELOAD`ed on Linux and
//! inserted with `DYLD_INSERT_LIBRARIES` on macOS, as mirrord does.
//!
//! A command that cannot be started is reported the way a shell does (one line, exit 127 when
//! it is not found, 126 otherwise), with an `exec_failed` event, and its intproxy is stopped first.

use crate::config::{self, Settings};
use crate::events::{json_str, Events};
use crate::UsageError;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const PROFILES: [&str; 3] = ["3.111.0", "3.112.0", "3.112.1"];
pub const STRATEGIES: [&str; 3] = ["none", "normal", "forget"];
/// The profile `exec` uses when none is given: the newest release the lab mirrors.
pub const DEFAULT_PROFILE: &str = "3.112.1";
/// What 3.112.0 shipped: `let _guard = DetourGuard::new();`.
pub const DEFAULT_STRATEGY: &str = "normal";
/// The variable that loads the layer into the command, and the layer's file beside this binary.
pub const PRELOAD_VAR: &str = if cfg!(target_os = "macos") { "DYLD_INSERT_LIBRARIES" } else { "LD_PRELOAD" };
pub const LAYER_FILE: &str = if cfg!(target_os = "macos") { "libmirrord_layer.dylib" } else { "libmirrord_layer.so" };

pub const HELP: &str = "\
Usage: mirrord-lab exec [OPTIONS] [--] CMD [ARGS...]

Run CMD with the lab's layer preloaded, as `mirrord exec` would, then replace this process with it.

Options:
  --profile P          mirrord release to behave like: 3.111.0, 3.112.0, 3.112.1 (default 3.112.1)
  --strategy S         guard in the 3.112.0 exec hook: none, normal, forget (default normal; 3.112.0 only)
  -f, --config-file F  JSON config: experimental.enable_exec_hooks_linux (3.112.1 only),
                       internal_proxy.idle_timeout / start_idle_timeout (seconds),
                       lab.cluster_domain, lab.services {name: ClusterIP}; mirrord's other
                       keys are accepted and ignored, so one file serves both
  -h, --help           show this help

Environment:
  MIRRORD_LAB_EVENTS   JSON-lines file that the layer, the intproxy and this CLI append their evidence to

Exit status: the command's own once it runs; 127 when it cannot be found, 126 when it cannot be
executed (as a shell); 2 for a usage error; 1 when the lab itself fails.
";

pub struct ExecArgs {
    pub profile: String,
    pub strategy: Option<String>,
    pub config_file: Option<PathBuf>,
    pub command: Vec<String>,
}

pub fn parse_args(args: &[String]) -> Result<Option<ExecArgs>, UsageError> {
    let mut out = ExecArgs { profile: DEFAULT_PROFILE.into(), strategy: None, config_file: None, command: vec![] };
    let mut i = 0;
    while i < args.len() {
        let arg = &args[i];
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f, Some(v.to_string())),
            _ => (arg.as_str(), None),
        };
        let mut value = |name: &str| -> Result<String, UsageError> {
            if let Some(v) = inline.clone() {
                return Ok(v);
            }
            i += 1;
            args.get(i).cloned().ok_or_else(|| UsageError(format!("{name} needs a value")))
        };
        match flag {
            "-h" | "--help" => return Ok(None),
            "--profile" => out.profile = value("--profile")?,
            "--strategy" => out.strategy = Some(value("--strategy")?),
            "-f" | "--config-file" => out.config_file = Some(value("--config-file")?.into()),
            "--" => {
                out.command = args[i + 1..].to_vec();
                break;
            }
            f if f.starts_with('-') => return Err(UsageError(format!("unknown option {f} (see `mirrord-lab exec --help`)"))),
            _ => {
                out.command = args[i..].to_vec();
                break;
            }
        }
        i += 1;
    }
    if !PROFILES.contains(&out.profile.as_str()) {
        return Err(UsageError(format!("unknown profile {:?}; choose one of {}", out.profile, PROFILES.join(", "))));
    }
    if let Some(s) = &out.strategy {
        if !STRATEGIES.contains(&s.as_str()) {
            return Err(UsageError(format!("unknown strategy {s:?}; choose one of {}", STRATEGIES.join(", "))));
        }
        if out.profile != "3.112.0" {
            return Err(UsageError(format!(
                "--strategy applies to profile 3.112.0 only: {} has no guard in its exec hook",
                out.profile
            )));
        }
    }
    if out.command.is_empty() {
        return Err(UsageError("no command given: mirrord-lab exec [OPTIONS] -- CMD [ARGS...]".into()));
    }
    Ok(Some(out))
}

fn load_settings(args: &ExecArgs) -> Result<Settings, UsageError> {
    let Some(path) = &args.config_file else { return Ok(Settings::default()) };
    let settings = config::load(path).map_err(UsageError)?;
    if settings.enable_exec_hooks_linux.is_some() && args.profile != "3.112.1" {
        return Err(UsageError(format!(
            "config {}: experimental.enable_exec_hooks_linux does not exist in {} (added in 3.112.1)",
            path.display(),
            args.profile
        )));
    }
    Ok(settings)
}

/// Reads what the intproxy prints once it listens (mirrord 3.112.x: a bare port, then an empty line).
fn read_port(stdout: impl std::io::Read) -> Option<u16> {
    let mut lines = BufReader::new(stdout).lines();
    let port = lines.next()?.ok()?.trim().parse().ok()?;
    matches!(lines.next(), Some(Ok(empty)) if empty.is_empty()).then_some(port)
}

/// Runs `exec`; returns only on failure (on success this process becomes the command).
pub fn run(args: ExecArgs) -> Result<std::convert::Infallible, crate::Failure> {
    let settings = load_settings(&args)?;
    let exe = std::env::current_exe().map_err(|e| crate::Failure::Runtime(format!("cannot find own executable: {e}")))?;
    let layer = exe.with_file_name(LAYER_FILE);
    if !layer.is_file() {
        return Err(crate::Failure::Runtime(format!(
            "layer not found at {}; build the lab with `cargo build --release` in lab/",
            layer.display()
        )));
    }
    let services: Vec<String> = settings.services.iter().map(|(n, ip)| format!("{n}={ip}")).collect();
    // No MIRRORD_CONNECT_TCP: the intproxy serves the built-in cluster. Everything from the config
    // file comes as MIRRORD_LAB_* variables, so it reads no file of its own.
    let mut intproxy = Command::new(&exe)
        .arg("intproxy")
        .env_remove(PRELOAD_VAR)
        .env_remove("MIRRORD_CONNECT_TCP")
        .env_remove("MIRRORD_CONFIG_FILE")
        .env("MIRRORD_LAB_IDLE_TIMEOUT", settings.idle_timeout_s.to_string())
        .env("MIRRORD_LAB_START_IDLE_TIMEOUT", settings.start_idle_timeout_s.to_string())
        .env("MIRRORD_LAB_SERVICES", services.join(","))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| crate::Failure::Runtime(format!("cannot start the intproxy: {e}")))?;
    let Some(port) = read_port(intproxy.stdout.take().expect("piped")) else {
        let _ = intproxy.kill();
        let _ = intproxy.wait();
        return Err(crate::Failure::Runtime("the intproxy exited before it was ready".into()));
    };

    let preload = match std::env::var(PRELOAD_VAR) {
        Ok(existing) if !existing.is_empty() => format!("{existing}:{}", layer.display()),
        _ => layer.display().to_string(),
    };
    let strategy = args.strategy.clone().unwrap_or_else(|| DEFAULT_STRATEGY.into());
    let mut command = Command::new(&args.command[0]);
    if cfg!(target_os = "macos") {
        // As mirrord's CLI on macOS (execution.rs): the Objective-C runtime must not kill the forked
        // children of an app that loaded it.
        command.env("OBJC_DISABLE_INITIALIZE_FORK_SAFETY", "YES");
    }
    let err = command
        .args(&args.command[1..])
        .env(PRELOAD_VAR, preload)
        .env("MIRRORD_CONNECT_TCP", format!("127.0.0.1:{port}"))
        .env("MIRRORD_LAB_PROFILE", &args.profile)
        .env("MIRRORD_LAB_STRATEGY", strategy)
        .env("MIRRORD_LAB_ENABLE_EXEC_HOOKS_LINUX", settings.enable_exec_hooks_linux.unwrap_or(true).to_string())
        .env("MIRRORD_LAB_CLUSTER_DOMAIN", &settings.cluster_domain)
        .exec();
    // Still here: the command could not be started.
    let errno = err.raw_os_error().unwrap_or(0);
    let text = err.to_string();
    let reason = text.strip_suffix(&format!(" (os error {errno})")).unwrap_or(&text);
    Events::open_from_env("cli").emit(
        "exec_failed",
        &format!(",\"path\":{},\"error\":{},\"errno\":{errno}", json_str(&args.command[0]), json_str(reason)),
    );
    stop_intproxy(&mut intproxy, port);
    Err(crate::Failure::CannotExecute { command: args.command[0].clone(), error: err })
}

/// How long `exec` waits for an aborted intproxy before killing it (it normally takes a few ms).
const ABORT_GRACE: Duration = Duration::from_secs(2);

/// Tells an intproxy no layer will come, so it exits now (with its `exit` event) rather than after
/// its start timeout (60 s by default); kills it if it does not.
fn stop_intproxy(intproxy: &mut Child, port: u16) {
    let asked = TcpStream::connect(("127.0.0.1", port)).and_then(|mut conn| {
        conn.write_all(b"ABORT exec_failed\n")?;
        let mut reply = String::new();
        BufReader::new(conn).read_line(&mut reply).map(|_| reply)
    });
    if asked.is_ok_and(|reply| reply.trim_end() == "OK") {
        let until = Instant::now() + ABORT_GRACE;
        while Instant::now() < until {
            if let Ok(Some(_)) = intproxy.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    }
    let _ = intproxy.kill();
    let _ = intproxy.wait();
}

/// What a shell exits with when it cannot run a command: 127 not found, 126 found but not runnable.
/// As bash: ENOTDIR counts as found-but-not-runnable (dash says 127 there).
pub fn exit_code_for(err: &std::io::Error) -> i32 {
    const ENOENT: i32 = 2;
    if err.raw_os_error() == Some(ENOENT) {
        127
    } else {
        126
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Error;

    #[test]
    fn reads_the_intproxys_port_line() {
        assert_eq!(read_port(&b"40123\n\n"[..]), Some(40123));
        assert_eq!(read_port(&b"40123\n"[..]), None, "no empty line: not mirrord 3.112's format");
        assert_eq!(read_port(&b"127.0.0.1:40123\n\n"[..]), None, "3.113's format");
        assert_eq!(read_port(&b""[..]), None);
    }

    #[test]
    fn exit_codes_are_a_shells() {
        assert_eq!(exit_code_for(&Error::from_raw_os_error(2)), 127); // ENOENT
        assert_eq!(exit_code_for(&Error::from_raw_os_error(13)), 126); // EACCES
        assert_eq!(exit_code_for(&Error::from_raw_os_error(8)), 126); // ENOEXEC
        assert_eq!(exit_code_for(&Error::from_raw_os_error(20)), 126); // ENOTDIR
    }
}
