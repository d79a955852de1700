//! Replays Nomad task events (JSON Lines) through the validated lifecycle and prints the
//! allocation as Nomad's JSON.
//!
//! ```text
//! cargo run --release --example replay -- FILE     # or `-` for stdin
//! cargo run --release --example replay             # the built-in redis scenario
//! ```
//!
//! A line with a `Type` is one task event (Nomad's field names), with an optional
//! `"Task": "name"` (default `task`); `{"Finish": TIME}` is the eventless run-loop exit;
//! blank lines and `#` comments are skipped. Refused lines are reported on stderr as
//! `line N: <reason>`. Exit status: 0 all accepted, 1 some refused, 2 unreadable input.

mod engine;

use std::io::Read;
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

fn main() -> ExitCode {
    let arg = std::env::args().nth(1);
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
    match serde_json::to_string_pretty(&replay.output()) {
        Ok(text) => println!("{text}"),
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
