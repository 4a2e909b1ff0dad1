//! The official MCP SDK clients (TypeScript 1.x and 2.x, Python `mcp` 1.x and 2.x) against the real
//! binary. Not part of plain `cargo test` (`test = false` in Cargo.toml) because the clients must be
//! installed first: `scripts/test.sh` installs them under `.cache/clients` and runs
//! `cargo test --test sdk`. Each driver prints one JSON summary line (see tests/clients/*).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{json, Value};

/// Test certificates and an https file server (shared with the integration tests).
#[allow(dead_code)]
#[path = "../it/support/keys.rs"]
mod keys;

struct Server {
    child: Child,
    url: String,
    /// host:port it listens on.
    addr: String,
    /// Its log lines (stderr), printed when a test fails while it runs.
    log: Arc<Mutex<Vec<String>>>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if std::thread::panicking() {
            let log = self.log.lock().unwrap_or_else(|e| e.into_inner());
            eprintln!(
                "--- the server's log ({} lines, the last 60) ---",
                log.len()
            );
            for line in log.iter().skip(log.len().saturating_sub(60)) {
                eprintln!("{line}");
            }
        }
    }
}

fn start() -> Server {
    start_with(&[])
}

/// `serve --demo` with `env` added.
fn start_with(env: &[(&str, &str)]) -> Server {
    launch(&["serve", "--demo"], env)
}

/// The binary with `args` and only `env` (plus PORT=0, HOST=127.0.0.1), once it logs "listening".
fn launch(args: &[&str], env: &[(&str, &str)]) -> Server {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_hubspot-mcp"));
    cmd.args(args)
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
    let log = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&log);
    std::thread::spawn(move || {
        for line in lines.map_while(Result::ok) {
            sink.lock().unwrap_or_else(|e| e.into_inner()).push(line);
        }
    });
    Server {
        child,
        url: format!("http://{addr}/mcp"),
        addr,
        log,
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
    if v["ok"] != true {
        let err = String::from_utf8_lossy(&out.stderr);
        let tail: String = err
            .chars()
            .rev()
            .take(3000)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        panic!(
            "{} failed: {v}\n--- its stderr (the last 3000 characters) ---\n{tail}",
            program.display()
        );
    }
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

/// The tools a client driver listed (`toolNames` from the TypeScript drivers, `tool_names` from Python).
fn listed(v: &Value) -> std::collections::BTreeSet<String> {
    v.get("toolNames")
        .or_else(|| v.get("tool_names"))
        .and_then(Value::as_array)
        .unwrap_or_else(|| panic!("no tool names in {v}"))
        .iter()
        .map(|n| n.as_str().unwrap().to_string())
        .collect()
}

/// The tools of `profile` as the server lists them over raw HTTP (a 2026-07-28 `tools/list`, no SDK):
/// what every SDK client must see there.
fn profile_tools(s: &Server, profile: &str) -> std::collections::BTreeSet<String> {
    let body = json!({"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"_meta":{
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientCapabilities": {},
        "io.modelcontextprotocol/clientInfo": {"name": "sdk-test", "version": "1"}}}})
    .to_string();
    let (status, text) = http(
        &s.addr,
        "POST",
        &format!("/mcp/{profile}"),
        &[
            ("Content-Type", "application/json"),
            ("Accept", "application/json, text/event-stream"),
            ("MCP-Protocol-Version", "2026-07-28"),
            ("Mcp-Method", "tools/list"),
        ],
        &body,
    );
    assert_eq!(status, 200, "{text}");
    let v: Value = serde_json::from_str(&text).unwrap();
    listed(
        &json!({"toolNames": v["result"]["tools"].as_array().unwrap().iter().map(|t| t["name"].clone()).collect::<Vec<_>>()}),
    )
}

/// The sales profile's tools, pinned here too: the SDK clients must see exactly these on `/mcp/sales`.
const SALES_TOOLS: usize = 23;

