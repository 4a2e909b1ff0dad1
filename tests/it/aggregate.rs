//! `hubspot_aggregate_records` end to end, against the sandbox run as its own process with the large
//! fixture (`HUBSPOT_SANDBOX_SEED=large`: 25,000 deals, more than 10,000 closed-won, more than 10,000 of
//! those closed at one instant, some without a close date or an amount): closed-won amount by owner per
//! quarter equals what the test adds up itself from every deal read from the sandbox's own API; the
//! search calls are counted by the sandbox too and stay within the configured search rate; a call budget
//! or a deadline cut short gives `complete: false` with the missing windows named; masked properties
//! are refused before HubSpot is asked.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::streaming::Stream;
use crate::support::{Crm, SandboxProc, Server, SANDBOX_TOKEN};

const SEARCH: &str = "POST /crm/v3/objects/{type}/search";
/// Searches a second the MCP server may make (`HUBSPOT_SEARCH_RATE_LIMIT`) in these tests.
const RATE: u32 = 40;
/// Searches a second the sandbox answers before a 429: above `RATE`, so a 429 would mean the client
/// went past it.
const SANDBOX_RATE: &str = "50";

fn large_sandbox() -> SandboxProc {
    SandboxProc::start_with(&[
        ("HUBSPOT_SANDBOX_SEED", "large"),
        ("HUBSPOT_SANDBOX_SEARCH_RATE_LIMIT", SANDBOX_RATE),
    ])
}

/// An MCP server on `sb` with `env` (after the defaults below).
fn serve(sb: &SandboxProc, env: &[(&str, &str)]) -> Server {
    let rate = RATE.to_string();
    let mut all = vec![
        ("HUBSPOT_API_BASE_URL", sb.base_url.as_str()),
        ("HUBSPOT_ACCESS_TOKEN", SANDBOX_TOKEN),
        ("HUBSPOT_SEARCH_RATE_LIMIT", rate.as_str()),
        ("HUBSPOT_RATE_LIMIT", "100"),
        ("MCP_MAX_HUBSPOT_CALLS_PER_REQUEST", "1000"),
        ("HEALTH_CHECK_ENABLED", "false"),
    ];
    all.extend_from_slice(env);
    Server::start_args(&["serve"], &all)
}

/// tools/call of the aggregate (2026-07-28 form); returns the result.
fn aggregate(mcp: &Server, args: Value) -> Value {
    let r = mcp.client().stateless(
        1,
        "tools/call",
        json!({"name": "hubspot_aggregate_records", "arguments": args}),
    );
    r.json()["result"].clone()
}

/// One deal as the test reads it from the sandbox.
struct Deal {
    stage: Option<String>,
    owner: Option<String>,
    close: Option<String>,
    amount: Option<String>,
}

/// Every deal, read from the sandbox's own search API by record id (no filters: which deals are won
/// is decided here), paced under the sandbox's search rate.
fn every_deal(sb: &SandboxProc) -> Vec<Deal> {
    let (mut out, mut after) = (Vec::new(), 0u64);
    loop {
        let started = Instant::now();
        let body = json!({"limit": 200,
            "filterGroups": [{"filters": [{"propertyName": "hs_object_id", "operator": "GT", "value": after.to_string()}]}],
            "sorts": [{"propertyName": "hs_object_id", "direction": "ASCENDING"}],
            "properties": ["dealstage", "hubspot_owner_id", "closedate", "amount"]});
        let page = sb.api("POST", "/crm/v3/objects/deals/search", Some(&body));
        assert_eq!(page.status, 200, "{:?}", page.body);
        let page = page.json();
        let results = page["results"].as_array().unwrap();
        for r in results {
            let p = &r["properties"];
            let s = |k: &str| p[k].as_str().filter(|v| !v.is_empty()).map(String::from);
            out.push(Deal {
                stage: s("dealstage"),
                owner: s("hubspot_owner_id"),
                close: s("closedate"),
                amount: s("amount"),
            });
            after = r["id"].as_str().unwrap().parse().unwrap();
        }
        if results.len() < 200 {
            return out;
        }
        std::thread::sleep(Duration::from_millis(25).saturating_sub(started.elapsed()));
    }
}

