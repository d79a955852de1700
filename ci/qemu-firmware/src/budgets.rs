//! Stack budgets: every operation measured on the target from the caller's frame down.
//! What an operation works on lives in a static (the caller's storage), so what is
//! measured is what the operation itself needs. A decoder that returns its result by
//! value is charged for the stack beyond the returned value's own bytes (the caller's
//! slot for it); the in-place decoders return nothing.

use core::fmt::Write;
use core::hint::black_box;

use allocstate::restart::{RestartOutcome, RestartReason};
#[cfg(alloc_ram)]
use allocstate::{AllocIdentity, Allocation, DesiredStatus, Role};
use allocstate::{ClientStatus, TaskEvent, TaskState, EVENT_TEXT_CAPACITY};

use crate::checks::{Memory, Tally};
use crate::{out, stack};

/// Every `TaskState` operation, its postcard and JSON decoders included.
pub const TASK_BUDGET: usize = 2048;
/// Every `Allocation<8>` operation, both decoders included, beyond the allocation.
#[cfg(alloc_ram)]
pub const ALLOC_BUDGET: usize = 4096;

/// What a measurement is held to.
#[derive(Clone, Copy)]
pub(crate) enum Limit {
    /// The operation's budget.
    Budget(usize),
    /// A decoder that returns its result by value: the budget is for the stack beyond the
    /// `value` bytes of the result itself.
    #[cfg_attr(not(budgets), allow(dead_code))]
    Beyond { budget: usize, value: usize },
    /// An operation that takes its input by value: the budget is for the stack beyond the
    /// `input` bytes of the one copy that consumes it (an array's iterator owns the array)
    /// and the `value` bytes of a result returned by value (0 if none).
    #[cfg_attr(not(budgets), allow(dead_code))]
    BeyondInput {
        budget: usize,
        value: usize,
        input: usize,
    },
    /// A by-value operation documented as host-only (its rustdoc names the in-place call
    /// to use on a small target): measured beyond the `input` bytes it takes by value (0
    /// if none) and the `value` bytes of its result, and printed beside the in-place
    /// `budget` it is not held to.
    #[cfg_attr(not(alloc_ram), allow(dead_code))]
    HostOnly {
        budget: usize,
        value: usize,
        input: usize,
    },
}
use Limit::Budget;

/// A `fmt::Write` that drops everything.
pub(crate) struct Void;

impl Write for Void {
    fn write_str(&mut self, _: &str) -> core::fmt::Result {
        Ok(())
    }
}

/// Measures `f`'s stack; the part beyond `returned` bytes is held to `budget` (checked on
/// thumbv7em, the figures the crate documents; printed elsewhere).
pub(crate) fn charge<R>(tally: &mut Tally, name: &str, limit: Limit, f: impl FnOnce() -> R) -> R {
    let (result, used) = stack::measure(f);
    judge(tally, name, limit, used);
    result
}

/// Measures a decoder that returns its result by value as a caller that keeps the value
/// does: the whole `Result` lies in the measured frame (`black_box(&result)`), and the
/// stack beyond its bytes is printed beside `budget` (host-only: see docs/on-target.md).
/// Looking only at `is_ok` let LLVM drop the copies of the value that a caller using it
/// pays for (the figures printed before were 14 KB too low for an `Allocation<8>`).
/// `input` is the bytes of what the operation takes by value (0 if nothing), not charged
/// either. Returns whether it decoded.
#[cfg(alloc_ram)]
pub(crate) fn charge_kept<T, E>(
    tally: &mut Tally,
    name: &str,
    (budget, input): (usize, usize),
    f: impl FnOnce() -> Result<T, E>,
) -> bool {
    let value = core::mem::size_of::<Result<T, E>>();
    let limit = Limit::HostOnly {
        budget,
        value,
        input,
    };
    charge(tally, name, limit, || {
        let result = f();
        black_box(&result);
        result.is_ok()
    })
}

