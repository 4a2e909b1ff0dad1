//! Configuration: the environment, read once into a typed, validated [`Config`].
//!
//! [`RawEnv`] holds the strings (no I/O beyond reading the process environment once); [`Config::from_raw`]
//! turns them into typed values and reports *every* problem at once, each naming the variable and what
//! is expected. Names, defaults and rules follow the original design (`NODE_ENV`, `PORT`, `HOST`,
//! `SESSION_MAX_AGE`, `HUBSPOT_ACCESS_TOKEN`, `JWT_*`, ...); the knobs this server adds are prefixed
//! `MCP_`. Secret values never appear in an error, a log line or `Debug` output: they are [`Secret`]s.
//!
//! This module must not open sockets or files: `check-config` and the tests call it freely.

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use crate::obs::redact::Secret;

/// Deployment environment (`NODE_ENV`). Production turns on the strict rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Environment {
    /// `development` (the default): loopback-friendly, lenient.
    Development,
    /// `staging`: production rules for sessions, lenient for the rest.
    Staging,
    /// `production`: every rule of the original design applies.
    Production,
}

impl Environment {
    /// The value as written in `NODE_ENV`.
    pub fn as_str(self) -> &'static str {
        match self {
            Environment::Development => "development",
            Environment::Staging => "staging",
            Environment::Production => "production",
        }
    }
}

/// How log lines are written (`LOG_FORMAT`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// One JSON object per line (the default; Railway's log view parses it).
    Json,
    /// `time LEVEL msg k=v` for people at a terminal.
    Pretty,
}

/// What the configuration is validated for: some variables are only needed by some commands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// `serve` against a real HubSpot account: a token is required.
    Serve,
    /// `serve --demo`: the built-in sandbox stands in for HubSpot, no token needed.
    Demo,
    /// `stdio`: a desktop client on the same machine; HTTP settings are not used.
    Stdio,
}

/// The process environment as strings, before any parsing.
#[derive(Debug, Clone, Default)]
pub struct RawEnv {
    vars: BTreeMap<String, String>,
}

impl RawEnv {
    /// Reads the process environment (the only I/O of this module).
    pub fn from_process() -> Self {
        Self::from_pairs(std::env::vars())
    }

    /// Builds from explicit pairs (tests, `check-config`).
    pub fn from_pairs<I, K, V>(pairs: I) -> Self
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<String>,
    {
        RawEnv {
            vars: pairs
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        }
    }

    /// A variable's value; an empty value counts as unset (Railway shows unset variables as empty).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.vars
            .get(name)
            .map(|v| v.trim())
            .filter(|v| !v.is_empty())
    }

    /// Sets a variable (used to apply CLI flags such as `--port` over the environment).
    pub fn set(&mut self, name: &str, value: &str) {
        self.vars.insert(name.to_string(), value.to_string());
    }
}

/// One problem with one variable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// The variable's name.
    pub var: &'static str,
    /// What is wrong with it.
    pub kind: ConfigErrorKind,
}

/// What is wrong with a variable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigErrorKind {
    /// The value does not parse; `got` is `None` for secrets, whose values are never shown.
    Invalid {
        /// What a valid value looks like.
        expected: &'static str,
        /// The value given, unless it is secret.
        got: Option<String>,
    },
    /// The variable is required here.
    Missing {
        /// Why it is required.
        why: &'static str,
    },
    /// The value parses but breaks a rule (most are the original design's production rules).
    Rule(&'static str),
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ConfigErrorKind::Invalid {
                expected,
                got: Some(got),
            } => write!(f, "{}: expected {expected}, got {got:?}", self.var),
            ConfigErrorKind::Invalid {
                expected,
                got: None,
            } => {
                write!(
                    f,
                    "{}: expected {expected} (value not shown: secret)",
                    self.var
                )
            }
            ConfigErrorKind::Missing { why } => write!(f, "{}: required {why}", self.var),
            ConfigErrorKind::Rule(rule) => write!(f, "{}: {rule}", self.var),
        }
    }
}

impl std::error::Error for ConfigError {}

/// All problems found in one pass over the environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigErrors(pub Vec<ConfigError>);

