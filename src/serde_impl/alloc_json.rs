//! An allocation in Nomad's `/v1/allocation` JSON shape (its lifecycle fields).

use core::fmt;

use heapless::Vec;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde::ser::{SerializeMap, SerializeStruct, Serializer};
use serde::{Deserialize, Serialize};

use super::alloc_fields::{push_task, Bounded, Claimed, CutInto, Decoded};
use super::or_null::OrNull;
use super::{StateInto, WithZeroTime, ZeroTime};
use crate::allocation::{
    AllocTask, Allocation, IdentityField, Role, TaskName, DEFAULT_KILL_TIMEOUT,
};
use crate::error::DecodeError;

/// `TaskStates`: name → state, in the allocation's order, zero times as chosen.
struct TaskStates<'a>(&'a [AllocTask], ZeroTime);

impl Serialize for TaskStates<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for task in self.0 {
            map.serialize_entry(task.name(), &WithZeroTime(task.state(), self.1))?;
        }
        map.end()
    }
}

pub(crate) fn serialize<const N: usize, S: Serializer>(
    alloc: &Allocation<N>,
    s: S,
    zero: ZeroTime,
) -> Result<S::Ok, S::Error> {
    let mut st = s.serialize_struct("Allocation", 13)?;
    st.serialize_field("ID", alloc.id())?;
    st.serialize_field("EvalID", alloc.eval_id())?;
    st.serialize_field("Name", alloc.name())?;
    st.serialize_field("NodeID", alloc.node_id())?;
    st.serialize_field("JobID", alloc.job_id())?;
    st.serialize_field("TaskGroup", alloc.task_group())?;
    st.serialize_field("DesiredStatus", &alloc.desired_status())?;
    st.serialize_field("DesiredDescription", alloc.desired_description())?;
    st.serialize_field("ClientStatus", &alloc.client_status())?;
    st.serialize_field("ClientDescription", alloc.client_description())?;
    st.serialize_field("TaskStates", &TaskStates(&alloc.tasks, zero))?;
    st.serialize_field("CreateIndex", &alloc.create_index())?;
    st.serialize_field("ModifyIndex", &alloc.modify_index())?;
    st.end()
}

/// A `TaskStates` key: a valid task name.
pub(crate) struct NameKey(pub(crate) TaskName);

struct NameVisitor;

impl Visitor<'_> for NameVisitor {
    type Value = NameKey;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a task name")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<NameKey, E> {
        TaskName::new(v).map(NameKey).map_err(E::custom)
    }
}

impl<'de> Deserialize<'de> for NameKey {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_str(NameVisitor)
    }
}

/// `TaskStates` read into the (empty) tasks it holds: each task gets the role `main` and
/// the default kill timeout, its state read in place; `null` is no tasks.
struct TasksInto<'a, const N: usize>(&'a mut Vec<AllocTask, N>);

impl<'de, const N: usize> DeserializeSeed<'de> for TasksInto<'_, N> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de, const N: usize> Visitor<'de> for TasksInto<'_, N> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a map of at most {N} task names to task states")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(NameKey(name)) = map.next_key()? {
            let task = push_task(self.0, name, Role::main(), DEFAULT_KILL_TIMEOUT)
                .map_err(de::Error::custom)?;
            map.next_value_seed(StateInto(&mut task.state))?;
        }
        Ok(())
    }
}

enum Field {
    Id,
    EvalId,
    Name,
    NodeId,
    JobId,
    TaskGroup,
    DesiredStatus,
    DesiredDescription,
    ClientStatus,
    ClientDescription,
    TaskStates,
    CreateIndex,
    ModifyIndex,
    Other,
}

struct FieldVisitor;

impl Visitor<'_> for FieldVisitor {
    type Value = Field;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an allocation field name")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Field, E> {
        Ok(match v {
            "ID" => Field::Id,
            "EvalID" => Field::EvalId,
            "Name" => Field::Name,
            "NodeID" => Field::NodeId,
            "JobID" => Field::JobId,
            "TaskGroup" => Field::TaskGroup,
            "DesiredStatus" => Field::DesiredStatus,
            "DesiredDescription" => Field::DesiredDescription,
            "ClientStatus" => Field::ClientStatus,
            "ClientDescription" => Field::ClientDescription,
            "TaskStates" => Field::TaskStates,
            "CreateIndex" => Field::CreateIndex,
            "ModifyIndex" => Field::ModifyIndex,
            _ => Field::Other,
        })
    }
}

