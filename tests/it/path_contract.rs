//! The client's paths against the sandbox's route table. The sandbox (`crates/hubspot-sandbox`) keeps its
//! own table, written from HubSpot's published reference, and never sees `src/hubspot/paths.rs`; so a path
//! the client builds differently from HubSpot (a version, a segment, a method) shows up here, not as a
//! 404 from HubSpot in production.
//!
//! [`every_client_path_is_served`] calls every builder with representative arguments, under every method
//! the client uses it with, and asks the sandbox's router (`hubspot_sandbox::route`) whether it serves
//! that method and path. [`every_builder_and_every_use_is_in_the_contract`] keeps the list complete: every
//! `pub fn` and `pub const` of `paths.rs` must be in it, and every `paths::NAME` in `src/` must be used
//! with a method the list has for `NAME`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use hubspot_mcp::hubspot::paths;

/// Object types as the tools send them: plural names, singular, objectTypeIds, the custom object's
/// fully qualified name.
const TYPES: [&str; 9] = [
    "contacts",
    "companies",
    "deals",
    "tickets",
    "line_items",
    "notes",
    "0-1",
    "2-3508482",
    "p24681357_projects",
];
/// Record ids, an `idProperty` value, and one that needs encoding (`a%2Fb`: still one segment).
const IDS: [&str; 3] = ["101", "maria.chen@acme.example.com", "a/b"];

/// The `pub const`s of `paths.rs` that are prefixes only (never a whole path).
const PREFIXES: [&str; 5] = [
    "OBJECTS",
    "ASSOCIATIONS_OBJECTS",
    "ASSOCIATIONS",
    "PROPERTIES",
    "PIPELINES",
];

