//! [`NomadAllocation`]: an allocation as Nomad wrote it, read and written as its JSON.

use core::fmt;

use heapless::{String, Vec};
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde::ser::{SerializeMap, SerializeStruct, Serializer};
use serde::Serialize;

use crate::allocation::identity::Identity;
use crate::allocation::{AllocIdentity, IdentityField, TaskName};
use crate::wire::alloc_fields::CutInto;
use crate::wire::json::alloc::NameKey;
use crate::wire::WithZeroTime;
use crate::wire::ZeroTime;

use super::divergence::Divergence;
use super::task::NomadTaskState;
use super::{named, once, serde_impls, FieldNames, DESCRIPTION_CAPACITY, STATUS_CAPACITY};

/// The allocation-level fields the reading mode reads and writes back, in the order
/// Nomad writes them (the fields of Nomad's allocation list stub a reader needs). A
/// server serving Nomad's `/v1/allocations` can pick these out of a full allocation.
// The index of each is its bit in `NomadAllocation`'s `present`.
pub const ALLOC_FIELDS: [&str; 15] = [
    "ID",
    "EvalID",
    "Name",
    "NodeID",
    "JobID",
    "TaskGroup",
    "DesiredStatus",
    "DesiredDescription",
    "ClientStatus",
    "ClientDescription",
    "TaskStates",
    "CreateIndex",
    "ModifyIndex",
    "CreateTime",
    "ModifyTime",
];

const ID: usize = 0;
const TASK_GROUP: usize = 5;
const DESIRED_STATUS: usize = 6;
const DESIRED_DESCRIPTION: usize = 7;
const CLIENT_STATUS: usize = 8;
const CLIENT_DESCRIPTION: usize = 9;
const TASK_STATES: usize = 10;
const CREATE_INDEX: usize = 11;
const MODIFY_INDEX: usize = 12;
const CREATE_TIME: usize = 13;
const MODIFY_TIME: usize = 14;

/// One task of a [`NomadAllocation`]: its name (a `TaskStates` key) and state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NomadTask {
    name: TaskName,
    state: NomadTaskState,
}

impl NomadTask {
    /// The task's name.
    #[must_use]
    pub fn name(&self) -> &str {
        self.name.as_str()
    }

    /// Its state as Nomad wrote it.
    #[must_use]
    pub fn state(&self) -> &NomadTaskState {
        &self.state
    }
}

/// An allocation exactly as Nomad's `/v1/allocation` (or each element of
/// `/v1/allocations`) wrote it, up to `N` tasks (see the [module docs](super)).
///
/// `ID`, `TaskGroup` and `ClientStatus` must be there (every allocation Nomad writes has
/// them; a job, node or evaluation does not have all three): without one, reading fails
/// naming it. Strings longer than their capacity are cut on a character boundary and the
/// cut marked ([`identity_cut`](Self::identity_cut), [`text_cut`](Self::text_cut)),
/// never refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NomadAllocation<const N: usize = 8> {
    identity: Identity,
    desired_status: String<STATUS_CAPACITY>,
    desired_description: String<DESCRIPTION_CAPACITY>,
    client_status: String<STATUS_CAPACITY>,
    client_description: String<DESCRIPTION_CAPACITY>,
    create_index: u64,
    modify_index: u64,
    create_time: i64,
    modify_time: i64,
    /// One bit per [`ALLOC_FIELDS`] entry read; only those are written back.
    present: u16,
    /// One bit per [`ALLOC_FIELDS`] entry (of the four texts above) cut.
    cut: u16,
    /// `TaskStates` was `null` (Go's nil map).
    tasks_null: bool,
    tasks: Vec<NomadTask, N>,
}

impl<const N: usize> Default for NomadAllocation<N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const N: usize> NomadAllocation<N> {
    /// An empty one: no field read, no task.
    #[must_use]
    pub const fn new() -> Self {
        Self {
            identity: Identity::new(),
            desired_status: String::new(),
            desired_description: String::new(),
            client_status: String::new(),
            client_description: String::new(),
            create_index: 0,
            modify_index: 0,
            create_time: 0,
            modify_time: 0,
            present: 0,
            cut: 0,
            tasks_null: false,
            tasks: Vec::new(),
        }
    }