#[test]
fn every_sdk_client_sees_exactly_a_profiles_tools() {
    let s = start();
    let sales = profile_tools(&s, "sales");
    let read = profile_tools(&s, "read");
    assert_eq!(sales.len(), SALES_TOOLS, "{sales:?}");
    assert!(sales.contains("hubspot_create_list") && !sales.contains("hubspot_list_properties"));
    assert!(read.contains("hubspot_list_properties") && !read.contains("hubspot_create_record"));
    let dir = clients_dir();
    let ts1 = dir.join("ts/client.mjs");
    let ts2 = dir.join("ts-v2/client.mjs");
    let py = dir.join("py/client.py");
    for (profile, want) in [("sales", &sales), ("read", &read)] {
        let url = format!("{}/{profile}", s.url);
        let v = run(node(), &[ts1.to_str().unwrap(), &url], &[]);
        assert_session_flow(&v);
        assert_eq!(&listed(&v), want, "TypeScript 1.x on {url}");
        for mode in ["legacy", "auto"] {
            let v = run(
                node(),
                &[ts2.to_str().unwrap(), &url],
                &[("MCP_TS_NEGOTIATION", mode)],
            );
            assert_eq!(&listed(&v), want, "TypeScript 2.x ({mode}) on {url}");
        }
        for (venv, modes) in [(".venv", &["legacy", "auto"][..]), (".venv-v1", &[""][..])] {
            let python = dir.join("py").join(venv).join("bin/python");
            for mode in modes {
                let mut args = vec![py.to_str().unwrap(), url.as_str()];
                if !mode.is_empty() {
                    args.extend(["--mode", mode]);
                }
                let v = run(python.clone(), &args, &[]);
                assert_eq!(&listed(&v), want, "Python {venv} {mode} on {url}");
            }
        }
    }
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
    /// The documents' directory, removed after the server is stopped (`Drop`).
    _dir: Option<keys::TempDir>,
}

impl Drop for OAuthSetup {
    fn drop(&mut self) {
        let _ = self._docs.kill();
        let _ = self._docs.wait();
        drop(self._dir.take());
    }
}

fn oauth_setup(name: &str) -> OAuthSetup {
    let tmp = keys::TempDir::new();
    let dir = tmp.path().join(format!("{name}-docs"));
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
        _dir: Some(tmp),
    }
}

