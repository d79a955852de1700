//! What the job says: the `restart` block, the job type and the task's lifecycle.

use core::fmt;
use core::time::Duration;

/// A span of time as nanoseconds, Go's `time.Duration` and what the wire carries, taken
/// from either an `i64` of nanoseconds or a [`Duration`] (saturating at `i64::MAX` ns,
/// about 292 years). Policies and timeouts accept `impl Into<Nanos>`.
///
/// ```
/// use allocstate::restart::Nanos;
/// use core::time::Duration;
///
/// assert_eq!(Nanos::from(Duration::from_secs(15)), Nanos::from(15_000_000_000));
/// assert_eq!(Nanos::from(Duration::MAX).get(), i64::MAX);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Nanos(pub i64);

impl Nanos {
    /// The nanoseconds.
    #[must_use]
    pub const fn get(self) -> i64 {
        self.0
    }

    /// `duration` in nanoseconds, saturating at `i64::MAX`.
    #[must_use]
    pub const fn from_duration(duration: Duration) -> Self {
        let nanos = duration.as_nanos();
        Nanos(if nanos > i64::MAX as u128 {
            i64::MAX
        } else {
            nanos as i64
        })
    }
}

impl From<i64> for Nanos {
    fn from(nanos: i64) -> Self {
        Nanos(nanos)
    }
}

impl From<Duration> for Nanos {
    fn from(duration: Duration) -> Self {
        Nanos::from_duration(duration)
    }
}

/// What happens once the attempts in an interval are used up (Nomad's `mode`).
///
/// In Nomad's job JSON (feature `serde`): `"fail"` or `"delay"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "lowercase"))]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub enum RestartMode {
    /// `"fail"`: stop restarting and fail the task.
    Fail,
    /// `"delay"`: wait until the interval ends, then keep restarting.
    Delay,
}

/// A task group's `restart` block. Durations are nanoseconds, like Go's `time.Duration`;
/// [`RestartPolicy::new`] takes them as [`Duration`]s too.
///
/// In Nomad's job JSON (feature `serde`): `{"Attempts": 2, "Interval": 1800000000000,
/// "Delay": 15000000000, "Mode": "fail"}`; other fields of the block (`RenderTemplates`)
/// are skipped when read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "PascalCase"))]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub struct RestartPolicy {
    /// Restarts allowed per interval; 0 means never restart.
    pub attempts: u32,
    /// Length of the window in which `attempts` are counted (ns).
    pub interval: i64,
    /// Base wait before a restart, before jitter (ns).
    pub delay: i64,
    /// Behaviour once `attempts` are exceeded.
    pub mode: RestartMode,
}

impl RestartPolicy {
    /// A policy from its four fields; `interval` and `delay` as nanoseconds or
    /// [`Duration`]s.
    ///
    /// ```
    /// use allocstate::restart::{JobType, RestartMode, RestartPolicy};
    /// use core::time::Duration;
    ///
    /// let policy = RestartPolicy::new(
    ///     2,
    ///     Duration::from_secs(30 * 60),
    ///     Duration::from_secs(15),
    ///     RestartMode::Fail,
    /// );
    /// assert_eq!(policy, JobType::Service.default_restart_policy());
    /// ```
    #[must_use]
    pub fn new(
        attempts: u32,
        interval: impl Into<Nanos>,
        delay: impl Into<Nanos>,
        mode: RestartMode,
    ) -> Self {
        RestartPolicy {
            attempts,
            interval: interval.into().get(),
            delay: delay.into().get(),
            mode,
        }
    }
}

const MINUTE: i64 = 60_000_000_000;

/// Job scheduler type; batch-like jobs do not restart after a successful exit.
///
/// `Display` and Nomad's job JSON (feature `serde`): `service`, `batch`, `system`,
/// `sysbatch`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "lowercase"))]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub enum JobType {
    /// Long-running service.
    Service,
    /// Run-to-completion batch job.
    Batch,
    /// One instance per node, long-running.
    System,
    /// One instance per node, run-to-completion.
    Sysbatch,
}

impl JobType {
    /// Nomad's name for the type (the job's `Type`).
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            JobType::Service => "service",
            JobType::Batch => "batch",
            JobType::System => "system",
            JobType::Sysbatch => "sysbatch",
        }
    }

    /// The restart policy Nomad gives a group that sets none (its
    /// `DefaultServiceJobRestartPolicy` and `DefaultBatchJobRestartPolicy`): service and
    /// system jobs 2 attempts in 30m, batch and sysbatch jobs 3 attempts in 24h; both
    /// with a 15s delay and mode `fail`.
    ///
    /// ```
    /// use allocstate::restart::{JobType, RestartMode};
    ///
    /// let batch = JobType::Batch.default_restart_policy();
    /// assert_eq!((batch.attempts, batch.interval), (3, 24 * 3_600_000_000_000));
    /// assert_eq!(batch.mode, RestartMode::Fail);
    /// ```
    #[must_use]
    pub const fn default_restart_policy(self) -> RestartPolicy {
        let (attempts, interval) = match self {
            JobType::Service | JobType::System => (2, 30 * MINUTE),
            JobType::Batch | JobType::Sysbatch => (3, 24 * 60 * MINUTE),
        };
        RestartPolicy {
            attempts,
            interval,
            delay: MINUTE / 4,
            mode: RestartMode::Fail,
        }
    }
}

impl fmt::Display for JobType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A task's `lifecycle.hook`; in Nomad's job JSON `prestart`, `poststart`, `poststop`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "lowercase"))]
pub enum LifecycleHook {
    /// Runs before the main tasks.
    Prestart,
    /// Runs once the main tasks have started.
    Poststart,
    /// Runs after the main tasks have stopped.
    Poststop,
}

/// A task's `lifecycle` block; it changes whether a successful exit is restarted.
///
/// In Nomad's job JSON (feature `serde`): `{"Hook": "prestart", "Sidecar": true}`; a
/// main task has no block, which a [`Role`](crate::Role) writes as `"Lifecycle": null`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "PascalCase"))]
pub struct Lifecycle {
    /// The hook; `None` is a main task (Go's nil `TaskLifecycleConfig`).
    pub hook: Option<LifecycleHook>,
    /// Whether a prestart/poststart task keeps running (is restarted on success).
    pub sidecar: bool,
}

impl Lifecycle {
    /// A main task (no lifecycle block).
    #[must_use]
    pub const fn main() -> Self {
        Self {
            hook: None,
            sidecar: false,
        }
    }

    /// A prestart task; `sidecar` keeps it running alongside the main tasks.
    #[must_use]
    pub const fn prestart(sidecar: bool) -> Self {
        Self {
            hook: Some(LifecycleHook::Prestart),
            sidecar,
        }
    }

    /// A poststart task; `sidecar` keeps it running alongside the main tasks.
    #[must_use]
    pub const fn poststart(sidecar: bool) -> Self {
        Self {
            hook: Some(LifecycleHook::Poststart),
            sidecar,
        }
    }

    /// A poststop task (never restarted on success).
    #[must_use]
    pub const fn poststop() -> Self {
        Self {
            hook: Some(LifecycleHook::Poststop),
            sidecar: false,
        }
    }
}
