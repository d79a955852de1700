//! Nomad's JSON: the seed's task states, a modern state, refusals.

use allocstate::{EventKind, Phase, TaskEvent, TaskState, WireState, EVENT_TEXT_CAPACITY};
use serde_json::{json, Value};

mod common;
use common::project;

const SEED_TASK_STATES: &str = r#"{"redis": {"Events": [{"KillError": "", "Message": "", "Signal": 0, "ExitCode": 0, "DriverError": "", "Time": 1447806038427841000, "Type": "Started"}], "State": "running"}}"#;

#[test]
fn seed_task_states_parse_and_reserialize_to_the_same_values() {
    let seed: Value = serde_json::from_str(SEED_TASK_STATES).unwrap();
    let redis: TaskState = serde_json::from_value(seed["redis"].clone()).unwrap();
    assert_eq!(redis.state(), WireState::Running);
    assert_eq!(redis.events().len(), 1);
    assert_eq!(redis.started_at(), Some(1_447_806_038_427_841_000));
    let again = serde_json::to_value(&redis).unwrap();
    assert_eq!(project(&again, &seed["redis"]), seed["redis"]);
    assert_eq!(
        again["Events"][0]["DisplayMessage"],
        "Task started by client"
    );
    assert_eq!(again["StartedAt"], "2015-11-18T00:20:38.427841Z");
}

fn modern() -> Value {
    json!({
        "State": "dead", "Failed": true, "Restarts": 1,
        "LastRestart": "2017-10-05T17:08:46.5Z",
        "StartedAt": "2017-10-05T17:08:46.548988576Z",
        "FinishedAt": "2017-10-05T19:08:47+02:00",
        "Paused": "", "TaskHandle": null,
        "Events": [
            {"Type": "Received", "Time": 1507223316000000000_i64, "Message": "", "DisplayMessage": "Task received by client", "Details": {}, "FailsTask": false},
            {"Type": "Task Setup", "Time": 1507223316010000000_i64, "Message": "Building Task Directory", "DisplayMessage": "Building Task Directory", "Details": {"message": "Building Task Directory"}},
            {"Type": "Started", "Time": 1507223316048988576_i64, "DisplayMessage": "Task started by client"},
            {"Type": "Terminated", "Time": 1507223326000000000_i64, "ExitCode": 137, "Signal": 9, "Message": "OOM Killed", "Details": {"exit_code": "137", "signal": "9", "oom_killed": "true", "exit_message": "OOM Killed"}},
            {"Type": "Restarting", "Time": 1507223326500000000_i64, "StartDelay": 15302026290_i64, "RestartReason": "Restart within policy", "Details": {"restart_reason": "Restart within policy", "start_delay": "15302026290"}},
            {"Type": "Started", "Time": 1507223326548988576_i64},
            {"Type": "Some Future Event", "Time": 1507223327000000000_i64, "Message": "hello"},
            {"Type": "Killing", "Time": 1507223327000000001_i64, "KillTimeout": 5000000000_i64, "DisplayMessage": "Template failed: bad", "FailsTask": true, "Details": {"fails_task": "true", "kill_timeout": "5s"}},
            {"Type": "Terminated", "Time": 1507223327100000000_i64, "ExitCode": 0},
            {"Type": "Killed", "Time": 1507223327200000000_i64}
        ]
    })
}

