//! The runner on the target: every file of sim/scenarios, digested by build.rs, is played
//! by the simulation harness's own loop (allocstate-sim's `play`, without std) on a
//! `Runner<8>` in RAM shared with the budgets (`arena.rs`), and its transcript (the
//! timeline of events, commands, status changes and refusals, each task's end, and the
//! final allocation's compact bytes) is compared byte for byte with the host's.

use allocstate::restart::{JobType, Lifecycle, LifecycleHook, RestartMode, RestartPolicy};
use allocstate::runner::TaskSpec;
use allocstate::{DesiredStatus, Role};
use core::fmt::{self, Write};

use crate::checks::{report_difference, Memory, Tally};
use crate::out::{self, Compare};

use allocstate_sim::play::{Lines, Player};
use allocstate_sim::script::{self, Block, Digest, Header, Request, Run, TaskDef};

/// Written by build.rs: the digested scenarios and the host's transcripts.
mod digests {
    use super::*;
    include!(concat!(env!("OUT_DIR"), "/runner_scenarios.rs"));
}

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;

/// What the target writes, checked against the host's transcript: its length and FNV-1a
/// hash always (a 256 KiB flash part cannot hold every transcript), and byte for byte
/// where build.rs embedded the transcript itself (thumbv7em).
struct Check<'a> {
    compare: Option<Compare<'a>>,
    hash: u64,
    length: usize,
}

impl Write for Check<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        for &byte in s.as_bytes() {
            self.hash = (self.hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
        }
        self.length += s.len();
        match &mut self.compare {
            Some(compare) => compare.write_str(s),
            None => Ok(()),
        }
    }
}

/// Plays every runner scenario; one check each.
pub fn run(tally: &mut Tally, memory: &mut Memory) {
    let mut deepest = 0;
    let runner = crate::arena::runner();
    for &(name, ref digest, expected, hash, length) in digests::SCENARIOS {
        let Some(buf) = memory.json.get_mut(..digests::BUF) else {
            tally.check(
                false,
                format_args!("runner {name}: the persist buffer is too small"),
            );
            continue;
        };
        let mut check = Check {
            compare: (!expected.is_empty()).then(|| Compare::new(expected)),
            hash: FNV_OFFSET,
            length: 0,
        };
        let (written, used) =
            crate::stack::measure(|| play_one(digest, &mut *runner, &mut *buf, &mut check));
        deepest = deepest.max(used);
        let same = written
            && check.hash == hash
            && check.length == length
            && check.compare.as_ref().is_none_or(|c| c.finish().is_ok());
        let how = if check.compare.is_some() {
            "byte for byte"
        } else {
            "by length and 64-bit hash"
        };
        tally.check(
            same,
            format_args!(
                "runner {name}: played on the target = host (timeline, allocation bytes; {how})"
            ),
        );
        if let (false, Some(compare)) = (same, &check.compare) {
            report_difference(compare);
        }
    }
    out::line(format_args!(
        "     stack of a runner scenario's play (Runner<8> in a static): {deepest} B"
    ));
}

/// One scenario from a fresh runner; `false` if the transcript could not be written.
#[inline(never)]
fn play_one(
    digest: &Digest,
    runner: &mut allocstate::runner::Runner<8>,
    buf: &mut [u8],
    check: &mut Check<'_>,
) -> bool {
    runner.reset(script::group_of(digest));
    if script::add_tasks(digest, runner).is_err() {
        return false;
    }
    let mut lines = Lines { out: check };
    let ended = Player::new(digest, runner, buf, &mut lines).run();
    lines.finish(ended, runner, buf).is_ok()
}
