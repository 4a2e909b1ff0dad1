//! Every HubSpot path the tools call, built in one place. HubSpot is moving to date-versioned paths
//! (`/crm/objects/2026-03/...`; v1-v3 go unsupported in September 2027, associations v4 in March 2027):
//! switching is a change to the constants here. The sandbox (`crates/hubspot-sandbox`) does not use
//! these: it serves its own table, written from HubSpot's reference, and `tests/it/path_contract.rs`
//! checks every builder here (and every use of one in `src/`, with its method) against that table.

/// Prefix of the CRM objects API.
const OBJECTS: &str = "/crm/v3/objects";
/// Prefix of the associations API (v4).
const ASSOCIATIONS_OBJECTS: &str = "/crm/v4/objects";
/// Prefix of association definitions (labels).
const ASSOCIATIONS: &str = "/crm/v4/associations";
/// Prefix of the properties API.
const PROPERTIES: &str = "/crm/v3/properties";
/// Prefix of the schemas API.
pub const SCHEMAS: &str = "/crm/v3/schemas";
/// Prefix of the owners API.
pub const OWNERS: &str = "/crm/v3/owners";
/// Prefix of the pipelines API.
const PIPELINES: &str = "/crm/v3/pipelines";
/// Account details.
pub const ACCOUNT_DETAILS: &str = "/account-info/v3/details";
/// Daily API usage of private apps.
pub const ACCOUNT_USAGE: &str = "/account-info/v3/api-usage/daily/private-apps";
/// Private-app token introspection.
pub const TOKEN_INFO: &str = "/oauth/v2/private-apps/get/access-token-info";
/// Workflows (automation v4).
pub const FLOWS: &str = "/automation/v4/flows";
/// Lists (segments), date-versioned (CRM/Lists 2026-03): create (`POST`).
pub const LISTS: &str = "/crm/lists/2026-03";
/// Lists: search by name (`POST`).
pub const LISTS_SEARCH: &str = "/crm/lists/2026-03/search";
/// OAuth: code exchange and refresh (date-versioned 2026-03 API; v1 is deprecated, v3 is "legacy").
pub const OAUTH_TOKEN: &str = "/oauth/2026-03/token";
/// OAuth: who a token belongs to (the token travels in the form body, never in the URL).
pub const OAUTH_INTROSPECT: &str = "/oauth/2026-03/token/introspect";

