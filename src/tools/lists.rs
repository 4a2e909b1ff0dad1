//! Lists family (HubSpot's Lists API, 2026-03; HubSpot calls lists "segments" in its UI): search lists
//! by name, read one, create a MANUAL (static) list, add and remove its members, read any list's
//! members. HubSpot's limits are checked before any call; DYNAMIC lists (filter definitions) are not
//! created here, and HubSpot itself refuses manual membership changes on them.

use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::change::{Change, Effect};
#[cfg(test)]
use super::common::{after_schema, limit_schema, object_type_schema};
use super::common::{
    check_max, next_after, object_type, page_result, render_one, CURSOR, LIST_ID, RECORD_ID,
    STANDARD_TYPES,
};
use super::untrusted;
use super::Structured;
#[cfg(test)]
use super::{Annotations, Family, ToolDef};
use super::{Tool, ToolContext, ToolError, ToolOutput, TypedTool};
use crate::config::object_types::is_type_id;
use crate::hubspot::{paths, Kind, Method};

/// The family's tools.
pub(crate) fn tools() -> Vec<Box<dyn Tool>> {
    vec![
        Box::new(SearchLists),
        Box::new(GetList),
        Box::new(ListMemberships),
        Box::new(CreateList),
        Box::new(AddListMembers),
        Box::new(RemoveListMembers),
    ]
}

/// Largest `count` of a list search (the reference: "The max `count` is `500`").
const MAX_SEARCH: u32 = 500;
/// Largest page of memberships. The reference gives only the default (100); HubSpot's Lists guide
/// documents 250 as the maximum `limit` of the memberships read.
const MAX_MEMBERSHIPS: u32 = 250;
/// Most record ids in one add or remove. The reference states no maximum for these two calls; 100,000
/// is the bound it states for its other membership operations (add-from and the size-history read
/// "only support lists that have less than 100,000 memberships"), kept here as HubSpot's documented
/// batch ceiling for list memberships.
const MAX_MEMBER_IDS: usize = 100_000;
/// Longest list name accepted. The reference states no maximum (names must be unique in the account);
/// 255 characters is this server's bound, so a runaway argument never reaches HubSpot.
const MAX_NAME: usize = 255;
/// What a list may hold, by name (HubSpot's lists: contacts, companies, deals, tickets, and custom
/// objects by objectTypeId).
const LIST_TYPES: [&str; 4] = ["contacts", "companies", "deals", "tickets"];
/// HubSpot's processing types.
const PROCESSING_TYPES: [&str; 3] = ["MANUAL", "DYNAMIC", "SNAPSHOT"];

/// The objectTypeId a list of `raw` is created with, or why it cannot be.
fn list_type(raw: &str) -> Result<(String, String), ToolError> {
    let name = object_type(raw)?;
    if let Some((_, id)) = STANDARD_TYPES
        .iter()
        .find(|(n, _)| *n == name && LIST_TYPES.contains(n))
    {
        return Ok((name, (*id).to_string()));
    }
    if is_type_id(&name) && name.starts_with("2-") {
        return Ok((name.clone(), name));
    }
    Err(ToolError::InvalidArguments(format!(
        "objectType {name:?} cannot have lists: use contacts, companies, deals, tickets, or a custom \
         object's objectTypeId (2-…)"
    )))
}

/// The object type a list holds, by name when it is a standard one (`0-1` → `contacts`).
fn type_name(object_type_id: &str) -> String {
    STANDARD_TYPES
        .iter()
        .find(|(_, id)| *id == object_type_id)
        .map_or_else(|| object_type_id.to_string(), |(n, _)| (*n).to_string())
}

