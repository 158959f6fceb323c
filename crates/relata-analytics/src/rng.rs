//! A small deterministic random number generator (xoshiro256++ seeded by
//! SplitMix64) with the samplers the simulations and synthetic benchmark data
//! need: uniform, exponential, normal, gamma, beta and Poisson.
//!
//! Own code rather than `rand`: the same seed must give the same data on
//! every platform and version, and the models need only these few draws.

/// xoshiro256++: fast, 256 bits of state, good statistical quality for
/// simulations (not for secrets).
#[derive(Clone, Debug)]
pub struct Rng {
    s: [u64; 4],
}

impl Rng {
    pub fn new(seed: u64) -> Self {
        // SplitMix64 spreads any seed (even 0) over the whole state.
        let mut x = seed;
        let mut next = || {
            x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = x;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^ (z >> 31)
        };
        Rng { s: [next(), next(), next(), next()] }
    }

    pub fn next_u64(&mut self) -> u64 {
        let s = &mut self.s;
        let result = s[0].wrapping_add(s[3]).rotate_left(23).wrapping_add(s[0]);
        let t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = s[3].rotate_left(45);
        result
    }

    /// Uniform in the open interval (0, 1): never 0, so `ln` is safe.
    pub fn uniform(&mut self) -> f64 {
        ((self.next_u64() >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }

    /// Uniform integer in 0..n (n > 0); the modulo bias is below 2⁻³² for the
    /// sizes used here.
    pub fn below(&mut self, n: u64) -> u64 {
        ((self.next_u64() >> 32) * n) >> 32
    }

    /// Exponential with the given rate.
    pub fn exponential(&mut self, rate: f64) -> f64 {
        -self.uniform().ln() / rate
    }

    /// Standard normal (Box–Muller; one of the pair is discarded for
    /// simplicity).
    pub fn normal(&mut self) -> f64 {
        let (u, v) = (self.uniform(), self.uniform());
        (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
    }

    /// Gamma with the given shape and rate (mean shape / rate), by
    /// Marsaglia and Tsang's squeeze method; shapes below 1 are boosted with
    /// the U^(1/shape) trick.
    pub fn gamma(&mut self, shape: f64, rate: f64) -> f64 {
        if shape < 1.0 {
            let boost = self.uniform().powf(1.0 / shape);
            return self.gamma(shape + 1.0, rate) * boost;
        }
        let d = shape - 1.0 / 3.0;
        let c = 1.0 / (9.0 * d).sqrt();
        loop {
            let x = self.normal();
            let v = (1.0 + c * x).powi(3);
            if v <= 0.0 {
                continue;
            }
            let u = self.uniform();
            if u.ln() < 0.5 * x * x + d - d * v + d * v.ln() {
                return d * v / rate;
            }
        }
    }

    /// Beta(a, b) as X / (X + Y) with X ~ Gamma(a), Y ~ Gamma(b).
    pub fn beta(&mut self, a: f64, b: f64) -> f64 {
        let x = self.gamma(a, 1.0);
        let y = self.gamma(b, 1.0);
        x / (x + y)
    }

    /// Poisson with the given mean: Knuth's product of uniforms, with large
    /// means split into chunks so that e^(−λ) never underflows.
    pub fn poisson(&mut self, mean: f64) -> u64 {
        let mut remaining = mean;
        let mut count = 0;
        while remaining > 0.0 {
            let chunk = remaining.min(30.0);
            remaining -= chunk;
            let limit = (-chunk).exp();
            let mut product = self.uniform();
            while product > limit {
                count += 1;
                product *= self.uniform();
            }
        }
        count
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mean_var(xs: &[f64]) -> (f64, f64) {
        let n = xs.len() as f64;
        let mean = xs.iter().sum::<f64>() / n;
        (mean, xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0))
    }

    #[test]
    fn the_same_seed_gives_the_same_sequence() {
        let a: Vec<u64> = (0..5).scan(Rng::new(7), |r, _| Some(r.next_u64())).collect();
        let b: Vec<u64> = (0..5).scan(Rng::new(7), |r, _| Some(r.next_u64())).collect();
        let c: Vec<u64> = (0..5).scan(Rng::new(8), |r, _| Some(r.next_u64())).collect();
        assert_eq!(a, b);
        assert_ne!(a, c);
    }

    #[test]
    fn samplers_have_the_right_moments() {
        let mut rng = Rng::new(1);
        let n = 200_000;
        for &(shape, rate) in &[(0.25, 4.0), (2.5, 1.0), (6.0, 0.5)] {
            let xs: Vec<f64> = (0..n).map(|_| rng.gamma(shape, rate)).collect();
            let (m, v) = mean_var(&xs);
            assert!((m / (shape / rate) - 1.0).abs() < 0.03, "gamma({shape},{rate}) mean {m}");
            assert!((v / (shape / rate / rate) - 1.0).abs() < 0.06, "gamma({shape},{rate}) var {v}");
        }
        let xs: Vec<f64> = (0..n).map(|_| rng.beta(0.8, 2.5)).collect();
        let (m, _) = mean_var(&xs);
        assert!((m - 0.8 / 3.3).abs() < 0.005, "beta mean {m}");
        for &lambda in &[0.7, 12.0, 75.0] {
            let xs: Vec<f64> = (0..n).map(|_| rng.poisson(lambda) as f64).collect();
            let (m, v) = mean_var(&xs);
            assert!((m / lambda - 1.0).abs() < 0.02 && (v / lambda - 1.0).abs() < 0.04, "poisson {lambda}: {m} {v}");
        }
    }
}
