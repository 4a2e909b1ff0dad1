//! What a write tool is about to change, said before it changes it: the [`Change`] a person approves
//! and the audit line records. A write tool's [`super::Tool::plan`] builds it from its arguments (and,
//! for updates, the values HubSpot holds now), without writing anything; after the write,
//! [`Change::settle`] adds what only the answer knows (the ids HubSpot gave new records).

use serde_json::{json, Map, Value};

/// What kind of change a write is: the configuration defines it (the write policy's selectors).
pub use crate::config::WriteKind as Effect;

/// One property of one record: its value now and the value asked for (`None`: none / not known).
#[derive(Debug, Clone, PartialEq)]
pub struct FieldChange {
    /// The record (`None` for a record not created yet).
    pub(crate) id: Option<String>,
    /// The property's internal name.
    pub(crate) property: String,
    /// The value HubSpot holds now (`None` for a create, or a property with no value).
    pub(crate) before: Option<Value>,
    /// The value asked for (`None` for an archive).
    pub(crate) after: Option<Value>,
}

/// A write, described before it is made.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    /// What kind of change.
    pub(crate) effect: Effect,
    /// The object type (`contacts`, `deals`, `2-1234`…), or for schema changes the object type whose
    /// properties change.
    pub(crate) object: String,
    /// The records touched (for creates: filled in by [`Change::settle`]).
    pub(crate) ids: Vec<String>,
    /// How many records (or associations, or definitions) the write touches.
    pub(crate) count: usize,
    /// Property values before and after (updates: one entry per record and property).
    pub(crate) fields: Vec<FieldChange>,
    /// Anything else a person needs to judge it (an association's label, a property's definition).
    pub(crate) detail: Option<String>,
    /// It may also create records (an upsert): the policy weighs it as the stricter of update and create.
    pub(crate) may_create: bool,
}

impl Change {
    /// A change of `count` items of `object`.
    pub(crate) fn new(effect: Effect, object: &str, count: usize) -> Change {
        Change {
            effect,
            object: object.to_string(),
            ids: Vec::new(),
            count,
            fields: Vec::new(),
            detail: None,
            may_create: false,
        }
    }

    /// Adds what the write's answer says: ids of records HubSpot created (`structured` is the tool's
    /// structured result: one record with an `id`, or `results` of them).
    pub(crate) fn settle(&mut self, structured: Option<&Value>) {
        if self.effect != Effect::Create || !self.ids.is_empty() {
            return;
        }
        let Some(v) = structured else { return };
        let mut push = |r: &Value| {
            if let Some(id) = r.get("id").and_then(Value::as_str) {
                self.ids.push(id.to_string());
            }
        };
        match v.get("results").and_then(Value::as_array) {
            Some(rs) => rs.iter().for_each(&mut push),
            None => push(v),
        }
    }

    /// The change as JSON (the audit line's `change`, the approval's record).
    pub(crate) fn to_json(&self) -> Value {
        let fields: Vec<Value> = self
            .fields
            .iter()
            .map(|f| {
                let mut m = Map::new();
                if let Some(id) = &f.id {
                    m.insert("id".into(), id.clone().into());
                }
                m.insert("property".into(), f.property.clone().into());
                m.insert("before".into(), f.before.clone().unwrap_or(Value::Null));
                m.insert("after".into(), f.after.clone().unwrap_or(Value::Null));
                Value::Object(m)
            })
            .collect();
        let mut v = json!({
            "effect": self.effect.as_str(),
            "object": self.object,
            "ids": self.ids,
            "count": self.count,
            "fields": fields,
        });
        if let Some(d) = &self.detail {
            v["detail"] = d.clone().into();
        }
        v
    }

    /// What a person reads before saying yes: one line of what, then each value's before → after.
    pub(crate) fn summary(&self) -> String {
        let what = match self.effect {
            Effect::Create => format!("Create {} {} record(s)", self.count, self.object),
            Effect::Update => format!("Update {} {} record(s)", self.count, self.object),
            Effect::Archive => format!("Archive (delete) {} {} record(s)", self.count, self.object),
            Effect::Associate => format!("Change {} association(s) of {}", self.count, self.object),
            Effect::Schema => format!("Change {} definition(s) of {}", self.count, self.object),
        };
        let mut s = one_line(&what);
        if !self.ids.is_empty() {
            s.push_str(": ");
            s.push_str(&one_line(&self.ids.join(", ")));
        }
        s.push('.');
        if let Some(d) = &self.detail {
            s.push(' ');
            s.push_str(&one_line(d));
        }
        for f in &self.fields {
            s.push_str("\n- ");
            if let Some(id) = &f.id {
                s.push_str(&one_line(id));
                s.push(' ');
            }
            s.push_str(&one_line(&f.property));
            s.push_str(": ");
            s.push_str(&show(f.before.as_ref()));
            s.push_str(" → ");
            s.push_str(&show(f.after.as_ref()));
        }
        s
    }
}

/// Characters of one value a summary shows; the rest is counted, never silently dropped.
const SHOWN: usize = 300;

/// A value as a person reads it: one line (invisible and control characters removed, line breaks shown
/// as `⏎`, so a value cannot fake lines of the summary or reorder what is shown), at most [`SHOWN`]
/// characters and then how many more there are; nothing as "(empty)".
fn show(v: Option<&Value>) -> String {
    let text = match v {
        None | Some(Value::Null) => return "(empty)".into(),
        Some(Value::String(s)) if s.is_empty() => return "(empty)".into(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    };
    one_line(&text)
}

/// `text` made safe to show on one line of a summary, cut at [`SHOWN`] characters with the count of the rest.
fn one_line(text: &str) -> String {
    let clean = super::untrusted::clean(text).replace('\n', "⏎");
    let total = clean.chars().count();
    if total <= SHOWN {
        return clean;
    }
    let mut s: String = clean.chars().take(SHOWN).collect();
    s.push_str(&format!("… (+{} more characters)", total - SHOWN));
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_and_settle() {
        let mut c = Change::new(Effect::Update, "contacts", 1);
        c.ids.push("51".into());
        c.fields.push(FieldChange {
            id: Some("51".into()),
            property: "lifecyclestage".into(),
            before: Some("lead".into()),
            after: Some("customer".into()),
        });
        assert_eq!(
            c.summary(),
            "Update 1 contacts record(s): 51.\n- 51 lifecyclestage: lead → customer"
        );
        // A value cannot add lines, reorder what is shown, or hide its tail.
        let mut f = Change::new(Effect::Update, "contacts", 1);
        f.fields.push(FieldChange {
            id: Some("1".into()),
            property: "notes".into(),
            before: None,
            after: Some(format!("lead\n- 101 amount: 5 → 5\u{202e}x{}", "y".repeat(400)).into()),
        });
        let text = f.summary();
        assert_eq!(text.lines().count(), 2, "{text}");
        assert!(!text.contains('\u{202e}'));
        assert!(
            text.contains("lead⏎- 101 amount") && text.contains("(+125 more characters)"),
            "{text}"
        );
        let mut n = Change::new(Effect::Create, "deals", 2);
        n.settle(Some(&json!({"results": [{"id": "7"}, {"id": "8"}]})));
        assert_eq!(n.ids, ["7", "8"]);
        assert_eq!(n.to_json()["ids"], json!(["7", "8"]));
    }
}
