//! Associations: HubSpot's association type definitions (HUBSPOT_DEFINED type ids such as contact→company
//! 279 / primary 1, deal→contact 3, note→contact 202, and USER_DEFINED labels such as "Decision maker"),
//! the association graph (both directions kept in step, one primary per record where HubSpot has one,
//! a labelled association always carrying the pair's unlabelled type), and its v3 and v4 JSON.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use serde_json::{json, Value};

use crate::types::Obj;

/// An association type from one object type to another.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct AssocDef {
    pub(crate) from: Obj,
    pub(crate) to: Obj,
    pub(crate) id: u32,
    pub(crate) inverse: u32,
    pub(crate) label: Option<&'static str>,
    pub(crate) user_defined: bool,
    /// A record of `from` holds at most one association of this type (e.g. a contact's primary company).
    unique_from: bool,
}

impl AssocDef {
    /// `HUBSPOT_DEFINED` or `USER_DEFINED`.
    pub(crate) fn category(&self) -> &'static str {
        if self.user_defined {
            "USER_DEFINED"
        } else {
            "HUBSPOT_DEFINED"
        }
    }

    /// `{category, typeId, label}` as v4 returns it.
    pub(crate) fn v4_json(&self) -> Value {
        json!({ "category": self.category(), "typeId": self.id, "label": self.label })
    }

    /// The v3 type name (`contact_to_company`, `contact_to_company_unlabeled`, `decision_maker`).
    pub(crate) fn v3_name(&self) -> String {
        if self.user_defined {
            return self
                .label
                .unwrap_or("label")
                .to_ascii_lowercase()
                .replace(' ', "_");
        }
        let base = format!("{}_to_{}", self.from.singular(), self.to.singular());
        let has_primary = between(self.from, self.to).any(|d| d.label.is_some() && !d.user_defined);
        if self.label.is_none() && has_primary {
            format!("{base}_unlabeled")
        } else {
            base
        }
    }
}

/// (a, b, a→b id, b→a id, label, user defined, a holds at most one).
type Pair = (Obj, Obj, u32, u32, Option<&'static str>, bool, bool);

const PAIRS: &[Pair] = &[
    (
        Obj::Contacts,
        Obj::Companies,
        1,
        2,
        Some("Primary"),
        false,
        true,
    ),
    (Obj::Contacts, Obj::Companies, 279, 280, None, false, false),
    (
        Obj::Contacts,
        Obj::Companies,
        103,
        104,
        Some("Billing contact"),
        true,
        false,
    ),
    (Obj::Deals, Obj::Contacts, 3, 4, None, false, false),
    (
        Obj::Deals,
        Obj::Contacts,
        101,
        102,
        Some("Decision maker"),
        true,
        false,
    ),
    (
        Obj::Deals,
        Obj::Companies,
        5,
        6,
        Some("Primary"),
        false,
        true,
    ),
    (Obj::Deals, Obj::Companies, 341, 342, None, false, false),
    (Obj::Tickets, Obj::Contacts, 16, 15, None, false, false),
    (
        Obj::Tickets,
        Obj::Companies,
        26,
        25,
        Some("Primary"),
        false,
        true,
    ),
    (Obj::Tickets, Obj::Companies, 339, 340, None, false, false),
    (Obj::Deals, Obj::Tickets, 27, 28, None, false, false),
    (Obj::Deals, Obj::LineItems, 19, 20, None, false, false),
    (Obj::Quotes, Obj::Deals, 64, 63, None, false, false),
    (Obj::Quotes, Obj::LineItems, 67, 68, None, false, false),
    (Obj::Quotes, Obj::Contacts, 69, 70, None, false, false),
    (Obj::Quotes, Obj::Companies, 71, 72, None, false, false),
    (
        Obj::Leads,
        Obj::Contacts,
        578,
        579,
        Some("Primary"),
        false,
        true,
    ),
    (
        Obj::Leads,
        Obj::Companies,
        580,
        581,
        Some("Primary"),
        false,
        true,
    ),
    (Obj::Calls, Obj::Contacts, 194, 193, None, false, false),
    (Obj::Calls, Obj::Companies, 182, 181, None, false, false),
    (Obj::Calls, Obj::Deals, 206, 205, None, false, false),
    (Obj::Calls, Obj::Tickets, 220, 219, None, false, false),
    (Obj::Emails, Obj::Contacts, 198, 197, None, false, false),
    (Obj::Emails, Obj::Companies, 186, 185, None, false, false),
    (Obj::Emails, Obj::Deals, 210, 209, None, false, false),
    (Obj::Emails, Obj::Tickets, 224, 223, None, false, false),
    (Obj::Meetings, Obj::Contacts, 200, 199, None, false, false),
    (Obj::Meetings, Obj::Companies, 188, 187, None, false, false),
    (Obj::Meetings, Obj::Deals, 212, 211, None, false, false),
    (Obj::Meetings, Obj::Tickets, 226, 225, None, false, false),
    (Obj::Notes, Obj::Contacts, 202, 201, None, false, false),
    (Obj::Notes, Obj::Companies, 190, 189, None, false, false),
    (Obj::Notes, Obj::Deals, 214, 213, None, false, false),
    (Obj::Notes, Obj::Tickets, 228, 227, None, false, false),
    (Obj::Tasks, Obj::Contacts, 204, 203, None, false, false),
    (Obj::Tasks, Obj::Companies, 192, 191, None, false, false),
    (Obj::Tasks, Obj::Deals, 216, 215, None, false, false),
    (Obj::Tasks, Obj::Tickets, 230, 229, None, false, false),
    (Obj::Projects, Obj::Contacts, 1001, 1002, None, false, false),
    (
        Obj::Projects,
        Obj::Companies,
        1003,
        1004,
        None,
        false,
        false,
    ),
    (Obj::Projects, Obj::Deals, 1005, 1006, None, false, false),
];

/// Every association type, both directions.
pub(crate) fn all() -> &'static [AssocDef] {
    static DEFS: OnceLock<Vec<AssocDef>> = OnceLock::new();
    DEFS.get_or_init(|| {
        let mut v = Vec::with_capacity(PAIRS.len() * 2);
        for &(a, b, ab, ba, label, user, unique) in PAIRS {
            v.push(AssocDef {
                from: a,
                to: b,
                id: ab,
                inverse: ba,
                label,
                user_defined: user,
                unique_from: unique,
            });
            v.push(AssocDef {
                from: b,
                to: a,
                id: ba,
                inverse: ab,
                label,
                user_defined: user,
                unique_from: false,
            });
        }
        v
    })
}

