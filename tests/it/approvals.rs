//! A person says yes before a write: elicitation on the call's SSE stream (session revisions), the
//! approval page and its one-time link (clients that cannot ask), the 2026-07-28 `input_required`
//! round trip, the approval timeout, forged / reused / widened approvals, two replicas on one Redis,
//! the write policy, and one audit line per write. Each test counts the writes the sandbox received.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use serde_json::{json, Value};

use crate::support::redis_server::RedisServer;
use crate::support::{Client, Crm, SandboxProc, Server, ACCEPT, SANDBOX_TOKEN};

/// Writes the sandbox received (creates, updates, archives, association changes), reads excluded.
pub(crate) fn writes(sb: &SandboxProc) -> u64 {
    let s = sb.stats();
    let map = s.get("requests").unwrap_or(&s);
    map.as_object()
        .unwrap()
        .iter()
        .filter(|(k, _)| {
            let write = k.starts_with("PATCH ")
                || k.starts_with("DELETE ")
                || k.starts_with("PUT ")
                || k.starts_with("POST ");
            write && !k.contains("search") && !k.contains("/batch/read") && !k.contains("__sandbox")
        })
        .map(|(_, v)| v.as_u64().unwrap_or(0))
        .sum()
}

/// An open SSE reply, read event by event.
pub(crate) struct Stream {
    r: BufReader<TcpStream>,
    buf: String,
    pub(crate) status: u16,
    pub(crate) content_type: String,
    done: bool,
    /// Keep-alive comments seen.
    pub(crate) comments: usize,
}

impl Stream {
    pub(crate) fn post(c: &Client, headers: &[(&str, &str)], body: &Value) -> Stream {
        let mut s = TcpStream::connect(c.addr).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
        let body = body.to_string();
        let mut req = format!(
            "POST /mcp HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nAccept: {ACCEPT}\r\nContent-Length: {}\r\n",
            c.host,
            body.len()
        );
        if let Some(t) = &c.bearer {
            req.push_str(&format!("Authorization: Bearer {t}\r\n"));
        }
        for (k, v) in headers {
            req.push_str(&format!("{k}: {v}\r\n"));
        }
        req.push_str("\r\n");
        req.push_str(&body);
        s.write_all(req.as_bytes()).unwrap();
        let mut r = BufReader::new(s);
        let mut line = String::new();
        r.read_line(&mut line).unwrap();
        let status = line.split_whitespace().nth(1).unwrap().parse().unwrap();
        let mut content_type = String::new();
        loop {
            line.clear();
            r.read_line(&mut line).unwrap();
            if line.trim().is_empty() {
                break;
            }
            if let Some((k, v)) = line.split_once(':') {
                if k.eq_ignore_ascii_case("content-type") {
                    content_type = v.trim().to_string();
                }
            }
        }
        Stream {
            r,
            buf: String::new(),
            status,
            content_type,
            done: false,
            comments: 0,
        }
    }

    /// The next event's JSON; `None` at the end of the stream.
    pub(crate) fn next(&mut self) -> Option<Value> {
        loop {
            if let Some(i) = self.buf.find("\n\n") {
                let ev: String = self.buf.drain(..i + 2).collect();
                if ev.starts_with(':') {
                    self.comments += 1;
                    continue;
                }
                let data: String = ev
                    .lines()
                    .filter_map(|l| l.strip_prefix("data: "))
                    .collect();
                return Some(serde_json::from_str(&data).unwrap());
            }
            if self.done {
                return None;
            }
            let mut line = String::new();
            self.r.read_line(&mut line).unwrap();
            let n = usize::from_str_radix(line.trim(), 16).unwrap();
            let mut chunk = vec![0; n + 2];
            self.r.read_exact(&mut chunk).unwrap();
            if n == 0 {
                self.done = true;
                continue;
            }
            self.buf.push_str(std::str::from_utf8(&chunk[..n]).unwrap());
        }
    }

    /// Events until the JSON-RPC response with `id`; returns (the requests seen, the response).
    pub(crate) fn until_response(&mut self, id: i64) -> (Vec<Value>, Value) {
        let mut seen = Vec::new();
        while let Some(ev) = self.next() {
            if ev["id"] == id && ev.get("method").is_none() {
                return (seen, ev);
            }
            seen.push(ev);
        }
        panic!("stream ended without response {id}: {seen:?}");
    }
}

/// `initialize` declaring `capabilities`; returns the session id.
pub(crate) fn open_session(c: &Client, version: &str, capabilities: Value) -> String {
    let r = c.post(
        &[],
        &json!({"jsonrpc":"2.0","id":1,"method":"initialize","params":{
            "protocolVersion": version, "capabilities": capabilities,
            "clientInfo": {"name": "approval-it", "version": "1"}}}),
    );
    assert_eq!(r.status, 200, "{r:?}");
    let sid = r.header("mcp-session-id").unwrap().to_string();
    let n = c.post(
        &[("Mcp-Session-Id", &sid)],
        &json!({"jsonrpc":"2.0","method":"notifications/initialized"}),
    );
    assert_eq!(n.status, 202);
    sid
}