/// Cents of a decimal with at most two decimals (the fixture's amounts, and their sums), by hand.
fn cents(a: &str) -> i128 {
    let (sign, a) = match a.strip_prefix('-') {
        Some(rest) => (-1, rest),
        None => (1, a),
    };
    let (int, frac) = a.split_once('.').unwrap_or((a, ""));
    assert!(frac.len() <= 2, "{a}");
    sign * (int.parse::<i128>().unwrap() * 100 + format!("{frac:0<2}").parse::<i128>().unwrap())
}

/// `2024-Q4` of an ISO date, by slicing the text.
fn quarter(iso: &str) -> String {
    let month: u32 = iso[5..7].parse().unwrap();
    format!("{}-Q{}", &iso[..4], (month - 1) / 3 + 1)
}

/// A group's figures: count, without a value, sum, min, max (cents).
#[derive(Debug, Default, PartialEq, Eq)]
struct Figures {
    count: u64,
    no_value: u64,
    sum: i128,
    min: Option<i128>,
    max: Option<i128>,
}

type Key = (Option<String>, Option<String>);

/// The API calls the sandbox logged since it was last cleared.
fn requests(sb: &SandboxProc) -> Vec<Value> {
    sb.api("GET", "/__sandbox/requests", None)
        .json()
        .as_array()
        .cloned()
        .unwrap()
}

#[test]
fn closed_won_amount_by_owner_per_quarter_is_the_sum_of_the_sandboxs_deals() {
    let sb = large_sandbox();
    let mcp = serve(&sb, &[]);

    // The truth, from every one of the 25,000 deals.
    let t0 = Instant::now();
    let deals = every_deal(&sb);
    let truth_seconds = t0.elapsed().as_secs_f64();
    assert_eq!(deals.len(), 25_000);
    let mut want: BTreeMap<Key, Figures> = BTreeMap::new();
    for d in deals
        .iter()
        .filter(|d| d.stage.as_deref() == Some("closedwon"))
    {
        let f = want
            .entry((d.owner.clone(), d.close.as_deref().map(quarter)))
            .or_default();
        f.count += 1;
        match d.amount.as_deref().map(cents) {
            Some(c) => {
                f.sum += c;
                f.min = Some(f.min.map_or(c, |m| m.min(c)));
                f.max = Some(f.max.map_or(c, |m| m.max(c)));
            }
            None => f.no_value += 1,
        }
    }
    let won: u64 = want.values().map(|f| f.count).sum();
    assert!(won > 10_000, "{won} closed-won deals: past the cap");

    // The aggregate, with progress, over a session's SSE stream.
    assert_eq!(sb.api("DELETE", "/__sandbox/requests", None).status, 204);
    let searches_before = sb.count(SEARCH);
    let c = mcp.client();
    let (sid, _) = c.initialize("2025-11-25");
    let args = json!({"objectType": "deals",
        "filterGroups": [{"filters": [{"propertyName": "dealstage", "operator": "EQ", "value": "closedwon"}]}],
        "property": "amount", "groupBy": "hubspot_owner_id", "dateProperty": "closedate",
        "interval": "quarter", "maxCalls": 400});
    let started = Instant::now();
    let mut st = Stream::open(
        &c,
        &[
            ("Mcp-Session-Id", &sid),
            ("MCP-Protocol-Version", "2025-11-25"),
        ],
        &json!({"jsonrpc": "2.0", "id": 9, "method": "tools/call", "params": {
            "name": "hubspot_aggregate_records", "arguments": args, "_meta": {"progressToken": "agg"}}}),
    );
    let mut progress = Vec::new();
    let last = loop {
        let e = st.next_event().expect("the stream ended before the result");
        if e["method"] == "notifications/progress" {
            progress.push(e["params"]["progress"].as_f64().unwrap());
        } else {
            break e;
        }
    };
    let seconds = started.elapsed().as_secs_f64();
    let result = &last["result"];
    assert_eq!(result["isError"], false, "{result}");
    let data = &result["structuredContent"];
    let text = result["content"][0]["text"].as_str().unwrap();
    assert_eq!(data["complete"], true, "{text}");
    assert!(text.starts_with("complete: true."), "{text}");
    assert_eq!(data["records"], won);
    assert!(
        progress.len() > 10 && progress.windows(2).all(|w| w[0] <= w[1]),
        "{progress:?}"
    );
    assert_eq!(progress.last().copied(), Some(won as f64));

    let got: BTreeMap<Key, Figures> = data["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            let s = |k: &str| g[k].as_str().map(String::from);
            let key = (s("group"), s("period"));
            let f = Figures {
                count: g["count"].as_u64().unwrap(),
                no_value: g["noValue"].as_u64().unwrap(),
                sum: cents(g["sum"].as_str().unwrap()),
                min: g["min"].as_str().map(cents),
                max: g["max"].as_str().map(cents),
            };
            (key, f)
        })
        .collect();
    assert_eq!(got, want);
    assert!(
        want.keys().any(|(o, q)| o.is_none() && q.is_some()),
        "deals without an owner"
    );
    assert!(
        want.keys().any(|(_, q)| q.is_none()),
        "won deals without a closedate"
    );

    // The search calls it says it made are the ones the sandbox answered, none refused, within the rate.
    let calls = data["searchCalls"].as_u64().unwrap();
    assert_eq!(sb.count(SEARCH) - searches_before, calls);
    let log: Vec<Value> = requests(&sb)
        .into_iter()
        .filter(|r| r["method"] == "POST" && r["path"] == "/crm/v3/objects/deals/search")
        .collect();
    assert_eq!(log.len() as u64, calls);
    assert!(
        log.iter().all(|r| r["status"] == 200),
        "a search was refused (429?)"
    );
    let at: Vec<i64> = log.iter().map(|r| r["at_ms"].as_i64().unwrap()).collect();
    let busiest = at
        .iter()
        .map(|t| at.iter().filter(|u| (*t..*t + 1000).contains(*u)).count())
        .max()
        .unwrap();
    // The client spaces searches 1/RATE s apart; answers may bunch by a scheduling jitter: one more.
    assert!(
        busiest <= RATE as usize + 1,
        "{busiest} searches in one second"
    );
    let per_second = calls as f64 / seconds;
    assert!(per_second <= f64::from(RATE), "{per_second:.1}/s");
    let pages = won.div_ceil(200);
    assert!(
        calls >= pages && calls <= pages + 20,
        "{calls} calls for {pages} pages"
    );
    eprintln!(
        "aggregate of {won} closed-won deals of 25,000: {calls} search calls ({pages} pages of 200) in \
         {seconds:.1} s ({per_second:.1}/s; HUBSPOT_SEARCH_RATE_LIMIT={RATE}, the sandbox's \
         {SANDBOX_RATE}; busiest second {busiest}); {} groups; the 25,000 deals read for the truth in \
         {truth_seconds:.1} s",
        got.len()
    );
}

