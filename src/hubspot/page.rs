//! A page of CRM records as HubSpot sends it (the answers of a list and of a search), read without a
//! `Value` tree: only the fields a model is shown, strings borrowed from the answer's text wherever they
//! need no unescaping. A page of ten contacts was two hundred allocations as a `Value` (a key and a value
//! string per property, a map per record), more than every other part of a tool call together.
//!
//! What is kept is what `tools::common::trim_record` keeps of a `Value` record: `id`, `properties`
//! (when an object), `createdAt`, `updatedAt`, `archived` (only `true`), `associations` (when an
//! object); a record that is not an object is empty. A key given twice counts the last time, as in a
//! `Value`.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::Value;

/// A page: its records, `total` (searches) and `paging.next.after`.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct RecordPage<'a> {
    pub(crate) results: Vec<Record<'a>>,
    /// `total`, when it is a number HubSpot can count to.
    pub(crate) total: Option<u64>,
    /// `paging.next.after` (a string, or a number as its text).
    pub(crate) next_after: Option<String>,
}

/// One record's kept fields.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct Record<'a> {
    pub(crate) id: Option<Scalar<'a>>,
    /// Name → value, in the order HubSpot sent them (a name may repeat until [`Record::settle`]).
    pub(crate) properties: Option<Vec<(Text<'a>, Scalar<'a>)>>,
    pub(crate) created_at: Option<Scalar<'a>>,
    pub(crate) updated_at: Option<Scalar<'a>>,
    pub(crate) archived: bool,
    /// Kept as HubSpot sent it (an object), for the caller to reduce to id lists.
    pub(crate) associations: Option<serde_json::Map<String, Value>>,
}

impl Record<'_> {
    /// Properties sorted by name (byte order, as a JSON object's keys are written), a repeated name
    /// holding its last value.
    pub(crate) fn settle(&mut self) {
        if let Some(props) = &mut self.properties {
            props.sort_by(|a, b| a.0.cmp(&b.0));
            // `dedup_by` keeps the earlier of two equal names: move the later value into it.
            props.dedup_by(|later, kept| {
                let same = later.0 == kept.0;
                if same {
                    std::mem::swap(later, kept);
                }
                same
            });
        }
    }
}

/// A string, borrowed from the answer when it needed no unescaping.
pub(crate) type Text<'a> = Cow<'a, str>;

/// A JSON value of a kept field: a string (borrowed where it can be), or anything else as a `Value`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Scalar<'a> {
    Str(Text<'a>),
    Other(Value),
}

impl Scalar<'_> {
    /// Null or the empty string: a property a model is not shown.
    pub(crate) fn is_blank(&self) -> bool {
        match self {
            Scalar::Str(s) => s.is_empty(),
            Scalar::Other(v) => v.is_null(),
        }
    }
}

impl serde::Serialize for Scalar<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Scalar::Str(t) => s.serialize_str(t),
            Scalar::Other(v) => v.serialize(s),
        }
    }
}

/// `next.after` of a page's `paging` (a string, or a number as its text): the cursor of the next page.
pub(crate) fn after_of(paging: &Value) -> Option<String> {
    match paging.get("next").and_then(|n| n.get("after"))? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Parses a page from HubSpot's answer text.
pub(crate) fn parse(text: &str) -> serde_json::Result<RecordPage<'_>> {
    if text.trim().is_empty() {
        return Ok(RecordPage::default());
    }
    serde_json::from_str(text)
}

/// A string seed that borrows when it can.
struct TextSeed;

impl<'de> DeserializeSeed<'de> for TextSeed {
    type Value = Text<'de>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Text<'de>, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Text<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Text<'de>, E> {
                Ok(Cow::Borrowed(v))
            }
            fn visit_str<E>(self, v: &str) -> Result<Text<'de>, E> {
                Ok(Cow::Owned(v.to_string()))
            }
            fn visit_string<E>(self, v: String) -> Result<Text<'de>, E> {
                Ok(Cow::Owned(v))
            }
        }
        d.deserialize_str(V)
    }
}

