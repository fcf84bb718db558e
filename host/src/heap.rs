//! Big values built directly on the heap, never on the stack.

use tinygan_core::Zero;

/// `T::ZERO` in a new heap allocation, written in place.
///
/// The training state ([`Run`](tinygan_core::train::Run) with the run-time optimisers and
/// histories) has a `ZERO` whose every byte is zero, so the compiler turns the write of the
/// constant into a memset of the allocation: no copy passes through the stack, and the
/// state can be megabytes on a thread with the default 2 MiB stack. This needs
/// optimisation (at `opt-level = 0` the constant is copied through the stack first), which
/// is why the dev and test profiles build this crate at `opt-level = 1` (Cargo.toml).
pub fn boxed_zero<T: Zero>() -> Box<T> {
    Box::write(Box::new_uninit(), T::ZERO)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 64 MiB value boxed on a thread with a 64 KiB stack: it cannot have passed through
    /// the stack, and it reads back as zero.
    #[test]
    fn a_value_far_bigger_than_the_stack_is_built_on_the_heap() {
        type Big = [[f32; 1 << 12]; 1 << 12];
        let sum = std::thread::Builder::new()
            .stack_size(64 << 10)
            .spawn(|| {
                let b = boxed_zero::<Big>();
                b.iter().flatten().map(|v| v.abs()).sum::<f32>()
            })
            .unwrap()
            .join()
            .unwrap();
        assert_eq!(sum, 0.0);
    }
}
