//! `TaskState::deserialize_into`'s stack for every event kind: the JSON event reader's
//! depth depends on the kind (which texts it keeps, which `DisplayMessage` it computes and
//! compares), so one task state of driver events does not show the deepest. For each kind
//! a state holding an event of that kind at its longest (`tests/common/loaded_events.rs`)
//! is written with serde-json-core and read back in place.

use core::fmt::Write;
use core::hint::black_box;

use allocstate::{EventKind, TaskState};

use crate::budgets::{charge, Limit};
use crate::checks::{Memory, Tally};
use crate::loaded_events::place;

/// Measures the JSON read in place of a state holding each kind; one check per kind.
pub fn run(tally: &mut Tally, memory: &mut Memory, budget: usize) {
    let task = &mut *memory.task;
    let spare = &mut *memory.spare;
    let json = &mut *memory.json;
    let unescape = &mut *memory.unescape;
    for &kind in EventKind::ALL {
        let name = kind.type_str().unwrap_or("Unknown");
        if !place(task, kind) {
            tally.check(false, format_args!("a task state holds a {name} event"));
            continue;
        }
        let len = serde_json_core::to_slice(&*task, &mut *json).unwrap_or(0);
        let text = json.get(..len).unwrap_or(&[]);
        let mut label = heapless::String::<96>::new();
        let _ = write!(
            label,
            "TaskState::deserialize_into (serde-json-core), holding {name}"
        );
        let read = charge(tally, &label, Limit::Budget(budget), || {
            let mut de =
                serde_json_core::de::Deserializer::new(black_box(text), Some(&mut *unescape));
            TaskState::deserialize_into(&mut de, &mut *spare).is_ok() && de.end().is_ok()
        });
        tally.check(
            read && spare.events().iter().eq(task.events().iter()),
            format_args!("a task state holding a {name} event is read back from JSON"),
        );
    }
}
