//! Tool profiles: named subsets of the registry's tools that a client picks by the URL it connects to
//! (`/mcp/<profile>`) or by the `MCP-Tool-Profile` header, so a model's context holds only the tools
//! the job needs. Built in: `all` (every tool, what `/mcp` serves), `read` (every read-only tool),
//! `sales` and `admin` (families); `MCP_TOOL_PROFILES` adds or replaces profiles (never `all`).
//! A profile only narrows: `HUBSPOT_TOOLSETS` and `HUBSPOT_READ_ONLY` choose the registry's tools first,
//! and a read-only principal sees only the read-only tools of its profile.

use std::fmt;

use super::{Family, ToolDef};
use crate::config::{ProfileItem, ProfileSpec};

/// The profile `/mcp` serves: every tool.
pub(crate) const ALL: &str = "all";

/// The header a client that can set headers names a profile with, on `/mcp`.
pub(crate) const HEADER: &str = "mcp-tool-profile";

/// What a built-in profile holds.
enum BuiltIn {
    /// Every read-only tool, of every family.
    ReadOnly,
    /// Every tool of these families.
    Families(&'static [Family]),
}

/// The built-in profiles after `all`, in the order they are listed.
const BUILT_IN: [(&str, BuiltIn); 3] = [
    ("read", BuiltIn::ReadOnly),
    (
        "sales",
        BuiltIn::Families(&[
            Family::Records,
            Family::Associations,
            Family::Engagements,
            Family::Owners,
            Family::Pipelines,
            Family::Lists,
        ]),
    ),
    (
        "admin",
        BuiltIn::Families(&[
            Family::Properties,
            Family::Schemas,
            Family::Workflows,
            Family::Pipelines,
        ]),
    ),
];

/// A profile by its index in [`Profiles`]; `ProfileId::ALL` is every tool.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct ProfileId(u16);

impl ProfileId {
    /// `all`: every tool the registry holds.
    pub(crate) const ALL: ProfileId = ProfileId(0);

    pub(super) fn index(self) -> usize {
        usize::from(self.0)
    }
}

/// The profile a request is served with, and how it was chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Chosen {
    /// The profile.
    pub(crate) id: ProfileId,
    /// Chosen by the `MCP-Tool-Profile` header (the list then depends on a header: a 2026-07-28 cache
    /// must keep it private), not by the URL.
    pub(crate) by_header: bool,
}

/// One profile: its name and which of the registry's tools it holds (by listing index).
#[derive(Debug)]
struct Profile {
    name: Box<str>,
    member: Vec<bool>,
}

/// A profile definition that names a tool this server does not have.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownTool {
    /// The profile.
    pub profile: String,
    /// The name it gave.
    pub tool: String,
}

impl fmt::Display for UnknownTool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "error: MCP_TOOL_PROFILES: profile {:?} names {:?}, which is not a tool of this server \
             (docs/tools.md lists them; a family name takes all of its tools)",
            self.profile, self.tool
        )
    }
}

impl std::error::Error for UnknownTool {}

/// Every profile of this server, `all` first.
#[derive(Debug)]
pub(crate) struct Profiles {
    list: Vec<Profile>,
}

impl Profiles {
    /// No profile at all (a registry before its profiles are set).
    pub(super) fn empty() -> Profiles {
        Profiles { list: Vec::new() }
    }

    /// The built-in profiles and the operator's `specs` (a spec named like a built-in replaces it) over
    /// `defs`, the registry's tools in listing order; `known` says whether a name is a tool of this
    /// build at all (one `HUBSPOT_TOOLSETS` left out is no error: the profile just lacks it).
    pub(crate) fn build(
        defs: &[&ToolDef],
        specs: &[ProfileSpec],
        known: impl Fn(&str) -> bool,
    ) -> Result<Profiles, UnknownTool> {
        let mut list = vec![Profile {
            name: ALL.into(),
            member: vec![true; defs.len()],
        }];
        for (name, what) in &BUILT_IN {
            if specs.iter().any(|s| s.name == *name) {
                continue;
            }
            let member = defs
                .iter()
                .map(|d| match what {
                    BuiltIn::ReadOnly => d.annotations.read_only,
                    BuiltIn::Families(fams) => fams.contains(&d.family),
                })
                .collect();
            list.push(Profile {
                name: (*name).into(),
                member,
            });
        }
        for spec in specs {
            for item in &spec.items {
                if let ProfileItem::Tool(t) = item {
                    if !known(t) {
                        return Err(UnknownTool {
                            profile: spec.name.clone(),
                            tool: t.clone(),
                        });
                    }
                }
            }
            let member = defs
                .iter()
                .map(|d| {
                    spec.items.iter().any(|i| match i {
                        ProfileItem::Family(f) => *f == d.family,
                        ProfileItem::Tool(t) => t == d.name,
                    })
                })
                .collect();
            list.push(Profile {
                name: spec.name.as_str().into(),
                member,
            });
        }
        Ok(Profiles { list })
    }

