//! The compact format (postcard's wire format, written by the crate itself): the layout of
//! each value is in the crate docs, *Wire formats*.

pub(crate) mod alloc;
pub(crate) mod event;
mod read;
pub(crate) mod state;
mod write;

pub(crate) use read::{from_postcard, from_postcard_into, Checked, ReadInPlace};
pub(crate) use write::to_slice;
