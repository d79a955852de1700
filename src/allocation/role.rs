//! A task's role in its group: its lifecycle hook, sidecar flag and leader flag.

use crate::restart::{Lifecycle, LifecycleHook};

/// A task's role: its [`Lifecycle`] (hook and sidecar flag, as the restart tracker takes
/// it) and whether it is the group's leader.
///
/// The roles decide what follows a task's death (see the
/// [`allocation`](crate::allocation) module): a poststop task is never killed by the
/// allocation; a sidecar (a prestart or poststart task with `sidecar`) is killed last,
/// and once only sidecars are alive they are told `Main Tasks Dead`; the leader is killed
/// first, and its death (not failed) stops the group with `Leader Task Dead`.
///
/// ```
/// use allocstate::Role;
/// use allocstate::restart::Lifecycle;
///
/// assert!(Role::prestart(true).is_sidecar());
/// assert!(!Role::prestart(false).is_sidecar());
/// assert!(Role::leader().leader);
/// assert_eq!(Role::poststop().lifecycle, Lifecycle::poststop());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Role {
    /// The `lifecycle` block; [`Lifecycle::main`] for a main task.
    pub lifecycle: Lifecycle,
    /// Nomad's `leader = true`.
    pub leader: bool,
}

impl Role {
    /// A main task (no lifecycle block), not the leader.
    #[must_use]
    pub const fn main() -> Self {
        Self {
            lifecycle: Lifecycle::main(),
            leader: false,
        }
    }

    /// The group's leader: a main task with `leader = true`.
    #[must_use]
    pub const fn leader() -> Self {
        Self {
            lifecycle: Lifecycle::main(),
            leader: true,
        }
    }

    /// A prestart task; `sidecar` keeps it running beside the main tasks.
    #[must_use]
    pub const fn prestart(sidecar: bool) -> Self {
        Self {
            lifecycle: Lifecycle::prestart(sidecar),
            leader: false,
        }
    }

    /// A poststart task; `sidecar` keeps it running beside the main tasks.
    #[must_use]
    pub const fn poststart(sidecar: bool) -> Self {
        Self {
            lifecycle: Lifecycle::poststart(sidecar),
            leader: false,
        }
    }

    /// A poststop task: it runs after the main tasks and is never killed by the
    /// allocation.
    #[must_use]
    pub const fn poststop() -> Self {
        Self {
            lifecycle: Lifecycle::poststop(),
            leader: false,
        }
    }

    /// The same role with the leader flag set to `leader`.
    #[must_use]
    pub const fn with_leader(self, leader: bool) -> Self {
        Self {
            lifecycle: self.lifecycle,
            leader,
        }
    }

    /// A prestart or poststart task with `sidecar` set.
    #[must_use]
    pub const fn is_sidecar(&self) -> bool {
        self.lifecycle.sidecar
            && matches!(
                self.lifecycle.hook,
                Some(LifecycleHook::Prestart | LifecycleHook::Poststart)
            )
    }

    /// A poststop task.
    #[must_use]
    pub const fn is_poststop(&self) -> bool {
        matches!(self.lifecycle.hook, Some(LifecycleHook::Poststop))
    }
}