    /// The identity strings as read (empty where absent).
    #[must_use]
    pub fn identity(&self) -> AllocIdentity<'_> {
        self.identity.borrowed()
    }

    crate::allocation::identity_getters! {
        /// Whether `field` was longer than its capacity
        /// ([`IdentityField::capacity`]) and cut to it.
        identity_cut;
        id, name, node_id, job_id, task_group
    }

    /// `DesiredStatus` as written (`run`, `stop`, `evict`; empty if absent).
    #[must_use]
    pub fn desired_status(&self) -> &str {
        self.desired_status.as_str()
    }

    /// `DesiredDescription` as written.
    #[must_use]
    pub fn desired_description(&self) -> &str {
        self.desired_description.as_str()
    }

    /// `ClientStatus` as written (`pending`, `running`, `complete`, `failed`, `lost`,
    /// `unknown`, or what a newer Nomad writes).
    #[must_use]
    pub fn client_status(&self) -> &str {
        self.client_status.as_str()
    }

    /// `ClientDescription` as written.
    #[must_use]
    pub fn client_description(&self) -> &str {
        self.client_description.as_str()
    }

    /// Whether a text field (`DesiredStatus`, `DesiredDescription`, `ClientStatus` or
    /// `ClientDescription`, by its JSON name) was cut to its capacity
    /// ([`STATUS_CAPACITY`], [`DESCRIPTION_CAPACITY`]); false for any other name.
    #[must_use]
    pub fn text_cut(&self, field: &str) -> bool {
        ALLOC_FIELDS
            .iter()
            .position(|name| *name == field)
            .is_some_and(|index| self.cut >> index & 1 != 0)
    }

    /// `CreateIndex` (0 if absent).
    #[must_use]
    pub fn create_index(&self) -> u64 {
        self.create_index
    }

    /// `ModifyIndex` (0 if absent).
    #[must_use]
    pub fn modify_index(&self) -> u64 {
        self.modify_index
    }

    /// `CreateTime` in unix nanoseconds, if it was there.
    #[must_use]
    pub fn create_time(&self) -> Option<i64> {
        self.has(CREATE_TIME).then_some(self.create_time)
    }

    /// `ModifyTime` in unix nanoseconds, if it was there.
    #[must_use]
    pub fn modify_time(&self) -> Option<i64> {
        self.has(MODIFY_TIME).then_some(self.modify_time)
    }

    /// The tasks (`TaskStates`), in the order read.
    #[must_use]
    pub fn tasks(&self) -> &[NomadTask] {
        &self.tasks
    }

    /// The task named `name`.
    #[must_use]
    pub fn task(&self, name: &str) -> Option<&NomadTaskState> {
        self.tasks
            .iter()
            .find(|task| task.name() == name)
            .map(NomadTask::state)
    }

    /// Every task's divergences from the contract, task by task in the order read.
    pub fn divergences(&self) -> impl Iterator<Item = (&str, Divergence)> + '_ {
        self.tasks.iter().flat_map(|task| {
            task.state
                .divergences()
                .map(move |found| (task.name(), found))
        })
    }

    fn has(&self, field: usize) -> bool {
        self.present >> field & 1 != 0
    }

    fn clear(&mut self) {
        self.identity = Identity::new();
        self.desired_status.clear();
        self.desired_description.clear();
        self.client_status.clear();
        self.client_description.clear();
        self.create_index = 0;
        self.modify_index = 0;
        self.create_time = 0;
        self.modify_time = 0;
        self.present = 0;
        self.cut = 0;
        self.tasks_null = false;
        self.tasks.clear();
    }

    fn serialize_with<S: Serializer>(&self, s: S, zero: ZeroTime) -> Result<S::Ok, S::Error> {
        let count = self.present.count_ones() as usize;
        let mut st = s.serialize_struct("Allocation", count)?;
        let id = &self.identity;
        let texts: [(usize, &str); 10] = [
            (0, id.id.as_str()),
            (1, id.eval_id.as_str()),
            (2, id.name.as_str()),
            (3, id.node_id.as_str()),
            (4, id.job_id.as_str()),
            (TASK_GROUP, id.task_group.as_str()),
            (DESIRED_STATUS, self.desired_status.as_str()),
            (DESIRED_DESCRIPTION, self.desired_description.as_str()),
            (CLIENT_STATUS, self.client_status.as_str()),
            (CLIENT_DESCRIPTION, self.client_description.as_str()),
        ];
        for (index, text) in texts {
            if let (true, Some(name)) = (self.has(index), ALLOC_FIELDS.get(index)) {
                st.serialize_field(name, text)?;
            }
        }
        if self.has(TASK_STATES) {
            if self.tasks_null {
                st.serialize_field("TaskStates", &None::<()>)?;
            } else {
                st.serialize_field("TaskStates", &TaskMap(&self.tasks, zero))?;
            }
        }
        if self.has(CREATE_INDEX) {
            st.serialize_field("CreateIndex", &self.create_index)?;
        }
        if self.has(MODIFY_INDEX) {
            st.serialize_field("ModifyIndex", &self.modify_index)?;
        }
        if self.has(CREATE_TIME) {
            st.serialize_field("CreateTime", &self.create_time)?;
        }
        if self.has(MODIFY_TIME) {
            st.serialize_field("ModifyTime", &self.modify_time)?;
        }
        st.end()
    }
}

/// `TaskStates`: name → state, in the order read.
struct TaskMap<'a>(&'a [NomadTask], ZeroTime);

impl Serialize for TaskMap<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for task in self.0 {
            map.serialize_entry(task.name(), &WithZeroTime(&task.state, self.1))?;
        }
        map.end()
    }
}

serde_impls! {
    /// Reads Nomad's JSON into `out` in place (each task's events straight into it); on
    /// error `out` is left empty ([`NomadAllocation::new`]).
    impl[const N: usize] NomadAllocation<N>, visitor AllocVisitor
}

