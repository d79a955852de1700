//! The allocation on the wire: the seed's `/v1/allocation` JSON, a modern allocation
//! through JSON and postcard, the size bound, corrupted input, refusals.

use allocstate::{
    AllocIdentity, Allocation, AllocationError, ClientStatus, IdentityField, Phase, Role,
    TaskEvent, TaskState, ALLOC_NAME_CAPACITY, CLIENT_DESCRIPTION_CAPACITY,
    DESIRED_DESCRIPTION_CAPACITY, JOB_ID_CAPACITY, TASK_GROUP_CAPACITY, TASK_NAME_CAPACITY,
    UUID_CAPACITY,
};
use serde_json::Value;

mod common;
use common::{
    compact_allocation, identity, largest_task_state, modern, project, ALLOCATION_FIELDS,
};

/// Exhaustive natively; under Miri, which interprets every step, a spread sample.
const STRIDE: usize = if cfg!(miri) { 29 } else { 1 };
/// The bit flips tried at each byte (under Miri, fewer, and one of them at each byte).
const MASKS: &[u8] = if cfg!(miri) {
    &[0x01, 0xFF]
} else {
    &[0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80, 0xFF]
};

const SEED: &str = include_str!("data/seed_allocation.json");

#[test]
fn the_seed_allocation_parses_and_gives_back_its_values() {
    let seed: Value = serde_json::from_str(SEED).unwrap();
    let alloc: Allocation = serde_json::from_str(SEED).unwrap();
    assert_eq!(alloc.id(), "203266e5-e0d6-9486-5e05-397ed2b184af");
    assert_eq!(alloc.name(), "example.cache[0]");
    assert_eq!(alloc.task_group(), "cache");
    assert_eq!((alloc.create_index(), alloc.modify_index()), (7, 9));
    assert_eq!(alloc.client_status(), ClientStatus::Running);
    assert_eq!(alloc.server_status(), None);
    assert_eq!(alloc.client_description(), "");
    assert_eq!(alloc.len(), 1);
    let redis = alloc.task("redis").unwrap();
    assert_eq!(redis.role(), Role::main()); // JSON carries no lifecycle
    assert_eq!(redis.state().phase(), Phase::Running);

    let again = serde_json::to_value(&alloc).unwrap();
    let keys: Vec<&str> = again
        .as_object()
        .unwrap()
        .keys()
        .map(|k| k.as_str())
        .collect();
    assert_eq!(keys, ALLOCATION_FIELDS);
    for &field in ALLOCATION_FIELDS {
        if field == "TaskStates" {
            // The modern task state shape holds every seed-era key with the same value.
            assert_eq!(project(&again[field], &seed[field]), seed[field], "{field}");
        } else {
            assert_eq!(again[field], seed[field], "{field}");
        }
    }
    // Read back, the same allocation.
    let back: Allocation = serde_json::from_value(again).unwrap();
    assert_eq!(back, alloc);
}

fn encode<const N: usize>(alloc: &Allocation<N>) -> Vec<u8> {
    postcard::to_allocvec(alloc).unwrap()
}

#[test]
fn a_modern_allocation_round_trips_through_json() {
    let alloc = modern();
    let json = serde_json::to_value(&alloc).unwrap();
    assert_eq!(json["ClientStatus"], "failed");
    assert_eq!(json["ClientDescription"], "worker failed; stopping");
    assert_eq!(json["DesiredStatus"], "stop");
    let names: Vec<&str> = json["TaskStates"]
        .as_object()
        .unwrap()
        .keys()
        .map(|k| k.as_str())
        .collect();
    assert_eq!(names, ["proxy", "worker", "logs", "flush"]); // the allocation's order
    assert_eq!(
        json["TaskStates"]["logs"]["Events"][3]["Type"],
        "Sibling Task Failed"
    );

    let back: Allocation<4> = serde_json::from_value(json.clone()).unwrap();
    assert_eq!(serde_json::to_value(&back).unwrap(), json);
    assert_eq!(back.identity(), alloc.identity());
    assert_eq!(back.modify_index(), alloc.modify_index());
    assert_eq!(back.client_description(), alloc.client_description());
    for (read, held) in back.tasks().zip(alloc.tasks()) {
        assert_eq!(read.name(), held.name());
        assert_eq!(read.state(), held.state());
        assert_eq!(read.role(), Role::main());
    }
    // The decoded ModifyIndex is the current index: the next change counts on from it.
    let mut back = back;
    let before = back.modify_index();
    back.finish("flush", 1).unwrap();
    assert_eq!(back.modify_index(), before + 1);
}

