//! Stack budgets of the public operations `budgets.rs` does not measure: the rebuild from
//! parts here, the rest of the API in `budgets_api.rs`, so that every public operation is
//! measured on the target. Same rules as `budgets.rs` (its `charge` and `Limit`).

use core::hint::black_box;
use core::mem::size_of;

use allocstate::{TaskEvent, TaskState, TaskStateParts, WireState, MAX_EVENTS};

use super::{charge, full_task, Limit, TASK_BUDGET};
use crate::checks::{Memory, Tally};

pub fn run(tally: &mut Tally, memory: &mut Memory) {
    from_parts(tally, memory);
    // The rest of the API: on the M4F only, where the budgets are checked (the other
    // machines' flash does not hold these measurements beside their checks).
    #[cfg(budgets)]
    super::api::run(tally, memory);
}

/// Ten events (texts full) taken out of a full task, for a rebuild by value.
#[inline(never)]
fn ten_events(task: &TaskState) -> [TaskEvent; MAX_EVENTS] {
    let mut held = task.events().iter();
    core::array::from_fn(|_| held.next().cloned().unwrap_or(TaskEvent::received(0)))
}

/// `TaskState::from_parts` and `from_parts_into` on the ten events of a full task, its
/// texts full, without a count (so the held events are walked twice: first as a whole
/// history, which fails, then after evicted ones).
#[inline(never)]
fn from_parts(tally: &mut Tally, memory: &mut Memory) {
    #[cfg(budgets)]
    covers! {
        events::TaskState { from_parts, from_parts_into }
        events::TaskStateParts { new }
    }
    const T: usize = TASK_BUDGET;
    let task = &mut *memory.task;
    let spare = &mut *memory.spare;
    full_task(task);
    let parts = TaskStateParts::new(WireState::Running);
    let read = charge(
        tally,
        "TaskState::from_parts_into (ten events, cloned)",
        Limit::Budget(T),
        || {
            black_box(
                TaskState::from_parts_into(
                    black_box(parts),
                    task.events().iter().cloned(),
                    &mut *spare,
                )
                .is_ok(),
            )
        },
    );
    tally.check(
        read && spare.events().iter().eq(task.events().iter()) && spare.phase() == task.phase(),
        format_args!("TaskState::from_parts_into rebuilds the state"),
    );
    let events = ten_events(task);
    charge(
        tally,
        "TaskState::from_parts_into (an array of ten by value)",
        Limit::BeyondInput {
            budget: T,
            value: 0,
            input: size_of::<[TaskEvent; MAX_EVENTS]>(),
        },
        move || {
            black_box(TaskState::from_parts_into(black_box(parts), events, &mut *spare).is_ok())
        },
    );
    // By value: the result is the caller's (about 1.5 KB), too big for the micro:bit's
    // 16 KiB next to the firmware's buffers.
    #[cfg(alloc_ram)]
    {
        // The result kept whole in the measured frame, as a caller that uses it does
        // (see `charge_kept`): within budget, unlike the by-value decoders.
        charge(
            tally,
            "TaskState::from_parts (by value, ten events cloned)",
            Limit::Beyond {
                budget: T,
                value: size_of::<Result<TaskState, allocstate::TaskStateError>>(),
            },
            || {
                let result = TaskState::from_parts(black_box(parts), task.events().iter().cloned());
                black_box(&result);
                result.is_ok()
            },
        );
        let events = ten_events(task);
        charge(
            tally,
            "TaskState::from_parts (by value, an array of ten by value)",
            Limit::BeyondInput {
                budget: T,
                value: size_of::<Result<TaskState, allocstate::TaskStateError>>(),
                input: size_of::<[TaskEvent; MAX_EVENTS]>(),
            },
            move || {
                let result = TaskState::from_parts(black_box(parts), events);
                black_box(&result);
                result.is_ok()
            },
        );
    }
}
