//! A small deterministic generator for the cases' random choices: each
//! thread of each round draws its own fixed sequence, so a failure replays.

/// xorshift64.
pub struct Xorshift(u64);

impl Xorshift {
    /// The sequence of `thread` in `round`.
    pub fn new(round: usize, thread: usize) -> Self {
        // xorshift needs a non-zero seed; the multiply spreads the bits.
        Xorshift(((round as u64) << 32 ^ thread as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    /// The next draw, in `0..n`.
    pub fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}
