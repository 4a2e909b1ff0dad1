//! The official MCP SDK clients (TypeScript 1.x and 2.x, Python `mcp` 1.x and 2.x) against the real
//! binary. Not part of plain `cargo test` (`test = false` in Cargo.toml) because the clients must be
//! installed first: `scripts/test.sh` installs them under `.cache/clients` and runs
//! `cargo test --test sdk`. Each driver prints one JSON summary line (see tests/clients/*).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::Value;

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
    let mut child = Command::new(env!("CARGO_BIN_EXE_hubspot-mcp"))
        .args(["serve", "--demo"])
        .env_clear()
        .env("PORT", "0")
        .env("HOST", "127.0.0.1")
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