/// A list trimmed: id, name (cleaned: it is text someone typed), object type, processing type, size,
/// last update.
fn trim_list(l: &Value) -> Value {
    let mut m = Map::new();
    if let Some(id) = l.get("listId") {
        m.insert("listId".into(), id.clone());
    }
    if let Some(n) = l.get("name").and_then(Value::as_str) {
        m.insert("name".into(), untrusted::clean(n).into());
    }
    if let Some(t) = l.get("objectTypeId").and_then(Value::as_str) {
        m.insert("objectType".into(), type_name(t).into());
    }
    for k in ["processingType", "size", "updatedAt"] {
        if let Some(v) = l.get(k).filter(|v| !v.is_null()) {
            m.insert(k.into(), v.clone());
        }
    }
    // Search results carry the size as an additional property (a string).
    if let Some(n) = l
        .pointer("/additionalProperties/hs_list_size")
        .and_then(Value::as_str)
        .and_then(|s| s.parse::<u64>().ok())
    {
        m.insert("size".into(), n.into());
    }
    Value::Object(m)
}

#[cfg(test)]
fn list_id_schema() -> Value {
    LIST_ID.schema("")
}

// ---------------------------------------------------------------------------------------------------

/// `hubspot_search_lists`.
struct SearchLists;

/// The arguments of [`SearchLists`].
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct SearchArgs {
    query: Option<String>,
    #[serde(default)]
    processing_types: Vec<String>,
    object_type: Option<String>,
    #[serde(default = "twenty")]
    limit: u32,
    #[serde(default)]
    offset: u32,
}

fn twenty() -> u32 {
    20
}

/// The search body, checked.
fn check_search(a: &SearchArgs) -> Result<Value, ToolError> {
    if !(1..=MAX_SEARCH).contains(&a.limit) {
        return Err(ToolError::InvalidArguments(format!(
            "limit must be 1-{MAX_SEARCH}"
        )));
    }
    let query = a.query.as_deref().map(str::trim).unwrap_or("");
    if query.chars().count() > MAX_NAME || query.chars().any(char::is_control) {
        return Err(ToolError::InvalidArguments(format!(
            "query must be at most {MAX_NAME} characters without control characters"
        )));
    }
    for t in &a.processing_types {
        if !PROCESSING_TYPES.contains(&t.as_str()) {
            return Err(ToolError::InvalidArguments(format!(
                "processingTypes: {t:?} must be one of {}",
                PROCESSING_TYPES.join(", ")
            )));
        }
    }
    let mut body = json!({
        "query": query, "processingTypes": a.processing_types, "listIds": [],
        "additionalProperties": [], "offset": a.offset, "count": a.limit,
    });
    if let Some(t) = &a.object_type {
        body["objectTypeId"] = list_type(t)?.1.into();
    }
    Ok(body)
}

impl TypedTool for SearchLists {
    type Args = SearchArgs;

    const NAME: &'static str = "hubspot_search_lists";

    #[cfg(test)]
    fn def(&self) -> ToolDef {
        ToolDef {
            name: Self::NAME,
            description:
                "Finds lists (segments) by name: listId, object type, processing type, size.",
            family: Family::Lists,
            annotations: Annotations::READ,
            input_schema: schema_json!({"type": "object", "properties": {
                "query": {"type": "string", "description": "Part of the name."},
                "processingTypes": {"type": "array", "items": {"type": "string", "enum": PROCESSING_TYPES}},
                "objectType": object_type_schema(),
                "limit": limit_schema(MAX_SEARCH.into()),
                "offset": {"type": "integer"}
            }}),
        }
    }

    fn run(&self, a: SearchArgs, cx: &mut ToolContext<'_>) -> Result<ToolOutput, ToolError> {
        let body = check_search(&a)?;
        let resp = cx.send(
            Method::Post,
            paths::LISTS_SEARCH,
            &[],
            Some(&body),
            Kind::Read,
        )?;
        let results: Vec<Value> = resp["lists"]
            .as_array()
            .into_iter()
            .flatten()
            .map(trim_list)
            .collect();
        let total = resp["total"].as_u64();
        let next = (resp["hasMore"] == true)
            .then(|| resp["offset"].as_u64())
            .flatten();
        let mut summary = match total {
            Some(t) => format!("{} lists (of {t} in total).", results.len()),
            None => format!("{} lists.", results.len()),
        };
        match next {
            Some(o) => summary.push_str(&format!(" More available: call again with offset={o}.")),
            None => summary.push_str(" No more pages."),
        }
        let text = super::common::render_list(&summary, &results, cx.services().text_limit);
        Ok(ToolOutput {
            text,
            structured: Some(Structured::Value(
                json!({"results": results, "total": total, "nextOffset": next}),
            )),
        })
    }
}

