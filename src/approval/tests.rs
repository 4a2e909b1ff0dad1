//! Unit tests of the approval flows that need no transport: the 2026-07-28 state, the link flow's
//! redemption, answers to elicitations.

use super::*;
use crate::config::{Purpose, RawEnv};
use crate::tools::{Effect, Registry};

fn approvals() -> Approvals {
    let cfg = Config::from_raw(
        &RawEnv::from_pairs([("MCP_APPROVAL_TTL_MS", "60000")]),
        Purpose::Demo,
    )
    .unwrap();
    Approvals::new(&cfg, None)
}

fn asker(principal: &str, asks: Asks) -> Asker {
    Asker {
        principal: principal.into(),
        scopes: vec![],
        client: "test".into(),
        asks,
        taint_key: format!("p:{principal}"),
        origin: "http://127.0.0.1:1".into(),
        session: None,
        modes: true,
    }
}

fn def(name: &str) -> ToolDef {
    Registry::all_tools()
        .into_iter()
        .map(|t| t.def().unwrap())
        .find(|d| d.name == name)
        .unwrap()
}

const FORM: Asks = Asks {
    form: true,
    url: false,
};

fn state_of(o: &Outcome) -> String {
    match o {
        Outcome::InputRequired(v) => v["requestState"].as_str().unwrap().to_string(),
        other => panic!("not input_required: {other:?}"),
    }
}

#[test]
fn digest_is_of_the_exact_arguments() {
    let a = digest("t", &json!({"b": 1, "a": [1, 2]}));
    assert_eq!(a, digest("t", &json!({"a": [1, 2], "b": 1})), "key order");
    assert_ne!(a, digest("t", &json!({"a": [1, 2], "b": 2})));
    assert_ne!(a, digest("u", &json!({"a": [1, 2], "b": 1})));
}

#[test]
fn request_state_is_bound_single_use_and_needs_a_yes() {
    let a = approvals();
    let d = def("hubspot_update_record");
    let c = Change::new(Effect::Update, "contacts", 1);
    let who = asker("sub:alice", FORM);
    let dig = digest(d.name, &json!({"id": "1"}));
    let first = a.input_required(&who, &d, &dig, &c);
    let Outcome::InputRequired(v) = &first else {
        panic!()
    };
    assert_eq!(v["resultType"], "input_required");
    assert_eq!(
        v["inputRequests"]["approval"]["method"],
        "elicitation/create"
    );
    let st = state_of(&first);
    let yes = json!({"approval": {"action": "accept", "content": {"approve": true}}});
    let no = json!({"approval": {"action": "decline"}});
    // Another principal, other arguments, a forged state: refused.
    let mallory = asker("sub:mallory", FORM);
    assert!(matches!(
        a.resume(&mallory, &d, &dig, &c, &st, Some(&yes)),
        Outcome::Refuse(_)
    ));
    let other = digest(d.name, &json!({"id": "2"}));
    assert!(matches!(
        a.resume(&who, &d, &other, &c, &st, Some(&yes)),
        Outcome::Refuse(_)
    ));
    // One character of the sealed part changed (the middle: every bit of it is authenticated).
    let mut forged: Vec<char> = st.chars().collect();
    let mid = forged.len() / 2;
    forged[mid] = if forged[mid] == 'A' { 'B' } else { 'A' };
    let forged: String = forged.into_iter().collect();
    assert!(matches!(
        a.resume(&who, &d, &dig, &c, &forged, Some(&yes)),
        Outcome::Refuse(_)
    ));
    // The right answer proceeds once; a replay is refused.
    assert!(matches!(
        a.resume(&who, &d, &dig, &c, &st, Some(&yes)),
        Outcome::Proceed(Some(_))
    ));
    assert!(
        matches!(a.resume(&who, &d, &dig, &c, &st, Some(&yes)), Outcome::Refuse(m) if m.contains("already been used"))
    );
    // A decline writes nothing.
    let st2 = state_of(&a.input_required(&who, &d, &dig, &c));
    assert!(
        matches!(a.resume(&who, &d, &dig, &c, &st2, Some(&no)), Outcome::Declined(m) if m.contains("did not approve"))
    );
}

#[test]
fn page_approvals_are_bound_and_used_once() {
    let a = approvals();
    let d = def("hubspot_archive_record");
    let c = Change::new(Effect::Archive, "deals", 1);
    let who = asker("sub:alice", Asks::default());
    let dig = digest(d.name, &json!({"id": "9"}));
    let Outcome::Asked(text) = a.ask_by_link(&who, &d, &dig, &c) else {
        panic!()
    };
    let id = text
        .split("\"approvalId\": \"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap()
        .to_string();
    assert!(text.contains(&format!("http://127.0.0.1:1/approvals/{id}")));
    assert!(
        matches!(a.redeem(&who, d.name, &dig, &id), Outcome::Refuse(m) if m.contains("not approved it yet"))
    );
    let (r, _) = a.ledger.get(&id).unwrap().unwrap();
    assert!(a.decide_on_page(&r, true).unwrap());
    assert!(!a.decide_on_page(&r, false).unwrap(), "decided once");
    let other = digest(d.name, &json!({"id": "10"}));
    assert!(
        matches!(a.redeem(&who, d.name, &other, &id), Outcome::Refuse(m) if m.contains("different change"))
    );
    let bob = asker("sub:bob", Asks::default());
    assert!(matches!(
        a.redeem(&bob, d.name, &dig, &id),
        Outcome::Refuse(_)
    ));
    assert_eq!(
        a.redeem(&who, d.name, &dig, &id),
        Outcome::Proceed(Some(id.clone()))
    );
    assert!(
        matches!(a.redeem(&who, d.name, &dig, &id), Outcome::Refuse(m) if m.contains("already been used"))
    );
}

#[test]
fn form_answers_read_as_people_mean_them() {
    assert!(form_verdict(Some(
        &json!({"action": "accept", "content": {"approve": true}})
    ))
    .is_ok());
    assert!(form_verdict(Some(&json!({"action": "accept"}))).is_ok());
    assert!(form_verdict(Some(
        &json!({"action": "accept", "content": {"approve": false}})
    ))
    .is_err());
    assert!(form_verdict(Some(&json!({"action": "decline"}))).is_err());
    assert!(form_verdict(Some(&json!({"action": "cancel"}))).is_err());
    assert!(form_verdict(None).is_err());
}
