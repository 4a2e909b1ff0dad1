//! Every registered tool's `inputSchema` against its arguments type (issue #10): the two are written
//! separately, so this test holds them together. For each tool in [`Registry::all_tools`] (a new tool is
//! covered as soon as it is registered):
//!
//! - **schema → type**: argument objects built from the schema alone (every property, nested objects and
//!   arrays included, each enum value, each listed type and each default used at least once; and the
//!   required properties only) deserialize with the tool's own parse step ([`Tool::check_args`]); an
//!   extra property is refused wherever the schema says `additionalProperties: false`;
//! - **type → schema**: every struct of the arguments type, found through serde
//!   ([`Tool::arg_fields`]: the names after `rename` / `rename_all`), has exactly the fields its schema
//!   object lists, and the schema never opens it (`additionalProperties` is `false` or left out: the listed
//!   properties are the arguments, and `tools/list` leaves out what a model does not need,
//!   docs/performance.md); a struct without fields is a closed object (`additionalProperties: false`, the
//!   MCP spec's recommended schema for a tool without parameters); every object the schema describes
//!   field by field is one of those structs.

use std::collections::BTreeSet;

use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::args::Step;
use super::TypedTool;
use super::{Annotations, Family, Registry, Tool, ToolContext, ToolDef, ToolError, ToolOutput};

/// A property name no schema declares.
const STRANGER: &str = "zzNotInTheSchema";

/// The ways `s` can be filled: its enum values, else one per listed type; its default too.
fn alternatives(s: &Value) -> usize {
    let base = match (s.get("enum"), s.get("type")) {
        (Some(Value::Array(e)), _) => e.len(),
        (_, Some(Value::Array(t))) => t.len(),
        _ => 1,
    };
    base + usize::from(s.get("default").is_some())
}

/// The most alternatives any node of `s` has: this many samples use every alternative of every node.
fn samples_needed(s: &Value) -> usize {
    let mut n = alternatives(s);
    for sub in s["properties"]
        .as_object()
        .into_iter()
        .flat_map(Map::values)
    {
        n = n.max(samples_needed(sub));
    }
    for k in ["items", "additionalProperties"] {
        if let Some(sub) = s.get(k).filter(|v| v.is_object()) {
            n = n.max(samples_needed(sub));
        }
    }
    n
}

/// Builds values from a schema. `choice` picks each node's alternative (round robin); `full` adds every
/// optional property and one array item / map entry; `closed` collects the JSON pointers of the objects
/// whose schema says `additionalProperties: false`; `errors` what the schema fails to say.
struct Sampler {
    choice: usize,
    full: bool,
    closed: Vec<String>,
    errors: Vec<String>,
}

impl Sampler {
    fn value(&mut self, s: &Value, at: &str) -> Value {
        let n = alternatives(s);
        let pick = self.choice % n;
        if let Some(d) = s.get("default").filter(|_| pick == n - 1) {
            return d.clone();
        }
        if let Some(e) = s.get("enum") {
            return match e.as_array().and_then(|e| e.get(pick)) {
                Some(v) => v.clone(),
                None => {
                    self.errors
                        .push(format!("{at}: an empty or malformed enum"));
                    Value::Null
                }
            };
        }
        let ty = match &s["type"] {
            Value::String(t) => t.as_str(),
            Value::Array(t) => t.get(pick).and_then(Value::as_str).unwrap_or(""),
            _ => "",
        };
        match ty {
            "object" => self.object(s, at),
            "array" => {
                let min = s["minItems"].as_u64().unwrap_or(0);
                let n = min.max(u64::from(self.full));
                let items = &s["items"];
                if !items.is_object() {
                    self.errors.push(format!("{at}: an array without items"));
                }
                Value::Array(
                    (0..n)
                        .map(|i| self.value(items, &format!("{at}/{i}")))
                        .collect(),
                )
            }
            "string" => {
                let len = s["minLength"].as_u64().unwrap_or(1).max(1) as usize;
                match s["format"].as_str() {
                    Some("date-time") => "2024-05-06T07:08:09Z".into(),
                    Some("date") => "2024-05-06".into(),
                    Some("email") => "ana@example.com".into(),
                    Some("uri") => "https://example.com/".into(),
                    _ => "1".repeat(len).into(),
                }
            }
            "integer" => s["minimum"].as_i64().unwrap_or(1).into(),
            "number" => json!(1.5),
            "boolean" => self.choice.is_multiple_of(2).into(),
            "null" => Value::Null,
            other => {
                self.errors.push(format!(
                    "{at}: type {other:?} (every property needs a JSON type)"
                ));
                Value::Null
            }
        }
    }

