//! `mirrord-agent [-l PORT] [-t SECS] targetless`, as mirrord's agent (agent/src/cli.rs): the
//! options come before the mode, and targetless is the only mode the lab has.

pub const USAGE: &str = "usage: mirrord-agent [-l PORT] [-t SECS] targetless";

pub const HELP: &str = "\
mirrord-agent: the mirrord lab's agent. It runs in the cluster's network, resolves names with its
own resolver and opens connections there, for the intproxy that connects to it.

Usage: mirrord-agent [OPTIONS] targetless

Options:
  -l, --communicate-port PORT       port to listen on, on 0.0.0.0 (default 61337)
  -t, --communication-timeout SECS  how long to wait for the first intproxy (default 30)
  -V, --version                     print the version
  -h, --help                        show this help

It exits 0 once the last intproxy has disconnected, 1 when none came within the timeout.
";

#[derive(Debug, PartialEq, Eq)]
pub struct Args {
    pub port: u16,
    pub timeout_s: u16,
}

#[derive(Debug, PartialEq, Eq)]
pub enum Command {
    Run(Args),
    Version,
    Help,
}

pub fn parse(args: &[String]) -> Result<Command, String> {
    let mut out = Args { port: 61337, timeout_s: 30 };
    let mut mode = None;
    let mut i = 0;
    while i < args.len() {
        let arg = args[i].as_str();
        if mode.is_some() {
            return Err(format!("unexpected argument {arg:?} after the mode ({USAGE})"));
        }
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f, Some(v.to_string())),
            _ => (arg, None),
        };
        let mut value = |name: &str| -> Result<String, String> {
            if let Some(v) = inline.clone() {
                return Ok(v);
            }
            i += 1;
            args.get(i).cloned().ok_or_else(|| format!("{name} needs a value ({USAGE})"))
        };
        match flag {
            "-h" | "--help" => return Ok(Command::Help),
            "-V" | "--version" => return Ok(Command::Version),
            "-l" | "--communicate-port" => {
                let v = value(flag)?;
                out.port = v.parse().map_err(|_| format!("{flag}: {v:?} is not a port number ({USAGE})"))?;
            }
            "-t" | "--communication-timeout" => {
                let v = value(flag)?;
                out.timeout_s = v.parse().map_err(|_| format!("{flag}: {v:?} is not a number of seconds ({USAGE})"))?;
            }
            "targetless" => mode = Some(()),
            "targeted" | "ephemeral" => return Err(format!("mode {arg:?} is not in the lab: only targetless ({USAGE})")),
            f if f.starts_with('-') => return Err(format!("unknown option {f} ({USAGE})")),
            _ => return Err(format!("unknown mode {arg:?} ({USAGE})")),
        }
        i += 1;
    }
    match mode {
        Some(()) => Ok(Command::Run(out)),
        None => Err(format!("no mode given ({USAGE})")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(args: &[&str]) -> Result<Command, String> {
        parse(&args.iter().map(|s| s.to_string()).collect::<Vec<_>>())
    }

    #[test]
    fn defaults_are_mirrords() {
        assert_eq!(p(&["targetless"]), Ok(Command::Run(Args { port: 61337, timeout_s: 30 })));
    }

    #[test]
    fn options_before_the_mode() {
        assert_eq!(p(&["-l", "61400", "-t", "5", "targetless"]), Ok(Command::Run(Args { port: 61400, timeout_s: 5 })));
        assert_eq!(
            p(&["--communicate-port=4000", "--communication-timeout", "0", "targetless"]),
            Ok(Command::Run(Args { port: 4000, timeout_s: 0 }))
        );
        assert_eq!(p(&["--version"]), Ok(Command::Version));
        assert_eq!(p(&["-h"]), Ok(Command::Help));
    }

    #[test]
    fn anything_else_is_refused() {
        for bad in [&[][..], &["-l", "70000", "targetless"], &["-l"], &["-t", "x", "targetless"], &["targetless", "-l", "1"], &["targeted"], &["-x", "targetless"], &["pod"]] {
            let err = p(bad).unwrap_err();
            assert!(err.contains(USAGE), "{bad:?}: {err}");
            assert!(!err.contains('\n'));
        }
    }
}
