//! Simulates an allocation through the runner: the harness plays the runtime (driver,
//! clock, agent restarts) and prints what happened as one JSON document.
//!
//! ```text
//! cargo run --release --example simulate -- FILE.json
//! cargo run --release --example simulate            # the built-in seed scenario
//! ```
//!
//! FILE is one JSON object: `Job` (Nomad's job JSON: `Type`, `TaskGroups` with one
//! group: `Name`, `RestartPolicy`, `ShutdownDelay`, `Tasks` with `Name`, `Leader`,
//! `Lifecycle`, `RestartPolicy`, `KillTimeout`, `KillSignal`, `ShutdownDelay`,
//! `Artifacts`; durations in ns; unknown fields ignored), `Start` (unix ns), `Runs` (per
//! task, what its successive starts do, the last repeating) and `Requests` (stop/evict,
//! restart, signal, agent restart, each `At` ns after the start). Stdout: `Timeline`,
//! `History` (per task, every event type, oldest first) and `Allocation` (Nomad's JSON).
//! A task missing from an agent restart's `Reattach` reattaches. A refused request
//! appears in the `Timeline` as `{"Time", "Refused": "<the request>", "Reason"}`.
//! Malformed input: a message naming the field on stderr, exit status 2.

mod engine;
// `Lines` serves the firmware's run of the same loop (ci/qemu-firmware).
#[allow(dead_code)]
mod play;
mod scenario;
// `Digest` is the firmware's form of a scenario.
#[allow(dead_code)]
mod script;

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

fn main() -> ExitCode {
    let input = match std::env::args().nth(1) {
        None => {
            eprintln!(
                "simulate: no scenario given; running the built-in one (the seed document's job: \
                 group cache, task redis, Attempts 10, Interval 5m, Delay 25s; redis crashes three \
                 times, is restarted by the policy, and the allocation is stopped at 10m)"
            );
            BUILT_IN.to_string()
        }
        Some(path) => match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) => {
                eprintln!("simulate: cannot read {path}: {e}");
                return ExitCode::from(2);
            }
        },
    };
    match simulate(&input) {
        Ok(output) => {
            println!("{output}");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("simulate: {message}");
            ExitCode::from(2)
        }
    }
}

/// Reads a scenario, runs it, and returns the output document as pretty JSON.
fn simulate(input: &str) -> Result<String, String> {
    let scenario = scenario::parse(input)?;
    let mut simulation = engine::Simulation::new(&scenario)?;
    simulation.run().map_err(|e| e.to_string())?;
    serde_json::to_string_pretty(&simulation.output()).map_err(|e| e.to_string())
}
