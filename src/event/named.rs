//! The named constructors, one per kind: each carries exactly the `Details` keys Nomad's
//! emit site writes.

use crate::head::Keys;
use crate::kind::EventKind;

use super::{Detail, TaskEvent};

impl TaskEvent {
    /// `Received`: the client received the task.
    #[must_use]
    pub fn received(time: i64) -> TaskEvent {
        TaskEvent::new(time, Detail::Received)
    }

    /// `Task Setup` with Nomad's message `Building Task Directory`.
    #[must_use]
    pub fn task_setup(time: i64) -> TaskEvent {
        TaskEvent::new(time, Detail::TaskSetup).with_message("Building Task Directory")
    }

    /// `Downloading Artifacts`.
    #[must_use]
    pub fn downloading_artifacts(time: i64) -> TaskEvent {
        TaskEvent::new(time, Detail::DownloadingArtifacts)
    }

    /// `Failed Artifact Download` with its error.
    #[must_use]
    pub fn failed_artifact_download(time: i64, download_error: &str) -> TaskEvent {
        TaskEvent::new(time, Detail::FailedArtifactDownload { download_error })
    }

    /// `Failed Validation` with its error.
    #[must_use]
    pub fn failed_validation(time: i64, validation_error: &str) -> TaskEvent {
        TaskEvent::new(time, Detail::FailedValidation { validation_error })
    }

    /// `Driver Failure` with its error.
    #[must_use]
    pub fn driver_failure(time: i64, driver_error: &str) -> TaskEvent {
        TaskEvent::new(time, Detail::DriverFailure { driver_error })
    }

    /// `Setup Failure` with its error; it fails the task.
    #[must_use]
    pub fn setup_failure(time: i64, setup_error: &str) -> TaskEvent {
        TaskEvent::new(
            time,
            Detail::SetupFailure {
                setup_error,
                kill_reason: "",
            },
        )
        .with_only_keys(Keys::annotation(0))
        .with_fails_task()
    }

    /// `Setup Failure` as Nomad's `MarkFailedKill` writes it when an allocation's prerun
    /// hook failed: the `KillReason` `Failed Restoring Task`, `reason` (Nomad's
    /// `failed to setup alloc: <err>`) as the `DisplayMessage`, and `FailsTask`.
    #[must_use]
    pub fn mark_failed_kill(time: i64, reason: &str) -> TaskEvent {
        TaskEvent::new(
            time,
            Detail::SetupFailure {
                setup_error: "",
                kill_reason: EventKind::FailedRestoringTask.name(),
            },
        )
        .with_only_keys(Keys::annotation(1))
        .with_fails_task()
        .with_display_message(reason)
    }

    /// `Started`.
    #[must_use]
    pub fn started(time: i64) -> TaskEvent {
        TaskEvent::new(time, Detail::Started)
    }

    /// `Terminated` with the exit code (no signal, not OOM-killed).
    #[must_use]
    pub fn terminated(time: i64, exit_code: i32) -> TaskEvent {
        TaskEvent::terminated_by_signal(time, exit_code, 0)
    }

    /// `Terminated` by a signal (not OOM-killed). Like Nomad's exit result event it
    /// carries `exit_code`, `signal` and `oom_killed`; the exit message is set with
    /// [`with_message`](TaskEvent::with_message).
    #[must_use]
    pub fn terminated_by_signal(time: i64, exit_code: i32, signal: i32) -> TaskEvent {
        TaskEvent::new(
            time,
            Detail::Terminated {
                exit_code,
                signal,
                oom_killed: Some(false),
            },
        )
    }

    /// `Killing`, with the kill timeout in nanoseconds (written even when 0).
    #[must_use]
    pub fn killing(time: i64, kill_timeout: i64) -> TaskEvent {
        TaskEvent::new(
            time,
            Detail::Killing {
                kill_timeout,
                kill_reason: "",
            },
        )
        .with_only_keys(Keys::annotation(0))
    }

    /// `Killing` as a hook writes it when it kills its task (the Vault hook's
    /// unrecoverable error, a template's fatal one): no kill timeout, failing the task,
    /// with the hook's `display_message` (Nomad's `client/allocrunner/taskrunner/vault_hook.go`,
    /// `vaultHook.Prestart` and `vaultHook.run`; `taskrunner/template/template.go`,
    /// `TaskTemplateManager.run` and `handleTemplateRerenders`).
    #[must_use]
    pub fn hook_killing(time: i64, display_message: &str) -> TaskEvent {
        TaskEvent::new(
            time,
            Detail::Killing {
                kill_timeout: 0,
                kill_reason: "",
            },
        )
        .with_only_keys(0)
        .with_display_message(display_message)
        .with_fails_task()
    }

