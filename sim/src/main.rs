//! Simulates an allocation through the runner: the harness plays the runtime (driver,
//! clock, agent restarts) and prints what happened as one JSON document.
//!
//! ```text
//! cargo run --release -p allocstate-sim -- FILE.json
//! cargo run --release -p allocstate-sim            # the built-in seed scenario
//! ```
//!
//! FILE is one JSON object; `-h` or `--help` prints its format ([`HELP`]); the format is
//! also described in `sim/README.md`. Stdout: `Timeline`,
//! `History` (per task, every event type, oldest first) and `Allocation` (Nomad's JSON).
//! Malformed input: a message naming the field on stderr, exit status 2.

use std::process::ExitCode;

/// The seed document's job: group `cache`, task `redis` (docker), restart policy of
/// 10 attempts in 5m with a 25s delay. redis crashes three times a minute after each
/// start, is restarted by the policy, then runs until the allocation is stopped.
const BUILT_IN: &str = r#"{
  "Job": {
    "ID": "example",
    "Type": "service",
    "TaskGroups": [{
      "Name": "cache",
      "RestartPolicy": {"Delay": 2.5e+10, "Interval": 3e+11, "Attempts": 10},
      "Tasks": [{"Name": "redis", "Driver": "docker", "KillTimeout": 5000000000}]
    }]
  },
  "Start": 1447806038427841000,
  "Runs": {
    "redis": [
      {"Exit": 1, "After": 60000000000},
      {"Exit": 1, "After": 60000000000},
      {"Exit": 137, "After": 60000000000, "Signal": 9, "OOMKilled": true},
      {"UntilStopped": true, "StopTakes": 2000000000}
    ]
  },
  "Requests": [{"At": 600000000000, "Desired": "stop"}]
}"#;

/// The input format, as `--help` prints it.
const HELP: &str = r#"usage: simulate [FILE.json | -h | --help]

