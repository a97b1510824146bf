//! Simulated time for the lab. `--speed F` makes simulated time run F times faster than
//! the wall clock, so long operations (backups, crash back-offs, node failures) can be
//! rehearsed quickly. Everything the lab stamps on objects uses this clock.

use std::time::{Duration, Instant};

use jiff::{SignedDuration, Timestamp};

#[derive(Debug, Clone)]
pub struct SimClock {
    wall_start: Instant,
    sim_start: Timestamp,
    speed: f64,
}

impl SimClock {
    pub fn new(speed: f64) -> Self {
        Self::starting_at(Timestamp::now(), speed)
    }

    /// A clock whose simulated time starts at `start` (`lakedeck lab --start-time`): the
    /// seed's ages, last night's backups and every later stamp follow it, so a test can
    /// run the lab at a month's or a year's end whatever the calendar says.
    pub fn starting_at(start: Timestamp, speed: f64) -> Self {
        Self {
            wall_start: Instant::now(),
            sim_start: start,
            speed: if speed.is_finite() && speed > 0.0 {
                speed
            } else {
                1.0
            },
        }
    }

    pub fn speed(&self) -> f64 {
        self.speed
    }

    /// Simulated seconds since the lab started.
    pub fn elapsed_secs(&self) -> f64 {
        self.wall_start.elapsed().as_secs_f64() * self.speed
    }

    pub fn now(&self) -> Timestamp {
        let elapsed = SignedDuration::try_from_secs_f64(self.elapsed_secs()).unwrap_or_default();
        self.sim_start
            .checked_add(elapsed)
            .unwrap_or(self.sim_start)
    }

    /// How long to wait on the wall clock for `sim` simulated time to pass.
    pub fn wall(&self, sim: Duration) -> Duration {
        sim.div_f64(self.speed)
    }
}

/// RFC 3339 with second precision, as Kubernetes serialises `metav1.Time`.
pub fn rfc3339(t: Timestamp) -> String {
    t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// `metav1.MicroTime` as Kubernetes serialises it: microseconds, UTC.
pub fn rfc3339_micro(t: Timestamp) -> String {
    format!(
        "{}.{:06}Z",
        t.strftime("%Y-%m-%dT%H:%M:%S"),
        t.subsec_microsecond()
    )
}
