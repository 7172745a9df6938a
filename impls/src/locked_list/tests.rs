use super::{AtomicLen, Length, Link, Linked, LockedLen, LockedList};

struct Node {
    link: Link,
    id: usize,
}

// SAFETY: `link` is a field of the node, used by one list at a time.
unsafe impl Linked for Node {
    fn link(&self) -> &Link {
        &self.link
    }
}

fn nodes(n: usize) -> Vec<Node> {
    (0..n)
        .map(|id| Node {
            link: Link::new(),
            id,
        })
        .collect()
}

fn last_in_first_out<N: Length>() {
    let nodes = nodes(3);
    let list = LockedList::<Node, N>::new();
    assert!(list.is_empty() && list.try_get().is_none());
    for node in &nodes {
        list.put(node);
        assert!(node.link.is_linked());
    }
    assert_eq!(list.len(), 3);
    let popped: Vec<(usize, bool)> = (0..3)
        .map(|_| {
            let (node, last) = list.get();
            assert!(!node.link.is_linked());
            (node.id, last)
        })
        .collect();
    assert_eq!(popped, [(2, false), (1, false), (0, true)]);
    assert_eq!(list.len(), 0);
    assert!(list.try_get().is_none());
}

#[test]
fn pops_in_reverse_and_reports_the_last_atomic_len() {
    last_in_first_out::<AtomicLen>();
}

#[test]
fn pops_in_reverse_and_reports_the_last_locked_len() {
    last_in_first_out::<LockedLen>();
}

#[test]
#[should_panic(expected = "already on a list")]
fn a_second_put_panics() {
    let nodes = nodes(1);
    let list = LockedList::<Node>::new();
    list.put(&nodes[0]);
    list.put(&nodes[0]);
}

#[test]
fn the_list_survives_a_refused_put() {
    let nodes = nodes(1);
    let list = LockedList::<Node>::new();
    list.put(&nodes[0]);
    let refused = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| list.put(&nodes[0])));
    assert!(refused.is_err());
    assert_eq!(list.len(), 1);
    assert_eq!(
        list.try_get().map(|(n, last)| (n.id, last)),
        Some((0, true))
    );
}

#[test]
fn get_waits_for_a_put() {
    let nodes = nodes(1);
    let list = LockedList::<Node>::new();
    std::thread::scope(|s| {
        let taker = s.spawn(|| list.get().0.id);
        // Generous: the taker only has to reach its wait; the put is
        // correct whether or not it has.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while list.waiters() == 0 && std::time::Instant::now() < deadline {
            std::thread::yield_now();
        }
        assert_eq!(list.waiters(), 1, "the taker never waited");
        list.put(&nodes[0]);
        assert_eq!(taker.join().unwrap(), 0);
    });
    assert_eq!(list.waiters(), 0);
}
