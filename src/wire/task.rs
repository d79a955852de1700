//! serde for task states and events: each impl dispatches to Nomad's JSON
//! (`json/`) in human-readable formats, to the compact layout (`compact/`) in binary ones,
//! and the postcard entry points of a task state.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::event::TaskEvent;
use crate::task::TaskState;
use crate::wire::DecodeError;
use crate::wire::{compact, json};
use crate::wire::{WithZeroTime, ZeroTime};

#[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
impl Serialize for TaskEvent {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            json::event::serialize(self, s)
        } else {
            compact::event::serialize(self, s)
        }
    }
}

#[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
impl<'de> Deserialize<'de> for TaskEvent {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        if d.is_human_readable() {
            json::event::deserialize(d)
        } else {
            compact::event::deserialize(d)
        }
    }
}

/// Reads a task state into the one it holds (see [`TaskState::deserialize_into`]): how a
/// task inside an allocation is decoded in place.
pub(crate) struct StateInto<'a>(pub(crate) &'a mut TaskState);

impl<'de> serde::de::DeserializeSeed<'de> for StateInto<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        TaskState::deserialize_into(d, self.0)
    }
}

#[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
impl Serialize for TaskState {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            json::state::serialize(self, ZeroTime::Null, s)
        } else {
            compact::state::serialize(self, s)
        }
    }
}

/// **`deserialize` by value is host-only.** It decodes into a local that is then moved
/// into the result: through serde-json-core on thumbv7em `TaskState::deserialize` takes
/// 3.1 KB of stack beyond the 1.5 KB result and `serde_json_core::from_slice_escaped`,
/// whose own frame holds the value too, 6.1 KB, over the 2 KiB a task state's operations
/// are held to (measured by the QEMU firmware, docs/on-target.md). On a microcontroller
/// read in place with [`TaskState::deserialize_into`] (1.5 KB through serde-json-core), or
/// serde's `deserialize_in_place`, which calls it.
#[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
impl<'de> Deserialize<'de> for TaskState {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let mut task = TaskState::new();
        TaskState::deserialize_into(d, &mut task)?;
        Ok(task)
    }

    fn deserialize_in_place<D: Deserializer<'de>>(d: D, place: &mut Self) -> Result<(), D::Error> {
        TaskState::deserialize_into(d, place)
    }
}

#[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
impl Serialize for WithZeroTime<'_, TaskState> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            json::state::serialize(self.0, self.1, s)
        } else {
            compact::state::serialize(self.0, s)
        }
    }
}

#[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
impl TaskEvent {
    /// The largest compact (postcard) encoding of one event, in bytes.
    pub const POSTCARD_MAX_SIZE: usize = compact::event::MAX_SIZE;
}

#[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
impl TaskState {
    /// The largest compact (postcard) encoding of a task state, in bytes: a buffer this
    /// size always suffices for [`to_postcard`](TaskState::to_postcard).
    pub const POSTCARD_MAX_SIZE: usize = compact::state::MAX_SIZE;

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
    /// # Ok::<(), allocstate::TransitionError>(())
    /// ```
    pub fn to_postcard<'b>(&self, buf: &'b mut [u8]) -> Result<&'b mut [u8], postcard::Error> {
        compact::to_slice(self, buf).map_err(Into::into)
    }

    /// Reads a compact encoding, refusing trailing bytes, anything invalid and any
    /// non-canonical encoding (see *Wire formats* in the [crate docs](crate)); the error
    /// says which.
    ///
    /// ```
    /// use allocstate::{DecodeError, TaskStateError, TaskState};
    ///
    /// // Phase Running (1) with no event: no run of the machine gets there.
    /// let bytes = [1, 0, 0, 0, 0, 0, 0, 0];
    /// assert_eq!(
    ///     TaskState::from_postcard(&bytes),
    ///     Err(DecodeError::InvalidState(TaskStateError::StateContradictsEvents))
    /// );
    /// ```
    ///
    /// **Host-only.** The state is decoded into a local and then moved into the result,
    /// so the stack holds it twice: on thumbv7em 2.5 KB of stack beyond the 1.5 KB
    /// result, over the 2 KiB a task state's operations are held to (measured by the
    /// QEMU firmware, docs/on-target.md), against 0.9 KB for the in-place call. On a
    /// microcontroller decode into storage you own with
    /// [`from_postcard_into`](TaskState::from_postcard_into):
    /// `TaskState::from_postcard_into(bytes, &mut task)`.
    #[inline]
    pub fn from_postcard(bytes: &[u8]) -> Result<TaskState, DecodeError> {
        compact::from_postcard(bytes)
    }

    /// [`from_postcard`](TaskState::from_postcard) into caller-provided storage: events
    /// are read one at a time straight into `out`'s ring, so the stack holds no second
    /// task state (see *Memory* in the [crate docs](crate)). On error `out` is left as
    /// [`TaskState::new()`], never half decoded: decode into a spare slot if the previous
    /// state must survive bad input.
    ///
    /// ```
    /// use allocstate::{TaskEvent, TaskState};
    ///
    /// let mut task = TaskState::new();
    /// task.apply(TaskEvent::received(1))?;
    /// let mut buf = [0u8; TaskState::POSTCARD_MAX_SIZE];
    /// let bytes = task.to_postcard(&mut buf).unwrap();
    ///
    /// let mut restored = TaskState::new(); // or a static, or a slot in a larger struct
    /// TaskState::from_postcard_into(bytes, &mut restored).unwrap();
    /// assert_eq!(restored, task);
    ///
    /// assert!(TaskState::from_postcard_into(&bytes[..3], &mut restored).is_err());
    /// assert_eq!(restored, TaskState::new());
    /// # Ok::<(), allocstate::TransitionError>(())
    /// ```
    pub fn from_postcard_into(bytes: &[u8], out: &mut TaskState) -> Result<(), DecodeError> {
        compact::from_postcard_into(bytes, out)
    }

    /// Reads a task state from any serde deserializer into caller-provided storage, as
    /// [`Deserialize`] does but without a task state on the stack: Nomad's JSON from a
    /// human-readable format (serde_json, serde-json-core), else the compact layout. On
    /// error `out` is left as [`TaskState::new()`].
    ///
    /// ```
    /// use allocstate::TaskState;
    ///
    /// let json = br#"{"State": "running", "Events": [{"Type": "Started", "Time": 5}]}"#;
    /// let mut task = TaskState::new();
    /// TaskState::deserialize_into(&mut serde_json::Deserializer::from_slice(json), &mut task)?;
    /// assert_eq!(task.started_at(), Some(5));
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    pub fn deserialize_into<'de, D: Deserializer<'de>>(
        d: D,
        out: &mut TaskState,
    ) -> Result<(), D::Error> {
        out.reset();
        let read = if d.is_human_readable() {
            json::state::deserialize_into(d, out)
        } else {
            compact::state::deserialize_into(d, out)
        };
        if read.is_err() {
            out.reset();
        }
        read
    }
}
