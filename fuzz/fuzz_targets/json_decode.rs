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

#[path = "../common/json_carried.rs"]
mod json_carried;
use json_carried::same_carried;

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
        assert_eq!(serde_json::to_string(&back).unwrap(), json);
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
        assert_eq!(serde_json::to_string(&back).unwrap(), json);
        let _ = event.display_message().to_string();
    }
});
