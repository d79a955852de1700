//! What the scheduler wants of the allocation: Nomad's `DesiredStatus`.

use core::fmt;

/// Nomad's `DesiredStatus`: what the servers want the allocation to do.
///
/// ```
/// use allocstate::DesiredStatus;
///
/// assert_eq!(DesiredStatus::Evict.as_str(), "evict");
/// assert_eq!(DesiredStatus::from_wire_str("stop"), Some(DesiredStatus::Stop));
/// assert_eq!(DesiredStatus::default(), DesiredStatus::Run);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[non_exhaustive]
pub enum DesiredStatus {
    /// `run`: keep the tasks running.
    #[default]
    Run,
    /// `stop`: stop the allocation (job stopped or updated).
    Stop,
    /// `evict`: stop the allocation to make room (preemption).
    Evict,
}

impl DesiredStatus {
    /// Nomad's exact string.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            DesiredStatus::Run => "run",
            DesiredStatus::Stop => "stop",
            DesiredStatus::Evict => "evict",
        }
    }

    /// The status named by Nomad's string, if it is one.
    #[must_use]
    pub fn from_wire_str(status: &str) -> Option<DesiredStatus> {
        match status {
            "run" => Some(DesiredStatus::Run),
            "stop" => Some(DesiredStatus::Stop),
            "evict" => Some(DesiredStatus::Evict),
            _ => None,
        }
    }

    /// Whether the servers want the allocation's tasks killed (`stop` or `evict`).
    #[must_use]
    pub const fn is_terminal(self) -> bool {
        matches!(self, DesiredStatus::Stop | DesiredStatus::Evict)
    }
}

impl fmt::Display for DesiredStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}
