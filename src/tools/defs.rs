//! The tools' definitions as data: `defs.json`, built into the binary and read once, when the registry is
//! built. The definitions are written once, as code: each tool's `TypedTool::def`, compiled into test
//! builds only (a `json!` schema literal is a map insert per key; 37 tools' worth was ~190 KiB of machine
//! code). The test `tool_defs_json_is_current` writes the document from that code and fails while the
//! checked-in file differs; `UPDATE_TOOL_DEFS=1 cargo test --lib tool_defs_json_is_current` rewrites it.
//!
//! The document is a JSON array in listing order, one tool a line: `name`, `description`,
//! `family` (as `HUBSPOT_TOOLSETS` writes it), `annotations` (`readOnly`, `destructive`, `idempotent`,
//! `openWorld`: all four, whatever `tools/list` leaves out as the spec's defaults) and `inputSchema`.

use std::borrow::Cow;
use std::fmt;
use std::sync::OnceLock;

use serde_json::value::RawValue;

use super::{Annotations, Family, Schema, ToolDef};

/// The document, as generated (see the module's documentation).
const DOCUMENT: &str = include_str!("defs.json");

/// A tool this binary has no definition of: its name is not in the built-in document, or the document
/// does not read. `Registry::build` refuses such a tool, and the server does not start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingDef {
    /// The tool's name.
    pub tool: &'static str,
    /// What is wrong with the document.
    pub why: String,
}

impl fmt::Display for MissingDef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "error: no definition of tool {} in the definitions built into this binary \
             (src/tools/defs.json: {}); the binary was built from a tree whose defs.json is out of date: \
             regenerate it with `UPDATE_TOOL_DEFS=1 cargo test --lib tool_defs_json_is_current` and rebuild",
            self.tool, self.why
        )
    }
}

impl std::error::Error for MissingDef {}

/// One entry of the document, its strings and schema borrowed from it (a string with an escape in it
/// is the one thing copied).
#[derive(serde::Deserialize)]
struct Entry {
    #[serde(borrow)]
    name: Cow<'static, str>,
    #[serde(borrow)]
    description: Cow<'static, str>,
    #[serde(borrow)]
    family: Cow<'static, str>,
    annotations: Hints,
    #[serde(rename = "inputSchema", borrow)]
    input_schema: &'static RawValue,
}

/// An entry's `annotations`: all four hints.
#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct Hints {
    read_only: bool,
    destructive: bool,
    idempotent: bool,
    open_world: bool,
}

/// An entry only as far as its name, to name the tool whose entry does not read.
#[derive(serde::Deserialize)]
struct Named {
    #[serde(borrow)]
    name: Cow<'static, str>,
}

/// One entry of the document: its name (when it has one) and the entry, or why it does not read.
type Parsed = (Option<Cow<'static, str>>, Result<Entry, String>);

/// The document, parsed on first use, entry by entry; it lives as long as the process, so a
/// [`ToolDef`] can borrow from it. No `Value` tree is made: the schemas stay JSON text.
fn parsed() -> Result<&'static [Parsed], String> {
    static PARSED: OnceLock<Result<Vec<Parsed>, String>> = OnceLock::new();
    let doc = PARSED.get_or_init(|| {
        let entries: Vec<&'static RawValue> = serde_json::from_str(DOCUMENT).map_err(|e| {
            if e.classify() == serde_json::error::Category::Data {
                "not a JSON array".to_string()
            } else {
                format!("not JSON: {e}")
            }
        })?;
        Ok(entries.into_iter().map(parse_entry).collect())
    });
    doc.as_deref().map_err(Clone::clone)
}

/// An entry, read.
fn parse_entry(raw: &'static RawValue) -> Parsed {
    match serde_json::from_str::<Entry>(raw.get()) {
        Ok(e) => (Some(e.name.clone()), Ok(e)),
        Err(e) => {
            let name = serde_json::from_str::<Named>(raw.get())
                .ok()
                .map(|n| n.name);
            (name, Err(e.to_string()))
        }
    }
}

/// The definition of the tool named `name`, from the built-in document.
pub(super) fn lookup(name: &'static str) -> Result<ToolDef, MissingDef> {
    let missing = |why: String| MissingDef { tool: name, why };
    let tools = parsed().map_err(missing)?;
    let (_, entry) = tools
        .iter()
        .find(|(n, _)| n.as_deref() == Some(name))
        .ok_or_else(|| missing("no entry of that name".into()))?;
    let why = "its entry lacks a field or has one of the wrong type";
    match entry {
        Ok(e) => read(e).ok_or_else(|| missing(why.into())),
        Err(_) => Err(missing(why.into())),
    }
}

