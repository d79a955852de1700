//! Decoding into caller-provided storage: the same result as decoding by value, and on any
//! error the storage is left empty (`new()`), never half decoded, whatever it held before.

use allocstate::{Allocation, TaskEvent, TaskState};

mod common;
use common::{largest_task_state, modern};

fn busy_task() -> TaskState {
    let mut task = TaskState::new();
    task.apply(TaskEvent::received(1)).unwrap();
    task.apply(TaskEvent::started(2)).unwrap();
    task
}

/// JSON read into `slot` in place.
fn alloc_json_into(json: &[u8], slot: &mut Allocation<4>) -> Result<(), serde_json::Error> {
    Allocation::deserialize_into(&mut serde_json::Deserializer::from_slice(json), slot)
}

/// JSON read into `slot` in place.
fn task_json_into(json: &[u8], slot: &mut TaskState) -> Result<(), serde_json::Error> {
    TaskState::deserialize_into(&mut serde_json::Deserializer::from_slice(json), slot)
}

/// The refusal of a document that repeats `field`.
fn assert_duplicate(error: serde_json::Error, field: &str) {
    let expected = format!("duplicate field `{field}`");
    assert!(error.to_string().contains(&expected), "{error}");
}

#[test]
fn a_task_state_decoded_in_place_equals_the_one_decoded_by_value() {
    let task = largest_task_state();
    let mut buf = [0u8; TaskState::POSTCARD_MAX_SIZE];
    let bytes = task.to_postcard(&mut buf).unwrap();
    let mut slot = busy_task();
    TaskState::from_postcard_into(bytes, &mut slot).unwrap();
    assert_eq!(slot, task);
    assert_eq!(TaskState::from_postcard(bytes).unwrap(), slot);
}

#[test]
fn every_truncation_or_extension_leaves_the_task_slot_new() {
    let task = largest_task_state();
    let mut buf = [0u8; TaskState::POSTCARD_MAX_SIZE + 1];
    let len = task.to_postcard(&mut buf).unwrap().len();
    for cut in 0..len {
        let mut slot = busy_task();
        assert!(
            TaskState::from_postcard_into(&buf[..cut], &mut slot).is_err(),
            "{cut}"
        );
        assert_eq!(slot, TaskState::new(), "cut at {cut}");
    }
    let mut slot = busy_task();
    assert!(TaskState::from_postcard_into(&buf[..len + 1], &mut slot).is_err());
    assert_eq!(slot, TaskState::new());
}

#[test]
fn an_allocation_decoded_in_place_equals_the_one_decoded_by_value() {
    let alloc = modern();
    let mut buf = vec![0u8; Allocation::<4>::POSTCARD_MAX_SIZE];
    let bytes = alloc.to_postcard(&mut buf).unwrap();
    let mut slot = modern();
    slot.set_desired(allocstate::DesiredStatus::Stop, "x")
        .unwrap();
    Allocation::from_postcard_into(bytes, &mut slot).unwrap();
    assert_eq!(slot, alloc);
    assert_eq!(Allocation::<4>::from_postcard(bytes).unwrap(), slot);
}

#[test]
fn every_truncation_leaves_the_allocation_slot_empty() {
    let alloc = modern();
    let mut buf = vec![0u8; Allocation::<4>::POSTCARD_MAX_SIZE];
    let len = alloc.to_postcard(&mut buf).unwrap().len();
    for cut in 0..len {
        let mut slot = modern();
        assert!(Allocation::from_postcard_into(&buf[..cut], &mut slot).is_err());
        assert_eq!(slot, Allocation::new(), "cut at {cut}");
    }
}

#[test]
fn json_in_place_matches_json_by_value_and_an_error_leaves_the_slot_empty() {
    let alloc = modern();
    let json = serde_json::to_vec(&alloc).unwrap();
    let mut slot = modern();
    alloc_json_into(&json, &mut slot).unwrap();
    assert_eq!(
        slot,
        serde_json::from_slice::<Allocation<4>>(&json).unwrap()
    );

    let twice = br#"{"TaskStates": {}, "TaskStates": {}}"#;
    let error = alloc_json_into(twice, &mut slot).unwrap_err();
    assert_duplicate(error, "TaskStates");
    assert_eq!(slot, Allocation::new());

    let contradiction = br#"{"State": "pending", "Events": [{"Type": "Started", "Time": 1}]}"#;
    let mut task = busy_task();
    assert!(task_json_into(contradiction, &mut task).is_err());
    assert_eq!(task, TaskState::new());
}

#[test]
fn a_repeated_events_field_is_refused_and_leaves_the_slot_new() {
    let json = br#"{"State": "running",
        "Events": [{"Type": "Received", "Time": 1}, {"Type": "Started", "Time": 2}],
        "Events": [{"Type": "Started", "Time": 5}]}"#;
    let mut task = largest_task_state();
    let error = task_json_into(json, &mut task).unwrap_err();
    assert_duplicate(error, "Events");
    assert_eq!(task, TaskState::new());
}

#[test]
fn reset_and_clear_give_new_values() {
    let mut task = largest_task_state();
    task.reset();
    assert_eq!(task, TaskState::new());
    let mut alloc = modern();
    alloc.clear();
    assert_eq!(alloc, Allocation::new());
    assert!(alloc.add_task("web", allocstate::Role::main()).is_ok());
}
