//! The aggregate's checks and arithmetic without HubSpot, and its reading against the sandbox (in
//! process, the large fixture) with a small cap, so that every path (split ranges, one instant read by
//! id, the records without the date, a budget running out) runs in a second.

use serde_json::{json, Value};

use super::*;
use crate::tools::parse_args;

fn plan(args: Value) -> Result<Plan, ToolError> {
    check(parse_args::<AggregateArgs>(args)?)
}

fn refused(args: Value) -> String {
    match plan(args.clone()) {
        Err(ToolError::InvalidArguments(m)) => m,
        other => panic!("{args} should be refused: {other:?}"),
    }
}

#[test]
fn arguments_are_checked_before_any_call() {
    let p = plan(json!({"objectType": "deal"})).unwrap();
    assert_eq!(
        (p.ty.as_str(), p.returned.clone()),
        ("deals", vec!["hs_object_id".to_string()])
    );
    let p = plan(json!({"objectType": "deals", "property": "amount", "groupBy": "amount",
                        "dateProperty": "closedate", "interval": "quarter", "maxCalls": 1000,
                        "filterGroups": [{"filters": [{"propertyName": "dealstage", "operator": "eq", "value": "closedwon"}]}]}))
    .unwrap();
    assert_eq!(p.returned, ["hs_object_id", "amount", "closedate"]);
    assert_eq!(
        p.groups[0]["filters"][0]["operator"], "EQ",
        "operators as HubSpot takes them"
    );
    let f = json!({"propertyName": "dealstage", "operator": "EQ", "value": "closedwon"});
    for (args, says) in [
        (json!({"interval": "month"}), "interval needs dateProperty"),
        (
            json!({"filterGroups": [{"filters": vec![f.clone(); 5]}]}),
            "at most 4 per group",
        ),
        (
            json!({"filterGroups": vec![json!({"filters": vec![f.clone(); 3]}); 5]}),
            "over HubSpot's 18",
        ),
        (
            json!({"filterGroups": vec![json!({"filters": [f.clone()]}); 6]}),
            "at most 5",
        ),
        (
            json!({"filterGroups": [{"filters": [{"propertyName": "a", "operator": "LIKE", "value": 1}]}]}),
            "is not one of",
        ),
        (
            json!({"filterGroups": [{"filters": [{"propertyName": "a", "operator": "IN"}]}]}),
            "takes values",
        ),
        (
            json!({"filterGroups": [{"filters": [f.clone()], "extra": 1}]}),
            "filterGroups[0]",
        ),
        (json!({"filterGroups": [{"filters": []}]}), "1 to 6"),
        (json!({"groupBy": "description"}), "free text"),
        (json!({"property": "a/b"}), "property"),
        (json!({"dateProperty": "close date"}), "dateProperty"),
        (json!({"maxCalls": 0}), "maxCalls must be 1-1000"),
        (json!({"maxCalls": 1001}), "maxCalls must be 1-1000"),
        (json!({"objectType": "../x"}), "objectType"),
        (
            json!({"interval": "year", "dateProperty": "closedate"}),
            "unknown variant",
        ),
        (json!({"sorts": []}), "unknown field"),
    ] {
        let mut a = args.clone();
        if a.get("objectType").is_none() {
            a["objectType"] = "deals".into();
        }
        let e = refused(a);
        assert!(e.contains(says), "{args}: {e}");
    }
    // 4 groups of 2: 8 filters and the 8 the windows add are HubSpot's 18 or fewer.
    assert!(plan(json!({"objectType": "deals",
                        "filterGroups": vec![json!({"filters": [f.clone(), f.clone()]}); 4]}))
    .is_ok());
}

fn record(id: u64, owner: Option<&str>, close: Option<&str>, amount: Option<&str>) -> Value {
    json!({"id": id.to_string(), "properties": {
        "hs_object_id": id.to_string(), "hubspot_owner_id": owner, "closedate": close, "amount": amount}})
}

fn by_owner_per_quarter() -> Plan {
    plan(
        json!({"objectType": "deals", "property": "amount", "groupBy": "hubspot_owner_id",
                "dateProperty": "closedate", "interval": "quarter"}),
    )
    .unwrap()
}

fn reader(plan: &Plan) -> Reader<'_> {
    Reader {
        plan,
        cap: SEARCH_CAP,
        calls: 7,
        slowest: Duration::ZERO,
        totals: Totals::default(),
        expected: 0,
    }
}