#[test]
fn a_call_budget_or_a_deadline_cut_short_says_which_windows_are_missing_and_why() {
    let sb = large_sandbox();
    let args = |max_calls: u32| {
        json!({"objectType": "deals",
            "filterGroups": [{"filters": [{"propertyName": "dealstage", "operator": "EQ", "value": "closedwon"}]}],
            "property": "amount", "dateProperty": "closedate", "interval": "quarter", "maxCalls": max_calls})
    };
    let cut_short = |mcp: &Server, max_calls: u32, why: &str| -> Value {
        let result = aggregate(mcp, args(max_calls));
        assert_eq!(result["isError"], false, "{result}");
        let data = result["structuredContent"].clone();
        let text = result["content"][0]["text"].as_str().unwrap();
        assert_eq!(data["complete"], false, "{text}");
        assert!(text.starts_with("complete: false: "), "{text}");
        let missing = data["missing"].as_array().unwrap();
        assert!(!missing.is_empty());
        for m in missing {
            assert!(m["reason"].as_str().unwrap().contains(why), "{m}");
            let w = m["window"].as_str().unwrap();
            assert!(w.starts_with("closedate "), "{m}");
            assert!(m["periods"].is_string(), "{m}");
            assert!(text.contains(w), "the text names {w}: {text}");
        }
        // The records without a closedate are a window of their own, never read by now.
        assert!(missing
            .iter()
            .any(|m| m["window"] == "closedate unset" && m["periods"] == "none"));
        data
    };

    // Its own budget, at HubSpot's own pace (4 searches a second, where the sandbox would allow 50): the
    // searches keep to the client's limiter.
    let slow = serve(&sb, &[("HUBSPOT_SEARCH_RATE_LIMIT", "4")]);
    assert_eq!(sb.api("DELETE", "/__sandbox/requests", None).status, 204);
    let data = cut_short(&slow, 10, "maxCalls (10) reached");
    assert_eq!(data["searchCalls"], 10);
    let at: Vec<i64> = requests(&sb)
        .iter()
        .filter(|r| r["path"] == "/crm/v3/objects/deals/search" && r["status"] == 200)
        .map(|r| r["at_ms"].as_i64().unwrap())
        .collect();
    assert_eq!(at.len(), 10);
    let busiest = at
        .iter()
        .map(|t| at.iter().filter(|u| (*t..*t + 1000).contains(*u)).count())
        .max()
        .unwrap();
    assert!(busiest <= 5, "{busiest} searches in one second at 4/s");
    assert!(
        at[9] - at[0] >= 2000,
        "10 searches at 4/s take 2.25 s: {} ms",
        at[9] - at[0]
    );
    drop(slow);
    let mcp = serve(&sb, &[]);
    // Part of the instant read by id: named with the last id read, and how many are left.
    let data = cut_short(&mcp, 30, "maxCalls (30) reached");
    let partial = data["missing"][0].clone();
    let w = partial["window"].as_str().unwrap();
    assert!(
        w.starts_with("closedate = 2024-12-31T00:00:00.000Z, records after id "),
        "{partial}"
    );
    assert_eq!(partial["periods"], "2024-Q4");
    assert!(partial["records"].as_u64().unwrap() > 0, "{partial}");
    drop(mcp);

    // The request's HubSpot call budget.
    let mcp = serve(&sb, &[("MCP_MAX_HUBSPOT_CALLS_PER_REQUEST", "12")]);
    let data = cut_short(&mcp, 400, "MCP_MAX_HUBSPOT_CALLS_PER_REQUEST");
    assert_eq!(data["searchCalls"], 12);
    drop(mcp);

    // The request's deadline: 2 s at 5 searches a second.
    let mcp = serve(
        &sb,
        &[
            ("MCP_REQUEST_TIMEOUT_MS", "2000"),
            ("HUBSPOT_SEARCH_RATE_LIMIT", "5"),
        ],
    );
    let started = Instant::now();
    let data = cut_short(&mcp, 400, "the request's deadline");
    assert!(
        started.elapsed() < Duration::from_millis(2500),
        "{:?}",
        started.elapsed()
    );
    let calls = data["searchCalls"].as_u64().unwrap();
    assert!((3..=11).contains(&calls), "{calls} calls in 2 s at 5/s");
}

