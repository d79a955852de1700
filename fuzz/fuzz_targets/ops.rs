//! `ops`: arbitrary sequences of operations on one task, checked after every step against
//! the invariants and against an independent model of `docs/transitions.md`.
//!
//! The model below is written from the contract's table, not from `src/table.rs`: one row
//! per event group, one cell per phase, and the bookkeeping rules reimplemented. The ring
//! is modelled as a `VecDeque` of the last ten accepted events.
//!
//! The same sequence also drives an `Allocation<4>` (tasks with arbitrary roles and names,
//! events by name, finish, desired status, orders), checked against a model of its own:
//! one task model per task, the client-status rule, and the kill-order rules of the
//! `allocation` module docs, reimplemented here. Serialize-and-restore ops check that the
//! task and the allocation survive postcard exactly (the allocation's sequence goes on
//! with the restored value) and JSON in everything JSON carries.
//!
//! The inputs are the crate's own types (`Detail`, `EventKind`, `Role`, the statuses,
//! `AllocIdentity`), built by the crate's feature `arbitrary` and borrowed from the fuzz
//! input; what is expected of them is not taken from the crate.

#![no_main]

use std::collections::VecDeque;

use allocstate::restart::LifecycleHook;
use allocstate::{
    AllocIdentity, Allocation, AllocationError, ApplyError, ClientStatus, DesiredStatus, Detail,
    EventKind, IdentityField, KillCause, Phase, Role, TaskEvent, TaskState, WireState,
    ALLOC_NAME_CAPACITY, CLIENT_DESCRIPTION_CAPACITY, JOB_ID_CAPACITY, MAX_EVENTS,
    TASK_GROUP_CAPACITY, UUID_CAPACITY,
};
use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;

#[path = "../common/json_carried.rs"]
mod json_carried;
use json_carried::{assert_alloc_carried, assert_state_carried, json_again};

