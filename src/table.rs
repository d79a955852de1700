//! The transition table of the contract (`docs/transitions.md`), as one function, and the same
//! table precomputed from it for the hot path.

use crate::kind::EventKind;
use crate::phase::Phase;

/// The phase after accepting an event of `kind` in `phase`, or `None` where the contract
/// rejects it. `first` says whether the event would be the task's first.
#[inline]
pub(crate) fn next_phase(phase: Phase, kind: EventKind, first: bool) -> Option<Phase> {
    next_phase_at(phase, kind as usize, first)
}

/// [`next_phase`] for the kind at `kind_index` in [`EventKind::ALL`], which is what an
/// event's head holds: the hot path looks the step up without decoding the kind.
#[inline(always)]
pub(crate) fn next_phase_at(phase: Phase, kind_index: usize, first: bool) -> Option<Phase> {
    if first && kind_index == EventKind::Received as usize && phase == Phase::Pending {
        return Some(Phase::Pending);
    }
    TABLE
        .get(kind_index)?
        .get(phase as usize)
        .copied()
        .flatten()
}

/// [`rule`] evaluated for every kind and phase at compile time: a lookup instead of a
/// chain of branches on each event (`Received`'s first-event case is decided above).
// Evaluated by the compiler: an index out of bounds here is a build error, not a panic.
#[allow(clippy::indexing_slicing)]
const TABLE: [[Option<Phase>; 5]; EventKind::ALL.len()] = {
    let mut table = [[None; 5]; EventKind::ALL.len()];
    let mut k = 0;
    while k < EventKind::ALL.len() {
        let mut p = 0;
        while p < Phase::ALL.len() {
            table[k][p] = rule(Phase::ALL[p], EventKind::ALL[k]);
            p += 1;
        }
        k += 1;
    }
    table
};

/// The contract's table, row by row, for an event that is not the task's first. One arm
/// per kind and no wildcard over kinds: a new kind does not compile until its row is
/// written here.
const fn rule(phase: Phase, kind: EventKind) -> Option<Phase> {
    use EventKind as K;
    use Phase as P;
    let alive = !matches!(phase, P::Dead);
    match kind {
        K::TaskSetup
        | K::DownloadingArtifacts
        | K::FailedArtifactDownload
        | K::FailedValidation
        | K::DriverFailure
        | K::SetupFailure => when(matches!(phase, P::Pending), P::Pending),
        K::Started => when(matches!(phase, P::Pending), P::Running),
        K::Terminated => match phase {
            P::Running => Some(P::Exited),
            P::ShuttingDown => Some(P::ShuttingDown),
            P::Pending | P::Exited | P::Dead => None,
        },
        K::Killing
        | K::SiblingTaskFailed
        | K::LeaderTaskDead
        | K::MainTasksDead
        | K::TaskHookFailed => when(alive, phase),
        K::Killed => when(alive, P::Dead),
        K::Restarting => when(matches!(phase, P::Pending | P::Exited), P::Pending),
        K::NotRestarting => when(matches!(phase, P::Pending | P::Exited), P::Dead),
        K::RestartSignaled | K::Signaling => when(matches!(phase, P::Running), P::Running),
        K::FailedRestoringTask => when(matches!(phase, P::Pending | P::Running), P::Pending),
        K::WaitingForShutdownDelay | K::SkippingShutdownDelay => {
            when(matches!(phase, P::Running), P::ShuttingDown)
        }
        K::Driver
        | K::DiskResourcesExceeded
        | K::PluginUnhealthy
        | K::PluginHealthy
        | K::Reconnected
        | K::TaskHookMessage
        | K::Template
        | K::AllocUnhealthy
        | K::Generic
        | K::Unknown => Some(phase),
        // Only as a task's first event (decided in `next_phase_at`).
        K::Received => None,
    }
}

/// `to` where `allowed`, otherwise refused.
const fn when(allowed: bool, to: Phase) -> Option<Phase> {
    if allowed {
        Some(to)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_precomputed_table_is_the_rule() {
        for &kind in EventKind::ALL {
            for phase in Phase::ALL {
                assert_eq!(next_phase(phase, kind, false), rule(phase, kind));
            }
        }
    }
}