    fn object(&mut self, s: &Value, at: &str) -> Value {
        let required: BTreeSet<&str> = s["required"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        let mut m = Map::new();
        for (k, sub) in s["properties"].as_object().into_iter().flatten() {
            if self.full || required.contains(k.as_str()) {
                let v = self.value(sub, &format!("{at}/{k}"));
                m.insert(k.clone(), v);
            }
        }
        match s.get("additionalProperties") {
            Some(Value::Bool(false)) => self.closed.push(at.to_string()),
            Some(extra @ Value::Object(_))
                if self.full || s["minProperties"].as_u64().unwrap_or(0) > 0 =>
            {
                let v = self.value(extra, &format!("{at}/some_name"));
                m.insert("some_name".into(), v);
            }
            _ => {}
        }
        Value::Object(m)
    }
}

fn path_text(path: &[Step]) -> String {
    let mut t = String::from("arguments");
    for s in path {
        match s {
            Step::Field(f) => t.push_str(&format!(".{f}")),
            Step::Item => t.push_str("[]"),
            Step::Entry => t.push_str("{}"),
        }
    }
    t
}

/// The schema object that describes the value at `path`.
fn schema_at<'a>(schema: &'a Value, path: &[Step]) -> Option<&'a Value> {
    path.iter().try_fold(schema, |node, step| match step {
        Step::Field(f) => node["properties"].get(*f),
        Step::Item => node.get("items"),
        Step::Entry => node.get("additionalProperties").filter(|v| v.is_object()),
    })
}

/// Where `schema` lists fields (`properties`, non-empty), as [`path_text`] writes paths.
fn described_objects(s: &Value, path: String, out: &mut BTreeSet<String>) {
    if let Some(props) = s["properties"].as_object().filter(|p| !p.is_empty()) {
        out.insert(path.clone());
        for (k, sub) in props {
            described_objects(sub, format!("{path}.{k}"), out);
        }
    }
    if let Some(items) = s.get("items") {
        described_objects(items, format!("{path}[]"), out);
    }
    if let Some(extra) = s.get("additionalProperties").filter(|v| v.is_object()) {
        described_objects(extra, format!("{path}{{}}"), out);
    }
}

