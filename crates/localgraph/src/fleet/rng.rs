//! A small deterministic random source: one SplitMix64 stream per (seed, kind, index), so
//! entity `i` of a kind is the same whatever else was generated, and a fleet is the same
//! for the same `--seed`.

/// A stream of pseudo-random numbers.
pub struct Rng(u64);

impl Rng {
    /// The stream of entity `index` of `kind` under `seed`.
    pub fn new(seed: u64, kind: &str, index: u64) -> Rng {
        let kind = kind.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
        });
        let mut rng = Rng(seed ^ kind.rotate_left(17) ^ index.wrapping_mul(0x9e37_79b9_7f4a_7c15));
        rng.next();
        rng
    }

    /// The next number.
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49eb_133e_f8e1);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n` > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    /// Whether an event of probability `p` happens.
    pub fn chance(&mut self, p: f64) -> bool {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }

    /// One of `items`.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }

    /// One of `items`, by their weights.
    pub fn weighted<'a, T>(&mut self, items: &'a [(T, u32)]) -> &'a T {
        let total: u64 = items.iter().map(|(_, w)| u64::from(*w)).sum();
        let mut at = self.below(total);
        for (item, weight) in items {
            if at < u64::from(*weight) {
                return item;
            }
            at -= u64::from(*weight);
        }
        &items[items.len() - 1].0
    }

    /// A GUID (version 4 in form), from the stream.
    pub fn guid(&mut self) -> String {
        let bytes = (u128::from(self.next()) << 64 | u128::from(self.next())).to_be_bytes();
        uuid::Builder::from_random_bytes(bytes)
            .into_uuid()
            .to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::Rng;

    #[test]
    fn streams_are_fixed_and_apart() {
        let a = Rng::new(7, "device", 3).next();
        assert_eq!(a, Rng::new(7, "device", 3).next());
        assert_ne!(a, Rng::new(7, "device", 4).next());
        assert_ne!(a, Rng::new(8, "device", 3).next());
        assert_ne!(a, Rng::new(7, "user", 3).next());
        let mut rng = Rng::new(1, "x", 0);
        let picks: Vec<u32> = (0..1000)
            .map(|_| *rng.weighted(&[(0, 9), (1, 1)]))
            .collect();
        let ones = picks.iter().filter(|p| **p == 1).count();
        assert!((50..160).contains(&ones), "{ones}");
    }
}
