//! The journal on NOR flash (feature `journal-flash`): each record is one item of a
//! `sequential-storage` queue over an `embedded-storage-async` [`MultiwriteNorFlash`].
//!
//! The queue gives each item its own CRC and skips an item a power cut tore; the
//! journal's records carry their own CRC and sequence numbers on top, so that a flash
//! holding something else is refused with a typed error. A snapshot is written as chunks
//! of a quarter erase page and then its commit record; once that is in flash, the
//! records before the snapshot are popped (compaction). `sequential-storage` holds no
//! state of its own across a cut (it is built without a cache here), so after a reset
//! [`FlashJournal::new`] over the same flash and [`FlashJournal::recover`] is all.

use core::fmt;
use core::ops::Range;

use embedded_storage_async::nor_flash::MultiwriteNorFlash;
use sequential_storage::cache::{Cache, Uncached};
use sequential_storage::queue::{QueueConfig, QueueStorage};

use super::{JournalError, Piece, Plan, Record, Replay, Scan, Writer, RECORD_OVERHEAD};

/// What went wrong on flash.
#[derive(Debug)]
#[non_exhaustive]
pub enum FlashError<E> {
    /// The journal refused (a store it cannot read, a buffer too small, …).
    Journal(JournalError),
    /// The flash range is not whole erase pages, or fewer than two.
    BadRange,
    /// The queue is full: take a snapshot (it compacts) or give the journal more pages.
    Full,
    /// The flash or `sequential-storage` failed (a power cut on the mock flash, a
    /// corrupted queue).
    Storage(sequential_storage::Error<E>),
}

impl<E> From<JournalError> for FlashError<E> {
    fn from(error: JournalError) -> Self {
        Self::Journal(error)
    }
}

impl<E> From<sequential_storage::Error<E>> for FlashError<E> {
    fn from(error: sequential_storage::Error<E>) -> Self {
        match error {
            sequential_storage::Error::FullStorage => Self::Full,
            other => Self::Storage(other),
        }
    }
}

impl<E: fmt::Debug> fmt::Display for FlashError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Journal(error) => write!(f, "journal: {error}"),
            Self::BadRange => f.write_str("flash range is not at least two whole erase pages"),
            Self::Full => f.write_str("journal flash is full"),
            Self::Storage(error) => write!(f, "flash: {error:?}"),
        }
    }
}

/// A journal in a range of NOR flash.
pub struct FlashJournal<S: MultiwriteNorFlash> {
    queue: QueueStorage<S, Cache<Uncached, Uncached, Uncached>>,
    writer: Writer,
}

impl<S: MultiwriteNorFlash> FlashJournal<S> {
    /// The journal in `range` of `flash` (whole erase pages, at least two). Call
    /// [`FlashJournal::recover`] before writing.
    pub fn new(flash: S, range: Range<u32>) -> Result<Self, FlashError<S::Error>> {
        let config = QueueConfig::try_new(range).map_err(|_| FlashError::BadRange)?;
        Ok(Self {
            queue: QueueStorage::new(flash, config, Cache::new_uncached()),
            writer: Writer::default(),
        })
    }

    /// The flash back (to reset it in a test, or hand it on).
    pub fn into_flash(self) -> S {
        self.queue.destroy().0
    }

    /// Bytes of a snapshot a chunk holds: a quarter erase page, so a chunk wastes at most
    /// that much at a page's end.
    pub const CHUNK_LEN: usize = S::ERASE_SIZE / 4 - RECORD_OVERHEAD - 16;

    /// Entries committed since the latest snapshot.
    pub const fn entries(&self) -> u32 {
        self.writer.entries()
    }

    /// Reads the journal: `sink` gets the latest committed snapshot's chunks, then the
    /// entries after it, in order; returns what was found. `buf` must hold the largest
    /// record (a chunk: [`Self::CHUNK_LEN`] plus [`RECORD_OVERHEAD`]).
    pub async fn recover<F>(
        &mut self,
        buf: &mut [u8],
        mut sink: F,
    ) -> Result<Plan, FlashError<S::Error>>
    where
        F: FnMut(Piece<'_>) -> Result<(), JournalError>,
    {
        let mut scan = Scan::new();
        let mut items = self.queue.iter().await?;
        while let Some(item) = items.next(buf).await? {
            scan.feed(&item)?;
        }
        let plan = scan.finish()?;
        let mut replay = Replay::new(plan);
        let mut items = self.queue.iter().await?;
        while let Some(item) = items.next(buf).await? {
            if let Some(piece) = replay.feed(&item)? {
                sink(piece)?;
            }
        }
        let plan = replay.finish()?;
        self.writer = Writer::after(&plan);
        Ok(plan)
    }

    /// Commits one entry (an input). `buf` holds the encoded record.
    pub async fn append(
        &mut self,
        entry: &[u8],
        buf: &mut [u8],
    ) -> Result<(), FlashError<S::Error>> {
        let record = self.writer.entry(entry, buf)?;
        self.queue.push(record, false).await?;
        self.writer.entry_done();
        Ok(())
    }

    /// Commits `snapshot` in place of everything before it: its chunks, its commit record,
    /// then the older records are popped. A cut before the commit record lands leaves
    /// the previous state; after it, this one.
    pub async fn snapshot(
        &mut self,
        snapshot: &[u8],
        buf: &mut [u8],
    ) -> Result<(), FlashError<S::Error>> {
        let mut index = 0u32;
        while let Some(record) = self.writer.chunk(snapshot, Self::CHUNK_LEN, index, buf)? {
            if let Err(error) = self.queue.push(record, false).await {
                self.writer.chunks_abandoned();
                return Err(error.into());
            }
            index = index.saturating_add(1);
        }
        let record = self.writer.commit(snapshot, Self::CHUNK_LEN, buf)?;
        if let Err(error) = self.queue.push(record, false).await {
            self.writer.chunks_abandoned();
            return Err(error.into());
        }
        self.writer.commit_done();
        self.compact(buf).await
    }

    /// Pops every record before the latest snapshot's first chunk.
    async fn compact(&mut self, buf: &mut [u8]) -> Result<(), FlashError<S::Error>> {
        let epoch = self.writer.epoch();
        let mut items = self.queue.iter().await?;
        while let Some(item) = items.next(buf).await? {
            if matches!(Record::decode(&item), Ok(Record::Chunk { epoch: e, index: 0, .. }) if e == epoch)
            {
                break;
            }
            item.pop().await?;
        }
        Ok(())
    }
}