/// A [`ToolDef`] from its entry in the document: `None` for an unknown family or a schema that is not
/// an object.
fn read(entry: &'static Entry) -> Option<ToolDef> {
    let h = &entry.annotations;
    let schema = Schema::borrowed(entry.input_schema);
    Some(ToolDef {
        name: &entry.name,
        description: &entry.description,
        family: Family::parse(&entry.family)?,
        annotations: Annotations {
            read_only: h.read_only,
            destructive: h.destructive,
            idempotent: h.idempotent,
            open_world: h.open_world,
        },
        input_schema: schema.is_object().then_some(schema)?,
    })
}

#[cfg(test)]
mod tests {
    use serde_json::{json, Map, Value};

    use super::*;
    use crate::tools::Registry;

    /// The `def()` of every registered tool, in listing order.
    fn code_defs() -> Vec<ToolDef> {
        Registry::all_tools()
            .iter()
            .map(|t| t.def().unwrap())
            .collect()
    }

    /// `d`'s entry in the document.
    fn entry(d: &ToolDef) -> Value {
        let mut m = Map::new();
        m.insert("name".into(), d.name.into());
        m.insert("description".into(), d.description.into());
        m.insert("family".into(), d.family.as_str().into());
        m.insert(
            "annotations".into(),
            json!({
                "readOnly": d.annotations.read_only,
                "destructive": d.annotations.destructive,
                "idempotent": d.annotations.idempotent,
                "openWorld": d.annotations.open_world,
            }),
        );
        m.insert("inputSchema".into(), d.input_schema.to_value());
        Value::Object(m)
    }

    /// The document for `defs`: a JSON array, one tool a line.
    fn document(defs: &[ToolDef]) -> String {
        let lines: Vec<String> = defs.iter().map(|d| entry(d).to_string()).collect();
        format!("[\n{}\n]\n", lines.join(",\n"))
    }

    #[test]
    fn tool_defs_json_is_current() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/src/tools/defs.json");
        let defs = code_defs();
        let expected = document(&defs);
        if std::env::var_os("UPDATE_TOOL_DEFS").is_some() {
            std::fs::write(path, &expected).unwrap();
            return;
        }
        let stale: Vec<&str> = defs
            .iter()
            .filter(|d| {
                let line = entry(d).to_string();
                !DOCUMENT.lines().any(|l| l.trim_end_matches(',') == line)
            })
            .map(|d| d.name)
            .collect();
        assert!(
            DOCUMENT == expected,
            "src/tools/defs.json is not what the tools' def() functions say (changed or new: {stale:?}; \
             or a tool was removed or moved). Regenerate it, then rebuild:\n\
             \n    UPDATE_TOOL_DEFS=1 cargo test --lib tool_defs_json_is_current\n"
        );
    }

    /// Every registered tool reads back from the document exactly as its `def()` wrote it (what a
    /// non-test build's `Tool::def` returns), so no tool of this build fails the registry at start-up.
    #[test]
    fn every_registered_tool_reads_back_from_the_document() {
        let defs = code_defs();
        assert!(defs.len() >= 37, "{} tools", defs.len());
        for d in &defs {
            let read = lookup(d.name).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(entry(&read), entry(d), "{}", d.name);
        }
        assert_eq!(
            parsed().unwrap().len(),
            defs.len(),
            "a tool that is not registered"
        );
    }

    #[test]
    fn a_tool_missing_from_the_document_is_named() {
        let e = lookup("no_such_tool").unwrap_err();
        assert_eq!(e.tool, "no_such_tool");
        assert_eq!(e.why, "no entry of that name");
        let text = e.to_string();
        assert!(
            text.contains("tool no_such_tool") && text.contains("UPDATE_TOOL_DEFS=1"),
            "{text}"
        );
    }

    /// `read` of an entry given as a value (leaked: `read` borrows for the process's life).
    fn read_value(v: Value) -> Option<ToolDef> {
        let raw: &'static RawValue = Box::leak(serde_json::value::to_raw_value(&v).unwrap());
        let (_, entry) = parse_entry(raw);
        read(Box::leak(Box::new(entry.ok()?)))
    }

    #[test]
    fn a_malformed_entry_is_refused() {
        let good = entry(&code_defs()[0]);
        assert!(read_value(good.clone()).is_some());
        for (k, v) in [
            ("family", json!("nonsense")),
            ("description", json!(1)),
            ("inputSchema", json!("x")),
            ("annotations", json!({"readOnly": true})),
        ] {
            let mut bad = good.clone();
            bad[k] = v;
            assert!(read_value(bad).is_none(), "{k}");
        }
    }
}
