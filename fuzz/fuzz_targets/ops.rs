//! `ops`: arbitrary sequences of operations on one task, checked after every step against
//! the invariants and against an independent model of `transitions.md`.
//!
//! The model below is written from the contract's table, not from `src/table.rs`: one row
//! per event group, one cell per phase, and the bookkeeping rules reimplemented. The ring
//! is modelled as a `VecDeque` of the last ten accepted events.

#![no_main]

use std::collections::VecDeque;

use allocstate::{Detail, EventKind, Phase, TaskEvent, TaskState, WireState, MAX_EVENTS};
use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;

/// A `Detail` with owned strings, so `arbitrary` can build it.
#[derive(Debug, Arbitrary)]
enum FDetail {
    DriverFailure(String),
    Started,
    Terminated(i32, i32, Option<bool>),
    Killed(String, String),
    Received,
    FailedValidation(String),
    Restarting(i64, String),
    NotRestarting(String),
    DownloadingArtifacts,
    FailedArtifactDownload(String),
    Killing(i64, String),
    SetupFailure(String),
    TaskSetup,
    RestartSignaled(String),
    Signaling(String, String),
    SiblingTaskFailed(String),
    LeaderTaskDead,
    MainTasksDead,
    TaskHookFailed,
    FailedRestoringTask,
    WaitingForShutdownDelay,
    SkippingShutdownDelay,
    Driver(String),
    DiskResourcesExceeded(i64),
    PluginUnhealthy,
    PluginHealthy,
    Reconnected,
    TaskHookMessage,
    Template,
    AllocUnhealthy,
    Generic,
    Unknown(String),
}

impl FDetail {
    fn detail(&self) -> Detail<'_> {
        match self {
            FDetail::DriverFailure(s) => Detail::DriverFailure { driver_error: s },
            FDetail::Started => Detail::Started,
            FDetail::Terminated(exit_code, signal, oom_killed) => Detail::Terminated {
                exit_code: *exit_code,
                signal: *signal,
                oom_killed: *oom_killed,
            },
            FDetail::Killed(a, b) => Detail::Killed {
                kill_error: a,
                kill_reason: b,
            },
            FDetail::Received => Detail::Received,
            FDetail::FailedValidation(s) => Detail::FailedValidation {
                validation_error: s,
            },
            FDetail::Restarting(d, s) => Detail::Restarting {
                start_delay: *d,
                restart_reason: s,
            },
            FDetail::NotRestarting(s) => Detail::NotRestarting { restart_reason: s },
            FDetail::DownloadingArtifacts => Detail::DownloadingArtifacts,
            FDetail::FailedArtifactDownload(s) => {
                Detail::FailedArtifactDownload { download_error: s }
            }
            FDetail::Killing(t, s) => Detail::Killing {
                kill_timeout: *t,
                kill_reason: s,
            },
            FDetail::SetupFailure(s) => Detail::SetupFailure { setup_error: s },
            FDetail::TaskSetup => Detail::TaskSetup,
            FDetail::RestartSignaled(s) => Detail::RestartSignaled { restart_reason: s },
            FDetail::Signaling(a, b) => Detail::Signaling {
                task_signal: a,
                task_signal_reason: b,
            },
            FDetail::SiblingTaskFailed(s) => Detail::SiblingTaskFailed { failed_sibling: s },
            FDetail::LeaderTaskDead => Detail::LeaderTaskDead,
            FDetail::MainTasksDead => Detail::MainTasksDead,
            FDetail::TaskHookFailed => Detail::TaskHookFailed,
            FDetail::FailedRestoringTask => Detail::FailedRestoringTask,
            FDetail::WaitingForShutdownDelay => Detail::WaitingForShutdownDelay,
            FDetail::SkippingShutdownDelay => Detail::SkippingShutdownDelay,
            FDetail::Driver(s) => Detail::Driver { driver_message: s },
            FDetail::DiskResourcesExceeded(l) => Detail::DiskResourcesExceeded { disk_limit: *l },
            FDetail::PluginUnhealthy => Detail::PluginUnhealthy,
            FDetail::PluginHealthy => Detail::PluginHealthy,
            FDetail::Reconnected => Detail::Reconnected,
            FDetail::TaskHookMessage => Detail::TaskHookMessage,
            FDetail::Template => Detail::Template,
            FDetail::AllocUnhealthy => Detail::AllocUnhealthy,
            FDetail::Generic => Detail::Generic,
            FDetail::Unknown(s) => Detail::Unknown { type_name: s },
        }
    }
}

