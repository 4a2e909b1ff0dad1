use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};

use serde_json::{json, Value};

use crate::support::{stateless_body, BIN};

#[test]
fn stdio_serves_newline_delimited_json_rpc() {
    let mut child = Command::new(BIN)
        .args(["stdio", "--demo"])
        .env_clear()
        .env("LOG_LEVEL", "info")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut next = || {
        let mut l = String::new();
        out.read_line(&mut l).unwrap();
        serde_json::from_str::<Value>(&l)
            .unwrap_or_else(|e| panic!("stdout line is not JSON ({e}): {l:?}"))
    };
    let mut send = |v: &str| {
        stdin.write_all(v.as_bytes()).unwrap();
        stdin.write_all(b"\n").unwrap();
    };
    send(&crate::support::init_body("2025-06-18").to_string());
    let init = next();
    assert_eq!(init["result"]["protocolVersion"], "2025-06-18");
    send(r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#);
    send(r#"{"jsonrpc":"2.0","id":2,"method":"tools/list"}"#);
    assert!(next()["result"]["tools"]
        .as_array()
        .unwrap()
        .iter()
        .any(|t| t["name"] == "echo"));
    send("{oops");
    assert_eq!(next()["error"]["code"], -32700);
    send("");
    send(r#"{"jsonrpc":"2.0","id":3,"method":"nope"}"#);
    assert_eq!(next()["error"]["code"], -32601);
    send(
        &json!({"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"echo",
        "arguments":{"text":"p","delayMs":40,"steps":2},"_meta":{"progressToken":"s"}}})
        .to_string(),
    );
    assert_eq!(next()["method"], "notifications/progress");
    assert_eq!(next()["method"], "notifications/progress");
    assert_eq!(next()["result"]["content"][0]["text"], "p");
    // Cancellation reaches a running tool.
    send(
        &json!({"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"echo",
        "arguments":{"text":"c","delayMs":8000,"steps":400},"_meta":{"progressToken":"c"}}})
        .to_string(),
    );
    assert_eq!(next()["method"], "notifications/progress");
    send(r#"{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":5}}"#);
    let last = loop {
        let m = next();
        if m.get("id").is_some() {
            break m;
        }
    };
    assert_eq!(last["error"]["code"], -32800);
    // 2026-07-28 per-request form works on stdio too.
    send(&stateless_body(6, "server/discover", json!({})).to_string());
    assert_eq!(next()["result"]["supportedVersions"][0], "2026-07-28");
    drop(stdin);
    let status = child.wait().unwrap();
    assert!(status.success());
    let mut err = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
    assert!(
        err.contains("stdio session initialized"),
        "logs go to stderr: {err}"
    );
}

/// Over stdio a client with elicitation is asked on stdout and answers on stdin; one without is told
/// no approval page exists over stdio, and nothing is written.
#[test]
fn stdio_asks_for_approval_on_the_same_pipe() {
    let mut child = Command::new(BIN)
        .args(["stdio", "--demo"])
        .env_clear()
        .env("LOG_LEVEL", "info")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut next = || {
        let mut l = String::new();
        out.read_line(&mut l).unwrap();
        serde_json::from_str::<Value>(&l).unwrap()
    };
    let mut send = |v: Value| {
        stdin.write_all(v.to_string().as_bytes()).unwrap();
        stdin.write_all(b"\n").unwrap();
    };
    send(
        json!({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18",
        "capabilities":{"elicitation":{}},"clientInfo":{"name":"desk","version":"1"}}}),
    );
    assert_eq!(next()["id"], 1);
    let archive = |id: i64| {
        json!({"jsonrpc":"2.0","id":id,"method":"tools/call","params":{
        "name":"hubspot_archive_record","arguments":{"objectType":"contacts","id":"101"}}})
    };
    send(archive(2));
    let ask = next();
    assert_eq!(ask["method"], "elicitation/create", "{ask}");
    assert!(ask["params"]["message"].as_str().unwrap().contains("101"));
    send(json!({"jsonrpc":"2.0","id":ask["id"],"result":{"action":"decline"}}));
    let done = next();
    assert_eq!(done["id"], 2);
    assert_eq!(done["result"]["isError"], true, "{done}");
    // Accepted: archived; the contact is then gone.
    send(archive(3));
    let ask = next();
    send(
        json!({"jsonrpc":"2.0","id":ask["id"],"result":{"action":"accept","content":{"approve":true}}}),
    );
    let done = next();
    assert_eq!(done["result"]["isError"], false, "{done}");
    send(
        json!({"jsonrpc":"2.0","id":4,"method":"tools/call","params":{
        "name":"hubspot_get_record","arguments":{"objectType":"contacts","id":"101"}}}),
    );
    assert_eq!(next()["result"]["isError"], true, "archived");
    drop(stdin);
    let _ = child.wait();
}

#[test]
fn stdio_serves_one_tool_profile_when_asked_and_refuses_an_unknown_one() {
    let mut child = Command::new(BIN)
        .args(["stdio", "--demo", "--profile", "admin"])
        .env_clear()
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut next = || {
        let mut l = String::new();
        out.read_line(&mut l).unwrap();
        serde_json::from_str::<Value>(&l).unwrap()
    };
    for line in [
        crate::support::init_body("2025-06-18").to_string(),
        r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#.to_string(),
        r#"{"jsonrpc":"2.0","id":2,"method":"tools/list"}"#.to_string(),
    ] {
        stdin.write_all(line.as_bytes()).unwrap();
        stdin.write_all(b"\n").unwrap();
    }
    assert_eq!(next()["id"], 1);
    let names: Vec<String> = next()["result"]["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap().to_string())
        .collect();
    assert!(
        names.contains(&"hubspot_list_properties".to_string()),
        "{names:?}"
    );
    assert!(
        !names
            .iter()
            .any(|n| n == "echo" || n == "hubspot_list_records"),
        "{names:?}"
    );
    // A 2026-07-28 request on the same pipe: the same profile.
    let call = stateless_body(
        3,
        "tools/call",
        json!({"name": "hubspot_list_records", "arguments": {"objectType": "contacts"}}),
    );
    stdin.write_all(call.to_string().as_bytes()).unwrap();
    stdin.write_all(b"\n").unwrap();
    assert_eq!(next()["error"]["code"], -32602);
    drop(stdin);
    child.wait().unwrap();

    let out = Command::new(BIN)
        .args(["stdio", "--demo", "--profile", "nope"])
        .env_clear()
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("all, read, sales, admin"), "{err}");
}
