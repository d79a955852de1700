//! Task names: the keys of an allocation's tasks, held in fixed memory.

use core::fmt;

use heapless::String;

use super::error::AllocError;

/// Bytes a task name can hold. A longer name is refused ([`AllocError::NameTooLong`]),
/// never cut: names are keys, and two cut names could collide.
pub const TASK_NAME_CAPACITY: usize = 64;

/// A task's name: non-empty, at most [`TASK_NAME_CAPACITY`] bytes.
///
/// ```
/// use allocstate::{AllocError, TaskName, TASK_NAME_CAPACITY};
///
/// let name = TaskName::new("redis")?;
/// assert_eq!(name.as_str(), "redis");
/// let long = "x".repeat(TASK_NAME_CAPACITY + 1);
/// assert_eq!(
///     TaskName::new(&long),
///     Err(AllocError::NameTooLong { len: TASK_NAME_CAPACITY + 1 })
/// );
/// assert_eq!(TaskName::new(""), Err(AllocError::EmptyName));
/// # Ok::<(), AllocError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct TaskName(String<TASK_NAME_CAPACITY>);

impl TaskName {
    /// The name `name`, or why it cannot be one.
    pub fn new(name: &str) -> Result<TaskName, AllocError> {
        if name.is_empty() {
            return Err(AllocError::EmptyName);
        }
        let mut held = String::new();
        match held.push_str(name) {
            Ok(()) => Ok(TaskName(held)),
            Err(_) => Err(AllocError::NameTooLong { len: name.len() }),
        }
    }

    /// The name.
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
