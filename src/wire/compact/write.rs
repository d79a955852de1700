//! The compact format's writer: a serde `Serializer` that writes postcard's wire format
//! (varints, zigzag for signed integers, a 0/1 byte before an `Option`'s value, a varint
//! length before a string or a sequence, nothing around a tuple).
//!
//! Why the crate writes its own bytes instead of calling `postcard::to_slice`: postcard
//! 1.2 rewrote its varint encoder with a bounds check the optimiser keeps, so a panic path
//! survives in every encode, and the link-time panic proof (`ci/panic-check`) refuses it.
//! Pinning postcard below 1.2 would stop every project that already holds 1.2 from
//! resolving. The format is specified byte for byte (crate docs, *Compact format*) and is
//! small, so it is written here, with no indexing and no arithmetic that can overflow,
//! whatever postcard 1.x the user's graph resolves. postcard still reads it
//! (`take_from_bytes`), and the tests check the bytes against `postcard::to_allocvec`.
//!
//! Two sinks: [`SliceSink`] fills a caller's buffer; [`SameAs`] writes nothing and checks
//! each byte against an input already read, so a decoder re-encodes without a buffer.

use core::fmt;

use serde::ser::{self, Serialize};

/// Why the writer stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CompactError {
    /// The buffer is full (or, for [`SameAs`], the bytes differ from the input).
    Full,
    /// A value the compact format has no shape for (a sequence of unknown length), or a
    /// `Serialize` implementation's own error.
    Unsupported,
}

impl fmt::Display for CompactError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            CompactError::Full => "the compact encoding does not fit",
            CompactError::Unsupported => "a value the compact format cannot write",
        })
    }
}

impl ser::StdError for CompactError {}

impl ser::Error for CompactError {
    fn custom<T: fmt::Display>(_msg: T) -> Self {
        CompactError::Unsupported
    }
}

/// The public API reports postcard's error type (the decoder's is postcard's own).
impl From<CompactError> for postcard::Error {
    fn from(error: CompactError) -> Self {
        match error {
            CompactError::Full => postcard::Error::SerializeBufferFull,
            CompactError::Unsupported => postcard::Error::SerdeSerCustom,
        }
    }
}

/// Where the bytes go.
pub(crate) trait Sink {
    fn push(&mut self, byte: u8) -> Result<(), CompactError>;

    fn extend(&mut self, bytes: &[u8]) -> Result<(), CompactError> {
        bytes.iter().try_for_each(|b| self.push(*b))
    }
}

/// Fills a caller's buffer from the start.
pub(crate) struct SliceSink<'b> {
    rest: &'b mut [u8],
    written: usize,
}

impl<'b> SliceSink<'b> {
    pub(crate) fn new(buf: &'b mut [u8]) -> Self {
        SliceSink {
            rest: buf,
            written: 0,
        }
    }
}

impl Sink for SliceSink<'_> {
    fn push(&mut self, byte: u8) -> Result<(), CompactError> {
        let (first, rest) = core::mem::take(&mut self.rest)
            .split_first_mut()
            .ok_or(CompactError::Full)?;
        *first = byte;
        self.rest = rest;
        // At most the buffer's length, itself at most `isize::MAX`.
        self.written = self.written.saturating_add(1);
        Ok(())
    }

    fn extend(&mut self, bytes: &[u8]) -> Result<(), CompactError> {
        let rest = core::mem::take(&mut self.rest);
        let Some((head, tail)) = rest.split_at_mut_checked(bytes.len()) else {
            return Err(CompactError::Full);
        };
        head.copy_from_slice(bytes);
        self.rest = tail;
        self.written = self.written.saturating_add(bytes.len());
        Ok(())
    }
}

/// Writes nothing and checks each byte against `expected`: re-encoding an input just read
/// without a buffer (whose size cannot depend on `N` on stable Rust).
pub(crate) struct SameAs<'a> {
    pub(crate) expected: &'a [u8],
}

impl SameAs<'_> {
    /// Whether every expected byte was written.
    pub(crate) fn is_complete(&self) -> bool {
        self.expected.is_empty()
    }
}

impl Sink for SameAs<'_> {
    fn push(&mut self, byte: u8) -> Result<(), CompactError> {
        match self.expected.split_first() {
            Some((first, rest)) if *first == byte => {
                self.expected = rest;
                Ok(())
            }
            _ => Err(CompactError::Full),
        }
    }

    fn extend(&mut self, bytes: &[u8]) -> Result<(), CompactError> {
        self.expected = self
            .expected
            .strip_prefix(bytes)
            .ok_or(CompactError::Full)?;
        Ok(())
    }
}

/// Writes `value` into `buf` in the compact format; returns the used part.
pub(crate) fn to_slice<'b, T: Serialize + ?Sized>(
    value: &T,
    buf: &'b mut [u8],
) -> Result<&'b mut [u8], CompactError> {
    let mut sink = SliceSink::new(&mut *buf);
    value.serialize(&mut Compact(&mut sink))?;
    let written = sink.written;
    buf.get_mut(..written).ok_or(CompactError::Full)
}

