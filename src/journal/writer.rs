//! The writing side: the records that continue a store, numbered ([`Writer`]).

use super::crc::Crc32;
use super::error::JournalError;
use super::record::Record;
use super::recovery::Plan;

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
