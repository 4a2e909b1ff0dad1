//! Owners, pipelines, account details and usage, token info, schemas and flows over HTTP.

use serde_json::json;

use crate::client::{try_send, T, TOKEN};

#[test]
fn owners_pipelines_account_schemas_flows() {
    let t = T::start();
    let owners = t.get("/crm/v3/owners");
    assert_eq!(owners.body["results"].as_array().unwrap().len(), 10);
    let o = t.get("/crm/v3/owners?email=OLIVIA.BENNETT@example.com");
    assert_eq!(o.body["results"][0]["id"], "75000001");
    assert_eq!(o.body["results"][0]["userId"], 9_100_001);
    assert_eq!(
        t.get("/crm/v3/owners?limit=3").body["paging"]["next"]["after"],
        "3"
    );
    assert_eq!(
        t.get("/crm/v3/owners?archived=true").body["results"][0]["email"],
        "grace.holloway@example.com"
    );
    assert_eq!(t.get("/crm/v3/owners/75000002").body["firstName"], "Liam");
    assert_eq!(
        t.get("/crm/v3/owners/9100003?idProperty=userId").body["lastName"],
        "Alvarez"
    );
    assert_eq!(t.get("/crm/v3/owners/1").status, 404);
    let deals = t.get("/crm/v3/pipelines/deals");
    let ps = deals.body["results"].as_array().unwrap();
    assert_eq!(ps.len(), 2);
    assert_eq!(ps[0]["id"], "default");
    let stage_ids: Vec<&str> = ps[0]["stages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        stage_ids,
        [
            "appointmentscheduled",
            "qualifiedtobuy",
            "presentationscheduled",
            "decisionmakerboughtin",
            "contractsent",
            "closedwon",
            "closedlost"
        ]
    );
    assert_eq!(
        ps[0]["stages"][5]["metadata"],
        json!({"isClosed": "true", "probability": "1.0"})
    );
    let tickets = t.get("/crm/v3/pipelines/tickets/0");
    assert_eq!(
        tickets.body["stages"][3]["metadata"]["ticketState"],
        "CLOSED"
    );
    assert_eq!(
        t.get("/crm/v3/pipelines/deals/default/stages").body["results"]
            .as_array()
            .unwrap()
            .len(),
        7
    );
    assert_eq!(t.get("/crm/v3/pipelines/deals/nope").status, 404);
    assert_eq!(t.get("/crm/v3/pipelines/contacts").status, 400);
    let acct = t.get("/account-info/v3/details");
    assert_eq!(
        (
            acct.body["portalId"].as_u64(),
            acct.body["uiDomain"].as_str()
        ),
        (Some(24_681_357), Some("app.hubspot.com"))
    );
    assert_eq!(acct.body["utcOffsetMilliseconds"], -18_000_000);
    let usage = t.get("/account-info/v3/api-usage/daily/private-apps");
    assert!(usage.body["results"][0]["currentUsage"].as_u64().unwrap() >= 1);
    let info = try_send(
        &t.base,
        "POST",
        "/oauth/v2/private-apps/get/access-token-info",
        None,
        Some(&json!({"tokenKey": TOKEN})),
    )
    .unwrap();
    assert_eq!(info.status, 200, "{}", info.raw);
    assert_eq!(info.body["hubId"], 24_681_357);
    assert!(info.body["scopes"]
        .as_array()
        .unwrap()
        .iter()
        .any(|s| s == "crm.objects.contacts.write"));
    let wrong = try_send(
        &t.base,
        "POST",
        "/oauth/v2/private-apps/get/access-token-info",
        None,
        Some(&json!({"tokenKey": "nope"})),
    )
    .unwrap();
    assert_eq!(wrong.status, 401);
    let schemas = t.get("/crm/v3/schemas");
    assert_eq!(schemas.body["results"][0]["objectTypeId"], "2-3508482");
    let schema = t.get("/crm/v3/schemas/p24681357_projects");
    assert_eq!(
        (
            schema.body["name"].as_str(),
            schema.body["fullyQualifiedName"].as_str()
        ),
        (Some("projects"), Some("p24681357_projects"))
    );
    assert_eq!(t.get("/crm/v3/schemas/contacts").status, 404);
    let flows = t.get("/automation/v4/flows");
    assert_eq!(flows.body["results"].as_array().unwrap().len(), 3);
    assert_eq!(
        t.get("/automation/v4/flows/585051946").body["name"],
        "New lead nurture"
    );
    assert_eq!(t.get("/automation/v4/flows/1").status, 404);
}
