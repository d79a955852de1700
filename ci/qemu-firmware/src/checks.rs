//! The checks, each counted once as passed or failed.

use core::fmt::{self, Write};
use core::ptr::addr_of_mut;

use allocstate::restart::{RestartOutcome, RestartTracker};
#[cfg(alloc_ram)]
use allocstate::Allocation;
use allocstate::{TaskState, DISPLAY_MESSAGE_MAX_LEN};

use crate::generated::SCENARIOS;
use crate::out::{self, Compare, Shown};
use crate::restart_cases::{self, Want};
use crate::target_json::CoreJson;
use crate::transcript;

/// Checks passed and failed so far.
#[derive(Default)]
pub struct Tally {
    pub passed: u32,
    pub failed: u32,
}

impl Tally {
    /// Counts one check and prints its line.
    pub fn check(&mut self, ok: bool, what: fmt::Arguments<'_>) {
        if ok {
            self.passed += 1;
        } else {
            self.failed += 1;
        }
        out::line(format_args!("{} {what}", if ok { "ok  " } else { "FAIL" }));
    }
}

/// Big enough for the JSON of any scenario's final state, and where there is the RAM for
/// allocations, of an `Allocation<8>` of small tasks and the compact encoding of a full one.
#[cfg(not(alloc_ram))]
pub const JSON_CAPACITY: usize = 6 * 1024;
#[cfg(alloc_ram)]
pub const JSON_CAPACITY: usize = 12 * 1024;

/// The two `Allocation<8>` the budgets work on and decode into (they share RAM with the
/// runner checks' runner: `arena.rs`).
#[cfg(budgets)]
pub fn allocations() -> (&'static mut Allocation<8>, &'static mut Allocation<8>) {
    crate::arena::allocations()
}

/// The firmware's working memory, in statics so the stack holds only what operations use.
pub struct Memory {
    pub json: &'static mut [u8; JSON_CAPACITY],
    pub unescape: &'static mut [u8; DISPLAY_MESSAGE_MAX_LEN],
    pub scratch: &'static mut [u8; TaskState::POSTCARD_MAX_SIZE],
    pub task: &'static mut TaskState,
    pub spare: &'static mut TaskState,
    #[cfg(alloc_ram)]
    pub alloc: &'static mut Allocation<4>,
}

impl Memory {
    /// Takes the statics; called once.
    fn take() -> Self {
        static mut JSON: [u8; JSON_CAPACITY] = [0; JSON_CAPACITY];
        static mut UNESCAPE: [u8; DISPLAY_MESSAGE_MAX_LEN] = [0; DISPLAY_MESSAGE_MAX_LEN];
        static mut SCRATCH: [u8; TaskState::POSTCARD_MAX_SIZE] = [0; TaskState::POSTCARD_MAX_SIZE];
        static mut TASK: TaskState = TaskState::new();
        static mut SPARE: TaskState = TaskState::new();
        #[cfg(alloc_ram)]
        static mut ALLOC: Allocation<4> = Allocation::new();
        // SAFETY: `run` calls this once, so each static has one reference.
        unsafe {
            Memory {
                json: &mut *addr_of_mut!(JSON),
                unescape: &mut *addr_of_mut!(UNESCAPE),
                scratch: &mut *addr_of_mut!(SCRATCH),
                task: &mut *addr_of_mut!(TASK),
                spare: &mut *addr_of_mut!(SPARE),
                #[cfg(alloc_ram)]
                alloc: &mut *addr_of_mut!(ALLOC),
            }
        }
    }
}

/// Runs every check.
pub fn run(tally: &mut Tally) {
    let mut memory = Memory::take();
    let mut deepest = 0;
    for &(name, text, expected) in SCENARIOS {
        let ((), used) =
            crate::stack::measure(|| scenario(tally, &mut memory, name, text, expected));
        deepest = deepest.max(used);
    }
    out::line(format_args!(
        "     stack of a scenario's replay and read-backs: {deepest} B"
    ));
    restart_table(tally);
    #[cfg(alloc_ram)]
    alloc_orders(tally, &mut memory);
    #[cfg(alloc_ram)]
    crate::runner_check::run(tally, &mut memory);
    // Not on the LM3S6965: its 256 KiB of flash do not hold them beside the runner's
    // digests (the budgets are checked on the M4F; the micro:bit prints its figures).
    #[cfg(any(budgets, not(alloc_ram)))]
    crate::budgets::run(tally, &mut memory);
    #[cfg(budgets)]
    if let Some(mut peripherals) = cortex_m::Peripherals::take() {
        crate::cost::run(tally, &mut peripherals.SYST, memory.task);
    }
}

pub fn report_difference(compare: &Compare<'_>) {
    if let Err((at, host, target)) = compare.finish() {
        out::line(format_args!("  first difference at byte {at}"));
        out::line(format_args!("  host:   {}", Shown(host)));
        out::line(format_args!("  target: {}", Shown(target)));
    }
}

