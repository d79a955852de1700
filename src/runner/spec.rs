//! What the runner is told about the task group, and how it is validated (Nomad's
//! `Job.Validate`, `TaskGroup.Validate`, `Task.Validate` and `RestartPolicy.Validate`,
//! `nomad/structs/structs.go`).

use heapless::String;

use crate::allocation::{Role, DEFAULT_KILL_TIMEOUT};
use crate::restart::{JobType, RestartMode, RestartPolicy};

use super::error::SpecField;

/// Bytes of a task's driver handle ([`Runner::set_handle`](super::Runner::set_handle)):
/// room for a pid and its start time, or a 64-hex-digit container id.
pub const HANDLE_CAPACITY: usize = 64;

/// Nomad's `RestartPolicyMinInterval`: a restart interval is at least 5 s.
pub(crate) const MIN_RESTART_INTERVAL: i64 = 5_000_000_000;

/// Bytes a signal name can hold (`SIGTERM`, `SIGRTMIN+15`, …); a longer one is refused.
pub const SIGNAL_CAPACITY: usize = 16;

/// Nomad's default `max_kill_timeout` of the client agent: 30 s
/// (`command/agent/config.go`, `DefaultConfig`).
pub const DEFAULT_MAX_KILL_TIMEOUT: i64 = 30_000_000_000;

/// A signal's name, as Nomad writes it (`SIGTERM`); where a command carries `None`, the
/// driver's default is meant (SIGINT for exec and raw_exec,
/// `drivers/shared/executor/executor.go`, `Shutdown`; the container's stop signal for
/// docker, `drivers/docker/handle.go`, `Kill`).
pub type SignalName = String<SIGNAL_CAPACITY>;

/// The group-level settings: the job type (it decides whether a successful exit is
/// restarted), the group `shutdown_delay`, the agent's `max_kill_timeout` and the
/// allocation's `max_run_duration`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub struct GroupSpec {
    /// The job's type.
    pub job_type: JobType,
    /// The group's `shutdown_delay` (ns), waited once before the first kill
    /// (`groupServiceHook.PreKill`, `client/allocrunner/group_service_hook.go`); 0 for
    /// none; not negative.
    pub shutdown_delay: i64,
    /// The agent's `max_kill_timeout` (ns): every kill timeout is clamped to it; not
    /// negative.
    pub max_kill_timeout: i64,
    /// `max_run_duration` (ns; 0 for none, not negative), for batch and sysbatch jobs
    /// only, as in Nomad 2.0.3+ (`allocRunner.EnforceMaxRunDurationTimeout`,
    /// `client/allocrunner/alloc_runner.go`): measured from the allocation's arrival; when
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

    /// The first field Nomad's validation refuses, if any.
    pub(crate) const fn validate(&self) -> Result<(), SpecField> {
        if self.shutdown_delay < 0 {
            return Err(SpecField::GroupShutdownDelay);
        }
        if self.max_kill_timeout < 0 {
            return Err(SpecField::MaxKillTimeout);
        }
        if self.max_run_duration < 0 {
            return Err(SpecField::MaxRunDuration);
        }
        Ok(())
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
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub struct TaskSpec<'a> {
    /// The task's name.
    pub name: &'a str,
    /// Its lifecycle hook, sidecar flag and leader flag.
    pub role: Role,
    /// The task's restart policy, else the group's (the caller resolves which).
    pub restart: RestartPolicy,
    /// `kill_timeout` (ns, not negative); Nomad's default is [`DEFAULT_KILL_TIMEOUT`].
    pub kill_timeout: i64,
    /// `kill_signal` (`SIGTERM`); `None` for the driver's default.
    pub kill_signal: Option<&'a str>,
    /// The task's `shutdown_delay` (ns, not negative); 0 for none.
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
            kill_signal: None,
            shutdown_delay: 0,
        }
    }

    /// The first field Nomad's validation refuses, if any: a negative `kill_timeout` or
    /// `shutdown_delay` (`Task.Validate`), an empty `kill_signal`, or a restart policy
    /// `RestartPolicy.Validate` refuses (attempts 0 in mode delay, an interval under
    /// 5 s, more attempts × delay than the interval) or with a negative delay.
    pub(crate) fn validate(&self) -> Result<(), SpecField> {
        if self.name.is_empty() {
            return Err(SpecField::Name);
        }
        if self.kill_timeout < 0 {
            return Err(SpecField::KillTimeout);
        }
        if self.shutdown_delay < 0 {
            return Err(SpecField::ShutdownDelay);
        }
        if self.kill_signal.is_some_and(str::is_empty) {
            return Err(SpecField::KillSignal);
        }
        let policy = &self.restart;
        if policy.delay < 0 {
            return Err(SpecField::RestartDelay);
        }
        if policy.attempts == 0 && policy.mode == RestartMode::Delay {
            return Err(SpecField::RestartAttempts);
        }
        if policy.interval < MIN_RESTART_INTERVAL {
            return Err(SpecField::RestartInterval);
        }
        let total = i128::from(policy.attempts).saturating_mul(i128::from(policy.delay));
        if total > i128::from(policy.interval) {
            return Err(SpecField::RestartAttemptsInInterval);
        }
        Ok(())
    }
}