#[test]
fn a_modern_allocation_round_trips_through_postcard() {
    let alloc = modern();
    let mut buf = [0u8; Allocation::<4>::POSTCARD_MAX_SIZE];
    let bytes = alloc.to_postcard(&mut buf).unwrap().to_vec();
    assert_eq!(bytes, encode(&alloc));
    assert_eq!(Allocation::<4>::from_postcard(&bytes), Ok(alloc.clone()));
    let via_postcard: Allocation<4> = postcard::from_bytes(&bytes).unwrap();
    assert_eq!(via_postcard, alloc);
    // The same bytes read into a larger allocation.
    let wider = Allocation::<8>::from_postcard(&bytes).unwrap();
    assert_eq!(wider.tasks().count(), 4);
    // An empty allocation.
    let empty: Allocation<4> = Allocation::new();
    assert_eq!(Allocation::<4>::from_postcard(&encode(&empty)), Ok(empty));
}

#[test]
fn postcard_refusals() {
    let alloc = modern();
    let bytes = encode(&alloc);
    let mut trailing = bytes.clone();
    trailing.push(0);
    assert!(Allocation::<4>::from_postcard(&trailing).is_err());
    // More tasks than the capacity.
    assert!(Allocation::<3>::from_postcard(&bytes).is_err());
    // A derivable status as the server's.
    let mut lost = alloc.clone();
    lost.set_server_status(Some(ClientStatus::Lost)).unwrap();
    let lost_bytes = encode(&lost);
    assert_eq!(
        Allocation::<4>::from_postcard(&lost_bytes),
        Ok(lost.clone())
    );
    let code_at = lost_bytes
        .windows(2)
        .position(|w| w == [1, 4])
        .expect("the server status");
    let mut running = lost_bytes.clone();
    running[code_at + 1] = 1;
    assert!(Allocation::<4>::from_postcard(&running).is_err());
}

#[test]
fn hand_written_encodings_are_validated() {
    let fresh = TaskState::new();
    let mut started = TaskState::new();
    started.apply(TaskEvent::started(1)).unwrap();
    // One task (neither sidecar nor leader, a 5 ns kill timeout) of this name, hook,
    // kill order and state; indexes 1 and 2.
    let one_task = |name: &str, hook: u8, kill_ordered: bool, state: &TaskState| {
        let task = (name, hook, false, false, 5, kill_ordered, state.clone());
        compact_allocation("a", vec![task], 1, 2)
    };
    let ok = one_task("a", 0, false, &fresh);
    let alloc = Allocation::<2>::from_postcard(&ok).unwrap();
    assert_eq!(alloc.identity().task_group, "f");
    let refused = [
        (
            "duplicate names",
            compact_allocation(
                "a",
                vec![
                    ("a", 0, false, false, 5, false, fresh.clone()),
                    ("a", 0, false, false, 5, false, fresh.clone()),
                ],
                1,
                2,
            ),
        ),
        ("empty name", one_task("", 0, false, &fresh)),
        ("unknown lifecycle hook", one_task("a", 4, false, &fresh)),
        (
            "kill-ordered before any event",
            one_task("a", 0, true, &fresh),
        ),
        (
            "kill-ordered poststop task",
            one_task("a", 3, true, &started),
        ),
        (
            "created after modified",
            compact_allocation("a", vec![], 3, 2),
        ),
    ];
    for (case, bytes) in &refused {
        assert!(Allocation::<2>::from_postcard(bytes).is_err(), "{case}");
    }
    assert!(Allocation::<2>::from_postcard(&compact_allocation(
        "a",
        vec![("a", 0, false, false, 5, true, started)],
        0,
        0
    ))
    .is_ok());
    // An unknown desired status code.
    let mut bytes = compact_allocation("a", vec![], 0, 0);
    assert_eq!(
        bytes[12], 0,
        "the desired status follows six one-byte strings"
    );
    bytes[12] = 3;
    assert!(Allocation::<2>::from_postcard(&bytes).is_err());
}