/// Holds `used` bytes of stack, measured for `name`, to `limit` (see [`charge`]).
fn judge(tally: &mut Tally, name: &str, limit: Limit, used: usize) {
    match limit {
        _ if !cfg!(budgets) => out::line(format_args!("     stack {name}: {used} B")),
        Limit::Budget(budget) => tally.check(
            used <= budget,
            format_args!("stack {name}: {used} B (budget {budget} B)"),
        ),
        Limit::Beyond { budget, value } => tally.check(
            used.saturating_sub(value) <= budget,
            format_args!(
                "stack {name}: {used} B, {} B beyond the {value} B result (budget {budget} B)",
                used.saturating_sub(value)
            ),
        ),
        Limit::HostOnly {
            budget,
            value,
            input,
        } => {
            let beyond = used.saturating_sub(value + input);
            let input_too = if input > 0 { "the input and " } else { "" };
            out::line(format_args!(
                "     stack {name}: {used} B, {beyond} B beyond {input_too}the {value} B result (host-only: not held to the {budget} B budget)"
            ))
        }
        Limit::BeyondInput {
            budget,
            value,
            input,
        } => {
            let beyond = used.saturating_sub(value + input);
            tally.check(
                beyond <= budget,
                format_args!(
                    "stack {name}: {used} B, {beyond} B beyond the {input} B input and the {value} B result (budget {budget} B)"
                ),
            )
        }
    }
}

/// Two texts that together fill an event's text capacity, untruncated; on the micro:bit
/// half that, so that a full task's JSON fits its smaller buffer.
fn half_text() -> heapless::String<EVENT_TEXT_CAPACITY> {
    let length = if cfg!(alloc_ram) {
        EVENT_TEXT_CAPACITY / 2
    } else {
        EVENT_TEXT_CAPACITY / 4
    };
    let mut text = heapless::String::new();
    while text.len() < length && text.push('x').is_ok() {}
    text
}

/// A task with a full ring, every event's text filled.
#[inline(never)]
fn full_task(task: &mut TaskState) {
    let text = half_text();
    task.reset();
    let _ = task.apply(TaskEvent::received(1));
    let _ = task.apply(TaskEvent::started(2).with_message(&text));
    for time in 3..12 {
        let _ = task.apply(TaskEvent::driver(time, &text).with_message(&text));
    }
}

#[cfg(budgets)]
#[path = "budgets_api.rs"]
mod api;
#[path = "budgets_more.rs"]
mod more;

pub fn run(tally: &mut Tally, memory: &mut Memory) {
    tasks(tally, memory);
    more::run(tally, memory);
    #[cfg(alloc_ram)]
    allocations(tally, memory);
    #[cfg(alloc_ram)]
    runner(tally, memory);
}