/// The named constructors, each with its own arguments.
#[derive(Debug, Arbitrary)]
enum Ctor {
    Received,
    TaskSetup,
    DownloadingArtifacts,
    FailedArtifactDownload(String),
    FailedValidation(String),
    DriverFailure(String),
    SetupFailure(String),
    Started,
    Terminated(i32),
    TerminatedBySignal(i32, i32),
    Killing(i64),
    Killed,
    Restarting(i64, String),
    NotRestarting(String),
    RestartSignaled(String),
    Signaling(String),
    SiblingTaskFailed(String),
    LeaderTaskDead,
    MainTasksDead,
    Driver(String),
    OfKind(u8),
    FromTypeStr(String),
}

impl Ctor {
    fn build(&self, t: i64) -> TaskEvent {
        match self {
            Ctor::Received => TaskEvent::received(t),
            Ctor::TaskSetup => TaskEvent::task_setup(t),
            Ctor::DownloadingArtifacts => TaskEvent::downloading_artifacts(t),
            Ctor::FailedArtifactDownload(s) => TaskEvent::failed_artifact_download(t, s),
            Ctor::FailedValidation(s) => TaskEvent::failed_validation(t, s),
            Ctor::DriverFailure(s) => TaskEvent::driver_failure(t, s),
            Ctor::SetupFailure(s) => TaskEvent::setup_failure(t, s),
            Ctor::Started => TaskEvent::started(t),
            Ctor::Terminated(c) => TaskEvent::terminated(t, *c),
            Ctor::TerminatedBySignal(c, s) => TaskEvent::terminated_by_signal(t, *c, *s),
            Ctor::Killing(k) => TaskEvent::killing(t, *k),
            Ctor::Killed => TaskEvent::killed(t),
            Ctor::Restarting(d, s) => TaskEvent::restarting(t, *d, s),
            Ctor::NotRestarting(s) => TaskEvent::not_restarting(t, s),
            Ctor::RestartSignaled(s) => TaskEvent::restart_signaled(t, s),
            Ctor::Signaling(s) => TaskEvent::signaling(t, s),
            Ctor::SiblingTaskFailed(s) => TaskEvent::sibling_task_failed(t, s),
            Ctor::LeaderTaskDead => TaskEvent::leader_task_dead(t),
            Ctor::MainTasksDead => TaskEvent::main_tasks_dead(t),
            Ctor::Driver(s) => TaskEvent::driver(t, s),
            Ctor::OfKind(i) => {
                let kinds = EventKind::ALL;
                TaskEvent::of_kind(t, kinds[usize::from(*i) % kinds.len()])
            }
            Ctor::FromTypeStr(s) => TaskEvent::from_type_str(t, s),
        }
    }
}

#[derive(Debug, Arbitrary)]
enum Build {
    Detail(FDetail),
    Ctor(Ctor),
}

#[derive(Debug, Arbitrary)]
struct Refine {
    message: Option<String>,
    display: Option<String>,
    fails_task: Option<bool>,
}

#[derive(Debug, Arbitrary)]
enum Op {
    Apply {
        time: i64,
        build: Build,
        refine: Refine,
    },
    Finish {
        time: i64,
    },
}

/// One cell of the contract's table.
#[derive(Clone, Copy, Debug)]
enum Cell {
    /// `=`
    Keep,
    /// a new phase
    To(Phase),
    /// `✗`
    No,
}

use Cell::{Keep, No, To};

/// Column order of the table in `transitions.md`.
const PHASES: [Phase; 5] = [
    Phase::Pending,
    Phase::Running,
    Phase::Exited,
    Phase::ShuttingDown,
    Phase::Dead,
];

