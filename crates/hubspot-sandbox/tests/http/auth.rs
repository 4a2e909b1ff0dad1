//! Authentication (401 bodies, the token-info exception) and unknown paths and methods (404, 405).

use crate::client::{try_send, T};

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
    let open = T::with(hubspot_sandbox::SandboxOptions::default());
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