#[inline(never)]
fn tasks(tally: &mut Tally, memory: &mut Memory) {
    #[cfg(budgets)]
    covers! {
        events::TaskState { accepts, apply, finish }
        restart::TaskState { apply_restart }
        events::ClientStatus { of }
        events::TaskEvent { display_message }
        events::DisplayMessage { Display }
        wire::TaskState { to_postcard, from_postcard_into, from_postcard }
        json::TaskState { Serialize, deserialize_into, Deserialize }
    }
    const T: usize = TASK_BUDGET;
    let task = &mut *memory.task;
    let spare = &mut *memory.spare;
    full_task(task);
    full_task(spare);
    charge(tally, "TaskState::accepts", Budget(T), || {
        black_box(task.accepts(black_box(&TaskEvent::started(black_box(1)))))
    });
    charge(tally, "TaskState::apply", Budget(T), || {
        black_box(
            task.apply(black_box(TaskEvent::terminated(black_box(20), 1)))
                .is_ok(),
        )
    });
    let outcome = RestartOutcome::NoRestart {
        reason: RestartReason::ExceededFail {
            attempts: 2,
            interval: 60_000_000_000,
        },
    };
    charge(tally, "TaskState::apply_restart", Budget(T), || {
        black_box(
            task.apply_restart(black_box(&outcome), black_box(21))
                .is_ok(),
        )
    });
    charge(tally, "TaskState::finish", Budget(T), || {
        black_box(task.finish(black_box(22)))
    });
    charge(tally, "ClientStatus::of", Budget(T), || {
        black_box(ClientStatus::of([&*task, &*spare]))
    });
    charge(
        tally,
        "TaskEvent::display_message, written",
        Budget(T),
        || {
            for event in task.events() {
                let _ = write!(Void, "{}", black_box(event).display_message());
            }
        },
    );
    let scratch = &mut *memory.scratch;
    let len = charge(tally, "TaskState::to_postcard", Budget(T), || {
        black_box(
            task.to_postcard(black_box(&mut *scratch))
                .map_or(0, |b| b.len()),
        )
    });
    let bytes = scratch.get(..len).unwrap_or(&[]);
    let read = charge(tally, "TaskState::from_postcard_into", Budget(T), || {
        black_box(TaskState::from_postcard_into(black_box(bytes), &mut *spare).is_ok())
    });
    tally.check(
        read && *spare == *task,
        format_args!("TaskState::from_postcard_into restores the state"),
    );
    // By value: too deep for the micro:bit's 16 KiB next to the firmware's buffers.
    #[cfg(alloc_ram)]
    let read = charge_kept(tally, "TaskState::from_postcard (by value)", (T, 0), || {
        TaskState::from_postcard(black_box(bytes))
    });
    #[cfg(alloc_ram)]
    tally.check(
        read,
        format_args!("TaskState::from_postcard reads the state by value"),
    );

    let json = &mut *memory.json;
    let unescape = &mut *memory.unescape;
    let len = charge(
        tally,
        "TaskState JSON write (serde-json-core)",
        Budget(T),
        || black_box(serde_json_core::to_slice(&*task, black_box(&mut *json)).unwrap_or(0)),
    );
    let text = json.get(..len).unwrap_or(&[]);
    let read = charge(
        tally,
        "TaskState::deserialize_into (serde-json-core)",
        Budget(T),
        || {
            let mut de =
                serde_json_core::de::Deserializer::new(black_box(text), Some(&mut *unescape));
            TaskState::deserialize_into(&mut de, &mut *spare).is_ok() && de.end().is_ok()
        },
    );
    tally.check(
        // JSON carries the held events, not the count of every event ever accepted.
        read && spare.events().iter().eq(task.events().iter()) && spare.phase() == task.phase(),
        format_args!("TaskState JSON read in place with serde-json-core"),
    );
    // By value: too deep for the micro:bit's 16 KiB next to the firmware's buffers.
    #[cfg(alloc_ram)]
    {
        let read = charge_kept(
            tally,
            "TaskState::deserialize (by value, serde-json-core)",
            (T, 0),
            || {
                let mut de =
                    serde_json_core::de::Deserializer::new(black_box(text), Some(&mut *unescape));
                <TaskState as serde::Deserialize>::deserialize(&mut de)
            },
        );
        tally.check(
            read,
            format_args!("TaskState::deserialize reads the JSON by value"),
        );
        charge_kept(
            tally,
            "TaskState JSON read by value (serde_json_core::from_slice_escaped)",
            (T, 0),
            || serde_json_core::from_slice_escaped::<TaskState>(black_box(text), &mut *unescape),
        );
    }
    #[cfg(any(budgets, not(alloc_ram)))]
    crate::json_kinds::run(tally, memory, T);
}

/// The eight tasks measured, one of every role.
#[cfg(alloc_ram)]
const NAMES: [&str; 8] = ["a", "b", "c", "d", "e", "f", "g", "h"];
#[cfg(alloc_ram)]
const ROLES: [Role; 8] = [
    Role::leader(),
    Role::main(),
    Role::prestart(false),
    Role::prestart(true),
    Role::poststart(true),
    Role::main(),
    Role::main(),
    Role::poststop(),
];
/// An identity of Nomad's lengths.
#[cfg(alloc_ram)]
const IDENTITY: AllocIdentity<'static> = AllocIdentity {
    id: "203266e5-e0d6-9486-5e05-397ed2b184af",
    eval_id: "e1d0a2b3-3f4e-4c5d-8e9f-0a1b2c3d4e5f",
    name: "example.cache[0]",
    node_id: "fb2170a8-257d-3c64-b14d-bc06cc94e34c",
    job_id: "example",
    task_group: "cache",
};