#[test]
fn a_modern_state_round_trips() {
    let task: TaskState = serde_json::from_value(modern()).unwrap();
    assert_eq!(task.phase(), Phase::Dead);
    assert!(task.failed());
    assert_eq!(task.restarts(), 1);
    assert_eq!(task.finished_at(), Some(1_507_223_327_000_000_000));
    let out = serde_json::to_value(&task).unwrap();
    assert_eq!(out["FinishedAt"], "2017-10-05T17:08:47Z");
    assert_eq!(out["LastRestart"], "2017-10-05T17:08:46.5Z");
    let events = out["Events"].as_array().unwrap();
    assert_eq!(
        events[3]["DisplayMessage"],
        "Exit Code: 137, Signal: 9, Exit Message: \"OOM Killed\""
    );
    assert_eq!(
        events[3]["Details"],
        json!({"exit_code": "137", "exit_message": "OOM Killed", "oom_killed": "true", "signal": "9"})
    );
    assert_eq!(
        events[4]["Details"],
        json!({"restart_reason": "Restart within policy", "start_delay": "15302026290"})
    );
    assert_eq!(
        events[4]["DisplayMessage"],
        "Task restarting in 15.30202629s"
    );
    assert_eq!(events[6]["Type"], "Some Future Event");
    assert_eq!(events[7]["DisplayMessage"], "Template failed: bad");
    assert_eq!(
        events[7]["Details"],
        json!({"fails_task": "true", "kill_timeout": "5s"})
    );
    assert_eq!(events[9]["DisplayMessage"], "Task successfully killed");
    let keys: Vec<&String> = events[0].as_object().unwrap().keys().collect();
    assert_eq!(keys.len(), 24);
    assert_eq!(keys[0], "Type");
    assert_eq!(keys[23], "GenericSource");
    let back: TaskState = serde_json::from_value(out.clone()).unwrap();
    assert_eq!(back, task);
    assert_eq!(serde_json::to_value(&back).unwrap(), out);
}

#[test]
fn computed_display_message_is_not_stored_but_a_different_one_is() {
    let same: TaskEvent = serde_json::from_value(
        json!({"Type": "Started", "Time": 1, "DisplayMessage": "Task started by client"}),
    )
    .unwrap();
    assert_eq!(same.display_message_override(), None);
    let other: TaskEvent =
        serde_json::from_value(json!({"Type": "Started", "Time": 1, "DisplayMessage": "custom"}))
            .unwrap();
    assert_eq!(other.display_message_override(), Some("custom"));
}

#[test]
fn long_strings_are_cut_visibly() {
    let long = "x".repeat(EVENT_TEXT_CAPACITY * 2);
    let e: TaskEvent =
        serde_json::from_value(json!({"Type": "Driver Failure", "Time": 1, "DriverError": long}))
            .unwrap();
    assert!(e.is_truncated());
    assert_eq!(e.kind(), EventKind::DriverFailure);
    let short: TaskEvent =
        serde_json::from_value(json!({"Type": "Driver Failure", "Time": 1, "DriverError": "x"}))
            .unwrap();
    assert!(!short.is_truncated());
}

#[test]
fn refusals_are_clear_errors() {
    let events: Vec<Value> = (0..11)
        .map(|t| json!({"Type": "Driver", "Time": t}))
        .collect();
    let eleven = json!({"State": "running", "Events": events});
    let err = serde_json::from_value::<TaskState>(eleven)
        .unwrap_err()
        .to_string();
    assert!(err.contains("at most 10 events"), "{err}");

    let err = serde_json::from_value::<TaskState>(json!({"State": "sleeping", "Events": []}))
        .unwrap_err()
        .to_string();
    assert!(err.contains("unknown variant `sleeping`"), "{err}");

    let contradicting = json!({"State": "pending", "Events": [{"Type": "Started", "Time": 1}]});
    let err = serde_json::from_value::<TaskState>(contradicting)
        .unwrap_err()
        .to_string();
    assert!(err.contains("state contradicts the events held"), "{err}");

    let failed = json!({"State": "dead", "Failed": false, "Events": [{"Type": "Not Restarting", "Time": 1, "FailsTask": true}]});
    assert!(serde_json::from_value::<TaskState>(failed).is_err());

    let restarts =
        json!({"State": "pending", "Restarts": 0, "Events": [{"Type": "Restarting", "Time": 1}]});
    assert!(serde_json::from_value::<TaskState>(restarts).is_err());

    let bad_time = json!({"State": "running", "StartedAt": "yesterday", "Events": []});
    let err = serde_json::from_value::<TaskState>(bad_time)
        .unwrap_err()
        .to_string();
    assert!(err.contains("RFC 3339"), "{err}");

    let bad_type = json!({"Type": "Terminated", "Time": 1, "ExitCode": "one"});
    assert!(serde_json::from_value::<TaskEvent>(bad_type).is_err());
    assert!(serde_json::from_value::<TaskEvent>(json!({"Time": 1})).is_err());
}

