//! Replays Nomad task events (JSON Lines) through the validated lifecycle and prints the
//! allocation as Nomad's JSON.
//!
//! ```text
//! cargo run --release --example replay -- FILE     # or `-` for stdin
//! cargo run --release --example replay             # the built-in redis scenario
//! ```
//!
//! See [`USAGE`] (`--help`) for the input format, the output and the exit status.

mod engine;

use std::io::{ErrorKind, Read, Write};
use std::process::ExitCode;

/// The seed document's redis task, taken through a failure and a restart.
const BUILT_IN: &str = r#"# redis, as in the seed document, then a crash and a restart
{"Task": "redis", "Type": "Received", "Time": 1447806038427841000}
{"Task": "redis", "Type": "Task Setup", "Time": 1447806038428000000, "Message": "Building Task Directory"}
{"Task": "redis", "Type": "Started", "Time": 1447806038500000000}
{"Task": "redis", "Type": "Terminated", "Time": 1447806098500000000, "ExitCode": 1, "Message": "exit status 1"}
{"Task": "redis", "Type": "Restarting", "Time": 1447806098500100000, "StartDelay": 15302026290, "RestartReason": "Restart within policy"}
{"Task": "redis", "Type": "Started", "Time": 1447806113802200000}
"#;

const USAGE: &str = r#"Replays Nomad task events through allocstate's validated lifecycle and prints
the allocation as Nomad's JSON.

Usage: replay [FILE | -]
       replay --help

  FILE   a JSON Lines file of events; `-` reads standard input; with no argument,
         a built-in scenario (the seed document's redis task) is replayed

Each line is one of:
  {"Task": "web", "Type": "Terminated", "Time": 1700000003000000000, "ExitCode": 1}
      a task event in Nomad's field names; without "Task" it belongs to `task`
  {"Task": "web", "Finish": 1700000004000000000}
      the run loop's eventless exit; without "Task" it applies to the only task
      seen so far, and is refused when there are several
Blank lines and `#` comments are skipped.

Stdout: {"ClientStatus", "ClientDescription", "TaskStates": {name: state}}.
Stderr: `line N: <reason>` for each refused line (the replay goes on), then one
summary line: tasks, events accepted, lines refused, final client status.
Exit status: 0 every line accepted, 1 some line refused, 2 unreadable input or a
bad argument."#;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let arg = args.next();
    if matches!(arg.as_deref(), Some("-h" | "--help")) {
        return match print(USAGE) {
            Ok(()) => ExitCode::SUCCESS,
            Err(code) => code,
        };
    }
    if let Some(option) = arg.as_deref().filter(|a| a.starts_with('-') && *a != "-") {
        eprintln!("replay: unknown option `{option}`; see `replay --help`");
        return ExitCode::from(2);
    }
    if let Some(extra) = args.next() {
        eprintln!("replay: one input at most (also got `{extra}`); see `replay --help`");
        return ExitCode::from(2);
    }
    let input = match arg.as_deref() {
        None => {
            eprintln!("replay: no input given; replaying the built-in redis scenario");
            Ok(BUILT_IN.to_string())
        }
        Some("-") => {
            let mut text = String::new();
            std::io::stdin().read_to_string(&mut text).map(|_| text)
        }
        Some(path) => std::fs::read_to_string(path),
    };
    let input = match input {
        Ok(input) => input,
        Err(e) => {
            eprintln!("replay: cannot read input: {e}");
            return ExitCode::from(2);
        }
    };
    let mut replay = engine::Replay::new();
    replay.run(&input, |line| eprintln!("{line}"));
    let printed = serde_json::to_string_pretty(&replay.output())
        .map_err(|e| e.to_string())
        .map(|text| print(&text));
    eprintln!("{}", replay.summary());
    match printed {
        Ok(Ok(())) => {}
        Ok(Err(code)) => return code,
        Err(e) => {
            eprintln!("replay: cannot write output: {e}");
            return ExitCode::from(2);
        }
    }
    if replay.refused == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// Writes `text` and a newline to stdout. A reader that closed the pipe early (`| head`)
/// is not an error; any other failure is exit status 2.
fn print(text: &str) -> Result<(), ExitCode> {
    match writeln!(std::io::stdout().lock(), "{text}") {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == ErrorKind::BrokenPipe => Ok(()),
        Err(e) => {
            eprintln!("replay: cannot write output: {e}");
            Err(ExitCode::from(2))
        }
    }
}
