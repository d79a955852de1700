//! serde for task states and events: Nomad's JSON in human-readable formats, a compact
//! validated layout in binary ones (postcard). The formats are described in the crate docs.

mod alloc;
mod alloc_binary;
mod alloc_fields;
mod alloc_json;
mod capture;
pub(crate) mod compact;
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

#[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
impl Serialize for TaskEvent {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            event_json::serialize(self, s)
        } else {
            event_binary::serialize(self, s)
        }
    }
}

#[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
impl<'de> Deserialize<'de> for TaskEvent {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        if d.is_human_readable() {
            event_json::deserialize(d)
        } else {
            event_binary::deserialize(d)
        }
    }
}

#[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
impl Serialize for TaskState {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            state_json::serialize(self, s)
        } else {
            state_binary::serialize(self, s)
        }
    }
}

#[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
impl<'de> Deserialize<'de> for TaskState {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        if d.is_human_readable() {
            state_json::deserialize(d)
        } else {
            state_binary::deserialize(d)
        }
    }
}

#[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
impl TaskEvent {
    /// The largest compact (postcard) encoding of one event, in bytes.
    pub const POSTCARD_MAX_SIZE: usize = event_binary::MAX_SIZE;
}

#[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
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
        compact::to_slice(self, buf).map_err(Into::into)
    }

    /// Reads a compact encoding, refusing trailing bytes, anything invalid and any
    /// non-canonical encoding (see *Wire formats* in the [crate docs](crate)).
    pub fn from_postcard(bytes: &[u8]) -> Result<TaskState, postcard::Error> {
        let (task, rest) = postcard::take_from_bytes::<TaskState>(bytes)?;
        if !rest.is_empty() {
            return Err(postcard::Error::DeserializeBadEncoding);
        }
        if !compact::encodes_as(&task, bytes) {
            return Err(postcard::Error::DeserializeBadEncoding);
        }
        Ok(task)
    }
}
