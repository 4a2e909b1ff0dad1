use std::process::Command;

use crate::support::{Server, BIN, TOKEN};

fn run(args: &[&str], env: &[(&str, &str)]) -> (i32, String, String) {
    let mut c = Command::new(BIN);
    c.args(args).env_clear();
    for (k, v) in env {
        c.env(k, v);
    }
    let o = c.output().unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

#[test]
fn check_config_lists_every_problem_and_hides_secrets() {
    let secret = "super-secret-but-short";
    let (code, _, err) = run(
        &["check-config"],
        &[
            ("PORT", "nope"),
            ("LOG_LEVEL", "loud"),
            ("HUBSPOT_ACCESS_TOKEN", secret),
            ("JWT_SECRET", secret),
            ("NODE_ENV", "production"),
            ("CORS_ORIGIN", "*"),
        ],
    );
    assert_eq!(code, 78, "{err}");
    for var in [
        "PORT",
        "LOG_LEVEL",
        "HUBSPOT_ACCESS_TOKEN",
        "JWT_SECRET",
        "CORS_ORIGIN",
    ] {
        assert!(
            err.contains(&format!("{var}:")),
            "{var} missing from: {err}"
        );
    }
    assert!(!err.contains(secret), "secret leaked: {err}");
}

#[test]
fn check_config_accepts_a_good_environment() {
    let (code, out, err) = run(&["check-config"], &[("HUBSPOT_ACCESS_TOKEN", TOKEN)]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("configuration OK"), "{out}");
    assert!(!out.contains(TOKEN));
    let (code, _, err) = run(&["check-config"], &[]);
    assert_eq!(code, 78);
    assert!(err.contains("HUBSPOT_ACCESS_TOKEN: required"), "{err}");
    assert_eq!(run(&["check-config", "--demo"], &[]).0, 0);
}

#[test]
fn serve_refuses_bad_configuration_before_binding() {
    let (code, _, err) = run(&["serve"], &[("PORT", "0")]);
    assert_eq!(code, 78);
    assert!(err.contains("HUBSPOT_ACCESS_TOKEN"), "{err}");
}

#[test]
fn version_help_and_bad_arguments() {
    let (code, out, _) = run(&["--version"], &[]);
    assert_eq!(
        (code, out.trim()),
        (
            0,
            format!("hubspot-mcp {}", env!("CARGO_PKG_VERSION")).as_str()
        )
    );
    let (code, out, _) = run(&["--help"], &[]);
    assert_eq!(code, 0);
    assert!(out.contains("healthcheck") && out.contains("check-config") && out.contains("stdio"));
    let (code, _, err) = run(&["frobnicate"], &[]);
    assert_eq!(code, 2);
    assert!(err.contains("unknown command"), "{err}");
}

#[test]
fn healthcheck_exits_zero_only_for_a_healthy_server() {
    let s = Server::start(&[]);
    let url = format!("http://127.0.0.1:{}/health", s.addr.port());
    let (code, out, err) = run(&["healthcheck", "--url", &url], &[]);
    assert_eq!(code, 0, "{out} {err}");
    // PORT alone is enough (the scratch image's HEALTHCHECK form).
    let port = s.addr.port().to_string();
    assert_eq!(run(&["healthcheck"], &[("PORT", &port)]).0, 0);
    drop(s);
    let (code, _, err) = run(&["healthcheck", "--url", &url], &[]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("unhealthy"), "{err}");
}
