//! The file journal: truncated at every byte, and with every bit of it flipped in turn;
//! recovery is always a state that was committed (the last one, or the one before the
//! damaged last record) or a typed error, never one that was not.

use std::fs;
use std::path::{Path, PathBuf};

use allocstate::journal::file::{FileError, FileJournal, Recovered};
use allocstate::journal::JournalError;

fn dir(name: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("allocstate-journal-{}-{name}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    dir
}

fn state(snapshot: &[u8], entries: &[&[u8]]) -> Recovered {
    Recovered {
        snapshot: Some(snapshot.to_vec()),
        entries: entries.iter().map(|e| e.to_vec()).collect(),
        dropped_tail: 0,
    }
}

/// Writes a snapshot and entries, keeping each committed state and the file after it.
fn history(name: &str) -> (PathBuf, Vec<(Recovered, Vec<u8>)>) {
    let dir = dir(name);
    let (mut journal, found) = FileJournal::open(&dir).unwrap();
    assert_eq!(found, Recovered::default());
    let mut states = vec![(Recovered::default(), Vec::new())];
    let file = |dir: &PathBuf| fs::read(dir.join("journal")).unwrap();
    let big: Vec<u8> = (0..10_000u32).map(|i| (i * 7) as u8).collect();
    journal.snapshot(b"first snapshot").unwrap();
    states.push((state(b"first snapshot", &[]), file(&dir)));
    let mut entries: Vec<&[u8]> = Vec::new();
    for entry in [&b"one"[..], b"two", b"", b"four"] {
        journal.commit(entry).unwrap();
        entries.push(entry);
        states.push((state(b"first snapshot", &entries), file(&dir)));
    }
    journal.snapshot(&big).unwrap();
    states.push((state(&big, &[]), file(&dir)));
    journal.commit(b"after").unwrap();
    states.push((state(&big, &[b"after"]), file(&dir)));
    (dir, states)
}

fn reopen(dir: &Path, bytes: &[u8]) -> Result<Recovered, FileError> {
    fs::write(dir.join("journal"), bytes).unwrap();
    FileJournal::open(dir).map(|(_, found)| found)
}

#[test]
fn everything_committed_is_recovered() {
    let (dir, states) = history("all");
    let (last, bytes) = states.last().unwrap();
    assert_eq!(&reopen(&dir, bytes).unwrap(), last);
    fs::remove_dir_all(dir).unwrap();
}

/// Appends are the only writes to the file between snapshots: cut it at every byte of
/// each append and recovery is the state before that append (the torn bytes dropped).
#[test]
fn a_file_cut_at_any_byte_recovers_the_last_whole_commit() {
    let (dir, states) = history("cut");
    let mut cuts = 0;
    for pair in states.windows(2) {
        let ((before, old), (after, new)) = (&pair[0], &pair[1]);
        if !new.starts_with(old) {
            continue; // a snapshot: replaced by rename, never torn
        }
        for cut in old.len()..=new.len() {
            let found = reopen(&dir, &new[..cut]).unwrap();
            let expected = if cut == new.len() { after } else { before };
            assert_eq!(found.snapshot, expected.snapshot, "cut at {cut}");
            assert_eq!(found.entries, expected.entries, "cut at {cut}");
            if !old.is_empty() {
                // One frame appended: all of it is dropped until it is whole.
                let torn = (cut - old.len()) % (new.len() - old.len());
                assert_eq!(found.dropped_tail, torn as u64, "cut at {cut}");
            }
            // The torn tail is gone from the file: a commit after it is found.
            if expected.snapshot.is_none() {
                cuts += 1;
                continue;
            }
            let (mut journal, _) = FileJournal::open(&dir).unwrap();
            journal.commit(b"next").unwrap();
            let again = FileJournal::open(&dir).unwrap().1;
            assert_eq!(
                again.entries.last().map(Vec::as_slice),
                Some(&b"next"[..]),
                "cut at {cut}"
            );
            cuts += 1;
        }
    }
    eprintln!("{cuts} cut points");
    assert!(cuts > 40);
    fs::remove_dir_all(dir).unwrap();
}

/// Bits 0, 3 and 7 of each byte of the final file flipped in turn (the middle of the big
/// snapshot sampled): a committed state or a typed error.
#[test]
fn a_flipped_bit_anywhere_is_a_committed_state_or_an_error() {
    let (dir, states) = history("flip");
    let (_, bytes) = states.last().unwrap();
    let mut errors = 0;
    let mut flips = 0;
    for at in 0..bytes.len() {
        // The big snapshot's chunk bodies: every 997th byte (its CRC is the same check).
        if at > 200 && at < bytes.len() - 200 && at % 997 != 0 {
            continue;
        }
        for bit in [0, 3, 7] {
            let mut damaged = bytes.clone();
            damaged[at] ^= 1 << bit;
            flips += 1;
            match reopen(&dir, &damaged) {
                Ok(found) => assert!(
                    states
                        .iter()
                        .any(|(s, _)| s.snapshot == found.snapshot && s.entries == found.entries),
                    "flip at {at}.{bit}: uncommitted state"
                ),
                Err(FileError::Corrupt { .. } | FileError::Journal(_)) => errors += 1,
                Err(error) => panic!("flip at {at}.{bit}: {error}"),
            }
        }
    }
    eprintln!("{flips} flips, {errors} refused");
    assert!(errors > 0);
    fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_damaged_record_before_others_names_its_offset() {
    let (dir, states) = history("offset");
    let (_, bytes) = &states[3];
    let mut damaged = bytes.clone();
    // The first entry's payload (after the snapshot's chunk and commit frames).
    let at = bytes.len() - 3 - 4 - 17;
    damaged[at] ^= 0x40;
    let error = reopen(&dir, &damaged).unwrap_err();
    assert!(matches!(error, FileError::Corrupt { .. }), "{error}");
    fs::remove_dir_all(dir).unwrap();
}

#[test]
fn an_entry_before_any_snapshot_is_refused() {
    let dir = dir("nosnap");
    let (mut journal, _) = FileJournal::open(&dir).unwrap();
    assert!(matches!(
        journal.commit(b"x"),
        Err(FileError::Journal(JournalError::NoSnapshot))
    ));
    fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_leftover_temp_file_is_ignored() {
    let (dir, states) = history("temp");
    fs::write(dir.join("journal.tmp"), b"half a snapshot").unwrap();
    let (last, _) = states.last().unwrap();
    let (_, found) = FileJournal::open(&dir).unwrap();
    assert_eq!(&found, last);
    assert!(!dir.join("journal.tmp").exists());
    fs::remove_dir_all(dir).unwrap();
}