/// The association types from `from` to `to`.
pub(crate) fn between(from: Obj, to: Obj) -> impl Iterator<Item = &'static AssocDef> {
    all().iter().filter(move |d| d.from == from && d.to == to)
}

/// The association type `id` from `from` to `to`.
pub(crate) fn find(from: Obj, to: Obj, id: u32) -> Option<&'static AssocDef> {
    between(from, to).find(|d| d.id == id)
}

/// The association type `id` from `from` to whatever type it leads to.
pub(crate) fn find_from(from: Obj, id: u32) -> Option<&'static AssocDef> {
    all().iter().find(|d| d.from == from && d.id == id)
}

/// The pair's unlabelled HubSpot-defined type, if it has one.
pub(crate) fn unlabeled(from: Obj, to: Obj) -> Option<&'static AssocDef> {
    between(from, to).find(|d| d.label.is_none() && !d.user_defined)
}

/// The type `PUT …/associations/default/…` creates: the unlabelled type, else the pair's first type.
pub(crate) fn default_type(from: Obj, to: Obj) -> Option<&'static AssocDef> {
    unlabeled(from, to).or_else(|| between(from, to).next())
}

/// A record: (object type, id).
pub(crate) type Key = (Obj, u64);

/// The association graph.
#[derive(Clone, Debug, Default)]
pub(crate) struct Graph {
    edges: BTreeMap<Key, BTreeMap<Key, BTreeSet<u32>>>,
}

impl Graph {
    fn insert(&mut self, from: Key, to: Key, id: u32) {
        self.edges
            .entry(from)
            .or_default()
            .entry(to)
            .or_default()
            .insert(id);
    }

    fn remove(&mut self, from: Key, to: Key, id: u32) {
        if let Some(targets) = self.edges.get_mut(&from) {
            if let Some(set) = targets.get_mut(&to) {
                set.remove(&id);
                if set.is_empty() {
                    targets.remove(&to);
                }
            }
            if targets.is_empty() {
                self.edges.remove(&from);
            }
        }
    }

    /// Drops association `id` from `from` to every record of `to_type` except `keep`.
    fn drop_others(&mut self, from: Key, to_type: Obj, keep: Key, id: u32, inverse: u32) {
        let others: Vec<Key> = self
            .edges
            .get(&from)
            .map(|t| {
                t.iter()
                    .filter(|(k, ids)| k.0 == to_type && **k != keep && ids.contains(&id))
                    .map(|(k, _)| *k)
                    .collect()
            })
            .unwrap_or_default();
        for other in others {
            self.remove(from, other, id);
            self.remove(other, from, inverse);
        }
    }

