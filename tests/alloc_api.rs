//! The allocation's API contract: typed errors that change nothing, and a modify index
//! that grows on every accepted change and only then.

use allocstate::{
    Allocation, AllocationError, ApplyError, DesiredStatus, EventKind, Phase, Role, TaskEvent,
    DESIRED_DESCRIPTION_CAPACITY, TASK_NAME_CAPACITY,
};
use proptest::prelude::*;

fn two_tasks() -> Allocation<2> {
    let mut alloc = Allocation::new();
    alloc.add_task("web", Role::leader()).unwrap();
    alloc.add_task("db", Role::main()).unwrap();
    alloc
}

#[test]
fn new_allocation() {
    const EMPTY: Allocation = Allocation::new();
    assert!(EMPTY.is_empty());
    assert_eq!(EMPTY.capacity(), 8);
    assert_eq!(EMPTY.modify_index(), 0);
    assert_eq!(EMPTY.desired_status(), DesiredStatus::Run);
    assert_eq!(EMPTY.desired_description(), "");
    assert_eq!(EMPTY.client_status().as_str(), "pending");
    assert_eq!(EMPTY.client_description(), "No tasks have started");
    assert!(EMPTY.orders().is_empty());
}

#[test]
fn refused_adds_change_nothing() {
    let mut alloc = two_tasks();
    let before = alloc.clone();
    let long = "n".repeat(TASK_NAME_CAPACITY + 1);
    let cases: [(&str, AllocationError); 4] = [
        ("web", AllocationError::DuplicateTask),
        ("", AllocationError::EmptyName),
        (&long, AllocationError::NameTooLong { len: long.len() }),
        ("cache", AllocationError::Full { capacity: 2 }),
    ];
    for (name, want) in cases {
        assert_eq!(alloc.add_task(name, Role::main()), Err(want), "{name:?}");
        assert_eq!(alloc, before, "{name:?}");
    }
    // A name of exactly the capacity is fine; it is kept whole.
    let mut big: Allocation<1> = Allocation::new();
    let exact = "é".repeat(TASK_NAME_CAPACITY / 2);
    assert_eq!(big.add_task(&exact, Role::main()), Ok(0));
    assert_eq!(big.task_at(0).unwrap().name(), exact);
}

#[test]
fn duplicate_is_checked_before_full() {
    let mut alloc = two_tasks();
    assert_eq!(
        alloc.add_task("db", Role::main()),
        Err(AllocationError::DuplicateTask)
    );
}

#[test]
fn unknown_names_change_nothing() {
    let mut alloc = two_tasks();
    let before = alloc.clone();
    let err = alloc.apply("nope", TaskEvent::received(1)).unwrap_err();
    assert!(matches!(err, ApplyError::UnknownTask(_)));
    assert_eq!(err.into_event(), TaskEvent::received(1));
    let err = alloc.apply_at(7, TaskEvent::received(1)).unwrap_err();
    assert_eq!(
        err.to_string(),
        "`Received` event for a task not in the allocation"
    );
    assert_eq!(alloc.finish("nope", 1), Err(AllocationError::UnknownTask));
    assert!(alloc.task("nope").is_none());
    assert!(alloc.state("nope").is_none());
    assert_eq!(alloc.index_of("nope"), None);
    assert_eq!(alloc, before);
}

#[test]
fn rejected_events_change_nothing_not_even_the_index() {
    let mut alloc = two_tasks();
    alloc.apply("web", TaskEvent::received(1)).unwrap();
    alloc.apply("web", TaskEvent::started(2)).unwrap();
    let before = alloc.clone();
    let err = alloc.apply("web", TaskEvent::started(3)).unwrap_err();
    let rejected = err.rejected().expect("machine refusal");
    assert_eq!(rejected.phase(), Phase::Running);
    assert_eq!(rejected.kind(), EventKind::Started);
    assert_eq!(
        err.to_string(),
        "`Started` event not allowed in phase Running"
    );
    assert_eq!(alloc, before);
}

