//! `journal`: arbitrary entries and snapshots written to the flash journal on
//! `sequential-storage`'s mock flash, power cut after an arbitrary number of bytes
//! written or erased; recovery never panics and is the last committed state or the one
//! being committed when the power went (if its commit record landed), nothing else.

#![no_main]

use allocstate::journal::flash::FlashJournal;
use allocstate::journal::Piece;
use arbitrary::Arbitrary;
use futures::executor::block_on;
use libfuzzer_sys::fuzz_target;
use sequential_storage::mock_flash::{MockFlashBase, WriteCountCheck};

type Flash = MockFlashBase<6, 4, 256>;

#[derive(Debug, Arbitrary)]
enum Op {
    Entry(Vec<u8>),
    Snapshot(Vec<u8>),
}

#[derive(Debug, Arbitrary)]
struct Input {
    ops: Vec<Op>,
    cut: u16,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
struct State {
    snapshot: Option<Vec<u8>>,
    entries: Vec<Vec<u8>>,
}

fn recover(journal: &mut FlashJournal<Flash>) -> Option<State> {
    let mut buf = [0u8; 1024];
    let mut state = State::default();
    let plan = block_on(journal.recover(&mut buf, |piece| {
        match piece {
            Piece::Chunk { bytes, .. } => {
                state.snapshot.get_or_insert_with(Vec::new).extend_from_slice(bytes)
            }
            Piece::Entry(bytes) => state.entries.push(bytes.to_vec()),
        }
        Ok(())
    }))
    .ok()?;
    if plan.snapshot.is_some() && state.snapshot.is_none() {
        state.snapshot = Some(Vec::new());
    }
    Some(state)
}

fuzz_target!(|input: Input| {
    let flash = Flash::new(WriteCountCheck::Twice, Some(u32::from(input.cut)), false);
    let mut journal = FlashJournal::new(flash, Flash::FULL_FLASH_RANGE).unwrap();
    let mut buf = [0u8; 1024];
    let Some(mut state) = recover(&mut journal) else {
        return;
    };
    let mut in_flight = None;
    for op in input.ops.iter().take(64) {
        let (next, result) = match op {
            Op::Entry(bytes) => {
                let bytes = &bytes[..bytes.len().min(200)];
                let mut next = state.clone();
                next.entries.push(bytes.to_vec());
                (next, block_on(journal.append(bytes, &mut buf)))
            }
            Op::Snapshot(bytes) => {
                let bytes = &bytes[..bytes.len().min(900)];
                let next = State {
                    snapshot: Some(bytes.to_vec()),
                    entries: Vec::new(),
                };
                (next, block_on(journal.snapshot(bytes, &mut buf)))
            }
        };
        match result {
            Ok(()) => state = next,
            Err(allocstate::journal::flash::FlashError::Full) => break,
            // Refused before anything was written (no snapshot yet): state unchanged.
            Err(allocstate::journal::flash::FlashError::Journal(_)) => {}
            Err(_) => {
                in_flight = Some(next);
                break;
            }
        }
    }
    let mut flash = journal.into_flash();
    flash.bytes_until_shutoff = None;
    let mut journal = FlashJournal::new(flash, Flash::FULL_FLASH_RANGE).unwrap();
    let recovered = recover(&mut journal).expect("a cut journal is readable");
    assert!(
        recovered == state || Some(&recovered) == in_flight.as_ref(),
        "recovered {recovered:?}, committed {state:?}"
    );
});