// ---------------------------------------------------------------------------------------------------

/// `hubspot_get_list`.
struct GetList;

/// The arguments of [`GetList`].
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct GetArgs {
    list_id: String,
}

impl TypedTool for GetList {
    type Args = GetArgs;

    const NAME: &'static str = "hubspot_get_list";

    #[cfg(test)]
    fn def(&self) -> ToolDef {
        ToolDef {
            name: Self::NAME,
            description: "Reads one list (segment): name, object type, processing type, size.",
            family: Family::Lists,
            annotations: Annotations::READ,
            input_schema: schema_json!({"type": "object", "properties": {
                "listId": list_id_schema()
            }, "required": ["listId"]}),
        }
    }

    fn run(&self, a: GetArgs, cx: &mut ToolContext<'_>) -> Result<ToolOutput, ToolError> {
        let id = LIST_ID.check("listId", &a.list_id)?;
        let resp = cx.get(&paths::list(&id), &[])?;
        let l = trim_list(&resp["list"]);
        Ok(ToolOutput {
            text: render_one(&format!("List {id}."), &l, cx.services().text_limit),
            structured: Some(Structured::Value(l)),
        })
    }
}

// ---------------------------------------------------------------------------------------------------

/// `hubspot_list_memberships`.
struct ListMemberships;

/// The arguments of [`ListMemberships`].
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct MembershipsArgs {
    list_id: String,
    #[serde(default = "hundred")]
    limit: u32,
    after: Option<String>,
}

fn hundred() -> u32 {
    100
}

