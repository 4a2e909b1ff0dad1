//! The flat accessors `Config` had before its settings were grouped; each reads one group. Defaults and
//! rules are in the table ([`super::vars`]).

use std::path::Path;
use std::time::Duration;

use super::{Config, LogFormat, RedisTarget, Secret, Toolset};

impl Config {
    /// `PORT`; 0 picks a free port (the bound address is logged).
    pub(crate) fn port(&self) -> u16 {
        self.http.port
    }
    /// `HOST`: `::` with `IPV6_V6ONLY` off accepts IPv4 and IPv6 clients.
    pub(crate) fn host(&self) -> &str {
        &self.http.host
    }
    /// True when the HTTP server binds only a loopback address.
    pub(crate) fn is_loopback_bind(&self) -> bool {
        self.http.loopback_bind
    }
    /// `LOG_LEVEL`.
    pub(crate) fn log_level(&self) -> log::LevelFilter {
        self.obs.log_level
    }
    /// `LOG_FORMAT`.
    pub(crate) fn log_format(&self) -> LogFormat {
        self.obs.log_format
    }
    /// `LOG_FLUSH_INTERVAL_MS`: how often batched log lines are written.
    pub(crate) fn log_flush_interval(&self) -> Duration {
        self.obs.log_flush_interval
    }
    /// `SESSION_MAX_AGE` (ms): a session idle this long is dropped.
    pub(crate) fn session_max_age(&self) -> Duration {
        self.sessions.max_age
    }
    /// `SESSION_CLEANUP_INTERVAL` (ms): how often the reaper runs.
    pub(crate) fn session_cleanup_interval(&self) -> Duration {
        self.sessions.cleanup_interval
    }
    /// `MCP_MAX_SESSIONS`: live sessions at most.
    pub(crate) fn max_sessions(&self) -> usize {
        self.sessions.max_sessions
    }
    /// `MCP_MAX_SESSIONS_PER_PRINCIPAL`: live sessions one principal may hold (all unauthenticated
    /// callers count as one), at most `MCP_MAX_SESSIONS`.
    pub(crate) fn max_sessions_per_principal(&self) -> usize {
        self.sessions.max_per_principal
    }
    /// `RATE_LIMIT_WINDOW_MS`.
    pub(crate) fn rate_limit_window(&self) -> Duration {
        self.http.rate_limit_window
    }
    /// `RATE_LIMIT_MAX` requests per window and client.
    pub(crate) fn rate_limit_max(&self) -> u32 {
        self.http.rate_limit_max
    }
    /// `CORS_ORIGIN`: allowed browser origins.
    pub(crate) fn cors_origins(&self) -> &[String] {
        &self.http.cors_origins
    }
    /// `HUBSPOT_ACCESS_TOKEN`. Required by `serve` unless `--demo`.
    pub(crate) fn hubspot_token(&self) -> Option<&Secret> {
        self.hubspot.token.as_ref()
    }
    /// `HUBSPOT_API_BASE_URL`, without a trailing slash.
    pub(crate) fn hubspot_api_base_url(&self) -> &str {
        &self.hubspot.api_base_url
    }
    /// `HUBSPOT_RATE_LIMIT`: HubSpot requests per second at most.
    pub(crate) fn hubspot_rate_limit(&self) -> u32 {
        self.hubspot.rate_limit
    }
    /// `HUBSPOT_SEARCH_RATE_LIMIT`: search requests per second.
    pub(crate) fn hubspot_search_rate_limit(&self) -> u32 {
        self.hubspot.search_rate_limit
    }
    /// `HUBSPOT_SANDBOX_SEED`: the account the built-in sandbox is seeded with (read only by a build
    /// with the sandbox).
    #[cfg_attr(not(feature = "sandbox"), allow(dead_code))]
    pub(crate) fn sandbox_seed(&self) -> super::SandboxSeed {
        self.hubspot.sandbox_seed
    }
    /// `HUBSPOT_SANDBOX_SEARCH_RATE_LIMIT`: searches per second the built-in sandbox answers per token.
    #[cfg_attr(not(feature = "sandbox"), allow(dead_code))]
    pub(crate) fn sandbox_search_rate_limit(&self) -> u32 {
        self.hubspot.sandbox_search_rate_limit
    }
    /// `HUBSPOT_TIMEOUT_MS`: one HubSpot attempt waits at most this.
    pub(crate) fn hubspot_timeout(&self) -> Duration {
        self.hubspot.timeout
    }
    /// `HUBSPOT_MAX_RETRIES`: retries after the first attempt.
    pub(crate) fn hubspot_max_retries(&self) -> u32 {
        self.hubspot.max_retries
    }
    /// `HUBSPOT_CA_FILE`: a PEM bundle of extra CAs trusted besides the embedded roots, for HubSpot and
    /// for the JWKS.
    pub(crate) fn hubspot_ca_file(&self) -> Option<&Path> {
        self.hubspot.ca_file.as_deref()
    }
    /// `HUBSPOT_MASKED_PROPERTIES` and `HUBSPOT_MASK_STYLE`: the properties the HubSpot client never
    /// lets out, by canonical object type, and how it hides them.
    pub(crate) fn hubspot_masking(&self) -> &super::Masking {
        &self.hubspot.masking
    }
    /// `HUBSPOT_TOOLSETS`: the tool families to expose; `None` = all.
    pub(crate) fn hubspot_toolsets(&self) -> Option<&[Toolset]> {
        self.tools.toolsets.as_deref()
    }
    /// `MCP_TOOL_PROFILES`: the operator's own tool profiles, as written.
    pub(crate) fn tool_profiles(&self) -> &[super::ProfileSpec] {
        &self.tools.profiles
    }
    /// `HUBSPOT_READ_ONLY`: list and allow only tools that change nothing.
    pub(crate) fn hubspot_read_only(&self) -> bool {
        self.tools.read_only
    }
    /// `HUBSPOT_CACHE_TTL_MS`: how long metadata is cached.
    pub(crate) fn hubspot_cache_ttl(&self) -> Duration {
        self.tools.cache_ttl
    }
    /// `HUBSPOT_CACHE_MAX_ENTRIES`: metadata cache size.
    pub(crate) fn hubspot_cache_max(&self) -> usize {
        self.tools.cache_max
    }
    /// `MCP_TOOL_TEXT_LIMIT`: characters of text a tool result carries before it is cut.
    pub(crate) fn tool_text_limit(&self) -> usize {
        self.tools.text_limit
    }
    /// `MCP_TOOLS_PAGE_SIZE`: tools per `tools/list` page.
    pub(crate) fn tools_page_size(&self) -> usize {
        self.tools.page_size
    }
    /// `JWT_SECRET`: the shared secret of HS* tokens. With neither it nor `JWKS_URI`, bearer
    /// authentication is off (refused in production).
    pub(crate) fn jwt_secret(&self) -> Option<&Secret> {
        self.auth.jwt_secret.as_ref()
    }
    /// `JWT_ISSUER`: the `iss` a token must carry; `None`: not checked.
    pub(crate) fn jwt_issuer(&self) -> Option<&str> {
        self.auth.jwt_issuer.as_deref()
    }
    /// `JWT_AUDIENCE`: a value the token's `aud` must contain; `None`: not checked.
    pub(crate) fn jwt_audience(&self) -> Option<&str> {
        self.auth.jwt_audience.as_deref()
    }
    /// `JWKS_URI`: where the public keys of RS*/PS*/ES*/EdDSA tokens are fetched.
    pub(crate) fn jwks_uri(&self) -> Option<&str> {
        self.auth.jwks_uri.as_deref()
    }
    /// `JWKS_CACHE_TTL` (seconds): how long a fetched key set is used.
    pub(crate) fn jwks_cache_ttl(&self) -> Duration {
        self.auth.jwks_cache_ttl
    }
    /// `JWKS_MIN_REFRESH_SECONDS`: fetch attempts are at least this far apart.
    pub(crate) fn jwks_min_refresh(&self) -> Duration {
        self.auth.jwks_min_refresh
    }
    /// `JWT_LEEWAY_SECONDS`: clock skew allowed when checking `exp` and `nbf`.
    pub(crate) fn jwt_leeway(&self) -> Duration {
        self.auth.jwt_leeway
    }
    /// `MCP_READ_SCOPES`: scopes any of which lets a token read.
    pub(crate) fn read_scopes(&self) -> &[String] {
        &self.auth.read_scopes
    }
    /// `MCP_WRITE_SCOPES`: scopes any of which lets a token write, and so read.
    pub(crate) fn write_scopes(&self) -> &[String] {
        &self.auth.write_scopes
    }
    /// The scopes this resource knows: `MCP_READ_SCOPES` then `MCP_WRITE_SCOPES`, each once (metadata,
    /// 401 challenges, the authorization server's `scopes_supported`).
    pub(crate) fn scopes_supported(&self) -> Vec<&str> {
        super::scope_union(&self.auth.read_scopes, &self.auth.write_scopes)
    }
    /// `MCP_REQUIRE_SCOPES`: when true a token must carry a `scope`/`scp` claim naming a read or write
    /// scope; when false a token with no scope claim at all may read and write.
    pub(crate) fn require_scopes(&self) -> bool {
        self.auth.require_scopes
    }
    /// `MCP_PUBLIC_URL`, without a trailing slash; `None`: derived from the `Host` header.
    pub(crate) fn public_url(&self) -> Option<&str> {
        self.auth.public_url.as_deref()
    }
    /// `MCP_AUTH_MODE`: who may call `/mcp`.
    pub fn auth_mode(&self) -> super::AuthMode {
        self.auth.mode
    }
    /// The authorization server's settings (`oauth` mode only).
    pub(crate) fn oauth(&self) -> Option<&super::OAuthSettings> {
        self.auth.oauth.as_ref()
    }
    /// `METRICS_ENABLED`.
    pub(crate) fn metrics_enabled(&self) -> bool {
        self.obs.metrics_enabled
    }
    /// `METRICS_TOKEN`: when set, `/metrics` and `/scaling` require `Authorization: Bearer <it>`.
    pub(crate) fn metrics_token(&self) -> Option<&Secret> {
        self.obs.metrics_token.as_ref()
    }
    /// `HEALTH_CHECK_ENABLED`: background dependency checks.
    pub(crate) fn health_check_enabled(&self) -> bool {
        self.obs.health_check_enabled
    }
    /// `HEALTH_CHECK_INTERVAL_MS`: time between two rounds of dependency checks.
    pub(crate) fn health_check_interval(&self) -> Duration {
        self.obs.health_check_interval
    }
    /// `REDIS_URL`, parsed once.
    pub(crate) fn redis_target(&self) -> Option<&RedisTarget> {
        self.redis.target.as_ref()
    }
    /// `REDIS_SESSION_PREFIX`.
    pub(crate) fn redis_session_prefix(&self) -> &str {
        &self.redis.session_prefix
    }
    /// `MCP_WORKERS`: request worker threads, sized for blocking HubSpot calls.
    pub(crate) fn workers(&self) -> usize {
        self.limits.workers
    }
    /// `MCP_HEAD_TIMEOUT_MS`, never longer than `MCP_READ_TIMEOUT_MS`.
    pub(crate) fn head_timeout(&self) -> Duration {
        self.limits.head_timeout
    }
    /// `MCP_MAX_PENDING_PER_IP`; unbounded behind a proxy (`MCP_TRUST_PROXY_HOPS` > 0).
    pub(crate) fn max_pending_per_ip(&self) -> usize {
        self.limits.max_pending_per_ip
    }
    /// `MCP_MAX_HUBSPOT_CALLS_PER_REQUEST`: HubSpot calls one POST to `/mcp` may make in all.
    pub(crate) fn max_upstream_calls(&self) -> usize {
        self.limits.max_upstream_calls
    }
    /// `MCP_MAX_JSON_VALUES`: JSON values one request body may hold.
    pub(crate) fn max_json_values(&self) -> usize {
        self.limits.max_json_values
    }
    /// `MCP_MAX_QUEUE`: requests waiting for a worker at most.
    pub(crate) fn max_queue(&self) -> usize {
        self.limits.max_queue
    }
    /// `MCP_MAX_BODY_BYTES`: larger request bodies get 413.
    pub(crate) fn max_body_bytes(&self) -> usize {
        self.limits.max_body_bytes
    }
    /// `MCP_MAX_CONNECTIONS`: open TCP connections at most.
    pub(crate) fn max_connections(&self) -> usize {
        self.limits.max_connections
    }
    /// `MCP_READ_TIMEOUT_MS`: a socket read (body, idle keep-alive) waits at most this.
    pub(crate) fn read_timeout(&self) -> Duration {
        self.limits.read_timeout
    }
    /// `MCP_REQUEST_TIMEOUT_MS`: deadline of one MCP request, HubSpot calls included.
    pub(crate) fn request_timeout(&self) -> Duration {
        self.limits.request_timeout
    }
    /// `MCP_DRAIN_TIMEOUT_MS`: on SIGTERM, in-flight requests get this long to finish.
    pub(crate) fn drain_timeout(&self) -> Duration {
        self.limits.drain_timeout
    }
    /// `MCP_ALLOWED_HOSTS`: extra `Host` names accepted besides loopback and Railway's domains; `*` turns
    /// the check off.
    pub(crate) fn allowed_hosts(&self) -> &[String] {
        &self.http.allowed_hosts
    }
    /// `MCP_TRUST_PROXY_HOPS`: reverse proxies in front of the server that append to `X-Forwarded-For`.
    pub(crate) fn trust_proxy_hops(&self) -> usize {
        self.http.trust_proxy_hops
    }
}