/// Every way `tool`'s schema and arguments type disagree (empty: they agree).
fn drift(def: &ToolDef, tool: &dyn Tool) -> Vec<String> {
    let schema = &def.input_schema.to_value();
    let mut out = Vec::new();

    // Schema → type: samples from the schema alone deserialize.
    for choice in 0..samples_needed(schema) {
        for full in [true, false] {
            let mut s = Sampler {
                choice,
                full,
                closed: Vec::new(),
                errors: Vec::new(),
            };
            let sample = s.value(schema, "");
            out.append(&mut s.errors);
            if let Err(e) = tool.check_args(sample.clone()) {
                let which = if full {
                    "every property"
                } else {
                    "the required properties only"
                };
                out.push(format!(
                    "the args type refuses a sample with {which}: {e}; sample: {sample}"
                ));
            }
            // Where the schema is closed, the type refuses a stranger.
            if full && choice == 0 {
                for at in s.closed {
                    let mut v = sample.clone();
                    if let Some(Value::Object(m)) = v.pointer_mut(&at) {
                        m.insert(STRANGER.into(), 1.into());
                    }
                    if tool.check_args(v).is_ok() {
                        out.push(format!(
                            "the schema closes the object at {at:?} (additionalProperties: false) but the \
                             args type accepts an unknown property there (#[serde(deny_unknown_fields)])"
                        ));
                    }
                }
            }
        }
    }

    // Type → schema: every struct's fields are exactly its schema object's properties.
    let structs = tool.arg_fields();
    for st in &structs {
        let at = path_text(&st.path);
        let Some(node) = schema_at(schema, &st.path) else {
            out.push(format!(
                "{at} is a struct of the args type, but the schema does not describe it"
            ));
            continue;
        };
        let fields: BTreeSet<&str> = st.fields.iter().copied().collect();
        let props: BTreeSet<&str> = node["properties"]
            .as_object()
            .into_iter()
            .flat_map(Map::keys)
            .map(String::as_str)
            .collect();
        for f in fields.difference(&props) {
            out.push(format!(
                "{at}: the args type has field {f:?}, the schema has no such property"
            ));
        }
        for p in props.difference(&fields) {
            out.push(format!(
                "{at}: the schema has property {p:?}, the args type has no such field"
            ));
        }
        match node.get("additionalProperties") {
            Some(Value::Bool(false)) => {}
            None if !fields.is_empty() => {}
            None => out.push(format!(
                "{at}: the args type takes no fields but the schema does not close the object \
                 (additionalProperties: false)"
            )),
            Some(_) => out.push(format!(
                "{at}: the args type is a struct (unknown fields refused) but the schema opens the object"
            )),
        }
    }
    let mut described = BTreeSet::new();
    described_objects(schema, "arguments".into(), &mut described);
    let read: BTreeSet<String> = structs.iter().map(|s| path_text(&s.path)).collect();
    for at in described.difference(&read) {
        out.push(format!(
            "{at}: the schema lists its properties, but the args type takes any value there (no struct)"
        ));
    }
    out
}

#[test]
fn every_tool_schema_matches_its_args_type() {
    let reg = Registry::build(Registry::all_tools(), 1000).unwrap();
    assert!(reg.len() >= 37, "{} tools", reg.len());
    let mut problems = Vec::new();
    for d in reg.defs() {
        let Some((_, tool)) = reg.get(d.name) else {
            continue;
        };
        // The tool's own schema: what the registry adds for the dispatcher (`approvalId`, taken out
        // before the arguments reach the tool) is not the args type's.
        problems.extend(
            drift(&tool.def().unwrap(), tool)
                .into_iter()
                .map(|p| format!("{}: {p}", d.name)),
        );
    }
    assert!(
        problems.is_empty(),
        "schema / args drift:\n{}",
        problems.join("\n")
    );
}

