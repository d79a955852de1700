//! The core against a model: random operations, a power cut at a random byte, recovery.

extern crate std;

use std::vec::Vec;

use proptest::prelude::*;

use super::*;

/// A store of records in memory that loses power after `budget` bytes written or
/// records dropped; the record being written when it does is left torn (its written
/// prefix, then erased bytes). A record whose unwritten tail was all erased bytes
/// (0xFF) anyway is whole on the medium: it landed, and power is lost just after.
struct MemStore {
    records: Vec<Vec<u8>>,
    budget: Option<usize>,
}

#[derive(Debug)]
struct Cut;

impl MemStore {
    fn append(&mut self, record: &[u8]) -> Result<(), Cut> {
        match self.budget {
            Some(left) if left < record.len() => {
                let mut torn = record.get(..left).unwrap().to_vec();
                torn.resize(record.len(), 0xFF);
                let landed = torn == record;
                self.records.push(torn);
                self.budget = Some(0);
                if landed {
                    Ok(())
                } else {
                    Err(Cut)
                }
            }
            _ => {
                self.budget = self.budget.map(|left| left - record.len());
                self.records.push(record.to_vec());
                Ok(())
            }
        }
    }

    fn drop_oldest(&mut self) -> Result<(), Cut> {
        if self.budget == Some(0) {
            return Err(Cut);
        }
        self.budget = self.budget.map(|left| left - 1);
        self.records.remove(0);
        Ok(())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
struct State {
    snapshot: Option<Vec<u8>>,
    entries: Vec<Vec<u8>>,
}

#[derive(Debug, Clone)]
enum Op {
    Entry(Vec<u8>),
    Snapshot(Vec<u8>),
    Compact,
}

const CHUNK: usize = 7;

fn recover(records: &[Vec<u8>]) -> Result<(State, Writer, Plan), JournalError> {
    let mut scan = Scan::new();
    for record in records {
        scan.feed(record)?;
    }
    let plan = scan.finish()?;
    let mut replay = Replay::new(plan);
    let mut state = State::default();
    for record in records {
        match replay.feed(record)? {
            Some(Piece::Chunk { offset, bytes }) => {
                let snap = state.snapshot.get_or_insert_with(Vec::new);
                assert_eq!(offset as usize, snap.len());
                snap.extend_from_slice(bytes);
            }
            Some(Piece::Entry(bytes)) => state.entries.push(bytes.to_vec()),
            None => {}
        }
    }
    let plan = replay.finish()?;
    if plan.snapshot.is_some() && state.snapshot.is_none() {
        state.snapshot = Some(Vec::new());
    }
    Ok((state, Writer::after(&plan), plan))
}

/// Applies one operation; the model state after it, if its commit landed.
fn apply(store: &mut MemStore, writer: &mut Writer, state: &State, op: &Op) -> Result<State, Cut> {
    let mut buf = [0u8; 128];
    match op {
        Op::Entry(bytes) => {
            if !writer.has_snapshot() {
                return Ok(state.clone());
            }
            store.append(writer.entry(bytes, &mut buf).unwrap())?;
            writer.entry_done();
            let mut next = state.clone();
            next.entries.push(bytes.clone());
            Ok(next)
        }
        Op::Snapshot(bytes) => {
            let mut index = 0;
            while let Some(record) = writer.chunk(bytes, CHUNK, index, &mut buf).unwrap() {
                if let Err(cut) = store.append(record) {
                    writer.chunks_abandoned();
                    return Err(cut);
                }
                index += 1;
            }
            store.append(writer.commit(bytes, CHUNK, &mut buf).unwrap())?;
            writer.commit_done();
            Ok(State {
                snapshot: Some(bytes.clone()),
                entries: Vec::new(),
            })
        }
        Op::Compact => {
            let (_, _, plan) = recover(&store.records).unwrap();
            for _ in 0..plan.obsolete {
                store.drop_oldest()?;
            }
            Ok(state.clone())
        }
    }
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => proptest::collection::vec(any::<u8>(), 0..20).prop_map(Op::Entry),
        1 => proptest::collection::vec(any::<u8>(), 0..40).prop_map(Op::Snapshot),
        1 => Just(Op::Compact),
    ]
}

/// Runs `ops` with power lost after `budget` steps, then once more with recovery in
/// between; returns the model state the run committed last and the recovered one.
fn run(ops: &[Op], budget: Option<usize>) -> (State, Result<State, JournalError>, MemStore) {
    let mut store = MemStore {
        records: Vec::new(),
        budget,
    };
    let mut writer = Writer::default();
    let mut state = State::default();
    for op in ops {
        match apply(&mut store, &mut writer, &state, op) {
            Ok(next) => state = next,
            Err(Cut) => break,
        }
    }
    let recovered = recover(&store.records).map(|(state, _, _)| state);
    (state, recovered, store)
}

fn total_steps(ops: &[Op]) -> usize {
    let (_, _, store) = run(ops, None);
    // Each append is its length in steps and each drop one; more than enough to finish.
    store.records.iter().map(Vec::len).sum::<usize>() * 2 + ops.len() * 64
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// After a cut at any step, recovery is the state after the last committed
    /// operation (the store here is never corrupt, only torn).
    #[test]
    fn recovery_is_the_last_committed_state(
        ops in proptest::collection::vec(op(), 0..30),
        cut in any::<proptest::sample::Index>(),
    ) {
        let budget = cut.index(total_steps(&ops) + 1);
        let (committed, recovered, _) = run(&ops, Some(budget));
        prop_assert_eq!(recovered, Ok(committed));
    }

    /// Recovery then more operations, cut again: still the last committed state, and the
    /// writer continues the store (its new records are found after the old ones).
    #[test]
    fn recovery_continues_after_a_cut(
        first in proptest::collection::vec(op(), 0..20),
        second in proptest::collection::vec(op(), 0..20),
        cut in any::<proptest::sample::Index>(),
        cut2 in any::<proptest::sample::Index>(),
    ) {
        let (_, recovered, mut store) = run(&first, Some(cut.index(total_steps(&first) + 1)));
        let mut state = recovered.unwrap();
        let (_, mut writer, _) = recover(&store.records).unwrap();
        store.budget = Some(cut2.index(total_steps(&second) + 1));
        for op in &second {
            match apply(&mut store, &mut writer, &state, op) {
                Ok(next) => state = next,
                Err(Cut) => break,
            }
        }
        let again = recover(&store.records).map(|(state, _, _)| state);
        prop_assert_eq!(again, Ok(state));
    }

    /// A flipped bit anywhere: recovery is a committed state of the run (the last one,
    /// or an earlier one when the flip hit the very last records) or a typed error —
    /// never a state that was never committed.
    #[test]
    fn a_flipped_bit_never_yields_an_uncommitted_state(
        ops in proptest::collection::vec(op(), 1..30),
        at in any::<proptest::sample::Index>(),
        bit in 0u8..8,
    ) {
        let mut store = MemStore { records: Vec::new(), budget: None };
        let mut writer = Writer::default();
        let mut states = std::vec![State::default()];
        for op in &ops {
            let next = apply(&mut store, &mut writer, states.last().unwrap(), op).unwrap();
            states.push(next);
        }
        let total: usize = store.records.iter().map(Vec::len).sum();
        prop_assume!(total > 0);
        let mut at = at.index(total);
        for record in &mut store.records {
            if at < record.len() {
                record[at] ^= 1 << bit;
                break;
            }
            at -= record.len();
        }
        if let Ok((state, _, _)) = recover(&store.records) {
            prop_assert!(states.contains(&state), "uncommitted state {:?}", state);
        }
    }

    /// Any bytes as records: no panic, and the writer after them makes valid records.
    #[test]
    fn random_records_never_panic(
        records in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..40), 0..20),
    ) {
        let _ = recover(&records);
    }
}

