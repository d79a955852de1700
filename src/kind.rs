//! The kinds of task event and their exact Nomad `Type` strings.

macro_rules! event_kinds {
    ($( $(#[$doc:meta])* $variant:ident = $code:literal => $name:literal, )*) => {
        /// The kind of a task event: Nomad's `Type`.
        ///
        /// The seed document's ten kinds come first, then the kinds modern Nomad added, then
        /// [`EventKind::Unknown`] for a type string this crate does not know (the event keeps
        /// the string). Each kind has a stable one-byte [`code`](EventKind::code), used by the
        /// compact wire format; codes are only ever appended.
        ///
        /// Nomad adds kinds; so will this enum (`non_exhaustive`).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        #[cfg_attr(feature = "defmt", derive(defmt::Format))]
        #[non_exhaustive]
        pub enum EventKind {
            $( $(#[$doc])* $variant, )*
            /// A type string this crate does not know; the event keeps the string.
            Unknown,
        }

        impl EventKind {
            /// Every kind, in code order (`Unknown` last). A slice, so that its type does not
            /// change when a kind is added.
            pub const ALL: &'static [EventKind] = &Self::ALL_ARRAY;

            /// [`EventKind::ALL`] as an array, for the crate's compile-time tables.
            pub(crate) const ALL_ARRAY: [EventKind; { [$($code),*].len() + 1 }] =
                [$(EventKind::$variant,)* EventKind::Unknown];

            /// Nomad's exact `Type` string; `None` for [`EventKind::Unknown`], whose string
            /// lives on the event.
            #[must_use]
            pub const fn type_str(self) -> Option<&'static str> {
                match self {
                    $( EventKind::$variant => Some($name), )*
                    EventKind::Unknown => None,
                }
            }

            /// The kind named by a Nomad `Type` string (exact, case-sensitive match);
            /// [`EventKind::Unknown`] for any other string.
            #[must_use]
            pub fn from_type_str(type_str: &str) -> EventKind {
                match type_str {
                    $( $name => EventKind::$variant, )*
                    _ => EventKind::Unknown,
                }
            }

            /// The kind's stable wire code.
            #[must_use]
            pub const fn code(self) -> u8 {
                match self {
                    $( EventKind::$variant => $code, )*
                    EventKind::Unknown => UNKNOWN_CODE,
                }
            }

            /// The kind with this wire code, if any.
            #[must_use]
            pub const fn from_code(code: u8) -> Option<EventKind> {
                match code {
                    $( $code => Some(EventKind::$variant), )*
                    UNKNOWN_CODE => Some(EventKind::Unknown),
                    _ => None,
                }
            }
        }
    };
}

/// Wire code of [`EventKind::Unknown`]: far from the known codes, which grow upwards.
const UNKNOWN_CODE: u8 = 255;

event_kinds! {
    /// The driver could not start the task.
    DriverFailure = 0 => "Driver Failure",
    /// The driver started the task.
    Started = 1 => "Started",
    /// The task exited.
    Terminated = 2 => "Terminated",
    /// The task was killed.
    Killed = 3 => "Killed",
    /// The client received the task: a task's first event.
    Received = 4 => "Received",
    /// The task's configuration is invalid.
    FailedValidation = 5 => "Failed Validation",
    /// The task will restart after a delay.
    Restarting = 6 => "Restarting",
    /// The task will not restart: it failed for good.
    NotRestarting = 7 => "Not Restarting",
    /// The client is downloading the task's artifacts.
    DownloadingArtifacts = 8 => "Downloading Artifacts",
    /// An artifact could not be downloaded.
    FailedArtifactDownload = 9 => "Failed Artifact Download",
    /// The task is being killed.
    Killing = 10 => "Killing",
    /// Setting the task up failed; the task fails.
    SetupFailure = 11 => "Setup Failure",
    /// The client is building the task's directory.
    TaskSetup = 12 => "Task Setup",
    /// The task was asked to restart.
    RestartSignaled = 13 => "Restart Signaled",
    /// The task is being sent a signal.
    Signaling = 14 => "Signaling",
    /// Another task of the group failed.
    SiblingTaskFailed = 15 => "Sibling Task Failed",
    /// The group's leader task died.
    LeaderTaskDead = 16 => "Leader Task Dead",
    /// The group's main tasks died; only sidecars were left.
    MainTasksDead = 17 => "Main Tasks Dead",
    /// A task hook failed.
    TaskHookFailed = 18 => "Task hook failed",
    /// The client could not reattach to the task after a restart of the agent.
    FailedRestoringTask = 19 => "Failed Restoring Task",
    /// A `shutdown_delay` began before the kill.
    WaitingForShutdownDelay = 20 => "Waiting for shutdown delay",
    /// The `shutdown_delay` was skipped before the kill.
    SkippingShutdownDelay = 21 => "Skipping shutdown delay",
    /// A message from the driver.
    Driver = 22 => "Driver",
    /// The task used more disk than allowed.
    DiskResourcesExceeded = 23 => "Disk Resources Exceeded",
    /// A plugin the task uses became unhealthy.
    PluginUnhealthy = 24 => "Plugin became unhealthy",
    /// A plugin the task uses became healthy.
    PluginHealthy = 25 => "Plugin became healthy",
    /// The client reconnected to the servers.
    Reconnected = 26 => "Reconnected",
    /// A task hook reported progress.
    TaskHookMessage = 27 => "Task hook message",
    /// A message from the template renderer.
    Template = 28 => "Template",
    /// The allocation's health check found it unhealthy.
    AllocUnhealthy = 29 => "Alloc Unhealthy",
    /// A generic message (Nomad 0.6–0.7).
    Generic = 30 => "Generic",
}

impl EventKind {
    /// The name to show for this kind: its `Type` string, or `"unknown"`.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self.type_str() {
            Some(name) => name,
            None => "unknown",
        }
    }
}

/// A string that is not one of the `Type` strings this crate knows
/// ([`EventKind::from_str`](core::str::FromStr)).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct UnknownEventType;

impl core::fmt::Display for UnknownEventType {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("not a task event type this crate knows")
    }
}

