//! Task names: the keys of an allocation's tasks, held in fixed memory.

use core::fmt;

use heapless::String;

use super::capacity::TASK_NAME_CAPACITY;
use super::error::AllocationError;

/// A task's name: non-empty, at most [`TASK_NAME_CAPACITY`] bytes.
///
/// ```
/// use allocstate::{AllocationError, TaskName, TASK_NAME_CAPACITY};
///
/// let name = TaskName::new("redis")?;
/// assert_eq!(name.as_str(), "redis");
/// let long = "x".repeat(TASK_NAME_CAPACITY + 1);
/// assert_eq!(
///     TaskName::new(&long),
///     Err(AllocationError::NameTooLong { len: TASK_NAME_CAPACITY + 1 })
/// );
/// assert_eq!(TaskName::new(""), Err(AllocationError::EmptyName));
/// # Ok::<(), AllocationError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct TaskName(String<TASK_NAME_CAPACITY>);

impl TaskName {
    /// No name: only a slot being filled holds it (see `push_pending`).
    pub(crate) const EMPTY: TaskName = TaskName(String::new());

    /// The name `name`, or why it cannot be one.
    pub fn new(name: &str) -> Result<TaskName, AllocationError> {
        if name.is_empty() {
            return Err(AllocationError::EmptyName);
        }
        let mut held = String::new();
        match held.push_str(name) {
            Ok(()) => Ok(TaskName(held)),
            Err(_) => Err(AllocationError::NameTooLong { len: name.len() }),
        }
    }

    /// The name.
    #[must_use]
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
}

impl AsRef<str> for TaskName {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl PartialEq<str> for TaskName {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for TaskName {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl fmt::Display for TaskName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}