    /// Adds association `d` from `from` to `to` (and its inverse), keeping primaries unique and adding
    /// the pair's unlabelled type alongside a labelled one.
    pub(crate) fn add(&mut self, from: Key, to: Key, d: &AssocDef) {
        if d.unique_from {
            self.drop_others(from, to.0, to, d.id, d.inverse);
        }
        if find(d.to, d.from, d.inverse).is_some_and(|inv| inv.unique_from) {
            self.drop_others(to, from.0, from, d.inverse, d.id);
        }
        self.insert(from, to, d.id);
        self.insert(to, from, d.inverse);
        if d.label.is_some() || d.user_defined {
            if let Some(u) = unlabeled(d.from, d.to) {
                self.insert(from, to, u.id);
                self.insert(to, from, u.inverse);
            }
        }
    }

    /// Removes every association between `a` and `b`, both directions.
    pub(crate) fn remove_pair(&mut self, a: Key, b: Key) {
        for (x, y) in [(a, b), (b, a)] {
            if let Some(targets) = self.edges.get_mut(&x) {
                targets.remove(&y);
                if targets.is_empty() {
                    self.edges.remove(&x);
                }
            }
        }
    }

    /// Removes a record's associations (it was archived).
    pub(crate) fn remove_record(&mut self, k: Key) {
        let targets: Vec<Key> = self
            .edges
            .get(&k)
            .map(|t| t.keys().copied().collect())
            .unwrap_or_default();
        for t in targets {
            self.remove_pair(k, t);
        }
    }

    /// The records of `to_type` associated with `from`, with the type ids of each, by id.
    pub(crate) fn targets(&self, from: Key, to_type: Obj) -> Vec<(u64, Vec<u32>)> {
        self.edges
            .get(&from)
            .map(|t| {
                t.range((to_type, 0)..=(to_type, u64::MAX))
                    .map(|(k, ids)| (k.1, ids.iter().copied().collect()))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The type ids from `a` to `b`.
    pub(crate) fn types_between(&self, a: Key, b: Key) -> Vec<u32> {
        self.edges
            .get(&a)
            .and_then(|t| t.get(&b))
            .map(|ids| ids.iter().copied().collect())
            .unwrap_or_default()
    }
}

/// `[{category, typeId, label}]` for type ids from `from` to `to`.
pub(crate) fn v4_types(from: Obj, to: Obj, ids: &[u32]) -> Value {
    Value::Array(
        ids.iter()
            .filter_map(|id| find(from, to, *id))
            .map(AssocDef::v4_json)
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn definitions_are_consistent() {
        for d in all() {
            let inv = find(d.to, d.from, d.inverse).expect("inverse exists");
            assert_eq!(inv.inverse, d.id);
            assert_eq!(inv.label, d.label);
        }
        assert_eq!(
            find(Obj::Contacts, Obj::Companies, 279).unwrap().v3_name(),
            "contact_to_company_unlabeled"
        );
        assert_eq!(
            find(Obj::Contacts, Obj::Companies, 1).unwrap().v3_name(),
            "contact_to_company"
        );
        assert_eq!(
            find(Obj::Deals, Obj::Contacts, 3).unwrap().v3_name(),
            "deal_to_contact"
        );
        assert_eq!(
            find(Obj::Deals, Obj::Contacts, 101).unwrap().v3_name(),
            "decision_maker"
        );
        assert_eq!(default_type(Obj::Notes, Obj::Contacts).unwrap().id, 202);
        assert_eq!(default_type(Obj::Leads, Obj::Contacts).unwrap().id, 578);
        assert_eq!(find_from(Obj::Contacts, 279).unwrap().to, Obj::Companies);
    }

    #[test]
    fn primary_is_unique_and_labels_carry_the_unlabeled_type() {
        let mut g = Graph::default();
        let c = (Obj::Contacts, 1);
        let (a, b) = ((Obj::Companies, 10), (Obj::Companies, 11));
        let primary = find(Obj::Contacts, Obj::Companies, 1).unwrap();
        g.add(c, a, primary);
        assert_eq!(g.types_between(c, a), vec![1, 279]);
        assert_eq!(g.types_between(a, c), vec![2, 280]);
        g.add(c, b, primary);
        assert_eq!(g.types_between(c, a), vec![279]);
        assert_eq!(g.types_between(c, b), vec![1, 279]);
        // Adding the inverse (company→contact primary) moves the contact's primary back to `a`.
        g.add(a, c, find(Obj::Companies, Obj::Contacts, 2).unwrap());
        assert_eq!(g.types_between(c, a), vec![1, 279]);
        assert_eq!(g.types_between(c, b), vec![279]);
        assert_eq!(g.targets(c, Obj::Companies).len(), 2);
        g.remove_pair(c, a);
        assert!(g.types_between(a, c).is_empty());
        g.remove_record(c);
        assert!(g.targets(b, Obj::Contacts).is_empty());
    }
}
