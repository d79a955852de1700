//! Why the machine refused an event.

use crate::event::TaskEvent;
use crate::kind::EventKind;
use crate::phase::Phase;

/// An event the contract does not allow in the task's phase. The task is exactly as it
/// was; the event is handed back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejected {
    pub(crate) phase: Phase,
    pub(crate) first: bool,
    pub(crate) event: TaskEvent,
}

impl Rejected {
    /// The phase the task was (and still is) in.
    pub const fn phase(&self) -> Phase {
        self.phase
    }

    /// The kind of the refused event.
    pub const fn kind(&self) -> EventKind {
        self.event.kind()
    }

    /// The refused event.
    pub const fn event(&self) -> &TaskEvent {
        &self.event
    }

    /// Gives the refused event back.
    pub fn into_event(self) -> TaskEvent {
        self.event
    }
}

impl core::fmt::Display for Rejected {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self.kind() {
            EventKind::Received if self.phase == Phase::Pending && !self.first => {
                f.write_str("`Received` is accepted only as a task's first event")
            }
            _ => write!(
                f,
                "`{}` event not allowed in phase {}",
                self.event.type_str(),
                self.phase
            ),
        }
    }
}

impl core::error::Error for Rejected {}

#[cfg(feature = "defmt")]
impl defmt::Format for Rejected {
    fn format(&self, f: defmt::Formatter<'_>) {
        defmt::write!(
            f,
            "Rejected {{ phase: {}, kind: {}, first: {} }}",
            self.phase,
            self.kind(),
            self.first
        );
    }
}
