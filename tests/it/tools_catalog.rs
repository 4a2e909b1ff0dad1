use serde_json::{json, Value};

use crate::support::{Server, BIN};

fn tools(s: &Server) -> Vec<Value> {
    let r = s.client().stateless(1, "tools/list", json!({}));
    r.json()["result"]["tools"].as_array().unwrap().clone()
}

fn names(t: &[Value]) -> Vec<String> {
    t.iter()
        .map(|t| t["name"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn read_only_lists_no_write_tool_and_toolsets_select_families() {
    let all = tools(&Server::start(&[]));
    // A write tool leaves readOnlyHint out: false is the spec's default.
    assert!(all
        .iter()
        .any(|t| t["annotations"].get("readOnlyHint").is_none()));
    for must in [
        "hubspot_list_records",
        "hubspot_search_records",
        "hubspot_create_record",
        "hubspot_create_engagement",
        "echo",
    ] {
        assert!(names(&all).iter().any(|n| n == must), "{must} missing");
    }

    let ro = tools(&Server::start(&[("HUBSPOT_READ_ONLY", "true")]));
    assert!(!ro.is_empty());
    assert!(
        ro.iter().all(|t| t["annotations"]["readOnlyHint"] == true),
        "{:?}",
        names(&ro)
    );
    assert!(ro.len() < all.len());
    // A write tool that is not listed cannot be called either.
    let s = Server::start(&[("HUBSPOT_READ_ONLY", "true")]);
    let r = s.client().stateless(
        2,
        "tools/call",
        json!({"name": "hubspot_create_record", "arguments": {}}),
    );
    assert_eq!(r.code(), -32602);

    let rec = names(&tools(&Server::start(&[("HUBSPOT_TOOLSETS", "records")])));
    let mut want: Vec<String> = [
        "hubspot_list_records",
        "hubspot_get_record",
        "hubspot_search_records",
        "hubspot_create_record",
        "hubspot_update_record",
        "hubspot_archive_record",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let mut got = rec.clone();
    got.sort();
    want.sort();
    assert_eq!(got, want);
    let two = names(&tools(&Server::start(&[
        ("HUBSPOT_TOOLSETS", "diagnostics, engagements"),
        ("HUBSPOT_READ_ONLY", "1"),
    ])));
    let mut two_sorted = two.clone();
    two_sorted.sort();
    assert_eq!(
        two_sorted,
        vec!["echo".to_string(), "hubspot_list_engagements".to_string()]
    );

    let out = std::process::Command::new(BIN)
        .args(["check-config", "--demo"])
        .env_clear()
        .env("HUBSPOT_TOOLSETS", "records,crystal_ball")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(78));
    assert!(String::from_utf8_lossy(&out.stderr).contains("HUBSPOT_TOOLSETS"));
}

#[test]
fn tools_list_pages_with_cursors() {
    let full = names(&tools(&Server::start(&[])));
    let s = Server::start(&[("MCP_TOOLS_PAGE_SIZE", "3")]);
    let c = s.client();
    let (sid, _) = c.initialize("2025-11-25");
    let (mut got, mut cursor, mut pages) = (Vec::new(), None::<String>, 0);
    loop {
        let params = match &cursor {
            Some(cur) => json!({"cursor": cur}),
            None => json!({}),
        };
        let r = c.call(&sid, "2025-11-25", 2, "tools/list", params).json();
        let page = r["result"]["tools"].as_array().unwrap();
        assert!(page.len() <= 3);
        got.extend(names(page));
        pages += 1;
        match r["result"]["nextCursor"].as_str() {
            Some(n) => cursor = Some(n.to_string()),
            None => break,
        }
    }
    assert_eq!(got, full, "pages in order, nothing lost or repeated");
    assert_eq!(pages, full.len().div_ceil(3));
}

#[test]
fn resources_and_prompts_are_listed() {
    let s = Server::start(&[]);
    let c = s.client();
    let r = c.stateless(1, "resources/list", json!({})).json();
    assert!(r["result"]["resources"]
        .as_array()
        .unwrap()
        .iter()
        .any(|x| x["uri"] == "hubspot://properties/contacts"));
    assert_eq!(r["result"]["cacheScope"], "public");
    let r = c.stateless(2, "resources/templates/list", json!({})).json();
    assert!(r["result"]["resourceTemplates"].as_array().unwrap().len() >= 3);
    let r = c.stateless(
        3,
        "resources/read",
        json!({"uri": "hubspot://nothing/here"}),
    );
    assert_eq!(r.code(), -32602);
    assert_eq!(r.json()["error"]["data"]["uri"], "hubspot://nothing/here");
    // Demo mode reads real (sandbox) data.
    let r = c
        .stateless(
            8,
            "resources/read",
            json!({"uri": "hubspot://properties/contacts"}),
        )
        .json();
    let text = r["result"]["contents"][0]["text"].as_str().unwrap();
    assert!(text.contains("lifecyclestage"), "{text}");
    assert_eq!(r["result"]["cacheScope"], "private");
    let r = c
        .stateless(
            9,
            "resources/read",
            json!({"uri": "hubspot://records/contacts/101"}),
        )
        .json();
    assert!(r["result"]["contents"][0]["text"]
        .as_str()
        .unwrap()
        .contains("maria.chen@acme.example.com"));
    let r = c
        .stateless(
            10,
            "resources/read",
            json!({"uri": "hubspot://pipelines/deals"}),
        )
        .json();
    assert!(r["result"]["contents"][0]["text"]
        .as_str()
        .unwrap()
        .contains("closedwon"));
    let (sid, _) = c.initialize("2025-06-18");
    let r = c.call(
        &sid,
        "2025-06-18",
        4,
        "resources/read",
        json!({"uri": "file:///etc/passwd"}),
    );
    assert_eq!(
        r.code(),
        -32002,
        "2025 revisions use -32002 for an unknown resource"
    );
    let r = c
        .call(&sid, "2025-06-18", 5, "prompts/list", json!({}))
        .json();
    assert!(r["result"]["prompts"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p["name"] == "account_brief"));
    let r = c.call(&sid, "2025-06-18", 6, "prompts/get", json!({"name": "log_meeting_notes", "arguments": {"email": "a@b.c", "notes": "Agreed a pilot."}})).json();
    let text = r["result"]["messages"][0]["content"]["text"]
        .as_str()
        .unwrap();
    assert!(text.contains("a@b.c") && text.contains("Agreed a pilot."));
    let r = c.call(
        &sid,
        "2025-06-18",
        7,
        "prompts/get",
        json!({"name": "log_meeting_notes", "arguments": {}}),
    );
    assert_eq!(r.code(), -32602);
}

#[test]
fn icons_for_the_server_and_each_family_reach_clients_that_show_them() {
    let public = "http://mcp.example.org:3000";
    let s = Server::start(&[("MCP_PUBLIC_URL", public)]);
    let c = s.client();
    // 2025-11-25 and later: each tool carries its family's icon, under the public URL.
    let listed = tools(&s);
    for t in &listed {
        let src = t["icons"][0]["src"]
            .as_str()
            .unwrap_or_else(|| panic!("no icon: {t}"));
        let path = src.strip_prefix(public).unwrap_or_else(|| panic!("{src}"));
        assert_eq!(t["icons"][0]["mimeType"], "image/svg+xml");
        let r = c.request("GET", path, &[], "");
        assert_eq!(r.status, 200, "{path}: {r:?}");
        assert_eq!(r.header("content-type"), Some("image/svg+xml"));
        assert_eq!(r.header("x-content-type-options"), Some("nosniff"));
        assert!(
            r.body.starts_with("<svg ") && r.body.ends_with("</svg>"),
            "{}",
            r.body
        );
    }
    let families: std::collections::BTreeSet<&str> = listed
        .iter()
        .map(|t| t["icons"][0]["src"].as_str().unwrap())
        .collect();
    assert_eq!(families.len(), 13, "one icon per family: {families:?}");
    // 2025-06-18 has no icons.
    let (sid, init) = c.initialize("2025-06-18");
    let icon = init.json()["result"]["serverInfo"]["icons"][0]["src"].clone();
    assert!(
        icon.as_str()
            .unwrap()
            .starts_with("data:image/svg+xml;base64,"),
        "{icon}"
    );
    let old = c
        .call(&sid, "2025-06-18", 2, "tools/list", json!({}))
        .json();
    assert!(old["result"]["tools"]
        .as_array()
        .unwrap()
        .iter()
        .all(|t| t.get("icons").is_none()));
    // Unknown icons and paths outside /icons/ are 404.
    for bad in ["/icons/nope.svg", "/icons/../health", "/icons/records.png"] {
        assert_eq!(c.request("GET", bad, &[], "").status, 404, "{bad}");
    }
    // Without a public URL there is no address to give: no tool icons, the server's still there.
    let s = Server::start(&[]);
    assert!(tools(&s).iter().all(|t| t.get("icons").is_none()));
}
