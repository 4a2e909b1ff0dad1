//! The write policy: what `MCP_WRITE_POLICY` says of one write, for one principal, with the floors no
//! rule lowers (archives and big batch writes are approved; a write soon after outside text was read
//! is asked when the client can ask).

use crate::config::{ApprovalSettings, PolicyRule, Selector, WriteAction};
use crate::tools::{Change, Effect, ToolDef};

/// How the client can ask a person (its declared elicitation capability).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Asks {
    /// Form elicitation (`elicitation: {}` or `{form: {}}`).
    pub(crate) form: bool,
    /// URL elicitation (2025-11-25 and later: `{url: {}}`).
    pub(crate) url: bool,
}

impl Asks {
    /// Reads `capabilities.elicitation` (an absent or non-object value: none). An empty object means
    /// form mode, as the specification says.
    pub(crate) fn of(capabilities: Option<&serde_json::Value>) -> Asks {
        let Some(e) = capabilities
            .and_then(|c| c.get("elicitation"))
            .and_then(serde_json::Value::as_object)
        else {
            return Asks::default();
        };
        let url = e.get("url").is_some_and(serde_json::Value::is_object);
        let form = e.get("form").is_some_and(serde_json::Value::is_object) || e.is_empty();
        Asks { form, url }
    }
    /// True when the client can put a question to a person.
    pub(crate) fn any(self) -> bool {
        self.form || self.url
    }
}

/// What happens to a write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Decision {
    /// Made now.
    Allow,
    /// Made once a person says yes.
    Approve,
    /// Refused.
    Deny,
}

/// The rule that applies: a scope's rule beats a general one, then the more specific selector, then
/// the later rule; `None` when no rule matches.
fn matching<'a>(
    rules: &'a [PolicyRule],
    def: &ToolDef,
    effect: Effect,
    scopes: &[String],
) -> Option<&'a PolicyRule> {
    rules
        .iter()
        .enumerate()
        .filter(|(_, r)| r.scope.as_ref().is_none_or(|s| scopes.contains(s)))
        .filter(|(_, r)| match &r.selector {
            Selector::Any => true,
            Selector::Kind(k) => *k == effect,
            Selector::Family(f) => *f == def.family,
            Selector::Tool(t) => t == def.name,
        })
        .max_by_key(|(i, r)| (r.scope.is_some(), r.selector.rank(), *i))
        .map(|(_, r)| r)
}

/// The default when no rule matches: archives are approved, everything else asked.
fn default_action(effect: Effect) -> WriteAction {
    match effect {
        Effect::Archive => WriteAction::Approve,
        _ => WriteAction::Ask,
    }
}

