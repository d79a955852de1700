//! The scenario files under `tests/scenarios/` replayed through the replay tool's code.

#[path = "../examples/replay/engine.rs"]
#[allow(dead_code)]
mod engine;

use serde_json::Value;

#[test]
fn every_scenario_ends_as_nomad_says() {
    let mut seen = 0;
    let mut paths: Vec<_> = std::fs::read_dir("tests/scenarios")
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    paths.sort();
    for path in paths {
        let text = std::fs::read_to_string(&path).unwrap();
        let expect: Value = text
            .lines()
            .find_map(|l| l.strip_prefix("# expect "))
            .map(|j| serde_json::from_str(j).unwrap())
            .unwrap_or_else(|| panic!("{path:?} has no `# expect` line"));
        let mut replay = engine::Replay::new();
        let mut errors = Vec::new();
        replay.run(&text, |e| errors.push(e));
        assert!(errors.is_empty(), "{path:?}: {errors:?}");
        let out = replay.output();
        let task = &out["TaskStates"]["task"];
        for key in ["State", "Failed", "Restarts"] {
            assert_eq!(task[key], expect[key], "{path:?} {key}");
        }
        let events = task["Events"].as_array().unwrap();
        let types: Vec<&Value> = events.iter().map(|e| &e["Type"]).collect();
        let want: Vec<&Value> = expect["Types"].as_array().unwrap().iter().collect();
        assert_eq!(types, want, "{path:?} types");
        if let Some(display) = expect.get("Display") {
            let shown: Vec<&Value> = events.iter().map(|e| &e["DisplayMessage"]).collect();
            let want: Vec<&Value> = display.as_array().unwrap().iter().collect();
            assert_eq!(shown, want, "{path:?} display");
        }
        if task["State"] == "dead" {
            // A dead task has finished: not Go's zero time (`null` as Nomad's API writes it).
            assert!(task["FinishedAt"].is_string(), "{path:?}");
            assert_ne!(task["FinishedAt"], "0001-01-01T00:00:00Z", "{path:?}");
        }
        seen += 1;
    }
    assert!(seen >= 15);
}

#[test]
fn refused_lines_are_reported_and_the_replay_goes_on() {
    let input = "\
# comment

{\"Type\": \"Received\", \"Time\": 1}
not json
{\"Type\": \"Started\", \"Time\": \"soon\"}
[1, 2]
{\"Type\": \"Started\", \"Time\": 2, \"Task\": 7}
{\"Nothing\": 1}
{\"Finish\": \"later\"}
{\"Type\": \"Started\", \"Time\": 3}
{\"Type\": \"Started\", \"Time\": 4}
{\"Type\": \"Started\", \"Time\": 5, \"Task\": \"web\"}
";
    let mut replay = engine::Replay::new();
    let mut errors = Vec::new();
    replay.run(input, |e| errors.push(e));
    let lines: Vec<&str> = errors
        .iter()
        .map(|e| e.split(':').next().unwrap())
        .collect();
    assert_eq!(
        lines,
        ["line 4", "line 5", "line 6", "line 7", "line 8", "line 9", "line 11"]
    );
    assert!(errors[0].contains("malformed JSON"), "{}", errors[0]);
    assert!(errors[6].contains("`Started` event not allowed in phase Running"));
    assert_eq!(replay.refused, 7);
    assert_eq!(replay.accepted, 3);
    let out = replay.output();
    let names: Vec<&String> = out["TaskStates"].as_object().unwrap().keys().collect();
    assert_eq!(names, ["task", "web"]);
    assert_eq!(out["ClientStatus"], "running");
    assert_eq!(out["ClientDescription"], "Tasks are running");
}

/// `Finish` without `Task` means the only task; no phantom task named `task` appears.
#[test]
fn a_finish_without_task_applies_to_the_only_task() {
    let input = "\
{\"Task\": \"web\", \"Type\": \"Received\", \"Time\": 1}
{\"Task\": \"web\", \"Type\": \"Started\", \"Time\": 2}
{\"Finish\": 3}
";
    let mut replay = engine::Replay::new();
    let mut errors = Vec::new();
    replay.run(input, |e| errors.push(e));
    assert!(errors.is_empty(), "{errors:?}");
    let out = replay.output();
    let names: Vec<&String> = out["TaskStates"].as_object().unwrap().keys().collect();
    assert_eq!(names, ["web"]);
    assert_eq!(out["TaskStates"]["web"]["State"], "dead");
    assert_eq!(out["ClientStatus"], "complete");
    assert_eq!(
        replay.summary(),
        "replay: 1 task, 2 events accepted, 0 lines refused, client status complete"
    );
}

/// With several tasks, or none yet, a `Finish` without `Task` is refused and says why;
/// nothing changes and the replay goes on.
#[test]
fn a_finish_without_task_is_refused_when_it_is_ambiguous() {
    let input = "\
{\"Finish\": 1}
{\"Task\": \"web\", \"Type\": \"Received\", \"Time\": 1}
{\"Task\": \"db\", \"Type\": \"Received\", \"Time\": 1}
{\"Finish\": 3}
{\"Task\": \"db\", \"Finish\": 4}
";
    let mut replay = engine::Replay::new();
    let mut errors = Vec::new();
    replay.run(input, |e| errors.push(e));
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert!(
        errors[0].starts_with("line 1: `Finish` without `Task` before any task's event"),
        "{}",
        errors[0]
    );
    assert_eq!(
        errors[1],
        "line 4: `Finish` without `Task` is ambiguous: 2 tasks (web, db); name one with \"Task\""
    );
    let out = replay.output();
    assert_eq!(out["TaskStates"]["web"]["State"], "pending");
    assert_eq!(out["TaskStates"]["db"]["State"], "dead");
    assert_eq!(
        replay.summary(),
        "replay: 2 tasks, 2 events accepted, 2 lines refused, client status pending"
    );
}
