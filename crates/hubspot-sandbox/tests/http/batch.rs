//! The batch endpoints over HTTP: read, create, update, upsert, archive, and 207 partial failures.

use serde_json::{json, Value};

use crate::client::{ids, T};

#[test]
fn batches() {
    let t = T::start();
    let read = t.post(
        "/crm/v3/objects/contacts/batch/read",
        json!({"inputs": [{"id": "101"}, {"id": "999999"}, {"id": 102}], "properties": ["email"]}),
    );
    assert_eq!(read.status, 207, "{}", read.raw);
    assert_eq!(read.body["status"], "COMPLETE");
    assert_eq!(ids(&read.body), vec![101, 102]);
    assert_eq!(read.body["numErrors"], 1);
    assert_eq!(read.body["errors"][0]["category"], "OBJECT_NOT_FOUND");
    assert_eq!(read.body["errors"][0]["context"]["ids"], json!(["999999"]));
    assert!(
        read.body["startedAt"].as_str().is_some() && read.body["completedAt"].as_str().is_some()
    );
    let by_email = t.post(
        "/crm/v3/objects/contacts/batch/read",
        json!({"idProperty": "email", "inputs": [{"id": "maria.chen@acme.example.com"}]}),
    );
    assert_eq!((by_email.status, ids(&by_email.body)), (200, vec![101]));
    let over: Vec<Value> = (0..101)
        .map(|i| json!({"id": (101 + i).to_string()}))
        .collect();
    let too_many = t.post(
        "/crm/v3/objects/contacts/batch/read",
        json!({"inputs": over}),
    );
    assert_eq!(
        (too_many.status, too_many.body["category"].as_str()),
        (400, Some("VALIDATION_ERROR"))
    );
    assert!(too_many.body["message"]
        .as_str()
        .unwrap()
        .starts_with("The maximum number of inputs supported in a batch request is 100"));
    let created = t.post(
        "/crm/v3/objects/companies/batch/create",
        json!({"inputs": [
        {"properties": {"name": "One", "domain": "one.example.com"}},
        {"properties": {"name": "Two", "domain": "two.example.com"}}]}),
    );
    assert_eq!(created.status, 201, "{}", created.raw);
    let new_ids = ids(&created.body);
    assert_eq!(new_ids.len(), 2);
    let invalid = t.post(
        "/crm/v3/objects/companies/batch/create",
        json!({"inputs": [{"properties": {"name": "ok"}}, {"properties": {"nope": 1}}]}),
    );
    assert_eq!(invalid.status, 400);
    let upd = t.post("/crm/v3/objects/companies/batch/update", json!({"inputs": [
        {"id": new_ids[0].to_string(), "properties": {"city": "Boston"}}, {"id": "777777", "properties": {"city": "X"}}]}));
    assert_eq!(upd.status, 207);
    assert_eq!(upd.body["results"][0]["properties"]["city"], "Boston");
    let ups = t.post("/crm/v3/objects/contacts/batch/upsert", json!({"inputs": [
        {"id": "maria.chen@acme.example.com", "idProperty": "email", "properties": {"jobtitle": "COO"}},
        {"id": "brand.new@example.com", "idProperty": "email", "properties": {"firstname": "Brand"}}]}));
    assert_eq!(ups.status, 200, "{}", ups.raw);
    assert_eq!(
        (
            ups.body["results"][0]["new"].as_bool(),
            ups.body["results"][1]["new"].as_bool()
        ),
        (Some(false), Some(true))
    );
    assert_eq!(
        ups.body["results"][1]["properties"]["email"],
        "brand.new@example.com"
    );
    let arch = t.post(
        "/crm/v3/objects/companies/batch/archive",
        json!({"inputs": [{"id": new_ids[0].to_string()}, {"id": "5"}]}),
    );
    assert_eq!(arch.status, 204);
    assert_eq!(
        t.get(&format!("/crm/v3/objects/companies/{}", new_ids[0]))
            .status,
        404
    );
}
