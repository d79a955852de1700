//! Go's zero time on the wire: `null` as Nomad's HTTP API writes it, or encoding/json's
//! `"0001-01-01T00:00:00Z"`; both are read alike.

/// How Nomad's JSON writes Go's zero time: `LastRestart` of a task that never restarted,
/// `StartedAt` of one that never started, `FinishedAt` of one still running. Both forms
/// are read alike; this chooses the one written (see docs/reading-nomad.md).
#[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum ZeroTime {
    /// `null`, as Nomad's HTTP API writes it: its handlers encode with go-msgpack's JSON
    /// codec (`nomad/jsonhandles/handlers.go`, `JsonHandle`), which writes a zero
    /// `time.Time` as `null`. What [`Serialize`](serde::Serialize) writes.
    #[default]
    Null,
    /// `"0001-01-01T00:00:00Z"`, as Go's `encoding/json` writes it (`time.Time.MarshalJSON`),
    /// e.g. a program that re-encodes the structs of Nomad's `api` package.
    EncodingJson,
}

/// A task state or an allocation written as Nomad's JSON with the zero time in the form
/// chosen; with a binary (not human-readable) serializer, the value's compact layout, as
/// its own [`Serialize`](serde::Serialize) writes it.
///
/// ```
/// use allocstate::{TaskState, WithZeroTime, ZeroTime};
///
/// let task = TaskState::new();
/// let api = serde_json::to_string(&task)?;
/// assert!(api.contains(r#""StartedAt":null"#));
/// let go = serde_json::to_string(&WithZeroTime(&task, ZeroTime::EncodingJson))?;
/// assert!(go.contains(r#""StartedAt":"0001-01-01T00:00:00Z""#));
/// // Either reads back as the same state.
/// assert_eq!(serde_json::from_str::<TaskState>(&go)?, task);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
#[derive(Debug, Clone, Copy)]
pub struct WithZeroTime<'a, T: ?Sized>(pub &'a T, pub ZeroTime);
