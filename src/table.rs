//! The transition table of the contract (`transitions.md`), as one function.

use crate::kind::EventKind;
use crate::phase::Phase;

/// The phase after accepting an event of `kind` in `phase`, or `None` where the contract
/// rejects it. `first` says whether the event would be the task's first.
#[inline]
pub(crate) const fn next_phase(phase: Phase, kind: EventKind, first: bool) -> Option<Phase> {
    use EventKind as K;
    use Phase as P;
    match (kind, phase) {
        (K::Received, P::Pending) if first => Some(P::Pending),
        (
            K::TaskSetup
            | K::DownloadingArtifacts
            | K::FailedArtifactDownload
            | K::FailedValidation
            | K::DriverFailure
            | K::SetupFailure,
            P::Pending,
        ) => Some(P::Pending),
        (K::Started, P::Pending) => Some(P::Running),
        (K::Terminated, P::Running) => Some(P::Exited),
        (K::Terminated, P::ShuttingDown) => Some(P::ShuttingDown),
        (
            K::Killing
            | K::SiblingTaskFailed
            | K::LeaderTaskDead
            | K::MainTasksDead
            | K::TaskHookFailed,
            P::Pending | P::Running | P::Exited | P::ShuttingDown,
        ) => Some(phase),
        (K::Killed, P::Pending | P::Running | P::Exited | P::ShuttingDown) => Some(P::Dead),
        (K::Restarting, P::Pending | P::Exited) => Some(P::Pending),
        (K::NotRestarting, P::Pending | P::Exited) => Some(P::Dead),
        (K::RestartSignaled | K::Signaling, P::Running) => Some(P::Running),
        (K::FailedRestoringTask, P::Pending | P::Running) => Some(P::Pending),
        (K::WaitingForShutdownDelay | K::SkippingShutdownDelay, P::Running) => {
            Some(P::ShuttingDown)
        }
        (
            K::Driver
            | K::DiskResourcesExceeded
            | K::PluginUnhealthy
            | K::PluginHealthy
            | K::Reconnected
            | K::TaskHookMessage
            | K::Template
            | K::AllocUnhealthy
            | K::Generic
            | K::Unknown,
            _,
        ) => Some(phase),
        _ => None,
    }
}
