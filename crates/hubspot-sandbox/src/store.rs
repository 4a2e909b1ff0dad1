//! The in-memory account: records of every object type, property definitions and groups, the association
//! graph, owners, pipelines, workflows and lists; record validation (unknown properties, bad values, required
//! properties, unique values), creation, update, archiving, id resolution (`idProperty`) and record JSON.

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};

use crate::assoc::{self, Graph};
use crate::defined_properties::{defs, groups, OPT_OWNERS, OPT_PIPELINES, OPT_STAGES};
use crate::errors::ApiError;
use crate::fixtures::{self, Owner, Pipeline};
use crate::properties::{Group, Opt, Property};
use crate::time::{iso_ms, parse_instant};
use crate::types::{Obj, ALL};

/// A record.
#[derive(Clone, Debug)]
pub(crate) struct Record {
    pub(crate) id: u64,
    pub(crate) props: BTreeMap<String, String>,
    pub(crate) created: i64,
    pub(crate) updated: i64,
    pub(crate) archived: bool,
    pub(crate) archived_at: i64,
}

/// Which properties a record's JSON carries.
#[derive(Clone, Copy, Debug)]
pub(crate) enum PropSel<'a> {
    /// The object type's default properties.
    Defaults,
    /// The named properties plus creation date, last-modified date and `hs_object_id`.
    Named(&'a [String]),
    /// Every property with a value (create and update responses).
    AllSet,
}

impl<'a> PropSel<'a> {
    /// `Named` when `names` is not empty, else `Defaults`.
    pub(crate) fn from_names(names: &'a [String]) -> PropSel<'a> {
        if names.is_empty() {
            PropSel::Defaults
        } else {
            PropSel::Named(names)
        }
    }
}

/// Validated property changes: `None` clears a value.
pub(crate) type Changes = Vec<(String, Option<String>)>;

/// The account.
#[derive(Clone, Debug)]
pub(crate) struct Store {
    pub(crate) objects: Vec<BTreeMap<u64, Record>>,
    pub(crate) props: Vec<Vec<Property>>,
    pub(crate) groups: Vec<Vec<Group>>,
    pub(crate) assoc: Graph,
    pub(crate) owners: Vec<Owner>,
    pipelines: Vec<Pipeline>,
    pub(crate) flows: Vec<Value>,
    /// Lists (segments) and the id the next created one gets.
    pub(crate) lists: Vec<crate::lists::List>,
    pub(crate) next_list_id: u64,
    pub(crate) next_id: u64,
}

/// The last-modified properties of `obj`.
pub(crate) fn modified_props(obj: Obj) -> &'static [&'static str] {
    if obj == Obj::Contacts {
        &["lastmodifieddate", "hs_lastmodifieddate"]
    } else {
        &["hs_lastmodifieddate"]
    }
}

impl Store {
    /// An empty account with the fixed owners, pipelines, workflows and property definitions.
    pub(crate) fn empty() -> Store {
        let owners = fixtures::owners();
        let pipelines = fixtures::pipelines();
        let mut props = Vec::with_capacity(ALL.len());
        let mut grps = Vec::with_capacity(ALL.len());
        for obj in ALL {
            let list = defs(obj)
                .iter()
                .enumerate()
                .map(|(i, d)| {
                    let dynamic = if d.flags & OPT_OWNERS != 0 {
                        Some(
                            owners
                                .iter()
                                .filter(|o| !o.archived)
                                .enumerate()
                                .map(|(j, o)| Opt::new(&o.id.to_string(), &o.full_name(), j))
                                .collect(),
                        )
                    } else if d.flags & OPT_PIPELINES != 0 {
                        Some(
                            pipelines
                                .iter()
                                .filter(|p| p.obj == obj)
                                .enumerate()
                                .map(|(j, p)| Opt::new(&p.id, &p.label, j))
                                .collect(),
                        )
                    } else if d.flags & OPT_STAGES != 0 {
                        Some(
                            pipelines
                                .iter()
                                .filter(|p| p.obj == obj)
                                .flat_map(|p| p.stages.iter())
                                .enumerate()
                                .map(|(j, s)| Opt::new(&s.id, &s.label, j))
                                .collect(),
                        )
                    } else {
                        None
                    };
                    Property::from_def(d, i, dynamic)
                })
                .collect();
            props.push(list);
            grps.push(
                groups(obj)
                    .iter()
                    .enumerate()
                    .map(|(i, (n, l))| Group {
                        name: (*n).to_string(),
                        label: (*l).to_string(),
                        display_order: i as i64,
                        archived: false,
                    })
                    .collect(),
            );
        }
        Store {
            objects: vec![BTreeMap::new(); ALL.len()],
            props,
            groups: grps,
            assoc: Graph::default(),
            owners,
            pipelines,
            flows: fixtures::flows(),
            lists: Vec::new(),
            next_list_id: crate::lists::NEXT_ID,
            next_id: 101,
        }
    }