/// Whether `value`'s compact encoding is exactly `expected`.
pub(crate) fn encodes_as<T: Serialize + ?Sized>(value: &T, expected: &[u8]) -> bool {
    let mut sink = SameAs { expected };
    value.serialize(&mut Compact(&mut sink)).is_ok() && sink.is_complete()
}

/// The serializer over a sink.
pub(crate) struct Compact<'s, K: Sink>(pub(crate) &'s mut K);

impl<K: Sink> Compact<'_, K> {
    /// Seven bits a byte, low first, the high bit set on every byte but the last.
    fn varint(&mut self, mut value: u64) -> Result<(), CompactError> {
        loop {
            let low = (value & 0x7f) as u8;
            value = value.wrapping_shr(7);
            if value == 0 {
                return self.0.push(low);
            }
            self.0.push(low | 0x80)?;
        }
    }

    fn zigzag(&mut self, value: i64) -> Result<(), CompactError> {
        self.varint((value.wrapping_shl(1) ^ value.wrapping_shr(63)) as u64)
    }

    /// `u128` and `i128` (zigzagged) are varints too: the groups above 64 bits, then the
    /// 64-bit path.
    fn varint128(&mut self, mut value: u128) -> Result<(), CompactError> {
        while value > u128::from(u64::MAX) {
            self.0.push((value & 0x7f) as u8 | 0x80)?;
            value = value.wrapping_shr(7);
        }
        self.varint(value as u64)
    }

    fn length(&mut self, len: usize) -> Result<(), CompactError> {
        self.varint(len as u64)
    }

    fn bytes(&mut self, bytes: &[u8]) -> Result<(), CompactError> {
        self.length(bytes.len())?;
        self.0.extend(bytes)
    }
}

/// Counts the bytes a `Display` writes, so `collect_str` can write the length first.
struct Count(usize);

impl fmt::Write for Count {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.0 = self.0.saturating_add(s.len());
        Ok(())
    }
}

/// Passes a `Display`'s text on to the sink.
struct Pass<'s, K: Sink>(&'s mut K);

impl<K: Sink> fmt::Write for Pass<'_, K> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.0.extend(s.as_bytes()).map_err(|_| fmt::Error)
    }
}

/// Integers wider than a byte: varints, signed ones zigzagged, all through the 64-bit path.
macro_rules! wider_integers {
    ($($method:ident($ty:ty) => $via:ident),*) => {$(
        fn $method(self, v: $ty) -> Result<(), CompactError> {
            self.$via(v.into())
        }
    )*};
}

impl<'a, 's, K: Sink> ser::Serializer for &'a mut Compact<'s, K> {
    type Ok = ();
    type Error = CompactError;
    type SerializeSeq = Self;
    type SerializeTuple = Self;
    type SerializeTupleStruct = Self;
    type SerializeTupleVariant = Self;
    type SerializeMap = Self;
    type SerializeStruct = Self;
    type SerializeStructVariant = Self;

    fn is_human_readable(&self) -> bool {
        false
    }