fn full(len: usize) -> String {
    "é".repeat(len / 2) + &"x".repeat(len % 2)
}

/// A real maximal `Allocation<N>`: every string full, every number at its longest
/// varint, N tasks of the largest state.
fn maximal<const N: usize>() -> Allocation<N> {
    let names: Vec<String> = (0..N)
        .map(|i| format!("{i:0>width$}", width = TASK_NAME_CAPACITY))
        .collect();
    let tasks: Vec<_> = names
        .iter()
        .map(|n| {
            (
                n.as_str(),
                1u8,
                true,
                true,
                i64::MIN,
                true,
                largest_task_state(),
            )
        })
        .collect();
    let (u, a, j, g) = (
        full(UUID_CAPACITY),
        full(ALLOC_NAME_CAPACITY),
        full(JOB_ID_CAPACITY),
        full(TASK_GROUP_CAPACITY),
    );
    let bytes = postcard::to_allocvec(&(
        (&u, &u, &a, &u, &j, &g),
        2u8,
        full(DESIRED_DESCRIPTION_CAPACITY),
        Some(5u8),
        Some(full(CLIENT_DESCRIPTION_CAPACITY)),
        u64::MAX,
        u64::MAX,
        tasks,
        0b11_1111u8, // every identity string marked cut
    ))
    .unwrap();
    Allocation::<N>::from_postcard(&bytes).unwrap()
}

#[test]
fn postcard_max_size_bounds_a_maximal_allocation() {
    fn check<const N: usize>() {
        let alloc = maximal::<N>();
        assert_eq!(alloc.client_status(), ClientStatus::Unknown);
        let bytes = encode(&alloc);
        println!(
            "Allocation<{N}>: {} of {}",
            bytes.len(),
            Allocation::<N>::POSTCARD_MAX_SIZE
        );
        assert!(bytes.len() <= Allocation::<N>::POSTCARD_MAX_SIZE);
        // Tight up to the `FinishedAt` a non-dead state cannot carry.
        assert!(Allocation::<N>::POSTCARD_MAX_SIZE - bytes.len() <= 10 * N);
        let mut buf = vec![0u8; Allocation::<N>::POSTCARD_MAX_SIZE];
        assert_eq!(alloc.to_postcard(&mut buf).unwrap().len(), bytes.len());
        assert_eq!(Allocation::<N>::from_postcard(&bytes), Ok(alloc));
    }
    // Run on a thread with room: an Allocation<8> of full states is large.
    std::thread::Builder::new()
        .stack_size(64 << 20)
        .spawn(|| {
            check::<1>();
            check::<4>();
            // Under Miri, which interprets every step, N = 1 and 4 take the same paths.
            if !cfg!(miri) {
                check::<8>();
            }
        })
        .unwrap()
        .join()
        .unwrap();
    const {
        assert!(
            Allocation::<0>::POSTCARD_MAX_SIZE
                < Allocation::<1>::POSTCARD_MAX_SIZE - TaskState::POSTCARD_MAX_SIZE
        )
    };
}

#[test]
fn every_truncation_is_an_error() {
    let bytes = encode(&modern());
    for len in (0..bytes.len()).step_by(STRIDE) {
        assert!(
            Allocation::<4>::from_postcard(&bytes[..len]).is_err(),
            "prefix {len}"
        );
    }
}

