//! What a tool's arguments type says about itself, read from serde: the field names of every struct in it
//! (as the client spells them, after `rename` / `rename_all`), and where each struct sits. The registry
//! test compares them with the tool's `inputSchema`, so the two cannot drift apart unnoticed.
//!
//! [`struct_fields`] drives the type's `Deserialize` with a probe that answers every request with a
//! placeholder and records each `deserialize_struct` call's `fields`: serde's own list of the names the
//! struct accepts. Nothing is parsed from text and no HubSpot call is made. All of it but [`NoArgs`] is
//! compiled in test builds only, like the schema test's hooks on [`super::Tool`].

#[cfg(test)]
use serde::de::value::{Error, StrDeserializer};
#[cfg(test)]
use serde::de::{self, DeserializeOwned, DeserializeSeed, IntoDeserializer, Visitor};
use serde::Deserialize;

/// The arguments of a tool that takes none: `{}`, and nothing else.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct NoArgs {}

/// One step from the arguments object to a nested struct.
#[cfg(test)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Step {
    /// The value of a field (schema: `properties.<name>`).
    Field(&'static str),
    /// An element of an array (schema: `items`).
    Item,
    /// A value of a map with free keys (schema: `additionalProperties`).
    Entry,
}

/// One struct of an arguments type: where it is and the names of its fields. `pub` (in test builds, the
/// only ones that have it) because the public trait `Tool`'s test-only hook `arg_fields` returns it.
#[cfg(test)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StructFields {
    /// From the arguments object (empty: the arguments object itself).
    pub(crate) path: Vec<Step>,
    /// The field names serde accepts, in declaration order.
    pub(crate) fields: &'static [&'static str],
}

/// Every struct of `T` (the arguments object first, then nested ones depth first), read from serde.
#[cfg(test)]
pub(crate) fn struct_fields<T: DeserializeOwned>() -> Vec<StructFields> {
    let mut out = Vec::new();
    // The probe's placeholders always fit the types it is asked for; an error would only mean a shape
    // this probe does not know (an enum with data), and the structs recorded before it are still right.
    let _ = T::deserialize(Probe {
        path: Vec::new(),
        out: &mut out,
    });
    out
}

/// Deepest nesting followed (a recursive type would otherwise never end).
#[cfg(test)]
const MAX_DEPTH: usize = 16;

#[cfg(test)]
struct Probe<'a> {
    path: Vec<Step>,
    out: &'a mut Vec<StructFields>,
}

#[cfg(test)]
impl Probe<'_> {
    fn child(&mut self, step: Step) -> Result<Probe<'_>, Error> {
        if self.path.len() >= MAX_DEPTH {
            return Err(de::Error::custom("arguments nested too deeply"));
        }
        let mut path = self.path.clone();
        path.push(step);
        Ok(Probe {
            path,
            out: &mut *self.out,
        })
    }
}

