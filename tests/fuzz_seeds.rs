//! The committed seed corpora of the `postcard_decode` and `json_decode` fuzz targets.
//!
//! `cargo test --test fuzz_seeds -- --ignored` rewrites the generated seeds; the other
//! tests check that every committed seed is still accepted, so a format change cannot
//! leave the fuzzers starting from inputs that are all refused.

use std::fs;
use std::path::Path;

use allocstate::{TaskEvent, TaskState};

const SCENARIOS: [&str; 3] = [
    "01_simple_run_e1",
    "13_check_watcher_restart",
    "20_failed_sibling",
];

/// A scenario file's events applied in order (refused events skipped, as the replay tool
/// reports and skips them).
fn scenario_state(name: &str) -> TaskState {
    let text = fs::read_to_string(format!("tests/scenarios/{name}.jsonl")).unwrap();
    let mut task = TaskState::new();
    for line in text.lines().filter(|l| l.starts_with('{')) {
        if let Ok(event) = serde_json::from_str::<TaskEvent>(line) {
            let _ = task.apply(event);
        }
    }
    task
}

fn seeds(target: &str) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<_> = fs::read_dir(Path::new("fuzz/corpus").join(target))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("seed-")
        })
        .map(|p| (p.display().to_string(), fs::read(&p).unwrap()))
        .collect();
    out.sort();
    out
}

#[test]
#[ignore = "writes the generated seeds under fuzz/corpus/"]
fn write_seeds() {
    let pc = Path::new("fuzz/corpus/postcard_decode");
    let js = Path::new("fuzz/corpus/json_decode");
    fs::create_dir_all(pc).unwrap();
    fs::create_dir_all(js).unwrap();
    let mut buf = [0u8; TaskState::POSTCARD_MAX_SIZE];
    let empty = TaskState::new();
    fs::write(pc.join("seed-empty"), empty.to_postcard(&mut buf).unwrap()).unwrap();
    for name in SCENARIOS {
        let task = scenario_state(name);
        fs::write(
            pc.join(format!("seed-{name}")),
            task.to_postcard(&mut buf).unwrap(),
        )
        .unwrap();
    }
    let task = scenario_state("13_check_watcher_restart");
    fs::write(
        js.join("seed-13_check_watcher_restart"),
        serde_json::to_string_pretty(&task).unwrap(),
    )
    .unwrap();
    let event = task.events().latest().unwrap();
    fs::write(
        js.join("seed-event-not-restarting"),
        serde_json::to_string(event).unwrap(),
    )
    .unwrap();
}

#[test]
fn postcard_seeds_decode_and_reencode() {
    let seeds = seeds("postcard_decode");
    assert!(seeds.len() >= 4);
    for (path, bytes) in seeds {
        let task = TaskState::from_postcard(&bytes).unwrap_or_else(|e| panic!("{path}: {e}"));
        let mut buf = [0u8; TaskState::POSTCARD_MAX_SIZE];
        assert_eq!(&*task.to_postcard(&mut buf).unwrap(), &bytes[..], "{path}");
    }
}

#[test]
fn json_seeds_are_accepted() {
    let seeds = seeds("json_decode");
    assert!(seeds.len() >= 3);
    for (path, bytes) in seeds {
        let state = serde_json::from_slice::<TaskState>(&bytes);
        let event = serde_json::from_slice::<TaskEvent>(&bytes);
        assert!(
            state.is_ok() || event.is_ok(),
            "{path}: neither a state nor an event"
        );
    }
}
