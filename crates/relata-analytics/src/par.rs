//! Splitting work over a few threads with `std::thread::scope`.
//!
//! Likelihood evaluations and scoring touch every customer and dominate the
//! run time at a million customers; two or more cores halve it. Small inputs
//! stay on the calling thread, where spawning would cost more than it saves.

/// Below this many items work stays on one thread.
const PARALLEL_FROM: usize = 50_000;

fn threads_for(len: usize) -> usize {
    if len < PARALLEL_FROM {
        return 1;
    }
    std::thread::available_parallelism().map_or(1, |n| n.get()).min(8)
}

/// Σ f(chunk) over chunks of `items`.
pub(crate) fn sum<T: Sync>(items: &[T], f: impl Fn(&[T]) -> f64 + Sync) -> f64 {
    let threads = threads_for(items.len());
    if threads == 1 {
        return f(items);
    }
    let chunk = items.len().div_ceil(threads);
    std::thread::scope(|s| {
        let handles: Vec<_> = items.chunks(chunk).map(|c| s.spawn(|| f(c))).collect();
        handles.into_iter().map(|h| h.join().expect("worker thread")).sum()
    })
}

/// `items.iter().map(f).collect()`, in order.
pub(crate) fn map<T: Sync, U: Send>(items: &[T], f: impl Fn(&T) -> U + Sync) -> Vec<U> {
    let threads = threads_for(items.len());
    if threads == 1 {
        return items.iter().map(f).collect();
    }
    let chunk = items.len().div_ceil(threads);
    std::thread::scope(|s| {
        let handles: Vec<_> = items.chunks(chunk).map(|c| s.spawn(|| c.iter().map(&f).collect::<Vec<U>>())).collect();
        handles.into_iter().flat_map(|h| h.join().expect("worker thread")).collect()
    })
}
