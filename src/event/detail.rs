//! [`Detail`]: what an event says beyond its kind and time, typed per kind, and how it
//! is stored in an event's numbers and text slots.

use crate::kind::{kind_rows, EventKind};
#[cfg(feature = "serde")]
use crate::kind::{shape, Form, Key};
use crate::text::Packed;

use super::Annotations;
// Named by the docs' links.
#[cfg(doc)]
use super::TaskEvent;

/// The numeric annotations; which ones mean something depends on the kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[repr(C)]
pub(crate) struct Numbers {
    /// `ExitCode`, `StartDelay`, `KillTimeout` or `DiskLimit`.
    pub(crate) value: i64,
    /// `Signal` of `Terminated`.
    pub(crate) signal: i32,
    /// `oom_killed` of `Terminated`.
    pub(crate) oom_killed: Oom,
}

/// `Details["oom_killed"]`: 0 when not reported, 1 false, 2 true. Not an
/// `Option<bool>`, whose `None` is 2: an empty ring slot is then all zero bytes, so a
/// `static` task state lands in `.bss`, not `.data`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Oom(u8);

impl Oom {
    pub(crate) const fn of(reported: Option<bool>) -> Oom {
        match reported {
            None => Oom(0),
            Some(false) => Oom(1),
            Some(true) => Oom(2),
        }
    }

    pub(crate) const fn get(self) -> Option<bool> {
        match self.0 {
            0 => None,
            1 => Some(false),
            _ => Some(true),
        }
    }
}

