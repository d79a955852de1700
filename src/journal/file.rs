//! The journal in a file on std (feature `journal-file`), for an agent's data directory.
//!
//! `dir/journal` holds frames, each `len` (`u16` LE), `!len` (`u16` LE) and a record of
//! the core format (which carries its own CRC-32). [`FileJournal::commit`] appends one
//! entry and syncs the file before it returns. [`FileJournal::snapshot`] is also the
//! compaction: it writes the snapshot's chunk records and its commit record to
//! `dir/journal.tmp`, syncs it, renames it over `dir/journal` and syncs the directory, so
//! that after a crash the file is either the old journal or the new one.
//!
//! Reading: a frame cut short at the end of the file is a torn append and is dropped
//! (the file is truncated to the last whole frame before anything more is appended); so
//! is a last frame whose CRC fails. A damaged frame with more frames after it cannot be a
//! torn append and is refused with [`FileError::Corrupt`] naming its offset.

extern crate std;

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::vec::Vec;

use super::{JournalError, Piece, Plan, Record, Replay, Scan, Writer};

/// Bytes of a snapshot a chunk record holds in a file.
pub const FILE_CHUNK_LEN: usize = 4096;
const FRAME_HEAD: usize = 4;
const NAME: &str = "journal";
const TEMP: &str = "journal.tmp";

/// What went wrong with the journal file.
#[derive(Debug)]
#[non_exhaustive]
pub enum FileError {
    /// Reading, writing or syncing failed.
    Io(io::Error),
    /// The journal's records do not make a state (see [`JournalError`]).
    Journal(JournalError),
    /// A frame that is not at the end of the file is damaged (its length check or its
    /// record's CRC fails).
    Corrupt {
        /// Where the damaged frame starts in the file.
        offset: u64,
    },
}

impl From<io::Error> for FileError {
    fn from(error: io::Error) -> Self {
        Self::Io(error)
    }
}

impl From<JournalError> for FileError {
    fn from(error: JournalError) -> Self {
        Self::Journal(error)
    }
}

impl core::fmt::Display for FileError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::Io(error) => write!(f, "journal file: {error}"),
            Self::Journal(error) => write!(f, "journal file: {error}"),
            Self::Corrupt { offset } => {
                write!(
                    f,
                    "journal file: damaged record at byte {offset}, with records after it"
                )
            }
        }
    }
}

impl std::error::Error for FileError {}

/// What [`FileJournal::open`] recovered.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Recovered {
    /// The latest committed snapshot (`None` for a new journal).
    pub snapshot: Option<Vec<u8>>,
    /// The entries committed after it, in order.
    pub entries: Vec<Vec<u8>>,
    /// Bytes at the end of the file that were not a whole, valid record (a torn append)
    /// and were dropped.
    pub dropped_tail: u64,
}

/// A journal in `dir/journal`.
#[derive(Debug)]
pub struct FileJournal {
    dir: PathBuf,
    file: File,
    writer: Writer,
    len: u64,
}

/// Splits `bytes` into records; the length of the whole frames and the records.
fn frames(bytes: &[u8]) -> Result<(usize, Vec<&[u8]>), FileError> {
    let mut records = Vec::new();
    let mut at = 0usize;
    while let Some(rest) = bytes.get(at..) {
        let Some(&[l0, l1, c0, c1]) = rest.get(..FRAME_HEAD) else {
            break;
        };
        let len = u16::from_le_bytes([l0, l1]);
        if u16::from_le_bytes([c0, c1]) != !len {
            // A file system may leave zeros after the last append it completed.
            if rest.iter().all(|&b| b == 0) {
                break;
            }
            return Err(FileError::Corrupt { offset: at as u64 });
        }
        let end = FRAME_HEAD.saturating_add(usize::from(len));
        let Some(record) = rest.get(FRAME_HEAD..end) else {
            break;
        };
        if Record::decode(record).is_err() {
            if end == rest.len() {
                break;
            }
            return Err(FileError::Corrupt { offset: at as u64 });
        }
        records.push(record);
        at = at.saturating_add(end);
    }
    Ok((at, records))
}

