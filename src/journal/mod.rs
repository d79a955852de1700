//! A crash-safe journal: one snapshot plus a write-ahead log of small records after it
//! (feature `journal`). See `docs/journal.md` for the format and the guarantees.
//!
//! The core is sans-IO and knows nothing of the runner: it frames opaque bytes into
//! records and, given the records a store holds in the order they were appended, finds
//! what was committed. A backend (NOR flash through `sequential-storage`, feature
//! `journal-flash`; a file, feature `journal-file`) appends the records and hands them
//! back in order.
//!
//! - A snapshot of epoch `e` is written as chunks (each one record, small enough for an
//!   erase page) and made atomic by a commit record carrying `e`, the chunk count, the
//!   length and a CRC-32 of the whole snapshot. Until the commit record is in the store,
//!   the snapshot does not exist.
//! - An entry is one record `(e, seq, bytes)`: the `seq`-th input committed after the
//!   snapshot of epoch `e`. Each record is its own commit: a CRC-32 covers it whole.
//!
//! Recovery ([`Scan`], then [`Replay`]) is the latest committed snapshot and the entries
//! of its epoch after it, in sequence. A record whose CRC does not match is treated as
//! absent (a torn write); a store whose records contradict each other is a typed
//! [`JournalError`] that names what is wrong, never an older state in silence.

use core::fmt;

#[cfg(feature = "journal-file")]
pub mod file;
#[cfg(feature = "journal-flash")]
pub mod flash;
#[cfg(feature = "serde")]
pub mod runner;

/// Bytes a record adds to its payload: kind (1), epoch (4), index or sequence (4), CRC (4).
pub const RECORD_OVERHEAD: usize = 13;
/// Bytes of a commit record (its payload is the snapshot's length and CRC).
pub const COMMIT_RECORD_LEN: usize = RECORD_OVERHEAD + 8;

const KIND_CHUNK: u8 = 0x11;
const KIND_COMMIT: u8 = 0x12;
const KIND_ENTRY: u8 = 0x13;

/// What the journal could not do, or what is wrong with a store it cannot read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum JournalError {
    /// The caller's buffer is smaller than the record or snapshot (`need` bytes).
    BufferTooSmall {
        /// Bytes needed.
        need: usize,
    },
    /// A record's payload is longer than a record may carry (`len` bytes).
    TooLong {
        /// The refused length.
        len: usize,
    },
    /// Bytes that are not a record: too short, or their CRC does not match. A backend
    /// treats such a record as absent (a torn write).
    BadRecord,
    /// A record whose CRC matches but whose kind byte this version does not know: the
    /// store was written by another version or another program.
    UnknownKind {
        /// The kind byte.
        kind: u8,
    },
    /// The commit record of the snapshot of `epoch` is in the store but its chunks are
    /// not all there or do not match its length and CRC.
    SnapshotCorrupt {
        /// The snapshot's epoch.
        epoch: u32,
    },
    /// After the latest committed snapshot, entry `seq` of `epoch` is missing while a
    /// later one is present: a record in the middle of the log was lost.
    EntryMissing {
        /// The epoch.
        epoch: u32,
        /// The first sequence number not found.
        seq: u32,
    },
    /// A record of an epoch later than the latest committed snapshot's, other than its
    /// chunks: the store holds a log this journal did not write.
    FutureEpoch {
        /// The record's epoch.
        epoch: u32,
    },
    /// Entries are stored but no committed snapshot precedes them.
    NoSnapshot,
    /// Recovery was replayed over different records than it scanned, or its sink
    /// stopped it.
    ReplayMismatch,
    /// An entry's bytes are not an input this version reads.
    BadEntry,
    /// The epoch or sequence counter is at its end (after 2^32 snapshots or entries).
    Exhausted,
    /// An entry's monotonic time is earlier than the entry (or snapshot) before it:
    /// entries store their time as the step from the one before, which never goes back.
    ClockWentBack {
        /// The previous entry's monotonic time.
        last: i64,
        /// This entry's.
        now: i64,
    },
}

impl fmt::Display for JournalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Self::BufferTooSmall { need } => write!(f, "buffer too small: {need} bytes needed"),
            Self::TooLong { len } => write!(f, "record payload of {len} bytes is too long"),
            Self::BadRecord => f.write_str("not a record (short or CRC mismatch)"),
            Self::UnknownKind { kind } => write!(f, "record of unknown kind {kind:#04x}"),
            Self::SnapshotCorrupt { epoch } => {
                write!(
                    f,
                    "snapshot {epoch} is committed but its chunks do not match"
                )
            }
            Self::EntryMissing { epoch, seq } => {
                write!(
                    f,
                    "entry {seq} of epoch {epoch} is missing before later entries"
                )
            }
            Self::FutureEpoch { epoch } => {
                write!(
                    f,
                    "record of epoch {epoch} after no committed snapshot of it"
                )
            }
            Self::NoSnapshot => f.write_str("entries stored without a committed snapshot"),
            Self::ReplayMismatch => f.write_str("replayed records differ from the scanned ones"),
            Self::BadEntry => f.write_str("entry is not an input this version reads"),
            Self::Exhausted => f.write_str("epoch or sequence counter exhausted"),
            Self::ClockWentBack { last, now } => write!(
                f,
                "entry at monotonic {now} ns is before the previous one at {last} ns"
            ),
        }
    }
}