/// Starts a `tools/call` on a session as a stream.
pub(crate) fn call_stream(
    c: &Client,
    sid: &str,
    version: &str,
    id: i64,
    tool: &str,
    args: Value,
) -> Stream {
    Stream::post(
        c,
        &[("Mcp-Session-Id", sid), ("MCP-Protocol-Version", version)],
        &json!({"jsonrpc":"2.0","id":id,"method":"tools/call","params":{"name":tool,"arguments":args}}),
    )
}

/// POSTs the client's answer to an elicitation on the session.
pub(crate) fn answer(c: &Client, sid: &str, version: &str, id: &Value, result: Value) {
    let r = c.post(
        &[("Mcp-Session-Id", sid), ("MCP-Protocol-Version", version)],
        &json!({"jsonrpc":"2.0","id":id,"result":result}),
    );
    assert_eq!(r.status, 202, "{r:?}");
}

/// A seeded contact's id and its `lifecyclestage` now.
fn a_contact(crm: &Crm) -> (String, Value) {
    let list = crm.ok(
        "hubspot_list_records",
        json!({"objectType": "contacts", "limit": 1, "properties": ["lifecyclestage"]}),
    );
    let rec = &list["results"][0];
    (
        rec["id"].as_str().unwrap().to_string(),
        rec["properties"]["lifecyclestage"].clone(),
    )
}

/// The audit lines the server logged.
pub(crate) fn audit_lines(s: &Server) -> Vec<Value> {
    s.logs()
        .iter()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|v| v["msg"] == "audit")
        .map(|v| v["audit"].clone())
        .collect()
}

const V: &str = "2025-06-18";

#[test]
fn session_elicitation_accept_decline_and_timeout() {
    let crm = Crm::start(&[("MCP_APPROVAL_TIMEOUT_MS", "1500")]);
    let c = crm.mcp.client();
    let (id, before) = a_contact(&crm);
    let sid = open_session(&c, V, json!({"elicitation": {}}));
    let args =
        json!({"objectType": "contacts", "id": id, "properties": {"lifecyclestage": "customer"}});

    // Accept: the stream carries the question, the answer arrives on another POST, one write is made.
    let w0 = writes(&crm.sb);
    let mut s = call_stream(&c, &sid, V, 10, "hubspot_update_record", args.clone());
    assert_eq!(s.status, 200);
    assert!(
        s.content_type.starts_with("text/event-stream"),
        "{}",
        s.content_type
    );
    let ask = s.next().unwrap();
    assert_eq!(ask["method"], "elicitation/create", "{ask}");
    let msg = ask["params"]["message"].as_str().unwrap();
    assert!(
        msg.contains(&id) && msg.contains("lifecyclestage") && msg.contains("customer"),
        "{msg}"
    );
    assert!(
        msg.contains(&format!(
            "{} → customer",
            before.as_str().unwrap_or("(empty)")
        )),
        "before and after: {msg}"
    );
    assert!(
        ask["params"].get("mode").is_none(),
        "2025-06-18 names no mode"
    );
    assert_eq!(writes(&crm.sb), w0, "nothing written before the answer");
    answer(
        &c,
        &sid,
        V,
        &ask["id"],
        json!({"action": "accept", "content": {"approve": true}}),
    );
    let (_, done) = s.until_response(10);
    assert_eq!(done["result"]["isError"], false, "{done}");
    assert_eq!(writes(&crm.sb), w0 + 1, "exactly one write");

    // Decline and cancel: nothing written.
    for action in ["decline", "cancel"] {
        let mut s = call_stream(&c, &sid, V, 11, "hubspot_update_record", args.clone());
        let ask = s.next().unwrap();
        answer(&c, &sid, V, &ask["id"], json!({"action": action}));
        let (_, done) = s.until_response(11);
        assert_eq!(done["result"]["isError"], true, "{done}");
        assert!(done["result"]["content"][0]["text"]
            .as_str()
            .unwrap()
            .contains("did not approve"));
    }
    // Accepted with the box unticked is a no.
    let mut s = call_stream(&c, &sid, V, 12, "hubspot_update_record", args.clone());
    let ask = s.next().unwrap();
    answer(
        &c,
        &sid,
        V,
        &ask["id"],
        json!({"action": "accept", "content": {"approve": false}}),
    );
    assert_eq!(s.until_response(12).1["result"]["isError"], true);

    // No answer within MCP_APPROVAL_TIMEOUT_MS: declined, nothing written.
    let mut s = call_stream(&c, &sid, V, 13, "hubspot_update_record", args.clone());
    let ask = s.next().unwrap();
    assert_eq!(ask["method"], "elicitation/create");
    let started = std::time::Instant::now();
    let (_, done) = s.until_response(13);
    assert!(
        started.elapsed() >= Duration::from_millis(1000),
        "waited for the timeout"
    );
    assert!(s.comments >= 1, "the stream was kept alive while it waited");
    assert!(
        done["result"]["content"][0]["text"]
            .as_str()
            .unwrap()
            .contains("approval timeout"),
        "{done}"
    );
    // A late answer changes nothing.
    answer(
        &c,
        &sid,
        V,
        &ask["id"],
        json!({"action": "accept", "content": {"approve": true}}),
    );
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(
        writes(&crm.sb),
        w0 + 1,
        "declines and the timeout wrote nothing"
    );

    // The audit trail: one line for the one write, with before and after, no token.
    let lines = audit_lines(&crm.mcp);
    assert_eq!(lines.len(), 1, "{lines:?}");
    let a = &lines[0];
    assert_eq!(a["tool"], "hubspot_update_record");
    assert_eq!(a["effect"], "update");
    assert_eq!(a["ids"], json!([id]));
    assert_eq!(a["fields"][0]["property"], "lifecyclestage");
    assert_eq!(a["fields"][0]["before"], before);
    assert_eq!(a["fields"][0]["after"], "customer");
    assert_eq!(a["client"], "approval-it");
    assert!(
        a["correlation_ids"]
            .as_array()
            .is_some_and(|c| c.len() == 1),
        "{a}"
    );
    let all = crm.mcp.logs().join("\n");
    assert!(!all.contains(SANDBOX_TOKEN), "a token in the logs");

    // The operators' view: one approved, four declined (decline, cancel, unticked, timeout).
    let m = c.request("GET", "/metrics", &[], "").body;
    assert!(
        m.contains("mcp_write_approvals_total{outcome=\"approved\"} 1"),
        "{m}"
    );
    assert!(
        m.contains("mcp_write_approvals_total{outcome=\"declined\"} 4"),
        "{m}"
    );
    assert_eq!(lines[0]["allowed_by"], "approval");
    assert!(lines[0]["approval"]
        .as_str()
        .unwrap()
        .starts_with("elicitation:"));

    // The audit resource shows the principal's own change.
    let r = c.call(
        &sid,
        V,
        20,
        "resources/read",
        json!({"uri": "hubspot://audit/mine"}),
    );
    let text = r.json()["result"]["contents"][0]["text"]
        .as_str()
        .unwrap()
        .to_string();
    let v: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["changes"].as_array().unwrap().len(), 1, "{v}");
}

