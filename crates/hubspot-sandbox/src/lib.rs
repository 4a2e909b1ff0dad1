//! A fake HubSpot: an in-memory HubSpot API served over HTTP on the project's vendored tiny_http, with
//! HubSpot's JSON shapes, paging, search semantics, associations, properties, owners, pipelines, error
//! bodies, rate-limit headers and 429 bodies, seeded with realistic demo data, plus fault knobs.
//!
//! A separate program from `hubspot-mcp`: the product links it only for `serve --demo`, `stdio --demo`
//! and `hubspot-mcp sandbox` (its default-on `sandbox` feature), and reaches it only over HTTP, like the
//! real HubSpot. Its paths come from HubSpot's published reference (the route table in `routes.rs`),
//! never from the client's path builders; the product's contract test (`tests/it/path_contract.rs`)
//! checks that every path the client builds is one this table serves. See `README.md` for the
//! endpoints, the control paths, the seed data and the deviations from HubSpot.
//!
//! The crate root owns the public handle ([`Sandbox`], [`SandboxOptions`]), [`route`], and the sandbox's
//! OAuth app and users ([`OAUTH_CLIENT_ID`], [`OAUTH_CLIENT_SECRET`], [`OAUTH_USERS`]); the rest lives in
//! private modules: the transport (`http`), the request pipeline (`dispatch`), the route table
//! (`routes`), the handlers (`api/`, one file per API), HubSpot OAuth (`oauth/`: sign-in page, codes and
//! tokens, the token endpoints), what a signed-in user may see (`visibility`), the request log
//! (`reqlog`), the account (`store`, `assoc`, `properties`, `defined_properties/`, `fixtures`, `types`),
//! the demo data (`seed/`), and search, validation, rate limits, faults, errors and time.
#![deny(unreachable_pub)]

use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;
use std::time::Duration;

mod api;
mod assoc;
mod defined_properties;
mod dispatch;
mod errors;
mod faults;
mod fixtures;
mod http;
mod lists;
mod oauth;
mod properties;
mod ratelimit;
mod reqlog;
mod routes;
mod search;
mod seed;
mod store;
mod time;
mod types;
mod validate;
mod visibility;

pub use faults::{Faults, FaultsSnapshot, StatsSnapshot};

/// The operation the sandbox serves for `method` and `path` (percent-encoded, without the query), as
/// its statistics key `"METHOD template"` (e.g. `"PUT /crm/v4/objects/{from}/{id}/associations/default/{to}/{toId}"`);
/// `None` when the sandbox would answer 404 or 405. The route table is HubSpot's, read from its
/// published API reference; a contract test holds the client's paths against it.
///
/// ```
/// assert_eq!(
///     hubspot_sandbox::route("GET", "/crm/v3/objects/contacts/101").as_deref(),
///     Some("GET /crm/v3/objects/{type}/{id}")
/// );
/// assert_eq!(hubspot_sandbox::route("PUT", "/crm/v3/objects/contacts"), None);
/// ```
pub fn route(method: &str, path: &str) -> Option<String> {
    match routes::table().resolve(method, path) {
        routes::Resolved::Found { template, .. } => Some(format!("{method} {template}")),
        routes::Resolved::MethodNotAllowed | routes::Resolved::NotFound => None,
    }
}

/// The client id of the sandbox's HubSpot OAuth app (a user-level app): the only `client_id` its
/// `/oauth/authorize` page and token endpoints accept.
pub const OAUTH_CLIENT_ID: &str = "sandbox-oauth-client";

/// The client secret of the sandbox's OAuth app, sent in the form body of the token endpoints.
pub const OAUTH_CLIENT_SECRET: &str = "sandbox-oauth-secret-0123456789abcdef";

/// A user of the sandbox account who can sign in on its `/oauth/authorize` page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OAuthUser {
    /// The value the sign-in form posts as `user` (`reader`, `owner`).
    pub login: &'static str,
    /// HubSpot's user id (`user_id` of the token and introspection responses); the `userId` of one of
    /// the seeded owners.
    pub user_id: u64,
    /// The user's email (`user` in introspection).
    pub email: &'static str,
    /// Display name.
    pub name: &'static str,
    /// What the user may do, as the sign-in page shows it.
    pub description: &'static str,
}