impl fmt::Display for ConfigErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "invalid configuration ({} problem(s)):", self.0.len())?;
        for e in &self.0 {
            writeln!(f, "  {e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ConfigErrors {}

/// Railway's deployment metadata, reported by `/health` and in logs.
#[derive(Debug, Clone, Default)]
pub struct Railway {
    /// `RAILWAY_DEPLOYMENT_ID`.
    pub deployment_id: Option<String>,
    /// `RAILWAY_ENVIRONMENT` (Railway also sets `RAILWAY_ENVIRONMENT_NAME`).
    pub environment: Option<String>,
    /// `RAILWAY_SERVICE_NAME`.
    pub service_name: Option<String>,
    /// `RAILWAY_PUBLIC_DOMAIN`: allowed as a `Host` automatically.
    pub public_domain: Option<String>,
    /// `RAILWAY_PRIVATE_DOMAIN`: allowed as a `Host` automatically.
    pub private_domain: Option<String>,
}

/// The validated configuration. Fields are private; each getter documents its variable and default.
#[derive(Debug, Clone)]
pub struct Config {
    environment: Environment,
    port: u16,
    host: String,
    log_level: log::LevelFilter,
    log_format: LogFormat,
    session_max_age: Duration,
    session_cleanup_interval: Duration,
    max_sessions: usize,
    max_sessions_per_principal: usize,
    rate_limit_window: Duration,
    rate_limit_max: u32,
    cors_origins: Vec<String>,
    hubspot_token: Option<Secret>,
    hubspot_api_base_url: String,
    hubspot_rate_limit: u32,
    hubspot_search_rate_limit: u32,
    hubspot_timeout: Duration,
    hubspot_max_retries: u32,
    hubspot_ca_file: Option<std::path::PathBuf>,
    hubspot_toolsets: Option<Vec<String>>,
    hubspot_read_only: bool,
    hubspot_cache_ttl: Duration,
    hubspot_cache_max: usize,
    tool_text_limit: usize,
    jwt_secret: Option<Secret>,
    jwt_issuer: Option<String>,
    jwt_audience: Option<String>,
    jwks_uri: Option<String>,
    jwks_cache_ttl: Duration,
    jwks_min_refresh: Duration,
    jwt_leeway: Duration,
    read_scopes: Vec<String>,
    write_scopes: Vec<String>,
    require_scopes: bool,
    public_url: Option<String>,
    metrics_enabled: bool,
    metrics_token: Option<Secret>,
    health_check_enabled: bool,
    health_check_interval: Duration,
    redis_url: Option<Secret>,
    redis_session_prefix: String,
    railway: Railway,
    workers: usize,
    max_queue: usize,
    head_timeout: Duration,
    max_pending_per_ip: usize,
    max_upstream_calls: usize,
    max_json_values: usize,
    max_body_bytes: usize,
    max_connections: usize,
    read_timeout: Duration,
    request_timeout: Duration,
    drain_timeout: Duration,
    allowed_hosts: Vec<String>,
    tools_page_size: usize,
    trust_proxy_hops: usize,
}

/// The original design's minimum session age (5 minutes); below it only in development, with a warning.
const MIN_SESSION_MAX_AGE_MS: u64 = 300_000;

impl Config {
    /// Reads and validates the process environment.
    pub fn from_env(purpose: Purpose) -> Result<Config, ConfigErrors> {
        Self::from_raw(&RawEnv::from_process(), purpose)
    }

    /// Validates `raw`, collecting every problem before returning.
    pub fn from_raw(raw: &RawEnv, purpose: Purpose) -> Result<Config, ConfigErrors> {
        let mut p = Parser {
            raw,
            errors: Vec::new(),
        };
        let environment = p.parse_with(
            "NODE_ENV",
            "one of development, staging, production",
            |v| match v {
                "development" | "dev" => Some(Environment::Development),
                "staging" => Some(Environment::Staging),
                "production" | "prod" => Some(Environment::Production),
                _ => None,
            },
        );
        let environment = environment.unwrap_or(Environment::Development);
        let prod = environment == Environment::Production;

        let port = p
            .parse_with("PORT", "a TCP port number 0-65535", |v| {
                v.parse::<u16>().ok()
            })
            .unwrap_or(3000);
        let host = p.string("HOST").unwrap_or_else(|| "::".to_string());
        if host.parse::<std::net::IpAddr>().is_err() && host != "localhost" {
            p.invalid(
                "HOST",
                "an IP address to bind (\"::\" for IPv4 and IPv6, \"0.0.0.0\", \"127.0.0.1\") or localhost",
                &host,
            );
        }
        let log_level = p
            .parse_with(
                "LOG_LEVEL",
                "one of error, warn, info, debug, trace",
                |v| match v.to_ascii_lowercase().as_str() {
                    "error" => Some(log::LevelFilter::Error),
                    "warn" | "warning" => Some(log::LevelFilter::Warn),
                    "info" => Some(log::LevelFilter::Info),
                    "debug" => Some(log::LevelFilter::Debug),
                    "trace" => Some(log::LevelFilter::Trace),
                    "off" | "silent" => Some(log::LevelFilter::Off),
                    _ => None,
                },
            )
            .unwrap_or(log::LevelFilter::Info);
        if prod && log_level >= log::LevelFilter::Debug {
            p.rule("LOG_LEVEL", "must not be debug or trace in production");
        }
        let log_format = p
            .parse_with("LOG_FORMAT", "json or pretty", |v| match v {
                "json" => Some(LogFormat::Json),
                "pretty" | "text" => Some(LogFormat::Pretty),
                _ => None,
            })
            .unwrap_or(LogFormat::Json);

        let session_max_age = p.millis("SESSION_MAX_AGE", 1_800_000, 1);
        if session_max_age.as_millis() < u128::from(MIN_SESSION_MAX_AGE_MS)
            && environment != Environment::Development
        {
            p.rule(
                "SESSION_MAX_AGE",
                "should be at least 5 minutes (300000 ms) outside development",
            );
        }
        let session_cleanup_interval = p.millis("SESSION_CLEANUP_INTERVAL", 300_000, 10);
        let max_sessions = p.count("MCP_MAX_SESSIONS", 10_000, 1);
        // With authentication each principal gets a share; without, every caller is the same one.
        let auth_on = raw.get("JWT_SECRET").is_some() || raw.get("JWKS_URI").is_some();
        let max_sessions_per_principal = p.count(
            "MCP_MAX_SESSIONS_PER_PRINCIPAL",
            if auth_on {
                max_sessions.min(100)
            } else {
                max_sessions
            },
            1,
        );
        if max_sessions_per_principal > max_sessions {
            p.rule(
                "MCP_MAX_SESSIONS_PER_PRINCIPAL",
                "must be at most MCP_MAX_SESSIONS (one principal's share of all sessions)",
            );
        }

        let rate_limit_window = p.millis("RATE_LIMIT_WINDOW_MS", 900_000, 1);
        let rate_limit_max = p.count("RATE_LIMIT_MAX", 1000, 1) as u32;

        let cors_origins: Vec<String> = p
            .string("CORS_ORIGIN")
            .map(|v| {
                v.split(',')
                    .map(|s| s.trim().trim_end_matches('/').to_string())
                    .filter(|s| !s.is_empty())
                    .collect()
            })
            .unwrap_or_default();
        for o in &cors_origins {
            if o != "*" && !is_http_url(o) {
                p.invalid(
                    "CORS_ORIGIN",
                    "a comma-separated list of origins such as https://claude.ai",
                    o,
                );
            }
        }
        if prod && cors_origins.iter().any(|o| o.contains('*')) {
            p.rule("CORS_ORIGIN", "should not include wildcards in production");
        }

        let hubspot_token = p.secret("HUBSPOT_ACCESS_TOKEN");
        match (&hubspot_token, purpose) {
            (None, Purpose::Serve) => p.missing(
                "HUBSPOT_ACCESS_TOKEN",
                "to reach HubSpot (a private app token, pat-…); use `serve --demo` to try the built-in sandbox",
            ),
            (Some(t), _) if t.expose().len() < 40 => p.rule(
                "HUBSPOT_ACCESS_TOKEN",
                "appears to be invalid (too short: HubSpot private app tokens have at least 40 characters)",
            ),
            _ => {}
        }
        let hubspot_api_base_url = p
            .string("HUBSPOT_API_BASE_URL")
            .map(|s| s.trim_end_matches('/').to_string())
            .unwrap_or_else(|| "https://api.hubapi.com".to_string());
        if !is_http_url(&hubspot_api_base_url) {
            p.invalid(
                "HUBSPOT_API_BASE_URL",
                "an http(s) URL",
                &hubspot_api_base_url,
            );
        } else if hubspot_api_base_url.starts_with("http://")
            && !is_loopback_url(&hubspot_api_base_url)
        {
            p.rule(
                "HUBSPOT_API_BASE_URL",
                "plain http is allowed only to a loopback address; use https",
            );
        }
        let hubspot_rate_limit = p.count("HUBSPOT_RATE_LIMIT", 10, 1) as u32;
        let hubspot_search_rate_limit = p.count("HUBSPOT_SEARCH_RATE_LIMIT", 4, 1) as u32;
        let hubspot_timeout = p.millis("HUBSPOT_TIMEOUT_MS", 15_000, 100);
        let hubspot_max_retries = p.count("HUBSPOT_MAX_RETRIES", 3, 0) as u32;
        if hubspot_max_retries > 10 {
            p.rule("HUBSPOT_MAX_RETRIES", "must be at most 10");
        }
        let hubspot_ca_file = p.string("HUBSPOT_CA_FILE").map(std::path::PathBuf::from);
        let hubspot_toolsets = p.string("HUBSPOT_TOOLSETS").map(|v| {
            v.split(',')
                .map(|s| s.trim().to_ascii_lowercase())
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
        });
        if let Some(sets) = &hubspot_toolsets {
            for s in sets {
                if crate::tools::Family::parse(s).is_none() {
                    p.invalid("HUBSPOT_TOOLSETS", crate::tools::Family::EXPECTED, s);
                }
            }
        }
        let hubspot_read_only = p.flag("HUBSPOT_READ_ONLY", false);
        let hubspot_cache_ttl = p.millis("HUBSPOT_CACHE_TTL_MS", 300_000, 0);
        let hubspot_cache_max = p.count("HUBSPOT_CACHE_MAX_ENTRIES", 1000, 1);
        let tool_text_limit = p.count("MCP_TOOL_TEXT_LIMIT", 20_000, 1000);

        let jwt_secret = p.secret("JWT_SECRET");
        if jwt_secret.as_ref().is_some_and(|s| s.expose().len() < 32) {
            p.rule("JWT_SECRET", "must be at least 32 characters");
        }
        let jwt_issuer = p.string("JWT_ISSUER");
        if let Some(v) = &jwt_issuer {
            if !is_http_url(v) {
                p.invalid("JWT_ISSUER", "an http(s) URL", v);
            }
        }
        let jwt_audience = p.string("JWT_AUDIENCE");
        let jwks_uri = p.string("JWKS_URI");
        if let Some(v) = &jwks_uri {
            if !is_http_url(v) {
                p.invalid("JWKS_URI", "an http(s) URL", v);
            } else if v.starts_with("http://") && !is_loopback_url(v) {
                // Whoever can change the key set in transit can mint tokens.
                p.rule(
                    "JWKS_URI",
                    "plain http is allowed only to a loopback address; use https",
                );
            }
        }
        let jwks_cache_ttl = Duration::from_secs(p.count("JWKS_CACHE_TTL", 3600, 1) as u64);
        let jwks_min_refresh =
            Duration::from_secs(p.count("JWKS_MIN_REFRESH_SECONDS", 10, 1) as u64);
        let jwt_leeway = p.count("JWT_LEEWAY_SECONDS", 30, 0);
        if jwt_leeway > 300 {
            p.rule("JWT_LEEWAY_SECONDS", "must be at most 300 (5 minutes)");
        }
        let jwt_leeway = Duration::from_secs(jwt_leeway.min(300) as u64);
        let read_scopes = p.scopes("MCP_READ_SCOPES", "hubspot.read");
        let write_scopes = p.scopes("MCP_WRITE_SCOPES", "hubspot.write");
        let require_scopes = p.flag("MCP_REQUIRE_SCOPES", false);
        let public_url = p
            .string("MCP_PUBLIC_URL")
            .map(|s| s.trim_end_matches('/').to_string());
        if let Some(v) = &public_url {
            if !is_http_url(v) || v.contains(['?', '#']) {
                p.invalid(
                    "MCP_PUBLIC_URL",
                    "the server's public http(s) URL without query or fragment, such as https://mcp.example.com",
                    v,
                );
            } else if prod && v.starts_with("http://") && !is_loopback_url(v) {
                p.rule("MCP_PUBLIC_URL", "must be https in production");
            }
        }
        if prod && purpose != Purpose::Stdio && jwt_secret.is_none() && jwks_uri.is_none() {
            p.missing(
                "JWT_SECRET",
                "in production (or JWKS_URI): the HTTP endpoint must not run without authentication",
            );
        }
        let loopback_bind = host == "localhost"
            || host
                .parse::<std::net::IpAddr>()
                .is_ok_and(|ip| ip.is_loopback());
        if !prod
            && purpose == Purpose::Serve
            && jwt_secret.is_none()
            && jwks_uri.is_none()
            && !loopback_bind
        {
            p.missing(
                "JWT_SECRET",
                "(or JWKS_URI) to serve a real HubSpot account on a non-loopback HOST: authentication may be off \
                 only with --demo or when HOST is a loopback address such as 127.0.0.1",
            );
        }
        if prod && (jwt_secret.is_some() || jwks_uri.is_some()) {
            if jwt_issuer.is_none() {
                p.missing("JWT_ISSUER", "in production to check the token's issuer");
            }
            if jwt_audience.is_none() {
                p.missing(
                    "JWT_AUDIENCE",
                    "in production to check the token's audience",
                );
            }
        }

        let metrics_enabled = p.flag("METRICS_ENABLED", true);
        let health_check_enabled = p.flag("HEALTH_CHECK_ENABLED", true);
        let health_check_interval = p.millis("HEALTH_CHECK_INTERVAL_MS", 30_000, 100);
        let metrics_token = p.secret("METRICS_TOKEN");
        if metrics_token
            .as_ref()
            .is_some_and(|t| t.expose().len() < 16 || t.expose().contains(char::is_whitespace))
        {
            p.rule(
                "METRICS_TOKEN",
                "must be at least 16 characters with no spaces (openssl rand -hex 24 makes one)",
            );
        }
        let redis_url = p.secret("REDIS_URL");
        if let Some(u) = &redis_url {
            if let Err(e) = crate::redis::Target::parse(u.expose()) {
                // The message never holds the URL (it may carry a password).
                let _ = e;
                p.push(
                    "REDIS_URL",
                    ConfigErrorKind::Invalid {
                        expected: "redis://[user:password@]host[:port][/db] (rediss:// is not supported yet)",
                        got: None,
                    },
                );
            }
        }
        let redis_session_prefix = p
            .string("REDIS_SESSION_PREFIX")
            .unwrap_or_else(|| "mcp:session:".to_string());
        let railway = Railway {
            deployment_id: p.string("RAILWAY_DEPLOYMENT_ID"),
            environment: p
                .string("RAILWAY_ENVIRONMENT")
                .or_else(|| p.string("RAILWAY_ENVIRONMENT_NAME")),
            service_name: p.string("RAILWAY_SERVICE_NAME"),
            public_domain: p.string("RAILWAY_PUBLIC_DOMAIN"),
            private_domain: p.string("RAILWAY_PRIVATE_DOMAIN"),
        };

        let workers = p.count("MCP_WORKERS", 64, 1);
        if workers > 4096 {
            p.rule("MCP_WORKERS", "must be at most 4096");
        }
        let max_queue = p.count("MCP_MAX_QUEUE", 256, 0);
        let max_body_bytes = p.count("MCP_MAX_BODY_BYTES", 1024 * 1024, 1024);
        let max_connections = p.count("MCP_MAX_CONNECTIONS", 1024, 1);
        let read_timeout = p.millis("MCP_READ_TIMEOUT_MS", 30_000, 100);
        let request_timeout = p.millis("MCP_REQUEST_TIMEOUT_MS", 60_000, 100);
        let head_timeout = p.millis("MCP_HEAD_TIMEOUT_MS", 10_000, 100);
        let max_pending_per_ip = p.count("MCP_MAX_PENDING_PER_IP", 128, 1);
        let max_upstream_calls = p.count("MCP_MAX_HUBSPOT_CALLS_PER_REQUEST", 50, 1);
        let max_json_values = p.count("MCP_MAX_JSON_VALUES", 20_000, 100);
        let drain_timeout = p.millis("MCP_DRAIN_TIMEOUT_MS", 10_000, 0);
        let allowed_hosts: Vec<String> = p
            .string("MCP_ALLOWED_HOSTS")
            .map(|v| {
                v.split(',')
                    .map(|s| s.trim().to_ascii_lowercase())
                    .filter(|s| !s.is_empty())
                    .collect()
            })
            .unwrap_or_default();
        let tools_page_size = p.count("MCP_TOOLS_PAGE_SIZE", 100, 1);
        let trust_proxy_hops = p.count("MCP_TRUST_PROXY_HOPS", 0, 0);
        if trust_proxy_hops > 10 {
            p.rule("MCP_TRUST_PROXY_HOPS", "must be at most 10");
        }

        if !p.errors.is_empty() {
            return Err(ConfigErrors(p.errors));
        }
        Ok(Config {
            environment,
            port,
            host,
            log_level,
            log_format,
            session_max_age,
            session_cleanup_interval,
            max_sessions,
            max_sessions_per_principal,
            rate_limit_window,
            rate_limit_max,
            cors_origins,
            hubspot_token,
            hubspot_api_base_url,
            hubspot_rate_limit,
            hubspot_search_rate_limit,
            hubspot_timeout,
            hubspot_max_retries,
            hubspot_ca_file,
            hubspot_toolsets,
            hubspot_read_only,
            hubspot_cache_ttl,
            hubspot_cache_max,
            tool_text_limit,
            jwt_secret,
            jwt_issuer,
            jwt_audience,
            jwks_uri,
            jwks_cache_ttl,
            jwks_min_refresh,
            jwt_leeway,
            read_scopes,
            write_scopes,
            require_scopes,
            public_url,
            metrics_enabled,
            metrics_token,
            health_check_enabled,
            health_check_interval,
            redis_url,
            redis_session_prefix,
            railway,
            workers,
            max_queue,
            head_timeout,
            max_pending_per_ip,
            max_upstream_calls,
            max_json_values,
            max_body_bytes,
            max_connections,
            read_timeout,
            request_timeout,
            drain_timeout,
            allowed_hosts,
            tools_page_size,
            trust_proxy_hops,
        })
    }

    /// `NODE_ENV`. Defaults to development.
    pub fn environment(&self) -> Environment {
        self.environment
    }
    /// `PORT`. Defaults to 3000; 0 picks a free port (the bound address is logged).
    pub fn port(&self) -> u16 {
        self.port
    }
    /// `HOST`. Defaults to `::`, which with `IPV6_V6ONLY` off accepts IPv4 and IPv6 clients.
    pub fn host(&self) -> &str {
        &self.host
    }
    /// `LOG_LEVEL`. Defaults to info.
    pub fn log_level(&self) -> log::LevelFilter {
        self.log_level
    }
    /// `LOG_FORMAT`. Defaults to json.
    pub fn log_format(&self) -> LogFormat {
        self.log_format
    }
    /// `SESSION_MAX_AGE` (ms): a session idle this long is dropped. Defaults to 30 minutes.
    pub fn session_max_age(&self) -> Duration {
        self.session_max_age
    }
    /// `SESSION_CLEANUP_INTERVAL` (ms): how often the reaper runs. Defaults to 5 minutes.
    pub fn session_cleanup_interval(&self) -> Duration {
        self.session_cleanup_interval
    }
    /// `MCP_MAX_SESSIONS`: live sessions at most. Defaults to 10,000.
    pub fn max_sessions(&self) -> usize {
        self.max_sessions
    }
    /// `MCP_MAX_SESSIONS_PER_PRINCIPAL`: live sessions one principal may hold (all unauthenticated
    /// callers count as one), at most `MCP_MAX_SESSIONS`. Defaults to 100 (or `MCP_MAX_SESSIONS` if
    /// lower) with authentication, to `MCP_MAX_SESSIONS` without.
    pub fn max_sessions_per_principal(&self) -> usize {
        self.max_sessions_per_principal
    }
    /// `RATE_LIMIT_WINDOW_MS`. Defaults to 15 minutes.
    pub fn rate_limit_window(&self) -> Duration {
        self.rate_limit_window
    }
    /// `RATE_LIMIT_MAX` requests per window and client. Defaults to 1000.
    pub fn rate_limit_max(&self) -> u32 {
        self.rate_limit_max
    }
    /// `CORS_ORIGIN`: allowed browser origins, comma-separated. Defaults to none.
    pub fn cors_origins(&self) -> &[String] {
        &self.cors_origins
    }
    /// `HUBSPOT_ACCESS_TOKEN`. Required by `serve` unless `--demo`.
    pub fn hubspot_token(&self) -> Option<&Secret> {
        self.hubspot_token.as_ref()
    }
    /// `HUBSPOT_API_BASE_URL`, without a trailing slash. Defaults to `https://api.hubapi.com`.
    pub fn hubspot_api_base_url(&self) -> &str {
        &self.hubspot_api_base_url
    }
    /// `HUBSPOT_RATE_LIMIT`: HubSpot requests per second at most. Defaults to 10.
    pub fn hubspot_rate_limit(&self) -> u32 {
        self.hubspot_rate_limit
    }
    /// `HUBSPOT_SEARCH_RATE_LIMIT`: search requests per second (HubSpot allows about 5). Defaults to 4.
    pub fn hubspot_search_rate_limit(&self) -> u32 {
        self.hubspot_search_rate_limit
    }
    /// `HUBSPOT_TIMEOUT_MS`: one HubSpot attempt waits at most this. Defaults to 15 s.
    pub fn hubspot_timeout(&self) -> Duration {
        self.hubspot_timeout
    }
    /// `HUBSPOT_MAX_RETRIES`: retries after the first attempt. Defaults to 3.
    pub fn hubspot_max_retries(&self) -> u32 {
        self.hubspot_max_retries
    }
    /// `HUBSPOT_CA_FILE`: a PEM bundle of extra CAs trusted besides the embedded roots (corporate proxies),
    /// for HubSpot and for the JWKS.
    pub fn hubspot_ca_file(&self) -> Option<&std::path::Path> {
        self.hubspot_ca_file.as_deref()
    }
    /// `HUBSPOT_TOOLSETS`: the tool families to expose (comma-separated); `None` = all.
    pub fn hubspot_toolsets(&self) -> Option<&[String]> {
        self.hubspot_toolsets.as_deref()
    }
    /// `HUBSPOT_READ_ONLY`: list and allow only tools that change nothing. Defaults to false.
    pub fn hubspot_read_only(&self) -> bool {
        self.hubspot_read_only
    }
    /// `HUBSPOT_CACHE_TTL_MS`: how long metadata (properties, schemas, pipelines, owners) is cached. Defaults to 5 min.
    pub fn hubspot_cache_ttl(&self) -> Duration {
        self.hubspot_cache_ttl
    }
    /// `HUBSPOT_CACHE_MAX_ENTRIES`: metadata cache size. Defaults to 1000.
    pub fn hubspot_cache_max(&self) -> usize {
        self.hubspot_cache_max
    }
    /// `MCP_TOOL_TEXT_LIMIT`: characters of text a tool result carries before it is cut (with a notice and
    /// the cursor to continue). Defaults to 20,000.
    pub fn tool_text_limit(&self) -> usize {
        self.tool_text_limit
    }
    /// `JWT_SECRET`: the shared secret of HS256/HS384/HS512 tokens, at least 32 characters. Defaults to none.
    /// With neither it nor `JWKS_URI`, bearer authentication is off (refused in production).
    pub fn jwt_secret(&self) -> Option<&Secret> {
        self.jwt_secret.as_ref()
    }
    /// `JWT_ISSUER`: the `iss` a token must carry, and the authorization server named in the protected
    /// resource metadata. Defaults to none (not checked); required in production when authentication is on.
    pub fn jwt_issuer(&self) -> Option<&str> {
        self.jwt_issuer.as_deref()
    }
    /// `JWT_AUDIENCE`: a value the token's `aud` must contain. Defaults to none (not checked); required in
    /// production when authentication is on.
    pub fn jwt_audience(&self) -> Option<&str> {
        self.jwt_audience.as_deref()
    }
    /// `JWKS_URI`: where the public keys of RS*/PS*/ES*/EdDSA tokens are fetched (https, or http to
    /// loopback). Defaults to none.
    pub fn jwks_uri(&self) -> Option<&str> {
        self.jwks_uri.as_deref()
    }
    /// `JWKS_CACHE_TTL` (seconds): how long a fetched key set is used before it is fetched again (stale keys
    /// keep serving while the endpoint is down). Defaults to 3600.
    pub fn jwks_cache_ttl(&self) -> Duration {
        self.jwks_cache_ttl
    }
    /// `JWKS_MIN_REFRESH_SECONDS`: fetch attempts (for an unknown `kid`, an expired set, or after a failure)
    /// are at least this far apart. Defaults to 10, minimum 1.
    pub fn jwks_min_refresh(&self) -> Duration {
        self.jwks_min_refresh
    }
    /// `JWT_LEEWAY_SECONDS`: clock skew allowed when checking `exp` and `nbf`. Defaults to 30, at most 300.
    pub fn jwt_leeway(&self) -> Duration {
        self.jwt_leeway
    }
    /// `MCP_READ_SCOPES`: scopes (comma-separated) any of which lets a token read. Defaults to `hubspot.read`.
    pub fn read_scopes(&self) -> &[String] {
        &self.read_scopes
    }
    /// `MCP_WRITE_SCOPES`: scopes (comma-separated) any of which lets a token write, and so read. Defaults to
    /// `hubspot.write`.
    pub fn write_scopes(&self) -> &[String] {
        &self.write_scopes
    }
    /// `MCP_REQUIRE_SCOPES`: when true a token must carry a `scope`/`scp` claim naming a read or write scope;
    /// when false a token with no scope claim at all may read and write (simple HS256 setups). Defaults to
    /// false.
    pub fn require_scopes(&self) -> bool {
        self.require_scopes
    }
    /// `MCP_PUBLIC_URL`: the server's public base URL (such as `https://mcp.example.com`), without a trailing
    /// slash; the protected resource is this plus `/mcp`. Defaults to none (derived from the `Host` header).
    pub fn public_url(&self) -> Option<&str> {
        self.public_url.as_deref()
    }
    /// `METRICS_ENABLED`. Defaults to true.
    pub fn metrics_enabled(&self) -> bool {
        self.metrics_enabled
    }
    /// `METRICS_TOKEN`: when set, `/metrics` and `/scaling` require `Authorization: Bearer <it>`.
    pub fn metrics_token(&self) -> Option<&Secret> {
        self.metrics_token.as_ref()
    }
    /// `HEALTH_CHECK_ENABLED`: background dependency checks. Defaults to true.
    pub fn health_check_enabled(&self) -> bool {
        self.health_check_enabled
    }
    /// `HEALTH_CHECK_INTERVAL_MS`: time between two rounds of dependency checks. Defaults to 30 s.
    pub fn health_check_interval(&self) -> Duration {
        self.health_check_interval
    }
    /// `REDIS_URL` (may hold a password, hence secret).
    pub fn redis_url(&self) -> Option<&Secret> {
        self.redis_url.as_ref()
    }
    /// `REDIS_SESSION_PREFIX`. Defaults to `mcp:session:`.
    pub fn redis_session_prefix(&self) -> &str {
        &self.redis_session_prefix
    }
    /// Railway's `RAILWAY_*` metadata.
    pub fn railway(&self) -> &Railway {
        &self.railway
    }
    /// `MCP_WORKERS`: request worker threads, sized for blocking HubSpot calls. Defaults to 64.
    pub fn workers(&self) -> usize {
        self.workers
    }
    /// `MCP_MAX_QUEUE`: requests waiting for a worker before new ones get 503. Defaults to 256.
    /// `MCP_HEAD_TIMEOUT_MS`: a request head must arrive whole within this, from its first byte
    /// (slow-header attacks), and never takes longer than `MCP_READ_TIMEOUT_MS`. Defaults to 10 s.
    pub fn head_timeout(&self) -> Duration {
        self.head_timeout.min(self.read_timeout)
    }
    /// `MCP_MAX_PENDING_PER_IP`: connections from one address that have not yet sent a whole first
    /// request; more are refused 503. Not applied behind a proxy (`MCP_TRUST_PROXY_HOPS` > 0), where
    /// every connection comes from the proxy. Defaults to 128.
    pub fn max_pending_per_ip(&self) -> usize {
        if self.trust_proxy_hops > 0 {
            usize::MAX
        } else {
            self.max_pending_per_ip
        }
    }
    /// `MCP_MAX_HUBSPOT_CALLS_PER_REQUEST`: HubSpot calls one POST to `/mcp` may make in all (a
    /// batch's messages share it). Defaults to 50.
    pub fn max_upstream_calls(&self) -> usize {
        self.max_upstream_calls
    }
    /// `MCP_MAX_JSON_VALUES`: JSON values (array elements, object members, scalars) one request body
    /// may hold; more are refused before parsing, which bounds its memory. Defaults to 20,000.
    pub fn max_json_values(&self) -> usize {
        self.max_json_values
    }
    /// `MCP_MAX_QUEUE`: requests waiting for a worker at most.
    pub fn max_queue(&self) -> usize {
        self.max_queue
    }
    /// `MCP_MAX_BODY_BYTES`: larger request bodies get 413. Defaults to 1 MiB.
    pub fn max_body_bytes(&self) -> usize {
        self.max_body_bytes
    }
    /// `MCP_MAX_CONNECTIONS`: open TCP connections at most. Defaults to 1024.
    pub fn max_connections(&self) -> usize {
        self.max_connections
    }
    /// `MCP_READ_TIMEOUT_MS`: a socket read (headers, body, idle keep-alive) waits at most this. Defaults to 30 s.
    pub fn read_timeout(&self) -> Duration {
        self.read_timeout
    }
    /// `MCP_REQUEST_TIMEOUT_MS`: deadline of one MCP request, HubSpot calls included. Defaults to 60 s.
    pub fn request_timeout(&self) -> Duration {
        self.request_timeout
    }
    /// `MCP_DRAIN_TIMEOUT_MS`: on SIGTERM, in-flight requests get this long to finish. Defaults to 10 s.
    pub fn drain_timeout(&self) -> Duration {
        self.drain_timeout
    }
    /// `MCP_ALLOWED_HOSTS`: extra `Host` names accepted besides loopback and Railway's domains; `*` turns the
    /// check off.
    pub fn allowed_hosts(&self) -> &[String] {
        &self.allowed_hosts
    }
    /// `MCP_TOOLS_PAGE_SIZE`: tools per `tools/list` page. Defaults to 100.
    pub fn tools_page_size(&self) -> usize {
        self.tools_page_size
    }
    /// `MCP_TRUST_PROXY_HOPS`: how many reverse proxies in front of the server append to
    /// `X-Forwarded-For` (1 on Railway); 0 ignores the header. Defaults to 0.
    pub fn trust_proxy_hops(&self) -> usize {
        self.trust_proxy_hops
    }
    /// True when the HTTP server binds only a loopback address.
    pub fn is_loopback_bind(&self) -> bool {
        self.host == "localhost"
            || self
                .host
                .parse::<std::net::IpAddr>()
                .is_ok_and(|ip| ip.is_loopback())
    }
}

struct Parser<'a> {
    raw: &'a RawEnv,
    errors: Vec<ConfigError>,
}

impl Parser<'_> {
    fn push(&mut self, var: &'static str, kind: ConfigErrorKind) {
        self.errors.push(ConfigError { var, kind });
    }
    fn invalid(&mut self, var: &'static str, expected: &'static str, got: &str) {
        self.push(
            var,
            ConfigErrorKind::Invalid {
                expected,
                got: Some(got.to_string()),
            },
        );
    }
    fn missing(&mut self, var: &'static str, why: &'static str) {
        self.push(var, ConfigErrorKind::Missing { why });
    }
    fn rule(&mut self, var: &'static str, rule: &'static str) {
        self.push(var, ConfigErrorKind::Rule(rule));
    }
    fn string(&self, var: &str) -> Option<String> {
        self.raw.get(var).map(str::to_string)
    }
    fn secret(&self, var: &str) -> Option<Secret> {
        self.raw.get(var).map(|v| Secret::new(v.to_string()))
    }
    fn parse_with<T>(
        &mut self,
        var: &'static str,
        expected: &'static str,
        f: impl FnOnce(&str) -> Option<T>,
    ) -> Option<T> {
        let v = self.raw.get(var)?;
        match f(v) {
            Some(t) => Some(t),
            None => {
                self.invalid(var, expected, v);
                None
            }
        }
    }
    fn millis(&mut self, var: &'static str, default: u64, min: u64) -> Duration {
        let ms = self
            .parse_with(var, "a whole number of milliseconds", |v| {
                v.parse::<u64>().ok()
            })
            .unwrap_or(default);
        if ms < min {
            self.rule(var, "is below its minimum");
            return Duration::from_millis(default);
        }
        Duration::from_millis(ms)
    }
    fn count(&mut self, var: &'static str, default: usize, min: usize) -> usize {
        let n = self
            .parse_with(var, "a whole number", |v| v.parse::<usize>().ok())
            .unwrap_or(default);
        if n < min {
            self.rule(var, "is below its minimum");
            return default;
        }
        n
    }
    /// A comma-separated list of OAuth scope tokens (RFC 6749 section 3.3: printable ASCII except space,
    /// `"` and `\`); `default` when unset.
    fn scopes(&mut self, var: &'static str, default: &str) -> Vec<String> {
        let Some(v) = self.string(var) else {
            return vec![default.to_string()];
        };
        let list: Vec<String> = v
            .split(',')
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect();
        let valid = |s: &String| {
            s.bytes()
                .all(|b| (0x21..=0x7e).contains(&b) && b != b'"' && b != b'\\')
        };
        if list.is_empty() || !list.iter().all(valid) {
            self.invalid(
                var,
                "a comma-separated list of OAuth scopes such as hubspot.read,crm.read",
                &v,
            );
            return vec![default.to_string()];
        }
        list
    }
    fn flag(&mut self, var: &'static str, default: bool) -> bool {
        self.parse_with(var, "true or false", |v| {
            match v.to_ascii_lowercase().as_str() {
                "true" | "1" | "yes" | "on" => Some(true),
                "false" | "0" | "no" | "off" => Some(false),
                _ => None,
            }
        })
        .unwrap_or(default)
    }
}

