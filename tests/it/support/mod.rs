//! Test support: start the real binary on 127.0.0.1 port 0, learn its address from the `listening`
//! log line, capture its stderr, and speak HTTP/1.1 to it over raw sockets (so tests control every
//! header and byte, including broken ones).

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

pub mod keys;
pub mod redis_server;

pub const BIN: &str = env!("CARGO_BIN_EXE_hubspot-mcp");
pub const TOKEN: &str = "pat-na1-00000000-0000-0000-0000-000000000000";

/// A running server process.
pub struct Server {
    pub child: Child,
    pub addr: SocketAddr,
    pub logs: Arc<Mutex<Vec<String>>>,
}

impl Server {
    /// Starts `hubspot-mcp serve --demo` with `env` on 127.0.0.1:0.
    pub fn start(env: &[(&str, &str)]) -> Server {
        Self::start_args(&["serve", "--demo"], env)
    }

    pub fn start_args(args: &[&str], env: &[(&str, &str)]) -> Server {
        let mut cmd = Command::new(BIN);
        cmd.args(args)
            .env_clear()
            .env("PORT", "0")
            .env("HOST", "127.0.0.1")
            .env("LOG_LEVEL", "debug")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("spawn hubspot-mcp");
        let stderr = child.stderr.take().unwrap();
        let logs = Arc::new(Mutex::new(Vec::new()));
        let (tx, rx) = std::sync::mpsc::channel();
        let sink = logs.clone();
        std::thread::spawn(move || {
            let mut tx = Some(tx);
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                if let Some(t) = &tx {
                    if let Ok(v) = serde_json::from_str::<Value>(&line) {
                        if v["msg"] == "listening" {
                            let _ = t.send(v["addr"].as_str().unwrap().to_string());
                            tx = None;
                        }
                    }
                }
                sink.lock().unwrap().push(line);
            }
        });
        let addr = match rx.recv_timeout(Duration::from_secs(20)) {
            Ok(a) => a.parse().unwrap(),
            Err(_) => {
                let _ = child.kill();
                panic!(
                    "server did not log `listening`; stderr: {:?}",
                    logs.lock().unwrap()
                );
            }
        };
        Server { child, addr, logs }
    }

    /// The log lines so far. The server batches its log lines (written every 50 ms, warnings at once):
    /// this waits three intervals first, so the lines of what the test just did are there.
    pub fn logs(&self) -> Vec<String> {
        std::thread::sleep(Duration::from_millis(150));
        self.logs.lock().unwrap().clone()
    }

    /// Waits (at most 10 s) until a log line contains `needle`: stderr is read by another thread.
    pub fn wait_log(&self, needle: &str) -> bool {
        let end = Instant::now() + Duration::from_secs(10);
        while Instant::now() < end {
            if self.logs.lock().unwrap().iter().any(|l| l.contains(needle)) {
                return true;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        false
    }

    /// Sends a signal with kill(1).
    pub fn signal(&self, sig: &str) {
        let st = Command::new("kill")
            .args([&format!("-{sig}"), &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(st.success());
    }

    /// Waits for the process to exit; `None` if it did not within `limit`.
    pub fn wait_exit(&mut self, limit: Duration) -> Option<std::process::ExitStatus> {
        let end = Instant::now() + limit;
        while Instant::now() < end {
            if let Some(st) = self.child.try_wait().unwrap() {
                return Some(st);
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        None
    }

    pub fn client(&self) -> Client {
        Client {
            addr: self.addr,
            host: format!("127.0.0.1:{}", self.addr.port()),
            bearer: None,
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An HTTP response.
#[derive(Debug, Clone)]
pub struct Resp {
    pub status: u16,
    pub headers: HashMap<String, String>,
    pub body: String,
    /// The body as received (`body` is its lossy UTF-8 reading).
    pub bytes: Vec<u8>,
}

impl Resp {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {:?}", self.body))
    }
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .get(&name.to_ascii_lowercase())
            .map(String::as_str)
    }
    /// The `name=value` of the (last) `Set-Cookie` header.
    pub fn cookie(&self) -> String {
        let c = self.header("set-cookie").expect("a Set-Cookie header");
        c.split(';').next().unwrap_or("").to_string()
    }
    /// The JSON-RPC error code of the body.
    pub fn code(&self) -> i64 {
        self.json()["error"]["code"]
            .as_i64()
            .unwrap_or_else(|| panic!("no error code in {}", self.body))
    }
}

pub const ACCEPT: &str = "application/json, text/event-stream";

/// A raw HTTP/1.1 client for one server.
#[derive(Clone)]
pub struct Client {
    pub addr: SocketAddr,
    pub host: String,
    /// Sent as `Authorization: Bearer …` on every request when set.
    pub bearer: Option<String>,
}

impl Client {
    pub fn request(&self, method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> Resp {
        let mut s = TcpStream::connect(self.addr).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
        let mut req = format!("{method} {path} HTTP/1.1\r\nConnection: close\r\n");
        if !headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("host")) {
            req.push_str(&format!("Host: {}\r\n", self.host));
        }
        for (k, v) in headers {
            req.push_str(&format!("{k}: {v}\r\n"));
        }
        if let Some(t) = &self.bearer {
            req.push_str(&format!("Authorization: Bearer {t}\r\n"));
        }
        if !body.is_empty() || method == "POST" {
            req.push_str(&format!("Content-Length: {}\r\n", body.len()));
        }
        req.push_str("\r\n");
        req.push_str(body);
        s.write_all(req.as_bytes()).unwrap();
        read_response(&mut s)
    }

    /// Opens the approval page at `path` as a browser would (with `signed_in`, another cookie such as
    /// `oauth` mode's sign-in) and presses `decision`; returns the decision's status.
    pub fn decide_on_page(&self, path: &str, decision: &str, signed_in: Option<&str>) -> u16 {
        let h: Vec<(&str, &str)> = signed_in.map(|c| ("Cookie", c)).into_iter().collect();
        let page = self.request("GET", path, &h, "");
        assert_eq!(page.status, 200, "{page:?}");
        assert_eq!(page.header("x-frame-options"), Some("DENY"));
        let csrf_cookie = page.cookie();
        let csrf = csrf_cookie.split_once('=').unwrap().1.to_string();
        assert!(page.body.contains(&csrf));
        let cookies = match signed_in {
            Some(c) => format!("{csrf_cookie}; {c}"),
            None => csrf_cookie,
        };
        let origin = format!("http://{}", self.host);
        self.request(
            "POST",
            path,
            &[
                ("Content-Type", "application/x-www-form-urlencoded"),
                ("Cookie", &cookies),
                ("Origin", &origin),
            ],
            &format!("csrf={csrf}&decision={decision}"),
        )
        .status
    }

    /// POST /mcp with the standard headers plus `extra`.
    pub fn post(&self, extra: &[(&str, &str)], body: &Value) -> Resp {
        let mut h = vec![("Content-Type", "application/json"), ("Accept", ACCEPT)];
        h.extend_from_slice(extra);
        self.request("POST", "/mcp", &h, &body.to_string())
    }

    /// initialize at `version`; returns (session id, response).
    pub fn initialize(&self, version: &str) -> (String, Resp) {
        let r = self.post(&[], &init_body(version));
        assert_eq!(r.status, 200, "{r:?}");
        let sid = r.header("mcp-session-id").expect("session id").to_string();
        let n = self.post(
            &[("Mcp-Session-Id", &sid)],
            &json!({"jsonrpc":"2.0","method":"notifications/initialized"}),
        );
        assert_eq!(n.status, 202, "{n:?}");
        (sid, r)
    }

    /// A request on a session.
    pub fn call(&self, sid: &str, version: &str, id: i64, method: &str, params: Value) -> Resp {
        self.post(
            &[("Mcp-Session-Id", sid), ("MCP-Protocol-Version", version)],
            &json!({"jsonrpc":"2.0","id":id,"method":method,"params":params}),
        )
    }

    /// Like [`Client::request`], but `None` instead of a panic when the connection is refused or breaks
    /// (a server restarting).
    #[allow(dead_code)] // used by tests/soak
    pub fn try_request(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &str,
    ) -> Option<Resp> {
        let mut s = TcpStream::connect(self.addr).ok()?;
        s.set_read_timeout(Some(Duration::from_secs(30))).ok()?;
        let mut req = format!(
            "{method} {path} HTTP/1.1\r\nConnection: close\r\nHost: {}\r\n",
            self.host
        );
        for (k, v) in headers {
            req.push_str(&format!("{k}: {v}\r\n"));
        }
        req.push_str(&format!("Content-Length: {}\r\n\r\n{body}", body.len()));
        s.write_all(req.as_bytes()).ok()?;
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| read_response(&mut s))).ok()
    }

    /// A request on a session, `None` when the connection fails.
    #[allow(dead_code)] // used by tests/soak
    pub fn try_call(&self, sid: &str, method: &str, params: Value) -> Option<Resp> {
        let body = json!({"jsonrpc":"2.0","id":1,"method":method,"params":params}).to_string();
        self.try_request(
            "POST",
            "/mcp",
            &[
                ("Content-Type", "application/json"),
                ("Accept", ACCEPT),
                ("Mcp-Session-Id", sid),
                ("MCP-Protocol-Version", "2025-06-18"),
            ],
            &body,
        )
    }

    /// A 2026-07-28 request, `None` when the connection fails.
    #[allow(dead_code)] // used by tests/soak
    pub fn try_stateless(&self, id: i64, method: &str, params: Value) -> Option<Resp> {
        let body = stateless_body(id, method, params).to_string();
        self.try_request(
            "POST",
            "/mcp",
            &[
                ("Content-Type", "application/json"),
                ("Accept", ACCEPT),
                ("MCP-Protocol-Version", "2026-07-28"),
                ("Mcp-Method", method),
            ],
            &body,
        )
    }

    /// DELETE /mcp for a session.
    pub fn delete_session(&self, sid: &str, version: &str) -> Resp {
        self.request(
            "DELETE",
            "/mcp",
            &[("Mcp-Session-Id", sid), ("MCP-Protocol-Version", version)],
            "",
        )
    }

    /// A 2026-07-28 request with correct `_meta` and headers.
    pub fn stateless(&self, id: i64, method: &str, params: Value) -> Resp {
        let body = stateless_body(id, method, params);
        let name = body["params"]["name"]
            .as_str()
            .or(body["params"]["uri"].as_str())
            .map(str::to_string);
        let mut h = vec![
            ("MCP-Protocol-Version", "2026-07-28"),
            ("Mcp-Method", method),
        ];
        if let Some(n) = name.as_deref() {
            h.push(("Mcp-Name", n));
        }
        self.post(&h, &body)
    }
}

pub fn init_body(version: &str) -> Value {
    json!({"jsonrpc":"2.0","id":1,"method":"initialize","params":{
        "protocolVersion": version, "capabilities": {}, "clientInfo": {"name":"it","version":"1"}}})
}

pub fn stateless_body(id: i64, method: &str, params: Value) -> Value {
    let mut p = params;
    p["_meta"] = json!({
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientCapabilities": {},
        "io.modelcontextprotocol/clientInfo": {"name": "it", "version": "1"}
    });
    json!({"jsonrpc":"2.0","id":id,"method":method,"params":p})
}

/// Reads one response (Content-Length, chunked, or to EOF).
pub fn read_response(s: &mut TcpStream) -> Resp {
    let mut r = BufReader::new(s);
    let mut line = String::new();
    r.read_line(&mut line).unwrap();
    let status = line
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let mut headers = HashMap::new();
    loop {
        line.clear();
        if r.read_line(&mut line).unwrap_or(0) == 0 {
            break;
        }
        let l = line.trim_end();
        if l.is_empty() {
            break;
        }
        if let Some((k, v)) = l.split_once(':') {
            headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
        }
    }
    let mut body = Vec::new();
    if headers
        .get("transfer-encoding")
        .is_some_and(|t| t.contains("chunked"))
    {
        loop {
            line.clear();
            r.read_line(&mut line).unwrap();
            let n = usize::from_str_radix(line.trim(), 16).unwrap_or(0);
            let mut chunk = vec![0; n + 2];
            r.read_exact(&mut chunk).unwrap();
            if n == 0 {
                break;
            }
            body.extend_from_slice(&chunk[..n]);
        }
    } else if let Some(n) = headers
        .get("content-length")
        .and_then(|v| v.parse::<usize>().ok())
    {
        body.resize(n, 0);
        r.read_exact(&mut body).unwrap();
    } else {
        let _ = r.read_to_end(&mut body);
    }
    Resp {
        status,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
        bytes: body,
    }
}

/// Polls `/health` until `pred` holds on (status code, body); panics after `limit`.
pub fn wait_health(
    s: &Server,
    limit: Duration,
    pred: impl Fn(u16, &Value) -> bool,
) -> (u16, Value) {
    let end = Instant::now() + limit;
    loop {
        let r = s.client().request("GET", "/health", &[], "");
        let v = r.json();
        if pred(r.status, &v) {
            return (r.status, v);
        }
        assert!(
            Instant::now() < end,
            "/health never matched; last: {} {v}",
            r.status
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The HubSpot sandbox run as its own process (`hubspot-mcp sandbox`), like a remote HubSpot.
pub struct SandboxProc {
    pub server: Server,
    pub base_url: String,
}

pub const SANDBOX_TOKEN: &str = "pat-na1-11111111-2222-3333-4444-555555555555";

impl SandboxProc {
    pub fn start() -> SandboxProc {
        Self::start_with(&[])
    }

    /// With `env` (e.g. `HUBSPOT_SANDBOX_SEED=large`).
    pub fn start_with(env: &[(&str, &str)]) -> SandboxProc {
        let server = Server::start_args(&["sandbox", "--port", "0", "--token", SANDBOX_TOKEN], env);
        let base_url = format!("http://{}", server.addr);
        SandboxProc { server, base_url }
    }

    /// An API call straight to the sandbox, as HubSpot (bypassing the MCP server).
    pub fn api(&self, method: &str, path: &str, body: Option<&Value>) -> Resp {
        let auth = format!("Bearer {SANDBOX_TOKEN}");
        let text = body.map(Value::to_string).unwrap_or_default();
        let mut headers = vec![("Authorization", auth.as_str())];
        if body.is_some() {
            headers.push(("Content-Type", "application/json"));
        }
        self.server.client().request(method, path, &headers, &text)
    }

    fn control(&self, method: &str, path: &str, body: &str) -> Resp {
        let auth = format!("Bearer {SANDBOX_TOKEN}");
        self.server.client().request(
            method,
            path,
            &[
                ("Authorization", &auth),
                ("Content-Type", "application/json"),
            ],
            body,
        )
    }

    /// Sets fault knobs (POST /__sandbox/faults).
    pub fn faults(&self, v: Value) {
        let r = self.control("POST", "/__sandbox/faults", &v.to_string());
        assert!(r.status < 300, "faults: {r:?}");
    }

    /// Request counts by "METHOD /path/template", and "total".
    pub fn stats(&self) -> Value {
        self.control("GET", "/__sandbox/stats", "").json()
    }

    /// How many calls matched `key` (e.g. "POST /crm/v3/objects/{type}").
    pub fn count(&self, key: &str) -> u64 {
        let s = self.stats();
        s.get("requests")
            .and_then(|c| c.get(key))
            .or_else(|| s.get(key))
            .and_then(Value::as_u64)
            .unwrap_or(0)
    }

    pub fn reset(&self) {
        let r = self.control("POST", "/__sandbox/reset", "");
        assert!(r.status < 300, "reset: {r:?}");
    }
}

/// An MCP server pointed at `sb`, and a stateless helper to call its tools.
pub struct Crm {
    pub sb: SandboxProc,
    pub mcp: Server,
}

impl Crm {
    pub fn start(env: &[(&str, &str)]) -> Crm {
        Self::with_sandbox(SandboxProc::start(), env)
    }

    /// An MCP server with `env` pointed at the sandbox `sb`.
    pub fn with_sandbox(sb: SandboxProc, env: &[(&str, &str)]) -> Crm {
        let mut all = vec![
            ("HUBSPOT_API_BASE_URL", sb.base_url.as_str()),
            ("HUBSPOT_ACCESS_TOKEN", SANDBOX_TOKEN),
            // The sandbox is ours: no need to pace calls in tests.
            ("HUBSPOT_RATE_LIMIT", "1000"),
            ("HUBSPOT_SEARCH_RATE_LIMIT", "1000"),
            // Tests count the calls the sandbox receives: no background health checks unless asked for.
            ("HEALTH_CHECK_ENABLED", "false"),
        ];
        all.extend_from_slice(env);
        let mcp = Server::start_args(&["serve"], &all);
        Crm { sb, mcp }
    }

    /// tools/call (2026-07-28 form); returns the `result` (panics on a JSON-RPC error).
    pub fn call(&self, tool: &str, args: Value) -> Value {
        let r =
            self.mcp
                .client()
                .stateless(1, "tools/call", json!({"name": tool, "arguments": args}));
        let v = r.json();
        assert!(v.get("result").is_some(), "{tool}: protocol error {v}");
        v["result"].clone()
    }

    /// tools/call that must succeed; returns structuredContent (or the text when there is none). A write
    /// the policy sends to the approval page (archives) is approved there, as a person would, and retried
    /// with its `approvalId`.
    pub fn ok(&self, tool: &str, args: Value) -> Value {
        let mut r = self.call(tool, args.clone());
        let text = r["content"][0]["text"].as_str().unwrap_or("").to_string();
        if r["isError"] == true && text.contains("\"approvalId\"") {
            let at = text.find("/approvals/").unwrap();
            let path: String = text[at..]
                .chars()
                .take_while(|c| !c.is_whitespace())
                .collect();
            let status = self.mcp.client().decide_on_page(&path, "approve", None);
            assert_eq!(status, 200, "approval page");
            let mut again = args.clone();
            again["approvalId"] = path.trim_start_matches("/approvals/").into();
            r = self.call(tool, again);
        }
        assert_eq!(
            r["isError"], false,
            "{tool} {args}: {}",
            r["content"][0]["text"]
        );
        r.get("structuredContent")
            .cloned()
            .unwrap_or_else(|| r["content"][0]["text"].clone())
    }

    /// tools/call that must fail as a tool error; returns its text.
    pub fn err(&self, tool: &str, args: Value) -> String {
        let r = self.call(tool, args.clone());
        assert_eq!(r["isError"], true, "{tool} {args} should fail: {r}");
        r["content"][0]["text"].as_str().unwrap_or("").to_string()
    }

    pub fn tool_names(&self) -> Vec<String> {
        let r = self.mcp.client().stateless(1, "tools/list", json!({}));
        r.json()["result"]["tools"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["name"].as_str().unwrap().to_string())
            .collect()
    }
}
