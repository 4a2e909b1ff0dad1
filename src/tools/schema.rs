//! A tool's input schema as the registry holds it: its JSON text, borrowed from the definitions built
//! into the binary (`defs.json`), or owned when a schema was made or changed in code. The server only
//! ever writes a schema out (in `tools/list`) and reads arguments with serde, never with the schema,
//! so it keeps no tree of one: the tools' schemas as `serde_json::Value` trees, parsed document and
//! copies, were ~420 KB of the idle heap (docs/performance.md, "Idle memory").

use std::borrow::Cow;
use std::fmt;

use serde_json::value::RawValue;
use serde_json::Value;

/// JSON Schema of a tool's arguments (`type: object`), as JSON text.
#[derive(Clone)]
pub struct Schema(Cow<'static, RawValue>);

impl Schema {
    /// A schema borrowed from text that lives as long as the process (the built-in definitions).
    pub(crate) fn borrowed(raw: &'static RawValue) -> Schema {
        Schema(Cow::Borrowed(raw))
    }

    /// The JSON text, to be written out as it is.
    pub(crate) fn raw(&self) -> &RawValue {
        &self.0
    }

    /// True when the schema is a JSON object (what a tool's input schema must be).
    pub(crate) fn is_object(&self) -> bool {
        self.0.get().trim_start().starts_with('{')
    }

    /// The schema parsed, for code that inspects it (tests, the fuzzer's argument generator).
    pub fn to_value(&self) -> Value {
        // The text is valid JSON (RawValue holds nothing else), so this does not fall back.
        serde_json::from_str(self.0.get()).unwrap_or(Value::Null)
    }

    /// The schema with `name` added to its `properties` as `property`; unchanged when it has no
    /// `properties` object.
    pub(crate) fn with_property(&self, name: &str, property: Value) -> Schema {
        let mut v = self.to_value();
        match v.get_mut("properties").and_then(Value::as_object_mut) {
            Some(p) => {
                p.insert(name.into(), property);
                Schema::from(v)
            }
            None => self.clone(),
        }
    }
}

impl From<Value> for Schema {
    fn from(v: Value) -> Schema {
        // A Value always serialises: the fallback (JSON `null`) is never taken.
        match serde_json::value::to_raw_value(&v) {
            Ok(raw) => Schema(Cow::Owned(raw)),
            Err(_) => Schema(Cow::Borrowed(RawValue::NULL)),
        }
    }
}

/// Equal when the JSON is (not the text: key order and spacing aside).
impl PartialEq for Schema {
    fn eq(&self, other: &Schema) -> bool {
        self.0.get() == other.0.get() || self.to_value() == other.to_value()
    }
}

impl fmt::Debug for Schema {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.get())
    }
}
