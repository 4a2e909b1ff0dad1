//! The configuration's tests: the original design's defaults and rules, every problem at once and in the
//! table's order, secrets never shown, and the module's place as a leaf of the crate.

use std::time::Duration;

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

#[test]
fn defaults_come_from_the_table() {
    use super::vars;
    let c = cfg(&[], Purpose::Demo).unwrap();
    assert_eq!(c.port(), vars::PORT.kind.default);
    assert_eq!(Some(c.host()), vars::HOST.kind.default);
    assert_eq!(c.workers(), vars::MCP_WORKERS.kind.default);
    assert_eq!(
        c.session_max_age(),
        Duration::from_millis(vars::SESSION_MAX_AGE.kind.default)
    );
    assert_eq!(c.hubspot_toolsets(), None);
    assert_eq!(c.redis_target(), None);
    assert_eq!(c.max_pending_per_ip(), 128);
    assert_eq!(c.head_timeout(), Duration::from_secs(10));
}

#[test]
fn values_are_parsed_once_into_their_types() {
    let c = cfg(
        &[
            ("HUBSPOT_TOOLSETS", " Records, owners ,"),
            ("REDIS_URL", "redis://u:p%40ss@cache.internal/3"),
            ("MCP_TRUST_PROXY_HOPS", "1"),
            ("MCP_HEAD_TIMEOUT_MS", "50000"),
        ],
        Purpose::Demo,
    )
    .unwrap();
    assert_eq!(
        c.hubspot_toolsets(),
        Some(&[Toolset::Records, Toolset::Owners][..])
    );
    let t = c.redis_target().unwrap();
    assert_eq!((t.addr.as_str(), t.db), ("cache.internal:6379", 3));
    assert_eq!(t.password.as_ref().map(|p| p.expose()), Some("p@ss"));
    assert!(!format!("{c:?}").contains("p@ss"));
    assert_eq!(c.max_pending_per_ip(), usize::MAX);
    assert_eq!(c.head_timeout(), c.read_timeout());
    let errs = cfg(
        &[
            ("HUBSPOT_TOOLSETS", "records,crm"),
            ("REDIS_URL", "redis://:hunter2-password@h/x"),
        ],
        Purpose::Demo,
    )
    .unwrap_err();
    let text = errs.to_string();
    assert!(
        text.contains("HUBSPOT_TOOLSETS: expected a comma-separated list of: records"),
        "{text}"
    );
    assert!(text.contains("got \"crm\""), "{text}");
    assert!(
        text.contains("REDIS_URL: expected redis://") && !text.contains("hunter2"),
        "{text}"
    );
}

#[test]
fn problems_come_in_the_tables_order_and_rules_on_several_variables_after_them() {
    let errs = cfg(
        &[
            ("NODE_ENV", "production"),
            ("MCP_TRUST_PROXY_HOPS", "11"),
            ("MCP_WORKERS", "5000"),
            ("JWT_LEEWAY_SECONDS", "301"),
            ("MCP_PUBLIC_URL", "ftp://x"),
            ("HUBSPOT_MAX_RETRIES", "11"),
            ("PORT", "70000"),
        ],
        Purpose::Demo,
    )
    .unwrap_err();
    let vars: Vec<_> = errs.0.iter().map(|e| e.var).collect();
    assert_eq!(
        vars,
        [
            "PORT",
            "HUBSPOT_MAX_RETRIES",
            "JWT_LEEWAY_SECONDS",
            "MCP_PUBLIC_URL",
            "JWT_SECRET",
            "MCP_WORKERS",
            "MCP_TRUST_PROXY_HOPS"
        ]
    );
    let text = errs.to_string();
    for msg in [
        "HUBSPOT_MAX_RETRIES: must be at most 10",
        "JWT_LEEWAY_SECONDS: must be at most 300 (5 minutes)",
        "MCP_WORKERS: must be at most 4096",
        "MCP_TRUST_PROXY_HOPS: must be at most 10",
    ] {
        assert!(text.contains(msg), "{msg} in {text}");
    }
}

/// Configuration imports nothing from the rest of the crate, so anything may read it and it reads
/// nothing back.
#[test]
fn configuration_is_a_leaf() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src/config");
    let mut files = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            assert!(
                !code.contains("crate::") || code.contains("crate::config"),
                "{}:{}: {line}",
                path.display(),
                n + 1
            );
        }
        files += 1;
    }
    assert!(files > 10);
}