#[test]
fn groups_add_up_exactly_and_say_what_lacked_a_value() {
    let p = by_owner_per_quarter();
    let mut r = reader(&p);
    for rec in [
        record(1, Some("7"), Some("2024-12-31T00:00:00Z"), Some("1234.56")),
        record(2, Some("7"), Some("2024-10-01T00:00:00.000Z"), Some("99.5")),
        record(3, Some("7"), Some("2024-11-15"), None),
        record(4, Some("7"), Some("2024-11-15"), Some("n/a")),
        // Counted once, however often it is read.
        record(1, Some("7"), Some("2024-12-31T00:00:00Z"), Some("1234.56")),
        record(5, Some("7"), Some("2024-09-30T23:59:59.999Z"), Some("0.01")),
        record(6, None, Some("2024-12-31T00:00:00Z"), Some("10")),
        record(7, Some("8"), None, Some("-5.25")),
        record(8, Some(""), None, Some("")),
    ] {
        r.totals.add(&p, &rec).unwrap();
    }
    assert_eq!(r.totals.records(), 8);
    let out = answer(&p, &r, Vec::new(), 10_000);
    let data = out.structured.unwrap().into_value();
    assert_eq!(data["complete"], true);
    assert_eq!(data["searchCalls"], 7);
    assert_eq!(data["records"], 8);
    assert_eq!(
        data["groups"],
        json!([
            {"group": null, "period": null, "count": 1, "noValue": 1, "sum": "0", "avg": null, "min": null, "max": null},
            {"group": null, "period": "2024-Q4", "count": 1, "noValue": 0, "sum": "10", "avg": "10", "min": "10", "max": "10"},
            {"group": "7", "period": "2024-Q3", "count": 1, "noValue": 0, "sum": "0.01", "avg": "0.01", "min": "0.01", "max": "0.01"},
            {"group": "7", "period": "2024-Q4", "count": 4, "noValue": 2, "sum": "1334.06", "avg": "667.03",
             "min": "99.5", "max": "1234.56"},
            {"group": "8", "period": null, "count": 1, "noValue": 0, "sum": "-5.25", "avg": "-5.25", "min": "-5.25", "max": "-5.25"},
        ])
    );
    assert!(
        out.text
            .starts_with("complete: true. 8 deals counted in 5 groups; 7 HubSpot search calls."),
        "{}",
        out.text
    );
    assert!(
        out.text
            .contains("period: the UTC quarter of closedate (null: no closedate)"),
        "{}",
        out.text
    );
    assert!(data.get("missing").is_none());
}

#[test]
fn an_incomplete_answer_names_each_missing_window() {
    let p = by_owner_per_quarter();
    let r = reader(&p);
    let mut part = Task::new(Window::Range {
        lo: period::parse_instant("2024-12-31").unwrap(),
        hi: period::parse_instant("2024-12-31").unwrap(),
    });
    part.total = Some(10_400);
    part.read = 400;
    part.last_id = Some(9_999);
    part.cursor = Cursor::AfterId(9_999);
    let why = Stop::RequestBudget(50);
    let missing = vec![
        r.missing(&part, &why),
        r.missing(&Task::new(Window::Unset), &why),
    ];
    assert_eq!(
        missing,
        [
            json!({"window": "closedate = 2024-12-31T00:00:00.000Z, records after id 9999", "periods": "2024-Q4",
                   "records": 10_000, "reason": "the request's budget of 50 HubSpot calls (MCP_MAX_HUBSPOT_CALLS_PER_REQUEST) spent"}),
            json!({"window": "closedate unset", "periods": "none",
                   "reason": "the request's budget of 50 HubSpot calls (MCP_MAX_HUBSPOT_CALLS_PER_REQUEST) spent"}),
        ]
    );
    let out = answer(&p, &r, missing, 10_000);
    let data = out.structured.unwrap().into_value();
    assert_eq!(data["complete"], false);
    assert_eq!(data["missing"].as_array().unwrap().len(), 2);
    assert!(
        out.text.starts_with("complete: false: 2 windows not read"),
        "{}",
        out.text
    );
    assert!(out.text.contains("\nmissing: {"), "{}", out.text);
    for (stop, says) in [
        (Stop::MaxCalls(9), "maxCalls (9) reached"),
        (Stop::Deadline, "the request's deadline"),
        (Stop::HubSpot("HTTP 502".into()), "HubSpot error: HTTP 502"),
    ] {
        assert_eq!(stop.reason(), says);
    }
}

