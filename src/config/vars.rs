//! The table: every variable the server reads, written once. Each entry gives the name, how the value
//! parses (its kind, which holds the default and the bounds), the rule beyond that, and what it does;
//! whether it is secret follows from its kind. Parsing (`parse.rs`), `check-config`'s listing and the
//! docs' table (`render.rs`) all read it, and problems are reported in its order.

use super::env::Environment;
use super::hubspot::SandboxSeed;
use super::masking::MaskStyle;
use super::obs::{level_name, parse_level, LogFormat};
use super::toolset::Toolset;

/// One variable of the table.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Var<K> {
    /// The variable's name.
    pub(crate) name: &'static str,
    /// How it parses: its default and bounds.
    pub(crate) kind: K,
    /// What a value must satisfy beyond what the kind says (empty when nothing).
    rule: &'static str,
    /// What it does.
    doc: &'static str,
    /// Said after the default in the docs' table (empty for most).
    default_note: &'static str,
}

/// A bound above, with the message that names it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Max {
    /// The largest value allowed.
    pub(crate) value: usize,
    /// The problem reported above it.
    pub(crate) message: &'static str,
}

/// A whole number of milliseconds, read as a `Duration`; below `min` is refused.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Millis {
    /// When unset.
    pub(crate) default: u64,
    /// The smallest value allowed.
    pub(crate) min: u64,
}

/// A whole number (of seconds when `unit` says so); below `min` or above `max` is refused.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Count {
    /// When unset.
    pub(crate) default: usize,
    /// The smallest value allowed.
    pub(crate) min: usize,
    /// The largest value allowed, if any.
    pub(crate) max: Option<Max>,
    /// The unit the docs' table names (`""` for a plain number).
    unit: &'static str,
}

/// `true` / `false` (also `1`/`0`, `yes`/`no`, `on`/`off`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Flag {
    /// When unset.
    pub(crate) default: bool,
}

/// A TCP port number.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Port {
    /// When unset.
    pub(crate) default: u16,
}

/// One of a few words, read into `T`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Choice<T: 'static> {
    /// When unset.
    pub(crate) default: T,
    /// What a valid value looks like (error messages, the docs' table).
    pub(crate) expected: &'static str,
    /// Reads a value.
    pub(crate) parse: fn(&str) -> Option<T>,
    /// Writes a value as `parse` reads it.
    show: fn(T) -> &'static str,
}

/// Free text (checked by the settings that use it).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Text {
    /// When unset.
    pub(crate) default: Option<&'static str>,
}

/// A comma-separated list.
#[derive(Debug, Clone, Copy)]
pub(crate) struct List {
    /// When unset.
    pub(crate) default: &'static [&'static str],
    /// What an unset, default-less list means (the docs' table).
    unset: &'static str,
}

/// A comma-separated list of [`Toolset`] names; unset means all.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Toolsets;

/// A secret: never shown, at least `min_len` characters (and no spaces when `no_spaces`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct SecretText {
    /// The fewest characters allowed.
    pub(crate) min_len: usize,
    /// Whether whitespace is refused.
    pub(crate) no_spaces: bool,
    /// The problem reported for a value too short (or with spaces).
    pub(crate) short: &'static str,
}

/// Read by a library, not by the configuration (listed for the docs' table).
#[derive(Debug, Clone, Copy)]
pub(crate) struct External;

/// What the docs' table and `check-config` need from a kind.
trait Kind {
    /// The default as the docs' table writes it.
    fn default_text(&self) -> String;
    /// The bounds the kind enforces, in words (empty when none).
    fn bounds(&self) -> String;
    /// Whether values are secret.
    fn secret(&self) -> bool {
        false
    }
}

fn code(s: &str) -> String {
    format!("`{s}`")
}

impl Kind for Millis {
    fn default_text(&self) -> String {
        self.default.to_string()
    }
    fn bounds(&self) -> String {
        match self.min {
            0 => "milliseconds".into(),
            min => format!("milliseconds, ≥ {min}"),
        }
    }
}