/// CRC-32 (IEEE 802.3, reflected, as zlib), table-free.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Crc32(u32);

impl Default for Crc32 {
    fn default() -> Self {
        Self::new()
    }
}

impl Crc32 {
    /// A fresh CRC.
    pub const fn new() -> Self {
        Self(0xFFFF_FFFF)
    }

    /// Feeds `bytes`.
    pub fn update(&mut self, bytes: &[u8]) {
        let mut crc = self.0;
        for &byte in bytes {
            crc ^= u32::from(byte);
            for _ in 0..8 {
                let mask = (crc & 1).wrapping_neg();
                crc = (crc >> 1) ^ (0xEDB8_8320 & mask);
            }
        }
        self.0 = crc;
    }

    /// The CRC of what was fed.
    pub const fn finish(self) -> u32 {
        !self.0
    }

    /// The CRC of `bytes`.
    pub fn of(bytes: &[u8]) -> u32 {
        let mut crc = Self::new();
        crc.update(bytes);
        crc.finish()
    }
}

/// One record, decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Record<'a> {
    /// Chunk `index` of the snapshot of `epoch`.
    Chunk {
        /// The snapshot's epoch.
        epoch: u32,
        /// The chunk's place, from 0.
        index: u32,
        /// The chunk's bytes.
        bytes: &'a [u8],
    },
    /// The commit record of the snapshot of `epoch`.
    Commit {
        /// The snapshot's epoch.
        epoch: u32,
        /// How many chunks it has.
        chunks: u32,
        /// Its length in bytes.
        len: u32,
        /// Its CRC-32.
        crc: u32,
    },
    /// Entry `seq` after the snapshot of `epoch`.
    Entry {
        /// The snapshot's epoch.
        epoch: u32,
        /// The entry's place after the snapshot, from 0.
        seq: u32,
        /// The entry's bytes.
        bytes: &'a [u8],
    },
}

fn le(bytes: &[u8], at: usize) -> u32 {
    let mut word = [0u8; 4];
    if let Some(src) = bytes.get(at..at.saturating_add(4)) {
        word.copy_from_slice(src);
    }
    u32::from_le_bytes(word)
}

impl<'a> Record<'a> {
    /// Reads a record; [`JournalError::BadRecord`] if it is short or its CRC does not
    /// match, [`JournalError::UnknownKind`] if its CRC matches but its kind is unknown.
    pub fn decode(bytes: &'a [u8]) -> Result<Self, JournalError> {
        let body_len = bytes
            .len()
            .checked_sub(4)
            .filter(|&len| len >= RECORD_OVERHEAD - 4)
            .ok_or(JournalError::BadRecord)?;
        let (body, crc) = bytes.split_at(body_len);
        if Crc32::of(body) != le(crc, 0) {
            return Err(JournalError::BadRecord);
        }
        let (head, payload) = body.split_at(RECORD_OVERHEAD - 4);
        let (epoch, number) = (le(head, 1), le(head, 5));
        match head.first().copied().unwrap_or(0) {
            KIND_CHUNK => Ok(Self::Chunk {
                epoch,
                index: number,
                bytes: payload,
            }),
            KIND_ENTRY => Ok(Self::Entry {
                epoch,
                seq: number,
                bytes: payload,
            }),
            KIND_COMMIT if payload.len() == 8 => Ok(Self::Commit {
                epoch,
                chunks: number,
                len: le(payload, 0),
                crc: le(payload, 4),
            }),
            kind => Err(JournalError::UnknownKind { kind }),
        }
    }

    /// Writes the record into `buf`; returns the used part.
    pub fn encode<'b>(&self, buf: &'b mut [u8]) -> Result<&'b [u8], JournalError> {
        let mut commit = [0u8; 8];
        let (kind, epoch, number, payload): (u8, u32, u32, &[u8]) = match *self {
            Self::Chunk {
                epoch,
                index,
                bytes,
            } => (KIND_CHUNK, epoch, index, bytes),
            Self::Entry { epoch, seq, bytes } => (KIND_ENTRY, epoch, seq, bytes),
            Self::Commit {
                epoch,
                chunks,
                len,
                crc,
            } => {
                let (a, b) = commit.split_at_mut(4);
                a.copy_from_slice(&len.to_le_bytes());
                b.copy_from_slice(&crc.to_le_bytes());
                (KIND_COMMIT, epoch, chunks, &commit)
            }
        };
        if payload.len() > usize::from(u16::MAX) {
            return Err(JournalError::TooLong { len: payload.len() });
        }
        let total = payload.len().saturating_add(RECORD_OVERHEAD);
        let out = buf
            .get_mut(..total)
            .ok_or(JournalError::BufferTooSmall { need: total })?;
        let (head, rest) = out.split_at_mut(RECORD_OVERHEAD - 4);
        let (body, crc) = rest.split_at_mut(payload.len());
        let (k, rest) = head.split_at_mut(1);
        let (e, n) = rest.split_at_mut(4);
        k.copy_from_slice(&[kind]);
        e.copy_from_slice(&epoch.to_le_bytes());
        n.copy_from_slice(&number.to_le_bytes());
        body.copy_from_slice(payload);
        let mut sum = Crc32::new();
        sum.update(head);
        sum.update(body);
        crc.copy_from_slice(&sum.finish().to_le_bytes());
        Ok(out)
    }
}

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

