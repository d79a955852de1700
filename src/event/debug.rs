//! An event's `Debug` form.

use crate::head::Keys;
use crate::kind::{own_keys, EventKind};

use super::{Detail, TaskEvent};

/// The event as a reader wants it: kind, time, the annotations by name, then what is
/// set of `Message`, the override, `FailsTask`, the `Details` keys carried and the cut.
impl core::fmt::Debug for TaskEvent {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let mut out = f.debug_struct("TaskEvent");
        out.field("kind", &self.kind())
            .field("time", &self.time)
            .field("detail", &self.detail());
        if !self.message().is_empty() {
            out.field("message", &self.message());
        }
        if let Some(display) = self.display_message_override() {
            out.field("display_message", &display);
        }
        if self.fails_task() {
            out.field("fails_task", &true);
        }
        out.field("details", &DetailsKeys(self));
        if self.is_truncated() {
            out.field("truncated", &true);
        }
        out.finish()
    }
}

/// The `Details` keys an event carries, by name (`null` for none at all).
struct DetailsKeys<'a>(&'a TaskEvent);

impl core::fmt::Debug for DetailsKeys<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let event = self.0;
        let keys = event.head.keys();
        if keys.has(Keys::NULL) {
            return f.write_str("null");
        }
        if event.kind() == EventKind::Driver {
            return f.write_str("annotations");
        }
        let message = if event.kind() == EventKind::Terminated {
            "exit_message"
        } else {
            "message"
        };
        let own = own_keys(event.kind())
            .iter()
            .enumerate()
            .filter(|(index, _)| keys.has(Keys::annotation(*index)))
            .map(|(_, key)| key.name());
        let mut list = f.debug_list();
        list.entries(keys.has(Keys::FAILS_TASK).then_some("fails_task"))
            .entries(keys.has(Keys::MESSAGE).then_some(message))
            .entries(own);
        if matches!(
            event.detail(),
            Detail::Terminated {
                oom_killed: Some(_),
                ..
            }
        ) {
            list.entry(&"oom_killed");
        }
        list.finish()
    }
}
