//! The Model Context Protocol's core: JSON-RPC envelopes, revisions, sessions, dispatch, and the stdio
//! transport. It knows no HTTP (the Streamable HTTP transport is `http::streamable`) and no `App`: it
//! is handed a `Host`, the protocol's view of the server.

use serde_json::Value;

use crate::config::Config;
use crate::obs::metrics::Metrics;
use crate::tools::{Registry, Services};

/// What the protocol needs of the server it runs in (implemented by `app::App`).
pub(crate) trait Host: Send + Sync {
    /// The configuration.
    fn config(&self) -> &Config;
    /// Every tool offered, with its pages.
    fn registry(&self) -> &Registry;
    /// Where sessions live.
    fn sessions(&self) -> &dyn session::SessionStore;
    /// Requests running now, by (session, id), for cancellation.
    fn inflight(&self) -> &inflight::InFlight;
    /// Counters and histograms.
    fn metrics(&self) -> &Metrics;
    /// What tools use: the HubSpot client, the metadata cache, limits.
    fn services(&self) -> &Services;
    /// `serverInfo` of `initialize` and `server/discover`.
    fn server_info(&self) -> &Value;
    /// Write approvals and the audit trail.
    fn approvals(&self) -> &crate::approval::Approvals;
}

pub(crate) mod dispatch;
pub(crate) mod inflight;
pub mod jsonrpc;
pub(crate) mod method;
pub(crate) mod redis_store;
pub mod session;
pub(crate) mod stdio;
pub mod version;
