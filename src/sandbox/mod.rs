//! The built-in HubSpot sandbox: an in-memory HubSpot API on 127.0.0.1 that serves every path the tools
//! call, with HubSpot's JSON shapes, paging, search semantics, associations, properties, owners, pipelines,
//! error bodies, rate-limit headers and 429 bodies, seeded with realistic demo data, plus fault knobs.
//!
//! Used by `hubspot-mcp sandbox --port N`, by `serve --demo` (in-process), and by tests and benches.
//! It must never be reached by the server's request path except through HTTP, like the real HubSpot.
//! See `src/sandbox/README.md` for the endpoints, the control paths, the seed data and the deviations
//! from HubSpot.
//!
//! This module owns the public handle ([`Sandbox`], [`SandboxOptions`]) and the versioned path
//! prefixes ([`paths`]); the rest lives in private submodules.

use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;
use std::time::Duration;

mod api;
mod api_assoc;
mod api_meta;
mod api_objects;
mod assoc;
mod dispatch;
mod errors;
mod faults;
mod fixtures;
mod http;
mod props;
mod props_data;
mod props_data_more;
mod ratelimit;
mod routes;
mod search;
mod seed;
mod seed_data;
mod seed_more;
mod store;
mod time;
mod types;
mod validate;

#[cfg(test)]
mod tests_client;
#[cfg(test)]
mod tests_http;
#[cfg(test)]
mod tests_http_faults;
#[cfg(test)]
mod tests_http_meta;

pub use faults::{Faults, FaultsSnapshot, Stats, StatsSnapshot};

/// HubSpot's path prefixes, versions included, in one place: moving to HubSpot's date-versioned paths
/// (`/crm/objects/2026-03/...`) is a change to the client's constants (`crate::hubspot::paths`), which the
/// sandbox re-exports, so both move together.
pub mod paths {
    pub use crate::hubspot::paths::{
        ACCOUNT_DETAILS, ACCOUNT_USAGE, ASSOCIATIONS, ASSOCIATIONS_OBJECTS, FLOWS, OBJECTS, OWNERS,
        PIPELINES, PROPERTIES, SCHEMAS, TOKEN_INFO,
    };
    /// The sandbox's own control paths (faults, stats, reset); not part of HubSpot's namespace.
    pub const CONTROL: &str = "/__sandbox";
}

/// Options for a sandbox.
#[derive(Debug, Clone)]
pub struct SandboxOptions {
    /// The bearer token the sandbox accepts; `None` accepts any non-empty bearer token.
    pub token: Option<String>,
    /// Seed of the deterministic demo data.
    pub seed: u64,
    /// Calls a token may make in a rolling ten seconds (HubSpot private apps: 190).
    pub ten_secondly_limit: u32,
    /// Search calls a token may make per second (HubSpot: 5).
    pub search_per_second: u32,
    /// Calls a token may make per day (UTC).
    pub daily_limit: u64,
    /// The scopes every token holds; `None` grants all CRM scopes the sandbox knows.
    pub scopes: Option<Vec<String>>,
    /// Open connections over this count get 503 and are closed.
    pub max_connections: usize,
    /// Largest request body accepted (413 above it).
    pub max_body_bytes: usize,
}

impl Default for SandboxOptions {
    fn default() -> Self {
        SandboxOptions {
            token: None,
            seed: 42,
            ten_secondly_limit: 190,
            search_per_second: 5,
            daily_limit: 500_000,
            scopes: None,
            max_connections: 256,
            max_body_bytes: 4 * 1024 * 1024,
        }
    }
}

/// A running sandbox; dropping it (or [`Sandbox::stop`]) stops its threads and closes its connections.
pub struct Sandbox {
    /// The bound address.
    pub addr: SocketAddr,
    shared: Arc<dispatch::Shared>,
    server: http::Server,
}

impl std::fmt::Debug for Sandbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sandbox")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

impl Sandbox {
    /// Starts a sandbox on `bind` (port 0 picks one) serving in background threads (tiny_http's
    /// connection threads, one accept loop, a pool of workers). Returns once the socket is bound.
    pub fn start(bind: SocketAddr, opts: SandboxOptions) -> std::io::Result<Sandbox> {
        let listener = TcpListener::bind(bind)?;
        let addr = listener.local_addr()?;
        let limits = http::Limits {
            max_connections: opts.max_connections.max(1),
            max_body: opts.max_body_bytes,
            idle_timeout: Duration::from_secs(60),
        };
        let shared = Arc::new(dispatch::Shared::new(opts, format!("http://{addr}")));
        let handler: Arc<dyn http::Handler> = shared.clone();
        let server = http::Server::start(listener, handler, limits)?;
        log::debug!("sandbox: serving HubSpot's API at http://{addr}");
        Ok(Sandbox {
            addr,
            shared,
            server,
        })
    }

    /// `http://ADDR`, to use as `HUBSPOT_API_BASE_URL`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The fault knobs (clone the `Arc` to keep them beyond the handle).
    pub fn faults(&self) -> &Arc<Faults> {
        &self.shared.faults
    }

    /// Counts of the API requests received so far.
    pub fn stats(&self) -> StatsSnapshot {
        self.shared.stats.snapshot()
    }

    /// Restores the seed data and clears faults, statistics and rate-limit windows.
    pub fn reset(&self) {
        self.shared.reset();
    }

    /// Stops accepting, closes open connections and waits for the accept loop to end.
    pub fn stop(mut self) {
        self.server.stop();
    }
}
