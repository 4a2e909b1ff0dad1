//! [`ApprovalSettings`]: which writes a person must approve first (`MCP_WRITE_POLICY`), and the bounds of
//! asking them. The write kinds ([`WriteKind`]) are defined here, read by the tools as `tools::Effect`.

use std::time::Duration;

use super::parse::Parser;
use super::toolset::Toolset;
use super::vars;

/// What kind of change a write tool makes (the policy's selectors; the audit line's `effect`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WriteKind {
    /// New records (or engagements).
    Create,
    /// New values on existing records (upserts included).
    Update,
    /// Records archived (HubSpot's delete).
    Archive,
    /// Associations created or removed.
    Associate,
    /// Property definitions or groups created, changed or archived.
    Schema,
}

impl WriteKind {
    /// Every kind, in policy order.
    pub(crate) const ALL: [WriteKind; 5] = [
        WriteKind::Create,
        WriteKind::Update,
        WriteKind::Archive,
        WriteKind::Associate,
        WriteKind::Schema,
    ];
    /// Its name in the policy and in audit lines.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            WriteKind::Create => "create",
            WriteKind::Update => "update",
            WriteKind::Archive => "archive",
            WriteKind::Associate => "associate",
            WriteKind::Schema => "schema",
        }
    }
    fn parse(s: &str) -> Option<WriteKind> {
        WriteKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// What the policy says of a write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum WriteAction {
    /// Made without asking.
    Allow,
    /// Asked of a person when the client can ask one (elicitation), else made without asking: the
    /// default of creates, updates and associations.
    Ask,
    /// A person must say yes first, through the client or, when it cannot ask, the approval page.
    Approve,
    /// Refused.
    Deny,
}

impl WriteAction {
    fn parse(s: &str) -> Option<WriteAction> {
        match s {
            "allow" => Some(WriteAction::Allow),
            "ask" => Some(WriteAction::Ask),
            "approve" => Some(WriteAction::Approve),
            "deny" => Some(WriteAction::Deny),
            _ => None,
        }
    }
}

/// What a policy rule matches, most specific last.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Selector {
    /// Every write.
    Any,
    /// Writes of one kind.
    Kind(WriteKind),
    /// The write tools of one family.
    Family(Toolset),
    /// One tool, by name.
    Tool(String),
}

impl Selector {
    /// How specific it is: a tool beats a family beats a kind beats `*`.
    pub(crate) fn rank(&self) -> u8 {
        match self {
            Selector::Any => 0,
            Selector::Kind(_) => 1,
            Selector::Family(_) => 2,
            Selector::Tool(_) => 3,
        }
    }
}

/// One rule of `MCP_WRITE_POLICY`: `[scope@]selector=action`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PolicyRule {
    /// Applies only to principals holding this scope (`None`: to everyone).
    pub(crate) scope: Option<String>,
    /// What it matches.
    pub(crate) selector: Selector,
    /// What it says.
    pub(crate) action: WriteAction,
}

/// What [`ApprovalSettings::parse`] expects of each rule.
const POLICY_EXPECTED: &str = "comma-separated rules [scope@]selector=action: selector *, create, update, archive, associate, schema, a tool family or a tool name; action allow, ask, approve or deny";

/// What the approval gate reads.
#[derive(Debug, Clone)]
pub(crate) struct ApprovalSettings {
    /// `MCP_WRITE_POLICY`, in the order written.
    pub(crate) rules: Vec<PolicyRule>,
    /// `MCP_APPROVAL_TIMEOUT_MS`: how long a call waits for a person's answer.
    pub(crate) timeout: Duration,
    /// `MCP_APPROVAL_PAGE_ONLY`: never take a client's form answer as the person's yes.
    pub(crate) page_only: bool,
    /// `MCP_APPROVAL_TTL_MS`: how long an approval (a link, a request state) may be used.
    pub(crate) ttl: Duration,
    /// `MCP_APPROVAL_BATCH_THRESHOLD`: batch writes of more records always need approval.
    pub(crate) batch_threshold: usize,
    /// `MCP_MAX_PENDING_APPROVALS`: approvals one principal may have waiting.
    pub(crate) max_pending: usize,
    /// `MCP_UNTRUSTED_WINDOW_MS`: after outside text is read, writes are asked of a person this long.
    pub(crate) untrusted_window: Duration,
}