/// Decides a write.
pub(crate) fn decide(
    settings: &ApprovalSettings,
    def: &ToolDef,
    change: &Change,
    scopes: &[String],
    asks: Asks,
    untrusted_read: bool,
) -> Decision {
    let of = |effect| {
        matching(&settings.rules, def, effect, scopes)
            .map_or_else(|| default_action(effect), |r| r.action)
    };
    let mut action = of(change.effect);
    if change.may_create {
        // An upsert creates the records it does not find: the stricter of the two rules.
        action = action.max(of(Effect::Create));
    }
    // Any write of many records (a batch, or a record with many associations), whatever its family.
    let big_batch = change.count > settings.batch_threshold;
    if (change.effect == Effect::Archive || big_batch) && action < WriteAction::Approve {
        action = WriteAction::Approve;
    }
    if untrusted_read && asks.any() && action < WriteAction::Approve {
        action = WriteAction::Approve;
    }
    match action {
        WriteAction::Allow => Decision::Allow,
        WriteAction::Ask if asks.any() => Decision::Approve,
        WriteAction::Ask => Decision::Allow,
        WriteAction::Approve => Decision::Approve,
        WriteAction::Deny => Decision::Deny,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Purpose, RawEnv};
    use crate::tools::Registry;

    fn settings(policy: &str) -> ApprovalSettings {
        let raw = RawEnv::from_pairs([("MCP_WRITE_POLICY", policy)]);
        crate::config::Config::from_raw(&raw, Purpose::Demo)
            .unwrap()
            .approvals()
            .clone()
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

    #[test]
    fn defaults_ask_creates_and_always_approve_archives() {
        let s = settings("");
        let update = Change::new(Effect::Update, "contacts", 1);
        let archive = Change::new(Effect::Archive, "contacts", 1);
        let up = def("hubspot_update_record");
        let ar = def("hubspot_archive_record");
        assert_eq!(
            decide(&s, &up, &update, &[], FORM, false),
            Decision::Approve
        );
        assert_eq!(
            decide(&s, &up, &update, &[], Asks::default(), false),
            Decision::Allow
        );
        assert_eq!(
            decide(&s, &ar, &archive, &[], Asks::default(), false),
            Decision::Approve
        );
        let s = settings("archive=allow,update=allow");
        assert_eq!(
            decide(&s, &ar, &archive, &[], FORM, false),
            Decision::Approve,
            "floor"
        );
        assert_eq!(decide(&s, &up, &update, &[], FORM, false), Decision::Allow);
        assert_eq!(
            decide(&s, &up, &update, &[], FORM, true),
            Decision::Approve,
            "untrusted"
        );
        assert_eq!(
            decide(&s, &up, &update, &[], Asks::default(), true),
            Decision::Allow,
            "nobody to ask"
        );
    }

    #[test]
    fn specific_rules_and_scopes_win() {
        let s = settings("*=deny,records=approve,hubspot_update_record=allow,admin@update=deny");
        let update = Change::new(Effect::Update, "contacts", 1);
        let create = Change::new(Effect::Create, "contacts", 1);
        let up = def("hubspot_update_record");
        let cr = def("hubspot_create_record");
        let none = Asks::default();
        assert_eq!(decide(&s, &up, &update, &[], none, false), Decision::Allow);
        assert_eq!(
            decide(&s, &cr, &create, &[], none, false),
            Decision::Approve
        );
        let admin = ["admin".to_string()];
        assert_eq!(
            decide(&s, &up, &update, &admin, none, false),
            Decision::Deny
        );
        let batch = def("hubspot_batch_update");
        let mut big = Change::new(Effect::Update, "contacts", 11);
        assert_eq!(decide(&s, &batch, &big, &[], none, false), Decision::Deny);
        let s = settings("batch=allow");
        assert_eq!(
            decide(&s, &batch, &big, &[], none, false),
            Decision::Approve
        );
        big.count = 10;
        assert_eq!(decide(&s, &batch, &big, &[], none, false), Decision::Allow);
    }

    #[test]
    fn an_upsert_is_weighed_as_the_stricter_of_update_and_create_and_many_records_are_approved() {
        let up = def("hubspot_batch_upsert");
        let mut c = Change::new(Effect::Update, "contacts", 2);
        c.may_create = true;
        let none = Asks::default();
        assert_eq!(
            decide(&settings("create=deny"), &up, &c, &[], none, false),
            Decision::Deny
        );
        assert_eq!(
            decide(
                &settings("update=allow,create=approve"),
                &up,
                &c,
                &[],
                none,
                false
            ),
            Decision::Approve
        );
        // Many associations at once: the batch floor, whatever the family.
        let assoc = def("hubspot_batch_create_associations");
        let many = Change::new(Effect::Associate, "contacts", 50);
        assert_eq!(
            decide(&settings("*=allow"), &assoc, &many, &[], none, false),
            Decision::Approve
        );
    }

    #[test]
    fn capabilities_read_as_the_spec_says() {
        let a = |v: serde_json::Value| Asks::of(Some(&v));
        assert_eq!(a(serde_json::json!({"elicitation": {}})), FORM);
        assert_eq!(
            a(serde_json::json!({"elicitation": {"url": {}}})),
            Asks {
                form: false,
                url: true
            }
        );
        assert_eq!(a(serde_json::json!({"sampling": {}})), Asks::default());
        assert!(!Asks::of(None).any());
    }
}
