//! Loom models of `lockyard::locked_list` with the seed's after length
//! (an atomic written under the head lock, read without it).

use lockyard::locked_list::{Link, Linked, LockedList};
use loom::cell::UnsafeCell;
use loom::sync::Arc;
use loom::thread;

/// An element with a payload its putter writes before the put.
pub(crate) struct Node {
    link: Link,
    payload: UnsafeCell<u32>,
}

// SAFETY: `link` is a field of the node, used by one list.
unsafe impl Linked for Node {
    fn link(&self) -> &Link {
        &self.link
    }
}

// SAFETY: `payload` is touched only by the thread that holds the node off
// the list; whether the list orders those accesses is what loom checks.
unsafe impl Sync for Node {}

/// A node that lives for the whole model, as the list's elements must.
pub(crate) fn node() -> &'static Node {
    Box::leak(Box::new(Node {
        link: Link::new(),
        payload: UnsafeCell::new(0),
    }))
}

/// One element shared by a thread that takes it and puts it back and one
/// that tries to take it, both reading the length after every step: the
/// element is never lost or doubled, and the length is always 0 or 1.
pub(crate) fn get_put_against_try_get<N: lockyard::locked_list::Length + 'static>() {
    loom::model(|| {
        let list = Arc::new(LockedList::<Node, N>::new());
        list.put(node());
        let check = |list: &LockedList<Node, N>| {
            let len = list.len();
            assert!(len <= 1, "a list of one element says it holds {len}");
        };
        let mover = {
            let list = Arc::clone(&list);
            thread::spawn(move || {
                let (node, last) = list.get();
                assert!(last, "the only element was not the last");
                check(&list);
                list.put(node);
                check(&list);
            })
        };
        if let Some((node, _)) = list.try_get() {
            check(&list);
            list.put(node);
        }
        check(&list);
        mover.join().unwrap();
        assert_eq!(list.len(), 1);
        assert!(list.try_get().is_some_and(|(_, last)| last));
    });
}

#[test]
fn get_and_put_keep_one_element_and_its_length() {
    get_put_against_try_get::<lockyard::locked_list::AtomicLen>();
}

/// What a putter wrote into its element is visible to the thread that gets
/// it: the head store that unlocks publishes the element.
#[test]
fn a_put_publishes_the_element() {
    loom::model(|| {
        let list = Arc::new(LockedList::<Node>::new());
        let putter = {
            let list = Arc::clone(&list);
            thread::spawn(move || {
                let node = node();
                // SAFETY: the node is on no list yet: ours alone.
                node.payload.with_mut(|p| unsafe { *p = 7 });
                list.put(node);
            })
        };
        if let Some((node, _)) = list.try_get() {
            // SAFETY: got from the list: ours alone now.
            let seen = node.payload.with(|p| unsafe { *p });
            assert_eq!(seen, 7);
        }
        putter.join().unwrap();
    });
}

/// A thread waiting in `get` on an empty list takes the element another
/// thread puts.
#[test]
fn get_waits_for_the_put() {
    loom::model(|| {
        let list = Arc::new(LockedList::<Node>::new());
        let taker = {
            let list = Arc::clone(&list);
            thread::spawn(move || list.get().1)
        };
        list.put(node());
        assert!(taker.join().unwrap(), "the one element was not the last");
        assert_eq!(list.len(), 0);
    });
}
