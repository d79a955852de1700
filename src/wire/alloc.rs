//! The allocation on the wire: dispatch between Nomad's JSON and the compact format, and
//! the postcard entry points. The pieces both formats share are in `alloc_fields`.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::allocation::Allocation;
use crate::wire::DecodeError;
use crate::wire::WithZeroTime;
use crate::wire::ZeroTime;
use crate::wire::{compact, json};

#[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
impl<const N: usize> Serialize for Allocation<N> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            json::alloc::serialize(self, ZeroTime::Null, s)
        } else {
            compact::alloc::serialize(self, s)
        }
    }
}

#[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
impl<const N: usize> Serialize for WithZeroTime<'_, Allocation<N>> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            json::alloc::serialize(self.0, self.1, s)
        } else {
            compact::alloc::serialize(self.0, s)
        }
    }
}

/// **`deserialize` by value is host-only.** It decodes into a local that is then moved
/// into the result, and a by-value reader moves it again: through serde-json-core on
/// thumbv7em an `Allocation<8>` read by `Allocation::deserialize` takes 15.9 KB of stack
/// beyond its 13.7 KB result, and through `serde_json_core::from_slice_escaped`, whose
/// own frame holds the value too, 43 KB (measured by the QEMU firmware,
/// docs/on-target.md). On a microcontroller read in place into storage you own with
/// [`Allocation::deserialize_into`] (2.2 KB through serde-json-core), or serde's
/// `deserialize_in_place`, which calls it:
///
/// ```
/// use allocstate::Allocation;
///
/// let json = br#"{"ClientStatus": "pending", "TaskStates": {"web": {"State": "pending"}}}"#;
/// let mut unescape = [0u8; allocstate::DISPLAY_MESSAGE_MAX_LEN];
/// let mut group: Allocation<2> = Allocation::new(); // or a static you own
/// let mut de = serde_json_core::de::Deserializer::new(json, Some(&mut unescape));
/// Allocation::deserialize_into(&mut de, &mut group).unwrap();
/// de.end().unwrap();
/// assert_eq!(group.task_at(0).map(|t| t.name()), Some("web"));
/// ```
#[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
impl<'de, const N: usize> Deserialize<'de> for Allocation<N> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let mut alloc = Allocation::new();
        Allocation::deserialize_into(d, &mut alloc)?;
        Ok(alloc)
    }

    fn deserialize_in_place<D: Deserializer<'de>>(d: D, place: &mut Self) -> Result<(), D::Error> {
        Allocation::deserialize_into(d, place)
    }
}

#[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
impl<const N: usize> Allocation<N> {
    /// The largest compact (postcard) encoding of an `Allocation<N>`, in bytes, computed
    /// from its parts' maxima: a buffer this size always suffices for
    /// [`to_postcard`](Allocation::to_postcard).
    pub const POSTCARD_MAX_SIZE: usize = compact::alloc::max_size(N);

    /// Writes the compact encoding into `buf`; returns the used part.
    ///
    /// ```
    /// use allocstate::{Allocation, Role, TaskEvent};
    ///
    /// let mut group: Allocation<2> = Allocation::new();
    /// group.add_task("web", Role::leader()).unwrap();
    /// group.apply("web", TaskEvent::received(1)).unwrap();
    /// let mut buf = [0u8; Allocation::<2>::POSTCARD_MAX_SIZE];
    /// let bytes = group.to_postcard(&mut buf).unwrap();
    /// assert_eq!(Allocation::<2>::from_postcard(bytes), Ok(group));
    /// ```
    pub fn to_postcard<'b>(&self, buf: &'b mut [u8]) -> Result<&'b mut [u8], postcard::Error> {
        compact::to_slice(self, buf).map_err(Into::into)
    }

    /// Reads a compact encoding, refusing trailing bytes, anything invalid (see *Wire
    /// formats* in the [crate docs](crate)) and any non-canonical encoding: decode then
    /// encode is byte-identical.
    ///
    /// **Host-only.** The allocation is decoded into a local and then moved into the
    /// result, so the stack holds it twice: on thumbv7em an `Allocation<8>` takes
    /// 15.6 KB of stack beyond its 13.7 KB result (measured by the QEMU firmware,
    /// docs/on-target.md), against 1.9 KB for the in-place call. On a microcontroller
    /// decode into storage you own (a `static`, a field of a larger struct) with
    /// [`from_postcard_into`](Allocation::from_postcard_into):
    /// `Allocation::from_postcard_into(bytes, &mut alloc)`.
    #[inline]
    pub fn from_postcard(bytes: &[u8]) -> Result<Allocation<N>, DecodeError> {
        compact::from_postcard(bytes)
    }

    /// [`from_postcard`](Allocation::from_postcard) into caller-provided storage: each
    /// task and its events are read straight into `out`, so the stack never holds a
    /// whole task state or allocation (see *Memory* in the [crate docs](crate)). On error
    /// `out` is left empty ([`Allocation::new()`]), never half decoded: decode into a
    /// spare slot if the previous allocation must survive bad input.
    ///
    /// ```
    /// use allocstate::{Allocation, Role, TaskEvent};
    ///
    /// let mut group: Allocation<2> = Allocation::new();
    /// group.add_task("web", Role::leader()).unwrap();
    /// group.apply("web", TaskEvent::received(1)).unwrap();
    /// let mut buf = [0u8; Allocation::<2>::POSTCARD_MAX_SIZE];
    /// let bytes = group.to_postcard(&mut buf).unwrap();
    ///
    /// let mut restored: Allocation<2> = Allocation::new(); // or a static you own
    /// Allocation::from_postcard_into(bytes, &mut restored).unwrap();
    /// assert_eq!(restored, group);
    /// assert!(Allocation::from_postcard_into(&bytes[1..], &mut restored).is_err());
    /// assert!(restored.is_empty());
    /// ```
    pub fn from_postcard_into(bytes: &[u8], out: &mut Allocation<N>) -> Result<(), DecodeError> {
        compact::from_postcard_into(bytes, out)
    }

    /// Reads an allocation from any serde deserializer into caller-provided storage, as
    /// [`Deserialize`] does but without an allocation on the stack: Nomad's JSON from a
    /// human-readable format (serde_json, serde-json-core), else the compact layout. On
    /// error `out` is left empty.
    ///
    /// ```
    /// use allocstate::Allocation;
    ///
    /// let json = br#"{"ClientStatus": "pending", "TaskStates": {"web": {"State": "pending"}}}"#;
    /// let mut group: Allocation<2> = Allocation::new();
    /// let mut de = serde_json::Deserializer::from_slice(json);
    /// Allocation::deserialize_into(&mut de, &mut group)?;
    /// assert_eq!(group.task_at(0).map(|t| t.name()), Some("web"));
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    pub fn deserialize_into<'de, D: Deserializer<'de>>(
        d: D,
        out: &mut Allocation<N>,
    ) -> Result<(), D::Error> {
        out.clear();
        let read = if d.is_human_readable() {
            json::alloc::deserialize_into(d, out)
        } else {
            compact::alloc::deserialize_into(d, out)
        };
        if read.is_err() {
            out.clear();
        }
        read
    }
}
