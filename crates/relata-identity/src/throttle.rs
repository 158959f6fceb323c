//! The sign-in throttling policy: failed sign-ins are counted per account,
//! per source address, and per (account, address) pair.
//!
//! - The pair is locked after [`PAIR_FREE_FAILURES`] failures, for a time
//!   that doubles with each further failure, up to [`MAX_LOCK`].
//! - An address is locked after [`ADDRESS_FREE_FAILURES`] failures across
//!   accounts (password spraying from one place), up to [`MAX_LOCK`].
//! - An account is only *slowed* across all addresses: after
//!   [`ACCOUNT_FREE_FAILURES`] failures, attempts on it are refused for a few
//!   seconds after each failure. Because an attacker elsewhere can never
//!   lock the account itself, nobody can lock a user out indefinitely; the
//!   user's own address stays free unless the user fails there.
//!
//! Counters forget failures older than [`WINDOW`]; a successful sign-in
//! clears the account's and the pair's counters.

use chrono::{DateTime, TimeDelta, Utc};

pub const PAIR_FREE_FAILURES: i64 = 5;
pub const ADDRESS_FREE_FAILURES: i64 = 30;
pub const ACCOUNT_FREE_FAILURES: i64 = 10;
pub const MAX_LOCK: TimeDelta = TimeDelta::minutes(15);
pub const ACCOUNT_SLOWDOWN: TimeDelta = TimeDelta::seconds(3);
pub const WINDOW: TimeDelta = TimeDelta::hours(1);

/// Which counter a key belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Counter {
    Account,
    Address,
    Pair,
}

/// The stored state of one counter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failures {
    pub failures: i64,
    pub first_failure_at: DateTime<Utc>,
    pub locked_until: Option<DateTime<Utc>>,
}

/// The storage key of a counter (emails are compared case-insensitively).
pub fn key(counter: Counter, email: &str, address: &str) -> String {
    let email = email.trim().to_lowercase();
    match counter {
        Counter::Account => format!("account:{email}"),
        Counter::Address => format!("address:{address}"),
        Counter::Pair => format!("pair:{email}|{address}"),
    }
}

/// Until when an attempt is refused, if it is.
pub fn locked_until(state: Option<&Failures>, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    state.and_then(|s| s.locked_until).filter(|until| *until > now)
}

/// The counter after one more failure at `now`.
pub fn after_failure(counter: Counter, state: Option<&Failures>, now: DateTime<Utc>) -> Failures {
    let fresh = state.filter(|s| now - s.first_failure_at < WINDOW);
    let failures = fresh.map_or(0, |s| s.failures) + 1;
    let first_failure_at = fresh.map_or(now, |s| s.first_failure_at);
    let lock = match counter {
        Counter::Pair => doubling_lock(failures, PAIR_FREE_FAILURES),
        Counter::Address => doubling_lock(failures, ADDRESS_FREE_FAILURES),
        Counter::Account => (failures >= ACCOUNT_FREE_FAILURES).then_some(ACCOUNT_SLOWDOWN),
    };
    Failures { failures, first_failure_at, locked_until: lock.map(|d| now + d) }
}

/// One minute at the threshold, doubling per further failure, capped.
fn doubling_lock(failures: i64, free: i64) -> Option<TimeDelta> {
    if failures < free {
        return None;
    }
    let doublings = (failures - free).min(10) as u32;
    Some((TimeDelta::minutes(1) * 2i32.pow(doublings)).min(MAX_LOCK))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fail_n(counter: Counter, n: i64, now: DateTime<Utc>) -> Failures {
        let mut state: Option<Failures> = None;
        for _ in 0..n {
            state = Some(after_failure(counter, state.as_ref(), now));
        }
        state.unwrap()
    }

    #[test]
    fn a_pair_locks_after_five_failures_for_a_doubling_capped_time() {
        let now = Utc::now();
        assert_eq!(fail_n(Counter::Pair, 4, now).locked_until, None);
        assert_eq!(fail_n(Counter::Pair, 5, now).locked_until, Some(now + TimeDelta::minutes(1)));
        assert_eq!(fail_n(Counter::Pair, 6, now).locked_until, Some(now + TimeDelta::minutes(2)));
        assert_eq!(fail_n(Counter::Pair, 50, now).locked_until, Some(now + MAX_LOCK));
    }

    #[test]
    fn an_account_is_only_slowed_never_locked_for_long() {
        let now = Utc::now();
        let state = fail_n(Counter::Account, 1000, now);
        assert_eq!(state.locked_until, Some(now + ACCOUNT_SLOWDOWN));
        assert_eq!(locked_until(Some(&state), now + ACCOUNT_SLOWDOWN + TimeDelta::seconds(1)), None);
    }

    #[test]
    fn old_failures_are_forgotten() {
        let start = Utc::now();
        let state = fail_n(Counter::Pair, 4, start);
        let later = after_failure(Counter::Pair, Some(&state), start + WINDOW + TimeDelta::seconds(1));
        assert_eq!(later.failures, 1);
        assert_eq!(later.locked_until, None);
        assert_eq!(key(Counter::Pair, " Anna@Example.com", "10.0.0.1"), "pair:anna@example.com|10.0.0.1");
    }
}