#[test]
fn url_elicitation_waits_for_the_page() {
    let crm = Crm::start(&[]);
    let c = crm.mcp.client();
    let (id, _) = a_contact(&crm);
    let v = "2025-11-25";
    let sid = open_session(&c, v, json!({"elicitation": {"url": {}}}));
    let w0 = writes(&crm.sb);
    let mut s = call_stream(
        &c,
        &sid,
        v,
        5,
        "hubspot_archive_record",
        json!({"objectType": "contacts", "id": id}),
    );
    let ask = s.next().unwrap();
    assert_eq!(ask["params"]["mode"], "url", "{ask}");
    let url = ask["params"]["url"].as_str().unwrap();
    let path = &url[url.find("/approvals/").unwrap()..];
    answer(&c, &sid, v, &ask["id"], json!({"action": "accept"}));
    approve_on_page(&c, path, "approve");
    let (seen, done) = s.until_response(5);
    assert_eq!(done["result"]["isError"], false, "{done}");
    assert!(
        seen.iter()
            .any(|e| e["method"] == "notifications/elicitation/complete"),
        "{seen:?}"
    );
    assert_eq!(writes(&crm.sb), w0 + 1);
}

/// Opens the approval page at `path` as a browser would and presses `decision`.
pub(crate) fn approve_on_page(c: &Client, path: &str, decision: &str) -> u16 {
    c.decide_on_page(path, decision, None)
}

/// The approval page's path and the approval id in a link-flow refusal.
pub(crate) fn link_of(text: &str) -> (String, String) {
    let at = text.find("/approvals/").expect(text);
    let path: String = text[at..]
        .chars()
        .take_while(|c| !c.is_whitespace())
        .collect();
    let id = path.trim_start_matches("/approvals/").to_string();
    (path, id)
}

