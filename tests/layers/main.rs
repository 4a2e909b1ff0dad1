//! The layering rule of ARCHITECTURE.md, checked: every `crate::` path in `src/` (tests included, since
//! a test module is part of its module) is an edge between two top-level modules, and only the edges
//! this table allows may exist. The table is the rule; a new edge needs a line here and a reason in
//! ARCHITECTURE.md. No cycle is possible: a module may only name modules of lower layers.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Top-level modules by layer, lowest first. A module may import modules of lower layers only (and
/// itself); `main`/`lib` may import anything.
const LAYERS: &[&[&str]] = &[
    // Leaves: read by everyone, read no one.
    &["config"],
    // Observability core (logs, counters, clocks, redaction), plain data structures, root certificates.
    &["obs", "cache", "ratelimit", "tls"],
    // A RESP client.
    &["redis"],
    // Clients of the outside world: the token issuer and HubSpot.
    &["auth", "hubspot"],
    // What the server offers: tools over the HubSpot client, and their catalog; the authorization server
    // (sign-in through HubSpot) beside them.
    &["tools", "oauth"],
    // The tools' catalog (resources, prompts); approvals of writes (the policy over the tools' `Change`,
    // sealed request states with `oauth`'s sealer, the ledger on `redis`), beside it.
    &["catalog", "approval"],
    // The protocol core: JSON-RPC, revisions, sessions and their stores, dispatch, stdio. Knows no HTTP.
    &["mcp"],
    // Operators' view: background checks and scaling advice.
    &["health", "scaling"],
    // The composition of the parts, then the HTTP front door over it.
    &["app"],
    &["http"],
    // Commands.
    &["run", "cli", "signals"],
    // Hooks for the criterion benches (bench/): reach the hot paths' crate-private parts; nothing
    // imports them.
    &["bench_support"],
];

fn layer_of(m: &str) -> Option<usize> {
    LAYERS.iter().position(|l| l.contains(&m))
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

/// Every (from, to) edge in `src/`, with one place that makes it.
fn edges(src: &Path) -> BTreeMap<(String, String), String> {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    let mut out = BTreeMap::new();
    for f in files {
        let rel = f.strip_prefix(src).unwrap();
        let from = rel
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy()
            .trim_end_matches(".rs")
            .to_string();
        let text = std::fs::read_to_string(&f).unwrap();
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            let mut rest = code;
            while let Some(i) = rest.find("crate::") {
                rest = &rest[i + "crate::".len()..];
                let to: String = rest
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                if to.is_empty() || to == from {
                    continue;
                }
                out.entry((from.clone(), to))
                    .or_insert_with(|| format!("{}:{}", rel.display(), n + 1));
            }
        }
    }
    out
}

/// The forbidden edges of `src` under [`LAYERS`].
fn violations(src: &Path) -> Vec<String> {
    let mut bad = Vec::new();
    for ((from, to), at) in edges(src) {
        if matches!(from.as_str(), "main" | "lib") {
            continue;
        }
        // Macros exported at the crate root (`crate::redis_cmd!`) belong to the module defining them.
        let to_mod = match to.as_str() {
            "redis_cmd" => "redis".to_string(),
            _ => to.clone(),
        };
        if to_mod == from {
            continue;
        }
        match (layer_of(&from), layer_of(&to_mod)) {
            (Some(a), Some(b)) if b < a => {}
            (None, _) => bad.push(format!("{at}: module `{from}` is in no layer of tests/layers")),
            (_, None) => bad.push(format!("{at}: `{to_mod}` is in no layer of tests/layers")),
            _ => bad.push(format!(
                "{at}: `{from}` (layer {}) imports `{to_mod}` (layer {}): only lower layers may be imported",
                layer_of(&from).unwrap_or(0),
                layer_of(&to_mod).unwrap_or(0)
            )),
        }
    }
    bad
}

#[test]
fn src_keeps_its_layers() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let bad = violations(&src);
    assert!(
        bad.is_empty(),
        "forbidden imports (see ARCHITECTURE.md, \"Layers\"):\n{}",
        bad.join("\n")
    );
}

#[test]
fn the_check_finds_a_planted_forbidden_import() {
    let dir = std::env::temp_dir().join(format!("layers-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("mcp")).unwrap();
    std::fs::write(dir.join("config.rs"), "use crate::obs::log;\n").unwrap();
    std::fs::write(
        dir.join("mcp").join("dispatch.rs"),
        "use crate::tools::Tool; // fine\nuse crate::http::message::Req;\n",
    )
    .unwrap();
    let bad = violations(&dir);
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(bad.len(), 2, "{bad:?}");
    assert!(bad
        .iter()
        .any(|b| b.contains("`config` (layer 0) imports `obs`")));
    assert!(bad.iter().any(|b| b.contains("mcp/dispatch.rs:2")));
    let mut layers = BTreeSet::new();
    for l in LAYERS.iter().flat_map(|l| l.iter()) {
        assert!(layers.insert(*l), "{l} is in two layers");
    }
}
