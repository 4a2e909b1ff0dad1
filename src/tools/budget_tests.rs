//! The byte budgets of `tools/list` (issue #13) and the pinned list of tool names.
//!
//! Every MCP client puts the whole tool list into the model's context on every turn, so its size is
//! measured here as served: each tool's compact JSON entry (`name`, `description`, `inputSchema`, and
//! `annotations` where a hint differs from the spec's default: the same in every revision), with the
//! `approvalId` argument `Registry::build` adds to write tools. Three lists are held to a
//! budget: the full one, the `sales` set and the `read` set ([`size_of`] measures any set).
//! `cargo test --lib tool_list_budget -- --nocapture` prints the table.

use serde_json::Value;

use super::{ListShape, Registry, View};

/// The most bytes the full `tools/list` (every tool, compact JSON, the `tools` array) may take. Issue #13's
/// limit.
const FULL_LIST_BUDGET: usize = 30_000;

/// The most bytes the `sales` profile's list may take.
const SALES_LIST_BUDGET: usize = 12_000;

/// The most bytes the `read` profile's list may take.
const READ_LIST_BUDGET: usize = 14_000;

/// Every tool this build has, registered as `tools/list` serves them (with `approvalId` on writes).
fn registry() -> Registry {
    Registry::build(Registry::all_tools(), usize::MAX).unwrap()
}

/// The bytes of the `tools` array `tools/list` serves for `profile` to a principal that may write
/// (compact JSON, the shape every revision is sent; 2025-11-25 clients of a server with a public URL also
/// get an icon URL per tool, which clients show and do not give the model: printed, not budgeted).
fn size_of(reg: &Registry, profile: &str, shape: ListShape) -> usize {
    let id = reg.profiles().find(profile).unwrap();
    let page = reg.page(None, shape, View::Full, id).unwrap();
    let v: Value = serde_json::from_str(&page).unwrap();
    v["tools"].to_string().len()
}

/// Every tool's name, sorted. A rename or a removal breaks clients and saved prompts: make it a
/// deliberate change, with a line in the README's "Changelog" section, then update this list.
const TOOL_NAMES: &[&str] = &[
    "echo",
    "hubspot_add_list_members",
    "hubspot_aggregate_records",
    "hubspot_api_usage",
    "hubspot_archive_property",
    "hubspot_archive_record",
    "hubspot_batch_archive",
    "hubspot_batch_create",
    "hubspot_batch_create_associations",
    "hubspot_batch_read",
    "hubspot_batch_update",
    "hubspot_batch_upsert",
    "hubspot_create_association",
    "hubspot_create_engagement",
    "hubspot_create_list",
    "hubspot_create_property",
    "hubspot_create_property_group",
    "hubspot_create_record",
    "hubspot_get_list",
    "hubspot_get_owner",
    "hubspot_get_pipeline",
    "hubspot_get_property",
    "hubspot_get_record",
    "hubspot_get_schema",
    "hubspot_get_workflow",
    "hubspot_list_association_labels",
    "hubspot_list_associations",
    "hubspot_list_engagements",
    "hubspot_list_memberships",
    "hubspot_list_owners",
    "hubspot_list_pipelines",
    "hubspot_list_properties",
    "hubspot_list_property_groups",
    "hubspot_list_records",
    "hubspot_list_schemas",
    "hubspot_list_workflows",
    "hubspot_record_link",
    "hubspot_remove_association",
    "hubspot_remove_list_members",
    "hubspot_search_lists",
    "hubspot_search_records",
    "hubspot_update_property",
    "hubspot_update_record",
    "hubspot_whoami",
];

/// `(name, family, bytes)` of each tool's entry, in listing order, and the size of the served `tools`
/// array.
fn sizes() -> (Vec<(&'static str, &'static str, usize)>, usize) {
    let reg = registry();
    let per_tool = reg
        .defs()
        .map(|d| {
            let bytes = d.to_json().to_string().len();
            (d.name, d.family.as_str(), bytes)
        })
        .collect();
    let total = size_of(&reg, "all", ListShape::Plain);
    (per_tool, total)
}

#[test]
fn tool_list_budget() {
    let (per_tool, total) = sizes();
    let mut rows = per_tool.clone();
    rows.sort_by(|a, b| b.2.cmp(&a.2).then(a.0.cmp(b.0)));
    println!("{:<34} {:<12} {:>6}", "tool", "family", "bytes");
    for (name, family, bytes) in &rows {
        println!("{name:<34} {family:<12} {bytes:>6}");
    }
    let mut families: Vec<(&str, usize)> = Vec::new();
    for (_, family, bytes) in &per_tool {
        match families.iter_mut().find(|(f, _)| f == family) {
            Some((_, sum)) => *sum += bytes,
            None => families.push((family, *bytes)),
        }
    }
    families.sort_by_key(|f| std::cmp::Reverse(f.1));
    for (family, bytes) in &families {
        println!("{:<34} {family:<12} {bytes:>6}", "(family)");
    }
    println!(
        "{:<34} {:<12} {total:>6} ({} tools)",
        "total",
        "",
        rows.len()
    );
    let reg = registry();
    let sets: [(&str, usize, usize); 3] = [
        ("all", total, FULL_LIST_BUDGET),
        (
            "sales",
            size_of(&reg, "sales", ListShape::Plain),
            SALES_LIST_BUDGET,
        ),
        (
            "read",
            size_of(&reg, "read", ListShape::Plain),
            READ_LIST_BUDGET,
        ),
    ];
    let icons = registry().with_icons(Some("https://hubspot-mcp.example.com"));
    for (set, bytes, budget) in sets {
        let with_icons = size_of(&icons, set, ListShape::Icons);
        println!(
            "{:<34} {set:<12} {bytes:>6} (budget {budget}; with icon URLs {with_icons})",
            "(profile)"
        );
    }
    let admin = size_of(&reg, "admin", ListShape::Plain);
    println!("{:<34} {:<12} {admin:>6}", "(profile)", "admin");
    for (set, bytes, budget) in sets {
        assert!(
            bytes <= budget,
            "the {set} tools/list is {bytes} bytes, over its budget of {budget}: shorten a description \
             or a schema (see the table printed with --nocapture)"
        );
    }
}

#[test]
fn tool_names_are_pinned() {
    let mut names: Vec<&str> = sizes().0.into_iter().map(|(n, _, _)| n).collect();
    names.sort_unstable();
    assert_eq!(
        names, TOOL_NAMES,
        "the tool names changed. Tool names are stable: a rename or a removal needs a line in the \
         README's \"Changelog\" section, then an update of TOOL_NAMES here"
    );
}