/// A `Detail` field's type, by the name the kinds' lines give it (`kind_rows!`):
/// `DetailsText` is a text that Nomad keeps in `Details` only, with no field of its own.
macro_rules! field_type {
    (Text) => { &'a str };
    (DetailsText) => { &'a str };
    (OptionBool) => { Option<bool> };
    (OptionAnnotations) => { Option<Annotations<'a>> };
    ($number:ty) => { $number };
}

/// A field's zero value, by its type's name.
macro_rules! zero {
    (Text) => {
        ""
    };
    (DetailsText) => {
        ""
    };
    (OptionBool) => {
        None
    };
    (OptionAnnotations) => {
        None
    };
    ($number:ty) => {
        0
    };
}

/// A `Detail` from the stored parts, by the kind's layout: the inverse of [`stored!`].
macro_rules! assembled {
    ($variant:ident, Nothing, $parts:ident;) => {
        Detail::$variant
    };
    ($variant:ident, Text, $parts:ident; $a:ident) => {
        Detail::$variant { $a: $parts.first }
    };
    ($variant:ident, TwoTexts, $parts:ident; $a:ident, $b:ident) => {
        Detail::$variant {
            $a: $parts.first,
            $b: $parts.second,
        }
    };
    ($variant:ident, NumberText, $parts:ident; $n:ident, $a:ident) => {
        Detail::$variant {
            $n: $parts.numbers.value,
            $a: $parts.first,
        }
    };
    ($variant:ident, Number, $parts:ident; $n:ident) => {
        Detail::$variant {
            $n: $parts.numbers.value,
        }
    };
    ($variant:ident, Exit, $parts:ident; $code:ident, $signal:ident, $oom:ident) => {
        Detail::$variant {
            $code: i32::try_from($parts.numbers.value).unwrap_or_default(),
            $signal: $parts.numbers.signal,
            $oom: $parts.numbers.oom_killed.get(),
        }
    };
    ($variant:ident, SignalTexts, $parts:ident; $a:ident, $b:ident, $c:ident) => {{
        let mut packed = Packed($parts.second).iter();
        Detail::$variant {
            $a: $parts.first,
            $b: packed.next().unwrap_or(""),
            $c: packed.next().unwrap_or(""),
        }
    }};
    ($variant:ident, Annotated, $parts:ident; $a:ident, $b:ident) => {
        Detail::$variant {
            $a: $parts.first,
            $b: (!$parts.details_null).then_some(Annotations(Packed($parts.second))),
        }
    };
}

/// The stored parts of a `Detail`'s fields, by the kind's layout: the numbers, the first
/// slot's text, and what the second slot keeps.
macro_rules! stored {
    (Nothing, $none:ident;) => {
        ($none, "", Second::Plain(""))
    };
    (Text, $none:ident; $a:ident) => {
        ($none, $a, Second::Plain(""))
    };
    (TwoTexts, $none:ident; $a:ident, $b:ident) => {
        ($none, $a, Second::Plain($b))
    };
    (NumberText, $none:ident; $n:ident, $a:ident) => {
        (Numbers { value: $n, ..$none }, $a, Second::Plain(""))
    };
    (Number, $none:ident; $n:ident) => {
        (Numbers { value: $n, ..$none }, "", Second::Plain(""))
    };
    (Exit, $none:ident; $code:ident, $signal:ident, $oom:ident) => {
        (
            Numbers {
                value: i64::from($code),
                signal: $signal,
                oom_killed: Oom::of($oom),
            },
            "",
            Second::Plain(""),
        )
    };
    (SignalTexts, $none:ident; $a:ident, $b:ident, $c:ident) => {
        ($none, $a, Second::Signal($b, $c))
    };
    (Annotated, $none:ident; $a:ident, $b:ident) => {
        ($none, $a, Second::Annotations($b))
    };
}

/// The `Detail` enum and its conversions, from the kinds' lines: a variant per kind named
/// as the kind, its fields and their docs as the line gives them, and per the line's
/// layout how they go to and come from the event's numbers and text slots.
macro_rules! detail_items {
    (
        $(
            $(#[$doc:meta])*
            $variant:ident = $code:literal => $name:literal:
                $books:ident, [$($key:ident),*],
                $layout:ident $({ $( $(#[$field_doc:meta])* $field:ident: $ty:tt ),* })?,
                shows $show:tt,
        )*
        _ => Unknown: $u_books:ident, [], $u_layout:ident {
            $(#[$u_field_doc:meta])* $u_field:ident: $u_ty:tt
        }, shows $u_show:tt,
    ) => {
        /// What an event says beyond its kind and time: the annotations Nomad populates for each
        /// kind, as typed values. Borrowed, so it serves both to build an event
        /// ([`TaskEvent::new`]) and to read one ([`TaskEvent::detail`]).
        ///
        /// Nomad's free `Message` (the exit message of `Terminated`), the `DisplayMessage` override
        /// and the `FailsTask` flag can go on any kind and live on [`TaskEvent`] itself.
        ///
        /// A new kind brings a new variant (`non_exhaustive`).
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        #[cfg_attr(feature = "defmt", derive(defmt::Format))]
        #[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
        #[non_exhaustive]
        pub enum Detail<'a> {
            $(
                #[doc = concat!("`", $name, "`.")]
                $(#[$doc])*
                $variant $({ $( $(#[$field_doc])* $field: field_type!($ty) ),* })?,
            )*
            /// A type string this crate does not know.
            Unknown { $(#[$u_field_doc])* $u_field: field_type!($u_ty) },
        }

        impl<'a> Detail<'a> {
            /// The kind of event this detail belongs to.
            #[must_use]
            pub fn kind(&self) -> EventKind {
                match self {
                    $(Detail::$variant { .. } => EventKind::$variant,)*
                    Detail::Unknown { .. } => EventKind::Unknown,
                }
            }

            /// The detail of a kind with every annotation at its zero value.
            #[must_use]
            pub fn empty(kind: EventKind) -> Detail<'static> {
                match kind {
                    $(EventKind::$variant => Detail::$variant $({ $($field: zero!($ty)),* })?,)*
                    EventKind::Unknown => Detail::Unknown { $u_field: zero!($u_ty) },
                }
            }

            /// The detail of `kind` from its stored parts: the inverse of
            /// [`Detail::parts`].
            pub(crate) fn assemble(
                kind: EventKind,
                numbers: Numbers,
                first: &'a str,
                second: &'a str,
                details_null: bool,
            ) -> Detail<'a> {
                let parts = Stored { numbers, first, second, details_null };
                match kind {
                    $(EventKind::$variant => assembled!($variant, $layout, parts; $($($field),*)?),)*
                    EventKind::Unknown => assembled!(Unknown, $u_layout, parts; $u_field),
                }
            }

            /// Splits into the stored parts: numbers and the two kind-specific strings,
            /// the second as the strings to pack when the kind packs it.
            pub(super) fn parts(&self) -> (Numbers, &'a str, Second<'a>) {
                let none = Numbers::default();
                match *self {
                    $(Detail::$variant $({ $($field),* })? => stored!($layout, none; $($($field),*)?),)*
                    Detail::Unknown { $u_field } => stored!($u_layout, none; $u_field),
                }
            }
        }
    };
}
kind_rows!(detail_items);

/// What an event stores of its detail, as [`Detail::assemble`] reads it back.
#[derive(Clone, Copy)]
struct Stored<'a> {
    numbers: Numbers,
    first: &'a str,
    second: &'a str,
    /// Whether `Details` is `null` (a `Driver` event with no annotations).
    details_null: bool,
}

/// What a kind keeps in its second slot.
pub(crate) enum Second<'a> {
    Plain(&'a str),
    /// `Signaling`: the reason and the signal text, packed.
    Signal(&'a str, &'a str),
    /// `Driver`: the annotations, packed as key, value, key, value…
    Annotations(Option<Annotations<'a>>),
}

/// A `Details` value before it is written: Nomad stores every value as a string.
#[cfg(feature = "serde")]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Value<'a> {
    Text(&'a str),
    /// Written with `%d`.
    Int(i64),
    /// Written as Go's `Duration.String()`.
    Duration(i64),
}

impl<'a> Detail<'a> {
    /// The value of one of the kind's own keys, read from the stored parts through the
    /// kind's row: its number keys take the numbers in order (`value`, then `signal`), its
    /// text keys the strings in order (the first slot, then the second or its packed
    /// pieces). Zero for a key the kind does not have.
    #[cfg(feature = "serde")]
    pub(crate) fn value(&self, key: Key) -> Value<'a> {
        let (numbers, first, second) = self.parts();
        let keys = shape(self.kind()).keys;
        let texts = match second {
            Second::Plain(second) => [first, second, ""],
            Second::Signal(reason, signal) => [first, reason, signal],
            Second::Annotations(_) => [first, "", ""],
        };
        let ints = [numbers.value, i64::from(numbers.signal)];
        let form = key.form();
        let position = keys
            .iter()
            .filter(|own| (own.form() == Form::Text) == (form == Form::Text))
            .position(|own| *own == key);
        match form {
            Form::Text => Value::Text(position.and_then(|at| texts.get(at)).copied().unwrap_or("")),
            Form::Int => Value::Int(position.and_then(|at| ints.get(at)).copied().unwrap_or(0)),
            Form::Duration => {
                Value::Duration(position.and_then(|at| ints.get(at)).copied().unwrap_or(0))
            }
        }
    }
}
