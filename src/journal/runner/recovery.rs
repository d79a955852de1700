//! Recovering a runner from the pieces a journal's recovery hands out: the snapshot, then
//! each entry applied as an input ([`RecoveryGlue`], [`RunnerRecovery`], [`RecoveryError`]).

use crate::journal::{JournalError, Piece};
use crate::runner::{Now, Runner, RunnerError};

use super::input::Input;
use super::snapshot::{RunnerSnapshot, HEAD};

/// Why recovering a runner from the journal failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum RecoveryError {
    /// The journal's records (see [`JournalError`]).
    Journal(JournalError),
    /// The snapshot is larger than the caller's buffer (`need` bytes).
    SnapshotTooLarge {
        /// Bytes needed.
        need: usize,
    },
    /// The snapshot is not a runner's image ([`RunnerError::Corrupt`]; a snapshot
    /// written by a version of the crate whose snapshots held [`Runner::persist`]'s
    /// form is refused so too), or the runner to recover into was not fresh
    /// ([`RunnerError::NotFresh`]).
    Restore(RunnerError),
}

/// Recovers a runner from the pieces a journal's recovery hands out, in order: the
/// snapshot's chunks are gathered in `snapshot` (at most
/// [`RunnerSnapshot::max_size`] bytes), read into `runner` (which must be fresh:
/// [`Runner::new`] or [`Runner::reset`], no task added) before the first entry, and
/// each entry is applied as an [`Input`].
///
/// The snapshot is the exact image of the runner that wrote it, so the recovered runner
/// is exactly the one that committed the last entry. The steps of the replayed inputs
/// are dropped: the runtime carried out their commands before the cut. What a runtime
/// does next after a real reboot (its tasks may have died meanwhile) is an agent
/// restart: see docs/journal.md, "After a real reboot".
pub struct RecoveryGlue<'r, 's, const N: usize> {
    runner: &'r mut Runner<N>,
    snapshot: &'s mut [u8],
    len: usize,
    restored: bool,
    since: Now,
    applied: u32,
    refused: u32,
    error: Option<RecoveryError>,
}

/// What a recovery did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunnerRecovery {
    /// Whether a snapshot was restored (false: the journal was empty).
    pub restored: bool,
    /// Inputs applied after it.
    pub applied: u32,
    /// Inputs the recovered runner refused (0 for a journal whose entries the runner
    /// accepted when they were committed).
    pub refused: u32,
    /// The time of the latest entry (or of the snapshot): the `since` of the next
    /// [`Input::encode`].
    pub since: Now,
}

impl<'r, 's, const N: usize> RecoveryGlue<'r, 's, N> {
    /// Recovery into `runner`, gathering the snapshot in `snapshot`.
    pub fn new(runner: &'r mut Runner<N>, snapshot: &'s mut [u8]) -> Self {
        Self {
            runner,
            snapshot,
            len: 0,
            restored: false,
            since: Now::new(0, 0),
            applied: 0,
            refused: 0,
            error: None,
        }
    }

    /// Takes the next piece (use as a journal's recovery sink).
    pub fn piece(&mut self, piece: Piece<'_>) -> Result<(), JournalError> {
        if self.error.is_some() {
            return Err(JournalError::ReplayMismatch);
        }
        match piece {
            Piece::Chunk { offset, bytes } => {
                let start = usize::try_from(offset).unwrap_or(usize::MAX);
                let end = start.saturating_add(bytes.len());
                let dst = self
                    .snapshot
                    .get_mut(start..)
                    .and_then(|rest| rest.get_mut(..bytes.len()));
                match dst {
                    Some(dst) => dst.copy_from_slice(bytes),
                    None => {
                        self.error = Some(RecoveryError::SnapshotTooLarge { need: end });
                        return Err(JournalError::BufferTooSmall { need: end });
                    }
                }
                self.len = self.len.max(end);
            }
            Piece::Entry(bytes) => {
                self.restore()?;
                let input = Input::decode(bytes, self.since)?;
                self.since = input.now;
                match input.apply(self.runner) {
                    Ok(_) => self.applied = self.applied.saturating_add(1),
                    Err(_) => self.refused = self.refused.saturating_add(1),
                }
            }
        }
        Ok(())
    }

    fn restore(&mut self) -> Result<(), JournalError> {
        if self.restored || self.len == 0 {
            return Ok(());
        }
        self.restored = true;
        let bytes = self.snapshot.get(..self.len).unwrap_or(&[]);
        let image = bytes.get(HEAD..).unwrap_or(&[]);
        self.since = RunnerSnapshot::time(bytes);
        if let Err(error) = self.runner.read_image(image) {
            self.error = Some(RecoveryError::Restore(error));
            return Err(JournalError::BadEntry);
        }
        Ok(())
    }

    /// Ends the recovery: restores the snapshot if no entry followed it.
    pub fn finish(mut self) -> Result<RunnerRecovery, RecoveryError> {
        if let Some(error) = self.error {
            return Err(error);
        }
        let restored = self.restore();
        if let Some(error) = self.error {
            return Err(error);
        }
        restored.map_err(RecoveryError::Journal)?;
        Ok(RunnerRecovery {
            restored: self.restored,
            applied: self.applied,
            refused: self.refused,
            since: self.since,
        })
    }

    /// The error that stopped the recovery, if one did (the sink can only say
    /// [`JournalError`]).
    pub const fn error(&self) -> Option<RecoveryError> {
        self.error
    }
}