/// A query string's pairs.
type Query = Vec<(&'static str, String)>;

/// The list id and the query, checked.
fn check_memberships(a: &MembershipsArgs) -> Result<(String, Query), ToolError> {
    let id = LIST_ID.check("listId", &a.list_id)?;
    if !(1..=MAX_MEMBERSHIPS).contains(&a.limit) {
        return Err(ToolError::InvalidArguments(format!(
            "limit must be 1-{MAX_MEMBERSHIPS}"
        )));
    }
    let mut q = vec![("limit", a.limit.to_string())];
    if let Some(x) = &a.after {
        q.push(("after", CURSOR.check("after", x)?));
    }
    Ok((id, q))
}

impl TypedTool for ListMemberships {
    type Args = MembershipsArgs;

    const NAME: &'static str = "hubspot_list_memberships";

    #[cfg(test)]
    fn def(&self) -> ToolDef {
        ToolDef {
            name: Self::NAME,
            description: "A list's member record ids, ascending, with when each joined.",
            family: Family::Lists,
            annotations: Annotations::READ,
            input_schema: schema_json!({"type": "object", "properties": {
                "listId": list_id_schema(),
                "limit": limit_schema(MAX_MEMBERSHIPS.into()),
                "after": after_schema()
            }, "required": ["listId"]}),
        }
    }

    fn run(&self, a: MembershipsArgs, cx: &mut ToolContext<'_>) -> Result<ToolOutput, ToolError> {
        let (id, q) = check_memberships(&a)?;
        let page = cx.get(&paths::list_memberships(&id), &q)?;
        let results: Vec<Value> = page["results"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|m| json!({"recordId": m["recordId"], "membershipTimestamp": m["membershipTimestamp"]}))
            .collect();
        Ok(page_result(
            &format!("members of list {id}"),
            results,
            page["total"].as_u64(),
            next_after(&page),
            cx.services().text_limit,
        ))
    }
}

// ---------------------------------------------------------------------------------------------------

/// `hubspot_create_list`.
struct CreateList;

/// The arguments of [`CreateList`].
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct CreateArgs {
    name: String,
    object_type: String,
}

/// The name, the object type's name and its objectTypeId, checked.
fn check_create(a: &CreateArgs) -> Result<(String, String, String), ToolError> {
    let name = a.name.trim();
    if name.is_empty() || name.chars().count() > MAX_NAME || name.chars().any(char::is_control) {
        return Err(ToolError::InvalidArguments(format!(
            "name must be 1-{MAX_NAME} characters without control characters"
        )));
    }
    let (ty, type_id) = list_type(&a.object_type)?;
    Ok((name.to_string(), ty, type_id))
}

impl TypedTool for CreateList {
    type Args = CreateArgs;

    const NAME: &'static str = "hubspot_create_list";

    #[cfg(test)]
    fn def(&self) -> ToolDef {
        ToolDef {
            name: Self::NAME,
            description: "Creates an empty MANUAL list of contacts, companies, deals, tickets or a custom type; \
                then hubspot_add_list_members.",
            family: Family::Lists,
            annotations: Annotations { read_only: false, destructive: false, idempotent: false, open_world: true },
            input_schema: schema_json!({"type": "object", "properties": {
                "name": {"type": "string"},
                "objectType": object_type_schema()
            }, "required": ["name", "objectType"]}),
        }
    }

    fn run(&self, a: CreateArgs, cx: &mut ToolContext<'_>) -> Result<ToolOutput, ToolError> {
        let (name, _, type_id) = check_create(&a)?;
        let body = json!({"name": name, "objectTypeId": type_id, "processingType": "MANUAL"});
        let resp = cx.send(Method::Post, paths::LISTS, &[], Some(&body), Kind::Write)?;
        let l = trim_list(&resp["list"]);
        Ok(ToolOutput {
            text: render_one(
                &format!("Created MANUAL list {}.", l["listId"]),
                &l,
                cx.services().text_limit,
            ),
            structured: Some(Structured::Value(l)),
        })
    }

    fn plan(&self, a: CreateArgs, _cx: &mut ToolContext<'_>) -> Result<Option<Change>, ToolError> {
        let (name, ty, _) = check_create(&a)?;
        let mut change = Change::new(Effect::Create, "lists", 1);
        change.detail = Some(format!(
            "A new MANUAL (static) list of {ty} named {name:?}."
        ));
        Ok(Some(change))
    }
}

// ---------------------------------------------------------------------------------------------------

/// The arguments of [`AddListMembers`] and [`RemoveListMembers`].
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct MembersArgs {
    list_id: String,
    record_ids: Vec<String>,
}

/// The list id and the record ids (canonical, each once), checked against HubSpot's limit.
fn check_members(a: &MembersArgs) -> Result<(String, Vec<String>), ToolError> {
    let id = LIST_ID.check("listId", &a.list_id)?;
    if a.record_ids.is_empty() {
        return Err(ToolError::InvalidArguments(
            "recordIds must name at least one record".into(),
        ));
    }
    check_max("recordIds", a.record_ids.len(), MAX_MEMBER_IDS)?;
    let mut ids: Vec<String> = Vec::with_capacity(a.record_ids.len());
    for (i, r) in a.record_ids.iter().enumerate() {
        let r = RECORD_ID.check(&format!("recordIds[{i}]"), r)?;
        if !ids.contains(&r) {
            ids.push(r);
        }
    }
    Ok((id, ids))
}

#[cfg(test)]
fn members_schema() -> Value {
    json!({"type": "object", "properties": {
        "listId": list_id_schema(),
        "recordIds": {"type": "array", "minItems": 1, "maxItems": MAX_MEMBER_IDS, "items": RECORD_ID.schema("")}
    }, "required": ["listId", "recordIds"]})
}

/// Adds (`add`) or removes record ids; the answer says which changed and which were missing.
fn change_members(
    cx: &mut ToolContext<'_>,
    a: &MembersArgs,
    action: &'static str,
) -> Result<ToolOutput, ToolError> {
    let (id, ids) = check_members(a)?;
    let body = Value::from(ids);
    let resp = cx.send(
        Method::Put,
        &paths::list_memberships_change(&id, action),
        &[],
        Some(&body),
        Kind::Write,
    )?;
    let strings = |k: &str| resp.get(k).cloned().unwrap_or_else(|| json!([]));
    // The reference spells the added ids `recordsIdsAdded`.
    let data = json!({
        "listId": id,
        "added": strings("recordsIdsAdded"),
        "removed": strings("recordIdsRemoved"),
        "missing": strings("recordIdsMissing"),
    });
    let n = |k: &str| data[k].as_array().map_or(0, Vec::len);
    let text = format!(
        "List {id}: {} added, {} removed, {} not found (or not members).\n{data}",
        n("added"),
        n("removed"),
        n("missing")
    );
    Ok(ToolOutput {
        text,
        structured: Some(Structured::Value(data)),
    })
}

/// What a membership change will do: the list read once (its object type, name and processing type),
/// never written.
fn plan_members(
    cx: &mut ToolContext<'_>,
    a: &MembersArgs,
    verb: &str,
) -> Result<Option<Change>, ToolError> {
    let (id, ids) = check_members(a)?;
    let list = cx.get(&paths::list(&id), &[])?;
    let l = trim_list(&list["list"]);
    let ty = l["objectType"].as_str().unwrap_or("records");
    let mut change = Change::new(Effect::Update, ty, ids.len());
    change.detail = Some(format!(
        "{verb} list {id} ({:?}, {}); the records themselves are unchanged.",
        l["name"].as_str().unwrap_or(""),
        l["processingType"].as_str().unwrap_or("unknown type"),
    ));
    change.ids = ids;
    Ok(Some(change))
}

/// `hubspot_add_list_members`.
struct AddListMembers;

impl TypedTool for AddListMembers {
    type Args = MembersArgs;

    const NAME: &'static str = "hubspot_add_list_members";

    #[cfg(test)]
    fn def(&self) -> ToolDef {
        ToolDef {
            name: Self::NAME,
            description:
                "Adds records to a MANUAL or SNAPSHOT list; members and unknown ids are skipped.",
            family: Family::Lists,
            annotations: Annotations {
                read_only: false,
                destructive: false,
                idempotent: true,
                open_world: true,
            },
            input_schema: members_schema().into(),
        }
    }

    fn run(&self, a: MembersArgs, cx: &mut ToolContext<'_>) -> Result<ToolOutput, ToolError> {
        change_members(cx, &a, "add")
    }

    fn plan(&self, a: MembersArgs, cx: &mut ToolContext<'_>) -> Result<Option<Change>, ToolError> {
        plan_members(cx, &a, "Add these records to")
    }
}

/// `hubspot_remove_list_members`.
struct RemoveListMembers;

impl TypedTool for RemoveListMembers {
    type Args = MembersArgs;

    const NAME: &'static str = "hubspot_remove_list_members";

    #[cfg(test)]
    fn def(&self) -> ToolDef {
        ToolDef {
            name: Self::NAME,
            description: "Removes records from a MANUAL or SNAPSHOT list; the records stay.",
            family: Family::Lists,
            annotations: Annotations {
                read_only: false,
                destructive: true,
                idempotent: true,
                open_world: true,
            },
            input_schema: members_schema().into(),
        }
    }

    fn run(&self, a: MembersArgs, cx: &mut ToolContext<'_>) -> Result<ToolOutput, ToolError> {
        change_members(cx, &a, "remove")
    }

    fn plan(&self, a: MembersArgs, cx: &mut ToolContext<'_>) -> Result<Option<Change>, ToolError> {
        plan_members(cx, &a, "Remove these records from")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tools::parse_args;

    #[test]
    fn lists_are_trimmed() {
        let l = json!({"listId": "11", "listVersion": 3, "name": "VIP\u{202e} guests", "objectTypeId": "0-1",
                       "processingStatus": "COMPLETE", "processingType": "MANUAL", "size": 5,
                       "createdAt": "2024-03-04T09:30:00.000Z", "updatedAt": "2024-03-05T09:30:00.000Z"});
        assert_eq!(
            trim_list(&l),
            json!({"listId": "11", "name": "VIP guests", "objectType": "contacts",
                   "processingType": "MANUAL", "size": 5, "updatedAt": "2024-03-05T09:30:00.000Z"})
        );
        let s = json!({"listId": "13", "name": "Shows", "objectTypeId": "2-3508482", "processingType": "SNAPSHOT",
                       "additionalProperties": {"hs_list_size": "2"}});
        assert_eq!(trim_list(&s)["size"], 2);
        assert_eq!(trim_list(&s)["objectType"], "2-3508482");
    }

    #[test]
    fn create_args_are_checked() {
        let create = |v: Value| check_create(&parse_args::<CreateArgs>(v)?);
        assert_eq!(
            create(json!({"name": " VIPs ", "objectType": "contact"})).unwrap(),
            ("VIPs".into(), "contacts".into(), "0-1".into())
        );
        assert_eq!(
            create(json!({"name": "x", "objectType": "0-3"})).unwrap().2,
            "0-3"
        );
        assert_eq!(
            create(json!({"name": "x", "objectType": "2-3508482"}))
                .unwrap()
                .2,
            "2-3508482"
        );
        for bad in ["notes", "products", "p_projects", "../x"] {
            assert!(
                create(json!({"name": "x", "objectType": bad})).is_err(),
                "{bad}"
            );
        }
        assert!(create(json!({"name": " ", "objectType": "contacts"})).is_err());
        assert!(create(json!({"name": "a\nb", "objectType": "contacts"})).is_err());
        assert!(create(json!({"name": "x".repeat(256), "objectType": "contacts"})).is_err());
        assert!(create(json!({"name": "x".repeat(255), "objectType": "contacts"})).is_ok());
        assert!(create(
            json!({"name": "x", "objectType": "contacts", "processingType": "DYNAMIC"})
        )
        .is_err());
    }

    #[test]
    fn member_args_are_checked_before_any_call() {
        let members = |v: Value| check_members(&parse_args::<MembersArgs>(v)?);
        assert_eq!(
            members(json!({"listId": "011", "recordIds": ["101", " 102", "101"]})).unwrap(),
            ("11".into(), vec!["101".to_string(), "102".to_string()])
        );
        assert!(members(json!({"listId": "11", "recordIds": []})).is_err());
        for bad in ["..", "a/b", "ana@example.com", "", "99999999999999999999"] {
            let e = members(json!({"listId": "11", "recordIds": ["101", bad]}))
                .unwrap_err()
                .to_string();
            assert!(e.contains("recordIds[1]"), "{bad:?}: {e}");
            assert!(members(json!({"listId": bad, "recordIds": ["101"]})).is_err());
        }
        let many: Vec<String> = (1..=MAX_MEMBER_IDS as u64 + 1)
            .map(|n| n.to_string())
            .collect();
        let e = members(json!({"listId": "11", "recordIds": many}))
            .unwrap_err()
            .to_string();
        assert!(e.contains("at most 100000"), "{e}");
    }

    #[test]
    fn search_and_membership_args_are_checked() {
        let search = |v: Value| check_search(&parse_args::<SearchArgs>(v)?);
        let b = search(
            json!({"query": " news ", "processingTypes": ["MANUAL"], "objectType": "companies"}),
        )
        .unwrap();
        assert_eq!(
            b,
            json!({"query": "news", "processingTypes": ["MANUAL"], "listIds": [], "additionalProperties": [],
                   "offset": 0, "count": 20, "objectTypeId": "0-2"})
        );
        assert!(search(json!({"limit": 501})).is_err());
        assert!(search(json!({"limit": 0})).is_err());
        assert!(search(json!({"processingTypes": ["STATIC"]})).is_err());
        assert!(search(json!({"objectType": "notes"})).is_err());
        let mem = |v: Value| {
            check_memberships(&parse_args::<MembershipsArgs>(v)?).map(|(i, q)| {
                (
                    i,
                    q.into_iter()
                        .map(|(k, v)| format!("{k}={v}"))
                        .collect::<Vec<_>>(),
                )
            })
        };
        assert_eq!(
            mem(json!({"listId": "12", "after": "110"})).unwrap(),
            (
                "12".into(),
                vec!["limit=100".to_string(), "after=110".to_string()]
            )
        );
        assert!(mem(json!({"listId": "12", "limit": 251})).is_err());
        assert!(mem(json!({"listId": "12", "after": "a b"})).is_err());
        assert!(mem(json!({"listId": "x"})).is_err());
    }
}
