//! Observability: the JSON log format, secret redaction and the counters that `/health` reports.
//!
//! Owns what an operator sees; must not decide anything about requests.

pub mod histogram;
pub mod log;
pub mod metrics;
pub mod process;
pub mod redact;
