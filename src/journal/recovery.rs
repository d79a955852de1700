//! Recovery: the scan that finds the latest committed snapshot and the entries after it
//! ([`Scan`], its [`Plan`]), then the replay that hands them out in order ([`Replay`]).

use super::crc::Crc32;
use super::error::JournalError;
use super::record::Record;

/// A snapshot being verified while scanning.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Pending {
    epoch: u32,
    next: u32,
    len: u32,
    crc: Crc32,
}

/// What recovery found: the latest committed snapshot and how many entries follow it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Plan {
    /// The latest committed snapshot: its epoch, chunk count and length; `None` for an
    /// empty store (nothing was ever committed).
    pub snapshot: Option<Committed>,
    /// Entries committed after it, in sequence from 0.
    pub entries: u32,
    /// The largest epoch any valid record names (the next snapshot takes a larger one).
    pub max_epoch: u32,
    /// Records in the store that were not valid (torn or corrupt) and so were skipped.
    pub skipped: u32,
    /// Valid records before the latest committed snapshot's first chunk: compaction may
    /// drop them.
    pub obsolete: u32,
}

/// A committed snapshot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Committed {
    /// Its epoch.
    pub epoch: u32,
    /// Its chunk count.
    pub chunks: u32,
    /// Its length in bytes.
    pub len: u32,
}

/// The first pass of recovery: fed every record of the store in order, finds the
/// latest committed snapshot and the entries after it.
#[derive(Debug, Clone, Default)]
pub struct Scan {
    plan: Plan,
    pending: Option<Pending>,
    pending_start: u32,
    seen: u32,
    /// A valid entry of the committed epoch out of sequence (a gap), if one was seen.
    gap: Option<(u32, u32)>,
    /// Entries seen with no committed snapshot before them.
    orphans: bool,
    /// The latest commit record, if its snapshot did not verify.
    bad_commit: Option<u32>,
}

impl Scan {
    /// A scan of an empty store so far.
    pub fn new() -> Self {
        Self::default()
    }

    /// Feeds the next record in store order. A record that is not valid counts as
    /// skipped and changes nothing else; a valid record of an unknown kind is an error.
    pub fn feed(&mut self, bytes: &[u8]) -> Result<(), JournalError> {
        let index = self.seen;
        self.seen = self.seen.saturating_add(1);
        let record = match Record::decode(bytes) {
            Ok(record) => record,
            Err(JournalError::BadRecord) => {
                self.plan.skipped = self.plan.skipped.saturating_add(1);
                return Ok(());
            }
            Err(error) => return Err(error),
        };
        let epoch = match record {
            Record::Chunk { epoch, .. }
            | Record::Commit { epoch, .. }
            | Record::Entry { epoch, .. } => epoch,
        };
        self.plan.max_epoch = self.plan.max_epoch.max(epoch);
        match record {
            Record::Chunk {
                epoch,
                index: chunk,
                bytes,
            } => {
                let len = u32::try_from(bytes.len()).unwrap_or(u32::MAX);
                self.pending = match self.pending {
                    _ if chunk == 0 => {
                        self.pending_start = index;
                        let mut crc = Crc32::new();
                        crc.update(bytes);
                        Some(Pending {
                            epoch,
                            next: 1,
                            len,
                            crc,
                        })
                    }
                    Some(mut p) if p.epoch == epoch && p.next == chunk => {
                        p.next = p.next.saturating_add(1);
                        p.len = p.len.saturating_add(len);
                        p.crc.update(bytes);
                        Some(p)
                    }
                    _ => None,
                };
            }
            Record::Commit {
                epoch,
                chunks,
                len,
                crc,
            } => {
                let whole = self.pending.filter(|p| {
                    p.epoch == epoch && p.next == chunks && p.len == len && p.crc.finish() == crc
                });
                self.pending = None;
                if whole.is_none() {
                    // Compaction drops the oldest records first, so an older snapshot's
                    // commit may outlive its chunks; only the latest commit must verify.
                    self.bad_commit = Some(epoch);
                    return Ok(());
                }
                self.bad_commit = None;
                self.plan.snapshot = Some(Committed { epoch, chunks, len });
                self.plan.entries = 0;
                self.plan.obsolete = self.pending_start;
                self.gap = None;
            }
            Record::Entry { epoch, seq, .. } => match self.plan.snapshot {
                Some(snap) if snap.epoch == epoch => {
                    if seq == self.plan.entries && self.gap.is_none() {
                        self.plan.entries = self.plan.entries.saturating_add(1);
                    } else if seq > self.plan.entries && self.gap.is_none() {
                        self.gap = Some((epoch, self.plan.entries));
                    }
                }
                Some(snap) if epoch > snap.epoch => {
                    return Err(JournalError::FutureEpoch { epoch });
                }
                Some(_) => {}
                None => self.orphans = true,
            },
        }
        Ok(())
    }

