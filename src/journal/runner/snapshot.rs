//! The runner's snapshot as the journal stores it: the time, then the runner's exact image
//! ([`RunnerSnapshot`]).

use crate::runner::{Now, Runner, RunnerError};

/// A snapshot of the runner as the journal stores it: the time (wall then monotonic,
/// `i64` LE each), then the runner's exact image (its layout: docs/journal.md).
pub struct RunnerSnapshot;

/// Bytes before the persisted runner in a snapshot.
pub(super) const HEAD: usize = 16;

impl RunnerSnapshot {
    /// The largest snapshot of a `Runner<N>`: a buffer this size always suffices for
    /// [`write`](Self::write) and for [`RecoveryGlue`]'s snapshot.
    ///
    /// [`RecoveryGlue`]: super::RecoveryGlue
    pub const fn max_size<const N: usize>() -> usize {
        Runner::<N>::IMAGE_MAX_SIZE.saturating_add(HEAD)
    }

    /// Writes `runner`'s snapshot into `buf` (at most [`max_size`](Self::max_size)
    /// bytes); returns the used part. `now` is the time of the latest input the runner
    /// accepted: the entries after the snapshot store their time as steps from it.
    /// Refused ([`RunnerError::NotArrived`]) before the allocation arrives: the first
    /// snapshot is taken right after [`Runner::arrive`] (before it, the runtime rebuilds
    /// the group from its job).
    pub fn write<'b, const N: usize>(
        runner: &Runner<N>,
        now: impl Into<Now>,
        buf: &'b mut [u8],
    ) -> Result<&'b [u8], RunnerError> {
        if !runner.arrived() {
            return Err(RunnerError::NotArrived);
        }
        let now = now.into();
        let (head, rest) = buf
            .split_at_mut_checked(HEAD)
            .ok_or(RunnerError::BufferTooSmall)?;
        let (wall, mono) = head.split_at_mut(8);
        wall.copy_from_slice(&now.wall.to_le_bytes());
        mono.copy_from_slice(&now.mono.to_le_bytes());
        let used = runner.write_image(rest)?.len();
        buf.get(..used.saturating_add(HEAD))
            .ok_or(RunnerError::BufferTooSmall)
    }

    /// The time a snapshot was written at (zero if `bytes` is too short to be one).
    pub fn time(bytes: &[u8]) -> Now {
        let word = |at: usize| {
            let mut word = [0u8; 8];
            if let Some(src) = bytes.get(at..).and_then(|rest| rest.get(..8)) {
                word.copy_from_slice(src);
            }
            i64::from_le_bytes(word)
        };
        Now::new(word(0), word(8))
    }
}