#[test]
fn crc32_is_zlibs() {
    assert_eq!(Crc32::of(b"123456789"), 0xCBF4_3926);
    assert_eq!(Crc32::of(b""), 0);
}

#[test]
fn records_round_trip() {
    let mut buf = [0u8; 64];
    for record in [
        Record::Chunk {
            epoch: 3,
            index: 2,
            bytes: b"abc",
        },
        Record::Commit {
            epoch: 3,
            chunks: 3,
            len: 17,
            crc: 0xDEAD_BEEF,
        },
        Record::Entry {
            epoch: u32::MAX,
            seq: 9,
            bytes: b"",
        },
    ] {
        let bytes = record.encode(&mut buf).unwrap().to_vec();
        assert_eq!(Record::decode(&bytes), Ok(record));
    }
}

#[test]
fn a_short_buffer_is_a_typed_error() {
    let mut buf = [0u8; 15];
    let record = Record::Entry {
        epoch: 1,
        seq: 0,
        bytes: b"abc",
    };
    assert_eq!(
        record.encode(&mut buf),
        Err(JournalError::BufferTooSmall { need: 16 })
    );
}

#[test]
fn an_unknown_kind_with_a_good_crc_names_the_kind() {
    let mut buf = [0u8; 32];
    let mut bytes = Record::Entry {
        epoch: 1,
        seq: 0,
        bytes: b"x",
    }
    .encode(&mut buf)
    .unwrap()
    .to_vec();
    bytes[0] = 0x7E;
    let body = bytes.len() - 4;
    let crc = Crc32::of(&bytes[..body]).to_le_bytes();
    bytes[body..].copy_from_slice(&crc);
    let mut scan = Scan::new();
    assert_eq!(
        scan.feed(&bytes),
        Err(JournalError::UnknownKind { kind: 0x7E })
    );
}

