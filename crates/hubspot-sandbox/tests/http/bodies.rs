//! Request bodies where HubSpot's reference defines none (no `requestBody`): `PUT …/associations/default/…`,
//! every GET and DELETE. A body there is refused with 400 VALIDATION_ERROR in HubSpot's error shape and
//! nothing is applied; the same request without a body (no `Content-Length`, or `Content-Length: 0`) is
//! served.

use std::io::{Read, Write};
use std::net::TcpStream;

use serde_json::{json, Value};

use crate::client::{try_send, T, TOKEN};

/// A fresh contact and company, not associated.
fn pair(t: &T) -> (String, String) {
    let c = t.post(
        "/crm/v3/objects/contacts",
        json!({"properties": {"email": "body.rule@example.com"}}),
    );
    let co = t.post(
        "/crm/v3/objects/companies",
        json!({"properties": {"name": "Body Rule Inc."}}),
    );
    assert_eq!((c.status, co.status), (201, 201), "{} {}", c.raw, co.raw);
    (
        c.body["id"].as_str().unwrap().to_string(),
        co.body["id"].as_str().unwrap().to_string(),
    )
}

fn associated(t: &T, contact: &str) -> Vec<Value> {
    let r = t.get(&format!(
        "/crm/v4/objects/contacts/{contact}/associations/companies"
    ));
    assert_eq!(r.status, 200, "{}", r.raw);
    r.body["results"].as_array().unwrap().clone()
}

/// Sends `head` then `body` raw and returns (status, body).
fn raw(t: &T, head: &str, body: &str) -> (u16, Value) {
    let addr = t.base.trim_start_matches("http://");
    let mut s = TcpStream::connect(addr).unwrap();
    write!(
        s,
        "{head}\r\nHost: {addr}\r\nAuthorization: Bearer {TOKEN}\r\nConnection: close\r\n{}\r\n{body}",
        if body.is_empty() {
            "Content-Length: 0\r\n".to_string()
        } else {
            format!("Content-Length: {}\r\n", body.len())
        }
    )
    .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    let status = out.split(' ').nth(1).unwrap().parse().unwrap();
    let json = out
        .split_once("\r\n\r\n")
        .and_then(|(_, b)| serde_json::from_str(b).ok())
        .unwrap_or(Value::Null);
    (status, json)
}

#[test]
fn a_body_on_the_default_association_put_is_refused_and_not_applied() {
    let t = T::start();
    let (contact, company) = pair(&t);
    let path =
        format!("/crm/v4/objects/contacts/{contact}/associations/default/companies/{company}");

    // What the client used to send: `Content-Type: application/json` and `{}`.
    let r = try_send(&t.base, "PUT", &path, Some(TOKEN), Some(&json!({}))).unwrap();
    assert_eq!(r.status, 400, "{}", r.raw);
    assert_eq!(r.body["status"], "error");
    assert_eq!(r.body["category"], "VALIDATION_ERROR");
    assert!(r.body["correlationId"]
        .as_str()
        .is_some_and(|c| c.len() == 36));
    let msg = r.body["message"].as_str().unwrap();
    assert!(
        msg.contains("/associations/default/") && msg.contains("takes no request body"),
        "{msg}"
    );
    assert!(r.header("x-hubspot-correlation-id").is_some());
    assert!(associated(&t, &contact).is_empty(), "nothing was applied");

    // No body at all (no Content-Length, no Content-Type): served.
    let r = try_send(&t.base, "PUT", &path, Some(TOKEN), None).unwrap();
    assert_eq!(r.status, 200, "{}", r.raw);
    assert_eq!(associated(&t, &contact).len(), 1);

    // `Content-Length: 0` is no body either (what ureq's `send_empty` writes).
    let (status, body) = raw(&t, &format!("PUT {path} HTTP/1.1"), "");
    assert_eq!(status, 200, "{body}");
    let stats = t.sb.stats();
    assert_eq!(
        stats.count("PUT /crm/v4/objects/{from}/{id}/associations/default/{to}/{toId}"),
        3,
        "refused requests are counted like any other"
    );
}

#[test]
fn gets_and_deletes_take_no_body_either_and_json_operations_still_take_theirs() {
    let t = T::start();
    let (status, body) = raw(&t, "GET /crm/v3/objects/contacts/101 HTTP/1.1", "{}");
    assert_eq!(
        (status, &body["category"]),
        (400, &json!("VALIDATION_ERROR")),
        "{body}"
    );
    let (status, body) = raw(&t, "DELETE /crm/v3/objects/contacts/101 HTTP/1.1", "x");
    assert_eq!(status, 400, "{body}");
    assert_eq!(
        t.get("/crm/v3/objects/contacts/101").status,
        200,
        "not archived"
    );

    // A labelled association (the reference defines a JSON body) is served with its body.
    let (contact, company) = pair(&t);
    let r = t.req(
        "PUT",
        &format!("/crm/v4/objects/contacts/{contact}/associations/companies/{company}"),
        Some(&json!([{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 279}])),
    );
    assert_eq!(r.status, 201, "{}", r.raw);
    // Unknown paths stay 404 whatever the body.
    let (status, _) = raw(&t, "GET /crm/v3/nothing HTTP/1.1", "{}");
    assert_eq!(status, 404);
}
