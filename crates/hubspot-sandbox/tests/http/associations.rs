//! The v4 associations API over HTTP: list, default and labelled creates, delete, labels, batches.

use serde_json::json;

use crate::client::T;

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