    /// Ends the scan: the plan for [`Replay`], or what is wrong with the store.
    pub fn finish(self) -> Result<Plan, JournalError> {
        if let Some(epoch) = self.bad_commit {
            return Err(JournalError::SnapshotCorrupt { epoch });
        }
        if let Some((epoch, seq)) = self.gap {
            return Err(JournalError::EntryMissing { epoch, seq });
        }
        if self.plan.snapshot.is_none() && self.orphans {
            return Err(JournalError::NoSnapshot);
        }
        Ok(self.plan)
    }
}

/// What a record contributes to the recovered state, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Piece<'a> {
    /// The next chunk of the snapshot (`offset` is where it starts in the snapshot).
    Chunk {
        /// Where the chunk starts in the snapshot.
        offset: u32,
        /// Its bytes.
        bytes: &'a [u8],
    },
    /// The next entry after the snapshot.
    Entry(&'a [u8]),
}

/// The second pass of recovery: fed the same records again, hands out the snapshot's
/// chunks, then the entries after it, and nothing else.
#[derive(Debug, Clone)]
pub struct Replay {
    plan: Plan,
    chunk: u32,
    offset: u32,
    entry: u32,
    committed: bool,
}

impl Replay {
    /// A replay of the plan a [`Scan`] found.
    pub const fn new(plan: Plan) -> Self {
        Self {
            plan,
            chunk: 0,
            offset: 0,
            entry: 0,
            committed: false,
        }
    }

    /// Feeds the next record in store order; returns what it contributes, if anything.
    pub fn feed<'a>(&mut self, bytes: &'a [u8]) -> Result<Option<Piece<'a>>, JournalError> {
        let Some(snap) = self.plan.snapshot else {
            return Ok(None);
        };
        let Ok(record) = Record::decode(bytes) else {
            return Ok(None);
        };
        Ok(match record {
            Record::Chunk {
                epoch,
                index,
                bytes,
            } if epoch == snap.epoch && !self.committed => {
                if index == 0 {
                    // A fresh start of this epoch's chunks: the scan accepted the last run.
                    self.chunk = 0;
                    self.offset = 0;
                }
                if index != self.chunk {
                    return Ok(None);
                }
                let offset = self.offset;
                self.chunk = self.chunk.saturating_add(1);
                self.offset = self
                    .offset
                    .saturating_add(u32::try_from(bytes.len()).unwrap_or(u32::MAX));
                Some(Piece::Chunk { offset, bytes })
            }
            Record::Commit { epoch, .. } if epoch == snap.epoch => {
                if self.chunk != snap.chunks || self.offset != snap.len {
                    return Err(JournalError::ReplayMismatch);
                }
                self.committed = true;
                None
            }
            Record::Entry { epoch, seq, bytes }
                if self.committed
                    && epoch == snap.epoch
                    && seq == self.entry
                    && self.entry < self.plan.entries =>
            {
                self.entry = self.entry.saturating_add(1);
                Some(Piece::Entry(bytes))
            }
            _ => None,
        })
    }

    /// Ends the replay: an error if the records did not give what the scan promised.
    pub fn finish(self) -> Result<Plan, JournalError> {
        match self.plan.snapshot {
            Some(_) if !self.committed || self.entry != self.plan.entries => {
                Err(JournalError::ReplayMismatch)
            }
            _ => Ok(self.plan),
        }
    }
}
