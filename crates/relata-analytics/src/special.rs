//! Special functions the likelihoods need: ln Γ (Lanczos approximation) and
//! the Gauss hypergeometric series ₂F₁ for |z| < 1.
//!
//! Written here rather than pulled from a statistics crate: the models need
//! two functions, and both are short and testable against known values.

use std::f64::consts::PI;

/// Lanczos coefficients for g = 7, n = 9; relative error below 1e-13 for
/// positive real arguments, which is far below the noise of any fitted
/// likelihood.
const LANCZOS_G: f64 = 7.0;
const LANCZOS: [f64; 9] = [
    0.999_999_999_999_809_9,
    676.520_368_121_885_1,
    -1_259.139_216_722_402_8,
    771.323_428_777_653_1,
    -176.615_029_162_140_6,
    12.507_343_278_686_905,
    -0.138_571_095_265_720_12,
    9.984_369_578_019_572e-6,
    1.505_632_735_149_311_6e-7,
];

/// ln |Γ(x)|. Uses the reflection formula below 0.5, so it is defined for
/// every real x except the poles 0, −1, −2, … (where it returns +∞).
pub fn ln_gamma(x: f64) -> f64 {
    if x.is_nan() {
        return f64::NAN;
    }
    if x <= 0.0 && x == x.floor() {
        return f64::INFINITY;
    }
    if x < 0.5 {
        // Γ(x) Γ(1−x) = π / sin(πx)
        return (PI / (PI * x).sin().abs()).ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let mut sum = LANCZOS[0];
    for (i, c) in LANCZOS.iter().enumerate().skip(1) {
        sum += c / (x + i as f64);
    }
    let t = x + LANCZOS_G + 0.5;
    0.5 * (2.0 * PI).ln() + (x + 0.5) * t.ln() - t + sum.ln()
}

/// ln B(a, b) = ln Γ(a) + ln Γ(b) − ln Γ(a + b).
pub fn ln_beta(a: f64, b: f64) -> f64 {
    ln_gamma(a) + ln_gamma(b) - ln_gamma(a + b)
}

/// The most terms a hypergeometric series may take before it is declared
/// non-convergent.
pub const MAX_SERIES_TERMS: usize = 1_000_000;

/// ₂F₁(a, b; c; z) by its power series, for |z| < 1 and c not a non-positive
/// integer. Returns `None` when the series does not settle within
/// [`MAX_SERIES_TERMS`] terms or leaves the finite numbers; callers decide
/// what that means for them (the BG/NBD code uses a transformed series that
/// stays small, see `clv::bgnbd`).
pub fn hyp2f1(a: f64, b: f64, c: f64, z: f64) -> Option<f64> {
    if z.is_nan() || z.abs() >= 1.0 || (c <= 0.0 && c == c.floor()) {
        return None;
    }
    let mut term = 1.0;
    let mut sum = 1.0;
    for n in 0..MAX_SERIES_TERMS {
        let n = n as f64;
        term *= (a + n) * (b + n) / ((c + n) * (n + 1.0)) * z;
        sum += term;
        if !sum.is_finite() {
            return None;
        }
        if term.abs() <= 1e-16 * sum.abs() {
            return Some(sum);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol * (1.0 + b.abs())
    }

    #[test]
    fn ln_gamma_matches_factorials_and_half_integers() {
        let mut factorial = 1.0_f64;
        for n in 1..30 {
            // Γ(n) = (n − 1)!
            assert!(close(ln_gamma(n as f64), factorial.ln(), 1e-12), "n = {n}");
            factorial *= n as f64;
        }
        // Γ(1/2) = √π, Γ(3/2) = √π / 2
        assert!(close(ln_gamma(0.5), PI.sqrt().ln(), 1e-12));
        assert!(close(ln_gamma(1.5), (PI.sqrt() / 2.0).ln(), 1e-12));
        // Γ(−1/2) = −2√π, reflection branch
        assert!(close(ln_gamma(-0.5), (2.0 * PI.sqrt()).ln(), 1e-12));
        assert_eq!(ln_gamma(0.0), f64::INFINITY);
        assert_eq!(ln_gamma(-3.0), f64::INFINITY);
    }

    #[test]
    fn ln_gamma_satisfies_the_recurrence_for_small_and_large_arguments() {
        for &x in &[1e-6, 0.01, 0.3, 2.7, 17.25, 350.0, 1e5] {
            // Γ(x + 1) = x Γ(x)
            assert!(close(ln_gamma(x + 1.0), ln_gamma(x) + f64::ln(x), 1e-11), "x = {x}");
        }
    }

    #[test]
    fn hyp2f1_matches_closed_forms() {
        for &z in &[-0.9, -0.3, 0.0, 0.2, 0.7, 0.95] {
            // ₂F₁(1, 1; 2; z) = −ln(1 − z) / z
            let expected = if z == 0.0 { 1.0 } else { -(1.0_f64 - z).ln() / z };
            assert!(close(hyp2f1(1.0, 1.0, 2.0, z).unwrap(), expected, 1e-12), "z = {z}");
            // ₂F₁(a, b; b; z) = (1 − z)^(−a)
            assert!(close(hyp2f1(2.5, 3.0, 3.0, z).unwrap(), (1.0 - z).powf(-2.5), 1e-12));
        }
        assert_eq!(hyp2f1(1.0, 1.0, 2.0, 1.0), None);
        assert_eq!(hyp2f1(1.0, 1.0, -2.0, 0.5), None);
    }
}
