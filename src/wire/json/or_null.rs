//! A JSON value that Go may write as `null` (a nil map or slice): nothing to read.

use core::fmt;

use serde::de::{DeserializeSeed, Deserializer, Error, Visitor};

/// `null` (or absent, for serde's `Option` rule), else what `T` reads in place. `T` is
/// both the seed that reads the value and the visitor whose `expecting` says what it is.
pub(crate) struct OrNull<T>(pub(crate) T);

impl<'de, T> DeserializeSeed<'de> for OrNull<T>
where
    T: DeserializeSeed<'de, Value = ()> + Visitor<'de, Value = ()>,
{
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_option(self)
    }
}

impl<'de, T> Visitor<'de> for OrNull<T>
where
    T: DeserializeSeed<'de, Value = ()> + Visitor<'de, Value = ()>,
{
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("null or ")?;
        self.0.expecting(f)
    }

    fn visit_none<E: Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_unit<E: Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        self.0.deserialize(d)
    }
}