/// One driver run per registration way; each signs in once and refreshes once on its own. The second
/// connects to a tool profile's URL (`/mcp/sales`): the SDK finds that URL's own protected-resource
/// metadata (RFC 9728, path-inserted) and asks for a token for it.
fn assert_oauth_runs(program: PathBuf, script: &str, wait: (&str, &str), name: &str) {
    let s = oauth_setup(name);
    let sales = format!("{}/sales", s.server.url);
    for (user, cimd, url) in [
        ("owner", None, &s.server.url),
        ("reader", Some(s.cimd_url.as_str()), &sales),
    ] {
        let mut env = vec![
            ("SANDBOX_USER", user),
            wait,
            ("MCP_CLIENT_TIMEOUT_S", "60"),
            ("MCP_CLIENT_TIMEOUT_MS", "60000"),
        ];
        if let Some(u) = cimd {
            env.push(("CIMD_URL", u));
        }
        let v = run(program.clone(), &[script, url], &env);
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
    let (head, body) = out.split_once("\r\n\r\n").unwrap_or((&out, ""));
    let chunked = head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked");
    (
        status,
        if chunked {
            dechunk(body)
        } else {
            body.to_string()
        },
    )
}

/// The body of a chunked reply.
fn dechunk(mut rest: &str) -> String {
    let mut body = String::new();
    while let Some((size, after)) = rest.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if n == 0 || after.len() < n {
            break;
        }
        body.push_str(&after[..n]);
        rest = after[n..].trim_start_matches("\r\n");
    }
    body
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
    let v = run_browser(
        "walk.mjs",
        &[&authorize, &redirect, shot.to_str().unwrap()],
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

// ---- Approval of writes (issue #12) with the SDK clients and a real browser ----

/// The sandbox's token (as tests/it/support uses).
const SANDBOX_TOKEN: &str = "pat-na1-11111111-2222-3333-4444-555555555555";

/// The HubSpot sandbox as its own process and `serve` pointed at it (as tests/it/support's `Crm`), so the
/// test reads the sandbox's request counts.
struct Crm {
    sandbox: Server,
    mcp: Server,
}

impl Crm {
    fn start(env: &[(&str, &str)]) -> Crm {
        let sandbox = launch(&["sandbox", "--port", "0", "--token", SANDBOX_TOKEN], &[]);
        let base = format!("http://{}", sandbox.addr);
        let mut all = vec![
            ("HUBSPOT_API_BASE_URL", base.as_str()),
            ("HUBSPOT_ACCESS_TOKEN", SANDBOX_TOKEN),
            ("HUBSPOT_RATE_LIMIT", "1000"),
            ("HUBSPOT_SEARCH_RATE_LIMIT", "1000"),
            // Only the test's own calls reach the sandbox.
            ("HEALTH_CHECK_ENABLED", "false"),
        ];
        all.extend_from_slice(env);
        let mcp = launch(&["serve"], &all);
        Crm { sandbox, mcp }
    }

    /// The write requests the sandbox received, by "METHOD /path/template" (reads and searches excluded).
    fn writes(&self) -> std::collections::BTreeMap<String, u64> {
        let auth = format!("Bearer {SANDBOX_TOKEN}");
        let (status, body) = http(
            &self.sandbox.addr,
            "GET",
            "/__sandbox/stats",
            &[("Authorization", &auth)],
            "",
        );
        assert_eq!(status, 200, "{body}");
        let v: Value = serde_json::from_str(&body).unwrap();
        v["requests"]
            .as_object()
            .unwrap()
            .iter()
            .filter(|(k, _)| {
                ["PATCH ", "DELETE ", "PUT ", "POST "]
                    .iter()
                    .any(|m| k.starts_with(m))
                    && !k.contains("search")
                    && !k.contains("/batch/read")
                    && !k.contains("__sandbox")
            })
            .map(|(k, n)| (k.clone(), n.as_u64().unwrap_or(0)))
            .filter(|(_, n)| *n > 0)
            .collect()
    }

    /// A `tools/call` under 2026-07-28 from a client that declares no capability; returns the `result`.
    fn call(&self, tool: &str, args: Value) -> Value {
        let body = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {
            "name": tool, "arguments": args, "_meta": {
                "io.modelcontextprotocol/protocolVersion": "2026-07-28",
                "io.modelcontextprotocol/clientCapabilities": {},
                "io.modelcontextprotocol/clientInfo": {"name": "sdk-test", "version": "1"}}}});
        self.post_raw(&body.to_string())
    }

    /// POSTs a JSON-RPC `tools/call` body as it is (a 2026-07-28 request); returns the `result`.
    fn post_raw(&self, body: &str) -> Value {
        let v: Value = serde_json::from_str(body).unwrap();
        let name = v["params"]["name"].as_str().unwrap_or("");
        let (status, reply) = http(
            &self.mcp.addr,
            "POST",
            "/mcp",
            &[
                ("Content-Type", "application/json"),
                ("Accept", "application/json, text/event-stream"),
                ("MCP-Protocol-Version", "2026-07-28"),
                ("Mcp-Method", "tools/call"),
                ("Mcp-Name", name),
            ],
            body,
        );
        assert_eq!(status, 200, "{reply}");
        // A JSON reply, or an SSE stream whose last data line is the response.
        let json_text = if reply.trim_start().starts_with('{') {
            reply
        } else {
            reply
                .lines()
                .filter_map(|l| l.strip_prefix("data:"))
                .next_back()
                .unwrap_or("")
                .trim()
                .to_string()
        };
        let v: Value = serde_json::from_str(&json_text)
            .unwrap_or_else(|_| panic!("not a JSON-RPC reply: {json_text:?}"));
        assert!(v.get("result").is_some(), "protocol error: {v}");
        v["result"].clone()
    }

    /// `n` seeded contacts' ids.
    fn contacts(&self, n: usize) -> Vec<String> {
        let r = self.call(
            "hubspot_list_records",
            json!({"objectType": "contacts", "limit": n}),
        );
        let ids: Vec<String> = r["structuredContent"]["results"]
            .as_array()
            .unwrap_or_else(|| panic!("{r}"))
            .iter()
            .map(|c| c["id"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(ids.len(), n, "{r}");
        ids
    }
}

/// The write counts `after` has over `before`.
fn new_writes(
    before: &std::collections::BTreeMap<String, u64>,
    after: &std::collections::BTreeMap<String, u64>,
) -> Value {
    let mut d = serde_json::Map::new();
    for (k, n) in after {
        let was = before.get(k).copied().unwrap_or(0);
        if *n > was {
            d.insert(k.clone(), json!(n - was));
        }
    }
    Value::Object(d)
}

/// Exactly one update and one archive (a PATCH and a DELETE of one record each).
fn one_update_and_one_archive() -> Value {
    json!({"PATCH /crm/v3/objects/{type}/{id}": 1, "DELETE /crm/v3/objects/{type}/{id}": 1})
}

/// How a test runs one SDK line's approval driver (tests/clients/ts/approve.mjs, tests/clients/py/approve.py).
struct Approver {
    program: PathBuf,
    script: PathBuf,
    /// Extra arguments after the positional ones.
    extra: &'static [&'static str],
    env: &'static [(&'static str, &'static str)],
}

impl Approver {
    fn ts(dir: &str, env: &'static [(&'static str, &'static str)]) -> Approver {
        Approver {
            program: node(),
            script: clients_dir().join(dir).join("approve.mjs"),
            extra: &[],
            env,
        }
    }

    fn py(venv: &str, extra: &'static [&'static str]) -> Approver {
        Approver {
            program: clients_dir().join("py").join(venv).join("bin/python"),
            script: clients_dir().join("py/approve.py"),
            extra,
            env: &[],
        }
    }

    /// One run: `answer` to every question; updates `update`'s lifecyclestage to `value`, archives `archive`.
    fn run(&self, url: &str, answer: &str, update: &str, archive: &str, value: &str) -> Value {
        let mut args = vec![self.script.to_str().unwrap(), url, answer, update, archive];
        args.extend_from_slice(self.extra);
        let mut env = vec![
            ("UPDATE_VALUE", value),
            // Silent: the person answers only after the server's approval timeout (1.5 s in these tests).
            ("SILENT_MS", "2500"),
            ("SILENT_S", "2.5"),
            ("MCP_CLIENT_TIMEOUT_S", "30"),
        ];
        env.extend_from_slice(self.env);
        let v = run(self.program.clone(), &args, &env);
        let short = |c: &Value| {
            let t: String = c["text"].as_str().unwrap_or("").chars().take(90).collect();
            json!({"isError": c["isError"], "ms": c["ms"], "text": t})
        };
        eprintln!(
            "approval driver {} {answer}: {}",
            self.script.display(),
            json!({"protocolVersion": v["protocolVersion"], "asked": v["asked"].as_array().map(Vec::len),
                   "update": short(&v["calls"]["update"]), "archive": short(&v["calls"]["archive"])})
        );
        v
    }
}