#[cfg(alloc_ram)]
#[inline(never)]
fn allocations(tally: &mut Tally, memory: &mut Memory) {
    #[cfg(budgets)]
    covers! {
        allocation::Allocation {
            add_task, apply, apply_at, finish, orders, apply_orders, client_status,
            set_identity, set_desired, set_server_status, set_indexes, clear,
        }
        wire::Allocation { to_postcard, from_postcard_into, from_postcard }
        json::Allocation { Serialize, deserialize_into, Deserialize }
        json::NomadAllocation { deserialize_into, tasks, id, divergences, Serialize }
        json::Rule { Display }
        json::WithZeroTime { Serialize }
    }
    const A: usize = ALLOC_BUDGET;
    let (alloc, spare) = crate::checks::allocations();
    let text = half_text();
    alloc.clear();
    let (names, roles) = (NAMES, ROLES);
    for (name, role) in names.iter().zip(roles) {
        charge(tally, "Allocation<8>::add_task", Budget(A), || {
            black_box(alloc.add_task(black_box(name), black_box(role)).is_ok())
        });
    }
    for (index, name) in names.iter().enumerate() {
        let time = i64::try_from(index).unwrap_or(0);
        let _ = alloc.apply(name, TaskEvent::received(time));
        let _ = alloc.apply(name, TaskEvent::started(time + 1).with_message(&text));
        for t in 0..8 {
            let _ = alloc.apply(
                name,
                TaskEvent::driver(time + 2 + t, &text).with_message(&text),
            );
        }
    }
    charge(tally, "Allocation<8>::apply", Budget(A), || {
        black_box(
            alloc
                .apply(black_box("b"), black_box(TaskEvent::terminated(30, 1)))
                .is_ok(),
        )
    });
    charge(tally, "Allocation<8>::apply_at", Budget(A), || {
        black_box(
            alloc
                .apply_at(black_box(5), black_box(TaskEvent::terminated(31, 0)))
                .is_ok(),
        )
    });
    charge(tally, "Allocation<8>::finish", Budget(A), || {
        black_box(alloc.finish(black_box("b"), black_box(32)).is_ok())
    });
    charge(tally, "Allocation<8>::orders", Budget(A), || {
        black_box(alloc.orders().len())
    });
    charge(tally, "Allocation<8>::apply_orders", Budget(A), || {
        black_box(alloc.apply_orders(black_box(33)).len())
    });
    charge(tally, "Allocation<8>::client_status", Budget(A), || {
        black_box((alloc.client_status(), alloc.client_description().len()))
    });
    let identity = IDENTITY;
    charge(tally, "Allocation<8>::set_identity", Budget(A), || {
        black_box(alloc.set_identity(black_box(identity)).is_ok())
    });
    charge(tally, "Allocation<8>::set_desired", Budget(A), || {
        black_box(
            alloc
                .set_desired(black_box(DesiredStatus::Stop), "alloc not needed")
                .is_ok(),
        )
    });
    charge(tally, "Allocation<8>::set_server_status", Budget(A), || {
        black_box(alloc.set_server_status(black_box(None)).is_ok())
    });
    charge(tally, "Allocation<8>::set_indexes", Budget(A), || {
        black_box(alloc.set_indexes(black_box(7), black_box(90)).is_ok())
    });

    // The compact encoding of this allocation fits the JSON buffer.
    let buffer = &mut *memory.json;
    let len = charge(tally, "Allocation<8>::to_postcard", Budget(A), || {
        black_box(
            alloc
                .to_postcard(black_box(&mut *buffer))
                .map_or(0, |b| b.len()),
        )
    });
    let bytes = buffer.get(..len).unwrap_or(&[]);
    let read = charge(
        tally,
        "Allocation<8>::from_postcard_into",
        Budget(A),
        || black_box(Allocation::from_postcard_into(black_box(bytes), &mut *spare).is_ok()),
    );
    tally.check(
        len > 0 && read && *spare == *alloc,
        format_args!("Allocation<8>::from_postcard_into restores the allocation ({len} B)"),
    );
    #[cfg(budgets)]
    {
        let read = charge_kept(
            tally,
            "Allocation<8>::from_postcard (by value)",
            (A, 0),
            || Allocation::<8>::from_postcard(black_box(bytes)),
        );
        tally.check(
            read,
            format_args!("Allocation<8>::from_postcard reads by value"),
        );
    }

    // Nomad's JSON of eight tasks with two events each (the full one would not fit the
    // buffer): written and read back in place through serde-json-core.
    alloc.clear();
    for (index, name) in names.iter().enumerate() {
        let time = i64::try_from(index).unwrap_or(0);
        let _ = alloc.add_task(name, Role::main());
        let _ = alloc.apply(name, TaskEvent::received(time));
        let _ = alloc.apply(
            name,
            TaskEvent::started(time + 1).with_message("a \"quoted\" message\n"),
        );
    }
    let _ = alloc.set_identity(identity);
    let unescape = &mut *memory.unescape;
    let len = charge(
        tally,
        "Allocation<8> JSON write (serde-json-core)",
        Budget(A),
        || black_box(serde_json_core::to_slice(&*alloc, black_box(&mut *buffer)).unwrap_or(0)),
    );
    let text = buffer.get(..len).unwrap_or(&[]);
    let read = charge(
        tally,
        "Allocation<8>::deserialize_into (serde-json-core)",
        Budget(A),
        || {
            let mut de =
                serde_json_core::de::Deserializer::new(black_box(text), Some(&mut *unescape));
            Allocation::deserialize_into(&mut de, &mut *spare).is_ok() && de.end().is_ok()
        },
    );
    tally.check(
        len > 0 && read && spare.len() == 8 && spare.id() == alloc.id(),
        format_args!("Allocation<8> JSON read in place with serde-json-core ({len} B)"),
    );
    #[cfg(budgets)]
    {
        let read = charge_kept(
            tally,
            "Allocation<8>::deserialize (by value, serde-json-core)",
            (A, 0),
            || {
                let mut de =
                    serde_json_core::de::Deserializer::new(black_box(text), Some(&mut *unescape));
                <Allocation<8> as serde::Deserialize>::deserialize(&mut de)
            },
        );
        tally.check(
            read,
            format_args!("Allocation<8>::deserialize reads the JSON by value"),
        );
        charge_kept(
            tally,
            "Allocation<8> JSON read by value (serde_json_core::from_slice_escaped)",
            (A, 0),
            || {
                serde_json_core::from_slice_escaped::<Allocation<8>>(
                    black_box(text),
                    &mut *unescape,
                )
            },
        );
    }
    // The same JSON through the reading mode (`allocstate::nomad`), in place.
    #[cfg(budgets)]
    {
        let nomad = crate::arena::nomad();
        let read = charge(
            tally,
            "NomadAllocation<8>::deserialize_into (serde-json-core)",
            Budget(A),
            || {
                let mut de =
                    serde_json_core::de::Deserializer::new(black_box(text), Some(&mut *unescape));
                allocstate::nomad::NomadAllocation::deserialize_into(&mut de, &mut *nomad).is_ok()
                    && de.end().is_ok()
            },
        );
        tally.check(
            read && nomad.tasks().len() == 8 && nomad.id() == alloc.id(),
            format_args!("NomadAllocation<8> JSON read in place with serde-json-core"),
        );
        let found = charge(
            tally,
            "NomadAllocation<8>::divergences, each rule written",
            Budget(A),
            || {
                let mut out: heapless::String<256> = heapless::String::new();
                let mut count = 0usize;
                for (task, found) in nomad.divergences() {
                    out.clear();
                    let _ = core::fmt::Write::write_fmt(
                        &mut out,
                        format_args!("{task} {} {}", found.event, found.rule),
                    );
                    count += 1;
                }
                black_box(count)
            },
        );
        tally.check(
            found == 0,
            format_args!("NomadAllocation<8>: the crate's own history has no divergence"),
        );
        let again = charge(
            tally,
            "NomadAllocation<8> JSON write (serde-json-core)",
            Budget(A),
            || black_box(serde_json_core::to_slice(&*nomad, black_box(&mut *buffer)).unwrap_or(0)),
        );
        tally.check(
            again > 0,
            format_args!("NomadAllocation<8> written back with serde-json-core ({again} B)"),
        );
        charge(
            tally,
            "Allocation<8>, NomadAllocation<8>: JSON write with Go's zero times (WithZeroTime)",
            Budget(A),
            || {
                let zero = allocstate::ZeroTime::EncodingJson;
                let mine = allocstate::WithZeroTime(&*alloc, zero);
                let theirs = allocstate::WithZeroTime(&*nomad, zero);
                black_box(serde_json_core::to_slice(&mine, black_box(&mut *buffer)).is_ok())
                    && black_box(serde_json_core::to_slice(&theirs, &mut *buffer).is_ok())
            },
        );
        crate::budgets_nomad::run(tally, nomad, buffer, unescape);
    }
}

