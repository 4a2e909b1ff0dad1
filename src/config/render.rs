//! The table in words: docs/configuration.md's table, and `check-config`'s listing of what is set.

use super::raw::RawEnv;
use super::vars::TABLE;

/// The line before the generated table in docs/configuration.md.
const TABLE_START: &str = "<!-- config-table:start -->";
/// The line after it.
const TABLE_END: &str = "<!-- config-table:end -->";

/// docs/configuration.md's table, markers included (`hubspot-mcp print-config-table` prints it).
pub fn markdown_table() -> String {
    let cell = |s: &str| s.replace('|', "\\|");
    let mut out = format!(
        "{TABLE_START}\n| variable | default | rule | secret | description |\n| --- | --- | --- | --- | --- |\n"
    );
    for r in TABLE {
        out.push_str(&format!(
            "| `{}` | {} | {} | {} | {} |\n",
            r.name(),
            cell(&r.default_text()),
            cell(&r.rule_text()),
            if r.secret() { "yes" } else { "" },
            cell(r.doc()),
        ));
    }
    out.push_str(TABLE_END);
    out.push('\n');
    out
}

/// Prefixes of the variables this server reads: a name with one that is not in the table is likely a typo.
const OURS: [&str; 9] = [
    "MCP_",
    "HUBSPOT_",
    "JWT_",
    "JWKS_",
    "REDIS_",
    "SESSION_",
    "RATE_LIMIT_",
    "METRICS_",
    "HEALTH_CHECK_",
];

/// `check-config`'s listing: each variable of the table that is set, with its value (a secret's as
/// `***`), then each set name that looks like one of ours but is not read.
pub(crate) fn set_variables(raw: &RawEnv) -> Vec<String> {
    let mut lines: Vec<String> = TABLE
        .iter()
        .filter_map(|r| {
            let v = raw.get(r.name())?;
            Some(if r.secret() {
                format!("  {}=*** (secret)", r.name())
            } else {
                format!("  {}={v}", r.name())
            })
        })
        .collect();
    lines.extend(
        raw.names()
            .filter(|n| OURS.iter().any(|p| n.starts_with(p)))
            .filter(|n| TABLE.iter().all(|r| r.name() != *n))
            .map(|n| format!("  {n}: not a variable hubspot-mcp reads (a typo?)")),
    );
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    /// docs/configuration.md's block between the markers, markers included.
    fn readme_block(readme: &str) -> Option<&str> {
        let start = readme.find(TABLE_START)?;
        let end = start + readme[start..].find(TABLE_END)? + TABLE_END.len();
        // The newline after the end marker belongs to the block.
        Some(&readme[start..(end + 1).min(readme.len())])
    }

    #[test]
    fn the_readme_table_is_generated_from_the_table() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/configuration.md");
        let readme = std::fs::read_to_string(path).unwrap();
        let expected = markdown_table();
        assert_eq!(
            readme.matches(TABLE_START).count(),
            1,
            "docs/configuration.md must hold exactly one {TABLE_START}"
        );
        let found = readme_block(&readme).unwrap_or("");
        assert!(
            found == expected,
            "docs/configuration.md's table is not the one src/config/vars.rs gives.\n\
             Regenerate it: replace the lines from {TABLE_START} to {TABLE_END} with the output of\n\
             \n    cargo run -q -- print-config-table\n\nExpected:\n{expected}"
        );
    }

    #[test]
    fn every_row_renders_whole() {
        let table = markdown_table();
        assert_eq!(table.lines().count(), TABLE.len() + 4);
        for line in table.lines().skip(1).take(TABLE.len() + 2) {
            assert_eq!(line.matches(" | ").count(), 4, "{line}");
        }
        assert!(table.contains("| `PORT` | 3000 | 0-65535 |  |"), "{table}");
        assert!(
            table.contains("| `JWT_SECRET` | (none) | ≥ 32 characters; "),
            "{table}"
        );
    }

    #[test]
    fn the_listing_hides_secrets_and_names_typos() {
        let raw = RawEnv::from_pairs([
            ("PORT", "8080"),
            ("JWT_SECRET", "0123456789abcdef0123456789abcdef-hidden"),
            ("MCP_WORKER", "8"),
            ("HOME", "/root"),
        ]);
        let lines = set_variables(&raw);
        assert_eq!(
            lines,
            [
                "  PORT=8080",
                "  JWT_SECRET=*** (secret)",
                "  MCP_WORKER: not a variable hubspot-mcp reads (a typo?)"
            ]
        );
    }
}
