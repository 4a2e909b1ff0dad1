//! What every HubSpot tool family shares: JSON Schema fragments, argument normalizing (object types,
//! ids), trimming HubSpot records for a model's context, and rendering results as compact text with a
//! truthful truncation notice.

use serde_json::{json, Map, Value};

use super::{ToolError, ToolOutput};

/// The standard object types, with their HubSpot objectTypeIds.
pub const STANDARD_TYPES: [(&str, &str); 13] = [
    ("contacts", "0-1"),
    ("companies", "0-2"),
    ("deals", "0-3"),
    ("tickets", "0-5"),
    ("products", "0-7"),
    ("line_items", "0-8"),
    ("quotes", "0-14"),
    ("leads", "0-136"),
    ("notes", "0-46"),
    ("tasks", "0-27"),
    ("calls", "0-48"),
    ("emails", "0-49"),
    ("meetings", "0-47"),
];

/// Description of an `objectType` argument.
pub const OBJECT_TYPE_HELP: &str = "Object type: contacts, companies, deals, tickets, products, line_items, \
    quotes, leads, notes, tasks, calls, emails, meetings, or a custom object's type id such as 2-1234567 \
    (hubspot_list_schemas lists custom objects).";

/// Schema of an `objectType` argument.
pub fn object_type_schema() -> Value {
    json!({"type": "string", "minLength": 1, "maxLength": 100, "description": OBJECT_TYPE_HELP})
}

/// Schema of a record id argument.
pub fn id_schema(what: &str) -> Value {
    json!({"type": "string", "minLength": 1, "maxLength": 100, "description": what})
}

/// Schema of a `properties` argument (property names to return).
pub fn properties_schema() -> Value {
    json!({"type": "array", "items": {"type": "string", "minLength": 1, "maxLength": 100}, "maxItems": 250,
           "description": "Property names to return (default: HubSpot's default set for the type). \
                           hubspot_list_properties lists the names."})
}

/// Schema of a `limit` argument.
pub fn limit_schema(max: u64, default: u64) -> Value {
    json!({"type": "integer", "minimum": 1, "maximum": max, "default": default,
           "description": format!("Results per page (1-{max}, default {default}).")})
}

/// Schema of an `after` cursor argument.
pub fn after_schema() -> Value {
    json!({"type": "string", "maxLength": 1000,
           "description": "Paging cursor: the nextAfter of the previous page."})
}

/// Output schema of a page of records.
pub fn page_output_schema() -> Value {
    json!({"type": "object", "properties": {
        "results": {"type": "array", "items": {"type": "object"}},
        "total": {"type": "integer"},
        "nextAfter": {"type": ["string", "null"]}
    }, "required": ["results"]})
}

/// Normalizes an object type: names lowercased, singular and common aliases accepted
/// (`contact` → `contacts`, `line_item` → `line_items`), objectTypeIds (`0-1`, `2-123`) and custom
/// names (`p123_projects`) passed through.
///
/// ```
/// use hubspot_mcp::tools::common::object_type;
/// assert_eq!(object_type("Contact").unwrap(), "contacts");
/// assert_eq!(object_type("2-3508482").unwrap(), "2-3508482");
/// assert!(object_type("../x").is_err());
/// ```
pub fn object_type(raw: &str) -> Result<String, ToolError> {
    let t = raw.trim().to_ascii_lowercase();
    if t.is_empty()
        || t.len() > 100
        || !t
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    {
        return Err(ToolError::InvalidArguments(format!(
            "objectType {raw:?} is not valid. {OBJECT_TYPE_HELP}"
        )));
    }
    let known = STANDARD_TYPES
        .iter()
        .find(|(name, id)| t == *name || t == *id || format!("{t}s") == *name);
    Ok(match (known, t.as_str()) {
        (Some((name, _)), _) => (*name).to_string(),
        (None, "company") => "companies".into(),
        (None, "line_item" | "lineitem" | "lineitems") => "line_items".into(),
        _ => t,
    })
}

/// Checks a record id (or unique value) from the model.
pub fn check_id<'s>(what: &str, id: &'s str) -> Result<&'s str, ToolError> {
    let id = id.trim();
    if id.is_empty() || id.len() > 500 {
        return Err(ToolError::InvalidArguments(format!(
            "{what} must be 1-500 characters"
        )));
    }
    Ok(id)
}

/// Checks a count against HubSpot's limit before any call is made.
pub fn check_max(what: &str, n: usize, max: usize) -> Result<(), ToolError> {
    if n > max {
        return Err(ToolError::InvalidArguments(format!(
            "{what}: {n} given, HubSpot accepts at most {max} per call; split the request"
        )));
    }
    Ok(())
}

/// `properties=a,b` query parameter.
pub fn properties_query(props: &[String]) -> Option<(&'static str, String)> {
    (!props.is_empty()).then(|| ("properties", props.join(",")))
}