/// What the handler was asked, checked against the change: the update's record, property and value,
/// then the archive's record; in form mode with the `approve` box.
fn assert_asked(v: &Value, update: &str, archive: &str, value: &str) {
    let asked = v["asked"].as_array().unwrap();
    assert_eq!(asked.len(), 2, "the handler was asked once per write: {v}");
    let (u, a) = (
        asked[0]["message"].as_str().unwrap(),
        asked[1]["message"].as_str().unwrap(),
    );
    assert!(
        u.contains(update) && u.contains("lifecyclestage") && u.contains(value),
        "the update's question names the record, property and value: {u}"
    );
    assert!(
        a.contains(archive) && a.contains("Archive"),
        "the archive's question: {a}"
    );
    for q in asked {
        assert_ne!(q["mode"], "url", "{v}");
        assert_eq!(q["approve_schema"]["type"], "boolean", "{v}");
    }
}

/// Session revisions: accept makes exactly the two writes, decline none, no answer before the
/// approval timeout none (and the late answer changes nothing).
fn assert_session_approvals(sdk: &Approver) {
    let crm = Crm::start(&[("MCP_APPROVAL_TIMEOUT_MS", "1500")]);
    let ids = crm.contacts(6);
    let url = &crm.mcp.url;

    let w0 = crm.writes();
    let v = sdk.run(url, "accept", &ids[0], &ids[1], "opportunity");
    assert!(
        v["protocolVersion"]
            .as_str()
            .is_some_and(|p| p.starts_with("2025-")),
        "a session revision: {v}"
    );
    assert_asked(&v, &ids[0], &ids[1], "opportunity");
    assert_eq!(v["calls"]["update"]["isError"], false, "{v}");
    assert_eq!(v["calls"]["archive"]["isError"], false, "{v}");
    let w1 = crm.writes();
    assert_eq!(
        new_writes(&w0, &w1),
        one_update_and_one_archive(),
        "accepting made exactly the two changes: {v}"
    );

    let v = sdk.run(url, "decline", &ids[2], &ids[3], "evangelist");
    assert_asked(&v, &ids[2], &ids[3], "evangelist");
    for call in ["update", "archive"] {
        assert_eq!(v["calls"][call]["isError"], true, "{v}");
        assert!(
            v["calls"][call]["text"]
                .as_str()
                .unwrap()
                .contains("did not approve"),
            "{v}"
        );
    }
    assert_eq!(
        new_writes(&w1, &crm.writes()),
        json!({}),
        "declining wrote nothing"
    );

    let v = sdk.run(url, "silent", &ids[4], &ids[5], "evangelist");
    assert_asked(&v, &ids[4], &ids[5], "evangelist");
    for call in ["update", "archive"] {
        let c = &v["calls"][call];
        assert_eq!(c["isError"], true, "{v}");
        assert!(
            c["text"].as_str().unwrap().contains("approval timeout"),
            "{v}"
        );
        assert!(
            c["ms"].as_u64().unwrap() >= 1000,
            "waited for the timeout: {v}"
        );
    }
    assert_eq!(
        new_writes(&w1, &crm.writes()),
        json!({}),
        "the timeout, and the answer after it, wrote nothing"
    );
}

