//! An allocation in the compact format (layout in the crate docs, *Wire formats*).

use core::fmt;

use heapless::Vec;
use serde::de::{self, DeserializeSeed, Deserializer, SeqAccess, Visitor};
use serde::ser::{SerializeSeq, SerializeTuple, Serializer};
use serde::{Deserialize, Serialize};

use crate::allocation::{
    AllocTask, Allocation, IdentityField, Role, TaskName, ALLOC_NAME_CAPACITY,
    CLIENT_DESCRIPTION_CAPACITY, DESIRED_DESCRIPTION_CAPACITY, JOB_ID_CAPACITY,
    TASK_GROUP_CAPACITY, TASK_NAME_CAPACITY, UUID_CAPACITY,
};
use crate::restart::{Lifecycle, LifecycleHook};
use crate::task::TaskState;
use crate::wire::alloc_fields::{
    desired_code, desired_from_code, push_task, Bounded, CheckedInto, Claimed, Decoded,
};
use crate::wire::compact::{Checked, ReadInPlace};
use crate::wire::names::client_status_from_code;
use crate::wire::DecodeError;

const ELEMENTS: usize = 14;
const TASK_ELEMENTS: usize = 7;

/// Lifecycle hook code: none (main) 0, prestart 1, poststart 2, poststop 3.
fn hook_code(hook: Option<LifecycleHook>) -> u8 {
    match hook {
        None => 0,
        Some(LifecycleHook::Prestart) => 1,
        Some(LifecycleHook::Poststart) => 2,
        Some(LifecycleHook::Poststop) => 3,
    }
}

fn hook_from_code(code: u8) -> Option<Option<LifecycleHook>> {
    match code {
        0 => Some(None),
        1 => Some(Some(LifecycleHook::Prestart)),
        2 => Some(Some(LifecycleHook::Poststart)),
        3 => Some(Some(LifecycleHook::Poststop)),
        _ => None,
    }
}

struct Task<'a>(&'a AllocTask);

impl Serialize for Task<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let task = self.0;
        let mut t = s.serialize_tuple(TASK_ELEMENTS)?;
        t.serialize_element(task.name())?;
        t.serialize_element(&hook_code(task.role.lifecycle.hook))?;
        t.serialize_element(&task.role.lifecycle.sidecar)?;
        t.serialize_element(&task.role.leader)?;
        t.serialize_element(&task.kill_timeout)?;
        t.serialize_element(&task.kill_ordered)?;
        t.serialize_element(&task.state)?;
        t.end()
    }
}

struct Tasks<'a>(&'a [AllocTask]);

impl Serialize for Tasks<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.0.len()))?;
        for task in self.0 {
            seq.serialize_element(&Task(task))?;
        }
        seq.end()
    }
}

pub(crate) fn serialize<const N: usize, S: Serializer>(
    alloc: &Allocation<N>,
    s: S,
) -> Result<S::Ok, S::Error> {
    let mut t = s.serialize_tuple(ELEMENTS)?;
    t.serialize_element(alloc.id())?;
    t.serialize_element(alloc.eval_id())?;
    t.serialize_element(alloc.name())?;
    t.serialize_element(alloc.node_id())?;
    t.serialize_element(alloc.job_id())?;
    t.serialize_element(alloc.task_group())?;
    t.serialize_element(&desired_code(alloc.desired_status))?;
    t.serialize_element(alloc.desired_description())?;
    // `ClientStatus` writes its own one-byte code, the one the decoder reads back.
    t.serialize_element(&alloc.server_status)?;
    t.serialize_element(&alloc.client_description.as_ref().map(
        |reported: &crate::allocation::reported::ReportedDescription| reported.text.as_str(),
    ))?;
    t.serialize_element(&alloc.create_index)?;
    t.serialize_element(&alloc.modify_index)?;
    t.serialize_element(&Tasks(&alloc.tasks))?;
    t.serialize_element(&alloc.identity.cut)?;
    t.end()
}

fn next<'de, A: SeqAccess<'de>, T: Deserialize<'de>>(
    seq: &mut A,
    index: usize,
) -> Result<T, A::Error> {
    seq.next_element()?
        .ok_or_else(|| de::Error::invalid_length(index, &"a complete allocation"))
}

fn next_seed<'de, A: SeqAccess<'de>, T: DeserializeSeed<'de>>(
    seq: &mut A,
    index: usize,
    seed: T,
) -> Result<T::Value, A::Error> {
    seq.next_element_seed(seed)?
        .ok_or_else(|| de::Error::invalid_length(index, &"a complete allocation"))
}