Plays the runtime around the allocation runner (driver, clock, agent restarts) and
prints one JSON document: "Timeline" (events, commands, client status changes and
refused requests, in time order), "History" (per task, every event Type, oldest
first) and "Allocation" (Nomad's allocation JSON). Without FILE it runs the seed
document's job (group cache, task redis). FILE is one JSON object:

  "Job": {"Type": "service"|"batch"|"system"|"sysbatch", "MaxRunDuration": NS,
          "TaskGroups": [{"Name", "RestartPolicy": {"Attempts", "Interval", "Delay",
          "Mode"}, "ShutdownDelay", "MaxRunDuration", "Tasks": [{"Name", "Leader",
          "Lifecycle": {"Hook", "Sidecar"}, "RestartPolicy", "KillTimeout",
          "KillSignal", "ShutdownDelay", "Artifacts"}]}]}
      Nomad's job JSON names, durations in ns, unknown fields ignored; one group.
      MaxRunDuration (group, else job) applies to batch and sysbatch jobs.
  "Start": NS                     unix ns when the allocation arrives
  "Desired": "stop"|"evict"       optional: already stopped when it arrives
  "SetupFailure": "TEXT"          optional: an alloc prerun hook fails first
  "Runs": {"TASK": [RUN, ...]}    what each start does; the last entry repeats;
                                  a task without an entry runs until stopped
      {"Exit": CODE, "After": NS, "Signal": N, "OOMKilled": BOOL}
      {"UntilStopped": true, "StopTakes": NS}
      {"StartError": "TEXT", "Recoverable": BOOL}     Driver Failure
      {"PrestartError": "TEXT", "Recoverable": BOOL}  Task hook failed
      {"ArtifactError": "TEXT"}                       Failed Artifact Download
      {"HookKill": "TEXT"}          a prestart hook (Vault) kills it: Killing, failed
      {"StartTakes": NS, "StopTakes": NS}  the start is acknowledged NS later
      {"ExitBeforeAck": CODE}       the exit is reported before the start's ack
      {"SurvivesKill": true}        ignores its stop, survives the force-kill
      any RUN may add "Blocks": NS | true (its prestart work blocks NS, or until
      stopped: a Vault token, a template's data) and "Template": "TEXT" (the
      template hook records Template with TEXT while it blocks); a RUN of only
      "Blocks" then runs until stopped
  "Requests": [REQUEST, ...]      each "At": NS after Start
      {"At", "Desired": "stop"|"evict", "NoShutdownDelay": BOOL}
      {"At", "Restart": "TASK"|"running"|"all", "Failure": BOOL}
      {"At", "Signal": "TASK", "Name": "SIGHUP"}
      {"At", "AgentRestart": true, "Reattach": {"TASK": BOOL}, "Desired": "stop"}
      {"At", "Reconnect": true}     the client reconnects: Reconnected on every task
      {"At", "UpdateDrops": "TASK"} an allocation update no longer has the task
      {"At", "WallStep": NS}        the wall clock steps by NS (event times only)

A refused request appears in the Timeline as {"Time", "Refused", "Reason"}.
Refused before anything runs, with a message naming the field on stderr and exit
status 2: malformed JSON or a field of the wrong type, an unknown top-level field
("Source" and "Expect" are allowed: the scenario files' comments and expectations),
a negative After, StopTakes, Blocks or At, a task in Runs or Requests that the job
does not have."#;

fn main() -> ExitCode {
    match run(std::env::args().nth(1).as_deref()) {
        Ok(output) => emit(&output),
        Err(message) => {
            eprintln!("simulate: {message}");
            ExitCode::from(2)
        }
    }
}

/// What the command prints for its argument: the help, or the simulation's document. An
/// error (unreadable file, refused input) is exit status 2.
fn run(arg: Option<&str>) -> Result<String, String> {
    match arg {
        Some("-h" | "--help") => Ok(HELP.to_string()),
        None => {
            eprintln!(
                "simulate: no scenario given; running the built-in one (the seed document's job: \
                 group cache, task redis, Attempts 10, Interval 5m, Delay 25s; redis crashes three \
                 times, is restarted by the policy, and the allocation is stopped at 10m)"
            );
            simulate(BUILT_IN)
        }
        Some(path) => {
            let text =
                std::fs::read_to_string(path).map_err(|e| format!("cannot read {path}: {e}"))?;
            simulate(&text)
        }
    }
}

/// Writes `text` and a newline to stdout. A reader that stops early (`| head`) is not
/// an error of the simulation; any other write error is reported, exit status 1.
fn emit(text: &str) -> ExitCode {
    use std::io::Write;
    match writeln!(std::io::stdout().lock(), "{text}") {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("simulate: cannot write the output: {e}");
            ExitCode::from(1)
        }
    }
}

/// Reads a scenario, runs it, and returns the output document as pretty JSON.
fn simulate(input: &str) -> Result<String, String> {
    let output = allocstate_sim::simulate(input)?;
    serde_json::to_string_pretty(&output).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A one-task job (`a`) with the given top-level fields after `Job` and `Start`.
    fn with(rest: &str) -> String {
        format!(
            r#"{{"Job": {{"TaskGroups": [{{"Tasks": [{{"Name": "a"}}]}}]}}, "Start": 0{rest}}}"#
        )
    }

    #[test]
    fn dash_h_prints_the_help_as_dash_dash_help_does() {
        assert_eq!(run(Some("-h")), Ok(HELP.to_string()));
        assert_eq!(run(Some("--help")), Ok(HELP.to_string()));
    }

    #[test]
    fn input_that_makes_no_sense_is_refused_naming_the_field() {
        let cases = [
            (
                with(r#", "Runs": {"a": [{"Exit": 0, "After": -1}]}"#),
                "Runs.a[0].After",
            ),
            (
                with(r#", "Runs": {"a": [{"UntilStopped": true, "StopTakes": -5}]}"#),
                "Runs.a[0].StopTakes",
            ),
            (
                with(r#", "Runs": {"a": [{"Blocks": -1}]}"#),
                "Runs.a[0].Blocks",
            ),
            (
                with(r#", "Requests": [{"At": -1, "Desired": "stop"}]"#),
                "Requests[0].At",
            ),
            (
                with(r#", "Requets": [{"At": 1, "Desired": "stop"}]"#),
                "input.Requets",
            ),
            (
                with(r#", "Requests": [{"At": 1, "Restart": "b"}]"#),
                "Requests[0].Restart",
            ),
            (
                with(r#", "Requests": [{"At": 1, "Signal": "b", "Name": "SIGHUP"}]"#),
                "Requests[0].Signal",
            ),
            (
                with(r#", "Requests": [{"At": 1, "UpdateDrops": "b"}]"#),
                "Requests[0].UpdateDrops",
            ),
            (
                with(r#", "Requests": [{"At": 1, "AgentRestart": true, "Reattach": {"b": true}}]"#),
                "Requests[0].Reattach.b",
            ),
            (
                with(r#", "Runs": {"b": [{"Exit": 0, "After": 1}]}"#),
                "Runs.b",
            ),
        ];
        for (input, field) in cases {
            let error = simulate(&input).expect_err(&input);
            assert!(error.starts_with(field), "{input}: {error}");
        }
    }

    #[test]
    fn zero_times_and_the_group_wide_restart_targets_are_accepted() {
        let input = with(
            r#", "Runs": {"a": [{"Exit": 0, "After": 0}, {"UntilStopped": true, "StopTakes": 0}]},
            "Requests": [{"At": 0, "Restart": "running"}, {"At": 5, "Restart": "all"},
                         {"At": 9, "Desired": "stop"}],
            "Source": "a comment", "Expect": {}"#,
        );
        simulate(&input).expect("a valid scenario");
    }

    #[test]
    fn a_refused_file_is_an_error_and_so_exit_status_2() {
        let path = std::env::temp_dir().join(format!("simulate-typo-{}.json", std::process::id()));
        std::fs::write(&path, with(r#", "Requets": []"#)).unwrap();
        let result = run(path.to_str());
        std::fs::remove_file(&path).unwrap();
        let error = result.expect_err("refused");
        assert!(error.starts_with("input.Requets: unknown field"), "{error}");
        let missing = run(Some("/nonexistent/simulate.json")).expect_err("unreadable");
        assert!(
            missing.starts_with("cannot read /nonexistent/simulate.json"),
            "{missing}"
        );
    }
}