#[test]
fn desired_status_and_description() {
    let mut alloc = two_tasks();
    let i0 = alloc.modify_index();
    assert_eq!(
        alloc.set_desired(DesiredStatus::Run, ""),
        Ok(false),
        "same values: no change"
    );
    assert_eq!(alloc.modify_index(), i0);
    assert_eq!(
        alloc.set_desired(DesiredStatus::Stop, "alloc not needed due to job update"),
        Ok(true)
    );
    assert!(alloc.changed_since(i0));
    assert_eq!(alloc.desired_status().as_str(), "stop");
    assert_eq!(
        alloc.desired_description(),
        "alloc not needed due to job update"
    );
    let before = alloc.clone();
    let long = "d".repeat(DESIRED_DESCRIPTION_CAPACITY + 1);
    assert_eq!(
        alloc.set_desired(DesiredStatus::Evict, &long),
        Err(AllocationError::DescriptionTooLong { len: long.len() })
    );
    assert_eq!(alloc, before);
    for s in [
        DesiredStatus::Run,
        DesiredStatus::Stop,
        DesiredStatus::Evict,
    ] {
        assert_eq!(DesiredStatus::from_wire_str(s.as_str()), Some(s));
        assert_eq!(s.to_string(), s.as_str());
    }
    assert_eq!(DesiredStatus::from_wire_str("Run"), None);
}

#[test]
fn index_grows_on_each_accepted_change() {
    let mut alloc: Allocation = Allocation::new();
    let mut last = alloc.modify_index();
    let mut grew = |alloc: &Allocation| {
        let grew = alloc.changed_since(last);
        last = alloc.modify_index();
        grew
    };
    alloc.add_task("web", Role::main()).unwrap();
    assert!(grew(&alloc));
    alloc.apply("web", TaskEvent::received(1)).unwrap();
    assert!(grew(&alloc));
    alloc
        .apply("web", TaskEvent::driver(2, "pulling image"))
        .unwrap();
    assert!(grew(&alloc), "an annotation is a change too");
    alloc.finish("web", 3).unwrap();
    assert!(grew(&alloc));
    alloc.finish("web", 4).unwrap();
    assert!(!grew(&alloc), "finishing a dead task changes nothing");
    assert!(!alloc.changed_since(alloc.modify_index()));
}

#[test]
fn error_messages_say_what_was_wrong() {
    assert_eq!(
        AllocationError::Full { capacity: 8 }.to_string(),
        "the allocation is full (8 tasks)"
    );
    assert_eq!(
        AllocationError::NameTooLong { len: 70 }.to_string(),
        "task name of 70 bytes exceeds the capacity of 64"
    );
    assert_eq!(
        AllocationError::DuplicateTask.to_string(),
        "a task with this name is already in the allocation"
    );
}

#[derive(Debug, Clone)]
enum Op {
    Add(u8, u8),
    Apply(u8, u8),
    Finish(u8),
    Desired(u8, bool),
    Orders,
}

const NAMES: [&str; 5] = ["leader", "web", "side", "post", ""];
const KINDS: [&str; 9] = [
    "Received",
    "Started",
    "Terminated",
    "Killing",
    "Killed",
    "Restarting",
    "Not Restarting",
    "Sibling Task Failed",
    "Driver",
];

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (0u8..5, 0u8..5).prop_map(|(n, r)| Op::Add(n, r)),
        (0u8..5, 0u8..9).prop_map(|(n, k)| Op::Apply(n, k)),
        (0u8..5).prop_map(Op::Finish),
        (0u8..3, any::<bool>()).prop_map(|(s, d)| Op::Desired(s, d)),
        Just(Op::Orders),
    ]
}

fn role(r: u8) -> Role {
    match r {
        0 => Role::leader(),
        1 => Role::main(),
        2 => Role::prestart(true),
        3 => Role::poststart(false),
        _ => Role::poststop(),
    }
}

