//! Fixed-memory budgets: deterministic, so they are tests.

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