/// 2026-07-28 (the SDK's auto negotiation): the SDK runs the `input_required` round trip with the same
/// handler. Accepting makes exactly the two writes; the captured answers (requestState + inputResponses)
/// sent again are refused and write nothing; declining writes nothing.
fn assert_input_required_approvals(sdk: &Approver) {
    let crm = Crm::start(&[]);
    let ids = crm.contacts(4);
    // On a tool profile's URL (issue #13): approvals work the same there.
    let url = &format!("{}/sales", crm.mcp.url);

    let w0 = crm.writes();
    let v = sdk.run(url, "accept", &ids[0], &ids[1], "opportunity");
    assert_eq!(v["protocolVersion"], "2026-07-28", "{v}");
    assert_asked(&v, &ids[0], &ids[1], "opportunity");
    for q in v["asked"].as_array().unwrap() {
        assert_eq!(q["mode"], "form", "{v}");
    }
    assert_eq!(v["calls"]["update"]["isError"], false, "{v}");
    assert_eq!(v["calls"]["archive"]["isError"], false, "{v}");
    let w1 = crm.writes();
    assert_eq!(new_writes(&w0, &w1), one_update_and_one_archive(), "{v}");

    // The SDK's retries, each carrying the server's requestState and the handler's answer.
    let retries = v["retries"].as_array().unwrap();
    assert_eq!(retries.len(), 2, "one retry per write: {v}");
    for body in retries {
        let body = body.as_str().unwrap();
        let sent: Value = serde_json::from_str(body).unwrap();
        assert!(sent["params"]["requestState"].is_string(), "{sent}");
        assert_eq!(
            sent["params"]["inputResponses"]["approval"]["action"], "accept",
            "{sent}"
        );
        let r = crm.post_raw(body);
        assert_eq!(r["isError"], true, "a replayed answer is refused: {r}");
        assert!(
            r["content"][0]["text"]
                .as_str()
                .unwrap()
                .contains("already been used"),
            "{r}"
        );
    }
    assert_eq!(
        new_writes(&w1, &crm.writes()),
        json!({}),
        "replays wrote nothing"
    );

    let v = sdk.run(url, "decline", &ids[2], &ids[3], "evangelist");
    assert_eq!(v["protocolVersion"], "2026-07-28", "{v}");
    assert_asked(&v, &ids[2], &ids[3], "evangelist");
    for call in ["update", "archive"] {
        assert_eq!(v["calls"][call]["isError"], true, "{v}");
        assert!(
            v["calls"][call]["text"]
                .as_str()
                .unwrap()
                .contains("did not approve"),
            "{v}"
        );
    }
    assert_eq!(
        new_writes(&w1, &crm.writes()),
        json!({}),
        "declining wrote nothing"
    );
}

