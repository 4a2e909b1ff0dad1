//! The application state every request handler shares: configuration, tool registry, session store,
//! in-flight requests and counters. Built once at start-up, then only read (interior state is behind
//! its own small locks or atomics).

use std::sync::Arc;
use std::time::Instant;

use serde_json::{json, Value};

use crate::config::Config;
use crate::mcp::inflight::InFlight;
use crate::mcp::session::{MemoryStore, SessionStore};
use crate::obs::metrics::Metrics;
use crate::tools::{Registry, Tool};

/// Shared state.
pub struct App {
    /// The validated configuration.
    pub config: Config,
    /// Every tool this server lists.
    pub registry: Registry,
    /// Sessions of the session-based revisions.
    pub sessions: Arc<dyn SessionStore>,
    /// Requests running now, so `notifications/cancelled` can reach them.
    pub inflight: InFlight,
    /// Request counters.
    pub metrics: Metrics,
    /// When the process started serving.
    pub started: Instant,
    /// `serverInfo` as sent to clients.
    pub server_info: Value,
}

impl App {
    /// Builds the state with the in-memory session store and every tool.
    pub fn new(config: Config) -> App {
        Self::with_tools(config, Registry::all_tools())
    }

    /// Builds the state with the given tools (tests use this to add tools).
    pub fn with_tools(config: Config, tools: Vec<Box<dyn Tool>>) -> App {
        let server_info = server_info();
        let registry = Registry::build(tools, config.tools_page_size(), &server_info);
        let sessions: Arc<dyn SessionStore> = Arc::new(MemoryStore::new(
            config.max_sessions(),
            config.session_max_age(),
        ));
        App {
            config,
            registry,
            sessions,
            inflight: InFlight::default(),
            metrics: Metrics::default(),
            started: Instant::now(),
            server_info,
        }
    }
}

/// The `Implementation` object this server presents.
pub fn server_info() -> Value {
    json!({
        "name": "hubspot-mcp",
        "title": "HubSpot CRM",
        "version": env!("CARGO_PKG_VERSION"),
    })
}