#[test]
fn flipped_bytes_give_errors_or_allocations_that_reencode_identically() {
    let mut lost = modern();
    lost.set_server_status(Some(ClientStatus::Lost)).unwrap();
    for alloc in [modern(), lost] {
        let bytes = encode(&alloc);
        for (i, at) in (0..bytes.len()).step_by(STRIDE).enumerate() {
            // Under Miri, one mask at each byte sampled, the masks in turn.
            let masks = if cfg!(miri) {
                &MASKS[i % MASKS.len()..][..1]
            } else {
                MASKS
            };
            for mask in masks.iter().copied() {
                let mut bad = bytes.clone();
                bad[at] ^= mask;
                if let Ok(read) = Allocation::<4>::from_postcard(&bad) {
                    assert_eq!(encode(&read), bad, "byte {at} mask {mask:#x}");
                }
            }
        }
    }
}

fn seed_with(field: &str, value: Value) -> Value {
    let mut seed: Value = serde_json::from_str(SEED).unwrap();
    seed[field] = value;
    seed
}

#[test]
fn a_client_status_the_tasks_contradict_is_an_error() {
    for claimed in ["complete", "failed", "pending"] {
        let error = serde_json::from_value::<Allocation>(seed_with("ClientStatus", claimed.into()))
            .unwrap_err()
            .to_string();
        assert_eq!(
            error,
            format!("ClientStatus `{claimed}` contradicts the tasks, whose status is `running`")
        );
    }
    // Every task dead, yet `running`.
    let mut dead = modern();
    for name in ["proxy", "logs", "flush"] {
        dead.finish(name, 9).unwrap();
    }
    let mut json = serde_json::to_value(&dead).unwrap();
    assert_eq!(json["ClientStatus"], "failed");
    json["ClientStatus"] = "running".into();
    assert!(serde_json::from_value::<Allocation<4>>(json).is_err());
}

#[test]
fn server_set_statuses_are_kept() {
    for (status, wire) in [
        (ClientStatus::Lost, "lost"),
        (ClientStatus::Unknown, "unknown"),
    ] {
        let seed = seed_with("ClientStatus", wire.into());
        let alloc: Allocation = serde_json::from_value(seed.clone()).unwrap();
        assert_eq!(alloc.client_status(), status);
        assert_eq!(alloc.server_status(), Some(status));
        assert_eq!(alloc.derived_client_status(), ClientStatus::Running);
        let again = serde_json::to_value(&alloc).unwrap();
        assert_eq!(again["ClientStatus"], wire);
        assert_eq!(again["ClientDescription"], ""); // as read, for that status
        let back = Allocation::<8>::from_postcard(&encode(&alloc)).unwrap();
        assert_eq!(back, alloc);
    }
}

