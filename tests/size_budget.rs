//! Fixed-memory budgets: deterministic, so they are tests.

use allocstate::{
    Detail, Phase, TaskEvent, TaskState, TaskStateParts, WireState, EVENT_TEXT_CAPACITY, MAX_EVENTS,
};

#[test]
fn task_state_fits_in_1536_bytes() {
    let size = core::mem::size_of::<TaskState>();
    println!(
        "size_of::<TaskState>() = {size}, size_of::<TaskEvent>() = {}",
        core::mem::size_of::<TaskEvent>()
    );
    assert!(size <= 1536, "TaskState is {size} bytes");
}

/// The task state whose compact encoding is the largest the format allows: every varint
/// at its longest (times `i64::MIN`, `Restarts` and the event count `u64::MAX`, exit code
/// and signal `i32::MIN`), ten events of the kind with the most bytes of numbers and
/// string prefixes (`Terminated`: two `i32`, an `Option<bool>`, two strings), and every
/// event's text full (all 112 bytes in its message).
fn largest_task_state() -> TaskState {
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

/// The postcard bound of a full task state is at most a quarter of the same state's
/// Nomad JSON. The state built here reaches the bound exactly.
#[test]
fn postcard_bound_is_at_most_a_quarter_of_nomad_json() {
    let task = largest_task_state();
    let mut buf = [0u8; TaskState::POSTCARD_MAX_SIZE];
    let postcard = task.to_postcard(&mut buf).expect("within the bound").len();
    let json = serde_json::to_vec(&task).unwrap().len();
    println!(
        "largest task state: postcard {postcard} bytes (bound POSTCARD_MAX_SIZE = {}), \
         Nomad JSON {json} bytes, bound/JSON = {:.3}",
        TaskState::POSTCARD_MAX_SIZE,
        TaskState::POSTCARD_MAX_SIZE as f64 / json as f64
    );
    assert_eq!(postcard, TaskState::POSTCARD_MAX_SIZE, "the bound is tight");
    assert!(
        4 * TaskState::POSTCARD_MAX_SIZE <= json,
        "POSTCARD_MAX_SIZE = {} is more than a quarter of the JSON ({json} bytes)",
        TaskState::POSTCARD_MAX_SIZE
    );
}