#[test]
fn enums_are_nomad_strings() {
    assert_eq!(serde_json::to_value(WireState::Dead).unwrap(), "dead");
    assert_eq!(
        serde_json::to_value(allocstate::ClientStatus::Complete).unwrap(),
        "complete"
    );
    assert_eq!(
        serde_json::to_value(EventKind::RestartSignaled).unwrap(),
        "Restart Signaled"
    );
    let kind: EventKind = serde_json::from_value(json!("Task hook failed")).unwrap();
    assert_eq!(kind, EventKind::TaskHookFailed);
}

/// A computed `DisplayMessage` longer than the event's text capacity arrives cut; it must
/// still be recognised as the computed one, not stored as a (cut) override.
#[test]
fn long_computed_display_messages_survive_json() {
    let events = [
        TaskEvent::signaling_task_signal(1, &"a".repeat(EVENT_TEXT_CAPACITY - 7)),
        TaskEvent::terminated(2, 1)
            .with_message(&"exit \"quoted\" ".repeat(EVENT_TEXT_CAPACITY / 15)),
    ];
    for event in events {
        let shown = event.display_message().to_string();
        assert!(shown.len() > EVENT_TEXT_CAPACITY, "{shown}");
        let json = serde_json::to_string(&event).unwrap();
        let back: TaskEvent = serde_json::from_str(&json).unwrap();
        assert_eq!(back, event);
        assert!(!back.is_truncated());
        assert_eq!(back.display_message().to_string(), shown);
    }
}

