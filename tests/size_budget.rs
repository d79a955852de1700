//! Fixed-memory budgets: deterministic, so they are tests.

mod common;

use allocstate::{TaskEvent, TaskState};

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
         size_of::<TaskEvent>() = {}",
        allocstate::EVENT_TEXT_CAPACITY,
        core::mem::size_of::<TaskEvent>(),
    );
    assert!(size <= TASK_STATE_BUDGET, "TaskState is {size} bytes");
}

/// The compact encoding's bound fits the same budget at every text capacity.
#[cfg(feature = "serde")]
#[test]
fn postcard_bound_fits_the_task_state_budget() {
    println!("POSTCARD_MAX_SIZE = {}", TaskState::POSTCARD_MAX_SIZE);
    const { assert!(TaskState::POSTCARD_MAX_SIZE <= TASK_STATE_BUDGET) };
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

/// The runner of an 8-task group: the allocation plus, per task, its restart tracker,
/// settings and place, and the command buffer. Most of it is the allocation's task
/// states (ten events each); the runner's own part is small.
#[test]
fn runner_fits_in_its_budget() {
    use allocstate::runner::{Command, Runner};
    use allocstate::Allocation;
    let runner = core::mem::size_of::<Runner<8>>();
    let alloc = core::mem::size_of::<Allocation<8>>();
    let own = runner - alloc;
    println!(
        "size_of::<Runner<8>>() = {runner}, of which Allocation<8> = {alloc}, the runner's own = {own} \
         ({} per task); size_of::<Command>() = {}; size_of::<Runner<1>>() = {}",
        own / 8,
        core::mem::size_of::<Command>(),
        core::mem::size_of::<Runner<1>>()
    );
    // Per task: its slot (settings, restart tracker, place: 160 bytes), its driver handle
    // (64 bytes and a length: 72) and one command.
    let command = core::mem::size_of::<Command>();
    assert!(command <= 48, "a command is {command} bytes");
    // A step: at most one command per task, and the wake-up.
    let step = core::mem::size_of::<allocstate::runner::Step<8>>();
    println!("size_of::<Step<8>>() = {step}");
    assert!(step <= 8 * 48 + 32, "a step is {step} bytes");
    assert!(
        own <= 8 * (160 + 72 + 48) + 64,
        "the runner's own part is {own} bytes"
    );
}

/// The persisted form of a full runner fits the bound and is smaller than the runner.
#[cfg(feature = "serde")]
#[test]
fn runner_postcard_bound_is_below_its_size() {
    use allocstate::runner::Runner;
    let bound = Runner::<8>::POSTCARD_MAX_SIZE;
    println!("Runner::<8>::POSTCARD_MAX_SIZE = {bound}");
    assert!(bound < core::mem::size_of::<Runner<8>>());
}
