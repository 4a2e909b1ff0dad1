//! Every HubSpot path the tools call, built in one place. HubSpot is moving to date-versioned paths
//! (`/crm/objects/2026-03/...`; v1-v3 go unsupported in September 2027, associations v4 in March 2027):
//! switching is a change to the constants here (and the sandbox follows the same constants).

/// Prefix of the CRM objects API.
pub const OBJECTS: &str = "/crm/v3/objects";
/// Prefix of the associations API (v4).
pub const ASSOCIATIONS_OBJECTS: &str = "/crm/v4/objects";
/// Prefix of association definitions (labels).
pub const ASSOCIATIONS: &str = "/crm/v4/associations";
/// Prefix of the properties API.
pub const PROPERTIES: &str = "/crm/v3/properties";
/// Prefix of the schemas API.
pub const SCHEMAS: &str = "/crm/v3/schemas";
/// Prefix of the owners API.
pub const OWNERS: &str = "/crm/v3/owners";
/// Prefix of the pipelines API.
pub const PIPELINES: &str = "/crm/v3/pipelines";
/// Account details.
pub const ACCOUNT_DETAILS: &str = "/account-info/v3/details";
/// Daily API usage of private apps.
pub const ACCOUNT_USAGE: &str = "/account-info/v3/api-usage/daily/private-apps";
/// Private-app token introspection.
pub const TOKEN_INFO: &str = "/oauth/v2/private-apps/get/access-token-info";
/// Workflows (automation v4).
pub const FLOWS: &str = "/automation/v4/flows";

/// Percent-encodes one path segment (object types, ids, property names come from the model).
///
/// ```
/// assert_eq!(hubspot_mcp::hubspot::paths::seg("a b/c"), "a%20b%2Fc");
/// assert_eq!(hubspot_mcp::hubspot::paths::seg("2-123_x.y~z"), "2-123_x.y~z");
/// ```
pub fn seg(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `/crm/v3/objects/{type}`
pub fn objects(object_type: &str) -> String {
    format!("{OBJECTS}/{}", seg(object_type))
}

/// `/crm/v3/objects/{type}/{id}`
pub fn object(object_type: &str, id: &str) -> String {
    format!("{OBJECTS}/{}/{}", seg(object_type), seg(id))
}

/// `/crm/v3/objects/{type}/search`
pub fn search(object_type: &str) -> String {
    format!("{OBJECTS}/{}/search", seg(object_type))
}

/// `/crm/v3/objects/{type}/batch/{action}` (read, create, update, upsert, archive)
pub fn batch(object_type: &str, action: &str) -> String {
    format!("{OBJECTS}/{}/batch/{action}", seg(object_type))
}

/// `/crm/v4/objects/{from}/{id}/associations/{to}`
pub fn associations_of(from: &str, id: &str, to: &str) -> String {
    format!(
        "{ASSOCIATIONS_OBJECTS}/{}/{}/associations/{}",
        seg(from),
        seg(id),
        seg(to)
    )
}

/// `/crm/v4/objects/{from}/{id}/associations/{to}/{to_id}` (labelled create, delete)
pub fn association(from: &str, id: &str, to: &str, to_id: &str) -> String {
    format!("{}/{}", associations_of(from, id, to), seg(to_id))
}

/// `/crm/v4/objects/{from}/{id}/associations/default/{to}/{to_id}`
pub fn association_default(from: &str, id: &str, to: &str, to_id: &str) -> String {
    format!(
        "{ASSOCIATIONS_OBJECTS}/{}/{}/associations/default/{}/{}",
        seg(from),
        seg(id),
        seg(to),
        seg(to_id)
    )
}

/// `/crm/v4/associations/{from}/{to}/labels`
pub fn association_labels(from: &str, to: &str) -> String {
    format!("{ASSOCIATIONS}/{}/{}/labels", seg(from), seg(to))
}

/// `/crm/v4/associations/{from}/{to}/batch/create`
pub fn association_batch_create(from: &str, to: &str) -> String {
    format!("{ASSOCIATIONS}/{}/{}/batch/create", seg(from), seg(to))
}

/// `/crm/v3/properties/{type}`
pub fn properties(object_type: &str) -> String {
    format!("{PROPERTIES}/{}", seg(object_type))
}

/// `/crm/v3/properties/{type}/{name}`
pub fn property(object_type: &str, name: &str) -> String {
    format!("{PROPERTIES}/{}/{}", seg(object_type), seg(name))
}

/// `/crm/v3/properties/{type}/groups`
pub fn property_groups(object_type: &str) -> String {
    format!("{PROPERTIES}/{}/groups", seg(object_type))
}

/// `/crm/v3/schemas/{type}`
pub fn schema(object_type: &str) -> String {
    format!("{SCHEMAS}/{}", seg(object_type))
}

/// `/crm/v3/owners/{id}`
pub fn owner(id: &str) -> String {
    format!("{OWNERS}/{}", seg(id))
}

/// `/crm/v3/pipelines/{type}`
pub fn pipelines(object_type: &str) -> String {
    format!("{PIPELINES}/{}", seg(object_type))
}

/// `/crm/v3/pipelines/{type}/{id}`
pub fn pipeline(object_type: &str, id: &str) -> String {
    format!("{PIPELINES}/{}/{}", seg(object_type), seg(id))
}

/// `/automation/v4/flows/{id}`
pub fn flow(id: &str) -> String {
    format!("{FLOWS}/{}", seg(id))
}
