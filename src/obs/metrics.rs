//! Process-wide request counters (atomics, no locks) that `/health` reports.
//!
//! A later change turns these into Prometheus histograms on `/metrics`; the call sites stay.

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

/// Counters shared by every worker.
#[derive(Debug, Default)]
pub struct Metrics {
    requests: AtomicU64,
    errors: AtomicU64,
    duration_micros: AtomicU64,
    rejected_busy: AtomicU64,
    panics: AtomicU64,
}

/// A copy of the counters at one moment.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Snapshot {
    /// HTTP requests answered.
    pub requests: u64,
    /// Of those, answered with a status of 400 or more.
    pub errors: u64,
    /// Mean time to answer, in milliseconds.
    pub average_ms: f64,
    /// Requests refused with 503 because the worker queue was full.
    pub rejected_busy: u64,
    /// Handler panics caught and answered with 500.
    pub panics: u64,
}

impl Metrics {
    /// Records one answered HTTP request.
    pub fn record(&self, status: u16, micros: u64) {
        self.requests.fetch_add(1, Relaxed);
        if status >= 400 {
            self.errors.fetch_add(1, Relaxed);
        }
        self.duration_micros.fetch_add(micros, Relaxed);
    }

    /// Records a request refused because every worker was busy and the queue full.
    pub fn record_busy(&self) {
        self.rejected_busy.fetch_add(1, Relaxed);
    }

    /// Records a handler panic.
    pub fn record_panic(&self) {
        self.panics.fetch_add(1, Relaxed);
    }

    /// Reads every counter.
    pub fn snapshot(&self) -> Snapshot {
        let requests = self.requests.load(Relaxed);
        let micros = self.duration_micros.load(Relaxed);
        Snapshot {
            requests,
            errors: self.errors.load(Relaxed),
            average_ms: if requests == 0 {
                0.0
            } else {
                micros as f64 / requests as f64 / 1000.0
            },
            rejected_busy: self.rejected_busy.load(Relaxed),
            panics: self.panics.load(Relaxed),
        }
    }
}