fn frame(record: &[u8], out: &mut Vec<u8>) -> Result<(), FileError> {
    let len =
        u16::try_from(record.len()).map_err(|_| JournalError::TooLong { len: record.len() })?;
    out.extend_from_slice(&len.to_le_bytes());
    out.extend_from_slice(&(!len).to_le_bytes());
    out.extend_from_slice(record);
    Ok(())
}

fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

impl FileJournal {
    /// Opens (or creates) the journal in `dir` and recovers what it holds. A torn append
    /// at the end is dropped from the file; a file it cannot read is an error and is left
    /// as it is.
    pub fn open(dir: &Path) -> Result<(Self, Recovered), FileError> {
        fs::create_dir_all(dir)?;
        // A snapshot that was being written when the process stopped never took effect.
        match fs::remove_file(dir.join(TEMP)) {
            Err(error) if error.kind() != io::ErrorKind::NotFound => return Err(error.into()),
            _ => {}
        }
        let path = dir.join(NAME);
        let mut file = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .open(&path)?;
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes)?;
        let (valid, records) = frames(&bytes)?;
        let mut scan = Scan::new();
        for record in &records {
            scan.feed(record)?;
        }
        let plan = scan.finish()?;
        let mut replay = Replay::new(plan);
        let mut recovered = Recovered {
            snapshot: plan.snapshot.map(|_| Vec::new()),
            entries: Vec::new(),
            dropped_tail: bytes.len().saturating_sub(valid) as u64,
        };
        for record in &records {
            match replay.feed(record)? {
                Some(Piece::Chunk { bytes, .. }) => {
                    if let Some(snapshot) = recovered.snapshot.as_mut() {
                        snapshot.extend_from_slice(bytes);
                    }
                }
                Some(Piece::Entry(bytes)) => recovered.entries.push(bytes.to_vec()),
                None => {}
            }
        }
        let plan: Plan = replay.finish()?;
        if valid < bytes.len() {
            file.set_len(valid as u64)?;
            file.sync_all()?;
        }
        let journal = Self {
            dir: dir.to_path_buf(),
            file,
            writer: Writer::after(&plan),
            len: valid as u64,
        };
        Ok((journal, recovered))
    }

    /// Bytes in the journal file.
    pub const fn len(&self) -> u64 {
        self.len
    }

    /// Whether the journal file is empty (nothing was ever committed).
    pub const fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Entries committed since the latest snapshot.
    pub const fn entries(&self) -> u32 {
        self.writer.entries()
    }

    /// Commits one entry: appended and synced before this returns. Needs a snapshot
    /// first ([`JournalError::NoSnapshot`]).
    pub fn commit(&mut self, entry: &[u8]) -> Result<(), FileError> {
        let mut buf = std::vec![0u8; entry.len().saturating_add(super::RECORD_OVERHEAD)];
        let record = self.writer.entry(entry, &mut buf)?;
        let mut out = Vec::with_capacity(record.len().saturating_add(FRAME_HEAD));
        frame(record, &mut out)?;
        self.file.write_all(&out)?;
        self.file.sync_data()?;
        self.len = self.len.saturating_add(out.len() as u64);
        self.writer.entry_done();
        Ok(())
    }

    /// Commits `snapshot` in place of everything: a new file with its chunks and commit
    /// record, synced, renamed over the journal, the directory synced.
    pub fn snapshot(&mut self, snapshot: &[u8]) -> Result<(), FileError> {
        let mut out = Vec::with_capacity(snapshot.len().saturating_add(64));
        let mut buf = std::vec![0u8; FILE_CHUNK_LEN.saturating_add(super::RECORD_OVERHEAD)];
        let mut index = 0u32;
        while let Some(record) = self
            .writer
            .chunk(snapshot, FILE_CHUNK_LEN, index, &mut buf)?
        {
            frame(record, &mut out)?;
            index = index.saturating_add(1);
        }
        frame(
            self.writer.commit(snapshot, FILE_CHUNK_LEN, &mut buf)?,
            &mut out,
        )?;
        let temp = self.dir.join(TEMP);
        let mut file = File::create(&temp)?;
        file.write_all(&out)?;
        file.sync_all()?;
        drop(file);
        fs::rename(&temp, self.dir.join(NAME))?;
        sync_dir(&self.dir)?;
        self.file = OpenOptions::new().append(true).open(self.dir.join(NAME))?;
        self.len = out.len() as u64;
        self.writer.commit_done();
        Ok(())
    }
}
