//! The allocation on the wire: dispatch between Nomad's JSON and the compact format, the
//! pieces both share (bounded strings, the desired status, the validated rebuild) and
//! the postcard entry points.

use core::fmt;

use heapless::{String, Vec};
use serde::de::{self, DeserializeSeed, Deserializer, Visitor};
use serde::ser::Serializer;
use serde::{Deserialize, Serialize};

use super::{alloc_binary, alloc_json};
use crate::allocation::{
    identity::Identity, AllocError, AllocTask, Allocation, DesiredStatus, ReportedDescription,
    CLIENT_DESCRIPTION_CAPACITY, DESIRED_DESCRIPTION_CAPACITY,
};
use crate::error::DecodeError;
use crate::status::ClientStatus;

impl<const N: usize> Serialize for Allocation<N> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            alloc_json::serialize(self, s)
        } else {
            alloc_binary::serialize(self, s)
        }
    }
}

impl<'de, const N: usize> Deserialize<'de> for Allocation<N> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        if d.is_human_readable() {
            alloc_json::deserialize(d)
        } else {
            alloc_binary::deserialize(d)
        }
    }
}

/// `DesiredStatus` wire code: run 0, stop 1, evict 2.
pub(crate) fn desired_code(status: DesiredStatus) -> u8 {
    match status {
        DesiredStatus::Run => 0,
        DesiredStatus::Stop => 1,
        DesiredStatus::Evict => 2,
    }
}

pub(crate) fn desired_from_code(code: u8) -> Option<DesiredStatus> {
    match code {
        0 => Some(DesiredStatus::Run),
        1 => Some(DesiredStatus::Stop),
        2 => Some(DesiredStatus::Evict),
        _ => None,
    }
}

impl Serialize for DesiredStatus {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            s.serialize_str(self.as_str())
        } else {
            s.serialize_u8(desired_code(*self))
        }
    }
}

struct DesiredVisitor;

impl Visitor<'_> for DesiredVisitor {
    type Value = DesiredStatus;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a desired status: run, stop or evict")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<DesiredStatus, E> {
        DesiredStatus::from_wire_str(v)
            .ok_or_else(|| E::unknown_variant(v, &["run", "stop", "evict"]))
    }

    fn visit_u8<E: de::Error>(self, v: u8) -> Result<DesiredStatus, E> {
        desired_from_code(v)
            .ok_or_else(|| E::invalid_value(de::Unexpected::Unsigned(u64::from(v)), &self))
    }
}

impl<'de> Deserialize<'de> for DesiredStatus {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        if d.is_human_readable() {
            d.deserialize_str(DesiredVisitor)
        } else {
            d.deserialize_u8(DesiredVisitor)
        }
    }
}

/// Reads a string of at most `C` bytes; a longer one is an error naming `field`, never
/// cut.
pub(crate) struct Bounded<const C: usize> {
    pub(crate) field: &'static str,
}

impl<const C: usize> Bounded<C> {
    pub(crate) const fn new(field: &'static str) -> Self {
        Self { field }
    }
}

impl<'de, const C: usize> DeserializeSeed<'de> for Bounded<C> {
    type Value = String<C>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<String<C>, D::Error> {
        d.deserialize_str(self)
    }
}