/// A HubSpot record trimmed for a model: id, non-empty properties, timestamps, associations as id lists.
pub fn trim_record(v: &Value) -> Value {
    let mut m = Map::new();
    if let Some(id) = v.get("id") {
        m.insert("id".into(), id.clone());
    }
    if let Some(Value::Object(props)) = v.get("properties") {
        let kept: Map<String, Value> = props
            .iter()
            .filter(|(_, v)| !v.is_null() && v.as_str() != Some(""))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        m.insert("properties".into(), Value::Object(kept));
    }
    for k in ["createdAt", "updatedAt"] {
        if let Some(x) = v.get(k) {
            m.insert(k.into(), x.clone());
        }
    }
    if v.get("archived") == Some(&Value::Bool(true)) {
        m.insert("archived".into(), true.into());
    }
    if let Some(Value::Object(assoc)) = v.get("associations") {
        let mut a = Map::new();
        for (ty, list) in assoc {
            let ids: Vec<Value> = list
                .get("results")
                .and_then(Value::as_array)
                .map(|r| r.iter().filter_map(|x| x.get("id").cloned()).collect())
                .unwrap_or_default();
            a.insert(ty.clone(), Value::Array(ids));
        }
        m.insert("associations".into(), Value::Object(a));
    }
    Value::Object(m)
}

/// `paging.next.after` of a HubSpot page.
pub fn next_after(v: &Value) -> Option<String> {
    v.pointer("/paging/next/after").and_then(|a| match a {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    })
}

/// Renders a list: a summary line, then one compact JSON line per item, cut before `limit` characters with
/// a notice saying how many items the text leaves out (all of them are in `structuredContent`).
pub fn render_list(summary: &str, items: &[Value], limit: usize) -> String {
    let mut text = summary.to_string();
    for (i, item) in items.iter().enumerate() {
        let line = item.to_string();
        if text.len() + line.len() + 1 > limit {
            text.push_str(&format!(
                "\n[Truncated: {i} of {} items shown to stay within {limit} characters; all of them are in \
                 structuredContent. Ask for fewer properties or a smaller limit to read them as text.]",
                items.len()
            ));
            return text;
        }
        text.push('\n');
        text.push_str(&line);
    }
    text
}

/// Renders one value: a summary line and its compact JSON, cut at `limit` characters with a notice.
pub fn render_one(summary: &str, value: &Value, limit: usize) -> String {
    let body = value.to_string();
    let mut text = format!("{summary}\n{body}");
    if text.len() > limit {
        let mut cut = limit.saturating_sub(200);
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        text.truncate(cut);
        text.push_str(&format!(
            "\n[Truncated at {cut} of {} characters; the whole value is in structuredContent.]",
            summary.len() + 1 + body.len()
        ));
    }
    text
}

/// A page of records as a tool result.
pub fn page_result(
    what: &str,
    results: Vec<Value>,
    total: Option<u64>,
    next: Option<String>,
    limit: usize,
) -> ToolOutput {
    let mut summary = match total {
        Some(t) => format!("{} {what} (of {t} in total).", results.len()),
        None => format!("{} {what}.", results.len()),
    };
    match &next {
        Some(a) => summary.push_str(&format!(" More available: call again with after=\"{a}\".")),
        None => summary.push_str(" No more pages."),
    }
    let text = render_list(&summary, &results, limit);
    let mut data = json!({ "results": results, "nextAfter": next });
    if let Some(t) = total {
        data["total"] = t.into();
    }
    ToolOutput {
        text,
        structured: Some(data),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn object_types_normalize() {
        for (given, want) in [
            ("contacts", "contacts"),
            ("contact", "contacts"),
            ("Companies", "companies"),
            ("company", "companies"),
            ("deal", "deals"),
            ("0-3", "deals"),
            ("line_item", "line_items"),
            ("meeting", "meetings"),
            ("2-123", "2-123"),
            ("p_projects", "p_projects"),
        ] {
            assert_eq!(object_type(given).unwrap(), want, "{given}");
        }
        assert!(
            object_type("").is_err() && object_type("a/b").is_err() && object_type("a b").is_err()
        );
    }

    #[test]
    fn records_are_trimmed_and_lists_truncated_truthfully() {
        let r = json!({"id":"1","properties":{"email":"a@b.c","phone":null,"x":""},"createdAt":"t",
                       "archived":false,"associations":{"companies":{"results":[{"id":"9","type":"x"}]}}});
        assert_eq!(
            trim_record(&r),
            json!({"id":"1","properties":{"email":"a@b.c"},"createdAt":"t","associations":{"companies":["9"]}})
        );
        let items: Vec<Value> = (0..100)
            .map(|i| json!({"id": i, "pad": "x".repeat(50)}))
            .collect();
        let t = render_list("100 things.", &items, 1000);
        assert!(t.len() <= 1300);
        assert!(t.contains("[Truncated:") && t.contains("of 100 items"));
        let out = page_result("contacts", items, Some(300), Some("100".into()), 1000);
        assert!(out.text.starts_with(
            "100 contacts (of 300 in total). More available: call again with after=\"100\"."
        ));
        assert_eq!(out.structured.unwrap()["nextAfter"], "100");
        let long = render_one("x", &json!({"a": "é".repeat(2000)}), 500);
        assert!(long.contains("[Truncated at"));
    }
}