/// Reads a `TaskStates` key (a task name) and its state into the tasks it holds.
struct TasksInto<'a, const N: usize>(&'a mut Vec<NomadTask, N>);

impl<'de, const N: usize> DeserializeSeed<'de> for TasksInto<'_, N> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

/// Reads one task state into the state it holds.
struct StateSeed<'a>(&'a mut NomadTaskState);

impl<'de> DeserializeSeed<'de> for StateSeed<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        NomadTaskState::deserialize_into(d, self.0)
    }
}

impl<'de, const N: usize> Visitor<'de> for TasksInto<'_, N> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a map of at most {N} task names to task states")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(NameKey(name)) = map.next_key()? {
            if self.0.iter().any(|task| task.name == name) {
                return Err(de::Error::custom(format_args!(
                    "task `{}` given twice",
                    name.as_str()
                )));
            }
            let task = NomadTask {
                name,
                state: NomadTaskState::new(),
            };
            if self.0.push(task).is_err() {
                return Err(de::Error::custom(format_args!("more than {N} tasks")));
            }
            let Some(task) = self.0.last_mut() else {
                return Ok(());
            };
            map.next_value_seed(StateSeed(&mut task.state))
                .map_err(|e| de::Error::custom(format_args!("task `{}`: {e}", task.name())))?;
        }
        Ok(())
    }
}

/// `TaskStates`: `null` (kept as such) or the map.
struct TasksOrNull<'a, const N: usize>(&'a mut NomadAllocation<N>);

impl<'de, const N: usize> DeserializeSeed<'de> for TasksOrNull<'_, N> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_option(self)
    }
}

impl<'de, const N: usize> Visitor<'de> for TasksOrNull<'_, N> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "null or a map of at most {N} task names to task states")
    }

    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        self.0.tasks_null = true;
        Ok(())
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        self.visit_none()
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        TasksInto(&mut self.0.tasks).deserialize(d)
    }
}

/// Reads an allocation's fields into the (empty) allocation it holds.
struct AllocVisitor<'a, const N: usize>(&'a mut NomadAllocation<N>);

impl<'de, const N: usize> Visitor<'de> for AllocVisitor<'_, N> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a Nomad allocation object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let alloc = self.0;
        while let Some(index) = map.next_key_seed(AllocKey)? {
            let Some(index) = index else {
                map.next_value::<IgnoredAny>()?;
                continue;
            };
            let name = ALLOC_FIELDS.get(index).copied().unwrap_or("");
            let bit = 1u16 << index;
            once(&mut alloc.present, bit, name)?;
            let id = &mut alloc.identity;
            let cut = match index {
                0 => map.next_value_seed(CutInto(&mut id.id)),
                1 => map.next_value_seed(CutInto(&mut id.eval_id)),
                2 => map.next_value_seed(CutInto(&mut id.name)),
                3 => map.next_value_seed(CutInto(&mut id.node_id)),
                4 => map.next_value_seed(CutInto(&mut id.job_id)),
                TASK_GROUP => map.next_value_seed(CutInto(&mut id.task_group)),
                DESIRED_STATUS => map.next_value_seed(CutInto(&mut alloc.desired_status)),
                DESIRED_DESCRIPTION => map.next_value_seed(CutInto(&mut alloc.desired_description)),
                CLIENT_STATUS => map.next_value_seed(CutInto(&mut alloc.client_status)),
                CLIENT_DESCRIPTION => map.next_value_seed(CutInto(&mut alloc.client_description)),
                TASK_STATES => map
                    .next_value_seed(TasksOrNull(&mut *alloc))
                    .map(|()| false),
                CREATE_INDEX => map
                    .next_value()
                    .map(|v| alloc.create_index = v)
                    .map(|()| false),
                MODIFY_INDEX => map
                    .next_value()
                    .map(|v| alloc.modify_index = v)
                    .map(|()| false),
                CREATE_TIME => map
                    .next_value()
                    .map(|v| alloc.create_time = v)
                    .map(|()| false),
                _ => map
                    .next_value()
                    .map(|v| alloc.modify_time = v)
                    .map(|()| false),
            }
            .map_err(|e| named(name, e))?;
            if cut {
                match IdentityField::ALL.get(index) {
                    Some(field) => alloc.identity.cut |= field.bit(),
                    None => alloc.cut |= bit,
                }
            }
        }
        for required in [ID, TASK_GROUP, CLIENT_STATUS] {
            if !alloc.has(required) {
                let name = ALLOC_FIELDS.get(required).copied().unwrap_or("");
                return Err(de::Error::custom(format_args!(
                    "not a Nomad allocation: missing field `{name}`"
                )));
            }
        }
        Ok(())
    }
}

/// An allocation's field name: its index in [`ALLOC_FIELDS`], `None` for one skipped.
struct AllocKey;

impl<'de> DeserializeSeed<'de> for AllocKey {
    type Value = Option<usize>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Option<usize>, D::Error> {
        d.deserialize_identifier(FieldNames(&ALLOC_FIELDS))
    }
}
