//! The runner through the flash journal: a day of a `Runner<8>` whose eight tasks crash
//! every 30–150 s and are restarted by their policy, every accepted input committed, a
//! snapshot every `K` inputs; the power is cut (the flash reread into a fresh runner)
//! every few hours. It prints the flash bytes written per input and checks that each
//! recovery is exactly (`==`) the runner never interrupted: its task histories and
//! client status, `Runner::persist`'s bytes, restart trackers and timers. The other
//! tests recover after every kind of input, and show the agent restart a runtime does
//! after a real reboot (docs/journal.md, "After a real reboot").
//!
//! ```text
//! cargo test --release --features journal-flash --test journal_runner -- --nocapture
//! ```

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use allocstate::journal::flash::FlashJournal;
use allocstate::journal::runner::{Input, RecoveryGlue, RunnerRecovery, RunnerSnapshot, What};
use allocstate::restart::{JobType, RestartMode, RestartPolicy};
use allocstate::runner::{Action, Exit, GroupSpec, Now, Runner, Step, TaskId, TaskSpec};
use allocstate::Role;
use futures::executor::block_on;
use sequential_storage::mock_flash::{MockFlashBase, WriteCountCheck};

/// 16 pages of 4 KiB, 4-byte words.
type Flash = MockFlashBase<16, 4, 1024>;

const T0: i64 = 1_700_000_000_000_000_000;
const SEC: i64 = 1_000_000_000;
/// Wall clock minus monotonic clock.
const WALL_OFFSET: i64 = 1_000 * SEC;
/// Inputs between snapshots.
const K: u32 = 256;
const SNAPSHOT_MAX: usize = RunnerSnapshot::max_size::<8>();

/// 3 attempts in 5 min, 5 s apart, then wait out the interval.
fn three_attempts() -> RestartPolicy {
    RestartPolicy {
        attempts: 3,
        interval: 300 * SEC,
        delay: 5 * SEC,
        mode: RestartMode::Delay,
    }
}

/// A service group of tasks `a` and `b` (3 attempts each), arrived at `now`.
fn a_and_b(now: Now) -> (Box<Runner<4>>, TaskId, TaskId) {
    let mut runner: Box<Runner<4>> = Box::new(Runner::new(GroupSpec::new(JobType::Service)));
    let a = runner
        .add_task(&TaskSpec::new("a", Role::main(), three_attempts()))
        .unwrap();
    let b = runner
        .add_task(&TaskSpec::new("b", Role::main(), three_attempts()))
        .unwrap();
    let _ = runner.arrive(now).unwrap();
    (runner, a, b)
}

fn group() -> Box<Runner<8>> {
    Box::new(Runner::new(GroupSpec::new(JobType::Service)))
}

fn tasks(runner: &mut Runner<8>) {
    let policy = RestartPolicy {
        attempts: 10,
        interval: 300 * SEC,
        delay: 25 * SEC,
        mode: RestartMode::Delay,
    };
    for name in ["t0", "t1", "t2", "t3", "t4", "t5", "t6", "t7"] {
        runner
            .add_task(&TaskSpec::new(name, Role::main(), policy))
            .unwrap();
    }
}

struct Rig {
    journal: FlashJournal<Flash>,
    runner: Box<Runner<8>>,
    snapshot: Vec<u8>,
    buf: Vec<u8>,
    /// The latest snapshot.
    last_snapshot: Vec<u8>,
    /// The time of the latest entry or snapshot (entries store the step from it).
    last: Now,
    inputs: u64,
    entries: u64,
    entry_bytes: u64,
    same_history: u32,
    /// Recoveries whose runner persists to the uninterrupted runner's bytes.
    same_bytes: u32,
    /// Recoveries whose runner equals (`==`) the uninterrupted runner.
    same_state: u32,
    recovery_time: std::time::Duration,
    replayed: u32,
}

impl Rig {
    /// Applies `input`; if the runner accepts it, commits it (a snapshot every K).
    fn input(&mut self, input: Input<'_>) -> Option<Step<8>> {
        let step = input.apply(&mut self.runner).ok()?;
        self.inputs += 1;
        if self.journal.entries() + 1 >= K {
            let snap = RunnerSnapshot::write(&self.runner, input.now, &mut self.snapshot).unwrap();
            self.last_snapshot = snap.to_vec();
            block_on(self.journal.snapshot(snap, &mut self.buf)).unwrap();
        } else {
            let mut entry = [0u8; 128];
            let bytes = input.encode(self.last, &mut entry).unwrap();
            self.entries += 1;
            self.entry_bytes += bytes.len() as u64;
            block_on(self.journal.append(bytes, &mut self.buf)).unwrap();
        }
        self.last = input.now;
        Some(step)
    }