#[test]
fn json_refusals() {
    let refused = [
        seed_with("DesiredStatus", "pause".into()),
        seed_with(
            "DesiredDescription",
            full(DESIRED_DESCRIPTION_CAPACITY + 1).into(),
        ),
        seed_with(
            "ClientDescription",
            full(CLIENT_DESCRIPTION_CAPACITY + 1).into(),
        ),
        seed_with("ClientStatus", "gone".into()),
        seed_with("CreateIndex", 10.into()),
        seed_with(
            "TaskStates",
            serde_json::json!({ "": { "State": "pending" } }),
        ),
    ];
    for (i, json) in refused.into_iter().enumerate() {
        assert!(
            serde_json::from_value::<Allocation>(json).is_err(),
            "case {i}"
        );
    }
    let error = serde_json::from_value::<Allocation>(seed_with(
        "DesiredDescription",
        full(DESIRED_DESCRIPTION_CAPACITY + 1).into(),
    ))
    .unwrap_err()
    .to_string();
    assert!(
        error.contains("`DesiredDescription`: a string of at most 128 bytes"),
        "{error}"
    );
    // More tasks than the capacity.
    let five = serde_json::json!({
        "a": {"State": "pending"}, "b": {"State": "pending"}, "c": {"State": "pending"},
        "d": {"State": "pending"}, "e": {"State": "pending"}
    });
    assert!(
        serde_json::from_value::<Allocation<4>>(seed_with("TaskStates", five.clone())).is_err()
    );
    let mut fits = seed_with("TaskStates", five);
    fits["ClientStatus"] = "pending".into();
    assert!(serde_json::from_value::<Allocation<5>>(fits).is_ok());
    // A duplicate key.
    let doubled = SEED.replacen("\"ID\"", "\"JobID\": \"x\", \"ID\"", 1);
    assert!(serde_json::from_str::<Allocation>(&doubled).is_err());
    // Missing fields take Go's zero values; `null` TaskStates is no tasks.
    let bare: Allocation = serde_json::from_str(r#"{"TaskStates": null}"#).unwrap();
    assert_eq!(bare, Allocation::new());
}

#[test]
fn identity_setters_refuse_instead_of_cutting() {
    let mut alloc: Allocation = Allocation::new();
    let long_group = "g".repeat(TASK_GROUP_CAPACITY + 1);
    assert_eq!(
        alloc.set_identity(AllocIdentity {
            task_group: &long_group,
            ..identity()
        }),
        Err(AllocationError::IdentityTooLong {
            field: IdentityField::TaskGroup,
            len: TASK_GROUP_CAPACITY + 1
        })
    );
    assert_eq!(alloc.identity(), AllocIdentity::default());
    assert_eq!(alloc.modify_index(), 0);
    assert_eq!(alloc.set_identity(identity()), Ok(true));
    assert_eq!(alloc.set_identity(identity()), Ok(false));
    assert_eq!(alloc.modify_index(), 1);
    assert_eq!(
        (alloc.id(), alloc.eval_id(), alloc.node_id(), alloc.job_id()),
        (
            identity().id,
            identity().eval_id,
            identity().node_id,
            "shop"
        )
    );
    assert_eq!(
        alloc.set_client_description(&"d".repeat(CLIENT_DESCRIPTION_CAPACITY + 1)),
        Err(AllocationError::ClientDescriptionTooLong {
            len: CLIENT_DESCRIPTION_CAPACITY + 1
        })
    );
    assert_eq!(
        alloc.set_server_status(Some(ClientStatus::Complete)),
        Err(AllocationError::NotServerStatus {
            status: ClientStatus::Complete
        })
    );
}

#[test]
fn a_description_lasts_while_its_status_does() {
    let mut alloc: Allocation = Allocation::new();
    alloc.add_task("web", Role::main()).unwrap();
    assert_eq!(alloc.set_client_description("waiting"), Ok(true));
    assert_eq!(alloc.client_description(), "waiting");
    alloc.apply("web", TaskEvent::received(1)).unwrap(); // still pending
    assert_eq!(alloc.client_description(), "waiting");
    alloc.apply("web", TaskEvent::started(2)).unwrap();
    assert_eq!(alloc.client_description(), "Tasks are running");
    // Nomad's own text is not stored.
    assert_eq!(alloc.set_client_description("Tasks are running"), Ok(false));
    let bytes = encode(&alloc);
    assert_eq!(Allocation::<8>::from_postcard(&bytes), Ok(alloc));
}

/// The restart block, job type, lifecycle and role in the names of Nomad's job JSON,
/// read back; a role is read from a whole `Task` object, skipping its other fields.
#[test]
fn job_settings_use_nomads_job_json_names() {
    use allocstate::restart::{JobType, Lifecycle, RestartMode, RestartPolicy};
    let policy = JobType::Service.default_restart_policy();
    let json = serde_json::to_value(policy).unwrap();
    assert_eq!(
        json,
        serde_json::json!({"Attempts": 2, "Interval": 1_800_000_000_000i64,
            "Delay": 15_000_000_000i64, "Mode": "fail"})
    );
    assert_eq!(
        serde_json::from_value::<RestartPolicy>(json).unwrap(),
        policy
    );
    let with_extra = serde_json::json!({"Attempts": 1, "Interval": 1, "Delay": 0,
        "Mode": "delay", "RenderTemplates": false});
    assert_eq!(
        serde_json::from_value::<RestartPolicy>(with_extra)
            .unwrap()
            .mode,
        RestartMode::Delay
    );
    assert_eq!(
        serde_json::to_string(&JobType::Sysbatch).unwrap(),
        "\"sysbatch\""
    );
    assert_eq!(
        serde_json::from_str::<JobType>("\"batch\"").unwrap(),
        JobType::Batch
    );
    assert_eq!(
        serde_json::to_value(Lifecycle::prestart(true)).unwrap(),
        serde_json::json!({"Hook": "prestart", "Sidecar": true})
    );
    assert_eq!(
        serde_json::to_value(Role::leader()).unwrap(),
        serde_json::json!({"Lifecycle": null, "Leader": true})
    );
    let task = serde_json::json!({"Name": "logs", "Driver": "docker", "Leader": false,
        "Lifecycle": {"Hook": "poststart", "Sidecar": true}, "Config": {"image": "x"}});
    assert_eq!(
        serde_json::from_value::<Role>(task).unwrap(),
        Role::poststart(true)
    );
    assert_eq!(
        serde_json::from_value::<Role>(serde_json::json!({"Name": "web"})).unwrap(),
        Role::main()
    );
    assert!(serde_json::from_str::<JobType>("\"Service\"").is_err());
}

/// Real IDs: an 85-byte `JobID` and a 116-byte `Name` (generated job IDs of a workflow
/// scheduler) are read whole; a value longer than its field's capacity is cut to it and
/// the cut marked on that field, and the rest of the allocation is read as usual.
#[test]
fn real_length_ids_are_read_and_longer_ones_cut_visibly() {
    let job =
        "argo-workflow-run-2026-03-14t09-26-53-1234567890-abcdefghijklmnopqrstuvwxyz-012345678";
    assert_eq!(job.len(), 85);
    let group = "batch-step-group-with-name";
    let name = format!("{job}.{group}[12]");
    assert_eq!(name.len(), 116);
    let name = name.as_str();
    let mut json = seed_with("JobID", job.into());
    json["Name"] = name.into();
    let alloc: Allocation = serde_json::from_value(json).unwrap();
    assert_eq!(alloc.job_id(), job);
    assert_eq!(alloc.name(), name);
    for field in IdentityField::ALL {
        assert!(!alloc.identity_cut(field), "{field}");
    }
    assert_eq!(serde_json::to_value(&alloc).unwrap()["JobID"], job);

    let cases = [
        (
            "ID",
            IdentityField::Id,
            "203266e5-e0d6-9486-5e05-397ed2b184af0".to_owned(),
        ),
        ("Name", IdentityField::Name, full(ALLOC_NAME_CAPACITY + 1)),
        ("JobID", IdentityField::JobId, full(JOB_ID_CAPACITY + 1)),
        (
            "TaskGroup",
            IdentityField::TaskGroup,
            full(TASK_GROUP_CAPACITY + 7),
        ),
    ];
    let seed: Allocation = serde_json::from_str(SEED).unwrap();
    for (key, field, long) in cases {
        let alloc: Allocation =
            serde_json::from_value(seed_with(key, long.clone().into())).unwrap();
        assert!(alloc.identity_cut(field), "{key}");
        for other in IdentityField::ALL.into_iter().filter(|f| *f != field) {
            assert!(!alloc.identity_cut(other), "{key}: {other}");
        }
        let kept = match field {
            IdentityField::Id => alloc.id(),
            IdentityField::Name => alloc.name(),
            IdentityField::JobId => alloc.job_id(),
            _ => alloc.task_group(),
        };
        let mut end = field.capacity();
        while !long.is_char_boundary(end) {
            end -= 1;
        }
        assert_eq!(kept, &long[..end], "{key}");
        // The tasks are read as usual.
        assert!(alloc.tasks().eq(seed.tasks()), "{key}");
        // The cut stays visible through the compact format (a persist and restore).
        let restored: Allocation = Allocation::from_postcard(&encode(&alloc)).unwrap();
        assert_eq!(restored, alloc, "{key}");
        assert!(restored.identity_cut(field), "{key}");
    }
    // A cut on a character boundary: never half a character.
    let wide = "é".repeat(JOB_ID_CAPACITY); // two bytes each
    let alloc: Allocation =
        serde_json::from_value(seed_with("JobID", wide.as_str().into())).unwrap();
    assert!(alloc.identity_cut(IdentityField::JobId));
    assert_eq!(alloc.job_id(), "é".repeat(JOB_ID_CAPACITY / 2));
}