    /// The records of `obj`.
    pub(crate) fn records(&self, obj: Obj) -> &BTreeMap<u64, Record> {
        &self.objects[obj.idx()]
    }

    /// A live (or, with `archived`, an archived) record.
    pub(crate) fn get(&self, obj: Obj, id: u64, archived: bool) -> Option<&Record> {
        self.records(obj)
            .get(&id)
            .filter(|r| r.archived == archived)
    }

    /// A live property definition.
    pub(crate) fn prop(&self, obj: Obj, name: &str) -> Option<&Property> {
        self.props[obj.idx()]
            .iter()
            .find(|p| p.name == name && !p.archived)
    }

    /// The pipelines of `obj`.
    pub(crate) fn pipelines_of(&self, obj: Obj) -> impl Iterator<Item = &Pipeline> {
        self.pipelines.iter().filter(move |p| p.obj == obj)
    }

    /// The live record of `obj` whose `prop` equals `value` (case-insensitively), other than `except`.
    pub(crate) fn find_by(
        &self,
        obj: Obj,
        prop: &str,
        value: &str,
        except: Option<u64>,
    ) -> Option<u64> {
        self.records(obj)
            .values()
            .find(|r| {
                !r.archived
                    && Some(r.id) != except
                    && r.props
                        .get(prop)
                        .is_some_and(|v| v.eq_ignore_ascii_case(value))
            })
            .map(|r| r.id)
    }

    /// Resolves a path or input id (by `idProperty` when given) to a record id.
    pub(crate) fn resolve(
        &self,
        obj: Obj,
        raw: &str,
        id_prop: Option<&str>,
        archived: bool,
    ) -> Result<u64, ApiError> {
        match id_prop.filter(|p| !p.is_empty() && *p != "hs_object_id") {
            None => raw
                .parse::<u64>()
                .ok()
                .filter(|id| self.get(obj, *id, archived).is_some())
                .ok_or_else(|| ApiError::object_not_found(raw)),
            Some(p) => {
                self.check_id_property(obj, p)?;
                self.records(obj)
                    .values()
                    .find(|r| {
                        r.archived == archived
                            && r.props.get(p).is_some_and(|v| v.eq_ignore_ascii_case(raw))
                    })
                    .map(|r| r.id)
                    .ok_or_else(|| ApiError::object_not_found(raw))
            }
        }
    }

    fn apply_defaults(&self, obj: Obj, props: &mut BTreeMap<String, String>) {
        if let Some((pp, sp, default)) = Self::stage_props(obj) {
            let pipeline = props
                .entry(pp.to_string())
                .or_insert_with(|| default.to_string())
                .clone();
            if !props.contains_key(sp) {
                if let Some(first) = self
                    .pipelines_of(obj)
                    .find(|p| p.id == pipeline)
                    .and_then(|p| p.stages.first())
                {
                    props.insert(sp.to_string(), first.id.clone());
                }
            }
        }
        if obj == Obj::Tasks {
            props
                .entry("hs_task_status".into())
                .or_insert_with(|| "NOT_STARTED".into());
        }
    }

