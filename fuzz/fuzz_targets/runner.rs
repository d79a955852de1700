//! `runner`: arbitrary groups and arbitrary inputs (valid or not) to the allocation
//! runner. No input panics; a refused input changes nothing; the events an accepted one
//! reports are its tasks'; a persisted runner restores.

#![no_main]

use allocstate::restart::JobType;
use allocstate::runner::{Exit, GroupSpec, PrestartStep, RestartTarget, Runner, TaskId, TaskSpec};
use allocstate::DesiredStatus;
use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;

#[derive(Debug, Arbitrary)]
enum Input<'a> {
    Arrive(i64),
    Prestart(i64, usize, PrestartStep<'a>),
    Started(i64, usize),
    StartFailed(i64, usize, &'a str, bool),
    StartCancelled(i64, usize),
    Exited(i64, usize, i32, i32, bool),
    Restart(i64, u8, usize, bool),
    Signal(i64, usize, Option<&'a str>),
    KillFailed(i64, usize, &'a str),
    ServersContacted(i64),
    SetHandle(usize, &'a [u8]),
    Stop(i64, DesiredStatus, &'a str, bool),
    Tick(i64),
    SetupFailed(i64, &'a str),
    Reconnected(i64),
    DropTask(i64, usize),
    /// The clock reaches the next wake-up.
    Wake,
    Restore(i64, Vec<bool>, Option<DesiredStatus>),
    RestoreBytes(i64, &'a [u8], Vec<bool>),
}

#[derive(Debug, Arbitrary)]
struct Case<'a> {
    // The crate's own types, built by its `arbitrary` feature.
    group: GroupSpec,
    seed: u64,
    tasks: Vec<TaskSpec<'a>>,
    inputs: Vec<Input<'a>>,
}

fuzz_target!(|case: Case<'_>| {
    let mut runner: Box<Runner<4>> = Box::new(Runner::new(case.group));
    runner.seed_jitter(case.seed);
    for task in case.tasks.iter().take(6) {
        let before = runner.clone();
        if runner.add_task(task).is_err() {
            assert_eq!(runner, before, "a refused task changed the runner");
        }
    }
    let mut buf = vec![0u8; Runner::<4>::POSTCARD_MAX_SIZE];
    // An index to a task id, when the runner has a task there (any index past it is
    // an id the runner never gave, which this API cannot express).
    fn id(runner: &Runner<4>, i: usize) -> Option<TaskId> {
        runner.task_at(i % 4)
    }
    for input in case.inputs.iter().take(64) {
        let before = runner.clone();
        let result = match input {
            Input::Arrive(t) => runner.arrive(*t).map(|_| ()),
            Input::Prestart(t, i, step) => {
                let Some(i) = id(&runner, *i) else { continue };
                runner.prestart(*t, i, *step).map(|_| ())
            }
            Input::Started(t, i) => {
                let Some(i) = id(&runner, *i) else { continue };
                runner.started(*t, i).map(|_| ())
            }
            Input::StartFailed(t, i, text, rec) => {
                let Some(i) = id(&runner, *i) else { continue };
                runner.start_failed(*t, i, text, *rec).map(|_| ())
            }
            Input::StartCancelled(t, i) => {
                let Some(i) = id(&runner, *i) else { continue };
                runner.start_cancelled(*t, i).map(|_| ())
            }
            Input::Exited(t, i, code, signal, oom) => {
                let Some(i) = id(&runner, *i) else { continue };
                runner
                    .exited(*t, i, Exit { exit_code: *code, signal: *signal, oom_killed: *oom })
                    .map(|_| ())
            }
            Input::KillFailed(t, i, text) => {
                let Some(i) = id(&runner, *i) else { continue };
                runner.kill_failed(*t, i, text).map(|_| ())
            }
            Input::ServersContacted(t) => runner.servers_contacted(*t).map(|_| ()),
            Input::SetHandle(i, bytes) => {
                let Some(i) = id(&runner, *i) else { continue };
                let set = runner.set_handle(i, bytes);
                if set.is_ok() {
                    assert_eq!(runner.handle(i).unwrap_or(&[]), &bytes[..]);
                }
                set
            }
            Input::Restart(t, k, i, failure) => {
                let target = match k % 3 {
                    0 => match id(&runner, *i) {
                        Some(i) => RestartTarget::Task(i),
                        None => continue,
                    },
                    1 => RestartTarget::Running,
                    _ => RestartTarget::All,
                };
                runner.restart(*t, target, *failure).map(|_| ())
            }
            Input::Signal(t, i, name) => {
                let Some(i) = id(&runner, *i) else { continue };
                runner.signal(*t, i, name.as_deref()).map(|_| ())
            }
            Input::Stop(t, status, text, nsd) => runner.stop(*t, *status, text, *nsd).map(|_| ()),
            Input::Tick(t) => runner.tick(*t).map(|_| ()),
            Input::SetupFailed(t, text) => runner.setup_failed(*t, text).map(|_| ()),
            Input::Reconnected(t) => runner.reconnected(*t).map(|_| ()),
            Input::DropTask(t, i) => {
                let Some(i) = id(&runner, *i) else { continue };
                runner.drop_task(*t, i).map(|_| ())
            }
            Input::Wake => match runner.next_wake() {
                Some(t) => runner.tick(t).map(|_| ()),
                None => Ok(()),
            },
            Input::Restore(t, reattach, desired) => {
                let bytes = match runner.persist(&mut buf) {
                    Ok(bytes) => bytes.to_vec(),
                    Err(_) => continue,
                };
                let mut fresh: Box<Runner<4>> = Box::new(Runner::new(GroupSpec::new(JobType::Batch)));
                let answer = |i: TaskId, _: allocstate::runner::Restoring<'_>| reattach.get(i.index()).copied().unwrap_or(false);
                let restored = fresh.restore(*t, &bytes, *desired, answer).map(|_| ());
                if restored.is_ok() {
                    runner = fresh;
                }
                restored
            }
            Input::RestoreBytes(t, bytes, reattach) => {
                // Into the runner in use: refused (not fresh). Into a fresh one: refused
                // bytes leave it fresh, accepted ones replace the runner.
                let answer = |i: TaskId, _: allocstate::runner::Restoring<'_>| reattach.get(i.index()).copied().unwrap_or(false);
                let into_used = runner.restore(*t, bytes, None, answer).map(|_| ());
                if into_used.is_ok() {
                    into_used
                } else {
                    let group = GroupSpec::new(JobType::Batch);
                    let mut fresh: Box<Runner<4>> = Box::new(Runner::new(group));
                    match fresh.restore(*t, bytes, None, answer) {
                        Ok(_) => {
                            runner = fresh;
                            Ok(())
                        }
                        Err(e) => {
                            assert_eq!(*fresh, Runner::new(group), "a refused restore changed the fresh runner");
                            Err(e)
                        }
                    }
                }
            }
        };
        match result {
            Ok(()) => {
                for (task, event) in runner.events() {
                    let state = runner.allocation().task_at(task.index()).map(|t| t.state());
                    let held = state.is_some_and(|s| s.events().iter().any(|e| core::ptr::eq(e, event)));
                    assert!(held, "an event out of its task's ring");
                }
            }
            Err(_) => assert_eq!(runner, before, "a refused input changed the runner"),
        }
    }
});