#[test]
fn masked_properties_cannot_be_aggregated_grouped_or_filtered_on() {
    let crm = Crm::start(&[("HUBSPOT_MASKED_PROPERTIES", "deals:amount,closedate")]);
    let before = crm.sb.count(SEARCH);
    for args in [
        json!({"objectType": "deals", "property": "amount"}),
        json!({"objectType": "deals", "groupBy": "Amount"}),
        json!({"objectType": "deals", "dateProperty": "closedate", "interval": "month"}),
        json!({"objectType": "deals", "filterGroups": [{"filters": [
            {"propertyName": "amount", "operator": "GT", "value": "1000"}]}]}),
    ] {
        let e = crm.err("hubspot_aggregate_records", args.clone());
        assert!(
            e.contains("masked") && e.contains("HUBSPOT_MASKED_PROPERTIES"),
            "{args}: {e}"
        );
        assert!(!e.contains("48000"), "{e}");
    }
    assert_eq!(
        crm.sb.count(SEARCH),
        before,
        "refused before HubSpot was asked"
    );
    // What is not masked still adds up, and no masked value is in it.
    let data = crm.ok(
        "hubspot_aggregate_records",
        json!({"objectType": "deals", "groupBy": "dealstage"}),
    );
    assert_eq!(data["complete"], true);
    assert_eq!(data["records"], 120);
    let raw = data.to_string();
    assert!(
        !raw.contains("amount") && !raw.contains("closedate"),
        "{raw}"
    );
}