#[test]
fn the_approval_page_link_flow_is_one_time_and_bound() {
    let crm = Crm::start(&[]);
    let c = crm.mcp.client();
    let (id, _) = a_contact(&crm);
    let list = crm.ok(
        "hubspot_list_records",
        json!({"objectType": "contacts", "limit": 2}),
    );
    let other = list["results"][1]["id"].as_str().unwrap().to_string();
    let args = json!({"objectType": "contacts", "id": id});
    let w0 = writes(&crm.sb);
    // A client that cannot ask: the model gets the link, nothing is written.
    let text = crm.err("hubspot_archive_record", args.clone());
    assert!(text.contains("approvalId"), "{text}");
    let (path, aid) = link_of(&text);
    assert_eq!(writes(&crm.sb), w0);

    // The page refuses decisions that did not come from it.
    let page = c.request("GET", &path, &[], "");
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains(&id) && page.body.contains("Archive"),
        "{}",
        page.body
    );
    let cookie = page.cookie();
    let csrf = cookie.split_once('=').unwrap().1.to_string();
    let post = |headers: &[(&str, &str)], form: &str| {
        let mut h = vec![("Content-Type", "application/x-www-form-urlencoded")];
        h.extend_from_slice(headers);
        c.request("POST", &path, &h, form).status
    };
    let origin = format!("http://{}", c.host);
    let good = format!("csrf={csrf}&decision=approve");
    assert_eq!(post(&[("Origin", &origin)], &good), 403, "no cookie");
    assert_eq!(
        post(
            &[("Cookie", &cookie), ("Origin", "http://evil.example")],
            &good
        ),
        403,
        "cross-site"
    );
    assert_eq!(
        post(
            &[("Cookie", &cookie), ("Origin", &origin)],
            "csrf=0000&decision=approve"
        ),
        403
    );
    // The model retrying before the person decided: refused, nothing written.
    let mut with = args.clone();
    with["approvalId"] = aid.clone().into();
    assert!(crm
        .err("hubspot_archive_record", with.clone())
        .contains("not approved it yet"));
    assert_eq!(
        post(&[("Cookie", &cookie), ("Origin", &origin)], &good),
        200
    );
    assert_eq!(writes(&crm.sb), w0, "approving writes nothing by itself");

    // Widened: the same approval for another record is refused.
    let mut widened = json!({"objectType": "contacts", "id": other});
    widened["approvalId"] = aid.clone().into();
    assert!(crm
        .err("hubspot_archive_record", widened)
        .contains("different change"));
    let mut forged = args.clone();
    forged["approvalId"] = "0123456789abcdef0123456789abcdef".into();
    assert!(crm
        .err("hubspot_archive_record", forged)
        .contains("unknown"));
    assert_eq!(writes(&crm.sb), w0);
    // The right retry writes once; a replay is refused.
    let done = crm.call("hubspot_archive_record", with.clone());
    assert_eq!(done["isError"], false, "{done}");
    assert_eq!(writes(&crm.sb), w0 + 1);
    assert!(crm
        .err("hubspot_archive_record", with)
        .contains("already been used"));
    assert_eq!(writes(&crm.sb), w0 + 1);
    // The page now says it was approved, and decides nothing more.
    assert_eq!(
        post(
            &[("Cookie", &cookie), ("Origin", &origin)],
            "csrf=x&decision=reject"
        ),
        200
    );
    let audit = audit_lines(&crm.mcp);
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0]["approval"], aid.as_str());
    assert_eq!(audit[0]["effect"], "archive");

    // Rejected on the page: the retry is refused.
    let (id2, _) = (other.clone(), ());
    let text = crm.err(
        "hubspot_archive_record",
        json!({"objectType": "contacts", "id": id2}),
    );
    let (path2, aid2) = link_of(&text);
    assert_eq!(approve_on_page(&c, &path2, "reject"), 200);
    let t = crm.err(
        "hubspot_archive_record",
        json!({"objectType": "contacts", "id": id2, "approvalId": aid2}),
    );
    assert!(t.contains("did not approve"), "{t}");
    assert_eq!(writes(&crm.sb), w0 + 1);
    // Unknown pages are 404s.
    assert_eq!(c.request("GET", "/approvals/nope", &[], "").status, 404);
}