    /// `Killed` for `kill_reason`, failing the task, as Nomad's task runner writes it when
    /// an allocation update no longer has the task (`update missing task`: Nomad's
    /// `client/allocrunner/taskrunner/task_runner.go`, `TaskRunner.Update`).
    #[must_use]
    pub fn killed_failing(time: i64, kill_reason: &str) -> TaskEvent {
        TaskEvent::new(
            time,
            Detail::Killed {
                kill_error: "",
                kill_reason,
            },
        )
        .with_only_keys(Keys::annotation(1))
        .with_fails_task()
    }

    /// `Killed` with `KillError`: the driver could not kill the task (Nomad's
    /// `TaskRunner.Kill`, `client/allocrunner/taskrunner/lifecycle.go`, sets it from the
    /// kill's error).
    #[must_use]
    pub fn killed_with_error(time: i64, kill_error: &str) -> TaskEvent {
        TaskEvent::new(
            time,
            Detail::Killed {
                kill_error,
                kill_reason: "",
            },
        )
        .with_only_keys(Keys::annotation(0))
    }

    /// `Killed`, bare as Nomad's task runner writes it.
    #[must_use]
    pub fn killed(time: i64) -> TaskEvent {
        TaskEvent::new(
            time,
            Detail::Killed {
                kill_error: "",
                kill_reason: "",
            },
        )
        .with_only_keys(0)
    }

    /// `Restarting` after `start_delay` nanoseconds, for `restart_reason` (both written,
    /// an empty reason too: a user-requested restart has none).
    #[must_use]
    pub fn restarting(time: i64, start_delay: i64, restart_reason: &str) -> TaskEvent {
        TaskEvent::new(
            time,
            Detail::Restarting {
                start_delay,
                restart_reason,
            },
        )
    }

    /// `Not Restarting` for `restart_reason`; it fails the task.
    #[must_use]
    pub fn not_restarting(time: i64, restart_reason: &str) -> TaskEvent {
        TaskEvent::new(time, Detail::NotRestarting { restart_reason }).with_fails_task()
    }

    /// `Restart Signaled` for `restart_reason`.
    #[must_use]
    pub fn restart_signaled(time: i64, restart_reason: &str) -> TaskEvent {
        TaskEvent::new(time, Detail::RestartSignaled { restart_reason })
    }

    /// `Signaling` as `nomad alloc signal` writes it: only `Details["signal"]` (for
    /// example `"SIGUSR1"`); the `DisplayMessage` is `Task being sent a signal`.
    #[must_use]
    pub fn signaling(time: i64, signal: &str) -> TaskEvent {
        TaskEvent::new(
            time,
            Detail::Signaling {
                task_signal: "",
                task_signal_reason: "",
                signal,
            },
        )
        .with_only_keys(Keys::annotation(2))
    }

    /// `Signaling` with Nomad's `TaskSignal` (for example `"SIGHUP"`), as a template or
    /// Vault change mode writes it.
    #[must_use]
    pub fn signaling_task_signal(time: i64, task_signal: &str) -> TaskEvent {
        TaskEvent::new(
            time,
            Detail::Signaling {
                task_signal,
                task_signal_reason: "",
                signal: "",
            },
        )
        .with_only_keys(Keys::annotation(0))
    }

    /// `Sibling Task Failed`, naming the task that failed.
    #[must_use]
    pub fn sibling_task_failed(time: i64, failed_sibling: &str) -> TaskEvent {
        TaskEvent::new(time, Detail::SiblingTaskFailed { failed_sibling })
    }

    /// `Leader Task Dead`.
    #[must_use]
    pub fn leader_task_dead(time: i64) -> TaskEvent {
        TaskEvent::new(time, Detail::LeaderTaskDead)
    }

    /// `Main Tasks Dead`.
    #[must_use]
    pub fn main_tasks_dead(time: i64) -> TaskEvent {
        TaskEvent::new(time, Detail::MainTasksDead)
    }

    /// `Driver` with the driver's message and no annotations (`Details` is `null`, as
    /// Nomad writes a driver event whose driver gave none); add them with
    /// [`with_annotation`](TaskEvent::with_annotation).
    #[must_use]
    pub fn driver(time: i64, driver_message: &str) -> TaskEvent {
        TaskEvent::new(
            time,
            Detail::Driver {
                driver_message,
                annotations: None,
            },
        )
    }
}
