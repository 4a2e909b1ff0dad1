//! Field masking (`HUBSPOT_MASKED_PROPERTIES`): the one choke point every HubSpot call passes through,
//! in [`super::Client::send_as`] (and [`super::Client::read_page`], through [`Mask::page`]). Before a
//! call: a request that would use a masked property as a probe
//! (a search filter or sort on it, a free-text query over it, a write setting it, an `idProperty` naming
//! it, its definition fetched) is refused before HubSpot is asked, and `properties=` lists lose masked
//! names. After a call: records (pages, searches, batches, engagements, `propertiesWithHistory`),
//! property catalogs and custom object schemas lose masked properties (or show `[masked]`), before any
//! tool, resource, cache or log line sees the answer.
//!
//! It reads only paths and JSON: it knows nothing of tools or MCP. Object types in paths are read with
//! the same normalizing the tools use (`config::object_types`), so `0-1` and `contacts` are one type.
//! Custom objects have two spellings (`2-123`, `p_projects`) no table can relate: schema answers that
//! pass through teach the mask which spellings are one type, and [`Mask::needs_schema`] says when a
//! custom type must be looked up before a call (see `Client::mask_request`).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Value};

use super::page::{RecordPage, Scalar};
use super::{Error, ErrorKind, Method};
use crate::config::object_types::{canonical, is_custom_name, is_type_id};
use crate::config::{MaskStyle, Masking};

/// What a redacted value reads.
pub(crate) const REDACTED: &str = "[masked]";

/// The properties HubSpot's free-text search `query` looks in, by object type (HubSpot's CRM search
/// guide, "default searchable properties"). For a type not listed every masked property counts as
/// searchable: a free-text query on it is refused (the safe side).
const DEFAULT_SEARCHABLE: [(&str, &[&str]); 4] = [
    (
        "contacts",
        &[
            "firstname",
            "lastname",
            "email",
            "phone",
            "hs_additional_emails",
            "fax",
            "mobilephone",
            "company",
            "hs_marketable_until_renewal",
        ],
    ),
    ("companies", &["website", "phone", "name", "domain"]),
    (
        "deals",
        &[
            "dealname",
            "pipeline",
            "dealstage",
            "description",
            "dealtype",
        ],
    ),
    (
        "tickets",
        &[
            "subject",
            "content",
            "hs_pipeline_stage",
            "hs_ticket_category",
            "hs_ticket_id",
        ],
    ),
];

/// Custom-type spellings remembered at most (each schema answer adds two).
const MAX_ALIASES: usize = 4096;

/// The operator's masked properties, applied to every request and answer of the client.
#[derive(Debug)]
pub(crate) struct Mask {
    /// Canonical object type → lowercased property names.
    by_type: BTreeMap<String, BTreeSet<String>>,
    style: MaskStyle,
    /// Custom-type spellings learned from schema answers (`2-123`, `p123_projects`, `p_projects`): each
    /// → the spelling of its type that is a key of `by_type`, or `None` when its type masks nothing.
    aliases: parking_lot::Mutex<BTreeMap<String, Option<String>>>,
}

/// A request as it may be sent: the query, and the body to send instead of the caller's (when masked
/// names were taken out of it).
pub(crate) type Prepared<'q> = (Vec<(&'q str, String)>, Option<Value>);

/// What a path addresses, as far as masking goes.
enum Target<'p> {
    /// `/crm/v3/objects/{type}/…`: records. `rest` is what follows the type.
    Objects { ty: String, rest: Vec<&'p str> },
    /// `/crm/v3/properties/{type}[/{name}]`: property definitions (not groups).
    Properties { ty: String, name: Option<&'p str> },
    /// `/crm/v3/schemas[/{type}]`: custom object schemas, which list property definitions.
    Schemas,
    /// Anything else: owners, pipelines, association labels, account, workflows.
    Other,
}

fn target(path: &str) -> Target<'_> {
    let segs: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let ty = |s: &str| canonical(s);
    match segs.as_slice() {
        ["crm", "v3", "objects", t, rest @ ..] => match ty(t) {
            Some(ty) => Target::Objects {
                ty,
                rest: rest.to_vec(),
            },
            None => Target::Other,
        },
        ["crm", "v3", "properties", t, rest @ ..] if rest.first() != Some(&"groups") => {
            match ty(t) {
                Some(ty) => Target::Properties {
                    ty,
                    name: rest.first().copied().filter(|n| *n != "batch"),
                },
                None => Target::Other,
            }
        }
        ["crm", "v3", "schemas", ..] => Target::Schemas,
        _ => Target::Other,
    }
}

