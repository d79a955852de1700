//! serde for task states and events: Nomad's JSON in human-readable formats, a compact
//! validated layout in binary ones (postcard). The formats are described in the crate docs.

mod alloc;
mod alloc_binary;
mod alloc_json;
mod capture;
mod event_binary;
mod event_json;
mod flat;
mod names;
mod state_binary;
mod state_json;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::DecodeError;
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
    /// non-canonical encoding (see *Wire formats* in the [crate docs](crate)); the error
    /// says which.
    ///
    /// ```
    /// use allocstate::{DecodeError, InvalidState, TaskState};
    ///
    /// // Phase Running (1) with no event: no run of the machine gets there.
    /// let bytes = [1, 0, 0, 0, 0, 0, 0, 0];
    /// assert_eq!(
    ///     TaskState::from_postcard(&bytes),
    ///     Err(DecodeError::InvalidState(InvalidState::StateContradictsEvents))
    /// );
    /// ```
    pub fn from_postcard(bytes: &[u8]) -> Result<TaskState, DecodeError> {
        let (state_binary::CheckedState(task), rest) =
            postcard::take_from_bytes(bytes).map_err(|_| DecodeError::Malformed)?;
        let task = task?;
        if !rest.is_empty() {
            return Err(DecodeError::TrailingBytes);
        }
        let mut again = [0u8; TaskState::POSTCARD_MAX_SIZE];
        // Cannot fail: the buffer holds the largest encoding.
        let written = task
            .to_postcard(&mut again)
            .map_err(|_| DecodeError::OverCapacity {
                field: "task state",
            })?;
        if &*written != bytes {
            return Err(DecodeError::NonCanonical);
        }
        Ok(task)
    }
}