    /// Power cut: a fresh runner recovered from the flash.
    fn reboot(&mut self) {
        let flash = std::mem::replace(
            &mut self.journal,
            FlashJournal::new(Flash::default(), Flash::FULL_FLASH_RANGE).unwrap(),
        )
        .into_flash();
        let mut journal = FlashJournal::new(flash, Flash::FULL_FLASH_RANGE).unwrap();
        let mut runner = group();
        let started = std::time::Instant::now();
        let mut glue = RecoveryGlue::new(&mut runner, &mut self.snapshot);
        block_on(journal.recover(&mut self.buf, |piece| glue.piece(piece))).unwrap();
        let recovery = glue.finish().unwrap();
        self.recovery_time = self.recovery_time.max(started.elapsed());
        self.replayed = self.replayed.max(recovery.applied + recovery.refused);
        assert!(recovery.restored);
        assert_eq!(
            recovery.since, self.last,
            "recovery gives the next entry's base"
        );
        let mut a = vec![0u8; SNAPSHOT_MAX];
        if *runner == *self.runner {
            self.same_state += 1;
        }
        // Against the uninterrupted runner: the same task histories (the events each task
        // recorded and their order), and the same client status.
        let history = |runner: &Runner<8>| {
            runner
                .allocation()
                .tasks()
                .map(|task| format!("{:?}", task.state().events().iter().collect::<Vec<_>>()))
                .collect::<Vec<_>>()
        };
        let mut c = vec![0u8; SNAPSHOT_MAX];
        if runner.persist(&mut a).unwrap() == self.runner.persist(&mut c).unwrap() {
            self.same_bytes += 1;
        }
        if history(&runner) == history(&self.runner)
            && runner.allocation().client_status() == self.runner.allocation().client_status()
        {
            self.same_history += 1;
        }
        self.journal = journal;
        self.runner = runner;
    }
}

