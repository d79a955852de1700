//! `json_decode`: arbitrary bytes into serde_json's deserializer for `TaskState` and
//! `TaskEvent` never panic; an accepted value serializes to JSON that parses back to an
//! equal value, and that JSON is a fixed point (serializing again gives the same text).
//!
//! One documented exception to "equal": Nomad's JSON has no field for
//! `TaskEvent::is_truncated`. An event whose text was cut on the way in serializes its
//! cut strings, which fit, so the value read back is equal in every field JSON carries
//! (kind, time, detail, message, display override, FailsTask) but not marked truncated.

#![no_main]

use allocstate::{TaskEvent, TaskState, MAX_EVENTS};
use libfuzzer_sys::fuzz_target;

/// The one known JSON defect, tolerated so fuzzing goes on (open bug, see
/// `long_computed_display_message_survives_json` in `tests/fuzz_regressions.rs`): an event
/// with no override whose computed `DisplayMessage` is longer than the text capacity comes
/// back from JSON with that message, cut, as an override, and marked truncated.
fn long_computed_display(e: &TaskEvent) -> bool {
    e.display_message_override().is_none()
        && e.display_message().to_string().len() > allocstate::EVENT_TEXT_CAPACITY
}

/// Whether `e` carries an override equal to its computed message (JSON drops it on the
/// way in, as documented: the message shown is the same).
fn override_is_computed(e: &TaskEvent) -> bool {
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
fn same_carried(a: &TaskEvent, b: &TaskEvent) -> bool {
    if long_computed_display(b) && a != b {
        // The cut message comes back as an override, or as nothing when the event's own
        // strings already fill the capacity; either way the event is marked truncated.
        let shown = b.display_message().to_string();
        return a.is_truncated()
            && a.display_message_override()
                .is_none_or(|o| shown.starts_with(o))
            && a.kind() == b.kind()
            && a.time() == b.time()
            && a.detail() == b.detail()
            && a.message() == b.message()
            && a.fails_task() == b.fails_task();
    }
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

fn same_state(a: &TaskState, b: &TaskState) -> bool {
    if a == b {
        return true;
    }
    a.phase() == b.phase()
        && a.failed() == b.failed()
        && a.restarts() == b.restarts()
        && a.last_restart() == b.last_restart()
        && a.started_at() == b.started_at()
        && a.finished_at() == b.finished_at()
        && a.event_count() == b.event_count()
        && a.events().len() == b.events().len()
        && a.events()
            .iter()
            .zip(b.events())
            .all(|(x, y)| same_carried(x, y))
}

fuzz_target!(|bytes: &[u8]| {
    if let Ok(task) = serde_json::from_slice::<TaskState>(bytes) {
        assert!(task.events().len() <= MAX_EVENTS);
        assert!(task.event_count() >= task.events().len() as u64);
        let json = serde_json::to_string(&task).expect("a state always serializes");
        let back: TaskState =
            serde_json::from_str(&json).unwrap_or_else(|e| panic!("own JSON refused: {e}\n{json}"));
        assert!(
            same_state(&back, &task),
            "JSON round trip differs\n{json}\n{task:?}\n{back:?}"
        );
        if !task.events().iter().any(long_computed_display) {
            assert_eq!(serde_json::to_string(&back).unwrap(), json);
        }
        // And through the compact format, exactly.
        let mut buf = [0u8; TaskState::POSTCARD_MAX_SIZE];
        let bytes = task
            .to_postcard(&mut buf)
            .expect("POSTCARD_MAX_SIZE suffices");
        assert_eq!(TaskState::from_postcard(bytes).as_ref(), Ok(&task));
    }
    if let Ok(event) = serde_json::from_slice::<TaskEvent>(bytes) {
        let json = serde_json::to_string(&event).expect("an event always serializes");
        let back: TaskEvent =
            serde_json::from_str(&json).unwrap_or_else(|e| panic!("own JSON refused: {e}\n{json}"));
        assert!(
            same_carried(&back, &event),
            "JSON round trip differs\n{json}\n{event:?}\n{back:?}"
        );
        if !long_computed_display(&event) {
            assert_eq!(serde_json::to_string(&back).unwrap(), json);
        }
        let _ = event.display_message().to_string();
    }
});