#[test]
fn auth_mode_defaults_to_what_the_variables_imply_and_oauth_needs_its_app_and_keys() {
    let c = cfg(
        &[("HUBSPOT_ACCESS_TOKEN", TOKEN), ("HOST", "127.0.0.1")],
        Purpose::Serve,
    )
    .unwrap();
    assert_eq!(c.auth_mode(), AuthMode::None);
    let c = cfg(
        &[("HUBSPOT_ACCESS_TOKEN", TOKEN), ("JWT_SECRET", SECRET)],
        Purpose::Serve,
    )
    .unwrap();
    assert_eq!(c.auth_mode(), AuthMode::Jwt);
    // oauth: no private-app token needed, but the app, its secret and a key are.
    let errs = cfg(&[("MCP_AUTH_MODE", "oauth")], Purpose::Serve).unwrap_err();
    let vars: Vec<_> = errs.0.iter().map(|e| e.var).collect();
    assert_eq!(
        vars,
        ["HUBSPOT_CLIENT_ID", "HUBSPOT_CLIENT_SECRET", "OAUTH_KEYS"]
    );
    let ok = [
        ("MCP_AUTH_MODE", "oauth"),
        ("HUBSPOT_CLIENT_ID", "app-id"),
        ("HUBSPOT_CLIENT_SECRET", "app-secret-123"),
        (
            "OAUTH_KEYS",
            "0123456789abcdef0123456789abcdef,fedcba9876543210fedcba9876543210",
        ),
        ("HUBSPOT_ALLOWED_PORTALS", "123, 456"),
        ("HUBSPOT_OAUTH_SCOPES", "oauth crm.objects.contacts.read"),
    ];
    let c = cfg(&ok, Purpose::Serve).unwrap();
    assert_eq!(c.auth_mode(), AuthMode::OAuth);
    let o = c.oauth().unwrap();
    assert_eq!(o.keys.len(), 2);
    assert_eq!(o.allowed_portals, [123, 456]);
    assert_eq!(o.scopes, ["oauth", "crm.objects.contacts.read"]);
    // Under --demo the sandbox's app and a per-run key stand in.
    assert!(cfg(&[("MCP_AUTH_MODE", "oauth")], Purpose::Demo).is_ok());
    // Bad values, each named; production needs MCP_PUBLIC_URL and refuses the test exemptions.
    let mut bad = ok.to_vec();
    bad.extend([
        ("OAUTH_KEYS", "short"),
        ("HUBSPOT_ALLOWED_PORTALS", "12x"),
        ("MCP_AUTH_MODE", "oauth"),
    ]);
    let errs = cfg(&bad, Purpose::Serve).unwrap_err().to_string();
    assert!(
        errs.contains("OAUTH_KEYS") && errs.contains("HUBSPOT_ALLOWED_PORTALS"),
        "{errs}"
    );
    assert!(!errs.contains("fedcba"), "a key was shown: {errs}");
    let mut prod = ok.to_vec();
    prod.extend([
        ("NODE_ENV", "production"),
        ("OAUTH_CIMD_ALLOW_ORIGIN", "https://127.0.0.1:8443"),
    ]);
    let errs = cfg(&prod, Purpose::Serve).unwrap_err();
    let vars: Vec<_> = errs.0.iter().map(|e| e.var).collect();
    assert!(
        vars.contains(&"MCP_PUBLIC_URL") && vars.contains(&"OAUTH_CIMD_ALLOW_ORIGIN"),
        "{vars:?}"
    );
    assert!(
        !vars.contains(&"JWT_ISSUER"),
        "jwt rules do not apply to oauth: {vars:?}"
    );
    assert!(cfg(
        &[
            ("MCP_AUTH_MODE", "sometimes"),
            ("HOST", "127.0.0.1"),
            ("HUBSPOT_ACCESS_TOKEN", TOKEN)
        ],
        Purpose::Serve
    )
    .is_err());
    // jwt named explicitly without a key.
    let errs = cfg(
        &[("MCP_AUTH_MODE", "jwt"), ("HUBSPOT_ACCESS_TOKEN", TOKEN)],
        Purpose::Serve,
    )
    .unwrap_err();
    assert!(errs.0.iter().any(|e| e.var == "JWT_SECRET"));
}

#[test]
fn masked_properties_are_read_and_bad_ones_reported() {
    let c = cfg(
        &[
            (
                "HUBSPOT_MASKED_PROPERTIES",
                "contact:SSN;0-3:commission_rate",
            ),
            ("HUBSPOT_MASK_STYLE", "redact"),
        ],
        Purpose::Demo,
    )
    .unwrap();
    let m = c.hubspot_masking();
    assert_eq!(m.style, MaskStyle::Redact);
    assert!(m.properties["contacts"].contains("ssn"));
    assert!(m.properties["deals"].contains("commission_rate"));
    let unset = cfg(&[], Purpose::Demo).unwrap();
    assert!(unset.hubspot_masking().properties.is_empty());
    assert_eq!(unset.hubspot_masking().style, MaskStyle::Omit);
    let errs = cfg(
        &[
            ("HUBSPOT_MASKED_PROPERTIES", "contacts:ssn;widgets:x"),
            ("HUBSPOT_MASK_STYLE", "hide"),
        ],
        Purpose::Demo,
    )
    .unwrap_err()
    .to_string();
    assert!(
        errs.contains("HUBSPOT_MASKED_PROPERTIES") && errs.contains("\"widgets:x\""),
        "{errs}"
    );
    assert!(
        errs.contains("HUBSPOT_MASK_STYLE: expected omit or redact"),
        "{errs}"
    );
}