#[test]
fn a_day_of_crash_loops_costs_at_most_64_flash_bytes_per_input() {
    let mut runner = group();
    tasks(&mut runner);
    let mut rig = Rig {
        journal: FlashJournal::new(
            Flash::new(WriteCountCheck::Twice, None, false),
            Flash::FULL_FLASH_RANGE,
        )
        .unwrap(),
        runner,
        snapshot: vec![0u8; SNAPSHOT_MAX],
        buf: vec![0u8; 4096],
        last_snapshot: Vec::new(),
        last: Now::from(T0),
        inputs: 0,
        entries: 0,
        entry_bytes: 0,
        same_history: 0,
        same_bytes: 0,
        same_state: 0,
        recovery_time: std::time::Duration::ZERO,
        replayed: 0,
    };
    // Before it arrives the group is the runtime's to rebuild from its job: nothing to
    // snapshot (a restore always yields an arrived runner).
    assert!(RunnerSnapshot::write(&rig.runner, T0, &mut rig.snapshot).is_err());
    // The first snapshot is taken as soon as the allocation arrives.
    let mut agenda: BinaryHeap<Reverse<(i64, usize)>> = BinaryHeap::new();
    let arrived = rig.runner.arrive(Now::new(T0 + WALL_OFFSET, T0)).unwrap();
    let starts: Vec<usize> = arrived.commands.iter().map(|c| c.task.index()).collect();
    let snap = RunnerSnapshot::write(
        &rig.runner,
        Now::new(T0 + WALL_OFFSET, T0),
        &mut rig.snapshot,
    )
    .unwrap();
    rig.last_snapshot = snap.to_vec();
    rig.last = Now::new(T0 + WALL_OFFSET, T0);
    block_on(rig.journal.snapshot(snap, &mut rig.buf)).unwrap();

    let mut lcg: u64 = 42;
    let mut run_time = || {
        lcg = lcg
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        30 * SEC + ((lcg >> 33) % 120) as i64 * SEC
    };
    // The wall clock runs a fixed offset from the monotonic one (an origin at boot).
    let at = |mono: i64| Now::new(mono + WALL_OFFSET, mono);
    // (time, task or MAX for a wake-up): each task told to start at arrival starts.
    for task in starts {
        let id = rig.runner.task_at(task).unwrap();
        assert!(rig
            .input(Input::new(at(T0), What::Started { task: id }))
            .is_some());
        agenda.push(Reverse((T0 + run_time(), task)));
    }
    let mut scheduled: Option<i64> = None;
    let end = T0 + 24 * 3_600 * SEC;
    let reboot_every = 3 * 3_600 * SEC;
    let mut next_reboot = T0 + reboot_every;
    let mut reboots = 0;
    while let Some(Reverse((now, what))) = agenda.pop() {
        if now > end {
            break;
        }
        if now >= next_reboot {
            rig.reboot();
            reboots += 1;
            next_reboot += reboot_every;
        }
        let input = match what {
            usize::MAX => Input::new(at(now), What::Tick),
            task => Input::new(
                at(now),
                What::Exited {
                    task: rig.runner.task_at(task).unwrap(),
                    exit: Exit::code(1),
                },
            ),
        };
        if what == usize::MAX {
            scheduled = None;
        }
        let Some(step) = rig.input(input) else {
            continue;
        };
        let starts: Vec<_> = step
            .commands
            .iter()
            .filter(|c| c.action == Action::Start)
            .map(|c| c.task)
            .collect();
        for task in starts {
            if rig
                .input(Input::new(at(now), What::Started { task }))
                .is_some()
            {
                agenda.push(Reverse((now + run_time(), task.index())));
            }
        }
        if let Some(wake) = rig.runner.next_wake() {
            if scheduled.is_none_or(|s| wake < s) {
                scheduled = Some(wake);
                agenda.push(Reverse((wake, usize::MAX)));
            }
        }
    }
    eprintln!(
        "journal: last snapshot {} bytes; an entry {} bytes of input on average",
        rig.last_snapshot.len(),
        rig.entry_bytes / rig.entries.max(1),
    );
    let stats = Flash::default()
        .stats_snapshot()
        .compare_to(rig.journal.into_flash().stats_snapshot());
    let per_input = stats.bytes_written as f64 / rig.inputs as f64;
    eprintln!(
        "journal: {} inputs in a simulated day, {} reboots; flash {} bytes written ({:.1} per input), {} page erases ({:.4} per input)",
        rig.inputs,
        reboots,
        stats.bytes_written,
        per_input,
        stats.erases,
        stats.erases as f64 / rig.inputs as f64,
    );
    assert!(rig.inputs > 10_000, "{} inputs", rig.inputs);
    assert!(reboots >= 7);
    eprintln!(
        "journal: {} of {reboots} recoveries have the uninterrupted runner's task histories",
        rig.same_history
    );
    assert_eq!(rig.same_history, reboots);
    eprintln!(
        "journal: {} of {reboots} recoveries persist to the uninterrupted runner's bytes",
        rig.same_bytes
    );
    assert_eq!(rig.same_bytes, reboots);
    eprintln!(
        "journal: {} of {reboots} recoveries are the uninterrupted runner (==: trackers, timers, jitter)",
        rig.same_state
    );
    assert_eq!(rig.same_state, reboots);
    eprintln!(
        "journal: the longest recovery (16 pages read twice, the image read, {} inputs replayed) took {:?} on this host",
        rig.replayed, rig.recovery_time
    );
    assert!(per_input <= 64.0, "{per_input:.1} bytes per input");
}

