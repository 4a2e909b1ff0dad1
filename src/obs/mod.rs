//! Observability: the JSON log format, secret redaction and the counters that `/health` reports.
//!
//! Owns what an operator sees; must not decide anything about requests.

pub mod log;
pub mod metrics;
pub mod redact;