proptest! {
    /// Whatever happens: the index never decreases; it grows exactly when the
    /// allocation changed; an error leaves the allocation as it was; orders never
    /// name a dead or poststop task, and are never repeated once applied.
    #[test]
    fn index_is_monotonic_and_errors_change_nothing(ops in prop::collection::vec(op(), 0..60)) {
        let mut alloc: Allocation<4> = Allocation::new();
        for (t, op) in ops.into_iter().enumerate() {
            let t = t as i64;
            let before = alloc.clone();
            let ok = match op {
                Op::Add(n, r) => alloc.add_task(NAMES[n as usize], role(r)).is_ok(),
                Op::Apply(n, k) => alloc
                    .apply(NAMES[n as usize], TaskEvent::from_type_str(t, KINDS[k as usize]))
                    .is_ok(),
                Op::Finish(n) => alloc.finish(NAMES[n as usize], t).is_ok(),
                Op::Desired(s, d) => {
                    let status = [DesiredStatus::Run, DesiredStatus::Stop, DesiredStatus::Evict][s as usize];
                    alloc.set_desired(status, if d { "why" } else { "" }).is_ok()
                }
                Op::Orders => {
                    let orders = alloc.orders();
                    for order in &orders {
                        let task = alloc.task_at(order.task()).unwrap();
                        prop_assert!(!task.role().is_poststop());
                        prop_assert!(task.state().phase() != Phase::Dead);
                        prop_assert!(!task.kill_ordered());
                    }
                    let applied = alloc.apply_orders(t);
                    prop_assert_eq!(applied.len(), orders.len());
                    prop_assert!(alloc.orders().is_empty());
                    true
                }
            };
            prop_assert!(alloc.modify_index() >= before.modify_index());
            prop_assert_eq!(alloc.changed_since(before.modify_index()), alloc != before);
            if !ok {
                prop_assert_eq!(&alloc, &before);
            }
        }
    }
}

#[test]
fn an_order_names_its_task_and_its_cause_reads_as_nomads_message() {
    let mut alloc = two_tasks();
    for name in ["web", "db"] {
        alloc.apply(name, TaskEvent::received(1)).unwrap();
        alloc.apply(name, TaskEvent::started(2)).unwrap();
    }
    alloc.apply("db", TaskEvent::terminated(3, 1)).unwrap();
    alloc
        .apply(
            "db",
            TaskEvent::not_restarting(4, "Policy allows no restarts"),
        )
        .unwrap();
    let orders = alloc.orders();
    assert_eq!(orders.len(), 1);
    assert_eq!(orders[0].task_name(), "web");
    assert_eq!(
        orders[0].cause().to_string(),
        "Task's sibling \"db\" failed"
    );
    let names: Vec<&str> = orders.iter().map(|o| o.task_name()).collect();
    assert_eq!(names, ["web"]);
}

#[test]
fn kill_causes_and_roles_display_for_logs() {
    assert_eq!(
        allocstate::KillCause::LeaderTaskDead.to_string(),
        "Leader Task in Group dead"
    );
    assert_eq!(
        allocstate::KillCause::MainTasksDead.to_string(),
        "Main tasks in the group died"
    );
    assert_eq!(
        allocstate::KillCause::Desired(DesiredStatus::Stop).to_string(),
        "desired status is \"stop\""
    );
    let roles = [
        (Role::main(), "main"),
        (Role::leader(), "leader"),
        (Role::prestart(false), "prestart"),
        (Role::prestart(true), "prestart sidecar"),
        (Role::poststart(true), "poststart sidecar"),
        (Role::poststop(), "poststop"),
        (Role::poststart(false).with_leader(true), "poststart leader"),
    ];
    for (role, text) in roles {
        assert_eq!(role.to_string(), text);
    }
}

#[test]
fn a_kill_timeout_is_taken_as_a_duration_or_nanoseconds() {
    let mut alloc: Allocation<2> = Allocation::new();
    alloc
        .add_task_with_kill_timeout("web", Role::main(), core::time::Duration::from_millis(1500))
        .unwrap();
    alloc
        .add_task_with_kill_timeout("db", Role::main(), 2_000_000_000)
        .unwrap();
    assert_eq!(alloc.task("web").unwrap().kill_timeout(), 1_500_000_000);
    assert_eq!(alloc.task("db").unwrap().kill_timeout(), 2_000_000_000);
}

/// An allocation rebuilt from what its accessors give is the same allocation; each
/// invariant the decoders rely on is refused by `from_parts` itself.
/// The parts of an allocation's tasks, as a store would give them back.
fn task_parts<const N: usize>(
    alloc: &Allocation<N>,
) -> impl Iterator<Item = allocstate::AllocTaskParts<'_>> {
    alloc.tasks().map(|t| allocstate::AllocTaskParts {
        name: t.name(),
        role: t.role(),
        kill_timeout: t.kill_timeout(),
        kill_ordered: t.kill_ordered(),
        state: t.state().clone(),
    })
}