impl core::error::Error for UnknownEventType {}

/// Parses Nomad's exact `Type` string. Unlike [`EventKind::from_type_str`], which maps
/// any other string to [`EventKind::Unknown`] (an event keeps it), parsing refuses it.
///
/// ```
/// use allocstate::{EventKind, UnknownEventType};
///
/// assert_eq!("Restart Signaled".parse(), Ok(EventKind::RestartSignaled));
/// assert_eq!("Restart Signal".parse::<EventKind>(), Err(UnknownEventType));
/// ```
impl core::str::FromStr for EventKind {
    type Err = UnknownEventType;

    fn from_str(type_str: &str) -> Result<EventKind, UnknownEventType> {
        match EventKind::from_type_str(type_str) {
            EventKind::Unknown => Err(UnknownEventType),
            known => Ok(known),
        }
    }
}

impl core::fmt::Display for EventKind {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.pad(self.name())
    }
}

#[cfg(test)]
mod tests {
    extern crate std;
    use std::string::ToString;

    use super::*;

    #[test]
    fn every_known_kind_round_trips_through_its_type_string_and_code() {
        for &kind in EventKind::ALL {
            assert_eq!(EventKind::from_code(kind.code()), Some(kind));
            if let Some(name) = kind.type_str() {
                assert_eq!(EventKind::from_type_str(name), kind);
            }
        }
        assert_eq!(EventKind::ALL.len(), 32);
    }

    #[test]
    fn parsing_takes_only_known_type_strings() {
        for &kind in EventKind::ALL {
            match kind.type_str() {
                Some(name) => assert_eq!(name.parse(), Ok(kind)),
                None => assert_eq!("unknown".parse::<EventKind>(), Err(UnknownEventType)),
            }
        }
        assert_eq!("started".parse::<EventKind>(), Err(UnknownEventType));
        assert_eq!(
            UnknownEventType.to_string(),
            "not a task event type this crate knows"
        );
    }

    #[test]
    fn strings_are_exact() {
        assert_eq!(
            EventKind::RestartSignaled.type_str(),
            Some("Restart Signaled")
        );
        assert_eq!(
            EventKind::from_type_str("Restart Signal"),
            EventKind::Unknown
        );
        assert_eq!(EventKind::from_type_str("started"), EventKind::Unknown);
        assert_eq!(
            EventKind::TaskHookFailed.type_str(),
            Some("Task hook failed")
        );
    }
}
