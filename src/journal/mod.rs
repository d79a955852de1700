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

mod crc;
mod error;
mod record;
mod recovery;
mod writer;

#[cfg(feature = "journal-file")]
pub mod file;
#[cfg(feature = "journal-flash")]
pub mod flash;
#[cfg(feature = "serde")]
pub mod runner;

pub use crc::Crc32;
pub use error::JournalError;
pub use record::{Record, COMMIT_RECORD_LEN, RECORD_OVERHEAD};
pub use recovery::{Committed, Piece, Plan, Replay, Scan};
pub use writer::Writer;

#[cfg(test)]
mod tests;
