//! Fixed-memory budgets: deterministic, so they are tests.

mod common;

use allocstate::{TaskEvent, TaskState};

#[test]
fn task_state_fits_in_1536_bytes() {
    let size = core::mem::size_of::<TaskState>();
    println!(
        "size_of::<TaskState>() = {size}, size_of::<TaskEvent>() = {}",
        core::mem::size_of::<TaskEvent>()
    );
    assert!(size <= 1536, "TaskState is {size} bytes");
}

/// The postcard bound of a full task state is at most a quarter of the same state's
/// Nomad JSON. The state built here reaches the bound exactly.
#[cfg(feature = "serde")]
#[test]
fn postcard_bound_is_at_most_a_quarter_of_nomad_json() {
    let task = common::largest_task_state();
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