    /// Recomputes calculated properties (a line item's `amount`).
    pub(crate) fn derive(obj: Obj, props: &mut BTreeMap<String, String>) {
        if obj == Obj::LineItems {
            let num = |k: &str| props.get(k).and_then(|v| v.parse::<f64>().ok());
            match (num("quantity"), num("price")) {
                (Some(q), Some(p)) => {
                    let discount = num("hs_discount_percentage").unwrap_or(0.0);
                    let amount = q * p * (1.0 - discount / 100.0);
                    props.insert("amount".into(), format_number(amount));
                }
                _ => {
                    props.remove("amount");
                }
            }
        }
    }

    fn touch(obj: Obj, r: &mut Record, now: i64) {
        r.updated = now;
        for m in modified_props(obj) {
            r.props.insert((*m).to_string(), iso_ms(now));
        }
    }

    /// Creates a record from validated changes; returns its id.
    pub(crate) fn create(&mut self, obj: Obj, changes: Changes, now: i64) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        let mut props: BTreeMap<String, String> = changes
            .into_iter()
            .filter_map(|(k, v)| v.map(|v| (k, v)))
            .collect();
        self.apply_defaults(obj, &mut props);
        Self::derive(obj, &mut props);
        let created = props
            .get(obj.created_prop())
            .and_then(|v| parse_instant(v))
            .unwrap_or(now);
        props.insert(obj.created_prop().to_string(), iso_ms(created));
        props.insert("hs_object_id".into(), id.to_string());
        let mut r = Record {
            id,
            props,
            created,
            updated: now,
            archived: false,
            archived_at: 0,
        };
        Self::touch(obj, &mut r, now);
        self.objects[obj.idx()].insert(id, r);
        id
    }

    /// Applies validated changes to a live record.
    pub(crate) fn update(&mut self, obj: Obj, id: u64, changes: Changes, now: i64) {
        if let Some(r) = self.objects[obj.idx()].get_mut(&id) {
            for (k, v) in changes {
                match v {
                    Some(v) => r.props.insert(k, v),
                    None => r.props.remove(&k),
                };
            }
            Self::derive(obj, &mut r.props);
            Self::touch(obj, r, now);
        }
    }

    /// Archives a live record and drops its associations; false when there is none.
    pub(crate) fn archive(&mut self, obj: Obj, id: u64, now: i64) -> bool {
        match self.objects[obj.idx()].get_mut(&id) {
            Some(r) if !r.archived => {
                r.archived = true;
                r.archived_at = now;
                self.assoc.remove_record((obj, id));
                true
            }
            _ => false,
        }
    }

    /// HubSpot's record JSON with the selected properties and, for each type in `with_assoc`, the v3
    /// `associations` block.
    pub(crate) fn record_json(
        &self,
        obj: Obj,
        r: &Record,
        sel: PropSel<'_>,
        with_assoc: &[Obj],
    ) -> Value {
        let mut props = Map::new();
        let mut put = |name: &str| {
            let v = r.props.get(name).map_or(Value::Null, |v| json!(v));
            props.insert(name.to_string(), v);
        };
        match sel {
            PropSel::Defaults => obj.default_props().iter().for_each(|n| put(n)),
            PropSel::Named(names) => {
                put(obj.created_prop());
                put(modified_props(obj)[0]);
                put("hs_object_id");
                for n in names {
                    if self.prop(obj, n).is_some() {
                        put(n);
                    }
                }
            }
            PropSel::AllSet => {
                for (k, v) in &r.props {
                    props.insert(k.clone(), json!(v));
                }
            }
        }
        let mut out = Map::new();
        out.insert("id".into(), json!(r.id.to_string()));
        out.insert("properties".into(), Value::Object(props));
        out.insert("createdAt".into(), json!(iso_ms(r.created)));
        out.insert("updatedAt".into(), json!(iso_ms(r.updated)));
        out.insert("archived".into(), json!(r.archived));
        if r.archived {
            out.insert("archivedAt".into(), json!(iso_ms(r.archived_at)));
        }
        if !with_assoc.is_empty() {
            let mut block = Map::new();
            for to in with_assoc {
                let mut results = Vec::new();
                for (tid, ids) in self.assoc.targets((obj, r.id), *to) {
                    for id in ids {
                        if let Some(d) = assoc::find(obj, *to, id) {
                            results.push(json!({ "id": tid.to_string(), "type": d.v3_name() }));
                        }
                    }
                }
                if !results.is_empty() {
                    block.insert(to.assoc_key().to_string(), json!({ "results": results }));
                }
            }
            if !block.is_empty() {
                out.insert("associations".into(), Value::Object(block));
            }
        }
        Value::Object(out)
    }
}