/// (method, builder, path) for every builder under every method the client uses it with.
fn contract() -> Vec<(&'static str, &'static str, String)> {
    let mut out: Vec<(&'static str, &'static str, String)> = Vec::new();
    let mut add = |methods: &[&'static str], name: &'static str, path: String| {
        for m in methods {
            out.push((m, name, path.clone()));
        }
    };
    for ty in TYPES {
        add(&["GET", "POST"], "objects", paths::objects(ty));
        add(&["POST"], "search", paths::search(ty));
        for action in ["read", "create", "update", "upsert", "archive"] {
            add(&["POST"], "batch", paths::batch(ty, action));
        }
        add(&["GET", "POST"], "properties", paths::properties(ty));
        add(
            &["GET", "PATCH", "DELETE"],
            "property",
            paths::property(ty, "email"),
        );
        add(
            &["GET", "POST"],
            "property_groups",
            paths::property_groups(ty),
        );
        add(&["GET"], "schema", paths::schema(ty));
        add(&["GET"], "pipelines", paths::pipelines(ty));
        add(&["GET"], "pipeline", paths::pipeline(ty, "default"));
        for id in IDS {
            add(&["GET", "PATCH", "DELETE"], "object", paths::object(ty, id));
        }
        for to in ["companies", "0-2", "notes"] {
            add(
                &["GET"],
                "associations_of",
                paths::associations_of(ty, "101", to),
            );
            add(
                &["PUT", "DELETE"],
                "association",
                paths::association(ty, "101", to, "401"),
            );
            add(
                &["PUT"],
                "association_default",
                paths::association_default(ty, "101", to, "401"),
            );
            add(
                &["GET"],
                "association_labels",
                paths::association_labels(ty, to),
            );
            add(
                &["POST"],
                "association_batch_create",
                paths::association_batch_create(ty, to),
            );
        }
    }
    add(&["GET"], "owner", paths::owner("75000001"));
    add(&["GET"], "flow", paths::flow("585051946"));
    add(&["GET"], "OWNERS", paths::OWNERS.to_string());
    add(&["GET"], "SCHEMAS", paths::SCHEMAS.to_string());
    add(
        &["GET"],
        "ACCOUNT_DETAILS",
        paths::ACCOUNT_DETAILS.to_string(),
    );
    add(&["GET"], "ACCOUNT_USAGE", paths::ACCOUNT_USAGE.to_string());
    add(&["POST"], "TOKEN_INFO", paths::TOKEN_INFO.to_string());
    add(&["GET"], "FLOWS", paths::FLOWS.to_string());
    add(&["POST"], "LISTS", paths::LISTS.to_string());
    add(&["POST"], "LISTS_SEARCH", paths::LISTS_SEARCH.to_string());
    add(&["GET"], "list", paths::list("11"));
    add(&["GET"], "list_memberships", paths::list_memberships("11"));
    for action in ["add", "remove"] {
        add(
            &["PUT"],
            "list_memberships_change",
            paths::list_memberships_change("11", action),
        );
    }
    add(&["POST"], "OAUTH_TOKEN", paths::OAUTH_TOKEN.to_string());
    add(
        &["POST"],
        "OAUTH_INTROSPECT",
        paths::OAUTH_INTROSPECT.to_string(),
    );
    out
}

/// The paths of `contract()` the sandbox does not serve, one line each.
fn unserved(contract: &[(&str, &str, String)]) -> Vec<String> {
    contract
        .iter()
        .filter(|(m, _, p)| hubspot_sandbox::route(m, p).is_none())
        .map(|(m, name, p)| format!("paths::{name}: {m} {p}"))
        .collect()
}

#[test]
fn every_client_path_is_served() {
    let contract = contract();
    let missing = unserved(&contract);
    assert!(
        missing.is_empty(),
        "the sandbox (HubSpot's reference) serves no such operation; fix the client's path or, if \
         HubSpot's reference has it, add it to crates/hubspot-sandbox/src/routes.rs:\n{}",
        missing.join("\n")
    );
    // The router really tells operations apart (a method the reference does not define for the path,
    // an unknown segment, a dot segment).
    for (m, p) in [
        ("POST", "/crm/v3/objects/contacts/101"),
        (
            "GET",
            "/crm/v4/objects/contacts/101/associations/default/companies/401",
        ),
        ("GET", "/crm/v3/objects/contacts/101/extra"),
        ("GET", "/crm/v3/objects/contacts/%2E%2E"),
    ] {
        assert_eq!(hubspot_sandbox::route(m, p), None, "{m} {p}");
    }
    assert_eq!(
        hubspot_sandbox::route(
            "PUT",
            &paths::association_default("contacts", "1", "companies", "2")
        )
        .as_deref(),
        Some("PUT /crm/v4/objects/{from}/{id}/associations/default/{to}/{toId}")
    );
}

/// The contract's own check: a client path changed alone is caught (here, a date-versioned objects
/// prefix the sandbox does not serve, and a segment renamed).
#[test]
fn a_client_path_the_sandbox_does_not_serve_is_reported() {
    let planted = vec![
        (
            "GET",
            "objects",
            "/crm/objects/2026-03/contacts".to_string(),
        ),
        (
            "PUT",
            "association_default",
            "/crm/v4/objects/contacts/1/associations/defaults/companies/2".to_string(),
        ),
        ("GET", "owner", paths::owner("1")),
    ];
    let missing = unserved(&planted);
    assert_eq!(missing.len(), 2, "{missing:?}");
    assert!(
        missing[0].contains("/crm/objects/2026-03/contacts"),
        "{missing:?}"
    );
}

/// `pub fn NAME` and `pub const NAME` of `paths.rs`.
fn declared(src: &str) -> (BTreeSet<String>, BTreeSet<String>) {
    let mut fns = BTreeSet::new();
    let mut consts = BTreeSet::new();
    for line in src.lines() {
        let word = |rest: &str| -> String {
            rest.chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect()
        };
        if let Some(rest) = line.strip_prefix("pub fn ") {
            fns.insert(word(rest));
        } else if let Some(rest) = line.strip_prefix("pub const ") {
            consts.insert(word(rest));
        }
    }
    (fns, consts)
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The HTTP method of the `paths::NAME` use at `lines[i]`: the nearest `Method::X`, `"X ` (a message
/// naming the call), `.get(` / `cached_get(` (GET) or `oauth_post(` (POST: HubSpot's OAuth API takes forms)
/// on that line up to the use, or on the three lines
/// before it. `None` when nothing says (the caller then follows `let path = paths::…` to its use).
fn method_of_use(lines: &[&str], i: usize, col: usize) -> Option<&'static str> {
    let mut window: Vec<&str> = lines[i.saturating_sub(3)..i].to_vec();
    window.push(&lines[i][..col]);
    for text in window.iter().rev() {
        let mut best: Option<(usize, &'static str)> = None;
        for (needle, method) in [
            ("Method::Get", "GET"),
            ("Method::Post", "POST"),
            ("Method::Put", "PUT"),
            ("Method::Patch", "PATCH"),
            ("Method::Delete", "DELETE"),
            ("\"GET ", "GET"),
            ("\"POST ", "POST"),
            ("\"PUT ", "PUT"),
            ("\"PATCH ", "PATCH"),
            ("\"DELETE ", "DELETE"),
            (".get(", "GET"),
            ("cached_get(", "GET"),
            ("oauth_post(", "POST"),
        ] {
            if let Some(at) = text.rfind(needle) {
                if best.is_none_or(|(b, _)| at > b) {
                    best = Some((at, method));
                }
            }
        }
        if let Some((_, m)) = best {
            return Some(m);
        }
    }
    None
}

#[test]
fn every_builder_and_every_use_is_in_the_contract() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let paths_rs = root.join("src/hubspot/paths.rs");
    let (fns, consts) = declared(&std::fs::read_to_string(&paths_rs).unwrap());
    let contract = contract();
    let pairs: BTreeSet<(&str, &str)> = contract.iter().map(|(m, n, _)| (*m, *n)).collect();
    let names: BTreeSet<&str> = contract.iter().map(|(_, n, _)| *n).collect();
    let mut problems = Vec::new();
    for f in fns.iter().filter(|f| *f != "seg") {
        if !names.contains(f.as_str()) {
            problems.push(format!(
                "paths::{f} is not in the contract (tests/it/path_contract.rs)"
            ));
        }
    }
    for c in &consts {
        let prefix = PREFIXES.contains(&c.as_str());
        if !prefix && !names.contains(c.as_str()) {
            problems.push(format!(
                "paths::{c} is neither in the contract nor a prefix (PREFIXES)"
            ));
        }
    }
    assert!(!fns.is_empty() && !consts.is_empty(), "paths.rs parsed");

    // Every use in src/ with its method.
    let mut files = Vec::new();
    rust_files(&root.join("src"), &mut files);
    let mut uses = 0;
    for file in files.iter().filter(|f| **f != paths_rs) {
        let text = std::fs::read_to_string(file).unwrap();
        // Unit tests (a `#[cfg(test)] mod` at the bottom of a file, by the project's convention) are not
        // calls to HubSpot. Other test-only items (the tools' `def()`s) are read like the rest.
        let all: Vec<&str> = text.lines().collect();
        let end = (0..all.len())
            .find(|&i| {
                all[i].trim() == "#[cfg(test)]"
                    && all
                        .get(i + 1)
                        .is_some_and(|n| n.trim_start().starts_with("mod "))
            })
            .unwrap_or(all.len());
        let lines: Vec<&str> = all[..end].to_vec();
        for (i, line) in lines.iter().enumerate() {
            if line.trim_start().starts_with("//") {
                continue;
            }
            let mut from = 0;
            while let Some(at) = line[from..].find("paths::") {
                let col = from + at;
                let name: String = line[col + "paths::".len()..]
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                from = col + "paths::".len();
                if !(fns.contains(&name) || consts.contains(&name)) || name == "seg" {
                    continue;
                }
                if PREFIXES.contains(&name.as_str()) {
                    problems.push(format!(
                        "{}:{}: paths::{name} is a prefix; build whole paths in paths.rs",
                        file.display(),
                        i + 1
                    ));
                    continue;
                }
                uses += 1;
                let method = method_of_use(&lines, i, col).or_else(|| {
                    // `let path = paths::x(..);` then a call with `&path` a few lines on.
                    let var = line
                        .trim_start()
                        .strip_prefix("let ")?
                        .split(" = ")
                        .next()?;
                    let arg = format!("&{var}");
                    (i + 1..lines.len().min(i + 12)).find_map(|j| {
                        let at = lines[j].find(&arg)?;
                        method_of_use(&lines, j, at)
                    })
                });
                match method {
                    Some(m) if pairs.contains(&(m, name.as_str())) => {}
                    Some(m) => problems.push(format!(
                        "{}:{}: {m} paths::{name} is not in the contract",
                        file.display(),
                        i + 1
                    )),
                    None => problems.push(format!(
                        "{}:{}: cannot tell the method of paths::{name} (Method::X or .get( on the 3 \
                         lines before)",
                        file.display(),
                        i + 1
                    )),
                }
            }
        }
    }
    assert!(uses > 30, "only {uses} uses of paths:: found in src/");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
