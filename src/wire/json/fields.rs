//! A JSON object's field names, written once: [`json_fields!`] takes one row per field
//! (its name, and the value the serializer writes for it) and makes from that list the
//! serializer, the field enum the reader matches on, each field's name, the identifier
//! visitor (`visit_str`) and the list of every field read (`ALL`).

/// Declares a JSON object's fields, one row each, in the order they are written:
///
/// ```text
/// json_fields! {
///     /// What the enum is.
///     pub(super) enum Field: "a task state field name";
///     /// What the serializer writes.
///     pub(crate) fn write(task: &TaskState, zero: ZeroTime) as "TaskState" {
///     // or, generic over a capacity: `fn write<const N: usize>(alloc: &Allocation<N>) as …`
///         State => &task.state(),
///         VaultError (written only) => "",
///     }
/// }
/// ```
///
/// Each row's identifier is the field's JSON name (Nomad's are PascalCase, as Go writes
/// its struct fields), so the name is not written a second time. A row marked
/// `(written only)` is written but not read: the reader skips it like any field it does
/// not know (`Other`).
///
/// It makes:
/// - the enum, one variant per field read, in the order of the rows, and `Other`; a
///   variant's position is its code (`field as u32`, a bit in a "seen" mask);
/// - `ALL`, every variant read in that order, `name()`, the field's JSON name
///   (`None` for `Other`, which is never a duplicate), and `repeated_in()`, which marks
///   a field read and names it when it was read before;
/// - `Deserialize` for the enum, through `deserialize_identifier` and a `visit_str` that
///   matches the names (an unknown one is `Other`);
/// - the serializer: a struct of the given name with every row's field, in order.
macro_rules! json_fields {
    (
        $(#[$meta:meta])*
        $vis:vis enum $Field:ident: $expecting:literal;
        $(#[$wmeta:meta])*
        $wvis:vis fn $write:ident $(<const $n:ident: usize>)? ($($arg:ident: $ty:ty),* $(,)?)
            as $struct_name:literal {
            $($rows:tt)*
        }
    ) => {
        $crate::wire::json::fields::json_fields!(@rows
            [$(#[$meta])* $vis $Field $expecting]
            [$(#[$wmeta])* $wvis $write [$($n)?] ($($arg: $ty),*) $struct_name]
            [] []
            $($rows)*
        );
    };
    // A field written but not read.
    (@rows $enum:tt $fn:tt [$($read:ident)*] [$($all:tt)*]
        $name:ident (written only) => $value:expr $(, $($rest:tt)*)?
    ) => {
        $crate::wire::json::fields::json_fields!(@rows $enum $fn
            [$($read)*] [$($all)* ($name, $value)] $($($rest)*)?);
    };
    // A field written and read.
    (@rows $enum:tt $fn:tt [$($read:ident)*] [$($all:tt)*]
        $name:ident => $value:expr $(, $($rest:tt)*)?
    ) => {
        $crate::wire::json::fields::json_fields!(@rows $enum $fn
            [$($read)* $name] [$($all)* ($name, $value)] $($($rest)*)?);
    };
    // Every row taken: the items.
    (@rows
        [$(#[$meta:meta])* $vis:vis $Field:ident $expecting:literal]
        [$(#[$wmeta:meta])* $wvis:vis $write:ident [$($n:ident)?] ($($arg:ident: $ty:ty),*) $struct_name:literal]
        [$($read:ident)*] [$(($name:ident, $value:expr))*]
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy)]
        $vis enum $Field {
            $(
                #[doc = concat!("`", stringify!($read), "`.")]
                $read,
            )*
            /// Any other field: skipped.
            Other,
        }

        impl $Field {
            /// Every field read, in the order written; a field's position is its code.
            #[allow(dead_code)]
            $vis const ALL: [$Field; <[()]>::len(&[$($crate::wire::json::fields::json_fields!(@unit $read)),*])] =
                [$($Field::$read),*];

            /// The field's JSON name, for a duplicate; `None` for the skipped ones.
            $vis fn name(self) -> Option<&'static str> {
                Some(match self {
                    $($Field::$read => stringify!($read),)*
                    $Field::Other => return None,
                })
            }

            /// Marks the field read in `seen` (a bit per field's code); its name if it was
            /// read before, which the reader refuses. `Other` is never a repeat.
            $vis fn repeated_in(self, seen: &mut u32) -> Option<&'static str> {
                const { assert!(Self::ALL.len() <= 32, "a field's code is a bit of a u32") };
                let name = self.name()?;
                let bit = 1u32 << (self as u32);
                if *seen & bit != 0 {
                    return Some(name);
                }
                *seen |= bit;
                None
            }
        }

        impl<'de> serde::Deserialize<'de> for $Field {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                struct Names;

                impl serde::de::Visitor<'_> for Names {
                    type Value = $Field;

                    fn expecting(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                        f.write_str($expecting)
                    }

                    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<$Field, E> {
                        Ok(match v {
                            $(stringify!($read) => $Field::$read,)*
                            _ => $Field::Other,
                        })
                    }
                }

                d.deserialize_identifier(Names)
            }
        }

        $(#[$wmeta])*
        $wvis fn $write<$(const $n: usize,)? S: serde::Serializer>(
            $($arg: $ty,)* s: S
        ) -> Result<S::Ok, S::Error> {
            use serde::ser::SerializeStruct;
            let len = <[()]>::len(&[$($crate::wire::json::fields::json_fields!(@unit $name)),*]);
            let mut st = s.serialize_struct($struct_name, len)?;
            $(st.serialize_field(stringify!($name), $value)?;)*
            st.end()
        }
    };
    (@unit $name:ident) => {
        ()
    };
}

pub(crate) use json_fields;
