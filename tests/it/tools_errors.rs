use serde_json::json;

use crate::support::Crm;

const LIST: &str = "GET /crm/v3/objects/{type}";
const CREATE: &str = "POST /crm/v3/objects/{type}";

fn list(crm: &Crm) -> serde_json::Value {
    crm.call(
        "hubspot_list_records",
        json!({"objectType": "companies", "limit": 2}),
    )
}

fn create(crm: &Crm, tag: &str) -> serde_json::Value {
    crm.call(
        "hubspot_create_record",
        json!({"objectType": "companies", "properties": {"name": format!("Retry Test {tag}")}}),
    )
}

#[test]
fn missing_scopes_are_named() {
    let crm = Crm::start(&[]);
    crm.sb
        .faults(json!({"revokeScopes": ["crm.objects.companies.write"]}));
    let r = create(&crm, "scopes");
    assert_eq!(r["isError"], true);
    let t = r["content"][0]["text"].as_str().unwrap();
    assert!(
        t.contains("MISSING_SCOPES") && t.contains("crm.objects.companies.write"),
        "{t}"
    );
    assert_eq!(list(&crm)["isError"], false, "reads still work");
    crm.sb.reset();
    assert_eq!(
        create(&crm, "scopes back")["isError"],
        false,
        "the scope is back after a reset"
    );
}

#[test]
fn rate_limits_back_off_and_retry_but_daily_does_not() {
    let crm = Crm::start(&[]);
    crm.sb.faults(json!({"rate429Next": 2}));
    let before = crm.sb.count(LIST);
    assert_eq!(
        list(&crm)["isError"],
        false,
        "429 TEN_SECONDLY then success"
    );
    assert_eq!(crm.sb.count(LIST) - before, 3);
    // Writes are retried on 429 too: HubSpot did nothing.
    crm.sb.faults(json!({"rate429Next": 1}));
    let before = crm.sb.count(CREATE);
    assert_eq!(create(&crm, "429")["isError"], false);
    assert_eq!(crm.sb.count(CREATE) - before, 2);

    crm.sb.faults(json!({"dailyExhausted": true}));
    let before = crm.sb.count(LIST);
    let r = list(&crm);
    let t = r["content"][0]["text"].as_str().unwrap();
    assert_eq!(r["isError"], true);
    assert!(t.contains("daily") && t.contains("not retried"), "{t}");
    assert_eq!(crm.sb.count(LIST) - before, 1, "DAILY is never retried");
}

#[test]
fn server_errors_are_retried_for_reads_only_and_writes_are_never_sent_twice() {
    let crm = Crm::start(&[]);
    crm.sb.faults(json!({"status5xx": 503, "fail5xxNext": 2}));
    let before = crm.sb.count(LIST);
    assert_eq!(list(&crm)["isError"], false);
    assert_eq!(crm.sb.count(LIST) - before, 3, "two 503s, then success");

    crm.sb.faults(json!({"status5xx": 503, "fail5xxNext": 1}));
    let before = crm.sb.count(CREATE);
    let r = create(&crm, "5xx");
    assert_eq!(r["isError"], true);
    assert!(r["content"][0]["text"].as_str().unwrap().contains("503"));
    assert_eq!(
        crm.sb.count(CREATE) - before,
        1,
        "a write is not retried on 5xx"
    );

    // A connection dropped after the request was sent: the write may have happened, so it is not resent.
    crm.sb.faults(json!({"dropNext": 1}));
    let before = crm.sb.count(CREATE);
    let r = create(&crm, "drop");
    assert_eq!(r["isError"], true, "{r}");
    assert_eq!(
        crm.sb.count(CREATE) - before,
        1,
        "no retry duplicates a write"
    );
}

#[test]
fn an_upstream_timeout_is_a_tool_error_within_the_deadline() {
    // One attempt may take 20 s, and HubSpot answers (successfully) after 8 s: only the request's 2 s
    // deadline can end the call early, so an error here is the deadline's doing.
    let crm = Crm::start(&[
        ("HUBSPOT_TIMEOUT_MS", "20000"),
        ("HUBSPOT_MAX_RETRIES", "3"),
        ("MCP_REQUEST_TIMEOUT_MS", "2000"),
    ]);
    crm.sb.faults(json!({"latencyMs": 8000}));
    let before = crm.sb.count(LIST);
    let r = list(&crm);
    assert_eq!(r["isError"], true, "the call outlived its deadline: {r}");
    let t = r["content"][0]["text"].as_str().unwrap();
    assert!(t.to_lowercase().contains("time"), "{t}");
    // One attempt, cut at the deadline; no retry was started past it.
    assert_eq!(crm.sb.count(LIST) - before, 1, "{t}");
    // The slow answer HubSpot did send (after 8 s) did not count: the next call, without the fault,
    // is answered normally and HubSpot saw exactly one more request.
    crm.sb.faults(json!({"latencyMs": 0}));
    assert_eq!(list(&crm)["isError"], false);
    assert_eq!(crm.sb.count(LIST) - before, 2);
}

#[test]
fn batches_over_100_are_refused_before_any_call() {
    let crm = Crm::start(&[]);
    let total_before = crm.sb.stats()["total"].as_u64().unwrap_or(0);
    let ids: Vec<String> = (1..=101).map(|i| i.to_string()).collect();
    let e = crm.err(
        "hubspot_batch_read",
        json!({"objectType": "contacts", "ids": ids}),
    );
    assert!(e.contains("100"), "{e}");
    let e = crm.err(
        "hubspot_batch_archive",
        json!({"objectType": "contacts", "ids": ids}),
    );
    assert!(e.contains("100"), "{e}");
    assert_eq!(
        crm.sb.stats()["total"].as_u64().unwrap_or(0),
        total_before,
        "HubSpot was not called"
    );
}
