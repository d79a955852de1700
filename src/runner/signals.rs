//! Nomad's signal names to the platform's numbers (feature `std`).

/// The number of the signal Nomad names `name` (`SIGTERM`, also without the `SIG`
/// prefix, any case) on the platform this is built for: Linux numbering, or the BSD
/// numbering on macOS and the BSDs. `None` for a name the platform does not have.
/// Drivers take signals by name (`kill_signal`, `nomad alloc signal -s`); a runtime
/// that sends them with `kill(2)` needs the number.
pub fn signal_number(name: &str) -> Option<i32> {
    let upper = name.trim();
    let bare = strip_sig(upper);
    COMMON
        .iter()
        .chain(PLATFORM)
        .find(|(n, _)| n.eq_ignore_ascii_case(bare))
        .map(|&(_, number)| number)
}

fn strip_sig(name: &str) -> &str {
    match name.get(..3) {
        Some(prefix) if prefix.eq_ignore_ascii_case("SIG") => name.get(3..).unwrap_or(name),
        _ => name,
    }
}

/// Signals POSIX numbers alike on Linux and the BSDs.
const COMMON: &[(&str, i32)] = &[
    ("HUP", 1),
    ("INT", 2),
    ("QUIT", 3),
    ("ILL", 4),
    ("TRAP", 5),
    ("ABRT", 6),
    ("IOT", 6),
    ("FPE", 8),
    ("KILL", 9),
    ("SEGV", 11),
    ("PIPE", 13),
    ("ALRM", 14),
    ("TERM", 15),
    ("XCPU", 24),
    ("XFSZ", 25),
    ("VTALRM", 26),
    ("PROF", 27),
    ("WINCH", 28),
];

/// Whether this is built for a platform of the BSD numbering (macOS, FreeBSD, OpenBSD,
/// NetBSD, DragonFly); any other has Linux's.
const BSD: bool = cfg!(any(
    target_os = "macos",
    target_os = "ios",
    target_os = "freebsd",
    target_os = "openbsd",
    target_os = "netbsd",
    target_os = "dragonfly"
));

/// The numbers of the platform this is built for, besides [`COMMON`].
const PLATFORM: &[(&str, i32)] = if BSD { BSD_NUMBERS } else { LINUX };

/// Linux's own numbers (the generic layout: x86, Arm, RISC-V).
const LINUX: &[(&str, i32)] = &[
    ("BUS", 7),
    ("USR1", 10),
    ("USR2", 12),
    ("STKFLT", 16),
    ("CHLD", 17),
    ("CONT", 18),
    ("STOP", 19),
    ("TSTP", 20),
    ("TTIN", 21),
    ("TTOU", 22),
    ("URG", 23),
    ("IO", 29),
    ("POLL", 29),
    ("PWR", 30),
    ("SYS", 31),
];

/// The BSD numbers (macOS, FreeBSD, OpenBSD, NetBSD, DragonFly).
const BSD_NUMBERS: &[(&str, i32)] = &[
    ("EMT", 7),
    ("BUS", 10),
    ("SYS", 12),
    ("URG", 16),
    ("STOP", 17),
    ("TSTP", 18),
    ("CONT", 19),
    ("CHLD", 20),
    ("TTIN", 21),
    ("TTOU", 22),
    ("IO", 23),
    ("INFO", 29),
    ("USR1", 30),
    ("USR2", 31),
];
