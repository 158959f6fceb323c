//! Derivative-free minimisation: Nelder–Mead with restarts.
//!
//! The likelihoods are fitted over log-parameters, so the search is
//! unconstrained in form; [`Bounds`] keeps it inside a box (points outside
//! score +∞) so that `exp` of a parameter can neither overflow nor reach 0.
//! Restarting from the best vertex with a fresh simplex guards against the
//! method's known habit of collapsing on a ridge before reaching the optimum.

/// Options for [`nelder_mead`].
#[derive(Clone, Debug)]
pub struct Options {
    /// Initial simplex edge along each axis.
    pub step: f64,
    /// Stop when the spread of function values in the simplex is below
    /// `f_tol × (1 + |f_best|)` and the simplex is smaller than `x_tol`.
    pub f_tol: f64,
    pub x_tol: f64,
    /// Iterations per run (one run = one simplex).
    pub max_iterations: usize,
    /// Further runs from the best point; the search stops early when a restart
    /// no longer improves the best value.
    pub restarts: usize,
    /// Each coordinate must stay within these bounds.
    pub bounds: Bounds,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            step: 0.5,
            f_tol: 1e-11,
            x_tol: 1e-7,
            max_iterations: 5_000,
            restarts: 3,
            bounds: Bounds { lower: -15.0, upper: 15.0 },
        }
    }
}

/// Box constraint applied to every coordinate.
#[derive(Clone, Copy, Debug)]
pub struct Bounds {
    pub lower: f64,
    pub upper: f64,
}

impl Bounds {
    fn contains(&self, x: &[f64]) -> bool {
        x.iter().all(|v| *v >= self.lower && *v <= self.upper)
    }
}

/// The best point found.
#[derive(Clone, Debug)]
pub struct Minimum {
    pub x: Vec<f64>,
    pub value: f64,
    pub evaluations: usize,
    /// Whether the last run met the tolerances before its iteration cap.
    pub converged: bool,
}

/// Minimises `f` from `start`. Non-finite values of `f` are treated as +∞,
/// so a likelihood that fails at some point only steers the search away.
pub fn nelder_mead(f: impl Fn(&[f64]) -> f64, start: &[f64], options: &Options) -> Minimum {
    let mut evaluations = 0;
    let objective = |x: &[f64], evaluations: &mut usize| -> f64 {
        *evaluations += 1;
        if !options.bounds.contains(x) {
            return f64::INFINITY;
        }
        let v = f(x);
        if v.is_finite() { v } else { f64::INFINITY }
    };
    let mut best = start.to_vec();
    let mut best_value = objective(&best, &mut evaluations);
    let mut converged = false;
    for run in 0..=options.restarts {
        let (x, value, run_converged) = one_run(&objective, &best, options, &mut evaluations);
        let improved = value < best_value - options.f_tol * (1.0 + best_value.abs());
        if value <= best_value {
            best = x;
            best_value = value;
        }
        converged = run_converged;
        if run > 0 && !improved && converged {
            break;
        }
    }
    Minimum { x: best, value: best_value, evaluations, converged }
}

/// A cheaper stand-in objective for [`warm_started`].
pub type SampleObjective<'a> = &'a dyn Fn(&[f64]) -> f64;

/// Minimises `full` from `start`, first fitting `sample` (a cheap stand-in
/// for the full objective, e.g. the likelihood of a subsample) when one is
/// given, then polishing on `full` from the sample's optimum with a small
/// simplex. On large data this cuts the expensive evaluations several-fold;
/// the returned evaluation count covers both stages.
pub fn warm_started(
    full: impl Fn(&[f64]) -> f64,
    sample: Option<SampleObjective<'_>>,
    start: &[f64],
    options: &Options,
) -> Minimum {
    let Some(sample) = sample else {
        return nelder_mead(full, start, options);
    };
    let rough = nelder_mead(sample, start, options);
    // The sample's optimum is within sampling error of the full one, so a
    // small simplex and a tolerance of 1e-5 on log-parameters (far below the
    // standard errors of any data set large enough to be sampled) suffice.
    let polish = Options {
        step: 0.02,
        restarts: 0,
        x_tol: options.x_tol.max(1e-5),
        f_tol: options.f_tol.max(1e-10),
        ..options.clone()
    };
    let mut m = nelder_mead(full, &rough.x, &polish);
    m.evaluations += rough.evaluations;
    m
}

type Objective<'a> = dyn Fn(&[f64], &mut usize) -> f64 + 'a;