/// FNV-1a, to compare a JSON text with a later one written into the same buffer.
fn fingerprint(bytes: &[u8]) -> u32 {
    bytes.iter().fold(0x811c_9dc5, |hash, &byte| {
        (hash ^ u32::from(byte)).wrapping_mul(0x0100_0193)
    })
}

#[inline(never)]
fn scenario(tally: &mut Tally, memory: &mut Memory, name: &str, text: &[u8], expected: &[u8]) {
    let Ok(text) = core::str::from_utf8(text) else {
        tally.check(false, format_args!("{name}: scenario is not UTF-8"));
        return;
    };
    memory.task.reset();
    let mut compare = Compare::new(expected);
    let mut json = CoreJson {
        out: memory.json,
        unescape: memory.unescape,
    };
    let written = transcript::scenario(&mut json, text, memory.task, memory.scratch, &mut compare);
    let same = written.is_ok() && compare.finish().is_ok();
    tally.check(
        same,
        format_args!("{name}: replay on the target = host (transcript, JSON, postcard)"),
    );
    if !same {
        report_difference(&compare);
    }

    // The compact encoding read back on the target gives the same state.
    let postcard_back = match memory.task.to_postcard(memory.scratch) {
        Ok(bytes) => {
            TaskState::from_postcard_into(bytes, memory.spare).is_ok()
                && *memory.spare == *memory.task
        }
        Err(_) => false,
    };
    tally.check(
        postcard_back,
        format_args!("{name}: postcard read back on the target"),
    );

    // Nomad's JSON read back through serde-json-core writes the same JSON again.
    {
        let json_back = match serde_json_core::to_slice(&*memory.task, memory.json) {
            Ok(len) => {
                let before = fingerprint(memory.json.get(..len).unwrap_or(&[]));
                let text = memory.json.get(..len).unwrap_or(&[]);
                let mut de =
                    serde_json_core::de::Deserializer::new(text, Some(&mut memory.unescape[..]));
                let read = TaskState::deserialize_into(&mut de, memory.spare).is_ok()
                    && de.end() == Ok(len);
                read && serde_json_core::to_slice(&*memory.spare, memory.json).is_ok_and(|again| {
                    again == len && fingerprint(memory.json.get(..len).unwrap_or(&[])) == before
                })
            }
            Err(_) => false,
        };
        tally.check(
            json_back,
            format_args!("{name}: JSON read back with serde-json-core, written again identically"),
        );
    }
}

/// Writes a value's `Display` into a comparison with `want`.
fn shows_as(value: impl fmt::Display, want: &str) -> bool {
    let mut compare = Compare::new(want.as_bytes());
    write!(compare, "{value}").is_ok() && compare.finish().is_ok()
}

fn outcome_is(outcome: &RestartOutcome, want: Want) -> bool {
    match (outcome, want) {
        (RestartOutcome::Restart { delay, reason }, Want::Restart(d, r)) => {
            *delay == d
                && match reason {
                    Some(reason) => shows_as(reason, r),
                    None => r.is_empty(),
                }
        }
        (RestartOutcome::NoRestart { reason }, Want::NoRestart(r)) => shows_as(reason, r),
        (RestartOutcome::Completed { reason }, Want::Completed(r)) => shows_as(reason, r),
        (RestartOutcome::Killed, Want::Killed) => true,
        (RestartOutcome::NoFailure, Want::NoFailure) => true,
        _ => false,
    }
}

#[inline(never)]
fn restart_table(tally: &mut Tally) {
    for case in restart_cases::CASES {
        let mut tracker = RestartTracker::new(case.policy, case.job, case.lifecycle, 0);
        let mut jitter = restart_cases::fifth;
        let mut failed_step = None;
        for (index, &(now, input, want, count)) in case.steps.iter().enumerate() {
            restart_cases::feed(&mut tracker, input);
            let outcome = tracker.decide(now, &mut jitter);
            if failed_step.is_none() && !(outcome_is(&outcome, want) && tracker.count() == count) {
                failed_step = Some(index);
            }
        }
        match failed_step {
            None => tally.check(true, format_args!("restart table: {}", case.name)),
            Some(step) => tally.check(
                false,
                format_args!("restart table: {} (step {step})", case.name),
            ),
        }
    }
}

#[cfg(alloc_ram)]
#[inline(never)]
fn alloc_orders(tally: &mut Tally, memory: &mut Memory) {
    memory.alloc.clear();
    let mut compare = Compare::new(crate::generated::ALLOC_ORDERS);
    let mut json = CoreJson {
        out: memory.json,
        unescape: memory.unescape,
    };
    let written = transcript::alloc_orders(&mut json, memory.alloc, memory.scratch, &mut compare);
    let same = written.is_ok() && compare.finish().is_ok();
    tally.check(
        same,
        format_args!("allocation orders on the target = host (transcript, JSON, postcard)"),
    );
    if !same {
        report_difference(&compare);
    }
}
