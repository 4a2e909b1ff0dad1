//! The official MCP SDK clients (TypeScript 1.x and 2.x, Python `mcp` 1.x and 2.x) against the real
//! binary. Not part of plain `cargo test` (`test = false` in Cargo.toml) because the clients must be
//! installed first: `scripts/test.sh` installs them under `.cache/clients` and runs
//! `cargo test --test sdk`. Each driver prints one JSON summary line (see tests/clients/*).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::{json, Value};

/// Test certificates and an https file server (shared with the integration tests).
#[allow(dead_code)]
#[path = "../it/support/keys.rs"]
mod keys;

struct Server {
    child: Child,
    url: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start() -> Server {
    start_with(&[])
}

/// `serve --demo` with `env` added.
fn start_with(env: &[(&str, &str)]) -> Server {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_hubspot-mcp"));
    cmd.args(["serve", "--demo"])
        .env_clear()
        .env("PORT", "0")
        .env("HOST", "127.0.0.1");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let addr = loop {
        let line = lines
            .next()
            .expect("server exited before listening")
            .unwrap();
        let v: Value = serde_json::from_str(&line).unwrap_or(Value::Null);
        if v["msg"] == "listening" {
            break v["addr"].as_str().unwrap().to_string();
        }
    };
    std::thread::spawn(move || lines.for_each(drop));
    Server {
        child,
        url: format!("http://{addr}/mcp"),
    }
}

fn clients_dir() -> PathBuf {
    std::env::var_os("MCP_CLIENTS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".cache/clients"))
}

fn run(program: PathBuf, args: &[&str], env: &[(&str, &str)]) -> Value {
    assert!(
        program.exists() || program.components().count() == 1,
        "{} is missing: run scripts/test.sh (it installs the SDK clients)",
        program.display()
    );
    let mut cmd = Command::new(&program);
    cmd.args(args).env("MCP_CLIENT_TIMEOUT_MS", "20000");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", program.display()));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let line = stdout.lines().last().unwrap_or("");
    let v: Value = serde_json::from_str(line).unwrap_or_else(|_| {
        panic!(
            "no JSON summary from {}: stdout {stdout:?} stderr {:?}",
            program.display(),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    assert_eq!(v["ok"], true, "{} failed: {v}", program.display());
    v
}

fn node() -> PathBuf {
    PathBuf::from(std::env::var("MCP_NODE").unwrap_or_else(|_| "node".into()))
}

fn assert_session_flow(v: &Value) {
    assert_eq!(v["sessionId_present"], true, "{v}");
    assert!(v["tools"].as_u64().unwrap() >= 1, "{v}");
    assert_eq!(v["terminated"], true, "DELETE not answered 2xx: {v}");
}

#[test]
fn typescript_sdk_1x_initialize_list_delete() {
    let s = start();
    let script = clients_dir().join("ts/client.mjs");
    let v = run(node(), &[script.to_str().unwrap(), &s.url], &[]);
    assert_session_flow(&v);
    assert_eq!(v["protocolVersion"], "2025-11-25");
    // And pinned to an older revision.
    let v = run(
        node(),
        &[script.to_str().unwrap(), &s.url, "2025-03-26"],
        &[],
    );
    assert_eq!(v["protocolVersion"], "2025-03-26");
    assert_session_flow(&v);
}

#[test]
fn typescript_sdk_2x_legacy_and_auto_negotiation() {
    let s = start();
    let script = clients_dir().join("ts-v2/client.mjs");
    let v = run(
        node(),
        &[script.to_str().unwrap(), &s.url],
        &[("MCP_TS_NEGOTIATION", "legacy")],
    );
    assert_session_flow(&v);
    let v = run(
        node(),
        &[script.to_str().unwrap(), &s.url],
        &[("MCP_TS_NEGOTIATION", "auto")],
    );
    assert!(v["tools"].as_u64().unwrap() >= 1, "{v}");
    assert_eq!(
        v["protocolVersion"], "2026-07-28",
        "auto should settle on the stateless revision: {v}"
    );
}

#[test]
fn python_sdk_2x_discover_probe_and_legacy_initialize() {
    let s = start();
    let py = clients_dir().join("py/.venv/bin/python");
    let script = clients_dir().join("py/client.py");
    let v = run(
        py.clone(),
        &[script.to_str().unwrap(), &s.url, "--mode", "legacy"],
        &[],
    );
    assert_session_flow(&v);
    let v = run(
        py,
        &[script.to_str().unwrap(), &s.url, "--mode", "auto"],
        &[],
    );
    assert!(v["tools"].as_u64().unwrap() >= 1, "{v}");
    assert!(v["era"].as_str().unwrap_or("").starts_with("modern"), "{v}");
}

#[test]
fn python_sdk_1x_initialize_list_delete() {
    let s = start();
    let py = clients_dir().join("py/.venv-v1/bin/python");
    let script = clients_dir().join("py/client.py");
    let v = run(py, &[script.to_str().unwrap(), &s.url], &[]);
    assert_session_flow(&v);
    std::thread::sleep(Duration::from_millis(10));
}

/// The loopback redirect URI the OAuth drivers register (nothing listens there: they read `Location`).
const OAUTH_REDIRECT: &str = "http://127.0.0.1:53682/callback";

/// A client ID metadata document for the drivers, served over https by `openssl s_server` with a CA made
/// here, and the server in `oauth` demo mode trusting that one origin (as `OAUTH_CIMD_ALLOW_ORIGIN` and
/// `OAUTH_CIMD_CA_FILE` allow outside production). Access tokens live 3 s (up to 4 s) so a refresh must happen.
struct OAuthSetup {
    server: Server,
    cimd_url: String,
    _docs: std::process::Child,
}

impl Drop for OAuthSetup {
    fn drop(&mut self) {
        let _ = self._docs.kill();
        let _ = self._docs.wait();
    }
}

fn oauth_setup(name: &str) -> OAuthSetup {
    let dir = keys::temp(name)
        .parent()
        .unwrap()
        .join(format!("{name}-docs"));
    std::fs::create_dir_all(&dir).unwrap();
    let (docs, port, ca) = keys::https_file_server(&dir, "-WWW");
    let origin = format!("https://127.0.0.1:{port}");
    let cimd_url = format!("{origin}/client.json");
    let doc = json!({
        "client_id": cimd_url,
        "client_name": "SDK client (metadata document)",
        "redirect_uris": [OAUTH_REDIRECT],
        "grant_types": ["authorization_code", "refresh_token"],
        "response_types": ["code"],
        "token_endpoint_auth_method": "none",
    });
    std::fs::write(dir.join("client.json"), doc.to_string()).unwrap();
    let ca = ca.to_string_lossy().into_owned();
    let server = start_with(&[
        ("MCP_AUTH_MODE", "oauth"),
        ("OAUTH_ACCESS_TTL", "3"),
        ("OAUTH_CIMD_ALLOW_ORIGIN", &origin),
        ("OAUTH_CIMD_CA_FILE", &ca),
    ]);
    OAuthSetup {
        server,
        cimd_url,
        _docs: docs,
    }
}

/// One driver run per registration way; each signs in once and refreshes once on its own.
fn assert_oauth_runs(program: PathBuf, script: &str, wait: (&str, &str), name: &str) {
    let s = oauth_setup(name);
    for (user, cimd) in [("owner", None), ("reader", Some(s.cimd_url.as_str()))] {
        let mut env = vec![
            ("SANDBOX_USER", user),
            wait,
            ("MCP_CLIENT_TIMEOUT_S", "60"),
            ("MCP_CLIENT_TIMEOUT_MS", "60000"),
        ];
        if let Some(u) = cimd {
            env.push(("CIMD_URL", u));
        }
        let v = run(program.clone(), &[script, &s.server.url], &env);
        let way = if cimd.is_some() { "cimd" } else { "dcr" };
        assert_eq!(v["registration"], way, "{v}");
        assert_eq!(
            v["authorizations"], 1,
            "signed in once, refreshed without a second sign-in: {v}"
        );
        let records = v["records"].as_array().unwrap();
        assert!(
            records[0].as_u64().unwrap() > 0 && records[0] == records[1],
            "{v}"
        );
        let refreshed = v["tokens_saved"]
            .as_u64()
            .map(|n| n >= 2)
            .or_else(|| v["refreshes"].as_u64().map(|n| n >= 1));
        assert_eq!(
            refreshed,
            Some(true),
            "the access token expired and the SDK refreshed it: {v}"
        );
    }
}

#[test]
fn typescript_sdk_1x_oauth_with_only_the_url() {
    let script = clients_dir().join("ts/oauth.mjs");
    assert_oauth_runs(
        node(),
        script.to_str().unwrap(),
        ("WAIT_MS", "4200"),
        "sdk-oauth-ts1",
    );
}

#[test]
fn typescript_sdk_2x_oauth_with_only_the_url() {
    let script = clients_dir().join("ts-v2/oauth.mjs");
    assert_oauth_runs(
        node(),
        script.to_str().unwrap(),
        ("WAIT_MS", "4200"),
        "sdk-oauth-ts2",
    );
}

#[test]
fn python_sdk_2x_oauth_with_only_the_url() {
    let py = clients_dir().join("py/.venv/bin/python");
    let script = clients_dir().join("py/oauth.py");
    assert_oauth_runs(
        py,
        script.to_str().unwrap(),
        ("WAIT_S", "4.2"),
        "sdk-oauth-py2",
    );
}

#[test]
fn python_sdk_1x_oauth_with_only_the_url() {
    let py = clients_dir().join("py/.venv-v1/bin/python");
    let script = clients_dir().join("py/oauth.py");
    assert_oauth_runs(
        py,
        script.to_str().unwrap(),
        ("WAIT_S", "4.2"),
        "sdk-oauth-py1",
    );
}

/// A minimal HTTP/1.1 exchange over loopback (this test crate has no client of its own).
fn http(
    addr: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> (u16, String) {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    let mut req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    req.push_str(body);
    s.write_all(req.as_bytes()).unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    let status = out
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = out
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (status, body)
}

#[test]
fn a_real_browser_walks_consent_and_sign_in() {
    // Where the browser lands at the end: answers 200 to anything.
    let landing = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let redirect = format!("http://{}/callback", landing.local_addr().unwrap());
    std::thread::spawn(move || {
        use std::io::{Read, Write};
        for mut c in landing.incoming().flatten() {
            let mut buf = [0u8; 4096];
            let _ = c.read(&mut buf);
            let _ = c.write_all(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 20\r\nConnection: close\r\n\r\n<h1>signed in</h1>\n\n");
        }
    });
    let s = start_with(&[("MCP_AUTH_MODE", "oauth")]);
    let addr = s
        .url
        .trim_start_matches("http://")
        .trim_end_matches("/mcp")
        .to_string();
    let (status, body) = http(
        &addr,
        "POST",
        "/oauth/register",
        &[("Content-Type", "application/json")],
        &json!({"client_name": "Browser test", "redirect_uris": [redirect]}).to_string(),
    );
    assert_eq!(status, 201, "{body}");
    let client_id = serde_json::from_str::<Value>(&body).unwrap()["client_id"]
        .as_str()
        .unwrap()
        .to_string();
    // RFC 7636 Appendix B.
    let (verifier, challenge) = (
        "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk",
        "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
    );
    let enc = |v: &str| {
        v.bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() {
                    (b as char).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect::<String>()
    };
    let authorize = format!(
        "http://{addr}/oauth/authorize?response_type=code&client_id={}&redirect_uri={}&code_challenge={challenge}&code_challenge_method=S256&state=browser",
        enc(&client_id), enc(&redirect)
    );
    let out_dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let shot = out_dir.join("consent-page.png");
    let walker = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/browser/walk.mjs");
    let v = run(
        node(),
        &[
            walker.to_str().unwrap(),
            &authorize,
            &redirect,
            shot.to_str().unwrap(),
        ],
        &[("SANDBOX_USER", "owner")],
    );
    let png = std::fs::read(&shot).unwrap();
    assert!(
        png.starts_with(b"\x89PNG") && png.len() > 5_000,
        "a screenshot of the consent page"
    );
    eprintln!(
        "consent page screenshot: {} ({} bytes)",
        shot.display(),
        png.len()
    );
    let consent = &v["consent"];
    assert_eq!(consent["scripts"], 0, "no script on the consent page: {v}");
    assert_eq!(consent["allow"], true);
    assert_eq!(consent["deny"], true);
    assert_eq!(consent["viewport"], true);
    assert_eq!(consent["overflows"], false, "fits a phone's width: {v}");
    assert_eq!(
        consent["styled"], true,
        "the page's style applies (no stricter policy on top): {v}"
    );
    assert_eq!(consent["labelled"], true, "{v}");
    assert!(
        consent["heading"]
            .as_str()
            .unwrap()
            .contains("Browser test"),
        "{v}"
    );
    let final_url = v["final_url"].as_str().unwrap();
    assert!(final_url.starts_with(&redirect), "{v}");
    let q: std::collections::HashMap<String, String> = final_url
        .split_once('?')
        .unwrap()
        .1
        .split('&')
        .filter_map(|p| p.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    assert_eq!(q["state"], "browser");
    // The code the browser brought back is a real one.
    let form = format!("grant_type=authorization_code&client_id={}&code={}&redirect_uri={}&code_verifier={verifier}", enc(&client_id), q["code"], enc(&redirect));
    let (status, body) = http(
        &addr,
        "POST",
        "/oauth/token",
        &[("Content-Type", "application/x-www-form-urlencoded")],
        &form,
    );
    assert_eq!(status, 200, "{body}");
}