impl<'de> Deserialize<'de> for Scalar<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Scalar<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Scalar<'de>, E> {
                Ok(Scalar::Str(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Scalar<'de>, E> {
                Ok(Scalar::Str(Cow::Owned(v.to_string())))
            }
            fn visit_string<E>(self, v: String) -> Result<Scalar<'de>, E> {
                Ok(Scalar::Str(Cow::Owned(v)))
            }
            fn visit_bool<E>(self, v: bool) -> Result<Scalar<'de>, E> {
                Ok(Scalar::Other(v.into()))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Scalar<'de>, E> {
                Ok(Scalar::Other(v.into()))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Scalar<'de>, E> {
                Ok(Scalar::Other(v.into()))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Scalar<'de>, E> {
                Ok(Scalar::Other(v.into()))
            }
            fn visit_unit<E>(self) -> Result<Scalar<'de>, E> {
                Ok(Scalar::Other(Value::Null))
            }
            fn visit_none<E>(self) -> Result<Scalar<'de>, E> {
                Ok(Scalar::Other(Value::Null))
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Scalar<'de>, D::Error> {
                Scalar::deserialize(d)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, a: A) -> Result<Scalar<'de>, A::Error> {
                Value::deserialize(de::value::SeqAccessDeserializer::new(a)).map(Scalar::Other)
            }
            fn visit_map<A: MapAccess<'de>>(self, a: A) -> Result<Scalar<'de>, A::Error> {
                Value::deserialize(de::value::MapAccessDeserializer::new(a)).map(Scalar::Other)
            }
        }
        d.deserialize_any(V)
    }
}

/// The `visit_*` methods of a visitor that reads any JSON value but keeps only one kind: every other
/// kind is read through and `$none` is made of it (the way a `Value` holding the wrong kind is passed
/// over when a record is trimmed).
macro_rules! others_are {
    ($none:expr; $($skip:ident),*) => {
        fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
            Ok($none)
        }
        fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
            Ok($none)
        }
        fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
            Ok($none)
        }
        fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
            Ok($none)
        }
        fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
            Ok($none)
        }
        fn visit_unit<E>(self) -> Result<Self::Value, E> {
            Ok($none)
        }
        $(others_are!(@$skip $none);)*
    };
    (@seq $none:expr) => {
        fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> Result<Self::Value, A::Error> {
            while a.next_element::<IgnoredAny>()?.is_some() {}
            Ok($none)
        }
    };
    (@map $none:expr) => {
        fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Self::Value, A::Error> {
            while m.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
            Ok($none)
        }
    };
}

impl<'de> Deserialize<'de> for RecordPage<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RecordPage<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a page of HubSpot records")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<RecordPage<'de>, A::Error> {
                let mut page = RecordPage::default();
                while let Some(k) = m.next_key_seed(TextSeed)? {
                    match k.as_ref() {
                        "results" => page.results = m.next_value::<Records<'de>>()?.0,
                        "total" => page.total = m.next_value::<Value>()?.as_u64(),
                        "paging" => page.next_after = after_of(&m.next_value()?),
                        _ => {
                            m.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                Ok(page)
            }
            others_are!(RecordPage::default(); seq);
        }
        d.deserialize_any(V)
    }
}

/// `results`: records when an array, none otherwise.
struct Records<'a>(Vec<Record<'a>>);

impl<'de> Deserialize<'de> for Records<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Records<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a list of records")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> Result<Records<'de>, A::Error> {
                let mut out = Vec::with_capacity(a.size_hint().unwrap_or(0).min(200));
                while let Some(r) = a.next_element::<Record<'de>>()? {
                    out.push(r);
                }
                Ok(Records(out))
            }
            others_are!(Records(Vec::new()); map);
        }
        d.deserialize_any(V)
    }
}

impl<'de> Deserialize<'de> for Record<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Record<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a HubSpot record")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Record<'de>, A::Error> {
                let mut r = Record::default();
                while let Some(k) = m.next_key_seed(TextSeed)? {
                    match k.as_ref() {
                        "id" => r.id = Some(m.next_value()?),
                        "properties" => r.properties = m.next_value::<Props<'de>>()?.0,
                        "createdAt" => r.created_at = Some(m.next_value()?),
                        "updatedAt" => r.updated_at = Some(m.next_value()?),
                        "archived" => r.archived = m.next_value::<Value>()? == Value::Bool(true),
                        "associations" => {
                            r.associations = match m.next_value::<Value>()? {
                                Value::Object(a) => Some(a),
                                _ => None,
                            }
                        }
                        _ => {
                            m.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                r.settle();
                Ok(r)
            }
            others_are!(Record::default(); seq);
        }
        d.deserialize_any(V)
    }
}

/// `properties`: name → value when an object, `None` otherwise.
struct Props<'a>(Option<Vec<(Text<'a>, Scalar<'a>)>>);

impl<'de> Deserialize<'de> for Props<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Props<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a record's properties")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Props<'de>, A::Error> {
                let mut out = Vec::with_capacity(m.size_hint().unwrap_or(8).min(64));
                while let Some(k) = m.next_key_seed(TextSeed)? {
                    out.push((k, m.next_value::<Scalar<'de>>()?));
                }
                Ok(Props(Some(out)))
            }
            others_are!(Props(None); seq);
        }
        d.deserialize_any(V)
    }
}