// --- The checker itself catches each kind of drift -----------------------------------------------

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[allow(dead_code)]
struct FakeArgs {
    object_type: String,
    #[serde(default)]
    limit: u32,
    #[serde(default)]
    items: Vec<FakeItem>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[allow(dead_code)]
struct FakeItem {
    to_id: String,
}

struct Fake(Value);

impl TypedTool for Fake {
    type Args = FakeArgs;
    const NAME: &'static str = "fake";
    fn def(&self) -> ToolDef {
        ToolDef {
            name: Self::NAME,
            description: "A tool whose schema the test changes, to see the checker notice.",
            family: Family::Diagnostics,
            annotations: Annotations::LOCAL,
            input_schema: self.0.clone().into(),
        }
    }
    fn run(&self, _: FakeArgs, _: &mut ToolContext<'_>) -> Result<ToolOutput, ToolError> {
        Err(ToolError::NotConfigured)
    }
}

/// A tool without arguments whose schema the test sets.
struct NoFields(Value);

impl TypedTool for NoFields {
    type Args = super::args::NoArgs;
    const NAME: &'static str = "no_fields";
    fn def(&self) -> ToolDef {
        ToolDef {
            input_schema: self.0.clone().into(),
            ..TypedTool::def(&Fake(Value::Null))
        }
    }
    fn run(&self, _: Self::Args, _: &mut ToolContext<'_>) -> Result<ToolOutput, ToolError> {
        Err(ToolError::NotConfigured)
    }
}

fn fake_schema() -> Value {
    json!({"type": "object", "properties": {
        "objectType": {"type": "string"},
        "limit": {"type": "integer", "minimum": 1, "default": 10},
        "items": {"type": "array", "items": {"type": "object", "properties": {
            "toId": {"type": "string"}
        }, "required": ["toId"], "additionalProperties": false}}
    }, "required": ["objectType"], "additionalProperties": false})
}

fn fake_drift(schema: Value) -> String {
    let t = Fake(schema);
    drift(&TypedTool::def(&t), &t).join("\n")
}

#[test]
fn the_checker_notices_each_kind_of_drift() {
    assert_eq!(fake_drift(fake_schema()), "");
    let edit = |f: &dyn Fn(&mut Value)| {
        let mut s = fake_schema();
        f(&mut s);
        fake_drift(s)
    };
    // A field the schema does not list (or a schema property removed).
    let e = edit(&|s| {
        s["properties"].as_object_mut().map(|p| p.remove("limit"));
    });
    assert!(
        e.contains("field \"limit\", the schema has no such property"),
        "{e}"
    );
    // A nested one.
    let e = edit(&|s| s["properties"]["items"]["items"]["properties"] = json!({}));
    assert!(
        e.contains("arguments.items[]: the args type has field \"toId\""),
        "{e}"
    );
    // A schema property the type does not know: refused by the parse step, and named.
    let e = edit(&|s| {
        s["properties"]["items"]["items"]["properties"]["fromId"] = json!({"type": "string"})
    });
    assert!(
        e.contains("unknown field `fromId`") && e.contains("property \"fromId\""),
        "{e}"
    );
    // A type the struct cannot take.
    let e = edit(&|s| s["properties"]["limit"] = json!({"type": ["integer", "string"]}));
    assert!(e.contains("invalid type: string"), "{e}");
    // An enum value or a default the struct cannot take.
    let e = edit(&|s| s["properties"]["limit"]["default"] = json!(-1));
    assert!(e.contains("invalid value: integer `-1`"), "{e}");
    // Optional in the schema, required by the type.
    let e = edit(&|s| s["required"] = json!([]));
    assert!(
        e.contains("required properties only") && e.contains("missing field `objectType`"),
        "{e}"
    );
    // Open in the schema, closed in the type.
    let e = edit(&|s| s["additionalProperties"] = json!(true));
    assert!(e.contains("arguments: the args type is a struct"), "{e}");
    // Left unsaid where the type has fields: the listed properties are the arguments.
    let e = edit(&|s| {
        s.as_object_mut().map(|o| o.remove("additionalProperties"));
    });
    assert_eq!(e, "");
    // A tool without arguments says so: `{}` and nothing else.
    let none = NoFields(json!({"type": "object", "properties": {}}));
    let e = drift(&TypedTool::def(&none), &none).join("\n");
    assert!(
        e.contains("arguments: the args type takes no fields"),
        "{e}"
    );
    let none = NoFields(json!({"type": "object", "properties": {}, "additionalProperties": false}));
    assert!(drift(&TypedTool::def(&none), &none).is_empty());
    // Fields described in the schema that the type takes as any value.
    let e = fake_drift(json!({"type": "object", "properties": {
        "objectType": {"type": "object", "properties": {"x": {"type": "string"}}}
    }, "additionalProperties": false}));
    assert!(
        e.contains("arguments.objectType: the schema lists its properties"),
        "{e}"
    );
}
