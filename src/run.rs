//! The commands behind the CLI: `serve`, `stdio`, `healthcheck`, `check-config`, `sandbox` (the last, and
//! `--demo`, only with the `sandbox` feature: otherwise they exit 2).

use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::sync::Arc;
use std::time::Duration;

use crossbeam_channel::Receiver;

use crate::app::App;
use crate::config::{AuthMode, Config, ConfigErrors, Purpose, RawEnv};
use crate::http::server;
use crate::hubspot;
use crate::mcp::session::Reaper;
use crate::obs::log::{self as obslog, LogContext};

/// Why a command failed: the process exit code and what to print.
#[derive(Debug)]
pub enum RunError {
    /// Bad configuration (exit 78, EX_CONFIG).
    Config(ConfigErrors),
    /// The socket could not be bound, or another I/O failure (exit 1).
    Io(std::io::Error),
    /// The health check failed (exit 1).
    Unhealthy(String),
    /// The HubSpot client could not be built (exit 78: a configuration problem such as HUBSPOT_CA_FILE).
    HubSpot(hubspot::Error),
    /// `--demo` (serve, stdio, check-config) or `sandbox` in a binary built without the `sandbox`
    /// feature (exit 2, a usage error).
    NoSandbox,
    /// A command-line argument the configuration refuses, e.g. an unknown `--profile` (exit 2).
    Usage(String),
    /// The authorization server could not start (exit 78: a configuration problem such as
    /// OAUTH_CIMD_CA_FILE).
    OAuth(String),
    /// A tool has no definition in the binary (the binary was built from a tree whose
    /// `src/tools/defs.json` is out of date), or `MCP_TOOL_PROFILES` names a tool it does not have: exit
    /// 78, like a configuration problem (restarting cannot fix it).
    Tools(crate::tools::BuildError),
}

impl std::fmt::Display for RunError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RunError::Config(e) => write!(f, "{e}"),
            RunError::Io(e) => write!(f, "error: {e}"),
            RunError::Unhealthy(why) => write!(f, "unhealthy: {why}"),
            RunError::HubSpot(e) => write!(f, "error: {e}"),
            RunError::OAuth(e) => write!(f, "error: {e}"),
            RunError::Tools(e) => write!(f, "{e}"),
            RunError::Usage(e) => write!(f, "{e}"),
            RunError::NoSandbox => write!(
                f,
                "error: this hubspot-mcp was built without the sandbox feature: `--demo` and the \
                 `sandbox` command need it (build with default features); with HUBSPOT_ACCESS_TOKEN \
                 set, `serve` and `stdio` use HubSpot itself"
            ),
        }
    }
}

impl std::error::Error for RunError {}

impl RunError {
    /// The exit code.
    pub fn exit_code(&self) -> u8 {
        match self {
            RunError::Config(_)
            | RunError::HubSpot(_)
            | RunError::OAuth(_)
            | RunError::Tools(_) => 78,
            RunError::Io(_) | RunError::Unhealthy(_) => 1,
            RunError::NoSandbox | RunError::Usage(_) => 2,
        }
    }
}

/// The token the in-process demo sandbox accepts (it guards nothing: the sandbox listens on loopback only).
const DEMO_TOKEN: &str = "demo-sandbox-token";

/// A running fake HubSpot (`crates/hubspot-sandbox`), linked only with the `sandbox` feature; dropping it
/// stops it. The server reaches it only over HTTP, through the HubSpot client, like HubSpot itself.
#[cfg(feature = "sandbox")]
type SandboxHandle = hubspot_sandbox::Sandbox;
/// Built without the `sandbox` feature: no sandbox can be started, so no handle exists.
#[cfg(not(feature = "sandbox"))]
type SandboxHandle = std::convert::Infallible;