/// Every kind of input, journaled after a snapshot and recovered after each one: the
/// recovered runner is the runner that was never interrupted (`==`, and the same
/// persisted bytes), and each entry decodes to the input it was written from.
#[test]
fn every_input_recovers_to_the_uninterrupted_runner_byte_for_byte() {
    use allocstate::allocation::DesiredStatus;
    use allocstate::runner::{PrestartStep, RestartTarget};
    let policy = three_attempts();
    let mut live: Box<Runner<4>> = Box::new(Runner::new(GroupSpec::new(JobType::Service)));
    let ids: Vec<_> = ["a", "b", "c"]
        .iter()
        .map(|name| {
            live.add_task(&TaskSpec::new(name, Role::main(), policy))
                .unwrap()
        })
        .collect();
    let (a, b, c) = (ids[0], ids[1], ids[2]);
    // Inputs a quarter second apart (restart delays are 5 s and more).
    let at = |q: i64| Now::new(T0 + WALL_OFFSET + q * SEC / 4, T0 + q * SEC / 4);
    let _ = live.arrive(at(0)).unwrap();
    let snap = image4(&live, at(0));
    let mut since = at(0);
    let mut entries: Vec<Vec<u8>> = Vec::new();
    let mut check = |live: &mut Runner<4>, input: Input<'_>| {
        let step = input.apply(live).expect("the script's inputs are accepted");
        let mut buf = [0u8; 128];
        let bytes = input.encode(since, &mut buf).unwrap();
        assert_eq!(Input::decode(bytes, since).unwrap(), input);
        since = input.now;
        entries.push(bytes.to_vec());
        let (fresh, recovery) = recover4_each(&snap, &entries);
        assert_eq!((recovery.refused, recovery.since), (0, since));
        assert!(*fresh == *live, "recovered after {:?}", input.what);
        let (mut x, mut y) = (vec![0u8; 4096], vec![0u8; 4096]);
        assert_eq!(
            fresh.persist(&mut x).unwrap(),
            live.persist(&mut y).unwrap(),
            "recovered after {:?}",
            input.what
        );
        step
    };
    let steps = [
        What::Prestart {
            task: a,
            step: PrestartStep::TaskDirBuilt,
        },
        What::Prestart {
            task: a,
            step: PrestartStep::HookFailed {
                message: "vault: no token",
                recoverable: true,
            },
        },
        What::Started { task: b },
        What::SetHandle {
            task: b,
            handle: b"pid 42 start 7",
        },
        What::StartFailed {
            task: c,
            error: "image not found",
            recoverable: true,
        },
        What::Signal {
            task: b,
            signal: Some("SIGHUP"),
        },
        What::Signal {
            task: b,
            signal: None,
        },
        What::Reconnected,
        What::Restart {
            target: RestartTarget::Task(b),
            failure: false,
        },
        What::Exited {
            task: b,
            exit: Exit::signal(143, 15),
        },
        What::Started { task: b },
    ];
    for (now, what) in (1..).zip(steps) {
        let _ = check(&mut live, Input::new(at(now), what));
    }
    // The restart delays of a and c end: a tick at each, and both are told to start.
    let (mut starts, mut wake) = (0, 0);
    while starts < 2 {
        wake = live.next_wake().unwrap();
        let woke = check(
            &mut live,
            Input::new(Now::new(wake + WALL_OFFSET, wake), What::Tick),
        );
        starts += woke
            .commands
            .iter()
            .filter(|c| c.action == Action::Start)
            .count();
    }
    let now = (wake - T0) * 4 / SEC + 1;
    let _ = check(&mut live, Input::new(at(now), What::Started { task: a }));
    let _ = check(
        &mut live,
        Input::new(
            at(now + 1),
            What::Stop {
                status: DesiredStatus::Evict,
                description: "preempted",
                no_shutdown_delay: true,
            },
        ),
    );
    // c was told to start when the stop came: the driver never started it.
    let _ = check(
        &mut live,
        Input::new(at(now + 2), What::StartCancelled { task: c }),
    );
    let _ = check(
        &mut live,
        Input::new(
            at(now + 3),
            What::KillFailed {
                task: a,
                error: "process survived SIGKILL",
            },
        ),
    );
    let _ = check(
        &mut live,
        Input::new(
            at(now + 4),
            What::Exited {
                task: b,
                exit: Exit::signal(137, 9),
            },
        ),
    );
    assert!(live.is_finished(), "the script ends with every task dead");
}