    /// The profile called `name`.
    pub(crate) fn find(&self, name: &str) -> Option<ProfileId> {
        self.list
            .iter()
            .position(|p| &*p.name == name)
            .and_then(|i| u16::try_from(i).ok())
            .map(ProfileId)
    }

    /// The name of `id` (`all` for an id this table did not give).
    pub(crate) fn name(&self, id: ProfileId) -> &str {
        self.list.get(id.index()).map_or(ALL, |p| &p.name)
    }

    /// Every profile's name, `all` first.
    pub(crate) fn names(&self) -> impl Iterator<Item = &str> {
        self.list.iter().map(|p| &*p.name)
    }

    /// How many profiles there are.
    pub(crate) fn len(&self) -> usize {
        self.list.len()
    }

    /// Whether the tool at listing index `tool` is in `id`.
    pub(crate) fn holds(&self, id: ProfileId, tool: usize) -> bool {
        self.list
            .get(id.index())
            .and_then(|p| p.member.get(tool))
            .copied()
            .unwrap_or(false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tools::Registry;

    fn spec(name: &str, items: Vec<ProfileItem>) -> ProfileSpec {
        ProfileSpec {
            name: name.into(),
            items,
        }
    }

    #[test]
    fn built_in_profiles_hold_what_they_say() {
        let reg = Registry::build(Registry::all_tools(), 100).unwrap();
        let defs: Vec<&ToolDef> = reg.defs().collect();
        let p = Profiles::build(&defs, &[], |_| true).unwrap();
        let names: Vec<&str> = p.names().collect();
        assert_eq!(names, ["all", "read", "sales", "admin"]);
        let read = p.find("read").unwrap();
        let sales = p.find("sales").unwrap();
        let admin = p.find("admin").unwrap();
        for (i, d) in defs.iter().enumerate() {
            assert!(p.holds(ProfileId::ALL, i));
            assert_eq!(p.holds(read, i), d.annotations.read_only, "{}", d.name);
            let in_sales = matches!(
                d.family,
                Family::Records
                    | Family::Associations
                    | Family::Engagements
                    | Family::Owners
                    | Family::Pipelines
                    | Family::Lists
            );
            assert_eq!(p.holds(sales, i), in_sales, "{}", d.name);
            let in_admin = matches!(
                d.family,
                Family::Properties | Family::Schemas | Family::Workflows | Family::Pipelines
            );
            assert_eq!(p.holds(admin, i), in_admin, "{}", d.name);
        }
        assert_eq!(p.find("nope"), None);
    }

    #[test]
    fn operators_add_and_replace_profiles() {
        let reg = Registry::build(Registry::all_tools(), 100).unwrap();
        let defs: Vec<&ToolDef> = reg.defs().collect();
        let specs = [
            spec(
                "support",
                vec![
                    ProfileItem::Family(Family::Engagements),
                    ProfileItem::Tool("hubspot_get_owner".into()),
                ],
            ),
            spec("sales", vec![ProfileItem::Family(Family::Records)]),
        ];
        let p = Profiles::build(&defs, &specs, |_| true).unwrap();
        let names: Vec<&str> = p.names().collect();
        assert_eq!(names, ["all", "read", "admin", "support", "sales"]);
        let support = p.find("support").unwrap();
        let held: Vec<&str> = defs
            .iter()
            .enumerate()
            .filter(|(i, _)| p.holds(support, *i))
            .map(|(_, d)| d.name)
            .collect();
        assert!(held.contains(&"hubspot_get_owner"));
        assert!(held.contains(&"hubspot_create_engagement"));
        assert!(!held.contains(&"hubspot_list_owners"));
        let sales = p.find("sales").unwrap();
        for (i, d) in defs.iter().enumerate() {
            assert_eq!(p.holds(sales, i), d.family == Family::Records);
        }
    }

    #[test]
    fn an_unknown_tool_name_is_refused() {
        let reg = Registry::build(Registry::all_tools(), 100).unwrap();
        let defs: Vec<&ToolDef> = reg.defs().collect();
        let specs = [spec("x", vec![ProfileItem::Tool("hubspot_nope".into())])];
        let e = Profiles::build(&defs, &specs, |n| n != "hubspot_nope").unwrap_err();
        assert_eq!(e.tool, "hubspot_nope");
        assert!(e.to_string().contains("MCP_TOOL_PROFILES"));
    }
}