/// An optional bounded string (postcard's 0 tag for none).
struct CheckedMaybeBounded<const C: usize>(Bounded<C>);

impl<'de, const C: usize> DeserializeSeed<'de> for CheckedMaybeBounded<C> {
    type Value = Result<Option<heapless::String<C>>, DecodeError>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        let field = self.0.field;
        let text: Option<&str> = Deserialize::deserialize(d)?;
        Ok(match text {
            None => Ok(None),
            Some(text) => {
                let mut held = heapless::String::new();
                held.push_str(text)
                    .map(|()| Some(held))
                    .map_err(|_| DecodeError::OverCapacity { field })
            }
        })
    }
}

/// Reads one task's state in place through the compact layout, keeping the reason a
/// refused state gives (see `compact::Checked`).
struct CheckedStateInto<'a>(&'a mut TaskState);

impl<'de> DeserializeSeed<'de> for CheckedStateInto<'_> {
    type Value = Checked;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Checked, D::Error> {
        TaskState::checked_into(d, self.0)
    }
}

/// Takes the value of a checked read, or returns its reason as the visitor's value.
macro_rules! checked {
    ($read:expr) => {
        match $read {
            Ok(value) => value,
            Err(why) => return Ok(Err(DecodeError::from(why))),
        }
    };
}

/// Reads one compact task and appends it to the tasks it holds, its state read in place.
struct TaskInto<'a, const N: usize>(&'a mut Vec<AllocTask, N>);

impl<'de, const N: usize> DeserializeSeed<'de> for TaskInto<'_, N> {
    type Value = Checked;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Checked, D::Error> {
        d.deserialize_tuple(TASK_ELEMENTS, self)
    }
}

impl<'de, const N: usize> Visitor<'de> for TaskInto<'_, N> {
    type Value = Checked;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a compact allocation task")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Checked, A::Error> {
        let mut name = heapless::String::<TASK_NAME_CAPACITY>::new();
        checked!(next_seed(&mut seq, 0, CheckedInto(&mut name, "task name"))?);
        let name = checked!(TaskName::new(name.as_str()));
        let code: u8 = next(&mut seq, 1)?;
        let Some(hook) = hook_from_code(code) else {
            return Ok(Err(DecodeError::UnknownCode {
                field: "lifecycle hook",
                code,
            }));
        };
        let sidecar: bool = next(&mut seq, 2)?;
        let leader: bool = next(&mut seq, 3)?;
        let kill_timeout: i64 = next(&mut seq, 4)?;
        let kill_ordered: bool = next(&mut seq, 5)?;
        let role = Role {
            lifecycle: Lifecycle { hook, sidecar },
            leader,
        };
        let task = checked!(push_task(self.0, name, role, kill_timeout));
        task.kill_ordered = kill_ordered;
        next_seed(&mut seq, 6, CheckedStateInto(&mut task.state))
    }
}

/// Reads the compact task sequence into the tasks it holds.
struct TasksInto<'a, const N: usize>(&'a mut Vec<AllocTask, N>);

impl<'de, const N: usize> DeserializeSeed<'de> for TasksInto<'_, N> {
    type Value = Checked;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Checked, D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de, const N: usize> Visitor<'de> for TasksInto<'_, N> {
    type Value = Checked;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "at most {N} tasks")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Checked, A::Error> {
        while let Some(task) = seq.next_element_seed(TaskInto(&mut *self.0))? {
            if task.is_err() {
                // The rest is not read: the whole value is refused.
                return Ok(task);
            }
        }
        Ok(Ok(()))
    }
}

/// Reads a compact allocation into the (empty) allocation it holds.
struct AllocVisitor<'a, const N: usize>(&'a mut Allocation<N>);