impl<const C: usize> Visitor<'_> for Bounded<C> {
    type Value = String<C>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}`: a string of at most {C} bytes", self.field)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<String<C>, E> {
        let mut held = String::new();
        match held.push_str(v) {
            Ok(()) => Ok(held),
            Err(_) => Err(E::invalid_length(v.len(), &self)),
        }
    }
}

/// The client status read with an allocation.
#[derive(Clone, Copy)]
pub(crate) enum Claimed {
    /// JSON's `ClientStatus`: `lost`/`unknown` are kept as set by a server; any other
    /// must be the one derived from the tasks.
    Status(ClientStatus),
    /// The compact format's server-set status: `lost` or `unknown` only.
    Server(ClientStatus),
}

/// Everything read, before the allocation's invariants are checked.
pub(crate) struct Decoded<const N: usize> {
    pub(crate) identity: Identity,
    pub(crate) desired_status: DesiredStatus,
    pub(crate) desired_description: String<DESIRED_DESCRIPTION_CAPACITY>,
    pub(crate) client_status: Option<Claimed>,
    pub(crate) client_description: Option<String<CLIENT_DESCRIPTION_CAPACITY>>,
    pub(crate) create_index: u64,
    pub(crate) modify_index: u64,
    pub(crate) tasks: Vec<AllocTask, N>,
}

impl<const N: usize> Decoded<N> {
    pub(crate) const fn new() -> Self {
        Self {
            identity: Identity::new(),
            desired_status: DesiredStatus::Run,
            desired_description: String::new(),
            client_status: None,
            client_description: None,
            create_index: 0,
            modify_index: 0,
            tasks: Vec::new(),
        }
    }
}

/// Adds a decoded task: its name must be new and there must be room.
pub(crate) fn push_task<const N: usize>(
    tasks: &mut Vec<AllocTask, N>,
    task: AllocTask,
) -> Result<(), DecodeError> {
    if tasks.iter().any(|held| held.name == task.name) {
        return Err(DecodeError::InvalidAllocation(AllocError::DuplicateTask));
    }
    tasks
        .push(task)
        .map_err(|_| DecodeError::InvalidAllocation(AllocError::Full { capacity: N }))
}

impl<const N: usize> Decoded<N> {
    /// The allocation, or the first invariant it breaks.
    pub(crate) fn build<E: de::Error>(self) -> Result<Allocation<N>, E> {
        self.check().map_err(E::custom)
    }

    pub(crate) fn check(self) -> Result<Allocation<N>, DecodeError> {
        // Names are unique and within N by construction (`push_task`).
        if self
            .tasks
            .iter()
            .any(|t| t.kill_ordered && (t.role.is_poststop() || t.state.event_count() == 0))
        {
            return Err(DecodeError::KillOrderedTask);
        }
        let mut alloc = Allocation::<N>::new();
        alloc.tasks = self.tasks;
        alloc.identity = self.identity;
        alloc.desired_status = self.desired_status;
        alloc.desired_description = self.desired_description;
        let derived = alloc.derived_client_status();
        alloc.server_status = match self.client_status {
            None => None,
            Some(Claimed::Status(status) | Claimed::Server(status))
                if matches!(status, ClientStatus::Lost | ClientStatus::Unknown) =>
            {
                Some(status)
            }
            Some(Claimed::Server(status)) => {
                return Err(DecodeError::InvalidAllocation(
                    AllocError::NotServerStatus { status },
                ))
            }
            Some(Claimed::Status(claimed)) if claimed == derived => None,
            Some(Claimed::Status(claimed)) => {
                return Err(DecodeError::ClientStatusContradicts { claimed, derived })
            }
        };
        if let Some(text) = self.client_description {
            let status = alloc.client_status();
            if text.as_str() != status.description() {
                alloc.client_description = Some(ReportedDescription { status, text });
            }
        }
        alloc
            .set_indexes(self.create_index, self.modify_index)
            .map_err(DecodeError::InvalidAllocation)?;
        Ok(alloc)
    }
}

/// A serialization "flavor" that writes nothing and checks each byte against the input
/// read: re-encoding without a buffer (whose size cannot depend on `N` on stable Rust).
struct SameAs<'a> {
    expected: &'a [u8],
}

impl postcard::ser_flavors::Flavor for SameAs<'_> {
    type Output = ();

    fn try_push(&mut self, data: u8) -> postcard::Result<()> {
        match self.expected.split_first() {
            Some((first, rest)) if *first == data => {
                self.expected = rest;
                Ok(())
            }
            _ => Err(postcard::Error::DeserializeBadEncoding),
        }
    }

    fn finalize(self) -> postcard::Result<()> {
        if self.expected.is_empty() {
            Ok(())
        } else {
            Err(postcard::Error::DeserializeBadEncoding)
        }
    }
}

impl<const N: usize> Allocation<N> {
    /// The largest compact (postcard) encoding of an `Allocation<N>`, in bytes, computed
    /// from its parts' maxima: a buffer this size always suffices for
    /// [`to_postcard`](Allocation::to_postcard).
    pub const POSTCARD_MAX_SIZE: usize = alloc_binary::max_size(N);

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
        postcard::to_slice(self, buf)
    }

    /// Reads a compact encoding, refusing trailing bytes, anything invalid (see *Wire
    /// formats* in the [crate docs](crate)) and any non-canonical encoding: decode then
    /// encode is byte-identical.
    pub fn from_postcard(bytes: &[u8]) -> Result<Allocation<N>, DecodeError> {
        let (alloc_binary::CheckedAllocation(alloc), rest) =
            postcard::take_from_bytes::<alloc_binary::CheckedAllocation<N>>(bytes)
                .map_err(|_| DecodeError::Malformed)?;
        let alloc = alloc?;
        if !rest.is_empty() {
            return Err(DecodeError::TrailingBytes);
        }
        postcard::serialize_with_flavor(&alloc, SameAs { expected: bytes })
            .map_err(|_| DecodeError::NonCanonical)?;
        Ok(alloc)
    }
}