impl ApprovalSettings {
    pub(super) fn parse(p: &mut Parser<'_>, request_timeout: Duration) -> ApprovalSettings {
        let mut rules = Vec::new();
        if let Some(list) = p.items(&vars::MCP_WRITE_POLICY, str::to_string) {
            for item in list {
                match parse_rule(&item) {
                    Some(r) => rules.push(r),
                    None => p.invalid(&vars::MCP_WRITE_POLICY, POLICY_EXPECTED, &item),
                }
            }
        }
        let set = p.get(&vars::MCP_APPROVAL_TIMEOUT_MS).is_some();
        let mut timeout = p.millis(&vars::MCP_APPROVAL_TIMEOUT_MS);
        if set && timeout >= request_timeout {
            p.rule(
                &vars::MCP_APPROVAL_TIMEOUT_MS,
                "must be below MCP_REQUEST_TIMEOUT_MS (the write still has to be made after the answer)",
            );
        } else if !set {
            // The default yields to a short request deadline: two thirds of it at most.
            timeout = timeout.min(request_timeout * 2 / 3);
        }
        ApprovalSettings {
            rules,
            timeout,
            page_only: p.flag(&vars::MCP_APPROVAL_PAGE_ONLY),
            ttl: p.millis(&vars::MCP_APPROVAL_TTL_MS),
            batch_threshold: p.count(&vars::MCP_APPROVAL_BATCH_THRESHOLD),
            max_pending: p.count(&vars::MCP_MAX_PENDING_APPROVALS),
            untrusted_window: p.millis(&vars::MCP_UNTRUSTED_WINDOW_MS),
        }
    }
}

/// `[scope@]selector=action`, case-insensitive but for the scope and a tool's name.
fn parse_rule(item: &str) -> Option<PolicyRule> {
    let (lhs, action) = item.split_once('=')?;
    let action = WriteAction::parse(&action.trim().to_ascii_lowercase())?;
    let (scope, sel) = match lhs.split_once('@') {
        Some((s, sel)) => (Some(s.trim().to_string()).filter(|s| !s.is_empty()), sel),
        None => (None, lhs),
    };
    if lhs.contains('@') && scope.is_none() {
        return None;
    }
    let sel = sel.trim();
    let lower = sel.to_ascii_lowercase();
    let selector = if sel == "*" {
        Selector::Any
    } else if let Some(k) = WriteKind::parse(&lower) {
        Selector::Kind(k)
    } else if let Some(f) = Toolset::parse(&lower) {
        Selector::Family(f)
    } else if !sel.is_empty()
        && sel
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
    {
        Selector::Tool(sel.to_string())
    } else {
        return None;
    };
    Some(PolicyRule {
        scope,
        selector,
        action,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_parse() {
        assert_eq!(
            parse_rule("crm.admin@archive=allow"),
            Some(PolicyRule {
                scope: Some("crm.admin".into()),
                selector: Selector::Kind(WriteKind::Archive),
                action: WriteAction::Allow
            })
        );
        assert_eq!(
            parse_rule("Batch = DENY").map(|r| (r.selector, r.action)),
            Some((Selector::Family(Toolset::Batch), WriteAction::Deny))
        );
        assert_eq!(
            parse_rule("hubspot_update_record=approve").map(|r| r.selector),
            Some(Selector::Tool("hubspot_update_record".into()))
        );
        assert_eq!(parse_rule("*=ask").map(|r| r.selector), Some(Selector::Any));
        for bad in [
            "archive",
            "archive=maybe",
            "@archive=allow",
            "a b=allow",
            "=allow",
        ] {
            assert_eq!(parse_rule(bad), None, "{bad}");
        }
    }
}
