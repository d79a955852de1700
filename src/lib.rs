//! Nomad's task lifecycle as a `no_std` core: fixed memory, no heap, no panics, and every
//! step validated.
//!
//! Nomad's client appends whatever event it is handed. This crate holds the same facts —
//! each task's state, its latest ten typed events, `Failed`, `Restarts`, `StartedAt`,
//! `FinishedAt` — but accepts an event only where the lifecycle contract allows it. A
//! refused event is a value ([`Rejected`]) that names the phase and the event's kind and
//! hands the event back; the task is left exactly as it was.
//!
//! ```
//! use allocstate::{ClientStatus, TaskEvent, TaskState, WireState};
//!
//! let mut redis = TaskState::new();
//! redis.apply(TaskEvent::received(1_447_806_038_427_841_000))?;
//! redis.apply(TaskEvent::started(1_447_806_038_500_000_000))?;
//! redis.apply(TaskEvent::terminated(1_447_806_040_000_000_000, 1))?;
//! redis.apply(TaskEvent::not_restarting(1_447_806_040_000_000_001, "Policy allows no restarts"))?;
//!
//! assert_eq!(redis.state(), WireState::Dead);
//! assert!(redis.failed());
//! assert_eq!(ClientStatus::of([&redis]), ClientStatus::Failed);
//!
//! // Dead is terminal: a late `Started` is refused and changes nothing.
//! let refused = redis.apply(TaskEvent::started(1_447_806_041_000_000_000)).unwrap_err();
//! assert_eq!(refused.to_string(), "`Started` event not allowed in phase Dead");
//! assert_eq!(redis.events().len(), 4);
//! # Ok::<(), allocstate::Rejected>(())
//! ```
//!
//! # The contract
//!
//! Five [`Phase`]s, each shown on the wire as one [`WireState`]. A cell is the phase after
//! the event; `=` keeps the phase; `✗` is refused.
//!
//! | event | Pending | Running | Exited | ShuttingDown | Dead |
//! |---|---|---|---|---|---|
//! | Received (only as the first event) | = | ✗ | ✗ | ✗ | ✗ |
//! | Task Setup, Downloading Artifacts, Failed Artifact Download, Failed Validation, Driver Failure, Setup Failure | = | ✗ | ✗ | ✗ | ✗ |
//! | Started | Running | ✗ | ✗ | ✗ | ✗ |
//! | Terminated | ✗ | Exited | ✗ | = | ✗ |
//! | Killing | = | = | = | = | ✗ |
//! | Killed | Dead | Dead | Dead | Dead | ✗ |
//! | Restarting | = | ✗ | Pending | ✗ | ✗ |
//! | Not Restarting | Dead | ✗ | Dead | ✗ | ✗ |
//! | Restart Signaled, Signaling | ✗ | = | ✗ | ✗ | ✗ |
//! | Sibling Task Failed, Leader Task Dead, Main Tasks Dead, Task hook failed | = | = | = | = | ✗ |
//! | Failed Restoring Task | = | Pending | ✗ | ✗ | ✗ |
//! | Waiting for / Skipping shutdown delay | ✗ | ShuttingDown | ✗ | ✗ | ✗ |
//! | annotations (Driver, Disk Resources Exceeded, Plugin…, Reconnected, Task hook message, Template, Alloc Unhealthy, Generic, unknown types) | = | = | = | = | = |
//! | [`finish`](TaskState::finish) (no event) | Dead | Dead | Dead | Dead | = |
//!
//! Bookkeeping lives outside the ring and survives eviction: `Failed` is set by
//! `Not Restarting`, `Setup Failure` and any event with `FailsTask`, and never cleared;
//! `Restarts`/`LastRestart` follow each `Restarting`; `StartedAt` each `Started`;
//! `FinishedAt` is the time of the first entry into Dead. Times are unix nanoseconds and
//! need not increase (client clocks step). Unknown type strings are kept, never refused.
//!
//! Where the contract is silent this crate chooses what Nomad's users expect: `finish` on
//! a dead task is a no-op that reports no change; `Received` is refused after any other
//! event has been accepted, even once the ring has evicted it (the count says so).
//!
//! Stricter than Nomad, by the contract's choice, in three places a recorded stream can
//! show: `Killing` on a dead task (Nomad before 1.11 appended it after `Not Restarting`,
//! hashicorp/nomad#9542) is refused; Nomad 0.5–0.8 restarted a task by `Killing`,
//! `Killed`, `Restarting`, whereas here `Killed` ends the task, so that `Restarting` is
//! refused; and Nomad 1.4's `alloc restart -all-tasks` revives dead tasks, which this
//! crate does not (dead is never left).
//!
//! # Allocations and restarts
//!
//! [`Allocation`] holds a task group's named tasks (each with its [`Role`]: main, leader,
//! prestart/poststart with the sidecar flag, poststop), reports Nomad's client status,
//! the desired status and a modify index for blocking queries, and after every change the
//! kill [`Order`]s Nomad's allocation runner would act on (`Sibling Task Failed`,
//! `Leader Task Dead`, `Main Tasks Dead`, a desired stop), in Nomad's kill order. It never
//! changes a task by itself: [`Allocation::apply_orders`] records them through the same
//! validated path. The [`restart`] module is Nomad's restart tracker; a decision becomes
//! the task's event with [`RestartOutcome::event`](restart::RestartOutcome::event) or
//! [`TaskState::apply_restart`]. See the [`allocation`] module for the exact rules.
//!
//! # Memory
//!
//! A [`TaskState`] is a plain value of fixed size (see the `size_budget` test), buildable in
//! a `const` context so it can live in a `static`. Each event's strings share
//! [`EVENT_TEXT_CAPACITY`] bytes; what does not fit is cut at a char boundary and
//! [`TaskEvent::is_truncated`] says so.
//!
//! # Restoring a state
//!
//! A state read from the wire is rebuilt by [`TaskState::from_parts`]: the held events must
//! be acceptable, in order, by the table from some starting phase (a fresh task if the
//! first is `Received`, otherwise any phase, since older events may have been evicted),
//! ending in a phase shown as the claimed `State` (`dead` may end anywhere: `finish` may
//! follow). Running is preferred over Exited and Pending over ShuttingDown unless the
//! events decide. Absent bookkeeping (the seed era) is derived from the events; present
//! bookkeeping must not contradict them.
//!
//! # Wire formats (feature `serde`)
//!
//! One `Serialize`/`Deserialize` implementation serves both, choosing by
//! `is_human_readable()`.
//!
//! ## JSON (human-readable formats)
//!
//! A [`TaskState`] is Nomad's `TaskState`: `State`, `Failed`, `Restarts`, `LastRestart`,
//! `StartedAt`, `FinishedAt` (RFC 3339 as Go's `time.RFC3339Nano` writes them; the zero
//! time `0001-01-01T00:00:00Z` for none) and `Events`. A [`TaskEvent`] is Nomad's
//! `TaskEvent` with its full modern field set, zero values as Nomad writes them, the
//! computed `DisplayMessage` and `Details`: the keys Nomad's setters wrote (an event
//! read keeps which ones it had, empty and zero values too; `null` when it had none),
//! or, for `Driver`, the driver's annotations.
//!
//! Reading accepts the seed-era shape (only `State` and `Events`) and the modern one,
//! skips unknown fields, refuses a field given twice (naming it), and cuts over-long
//! strings the kind keeps visibly ([`TaskEvent::is_truncated`]). An incoming
//! `DisplayMessage` exactly equal to the computed one is not stored; a different one is
//! kept as the override. The state is rebuilt through
//! [`TaskState::from_parts`], so more than ten events, an unknown `State` or one the
//! events contradict is an error.
//!
//! An [`Allocation`] is the lifecycle part of Nomad's `/v1/allocation` object: `ID`,
//! `EvalID`, `Name`, `NodeID`, `JobID`, `TaskGroup`, `DesiredStatus`,
//! `DesiredDescription`, `ClientStatus`, `ClientDescription`, `TaskStates` (task name →
//! task state as above, written in the allocation's task order), `CreateIndex` and
//! `ModifyIndex`. Reading skips every other field (`Job`, `Resources`, `Metrics`, …)
//! without allocating; a field given twice is an error; a missing one takes Go's zero
//! value (empty string, 0, no tasks; `DesiredStatus` `run`; `ClientStatus` and
//! `ClientDescription` derived). Identity strings and descriptions longer than their
//! capacity ([`UUID_CAPACITY`], [`ALLOC_NAME_CAPACITY`], [`JOB_ID_CAPACITY`],
//! [`TASK_GROUP_CAPACITY`], [`DESIRED_DESCRIPTION_CAPACITY`],
//! [`CLIENT_DESCRIPTION_CAPACITY`]) are errors, never cut; so are an invalid, duplicate
//! or surplus (more than `N`) task name, and `CreateIndex` after `ModifyIndex`. JSON
//! carries no lifecycle block: every task read gets the role [`Role::main`], the
//! [`DEFAULT_KILL_TIMEOUT`] and no applied kill order, so an allocation read from JSON
//! reports status faithfully but must not drive [`Allocation::apply_orders`]: it would
//! order its tasks killed again, poststop ones included. The compact format keeps roles
//! and applied orders; restore from it to go on running. `ClientStatus` is written as
//! [`Allocation::client_status`]; read, `lost` and `unknown` are kept as the
//! [server-set status](Allocation::set_server_status), and any other must be the one
//! derived from the tasks (`running` while every task is dead is an error). A
//! `ClientDescription` other than Nomad's text for the status is kept
//! ([`Allocation::set_client_description`]). The `ModifyIndex` read becomes the current
//! modify index; later changes count on from it.
//!
//! ## Compact format (binary formats; postcard)
//!
//! Elements are written one after another, as postcard writes a tuple (integers as
//! varints, `i64`/`i32` zigzag; `bool` one byte; `Option` a 0/1 byte then the value;
//! strings a varint length then UTF-8):
//!
//! - task state: phase `u8` (Pending 0, Running 1, Exited 2, ShuttingDown 3, Dead 4),
//!   `Failed` bool, `Restarts` u64, `LastRestart`, `StartedAt`, `FinishedAt` as
//!   `Option<i64>`, the accepted event count u64, then the held events as a sequence
//!   (varint length, oldest first).
//! - event: kind code `u8` ([`EventKind::code`](crate::EventKind::code)), `Time` i64,
//!   `FailsTask` bool, the cut mask `u8` (which strings were cut: bit 0 the first
//!   annotation, 1 the second, 2 `Message`, 3 the `DisplayMessage` override), the
//!   `Details` keys `u8` (bit 0 `Details` is `null`, 1 `fails_task`, 2 `message` or
//!   `exit_message`, 3 to 5 the kind's own keys in order); then the kind's numbers
//!   (`Terminated`: exit code i32, signal i32, `oom_killed` `Option<bool>`;
//!   `Restarting`, `Killing`, `Disk Resources Exceeded`: one i64); then the kind's strings
//!   (its first annotation — the type string for an unknown kind — and, for `Killed`,
//!   `Setup Failure`, `Signaling` and `Driver`, its second: `Signaling`'s reason and
//!   `Details["signal"]`, or `Driver`'s annotations sorted by key, packed as each
//!   string's length — one byte below 64, else `0x40 | len >> 7` and `len & 0x7f` —
//!   then its bytes), `Message`, and the `DisplayMessage` override (empty when computed).
//! - allocation: `ID`, `EvalID`, `Name`, `NodeID`, `JobID`, `TaskGroup` (strings), the
//!   desired status `u8` (run 0, stop 1, evict 2), `DesiredDescription`, the server-set
//!   status as `Option<u8>` (lost 4, unknown 5; none when derived), the client
//!   description as `Option<string>` (none when it is Nomad's text for the status),
//!   `CreateIndex` u64, `ModifyIndex` u64, then the tasks as a sequence (varint length,
//!   the allocation's order), each: name, lifecycle hook `u8` (main 0, prestart 1,
//!   poststart 2, poststop 3), sidecar bool, leader bool, kill timeout i64, kill-ordered
//!   bool, task state.
//! - alone, [`WireState`] (pending 0, running 1, dead 2), [`ClientStatus`] (pending 0,
//!   running 1, failed 2, complete 3, lost 4, unknown 5) and [`EventKind`] (its code) are
//!   one `u8`; in JSON they are Nomad's strings.
//!
//! `TaskState::from_postcard` returns a [`DecodeError`] naming what was wrong, and
//! refuses anything a well-behaved encoder could not have written: trailing bytes, unknown codes, text over capacity, an unknown kind naming a
//! known type, a state [`TaskState::from_parts`] refuses, and any non-canonical encoding
//! (it re-encodes and compares), so decode then encode is byte-identical.
//! `Allocation::from_postcard` is as strict: besides the task states' checks, it refuses
//! more than `N` tasks, an empty, over-long or repeated task name, an unknown hook or
//! desired status code, a derivable status given as the server's, a kill-ordered
//! poststop task or one with no accepted event, `CreateIndex` after `ModifyIndex`, and
//! any non-canonical encoding (a client description equal to Nomad's text, say). It
//! re-encodes by comparing byte by byte, without a buffer.
//!
//! **Stability**: the layout is stable within a major version; kind codes, phase codes and
//! enum variants are only ever appended. postcard's `MaxSize` needs its unstable
//! `experimental-derive` feature, so the bound is the plain constant
//! `TaskState::POSTCARD_MAX_SIZE`; `Allocation::<N>::POSTCARD_MAX_SIZE` is computed
//! from the parts' maxima (the capacities, the largest task state, `N`). The allocation
//! layout follows the same promise: elements and codes are only ever appended, and a
//! capacity change is a breaking change (it moves the bound).
//!
//! # Features
//!
//! - `defmt`: [`defmt::Format`](https://docs.rs/defmt) for every public type.
//! - `serde`: Nomad's JSON shape and the compact postcard wire format.