#[test]
fn an_approval_belongs_to_its_principal() {
    const SECRET: &str = "an-hs256-secret-of-at-least-32-bytes!!";
    let crm = Crm::start(&[("JWT_SECRET", SECRET)]);
    let tok = |sub: &str| {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs();
        crate::auth::hs256(
            SECRET,
            &json!({"sub": sub, "exp": now + 600, "iat": now, "scope": "hubspot.read hubspot.write"}),
        )
    };
    let mut alice = crm.mcp.client();
    alice.bearer = Some(tok("alice"));
    let mut bob = crm.mcp.client();
    bob.bearer = Some(tok("bob"));
    let call = |c: &Client, args: Value| {
        c.stateless(
            1,
            "tools/call",
            json!({"name": "hubspot_archive_record", "arguments": args}),
        )
        .json()["result"]
            .clone()
    };
    let list = alice
        .stateless(1, "tools/call", json!({"name": "hubspot_list_records", "arguments": {"objectType": "contacts", "limit": 1}}))
        .json();
    let id = list["result"]["structuredContent"]["results"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let r = call(&alice, json!({"objectType": "contacts", "id": id}));
    let (path, aid) = link_of(r["content"][0]["text"].as_str().unwrap());
    assert_eq!(approve_on_page(&alice, &path, "approve"), 200);
    let w0 = writes(&crm.sb);
    let r = call(
        &bob,
        json!({"objectType": "contacts", "id": id, "approvalId": aid}),
    );
    assert_eq!(r["isError"], true, "bob used alice's approval: {r}");
    assert_eq!(writes(&crm.sb), w0);
    let r = call(
        &alice,
        json!({"objectType": "contacts", "id": id, "approvalId": aid}),
    );
    assert_eq!(r["isError"], false, "{r}");
    assert_eq!(writes(&crm.sb), w0 + 1);
}

/// A 2026-07-28 `tools/call` declaring `capabilities`, with `extra` params.
fn stateless_call(
    c: &Client,
    id: i64,
    tool: &str,
    args: Value,
    caps: Value,
    extra: Value,
) -> Value {
    let mut params = json!({"name": tool, "arguments": args});
    if let Value::Object(m) = extra {
        for (k, v) in m {
            params[k] = v;
        }
    }
    params["_meta"] = json!({
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientCapabilities": caps,
        "io.modelcontextprotocol/clientInfo": {"name": "mrtr-it", "version": "1"}
    });
    let r = c.post(
        &[
            ("MCP-Protocol-Version", "2026-07-28"),
            ("Mcp-Method", "tools/call"),
            ("Mcp-Name", tool),
        ],
        &json!({"jsonrpc":"2.0","id":id,"method":"tools/call","params":params}),
    );
    assert_eq!(r.status, 200, "{r:?}");
    r.json()["result"].clone()
}

#[test]
fn input_required_round_trip_under_2026_07_28() {
    let crm = Crm::start(&[]);
    let c = crm.mcp.client();
    let (id, _) = a_contact(&crm);
    let caps = json!({"elicitation": {"form": {}}});
    let args = json!({"objectType": "contacts", "id": id, "properties": {"lifecyclestage": "opportunity"}});
    let tool = "hubspot_update_record";
    let w0 = writes(&crm.sb);
    let first = stateless_call(&c, 1, tool, args.clone(), caps.clone(), json!({}));
    assert_eq!(first["resultType"], "input_required", "{first}");
    let req = &first["inputRequests"]["approval"];
    assert_eq!(req["method"], "elicitation/create");
    assert_eq!(req["params"]["mode"], "form");
    assert!(req["params"]["message"]
        .as_str()
        .unwrap()
        .contains("opportunity"));
    let state = first["requestState"].as_str().unwrap().to_string();
    assert_eq!(writes(&crm.sb), w0, "no server-side wait, nothing written");
    let yes = json!({"approval": {"action": "accept", "content": {"approve": true}}});

    // Widened (other values), tampered, another principal's: refused, nothing written.
    let mut wider = args.clone();
    wider["properties"]["lifecyclestage"] = "customer".into();
    let r = stateless_call(
        &c,
        2,
        tool,
        wider,
        caps.clone(),
        json!({"requestState": state, "inputResponses": yes}),
    );
    assert_eq!(r["isError"], true, "{r}");
    let mut bad: Vec<char> = state.chars().collect();
    let mid = bad.len() / 2;
    bad[mid] = if bad[mid] == 'A' { 'B' } else { 'A' };
    let bad: String = bad.into_iter().collect();
    let r = stateless_call(
        &c,
        3,
        tool,
        args.clone(),
        caps.clone(),
        json!({"requestState": bad, "inputResponses": yes}),
    );
    assert_eq!(r["isError"], true, "{r}");
    assert_eq!(writes(&crm.sb), w0);

    // The answer: one write. The same answer again: refused.
    let r = stateless_call(
        &c,
        4,
        tool,
        args.clone(),
        caps.clone(),
        json!({"requestState": state, "inputResponses": yes}),
    );
    assert_eq!(r["isError"], false, "{r}");
    assert_eq!(r["resultType"], "complete");
    assert_eq!(writes(&crm.sb), w0 + 1);
    let r = stateless_call(
        &c,
        5,
        tool,
        args.clone(),
        caps.clone(),
        json!({"requestState": state, "inputResponses": yes}),
    );
    assert_eq!(r["isError"], true);
    assert!(
        r["content"][0]["text"]
            .as_str()
            .unwrap()
            .contains("already been used"),
        "{r}"
    );
    assert_eq!(writes(&crm.sb), w0 + 1);

    // A decline writes nothing.
    let first = stateless_call(&c, 6, tool, args.clone(), caps.clone(), json!({}));
    let state = first["requestState"].as_str().unwrap();
    let no = json!({"approval": {"action": "decline"}});
    let r = stateless_call(
        &c,
        7,
        tool,
        args,
        caps,
        json!({"requestState": state, "inputResponses": no}),
    );
    assert_eq!(r["isError"], true);
    assert_eq!(writes(&crm.sb), w0 + 1);
    assert_eq!(audit_lines(&crm.mcp).len(), 1);
}

#[test]
fn the_write_policy_allows_asks_and_denies() {
    let crm = Crm::start(&[("MCP_WRITE_POLICY", "create=deny,update=allow")]);
    let c = crm.mcp.client();
    let w0 = writes(&crm.sb);
    let t = crm.err(
        "hubspot_create_record",
        json!({"objectType": "contacts", "properties": {"email": "x@example.com"}}),
    );
    assert!(t.contains("MCP_WRITE_POLICY"), "{t}");
    assert_eq!(writes(&crm.sb), w0);
    // `allow`: a client that can ask is not asked.
    let (id, _) = a_contact(&crm);
    let sid = open_session(&c, V, json!({"elicitation": {}}));
    let mut s = call_stream(
        &c,
        &sid,
        V,
        3,
        "hubspot_update_record",
        json!({"objectType": "contacts", "id": id, "properties": {"lifecyclestage": "lead"}}),
    );
    let (seen, done) = s.until_response(3);
    assert!(seen.is_empty(), "asked: {seen:?}");
    assert_eq!(done["result"]["isError"], false);
    assert_eq!(writes(&crm.sb), w0 + 1);
}

#[test]
fn replicas_on_one_redis_deliver_the_answer_to_the_waiting_call() {
    let redis = RedisServer::start(&[]);
    let sb = SandboxProc::start();
    let url = redis.url();
    let env = [
        ("HUBSPOT_API_BASE_URL", sb.base_url.as_str()),
        ("HUBSPOT_ACCESS_TOKEN", SANDBOX_TOKEN),
        ("HEALTH_CHECK_ENABLED", "false"),
        ("REDIS_URL", url.as_str()),
    ];
    let a = Server::start_args(&["serve"], &env);
    let b = Server::start_args(&["serve"], &env);
    let (ca, cb) = (a.client(), b.client());
    let list = ca.stateless(1, "tools/call", json!({"name": "hubspot_list_records", "arguments": {"objectType": "contacts", "limit": 2}})).json();
    let ids: Vec<String> = list["result"]["structuredContent"]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect();
    // Elicitation: the call waits on A, the answer is POSTed to B.
    let sid = open_session(&ca, V, json!({"elicitation": {}}));
    let w0 = writes(&sb);
    let mut s = call_stream(
        &ca,
        &sid,
        V,
        7,
        "hubspot_update_record",
        json!({"objectType": "contacts", "id": ids[0], "properties": {"lifecyclestage": "customer"}}),
    );
    let ask = s.next().unwrap();
    answer(
        &cb,
        &sid,
        V,
        &ask["id"],
        json!({"action": "accept", "content": {"approve": true}}),
    );
    let (_, done) = s.until_response(7);
    assert_eq!(done["result"]["isError"], false, "{done}");
    assert_eq!(writes(&sb), w0 + 1);
    // The link flow: asked on A, approved on B's page, retried on B, replayed on A.
    let r = ca.stateless(1, "tools/call", json!({"name": "hubspot_archive_record", "arguments": {"objectType": "contacts", "id": ids[1]}})).json();
    let (path, aid) = link_of(r["result"]["content"][0]["text"].as_str().unwrap());
    assert_eq!(approve_on_page(&cb, &path, "approve"), 200);
    let args = json!({"objectType": "contacts", "id": ids[1], "approvalId": aid});
    let r = cb
        .stateless(
            2,
            "tools/call",
            json!({"name": "hubspot_archive_record", "arguments": args}),
        )
        .json();
    assert_eq!(r["result"]["isError"], false, "{r}");
    let r = ca
        .stateless(
            3,
            "tools/call",
            json!({"name": "hubspot_archive_record", "arguments": args}),
        )
        .json();
    assert_eq!(
        r["result"]["isError"], true,
        "replayed on the other replica: {r}"
    );
    assert_eq!(writes(&sb), w0 + 2);
    // 2026-07-28: the state issued by A is used once across both.
    let caps = json!({"elicitation": {}});
    let args =
        json!({"objectType": "contacts", "id": ids[0], "properties": {"lifecyclestage": "lead"}});
    let first = stateless_call(
        &ca,
        1,
        "hubspot_update_record",
        args.clone(),
        caps.clone(),
        json!({}),
    );
    let st = first["requestState"].as_str().unwrap().to_string();
    let yes = json!({"approval": {"action": "accept"}});
    let r = stateless_call(
        &cb,
        2,
        "hubspot_update_record",
        args.clone(),
        caps.clone(),
        json!({"requestState": st, "inputResponses": yes}),
    );
    assert_eq!(r["isError"], false, "state from A opens on B: {r}");
    let r = stateless_call(
        &ca,
        3,
        "hubspot_update_record",
        args,
        caps,
        json!({"requestState": st, "inputResponses": yes}),
    );
    assert_eq!(r["isError"], true, "replayed on A: {r}");
    assert_eq!(writes(&sb), w0 + 3);
}

#[test]
fn pending_approvals_per_principal_are_capped() {
    let crm = Crm::start(&[("MCP_MAX_PENDING_APPROVALS", "2")]);
    let list = crm.ok(
        "hubspot_list_records",
        json!({"objectType": "contacts", "limit": 3}),
    );
    let ids: Vec<&str> = list["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    for id in &ids[..2] {
        assert!(crm
            .err(
                "hubspot_archive_record",
                json!({"objectType": "contacts", "id": id})
            )
            .contains("/approvals/"));
    }
    let t = crm.err(
        "hubspot_archive_record",
        json!({"objectType": "contacts", "id": ids[2]}),
    );
    assert!(t.contains("MCP_MAX_PENDING_APPROVALS"), "{t}");
}

#[test]
fn a_write_after_reading_outside_text_is_asked_of_a_person() {
    // Updates are allowed unasked by this policy, until the session reads the injected note (725).
    let crm = Crm::start(&[
        ("MCP_WRITE_POLICY", "update=allow"),
        ("MCP_APPROVAL_TIMEOUT_MS", "1000"),
    ]);
    let c = crm.mcp.client();
    let sid = open_session(&c, V, json!({"elicitation": {}}));
    let args =
        json!({"objectType": "contacts", "id": "101", "properties": {"lifecyclestage": "lead"}});
    let mut s = call_stream(&c, &sid, V, 2, "hubspot_update_record", args.clone());
    let (seen, done) = s.until_response(2);
    assert!(
        seen.is_empty(),
        "asked before any outside text was read: {seen:?}"
    );
    assert_eq!(done["result"]["isError"], false);
    // Reading the note: fenced, and the session is marked.
    let r = c.call(
        &sid,
        V,
        3,
        "tools/call",
        json!({"name": "hubspot_get_record",
        "arguments": {"objectType": "notes", "id": "725", "properties": ["hs_note_body"]}}),
    );
    let text = r.json()["result"]["content"][0]["text"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(text.contains("<record-content"), "{text}");
    let w0 = writes(&crm.sb);
    let mut s = call_stream(&c, &sid, V, 4, "hubspot_update_record", args.clone());
    let ask = s.next().unwrap();
    assert_eq!(
        ask["method"], "elicitation/create",
        "the update after the note is asked: {ask}"
    );
    answer(&c, &sid, V, &ask["id"], json!({"action": "decline"}));
    assert_eq!(s.until_response(4).1["result"]["isError"], true);
    // The archive the note asks for: asked too, and a decline writes nothing.
    let mut s = call_stream(
        &c,
        &sid,
        V,
        5,
        "hubspot_archive_record",
        json!({"objectType": "deals", "id": "301"}),
    );
    let ask = s.next().unwrap();
    assert_eq!(ask["method"], "elicitation/create");
    assert!(ask["params"]["message"]
        .as_str()
        .unwrap()
        .contains("Archive"));
    answer(&c, &sid, V, &ask["id"], json!({"action": "decline"}));
    assert_eq!(s.until_response(5).1["result"]["isError"], true);
    assert_eq!(writes(&crm.sb), w0);
    // Another session of the same client has read nothing: not asked.
    let other = open_session(&c, V, json!({"elicitation": {}}));
    let mut s = call_stream(&c, &other, V, 6, "hubspot_update_record", args);
    let (seen, _) = s.until_response(6);
    assert!(seen.is_empty(), "{seen:?}");

    // 2026-07-28: the principal's reading counts for MCP_UNTRUSTED_WINDOW_MS.
    let caps = json!({"elicitation": {}});
    let args = json!({"objectType": "contacts", "id": "101", "properties": {"lifecyclestage": "subscriber"}});
    let _ = stateless_call(
        &c,
        7,
        "hubspot_get_record",
        json!({"objectType": "notes", "id": "725", "properties": ["hs_note_body"]}),
        caps.clone(),
        json!({}),
    );
    let r = stateless_call(&c, 8, "hubspot_update_record", args, caps, json!({}));
    assert_eq!(r["resultType"], "input_required", "{r}");
}

#[test]
fn lapsed_approvals_and_states_are_refused() {
    let crm = Crm::start(&[("MCP_APPROVAL_TTL_MS", "1000")]);
    let c = crm.mcp.client();
    let (id, _) = a_contact(&crm);
    let args = json!({"objectType": "contacts", "id": id});
    let (path, aid) = link_of(&crm.err("hubspot_archive_record", args.clone()));
    assert_eq!(approve_on_page(&c, &path, "approve"), 200);
    let caps = json!({"elicitation": {}});
    let up = json!({"objectType": "contacts", "id": id, "properties": {"lifecyclestage": "lead"}});
    let first = stateless_call(
        &c,
        1,
        "hubspot_update_record",
        up.clone(),
        caps.clone(),
        json!({}),
    );
    let st = first["requestState"].as_str().unwrap().to_string();
    std::thread::sleep(Duration::from_millis(1300));
    let w0 = writes(&crm.sb);
    let mut with = args;
    with["approvalId"] = aid.into();
    let t = crm.err("hubspot_archive_record", with);
    assert!(t.contains("lapsed"), "{t}");
    let yes = json!({"approval": {"action": "accept"}});
    let r = stateless_call(
        &c,
        2,
        "hubspot_update_record",
        up,
        caps,
        json!({"requestState": st, "inputResponses": yes}),
    );
    assert_eq!(r["isError"], true, "{r}");
    assert!(
        r["content"][0]["text"].as_str().unwrap().contains("lapsed"),
        "{r}"
    );
    assert_eq!(writes(&crm.sb), w0);
}

#[test]
fn audit_lines_hold_no_masked_value() {
    let crm = Crm::start(&[("HUBSPOT_MASKED_PROPERTIES", "contacts:email,phone")]);
    // Contact 101's email and phone, as the sandbox holds them.
    let auth = format!("Bearer {SANDBOX_TOKEN}");
    let raw = crm.sb.server.client().request(
        "GET",
        "/crm/v3/objects/contacts/101?properties=email,phone,firstname",
        &[("Authorization", &auth)],
        "",
    );
    let props = raw.json()["properties"].clone();
    let (email, phone) = (
        props["email"].as_str().unwrap().to_string(),
        props["phone"].as_str().unwrap().to_string(),
    );
    // An archive (its plan reads identifying properties, email among them) and an update.
    crm.ok(
        "hubspot_archive_record",
        json!({"objectType": "contacts", "id": "101"}),
    );
    crm.ok(
        "hubspot_update_record",
        json!({"objectType": "contacts", "id": "102", "properties": {"jobtitle": "CFO"}}),
    );
    let t = crm.err(
        "hubspot_update_record",
        json!({"objectType": "contacts", "id": "102", "properties": {"phone": "1"}}),
    );
    assert!(t.contains("HUBSPOT_MASKED_PROPERTIES"), "{t}");
    let lines = audit_lines(&crm.mcp);
    assert_eq!(lines.len(), 2, "one line per write: {lines:?}");
    let all = serde_json::to_string(&lines).unwrap();
    assert!(all.contains("firstname") && all.contains("CFO"), "{all}");
    for secret in [email.as_str(), phone.as_str(), SANDBOX_TOKEN] {
        assert!(!all.contains(secret), "{secret} in an audit line: {all}");
    }
}

#[test]
fn a_cancelled_call_stops_waiting_and_writes_nothing() {
    let crm = Crm::start(&[]);
    let c = crm.mcp.client();
    let (id, _) = a_contact(&crm);
    let sid = open_session(&c, V, json!({"elicitation": {}}));
    let w0 = writes(&crm.sb);
    let mut s = call_stream(
        &c,
        &sid,
        V,
        9,
        "hubspot_update_record",
        json!({"objectType": "contacts", "id": id, "properties": {"lifecyclestage": "customer"}}),
    );
    let ask = s.next().unwrap();
    let started = std::time::Instant::now();
    let r = c.post(
        &[("Mcp-Session-Id", &sid), ("MCP-Protocol-Version", V)],
        &json!({"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId": 9}}),
    );
    assert_eq!(r.status, 202);
    let (_, done) = s.until_response(9);
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "stopped waiting (the timeout is 40 s)"
    );
    assert!(
        done["result"]["content"][0]["text"]
            .as_str()
            .unwrap()
            .contains("cancelled"),
        "{done}"
    );
    // The late answer changes nothing.
    answer(&c, &sid, V, &ask["id"], json!({"action": "accept"}));
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(writes(&crm.sb), w0);
}