/// A snapshot taken while a task waits for the servers (its reattach failed at a real
/// restore) recovers that task waiting, byte for byte with the uninterrupted runner, and
/// the `servers_contacted` entry after it applies.
#[test]
fn a_snapshot_while_a_task_waits_for_the_servers_recovers_it_waiting() {
    use allocstate::runner::Place;
    let at = |q: i64| Now::new(T0 + WALL_OFFSET + q * SEC / 4, T0 + q * SEC / 4);
    let (mut before, a, b) = a_and_b(at(0));
    let _ = before.started(at(1), a).unwrap();
    let _ = before.started(at(2), b).unwrap();
    // The agent restarts: a's driver has its process, b's does not.
    let mut buf = vec![0u8; Runner::<4>::POSTCARD_MAX_SIZE];
    let persisted = before.persist(&mut buf).unwrap().to_vec();
    let mut live: Box<Runner<4>> = Box::new(Runner::new(GroupSpec::new(JobType::Service)));
    let _ = live
        .restore(at(3), &persisted, None, |id, _| id == a)
        .unwrap();
    assert_eq!(live.place(b), Some(Place::AwaitingServers));
    let snap = image4(&live, at(3));
    let mut since = at(3);
    let mut entries: Vec<Vec<u8>> = Vec::new();
    let mut check = |live: &mut Runner<4>, input: Option<Input<'_>>| {
        let step = input.map(|input| {
            let step = input.apply(live).expect("the script's inputs are accepted");
            let mut buf = [0u8; 128];
            entries.push(input.encode(since, &mut buf).unwrap().to_vec());
            since = input.now;
            step
        });
        let (fresh, recovery) = recover4_each(&snap, &entries);
        assert_eq!((recovery.refused, recovery.since), (0, since));
        assert_eq!(fresh.place(b), live.place(b));
        assert!(*fresh == *live);
        let (mut x, mut y) = (vec![0u8; 4096], vec![0u8; 4096]);
        assert_eq!(
            fresh.persist(&mut x).unwrap(),
            live.persist(&mut y).unwrap(),
            "recovered after {:?}",
            input.map(|i| i.what)
        );
        step
    };
    // Recovered from the snapshot alone: b still waits, with no start.
    let _ = check(&mut live, None);
    let _ = check(&mut live, Some(Input::new(at(4), What::Reconnected)));
    let step = check(&mut live, Some(Input::new(at(5), What::ServersContacted))).unwrap();
    assert_eq!(step.commands.len(), 1);
    assert_eq!(step.commands[0].task, b);
    assert_eq!(step.commands[0].action, Action::Start);
    let _ = check(
        &mut live,
        Some(Input::new(at(6), What::Started { task: b })),
    );
    assert_eq!(live.place(b), Some(Place::Running));
}

/// An input earlier than the entry before it, and bytes that are not an input, are typed
/// errors; a wall-clock step survives the entry.
#[test]
fn entries_refuse_a_clock_going_back_and_bytes_that_are_not_an_input() {
    use allocstate::journal::JournalError;
    let since = Now::new(5_000, 2_000);
    let mut buf = [0u8; 64];
    let back = Input::new(Now::new(6_000, 1_999), What::Tick);
    assert_eq!(
        back.encode(since, &mut buf),
        Err(JournalError::ClockWentBack {
            last: 2_000,
            now: 1_999
        })
    );
    // The wall clock stepped back an hour while the monotonic one moved 1 s.
    let stepped = Input::new(
        Now::new(5_000 - 3_600 * SEC, 2_000 + SEC),
        What::Reconnected,
    );
    let bytes = stepped.encode(since, &mut buf).unwrap().to_vec();
    assert_eq!(Input::decode(&bytes, since), Ok(stepped));
    // Not an input: an unknown variant, a truncated entry, no bytes.
    assert_eq!(
        Input::decode(&[0, 0, 200], since),
        Err(JournalError::BadEntry)
    );
    assert_eq!(
        Input::decode(&bytes[..bytes.len() - 1], since),
        Err(JournalError::BadEntry)
    );
    assert_eq!(Input::decode(&[], since), Err(JournalError::BadEntry));
    let mut small = [0u8; 4];
    let long = Input::new(
        since,
        What::SetupFailed {
            error: "no space left on device",
        },
    );
    assert!(matches!(
        long.encode(since, &mut small),
        Err(JournalError::BufferTooSmall { .. })
    ));
}

/// The snapshot of a runner of 4 tasks at `now` (its exact image).
fn image4(live: &Runner<4>, now: Now) -> Vec<u8> {
    let mut buf = vec![0u8; RunnerSnapshot::max_size::<4>()];
    RunnerSnapshot::write(live, now, &mut buf).unwrap().to_vec()
}

/// Recovers `snap` and `entries` into a fresh runner of 4 tasks, every piece and the
/// recovery accepted (panics otherwise); with the recovery's figures.
fn recover4_each(snap: &[u8], entries: &[Vec<u8>]) -> (Box<Runner<4>>, RunnerRecovery) {
    use allocstate::journal::Piece;
    let mut fresh: Box<Runner<4>> = Box::new(Runner::new(GroupSpec::new(JobType::Service)));
    let mut gather = vec![0u8; RunnerSnapshot::max_size::<4>()];
    let mut glue = RecoveryGlue::new(&mut fresh, &mut gather);
    glue.piece(Piece::Chunk {
        offset: 0,
        bytes: snap,
    })
    .unwrap();
    for entry in entries {
        glue.piece(Piece::Entry(entry)).unwrap();
    }
    let recovery = glue.finish().unwrap();
    (fresh, recovery)
}