/// A long override that differs from the computed message is kept, cut, and says so.
#[test]
fn long_display_override_is_cut_visibly() {
    let long = "x".repeat(EVENT_TEXT_CAPACITY * 5);
    let json = format!(r#"{{"Type":"Started","Time":1,"DisplayMessage":"{long}"}}"#);
    let back: TaskEvent = serde_json::from_str(&json).unwrap();
    assert!(back.is_truncated());
    let kept = back.display_message_override().unwrap_or("");
    assert!(!kept.is_empty() && long.starts_with(kept));
}

fn read(value: Value) -> TaskEvent {
    serde_json::from_value(value).unwrap()
}

fn details(event: &TaskEvent) -> Value {
    serde_json::to_value(event).unwrap()["Details"].clone()
}

#[test]
fn duplicate_fields_are_refused_naming_the_field() {
    let event = r#"{"Type": "Started", "Time": 1, "Type": "Killed"}"#;
    let err = serde_json::from_str::<TaskEvent>(event).unwrap_err();
    assert!(err.to_string().contains("duplicate field `Type`"), "{err}");
    let state = r#"{"State": "pending", "State": "dead", "Events": []}"#;
    let err = serde_json::from_str::<TaskState>(state).unwrap_err();
    assert!(err.to_string().contains("duplicate field `State`"), "{err}");
    let details = r#"{"Type": "Driver", "Time": 1, "Details": {"a": "1", "a": "2"}}"#;
    let err = serde_json::from_str::<TaskEvent>(details).unwrap_err();
    assert!(
        err.to_string().contains("duplicate field `Details`"),
        "{err}"
    );
    // Unknown fields may repeat: they are skipped.
    let skipped = r#"{"Type": "Started", "Time": 1, "VaultError": "", "VaultError": ""}"#;
    assert!(serde_json::from_str::<TaskEvent>(skipped).is_ok());
}

#[test]
fn a_long_field_the_kind_does_not_keep_does_not_mark_the_event_truncated() {
    let long = "r".repeat(EVENT_TEXT_CAPACITY + 200);
    let started = read(json!({"Type": "Started", "Time": 1, "RestartReason": long}));
    assert!(!started.is_truncated());
    let restarting = read(json!({"Type": "Restarting", "Time": 1, "RestartReason": long}));
    assert!(restarting.is_truncated());
}

#[test]
fn driver_events_keep_the_drivers_annotations() {
    let pull = json!({
        "Type": "Driver", "Time": 5, "Message": "", "DriverMessage": "Downloading image",
        "DisplayMessage": "Downloading image",
        "Details": {"image": "redis:7", "progress": "50%"}
    });
    let event = read(pull.clone());
    assert_eq!(
        details(&event),
        json!({"image": "redis:7", "progress": "50%"})
    );
    let out = serde_json::to_value(&event).unwrap();
    assert_eq!(out["DriverMessage"], "Downloading image");
    assert_eq!(common::project(&out, &pull), pull);
    // No annotations: Nomad's nil map.
    let bare = TaskEvent::driver(1, "hello");
    assert_eq!(details(&bare), Value::Null);
    assert_eq!(read(serde_json::to_value(&bare).unwrap()), bare);
    // Built by the crate, written sorted as Go writes a map.
    let built = TaskEvent::driver(1, "m")
        .with_annotation("z", "1")
        .with_annotation("a", "2");
    assert_eq!(details(&built), json!({"a": "2", "z": "1"}));
    assert_eq!(read(serde_json::to_value(&built).unwrap()), built);
}

#[test]
fn annotations_that_do_not_fit_are_cut_visibly() {
    let mut map = serde_json::Map::new();
    let pairs = EVENT_TEXT_CAPACITY / 10;
    for i in 0..pairs {
        map.insert(format!("key{i:03}"), json!("v".repeat(20)));
    }
    let event = read(json!({"Type": "Driver", "Time": 1, "Details": map}));
    assert!(event.is_truncated());
    let kept = details(&event);
    let kept = kept.as_object().unwrap();
    assert!(!kept.is_empty() && kept.len() < pairs);
    for (key, value) in kept {
        assert_eq!(map[key], *value, "a kept pair is whole");
    }
}

#[test]
fn restarting_always_writes_its_restart_reason() {
    // A user-requested restart: `SetRestartReason("")` still writes the key.
    let event = TaskEvent::restarting(1, 0, "");
    assert_eq!(
        details(&event),
        json!({"restart_reason": "", "start_delay": "0"})
    );
    assert_eq!(read(serde_json::to_value(&event).unwrap()), event);
}

#[test]
fn mark_failed_kill_writes_kill_reason_and_fails_task() {
    let event = TaskEvent::mark_failed_kill(1, "failed to setup alloc: boom");
    let out = serde_json::to_value(&event).unwrap();
    assert_eq!(out["Type"], "Setup Failure");
    assert_eq!(out["KillReason"], "Failed Restoring Task");
    assert_eq!(out["FailsTask"], true);
    assert_eq!(out["DisplayMessage"], "failed to setup alloc: boom");
    assert_eq!(
        out["Details"],
        json!({"fails_task": "true", "kill_reason": "Failed Restoring Task"})
    );
    assert_eq!(read(out), event);
}

#[test]
fn a_hooks_killing_writes_only_fails_task_and_its_message() {
    let event = TaskEvent::hook_killing(1, "vault: failed to derive token");
    let out = serde_json::to_value(&event).unwrap();
    assert_eq!(out["Type"], "Killing");
    assert_eq!(out["KillTimeout"], 0);
    assert_eq!(out["FailsTask"], true);
    assert_eq!(out["DisplayMessage"], "vault: failed to derive token");
    assert_eq!(out["Details"], json!({"fails_task": "true"}));
    assert_eq!(read(out), event);
}

#[test]
fn killed_for_an_update_missing_the_task_writes_its_reason_and_fails_task() {
    let event = TaskEvent::killed_failing(1, "update missing task");
    let out = serde_json::to_value(&event).unwrap();
    assert_eq!(out["Type"], "Killed");
    assert_eq!(out["KillReason"], "update missing task");
    assert_eq!(out["FailsTask"], true);
    assert_eq!(
        out["Details"],
        json!({"fails_task": "true", "kill_reason": "update missing task"})
    );
    assert_eq!(read(out), event);
}

#[test]
fn alloc_signal_writes_only_the_signal_text() {
    let event = TaskEvent::signaling(1, "SIGUSR1");
    let out = serde_json::to_value(&event).unwrap();
    assert_eq!(out["Details"], json!({"signal": "SIGUSR1"}));
    assert_eq!(out["TaskSignal"], "");
    assert_eq!(out["Signal"], 0);
    assert_eq!(out["DisplayMessage"], "Task being sent a signal");
    assert_eq!(read(out), event);
}

#[test]
fn empty_and_zero_setter_values_keep_their_keys() {
    let nomad = json!({
        "Type": "Killing", "Time": 1, "KillTimeout": 0, "KillReason": "",
        "Details": {"kill_timeout": "0s", "kill_reason": ""}
    });
    let event = read(nomad);
    assert_eq!(
        details(&event),
        json!({"kill_reason": "", "kill_timeout": "0s"})
    );
    let exit = json!({
        "Type": "Terminated", "Time": 2, "ExitCode": 0, "Signal": 0, "Message": "",
        "Details": {"exit_code": "0", "signal": "0", "oom_killed": "false", "exit_message": ""}
    });
    assert_eq!(
        details(&read(exit)),
        json!({"exit_code": "0", "exit_message": "", "oom_killed": "false", "signal": "0"})
    );
    // And a key not written stays absent: no `kill_reason` here.
    let bare = read(
        json!({"Type": "Killing", "Time": 1, "KillTimeout": 5000000000_i64,
        "Details": {"kill_timeout": "5s"}}),
    );
    assert_eq!(details(&bare), json!({"kill_timeout": "5s"}));
    // A seed-era event has no `Details`: it is written as Go writes a nil map.
    let seed = read(json!({"Type": "Started", "Time": 1}));
    assert_eq!(details(&seed), Value::Null);
}

#[test]
fn the_crate_built_events_carry_nomads_keys() {
    let cases = [
        (TaskEvent::received(1), json!({})),
        (
            TaskEvent::task_setup(1),
            json!({"message": "Building Task Directory"}),
        ),
        (
            TaskEvent::terminated(1, 1),
            json!({"exit_code": "1", "oom_killed": "false", "signal": "0"}),
        ),
        (TaskEvent::killing(1, 0), json!({"kill_timeout": "0s"})),
        (TaskEvent::killed(1), json!({})),
        (
            TaskEvent::not_restarting(1, ""),
            json!({"fails_task": "true", "restart_reason": ""}),
        ),
        (
            TaskEvent::sibling_task_failed(1, "web"),
            json!({"failed_sibling": "web"}),
        ),
        (
            TaskEvent::setup_failure(1, "no dir"),
            json!({"fails_task": "true", "setup_error": "no dir"}),
        ),
    ];
    for (event, expected) in cases {
        assert_eq!(details(&event), expected, "{}", event.type_str());
        assert_eq!(read(serde_json::to_value(&event).unwrap()), event);
    }
}

#[test]
fn a_display_message_is_compared_exactly() {
    // Equal to the computed one but for its last byte, and longer than the capacity: an
    // override, kept (cut) and marked.
    let event = TaskEvent::terminated(2, 1)
        .with_message(&"exit \"quoted\" ".repeat(EVENT_TEXT_CAPACITY / 15));
    let mut shown = event.display_message().to_string();
    assert!(shown.len() > EVENT_TEXT_CAPACITY);
    shown.pop();
    shown.push('X');
    let mut value = serde_json::to_value(&event).unwrap();
    value["DisplayMessage"] = json!(shown);
    let back = read(value);
    assert!(back.display_message_override().is_some());
    assert!(back.is_truncated());
}

/// Regression (fuzz `ops`): a `Driver` event's `Details` are the driver's annotations, so
/// `FailsTask` and `Message` add no keys there, and the event reads back equal.
#[test]
fn a_driver_events_details_are_only_its_annotations() {
    let event = TaskEvent::driver(1, "")
        .with_message("hello")
        .with_fails_task();
    let out = serde_json::to_value(&event).unwrap();
    assert_eq!(out["Details"], Value::Null);
    assert_eq!(out["FailsTask"], true);
    let back = read(out);
    assert_eq!(
        postcard::to_allocvec(&back).unwrap(),
        postcard::to_allocvec(&event).unwrap()
    );
    assert_eq!(back, event);
}

/// The crate writes `Type` first (as Nomad does); any other JSON writer may put it last.
/// Both read back as the same event: the text fields read before `Type` are held until
/// it is known.
#[test]
fn type_after_the_text_fields_reads_the_same_event() {
    let events = [
        TaskEvent::restarting(1, 5, "restart reason"),
        TaskEvent::killed(2).with_message("killed by the user"),
        TaskEvent::setup_failure(3, "no such image"),
        TaskEvent::driver_failure(4, "executor gone").with_fails_task(),
        TaskEvent::signaling(5, "SIGHUP"),
        TaskEvent::sibling_task_failed(6, "web"),
        TaskEvent::driver(7, "pulling").with_annotation("image", "redis:7"),
        TaskEvent::from_type_str(8, "Custom Hook"),
        TaskEvent::terminated(9, 1).with_message("exit status 1"),
    ];
    for event in events {
        let type_first = serde_json::to_string(&event).unwrap();
        let mut moved = serde_json::to_value(&event).unwrap();
        let object = moved.as_object_mut().unwrap();
        let type_name = object.remove("Type").unwrap();
        object.insert("Type".into(), type_name);
        let type_last = moved.to_string();
        assert!(type_first.starts_with(r#"{"Type""#), "{type_first}");
        assert!(!type_last.starts_with(r#"{"Type""#), "{type_last}");
        let first: TaskEvent = serde_json::from_str(&type_first).unwrap();
        let last: TaskEvent = serde_json::from_str(&type_last).unwrap();
        assert_eq!(first, event, "{type_first}");
        assert_eq!(last, event, "{type_last}");
    }
}

/// Before `Type`, the text fields share one event's capacity: a kept field that no
/// longer fits there is cut, and the event says so.
#[test]
fn text_read_before_type_beyond_one_events_capacity_is_cut_visibly() {
    let long = "x".repeat(EVENT_TEXT_CAPACITY);
    let late = r#"{"DriverError": "LONG", "KillError": "LONG", "RestartReason": "why", "Time": 1, "Type": "Restarting"}"#
        .replace("LONG", &long);
    let event: TaskEvent = serde_json::from_str(&late).unwrap();
    assert!(event.is_truncated());
    let early = r#"{"Type": "Restarting", "Time": 1, "DriverError": "LONG", "KillError": "LONG", "RestartReason": "why"}"#
        .replace("LONG", &long);
    let event: TaskEvent = serde_json::from_str(&early).unwrap();
    assert!(!event.is_truncated());
    assert!(matches!(
        event.detail(),
        allocstate::Detail::Restarting {
            restart_reason: "why",
            ..
        }
    ));
}

#[test]
fn a_signal_events_signal_text_is_kept_beside_a_long_message() {
    // `Type` first, as Nomad writes it: of `Details` only `signal` is kept (the other
    // keys' values are the top-level fields), so a long `message` cannot crowd it out.
    let long = "m".repeat(EVENT_TEXT_CAPACITY - 10);
    let event = read(json!({
        "Type": "Signaling", "Time": 1, "Message": "", "TaskSignal": "SIGHUP",
        "Details": {"message": long, "signal": "SIGHUP", "task_signal": "SIGHUP"}
    }));
    let allocstate::Detail::Signaling {
        task_signal,
        signal,
        ..
    } = event.detail()
    else {
        panic!("a Signaling event")
    };
    assert_eq!((task_signal, signal), ("SIGHUP", "SIGHUP"));
    assert!(!event.is_truncated());
}

/// A task as Nomad's HTTP API writes it (go-msgpack's JSON codec): the zero times
/// `null`, `Details` and `Events` `null` where Go holds a nil map or slice, and fields of
/// newer Nomad versions the crate does not know.
const API_FORM: &str = r#"{
    "State": "running", "Failed": false, "Restarts": 0,
    "LastRestart": null, "StartedAt": "2024-05-02T10:00:01.5Z", "FinishedAt": null,
    "TaskHandle": {"Version": 1, "DriverState": "aGk="}, "Paused": false,
    "Events": [
        {"Type": "Received", "Time": 1714644000000000000, "Details": null, "Message": "",
         "DisplayMessage": "Task received by client", "FailsTask": false},
        {"Type": "Started", "Time": 1714644001500000000, "Details": {},
         "DisplayMessage": "Task started by client", "GenericSource": ""}
    ]
}"#;

#[test]
fn a_zero_time_reads_from_null_and_from_go_zero_time_alike() {
    let api: TaskState = serde_json::from_str(API_FORM).unwrap();
    assert_eq!(api.last_restart(), None);
    assert_eq!(api.finished_at(), None);
    assert_eq!(api.started_at(), Some(1_714_644_001_500_000_000));
    assert_eq!(api.events().len(), 2);
    let go = API_FORM
        .replace(
            r#""LastRestart": null"#,
            r#""LastRestart": "0001-01-01T00:00:00Z""#,
        )
        .replace(
            r#""FinishedAt": null"#,
            r#""FinishedAt": "0001-01-01T00:00:00Z""#,
        );
    assert!(go.contains(r#""FinishedAt": "0001-01-01T00:00:00Z""#));
    let go: TaskState = serde_json::from_str(&go).unwrap();
    assert_eq!(go.last_restart(), None);
    assert_eq!(go.finished_at(), None);
    assert_eq!(go.started_at(), api.started_at());
    assert_eq!(go.phase(), api.phase());
    assert_eq!(go.events().len(), api.events().len());
}

#[test]
fn a_zero_time_is_written_null_by_default_and_as_go_zero_time_on_request() {
    use allocstate::{WithZeroTime, ZeroTime};
    let task: TaskState = serde_json::from_str(API_FORM).unwrap();
    let api = serde_json::to_value(&task).unwrap();
    assert_eq!(api["LastRestart"], Value::Null);
    assert_eq!(api["FinishedAt"], Value::Null);
    assert_eq!(api["StartedAt"], "2024-05-02T10:00:01.5Z");
    let go = serde_json::to_value(WithZeroTime(&task, ZeroTime::EncodingJson)).unwrap();
    assert_eq!(go["LastRestart"], "0001-01-01T00:00:00Z");
    assert_eq!(go["FinishedAt"], "0001-01-01T00:00:00Z");
    assert_eq!(go["StartedAt"], "2024-05-02T10:00:01.5Z");
    let explicit = serde_json::to_value(WithZeroTime(&task, ZeroTime::Null)).unwrap();
    assert_eq!(explicit, api);
    // The other fields are the same either way.
    for key in ["State", "Failed", "Restarts", "Events"] {
        assert_eq!(go[key], api[key], "{key}");
    }
    // An allocation passes the choice to each task.
    let alloc: allocstate::Allocation<2> = serde_json::from_value(serde_json::json!({
        "ClientStatus": "running",
        "TaskStates": { "web": serde_json::from_str::<Value>(API_FORM).unwrap() }
    }))
    .unwrap();
    let api = serde_json::to_value(&alloc).unwrap();
    assert_eq!(api["TaskStates"]["web"]["LastRestart"], Value::Null);
    let go = serde_json::to_value(WithZeroTime(&alloc, ZeroTime::EncodingJson)).unwrap();
    assert_eq!(
        go["TaskStates"]["web"]["LastRestart"],
        "0001-01-01T00:00:00Z"
    );
    assert_eq!(ZeroTime::default(), ZeroTime::Null);
}

#[test]
fn null_events_and_absent_times_read_as_a_pending_task() {
    let task: TaskState = serde_json::from_str(
        r#"{"State": "pending", "Failed": false, "Restarts": 0, "LastRestart": null,
            "StartedAt": null, "FinishedAt": null, "Events": null}"#,
    )
    .unwrap();
    assert_eq!(task, TaskState::new());
    // A time that is neither null nor RFC 3339 is still refused, naming what was wanted.
    let error = serde_json::from_str::<TaskState>(r#"{"State": "pending", "StartedAt": 5}"#)
        .unwrap_err()
        .to_string();
    assert!(error.contains("an RFC 3339 time or null"), "{error}");
}
