//! serde for task states and events: Nomad's JSON in human-readable formats, a compact
//! validated layout in binary ones (postcard).
//!
//! # JSON (human-readable formats)
//!
//! A [`TaskState`] is Nomad's `TaskState`: `State`, `Failed`, `Restarts`, `LastRestart`,
//! `StartedAt`, `FinishedAt` (RFC 3339 as Go's `time.RFC3339Nano` writes them; the zero
//! time `0001-01-01T00:00:00Z` for none) and `Events`. A [`TaskEvent`] is Nomad's
//! `TaskEvent` with its full modern field set, zero values as Nomad writes them, the
//! computed `DisplayMessage` and the `Details` Nomad's setters write.
//!
//! Reading accepts the seed-era shape (only `State` and `Events`) and the modern one,
//! skips unknown fields, and cuts over-long strings visibly
//! ([`TaskEvent::is_truncated`]). An incoming `DisplayMessage` equal to the computed one
//! is not stored; a different one is kept as the override. The state is rebuilt through
//! [`TaskState::from_parts`], so more than ten events, an unknown `State` or one the
//! events contradict is an error.
//!
//! # Compact format (binary formats; postcard)
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
//!   `FailsTask` bool, truncated bool; then the kind's numbers (`Terminated`: exit code
//!   i32, signal i32, `oom_killed` `Option<bool>`; `Restarting`, `Killing`,
//!   `Disk Resources Exceeded`: one i64); then the kind's strings (its first annotation —
//!   the type string for an unknown kind — and, for `Killed` and `Signaling`, its second),
//!   `Message`, and the `DisplayMessage` override (empty when computed).
//!
//! [`TaskState::from_postcard`] refuses anything a well-behaved encoder could not have
//! written: trailing bytes, unknown codes, text over capacity, an unknown kind naming a
//! known type, a state [`TaskState::from_parts`] refuses, and any non-canonical encoding
//! (it re-encodes and compares), so decode then encode is byte-identical.
//!
//! **Stability**: the layout is stable within a major version; kind codes, phase codes and
//! enum variants are only ever appended. postcard's `MaxSize` needs its unstable
//! `experimental-derive` feature, so the bound is the plain constant
//! [`TaskState::POSTCARD_MAX_SIZE`].

mod capture;
mod event_binary;
mod event_json;
mod flat;
mod names;
mod state_binary;
mod state_json;
mod time;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::event::TaskEvent;
use crate::task::TaskState;

impl Serialize for TaskEvent {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            event_json::serialize(self, s)
        } else {
            event_binary::serialize(self, s)
        }
    }
}

impl<'de> Deserialize<'de> for TaskEvent {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        if d.is_human_readable() {
            event_json::deserialize(d)
        } else {
            event_binary::deserialize(d)
        }
    }
}

impl Serialize for TaskState {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            state_json::serialize(self, s)
        } else {
            state_binary::serialize(self, s)
        }
    }
}

impl<'de> Deserialize<'de> for TaskState {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        if d.is_human_readable() {
            state_json::deserialize(d)
        } else {
            state_binary::deserialize(d)
        }
    }
}

impl TaskEvent {
    /// The largest compact (postcard) encoding of one event, in bytes.
    pub const POSTCARD_MAX_SIZE: usize = event_binary::MAX_SIZE;
}

impl TaskState {
    /// The largest compact (postcard) encoding of a task state, in bytes: a buffer this
    /// size always suffices for [`to_postcard`](TaskState::to_postcard).
    pub const POSTCARD_MAX_SIZE: usize = state_binary::MAX_SIZE;

    /// Writes the compact encoding into `buf`; returns the used part.
    ///
    /// ```
    /// use allocstate::{TaskEvent, TaskState};
    ///
    /// let mut task = TaskState::new();
    /// task.apply(TaskEvent::received(1))?;
    /// task.apply(TaskEvent::started(2))?;
    /// let mut buf = [0u8; TaskState::POSTCARD_MAX_SIZE];
    /// let bytes = task.to_postcard(&mut buf).unwrap();
    /// assert_eq!(TaskState::from_postcard(bytes), Ok(task));
    /// # Ok::<(), allocstate::Rejected>(())
    /// ```
    pub fn to_postcard<'b>(&self, buf: &'b mut [u8]) -> Result<&'b mut [u8], postcard::Error> {
        postcard::to_slice(self, buf)
    }

    /// Reads a compact encoding, refusing trailing bytes, anything invalid and any
    /// non-canonical encoding (see the [module docs](self)).
    pub fn from_postcard(bytes: &[u8]) -> Result<TaskState, postcard::Error> {
        let (task, rest) = postcard::take_from_bytes::<TaskState>(bytes)?;
        if !rest.is_empty() {
            return Err(postcard::Error::DeserializeBadEncoding);
        }
        let mut again = [0u8; TaskState::POSTCARD_MAX_SIZE];
        let written = task.to_postcard(&mut again)?;
        if &*written != bytes {
            return Err(postcard::Error::DeserializeBadEncoding);
        }
        Ok(task)
    }
}