/// Recovers `snap` and `entries` into a fresh runner of 4 tasks, a refused piece left
/// for `finish` to report (the refusal tests feed such pieces).
fn recover4(
    snap: &[u8],
    entries: &[Vec<u8>],
) -> Result<Box<Runner<4>>, allocstate::journal::runner::RecoveryError> {
    use allocstate::journal::Piece;
    let mut fresh: Box<Runner<4>> = Box::new(Runner::new(GroupSpec::new(JobType::Service)));
    let mut gather = vec![0u8; RunnerSnapshot::max_size::<4>()];
    let mut glue = RecoveryGlue::new(&mut fresh, &mut gather);
    let _ = glue.piece(Piece::Chunk {
        offset: 0,
        bytes: snap,
    });
    for entry in entries {
        let _ = glue.piece(Piece::Entry(entry));
    }
    glue.finish()?;
    Ok(fresh)
}

/// The case Nomad's restore rules got wrong in a journal: a task at its last restart
/// attempt. The snapshot carries its restart tracker, so its next failure after a cut
/// is `Not Restarting`, as in the runner never interrupted (a restore builds a new
/// tracker, `NewTaskRunner`, and would restart it again).
#[test]
fn a_task_at_its_attempt_limit_is_not_restarted_again_after_a_cut() {
    let policy = RestartPolicy {
        attempts: 2,
        interval: 300 * SEC,
        delay: SEC,
        mode: RestartMode::Fail,
    };
    let at = |s: i64| Now::new(T0 + WALL_OFFSET + s * SEC, T0 + s * SEC);
    let mut live: Box<Runner<4>> = Box::new(Runner::new(GroupSpec::new(JobType::Batch)));
    let a = live
        .add_task(&TaskSpec::new("a", Role::main(), policy))
        .unwrap();
    let _ = live.arrive(at(0)).unwrap();
    let mut now = 1;
    for _ in 0..2 {
        let _ = live.started(at(now), a).unwrap();
        let _ = live.exited(at(now + 1), a, Exit::code(1)).unwrap();
        let wake = live.next_wake().unwrap();
        now = (wake - T0) / SEC + 1;
        let _ = live.tick(at(now)).unwrap();
    }
    let _ = live.started(at(now + 1), a).unwrap();
    let snap = image4(&live, at(now + 1));
    let exit = Input::new(
        at(now + 2),
        What::Exited {
            task: a,
            exit: Exit::code(1),
        },
    );
    let mut buf = [0u8; 64];
    let entry = exit.encode(at(now + 1), &mut buf).unwrap().to_vec();
    let _ = exit.apply(&mut live).unwrap();
    let last = live.events().last().map(|(_, e)| e.type_str());
    assert_eq!(last, Some("Not Restarting"));
    let recovered = recover4(&snap, &[entry]).unwrap();
    assert!(*recovered == *live);
    assert_eq!(recovered.tracker(a), live.tracker(a));
    assert!(recovered.is_finished());
    // Nomad's restore rules would have restarted it: the snapshot restored as an agent
    // restart does, then the same exit.
    let mut persisted = vec![0u8; Runner::<4>::POSTCARD_MAX_SIZE];
    let mut again: Box<Runner<4>> = Box::new(Runner::new(GroupSpec::new(JobType::Batch)));
    let restored = recover4(&snap, &[]).unwrap();
    let bytes = restored.persist(&mut persisted).unwrap();
    let _ = again
        .restore(at(now + 1), bytes, None, |_, _| true)
        .unwrap();
    let _ = exit.apply(&mut again).unwrap();
    let last = again.events().last().map(|(_, e)| e.type_str());
    assert_eq!(last, Some("Restarting"), "a restore rebuilds the tracker");
}

