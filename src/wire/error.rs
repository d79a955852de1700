//! Why encoded bytes were refused (the wire formats' error).

/// Why an encoded task state, event or allocation was refused. Decoding never cuts or
/// repairs: it names what was wrong, and nothing is built.
///
/// The compact format's `from_postcard` functions return it; JSON decoding reports the
/// same reasons through the JSON library's error (their text is this type's `Display`).
///
/// ```
/// # #[cfg(feature = "serde")] {
/// use allocstate::{DecodeError, TaskState};
///
/// let mut buf = [0u8; TaskState::POSTCARD_MAX_SIZE];
/// let len = TaskState::new().to_postcard(&mut buf).unwrap().len();
/// assert_eq!(TaskState::from_postcard(&buf[..len + 1]), Err(DecodeError::TrailingBytes));
/// assert_eq!(TaskState::from_postcard(&buf[..len - 1]), Err(DecodeError::Malformed));
/// # }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum DecodeError {
    /// The bytes do not follow the layout: cut short, a bad varint, a `bool` or `Option`
    /// tag other than 0 or 1, invalid UTF-8.
    Malformed,
    /// A code byte no version of the layout uses.
    UnknownCode {
        /// What the code stands for (`"event kind"`, `"phase"`, …).
        field: &'static str,
        /// The refused code.
        code: u8,
    },
    /// The parts cannot be a task state: the invariant that breaks.
    InvalidState(crate::restore::TaskStateError),
    /// The parts cannot be an allocation: the invariant that breaks (the rules of
    /// [`Allocation::from_parts`](crate::Allocation::from_parts)).
    InvalidAllocation(crate::allocation::AllocationError),
    /// Valid, but not how the encoder writes it (so decode then encode would differ).
    NonCanonical,
    /// A string longer than its capacity: identities and counts are never cut.
    OverCapacity {
        /// Which string.
        field: &'static str,
    },
    /// Bytes left after a complete value.
    TrailingBytes,
    /// A JSON object names this field twice.
    DuplicateField(&'static str),
}

impl core::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match *self {
            DecodeError::Malformed => f.write_str("malformed input: it does not follow the layout"),
            DecodeError::UnknownCode { field, code } => write!(f, "unknown {field} code {code}"),
            DecodeError::InvalidState(why) => write!(f, "invalid task state: {why}"),
            DecodeError::InvalidAllocation(why) => write!(f, "invalid allocation: {why}"),
            DecodeError::NonCanonical => {
                f.write_str("non-canonical encoding: not how the encoder writes it")
            }
            DecodeError::OverCapacity { field } => write!(f, "`{field}` over capacity"),
            DecodeError::TrailingBytes => f.write_str("trailing bytes after the value"),
            DecodeError::DuplicateField(field) => write!(f, "duplicate field `{field}`"),
        }
    }
}

impl core::error::Error for DecodeError {}

impl From<crate::restore::TaskStateError> for DecodeError {
    fn from(why: crate::restore::TaskStateError) -> Self {
        DecodeError::InvalidState(why)
    }
}

impl From<crate::allocation::AllocationError> for DecodeError {
    fn from(why: crate::allocation::AllocationError) -> Self {
        DecodeError::InvalidAllocation(why)
    }
}
