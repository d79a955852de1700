//! The journal's error ([`JournalError`]): what it could not do, or what is wrong with a
//! store it cannot read.

use core::fmt;

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
