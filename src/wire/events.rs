//! A task's held events as one sequence, oldest first: what both formats write for
//! `Events` (each event in the serializer's own format).

use serde::ser::{Serialize, SerializeSeq, Serializer};

use crate::ring::EventRing;

/// The events, oldest first, as a sequence.
pub(crate) struct Events<'a>(pub(crate) &'a EventRing);

impl Serialize for Events<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.0.len()))?;
        for event in self.0 {
            seq.serialize_element(event)?;
        }
        seq.end()
    }
}