    fn serialize_bool(self, v: bool) -> Result<(), CompactError> {
        self.0.push(u8::from(v))
    }
    fn serialize_i8(self, v: i8) -> Result<(), CompactError> {
        self.0.push(v as u8)
    }
    fn serialize_u8(self, v: u8) -> Result<(), CompactError> {
        self.0.push(v)
    }
    wider_integers!(
        serialize_i16(i16) => zigzag,
        serialize_i32(i32) => zigzag,
        serialize_i64(i64) => zigzag,
        serialize_u16(u16) => varint,
        serialize_u32(u32) => varint,
        serialize_u64(u64) => varint
    );
    fn serialize_i128(self, v: i128) -> Result<(), CompactError> {
        self.varint128((v.wrapping_shl(1) ^ v.wrapping_shr(127)) as u128)
    }
    fn serialize_u128(self, v: u128) -> Result<(), CompactError> {
        self.varint128(v)
    }
    fn serialize_f32(self, v: f32) -> Result<(), CompactError> {
        self.0.extend(&v.to_le_bytes())
    }
    fn serialize_f64(self, v: f64) -> Result<(), CompactError> {
        self.0.extend(&v.to_le_bytes())
    }
    fn serialize_char(self, v: char) -> Result<(), CompactError> {
        self.bytes(v.encode_utf8(&mut [0u8; 4]).as_bytes())
    }
    fn serialize_str(self, v: &str) -> Result<(), CompactError> {
        self.bytes(v.as_bytes())
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<(), CompactError> {
        self.bytes(v)
    }
    fn serialize_none(self) -> Result<(), CompactError> {
        self.0.push(0)
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), CompactError> {
        self.0.push(1)?;
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), CompactError> {
        Ok(())
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result<(), CompactError> {
        Ok(())
    }
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        index: u32,
        _variant: &'static str,
    ) -> Result<(), CompactError> {
        self.varint(index.into())
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<(), CompactError> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        index: u32,
        _variant: &'static str,
        value: &T,
    ) -> Result<(), CompactError> {
        self.varint(index.into())?;
        value.serialize(self)
    }
    fn serialize_seq(self, len: Option<usize>) -> Result<Self, CompactError> {
        self.length(len.ok_or(CompactError::Unsupported)?)?;
        Ok(self)
    }
    fn serialize_tuple(self, _len: usize) -> Result<Self, CompactError> {
        Ok(self)
    }
    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Self, CompactError> {
        Ok(self)
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self, CompactError> {
        self.varint(index.into())?;
        Ok(self)
    }
    /// A map is written as a sequence is: its length, then its entries.
    fn serialize_map(self, len: Option<usize>) -> Result<Self, CompactError> {
        self.serialize_seq(len)
    }
    fn serialize_struct(self, _name: &'static str, _len: usize) -> Result<Self, CompactError> {
        Ok(self)
    }
    /// A struct variant is written as a tuple variant is: its index, then its fields.
    fn serialize_struct_variant(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Self, CompactError> {
        self.serialize_tuple_variant(name, index, variant, len)
    }
    fn collect_str<T: fmt::Display + ?Sized>(self, value: &T) -> Result<(), CompactError> {
        let mut count = Count(0);
        fmt::write(&mut count, format_args!("{value}")).map_err(|_| CompactError::Unsupported)?;
        self.length(count.0)?;
        fmt::write(&mut Pass(&mut *self.0), format_args!("{value}")).map_err(|_| CompactError::Full)
    }
}

/// One element after another, for every compound shape (the shapes differ only in what
/// comes before the elements, written when the compound starts).
macro_rules! elements {
    ($($trait:ident :: $method:ident),*) => {$(
        impl<K: Sink> ser::$trait for &mut Compact<'_, K> {
            type Ok = ();
            type Error = CompactError;

            fn $method<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), CompactError> {
                value.serialize(&mut **self)
            }

            fn end(self) -> Result<(), CompactError> {
                Ok(())
            }
        }
    )*};
}

elements!(
    SerializeSeq::serialize_element,
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field,
    SerializeTupleVariant::serialize_field
);

impl<K: Sink> ser::SerializeMap for &mut Compact<'_, K> {
    type Ok = ();
    type Error = CompactError;

    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), CompactError> {
        key.serialize(&mut **self)
    }

    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), CompactError> {
        value.serialize(&mut **self)
    }

    fn end(self) -> Result<(), CompactError> {
        Ok(())
    }
}

macro_rules! fields {
    ($($trait:ident),*) => {$(
        impl<K: Sink> ser::$trait for &mut Compact<'_, K> {
            type Ok = ();
            type Error = CompactError;

            fn serialize_field<T: Serialize + ?Sized>(
                &mut self,
                _key: &'static str,
                value: &T,
            ) -> Result<(), CompactError> {
                value.serialize(&mut **self)
            }

            fn end(self) -> Result<(), CompactError> {
                Ok(())
            }
        }
    )*};
}

fields!(SerializeStruct, SerializeStructVariant);

#[cfg(test)]
mod tests {
    extern crate std;
    use std::vec::Vec;

    use super::*;

    fn ours<T: Serialize>(value: &T) -> Vec<u8> {
        let mut buf = [0u8; 64];
        to_slice(value, &mut buf).unwrap().to_vec()
    }

    fn postcards<T: Serialize>(value: &T) -> Vec<u8> {
        let mut buf = [0u8; 64];
        postcard::to_slice(value, &mut buf).unwrap().to_vec()
    }

    #[test]
    fn writes_the_bytes_postcard_writes() {
        let cases: [(i64, u64); 7] = [
            (0, 0),
            (-1, 1),
            (1, 127),
            (-64, 128),
            (63, 16_384),
            (i64::MIN, u64::MAX),
            (i64::MAX, u64::MAX - 1),
        ];
        for (signed, unsigned) in cases {
            let value = (
                i128::from(signed),
                u128::from(unsigned) << 64,
                signed,
                unsigned,
                signed as i32,
                Some(true),
                None::<u8>,
                "naïve",
                7u8,
                [1u16, 300],
            );
            assert_eq!(ours(&value), postcards(&value), "{value:?}");
        }
    }

    #[test]
    fn a_full_buffer_is_an_error_not_a_cut() {
        let mut buf = [0u8; 3];
        assert_eq!(to_slice("four", &mut buf), Err(CompactError::Full));
        assert_eq!(to_slice("abc", &mut [0u8; 4]).map(|b| b.len()), Ok(4));
    }

    #[test]
    fn same_as_accepts_only_the_exact_bytes() {
        let bytes = ours(&(300u64, "x"));
        assert!(encodes_as(&(300u64, "x"), &bytes));
        assert!(!encodes_as(&(300u64, "y"), &bytes));
        assert!(!encodes_as(&(300u64,), &bytes), "a prefix is not the input");
        assert!(
            !encodes_as(&(300u64, "xx"), &bytes),
            "longer than the input"
        );
    }
}