/// Starts the sandbox on `bind` accepting `token` (any bearer token when `None`), seeded and rate-limited as
/// `cfg` says (`HUBSPOT_SANDBOX_SEED`, `HUBSPOT_SANDBOX_SEARCH_RATE_LIMIT`); returns it with its
/// base URL (`http://ADDR`). This is the only place the server calls into the sandbox.
#[cfg(feature = "sandbox")]
fn start_sandbox(
    cfg: &Config,
    bind: std::net::SocketAddr,
    token: Option<String>,
) -> Result<(SandboxHandle, String), RunError> {
    let opts = hubspot_sandbox::SandboxOptions {
        token,
        dataset: match cfg.sandbox_seed() {
            crate::config::SandboxSeed::Demo => hubspot_sandbox::Dataset::Demo,
            crate::config::SandboxSeed::Large => hubspot_sandbox::Dataset::Large,
        },
        search_per_second: cfg.sandbox_search_rate_limit(),
        ..hubspot_sandbox::SandboxOptions::default()
    };
    let sb = hubspot_sandbox::Sandbox::start(bind, opts).map_err(RunError::Io)?;
    let base = sb.base_url();
    Ok((sb, base))
}

/// Built without the `sandbox` feature: refuses.
#[cfg(not(feature = "sandbox"))]
fn start_sandbox(
    _cfg: &Config,
    _bind: std::net::SocketAddr,
    _token: Option<String>,
) -> Result<(SandboxHandle, String), RunError> {
    Err(RunError::NoSandbox)
}

/// `Ok` when this binary has the sandbox (`--demo`, `sandbox`), else [`RunError::NoSandbox`].
fn require_sandbox() -> Result<(), RunError> {
    if cfg!(feature = "sandbox") {
        Ok(())
    } else {
        Err(RunError::NoSandbox)
    }
}

/// Builds the HubSpot client: against an in-process sandbox in demo mode, else against
/// `HUBSPOT_API_BASE_URL` when a token is configured. The sandbox handle must live as long as the server.
pub(crate) fn hubspot_client(
    cfg: &Config,
    demo: bool,
) -> Result<(Option<Arc<hubspot::Client>>, Option<SandboxHandle>), RunError> {
    let (base, token, sandbox) = if demo {
        match start_sandbox(cfg, ([127, 0, 0, 1], 0).into(), Some(DEMO_TOKEN.into())) {
            Ok((sb, base)) => {
                log::info!(sandbox = base.as_str(); "demo mode: HubSpot sandbox started");
                (
                    base,
                    crate::obs::redact::Secret::new(DEMO_TOKEN.into()),
                    Some(sb),
                )
            }
            Err(RunError::NoSandbox) => return Err(RunError::NoSandbox),
            Err(e) => {
                log::warn!(error = e.to_string(); "demo mode without a sandbox: HubSpot tools will say so");
                return Ok((None, None));
            }
        }
    } else {
        match cfg.hubspot_token() {
            Some(t) => (cfg.hubspot_api_base_url().to_string(), t.clone(), None),
            // `oauth` mode: each person's own token is used; the client is still needed.
            None if cfg.auth_mode() == AuthMode::OAuth => (
                cfg.hubspot_api_base_url().to_string(),
                crate::obs::redact::Secret::new(String::new()),
                None,
            ),
            None => return Ok((None, None)),
        }
    };
    let mut settings = hubspot::Settings::from_config(cfg, &base, token)
        .with_ca_file(cfg.hubspot_ca_file())
        .map_err(RunError::HubSpot)?;
    // With REDIS_URL, every replica keeps to one HubSpot rate budget (its prefix: the sessions' one).
    if let Some(redis) = crate::redis::from_config(cfg, 8) {
        settings.shared_budget = Some((Arc::new(redis), cfg.redis_session_prefix().to_string()));
    }

    let client = hubspot::Client::new(settings).map_err(RunError::HubSpot)?;
    Ok((Some(Arc::new(client)), sandbox))
}

