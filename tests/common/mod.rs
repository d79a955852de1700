//! Helpers shared by the integration tests.
#![allow(dead_code)] // each test file uses its own subset

use allocstate::{
    Detail, Phase, TaskEvent, TaskState, TaskStateParts, WireState, EVENT_TEXT_CAPACITY, MAX_EVENTS,
};
use serde_json::Value;

/// Keeps only the keys `like` has, recursively.
pub fn project(value: &Value, like: &Value) -> Value {
    match (value, like) {
        (Value::Object(v), Value::Object(l)) => Value::Object(
            l.iter()
                .map(|(k, lv)| (k.clone(), project(&v[k], lv)))
                .collect(),
        ),
        (Value::Array(v), Value::Array(l)) => {
            Value::Array(v.iter().zip(l).map(|(a, b)| project(a, b)).collect())
        }
        (v, _) => v.clone(),
    }
}

/// The task state whose compact encoding is the largest the format allows: every varint
/// at its longest (times `i64::MIN`, `Restarts` and the event count `u64::MAX`, exit code
/// and signal `i32::MIN`), ten events of the kind with the most bytes of numbers and
/// string prefixes (`Terminated`: two `i32`, an `Option<bool>`, two strings), and every
/// event's text full (all `EVENT_TEXT_CAPACITY` bytes in its message).
pub fn largest_task_state() -> TaskState {
    let text = "x".repeat(EVENT_TEXT_CAPACITY);
    let event = TaskEvent::new(
        i64::MIN,
        Detail::Terminated {
            exit_code: i32::MIN,
            signal: i32::MIN,
            oom_killed: Some(true),
        },
    )
    .with_message(&text)
    .with_fails_task();
    assert!(!event.is_truncated());
    let parts = TaskStateParts {
        state: WireState::Dead,
        phase: Some(Phase::Dead),
        failed: Some(true),
        restarts: Some(u64::MAX),
        last_restart: Some(Some(i64::MIN)),
        started_at: Some(Some(i64::MIN)),
        finished_at: Some(Some(i64::MIN)),
        event_count: Some(u64::MAX),
    };
    let task = TaskState::from_parts(parts, core::iter::repeat_n(event, MAX_EVENTS))
        .expect("a state the machine could reach");
    assert_eq!(task.events().len(), MAX_EVENTS);
    task
}
