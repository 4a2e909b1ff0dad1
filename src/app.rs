//! The application state every request handler shares: configuration, tool registry, session store,
//! in-flight requests and counters. Built once at start-up, then only read (interior state is behind
//! its own small locks or atomics).

use std::sync::Arc;
use std::time::Instant;

use serde_json::{json, Value};

use crate::cache::TtlCache;
use crate::config::Config;
use crate::hubspot;
use crate::mcp::inflight::InFlight;
use crate::mcp::session::{MemoryStore, SessionStore};
use crate::obs::metrics::Metrics;
use crate::tools::{BuildError, Registry, Services, Tool};

/// Shared state.
pub struct App {
    /// The validated configuration.
    pub(crate) config: Config,
    /// Every tool this server lists.
    pub registry: Registry,
    /// Sessions of the session-based revisions.
    pub(crate) sessions: Arc<dyn SessionStore>,
    /// Requests running now, so `notifications/cancelled` can reach them.
    pub(crate) inflight: InFlight,
    /// Request counters.
    pub metrics: Metrics,
    /// When the process started serving.
    pub(crate) started: Instant,
    /// The same moment in seconds since the Unix epoch (`process_start_time_seconds`).
    pub(crate) started_unix: f64,
    /// `serverInfo` as sent to clients.
    server_info: Value,
    /// What tools share: the HubSpot client, the metadata cache.
    pub(crate) services: Services,
    /// Per-client request limits on `/mcp`.
    pub(crate) limiter: crate::ratelimit::RateLimiter,
    /// Bearer-token verification; `None` when auth is off (demo, or a loopback bind outside production).
    pub(crate) verifier: Option<crate::auth::Verifier>,
    /// The built-in authorization server (`MCP_AUTH_MODE=oauth`): `/oauth/*`, its metadata, and the
    /// tokens of `/mcp`.
    pub(crate) oauth: Option<crate::oauth::AuthServer>,
    /// Load samples and cooldowns behind `/scaling`.
    pub(crate) scaling: crate::scaling::Advisor,
    /// What the background dependency checks last found (`/health`'s `dependencies`).
    pub(crate) dependencies: crate::health::Board,
    /// Write approvals, the approval pages and the audit trail.
    pub(crate) approvals: crate::approval::Approvals,
}

impl App {
    /// Builds the state with the in-memory session store, the HubSpot client (if any) and the tools the
    /// configuration exposes (`HUBSPOT_TOOLSETS`, `HUBSPOT_READ_ONLY`); fails when a tool has no
    /// definition in this binary (a build from an inconsistent tree: the server must not start).
    pub fn new(config: Config, hubspot: Option<Arc<hubspot::Client>>) -> Result<App, BuildError> {
        let tools = Registry::select(
            Registry::all_tools(),
            config.hubspot_toolsets(),
            config.hubspot_read_only(),
        );
        Self::with_tools(config, tools, hubspot)
    }

