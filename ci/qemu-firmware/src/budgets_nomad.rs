//! Stack budgets of the reading mode (`allocstate::nomad`) beyond what `budgets.rs`
//! measures on the allocation's JSON (reading it in place, its divergences, writing it
//! back): every accessor of an allocation, its tasks and their states, the rules, a task
//! state's own JSON read and written, and the constructors. Same rules as `budgets.rs`;
//! on the M4F only.

use core::fmt::Write;
use core::hint::black_box;
use core::mem::size_of;

use allocstate::nomad::{NomadAllocation, NomadTaskState};
use allocstate::{IdentityField, Phase};

use crate::budgets::{charge, charge_kept, Limit, Void, ALLOC_BUDGET};
use crate::checks::Tally;

const A: usize = ALLOC_BUDGET;

/// `nomad` holds the allocation `budgets.rs` read; `buffer` and `unescape` are the
/// caller's JSON buffers.
pub fn run(
    tally: &mut Tally,
    nomad: &mut NomadAllocation<8>,
    buffer: &mut [u8],
    unescape: &mut [u8],
) {
    covers! {
        json::NomadAllocation {
            new, Default, identity, identity_cut, id, name, node_id, job_id, task_group,
            desired_status, desired_description, client_status, client_description, text_cut,
            create_index, modify_index, create_time, modify_time, tasks, task, divergences,
            Deserialize,
        }
        json::NomadTask { name, state }
        json::NomadTaskState {
            new, Default, state, failed, restarts, last_restart, started_at, finished_at,
            events, divergences, deserialize_into, Serialize, Deserialize,
        }
        json::Rule { kind, was_in, Display }
    }
    let nomad = &*nomad;
    charge(
        tally,
        "NomadAllocation<8>, NomadTask, NomadTaskState, Rule: accessors",
        Limit::Budget(A),
        || {
            black_box((
                nomad.identity(),
                nomad.id(),
                nomad.name(),
                nomad.node_id(),
                nomad.job_id(),
                nomad.task_group(),
                nomad.desired_status(),
                nomad.desired_description(),
                nomad.client_status(),
                nomad.client_description(),
                nomad.text_cut(black_box("ClientDescription")),
                nomad.create_index(),
                nomad.modify_index(),
                nomad.create_time(),
                nomad.modify_time(),
            ));
            for field in IdentityField::ALL {
                black_box(nomad.identity_cut(field));
            }
            for task in nomad.tasks() {
                let state = task.state();
                black_box((
                    task.name(),
                    state.state(),
                    state.failed(),
                    state.restarts(),
                    state.last_restart(),
                    state.started_at(),
                    state.finished_at(),
                    state.events().len(),
                ));
                for found in state.divergences() {
                    let rule = found.rule;
                    black_box((rule.kind(), rule.was_in(black_box(Phase::Dead))));
                    let _ = write!(Void, "{rule}");
                }
            }
            black_box(nomad.task(black_box("h")).is_some())
        },
    );
    // One task's state through its own JSON: written, then read in place and by value.
    let mut state = NomadTaskState::new();
    let len = nomad.tasks().first().map_or(0, |task| {
        serde_json_core::to_slice(task.state(), &mut *buffer).unwrap_or(0)
    });
    let text = buffer.get(..len).unwrap_or(&[]);
    let read = charge(
        tally,
        "NomadTaskState::deserialize_into (serde-json-core)",
        Limit::Budget(A),
        || {
            let mut de =
                serde_json_core::de::Deserializer::new(black_box(text), Some(&mut *unescape));
            NomadTaskState::deserialize_into(&mut de, &mut state).is_ok() && de.end().is_ok()
        },
    );
    tally.check(
        len > 0 && read && state.events().len() == 2,
        format_args!("NomadTaskState JSON read in place with serde-json-core ({len} B)"),
    );
    charge_kept(
        tally,
        "NomadTaskState JSON read by value (serde_json_core::from_slice_escaped)",
        (A, 0),
        || serde_json_core::from_slice_escaped::<NomadTaskState>(black_box(text), &mut *unescape),
    );
    let value = size_of::<NomadTaskState>();
    charge(
        tally,
        "NomadTaskState::new (by value)",
        Limit::Beyond { budget: A, value },
        || {
            let made = NomadTaskState::new();
            black_box(&made).events().len()
        },
    );
    charge(
        tally,
        "NomadTaskState::default (by value)",
        Limit::Beyond { budget: A, value },
        || {
            let made = NomadTaskState::default();
            black_box(&made).events().len()
        },
    );
    let value = size_of::<NomadAllocation<8>>();
    charge(
        tally,
        "NomadAllocation<8>::new (by value)",
        Limit::Beyond { budget: A, value },
        || {
            let made = NomadAllocation::<8>::new();
            black_box(&made).tasks().len()
        },
    );
    charge(
        tally,
        "NomadAllocation<8>::default (by value)",
        Limit::Beyond { budget: A, value },
        || {
            let made = NomadAllocation::<8>::default();
            black_box(&made).tasks().len()
        },
    );
    let len = serde_json_core::to_slice(nomad, &mut *buffer).unwrap_or(0);
    let text = buffer.get(..len).unwrap_or(&[]);
    charge_kept(
        tally,
        "NomadAllocation<8> JSON read by value (serde_json_core::from_slice_escaped)",
        (A, 0),
        || {
            serde_json_core::from_slice_escaped::<NomadAllocation<8>>(
                black_box(text),
                &mut *unescape,
            )
        },
    );
}