/// The built-in authorization server, in `oauth` mode: grants in Redis when `REDIS_URL` is set, else in
/// memory; under `--demo`, the sandbox's HubSpot app.
fn authorization_server(
    cfg: &Config,
    hubspot: Option<&Arc<hubspot::Client>>,
    sandbox: Option<&SandboxHandle>,
) -> Result<Option<crate::oauth::AuthServer>, RunError> {
    if cfg.auth_mode() != AuthMode::OAuth {
        return Ok(None);
    }
    let Some(hubspot) = hubspot else {
        return Err(RunError::OAuth(
            "no HubSpot client to sign people in through".into(),
        ));
    };
    let store: Box<dyn crate::oauth::GrantStore> = match crate::redis::from_config(cfg, 8) {
        Some(r) => Box::new(crate::oauth::RedisGrants::new(
            Arc::new(r),
            cfg.redis_session_prefix(),
        )),
        None => Box::new(crate::oauth::MemoryGrants::default()),
    };
    let server = crate::oauth::AuthServer::new(cfg, Arc::clone(hubspot), store, demo_app(sandbox))
        .map_err(|e| RunError::OAuth(e.to_string()))?;
    Ok(Some(server))
}

/// The sandbox's HubSpot app, for `serve --demo` in `oauth` mode.
#[cfg(feature = "sandbox")]
fn demo_app(sandbox: Option<&SandboxHandle>) -> Option<crate::oauth::DemoApp> {
    sandbox.map(|sb| crate::oauth::DemoApp {
        client_id: hubspot_sandbox::OAUTH_CLIENT_ID.to_string(),
        client_secret: hubspot_sandbox::OAUTH_CLIENT_SECRET.to_string(),
        authorize_url: format!("{}/oauth/authorize", sb.base_url()),
    })
}

/// Built without the sandbox: no demo app.
#[cfg(not(feature = "sandbox"))]
fn demo_app(_sandbox: Option<&SandboxHandle>) -> Option<crate::oauth::DemoApp> {
    None
}

/// Writes every log line still waiting in the batched sink (`obs::log_sink`): call before the process
/// exits, whatever the command's outcome.
pub fn flush_logs() {
    crate::obs::log_sink::flush();
}

fn init_logging(cfg: &Config) {
    obslog::init(
        cfg.log_level(),
        cfg.log_format(),
        cfg.log_flush_interval(),
        LogContext {
            service: cfg
                .railway()
                .service_name
                .clone()
                .unwrap_or_else(|| "hubspot-mcp".to_string()),
            environment: cfg.environment().as_str(),
        },
    );
}

/// `serve`: binds, logs `listening` with the bound address, serves until `shutdown`, drains, exits.
pub fn serve(
    demo: bool,
    port: Option<u16>,
    host: Option<String>,
    shutdown: Receiver<()>,
) -> Result<(), RunError> {
    if demo {
        require_sandbox()?;
    }
    let mut raw = RawEnv::from_process();
    if let Some(p) = port {
        raw.set("PORT", &p.to_string());
    }
    if let Some(h) = host {
        raw.set("HOST", &h);
    }
    let purpose = if demo { Purpose::Demo } else { Purpose::Serve };
    let cfg = Config::from_raw(&raw, purpose).map_err(RunError::Config)?;
    init_logging(&cfg);
    let bound = server::bind(&cfg).map_err(RunError::Io)?;
    let (hubspot, _sandbox) = hubspot_client(&cfg, demo)?;
    let verifier = crate::auth::Verifier::from_config(&cfg)
        .map_err(|e| RunError::Config(ConfigErrors(vec![e])))?;
    if let Some(v) = &verifier {
        // Warm the key cache so the first request does not wait for the JWKS (failures are retried later).
        let _ = v.refresh_jwks(std::time::SystemTime::now());
    }
    let oauth = authorization_server(&cfg, hubspot.as_ref(), _sandbox.as_ref())?;
    let app = Arc::new(
        App::new(cfg, hubspot)
            .map_err(RunError::Tools)?
            .with_verifier(verifier)
            .with_oauth(oauth),
    );
    let counted = Arc::clone(&app);
    let reaper = Reaper::spawn(
        Arc::clone(&app.sessions),
        app.config.session_cleanup_interval(),
        move |n| counted.metrics.sessions_expired(n),
    )
    .map_err(RunError::Io)?;
    let _checker = if app.config.health_check_enabled() {
        Some(
            {
                let app = Arc::clone(&app);
                let interval = app.config.health_check_interval();
                crate::health::Checker::spawn(
                    move |timeout| app.dependencies.check_all(&app.probe_deps(), timeout),
                    interval,
                )
            }
            .map_err(RunError::Io)?,
        )
    } else {
        None
    };
    log::info!(
        addr = bound.addr.to_string(),
        workers = app.config.workers(),
        environment = app.config.environment().as_str(),
        demo = demo,
        tools = app.registry.len();
        "listening"
    );
    // Readiness is news: out at once, not with the next batch.
    flush_logs();
    if app.verifier.is_none() && !app.config.is_loopback_bind() {
        log::warn!("demo mode with authentication off on a non-loopback address: anyone who reaches it can use it");
    }
    let left = server::run(bound, Arc::clone(&app), shutdown);
    drop(reaper);
    log::info!(unfinished = left; "stopped");
    Ok(())
}

