//! `defmt::Format` for the types whose fields are private or borrowed views.

use defmt::{write, Format, Formatter};

use crate::{EventRing, TaskEvent, TaskState};

#[cfg_attr(docsrs, doc(cfg(feature = "defmt")))]
impl Format for TaskEvent {
    fn format(&self, f: Formatter<'_>) {
        write!(
            f,
            "TaskEvent {{ type: {=str}, time: {=i64}, detail: {}, message: {=str}, fails_task: {=bool}, truncated: {=bool} }}",
            self.type_str(),
            self.time(),
            self.detail(),
            self.message(),
            self.fails_task(),
            self.is_truncated()
        );
    }
}

#[cfg_attr(docsrs, doc(cfg(feature = "defmt")))]
impl Format for EventRing {
    fn format(&self, f: Formatter<'_>) {
        write!(f, "[");
        for (i, event) in self.iter().enumerate() {
            if i > 0 {
                write!(f, ", ");
            }
            write!(f, "{}", event);
        }
        write!(f, "] (evicted {=u64})", self.evicted());
    }
}

#[cfg_attr(docsrs, doc(cfg(feature = "defmt")))]
impl Format for TaskState {
    fn format(&self, f: Formatter<'_>) {
        write!(
            f,
            "TaskState {{ phase: {}, failed: {=bool}, restarts: {=u64}, last_restart: {}, started_at: {}, finished_at: {}, events: {} }}",
            self.phase(),
            self.failed(),
            self.restarts(),
            self.last_restart(),
            self.started_at(),
            self.finished_at(),
            self.events()
        );
    }
}