    /// What the health probes may reach (the narrow view `health` gets instead of the whole `App`).
    pub(crate) fn probe_deps(&self) -> crate::health::Deps<'_> {
        crate::health::Deps {
            hubspot: self.services.hubspot.as_deref(),
            verifier: self.verifier.as_ref(),
            checks_enabled: self.config.health_check_enabled(),
            hubspot_token: self.config.hubspot_token().is_some(),
        }
    }

    /// Builds the state with the given tools (tests use this to add tools); fails as [`App::new`] does.
    pub fn with_tools(
        config: Config,
        tools: Vec<Box<dyn Tool>>,
        hubspot: Option<Arc<hubspot::Client>>,
    ) -> Result<App, BuildError> {
        let server_info = server_info();
        let registry = Registry::build(tools, config.tools_page_size())?
            .with_profiles(config.tool_profiles())?
            .with_icons(config.public_url());
        let metrics = Metrics::new(registry.defs().map(|d| d.name));
        let services = Services {
            hubspot,
            cache: TtlCache::new(config.hubspot_cache_ttl(), config.hubspot_cache_max()),
            text_limit: config.tool_text_limit(),
        };
        let redis = crate::redis::from_config(&config, config.workers()).map(Arc::new);
        let sessions: Arc<dyn SessionStore> = match &redis {
            Some(r) => Arc::new(crate::mcp::redis_store::RedisStore::new(
                Arc::clone(r),
                config.redis_session_prefix(),
                config.max_sessions(),
                config.max_sessions_per_principal(),
                config.session_max_age(),
            )),
            None => Arc::new(MemoryStore::new(
                config.max_sessions(),
                config.max_sessions_per_principal(),
                config.session_max_age(),
            )),
        };
        let mut probes: Vec<Box<dyn crate::health::Probe>> = vec![
            Box::new(crate::health::probes::HubSpotProbe),
            Box::new(crate::health::probes::AuthProbe),
        ];
        if let Some(r) = &redis {
            probes.push(Box::new(crate::health::probes::RedisProbe(Arc::clone(r))));
        }
        let limiter = crate::ratelimit::RateLimiter::new(
            config.rate_limit_window(),
            config.rate_limit_max(),
            100_000,
        );
        let started = Instant::now();
        let approvals = crate::approval::Approvals::new(&config, redis.clone());
        Ok(App {
            approvals,
            scaling: crate::scaling::Advisor::new(crate::scaling::Policy::default(), started),
            config,
            registry,
            sessions,
            inflight: InFlight::default(),
            metrics,
            started,
            started_unix: std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0.0, |d| d.as_secs_f64()),
            server_info,
            services,
            limiter,
            verifier: None,
            oauth: None,
            dependencies: crate::health::Board::new(probes),
        })
    }

    /// Turns the built-in authorization server on (`serve` in `oauth` mode).
    pub(crate) fn with_oauth(mut self, oauth: Option<crate::oauth::AuthServer>) -> App {
        self.oauth = oauth;
        self
    }

    /// Turns bearer-token verification on (`serve` does, from the configuration).
    pub fn with_verifier(mut self, verifier: Option<crate::auth::Verifier>) -> App {
        self.verifier = verifier;
        self
    }
}

/// The `Implementation` object this server presents.
fn server_info() -> Value {
    json!({
        "name": "hubspot-mcp",
        "title": "HubSpot CRM",
        "version": env!("CARGO_PKG_VERSION"),
        "icons": [{"src": crate::tools::icons::server_data_uri(), "mimeType": "image/svg+xml", "sizes": ["any"]}],
    })
}

impl crate::mcp::Host for App {
    fn config(&self) -> &Config {
        &self.config
    }
    fn registry(&self) -> &Registry {
        &self.registry
    }
    fn sessions(&self) -> &dyn SessionStore {
        self.sessions.as_ref()
    }
    fn inflight(&self) -> &InFlight {
        &self.inflight
    }
    fn metrics(&self) -> &Metrics {
        &self.metrics
    }
    fn services(&self) -> &Services {
        &self.services
    }
    fn server_info(&self) -> &Value {
        &self.server_info
    }
    fn approvals(&self) -> &crate::approval::Approvals {
        &self.approvals
    }
}

#[cfg(test)]
mod tests {
    use crate::config::{Config, Purpose, RawEnv};
    use crate::mcp::dispatch::{decorate, tool_result, Payload};
    use crate::mcp::version::Revision;
    use crate::tools::{Structured, ToolOutput};
    use serde_json::json;

    /// JSON a tool wrote goes into the `CallToolResult` byte for byte as the same output held as a
    /// `Value` does, in every revision (2026-07-28's `_meta` and `resultType` included).
    #[test]
    fn a_written_result_is_the_value_result_in_every_revision() {
        let cfg = Config::from_raw(&RawEnv::default(), Purpose::Demo).unwrap();
        let app = super::App::new(cfg, None).unwrap();
        let data = json!({"nextAfter": null, "results": [{"id": "1", "properties": {"a": "é\n\"x\""}}],
                          "total": 3});
        for revision in Revision::ALL {
            let out = |s: Structured| ToolOutput {
                text: "1 contacts.\n{\"id\":\"1\"} </tag> \u{2028}".into(),
                structured: Some(s),
            };
            let written = tool_result(&app, out(Structured::Json(data.to_string())), revision);
            let valued = tool_result(&app, out(Structured::Value(data.clone())), revision);
            assert!(matches!(written, Payload::Json(_)), "{revision:?}");
            let valued = decorate(&app, revision, valued).into_json();
            assert_eq!(written.into_json(), valued, "{revision:?}");
        }
    }
}
