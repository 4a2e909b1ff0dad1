//! [`ProfileSpec`]: the tool profiles an operator defines (`MCP_TOOL_PROFILES`), as written. Which tools
//! each one holds is the tool registry's business (`tools::profile`): this only checks the shape.

use super::parse::Parser;
use super::toolset::Toolset;
use super::vars;

/// What `MCP_TOOL_PROFILES` accepts, for error messages.
pub(crate) const PROFILES_EXPECTED: &str =
    "`name=item,item;name=item`: a name of 1-32 lowercase letters, digits, `-` or `_` (not `all`), \
     items tool families (records, batch, associations, ...) or tool names (hubspot_get_record, ...)";

/// One item of a profile: a whole family, or one tool by name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ProfileItem {
    /// Every tool of the family.
    Family(Toolset),
    /// One tool (checked against the tools when the registry is built).
    Tool(String),
}

/// An operator's profile: its URL name (`/mcp/<name>`) and what it holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ProfileSpec {
    /// The name in `/mcp/<name>` and the `MCP-Tool-Profile` header.
    pub(crate) name: String,
    /// Families and tools, in the order written.
    pub(crate) items: Vec<ProfileItem>,
}

/// Whether `s` may name a profile (it becomes a URL path segment).
pub(crate) fn valid_profile_name(s: &str) -> bool {
    (1..=32).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
}

/// Whether `s` is shaped like a tool name (letters, digits, `_`, `.`, `-`; at most 64).
fn tool_name_shape(s: &str) -> bool {
    (1..=64).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
}

/// Parses `MCP_TOOL_PROFILES`; every problem is reported, the good definitions kept.
pub(super) fn parse(p: &mut Parser<'_>) -> Vec<ProfileSpec> {
    let Some(raw) = p.get(&vars::MCP_TOOL_PROFILES) else {
        return Vec::new();
    };
    let mut out: Vec<ProfileSpec> = Vec::new();
    for def in raw.split(';').map(str::trim).filter(|d| !d.is_empty()) {
        let Some((name, items)) = def.split_once('=') else {
            p.invalid(&vars::MCP_TOOL_PROFILES, PROFILES_EXPECTED, def);
            continue;
        };
        let name = name.trim().to_ascii_lowercase();
        if !valid_profile_name(&name) || name == "all" || out.iter().any(|s| s.name == name) {
            p.invalid(&vars::MCP_TOOL_PROFILES, PROFILES_EXPECTED, def);
            continue;
        }
        let mut spec = ProfileSpec {
            name,
            items: Vec::new(),
        };
        for item in items.split(',').map(str::trim).filter(|i| !i.is_empty()) {
            let lower = item.to_ascii_lowercase();
            match Toolset::parse(&lower) {
                Some(f) => spec.items.push(ProfileItem::Family(f)),
                None if tool_name_shape(item) => spec.items.push(ProfileItem::Tool(item.into())),
                None => p.invalid(&vars::MCP_TOOL_PROFILES, PROFILES_EXPECTED, item),
            }
        }
        if spec.items.is_empty() {
            p.invalid(&vars::MCP_TOOL_PROFILES, PROFILES_EXPECTED, def);
            continue;
        }
        out.push(spec);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert!(valid_profile_name("sales"));
        assert!(valid_profile_name("support-2_x"));
        assert!(!valid_profile_name(""));
        assert!(!valid_profile_name("Sales"));
        assert!(!valid_profile_name("a/b"));
        assert!(!valid_profile_name(&"a".repeat(33)));
    }
}