#![no_std]
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing,
        clippy::arithmetic_side_effects
    )
)]
// A refused event is handed back by value: with no heap there is nowhere else to keep it.
#![allow(clippy::result_large_err)]

pub mod allocation;
#[cfg(feature = "defmt")]
mod defmt_impl;
mod display;
mod error;
mod event;
mod go;
mod head;
mod kind;
mod phase;
pub mod restart;
mod restore;
mod ring;
#[cfg(feature = "serde")]
mod serde_impl;
mod status;
mod table;
mod task;
mod text;

pub use allocation::{
    AllocError, AllocIdentity, AllocTask, Allocation, ApplyError, DesiredStatus, IdentityField,
    KillCause, Order, Role, TaskName, ALLOC_NAME_CAPACITY, CLIENT_DESCRIPTION_CAPACITY,
    DEFAULT_KILL_TIMEOUT, DESIRED_DESCRIPTION_CAPACITY, JOB_ID_CAPACITY, TASK_GROUP_CAPACITY,
    TASK_NAME_CAPACITY, UUID_CAPACITY,
};
pub use display::DisplayMessage;
pub use error::{DecodeError, Rejected};
pub use event::{Detail, TaskEvent};
pub use go::duration;
pub use go::{GoDuration, GoQuoted};
pub use kind::{EventKind, UnknownEventType};
pub use phase::{Phase, WireState};
pub use restore::{InvalidState, TaskStateParts};
pub use ring::{EventRing, Iter as RingIter, MAX_EVENTS};
pub use status::ClientStatus;
pub use task::{TaskState, Transition};
pub use text::EVENT_TEXT_CAPACITY;

/// The README's examples are compiled and run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