#[test]
fn a_committed_snapshot_with_a_lost_chunk_is_refused_not_replaced_by_an_older_one() {
    let mut store = MemStore {
        records: Vec::new(),
        budget: None,
    };
    let mut writer = Writer::default();
    let state = State::default();
    let state = apply(
        &mut store,
        &mut writer,
        &state,
        &Op::Snapshot(b"first".to_vec()),
    )
    .unwrap();
    let state = apply(&mut store, &mut writer, &state, &Op::Entry(b"e".to_vec())).unwrap();
    let _ = apply(
        &mut store,
        &mut writer,
        &state,
        &Op::Snapshot(b"the second snapshot".to_vec()),
    )
    .unwrap();
    // The second snapshot's middle chunk (records: chunk, commit, entry, chunk 0, 1, 2, commit).
    store.records.remove(4);
    assert_eq!(
        recover(&store.records).map(|(state, _, _)| state),
        Err(JournalError::SnapshotCorrupt { epoch: 2 })
    );
}

#[test]
fn a_lost_entry_before_a_later_one_is_refused() {
    let mut store = MemStore {
        records: Vec::new(),
        budget: None,
    };
    let mut writer = Writer::default();
    let mut state = State::default();
    for op in [
        Op::Snapshot(b"s".to_vec()),
        Op::Entry(b"a".to_vec()),
        Op::Entry(b"b".to_vec()),
    ] {
        state = apply(&mut store, &mut writer, &state, &op).unwrap();
    }
    store.records.remove(2);
    assert_eq!(
        recover(&store.records).map(|(state, _, _)| state),
        Err(JournalError::EntryMissing { epoch: 1, seq: 0 })
    );
}

#[test]
fn entries_need_a_snapshot_first() {
    let writer = Writer::default();
    let mut buf = [0u8; 32];
    assert_eq!(writer.entry(b"x", &mut buf), Err(JournalError::NoSnapshot));
}
