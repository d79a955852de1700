//! The allocation's client status, derived from its tasks as Nomad's client does.

use crate::phase::Phase;
use crate::task::TaskState;

/// Nomad's `ClientStatus` of an allocation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[non_exhaustive]
pub enum ClientStatus {
    /// `pending`: no task has started (or there are no tasks).
    // From 1, not 0: the compiler then gives `Option<ClientStatus>::None` the value 0, so
    // an allocation's "no server status" is zero bytes and a `static Allocation` lands in
    // `.bss` (`ci/text-size.sh` checks it).
    Pending = 1,
    /// `running`: a task is running.
    Running,
    /// `failed`: a task is dead and failed.
    Failed,
    /// `complete`: every task is dead and none failed.
    Complete,
    /// `lost`: set by servers when the node is down; never derived here.
    Lost,
    /// `unknown`: set by servers when the node disconnected; never derived here.
    Unknown,
}

impl ClientStatus {
    /// Nomad's exact string.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            ClientStatus::Pending => "pending",
            ClientStatus::Running => "running",
            ClientStatus::Failed => "failed",
            ClientStatus::Complete => "complete",
            ClientStatus::Lost => "lost",
            ClientStatus::Unknown => "unknown",
        }
    }

    /// The status named by Nomad's string, if it is one.
    #[must_use]
    pub fn from_wire_str(status: &str) -> Option<ClientStatus> {
        match status {
            "pending" => Some(ClientStatus::Pending),
            "running" => Some(ClientStatus::Running),
            "failed" => Some(ClientStatus::Failed),
            "complete" => Some(ClientStatus::Complete),
            "lost" => Some(ClientStatus::Lost),
            "unknown" => Some(ClientStatus::Unknown),
            _ => None,
        }
    }

    /// The `ClientDescription` Nomad's client writes with a derived status.
    #[must_use]
    pub const fn description(self) -> &'static str {
        match self {
            ClientStatus::Pending => "No tasks have started",
            ClientStatus::Running => "Tasks are running",
            ClientStatus::Failed => "Failed tasks",
            ClientStatus::Complete => "All tasks have completed",
            ClientStatus::Lost => "alloc is lost since its node is down",
            ClientStatus::Unknown => "alloc is unknown since its node is disconnected",
        }
    }

    /// Derives the status from the tasks' states, in Nomad's priority: any task dead and
    /// failed → failed; else any running → running; else any pending → pending; else all
    /// dead → complete. No tasks → pending.
    ///
    /// ```
    /// use allocstate::{ClientStatus, TaskEvent, TaskState};
    ///
    /// let mut web = TaskState::new();
    /// web.apply(TaskEvent::received(1))?;
    /// web.apply(TaskEvent::started(2))?;
    /// let waiting = TaskState::new();
    /// assert_eq!(ClientStatus::of([&web, &waiting]), ClientStatus::Running);
    /// # Ok::<(), allocstate::TransitionError>(())
    /// ```
    #[must_use]
    pub fn of<'a, I>(tasks: I) -> ClientStatus
    where
        I: IntoIterator<Item = &'a TaskState>,
    {
        let (mut failed, mut running, mut pending, mut complete) = (false, false, false, false);
        for task in tasks {
            match task.phase() {
                Phase::Dead if task.failed() => failed = true,
                Phase::Dead => complete = true,
                Phase::Running | Phase::Exited => running = true,
                Phase::Pending | Phase::ShuttingDown => pending = true,
            }
        }
        if failed {
            ClientStatus::Failed
        } else if running {
            ClientStatus::Running
        } else if pending {
            ClientStatus::Pending
        } else if complete {
            ClientStatus::Complete
        } else {
            ClientStatus::Pending
        }
    }
}

impl core::fmt::Display for ClientStatus {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.pad(self.as_str())
    }
}
