//! The built-in HubSpot sandbox: an in-memory HubSpot API on tiny_http that serves every path the tools
//! call, with HubSpot's JSON shapes, paging, search semantics, associations, properties, owners, pipelines,
//! error bodies, rate-limit headers and 429 bodies, seeded with realistic demo data, plus fault knobs.
//!
//! Used by `hubspot-mcp sandbox --port N`, by `serve --demo` (in-process), and by tests and benches.
//! It must never be reached by the server's request path except through HTTP, like the real HubSpot.

use std::net::SocketAddr;

/// Options for a sandbox.
#[derive(Debug, Clone)]
pub struct SandboxOptions {
    /// The bearer token the sandbox accepts; `None` accepts any non-empty bearer token.
    pub token: Option<String>,
    /// Seed of the deterministic demo data.
    pub seed: u64,
}

impl Default for SandboxOptions {
    fn default() -> Self {
        SandboxOptions {
            token: None,
            seed: 42,
        }
    }
}

/// A running sandbox.
pub struct Sandbox {
    /// The bound address.
    pub addr: SocketAddr,
}

impl Sandbox {
    /// Starts a sandbox on `bind` (port 0 picks one) serving in background threads.
    pub fn start(bind: SocketAddr, opts: SandboxOptions) -> std::io::Result<Sandbox> {
        let _ = (bind, opts);
        Err(std::io::Error::other(
            "the HubSpot sandbox is not built yet",
        ))
    }

    /// `http://ADDR`, to use as `HUBSPOT_API_BASE_URL`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }
}
