//! What the runner is told about the task group (reference §2.1 step 0, §4).

use heapless::String;

use crate::allocation::{Role, DEFAULT_KILL_TIMEOUT};
use crate::restart::{JobType, RestartPolicy};

/// Bytes a signal name can hold (`SIGTERM`, `SIGRTMIN+15`, …); a longer one is refused.
pub const SIGNAL_CAPACITY: usize = 16;

/// Nomad's default `max_kill_timeout` of the client agent: 30 s (reference §4).
pub const DEFAULT_MAX_KILL_TIMEOUT: i64 = 30_000_000_000;

/// A signal's name, as the runtime's driver takes it; empty means the driver's default
/// (SIGINT for exec and raw_exec, the container's stop signal for docker: reference §4).
pub type SignalName = String<SIGNAL_CAPACITY>;

/// The group-level settings: the job type (it decides whether a successful exit is
/// restarted), the group `shutdown_delay`, the agent's `max_kill_timeout` and the
/// allocation's `max_run_duration`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct GroupSpec {
    /// The job's type.
    pub job_type: JobType,
    /// The group's `shutdown_delay` (ns), waited once before the first kill (reference
    /// §4); 0 for none.
    pub shutdown_delay: i64,
    /// The agent's `max_kill_timeout` (ns): every kill timeout is clamped to it (§4).
    pub max_kill_timeout: i64,
    /// `max_run_duration` (ns; 0 for none), for batch and sysbatch jobs only, as in
    /// Nomad 2.0.3+ (reference §3.3–§3.5): measured from the allocation's arrival; when
    /// it passes, the allocation is `complete` and every task is killed, poststop
    /// tasks first so that they never start. Ignored for service and system jobs.
    pub max_run_duration: i64,
}

impl GroupSpec {
    /// A group of a job of type `job_type`, with no group shutdown delay, Nomad's
    /// default `max_kill_timeout` and no `max_run_duration`.
    pub const fn new(job_type: JobType) -> Self {
        Self {
            job_type,
            shutdown_delay: 0,
            max_kill_timeout: DEFAULT_MAX_KILL_TIMEOUT,
            max_run_duration: 0,
        }
    }

    /// Whether `max_run_duration` applies: set, and a batch or sysbatch job.
    pub(crate) const fn has_max_run(&self) -> bool {
        self.max_run_duration > 0 && matches!(self.job_type, JobType::Batch | JobType::Sysbatch)
    }
}

/// A [`GroupSpec`] as the runner holds it: `max_kill_timeout` relative to Nomad's
/// default (XOR), so that the default group is all zero bytes and a `static` runner
/// needs no initial image in flash (`.bss`, not `.data`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub(crate) struct HeldGroup {
    pub(crate) job_type: JobType,
    pub(crate) shutdown_delay: i64,
    max_kill_timeout_xor: i64,
    pub(crate) max_run_duration: i64,
}

impl HeldGroup {
    pub(crate) const fn of(group: GroupSpec) -> Self {
        Self {
            job_type: group.job_type,
            shutdown_delay: group.shutdown_delay,
            max_kill_timeout_xor: group.max_kill_timeout ^ DEFAULT_MAX_KILL_TIMEOUT,
            max_run_duration: group.max_run_duration,
        }
    }

    /// The group as it was given.
    pub(crate) const fn spec(&self) -> GroupSpec {
        GroupSpec {
            job_type: self.job_type,
            shutdown_delay: self.shutdown_delay,
            max_kill_timeout: self.max_kill_timeout(),
            max_run_duration: self.max_run_duration,
        }
    }

    pub(crate) const fn max_kill_timeout(&self) -> i64 {
        self.max_kill_timeout_xor ^ DEFAULT_MAX_KILL_TIMEOUT
    }

    pub(crate) const fn has_max_run(&self) -> bool {
        self.spec().has_max_run()
    }
}

/// One task of the group, as the runner is told about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TaskSpec<'a> {
    /// The task's name.
    pub name: &'a str,
    /// Its lifecycle hook, sidecar flag and leader flag.
    pub role: Role,
    /// The task's restart policy, else the group's (the caller resolves which).
    pub restart: RestartPolicy,
    /// `kill_timeout` (ns); Nomad's default is [`DEFAULT_KILL_TIMEOUT`].
    pub kill_timeout: i64,
    /// `kill_signal`; empty for the driver's default.
    pub kill_signal: &'a str,
    /// The task's `shutdown_delay` (ns); 0 for none.
    pub shutdown_delay: i64,
}

impl<'a> TaskSpec<'a> {
    /// A task with Nomad's defaults: 5 s kill timeout, the driver's signal, no shutdown
    /// delay.
    pub const fn new(name: &'a str, role: Role, restart: RestartPolicy) -> Self {
        Self {
            name,
            role,
            restart,
            kill_timeout: DEFAULT_KILL_TIMEOUT,
            kill_signal: "",
            shutdown_delay: 0,
        }
    }
}
