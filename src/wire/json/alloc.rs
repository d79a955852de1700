//! An allocation in Nomad's `/v1/allocation` JSON shape (its lifecycle fields).

use core::fmt;

use heapless::Vec;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};

use crate::allocation::{
    AllocTask, Allocation, IdentityField, Role, TaskName, DEFAULT_KILL_TIMEOUT,
};
use crate::wire::alloc_fields::{push_task, Bounded, Claimed, CutInto, Decoded};
use crate::wire::json::fields::json_fields;
use crate::wire::json::or_null::OrNull;
use crate::wire::DecodeError;
use crate::wire::StateInto;
use crate::wire::WithZeroTime;
use crate::wire::ZeroTime;

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

json_fields! {
    /// An allocation's fields; every other is skipped.
    #[allow(clippy::upper_case_acronyms)]
    enum Field: "an allocation field name";
    /// Writes the lifecycle fields of Nomad's `structs.Allocation`
    /// (`nomad/structs/structs.go`), zero times in the form `zero` chooses.
    pub(crate) fn serialize<const N: usize>(alloc: &Allocation<N>, zero: ZeroTime)
        as "Allocation" {
        ID => alloc.id(),
        EvalID => alloc.eval_id(),
        Name => alloc.name(),
        NodeID => alloc.node_id(),
        JobID => alloc.job_id(),
        TaskGroup => alloc.task_group(),
        DesiredStatus => &alloc.desired_status(),
        DesiredDescription => alloc.desired_description(),
        ClientStatus => &alloc.client_status(),
        ClientDescription => alloc.client_description(),
        TaskStates => &TaskStates(&alloc.tasks, zero),
        CreateIndex => &alloc.create_index(),
        ModifyIndex => &alloc.modify_index(),
    }
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
        let mut seen = 0;
        while let Some(field) = map.next_key::<Field>()? {
            if let Some(name) = field.repeated_in(&mut seen) {
                return Err(de::Error::duplicate_field(name));
            }
            let id = &mut self.0.identity;
            match field {
                Field::ID => {
                    if map.next_value_seed(CutInto(&mut id.id))? {
                        id.cut |= IdentityField::Id.bit();
                    }
                }
                Field::EvalID => {
                    if map.next_value_seed(CutInto(&mut id.eval_id))? {
                        id.cut |= IdentityField::EvalId.bit();
                    }
                }
                Field::Name => {
                    if map.next_value_seed(CutInto(&mut id.name))? {
                        id.cut |= IdentityField::Name.bit();
                    }
                }
                Field::NodeID => {
                    if map.next_value_seed(CutInto(&mut id.node_id))? {
                        id.cut |= IdentityField::NodeId.bit();
                    }
                }
                Field::JobID => {
                    if map.next_value_seed(CutInto(&mut id.job_id))? {
                        id.cut |= IdentityField::JobId.bit();
                    }
                }
                Field::TaskGroup => {
                    if map.next_value_seed(CutInto(&mut id.task_group))? {
                        id.cut |= IdentityField::TaskGroup.bit();
                    }
                }
                Field::DesiredStatus => {
                    decoded.desired_status = map.next_value()?;
                }
                Field::DesiredDescription => {
                    decoded.desired_description =
                        map.next_value_seed(Bounded::new("DesiredDescription"))?;
                }
                Field::ClientStatus => {
                    decoded.client_status = Some(Claimed::Status(map.next_value()?));
                }
                Field::ClientDescription => {
                    decoded.client_description =
                        Some(map.next_value_seed(Bounded::new("ClientDescription"))?);
                }
                Field::TaskStates => {
                    map.next_value_seed(OrNull(TasksInto(&mut self.0.tasks)))?;
                }
                Field::CreateIndex => {
                    decoded.create_index = map.next_value()?;
                }
                Field::ModifyIndex => {
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

#[cfg(test)]
mod tests {
    use super::Field;
    use crate::nomad::ALLOC_FIELDS;

    /// The strict decoder reads the lifecycle fields the reading mode reads, in Nomad's
    /// order; the reading mode adds the two times after them.
    #[test]
    fn the_strict_fields_lead_the_reading_modes_list() {
        for (field, name) in Field::ALL.iter().zip(ALLOC_FIELDS) {
            assert_eq!(field.name(), Some(name));
        }
        assert_eq!(
            &ALLOC_FIELDS[Field::ALL.len()..],
            ["CreateTime", "ModifyTime"]
        );
    }
}
