//! A rate that is constant between known change times, and its integral: how counters,
//! bucket sizes and log-end offsets grow in the lab. Pure arithmetic, so any past or
//! future instant is answered exactly without stepping.

#[derive(Debug, Clone)]
pub struct Piecewise {
    /// Rate in effect before the first change (and forever into the past).
    initial: f64,
    /// (time, rate from then on), sorted by time.
    changes: Vec<(f64, f64)>,
}

impl Piecewise {
    pub fn new(initial: f64, mut changes: Vec<(f64, f64)>) -> Self {
        changes.sort_by(|a, b| a.0.total_cmp(&b.0));
        Self { initial, changes }
    }

    pub fn constant(rate: f64) -> Self {
        Self::new(rate, Vec::new())
    }

    pub fn rate_at(&self, t: f64) -> f64 {
        self.changes
            .iter()
            .take_while(|(at, _)| *at <= t)
            .last()
            .map_or(self.initial, |(_, r)| *r)
    }

    /// ∫ rate dt from `from` to `to` (negative when `to` < `from`).
    pub fn integral(&self, from: f64, to: f64) -> f64 {
        if to < from {
            return -self.integral(to, from);
        }
        let mut total = 0.0;
        let mut cursor = from;
        let mut rate = self.rate_at(from);
        for (at, r) in &self.changes {
            if *at <= cursor {
                continue;
            }
            if *at >= to {
                break;
            }
            total += rate * (at - cursor);
            cursor = *at;
            rate = *r;
        }
        total + rate * (to - cursor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integral_spans_changes_both_ways() {
        let p = Piecewise::new(1.0, vec![(10.0, 3.0), (20.0, 0.0)]);
        assert_eq!(p.integral(0.0, 10.0), 10.0);
        assert_eq!(p.integral(0.0, 15.0), 25.0);
        assert_eq!(p.integral(0.0, 30.0), 40.0);
        assert_eq!(p.integral(0.0, -5.0), -5.0);
        assert_eq!(p.rate_at(25.0), 0.0);
    }
}