#[test]
fn too_many_groups_are_refused_not_cut() {
    let p = plan(json!({"objectType": "deals", "groupBy": "dealname"})).unwrap();
    let mut t = Totals::default();
    for id in 0..MAX_GROUPS as u64 {
        t.add(
            &p,
            &json!({"id": id.to_string(), "properties": {"dealname": format!("d{id}")}}),
        )
        .unwrap();
    }
    let e = t
        .add(
            &p,
            &json!({"id": "999999", "properties": {"dealname": "one more"}}),
        )
        .unwrap_err();
    assert!(e.to_string().contains("more than 2000 groups"), "{e}");
}

/// Against the sandbox (in process, the large fixture), with a small cap so that every path runs on a
/// selection of a thousand or so deals.
#[cfg(feature = "sandbox")]
mod sandbox {
    use std::collections::BTreeMap;
    use std::time::{Duration, Instant};

    use serde_json::{json, Value};

    use super::{aggregate, plan};
    use crate::hubspot::{paths, Kind, Method};
    use crate::tools::{CancelToken, Services, ToolContext, ToolOutput};

    fn start() -> (hubspot_sandbox::Sandbox, Services) {
        let sandbox = hubspot_sandbox::Sandbox::start(
            ([127, 0, 0, 1], 0).into(),
            hubspot_sandbox::SandboxOptions {
                dataset: hubspot_sandbox::Dataset::Large,
                search_per_second: 10_000,
                ..Default::default()
            },
        )
        .unwrap();
        let s = Services::sandbox(&sandbox).unwrap();
        (sandbox, s)
    }

    /// One owner's closed-won deals: about 1,300, of which about 1,000 closed at one instant.
    fn selection() -> Value {
        json!([{"filters": [
            {"propertyName": "dealstage", "operator": "EQ", "value": "closedwon"},
            {"propertyName": "hubspot_owner_id", "operator": "EQ", "value": "75000003"}
        ]}])
    }

    /// Every deal of the selection, read by id with plain searches (not the tool): (closedate, amount).
    fn truth(s: &Services) -> Vec<(Option<String>, Option<String>)> {
        let client = s.hubspot.as_deref().unwrap();
        let deadline = Instant::now() + Duration::from_secs(60);
        let (mut out, mut after) = (Vec::new(), 0u64);
        loop {
            let mut groups = selection();
            groups[0]["filters"].as_array_mut().unwrap().push(
                json!({"propertyName": "hs_object_id", "operator": "GT", "value": after.to_string()}),
            );
            let body = json!({"filterGroups": groups, "limit": 200,
                "sorts": [{"propertyName": "hs_object_id", "direction": "ASCENDING"}],
                "properties": ["closedate", "amount"]});
            let page = client
                .send(
                    Method::Post,
                    &paths::search("deals"),
                    &[],
                    Some(&body),
                    Kind::Search,
                    deadline,
                )
                .unwrap();
            let results = page["results"].as_array().unwrap();
            for r in results {
                let p = &r["properties"];
                out.push((
                    p["closedate"].as_str().map(String::from),
                    p["amount"].as_str().map(String::from),
                ));
                after = r["id"].as_str().unwrap().parse().unwrap();
            }
            if results.len() < 200 {
                return out;
            }
        }
    }

    /// Cents of an amount with at most two decimals (the fixture's), by hand.
    fn cents(a: &str) -> i128 {
        let (int, frac) = a.split_once('.').unwrap_or((a, ""));
        int.parse::<i128>().unwrap() * 100 + format!("{frac:0<2}").parse::<i128>().unwrap()
    }

    /// `2024-Q4` of an ISO date, by slicing the text.
    fn quarter(iso: &str) -> String {
        let month: u32 = iso[5..7].parse().unwrap();
        format!("{}-Q{}", &iso[..4], (month - 1) / 3 + 1)
    }

    fn run(s: &Services, args: Value, cap: u64) -> ToolOutput {
        let cancel = CancelToken::new();
        let mut cx = ToolContext::new(None, &cancel, Instant::now() + Duration::from_secs(60), s);
        aggregate(&plan(args).unwrap(), cap, &mut cx).unwrap()
    }

