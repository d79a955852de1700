//! Record framing: a record's kind, epoch, index or sequence, payload and CRC, as bytes
//! ([`Record::encode`]) and back ([`Record::decode`]).

use super::crc::Crc32;
use super::error::JournalError;

/// Bytes a record adds to its payload: kind (1), epoch (4), index or sequence (4), CRC (4).
pub const RECORD_OVERHEAD: usize = 13;
/// Bytes of a commit record (its payload is the snapshot's length and CRC).
pub const COMMIT_RECORD_LEN: usize = RECORD_OVERHEAD + 8;

const KIND_CHUNK: u8 = 0x11;
const KIND_COMMIT: u8 = 0x12;
const KIND_ENTRY: u8 = 0x13;

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
