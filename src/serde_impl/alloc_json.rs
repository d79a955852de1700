//! An allocation in Nomad's `/v1/allocation` JSON shape (its lifecycle fields).

use core::fmt;

use heapless::{String, Vec};
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde::ser::{SerializeMap, SerializeStruct, Serializer};
use serde::{Deserialize, Serialize};

use super::alloc_fields::{push_task, Bounded, Claimed, Decoded};
use super::StateInto;
use crate::allocation::{
    AllocTask, Allocation, DesiredStatus, Role, TaskName, ALLOC_NAME_CAPACITY,
    CLIENT_DESCRIPTION_CAPACITY, DEFAULT_KILL_TIMEOUT, DESIRED_DESCRIPTION_CAPACITY,
    JOB_ID_CAPACITY, TASK_GROUP_CAPACITY, UUID_CAPACITY,
};
use crate::error::DecodeError;
use crate::status::ClientStatus;

/// `TaskStates`: name → state, in the allocation's order.
struct TaskStates<'a>(&'a [AllocTask]);

impl Serialize for TaskStates<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for task in self.0 {
            map.serialize_entry(task.name(), task.state())?;
        }
        map.end()
    }
}

pub(crate) fn serialize<const N: usize, S: Serializer>(
    alloc: &Allocation<N>,
    s: S,
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
    st.serialize_field("TaskStates", &TaskStates(&alloc.tasks))?;
    st.serialize_field("CreateIndex", &alloc.create_index())?;
    st.serialize_field("ModifyIndex", &alloc.modify_index())?;
    st.end()
}

/// A `TaskStates` key: a valid task name.
struct NameKey(TaskName);

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
        d.deserialize_option(self)
    }
}

impl<'de, const N: usize> Visitor<'de> for TasksInto<'_, N> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a map of at most {N} task names to task states")
    }

    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
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

/// Keeps a field's value, refusing a second occurrence.
fn once<T, E: de::Error>(slot: &mut Option<T>, value: T, name: &'static str) -> Result<(), E> {
    if slot.is_some() {
        return Err(E::duplicate_field(name));
    }
    *slot = Some(value);
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
        let mut id: Option<String<UUID_CAPACITY>> = None;
        let mut eval_id: Option<String<UUID_CAPACITY>> = None;
        let mut name: Option<String<ALLOC_NAME_CAPACITY>> = None;
        let mut node_id: Option<String<UUID_CAPACITY>> = None;
        let mut job_id: Option<String<JOB_ID_CAPACITY>> = None;
        let mut task_group: Option<String<TASK_GROUP_CAPACITY>> = None;
        let mut desired_status: Option<DesiredStatus> = None;
        let mut desired_description: Option<String<DESIRED_DESCRIPTION_CAPACITY>> = None;
        let mut client_status: Option<ClientStatus> = None;
        let mut client_description: Option<String<CLIENT_DESCRIPTION_CAPACITY>> = None;
        let mut tasks: Option<()> = None;
        let mut create_index: Option<u64> = None;
        let mut modify_index: Option<u64> = None;
        while let Some(field) = map.next_key::<Field>()? {
            match field {
                Field::Id => once(&mut id, map.next_value_seed(Bounded::new("ID"))?, "ID")?,
                Field::EvalId => once(
                    &mut eval_id,
                    map.next_value_seed(Bounded::new("EvalID"))?,
                    "EvalID",
                )?,
                Field::Name => {
                    once(
                        &mut name,
                        map.next_value_seed(Bounded::new("Name"))?,
                        "Name",
                    )?;
                }
                Field::NodeId => once(
                    &mut node_id,
                    map.next_value_seed(Bounded::new("NodeID"))?,
                    "NodeID",
                )?,
                Field::JobId => once(
                    &mut job_id,
                    map.next_value_seed(Bounded::new("JobID"))?,
                    "JobID",
                )?,
                Field::TaskGroup => once(
                    &mut task_group,
                    map.next_value_seed(Bounded::new("TaskGroup"))?,
                    "TaskGroup",
                )?,
                Field::DesiredStatus => {
                    once(&mut desired_status, map.next_value()?, "DesiredStatus")?;
                }
                Field::DesiredDescription => once(
                    &mut desired_description,
                    map.next_value_seed(Bounded::new("DesiredDescription"))?,
                    "DesiredDescription",
                )?,
                Field::ClientStatus => {
                    once(&mut client_status, map.next_value()?, "ClientStatus")?;
                }
                Field::ClientDescription => once(
                    &mut client_description,
                    map.next_value_seed(Bounded::new("ClientDescription"))?,
                    "ClientDescription",
                )?,
                Field::TaskStates => {
                    once(&mut tasks, (), "TaskStates")?;
                    map.next_value_seed(TasksInto(&mut self.0.tasks))?;
                }
                Field::CreateIndex => {
                    once(&mut create_index, map.next_value()?, "CreateIndex")?;
                }
                Field::ModifyIndex => {
                    once(&mut modify_index, map.next_value()?, "ModifyIndex")?;
                }
                Field::Other => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        let mut decoded = Decoded::new();
        decoded.identity.id = id.unwrap_or_default();
        decoded.identity.eval_id = eval_id.unwrap_or_default();
        decoded.identity.name = name.unwrap_or_default();
        decoded.identity.node_id = node_id.unwrap_or_default();
        decoded.identity.job_id = job_id.unwrap_or_default();
        decoded.identity.task_group = task_group.unwrap_or_default();
        decoded.desired_status = desired_status.unwrap_or_default();
        decoded.desired_description = desired_description.unwrap_or_default();
        decoded.client_status = client_status.map(Claimed::Status);
        decoded.client_description = client_description;
        decoded.create_index = create_index.unwrap_or_default();
        decoded.modify_index = modify_index.unwrap_or_default();
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
