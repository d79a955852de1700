//! Nomad's lifecycle coordinator (`client/allocrunner/tasklifecycle/coordinator.go`):
//! one gate per stage, opened and closed by a forward-only state machine fed with the
//! tasks' states.

use crate::allocation::AllocTask;
use crate::phase::WireState;
use crate::restart::LifecycleHook;

/// A task's lifecycle stage (`taskLifecycleStage`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Stage {
    /// Prestart, not a sidecar (PE).
    PrestartEphemeral,
    /// Prestart sidecar (PS).
    PrestartSidecar,
    /// No lifecycle hook (M).
    Main,
    /// Poststart, not a sidecar (QE).
    PoststartEphemeral,
    /// Poststart sidecar (QS).
    PoststartSidecar,
    /// Poststop (PX); the sidecar flag is ignored.
    Poststop,
}

impl Stage {
    /// The stage of `task` (Nomad's `taskLifecycleStage`).
    pub(crate) fn of(task: &AllocTask) -> Stage {
        let lifecycle = task.role().lifecycle;
        match (lifecycle.hook, lifecycle.sidecar) {
            (None, _) => Stage::Main,
            (Some(LifecycleHook::Prestart), false) => Stage::PrestartEphemeral,
            (Some(LifecycleHook::Prestart), true) => Stage::PrestartSidecar,
            (Some(LifecycleHook::Poststart), false) => Stage::PoststartEphemeral,
            (Some(LifecycleHook::Poststart), true) => Stage::PoststartSidecar,
            (Some(LifecycleHook::Poststop), _) => Stage::Poststop,
        }
    }
}

/// The coordinator's state (`Coordinator.enterStateLocked`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Coordinator {
    /// Every gate closed until every task is pending.
    Init,
    /// Prestart tasks may start.
    Prestart,
    /// Main tasks (and prestart sidecars) may start; prestart ephemeral tasks may not.
    Main,
    /// Poststart tasks may start too.
    Poststart,
    /// Poststart ephemeral tasks may no longer start; waiting for the allocation to end.
    WaitAlloc,
    /// Only poststop tasks may start. Terminal.
    Poststop,
}

impl Coordinator {
    /// Whether a task of `stage` may start in this state (`Coordinator.enterStateLocked`).
    pub const fn allows(self, stage: Stage) -> bool {
        use Coordinator as C;
        use Stage as S;
        match self {
            C::Init => false,
            C::Prestart => matches!(stage, S::PrestartEphemeral | S::PrestartSidecar),
            C::Main => matches!(stage, S::PrestartSidecar | S::Main),
            C::Poststart => !matches!(stage, S::PrestartEphemeral | S::Poststop),
            C::WaitAlloc => matches!(stage, S::PrestartSidecar | S::Main | S::PoststartSidecar),
            C::Poststop => matches!(stage, S::Poststop),
        }
    }

    /// Nomad's `TaskStateUpdated`: steps forward while a predicate holds
    /// (`Coordinator.nextStateLocked`: `isAllocDone` first, from any state). Reads only
    /// the tasks' wire states and `Failed`.
    pub(crate) fn update<'a, I>(self, tasks: I) -> Coordinator
    where
        I: IntoIterator<Item = &'a AllocTask> + Clone,
    {
        let mut state = self;
        // At most five steps forward; the bound keeps the loop visibly finite.
        for _ in 0..6 {
            let next = state.next(tasks.clone());
            if next == state {
                break;
            }
            state = next;
        }
        state
    }

    fn next<'a, I>(self, tasks: I) -> Coordinator
    where
        I: IntoIterator<Item = &'a AllocTask> + Clone,
    {
        if self != Coordinator::Poststop
            && all(tasks.clone(), |s, t| s == Stage::Poststop || dead(t))
        {
            return Coordinator::Poststop;
        }
        match self {
            Coordinator::Init
                if all(tasks.clone(), |_, t| {
                    t.state().state() == WireState::Pending
                }) =>
            {
                Coordinator::Prestart
            }
            Coordinator::Prestart if prestart_done(tasks.clone()) => Coordinator::Main,
            Coordinator::Main if all(tasks.clone(), |s, t| s != Stage::Main || !pending(t)) => {
                Coordinator::Poststart
            }
            Coordinator::Poststart
                if all(tasks, |s, t| s != Stage::PoststartEphemeral || dead(t)) =>
            {
                Coordinator::WaitAlloc
            }
            other => other,
        }
    }
}

/// `isPrestartDone`: every PE task successful and every PS task running.
fn prestart_done<'a>(tasks: impl IntoIterator<Item = &'a AllocTask>) -> bool {
    all(tasks, |stage, task| match stage {
        Stage::PrestartEphemeral => task.state().successful(),
        Stage::PrestartSidecar => task.state().state() == WireState::Running,
        _ => true,
    })
}

fn all<'a>(
    tasks: impl IntoIterator<Item = &'a AllocTask>,
    test: impl Fn(Stage, &AllocTask) -> bool,
) -> bool {
    tasks.into_iter().all(|task| test(Stage::of(task), task))
}

fn dead(task: &AllocTask) -> bool {
    task.state().state() == WireState::Dead
}

fn pending(task: &AllocTask) -> bool {
    task.state().state() == WireState::Pending
}