#[test]
fn typescript_sdk_1x_approves_writes_by_elicitation() {
    assert_session_approvals(&Approver::ts("ts", &[]));
}

#[test]
fn typescript_sdk_2x_approves_writes_by_elicitation() {
    assert_session_approvals(&Approver::ts("ts-v2", &[("MCP_TS_NEGOTIATION", "legacy")]));
}

#[test]
fn typescript_sdk_2x_approves_writes_through_input_required() {
    assert_input_required_approvals(&Approver::ts("ts-v2", &[("MCP_TS_NEGOTIATION", "auto")]));
}

#[test]
fn python_sdk_1x_approves_writes_by_elicitation() {
    assert_session_approvals(&Approver::py(".venv-v1", &[]));
}

#[test]
fn python_sdk_2x_approves_writes_by_elicitation() {
    assert_session_approvals(&Approver::py(".venv", &["--mode", "legacy"]));
}

#[test]
fn python_sdk_2x_approves_writes_through_input_required() {
    assert_input_required_approvals(&Approver::py(".venv", &["--mode", "auto"]));
}

/// The approval page's link and id in a refusal's text.
fn approval_link(text: &str) -> (String, String) {
    let at = text
        .find("http://")
        .filter(|&i| text[i..].contains("/approvals/"))
        .unwrap_or_else(|| panic!("no approval link: {text}"));
    let link: String = text[at..]
        .chars()
        .take_while(|c| !c.is_whitespace())
        .collect();
    let id = link.rsplit('/').next().unwrap().to_string();
    assert!(
        id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit()),
        "{link}"
    );
    assert!(
        text.contains(&format!("\"approvalId\": \"{id}\"")),
        "{text}"
    );
    (link, id)
}

/// Runs a browser driver of tests/browser with a temporary directory of its own, and checks the driver
/// left nothing in it: the Chromium profile it made there is removed once the browser has exited.
fn run_browser(script: &str, args: &[&str], env: &[(&str, &str)]) -> Value {
    static RUNS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = RUNS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let tmp = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("browser-{}-{n}", std::process::id()));
    std::fs::create_dir_all(&tmp).unwrap();
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/browser")
        .join(script);
    let mut all_args = vec![path.to_str().unwrap()];
    all_args.extend_from_slice(args);
    let tmp_str = tmp.to_str().unwrap();
    let mut all_env = vec![("TMPDIR", tmp_str)];
    all_env.extend_from_slice(env);
    let v = run(node(), &all_args, &all_env);
    let left: Vec<String> = std::fs::read_dir(&tmp)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with("walk-") || name.starts_with("approve-"))
        .collect();
    assert!(
        left.is_empty(),
        "{script} left its browser profile behind in {}: {left:?}",
        tmp.display()
    );
    let _ = std::fs::remove_dir_all(&tmp);
    v
}

