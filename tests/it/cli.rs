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
    let (code, out, err) = run(
        &["check-config"],
        &[("HUBSPOT_ACCESS_TOKEN", TOKEN), ("HOST", "127.0.0.1")],
    );
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

#[test]
fn a_bad_ca_file_is_a_configuration_error() {
    let (code, _, err) = run(
        &["serve"],
        &[
            ("PORT", "0"),
            ("HOST", "127.0.0.1"),
            ("HUBSPOT_ACCESS_TOKEN", TOKEN),
            ("HUBSPOT_CA_FILE", "/nonexistent/ca.pem"),
        ],
    );
    assert_eq!(code, 78, "{err}");
    assert!(
        err.contains("HUBSPOT_CA_FILE") && err.contains("/nonexistent/ca.pem"),
        "{err}"
    );
}

#[test]
fn demo_mode_serves_the_sandbox_over_http_and_stdio() {
    let s = Server::start(&[]);
    let r = s.client().stateless(
        1,
        "tools/call",
        serde_json::json!({"name": "hubspot_search_records", "arguments": {"objectType": "contacts", "query": "maria.chen@acme.example.com"}}),
    );
    let res = &r.json()["result"];
    assert_eq!(res["isError"], false, "{res}");
    assert!(
        res["structuredContent"]["total"].as_u64().unwrap() >= 1,
        "{res}"
    );
    assert!(s
        .logs()
        .join("\n")
        .contains("demo mode: HubSpot sandbox started"));

    use std::io::{BufRead, Write};
    let mut child = Command::new(BIN)
        .args(["stdio", "--demo"])
        .env_clear()
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    writeln!(stdin, "{}", crate::support::init_body("2025-11-25")).unwrap();
    writeln!(stdin, r#"{{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{{"name":"hubspot_list_owners","arguments":{{}}}}}}"#).unwrap();
    drop(stdin);
    let lines: Vec<String> = std::io::BufReader::new(child.stdout.take().unwrap())
        .lines()
        .map_while(Result::ok)
        .collect();
    assert!(child.wait().unwrap().success());
    let owners: serde_json::Value = serde_json::from_str(&lines[1]).unwrap();
    assert_eq!(owners["result"]["isError"], false, "{owners}");
    assert!(
        owners.to_string().contains("olivia.bennett@example.com"),
        "{owners}"
    );
}
