//! A task's role in its group: its lifecycle hook, sidecar flag and leader flag.

use core::fmt;

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
///
/// In Nomad's job JSON (feature `serde`) a role is the two fields of a `Task` it comes
/// from: `{"Lifecycle": {"Hook": "prestart", "Sidecar": true}, "Leader": false}`, with
/// `"Lifecycle": null` for a main task; reading a whole `Task` object skips its other
/// fields, and a missing field is Go's zero value (no block, not the leader).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "PascalCase"))]
pub struct Role {
    /// The `lifecycle` block; [`Lifecycle::main`] for a main task.
    #[cfg_attr(feature = "serde", serde(default, with = "block_or_null"))]
    pub lifecycle: Lifecycle,
    /// Nomad's `leader = true`.
    #[cfg_attr(feature = "serde", serde(default))]
    pub leader: bool,
}

/// A main task has no `lifecycle` block: `null` in Nomad's JSON.
#[cfg(feature = "serde")]
mod block_or_null {
    use serde::{Deserialize, Deserializer, Serializer};

    use crate::restart::Lifecycle;

    pub(super) fn serialize<S: Serializer>(block: &Lifecycle, s: S) -> Result<S::Ok, S::Error> {
        if block.hook.is_none() {
            s.serialize_none()
        } else {
            s.serialize_some(block)
        }
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Lifecycle, D::Error> {
        Ok(Option::<Lifecycle>::deserialize(d)?.unwrap_or_default())
    }
}

/// `main`, `leader`, `prestart`, `prestart sidecar`, `poststart`, `poststop`, and a
/// hooked leader as `prestart leader`.
impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let hook = match self.lifecycle.hook {
            None if self.leader => return f.write_str("leader"),
            None => "main",
            Some(LifecycleHook::Prestart) => "prestart",
            Some(LifecycleHook::Poststart) => "poststart",
            Some(LifecycleHook::Poststop) => "poststop",
        };
        f.write_str(hook)?;
        if self.is_sidecar() {
            f.write_str(" sidecar")?;
        }
        if self.leader {
            f.write_str(" leader")?;
        }
        Ok(())
    }
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