/// tests/browser/approve.mjs on `link`: the page as a person sees it, the button pressed, the answer.
fn browser_decides(link: &str, decision: &str, shot: &std::path::Path) -> Value {
    let v = run_browser(
        "approve.mjs",
        &[link, decision, shot.to_str().unwrap()],
        &[],
    );
    let png = std::fs::read(shot).unwrap();
    assert!(
        png.starts_with(b"\x89PNG") && png.len() > 5_000,
        "a screenshot of the approval page"
    );
    eprintln!(
        "approval page screenshot ({decision}): {} ({} bytes)",
        shot.display(),
        png.len()
    );
    let page = &v["page"];
    assert_eq!(page["heading"], "Approve this change to HubSpot?", "{v}");
    assert_eq!(page["approve"], "Approve", "{v}");
    assert_eq!(page["reject"], "Reject", "{v}");
    assert_eq!(page["scripts"], 0, "{v}");
    assert_eq!(page["form_method"], "post", "{v}");
    assert_eq!(page["csrf_field"], true, "{v}");
    assert_eq!(
        page["cookie_visible"], false,
        "the CSRF cookie is HttpOnly: {v}"
    );
    assert_eq!(page["cookie"][0]["name"], "hsmcp_approval", "{v}");
    assert_eq!(page["cookie"][0]["sameSite"], "Strict", "{v}");
    assert_eq!(page["overflows"], false, "fits a phone's width: {v}");
    v
}

#[test]
fn a_real_browser_approves_on_the_page_a_client_without_elicitation_was_sent_to() {
    let crm = Crm::start(&[]);
    let ids = crm.contacts(4);
    // The official TypeScript client without the elicitation capability: the update is made (the default
    // policy asks only when the client can), the archive is answered with the approval page's link.
    let w0 = crm.writes();
    let v = Approver::ts("ts", &[]).run(&crm.mcp.url, "none", &ids[0], &ids[1], "opportunity");
    assert_eq!(v["capability"], false, "{v}");
    assert_eq!(v["asked"], json!([]), "{v}");
    assert_eq!(v["calls"]["update"]["isError"], false, "{v}");
    let text = v["calls"]["archive"]["text"].as_str().unwrap();
    assert_eq!(v["calls"]["archive"]["isError"], true, "{v}");
    assert!(text.contains(&ids[1]), "the change is described: {text}");
    let (link, aid) = approval_link(text);
    let w1 = crm.writes();
    assert_eq!(
        new_writes(&w0, &w1),
        json!({"PATCH /crm/v3/objects/{type}/{id}": 1}),
        "the update only; the archive waits for the page"
    );
    let archive = json!({"objectType": "contacts", "id": ids[1], "approvalId": aid});
    // Retried before the person decided: refused.
    let r = crm.call("hubspot_archive_record", archive.clone());
    assert_eq!(r["isError"], true, "{r}");

    // The person approves in a real browser; that alone writes nothing.
    let out_dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let v = browser_decides(&link, "approve", &out_dir.join("approval-page.png"));
    let change = v["page"]["change"].as_str().unwrap();
    assert!(
        change.contains(&ids[1]) && change.contains("Archive"),
        "the page shows the change: {v}"
    );
    assert_eq!(v["after"]["heading"], "Approved", "{v}");
    assert_eq!(v["after"]["buttons"], 0, "{v}");
    assert_eq!(new_writes(&w1, &crm.writes()), json!({}));
    // The model's retry with the approvalId: exactly that archive.
    let r = crm.call("hubspot_archive_record", archive.clone());
    assert_eq!(r["isError"], false, "{r}");
    let w2 = crm.writes();
    assert_eq!(
        new_writes(&w1, &w2),
        json!({"DELETE /crm/v3/objects/{type}/{id}": 1})
    );
    // Once.
    let r = crm.call("hubspot_archive_record", archive);
    assert_eq!(r["isError"], true, "{r}");

    // Rejected in the browser: the retry is refused, nothing written.
    let r = crm.call(
        "hubspot_archive_record",
        json!({"objectType": "contacts", "id": ids[2]}),
    );
    assert_eq!(r["isError"], true, "{r}");
    let (link, aid) = approval_link(r["content"][0]["text"].as_str().unwrap());
    let v = browser_decides(&link, "reject", &out_dir.join("approval-page-reject.png"));
    assert_eq!(v["after"]["heading"], "Rejected", "{v}");
    let r = crm.call(
        "hubspot_archive_record",
        json!({"objectType": "contacts", "id": ids[2], "approvalId": aid}),
    );
    assert_eq!(r["isError"], true, "{r}");
    assert!(
        r["content"][0]["text"]
            .as_str()
            .unwrap()
            .contains("did not approve"),
        "{r}"
    );
    assert_eq!(new_writes(&w2, &crm.writes()), json!({}));
}