/// The row of `transitions.md` for `kind` (for `Received`, the row when it would be the
/// first event; afterwards every cell is `✗`).
fn row(kind: EventKind, first: bool) -> [Cell; 5] {
    use EventKind as K;
    const P: Phase = Phase::Pending;
    const DEAD: Phase = Phase::Dead;
    match kind {
        K::Received if first => [Keep, No, No, No, No],
        K::Received => [No, No, No, No, No],
        K::TaskSetup
        | K::DownloadingArtifacts
        | K::FailedArtifactDownload
        | K::FailedValidation
        | K::DriverFailure
        | K::SetupFailure => [Keep, No, No, No, No],
        K::Started => [To(Phase::Running), No, No, No, No],
        K::Terminated => [No, To(Phase::Exited), No, Keep, No],
        K::Killing => [Keep, Keep, Keep, Keep, No],
        K::Killed => [To(DEAD), To(DEAD), To(DEAD), To(DEAD), No],
        K::Restarting => [Keep, No, To(P), No, No],
        K::NotRestarting => [To(DEAD), No, To(DEAD), No, No],
        K::RestartSignaled | K::Signaling => [No, Keep, No, No, No],
        K::SiblingTaskFailed | K::LeaderTaskDead | K::MainTasksDead | K::TaskHookFailed => {
            [Keep, Keep, Keep, Keep, No]
        }
        K::FailedRestoringTask => [Keep, To(P), No, No, No],
        K::WaitingForShutdownDelay | K::SkippingShutdownDelay => {
            [No, To(Phase::ShuttingDown), No, No, No]
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
        | K::Unknown => [Keep, Keep, Keep, Keep, Keep],
    }
}

/// The independent model: the table above plus the bookkeeping rules.
#[derive(Debug, Clone, PartialEq)]
struct Model {
    phase: Phase,
    failed: bool,
    restarts: u64,
    last_restart: Option<i64>,
    started_at: Option<i64>,
    finished_at: Option<i64>,
    count: u64,
    ring: VecDeque<TaskEvent>,
}

impl Model {
    fn new() -> Self {
        Model {
            phase: Phase::Pending,
            failed: false,
            restarts: 0,
            last_restart: None,
            started_at: None,
            finished_at: None,
            count: 0,
            ring: VecDeque::new(),
        }
    }

    /// `Some((from, to))` if accepted.
    fn apply(&mut self, event: &TaskEvent) -> Option<(Phase, Phase)> {
        let from = self.phase;
        let column = PHASES.iter().position(|p| *p == from).unwrap();
        let to = match row(event.kind(), self.count == 0)[column] {
            No => return None,
            Keep => from,
            To(p) => p,
        };
        let fails = event.fails_task()
            || matches!(
                event.kind(),
                EventKind::NotRestarting | EventKind::SetupFailure
            );
        if fails {
            self.failed = true;
        }
        if event.kind() == EventKind::Restarting {
            self.restarts += 1;
            self.last_restart = Some(event.time());
        }
        if event.kind() == EventKind::Started {
            self.started_at = Some(event.time());
        }
        if to == Phase::Dead && from != Phase::Dead {
            self.finished_at.get_or_insert(event.time());
        }
        self.phase = to;
        self.count += 1;
        if self.ring.len() == MAX_EVENTS {
            self.ring.pop_front();
        }
        self.ring.push_back(event.clone());
        Some((from, to))
    }

    fn finish(&mut self, time: i64) -> (Phase, Phase) {
        let from = self.phase;
        if from != Phase::Dead {
            self.finished_at.get_or_insert(time);
            self.phase = Phase::Dead;
        }
        (from, self.phase)
    }
}

/// Everything observable on a task equals the model.
fn check(task: &TaskState, model: &Model) {
    assert_eq!(task.phase(), model.phase);
    let wire = match model.phase {
        Phase::Pending | Phase::ShuttingDown => WireState::Pending,
        Phase::Running | Phase::Exited => WireState::Running,
        Phase::Dead => WireState::Dead,
    };
    assert_eq!(task.state(), wire);
    assert_eq!(task.failed(), model.failed);
    assert_eq!(
        task.successful(),
        model.phase == Phase::Dead && !model.failed
    );
    assert_eq!(task.restarts(), model.restarts);
    assert_eq!(task.last_restart(), model.last_restart);
    assert_eq!(task.started_at(), model.started_at);
    assert_eq!(task.finished_at(), model.finished_at);
    assert_eq!(task.event_count(), model.count);

    let ring = task.events();
    assert!(ring.len() <= MAX_EVENTS);
    assert_eq!(ring.len(), model.ring.len());
    assert_eq!(ring.is_empty(), model.ring.is_empty());
    assert_eq!(ring.accepted(), model.count);
    assert_eq!(ring.evicted(), model.count - ring.len() as u64);
    assert!(ring.iter().eq(model.ring.iter()), "ring differs from model");
    assert!(ring.iter().rev().eq(model.ring.iter().rev()));
    assert!(ring.into_iter().eq(model.ring.iter()));
    assert_eq!(ring.oldest(), model.ring.front());
    assert_eq!(ring.latest(), model.ring.back());
}

/// Reading an event back never panics and agrees with how it was built.
fn check_event(event: &TaskEvent, built_from: Option<&Detail<'_>>) {
    let detail = event.detail();
    assert_eq!(detail.kind(), event.kind());
    match event.kind().type_str() {
        Some(name) => assert_eq!(event.type_str(), name),
        None => assert_eq!(
            EventKind::from_type_str(event.type_str()),
            EventKind::Unknown
        ),
    }
    let _ = (
        event.message(),
        event.display_message_override(),
        event.time(),
    );
    assert_eq!(
        event.marks_failed(),
        event.fails_task()
            || matches!(
                event.kind(),
                EventKind::NotRestarting | EventKind::SetupFailure
            )
    );
    if let Some(built) = built_from {
        if let Detail::Unknown { type_name } = built {
            // A known type string is normalised to its kind.
            let known = EventKind::from_type_str(type_name);
            if known != EventKind::Unknown {
                assert_eq!(event.kind(), known);
                assert_eq!(detail, Detail::empty(known));
                return;
            }
        }
        if !event.is_truncated() {
            assert_eq!(&detail, built, "detail does not read back");
        }
    }
}

fn refine(mut event: TaskEvent, refine: &Refine) -> TaskEvent {
    if let Some(m) = &refine.message {
        event = event.with_message(m);
        if !event.is_truncated() {
            assert_eq!(event.message(), m);
        }
    }
    if let Some(d) = &refine.display {
        event = event.with_display_message(d);
    }
    if let Some(f) = refine.fails_task {
        event = event.with_fails_task_set(f);
        assert_eq!(event.fails_task(), f);
    }
    event
}

fuzz_target!(|ops: Vec<Op>| {
    let mut task = TaskState::new();
    let mut model = Model::new();
    check(&task, &model);
    for op in &ops {
        match op {
            Op::Apply {
                time,
                build,
                refine: r,
            } => {
                let event = match build {
                    Build::Detail(d) => {
                        let detail = d.detail();
                        let event = TaskEvent::new(*time, detail);
                        check_event(&event, Some(&detail));
                        event
                    }
                    Build::Ctor(c) => {
                        let event = c.build(*time);
                        check_event(&event, None);
                        event
                    }
                };
                let event = refine(event, r);
                check_event(&event, None);

                let before = task.clone();
                let accepts = task.accepts(&event);
                let expected = model.apply(&event);
                match task.apply(event.clone()) {
                    Ok(step) => {
                        assert!(accepts);
                        assert_eq!(Some((step.from, step.to)), expected);
                        assert_eq!(step.changed(), step.from != step.to);
                        assert_eq!(task.events().latest(), Some(&event));
                    }
                    Err(refused) => {
                        assert!(!accepts);
                        assert_eq!(expected, None, "crate refused what the model accepts");
                        assert_eq!(task, before, "a refused event changed the task");
                        assert_eq!(refused.phase(), before.phase());
                        assert_eq!(refused.kind(), event.kind());
                        assert_eq!(refused.event(), &event);
                        assert!(!refused.to_string().is_empty());
                        assert_eq!(refused.into_event(), event);
                    }
                }
                if before.phase() == Phase::Dead {
                    assert_eq!(task.phase(), Phase::Dead, "dead was left");
                }
            }
            Op::Finish { time } => {
                let before = task.clone();
                let step = task.finish(*time);
                assert_eq!((step.from, step.to), model.finish(*time));
                assert_eq!(step.to, Phase::Dead);
                if before.phase() == Phase::Dead {
                    assert_eq!(task, before, "finish on a dead task changed it");
                    assert!(!step.changed());
                }
            }
        }
        check(&task, &model);
    }
});