    #[test]
    fn a_small_cap_reads_split_ranges_one_instant_by_id_and_the_unset_window() {
        let (_sandbox, s) = start();
        let truth = truth(&s);
        assert!(truth.len() > 1000, "{}", truth.len());
        let mut want: BTreeMap<Option<String>, (u64, i128)> = BTreeMap::new();
        for (close, amount) in &truth {
            let e = want.entry(close.as_deref().map(quarter)).or_default();
            e.0 += 1;
            e.1 += amount.as_deref().map_or(0, cents);
        }
        let out = run(
            &s,
            json!({"objectType": "deals", "filterGroups": selection(), "property": "amount",
                   "dateProperty": "closedate", "interval": "quarter", "maxCalls": 1000}),
            300,
        );
        let data = out.structured.unwrap().into_value();
        assert_eq!(data["complete"], true, "{}", out.text);
        let got: BTreeMap<Option<String>, (u64, i128)> = data["groups"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| {
                (
                    g["period"].as_str().map(String::from),
                    (
                        g["count"].as_u64().unwrap(),
                        cents(g["sum"].as_str().unwrap()),
                    ),
                )
            })
            .collect();
        assert_eq!(got, want);
        assert!(want.contains_key(&None), "some won deals have no closedate");
        // Over the cap of 300: the range was split, and the instant of ~1,000 read by id, at 200 a
        // page; far fewer calls than one per record, more than the pages alone.
        let calls = data["searchCalls"].as_u64().unwrap();
        let pages = (truth.len() as u64).div_ceil(200);
        assert!(
            calls > pages && calls < pages + 40,
            "{calls} calls for {} deals",
            truth.len()
        );

        // Without a date: one window, read by id.
        let out = run(
            &s,
            json!({"objectType": "deals", "filterGroups": selection(), "property": "amount"}),
            300,
        );
        let data = out.structured.unwrap().into_value();
        assert_eq!(data["complete"], true);
        assert_eq!(data["records"], truth.len() as u64);
        let total: i128 = truth.iter().filter_map(|t| t.1.as_deref()).map(cents).sum();
        assert_eq!(cents(data["groups"][0]["sum"].as_str().unwrap()), total);
        assert_eq!(data["searchCalls"], (truth.len() as u64).div_ceil(200));
    }

    /// Whether period `p` (`2024-05`, or null: no date) lies in a missing window's `periods` (`all`,
    /// `none`, `2024-05` or `2024-03..2024-07`).
    fn touched(periods: &str, p: Option<&str>) -> bool {
        match (periods, p) {
            ("all", _) => true,
            ("none", None) => true,
            (_, None) | ("none", _) => false,
            (range, Some(p)) => {
                let (a, b) = range.split_once("..").unwrap_or((range, range));
                (a..=b).contains(&p)
            }
        }
    }

    #[test]
    fn a_spent_call_budget_leaves_untouched_periods_exact_and_names_the_rest() {
        let (_sandbox, s) = start();
        let truth = truth(&s);
        let mut want: BTreeMap<Option<String>, u64> = BTreeMap::new();
        for (close, _) in &truth {
            *want
                .entry(close.as_deref().map(|c| c[..7].to_string()))
                .or_default() += 1;
        }
        let mut exact_periods = 0;
        for max_calls in [1, 2, 3, 5, 8, 13, 17] {
            let out = run(
                &s,
                json!({"objectType": "deals", "filterGroups": selection(), "dateProperty": "closedate",
                       "interval": "month", "maxCalls": max_calls}),
                300,
            );
            let data = out.structured.unwrap().into_value();
            assert_eq!(data["complete"], false, "{max_calls}: {}", out.text);
            assert_eq!(data["searchCalls"], max_calls, "{}", out.text);
            let missing = data["missing"].as_array().unwrap();
            assert!(!missing.is_empty());
            for m in missing {
                assert_eq!(
                    m["reason"],
                    format!("maxCalls ({max_calls}) reached"),
                    "{m}"
                );
                assert!(
                    m["window"].as_str().unwrap().starts_with("closedate"),
                    "{m}"
                );
            }
            let counted = data["records"].as_u64().unwrap();
            assert!(counted < truth.len() as u64);
            // A period no missing window touches is complete: its count is the truth.
            for g in data["groups"].as_array().unwrap() {
                let p = g["period"].as_str();
                if !missing
                    .iter()
                    .any(|m| touched(m["periods"].as_str().unwrap(), p))
                {
                    assert_eq!(
                        g["count"].as_u64(),
                        want.get(&p.map(String::from)).copied(),
                        "{max_calls}: period {p:?} is said complete: {}",
                        out.text
                    );
                    exact_periods += 1;
                }
            }
        }
        assert!(
            exact_periods > 0,
            "some periods were read whole before the budget ran out"
        );
    }
}