/// The refusal of a request that would use masked property `name` of `ty` in the way `how` says.
fn refused(ty: &str, name: &str, how: &str) -> Error {
    Error::new(
        ErrorKind::Masked,
        format!(
            "the property {name} of {ty} is masked by the operator of this server \
             (HUBSPOT_MASKED_PROPERTIES): it {how}."
        ),
    )
    .with_hint("Leave that property out; it cannot be read, filtered on, sorted by, searched or written through this server.")
}

/// A property name as the mask compares it.
fn key(name: &str) -> String {
    name.trim().to_ascii_lowercase()
}

impl Mask {
    /// The mask of the configuration.
    pub(crate) fn new(masking: &Masking) -> Mask {
        Mask {
            by_type: masking.properties.clone(),
            style: masking.style,
            aliases: parking_lot::Mutex::default(),
        }
    }

    /// A mask that hides nothing.
    pub(crate) fn none() -> Mask {
        Mask {
            by_type: BTreeMap::new(),
            style: MaskStyle::Omit,
            aliases: parking_lot::Mutex::default(),
        }
    }

    /// The masked names of canonical type `ty` (or of a custom spelling learned to be the same type).
    fn masked(&self, ty: &str) -> Option<&BTreeSet<String>> {
        if let Some(m) = self.by_type.get(ty) {
            return Some(m);
        }
        let other = self.aliases.lock().get(ty).cloned().flatten()?;
        self.by_type.get(&other)
    }

    /// Notes that `spellings` name one type.
    fn learn(&self, spellings: &[String]) {
        let keyed = spellings
            .iter()
            .find(|s| self.by_type.contains_key(*s))
            .cloned();
        let mut aliases = self.aliases.lock();
        for s in spellings.iter().filter(|s| !self.by_type.contains_key(*s)) {
            if aliases.len() < MAX_ALIASES {
                aliases.insert(s.clone(), keyed.clone());
            }
        }
    }

    /// The spellings of the type a schema describes (`objectTypeId`, `fullyQualifiedName`).
    fn spellings_of(schema: &Value) -> Vec<String> {
        ["objectTypeId", "fullyQualifiedName"]
            .iter()
            .filter_map(|k| schema.get(*k).and_then(Value::as_str))
            .filter_map(canonical)
            .collect()
    }

    /// Learns from the schema HubSpot gave for `requested` (see [`Mask::needs_schema`]) that the
    /// requested spelling names that schema's type.
    pub(crate) fn learn_schema(&self, requested: &str, schema: &Value) {
        let mut spellings = Mask::spellings_of(schema);
        if !spellings.is_empty() {
            spellings.push(requested.to_string());
            self.learn(&spellings);
        }
    }

    /// True when `name` of `ty` is masked.
    fn is_masked(&self, ty: &str, name: &str) -> bool {
        self.masked(ty).is_some_and(|m| m.contains(&key(name)))
    }

    /// Whether the mask masks anything of a custom object type (so a custom type's other spelling
    /// must be known before a call on it).
    fn has_custom(&self) -> bool {
        self.by_type
            .keys()
            .any(|t| is_custom_name(t) || (is_type_id(t) && !t.starts_with("0-")))
    }

