//! Simulation from the models' own generative stories, for tests (does the
//! fit recover the parameters it was simulated with?) and for synthetic
//! benchmark data.

use super::{BgNbd, GammaGamma};
use crate::rng::Rng;

/// Repeat purchase times in (0, `observe`] of one customer drawn from the
/// BG/NBD population: λ ~ Gamma(r, rate α), p ~ Beta(a, b); purchases arrive
/// at rate λ and after each one the customer leaves with probability p.
pub fn purchase_times(rng: &mut Rng, m: &BgNbd, observe: f64) -> Vec<f64> {
    let lambda = rng.gamma(m.r(), m.alpha());
    let p = rng.beta(m.a(), m.b());
    let mut times = Vec::new();
    let mut t = 0.0;
    loop {
        t += rng.exponential(lambda);
        if t > observe {
            return times;
        }
        times.push(t);
        if rng.uniform() < p {
            return times;
        }
    }
}

/// One customer's spending: ν ~ Gamma(q, rate v) fixed per customer, and
/// each purchase value ~ Gamma(p, rate ν).
#[derive(Clone, Copy, Debug)]
pub struct Spender {
    shape: f64,
    nu: f64,
}

impl Spender {
    pub fn draw(rng: &mut Rng, m: &GammaGamma) -> Self {
        Spender { shape: m.p(), nu: rng.gamma(m.q(), m.v()) }
    }

    pub fn purchase(&self, rng: &mut Rng) -> f64 {
        rng.gamma(self.shape, self.nu)
    }
}