impl Kind for Count {
    fn default_text(&self) -> String {
        self.default.to_string()
    }
    fn bounds(&self) -> String {
        let range = match self.max {
            Some(max) => format!("{}-{}", self.min, max.value),
            None => format!("≥ {}", self.min),
        };
        match self.unit {
            "" => range,
            unit => format!("{unit}, {range}"),
        }
    }
}

impl Kind for Flag {
    fn default_text(&self) -> String {
        self.default.to_string()
    }
    fn bounds(&self) -> String {
        "true or false".into()
    }
}

impl Kind for Port {
    fn default_text(&self) -> String {
        self.default.to_string()
    }
    fn bounds(&self) -> String {
        "0-65535".into()
    }
}

impl<T: Copy> Kind for Choice<T> {
    fn default_text(&self) -> String {
        code((self.show)(self.default))
    }
    fn bounds(&self) -> String {
        self.expected.into()
    }
}

impl Kind for Text {
    fn default_text(&self) -> String {
        self.default.map_or_else(|| "(none)".into(), code)
    }
    fn bounds(&self) -> String {
        String::new()
    }
}

impl Kind for List {
    fn default_text(&self) -> String {
        if self.default.is_empty() {
            self.unset.into()
        } else {
            self.default
                .iter()
                .map(|s| code(s))
                .collect::<Vec<_>>()
                .join(", ")
        }
    }
    fn bounds(&self) -> String {
        String::new()
    }
}

impl Kind for Toolsets {
    fn default_text(&self) -> String {
        "all".into()
    }
    fn bounds(&self) -> String {
        let names: Vec<_> = Toolset::ALL.iter().map(|t| t.as_str()).collect();
        format!("comma-separated: {}", names.join(", "))
    }
}

impl Kind for SecretText {
    fn default_text(&self) -> String {
        "(none)".into()
    }
    fn bounds(&self) -> String {
        match (self.min_len, self.no_spaces) {
            (0, _) => String::new(),
            (n, false) => format!("≥ {n} characters"),
            (n, true) => format!("≥ {n} characters, no spaces"),
        }
    }
    fn secret(&self) -> bool {
        true
    }
}

impl Kind for External {
    fn default_text(&self) -> String {
        "(none)".into()
    }
    fn bounds(&self) -> String {
        String::new()
    }
}

/// A row of the table, whatever its kind.
pub(crate) trait Row: Sync {
    /// The variable's name.
    fn name(&self) -> &'static str;
    /// The default as the docs' table writes it.
    fn default_text(&self) -> String;
    /// The bounds and the rule, in words.
    fn rule_text(&self) -> String;
    /// Whether the value is secret (never printed).
    fn secret(&self) -> bool;
    /// What it does.
    fn doc(&self) -> &'static str;
}

impl<K: Kind + Sync> Row for Var<K> {
    fn name(&self) -> &'static str {
        self.name
    }
    fn default_text(&self) -> String {
        match self.default_note {
            "" => self.kind.default_text(),
            note => format!("{} {note}", self.kind.default_text()),
        }
    }
    fn rule_text(&self) -> String {
        [self.kind.bounds(), self.rule.to_string()]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join("; ")
    }
    fn secret(&self) -> bool {
        self.kind.secret()
    }
    fn doc(&self) -> &'static str {
        self.doc
    }
}

/// Where `name` stands in [`TABLE`] (problems are reported in this order); past the end when absent.
pub(crate) fn position(name: &str) -> usize {
    TABLE
        .iter()
        .position(|r| r.name() == name)
        .unwrap_or(TABLE.len())
}

const fn millis(default: u64, min: u64) -> Millis {
    Millis { default, min }
}

const fn count(default: usize, min: usize) -> Count {
    Count {
        default,
        min,
        max: None,
        unit: "",
    }
}

const fn count_max(default: usize, min: usize, max: usize, message: &'static str) -> Count {
    Count {
        default,
        min,
        max: Some(Max {
            value: max,
            message,
        }),
        unit: "",
    }
}