/// `sandbox`: runs the built-in HubSpot sandbox until SIGTERM / SIGINT; logs `listening` with its address.
pub fn sandbox(
    host: &str,
    port: u16,
    token: Option<String>,
    shutdown: Receiver<()>,
) -> Result<(), RunError> {
    require_sandbox()?;
    let cfg = Config::from_env(Purpose::Demo).map_err(RunError::Config)?;
    init_logging(&cfg);
    let ip: std::net::IpAddr = host.parse().map_err(|_| {
        RunError::Io(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "--host must be an IP address",
        ))
    })?;
    let (_sb, base_url) = start_sandbox(&cfg, std::net::SocketAddr::new(ip, port), token)?;
    let addr = base_url.trim_start_matches("http://");
    log::info!(addr = addr, base_url = base_url.as_str(); "listening");
    flush_logs();
    let _ = shutdown.recv();
    log::info!("sandbox stopped");
    Ok(())
}

/// `stdio`: serves stdin / stdout until stdin ends.
pub fn stdio(demo: bool, profile: Option<&str>) -> Result<(), RunError> {
    if demo {
        require_sandbox()?;
    }
    let purpose = if demo { Purpose::Demo } else { Purpose::Stdio };
    let cfg = Config::from_env(purpose).map_err(RunError::Config)?;
    init_logging(&cfg);
    let (hubspot, _sandbox) = hubspot_client(&cfg, demo)?;
    let app = Arc::new(App::new(cfg, hubspot).map_err(RunError::Tools)?);
    let profiles = app.registry.profiles();
    let chosen = match profile {
        None => crate::tools::profile::Chosen::default(),
        Some(name) => crate::tools::profile::Chosen {
            id: profiles.find(name).ok_or_else(|| {
                RunError::Usage(format!(
                    "error: --profile {name:?} is not a tool profile of this server; it has: {}",
                    profiles.names().collect::<Vec<_>>().join(", ")
                ))
            })?,
            by_header: false,
        },
    };
    let (out, writer) =
        crate::mcp::stdio::Output::spawn(Box::new(std::io::stdout())).map_err(RunError::Io)?;
    let stdin = std::io::stdin();
    let served = crate::mcp::stdio::run(app, stdin.lock(), out, chosen).map_err(RunError::Io);
    // Every reply written before the process ends.
    let _ = writer.join();
    served
}

