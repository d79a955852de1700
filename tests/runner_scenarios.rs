//! The scenario files under `tests/runner_scenarios/` (Nomad's test sequences, reference
//! §7 and §1.8), run through the simulation harness of `examples/simulate`; each file's
//! `Expect` holds the per-task History, final state, Failed, Restarts and the client
//! status that Nomad's test asserts (or that follows from its code).
#![cfg(feature = "serde")]

#[path = "../examples/simulate/engine.rs"]
#[allow(dead_code)]
mod engine;
#[path = "../examples/simulate/play.rs"]
#[allow(dead_code)]
mod play;
#[path = "../examples/simulate/scenario.rs"]
#[allow(dead_code)]
mod scenario;
#[path = "../examples/simulate/script.rs"]
#[allow(dead_code)]
mod script;

use serde_json::Value;

fn simulate(text: &str) -> Value {
    let scenario = scenario::parse(text).expect("a valid scenario");
    let mut simulation = engine::Simulation::new(&scenario).expect("a valid group");
    simulation.run().expect("the harness holds the scenario");
    simulation.output()
}

fn check(path: &std::path::Path) -> Result<(), String> {
    let text = std::fs::read_to_string(path).unwrap();
    let input: Value = serde_json::from_str(&text).unwrap();
    let expect = &input["Expect"];
    let output = simulate(&text);
    let mut problems = Vec::new();
    if output["History"] != expect["History"] {
        problems.push(format!(
            "History\n  got:  {}\n  want: {}",
            output["History"], expect["History"]
        ));
    }
    let alloc = &output["Allocation"];
    if alloc["ClientStatus"] != expect["ClientStatus"] {
        problems.push(format!(
            "ClientStatus: got {}, want {}",
            alloc["ClientStatus"], expect["ClientStatus"]
        ));
    }
    for (task, want) in expect["Tasks"].as_object().unwrap() {
        let state = &alloc["TaskStates"][task];
        for field in ["State", "Failed", "Restarts"] {
            if state[field] != want[field] {
                problems.push(format!(
                    "{task}.{field}: got {}, want {}",
                    state[field], want[field]
                ));
            }
        }
    }
    let refusals = output["Timeline"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e.get("Refused").is_some())
        .count();
    let expects_refusal = path.to_string_lossy().contains("refused");
    if (refusals > 0) != expects_refusal {
        problems.push(format!(
            "{refusals} refused requests; a refusal expected: {expects_refusal}"
        ));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!("{}:\n{}", path.display(), problems.join("\n")))
    }
}

#[test]
fn every_scenario_file_gives_nomads_history_state_and_status() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/runner_scenarios");
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    paths.sort();
    assert!(paths.len() >= 40, "the reference's sequences are all here");
    let failures: Vec<String> = paths.iter().filter_map(|p| check(p).err()).collect();
    assert!(
        failures.is_empty(),
        "{} of {} scenarios differ:\n{}",
        failures.len(),
        paths.len(),
        failures.join("\n\n")
    );
}

#[test]
fn a_refused_restart_is_reported_in_the_timeline_and_changes_nothing() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/runner_scenarios");
    let text =
        std::fs::read_to_string(dir.join("lifecycle_restart_entire_allocation_refused.json"))
            .unwrap();
    let output = simulate(&text);
    let refused: Vec<&Value> = output["Timeline"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e.get("Refused").is_some())
        .collect();
    assert_eq!(refused.len(), 1);
    assert!(
        refused[0]["Reason"].as_str().unwrap().contains("dead"),
        "{}",
        refused[0]
    );
}

#[test]
fn malformed_input_names_the_field() {
    let cases = [
        (r#"{"Start": 0}"#, "input.Job: missing"),
        (
            r#"{"Job": {"Type": "web", "TaskGroups": []}, "Start": 0}"#,
            "Job.Type",
        ),
        (
            r#"{"Job": {"TaskGroups": [{"Tasks": [{"Name": "a", "KillTimeout": "5s"}]}]}, "Start": 0}"#,
            "Job.TaskGroups[0].Tasks[0].KillTimeout",
        ),
        (
            r#"{"Job": {"TaskGroups": [{"Tasks": [{"Name": "a"}]}]}, "Start": 0, "Runs": {"a": [{"Exit": 1}]}}"#,
            "Runs.a[0].After: missing",
        ),
        (
            r#"{"Job": {"TaskGroups": [{"Tasks": [{"Name": "a"}]}]}, "Start": 0, "Requests": [{"At": 1, "Desired": "halt"}]}"#,
            "Requests[0].Desired",
        ),
        (
            r#"{"Job": {"TaskGroups": [{"RestartPolicy": {"Mode": "sometimes"}, "Tasks": [{"Name": "a"}]}]}, "Start": 0}"#,
            "Job.TaskGroups[0].RestartPolicy.Mode",
        ),
    ];
    for (input, field) in cases {
        let error = scenario::parse(input).unwrap_err();
        assert!(error.starts_with(field), "{input}: {error}");
    }
}

#[test]
fn unknown_fields_of_a_nomad_job_are_ignored() {
    let input = r#"{"Job": {"ID": "example", "Datacenters": ["dc1"], "TaskGroups": [{"Name": "cache", "Count": 1,
        "Tasks": [{"Name": "redis", "Driver": "docker", "Config": {"image": "redis:7"}, "Resources": {"CPU": 500}}]}]},
        "Start": 1447806038427841000, "Requests": [{"At": 1000000000, "Desired": "stop"}]}"#;
    let output = simulate(input);
    assert_eq!(output["History"]["redis"].as_array().unwrap().len(), 6);
    assert_eq!(output["Allocation"]["ClientStatus"], "complete");
}