/// The writing side: which epoch and sequence number the next records carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Writer {
    epoch: u32,
    seq: u32,
    max_epoch: u32,
    has_snapshot: bool,
}

impl Writer {
    /// The writer that continues the store recovery found.
    pub fn after(plan: &Plan) -> Self {
        Self {
            epoch: plan.snapshot.map_or(0, |snap| snap.epoch),
            seq: plan.entries,
            max_epoch: plan.max_epoch,
            has_snapshot: plan.snapshot.is_some(),
        }
    }

    /// Whether a snapshot is committed (entries need one before them).
    pub const fn has_snapshot(&self) -> bool {
        self.has_snapshot
    }

    /// Entries committed since the latest snapshot.
    pub const fn entries(&self) -> u32 {
        self.seq
    }

    /// The latest committed snapshot's epoch (0 before the first).
    pub const fn epoch(&self) -> u32 {
        self.epoch
    }

    /// The epoch a new snapshot takes.
    pub fn next_epoch(&self) -> Result<u32, JournalError> {
        self.max_epoch.checked_add(1).ok_or(JournalError::Exhausted)
    }

    /// Encodes the next entry into `buf`. Call [`Writer::entry_done`] once the store
    /// holds it.
    pub fn entry<'b>(&self, bytes: &[u8], buf: &'b mut [u8]) -> Result<&'b [u8], JournalError> {
        if !self.has_snapshot {
            return Err(JournalError::NoSnapshot);
        }
        if self.seq == u32::MAX {
            return Err(JournalError::Exhausted);
        }
        Record::Entry {
            epoch: self.epoch,
            seq: self.seq,
            bytes,
        }
        .encode(buf)
    }

    /// The entry [`Writer::entry`] encoded is in the store.
    pub fn entry_done(&mut self) {
        self.seq = self.seq.saturating_add(1);
    }

    /// Encodes chunk `index` of a snapshot: its part of `snapshot` at `chunk_len` bytes a
    /// chunk, or `None` past the end.
    pub fn chunk<'b>(
        &self,
        snapshot: &[u8],
        chunk_len: usize,
        index: u32,
        buf: &'b mut [u8],
    ) -> Result<Option<&'b [u8]>, JournalError> {
        let epoch = self.next_epoch()?;
        let chunk_len = chunk_len.max(1);
        let start = usize::try_from(index)
            .unwrap_or(usize::MAX)
            .saturating_mul(chunk_len);
        // An empty snapshot still has one (empty) chunk.
        if start >= snapshot.len() && !(index == 0 && snapshot.is_empty()) {
            return Ok(None);
        }
        let end = start.saturating_add(chunk_len).min(snapshot.len());
        let bytes = snapshot.get(start..end).unwrap_or(&[]);
        Record::Chunk {
            epoch,
            index,
            bytes,
        }
        .encode(buf)
        .map(Some)
    }

    /// Encodes the commit record of `snapshot` written at `chunk_len` bytes a chunk.
    pub fn commit<'b>(
        &self,
        snapshot: &[u8],
        chunk_len: usize,
        buf: &'b mut [u8],
    ) -> Result<&'b [u8], JournalError> {
        let len = u32::try_from(snapshot.len()).map_err(|_| JournalError::TooLong {
            len: snapshot.len(),
        })?;
        let chunks = snapshot.len().div_ceil(chunk_len.max(1)).max(1);
        Record::Commit {
            epoch: self.next_epoch()?,
            chunks: u32::try_from(chunks).unwrap_or(u32::MAX),
            len,
            crc: Crc32::of(snapshot),
        }
        .encode(buf)
    }

    /// The commit record [`Writer::commit`] encoded is in the store: entries now follow
    /// the new snapshot.
    pub fn commit_done(&mut self) {
        if let Ok(epoch) = self.next_epoch() {
            self.epoch = epoch;
            self.max_epoch = epoch;
        }
        self.seq = 0;
        self.has_snapshot = true;
    }

    /// A snapshot's chunks were (partly) written but not committed: the next attempt
    /// takes a fresh epoch, so its chunks are never confused with these.
    pub fn chunks_abandoned(&mut self) {
        if let Ok(epoch) = self.next_epoch() {
            self.max_epoch = epoch;
        }
    }
}

#[cfg(test)]
mod tests;
