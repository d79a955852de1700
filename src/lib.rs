//! Nomad's task lifecycle as a `no_std` core: fixed memory, no heap, no panics, and every
//! step validated.
//!
//! Nomad's client appends whatever event it is handed. This crate holds the same facts —
//! each task's state, its latest ten typed events, `Failed`, `Restarts`, `StartedAt`,
//! `FinishedAt` — but accepts an event only where the lifecycle contract allows it. A
//! refused event is a value ([`TransitionError`]) that names the phase and the event's kind and
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
//! # Ok::<(), allocstate::TransitionError>(())
//! ```
//!
//! The contract follows: the table is written once, in `docs/transitions.md`, included
//! here and read by `tests/table.rs`, which checks every cell against the code. In the
//! code a phase is a [`Phase`], its wire state a [`WireState`], and `finish` is
//! [`TaskState::finish`].
//!
#![doc = include_str!("../docs/transitions.md")]
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
//! # Running a task group
//!
//! [`runner::Runner`] is Nomad's client orchestration of a task group as a sans-IO state
//! machine: fed what the driver reports, users' requests and the clock, it answers with
//! the commands to carry out (start, stop, force-kill, signal) and the next wake-up, and
//! records every event through the validated [`Allocation`]. See the [`runner`] module.
//!
//! # Memory
//!
//! A [`TaskState`] is a plain value of fixed size (see the `size_budget` test), buildable in
//! a `const` context so it can live in a `static`. Each event's strings share
//! [`EVENT_TEXT_CAPACITY`] bytes; what does not fit is cut at a char boundary and
//! [`TaskEvent::is_truncated`] says so.
//!
//! On a microcontroller decode into storage you own: `TaskState::from_postcard_into`,
//! `TaskState::deserialize_into` and their `Allocation` forms (feature `serde`) read
//! straight into it. The by-value decoders (`from_postcard`, serde's `deserialize`) hold
//! the value twice on the stack and are host-only (their docs; docs/on-target.md,
//! *Decoding by value is host-only*).
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
//!
#![doc = include_str!("../docs/wire-format.md")]
//!
//! # Features
//!
//! - `serde` (default): Nomad's JSON shape and the compact postcard wire format, without
//!   std or alloc; firmware that needs neither sets `default-features = false`.
//! - `defmt`: [`defmt::Format`](https://docs.rs/defmt) for every public type.
//! - `text-capacity-256`, `text-capacity-1024`, `text-capacity-4096`: more bytes for each
//!   event's strings ([`EVENT_TEXT_CAPACITY`]); the largest enabled wins.
//! - `arbitrary`: `arbitrary::Arbitrary` for the inputs (events' [`Detail`]s,
//!   [`EventKind`], the statuses, roles, an allocation's identity, restart policies and
//!   the runner's specs and prestart steps), for fuzzing. Host
//!   only: `arbitrary` needs std.

#![no_std]
#![cfg_attr(docsrs, feature(doc_cfg))]
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

// The `Arbitrary` derive names `::std` (its recursion guard is a thread local), so the
// host-only feature `arbitrary` links std; the crate's own code still uses core alone.
#[cfg(feature = "arbitrary")]
extern crate std;

pub mod allocation;
#[cfg(feature = "defmt")]
mod defmt_impl;
mod display;
mod event;
mod go;
mod head;
#[cfg(feature = "journal")]
#[cfg_attr(docsrs, doc(cfg(feature = "journal")))]
pub mod journal;
mod kind;
mod phase;
pub mod restart;
mod restore;
mod ring;
pub mod runner;
mod status;
mod table;
mod task;
mod text;
mod wire;

pub use allocation::{
    AllocIdentity, AllocTask, AllocTaskParts, Allocation, AllocationError, AllocationParts,
    ApplyError, DesiredStatus, IdentityField, KillCause, Order, Orders, OrdersIntoIter, Role,
    TaskName, ALLOC_NAME_CAPACITY, CLIENT_DESCRIPTION_CAPACITY, DEFAULT_KILL_TIMEOUT,
    DESIRED_DESCRIPTION_CAPACITY, JOB_ID_CAPACITY, TASK_GROUP_CAPACITY, TASK_NAME_CAPACITY,
    UUID_CAPACITY,
};
pub use display::{DisplayMessage, DISPLAY_MESSAGE_MAX_LEN};
pub use event::{Detail, TaskEvent};
pub use go::duration;
pub use go::{GoDuration, GoQuoted};
pub use kind::{EventKind, ParseEventKindError};
pub use phase::{Phase, WireState};
pub use restart::Nanos;
pub use restore::{TaskStateError, TaskStateParts};
pub use ring::{EventRing, Iter as RingIter, MAX_EVENTS};
pub use runner::Runner;
pub use status::ClientStatus;
pub use task::{TaskState, Transition, TransitionError};
pub use text::EVENT_TEXT_CAPACITY;
pub use wire::DecodeError;

/// The error of [`TaskState::to_postcard`] and [`Allocation::to_postcard`]: postcard's
/// own, re-exported so that a caller can name it without depending on postcard (and on
/// the same 1.x as this crate). A buffer too small is `SerializeBufferFull`.
#[cfg(feature = "serde")]
#[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
pub use postcard::Error as PostcardError;
#[cfg(feature = "serde")]
#[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
pub use wire::json::nomad;
#[cfg(feature = "serde")]
pub use wire::{WithZeroTime, ZeroTime};

/// The README's examples are compiled and run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