    /// The custom object type a call on `path` needs resolved first: one spelled in a way the mask has
    /// not seen, while some custom type is masked. The client then reads its schema (whose answer
    /// teaches the mask its other spelling) before the call.
    pub(crate) fn needs_schema(&self, path: &str) -> Option<String> {
        if !self.has_custom() {
            return None;
        }
        let ty = match target(path) {
            Target::Objects { ty, .. } | Target::Properties { ty, .. } => ty,
            Target::Schemas | Target::Other => return None,
        };
        let custom = is_custom_name(&ty) || (is_type_id(&ty) && !ty.starts_with("0-"));
        (custom && !self.by_type.contains_key(&ty) && !self.aliases.lock().contains_key(&ty))
            .then_some(ty)
    }

    /// Checks and rewrites a request before it is sent: `Err` refuses it (nothing is sent); `Ok` gives
    /// the query to send and, when the body must change, the body to send instead.
    pub(crate) fn request<'q>(
        &self,
        method: Method,
        path: &str,
        query: &[(&'q str, String)],
        body: Option<&Value>,
    ) -> Result<Prepared<'q>, Error> {
        let (ty, object, search) = match target(path) {
            Target::Objects { ty, rest } => {
                let search = method == Method::Post && rest.as_slice() == ["search"];
                (ty, true, search)
            }
            Target::Properties { ty, name } => {
                if let Some(n) = name.filter(|n| self.is_masked(&ty, n)) {
                    return Err(not_found(&ty, n));
                }
                if let Some(n) = body
                    .and_then(|b| b.get("name"))
                    .and_then(Value::as_str)
                    .filter(|n| self.is_masked(&ty, n))
                {
                    return Err(refused(&ty, n, "cannot be defined or changed"));
                }
                (ty, false, false)
            }
            Target::Schemas | Target::Other => return Ok((query.to_vec(), None)),
        };
        let Some(masked) = self.masked(&ty) else {
            return Ok((query.to_vec(), None));
        };
        let mut q = Vec::with_capacity(query.len());
        for (k, v) in query {
            match *k {
                // `omit` asks HubSpot for less; `redact` asks for them, to show they exist.
                "properties" | "propertiesWithHistory" if self.style == MaskStyle::Omit => {
                    let kept: Vec<&str> =
                        v.split(',').filter(|n| !masked.contains(&key(n))).collect();
                    if !kept.is_empty() {
                        q.push((*k, kept.join(",")));
                    }
                }
                "idProperty" if object && masked.contains(&key(v)) => {
                    return Err(refused(&ty, v, "cannot be used as idProperty"));
                }
                _ => q.push((*k, v.clone())),
            }
        }
        let body = match body {
            Some(b) if object => object_body(search, self.style, &ty, masked, b)?,
            _ => None,
        };
        Ok((q, body))
    }