/// Percent-encodes one path segment (object types, ids, property names come from the model), so that
/// it is always exactly one segment that no server reads as anything else: every byte outside RFC 3986's
/// unreserved set (`A-Z a-z 0-9 - . _ ~`) is `%XX` (so `/`, `?`, `#`, `%`, `;`, `\`, spaces, control
/// characters and non-ASCII bytes can never end, split or re-encode the segment: `%2e` becomes `%252e`);
/// a segment made only of dots has its dots encoded too (`..` → `%2E%2E`), and an empty segment, which a
/// server would collapse into its neighbours, becomes `%00`, which names nothing. The tools check ids by
/// kind before any path is built (`tools::common`); this is the last line, total for every input.
fn seg(s: &str) -> String {
    use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
    /// Everything but RFC 3986's unreserved characters.
    const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'.')
        .remove(b'_')
        .remove(b'~');
    if s.is_empty() {
        return "%00".into();
    }
    if s.bytes().all(|b| b == b'.') {
        return "%2E".repeat(s.len());
    }
    utf8_percent_encode(s, SEGMENT).to_string()
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
pub fn batch(object_type: &str, action: &'static str) -> String {
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

/// `/crm/lists/2026-03/{listId}`
pub fn list(id: &str) -> String {
    format!("{LISTS}/{}", seg(id))
}

/// `/crm/lists/2026-03/{listId}/memberships` (read, ordered by record id)
pub fn list_memberships(id: &str) -> String {
    format!("{LISTS}/{}/memberships", seg(id))
}

/// `/crm/lists/2026-03/{listId}/memberships/{action}` (add, remove: MANUAL and SNAPSHOT lists only)
pub fn list_memberships_change(id: &str, action: &'static str) -> String {
    format!("{LISTS}/{}/memberships/{action}", seg(id))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The example that was this item's doctest (the item is crate-private now).
    #[test]
    fn seg_example() {
        assert_eq!(seg("a b/c"), "a%20b%2Fc");
        assert_eq!(seg("2-123_x.y~z"), "2-123_x.y~z");
        assert_eq!(seg(".."), "%2E%2E");
        assert_eq!(seg("%2e%2e"), "%252e%252e");
        assert_eq!(seg(""), "%00");
    }

    /// Percent-decodes once, as a server does.
    fn decode(s: &str) -> Vec<u8> {
        let b = s.as_bytes();
        let mut out = Vec::new();
        let mut i = 0;
        while i < b.len() {
            if b[i] == b'%' {
                let h = std::str::from_utf8(&b[i + 1..i + 3]).unwrap();
                out.push(u8::from_str_radix(h, 16).unwrap());
                i += 3;
            } else {
                out.push(b[i]);
                i += 1;
            }
        }
        out
    }

    const HOSTILE: [&str; 24] = [
        "",
        ".",
        "..",
        "...",
        "%2e",
        "%2E%2e",
        ".%2e",
        "a/b",
        "../../x",
        "..\\..",
        "a?b=c",
        "a#b",
        "a;b",
        "a b",
        "\t",
        "\r\nHost: evil",
        "\u{0}",
        "\u{7f}",
        "é",
        "ü/..",
        "//",
        "%",
        "%zz",
        "~",
    ];

    #[test]
    fn every_segment_is_one_opaque_segment() {
        for s in HOSTILE {
            let e = seg(s);
            assert!(!e.is_empty(), "{s:?}");
            assert!(!e.bytes().all(|b| b == b'.'), "{s:?} -> {e}");
            assert!(
                e.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-._~%".contains(&b)),
                "{s:?} -> {e}"
            );
            // One decoding gives the input back (an empty input gives a NUL that names nothing).
            let want = if s.is_empty() {
                vec![0]
            } else {
                s.as_bytes().to_vec()
            };
            assert_eq!(decode(&e), want, "{s:?} -> {e}");
        }
        assert_eq!(seg("."), "%2E");
        assert_eq!(seg("..."), "%2E%2E%2E");
        assert_eq!(seg("a.b"), "a.b");
        assert_eq!(
            seg("maria.chen@acme.example.com"),
            "maria.chen%40acme.example.com"
        );
        assert_eq!(seg("é"), "%C3%A9");
        assert_eq!(seg("\r\n"), "%0D%0A");
    }

    #[test]
    fn hostile_ids_never_change_the_path() {
        for s in HOSTILE {
            for (path, prefix, segs) in [
                (object("contacts", s), OBJECTS, 2),
                (pipeline(s, s), PIPELINES, 2),
                (property("contacts", s), PROPERTIES, 2),
                (owner(s), OWNERS, 1),
                (flow(s), FLOWS, 1),
                (list(s), LISTS, 1),
                (list_memberships_change(s, "add"), LISTS, 3),
                (
                    association("contacts", s, "companies", s),
                    ASSOCIATIONS_OBJECTS,
                    5,
                ),
                (association_default(s, s, s, s), ASSOCIATIONS_OBJECTS, 6),
                (batch(s, "read"), OBJECTS, 3),
            ] {
                let rest = path.strip_prefix(prefix).unwrap();
                let parts: Vec<&str> = rest.split('/').skip(1).collect();
                assert_eq!(parts.len(), segs, "{s:?}: {path}");
                for p in parts {
                    assert!(!p.is_empty() && p != "." && p != "..", "{s:?}: {path}");
                    assert!(!p.contains(['?', '#', '\\']), "{s:?}: {path}");
                }
            }
        }
        assert_eq!(object("contacts", ".."), "/crm/v3/objects/contacts/%2E%2E");
    }
}