/// The two users of the sandbox account, with different permissions:
/// - `reader` (Riley Reader) reads every record but may not write: its tokens carry only the `.read`
///   scopes (and `oauth`), so every write answers 403 MISSING_SCOPES;
/// - `owner` (Olive Owner) reads and writes, with HubSpot's "owned records only" permission: lists,
///   searches and batch reads show only records whose `hubspot_owner_id` is her owner id (75000002,
///   whose `userId` is hers), and reading another record by id answers 404.
pub const OAUTH_USERS: &[OAuthUser] = &[
    OAuthUser {
        login: "reader",
        user_id: 9_100_003,
        email: "riley.reader@sandbox.example",
        name: "Riley Reader",
        description: "Sees every record but may not create, change or delete anything (read scopes only).",
    },
    OAuthUser {
        login: "owner",
        user_id: 9_100_002,
        email: "olive.owner@sandbox.example",
        name: "Olive Owner",
        description: "Sees only the records she owns (owner 75000002); may read and write (read and write scopes).",
    },
];

/// Which account a sandbox is seeded with.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Dataset {
    /// The demo account: a few hundred records of every object type (`README.md`, "Seed data").
    #[default]
    Demo,
    /// The demo account plus deals up to 25,000 in all, shaped to reach every limit of HubSpot's search:
    /// more than 10,000 closed-won deals, more than 10,000 of them closed at one instant, some without a
    /// close date or an amount, amounts with decimals (`README.md`, "The large fixture").
    Large,
}

/// Options for a sandbox.
#[derive(Debug, Clone)]
pub struct SandboxOptions {
    /// The private-app bearer token the sandbox accepts; `None` accepts any non-empty bearer token
    /// except one shaped like an OAuth access token (`sbx-at-…`), which must be one the sandbox issued.
    pub token: Option<String>,
    /// Seed of the deterministic demo data.
    pub seed: u64,
    /// Which account is seeded (and restored by a reset).
    pub dataset: Dataset,
    /// Calls a token may make in a rolling ten seconds (HubSpot private apps: 190).
    pub ten_secondly_limit: u32,
    /// Search calls a token may make per second (HubSpot: 5).
    pub search_per_second: u32,
    /// Calls a token may make per day (UTC).
    pub daily_limit: u64,
    /// The scopes the private-app token holds; `None` grants all CRM scopes the sandbox knows. (OAuth
    /// access tokens hold the scopes granted at sign-in.)
    pub scopes: Option<Vec<String>>,
    /// Open connections over this count get 503 and are closed.
    pub max_connections: usize,
    /// Largest request body accepted (413 above it).
    pub max_body_bytes: usize,
    /// How long an OAuth access token lives (HubSpot: 30 minutes); tokens issued later follow
    /// `POST /__sandbox/oauth {"accessTokenTtlSeconds": n}` instead once it is set.
    pub oauth_access_token_ttl: Duration,
}

impl Default for SandboxOptions {
    fn default() -> Self {
        SandboxOptions {
            token: None,
            seed: 42,
            dataset: Dataset::Demo,
            ten_secondly_limit: 190,
            search_per_second: 5,
            daily_limit: 500_000,
            scopes: None,
            max_connections: 256,
            max_body_bytes: 4 * 1024 * 1024,
            oauth_access_token_ttl: Duration::from_secs(1800),
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

    /// Restores the seed data and clears faults, statistics, rate-limit windows and the request log; the
    /// OAuth access-token TTL goes back to the configured one (issued OAuth tokens stay valid).
    pub fn reset(&self) {
        self.shared.reset();
    }

    /// Stops accepting, closes open connections and waits for the accept loop to end.
    pub fn stop(mut self) {
        self.server.stop();
    }
}
