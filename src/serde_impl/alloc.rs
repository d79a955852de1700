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
    identity::Identity, push_pending, AllocError, AllocTask, Allocation, DesiredStatus,
    ReportedDescription, Role, TaskName, CLIENT_DESCRIPTION_CAPACITY, DESIRED_DESCRIPTION_CAPACITY,
};
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
        let mut alloc = Allocation::new();
        Allocation::deserialize_into(d, &mut alloc)?;
        Ok(alloc)
    }

    fn deserialize_in_place<D: Deserializer<'de>>(d: D, place: &mut Self) -> Result<(), D::Error> {
        Allocation::deserialize_into(d, place)
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

fn desired_from_code(code: u8) -> Option<DesiredStatus> {
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

/// An optional bounded string (`None` for JSON `null` or postcard's 0 tag).
pub(crate) struct MaybeBounded<const C: usize>(pub(crate) Bounded<C>);

impl<'de, const C: usize> DeserializeSeed<'de> for MaybeBounded<C> {
    type Value = Option<String<C>>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_option(self)
    }
}

impl<'de, const C: usize> Visitor<'de> for MaybeBounded<C> {
    type Value = Option<String<C>>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.expecting(f)
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        self.0.deserialize(d).map(Some)
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

/// Everything read besides the tasks (which are read straight into the destination),
/// before the allocation's invariants are checked.
pub(crate) struct Decoded {
    pub(crate) identity: Identity,
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
            identity: Identity::new(),
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
/// [`StateInto`](super::StateInto)): its name must be new and there must be room.
pub(crate) fn push_task<const N: usize, E: de::Error>(
    tasks: &mut Vec<AllocTask, N>,
    name: TaskName,
    role: Role,
    kill_timeout: i64,
) -> Result<&mut AllocTask, E> {
    if tasks.iter().any(|held| held.name == name) {
        return Err(E::custom(AllocError::DuplicateTask));
    }
    push_pending(tasks, name, role, kill_timeout)
        .ok_or_else(|| E::custom(AllocError::Full { capacity: N }))
}

/// Why a decoded allocation was refused.
enum Invalid {
    Contradicts {
        claimed: ClientStatus,
        derived: ClientStatus,
    },
    Alloc(AllocError),
    KillOrdered,
}

impl fmt::Display for Invalid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Invalid::Contradicts { claimed, derived } => write!(
                f,
                "ClientStatus `{claimed}` contradicts the tasks, whose status is `{derived}`"
            ),
            Invalid::Alloc(error) => fmt::Display::fmt(error, f),
            Invalid::KillOrdered => f.write_str(
                "a task marked kill-ordered is a poststop task or has accepted no event",
            ),
        }
    }
}

impl Decoded {
    /// Completes `alloc`, whose tasks were read into it, or names the first invariant it
    /// breaks.
    pub(crate) fn settle<const N: usize, E: de::Error>(
        self,
        alloc: &mut Allocation<N>,
    ) -> Result<(), E> {
        self.check(alloc).map_err(E::custom)
    }

    fn check<const N: usize>(self, alloc: &mut Allocation<N>) -> Result<(), Invalid> {
        // Names are unique and within N by construction (`push_task`).
        if alloc
            .tasks
            .iter()
            .any(|t| t.kill_ordered && (t.role.is_poststop() || t.state.event_count() == 0))
        {
            return Err(Invalid::KillOrdered);
        }
        alloc.identity = self.identity;
        alloc.desired_status = self.desired_status;
        alloc.desired_description = self.desired_description;
        alloc.modify_index = 0;
        alloc.create_index = 0;
        alloc.client_description = None;
        alloc.server_status = None;
        let derived = alloc.derived_client_status();
        alloc.server_status = match self.client_status {
            None => None,
            Some(Claimed::Status(status) | Claimed::Server(status))
                if matches!(status, ClientStatus::Lost | ClientStatus::Unknown) =>
            {
                Some(status)
            }
            Some(Claimed::Server(status)) => {
                return Err(Invalid::Alloc(AllocError::NotServerStatus { status }))
            }
            Some(Claimed::Status(claimed)) if claimed == derived => None,
            Some(Claimed::Status(claimed)) => {
                return Err(Invalid::Contradicts { claimed, derived })
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
            .map_err(Invalid::Alloc)?;
        Ok(())
    }
}

/// A serialization "flavor" that writes nothing and checks each byte against the input
/// read: re-encoding without a buffer (whose size cannot depend on `N` on stable Rust).
pub(crate) struct SameAs<'a> {
    pub(crate) expected: &'a [u8],
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
    ///
    /// The allocation passes through a few stack frames on its way out; on a small stack
    /// decode into storage you own with
    /// [`from_postcard_into`](Allocation::from_postcard_into).
    #[inline]
    pub fn from_postcard(bytes: &[u8]) -> Result<Allocation<N>, postcard::Error> {
        let mut alloc = Allocation::new();
        Allocation::from_postcard_into(bytes, &mut alloc)?;
        Ok(alloc)
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
    pub fn from_postcard_into(
        bytes: &[u8],
        out: &mut Allocation<N>,
    ) -> Result<(), postcard::Error> {
        let read = read_postcard_into(bytes, out);
        if read.is_err() {
            out.clear();
        }
        read
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
            alloc_json::deserialize_into(d, out)
        } else {
            alloc_binary::deserialize_into(d, out)
        };
        if read.is_err() {
            out.clear();
        }
        read
    }
}

/// Decodes, refuses trailing bytes, then re-encodes against the input without a buffer.
fn read_postcard_into<const N: usize>(
    bytes: &[u8],
    out: &mut Allocation<N>,
) -> Result<(), postcard::Error> {
    let mut de = postcard::Deserializer::from_bytes(bytes);
    Allocation::deserialize_into(&mut de, out)?;
    if !de.finalize()?.is_empty() {
        return Err(postcard::Error::DeserializeBadEncoding);
    }
    postcard::serialize_with_flavor(&*out, SameAs { expected: bytes })
        .map_err(|_| postcard::Error::DeserializeBadEncoding)
}