    /// Refuses a description of a write to `ty` that names a masked property (a plan's fields: what an
    /// approval or an audit line would hold), as the write itself would be refused.
    pub(crate) fn check_written<'n>(
        &self,
        ty: &str,
        mut names: impl Iterator<Item = &'n str>,
    ) -> Result<(), Error> {
        let ty = canonical(ty).unwrap_or_else(|| ty.to_string());
        match names.find(|n| self.is_masked(&ty, n)) {
            Some(n) => Err(refused(&ty, n, "cannot be written")),
            None => Ok(()),
        }
    }

    /// Masks an answer HubSpot gave to a call on `path`, in place.
    pub(crate) fn response(&self, path: &str, answer: &mut Value) {
        match target(path) {
            Target::Objects { ty, .. } => {
                if let Some(masked) = self.masked(&ty) {
                    self.records(masked, answer);
                }
            }
            Target::Properties { ty, .. } => {
                if let Some(masked) = self.masked(&ty) {
                    if let Some(list) = answer.get_mut("results").and_then(Value::as_array_mut) {
                        list.retain(|p| {
                            !p.get("name")
                                .and_then(Value::as_str)
                                .is_some_and(|n| masked.contains(&key(n)))
                        });
                    }
                }
            }
            Target::Schemas => match answer.get_mut("results").and_then(Value::as_array_mut) {
                Some(list) => list.iter_mut().for_each(|s| self.schema(s)),
                None => self.schema(answer),
            },
            Target::Other => {}
        }
    }

    /// Masks a page of records read without a `Value` tree ([`RecordPage`]) as [`Mask::response`]
    /// masks the same answer as a `Value`.
    pub(crate) fn page(&self, path: &str, page: &mut RecordPage<'_>) {
        let Target::Objects { ty, .. } = target(path) else {
            return;
        };
        let Some(masked) = self.masked(&ty) else {
            return;
        };
        for props in page
            .results
            .iter_mut()
            .filter_map(|r| r.properties.as_mut())
        {
            match self.style {
                MaskStyle::Omit => props.retain(|(n, _)| !masked.contains(&key(n))),
                MaskStyle::Redact => {
                    for (_, v) in props.iter_mut().filter(|(n, _)| masked.contains(&key(n))) {
                        *v = Scalar::Str(REDACTED.into());
                    }
                }
            }
        }
    }

    /// Masks one record, or each record of `results` (pages, searches, batch answers).
    fn records(&self, masked: &BTreeSet<String>, answer: &mut Value) {
        self.record(masked, answer);
        for r in answer
            .get_mut("results")
            .and_then(Value::as_array_mut)
            .into_iter()
            .flatten()
        {
            self.record(masked, r);
        }
    }

    fn record(&self, masked: &BTreeSet<String>, record: &mut Value) {
        for (k, redacted) in [
            ("properties", json!(REDACTED)),
            ("propertiesWithHistory", json!([{ "value": REDACTED }])),
        ] {
            let Some(props) = record.get_mut(k).and_then(Value::as_object_mut) else {
                continue;
            };
            let hits: Vec<String> = props
                .keys()
                .filter(|n| masked.contains(&key(n)))
                .cloned()
                .collect();
            for n in hits {
                match self.style {
                    MaskStyle::Omit => {
                        props.remove(&n);
                    }
                    MaskStyle::Redact => {
                        props.insert(n, redacted.clone());
                    }
                }
            }
        }
    }

    /// Masks one custom object schema (its property definitions and the lists naming properties), and
    /// learns which two spellings name its type.
    fn schema(&self, schema: &mut Value) {
        let spellings = Mask::spellings_of(schema);
        self.learn(&spellings);
        let masked: BTreeSet<String> = spellings
            .iter()
            .filter_map(|t| self.masked(t))
            .flatten()
            .cloned()
            .collect();
        if masked.is_empty() {
            return;
        }
        let hit = |v: &Value| v.as_str().is_some_and(|n| masked.contains(&key(n)));
        let Some(obj) = schema.as_object_mut() else {
            return;
        };
        if let Some(list) = obj.get_mut("properties").and_then(Value::as_array_mut) {
            list.retain(|p| !p.get("name").is_some_and(hit));
        }
        for k in [
            "requiredProperties",
            "searchableProperties",
            "secondaryDisplayProperties",
        ] {
            if let Some(list) = obj.get_mut(k).and_then(Value::as_array_mut) {
                list.retain(|n| !hit(n));
            }
        }
        if obj.get("primaryDisplayProperty").is_some_and(hit) {
            obj.remove("primaryDisplayProperty");
        }
    }
}

