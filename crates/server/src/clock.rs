//! Time as unix seconds (what the database stores) and RFC 3339 (what the wire carries).
//!
//! Every rule that depends on time (expiry, windows, TOTP steps) reads a [`Clock`] handed
//! down from [`crate::http::state::AppState`], never the wall clock directly, so tests can set
//! and move time instead of sleeping or racing a 30-second TOTP step.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// The system clock, or a manual one that tests set and advance.
#[derive(Clone, Debug, Default)]
pub struct Clock(Option<Arc<Manual>>);

#[derive(Debug)]
struct Manual {
    seconds: AtomicI64,
    /// Milliseconds handed out within the current second, so that events stay ordered.
    ticks: AtomicI64,
}

impl Clock {
    pub fn system() -> Self {
        Self(None)
    }

    /// A clock that stays at `unix` seconds until moved.
    pub fn manual(unix: i64) -> Self {
        Self(Some(Arc::new(Manual { seconds: AtomicI64::new(unix), ticks: AtomicI64::new(0) })))
    }

    /// Unix seconds.
    pub fn now(&self) -> i64 {
        match &self.0 {
            Some(m) => m.seconds.load(Ordering::SeqCst),
            None => OffsetDateTime::now_utc().unix_timestamp(),
        }
    }

    /// Unix milliseconds (orders the demo outbox). A manual clock hands out one more
    /// millisecond per call within its current second, so that order is kept.
    pub fn now_ms(&self) -> i64 {
        match &self.0 {
            Some(m) => {
                let tick = m.ticks.fetch_add(1, Ordering::SeqCst).rem_euclid(1000);
                m.seconds.load(Ordering::SeqCst).saturating_mul(1000) + tick
            }
            None => i64::try_from(OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000)
                .unwrap_or(i64::MAX),
        }
    }

    /// Moves a manual clock by `seconds` (no effect on the system clock).
    pub fn advance(&self, seconds: i64) {
        if let Some(m) = &self.0 {
            m.seconds.fetch_add(seconds, Ordering::SeqCst);
            m.ticks.store(0, Ordering::SeqCst);
        }
    }
}

pub fn rfc3339(unix: i64) -> String {
    OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_manual_clock_moves_only_when_told() {
        let clock = Clock::manual(1_700_000_000);
        assert_eq!(clock.now(), 1_700_000_000);
        clock.advance(30);
        assert_eq!(clock.now(), 1_700_000_030);
        assert_eq!(clock.clone().now_ms(), 1_700_000_030_000);
        assert_eq!(clock.now_ms(), 1_700_000_030_001, "ordered within a second");
        assert!(Clock::system().now() > 1_700_000_000);
    }
}