#[cfg(test)]
macro_rules! answer {
    ($($method:ident => |$v:ident| $body:expr;)*) => {
        $(fn $method<V: Visitor<'de>>(self, $v: V) -> Result<V::Value, Error> { $body })*
    };
}

#[cfg(test)]
impl<'de> de::Deserializer<'de> for Probe<'_> {
    type Error = Error;

    answer! {
        // `serde_json::Value` (and anything self-describing): a null.
        deserialize_any => |v| v.visit_unit();
        deserialize_ignored_any => |v| v.visit_unit();
        deserialize_unit => |v| v.visit_unit();
        deserialize_bool => |v| v.visit_bool(false);
        deserialize_i8 => |v| v.visit_i64(0);
        deserialize_i16 => |v| v.visit_i64(0);
        deserialize_i32 => |v| v.visit_i64(0);
        deserialize_i64 => |v| v.visit_i64(0);
        deserialize_u8 => |v| v.visit_u64(0);
        deserialize_u16 => |v| v.visit_u64(0);
        deserialize_u32 => |v| v.visit_u64(0);
        deserialize_u64 => |v| v.visit_u64(0);
        deserialize_f32 => |v| v.visit_f64(0.0);
        deserialize_f64 => |v| v.visit_f64(0.0);
        deserialize_char => |v| v.visit_char('x');
        deserialize_str => |v| v.visit_str("x");
        deserialize_string => |v| v.visit_str("x");
        deserialize_identifier => |v| v.visit_str("x");
        deserialize_bytes => |v| v.visit_bytes(b"x");
        deserialize_byte_buf => |v| v.visit_bytes(b"x");
    }

    fn deserialize_option<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        v.visit_some(self)
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        v: V,
    ) -> Result<V::Value, Error> {
        v.visit_unit()
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        v: V,
    ) -> Result<V::Value, Error> {
        v.visit_newtype_struct(self)
    }

    fn deserialize_seq<V: Visitor<'de>>(mut self, v: V) -> Result<V::Value, Error> {
        v.visit_seq(Items {
            left: 1,
            probe: self.child(Step::Item)?,
        })
    }

    fn deserialize_tuple<V: Visitor<'de>>(mut self, len: usize, v: V) -> Result<V::Value, Error> {
        v.visit_seq(Items {
            left: len,
            probe: self.child(Step::Item)?,
        })
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        len: usize,
        v: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_tuple(len, v)
    }

    fn deserialize_map<V: Visitor<'de>>(mut self, v: V) -> Result<V::Value, Error> {
        v.visit_map(Fields {
            keys: &["x"],
            next: 0,
            probe: self.child(Step::Entry)?,
            entry: true,
        })
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        fields: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, Error> {
        self.out.push(StructFields {
            path: self.path.clone(),
            fields,
        });
        v.visit_map(Fields {
            keys: fields,
            next: 0,
            probe: self,
            entry: false,
        })
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _: &'static str,
        variants: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, Error> {
        let first: StrDeserializer<'_, Error> =
            variants.first().copied().unwrap_or("x").into_deserializer();
        v.visit_enum(first)
    }
}

/// The elements of an array: `left` placeholders.
#[cfg(test)]
struct Items<'a> {
    left: usize,
    probe: Probe<'a>,
}

#[cfg(test)]
impl<'de> de::SeqAccess<'de> for Items<'_> {
    type Error = Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Error> {
        if self.left == 0 {
            return Ok(None);
        }
        self.left -= 1;
        let probe = Probe {
            path: self.probe.path.clone(),
            out: &mut *self.probe.out,
        };
        seed.deserialize(probe).map(Some)
    }
}

/// A struct's fields (every one of `keys`, each with a placeholder value), or one entry of a map.
#[cfg(test)]
struct Fields<'a> {
    keys: &'static [&'static str],
    next: usize,
    probe: Probe<'a>,
    /// A map's entry: its value sits at the probe's own path, not under a field.
    entry: bool,
}

#[cfg(test)]
impl<'de> de::MapAccess<'de> for Fields<'_> {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        let Some(key) = self.keys.get(self.next) else {
            return Ok(None);
        };
        let key: StrDeserializer<'_, Error> = key.into_deserializer();
        seed.deserialize(key).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
        let key = self.keys[self.next];
        self.next += 1;
        let probe = if self.entry {
            Probe {
                path: self.probe.path.clone(),
                out: &mut *self.probe.out,
            }
        } else {
            self.probe.child(Step::Field(key))?
        };
        seed.deserialize(probe)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Map, Value};

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields, rename_all = "camelCase")]
    #[allow(dead_code)]
    struct Outer {
        object_type: String,
        #[serde(rename = "type")]
        kind: Option<String>,
        #[serde(default)]
        inputs: Vec<Inner>,
        nested: Option<Vec<Inner>>,
        props: Map<String, Value>,
        anything: Value,
        limit: u32,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields, rename_all = "camelCase")]
    #[allow(dead_code)]
    struct Inner {
        to_id: String,
        flag: bool,
    }

    #[test]
    fn every_struct_is_found_with_its_client_side_names() {
        let s = struct_fields::<Outer>();
        assert_eq!(s[0].path, vec![]);
        assert_eq!(
            s[0].fields,
            [
                "objectType",
                "type",
                "inputs",
                "nested",
                "props",
                "anything",
                "limit"
            ]
        );
        assert_eq!(s[1].path, vec![Step::Field("inputs"), Step::Item]);
        assert_eq!(s[1].fields, ["toId", "flag"]);
        assert_eq!(s[2].path, vec![Step::Field("nested"), Step::Item]);
        assert_eq!(s.len(), 3);
        assert_eq!(
            struct_fields::<NoArgs>(),
            vec![StructFields {
                path: vec![],
                fields: &[]
            }]
        );
    }
}
