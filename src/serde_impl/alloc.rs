//! The allocation on the wire: dispatch between Nomad's JSON and the compact format, and
//! the postcard entry points. The pieces both formats share are in `alloc_fields`.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::{alloc_binary, alloc_json, compact};
use crate::allocation::Allocation;

#[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
impl<const N: usize> Serialize for Allocation<N> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            alloc_json::serialize(self, s)
        } else {
            alloc_binary::serialize(self, s)
        }
    }
}

#[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
impl<'de, const N: usize> Deserialize<'de> for Allocation<N> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        if d.is_human_readable() {
            alloc_json::deserialize(d)
        } else {
            alloc_binary::deserialize(d)
        }
    }
}

#[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
impl<const N: usize> Allocation<N> {
    /// The largest compact (postcard) encoding of an `Allocation<N>`, in bytes, computed
    /// from its parts' maxima: a buffer this size always suffices for
    /// [`to_postcard`](Allocation::to_postcard).
    pub const POSTCARD_MAX_SIZE: usize = alloc_binary::max_size(N);

    /// Writes the compact encoding into `buf`; returns the used part.
    ///
    /// ```
    /// use allocstate::{Allocation, Role, TaskEvent};
    ///
    /// let mut group: Allocation<2> = Allocation::new();
    /// group.add_task("web", Role::leader()).unwrap();
    /// group.apply("web", TaskEvent::received(1)).unwrap();
    /// let mut buf = [0u8; Allocation::<2>::POSTCARD_MAX_SIZE];
    /// let bytes = group.to_postcard(&mut buf).unwrap();
    /// assert_eq!(Allocation::<2>::from_postcard(bytes), Ok(group));
    /// ```
    pub fn to_postcard<'b>(&self, buf: &'b mut [u8]) -> Result<&'b mut [u8], postcard::Error> {
        compact::to_slice(self, buf).map_err(Into::into)
    }

    /// Reads a compact encoding, refusing trailing bytes, anything invalid (see *Wire
    /// formats* in the [crate docs](crate)) and any non-canonical encoding: decode then
    /// encode is byte-identical.
    pub fn from_postcard(bytes: &[u8]) -> Result<Allocation<N>, postcard::Error> {
        let (alloc, rest) = postcard::take_from_bytes::<Allocation<N>>(bytes)?;
        if !rest.is_empty() {
            return Err(postcard::Error::DeserializeBadEncoding);
        }
        if !compact::encodes_as(&alloc, bytes) {
            return Err(postcard::Error::DeserializeBadEncoding);
        }
        Ok(alloc)
    }
}
