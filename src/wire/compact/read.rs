//! The compact format's read side, once for every value read in place ([`ReadInPlace`]):
//! postcard decodes into the caller's storage, then the value must encode back to exactly
//! the input (through the writer's [`SameAs`](super::write::SameAs) sink, no buffer).

use serde::ser::Serialize;
use serde::Deserializer;

use super::write::encodes_as;
use crate::wire::DecodeError;

/// A compact read whose bytes are well formed but whose value is refused: the reason is
/// the visitor's value, not a serde error, because postcard's `no_std` error drops the
/// message of a custom one. Small, so that no decoded value travels back with it.
pub(crate) type Checked = Result<(), DecodeError>;

/// A value the compact format is read into in place (a task state, an allocation).
pub(crate) trait ReadInPlace: Serialize + Sized {
    /// An empty value.
    fn empty() -> Self;
    /// Empties the value in place (assigning [`empty`](ReadInPlace::empty) would build
    /// one on the stack first).
    fn make_empty(&mut self);
    /// Reads the compact layout into `out`, which is empty: a layout error is
    /// `D::Error`, a refused value the inner reason.
    fn checked_into<'de, D: Deserializer<'de>>(d: D, out: &mut Self) -> Result<Checked, D::Error>;
}

/// Decodes `bytes` into `out`, refusing trailing bytes and any input that does not
/// encode back to itself; on error `out` is left empty, never half decoded.
pub(crate) fn from_postcard_into<T: ReadInPlace>(
    bytes: &[u8],
    out: &mut T,
) -> Result<(), DecodeError> {
    let read = read_postcard_into(bytes, out);
    if read.is_err() {
        out.make_empty();
    }
    read
}

/// [`from_postcard_into`], by value.
#[inline(always)]
pub(crate) fn from_postcard<T: ReadInPlace>(bytes: &[u8]) -> Result<T, DecodeError> {
    let mut value = T::empty();
    from_postcard_into(bytes, &mut value)?;
    Ok(value)
}

/// Decodes, refuses trailing bytes, then re-encodes against the input without a buffer.
fn read_postcard_into<T: ReadInPlace>(bytes: &[u8], out: &mut T) -> Result<(), DecodeError> {
    out.make_empty();
    let mut de = postcard::Deserializer::from_bytes(bytes);
    T::checked_into(&mut de, out).map_err(|_| DecodeError::Malformed)??;
    let rest = de.finalize().map_err(|_| DecodeError::Malformed)?;
    if !rest.is_empty() {
        return Err(DecodeError::TrailingBytes);
    }
    if encodes_as(&*out, bytes) {
        Ok(())
    } else {
        Err(DecodeError::NonCanonical)
    }
}
