//! A Prometheus histogram on atomics: fixed bucket bounds, one counter per bucket, a sum and a count.
//!
//! Recording is a few relaxed atomic adds (no lock, no allocation), so it sits on every request path.
//! Reading is not a consistent snapshot across buckets (a concurrent observation may land between two
//! loads); Prometheus tolerates that, and the renderer derives `_count` from the buckets it read so the
//! `+Inf` bucket always equals `_count` in one exposition.

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::Duration;

/// Upper bounds, in seconds, for request and call latencies: 1 ms to 30 s. Tool calls that wait on
/// HubSpot sit in the 50 ms to 2.5 s range; `tools/list` from memory under 1 ms.
const LATENCY_BOUNDS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];

/// A histogram of durations.
#[derive(Debug)]
pub(crate) struct Histogram {
    bounds: &'static [f64],
    /// Bound `i` in microseconds (compared with each observation).
    bounds_micros: Vec<u64>,
    /// Observations per bucket, not cumulative; the last one is `+Inf`.
    buckets: Box<[AtomicU64]>,
    sum_micros: AtomicU64,
}

/// What one histogram held when it was read.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct HistogramSnapshot {
    /// `(upper bound in seconds, cumulative count)`, ending with `(f64::INFINITY, count)`.
    pub(crate) buckets: Vec<(f64, u64)>,
    /// Sum of the observations, in seconds.
    pub(crate) sum: f64,
    /// Number of observations.
    pub(crate) count: u64,
}

impl Histogram {
    /// A histogram with the given bounds (seconds, ascending).
    fn new(bounds: &'static [f64]) -> Histogram {
        Histogram {
            bounds,
            bounds_micros: bounds.iter().map(|b| (b * 1e6).round() as u64).collect(),
            buckets: (0..=bounds.len()).map(|_| AtomicU64::new(0)).collect(),
            sum_micros: AtomicU64::new(0),
        }
    }

    /// A histogram with [`LATENCY_BOUNDS`].
    pub(crate) fn latency() -> Histogram {
        Histogram::new(LATENCY_BOUNDS)
    }

    /// Records one observation.
    pub(crate) fn observe(&self, d: Duration) {
        self.observe_micros(u64::try_from(d.as_micros()).unwrap_or(u64::MAX));
    }

    /// Records one observation given in microseconds.
    pub(crate) fn observe_micros(&self, micros: u64) {
        let i = self.bounds_micros.partition_point(|&b| b < micros);
        if let Some(b) = self.buckets.get(i) {
            b.fetch_add(1, Relaxed);
        }
        self.sum_micros.fetch_add(micros, Relaxed);
    }

    /// Number of observations so far.
    #[cfg(test)]
    pub(crate) fn count(&self) -> u64 {
        self.buckets.iter().map(|b| b.load(Relaxed)).sum()
    }

    /// Reads the buckets (cumulative, as Prometheus exposes them).
    pub(crate) fn snapshot(&self) -> HistogramSnapshot {
        let mut acc = 0u64;
        let mut buckets = Vec::with_capacity(self.buckets.len());
        for (i, b) in self.buckets.iter().enumerate() {
            acc += b.load(Relaxed);
            buckets.push((self.bounds.get(i).copied().unwrap_or(f64::INFINITY), acc));
        }
        HistogramSnapshot {
            buckets,
            sum: self.sum_micros.load(Relaxed) as f64 / 1e6,
            count: acc,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn observations_land_in_the_first_bucket_whose_bound_is_not_below_them() {
        let h = Histogram::new(&[0.001, 0.01, 0.1]);
        h.observe_micros(0); // <= 1 ms
        h.observe_micros(1_000); // exactly 1 ms: le="0.001" (Prometheus buckets are inclusive)
        h.observe_micros(1_001); // just over: le="0.01"
        h.observe(Duration::from_millis(50)); // le="0.1"
        h.observe(Duration::from_secs(3)); // +Inf
        let s = h.snapshot();
        assert_eq!(
            s.buckets,
            vec![(0.001, 2), (0.01, 3), (0.1, 4), (f64::INFINITY, 5)]
        );
        assert_eq!(s.count, 5);
        assert!(
            (s.sum - (0.001 + 0.001001 + 0.05 + 3.0)).abs() < 1e-9,
            "{}",
            s.sum
        );
    }
}