const fn seconds(c: Count) -> Count {
    Count {
        unit: "seconds",
        ..c
    }
}

const fn text(default: Option<&'static str>) -> Text {
    Text { default }
}

const fn secret(min_len: usize, short: &'static str) -> SecretText {
    SecretText {
        min_len,
        no_spaces: false,
        short,
    }
}

const NONE: &[&str] = &[];

/// Declares each variable as a constant named like it, and [`TABLE`] listing them in order.
macro_rules! table {
    ($(
        $id:ident: $k:ty = $kind:expr;
            rule $rule:literal;
            doc $doc:literal
            $(, default_note $note:literal)?;
    )*) => {
        $(
            #[doc = concat!("`", stringify!($id), "`: ", $doc, ".")]
            pub(crate) const $id: Var<$k> = Var {
                name: stringify!($id),
                kind: $kind,
                rule: $rule,
                doc: $doc,
                default_note: concat!("" $(, $note)?),
            };
        )*
        /// Every variable, in order: the docs' table's, and the order problems are reported in.
        pub(crate) static TABLE: &[&dyn Row] = &[$(&$id),*];
    };
}

table! {
    NODE_ENV: Choice<Environment> = Choice {
        default: Environment::Development,
        expected: "one of development, staging, production",
        parse: Environment::parse,
        show: Environment::as_str,
    };
        rule "`dev` and `prod` are accepted too";
        doc "deployment environment: production applies every rule of the original design, staging its session-age rule";
    PORT: Port = Port { default: 3000 };
        rule "";
        doc "TCP port to listen on (`--port` overrides it); 0 picks a free port, the bound address is logged as `listening`";
    HOST: Text = text(Some("::"));
        rule "an IP address, or `localhost`";
        doc "address to bind (`--host` overrides it); `::` is dual-stack (IPv4 and IPv6, as Railway's private network needs)";
    LOG_LEVEL: Choice<log::LevelFilter> = Choice {
        default: log::LevelFilter::Info,
        expected: "one of error, warn, info, debug, trace",
        parse: parse_level,
        show: level_name,
    };
        rule "also `warning`, `off`, `silent`; not debug or trace in production";
        doc "log verbosity";
    LOG_FORMAT: Choice<LogFormat> = Choice {
        default: LogFormat::Json,
        expected: "json or pretty",
        parse: LogFormat::parse,
        show: LogFormat::as_str,
    };
        rule "`text` means pretty";
        doc "json: one object per line (Railway's log view parses it); pretty: `time LEVEL msg k=v` for a terminal";
    LOG_FLUSH_INTERVAL_MS: Millis = millis(50, 1);
        rule "at most 10000";
        doc "log lines are batched off the request path and written this often (warnings and errors at once, everything left at exit)";
    SESSION_MAX_AGE: Millis = millis(1_800_000, 1);
        rule "at least 300000 outside development";
        doc "a session idle this long is dropped";
    SESSION_CLEANUP_INTERVAL: Millis = millis(300_000, 10);
        rule "";
        doc "time between two runs of the session reaper";
    MCP_MAX_SESSIONS: Count = count(10_000, 1);
        rule "";
        doc "live sessions at most";
    MCP_MAX_SESSIONS_PER_PRINCIPAL: Count = count(100, 1);
        rule "at most `MCP_MAX_SESSIONS`";
        doc "live sessions one principal may hold (all unauthenticated callers are one principal)",
        default_note "with authentication (`MCP_MAX_SESSIONS` if lower); `MCP_MAX_SESSIONS` without";
    RATE_LIMIT_WINDOW_MS: Millis = millis(900_000, 1);
        rule "";
        doc "the window of `RATE_LIMIT_MAX`";
    RATE_LIMIT_MAX: Count = count(1000, 1);
        rule "";
        doc "requests per window per client address and per principal on `/mcp`";
    CORS_ORIGIN: List = List { default: NONE, unset: "(none)" };
        rule "comma-separated http(s) origins or `*`; no wildcard in production";
        doc "origins allowed to call from a browser (none: no browser access)";
    HUBSPOT_ACCESS_TOKEN: SecretText = secret(
        40,
        "appears to be invalid (too short: HubSpot private app tokens have at least 40 characters)",
    );
        rule "required by `serve` without `--demo`";
        doc "the HubSpot private app token (`pat-…`)";
    HUBSPOT_API_BASE_URL: Text = text(Some("https://api.hubapi.com"));
        rule "http(s) URL; plain http only to loopback";
        doc "where HubSpot's API is (a trailing slash is dropped)";
    HUBSPOT_RATE_LIMIT: Count = count(10, 1);
        rule "";
        doc "requests per second to HubSpot (HubSpot allows 100-190 per 10 s by tier); callers wait within their deadline";
    HUBSPOT_SEARCH_RATE_LIMIT: Count = count(4, 1);
        rule "";
        doc "search requests per second (HubSpot's search limit is about 5)";
    HUBSPOT_TIMEOUT_MS: Millis = millis(15_000, 100);
        rule "";
        doc "one HubSpot attempt (the MCP request's deadline bounds retries too)";
    HUBSPOT_MAX_RETRIES: Count = count_max(3, 0, 10, "must be at most 10");
        rule "";
        doc "retries after the first attempt; see \"Retries and rate limits\"";
    HUBSPOT_CA_FILE: Text = text(None);
        rule "a readable PEM file (read at start; a bad one exits 78)";
        doc "PEM bundle of extra CAs trusted besides the embedded Mozilla roots (corporate TLS proxies, a private token issuer, a private Redis), for HubSpot, `JWKS_URI` and `rediss://`";
    HUBSPOT_MASKED_PROPERTIES: Text = text(None);
        rule "`type:name,name;type:name`; types as the tools accept them (`contacts`, `contact`, `0-1`, `2-123`, `p_projects`); names a letter, then letters, digits, `_`";
        doc "properties never let out of HubSpot, per object type (e.g. `contacts:ssn,salary;deals:commission_rate`): absent from (or redacted in) every tool result, resource and search; searches filtering or sorting on them, free-text searches of a type whose default searchable properties include one, and writes setting one are refused; see \"Field masking\" in docs/security.md";
    HUBSPOT_MASK_STYLE: Choice<MaskStyle> = Choice {
        default: MaskStyle::Omit,
        expected: "omit or redact",
        parse: MaskStyle::parse,
        show: MaskStyle::as_str,
    };
        rule "";
        doc "how a masked property is hidden: `omit` leaves it out; `redact` keeps it with the value `[masked]` so a model knows it exists";
    HUBSPOT_SANDBOX_SEED: Choice<SandboxSeed> = Choice {
        default: SandboxSeed::Demo,
        expected: "demo or large",
        parse: SandboxSeed::parse,
        show: SandboxSeed::as_str,
    };
        rule "";
        doc "the account the built-in sandbox (`--demo`, `sandbox`) is seeded with: `demo` (a few hundred records of every type) or `large` (plus deals up to 25,000, past every limit of HubSpot's search; docs/sandbox.md)";
    HUBSPOT_SANDBOX_SEARCH_RATE_LIMIT: Count = count(5, 1);
        rule "";
        doc "search requests per second the built-in sandbox answers per token before a 429 (HubSpot's own limit is 5); raise it with `HUBSPOT_SEARCH_RATE_LIMIT` to page the large account quickly";
    HTTPS_PROXY: External = External;
        rule "read by the HTTP client, not checked here";
        doc "proxy for HubSpot and `JWKS_URI` calls (`ALL_PROXY` and `HTTP_PROXY` are read too)";
    NO_PROXY: External = External;
        rule "read by the HTTP client, not checked here";
        doc "hosts that bypass the proxy";
    HUBSPOT_TOOLSETS: Toolsets = Toolsets;
        rule "";
        doc "the tool families to expose";
    MCP_TOOL_PROFILES: Text = text(None);
        rule "`name=item,item;name=item`: names 1-32 of `a-z0-9-_` (not `all`), items tool families or tool names";
        doc "tool profiles of your own, served at `/mcp/<name>` beside the built-in `read`, `sales`, `admin` and `all` (a name of those replaces it), e.g. `support=records,engagements,hubspot_get_owner`; see \"Tool profiles\" in docs/tools.md";
    HUBSPOT_READ_ONLY: Flag = Flag { default: false };
        rule "";
        doc "true: only tools that change nothing are listed or callable";
    HUBSPOT_CACHE_TTL_MS: Millis = millis(300_000, 0);
        rule "";
        doc "how long metadata (properties, schemas, pipelines, owners, association labels) is cached";
    HUBSPOT_CACHE_MAX_ENTRIES: Count = count(1000, 1);
        rule "";
        doc "metadata cache entries at most";
    MCP_TOOL_TEXT_LIMIT: Count = count(20_000, 1000);
        rule "";
        doc "characters of text per tool result; longer results say what was cut and how to continue";
    MCP_WRITE_POLICY: Text = text(None);
        rule "comma-separated `[scope@]selector=action`; selector `*`, `create`, `update`, `archive`, `associate`, `schema`, a tool family or a tool name (the most specific wins, a scope's rule beats the general one); action `allow`, `ask`, `approve` or `deny`";
        doc "which writes a person must approve before HubSpot is called (docs/approvals.md); archives and batch writes over `MCP_APPROVAL_BATCH_THRESHOLD` are approved at least, and a write soon after outside CRM text was read is asked when the client can ask",
        default_note "(creates, updates, associations and schema changes: `ask`; archives: `approve`)";
    MCP_APPROVAL_TIMEOUT_MS: Millis = millis(40_000, 500);
        rule "below `MCP_REQUEST_TIMEOUT_MS` (unset: at most two thirds of it)";
        doc "how long a write waits for a person's answer (elicitation or the approval page); no answer is a no";
    MCP_APPROVAL_PAGE_ONLY: Flag = Flag { default: false };
        rule "";
        doc "true: a person approves only on this server's approval page (URL elicitation, or the link the model shows), never through a client's form, whose answer only the client vouches for; with `MCP_AUTH_MODE=oauth` the page needs the person's HubSpot sign-in";
    MCP_APPROVAL_TTL_MS: Millis = millis(600_000, 1_000);
        rule "";
        doc "how long an approval link or a 2026-07-28 request state may be used; each is used once";
    MCP_APPROVAL_BATCH_THRESHOLD: Count = count(10, 1);
        rule "";
        doc "a batch write of more records than this always needs a person's approval";
    MCP_MAX_PENDING_APPROVALS: Count = count(5, 1);
        rule "";
        doc "approvals one principal may have waiting; more are refused until one is answered or expires";
    MCP_UNTRUSTED_WINDOW_MS: Millis = millis(600_000, 0);
        rule "";
        doc "after a principal reads free text from outside the company (note and email bodies, descriptions), writes for this long are asked of a person when the client can ask (a session's writes for its whole life); 0 turns this off";
    JWT_SECRET: SecretText = secret(32, "must be at least 32 characters");
        rule "production needs it or `JWKS_URI`; without either, `serve` needs `--demo` or a loopback `HOST`";
        doc "HS256/384/512 shared secret of bearer tokens";
    JWT_ISSUER: Text = text(None);
        rule "http(s) URL; required in production with authentication";
        doc "the `iss` a token must carry, and the authorization server the protected resource metadata names";
    JWT_AUDIENCE: Text = text(None);
        rule "required in production with authentication";
        doc "a value the token's `aud` must contain";
    JWKS_URI: Text = text(None);
        rule "http(s) URL; plain http only to loopback";
        doc "where the public keys of RS*/PS*/ES*/EdDSA tokens are fetched";
    JWKS_CACHE_TTL: Count = seconds(count(3600, 1));
        rule "";
        doc "how long a fetched key set is used (stale keys keep serving while the endpoint is down)";
    JWKS_MIN_REFRESH_SECONDS: Count = seconds(count(10, 1));
        rule "";
        doc "fetch attempts (unknown `kid`, expired set, after a failure) at least this far apart";
    JWT_LEEWAY_SECONDS: Count = seconds(count_max(30, 0, 300, "must be at most 300 (5 minutes)"));
        rule "";
        doc "clock skew allowed on `exp` / `nbf`";
    MCP_READ_SCOPES: List = List { default: &["hubspot.read"], unset: "" };
        rule "comma-separated OAuth scopes";
        doc "scopes any of which lets a token read";
    MCP_WRITE_SCOPES: List = List { default: &["hubspot.write"], unset: "" };
        rule "comma-separated OAuth scopes";
        doc "scopes any of which lets a token write (write implies read)";
    MCP_REQUIRE_SCOPES: Flag = Flag { default: false };
        rule "";
        doc "true: a token must carry `scope`/`scp`; false: a token with no scope claim may read and write";
    MCP_PUBLIC_URL: Text = text(None);
        rule "http(s) URL without query or fragment; https in production";
        doc "public base URL (`https://mcp.example.com`); the protected resource is it + `/mcp` (RFC 9728); unset: derived from `Host`";
    MCP_AUTH_MODE: Text = text(None);
        rule "`oauth`, `jwt` or `none`; unset: `jwt` when `JWT_SECRET` or `JWKS_URI` is set, else `none`";
        doc "who may call `/mcp`: `oauth` (this server is the authorization server and signs people in through HubSpot, each acting as themselves), `jwt` (tokens of an external issuer), `none` (no authentication: only with `--demo` or a loopback `HOST`, never in production)";
    HUBSPOT_CLIENT_ID: Text = text(None);
        rule "required with `MCP_AUTH_MODE=oauth`";
        doc "the client id of your HubSpot app (a user-level app, see \"Sign-in with HubSpot\")";
    HUBSPOT_CLIENT_SECRET: SecretText = secret(8, "must be at least 8 characters");
        rule "required with `MCP_AUTH_MODE=oauth`";
        doc "the client secret of your HubSpot app";
    HUBSPOT_OAUTH_SCOPES: List = List {
        default: &[
            "oauth",
            "crm.objects.contacts.read",
            "crm.objects.contacts.write",
            "crm.objects.companies.read",
            "crm.objects.companies.write",
            "crm.objects.deals.read",
            "crm.objects.deals.write",
            "crm.objects.owners.read",
        ],
        unset: "",
    };
        rule "space- or comma-separated HubSpot scopes: your app's required scopes, exactly";
        doc "the `scope` sent to HubSpot's authorize page";
    HUBSPOT_OAUTH_OPTIONAL_SCOPES: List = List { default: NONE, unset: "(none)" };
        rule "HubSpot scopes";
        doc "the `optional_scope` sent to HubSpot's authorize page (granted when the portal has them)";
    HUBSPOT_ALLOWED_PORTALS: List = List { default: NONE, unset: "(any portal)" };
        rule "comma-separated hub ids (numbers)";
        doc "when set, only people signing in to one of these HubSpot accounts get a token";
    HUBSPOT_OAUTH_AUTHORIZE_URL: Text = text(Some("https://app.hubspot.com/oauth/authorize"));
        rule "http(s) URL; plain http only to loopback";
        doc "HubSpot's authorize page (the sandbox's under `--demo`)";
    OAUTH_KEYS: SecretText = secret(32, "each key must be at least 32 characters (openssl rand -hex 32 makes one)");
        rule "comma-separated secrets, newest first, each at least 32 characters; required with `oauth` (`--demo` makes one per run)";
        doc "keys that seal tokens, codes and client ids: the first seals, all open (rotation: add a new key first, drop an old one after `OAUTH_REFRESH_TTL`)";
    OAUTH_ACCESS_TTL: Count = seconds(count(3600, 2));
        rule "";
        doc "lifetime of an access token this server issues (the HubSpot token behind it is refreshed as needed)";
    OAUTH_REFRESH_TTL: Count = seconds(count(30 * 24 * 3600, 60));
        rule "";
        doc "lifetime of a refresh token; each refresh issues a new one (rotation) and a replayed one revokes the grant";
    OAUTH_CODE_TTL: Count = seconds(count_max(60, 5, 600, "must be at most 600 (10 minutes)"));
        rule "";
        doc "lifetime of an authorization code (single-use) and of the consent and HubSpot sign-in steps, times 10";
    OAUTH_REGISTRATIONS_PER_HOUR: Count = count(1000, 1);
        rule "";
        doc "dynamic client registrations accepted per hour (all clients together; also at most 10 per address, or per IPv6 /64); a registration stores nothing, so this bounds work, not memory";
    OAUTH_CIMD_ALLOW_ORIGIN: Text = text(None);
        rule "one exact origin (`https://127.0.0.1:8443`); not in production";
        doc "a client ID metadata document origin exempted from the private-address refusal (tests that host a document on loopback)";
    OAUTH_CIMD_CA_FILE: Text = text(None);
        rule "a readable PEM file; not in production";
        doc "an extra CA trusted only for client ID metadata documents (tests)";
    METRICS_ENABLED: Flag = Flag { default: true };
        rule "";
        doc "`/metrics` is served";
    HEALTH_CHECK_ENABLED: Flag = Flag { default: true };
        rule "";
        doc "background dependency checks run";
    HEALTH_CHECK_INTERVAL_MS: Millis = millis(30_000, 100);
        rule "";
        doc "time between two rounds of dependency checks (the first comes 1 s after start, or one interval if shorter)";
    METRICS_TOKEN: SecretText = SecretText {
        min_len: 16,
        no_spaces: true,
        short: "must be at least 16 characters with no spaces (openssl rand -hex 24 makes one)",
    };
        rule "";
        doc "when set, `/metrics` and `/scaling` need `Authorization: Bearer <it>`";
    REDIS_URL: SecretText = secret(0, "");
        rule "`redis://[user:password@]host[:port][/db]`, or `rediss://` for TLS";
        doc "sessions and the HubSpot rate budget shared by every replica (see \"Scale-out on Redis\")";
    REDIS_SESSION_PREFIX: Text = text(Some("mcp:session:"));
        rule "";
        doc "prefix of the Redis keys (sessions, the shared HubSpot budget)";
    RAILWAY_DEPLOYMENT_ID: Text = text(None);
        rule "set by Railway";
        doc "reported in `/health`";
    RAILWAY_ENVIRONMENT: Text = text(None);
        rule "set by Railway";
        doc "the Railway environment's name (kept in the configuration, not reported yet)";
    RAILWAY_ENVIRONMENT_NAME: Text = text(None);
        rule "set by Railway";
        doc "read when `RAILWAY_ENVIRONMENT` is unset";
    RAILWAY_SERVICE_NAME: Text = text(None);
        rule "set by Railway";
        doc "reported in `/health`, and the `service` of log lines (`hubspot-mcp` when unset)";
    RAILWAY_PUBLIC_DOMAIN: Text = text(None);
        rule "set by Railway";
        doc "accepted as `Host` automatically";
    RAILWAY_PRIVATE_DOMAIN: Text = text(None);
        rule "set by Railway";
        doc "accepted as `Host` automatically";
    MCP_WORKERS: Count = count_max(64, 1, 4096, "must be at most 4096");
        rule "";
        doc "worker threads (blocking HubSpot calls run on them)";
    MCP_MAX_QUEUE: Count = count(256, 0);
        rule "";
        doc "requests waiting for a worker before 503";
    MCP_MAX_BODY_BYTES: Count = count(1024 * 1024, 1024);
        rule "";
        doc "larger bodies get 413";
    MCP_MAX_CONNECTIONS: Count = count(1024, 1);
        rule "";
        doc "open TCP connections";
    MCP_READ_TIMEOUT_MS: Millis = millis(30_000, 100);
        rule "";
        doc "a body must arrive whole within it; an idle keep-alive connection closes after it";
    MCP_REQUEST_TIMEOUT_MS: Millis = millis(60_000, 100);
        rule "";
        doc "deadline of one POST to `/mcp` (a batch's messages share it)";
    MCP_HEAD_TIMEOUT_MS: Millis = millis(10_000, 100);
        rule "";
        doc "a request head must arrive whole within it (or within `MCP_READ_TIMEOUT_MS` if lower), from its first byte (slow-header attacks)";
    MCP_MAX_PENDING_PER_IP: Count = count(128, 1);
        rule "";
        doc "connections from one address that have not yet sent a whole first request; more get 503. Not applied with `MCP_TRUST_PROXY_HOPS` > 0 (every connection is the proxy's)";
    MCP_MAX_HUBSPOT_CALLS_PER_REQUEST: Count = count(50, 1);
        rule "";
        doc "HubSpot calls one POST may make, all messages of a batch together";
    MCP_MAX_JSON_VALUES: Count = count(20_000, 100);
        rule "";
        doc "JSON values (elements, members, scalars) one body may hold; counted before parsing, so a request's memory is bounded";
    MCP_DRAIN_TIMEOUT_MS: Millis = millis(10_000, 0);
        rule "";
        doc "on SIGTERM, in-flight requests get this long";
    MCP_ALLOWED_HOSTS: List = List { default: NONE, unset: "(none)" };
        rule "comma-separated host names; `*` disables the check";
        doc "more `Host` names to answer (loopback, Railway's domains and the hosts of `MCP_PUBLIC_URL`, `CORS_ORIGIN` and a specific `HOST` always are)";
    MCP_TOOLS_PAGE_SIZE: Count = count(100, 1);
        rule "";
        doc "tools per `tools/list` page";
    MCP_TRUST_PROXY_HOPS: Count = count_max(0, 0, 10, "must be at most 10");
        rule "";
        doc "reverse proxies that append to `X-Forwarded-For` (1 on Railway); 0 ignores the header";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_upper_case() {
        for (i, r) in TABLE.iter().enumerate() {
            assert_eq!(position(r.name()), i, "{} twice", r.name());
            assert!(
                r.name()
                    .bytes()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_'),
                "{}",
                r.name()
            );
        }
    }

    #[test]
    fn anything_named_like_a_secret_is_one() {
        for r in TABLE {
            let looks = r.name().contains("SECRET") || r.name().contains("TOKEN");
            assert!(!looks || r.secret(), "{} should be secret", r.name());
        }
        assert!(REDIS_URL.kind.secret());
    }

    #[test]
    fn bounds_hold_their_defaults_and_messages_name_their_maximum() {
        for c in [
            &MCP_MAX_SESSIONS,
            &MCP_MAX_SESSIONS_PER_PRINCIPAL,
            &HUBSPOT_MAX_RETRIES,
            &JWT_LEEWAY_SECONDS,
            &MCP_WORKERS,
            &MCP_TRUST_PROXY_HOPS,
            &MCP_MAX_JSON_VALUES,
        ] {
            assert!(c.kind.default >= c.kind.min, "{}", c.name);
            if let Some(max) = c.kind.max {
                assert!(c.kind.default <= max.value, "{}", c.name);
                assert!(max.message.contains(&max.value.to_string()), "{}", c.name);
            }
        }
        for s in [&HUBSPOT_ACCESS_TOKEN, &JWT_SECRET, &METRICS_TOKEN] {
            assert!(
                s.kind.short.contains(&s.kind.min_len.to_string()),
                "{}",
                s.name
            );
        }
        assert_eq!(
            (NODE_ENV.kind.parse)((NODE_ENV.kind.show)(NODE_ENV.kind.default)),
            Some(NODE_ENV.kind.default)
        );
        assert_eq!(
            (LOG_LEVEL.kind.parse)((LOG_LEVEL.kind.show)(LOG_LEVEL.kind.default)),
            Some(LOG_LEVEL.kind.default)
        );
        assert_eq!(
            (LOG_FORMAT.kind.parse)((LOG_FORMAT.kind.show)(LOG_FORMAT.kind.default)),
            Some(LOG_FORMAT.kind.default)
        );
    }
}
