//! Observability: the JSON log format, secret redaction and the counters that `/health` reports.
//!
//! Owns what an operator sees; must not decide anything about requests.

pub(crate) mod histogram;
pub(crate) mod log;
pub(crate) mod log_sink;
pub(crate) mod metrics;
pub(crate) mod process;
pub(crate) mod redact;