/// Formats a computed number the way HubSpot stores it (`1500`, `1500.5`).
pub(crate) fn format_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        let s = format!("{n:.4}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn props(v: Value) -> Value {
        v
    }

    #[test]
    fn validates_and_creates() {
        let mut s = Store::empty();
        let err = s
            .check_values(Obj::Contacts, Some(&props(json!({"foo": "x"}))), None)
            .unwrap_err();
        assert!(err.message.contains("PROPERTY_DOESNT_EXIST"));
        let err = s
            .check_values(Obj::Contacts, Some(&json!({"email": "not-an-email"})), None)
            .unwrap_err();
        assert!(err.message.contains("INVALID_EMAIL"));
        let ch = s
            .check_values(
                Obj::Contacts,
                Some(&json!({"email": "A@Example.com", "firstname": "A"})),
                None,
            )
            .unwrap();
        let id = s.create(Obj::Contacts, ch, 1_700_000_000_000);
        assert_eq!(id, 101);
        let r = s.get(Obj::Contacts, id, false).unwrap();
        assert_eq!(r.props["email"], "a@example.com");
        assert_eq!(r.props["hs_object_id"], "101");
        assert_eq!(r.props["createdate"], "2023-11-14T22:13:20.000Z");
        let err = s
            .check_values(
                Obj::Contacts,
                Some(&json!({"email": "a@example.COM"})),
                None,
            )
            .unwrap_err();
        assert_eq!(
            (err.status, err.message.as_str()),
            (409, "Contact already exists. Existing ID: 101")
        );
        assert_eq!(
            s.resolve(Obj::Contacts, "A@EXAMPLE.com", Some("email"), false)
                .unwrap(),
            101
        );
        assert!(s
            .resolve(Obj::Contacts, "x", Some("firstname"), false)
            .is_err());
        let err = s
            .check_values(Obj::Deals, Some(&json!({"amount": "5"})), None)
            .unwrap_err();
        assert!(err.message.contains("REQUIRED_PROPERTY"));
        let ch = s
            .check_values(Obj::Deals, Some(&json!({"dealname": "D"})), None)
            .unwrap();
        let d = s.create(Obj::Deals, ch, 0);
        assert_eq!(
            s.get(Obj::Deals, d, false).unwrap().props["dealstage"],
            "appointmentscheduled"
        );
        let err = s
            .check_values(Obj::Deals, Some(&json!({"dealstage": "87263452"})), Some(d))
            .unwrap_err();
        assert!(err.message.contains("not a valid stage"));
        assert!(s
            .check_values(
                Obj::Deals,
                Some(&json!({"pipeline": "87263451", "dealstage": "87263452"})),
                Some(d)
            )
            .is_ok());
        let err = s
            .check_values(Obj::Contacts, Some(&json!({"hs_object_id": "5"})), Some(id))
            .unwrap_err();
        assert!(err.message.contains("READ_ONLY_VALUE"));
    }

    #[test]
    fn line_item_amount_is_derived() {
        let mut s = Store::empty();
        let ch = s
            .check_values(
                Obj::LineItems,
                Some(&json!({"quantity": 3, "price": "19.5"})),
                None,
            )
            .unwrap();
        let id = s.create(Obj::LineItems, ch, 0);
        assert_eq!(
            s.get(Obj::LineItems, id, false).unwrap().props["amount"],
            "58.5"
        );
        assert_eq!(format_number(1500.0), "1500");
    }
}
