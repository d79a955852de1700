//! Fixed-memory budgets: deterministic, so they are tests.

mod common;

use allocstate::{TaskEvent, TaskState};
use common::largest_task_state;

/// The budget of one task state for each text capacity: 1536 bytes at the default; with a
/// larger capacity, ten events of their text and 48 bytes each, and 128 for the rest.
const TASK_STATE_BUDGET: usize = match allocstate::EVENT_TEXT_CAPACITY {
    107 => 1536,
    capacity => 10 * (capacity + 48) + 128,
};

#[test]
fn task_state_fits_its_budget() {
    let size = core::mem::size_of::<TaskState>();
    println!(
        "capacity {}: size_of::<TaskState>() = {size} (budget {TASK_STATE_BUDGET}), \
         size_of::<TaskEvent>() = {}, POSTCARD_MAX_SIZE = {}",
        allocstate::EVENT_TEXT_CAPACITY,
        core::mem::size_of::<TaskEvent>(),
        TaskState::POSTCARD_MAX_SIZE
    );
    assert!(size <= TASK_STATE_BUDGET, "TaskState is {size} bytes");
    const { assert!(TaskState::POSTCARD_MAX_SIZE <= TASK_STATE_BUDGET) };
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
    // Beyond the text itself (ten events' worth), the compact overhead is at most a
    // quarter of JSON's, whatever the capacity; at the default, the whole bound is.
    let text = 10 * allocstate::EVENT_TEXT_CAPACITY;
    assert!(
        4 * (TaskState::POSTCARD_MAX_SIZE - text) <= json - text,
        "POSTCARD_MAX_SIZE = {} is more than a quarter of the JSON ({json} bytes) beyond the text",
        TaskState::POSTCARD_MAX_SIZE
    );
    if allocstate::EVENT_TEXT_CAPACITY == 107 {
        assert!(
            4 * TaskState::POSTCARD_MAX_SIZE <= json,
            "POSTCARD_MAX_SIZE = {} is more than a quarter of the JSON ({json} bytes)",
            TaskState::POSTCARD_MAX_SIZE
        );
    }
}