fn is_http_url(s: &str) -> bool {
    let rest = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"));
    rest.is_some_and(|r| !r.is_empty() && !r.starts_with('/') && !r.contains(char::is_whitespace))
}

fn is_loopback_url(s: &str) -> bool {
    let rest = s.strip_prefix("http://").unwrap_or(s);
    let host = rest.split('/').next().unwrap_or("");
    let host = match host.rsplit_once(':') {
        Some((h, port)) if port.chars().all(|c| c.is_ascii_digit()) => h,
        _ => host,
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "pat-na1-00000000-0000-0000-0000-000000000000";
    const SECRET: &str = "0123456789abcdef0123456789abcdef-test";

    fn cfg(pairs: &[(&str, &str)], purpose: Purpose) -> Result<Config, ConfigErrors> {
        Config::from_raw(&RawEnv::from_pairs(pairs.iter().copied()), purpose)
    }

    #[test]
    fn defaults_follow_the_original_design() {
        let c = cfg(
            &[("HUBSPOT_ACCESS_TOKEN", TOKEN), ("JWT_SECRET", SECRET)],
            Purpose::Serve,
        )
        .unwrap();
        assert_eq!(c.port(), 3000);
        assert_eq!(c.host(), "::");
        assert_eq!(c.session_max_age(), Duration::from_millis(1_800_000));
        assert_eq!(c.session_cleanup_interval(), Duration::from_millis(300_000));
        assert_eq!(c.rate_limit_window(), Duration::from_millis(900_000));
        assert_eq!(c.rate_limit_max(), 1000);
        assert_eq!(c.hubspot_api_base_url(), "https://api.hubapi.com");
        assert_eq!(c.hubspot_rate_limit(), 10);
        assert_eq!(c.redis_session_prefix(), "mcp:session:");
        assert!(c.metrics_enabled() && c.health_check_enabled());
        assert_eq!(c.environment(), Environment::Development);
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let errs = cfg(
            &[
                ("PORT", "abc"),
                ("LOG_LEVEL", "loud"),
                ("SESSION_MAX_AGE", "soon"),
                ("METRICS_ENABLED", "maybe"),
                ("HOST", "127.0.0.1"),
            ],
            Purpose::Serve,
        )
        .unwrap_err();
        let vars: Vec<_> = errs.0.iter().map(|e| e.var).collect();
        assert_eq!(
            vars,
            [
                "PORT",
                "LOG_LEVEL",
                "SESSION_MAX_AGE",
                "HUBSPOT_ACCESS_TOKEN",
                "METRICS_ENABLED"
            ]
        );
        let text = errs.to_string();
        assert!(
            text.contains("PORT: expected a TCP port number 0-65535, got \"abc\""),
            "{text}"
        );
    }

    #[test]
    fn production_rules_apply() {
        let errs = cfg(
            &[
                ("NODE_ENV", "production"),
                ("HUBSPOT_ACCESS_TOKEN", TOKEN),
                ("LOG_LEVEL", "debug"),
                ("CORS_ORIGIN", "*"),
                ("SESSION_MAX_AGE", "1000"),
            ],
            Purpose::Serve,
        )
        .unwrap_err();
        let vars: Vec<_> = errs.0.iter().map(|e| e.var).collect();
        assert_eq!(
            vars,
            ["LOG_LEVEL", "SESSION_MAX_AGE", "CORS_ORIGIN", "JWT_SECRET"]
        );
    }

    #[test]
    fn secrets_never_appear_in_errors_or_debug() {
        let secret = "short-secret-value";
        let errs = cfg(
            &[("HUBSPOT_ACCESS_TOKEN", secret), ("JWT_SECRET", secret)],
            Purpose::Serve,
        )
        .unwrap_err();
        assert_eq!(errs.0.len(), 2);
        assert!(!errs.to_string().contains(secret));
        let c = cfg(
            &[("HUBSPOT_ACCESS_TOKEN", TOKEN), ("JWT_SECRET", SECRET)],
            Purpose::Serve,
        )
        .unwrap();
        assert!(!format!("{c:?}").contains(TOKEN) && !format!("{c:?}").contains(SECRET));
    }

    #[test]
    fn demo_and_stdio_need_no_token_and_http_base_must_be_loopback() {
        assert!(cfg(&[], Purpose::Demo).is_ok());
        assert!(cfg(&[], Purpose::Stdio).is_ok());
        let errs = cfg(
            &[("HUBSPOT_API_BASE_URL", "http://example.com")],
            Purpose::Demo,
        )
        .unwrap_err();
        assert_eq!(errs.0[0].var, "HUBSPOT_API_BASE_URL");
        assert!(cfg(
            &[("HUBSPOT_API_BASE_URL", "http://127.0.0.1:4890/")],
            Purpose::Demo
        )
        .is_ok());
        assert!(cfg(
            &[("HUBSPOT_API_BASE_URL", "http://[::1]:4890")],
            Purpose::Demo
        )
        .is_ok());
    }

    #[test]
    fn auth_variables_default_and_parse() {
        let c = cfg(&[], Purpose::Demo).unwrap();
        assert_eq!(c.jwks_cache_ttl(), Duration::from_secs(3600));
        assert_eq!(c.jwks_min_refresh(), Duration::from_secs(10));
        assert_eq!(c.jwt_leeway(), Duration::from_secs(30));
        assert_eq!(c.read_scopes(), ["hubspot.read"]);
        assert_eq!(c.write_scopes(), ["hubspot.write"]);
        assert!(!c.require_scopes());
        assert_eq!(c.public_url(), None);

        let c = cfg(
            &[
                ("JWKS_URI", "https://idp.example.com/.well-known/jwks.json"),
                ("JWKS_MIN_REFRESH_SECONDS", "60"),
                ("JWT_LEEWAY_SECONDS", "0"),
                ("MCP_READ_SCOPES", " crm.read , crm.objects.contacts.read,"),
                ("MCP_WRITE_SCOPES", "crm.write"),
                ("MCP_REQUIRE_SCOPES", "yes"),
                ("MCP_PUBLIC_URL", "https://mcp.example.com/"),
            ],
            Purpose::Demo,
        )
        .unwrap();
        assert_eq!(c.jwks_min_refresh(), Duration::from_secs(60));
        assert_eq!(c.jwt_leeway(), Duration::ZERO);
        assert_eq!(c.read_scopes(), ["crm.read", "crm.objects.contacts.read"]);
        assert_eq!(c.write_scopes(), ["crm.write"]);
        assert!(c.require_scopes());
        assert_eq!(c.public_url(), Some("https://mcp.example.com"));
        assert!(cfg(&[("JWKS_URI", "http://127.0.0.1:9000/jwks")], Purpose::Demo).is_ok());
    }

    #[test]
    fn auth_variable_problems_are_reported_together() {
        let errs = cfg(
            &[
                ("JWKS_URI", "http://idp.example.com/jwks"),
                ("JWKS_MIN_REFRESH_SECONDS", "0"),
                ("JWT_LEEWAY_SECONDS", "3600"),
                ("MCP_READ_SCOPES", ","),
                ("MCP_WRITE_SCOPES", "hubspot write"),
                ("MCP_REQUIRE_SCOPES", "sometimes"),
                ("MCP_PUBLIC_URL", "mcp.example.com"),
            ],
            Purpose::Demo,
        )
        .unwrap_err();
        let vars: Vec<_> = errs.0.iter().map(|e| e.var).collect();
        assert_eq!(
            vars,
            [
                "JWKS_URI",
                "JWKS_MIN_REFRESH_SECONDS",
                "JWT_LEEWAY_SECONDS",
                "MCP_READ_SCOPES",
                "MCP_WRITE_SCOPES",
                "MCP_REQUIRE_SCOPES",
                "MCP_PUBLIC_URL"
            ]
        );
        let text = errs.to_string();
        assert!(
            text.contains("JWKS_URI: plain http is allowed only to a loopback address"),
            "{text}"
        );
        assert!(
            text.contains("MCP_WRITE_SCOPES: expected a comma-separated list of OAuth scopes"),
            "{text}"
        );
        let errs = cfg(
            &[
                ("NODE_ENV", "production"),
                ("JWT_SECRET", "0123456789abcdef0123456789abcdef"),
                ("JWT_ISSUER", "https://idp.example.com"),
                ("JWT_AUDIENCE", "hubspot-mcp"),
                ("MCP_PUBLIC_URL", "http://mcp.example.com"),
                ("CORS_ORIGIN", "https://claude.ai"),
            ],
            Purpose::Demo,
        )
        .unwrap_err();
        assert_eq!(errs.0.len(), 1);
        assert_eq!(errs.0[0].var, "MCP_PUBLIC_URL");
        assert!(!errs.to_string().contains("0123456789abcdef"));
    }

    #[test]
    fn auth_may_be_off_only_for_demo_or_a_loopback_bind() {
        let errs = cfg(&[("HUBSPOT_ACCESS_TOKEN", TOKEN)], Purpose::Serve).unwrap_err();
        assert_eq!(errs.0[0].var, "JWT_SECRET");
        assert!(errs.to_string().contains("loopback"), "{errs}");
        assert!(cfg(
            &[("HUBSPOT_ACCESS_TOKEN", TOKEN), ("HOST", "127.0.0.1")],
            Purpose::Serve
        )
        .is_ok());
        assert!(cfg(
            &[("HUBSPOT_ACCESS_TOKEN", TOKEN), ("HOST", "::1")],
            Purpose::Serve
        )
        .is_ok());
        assert!(cfg(&[], Purpose::Demo).is_ok());
    }

    #[test]
    fn empty_values_count_as_unset() {
        let c = cfg(
            &[
                ("PORT", ""),
                ("HUBSPOT_ACCESS_TOKEN", TOKEN),
                ("HOST", "127.0.0.1"),
            ],
            Purpose::Serve,
        )
        .unwrap();
        assert_eq!(c.port(), 3000);
    }

    #[test]
    fn the_per_principal_session_quota_defaults_by_auth_and_stays_under_the_cap() {
        let demo = |pairs: &[(&str, &str)]| cfg(pairs, Purpose::Demo);
        // Authentication on: 100 each (or the whole cap when that is smaller).
        let c = demo(&[("JWT_SECRET", SECRET)]).unwrap();
        assert_eq!(
            (c.max_sessions(), c.max_sessions_per_principal()),
            (10_000, 100)
        );
        let c = demo(&[
            ("JWKS_URI", "https://idp.example.com/jwks"),
            ("MCP_MAX_SESSIONS", "20"),
        ])
        .unwrap();
        assert_eq!(c.max_sessions_per_principal(), 20);
        // Off: every caller is one principal, so the quota is the cap.
        let c = demo(&[("MCP_MAX_SESSIONS", "500")]).unwrap();
        assert_eq!(c.max_sessions_per_principal(), 500);
        let c = demo(&[
            ("JWT_SECRET", SECRET),
            ("MCP_MAX_SESSIONS_PER_PRINCIPAL", "3"),
        ])
        .unwrap();
        assert_eq!(c.max_sessions_per_principal(), 3);
        let errs = demo(&[
            ("JWT_SECRET", SECRET),
            ("MCP_MAX_SESSIONS", "10"),
            ("MCP_MAX_SESSIONS_PER_PRINCIPAL", "11"),
        ])
        .unwrap_err();
        assert_eq!(errs.0.len(), 1);
        assert_eq!(errs.0[0].var, "MCP_MAX_SESSIONS_PER_PRINCIPAL");
        assert!(
            errs.to_string().contains("at most MCP_MAX_SESSIONS"),
            "{errs}"
        );
        for bad in ["0", "many"] {
            let errs = demo(&[("MCP_MAX_SESSIONS_PER_PRINCIPAL", bad)]).unwrap_err();
            assert_eq!(errs.0[0].var, "MCP_MAX_SESSIONS_PER_PRINCIPAL", "{bad}");
        }
    }
}