/// The named constructors, each with its own arguments.
#[derive(Debug, Arbitrary)]
enum Ctor<'a> {
    Received,
    TaskSetup,
    DownloadingArtifacts,
    FailedArtifactDownload(&'a str),
    FailedValidation(&'a str),
    DriverFailure(&'a str),
    SetupFailure(&'a str),
    Started,
    Terminated(i32),
    TerminatedBySignal(i32, i32),
    Killing(i64),
    Killed,
    Restarting(i64, &'a str),
    NotRestarting(&'a str),
    RestartSignaled(&'a str),
    Signaling(&'a str),
    SiblingTaskFailed(&'a str),
    LeaderTaskDead,
    MainTasksDead,
    Driver(&'a str),
    OfKind(EventKind),
    FromTypeStr(&'a str),
}

impl Ctor<'_> {
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
            Ctor::OfKind(kind) => TaskEvent::of_kind(t, *kind),
            Ctor::FromTypeStr(s) => TaskEvent::from_type_str(t, s),
        }
    }
}

#[derive(Debug, Arbitrary)]
enum Build<'a> {
    Detail(Detail<'a>),
    Ctor(Ctor<'a>),
}

#[derive(Debug, Arbitrary)]
struct Refine<'a> {
    message: Option<&'a str>,
    display: Option<&'a str>,
    fails_task: Option<bool>,
}

#[derive(Debug, Arbitrary)]
enum Op<'a> {
    Apply {
        time: i64,
        build: Build<'a>,
        refine: Refine<'a>,
    },
    Finish {
        time: i64,
    },
    /// Postcard and JSON out and back in.
    SerializeRestore,
    /// One operation on the allocation.
    Alloc(AllocOp<'a>),
}

/// Task names: mostly from a small pool (so names collide and address existing tasks),
/// sometimes arbitrary (empty, over-long, unknown).
#[derive(Debug, Arbitrary)]
enum NameSel<'a> {
    Pool(u8),
    Raw(&'a str),
}

const NAMES: [&str; 6] = ["web", "db", "logger", "cleanup", "proxy", "init"];

impl<'a> NameSel<'a> {
    fn as_str(&self) -> &'a str {
        match self {
            NameSel::Pool(i) => NAMES[usize::from(*i) % NAMES.len()],
            NameSel::Raw(s) => s,
        }
    }
}

#[derive(Debug, Arbitrary)]
enum AllocOp<'a> {
    AddTask {
        name: NameSel<'a>,
        role: Role,
        kill_timeout: Option<i64>,
    },
    Apply {
        name: NameSel<'a>,
        time: i64,
        build: Build<'a>,
        refine: Refine<'a>,
    },
    Finish {
        name: NameSel<'a>,
        time: i64,
    },
    SetDesired {
        status: DesiredStatus,
        description: &'a str,
    },
    ApplyOrders {
        time: i64,
    },
    /// Postcard and JSON out and back in; the sequence goes on with the postcard value.
    SerializeRestore,
    SetServerStatus {
        status: Option<ClientStatus>,
    },
    SetClientDescription {
        text: DescriptionSel<'a>,
    },
    SetIdentity {
        identity: AllocIdentity<'a>,
    },
    /// `ModifyIndex` as a step from the current one (so it stays far from saturating),
    /// `CreateIndex` as a step back from it (negative: after it, refused).
    SetIndexes {
        modify_step: i32,
        create_back: i32,
    },
}

/// Client descriptions: Nomad's texts (which are not stored) or arbitrary ones.
#[derive(Debug, Arbitrary)]
enum DescriptionSel<'a> {
    Nomad(ClientStatus),
    Raw(&'a str),
}

impl<'a> DescriptionSel<'a> {
    fn as_str(&self) -> &'a str {
        match self {
            DescriptionSel::Nomad(status) => status.description(),
            DescriptionSel::Raw(s) => s,
        }
    }
}

/// `ID`, `EvalID`, `Name`, `NodeID`, `JobID`, `TaskGroup`, in this order.
fn identity_fields<'a>(id: &AllocIdentity<'a>) -> [&'a str; 6] {
    [
        id.id,
        id.eval_id,
        id.name,
        id.node_id,
        id.job_id,
        id.task_group,
    ]
}

/// The identity fields in [`identity_fields`] order, with their capacities.
const IDENTITY: [(IdentityField, usize); 6] = [
    (IdentityField::Id, UUID_CAPACITY),
    (IdentityField::EvalId, UUID_CAPACITY),
    (IdentityField::Name, ALLOC_NAME_CAPACITY),
    (IdentityField::NodeId, UUID_CAPACITY),
    (IdentityField::JobId, JOB_ID_CAPACITY),
    (IdentityField::TaskGroup, TASK_GROUP_CAPACITY),
];

// The task model (`Cell`, `row`, `Model`, `check`) and the allocation model (`ModelTask`,
// `AllocModel`, `check_alloc`) are written from docs/transitions.md and the `allocation`
// module docs, not from src/table.rs or the allocation's code: independent on purpose, so
// that a fault in the crate's rules is not copied into what the target expects. Only the
// inputs above are the crate's own types.

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

/// Column order of the table in `docs/transitions.md`.
const PHASES: [Phase; 5] = [
    Phase::Pending,
    Phase::Running,
    Phase::Exited,
    Phase::ShuttingDown,
    Phase::Dead,
];

/// The row of `docs/transitions.md` for `kind` (for `Received`, the row when it would be the
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
        // `EventKind` is non_exhaustive: a kind added to the crate must be added here.
        other => panic!("the model has no row for {other:?}"),
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

fn refine(mut event: TaskEvent, refine: &Refine<'_>) -> TaskEvent {
    if let Some(m) = refine.message {
        event = event.with_message(m);
        if !event.is_truncated() {
            assert_eq!(event.message(), m);
        }
    }
    if let Some(d) = refine.display {
        event = event.with_display_message(d);
    }
    if let Some(f) = refine.fails_task {
        event = event.with_fails_task_set(f);
        assert_eq!(event.fails_task(), f);
    }
    event
}

/// One task of the allocation model.
#[derive(Debug, Clone)]
struct ModelTask {
    name: String,
    role: Role,
    kill_timeout: i64,
    model: Model,
    ordered: bool,
}

impl ModelTask {
    fn poststop(&self) -> bool {
        self.role.lifecycle.hook == Some(LifecycleHook::Poststop)
    }
    fn sidecar(&self) -> bool {
        self.role.lifecycle.sidecar
            && matches!(
                self.role.lifecycle.hook,
                Some(LifecycleHook::Prestart | LifecycleHook::Poststart)
            )
    }
    fn dead(&self) -> bool {
        self.model.phase == Phase::Dead
    }
    fn live(&self) -> bool {
        !self.poststop() && !self.dead()
    }
}

/// The allocation model: the module docs' rules, reimplemented.
#[derive(Debug, Clone)]
struct AllocModel {
    tasks: Vec<ModelTask>,
    desired: DesiredStatus,
    description: String,
    index: u64,
    create_index: u64,
    server: Option<ClientStatus>,
    /// A client description set, with the status it was set with.
    reported: Option<(ClientStatus, String)>,
    identity: [String; 6],
}

impl AllocModel {
    fn new() -> Self {
        AllocModel {
            tasks: Vec::new(),
            desired: DesiredStatus::Run,
            description: String::new(),
            index: 0,
            create_index: 0,
            server: None,
            reported: None,
            identity: Default::default(),
        }
    }

    fn position(&self, name: &str) -> Option<usize> {
        self.tasks.iter().position(|t| t.name == name)
    }

    fn derived_status(&self) -> ClientStatus {
        let any = |f: &dyn Fn(&Model) -> bool| self.tasks.iter().any(|t| f(&t.model));
        if any(&|m| m.phase == Phase::Dead && m.failed) {
            ClientStatus::Failed
        } else if any(&|m| matches!(m.phase, Phase::Running | Phase::Exited)) {
            ClientStatus::Running
        } else if self.tasks.is_empty()
            || any(&|m| matches!(m.phase, Phase::Pending | Phase::ShuttingDown))
        {
            ClientStatus::Pending
        } else {
            ClientStatus::Complete
        }
    }

    /// The server-set status if any, else the derived one.
    fn status(&self) -> ClientStatus {
        self.server.unwrap_or_else(|| self.derived_status())
    }

    /// The description set, while the status it was set with lasts; else Nomad's text.
    fn shown_description(&self) -> &str {
        match &self.reported {
            Some((status, text)) if *status == self.status() => text,
            _ => self.status().description(),
        }
    }

    /// The orders due now: (task index, cause, kill timeout), in kill order.
    fn orders(&self) -> Vec<(usize, KillCause, i64)> {
        let tasks = &self.tasks;
        let cause = if tasks
            .iter()
            .any(|t| t.role.leader && !t.poststop() && t.dead() && !t.model.failed)
        {
            Some(KillCause::LeaderTaskDead)
        } else if let Some(failed) = tasks
            .iter()
            .find(|t| !t.poststop() && t.dead() && t.model.failed)
        {
            Some(KillCause::SiblingTaskFailed {
                failed: allocstate::TaskName::new(&failed.name).unwrap(),
            })
        } else if tasks.iter().any(ModelTask::sidecar)
            && tasks.iter().any(|t| t.role.lifecycle.hook.is_none())
            && tasks.iter().any(ModelTask::live)
            && tasks.iter().filter(|t| t.live()).all(ModelTask::sidecar)
        {
            Some(KillCause::MainTasksDead)
        } else if matches!(self.desired, DesiredStatus::Stop | DesiredStatus::Evict) {
            Some(KillCause::Desired(self.desired))
        } else {
            None
        };
        let Some(cause) = cause else {
            return Vec::new();
        };
        let due: Vec<usize> = (0..tasks.len())
            .filter(|&i| tasks[i].live() && !tasks[i].ordered)
            .collect();
        let mut order: Vec<usize> = Vec::new();
        order.extend(due.iter().copied().filter(|&i| tasks[i].role.leader));
        order.extend(
            due.iter()
                .copied()
                .filter(|&i| !tasks[i].role.leader && !tasks[i].sidecar()),
        );
        order.extend(
            due.iter()
                .copied()
                .filter(|&i| !tasks[i].role.leader && tasks[i].sidecar()),
        );
        order
            .into_iter()
            .map(|i| (i, cause.clone(), tasks[i].kill_timeout))
            .collect()
    }
}

/// The allocation equals its model; its orders never name a poststop or dead task.
fn check_alloc(alloc: &Allocation<4>, model: &AllocModel) {
    assert_eq!(alloc.len(), model.tasks.len());
    assert!(alloc.len() <= alloc.capacity());
    assert_eq!(alloc.modify_index(), model.index);
    assert_eq!(alloc.desired_status(), model.desired);
    assert_eq!(alloc.desired_description(), model.description);
    for (task, m) in alloc.tasks().zip(&model.tasks) {
        assert_eq!(task.name(), m.name);
        assert_eq!(task.role(), m.role);
        assert_eq!(task.kill_timeout(), m.kill_timeout);
        assert_eq!(task.kill_ordered(), m.ordered);
        check(task.state(), &m.model);
    }
    let derived = alloc.derived_client_status();
    assert_eq!(derived, ClientStatus::of(alloc.tasks().map(|t| t.state())));
    assert_eq!(derived, model.derived_status());
    assert_eq!(alloc.server_status(), model.server);
    assert_eq!(alloc.client_status(), model.status());
    assert_eq!(alloc.client_description(), model.shown_description());
    assert_eq!(alloc.create_index(), model.create_index);
    assert_eq!(
        identity_fields(&alloc.identity()),
        model.identity.each_ref().map(String::as_str)
    );

    let orders = alloc.orders();
    for order in &orders {
        let task = alloc.task_at(order.task()).expect("order names a task");
        assert!(!task.role().is_poststop(), "order names a poststop task");
        assert_ne!(task.state().phase(), Phase::Dead, "order names a dead task");
        assert!(!task.kill_ordered(), "order names a task ordered before");
    }
    let expected = model.orders();
    let got: Vec<(usize, KillCause, i64)> = orders
        .iter()
        .map(|o| (o.task(), o.cause().clone(), o.kill_timeout()))
        .collect();
    assert_eq!(got, expected, "orders differ from the model");
}

fn build_event(build: &Build<'_>, time: i64, r: &Refine<'_>) -> TaskEvent {
    let event = match build {
        Build::Detail(detail) => {
            let event = TaskEvent::new(time, *detail);
            check_event(&event, Some(detail));
            event
        }
        Build::Ctor(c) => {
            let event = c.build(time);
            check_event(&event, None);
            event
        }
    };
    let event = refine(event, r);
    check_event(&event, None);
    event
}

fn alloc_step(alloc: &mut Allocation<4>, model: &mut AllocModel, op: &AllocOp<'_>) {
    let before = alloc.clone();
    let index_before = alloc.modify_index();
    // Whether the crate refused the operation.
    let refused = match op {
        AllocOp::AddTask {
            name,
            role,
            kill_timeout,
        } => {
            let name = name.as_str();
            let role = *role;
            let result = match kill_timeout {
                Some(k) => alloc.add_task_with_kill_timeout(name, role, *k),
                None => alloc.add_task(name, role),
            };
            let expected = if name.is_empty() {
                Err(AllocationError::EmptyName)
            } else if name.len() > allocstate::TASK_NAME_CAPACITY {
                Err(AllocationError::NameTooLong { len: name.len() })
            } else if model.position(name).is_some() {
                Err(AllocationError::DuplicateTask)
            } else if model.tasks.len() == 4 {
                Err(AllocationError::Full { capacity: 4 })
            } else {
                Ok(model.tasks.len())
            };
            assert_eq!(result, expected);
            if result.is_ok() {
                model.tasks.push(ModelTask {
                    name: name.to_owned(),
                    role,
                    kill_timeout: kill_timeout.unwrap_or(allocstate::DEFAULT_KILL_TIMEOUT),
                    model: Model::new(),
                    ordered: false,
                });
                model.index += 1;
            }
            result.is_err()
        }
        AllocOp::Apply {
            name,
            time,
            build,
            refine: r,
        } => {
            let event = build_event(build, *time, r);
            let name = name.as_str();
            let result = alloc.apply(name, event.clone());
            let refused = result.is_err();
            match model.position(name) {
                None => {
                    assert!(matches!(result, Err(ApplyError::UnknownTask(ref e)) if *e == event));
                }
                Some(i) => {
                    let expected = model.tasks[i].model.apply(&event);
                    match result {
                        Ok(step) => {
                            assert_eq!(Some((step.from, step.to)), expected);
                            model.index += 1;
                        }
                        Err(err) => {
                            assert_eq!(expected, None, "allocation refused what the model accepts");
                            assert!(err.rejected().is_some());
                            assert_eq!(err.event(), &event);
                            assert!(!err.to_string().is_empty());
                        }
                    }
                }
            }
            refused
        }
        AllocOp::Finish { name, time } => {
            let name = name.as_str();
            let result = alloc.finish(name, *time);
            match model.position(name) {
                None => assert_eq!(result, Err(AllocationError::UnknownTask)),
                Some(i) => {
                    let (from, to) = model.tasks[i].model.finish(*time);
                    let step = result.expect("finish on a known task");
                    assert_eq!((step.from, step.to), (from, to));
                    if from != to {
                        model.index += 1;
                    }
                }
            }
            result.is_err()
        }
        AllocOp::SetDesired {
            status,
            description,
        } => {
            let status = *status;
            let result = alloc.set_desired(status, description);
            if description.len() > allocstate::DESIRED_DESCRIPTION_CAPACITY {
                assert_eq!(
                    result,
                    Err(AllocationError::DescriptionTooLong {
                        len: description.len()
                    })
                );
            } else {
                let changed = status != model.desired || *description != model.description;
                assert_eq!(result, Ok(changed));
                if changed {
                    model.desired = status;
                    model.description = (*description).to_owned();
                    model.index += 1;
                }
            }
            result.is_err()
        }
        AllocOp::ApplyOrders { time } => {
            let due = model.orders();
            let applied = alloc.apply_orders(*time);
            let got: Vec<(usize, KillCause, i64)> = applied
                .iter()
                .map(|o| (o.task(), o.cause().clone(), o.kill_timeout()))
                .collect();
            // Every due order is applicable: a live task accepts its reason and Killing.
            assert_eq!(got, due, "applied orders differ from the model");
            for (i, cause, timeout) in &due {
                let task = &mut model.tasks[*i];
                if let Some(reason) = cause.reason_event(*time) {
                    assert!(task.model.apply(&reason).is_some(), "reason refused");
                    model.index += 1;
                }
                let killing = TaskEvent::killing(*time, *timeout);
                assert!(task.model.apply(&killing).is_some(), "Killing refused");
                model.index += 1;
                task.ordered = true;
                let state = alloc.task_at(*i).unwrap().state();
                assert_eq!(
                    state.events().latest().map(|e| e.kind()),
                    Some(EventKind::Killing)
                );
            }
            if !applied.is_empty() {
                assert!(alloc
                    .orders()
                    .iter()
                    .all(|o| !due.iter().any(|d| d.0 == o.task())));
            }
            false
        }
        AllocOp::SerializeRestore => {
            // Restoring changes nothing, so the model stays as it is.
            alloc_serialize_restore(alloc);
            false
        }
        AllocOp::SetServerStatus { status } => {
            let status = *status;
            let result = alloc.set_server_status(status);
            match status {
                Some(s) if !matches!(s, ClientStatus::Lost | ClientStatus::Unknown) => {
                    assert_eq!(result, Err(AllocationError::NotServerStatus { status: s }));
                }
                _ => {
                    let changed = status != model.server;
                    assert_eq!(result, Ok(changed));
                    if changed {
                        model.server = status;
                        model.index += 1;
                    }
                }
            }
            result.is_err()
        }
        AllocOp::SetClientDescription { text } => {
            let text = text.as_str();
            let result = alloc.set_client_description(text);
            if text.len() > CLIENT_DESCRIPTION_CAPACITY {
                assert_eq!(
                    result,
                    Err(AllocationError::ClientDescriptionTooLong { len: text.len() })
                );
            } else {
                let changed = text != model.shown_description();
                assert_eq!(result, Ok(changed));
                if changed {
                    let status = model.status();
                    model.reported =
                        (text != status.description()).then(|| (status, text.to_owned()));
                    model.index += 1;
                }
            }
            result.is_err()
        }
        AllocOp::SetIdentity { identity } => {
            let result = alloc.set_identity(*identity);
            let fields = identity_fields(identity);
            let too_long = IDENTITY
                .iter()
                .zip(fields)
                .find(|((_, capacity), value)| value.len() > *capacity);
            match too_long {
                Some(((field, _), value)) => assert_eq!(
                    result,
                    Err(AllocationError::IdentityTooLong {
                        field: *field,
                        len: value.len()
                    })
                ),
                None => {
                    let changed = fields != model.identity;
                    assert_eq!(result, Ok(changed));
                    if changed {
                        model.identity = fields.map(str::to_owned);
                        model.index += 1;
                    }
                }
            }
            result.is_err()
        }
        AllocOp::SetIndexes {
            modify_step,
            create_back,
        } => {
            let modify = model.index.saturating_add_signed(i64::from(*modify_step));
            let create = modify.saturating_add_signed(-i64::from(*create_back));
            let result = alloc.set_indexes(create, modify);
            if create > modify || modify < model.index {
                assert_eq!(
                    result,
                    Err(AllocationError::InvalidIndexes {
                        create_index: create,
                        modify_index: modify
                    })
                );
            } else {
                assert_eq!(result, Ok(()));
                model.create_index = create;
                model.index = modify;
            }
            result.is_err()
        }
    };
    // A description set for a status no longer current is dropped: every status change
    // is a change that moves the index.
    if model
        .reported
        .as_ref()
        .is_some_and(|(status, _)| *status != model.status())
    {
        model.reported = None;
    }
    if refused {
        assert_eq!(*alloc, before, "a refused operation changed the allocation");
        assert_eq!(alloc.modify_index(), index_before);
    } else if matches!(op, AllocOp::SetIndexes { .. }) {
        // Adopting the servers' indexes is not itself a change (the model checks them).
    } else if *alloc != before {
        assert!(
            alloc.modify_index() > index_before,
            "a change left the index"
        );
    } else {
        assert_eq!(alloc.modify_index(), index_before);
    }
    assert!(
        alloc.modify_index() >= index_before,
        "modify index decreased"
    );
    // A dead task is never left.
    for (now, was) in alloc.tasks().zip(before.tasks()) {
        if was.state().phase() == Phase::Dead {
            assert_eq!(now.state().phase(), Phase::Dead, "dead was left");
        }
    }
    check_alloc(alloc, model);
}

/// Postcard gives the task back exactly; JSON gives back everything it carries
/// ([`assert_state_carried`]) and is a fixed point.
fn serialize_restore(task: &TaskState) {
    let mut buf = [0u8; TaskState::POSTCARD_MAX_SIZE];
    let bytes = task
        .to_postcard(&mut buf)
        .expect("POSTCARD_MAX_SIZE suffices");
    let back = TaskState::from_postcard(bytes).expect("own postcard refused");
    assert_eq!(&back, task, "postcard round trip differs");

    let (back, json) = json_again(task);
    assert_state_carried(&back, task, &json);
}

/// Postcard gives the allocation back exactly, and the sequence goes on with the restored
/// value. JSON gives back what it carries ([`assert_alloc_carried`]) and is a fixed
/// point; its value is not kept, since JSON drops roles, kill timeouts and kill orders.
fn alloc_serialize_restore(alloc: &mut Allocation<4>) {
    let mut buf = [0u8; Allocation::<4>::POSTCARD_MAX_SIZE];
    let bytes = alloc
        .to_postcard(&mut buf)
        .expect("POSTCARD_MAX_SIZE suffices");
    let back = Allocation::<4>::from_postcard(bytes).expect("own postcard refused");
    assert_eq!(&back, alloc, "postcard round trip differs");
    *alloc = back;

    let (back, json) = json_again(&*alloc);
    assert_alloc_carried(&back, alloc, &json);
}

fuzz_target!(|ops: Vec<Op<'_>>| {
    let mut task = TaskState::new();
    let mut model = Model::new();
    check(&task, &model);
    let mut alloc: Allocation<4> = Allocation::new();
    let mut alloc_model = AllocModel::new();
    check_alloc(&alloc, &alloc_model);
    for op in &ops {
        match op {
            Op::Apply {
                time,
                build,
                refine: r,
            } => {
                let event = build_event(build, *time, r);

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
            Op::SerializeRestore => serialize_restore(&task),
            Op::Alloc(op) => alloc_step(&mut alloc, &mut alloc_model, op),
        }
        check(&task, &model);
    }
});
