//! Reading what Nomad wrote: task states and allocations exactly as Nomad's JSON gives
//! them, with every held event the contract would refuse named, never refused.
//!
//! [`TaskState`](crate::TaskState) and [`Allocation`](crate::Allocation) decode
//! strictly: a history the contract's table refuses (`docs/transitions.md`) is an error,
//! as it must be for a runtime restoring its own state. Nomad writes such histories
//! (`Killing` after `Not Restarting` from `killTasks` before 1.11, events after death for
//! a lost node, restarts by `Restart Signaled`, …), and a tool reading Nomad's
//! `/v1/allocation` must read them as written. The types here are that reading mode:
//! distinct types, so nobody reads leniently by accident.
//!
//! - [`NomadTaskState`] keeps `State`, `Failed`, `Restarts`, `LastRestart`,
//!   `StartedAt`, `FinishedAt` and the events as Nomad wrote them, unknown event types
//!   included, and writes the same JSON back. [`NomadTaskState::divergences`] names each
//!   held event the contract would refuse and the rule it breaks.
//! - [`NomadAllocation`] adds the allocation-level fields a reader needs (`ID`, `EvalID`,
//!   `Name`, `NodeID`, `JobID`, `TaskGroup`, `DesiredStatus`, `DesiredDescription`,
//!   `ClientStatus`, `ClientDescription`, `CreateIndex`, `ModifyIndex`, `CreateTime`,
//!   `ModifyTime`), each bounded and written back only if it was there; the rest of
//!   Nomad's allocation is skipped.
//!
//! Both read in place (`deserialize_into`), without a heap, and read a zero time from
//! `null` and from `"0001-01-01T00:00:00Z"` alike; they write `null` unless asked for
//! the other form through [`WithZeroTime`](crate::WithZeroTime). See
//! docs/reading-nomad.md.
//!
//! ```
//! use allocstate::nomad::NomadTaskState;
//!
//! // Nomad before 1.11: `killTasks` appends `Killing` after `Not Restarting`.
//! let json = r#"{"State": "dead", "Failed": true, "Restarts": 0, "LastRestart": null,
//!   "StartedAt": "2024-01-01T00:00:01Z", "FinishedAt": "2024-01-01T00:00:04Z",
//!   "Events": [{"Type": "Received", "Time": 1}, {"Type": "Started", "Time": 2},
//!              {"Type": "Terminated", "Time": 3, "ExitCode": 1},
//!              {"Type": "Not Restarting", "Time": 4, "FailsTask": true},
//!              {"Type": "Killing", "Time": 5}]}"#;
//! let task: NomadTaskState = serde_json::from_str(json)?;
//! assert!(task.failed());
//! let found: Vec<_> = task.divergences().collect();
//! assert_eq!(found.len(), 1);
//! assert_eq!(found[0].event, 4);
//! assert_eq!(
//!     found[0].rule.to_string(),
//!     "`Killing` after the task is Dead: the contract accepts it only in Pending, \
//!      Running, Exited, ShuttingDown"
//! );
//! // Refused by the strict decoder, read here, and written back as read.
//! assert!(serde_json::from_str::<allocstate::TaskState>(json).is_err());
//! let again: NomadTaskState = serde_json::from_str(&serde_json::to_string(&task)?)?;
//! assert_eq!(again, task);
//! # Ok::<(), serde_json::Error>(())
//! ```
//!
//! Here the capacities and what both readers share; the divergences (`divergence.rs`),
//! the task state (`task.rs`) and the allocation (`alloc.rs`) each in a file of their own.

mod alloc;
mod divergence;
mod task;

use core::fmt;

use serde::de::{self, Visitor};

pub use alloc::{NomadAllocation, NomadTask, ALLOC_FIELDS};
pub use divergence::{Divergence, Divergences, Rule};
pub use task::NomadTaskState;

/// Bytes a status string read by [`NomadAllocation`] can hold (`DesiredStatus`,
/// `ClientStatus`); Nomad's longest is 8 (`complete`). Longer is cut, and the cut marked.
pub const STATUS_CAPACITY: usize = 16;

/// Bytes a description read by [`NomadAllocation`] can hold (`DesiredDescription`,
/// `ClientDescription`); longer is cut on a character boundary, and the cut marked.
pub const DESCRIPTION_CAPACITY: usize = 256;

/// What [`NomadTaskState`] and [`NomadAllocation`] share of their serde, written once:
/// `deserialize_into` (its doc given by the caller), which reads into `out` in place with
/// `visitor` and leaves `out` empty on error; `Deserialize` through it; `Serialize`
/// through the type's `serialize_with`, zero times `null` or, through `WithZeroTime`, in
/// the form chosen. `impl[…]` holds the type's generic parameters.
macro_rules! serde_impls {
    ($(#[$into_doc:meta])* impl[$($generics:tt)*] $ty:ty, visitor $visitor:ident) => {
        impl<$($generics)*> $ty {
            $(#[$into_doc])*
            pub fn deserialize_into<'de, D: serde::Deserializer<'de>>(
                d: D,
                out: &mut $ty,
            ) -> Result<(), D::Error> {
                out.clear();
                let read = d.deserialize_map($visitor(&mut *out));
                if read.is_err() {
                    out.clear();
                }
                read
            }
        }

        /// Nomad's JSON of the fields read, zero times `null`.
        impl<$($generics)*> serde::Serialize for $ty {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                self.serialize_with(s, $crate::wire::ZeroTime::Null)
            }
        }

        /// Nomad's JSON of the fields read, zero times in the form chosen.
        impl<$($generics)*> serde::Serialize for $crate::wire::WithZeroTime<'_, $ty> {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                self.0.serialize_with(s, self.1)
            }
        }

        impl<'de, $($generics)*> serde::Deserialize<'de> for $ty {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let mut read = Self::new();
                Self::deserialize_into(d, &mut read)?;
                Ok(read)
            }

            fn deserialize_in_place<D: serde::Deserializer<'de>>(
                d: D,
                place: &mut Self,
            ) -> Result<(), D::Error> {
                Self::deserialize_into(d, place)
            }
        }
    };
}
use serde_impls;

/// `error` with the field it was read for in front: serde_json keeps the position it
/// gave at the end of the message.
fn named<E: de::Error>(field: &str, error: E) -> E {
    E::custom(format_args!("`{field}`: {error}"))
}

/// Refuses a field read before.
fn once<E: de::Error>(present: &mut u16, bit: u16, name: &'static str) -> Result<(), E> {
    if *present & bit != 0 {
        return Err(E::duplicate_field(name));
    }
    *present |= bit;
    Ok(())
}

/// A field name: its index among the known ones, or `None` for one skipped.
struct FieldNames(&'static [&'static str]);

impl Visitor<'_> for FieldNames {
    type Value = Option<usize>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a field name")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Option<usize>, E> {
        Ok(self.0.iter().position(|name| *name == v))
    }
}