impl<'de, const N: usize> Visitor<'de> for AllocVisitor<'_, N> {
    type Value = Checked;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a compact allocation")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Checked, A::Error> {
        let mut decoded = Decoded::new();
        let id = &mut self.0.identity;
        checked!(next_seed(&mut seq, 0, CheckedInto(&mut id.id, "ID"))?);
        checked!(next_seed(
            &mut seq,
            1,
            CheckedInto(&mut id.eval_id, "EvalID")
        )?);
        checked!(next_seed(&mut seq, 2, CheckedInto(&mut id.name, "Name"))?);
        checked!(next_seed(
            &mut seq,
            3,
            CheckedInto(&mut id.node_id, "NodeID")
        )?);
        checked!(next_seed(
            &mut seq,
            4,
            CheckedInto(&mut id.job_id, "JobID")
        )?);
        checked!(next_seed(
            &mut seq,
            5,
            CheckedInto(&mut id.task_group, "TaskGroup")
        )?);
        let code: u8 = next(&mut seq, 6)?;
        decoded.desired_status =
            checked!(desired_from_code(code).ok_or(DecodeError::UnknownCode {
                field: "desired status",
                code,
            }));
        checked!(next_seed(
            &mut seq,
            7,
            CheckedInto(&mut decoded.desired_description, "DesiredDescription")
        )?);
        let server: Option<u8> = next(&mut seq, 8)?;
        if let Some(code) = server {
            let status = checked!(
                client_status_from_code(code).ok_or(DecodeError::UnknownCode {
                    field: "client status",
                    code,
                })
            );
            decoded.client_status = Some(Claimed::Server(status));
        }
        decoded.client_description = checked!(next_seed(
            &mut seq,
            9,
            CheckedMaybeBounded(Bounded::new("ClientDescription"))
        )?);
        decoded.create_index = next(&mut seq, 10)?;
        decoded.modify_index = next(&mut seq, 11)?;
        checked!(next_seed(&mut seq, 12, TasksInto(&mut self.0.tasks))?);
        let cut: u8 = next(&mut seq, 13)?;
        if cut & !IdentityField::ALL_BITS != 0 {
            return Ok(Err(DecodeError::UnknownCode {
                field: "identity cut mask",
                code: cut,
            }));
        }
        // Read into the identity, as the JSON reader marks its cuts: a cut read from JSON
        // stays visible after a restore.
        self.0.identity.cut = cut;
        Ok(decoded.settle(self.0))
    }
}

impl<const N: usize> ReadInPlace for Allocation<N> {
    fn empty() -> Self {
        Allocation::new()
    }

    fn make_empty(&mut self) {
        self.clear();
    }

    fn checked_into<'de, D: Deserializer<'de>>(
        d: D,
        alloc: &mut Allocation<N>,
    ) -> Result<Checked, D::Error> {
        d.deserialize_tuple(ELEMENTS, AllocVisitor(alloc))
    }
}

/// Reads the compact layout into `alloc`, which must be empty.
pub(crate) fn deserialize_into<'de, const N: usize, D: Deserializer<'de>>(
    d: D,
    alloc: &mut Allocation<N>,
) -> Result<(), D::Error> {
    Allocation::checked_into(d, alloc)?.map_err(de::Error::custom)
}

/// Bytes of the varint encoding of `n`.
const fn varint_len(n: usize) -> usize {
    let mut len: usize = 1;
    let mut rest = n >> 7;
    while rest != 0 {
        len = len.saturating_add(1);
        rest >>= 7;
    }
    len
}

/// A string of at most `capacity` bytes: its varint length, then the bytes.
const fn string_max(capacity: usize) -> usize {
    varint_len(capacity).saturating_add(capacity)
}

/// Largest encoding of one task: name, hook code, two flags, the kill timeout (a 10-byte
/// varint at most), the kill-ordered flag and the task state.
const TASK_MAX_SIZE: usize =
    string_max(TASK_NAME_CAPACITY) + 1 + 1 + 1 + 10 + 1 + super::state::MAX_SIZE;

/// Everything but the tasks: six identity strings, the desired status code and
/// description, the optional server status code, the optional client description and
/// the two indexes (10 bytes each at most), and the identity cut mask.
const FIXED_MAX_SIZE: usize = 3 * string_max(UUID_CAPACITY)
    + string_max(ALLOC_NAME_CAPACITY)
    + string_max(JOB_ID_CAPACITY)
    + string_max(TASK_GROUP_CAPACITY)
    + 1
    + string_max(DESIRED_DESCRIPTION_CAPACITY)
    + 2
    + 1
    + string_max(CLIENT_DESCRIPTION_CAPACITY)
    + 10
    + 10
    + 1;

/// Largest encoding of an `Allocation<n>`: the fixed part, the task count's varint and
/// `n` tasks. Saturates rather than overflowing (a buffer that large cannot exist).
pub(crate) const fn max_size(n: usize) -> usize {
    FIXED_MAX_SIZE
        .saturating_add(varint_len(n))
        .saturating_add(n.saturating_mul(TASK_MAX_SIZE))
}