fn one_run(f: &Objective<'_>, start: &[f64], o: &Options, evaluations: &mut usize) -> (Vec<f64>, f64, bool) {
    let n = start.len();
    let mut simplex: Vec<(Vec<f64>, f64)> = Vec::with_capacity(n + 1);
    simplex.push((start.to_vec(), f(start, evaluations)));
    for i in 0..n {
        let mut x = start.to_vec();
        // Step towards the interior when the start sits near a bound.
        x[i] += if x[i] + o.step > o.bounds.upper { -o.step } else { o.step };
        let v = f(&x, evaluations);
        simplex.push((x, v));
    }
    for _ in 0..o.max_iterations {
        simplex.sort_by(|a, b| a.1.total_cmp(&b.1));
        if is_converged(&simplex, o) {
            let (x, v) = simplex.swap_remove(0);
            return (x, v, true);
        }
        step(f, &mut simplex, evaluations);
    }
    simplex.sort_by(|a, b| a.1.total_cmp(&b.1));
    let (x, v) = simplex.swap_remove(0);
    (x, v, false)
}

fn is_converged(sorted: &[(Vec<f64>, f64)], o: &Options) -> bool {
    let best = sorted[0].1;
    let worst = sorted[sorted.len() - 1].1;
    if !worst.is_finite() {
        return false;
    }
    let spread = worst - best;
    let size = sorted[1..]
        .iter()
        .flat_map(|(x, _)| x.iter().zip(&sorted[0].0).map(|(a, b)| (a - b).abs()))
        .fold(0.0, f64::max);
    spread <= o.f_tol * (1.0 + best.abs()) && size <= o.x_tol
}

/// One Nelder–Mead step with the standard coefficients (reflection 1,
/// expansion 2, contraction ½, shrink ½) on a simplex sorted best first.
fn step(f: &Objective<'_>, simplex: &mut [(Vec<f64>, f64)], evaluations: &mut usize) {
    let n = simplex.len() - 1;
    let mut centroid = vec![0.0; n];
    for (x, _) in &simplex[..n] {
        for (c, v) in centroid.iter_mut().zip(x) {
            *c += v / n as f64;
        }
    }
    let worst = simplex[n].clone();
    let towards = |t: f64| -> Vec<f64> { centroid.iter().zip(&worst.0).map(|(c, w)| c + t * (w - c)).collect() };
    let reflected = towards(-1.0);
    let fr = f(&reflected, evaluations);
    if fr < simplex[0].1 {
        let expanded = towards(-2.0);
        let fe = f(&expanded, evaluations);
        simplex[n] = if fe < fr { (expanded, fe) } else { (reflected, fr) };
        return;
    }
    if fr < simplex[n - 1].1 {
        simplex[n] = (reflected, fr);
        return;
    }
    let (contracted, fc) = if fr < worst.1 {
        let x = towards(-0.5);
        let v = f(&x, evaluations);
        (x, v)
    } else {
        let x = towards(0.5);
        let v = f(&x, evaluations);
        (x, v)
    };
    if fc < worst.1.min(fr) {
        simplex[n] = (contracted, fc);
        return;
    }
    let best = simplex[0].0.clone();
    for (x, v) in simplex.iter_mut().skip(1) {
        for (xi, bi) in x.iter_mut().zip(&best) {
            *xi = bi + 0.5 * (*xi - bi);
        }
        *v = f(x, evaluations);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_minimum_of_the_rosenbrock_function() {
        let rosenbrock = |x: &[f64]| (1.0 - x[0]).powi(2) + 100.0 * (x[1] - x[0] * x[0]).powi(2);
        let m = nelder_mead(rosenbrock, &[-1.2, 1.0], &Options::default());
        assert!(m.converged);
        assert!((m.x[0] - 1.0).abs() < 1e-4 && (m.x[1] - 1.0).abs() < 1e-4, "{m:?}");
    }

    #[test]
    fn stays_inside_the_bounds_and_survives_non_finite_values() {
        // The unconstrained minimum (x = 5) lies outside the box; NaN to the left of −1.
        let f = |x: &[f64]| if x[0] < -1.0 { f64::NAN } else { (x[0] - 5.0).powi(2) };
        let options = Options { bounds: Bounds { lower: -2.0, upper: 2.0 }, ..Options::default() };
        let m = nelder_mead(f, &[0.0], &options);
        assert!(m.x[0] <= 2.0 && m.x[0] > 1.99, "{m:?}");
        assert!(m.value.is_finite());
    }
}