/// `check-config`: prints every problem, or a summary of the valid configuration followed by the
/// variables set (secrets as `***`) and any name that looks like ours but is not read.
pub fn check_config(demo: bool) -> Result<String, RunError> {
    if demo {
        require_sandbox()?;
    }
    let purpose = if demo { Purpose::Demo } else { Purpose::Serve };
    let raw = RawEnv::from_process();
    let cfg = Config::from_raw(&raw, purpose).map_err(RunError::Config)?;
    let set = crate::config::set_variables(&raw);
    Ok(format!(
        "configuration OK: environment={} bind={}:{} workers={} auth={} hubspot={}\n{}{}{}",
        cfg.environment().as_str(),
        cfg.host(),
        cfg.port(),
        cfg.workers(),
        cfg.auth_mode().as_str(),
        match (cfg.auth_mode(), cfg.hubspot_token().is_some()) {
            (AuthMode::OAuth, _) => "each person's own token",
            (_, true) => "token set",
            (_, false) => "demo sandbox",
        },
        explain_mode(cfg.auth_mode()),
        if set.is_empty() { "" } else { "\n" },
        set.join("\n"),
    ))
}

/// What the authentication mode means, for `check-config`.
fn explain_mode(mode: AuthMode) -> &'static str {
    match mode {
        AuthMode::OAuth => {
            "auth=oauth: this server is the OAuth authorization server; people sign in through HubSpot \
             (HUBSPOT_CLIENT_ID) and each acts with their own HubSpot token; clients connect with only the URL"
        }
        AuthMode::Jwt => {
            "auth=jwt: /mcp needs a bearer token from your issuer (JWT_SECRET or JWKS_URI); every caller \
             uses the private-app token HUBSPOT_ACCESS_TOKEN"
        }
        AuthMode::None => {
            "auth=none: /mcp needs no token (allowed only with --demo or a loopback HOST, never in production); \
             every caller uses the private-app token"
        }
    }
}

/// `healthcheck`: GET the health URL (plain HTTP, 5 s budget) and require status 200 with
/// `"status":"healthy"`. Replaces the original design's `node -e` probe inside a scratch image.
pub fn healthcheck(url: Option<String>) -> Result<String, RunError> {
    let url = url.unwrap_or_else(|| {
        let port = std::env::var("PORT")
            .ok()
            .filter(|p| !p.is_empty())
            .unwrap_or_else(|| crate::config::vars::PORT.kind.default.to_string());
        format!("http://127.0.0.1:{port}/health")
    });
    let rest = url.strip_prefix("http://").ok_or_else(|| {
        RunError::Unhealthy(format!("only http:// URLs can be probed, got {url:?}"))
    })?;
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/health"),
    };
    let target = if authority.contains(':') && !authority.ends_with(']') {
        authority.to_string()
    } else {
        format!("{authority}:80")
    };
    let timeout = Duration::from_secs(5);
    let addr = target
        .to_socket_addrs()
        .map_err(|e| RunError::Unhealthy(format!("cannot resolve {authority}: {e}")))?
        .next()
        .ok_or_else(|| RunError::Unhealthy(format!("cannot resolve {authority}")))?;
    let mut s = TcpStream::connect_timeout(&addr, timeout)
        .map_err(|e| RunError::Unhealthy(format!("cannot connect to {addr}: {e}")))?;
    let _ = s.set_read_timeout(Some(timeout));
    let _ = s.set_write_timeout(Some(timeout));
    write!(
        s,
        "GET {path} HTTP/1.0\r\nHost: {authority}\r\nAccept: application/json\r\n\r\n"
    )
    .map_err(|e| RunError::Unhealthy(e.to_string()))?;
    let mut resp = Vec::new();
    s.take(1 << 20)
        .read_to_end(&mut resp)
        .map_err(|e| RunError::Unhealthy(format!("no answer: {e}")))?;
    let text = String::from_utf8_lossy(&resp);
    let status_line = text.lines().next().unwrap_or("");
    let code = status_line.split_whitespace().nth(1).unwrap_or("");
    let body = text.split_once("\r\n\r\n").map_or("", |(_, b)| b);
    let health = serde_json::from_str::<serde_json::Value>(body)
        .ok()
        .and_then(|v| v.get("status").and_then(|s| s.as_str()).map(str::to_string))
        .unwrap_or_default();
    if code == "200" && health == "healthy" {
        Ok(format!("healthy ({url})"))
    } else {
        Err(RunError::Unhealthy(format!(
            "{url} answered {code} with status {health:?}"
        )))
    }
}
