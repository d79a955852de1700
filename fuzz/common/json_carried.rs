//! What Nomad's JSON carries of an event, shared by the fuzz targets that round-trip it.

use allocstate::TaskEvent;

/// Whether `e` carries an override equal to its computed message (JSON drops it on the
/// way in, as documented: the message shown is the same).
pub fn override_is_computed(e: &TaskEvent) -> bool {
    e.display_message_override().is_some_and(|o| {
        e.clone()
            .with_display_message("")
            .display_message()
            .to_string()
            == o
    })
}

/// Equal in everything Nomad's JSON carries for an event. `a` is the value read back, `b`
/// the value written. JSON has no field for `is_truncated`, so an event cut on the way in
/// comes back with its cut text, unmarked; and an override equal to the computed message
/// is not kept (the message shown is the same).
pub fn same_carried(a: &TaskEvent, b: &TaskEvent) -> bool {
    if a == b {
        return true;
    }
    (b.is_truncated() || override_is_computed(b))
        && (!a.is_truncated() || b.is_truncated())
        && a.kind() == b.kind()
        && a.type_str() == b.type_str()
        && a.time() == b.time()
        && a.detail() == b.detail()
        && a.message() == b.message()
        && a.display_message().to_string() == b.display_message().to_string()
        && a.fails_task() == b.fails_task()
}
