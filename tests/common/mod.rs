//! Helpers shared by the integration tests.
#![allow(dead_code)] // each test file uses its own subset

use allocstate::{
    AllocIdentity, Allocation, DesiredStatus, Detail, Phase, Role, TaskEvent, TaskState,
    TaskStateParts, WireState, EVENT_TEXT_CAPACITY, MAX_EVENTS,
};
use serde_json::Value;

/// Every allocation-level field of Nomad's JSON the crate reads and writes back, in
/// Nomad's order: written out here rather than taken from
/// `allocstate::nomad::ALLOC_FIELDS`, so that a field dropped there fails the tests. The
/// reading mode knows all of them (tests/nomad_reading.rs); the contract's `Allocation`
/// writes [`ALLOCATION_FIELDS`] (tests/alloc_wire.rs).
pub const NOMAD_ALLOC_FIELDS: [&str; 15] = [
    "ID",
    "EvalID",
    "Name",
    "NodeID",
    "JobID",
    "TaskGroup",
    "DesiredStatus",
    "DesiredDescription",
    "ClientStatus",
    "ClientDescription",
    "TaskStates",
    "CreateIndex",
    "ModifyIndex",
    "CreateTime",
    "ModifyTime",
];

/// The fields the contract's `Allocation` writes, in its order: Nomad's without its two
/// times.
pub const ALLOCATION_FIELDS: &[&str] = NOMAD_ALLOC_FIELDS.split_at(13).0;

/// Keeps only the keys `like` has, recursively.
pub fn project(value: &Value, like: &Value) -> Value {
    match (value, like) {
        (Value::Object(v), Value::Object(l)) => Value::Object(
            l.iter()
                .map(|(k, lv)| (k.clone(), project(&v[k], lv)))
                .collect(),
        ),
        (Value::Array(v), Value::Array(l)) => {
            Value::Array(v.iter().zip(l).map(|(a, b)| project(a, b)).collect())
        }
        (v, _) => v.clone(),
    }
}

/// The task state whose compact encoding is the largest the format allows: every varint
/// at its longest (times `i64::MIN`, `Restarts` and the event count `u64::MAX`, exit code
/// and signal `i32::MIN`), ten events of the kind with the most bytes of numbers and
/// string prefixes (`Terminated`: two `i32`, an `Option<bool>`, two strings), and every
/// event's text full (all `EVENT_TEXT_CAPACITY` bytes in its message).
pub fn largest_task_state() -> TaskState {
    large_task_state(EVENT_TEXT_CAPACITY)
}

/// [`largest_task_state`] with `text` bytes of text in each event (at most
/// `EVENT_TEXT_CAPACITY`): every other field as long, the texts shorter (what a JSON test
/// run under Miri, which interprets every byte, needs to take the same paths; the ten
/// events stay, a shorter history being one whose counters JSON checks against it).
pub fn large_task_state(text: usize) -> TaskState {
    // Split between two strings, so that from 256 bytes on both take two-byte lengths.
    let message = "x".repeat(text / 2);
    let display = "y".repeat(text - text / 2);
    let event = TaskEvent::new(
        i64::MIN,
        Detail::Terminated {
            exit_code: i32::MIN,
            signal: i32::MIN,
            oom_killed: Some(true),
        },
    )
    .with_message(&message)
    .with_display_message(&display)
    .with_fails_task();
    assert!(!event.is_truncated());
    let parts = TaskStateParts {
        state: WireState::Dead,
        phase: Some(Phase::Dead),
        failed: Some(true),
        restarts: Some(u64::MAX),
        last_restart: Some(Some(i64::MIN)),
        started_at: Some(Some(i64::MIN)),
        finished_at: Some(Some(i64::MIN)),
        event_count: Some(u64::MAX),
    };
    let task = TaskState::from_parts(parts, core::iter::repeat_n(event, MAX_EVENTS))
        .expect("a state the machine could reach");
    assert_eq!(task.events().len(), MAX_EVENTS);
    task
}

/// The identity of [`modern`].
pub fn identity() -> AllocIdentity<'static> {
    AllocIdentity {
        id: "5b7d9a41-3c2e-4f61-8a0b-1d2e3f405162",
        eval_id: "9e8d7c6b-5a49-4382-9170-6f5e4d3c2b1a",
        name: "shop.web[2]",
        node_id: "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0",
        job_id: "shop",
        task_group: "web",
    }
}

/// A leader, a main task that fails for good, a prestart sidecar and a poststop task,
/// after the orders that follow.
pub fn modern() -> Allocation<4> {
    let mut alloc: Allocation<4> = Allocation::new();
    alloc.set_identity(identity()).unwrap();
    alloc.add_task("proxy", Role::leader()).unwrap();
    alloc.add_task("worker", Role::main()).unwrap();
    alloc
        .add_task_with_kill_timeout("logs", Role::prestart(true), 2_000_000_000)
        .unwrap();
    alloc.add_task("flush", Role::poststop()).unwrap();
    let t = 1_700_000_000_000_000_000_i64;
    for name in ["logs", "proxy", "worker"] {
        alloc.apply(name, TaskEvent::received(t)).unwrap();
        alloc.apply(name, TaskEvent::task_setup(t + 1)).unwrap();
        alloc.apply(name, TaskEvent::started(t + 2)).unwrap();
    }
    alloc.apply("flush", TaskEvent::received(t)).unwrap();
    alloc
        .apply(
            "worker",
            TaskEvent::terminated(t + 10, 3).with_message("boom"),
        )
        .unwrap();
    alloc
        .apply(
            "worker",
            TaskEvent::not_restarting(
                t + 11,
                "Exceeded allowed attempts 2 in interval 1m0s and mode is \"fail\"",
            ),
        )
        .unwrap();
    assert_eq!(alloc.apply_orders(t + 12).len(), 2); // proxy, then logs
    alloc
        .set_desired(DesiredStatus::Stop, "alloc not needed due to job update")
        .unwrap();
    alloc
        .set_client_description("worker failed; stopping")
        .unwrap();
    alloc
}

/// A hand-written compact allocation (layout in docs/wire-format.md), to reach the
/// invariants and refusals the API never produces: identity `id`, "b" … "f", desired
/// `run`, no description, server status or reported description, then the indexes and
/// the tasks (name, hook, sidecar, leader, kill timeout, kill ordered, state).
#[cfg(feature = "serde")]
#[allow(clippy::type_complexity)]
pub fn compact_allocation(
    id: &str,
    tasks: Vec<(&str, u8, bool, bool, i64, bool, TaskState)>,
    create: u64,
    modify: u64,
) -> Vec<u8> {
    postcard::to_allocvec(&(
        (id, "b", "c", "d", "e", "f"),
        0u8,
        "",
        None::<u8>,
        None::<&str>,
        create,
        modify,
        tasks,
        0u8, // no identity string cut
    ))
    .unwrap()
}
