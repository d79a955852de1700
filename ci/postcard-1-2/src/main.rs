//! Builds against postcard 1.2 and checks that allocstate's compact format and postcard's
//! own encoder agree byte for byte, both ways.

use allocstate::{Allocation, Role, TaskEvent, TaskState};

fn main() {
    let mut task = TaskState::new();
    for event in [
        TaskEvent::received(1_447_806_038_427_841_000),
        TaskEvent::started(1_447_806_038_500_000_000),
        TaskEvent::terminated(1_447_806_040_000_000_000, -3),
    ] {
        task.apply(event).expect("a valid sequence");
    }

    let mut ours = [0u8; TaskState::POSTCARD_MAX_SIZE];
    let ours = task.to_postcard(&mut ours).expect("fits the bound");
    let mut theirs = [0u8; TaskState::POSTCARD_MAX_SIZE];
    let theirs = postcard::to_slice(&task, &mut theirs).expect("fits the bound");
    assert_eq!(
        &*ours, &*theirs,
        "postcard 1.2 writes the bytes allocstate writes"
    );
    let read: TaskState = postcard::from_bytes(ours).expect("postcard 1.2 reads them");
    assert_eq!(read, task);
    assert_eq!(TaskState::from_postcard(theirs), Ok(task));

    let mut group: Allocation<2> = Allocation::new();
    group
        .add_task("web", Role::leader())
        .expect("room for a task");
    group
        .apply("web", TaskEvent::received(1))
        .expect("a valid first event");
    let mut buf = [0u8; Allocation::<2>::POSTCARD_MAX_SIZE];
    let bytes = group.to_postcard(&mut buf).expect("fits the bound");
    let mut again = [0u8; Allocation::<2>::POSTCARD_MAX_SIZE];
    assert_eq!(
        &*postcard::to_slice(&group, &mut again).expect("fits the bound"),
        &*bytes
    );
    assert_eq!(Allocation::<2>::from_postcard(bytes), Ok(group));
    println!(
        "postcard 1.2 and allocstate agree ({} + {} bytes)",
        ours.len(),
        bytes.len()
    );
}
