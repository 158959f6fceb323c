//! The one clock: every "now" in Relata comes from here. Tests move it
//! instead of sleeping (a recurring job comes due, a retry's back-off passes).

use chrono::{DateTime, Duration, Utc};
use std::sync::atomic::{AtomicI64, Ordering};

/// The wall clock plus an offset tests can move forward. Times are truncated
/// to microseconds: the precision both backends keep, so a time read back
/// equals the time written.
#[derive(Debug, Default)]
pub struct Clock {
    offset_micros: AtomicI64,
}

impl Clock {
    pub fn now(&self) -> DateTime<Utc> {
        let micros = Utc::now().timestamp_micros() + self.offset_micros.load(Ordering::Relaxed);
        DateTime::from_timestamp_micros(micros).expect("now is representable")
    }

    /// Moves the clock forward (tests).
    pub fn advance(&self, by: Duration) {
        self.offset_micros.fetch_add(by.num_microseconds().unwrap_or(i64::MAX / 4), Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advancing_moves_now_forward() {
        let clock = Clock::default();
        let before = clock.now();
        clock.advance(Duration::hours(3));
        let after = clock.now();
        assert!(after - before >= Duration::hours(3));
        assert_eq!(after.timestamp_subsec_nanos() % 1000, 0, "microseconds");
    }
}
