//! What both allocation formats read and write alike: the desired status, bounded
//! strings, the claimed client status, and everything read before the allocation is
//! rebuilt through [`Allocation::from_parts`](crate::Allocation::from_parts)'s rules.

use core::fmt;

use heapless::{String, Vec};
use serde::de::{self, DeserializeSeed, Deserializer, Visitor};
use serde::ser::Serializer;
use serde::{Deserialize, Serialize};

use crate::allocation::{
    push_pending, AllocIdentity, AllocTask, Allocation, AllocationError, AllocationParts,
    DesiredStatus, Role, TaskName, CLIENT_DESCRIPTION_CAPACITY, DESIRED_DESCRIPTION_CAPACITY,
};
use crate::status::ClientStatus;
use crate::text::prefix_within;
use crate::wire::DecodeError;

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

#[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
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

#[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
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

/// Reads an identity string into the `String<C>` it holds: a longer one is cut to the
/// longest prefix that fits (on a character boundary), and the cut returned, so that one
/// long ID does not cost the whole allocation.
pub(crate) struct CutInto<'a, const C: usize>(pub(crate) &'a mut String<C>);

impl<'de, const C: usize> DeserializeSeed<'de> for CutInto<'_, C> {
    type Value = bool;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<bool, D::Error> {
        d.deserialize_str(self)
    }
}

impl<const C: usize> Visitor<'_> for CutInto<'_, C> {
    type Value = bool;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<bool, E> {
        let kept = prefix_within(v, C);
        self.0.clear();
        // Fits: `prefix_within` keeps at most `C` bytes.
        let _ = self.0.push_str(kept);
        Ok(kept.len() < v.len())
    }
}

/// Reads a string of at most `C` bytes into the `String<C>` it holds; a longer one is
/// [`DecodeError::OverCapacity`] naming the field (a reason, not a layout error: see
/// `compact::Checked`). In place, so no string is moved through the readers' results.
pub(crate) struct CheckedInto<'a, const C: usize>(
    pub(crate) &'a mut String<C>,
    pub(crate) &'static str,
);

impl<'de, const C: usize> DeserializeSeed<'de> for CheckedInto<'_, C> {
    type Value = Result<(), DecodeError>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        let text: &str = Deserialize::deserialize(d)?;
        self.0.clear();
        Ok(self
            .0
            .push_str(text)
            .map_err(|_| DecodeError::OverCapacity { field: self.1 }))
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

/// Everything read besides the identity and the tasks (which are read straight into the
/// destination),
/// before the allocation's invariants are checked.
pub(crate) struct Decoded {
    pub(crate) desired_status: DesiredStatus,
    pub(crate) desired_description: String<DESIRED_DESCRIPTION_CAPACITY>,
    pub(crate) client_status: Option<Claimed>,
    pub(crate) client_description: Option<String<CLIENT_DESCRIPTION_CAPACITY>>,
    pub(crate) create_index: u64,
    pub(crate) modify_index: u64,
}

impl Decoded {
    pub(crate) const fn new() -> Self {
        Self {
            desired_status: DesiredStatus::Run,
            desired_description: String::new(),
            client_status: None,
            client_description: None,
            create_index: 0,
            modify_index: 0,
        }
    }
}

/// Appends a decoded task, pending until its state is read into it (see
/// [`StateInto`](crate::wire::StateInto)): its name must be new and there must be room.
pub(crate) fn push_task<const N: usize>(
    tasks: &mut Vec<AllocTask, N>,
    name: TaskName,
    role: Role,
    kill_timeout: i64,
) -> Result<&mut AllocTask, AllocationError> {
    if tasks.iter().any(|held| held.name == name) {
        return Err(AllocationError::DuplicateTask);
    }
    push_pending(tasks, name, role, kill_timeout).ok_or(AllocationError::Full { capacity: N })
}

impl Decoded {
    /// Completes `alloc`, whose tasks were read into it, or names the first invariant it
    /// breaks (checked by [`Allocation::from_parts`]'s own rules, in place).
    pub(crate) fn settle<const N: usize>(
        &self,
        alloc: &mut Allocation<N>,
    ) -> Result<(), DecodeError> {
        let client_status = match self.client_status {
            None => None,
            Some(Claimed::Status(status)) => Some(status),
            Some(Claimed::Server(status @ (ClientStatus::Lost | ClientStatus::Unknown))) => {
                Some(status)
            }
            Some(Claimed::Server(status)) => {
                return Err(AllocationError::NotServerStatus { status }.into())
            }
        };
        let parts = AllocationParts {
            // Read straight into `alloc`'s identity.
            identity: AllocIdentity::default(),
            desired_status: self.desired_status,
            desired_description: self.desired_description.as_str(),
            client_status,
            client_description: self.client_description.as_ref().map(|text| text.as_str()),
            create_index: self.create_index,
            modify_index: self.modify_index,
        };
        Ok(alloc.rebuild_keeping_identity(parts)?)
    }
}