#[test]
fn from_parts_rebuilds_an_allocation_and_refuses_what_breaks_its_invariants() {
    use allocstate::{AllocTaskParts, AllocationParts, ClientStatus, TaskState};
    let mut alloc = two_tasks();
    alloc.apply("web", TaskEvent::received(1)).unwrap();
    alloc.apply("web", TaskEvent::started(2)).unwrap();
    alloc
        .set_desired(DesiredStatus::Stop, "alloc not needed")
        .unwrap();
    let _ = alloc.apply_orders(3);
    let parts = AllocationParts {
        identity: alloc.identity(),
        desired_status: alloc.desired_status(),
        desired_description: alloc.desired_description(),
        client_status: Some(alloc.client_status()),
        client_description: Some(alloc.client_description()),
        create_index: alloc.create_index(),
        modify_index: alloc.modify_index(),
    };
    let tasks = || task_parts(&alloc);
    assert_eq!(
        Allocation::<2>::from_parts(parts, tasks()).as_ref(),
        Ok(&alloc)
    );

    let too_many = Allocation::<1>::from_parts(parts, tasks());
    assert_eq!(too_many, Err(AllocationError::Full { capacity: 1 }));
    let twice = tasks().chain(tasks().take(1));
    assert_eq!(
        Allocation::<4>::from_parts(parts, twice),
        Err(AllocationError::DuplicateTask)
    );
    let contradicted = AllocationParts {
        client_status: Some(ClientStatus::Complete),
        ..parts
    };
    assert_eq!(
        Allocation::<2>::from_parts(contradicted, tasks()),
        Err(AllocationError::ClientStatusContradicts {
            claimed: ClientStatus::Complete,
            derived: ClientStatus::Running,
        })
    );
    let lost = AllocationParts {
        client_status: Some(ClientStatus::Lost),
        ..parts
    };
    let lost = Allocation::<2>::from_parts(lost, tasks()).unwrap();
    assert_eq!(lost.client_status(), ClientStatus::Lost);
    let never_ran = AllocTaskParts {
        name: "cache",
        role: Role::main(),
        kill_timeout: 0,
        kill_ordered: true,
        state: TaskState::new(),
    };
    assert_eq!(
        Allocation::<4>::from_parts(parts, tasks().chain([never_ran])),
        Err(AllocationError::KillOrderedTask)
    );
    let backwards = AllocationParts {
        create_index: 9,
        modify_index: 8,
        ..parts
    };
    assert_eq!(
        Allocation::<2>::from_parts(backwards, tasks()),
        Err(AllocationError::InvalidIndexes {
            create_index: 9,
            modify_index: 8
        })
    );
}

#[test]
fn rebuilding_an_allocation_in_place_matches_the_by_value_form_and_a_refusal_leaves_it_new() {
    use allocstate::AllocationParts;
    let mut alloc = two_tasks();
    alloc.apply("web", TaskEvent::received(1)).unwrap();
    alloc.apply("web", TaskEvent::started(2)).unwrap();
    let parts = AllocationParts {
        identity: alloc.identity(),
        client_status: Some(alloc.client_status()),
        create_index: alloc.create_index(),
        modify_index: alloc.modify_index(),
        ..AllocationParts::default()
    };
    let tasks = || task_parts(&alloc);
    // Whatever `out` held is replaced.
    let mut out = two_tasks();
    out.apply("db", TaskEvent::received(5)).unwrap();
    Allocation::from_parts_into(parts, tasks(), &mut out).unwrap();
    assert_eq!(
        Ok(&out),
        Allocation::<2>::from_parts(parts, tasks()).as_ref()
    );
    assert_eq!(out, alloc);

    // Refused while adding the tasks (a duplicate), and after (the indexes).
    let twice = tasks().chain(tasks().take(1));
    let mut out: Allocation<4> = Allocation::new();
    out.add_task("x", Role::main()).unwrap();
    assert_eq!(
        Allocation::from_parts_into(parts, twice, &mut out),
        Err(AllocationError::DuplicateTask)
    );
    assert_eq!(out, Allocation::new());
    let backwards = AllocationParts {
        create_index: 9,
        modify_index: 8,
        ..parts
    };
    out.add_task("x", Role::main()).unwrap();
    assert!(Allocation::from_parts_into(backwards, tasks(), &mut out).is_err());
    assert_eq!(out, Allocation::new());
}