#[test]
fn page_only_takes_no_client_form_answer_and_the_page_needs_its_origin() {
    let crm = Crm::start(&[("MCP_APPROVAL_PAGE_ONLY", "true")]);
    let c = crm.mcp.client();
    let (id, _) = a_contact(&crm);
    let args =
        json!({"objectType": "contacts", "id": id, "properties": {"lifecyclestage": "customer"}});
    let w0 = writes(&crm.sb);
    // A session client with form elicitation is given the page's link, not a form it could answer itself.
    let sid = open_session(&c, V, json!({"elicitation": {}}));
    let mut s = call_stream(&c, &sid, V, 3, "hubspot_update_record", args.clone());
    let (seen, done) = s.until_response(3);
    assert!(seen.is_empty(), "asked by form: {seen:?}");
    let text = done["result"]["content"][0]["text"]
        .as_str()
        .unwrap()
        .to_string();
    let (path, aid) = link_of(&text);
    // 2026-07-28 with form elicitation: no form either.
    let r = stateless_call(
        &c,
        4,
        "hubspot_update_record",
        args.clone(),
        json!({"elicitation": {}}),
        json!({}),
    );
    assert_eq!(r["isError"], true, "{r}");
    assert!(
        r["content"][0]["text"]
            .as_str()
            .unwrap()
            .contains("/approvals/"),
        "{r}"
    );
    // The page refuses a decision without this server's Origin, or from another site.
    let page = c.request("GET", &path, &[], "");
    let cookie = page.cookie();
    let csrf = cookie.split_once('=').unwrap().1.to_string();
    let form = format!("csrf={csrf}&decision=approve");
    let origin = format!("http://{}", c.host);
    for headers in [
        vec![("Cookie", cookie.as_str())],
        vec![("Cookie", cookie.as_str()), ("Origin", "null")],
        vec![
            ("Cookie", cookie.as_str()),
            ("Origin", origin.as_str()),
            ("Sec-Fetch-Site", "cross-site"),
        ],
    ] {
        let mut h = vec![("Content-Type", "application/x-www-form-urlencoded")];
        h.extend(headers);
        assert_eq!(c.request("POST", &path, &h, &form).status, 403, "{h:?}");
    }
    assert_eq!(writes(&crm.sb), w0);
    assert_eq!(approve_on_page(&c, &path, "approve"), 200);
    let mut with = args;
    with["approvalId"] = aid.into();
    assert_eq!(crm.call("hubspot_update_record", with)["isError"], false);
    assert_eq!(writes(&crm.sb), w0 + 1);
}
