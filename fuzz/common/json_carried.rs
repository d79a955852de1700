//! What Nomad's JSON carries of an event, a task state and an allocation, shared by the
//! fuzz targets that round-trip them.

use allocstate::{Allocation, Role, TaskEvent, TaskState, DEFAULT_KILL_TIMEOUT};
use serde::{de::DeserializeOwned, Serialize};

/// `value` written as JSON and read back: the value read and the JSON, once the value
/// read is checked to write the same JSON (a fixed point). What the two values must share
/// is the caller's to check, with the helpers below.
pub fn json_again<T: Serialize + DeserializeOwned>(value: &T) -> (T, String) {
    let json = serde_json::to_string(value).expect("the crate's values always serialize");
    let back: T =
        serde_json::from_str(&json).unwrap_or_else(|e| panic!("own JSON refused: {e}\n{json}"));
    assert_eq!(
        serde_json::to_string(&back).unwrap(),
        json,
        "JSON not a fixed point"
    );
    (back, json)
}

/// Whether `e` carries an override equal to its computed message (JSON drops it on the
/// way in, as documented: the message shown is the same).
pub fn override_is_computed(e: &TaskEvent) -> bool {
    e.display_message_override().is_some_and(|o| {
        e.clone()
            .with_display_message("")
            .display_message()
            .to_string()
            == o
    })
}

/// Equal in everything Nomad's JSON carries for an event. `a` is the value read back, `b`
/// the value written. JSON has no field for `is_truncated`, so an event cut on the way in
/// comes back with its cut text, unmarked; and an override equal to the computed message
/// is not kept (the message shown is the same).
pub fn same_carried(a: &TaskEvent, b: &TaskEvent) -> bool {
    if a == b {
        return true;
    }
    (b.is_truncated() || override_is_computed(b))
        && (!a.is_truncated() || b.is_truncated())
        && a.kind() == b.kind()
        && a.type_str() == b.type_str()
        && a.time() == b.time()
        && a.detail() == b.detail()
        && a.message() == b.message()
        && a.display_message().to_string() == b.display_message().to_string()
        && a.fails_task() == b.fails_task()
}

/// `back`, read from `json` (written from `task`), equals `task` in everything JSON
/// carries. JSON has no accepted-event count and no internal phase (only Nomad's
/// `State`), so the restored count is the number of events held and the phase is
/// re-inferred from `State` and the events; everything else (State, Failed, Restarts,
/// the three times, the events) is equal.
pub fn assert_state_carried(back: &TaskState, task: &TaskState, json: &str) {
    assert_eq!(back.state(), task.state(), "{json}");
    assert_eq!(back.failed(), task.failed(), "{json}");
    assert_eq!(back.restarts(), task.restarts(), "{json}");
    assert_eq!(back.last_restart(), task.last_restart(), "{json}");
    assert_eq!(back.started_at(), task.started_at(), "{json}");
    assert_eq!(back.finished_at(), task.finished_at(), "{json}");
    assert_eq!(back.events().len(), task.events().len(), "{json}");
    for (b, t) in back.events().iter().zip(task.events()) {
        assert!(
            same_carried(b, t),
            "JSON events differ\n{json}\n{b:?}\n{t:?}"
        );
    }
    // JSON carries no count: it is the events held, or one more when ten are held that
    // no fresh task could produce (older ones were evicted).
    let held = task.events().len() as u64;
    assert!(
        back.event_count() == held || (held == 10 && back.event_count() == 11),
        "{json}"
    );
    let lossy = task
        .events()
        .iter()
        .any(|e| e.is_truncated() || override_is_computed(e));
    if task.event_count() == task.events().len() as u64 && task.phase() == back.phase() && !lossy {
        assert_eq!(back, task, "{json}");
    }
}

/// `back`, read from `json` (written from `alloc`), equals `alloc` in everything JSON
/// carries: identity, indexes, desired and client status and description, the
/// server-set status, the task names in order and each task's state (as
/// [`assert_state_carried`]). JSON has no lifecycle block, so every task comes back
/// `main`, with the default kill timeout and no kill order applied.
pub fn assert_alloc_carried<const N: usize>(
    back: &Allocation<N>,
    alloc: &Allocation<N>,
    json: &str,
) {
    assert_eq!(back.identity(), alloc.identity(), "{json}");
    assert_eq!(back.create_index(), alloc.create_index(), "{json}");
    assert_eq!(back.modify_index(), alloc.modify_index(), "{json}");
    assert_eq!(back.desired_status(), alloc.desired_status(), "{json}");
    assert_eq!(
        back.desired_description(),
        alloc.desired_description(),
        "{json}"
    );
    assert_eq!(back.client_status(), alloc.client_status(), "{json}");
    assert_eq!(
        back.derived_client_status(),
        alloc.derived_client_status(),
        "{json}"
    );
    assert_eq!(back.server_status(), alloc.server_status(), "{json}");
    assert_eq!(
        back.client_description(),
        alloc.client_description(),
        "{json}"
    );
    assert!(
        back.tasks()
            .map(|t| t.name())
            .eq(alloc.tasks().map(|t| t.name())),
        "task names differ\n{json}"
    );
    for (b, a) in back.tasks().zip(alloc.tasks()) {
        assert_eq!(b.role(), Role::main(), "{json}");
        assert_eq!(b.kill_timeout(), DEFAULT_KILL_TIMEOUT, "{json}");
        assert!(!b.kill_ordered(), "{json}");
        assert_state_carried(b.state(), a.state(), json);
    }
}