/// Checks a body sent to `/crm/v3/objects/{ty}/…` (`search`: to its search endpoint); the body to
/// send instead, when it changes (under `omit`, a batch read's lists of properties lose masked names;
/// `redact` asks for them, to show them as `[masked]`).
fn object_body(
    search: bool,
    style: MaskStyle,
    ty: &str,
    masked: &BTreeSet<String>,
    body: &Value,
) -> Result<Option<Value>, Error> {
    let hit = |n: &str| masked.contains(&key(n));
    let check_id = |v: &Value| match v.get("idProperty").and_then(Value::as_str) {
        Some(p) if hit(p) => Err(refused(ty, p, "cannot be used as idProperty")),
        _ => Ok(()),
    };
    let check_written = |v: &Value| match v.get("properties").and_then(Value::as_object) {
        Some(props) => match props.keys().find(|k| hit(k)) {
            Some(k) => Err(refused(ty, k, "cannot be written")),
            None => Ok(()),
        },
        None => Ok(()),
    };
    check_id(body)?;
    check_written(body)?;
    for input in body
        .get("inputs")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        check_id(input)?;
        check_written(input)?;
    }
    if search {
        for f in body
            .get("filterGroups")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|g| g.get("filters").and_then(Value::as_array))
            .flatten()
        {
            if let Some(p) = f
                .get("propertyName")
                .and_then(Value::as_str)
                .filter(|p| hit(p))
            {
                return Err(refused(ty, p, "cannot be filtered on"));
            }
        }
        for s in body
            .get("sorts")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let name = match s {
                Value::String(s) => Some(s.trim_start_matches('-')),
                other => other.get("propertyName").and_then(Value::as_str),
            };
            if let Some(p) = name.filter(|p| hit(p)) {
                return Err(refused(ty, p, "cannot be sorted by"));
            }
        }
        if let Some(p) = body
            .get("properties")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .find(|p| hit(p))
        {
            return Err(refused(ty, p, "cannot be returned by a search"));
        }
        let query = body.get("query").and_then(Value::as_str).unwrap_or("");
        if !query.trim().is_empty() {
            let searchable = DEFAULT_SEARCHABLE
                .iter()
                .find(|(t, _)| *t == ty)
                .map(|(_, s)| *s);
            let probed = match searchable {
                Some(s) => s.iter().find(|p| hit(p)).map(|p| p.to_string()),
                None => masked.iter().next().cloned(),
            };
            if let Some(p) = probed {
                return Err(refused(
                    ty,
                    &p,
                    &format!(
                        "is among the properties a free-text query searches for {ty}, so free-text \
                         queries of {ty} are refused; use filters on other properties instead"
                    ),
                ));
            }
        }
        return Ok(None);
    }
    if style == MaskStyle::Redact {
        return Ok(None);
    }
    let mut changed = body.clone();
    let mut any = false;
    for k in ["properties", "propertiesWithHistory"] {
        if let Some(list) = changed.get_mut(k).and_then(Value::as_array_mut) {
            let before = list.len();
            list.retain(|p| !p.as_str().is_some_and(hit));
            any |= list.len() != before;
        }
    }
    Ok(any.then_some(changed))
}

