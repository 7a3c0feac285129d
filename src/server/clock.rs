//! The time, for everything the server records or compares: the system clock in production, a
//! clock a test sets and moves, so that expiry, sessions and "today" can be tested at any date.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Where "now" comes from. Cheap to clone; clones of a settable clock share its time.
#[derive(Clone, Debug, Default)]
pub struct Clock(Source);

#[derive(Clone, Debug, Default)]
enum Source {
    #[default]
    System,
    /// Seconds since the Unix epoch, as a test last set them.
    Fixed(Arc<AtomicI64>),
}

impl Clock {
    /// The machine's clock.
    pub fn system() -> Self {
        Self(Source::System)
    }

    /// A clock that stands at `unix` (seconds since the Unix epoch) until it is set or advanced.
    pub fn fixed(unix: i64) -> Self {
        Self(Source::Fixed(Arc::new(AtomicI64::new(unix))))
    }

    /// Seconds since the Unix epoch.
    pub fn now(&self) -> i64 {
        match &self.0 {
            Source::System => SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX)),
            Source::Fixed(unix) => unix.load(Ordering::SeqCst),
        }
    }

    /// Moves a fixed clock (and all its clones) to `unix`.
    ///
    /// # Panics
    /// On the system clock: only a test's clock can be set.
    pub fn set(&self, unix: i64) {
        self.fixed_time().store(unix, Ordering::SeqCst);
    }

    /// Moves a fixed clock (and all its clones) forward by `by`, in whole seconds.
    ///
    /// # Panics
    /// On the system clock: only a test's clock can be moved.
    pub fn advance(&self, by: Duration) {
        let secs = i64::try_from(by.as_secs()).unwrap_or(i64::MAX);
        self.fixed_time().fetch_add(secs, Ordering::SeqCst);
    }

    fn fixed_time(&self) -> &AtomicI64 {
        match &self.0 {
            Source::Fixed(unix) => unix,
            Source::System => panic!("the system clock cannot be set; use Clock::fixed"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fixed_clock_stands_still_until_set_or_advanced_and_its_clones_follow() {
        let clock = Clock::fixed(1_760_000_000);
        let clone = clock.clone();
        assert_eq!(clock.now(), 1_760_000_000);
        clock.advance(Duration::from_secs(90));
        assert_eq!(clone.now(), 1_760_000_090);
        clone.set(1_700_000_000);
        assert_eq!(clock.now(), 1_700_000_000);
    }

    #[test]
    fn the_system_clock_tells_the_time_of_this_machine() {
        let before = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs();
        let now = u64::try_from(Clock::system().now()).unwrap();
        let after = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs();
        assert!(
            (before..=after).contains(&now),
            "{before} <= {now} <= {after}"
        );
    }

    #[test]
    #[should_panic(expected = "the system clock cannot be set")]
    fn the_system_clock_cannot_be_set() {
        Clock::system().set(0);
    }
}
