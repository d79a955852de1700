//! The reading mode (`allocstate::nomad`) on allocations as Nomad writes them: one file
//! per case under tests/nomad/, each naming where it comes from in its `_Source` field
//! (ignored on read, as every field the crate does not know). Each is read, checked field
//! by field, written back with every field the crate knows unchanged, and its
//! divergences from the contract asserted.

use allocstate::nomad::{NomadAllocation, NomadTaskState};
use allocstate::{Allocation, IdentityField, Phase, WireState, WithZeroTime, ZeroTime};
use serde_json::Value;

mod common;
use common::NOMAD_ALLOC_FIELDS;

fn fixture(name: &str) -> String {
    let path = format!("{}/tests/nomad/{name}.json", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn read(name: &str) -> (Value, NomadAllocation) {
    let text = fixture(name);
    let alloc: NomadAllocation =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
    (serde_json::from_str(&text).unwrap(), alloc)
}

/// A task state's fields besides its events, as Nomad writes them.
const TASK_FIELDS: [&str; 6] = [
    "State",
    "Failed",
    "Restarts",
    "LastRestart",
    "StartedAt",
    "FinishedAt",
];

/// What the crate writes back equals what Nomad wrote, field by field: the allocation's
/// fields, each task's, and every field of every event. `zero` is the zero time's form
/// the input used.
fn assert_written_back(name: &str, input: &Value, alloc: &NomadAllocation, zero: ZeroTime) {
    let output = serde_json::to_value(WithZeroTime(alloc, zero)).unwrap();
    for field in NOMAD_ALLOC_FIELDS {
        if field == "TaskStates" {
            continue;
        }
        assert_eq!(output.get(field), input.get(field), "{name}: {field}");
    }
    let (Some(tasks_in), Some(tasks_out)) = (input.get("TaskStates"), output.get("TaskStates"))
    else {
        panic!("{name}: TaskStates");
    };
    if tasks_in.is_null() {
        assert!(tasks_out.is_null(), "{name}: null TaskStates");
        return;
    }
    let tasks_in = tasks_in.as_object().unwrap();
    let tasks_out = tasks_out.as_object().unwrap();
    assert_eq!(tasks_in.len(), tasks_out.len(), "{name}: tasks");
    for (task, state_in) in tasks_in {
        let state_out = &tasks_out[task];
        for field in TASK_FIELDS {
            assert_eq!(state_out[field], state_in[field], "{name}: {task}: {field}");
        }
        let events_in = state_in["Events"].as_array().unwrap();
        let events_out = state_out["Events"].as_array().unwrap();
        assert_eq!(events_in.len(), events_out.len(), "{name}: {task}: events");
        for (i, (event_in, event_out)) in events_in.iter().zip(events_out).enumerate() {
            for (key, value) in event_in.as_object().unwrap() {
                assert_eq!(
                    event_out.get(key),
                    Some(value),
                    "{name}: {task}: event {i}: {key}"
                );
            }
        }
    }
    // And read again, the same.
    let again: NomadAllocation = serde_json::from_value(output).unwrap();
    assert_eq!(&again, alloc, "{name}: read back");
}

/// The divergences of `task`: (event index, type, rule).
fn divergences(alloc: &NomadAllocation, task: &str) -> Vec<(usize, String, String)> {
    let state = alloc.task(task).unwrap();
    state
        .divergences()
        .map(|found| {
            let kind = state.events()[found.event].type_str().to_owned();
            (found.event, kind, found.rule.to_string())
        })
        .collect()
}

fn types(state: &NomadTaskState) -> Vec<&str> {
    state.events().iter().map(|e| e.type_str()).collect()
}

/// Each case: file, zero-time form, task, (State, Failed, Restarts), event types, the
/// divergences (event index, type, the rule's words), and whether the strict decoder
/// reads it.
struct Case {
    file: &'static str,
    zero: ZeroTime,
    task: &'static str,
    state: (WireState, bool, u64),
    types: &'static [&'static str],
    divergences: &'static [(usize, &'static str, &'static str)],
    strict_reads: bool,
}

const DEAD_ONLY_KILLING: &str =
    "after the task is Dead: the contract accepts it only in Pending, Running, Exited, ShuttingDown";

const CASES: &[Case] = &[
    Case {
        file: "killing_after_not_restarting",
        zero: ZeroTime::Null,
        task: "web",
        state: (WireState::Dead, true, 0),
        types: &[
            "Received",
            "Task Setup",
            "Started",
            "Terminated",
            "Not Restarting",
            "Killing",
        ],
        divergences: &[(5, "Killing", DEAD_ONLY_KILLING)],
        strict_reads: false,
    },
    Case {
        file: "restart_all_tasks_revives_dead_prestart",
        zero: ZeroTime::Null,
        task: "init",
        state: (WireState::Running, false, 0),
        types: &[
            "Received",
            "Task Setup",
            "Started",
            "Terminated",
            "Restart Signaled",
            "Task Setup",
            "Started",
        ],
        divergences: &[
            (
                4,
                "Restart Signaled",
                "in phase Exited: the contract accepts it only in Running",
            ),
            (
                5,
                "Task Setup",
                "in phase Exited: the contract accepts it only in Pending",
            ),
            (
                6,
                "Started",
                "in phase Exited: the contract accepts it only in Pending",
            ),
        ],
        strict_reads: false,
    },
    Case {
        file: "restart_signaled_between_exit_and_decision",
        zero: ZeroTime::Null,
        task: "web",
        state: (WireState::Running, false, 1),
        types: &[
            "Received",
            "Task Setup",
            "Started",
            "Terminated",
            "Restart Signaled",
            "Restarting",
            "Started",
        ],
        divergences: &[(
            4,
            "Restart Signaled",
            "in phase Exited: the contract accepts it only in Running",
        )],
        strict_reads: false,
    },
    Case {
        file: "killed_by_update_then_terminated_and_killed",
        zero: ZeroTime::Null,
        task: "web",
        state: (WireState::Dead, true, 0),
        types: &[
            "Received",
            "Task Setup",
            "Started",
            "Killed",
            "Terminated",
            "Killed",
        ],
        divergences: &[
            (
                4,
                "Terminated",
                "after the task is Dead: the contract accepts it only in Running, ShuttingDown",
            ),
            (5, "Killed", DEAD_ONLY_KILLING),
        ],
        strict_reads: false,
    },
    Case {
        file: "restart_by_killing_killed_restarting",
        zero: ZeroTime::Null,
        task: "web",
        state: (WireState::Running, false, 1),
        types: &[
            "Received",
            "Started",
            "Killing",
            "Killed",
            "Restarting",
            "Started",
        ],
        divergences: &[
            (
                4,
                "Restarting",
                "after the task is Dead: the contract accepts it only in Pending, Exited",
            ),
            (
                5,
                "Started",
                "after the task is Dead: the contract accepts it only in Pending",
            ),
        ],
        strict_reads: false,
    },
    Case {
        file: "events_after_death_lost_node",
        zero: ZeroTime::Null,
        task: "web",
        state: (WireState::Dead, false, 0),
        types: &[
            "Received",
            "Task Setup",
            "Started",
            "Killing",
            "Killed",
            "Killing",
        ],
        divergences: &[(5, "Killing", DEAD_ONLY_KILLING)],
        strict_reads: false,
    },
    Case {
        file: "shutdown_delay_while_pending",
        zero: ZeroTime::Null,
        task: "web",
        state: (WireState::Dead, false, 0),
        types: &[
            "Received",
            "Task Setup",
            "Waiting for shutdown delay",
            "Killing",
            "Killed",
        ],
        divergences: &[(
            2,
            "Waiting for shutdown delay",
            "in phase Pending: the contract accepts it only in Running",
        )],
        strict_reads: false,
    },
    Case {
        file: "api_null_zero_times",
        zero: ZeroTime::Null,
        task: "web",
        state: (WireState::Running, false, 0),
        types: &["Received", "Task Setup", "Started"],
        divergences: &[],
        strict_reads: true,
    },
    Case {
        file: "encoding_json_zero_times",
        zero: ZeroTime::EncodingJson,
        task: "web",
        state: (WireState::Running, false, 0),
        types: &["Received", "Task Setup", "Started"],
        divergences: &[],
        strict_reads: true,
    },
    Case {
        file: "long_job_id_and_name",
        zero: ZeroTime::Null,
        task: "main",
        state: (WireState::Running, false, 0),
        types: &["Received", "Started"],
        divergences: &[],
        strict_reads: true,
    },
    Case {
        file: "unknown_event_type",
        zero: ZeroTime::Null,
        task: "web",
        state: (WireState::Running, false, 0),
        types: &["Received", "Started", "Task Paused"],
        divergences: &[],
        strict_reads: true,
    },
];

#[test]
fn every_case_is_read_field_by_field_written_back_and_its_divergences_named() {
    for case in CASES {
        let (input, alloc) = read(case.file);
        let name = case.file;
        // The allocation's fields, as written.
        assert_eq!(alloc.id(), input["ID"], "{name}");
        assert_eq!(alloc.name(), input["Name"], "{name}");
        assert_eq!(alloc.node_id(), input["NodeID"], "{name}");
        assert_eq!(alloc.job_id(), input["JobID"], "{name}");
        assert_eq!(alloc.task_group(), input["TaskGroup"], "{name}");
        assert_eq!(alloc.desired_status(), input["DesiredStatus"], "{name}");
        assert_eq!(alloc.client_status(), input["ClientStatus"], "{name}");
        assert_eq!(
            alloc.client_description(),
            input["ClientDescription"],
            "{name}"
        );
        assert_eq!(
            alloc.modify_index(),
            input["ModifyIndex"].as_u64().unwrap(),
            "{name}"
        );
        assert_eq!(alloc.create_time(), input["CreateTime"].as_i64(), "{name}");
        assert_eq!(alloc.modify_time(), input["ModifyTime"].as_i64(), "{name}");
        for field in IdentityField::ALL {
            assert!(!alloc.identity_cut(field), "{name}: {field}");
        }
        // The task, as written.
        let state = alloc.task(case.task).unwrap();
        let written = &input["TaskStates"][case.task];
        assert_eq!(
            (state.state(), state.failed(), state.restarts()),
            case.state,
            "{name}"
        );
        assert_eq!(state.state().as_str(), written["State"], "{name}");
        assert_eq!(types(state), case.types, "{name}");
        for (event, json) in state
            .events()
            .iter()
            .zip(written["Events"].as_array().unwrap())
        {
            assert_eq!(event.time(), json["Time"].as_i64().unwrap(), "{name}");
        }
        let zero_times = [
            state.last_restart(),
            state.started_at(),
            state.finished_at(),
        ];
        let nulls = ["LastRestart", "StartedAt", "FinishedAt"]
            .map(|field| written[field].is_null() || written[field] == "0001-01-01T00:00:00Z");
        assert_eq!(zero_times.map(|t| t.is_none()), nulls, "{name}");
        // Its divergences, each named.
        let want: Vec<(usize, String, String)> = case
            .divergences
            .iter()
            .map(|(index, kind, rule)| (*index, kind.to_string(), format!("`{kind}` {rule}")))
            .collect();
        assert_eq!(divergences(&alloc, case.task), want, "{name}");
        let all: usize = alloc
            .tasks()
            .iter()
            .map(|t| t.state().divergences().count())
            .sum();
        assert_eq!(alloc.divergences().count(), all, "{name}");
        // Written back as read.
        assert_written_back(name, &input, &alloc, case.zero);
        // The strict decoder refuses what the contract refuses, and reads the rest.
        let strict = serde_json::from_value::<Allocation<4>>(input.clone());
        assert_eq!(strict.is_ok(), case.strict_reads, "{name}: {strict:?}");
    }
}

#[test]
fn a_pending_allocation_with_null_task_states_is_read_and_written_back() {
    let (input, alloc) = read("pending_null_task_states");
    assert!(alloc.tasks().is_empty());
    assert_eq!(alloc.client_status(), "pending");
    assert_eq!(alloc.divergences().count(), 0);
    assert_written_back("pending_null_task_states", &input, &alloc, ZeroTime::Null);
}

#[test]
fn real_length_ids_are_kept_whole() {
    let (input, alloc) = read("long_job_id_and_name");
    assert_eq!(alloc.job_id().len(), 85);
    assert_eq!(alloc.name().len(), 116);
    assert_eq!(alloc.job_id(), input["JobID"]);
    // The strict decoder too.
    let strict: Allocation<4> = serde_json::from_value(input.clone()).unwrap();
    assert_eq!(strict.job_id(), alloc.job_id());
    assert_eq!(strict.name(), alloc.name());
}

#[test]
fn the_list_form_reads_as_its_elements() {
    let list: Vec<Value> = serde_json::from_str(&fixture("list_of_allocations")).unwrap();
    let each: Vec<NomadAllocation> = list
        .iter()
        .map(|one| serde_json::from_value(one.clone()).unwrap())
        .collect();
    let (_, first) = read("api_null_zero_times");
    let (_, second) = read("killing_after_not_restarting");
    assert_eq!(each, [first, second]);
}

#[test]
fn a_zero_time_is_written_as_the_api_writes_it_unless_asked_otherwise() {
    let (_, alloc) = read("encoding_json_zero_times");
    let api = serde_json::to_value(&alloc).unwrap();
    assert!(api["TaskStates"]["web"]["LastRestart"].is_null());
    let go = serde_json::to_value(WithZeroTime(&alloc, ZeroTime::EncodingJson)).unwrap();
    assert_eq!(
        go["TaskStates"]["web"]["LastRestart"],
        "0001-01-01T00:00:00Z"
    );
}

#[test]
fn what_is_not_an_allocation_is_refused_naming_the_field_and_the_line() {
    let cases = [
        ("{\"ID\": \"x\",\n \"Nodes\": 3}", "missing field `TaskGroup`", 2),
        (
            "{\"ID\": \"x\", \"TaskGroup\": \"g\", \"ClientStatus\": \"running\",\n \"TaskStates\": {\"web\": {\"State\": \"running\",\n \"StartedAt\": 5}}}",
            "`TaskStates`: task `web`: `StartedAt`: invalid type: integer `5`, expected an RFC 3339 time or null",
            3,
        ),
        (
            "{\"ID\": \"x\", \"TaskGroup\": \"g\", \"ClientStatus\": \"running\",\n \"TaskStates\": {\"web\": {\"State\": \"running\", \"Events\": [{\"Type\": \"Started\"}]}}}",
            "`TaskStates`: task `web`: `Events`: event 0: missing field `Time`",
            2,
        ),
        ("[1]", "invalid type", 1),
    ];
    for (text, message, line) in cases {
        let error = serde_json::from_str::<NomadAllocation>(text).unwrap_err();
        assert!(error.to_string().contains(message), "{error}");
        assert_eq!(error.line(), line, "{error}");
    }
}

#[test]
fn a_task_state_read_alone_keeps_what_nomad_wrote() {
    let (input, _) = read("killing_after_not_restarting");
    let task: NomadTaskState = serde_json::from_value(input["TaskStates"]["web"].clone()).unwrap();
    assert_eq!(task.started_at(), Some(1_714_644_002_000_000_000));
    assert_eq!(task.finished_at(), Some(1_714_644_004_000_000_000));
    assert_eq!(task.last_restart(), None);
    let found: Vec<_> = task.divergences().collect();
    assert_eq!(found.len(), 1);
    assert!(found[0].rule.was_in(Phase::Dead));
    assert!(!found[0].rule.was_in(Phase::Running));
    // The strict decoder refuses it.
    assert!(
        serde_json::from_value::<allocstate::TaskState>(input["TaskStates"]["web"].clone())
            .is_err()
    );
}

mod random_histories {
    use super::*;
    use allocstate::{EventKind, TaskEvent, TaskState};
    use proptest::prelude::*;
    use serde_json::json;

    proptest! {
        /// Any history, as a task state of any `State` and bookkeeping: read, written back
        /// equal (in the zero-time form it came in), and its divergences exactly the
        /// events `TaskState::apply` refuses when the history is replayed.
        #[test]
        fn are_read_written_back_and_name_what_apply_refuses(
            kinds in proptest::collection::vec(0..EventKind::ALL.len(), 0..10),
            state in prop::sample::select(vec!["pending", "running", "dead"]),
            failed: bool,
            restarts in 0u64..4,
            null_zero: bool,
        ) {
            let events: Vec<TaskEvent> = kinds
                .iter()
                .enumerate()
                .map(|(i, k)| TaskEvent::of_kind(1_000 + i as i64, EventKind::ALL[*k]))
                .collect();
            let mut task = TaskState::new();
            let refused: Vec<usize> = events
                .iter()
                .enumerate()
                .filter(|(_, event)| task.apply((*event).clone()).is_err())
                .map(|(i, _)| i)
                .collect();
            let zero = if null_zero { Value::Null } else { json!("0001-01-01T00:00:00Z") };
            let input = json!({
                "State": state, "Failed": failed, "Restarts": restarts,
                "LastRestart": zero, "StartedAt": "2024-05-02T10:00:01.5Z", "FinishedAt": zero,
                "Events": serde_json::to_value(&events).unwrap(),
            });
            let read: NomadTaskState = serde_json::from_value(input.clone()).unwrap();
            let named: Vec<usize> = read.divergences().map(|found| found.event).collect();
            prop_assert_eq!(named, refused);
            let form = if null_zero { ZeroTime::Null } else { ZeroTime::EncodingJson };
            prop_assert_eq!(serde_json::to_value(WithZeroTime(&read, form)).unwrap(), input);
        }
    }
}

/// The `inspect` example's reader and its `--json` document, on the fixtures.
#[allow(dead_code)]
#[path = "../examples/inspect.rs"]
mod tool;

mod inspect {
    use super::{fixture, tool, TASK_FIELDS};
    use serde_json::{json, Value};

    #[test]
    fn the_json_document_holds_each_allocation_written_back_and_its_divergences() {
        let allocs = tool::read(fixture("list_of_allocations").as_bytes()).unwrap();
        assert_eq!(allocs.len(), 2);
        let document = tool::document(&allocs);
        let input: Value = serde_json::from_str(&fixture("list_of_allocations")).unwrap();
        let entries = document["Allocations"].as_array().unwrap();
        assert_eq!(entries.len(), 2);
        for (entry, alloc) in entries.iter().zip(input.as_array().unwrap()) {
            for field in ["ID", "JobID", "ClientStatus", "ModifyIndex"] {
                assert_eq!(entry["Allocation"][field], alloc[field], "{field}");
            }
            // Each task's known fields (`TaskHandle`, `Paused` are not kept).
            let task = &entry["Allocation"]["TaskStates"]["web"];
            for field in TASK_FIELDS.into_iter().chain(["Events"]) {
                assert_eq!(task[field], alloc["TaskStates"]["web"][field], "{field}");
            }
        }
        assert_eq!(entries[0]["Divergences"], json!([]));
        assert_eq!(
            entries[1]["Divergences"],
            json!([{
                "Task": "web",
                "Event": 5,
                "Type": "Killing",
                "Rule": "`Killing` after the task is Dead: the contract accepts it only in \
                         Pending, Running, Exited, ShuttingDown",
            }])
        );
        // One allocation alone reads as a list of one.
        let one = tool::read(fixture("killing_after_not_restarting").as_bytes()).unwrap();
        assert_eq!(tool::document(&one)["Allocations"][0], entries[1]);
        let summary = tool::summary(&one[0]);
        assert!(
            summary.contains("task web: dead, failed true, restarts 0"),
            "{summary}"
        );
        assert!(summary.contains("divergence: event 5: `Killing` after the task is Dead"));
    }

    #[test]
    fn what_is_not_an_allocation_is_an_error_naming_the_field_and_the_line() {
        let error =
            tool::read(b"[{\"ID\": \"a\", \"TaskGroup\": \"g\", \"ClientStatus\": \"x\"},\n 5]")
                .unwrap_err();
        assert!(
            error.to_string().starts_with("allocation 1 of the list: "),
            "{error}"
        );
        assert_eq!(error.line(), 2);
        let error = tool::read(b"{\"ID\": \"a\"} trailing").unwrap_err();
        assert_eq!(error.line(), 1, "{error}");
    }
}

/// Ten events held whose oldest is not `Received`: older ones were evicted, and the
/// replay starts from every phase, so only what no phase accepts is named.
#[test]
fn an_evicted_history_is_judged_from_every_phase() {
    use allocstate::{EventKind, TaskEvent};
    let mut events: Vec<TaskEvent> = (0..9)
        .map(|i| TaskEvent::of_kind(i, EventKind::Killing))
        .collect();
    events.insert(0, TaskEvent::terminated(0, 1));
    let input =
        serde_json::json!({"State": "running", "Events": serde_json::to_value(&events).unwrap()});
    let task: NomadTaskState = serde_json::from_value(input).unwrap();
    assert_eq!(task.events().len(), 10);
    assert_eq!(task.divergences().count(), 0);
    // From a fresh task the first would be refused (`Terminated` while Pending).
    let fresh = serde_json::json!({"State": "running", "Events": serde_json::to_value(&events[..9]).unwrap()});
    let task: NomadTaskState = serde_json::from_value(fresh).unwrap();
    assert_eq!(task.divergences().map(|d| d.event).collect::<Vec<_>>(), [0]);
}