/// A masked property's definition: answered as HubSpot answers an unknown property.
fn not_found(ty: &str, name: &str) -> Error {
    Error::from_response(
        404,
        &json!({
            "status": "error",
            "category": "OBJECT_NOT_FOUND",
            "message": format!("Unable to find property {name} on {ty}"),
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::masking_for_tests;

    fn mask(spec: &str, style: MaskStyle) -> Mask {
        Mask::new(&masking_for_tests(spec, style))
    }

    /// A page read without a `Value` ([`Mask::page`]) is masked as the same page read as a `Value`
    /// ([`Mask::response`]): omitted or redacted, names matched whatever their case, other types and
    /// paths untouched.
    #[test]
    fn a_page_read_as_it_comes_is_masked_as_a_value_is() {
        let text = r#"{"results":[{"id":"1","properties":{"Phone":"+1 555","email":"a@b.c","phone":"x","lifecyclestage":null}},{"id":"2"},{"id":"3","properties":{"phone":""}}]}"#;
        for style in [MaskStyle::Omit, MaskStyle::Redact] {
            let m = mask("contacts:phone,lifecyclestage", style);
            for path in [
                "/crm/v3/objects/contacts",
                "/crm/v3/objects/contacts/search",
                "/crm/v3/objects/deals",
            ] {
                let mut typed = crate::hubspot::page::parse(text).unwrap();
                m.page(path, &mut typed);
                let mut value: Value = serde_json::from_str(text).unwrap();
                m.response(path, &mut value);
                let props = |r: &Value| {
                    r.get("properties").and_then(Value::as_object).map(|p| {
                        p.iter()
                            .map(|(k, v)| {
                                let v = match v {
                                    Value::String(s) => Scalar::Str(s.clone().into()),
                                    v => Scalar::Other(v.clone()),
                                };
                                (std::borrow::Cow::Owned(k.clone()), v)
                            })
                            .collect::<Vec<_>>()
                    })
                };
                let want: Vec<_> = value["results"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(props)
                    .collect();
                let got: Vec<_> = typed.results.into_iter().map(|r| r.properties).collect();
                assert_eq!(got, want, "{style:?} {path}");
            }
        }
    }

    fn refusal(r: Result<Prepared<'_>, Error>) -> String {
        let e = r.expect_err("refused");
        assert_eq!(e.kind, ErrorKind::Masked);
        e.to_string()
    }

    #[test]
    fn search_filters_sorts_properties_and_queries_on_masked_names_are_refused() {
        let m = mask(
            "contacts:phone,lifecyclestage;deals:amount",
            MaskStyle::Omit,
        );
        let post = |path: &str, body: Value| m.request(Method::Post, path, &[], Some(&body));
        let s = "/crm/v3/objects/0-1/search";
        let e = refusal(post(
            s,
            json!({"filterGroups": [{"filters": [{"propertyName": "email", "operator": "HAS_PROPERTY"},
                                                   {"propertyName": "Phone", "operator": "EQ", "value": "1"}]}]}),
        ));
        assert!(
            e.contains("Phone")
                && e.contains("filtered")
                && e.contains("HUBSPOT_MASKED_PROPERTIES"),
            "{e}"
        );
        let e = refusal(post(
            s,
            json!({"sorts": [{"propertyName": "lifecyclestage", "direction": "ASCENDING"}]}),
        ));
        assert!(e.contains("sorted"), "{e}");
        assert!(refusal(post(s, json!({"sorts": ["-lifecyclestage"]}))).contains("sorted"));
        assert!(refusal(post(s, json!({"properties": ["email", "phone"]}))).contains("returned"));
        // `phone` is among the contacts' default searchable properties.
        let e = refusal(post(s, json!({"query": "maria"})));
        assert!(e.contains("free-text") && e.contains("phone"), "{e}");
        // `amount` is not among the deals' searchable ones; an empty query is no query.
        let ok = post(
            "/crm/v3/objects/deals/search",
            json!({"query": "annual", "properties": ["dealname"]}),
        );
        assert_eq!(ok.unwrap(), (vec![], None));
        assert!(post(s, json!({"query": " ", "filterGroups": [{"filters": [{"propertyName": "email", "operator": "HAS_PROPERTY"}]}]})).is_ok());
        // Unmasked types are untouched; a type with no searchable table refuses any free text.
        assert!(post(
            "/crm/v3/objects/companies/search",
            json!({"query": "x", "sorts": ["phone"]})
        )
        .is_ok());
        let m2 = mask("notes:hs_note_body_secret", MaskStyle::Omit);
        assert!(m2
            .request(
                Method::Post,
                "/crm/v3/objects/notes/search",
                &[],
                Some(&json!({"query": "x"}))
            )
            .is_err());
    }

    #[test]
    fn writes_and_keys_naming_masked_properties_are_refused() {
        let m = mask("contacts:phone", MaskStyle::Redact);
        let send = |method, path: &str, q: &[(&'static str, String)], body: Option<Value>| {
            m.request(method, path, q, body.as_ref())
        };
        for (method, path, body) in [
            (
                Method::Post,
                "/crm/v3/objects/contacts",
                json!({"properties": {"email": "a@b.c", "phone": "1"}}),
            ),
            (
                Method::Patch,
                "/crm/v3/objects/contact/1",
                json!({"properties": {"PHONE": "1"}}),
            ),
            (
                Method::Post,
                "/crm/v3/objects/contacts/batch/create",
                json!({"inputs": [{"properties": {}}, {"properties": {"phone": "1"}}]}),
            ),
            (
                Method::Post,
                "/crm/v3/objects/contacts/batch/update",
                json!({"inputs": [{"id": "1", "properties": {"phone": "1"}}]}),
            ),
        ] {
            assert!(
                refusal(send(method, path, &[], Some(body))).contains("written"),
                "{path}"
            );
        }
        for body in [
            json!({"idProperty": "phone", "inputs": [{"id": "555"}], "properties": []}),
            json!({"inputs": [{"id": "555", "idProperty": "phone", "properties": {"email": "x"}}]}),
        ] {
            assert!(refusal(send(
                Method::Post,
                "/crm/v3/objects/contacts/batch/upsert",
                &[],
                Some(body)
            ))
            .contains("idProperty"));
        }
        let q = [("idProperty", "phone".to_string())];
        assert!(
            refusal(send(Method::Get, "/crm/v3/objects/contacts/555", &q, None))
                .contains("idProperty")
        );
        // Property definitions: a masked one does not exist.
        let e = send(Method::Get, "/crm/v3/properties/contacts/phone", &[], None)
            .err()
            .unwrap();
        assert_eq!(e.status, Some(404));
        assert!(send(Method::Delete, "/crm/v3/properties/0-1/phone", &[], None).is_err());
        assert!(refusal(send(
            Method::Post,
            "/crm/v3/properties/contacts",
            &[],
            Some(json!({"name": "phone"}))
        ))
        .contains("defined"));
        assert!(send(Method::Get, "/crm/v3/properties/contacts/groups", &[], None).is_ok());
        assert!(send(Method::Get, "/crm/v3/properties/contacts/email", &[], None).is_ok());
        // A plan naming the property is refused like the write.
        assert!(m
            .check_written("contact", ["email", "phone"].into_iter())
            .is_err());
        assert!(m.check_written("contacts", ["email"].into_iter()).is_ok());
    }

    #[test]
    fn requested_property_lists_lose_masked_names() {
        let m = mask("contacts:phone,lifecyclestage", MaskStyle::Omit);
        let q = [
            ("limit", "10".to_string()),
            ("properties", "email,phone,LifecycleStage".to_string()),
            ("propertiesWithHistory", "phone".to_string()),
        ];
        let (sent, body) = m
            .request(Method::Get, "/crm/v3/objects/contacts", &q, None)
            .unwrap();
        assert_eq!(
            sent,
            vec![
                ("limit", "10".to_string()),
                ("properties", "email".to_string())
            ]
        );
        assert_eq!(body, None);
        let read = json!({"inputs": [{"id": "1"}], "properties": ["phone", "email"], "propertiesWithHistory": ["lifecyclestage"]});
        let batch_read = |m: &Mask| {
            m.request(
                Method::Post,
                "/crm/v3/objects/contacts/batch/read",
                &[],
                Some(&read),
            )
            .unwrap()
            .1
        };
        assert_eq!(
            batch_read(&m),
            Some(
                json!({"inputs": [{"id": "1"}], "properties": ["email"], "propertiesWithHistory": []})
            )
        );
        // `redact` asks for them, to show them as `[masked]`.
        let m = mask("contacts:phone,lifecyclestage", MaskStyle::Redact);
        let (sent, _) = m
            .request(Method::Get, "/crm/v3/objects/contacts", &q, None)
            .unwrap();
        assert_eq!(sent, q.to_vec());
        assert_eq!(batch_read(&m), None);
    }

    #[test]
    fn answers_lose_masked_properties_or_show_them_masked() {
        let record = json!({"id": "1", "properties": {"email": "a@b.c", "phone": "+1 617", "Lifecyclestage": "lead"},
                            "propertiesWithHistory": {"phone": [{"value": "+1 617", "timestamp": "t"}], "email": []}});
        let omit = mask("contacts:phone,lifecyclestage", MaskStyle::Omit);
        let mut one = record.clone();
        omit.response("/crm/v3/objects/contacts/1", &mut one);
        assert_eq!(
            one,
            json!({"id": "1", "properties": {"email": "a@b.c"}, "propertiesWithHistory": {"email": []}})
        );
        let mut page =
            json!({"total": 2, "results": [record.clone(), record.clone()], "paging": {}});
        omit.response("/crm/v3/objects/0-1/search", &mut page);
        assert!(
            !page.to_string().contains("617") && !page.to_string().contains("lead"),
            "{page}"
        );
        let redact = mask("contacts:phone,lifecyclestage", MaskStyle::Redact);
        let mut one = record.clone();
        redact.response("/crm/v3/objects/contacts/batch/read", &mut one);
        assert_eq!(one["properties"]["phone"], REDACTED);
        assert_eq!(one["properties"]["Lifecyclestage"], REDACTED);
        assert_eq!(
            one["propertiesWithHistory"]["phone"],
            json!([{"value": REDACTED}])
        );
        assert!(!one.to_string().contains("617"));
        // Other types and other APIs are untouched.
        let mut company = record.clone();
        omit.response("/crm/v3/objects/companies/1", &mut company);
        assert_eq!(company, record);
        let mut owners = json!({"results": [{"properties": {"phone": "x"}}]});
        omit.response("/crm/v3/owners", &mut owners);
        assert_eq!(owners["results"][0]["properties"]["phone"], "x");
        // Property catalogs lose the masked definitions.
        let mut props =
            json!({"results": [{"name": "email"}, {"name": "phone"}, {"name": "lifecyclestage"}]});
        omit.response("/crm/v3/properties/contact", &mut props);
        assert_eq!(props, json!({"results": [{"name": "email"}]}));
    }

    #[test]
    fn custom_object_schemas_are_masked_and_teach_both_spellings() {
        let m = mask("p_projects:budget", MaskStyle::Omit);
        assert_eq!(
            m.needs_schema("/crm/v3/objects/2-99/search").as_deref(),
            Some("2-99")
        );
        assert_eq!(m.needs_schema("/crm/v3/objects/p_projects/1"), None);
        assert_eq!(m.needs_schema("/crm/v3/objects/contacts/1"), None);
        let mut schema = json!({"objectTypeId": "2-99", "fullyQualifiedName": "p_projects", "name": "projects",
            "primaryDisplayProperty": "budget", "requiredProperties": ["name", "budget"],
            "searchableProperties": ["budget"], "secondaryDisplayProperties": [],
            "properties": [{"name": "name"}, {"name": "budget"}]});
        m.response("/crm/v3/schemas/2-99", &mut schema);
        assert!(!schema.to_string().contains("budget"), "{schema}");
        assert_eq!(schema["requiredProperties"], json!(["name"]));
        // Learned: 2-99 is p_projects.
        assert_eq!(m.needs_schema("/crm/v3/objects/2-99/search"), None);
        let body = json!({"filterGroups": [{"filters": [{"propertyName": "budget", "operator": "GT", "value": 1}]}]});
        assert!(m
            .request(
                Method::Post,
                "/crm/v3/objects/2-99/search",
                &[],
                Some(&body)
            )
            .is_err());
        let mut rec = json!({"properties": {"budget": "9", "name": "x"}});
        m.response("/crm/v3/objects/2-99/1", &mut rec);
        assert_eq!(rec, json!({"properties": {"name": "x"}}));
    }

    #[test]
    fn no_mask_changes_nothing() {
        let m = Mask::none();
        let body = json!({"query": "x", "properties": ["phone"]});
        let q = [("properties", "phone".to_string())];
        let (sent, replaced) = m
            .request(
                Method::Post,
                "/crm/v3/objects/contacts/search",
                &q,
                Some(&body),
            )
            .unwrap();
        assert_eq!((sent, replaced), (q.to_vec(), None));
        assert_eq!(m.needs_schema("/crm/v3/objects/2-1/1"), None);
    }
}
