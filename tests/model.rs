//! Model test: random operation sequences go through the crate and through a small
//! independent model of the contract written here; after every step they must agree on
//! the phase, the counters, the bookkeeping and the ring.
//!
//! The model restates the contract's per-kind facts on purpose: it is written from
//! `docs/transitions.md`, independent of the crate's per-kind table (`src/kind.rs`) and
//! transition table (`src/table.rs`), so that a mistake in one is not copied into the
//! other. Do not derive it from them.

use std::collections::VecDeque;

use allocstate::{EventKind, Phase, TaskEvent, TaskState};
use proptest::prelude::*;

/// The contract, restated as rules over kind names rather than as a table.
#[derive(Debug, Clone, Default)]
struct Model {
    dead: bool,
    /// `None` = dead; otherwise the live phase.
    phase: Option<Phase>,
    failed: bool,
    restarts: u64,
    last_restart: Option<i64>,
    started_at: Option<i64>,
    finished_at: Option<i64>,
    count: u64,
    ring: VecDeque<TaskEvent>,
}

const PREPARING: [&str; 6] = [
    "Task Setup",
    "Downloading Artifacts",
    "Failed Artifact Download",
    "Failed Validation",
    "Driver Failure",
    "Setup Failure",
];
const GROUP: [&str; 4] = [
    "Sibling Task Failed",
    "Leader Task Dead",
    "Main Tasks Dead",
    "Task hook failed",
];
const STATEFUL: [&str; 14] = [
    "Received",
    "Started",
    "Terminated",
    "Killing",
    "Killed",
    "Restarting",
    "Not Restarting",
    "Restart Signaled",
    "Signaling",
    "Failed Restoring Task",
    "Waiting for shutdown delay",
    "Skipping shutdown delay",
    "Task Setup",
    "Setup Failure",
];

impl Model {
    fn new() -> Self {
        Model {
            phase: Some(Phase::Pending),
            ..Model::default()
        }
    }

    /// The next phase, `Some(None)` meaning dead; `None` if refused.
    fn next(&self, kind: &str) -> Option<Option<Phase>> {
        use Phase::*;
        let Some(p) = self.phase else {
            // Dead: only annotations (anything outside the stateful and group sets).
            let annotation =
                !STATEFUL.contains(&kind) && !PREPARING.contains(&kind) && !GROUP.contains(&kind);
            return annotation.then_some(None);
        };
        let live = Some(Some(p));
        match kind {
            "Received" => (p == Pending && self.count == 0).then_some(live?),
            k if PREPARING.contains(&k) => (p == Pending).then_some(live?),
            "Started" => (p == Pending).then_some(Some(Running)),
            "Terminated" => match p {
                Running => Some(Some(Exited)),
                ShuttingDown => live,
                _ => None,
            },
            "Killing" => live,
            k if GROUP.contains(&k) => live,
            "Killed" => Some(None),
            "Restarting" => matches!(p, Pending | Exited).then_some(Some(Pending)),
            "Not Restarting" => matches!(p, Pending | Exited).then_some(None),
            "Restart Signaled" | "Signaling" => (p == Running).then_some(live?),
            "Failed Restoring Task" => matches!(p, Pending | Running).then_some(Some(Pending)),
            "Waiting for shutdown delay" | "Skipping shutdown delay" => {
                (p == Running).then_some(Some(ShuttingDown))
            }
            _ => live,
        }
    }

    fn apply(&mut self, event: &TaskEvent) -> bool {
        let Some(next) = self.next(event.type_str()) else {
            return false;
        };
        let kind = event.type_str();
        if event.fails_task() || kind == "Not Restarting" || kind == "Setup Failure" {
            self.failed = true;
        }
        if kind == "Restarting" {
            self.restarts += 1;
            self.last_restart = Some(event.time());
        }
        if kind == "Started" {
            self.started_at = Some(event.time());
        }
        self.enter(next, event.time());
        self.count += 1;
        self.ring.push_back(event.clone());
        if self.ring.len() > 10 {
            self.ring.pop_front();
        }
        true
    }

    fn enter(&mut self, next: Option<Phase>, time: i64) {
        if next.is_none() && !self.dead {
            self.dead = true;
            self.finished_at = Some(time);
        }
        self.phase = next;
    }

    fn finish(&mut self, time: i64) {
        self.enter(None, time);
    }

    fn check(&self, task: &TaskState) {
        assert_eq!(task.phase(), self.phase.unwrap_or(Phase::Dead));
        assert_eq!(task.failed(), self.failed);
        assert_eq!(task.restarts(), self.restarts);
        assert_eq!(task.last_restart(), self.last_restart);
        assert_eq!(task.started_at(), self.started_at);
        assert_eq!(task.finished_at(), self.finished_at);
        assert_eq!(task.event_count(), self.count);
        assert_eq!(task.events().evicted(), self.count - self.ring.len() as u64);
        assert!(task.events().len() <= 10);
        assert!(task.events().iter().eq(self.ring.iter()));
    }
}

#[derive(Debug, Clone)]
enum Op {
    Event { kind: usize, time: i64, fails: bool },
    Finish { time: i64 },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        12 => (0..EventKind::ALL.len(), any::<i64>(), prop::bool::weighted(0.1))
            .prop_map(|(kind, time, fails)| Op::Event { kind, time, fails }),
        // Favour the lifecycle's spine so deep phases are reached often.
        6 => (prop::sample::select(vec![
                EventKind::Started, EventKind::Terminated, EventKind::Restarting,
                EventKind::Killing, EventKind::WaitingForShutdownDelay,
            ]), any::<i64>())
            .prop_map(|(k, time)| Op::Event { kind: k.code() as usize, time, fails: false }),
        1 => any::<i64>().prop_map(|time| Op::Finish { time }),
    ]
}

fn event_for(kind: usize, time: i64, fails: bool) -> TaskEvent {
    let kind = EventKind::ALL
        .get(kind)
        .copied()
        .unwrap_or(EventKind::Unknown);
    let event = match kind {
        EventKind::Unknown => TaskEvent::from_type_str(time, "Some Future Type"),
        known => TaskEvent::of_kind(time, known),
    };
    event.with_fails_task_set(fails)
}

proptest! {
    // 512 cases unless PROPTEST_CASES says otherwise (Miri runs a handful).
    #![proptest_config(ProptestConfig::with_cases(
        std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(512)
    ))]

    #[test]
    fn crate_agrees_with_the_model(ops in prop::collection::vec(op(), 0..80)) {
        let mut task = TaskState::new();
        let mut model = Model::new();
        for op in ops {
            match op {
                Op::Event { kind, time, fails } => {
                    let event = event_for(kind, time, fails);
                    let before = task.clone();
                    let accepted = model.apply(&event);
                    match task.apply(event.clone()) {
                        Ok(_) => prop_assert!(accepted, "crate accepted {event:?}"),
                        Err(refused) => {
                            prop_assert!(!accepted, "crate refused {event:?}");
                            prop_assert_eq!(&task, &before);
                            prop_assert_eq!(refused.into_event(), event);
                        }
                    }
                }
                Op::Finish { time } => {
                    task.finish(time);
                    model.finish(time);
                }
            }
            model.check(&task);
        }
    }
}
