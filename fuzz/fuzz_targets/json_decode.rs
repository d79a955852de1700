//! `json_decode`: arbitrary bytes into serde_json's deserializer for `TaskState`,
//! `TaskEvent` and `Allocation<4>` never panic; an accepted value serializes to JSON that
//! parses back to a value equal in everything JSON carries (see `common/json_carried.rs`),
//! and that JSON is a fixed point (serializing again gives the same text).
//!
//! One documented exception to "equal": Nomad's JSON has no field for
//! `TaskEvent::is_truncated`. An event whose text was cut on the way in serializes its
//! cut strings, which fit, so the value read back is equal in every field JSON carries
//! (kind, time, detail, message, display override, FailsTask) but not marked truncated.

#![no_main]

use allocstate::{Allocation, TaskEvent, TaskState, MAX_EVENTS};
use libfuzzer_sys::fuzz_target;

#[path = "../common/json_carried.rs"]
mod json_carried;
use json_carried::{assert_alloc_carried, assert_state_carried, json_again, same_carried};

/// A state read from JSON already has the phase and count JSON gives, so reading its
/// JSON again gives them back too.
fn assert_same_state(back: &TaskState, task: &TaskState, json: &str) {
    assert_state_carried(back, task, json);
    assert_eq!(back.phase(), task.phase(), "{json}");
    assert_eq!(back.event_count(), task.event_count(), "{json}");
}

fuzz_target!(|bytes: &[u8]| {
    if let Ok(task) = serde_json::from_slice::<TaskState>(bytes) {
        assert!(task.events().len() <= MAX_EVENTS);
        assert!(task.event_count() >= task.events().len() as u64);
        let (back, json) = json_again(&task);
        assert_same_state(&back, &task, &json);
        // And through the compact format, exactly.
        let mut buf = [0u8; TaskState::POSTCARD_MAX_SIZE];
        let bytes = task
            .to_postcard(&mut buf)
            .expect("POSTCARD_MAX_SIZE suffices");
        assert_eq!(TaskState::from_postcard(bytes).as_ref(), Ok(&task));
    }
    if let Ok(event) = serde_json::from_slice::<TaskEvent>(bytes) {
        let (back, json) = json_again(&event);
        assert!(
            same_carried(&back, &event),
            "JSON round trip differs\n{json}\n{event:?}\n{back:?}"
        );
        let _ = event.display_message().to_string();
    }
    if let Ok(alloc) = serde_json::from_slice::<Allocation<4>>(bytes) {
        let (back, json) = json_again(&alloc);
        assert_alloc_carried(&back, &alloc, &json);
        for (b, a) in back.tasks().zip(alloc.tasks()) {
            assert_same_state(b.state(), a.state(), &json);
        }
        // And through the compact format, exactly.
        let mut buf = [0u8; Allocation::<4>::POSTCARD_MAX_SIZE];
        let bytes = alloc
            .to_postcard(&mut buf)
            .expect("POSTCARD_MAX_SIZE suffices");
        assert_eq!(Allocation::<4>::from_postcard(bytes).as_ref(), Ok(&alloc));
    }
});
