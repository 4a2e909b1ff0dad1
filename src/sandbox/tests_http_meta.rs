//! HTTP tests of associations, properties and groups, owners, pipelines, account info, token info,
//! schemas, workflows, authentication and unknown paths.

use serde_json::json;

use super::tests_client::{try_send, T, TOKEN};

#[test]
fn associations_v4() {
    let t = T::start();
    let list = t.get("/crm/v4/objects/contacts/101/associations/companies");
    assert_eq!(list.status, 200);
    assert_eq!(list.body["results"][0]["toObjectId"], 401);
    let types = &list.body["results"][0]["associationTypes"];
    assert_eq!(
        types[0],
        json!({"category": "HUBSPOT_DEFINED", "typeId": 1, "label": "Primary"})
    );
    assert_eq!(
        types[1],
        json!({"category": "HUBSPOT_DEFINED", "typeId": 279, "label": null})
    );
    let paged = t.get("/crm/v4/objects/companies/401/associations/contacts?limit=1");
    assert_eq!(paged.body["results"].as_array().unwrap().len(), 1);
    assert_eq!(paged.body["paging"]["next"]["after"], "1");
    let def = t.req(
        "PUT",
        "/crm/v4/objects/contacts/102/associations/default/deals/481",
        None,
    );
    assert_eq!(def.status, 200, "{}", def.raw);
    assert_eq!(
        def.body["results"][0]["associationSpec"],
        json!({"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 4})
    );
    let labelled = t.req(
        "PUT",
        "/crm/v4/objects/deals/481/associations/contacts/102",
        Some(&json!([{"associationCategory": "USER_DEFINED", "associationTypeId": 101}])),
    );
    assert_eq!(labelled.status, 201, "{}", labelled.raw);
    assert_eq!(labelled.body["labels"], json!(["Decision maker"]));
    assert_eq!(labelled.body["fromObjectTypeId"], "0-3");
    let bad = t.req(
        "PUT",
        "/crm/v4/objects/deals/481/associations/contacts/102",
        Some(&json!([{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 279}])),
    );
    assert_eq!(bad.status, 400);
    let from_deal = t.get("/crm/v4/objects/deals/481/associations/contacts");
    assert!(from_deal.body["results"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["toObjectId"] == 102));
    assert_eq!(
        t.req(
            "DELETE",
            "/crm/v4/objects/deals/481/associations/contacts/102",
            None
        )
        .status,
        204
    );
    let after = t.get("/crm/v4/objects/contacts/102/associations/deals");
    assert!(!after.body["results"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["toObjectId"] == 481));
    let labels = t.get("/crm/v4/associations/contacts/companies/labels");
    let got: Vec<(String, u64)> = labels.body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["category"].as_str().unwrap().to_string(),
                l["typeId"].as_u64().unwrap(),
            )
        })
        .collect();
    assert!(
        got.contains(&("HUBSPOT_DEFINED".into(), 279))
            && got.contains(&("HUBSPOT_DEFINED".into(), 1))
    );
    assert!(got.contains(&("USER_DEFINED".into(), 103)));
    let batch = t.post("/crm/v4/associations/notes/contacts/batch/create", json!({"inputs": [
        {"from": {"id": "725"}, "to": {"id": "110"}, "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 202}]},
        {"from": {"id": "725"}, "to": {"id": "999999"}, "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 202}]}]}));
    assert_eq!(batch.status, 207, "{}", batch.raw);
    assert_eq!(batch.body["results"][0]["toObjectId"], 110);
    let dflt = t.post(
        "/crm/v4/associations/tasks/deals/batch/associate/default",
        json!({"inputs": [{"from": {"id": "875"}, "to": {"id": "482"}}]}),
    );
    assert_eq!(dflt.status, 200);
    assert_eq!(
        dflt.body["results"][0]["associationSpec"]["associationTypeId"],
        216
    );
    let read = t.post(
        "/crm/v4/associations/tasks/deals/batch/read",
        json!({"inputs": [{"id": "875"}]}),
    );
    assert!(read.body["results"][0]["to"]
        .as_array()
        .unwrap()
        .iter()
        .any(|x| x["toObjectId"] == 482));
    assert_eq!(
        t.get("/crm/v4/objects/contacts/999999/associations/companies")
            .status,
        404
    );
}

#[test]
fn properties_crud() {
    let t = T::start();
    let list = t.get("/crm/v3/properties/contacts");
    let names: Vec<&str> = list.body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    for n in [
        "email",
        "firstname",
        "lastname",
        "lifecyclestage",
        "hubspot_owner_id",
        "hs_object_id",
    ] {
        assert!(names.contains(&n), "{n}");
    }
    let stage = t.get("/crm/v3/properties/contacts/lifecyclestage");
    assert_eq!(
        (
            stage.body["type"].as_str(),
            stage.body["fieldType"].as_str()
        ),
        (Some("enumeration"), Some("select"))
    );
    assert_eq!(
        stage.body["options"][0],
        json!({"label": "Subscriber", "value": "subscriber", "displayOrder": 0, "hidden": false, "description": ""})
    );
    assert_eq!(stage.body["hubspotDefined"], true);
    assert!(stage.body["modificationMetadata"]["readOnlyValue"].is_boolean());
    let dealstage = t.get("/crm/v3/properties/deals/dealstage");
    assert!(dealstage.body["options"]
        .as_array()
        .unwrap()
        .iter()
        .any(|o| o["value"] == "closedwon"));
    let owner = t.get("/crm/v3/properties/deals/hubspot_owner_id");
    assert_eq!(owner.body["options"].as_array().unwrap().len(), 10);
    let body = json!({"name": "favorite_color", "label": "Favorite color", "type": "enumeration", "fieldType": "select",
        "groupName": "contactinformation", "options": [{"label": "Red", "value": "red"}, {"label": "Blue", "value": "blue"}]});
    let c = t.post("/crm/v3/properties/contacts", body.clone());
    assert_eq!(c.status, 201, "{}", c.raw);
    assert_eq!(c.body["hubspotDefined"], false);
    assert_eq!(t.post("/crm/v3/properties/contacts", body).status, 409);
    let set = t.req(
        "PATCH",
        "/crm/v3/objects/contacts/101",
        Some(&json!({"properties": {"favorite_color": "red"}})),
    );
    assert_eq!(set.status, 200);
    let wrong = t.req(
        "PATCH",
        "/crm/v3/objects/contacts/101",
        Some(&json!({"properties": {"favorite_color": "green"}})),
    );
    assert_eq!(wrong.status, 400);
    let p = t.req(
        "PATCH",
        "/crm/v3/properties/contacts/favorite_color",
        Some(&json!({"label": "Colour", "options": [{"label": "Green", "value": "green"}]})),
    );
    assert_eq!((p.status, p.body["label"].as_str()), (200, Some("Colour")));
    assert_eq!(
        t.req(
            "PATCH",
            "/crm/v3/objects/contacts/101",
            Some(&json!({"properties": {"favorite_color": "green"}}))
        )
        .status,
        200
    );
    assert_eq!(
        t.req("DELETE", "/crm/v3/properties/contacts/email", None)
            .status,
        400
    );
    assert_eq!(
        t.req("DELETE", "/crm/v3/properties/contacts/favorite_color", None)
            .status,
        204
    );
    assert_eq!(
        t.get("/crm/v3/properties/contacts/favorite_color").status,
        404
    );
    assert_eq!(
        t.get("/crm/v3/properties/contacts/favorite_color?archived=true")
            .body["archived"],
        true
    );
    let groups = t.get("/crm/v3/properties/contacts/groups");
    assert_eq!(groups.body["results"][0]["name"], "contactinformation");
    let g = t.post(
        "/crm/v3/properties/contacts/groups",
        json!({"name": "custom_stuff", "label": "Custom stuff"}),
    );
    assert_eq!(g.status, 201);
    assert_eq!(
        t.get("/crm/v3/properties/contacts/groups/custom_stuff")
            .body["label"],
        "Custom stuff"
    );
    assert_eq!(t.get("/crm/v3/properties/contacts/groups/nope").status, 404);
    let in_group = t.post("/crm/v3/properties/contacts", json!({"name": "shoe_size", "label": "Shoe size", "type": "number", "fieldType": "number", "groupName": "custom_stuff"}));
    assert_eq!(in_group.status, 201);
    let bad_group = t.post("/crm/v3/properties/contacts", json!({"name": "x_y", "label": "X", "type": "string", "fieldType": "text", "groupName": "nope"}));
    assert_eq!(bad_group.status, 400);
}

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

#[test]
fn authentication_and_unknown_paths() {
    let t = T::start();
    let none = try_send(&t.base, "GET", "/crm/v3/objects/contacts", None, None).unwrap();
    assert_eq!(none.status, 401);
    assert_eq!(none.body["category"], "INVALID_AUTHENTICATION");
    assert!(none.body["message"]
        .as_str()
        .unwrap()
        .starts_with("Authentication credentials not found."));
    let wrong = try_send(
        &t.base,
        "GET",
        "/crm/v3/objects/contacts",
        Some("other"),
        None,
    )
    .unwrap();
    assert_eq!(wrong.status, 401);
    let control = try_send(&t.base, "GET", "/__sandbox/stats", None, None).unwrap();
    assert_eq!(control.status, 401);
    let unknown = t.get("/crm/v3/nothing/here/at/all");
    assert_eq!((unknown.status, unknown.raw.as_str()), (404, "Not Found"));
    assert_eq!(t.req("PUT", "/crm/v3/objects/contacts", None).status, 405);
    // Any non-empty token works when none is configured.
    let open = T::with(super::SandboxOptions::default());
    assert_eq!(
        try_send(&open.base, "GET", "/crm/v3/owners", Some("anything"), None)
            .unwrap()
            .status,
        200
    );
    assert_eq!(
        try_send(&open.base, "GET", "/crm/v3/owners", None, None)
            .unwrap()
            .status,
        401
    );
}