/// After a real reboot the journal recovers the runner exactly; the runtime then does
/// what an agent restart does (docs/journal.md, "After a real reboot"): persists it,
/// resets it and restores it in place with the driver's real answers (here: the
/// processes died with the power), which applies Nomad's restore rules (`Failed
/// Restoring Task`, a new restart tracker), and snapshots the result at once. That is
/// what the runner never interrupted gives through the same agent restart.
#[test]
fn after_a_real_reboot_the_runtime_restores_the_recovered_runner_by_nomads_rules() {
    use allocstate::runner::Place;
    let at = |s: i64| Now::new(T0 + WALL_OFFSET + s * SEC, T0 + s * SEC);
    let group = GroupSpec::new(JobType::Service);
    let (mut live, a, b) = a_and_b(at(0));
    let snap = image4(&live, at(0));
    let mut entries = Vec::new();
    let mut since = at(0);
    for input in [
        Input::new(at(1), What::Started { task: a }),
        Input::new(at(1), What::Started { task: b }),
        Input::new(
            at(2),
            What::Exited {
                task: b,
                exit: Exit::code(1),
            },
        ),
    ] {
        let _ = input.apply(&mut live).unwrap();
        let mut buf = [0u8; 64];
        entries.push(input.encode(since, &mut buf).unwrap().to_vec());
        since = input.now;
    }
    // The power goes at 3 s; the device is back at 60 s: a's process is gone.
    let mut runner = recover4(&snap, &entries).unwrap();
    assert!(*runner == *live, "the journal recovers the runner exactly");
    assert!(matches!(runner.place(b), Some(Place::RestartWait { .. })));
    let boot = at(60);
    let mut buf = vec![0u8; Runner::<4>::POSTCARD_MAX_SIZE];
    let len = runner.persist(&mut buf).unwrap().len();
    runner.reset(group);
    let step = runner
        .restore(boot, &buf[..len], None, |_, _| false)
        .unwrap();
    let last = runner
        .allocation()
        .task_at(a.index())
        .unwrap()
        .state()
        .events()
        .iter()
        .last();
    assert_eq!(last.map(|e| e.type_str()), Some("Failed Restoring Task"));
    assert_eq!(runner.place(a), Some(Place::AwaitingServers));
    // b was in its restart delay, which Nomad does not persist: told to start again.
    assert_eq!(step.commands.len(), 1);
    assert_eq!(
        (step.commands[0].task, step.commands[0].action.clone()),
        (b, Action::Start)
    );
    // The same agent restart of the runner never interrupted gives the same runner.
    let mut other = vec![0u8; Runner::<4>::POSTCARD_MAX_SIZE];
    let bytes = live.persist(&mut other).unwrap();
    let mut restarted: Box<Runner<4>> = Box::new(Runner::new(group));
    let _ = restarted.restore(boot, bytes, None, |_, _| false).unwrap();
    assert!(*runner == *restarted);
    // The runtime snapshots it at once (a restore is not an entry); a cut after that
    // recovers the restored runner.
    let snap = image4(&runner, boot);
    assert!(*recover4(&snap, &[]).unwrap() == *runner);
}

/// A snapshot holding `Runner::persist`'s form (as before the exact image) is a typed
/// error, not a runner rebuilt by other rules.
#[test]
fn a_snapshot_that_is_not_a_runner_image_is_refused() {
    use allocstate::journal::runner::RecoveryError;
    use allocstate::runner::RunnerError;
    let policy = three_attempts();
    let mut live: Box<Runner<4>> = Box::new(Runner::new(GroupSpec::new(JobType::Service)));
    let _ = live
        .add_task(&TaskSpec::new("a", Role::main(), policy))
        .unwrap();
    let _ = live.arrive(Now::new(T0, T0)).unwrap();
    let mut snap = Vec::new();
    snap.extend_from_slice(&T0.to_le_bytes());
    snap.extend_from_slice(&T0.to_le_bytes());
    let mut buf = vec![0u8; Runner::<4>::POSTCARD_MAX_SIZE];
    snap.extend_from_slice(live.persist(&mut buf).unwrap());
    assert_eq!(
        recover4(&snap, &[]).err(),
        Some(RecoveryError::Restore(RunnerError::Corrupt))
    );
    let image = image4(&live, Now::new(T0, T0));
    for len in 16..image.len() {
        assert_eq!(
            recover4(&image[..len], &[]).err(),
            Some(RecoveryError::Restore(RunnerError::Corrupt)),
            "cut to {len} bytes"
        );
    }
    assert!(*recover4(&image, &[]).unwrap() == *live);
}