impl<'de> Deserialize<'de> for Field {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_identifier(FieldVisitor)
    }
}

/// Refuses a field read before (`seen` has a bit per field).
fn once<E: de::Error>(seen: &mut u16, field: Field, name: &'static str) -> Result<(), E> {
    let bit = 1u16 << (field as u16);
    if *seen & bit != 0 {
        return Err(E::duplicate_field(name));
    }
    *seen |= bit;
    Ok(())
}

/// Reads Nomad's JSON into the (empty) allocation it holds.
struct AllocVisitor<'a, const N: usize>(&'a mut Allocation<N>);

impl<'de, const N: usize> Visitor<'de> for AllocVisitor<'_, N> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a Nomad allocation object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        // Read straight into what the allocation is checked from: no copy of each field.
        let mut decoded = Decoded::new();
        let mut seen = 0u16;
        while let Some(field) = map.next_key::<Field>()? {
            let id = &mut self.0.identity;
            match field {
                Field::Id => {
                    once(&mut seen, field, "ID")?;
                    if map.next_value_seed(CutInto(&mut id.id))? {
                        id.cut |= IdentityField::Id.bit();
                    }
                }
                Field::EvalId => {
                    once(&mut seen, field, "EvalID")?;
                    if map.next_value_seed(CutInto(&mut id.eval_id))? {
                        id.cut |= IdentityField::EvalId.bit();
                    }
                }
                Field::Name => {
                    once(&mut seen, field, "Name")?;
                    if map.next_value_seed(CutInto(&mut id.name))? {
                        id.cut |= IdentityField::Name.bit();
                    }
                }
                Field::NodeId => {
                    once(&mut seen, field, "NodeID")?;
                    if map.next_value_seed(CutInto(&mut id.node_id))? {
                        id.cut |= IdentityField::NodeId.bit();
                    }
                }
                Field::JobId => {
                    once(&mut seen, field, "JobID")?;
                    if map.next_value_seed(CutInto(&mut id.job_id))? {
                        id.cut |= IdentityField::JobId.bit();
                    }
                }
                Field::TaskGroup => {
                    once(&mut seen, field, "TaskGroup")?;
                    if map.next_value_seed(CutInto(&mut id.task_group))? {
                        id.cut |= IdentityField::TaskGroup.bit();
                    }
                }
                Field::DesiredStatus => {
                    once(&mut seen, field, "DesiredStatus")?;
                    decoded.desired_status = map.next_value()?;
                }
                Field::DesiredDescription => {
                    once(&mut seen, field, "DesiredDescription")?;
                    decoded.desired_description =
                        map.next_value_seed(Bounded::new("DesiredDescription"))?;
                }
                Field::ClientStatus => {
                    once(&mut seen, field, "ClientStatus")?;
                    decoded.client_status = Some(Claimed::Status(map.next_value()?));
                }
                Field::ClientDescription => {
                    once(&mut seen, field, "ClientDescription")?;
                    decoded.client_description =
                        Some(map.next_value_seed(Bounded::new("ClientDescription"))?);
                }
                Field::TaskStates => {
                    once(&mut seen, field, "TaskStates")?;
                    map.next_value_seed(OrNull(TasksInto(&mut self.0.tasks)))?;
                }
                Field::CreateIndex => {
                    once(&mut seen, field, "CreateIndex")?;
                    decoded.create_index = map.next_value()?;
                }
                Field::ModifyIndex => {
                    once(&mut seen, field, "ModifyIndex")?;
                    decoded.modify_index = map.next_value()?;
                }
                Field::Other => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        // JSON names the broken rule itself, as every other JSON error does.
        decoded.settle(self.0).map_err(|why| match why {
            DecodeError::InvalidAllocation(why) => de::Error::custom(why),
            other => de::Error::custom(other),
        })
    }
}

/// Reads Nomad's JSON into `alloc`, which must be empty.
pub(crate) fn deserialize_into<'de, const N: usize, D: Deserializer<'de>>(
    d: D,
    alloc: &mut Allocation<N>,
) -> Result<(), D::Error> {
    d.deserialize_map(AllocVisitor(alloc))
}
