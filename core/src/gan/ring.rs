//! Slot bookkeeping shared by the fixed-size rings ([`Window`](super::Window),
//! [`Replay`](super::Replay)).

/// Which of `N` slots to write next, and how many hold data; slots are overwritten
/// oldest-first once all `N` are written. `N = 0` does not compile.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Ring<const N: usize> {
    len: usize,
    next: usize,
}

impl<const N: usize> Ring<N> {
    /// No slot written yet.
    pub const EMPTY: Self = {
        assert!(N > 0, "a ring needs at least one slot");
        Self { len: 0, next: 0 }
    };

    /// Number of slots that hold data.
    pub fn len(self) -> usize {
        self.len
    }

    /// Whether all `N` slots hold data.
    pub fn is_full(self) -> bool {
        self.len == N
    }

    /// The slot to write now (the oldest once full); counts it as written.
    pub fn advance(&mut self) -> usize {
        let slot = self.next;
        self.next = (slot + 1) % N;
        self.len = (self.len + 1).min(N);
        slot
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fills_then_cycles() {
        let mut r = Ring::<3>::EMPTY;
        let slots = [(); 5].map(|_| r.advance());
        assert_eq!(slots, [0, 1, 2, 0, 1]);
        assert_eq!((r.len(), r.is_full()), (3, true));
    }
}