/// One random input for [`random_input_streams_recover_to_the_uninterrupted_runner`]:
/// `code` picks the input, `task` its task, `arg` a detail and the time it takes.
fn random_what(code: u8, task: TaskId, arg: u8) -> What<'static> {
    use allocstate::allocation::DesiredStatus;
    use allocstate::runner::{PrestartStep, RestartTarget};
    match code {
        0 => What::Prestart {
            task,
            step: PrestartStep::TaskDirBuilt,
        },
        1 => What::Prestart {
            task,
            step: PrestartStep::HookFailed {
                message: "hook",
                recoverable: arg.is_multiple_of(2),
            },
        },
        2 => What::StartFailed {
            task,
            error: "driver",
            recoverable: arg.is_multiple_of(2),
        },
        3 => What::StartCancelled { task },
        4 | 5 => What::Exited {
            task,
            exit: Exit::code(i32::from(arg % 2)),
        },
        6 => What::KillFailed {
            task,
            error: "survived",
        },
        7 => What::Restart {
            target: match arg % 3 {
                0 => RestartTarget::Task(task),
                1 => RestartTarget::Running,
                _ => RestartTarget::All,
            },
            failure: arg.is_multiple_of(2),
        },
        8 => What::Signal {
            task,
            signal: (arg.is_multiple_of(2)).then_some("SIGHUP"),
        },
        9 if arg == 0 => What::Stop {
            status: DesiredStatus::Stop,
            description: "stopped",
            no_shutdown_delay: false,
        },
        10 if arg == 0 => What::DropTask { task },
        11 => What::Reconnected,
        12 => What::ServersContacted,
        13 => What::SetHandle {
            task,
            handle: b"pid 7",
        },
        14 | 15 => What::Started { task },
        _ => What::Tick,
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]

    /// Random groups fed random input streams (every kind of input, and agent restarts
    /// with random reattach answers, after which the journal takes a snapshot), every
    /// accepted input committed and a snapshot every `k`: after every input, the runner
    /// recovered from the journal is the runner never interrupted (`==`).
    #[test]
    fn random_input_streams_recover_to_the_uninterrupted_runner(
        roles in proptest::collection::vec((0u8..5, 1u32..3, proptest::bool::ANY), 1..=4),
        k in 1usize..7,
        picks in proptest::collection::vec((0u8..20, 0usize..4, 0u8..6), 1..80),
    ) {
        let group = GroupSpec::new(if roles[0].2 { JobType::Batch } else { JobType::Service });
        let mut live: Box<Runner<4>> = Box::new(Runner::new(group));
        for (i, &(role, attempts, delay_mode)) in roles.iter().enumerate() {
            let role = match role {
                0 | 4 => Role::main(),
                1 => Role::prestart(false),
                2 => Role::prestart(true),
                _ => Role::poststop(),
            };
            let policy = RestartPolicy {
                attempts,
                interval: 60 * SEC,
                delay: SEC,
                mode: if delay_mode { RestartMode::Delay } else { RestartMode::Fail },
            };
            live.add_task(&TaskSpec::new(["a", "b", "c", "d"][i], role, policy)).unwrap();
        }
        let mut now = Now::new(T0 + WALL_OFFSET, T0);
        let _ = live.arrive(now).unwrap();
        let mut image = vec![0u8; RunnerSnapshot::max_size::<4>()];
        let mut snap = image4(&live, now);
        let mut entries: Vec<Vec<u8>> = Vec::new();
        let mut since = now;
        for (code, task, arg) in picks {
            let Some(id) = live.task_at(task % roles.len()) else { continue };
            let step = SEC / 2 * i64::from(arg);
            now = Now::new(now.wall + step, now.mono + step);
            if code == 19 {
                // An agent restart: persist, reset, restore with random answers; the
                // journal then takes a snapshot (a restore is not an entry).
                let mut buf = vec![0u8; Runner::<4>::POSTCARD_MAX_SIZE];
                let len = live.persist(&mut buf).unwrap().len();
                live.reset(group);
                let _ = live
                    .restore(now, &buf[..len], None, |id, _| (id.index() + usize::from(arg)).is_multiple_of(2))
                    .unwrap();
                snap = RunnerSnapshot::write(&live, now, &mut image).unwrap().to_vec();
                entries.clear();
                since = now;
            } else {
                let what = random_what(code, id, arg);
                if what == What::Tick {
                    if let Some(wake) = live.next_wake().filter(|&w| w > now.mono) {
                        now = Now::new(now.wall + (wake - now.mono), wake);
                    }
                }
                let input = Input::new(now, what);
                if input.apply(&mut live).is_err() {
                    continue;
                }
                if entries.len() + 1 >= k {
                    snap = RunnerSnapshot::write(&live, now, &mut image).unwrap().to_vec();
                    entries.clear();
                } else {
                    let mut buf = [0u8; 128];
                    entries.push(input.encode(since, &mut buf).unwrap().to_vec());
                }
                since = now;
            }
            let recovered = recover4(&snap, &entries).unwrap();
            proptest::prop_assert!(*recovered == *live, "after {:?}", (code, task, arg));
        }
    }
}