/// Every public operation of the runner.
#[cfg(alloc_ram)]
pub const RUNNER_BUDGET: usize = 4096;

/// Every public `Runner<8>` operation, on a runner in a static (the arena), through a
/// run of eight tasks of every role: the inputs along the way, each measured where it
/// does its work (accepted; a refusal is reported as a failed check), then persist and
/// restore, and a setup failure on a second run.
#[cfg(alloc_ram)]
#[inline(never)]
fn runner(tally: &mut Tally, memory: &mut Memory) {
    #[cfg(budgets)]
    covers! {
        runner::Runner {
            reset, seed_jitter, add_task, arrive, set_identity, allocation, coordinator, place,
            tracker, task_id, task_at, task_ids, task_name, events, next_wake, arrived,
            is_finished, is_client_terminal, handle, set_handle, prestart, started,
            start_failed, start_cancelled, exited, kill_failed, restart, signal, stop,
            setup_failed, tick, drop_task, reconnected, servers_contacted,
        }
        runner::TaskId { index }
        wire::Runner { persist, restore }
    }
    use allocstate::restart::{JobType, RestartMode, RestartPolicy};
    use allocstate::runner::{
        Exit, GroupSpec, Place, PrestartStep, RestartTarget, Runner, TaskId, TaskSpec,
    };

    const R: usize = RUNNER_BUDGET;
    const SEC: i64 = 1_000_000_000;
    let runner: &mut Runner<8> = crate::arena::runner();
    let text = half_text();
    let group = GroupSpec {
        shutdown_delay: SEC,
        ..GroupSpec::new(JobType::Service)
    };
    let policy = RestartPolicy {
        attempts: 3,
        interval: 600 * SEC,
        delay: SEC,
        mode: RestartMode::Fail,
    };
    let (names, roles) = (NAMES, ROLES);
    let identity = IDENTITY;
    // Inputs measured that the runner refused (each one a failed check below).
    let mut refused = 0u32;
    let mut input = |tally: &mut Tally, name: &str, limit: Limit, f: &mut dyn FnMut() -> bool| {
        if !charge(tally, name, limit, f) {
            refused += 1;
            tally.check(false, format_args!("{name}: accepted"));
        }
    };
    let spec = |name, role| TaskSpec {
        kill_signal: Some("SIGTERM"),
        shutdown_delay: SEC,
        ..TaskSpec::new(name, role, policy)
    };
    let add = |runner: &mut Runner<8>| {
        for (name, role) in names.iter().zip(roles) {
            let _ = runner.add_task(&spec(name, role));
        }
    };

    charge(tally, "Runner<8>::reset", Budget(R), || {
        runner.reset(black_box(group))
    });
    charge(tally, "Runner<8>::seed_jitter", Budget(R), || {
        runner.seed_jitter(black_box(7))
    });
    for (name, role) in names.iter().zip(roles) {
        let spec = spec(name, role);
        input(tally, "Runner<8>::add_task", Budget(R), &mut || {
            runner.add_task(black_box(&spec)).is_ok()
        });
    }
    input(tally, "Runner<8>::set_identity", Budget(R), &mut || {
        runner.set_identity(black_box(identity)).is_ok()
    });
    input(tally, "Runner<8>::arrive", Budget(R), &mut || {
        runner.arrive(black_box(1)).is_ok()
    });
    // Task ids stay the same across resets: the tasks are added in the same order.
    let ids: [TaskId; 8] = core::array::from_fn(|i| runner.task_at(i).expect("eight tasks"));
    // The prestart tasks: c (ephemeral) runs and succeeds, d (sidecar) keeps running.
    let (c, d) = (ids[2], ids[3]);
    input(
        tally,
        "Runner<8>::prestart (task dir built)",
        Budget(R),
        &mut || {
            runner
                .prestart(2, black_box(c), PrestartStep::TaskDirBuilt)
                .is_ok()
        },
    );
    input(
        tally,
        "Runner<8>::prestart (downloading artifacts)",
        Budget(R),
        &mut || {
            runner
                .prestart(3, black_box(c), PrestartStep::DownloadingArtifacts)
                .is_ok()
        },
    );
    input(tally, "Runner<8>::started", Budget(R), &mut || {
        runner.started(4, black_box(c)).is_ok()
    });
    let _ = runner.prestart(4, d, PrestartStep::TaskDirBuilt);
    let _ = runner.started(5, d);
    input(tally, "Runner<8>::exited", Budget(R), &mut || {
        runner.exited(6, black_box(c), Exit::code(0)).is_ok()
    });
    // The main tasks start; g fails to start (recoverable), then its hook fails.
    for task in [ids[0], ids[1], ids[5]] {
        let _ = runner.prestart(7, task, PrestartStep::TaskDirBuilt);
        let _ = runner.started(8, task);
    }
    let g = ids[6];
    input(tally, "Runner<8>::start_failed", Budget(R), &mut || {
        runner.start_failed(9, black_box(g), &text, true).is_ok()
    });
    let wake = runner.next_wake().unwrap_or(10 * SEC);
    input(tally, "Runner<8>::tick", Budget(R), &mut || {
        runner.tick(black_box(wake)).is_ok()
    });
    input(
        tally,
        "Runner<8>::prestart (hook failed)",
        Budget(R),
        &mut || {
            runner
                .prestart(
                    wake + 1,
                    black_box(g),
                    PrestartStep::HookFailed {
                        message: &text,
                        recoverable: true,
                    },
                )
                .is_ok()
        },
    );
    let now = wake + 2;
    let b = ids[1];
    input(tally, "Runner<8>::signal", Budget(R), &mut || {
        runner.signal(now, black_box(b), Some("SIGHUP")).is_ok()
    });
    input(tally, "Runner<8>::set_handle", Budget(R), &mut || {
        runner.set_handle(black_box(b), black_box(&[7; 64])).is_ok()
    });
    input(tally, "Runner<8>::restart (a task)", Budget(R), &mut || {
        runner
            .restart(now + 1, black_box(RestartTarget::Task(b)), false)
            .is_ok()
    });
    let _ = runner.exited(now + 2, b, Exit::signal(143, 15));
    let _ = runner.prestart(now + 2, b, PrestartStep::TaskDirBuilt);
    let _ = runner.started(now + 3, b);
    input(
        tally,
        "Runner<8>::restart (running tasks)",
        Budget(R),
        &mut || {
            runner
                .restart(now + 4, black_box(RestartTarget::Running), true)
                .is_ok()
        },
    );
    // Every running task was stopped for a restart: their exits start them again.
    for task in ids {
        if runner.place(task).is_some_and(|p| p.has_process()) {
            let _ = runner.exited(now + 5, task, Exit::signal(143, 15));
        }
    }
    for task in ids {
        if matches!(runner.place(task), Some(Place::Starting { .. })) && task != ids[4] {
            let _ = runner.started(now + 6, task);
        }
    }
    charge(
        tally,
        "Runner<8>::restart (all, refused: a dead task)",
        Budget(R),
        || black_box(runner.restart(now + 7, RestartTarget::All, false).is_err()),
    );
    // Accessors.
    charge(
        tally,
        "Runner<8>::accessors (all of them)",
        Budget(R),
        || {
            black_box((
                runner.allocation().modify_index(),
                runner.coordinator(),
                runner.place(black_box(b)),
                runner.tracker(black_box(b)).map(|t| t.count()),
                runner.task_id(black_box("g")),
                runner.task_name(black_box(b)).len(),
                runner.handle(black_box(b)).map(<[u8]>::len),
                runner.task_ids().count(),
                runner.events().count(),
                runner.next_wake(),
                runner.arrived(),
                runner.is_finished(),
                runner.is_client_terminal(),
            ))
        },
    );
    let buffer = &mut *memory.json;
    let len = charge(tally, "Runner<8>::persist", Budget(R), || {
        black_box(
            runner
                .persist(black_box(&mut *buffer))
                .map_or(0, |b| b.len()),
        )
    });
    // The desired stop: the group shutdown delay, the leader, then the rest.
    input(tally, "Runner<8>::stop", Budget(R), &mut || {
        runner
            .stop(now + 8, DesiredStatus::Stop, "alloc not needed", false)
            .is_ok()
    });
    let mut reattach = [false; 8];
    for (task, flag) in ids.iter().zip(reattach.iter_mut()) {
        *flag = runner.place(*task).is_some_and(|p| p.has_process());
    }
    let bytes = buffer.get(..len).unwrap_or(&[]);
    runner.reset(GroupSpec::new(JobType::Service));
    // Restore is the allocation's in-place decoder (above) plus a frame of about 0.3 KB.
    let restore = Budget(R);
    input(tally, "Runner<8>::restore", restore, &mut || {
        runner
            .restore(now + 10, black_box(bytes), None, |id, _| {
                reattach[id.index()]
            })
            .is_ok()
    });
    runner.reset(GroupSpec::new(JobType::Service));
    charge(tally, "Runner<8>::restore (refused: cut)", restore, || {
        let cut = bytes.get(..bytes.len().saturating_sub(1)).unwrap_or(&[]);
        black_box(
            runner
                .restore(now + 10, black_box(cut), None, |id, _| reattach[id.index()])
                .is_err(),
        )
    });
    // A second run, stopped while its prestart tasks are starting: c's start is
    // cancelled. A third one, whose allocation setup fails before any task started.
    runner.reset(GroupSpec::new(JobType::Service));
    add(runner);
    let _ = runner.arrive(1);
    let _ = runner.stop(2, DesiredStatus::Stop, "", false);
    input(tally, "Runner<8>::start_cancelled", Budget(R), &mut || {
        runner.start_cancelled(3, black_box(c)).is_ok()
    });
    runner.reset(group);
    add(runner);
    let _ = runner.arrive(1);
    input(tally, "Runner<8>::setup_failed", Budget(R), &mut || {
        runner.setup_failed(2, black_box(&text)).is_ok()
    });
    // A fourth run: a template blocks c's start, the client reconnects, and d's Vault
    // hook kills d. A fifth, whose update drops a main task before it started.
    runner.reset(group);
    add(runner);
    let _ = runner.arrive(1);
    input(
        tally,
        "Runner<8>::prestart (template blocked)",
        Budget(R),
        &mut || {
            runner
                .prestart(
                    2,
                    black_box(c),
                    PrestartStep::TemplateBlocked { message: &text },
                )
                .is_ok()
        },
    );
    input(tally, "Runner<8>::reconnected", Budget(R), &mut || {
        runner.reconnected(black_box(3)).is_ok()
    });
    input(
        tally,
        "Runner<8>::prestart (hook killed)",
        Budget(R),
        &mut || {
            runner
                .prestart(4, black_box(d), PrestartStep::HookKilled { message: &text })
                .is_ok()
        },
    );
    runner.reset(group);
    add(runner);
    let _ = runner.arrive(1);
    input(tally, "Runner<8>::drop_task", Budget(R), &mut || {
        runner.drop_task(2, black_box(ids[0])).is_ok()
    });
    // A sixth run: the leader survives its force-kill. A seventh: the agent comes back
    // and the leader's reattach fails; then the servers are contacted.
    runner.reset(group);
    add(runner);
    let _ = runner.arrive(1);
    let a = ids[2];
    let _ = runner.prestart(2, a, PrestartStep::TaskDirBuilt);
    let _ = runner.started(3, a);
    let _ = runner.stop(4, DesiredStatus::Stop, "", true);
    let kill_at = runner.next_wake().unwrap_or(10 * SEC);
    let _ = runner.tick(kill_at);
    input(tally, "Runner<8>::kill_failed", Budget(R), &mut || {
        runner
            .kill_failed(kill_at + 1, black_box(a), black_box(&text))
            .is_ok()
    });
    runner.reset(group);
    add(runner);
    let _ = runner.arrive(1);
    let _ = runner.prestart(2, a, PrestartStep::TaskDirBuilt);
    let _ = runner.started(3, a);
    let len = runner.persist(&mut *buffer).map_or(0, |b| b.len());
    runner.reset(group);
    let bytes = buffer.get(..len).unwrap_or(&[]);
    let _ = runner.restore(4, bytes, None, |_, _| false);
    input(
        tally,
        "Runner<8>::servers_contacted",
        Budget(R),
        &mut || runner.servers_contacted(black_box(5)).is_ok(),
    );
    tally.check(
        refused == 0,
        format_args!("Runner<8>: every measured input accepted"),
    );
}
