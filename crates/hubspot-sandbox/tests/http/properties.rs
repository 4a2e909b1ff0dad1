//! The properties API over HTTP: properties and groups, created, changed and archived.

use serde_json::json;

use crate::client::T;

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
