//! `mirrord-lab`: the lab's CLI, shaped like `mirrord` (`exec`, and the hidden `intproxy`). A
//! published copy is stamped with the release it stands for (lab/stamp).

mod config;
mod events;
mod exec;
mod intproxy;
mod json;

/// A mistake in how the lab was called: one line, exit 2.
pub struct UsageError(pub String);

pub enum Failure {
    Usage(String),
    Runtime(String),
    /// `exec`'s command could not be started (the exec itself failed).
    CannotExecute { command: String, error: std::io::Error },
}

impl From<UsageError> for Failure {
    fn from(e: UsageError) -> Self {
        Failure::Usage(e.0)
    }
}

const HELP: &str = "\
mirrord-lab: a miniature of mirrord that reproduces the 3.112.0 exec-hook regression offline.

Usage:
  mirrord-lab exec [--profile P] [--strategy S] [-f config.json] -- CMD [ARGS...]
  mirrord-lab --version

Run `mirrord-lab exec --help` for the options.
";

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("exec") => match exec::parse_args(&args[1..]) {
            Ok(None) => {
                print!("{}", exec::HELP);
                Ok(())
            }
            Ok(Some(exec_args)) => exec::run(exec_args).map(|_| ()),
            Err(e) => Err(e.into()),
        },
        Some("intproxy") => std::process::exit(intproxy::main()),
        Some("--version" | "-V") => {
            match stamp::get("version") {
                // A published release says what it is, as `mirrord --version` does.
                Some(version) => println!("mirrord {version} (mirrord-lab {})", env!("CARGO_PKG_VERSION")),
                None => println!(
                    "mirrord-lab {} (mirrors mirrord {}; strategies {})",
                    env!("CARGO_PKG_VERSION"),
                    exec::PROFILES.join(", "),
                    exec::STRATEGIES.join(", ")
                ),
            }
            Ok(())
        }
        Some("-h" | "--help") | None => {
            print!("{HELP}");
            Ok(())
        }
        Some(other) => Err(Failure::Usage(format!("unknown command {other:?} (see `mirrord-lab --help`)"))),
    };
    match result {
        Ok(()) => {}
        Err(Failure::Usage(msg)) => {
            eprintln!("mirrord-lab: {msg}");
            std::process::exit(2);
        }
        Err(Failure::Runtime(msg)) => {
            eprintln!("mirrord-lab: {msg}");
            std::process::exit(1);
        }
        Err(Failure::CannotExecute { command, error }) => {
            // `{:?}` quotes the command and escapes a newline in it: always one line.
            eprintln!("mirrord-lab: cannot execute {command:?}: {error}");
            std::process::exit(exec::exit_code_for(&error));
        }
    }
}
