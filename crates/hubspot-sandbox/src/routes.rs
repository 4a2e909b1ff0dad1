//! The route table: every API operation the sandbox serves, written from HubSpot's published reference
//! (the OpenAPI files of HubSpot/HubSpot-public-api-spec-collection, named per group below; read, not
//! copied), never from the client's path builders. Each row is the method, the path template (HubSpot's
//! path with shorter parameter names, which are also the statistics keys), the operation, and whether
//! the reference defines a request body. Paths are matched segment by segment (parameters
//! percent-decoded); the module also says which OAuth scopes each operation needs.

use std::sync::OnceLock;

use crate::oauth::Endpoint;
use crate::types::Obj;

/// An API operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Op {
    ObjList,
    ObjCreate,
    ObjGet,
    ObjUpdate,
    ObjArchive,
    ObjSearch,
    BatchRead,
    BatchCreate,
    BatchUpdate,
    BatchUpsert,
    BatchArchive,
    AssocList,
    AssocPutDefault,
    AssocPut,
    AssocDelete,
    AssocLabels,
    AssocBatchCreate,
    AssocBatchDefault,
    AssocBatchRead,
    AssocBatchArchive,
    PropList,
    PropCreate,
    PropGet,
    PropUpdate,
    PropDelete,
    GroupList,
    GroupCreate,
    GroupGet,
    Schemas,
    Schema,
    Owners,
    Owner,
    Pipelines,
    Pipeline,
    Stages,
    AccountDetails,
    ApiUsage,
    TokenInfo,
    Flows,
    Flow,
    ListCreate,
    ListSearch,
    ListGet,
    ListMembers,
    ListAdd,
    ListRemove,
    /// An OAuth endpoint: served by `oauth`, outside the API pipeline (no bearer token, faults or rate
    /// limits).
    OAuth(Endpoint),
}

/// Whether HubSpot's reference defines a request body for an operation (`requestBody`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Body {
    /// No `requestBody`: a request that carries one is refused (400, see `dispatch`).
    None,
    /// An `application/json` body.
    Json,
    /// An `application/x-www-form-urlencoded` body (the OAuth endpoints).
    Form,
}

use Body::{Form, Json, None as NoBody};

/// (method, path template, operation, request body), in match order: a literal segment
/// (`/search`, `/batch/read`, `/groups`, `/associations/default`) comes before the parameter it would
/// otherwise fill.
#[rustfmt::skip]
const TABLE: &[(&str, &str, Op, Body)] = &[
    // CRM objects v3: CRM/Objects/Rollouts/424/v3/objects.json ({objectType} → {type}, {objectId} → {id}).
    ("POST", "/crm/v3/objects/{type}/search", Op::ObjSearch, Json),
    ("POST", "/crm/v3/objects/{type}/batch/read", Op::BatchRead, Json),
    ("POST", "/crm/v3/objects/{type}/batch/create", Op::BatchCreate, Json),
    ("POST", "/crm/v3/objects/{type}/batch/update", Op::BatchUpdate, Json),
    ("POST", "/crm/v3/objects/{type}/batch/upsert", Op::BatchUpsert, Json),
    ("POST", "/crm/v3/objects/{type}/batch/archive", Op::BatchArchive, Json),
    ("GET", "/crm/v3/objects/{type}", Op::ObjList, NoBody),
    ("POST", "/crm/v3/objects/{type}", Op::ObjCreate, Json),
    ("GET", "/crm/v3/objects/{type}/{id}", Op::ObjGet, NoBody),
    ("PATCH", "/crm/v3/objects/{type}/{id}", Op::ObjUpdate, Json),
    ("DELETE", "/crm/v3/objects/{type}/{id}", Op::ObjArchive, NoBody),
    // Associations v4: CRM/Associations/Rollouts/130902/v4/associations.json ({fromObjectType} /
    // {objectType} → {from}, {fromObjectId} / {objectId} → {id}, {toObjectType} → {to}, {toObjectId} → {toId}).
    ("GET", "/crm/v4/objects/{from}/{id}/associations/{to}", Op::AssocList, NoBody),
    ("PUT", "/crm/v4/objects/{from}/{id}/associations/default/{to}/{toId}", Op::AssocPutDefault, NoBody),
    ("PUT", "/crm/v4/objects/{from}/{id}/associations/{to}/{toId}", Op::AssocPut, Json),
    ("DELETE", "/crm/v4/objects/{from}/{id}/associations/{to}/{toId}", Op::AssocDelete, NoBody),
    ("POST", "/crm/v4/associations/{from}/{to}/batch/create", Op::AssocBatchCreate, Json),
    ("POST", "/crm/v4/associations/{from}/{to}/batch/associate/default", Op::AssocBatchDefault, Json),
    ("POST", "/crm/v4/associations/{from}/{to}/batch/read", Op::AssocBatchRead, Json),
    ("POST", "/crm/v4/associations/{from}/{to}/batch/archive", Op::AssocBatchArchive, Json),
    // Association labels v4: CRM/Associations Schema/Rollouts/50914/v4/associationsSchema.json (the later
    // rollout 130902 also publishes them under /crm/associations/v4/...; not served).
    ("GET", "/crm/v4/associations/{from}/{to}/labels", Op::AssocLabels, NoBody),
    // Properties v3: CRM/Properties/Rollouts/145899/v3/properties.json.
    ("GET", "/crm/v3/properties/{type}/groups", Op::GroupList, NoBody),
    ("POST", "/crm/v3/properties/{type}/groups", Op::GroupCreate, Json),
    ("GET", "/crm/v3/properties/{type}/groups/{groupName}", Op::GroupGet, NoBody),
    ("GET", "/crm/v3/properties/{type}", Op::PropList, NoBody),
    ("POST", "/crm/v3/properties/{type}", Op::PropCreate, Json),
    ("GET", "/crm/v3/properties/{type}/{propertyName}", Op::PropGet, NoBody),
    ("PATCH", "/crm/v3/properties/{type}/{propertyName}", Op::PropUpdate, Json),
    ("DELETE", "/crm/v3/properties/{type}/{propertyName}", Op::PropDelete, NoBody),
    // Schemas v3: CRM/Schemas/Rollouts/145900/v3/schemas.json publishes /crm-object-schemas/v3/schemas;
    // HubSpot's custom objects guide documents the same operations under /crm/v3/schemas. Both are served.
    ("GET", "/crm-object-schemas/v3/schemas", Op::Schemas, NoBody),
    ("GET", "/crm-object-schemas/v3/schemas/{objectType}", Op::Schema, NoBody),
    ("GET", "/crm/v3/schemas", Op::Schemas, NoBody),
    ("GET", "/crm/v3/schemas/{objectType}", Op::Schema, NoBody),
    // Owners v3: CRM/Crm Owners/Rollouts/146888/v3/crmOwners.json.
    ("GET", "/crm/v3/owners", Op::Owners, NoBody),
    ("GET", "/crm/v3/owners/{ownerId}", Op::Owner, NoBody),
    // Pipelines v3: CRM/Pipelines/Rollouts/145896/v3/pipelines.json ({objectType} → {type}).
    ("GET", "/crm/v3/pipelines/{type}", Op::Pipelines, NoBody),
    ("GET", "/crm/v3/pipelines/{type}/{pipelineId}", Op::Pipeline, NoBody),
    ("GET", "/crm/v3/pipelines/{type}/{pipelineId}/stages", Op::Stages, NoBody),
    // Account info v3: Account/Account Info/Rollouts/144923/v3/accountInfo.json.
    ("GET", "/account-info/v3/details", Op::AccountDetails, NoBody),
    ("GET", "/account-info/v3/api-usage/daily/private-apps", Op::ApiUsage, NoBody),
    // Private-app token introspection: not in the OpenAPI collection; HubSpot's private apps guide
    // documents it (POST, JSON body `{tokenKey}`).
    ("POST", "/oauth/v2/private-apps/get/access-token-info", Op::TokenInfo, Json),
    // HubSpot OAuth: Auth/Oauth/Rollouts/279897/2026-03/oauth.json (the current version; the v3 file of
    // the same rollout has the same operations under /oauth/v3/, and Auth/Oauth/Rollouts/155908/v1/oauth.json
    // the v1 token call), form bodies. The authorize page is app.hubspot.com's (the OAuth guides), served
    // here at the same path.
    ("GET", "/oauth/authorize", Op::OAuth(Endpoint::AuthorizePage), NoBody),
    ("POST", "/oauth/authorize", Op::OAuth(Endpoint::Authorize), Form),
    ("POST", "/oauth/2026-03/token", Op::OAuth(Endpoint::Token), Form),
    ("POST", "/oauth/2026-03/token/introspect", Op::OAuth(Endpoint::Introspect), Form),
    ("POST", "/oauth/2026-03/token/revoke", Op::OAuth(Endpoint::Revoke), Form),
    ("POST", "/oauth/v3/token", Op::OAuth(Endpoint::Token), Form),
    ("POST", "/oauth/v3/token/introspect", Op::OAuth(Endpoint::Introspect), Form),
    ("POST", "/oauth/v3/token/revoke", Op::OAuth(Endpoint::Revoke), Form),
    ("POST", "/oauth/v1/token", Op::OAuth(Endpoint::Token), Form),
    // Workflows (automation v4): Automation/Automation V4/Rollouts/144908/v4/automationV4.json.
    ("GET", "/automation/v4/flows", Op::Flows, NoBody),
    ("GET", "/automation/v4/flows/{flowId}", Op::Flow, NoBody),
    // Lists (segments), date-versioned: CRM/Lists/Rollouts/144891/2026-03/lists.json (the memberships
    // bodies are JSON arrays of record ids).
    ("POST", "/crm/lists/2026-03/search", Op::ListSearch, Json),
    ("POST", "/crm/lists/2026-03", Op::ListCreate, Json),
    ("GET", "/crm/lists/2026-03/{listId}", Op::ListGet, NoBody),
    ("GET", "/crm/lists/2026-03/{listId}/memberships", Op::ListMembers, NoBody),
    ("PUT", "/crm/lists/2026-03/{listId}/memberships/add", Op::ListAdd, Json),
    ("PUT", "/crm/lists/2026-03/{listId}/memberships/remove", Op::ListRemove, Json),
];

struct Entry {
    method: &'static str,
    segs: Vec<Option<&'static str>>,
    op: Op,
    template: &'static str,
    body: Body,
}

/// The route table.
pub(crate) struct Routes {
    entries: Vec<Entry>,
}

/// The result of matching a request.
pub(crate) enum Resolved {
    Found {
        op: Op,
        template: &'static str,
        params: Vec<String>,
        body: Body,
    },
    MethodNotAllowed,
    NotFound,
}

/// Percent-decodes (and with `plus`, turns `+` into a space, as forms do), lossily as UTF-8.
pub(crate) fn pct_decode(s: &str, plus: bool) -> String {
    let s = if plus {
        std::borrow::Cow::Owned(s.replace('+', " "))
    } else {
        std::borrow::Cow::Borrowed(s)
    };
    percent_encoding::percent_decode_str(&s)
        .decode_utf8_lossy()
        .into_owned()
}

/// The table, built once.
pub(crate) fn table() -> &'static Routes {
    static TABLE_ONCE: OnceLock<Routes> = OnceLock::new();
    TABLE_ONCE.get_or_init(Routes::new)
}

impl Routes {
    /// The table.
    pub(crate) fn new() -> Routes {
        let entries = TABLE
            .iter()
            .map(|&(method, template, op, body)| Entry {
                method,
                segs: template
                    .split('/')
                    .filter(|s| !s.is_empty())
                    .map(|s| (!s.starts_with('{')).then_some(s))
                    .collect(),
                op,
                template,
                body,
            })
            .collect();
        Routes { entries }
    }

    /// Matches a method and a (percent-encoded) path. A path with a dot segment (`.` or `..`, also
    /// percent-encoded as `%2e`) names no resource: HubSpot's edge would resolve it to another path, never
    /// to the record it seems to name, so it is refused as an unknown path rather than served.
    pub(crate) fn resolve(&self, method: &str, path: &str) -> Resolved {
        let method = if method == "HEAD" { "GET" } else { method };
        let segs: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        if segs
            .iter()
            .any(|s| matches!(pct_decode(s, false).as_str(), "." | ".."))
        {
            return Resolved::NotFound;
        }
        let mut wrong_method = false;
        for e in &self.entries {
            if e.segs.len() != segs.len()
                || !e
                    .segs
                    .iter()
                    .zip(&segs)
                    .all(|(pat, s)| pat.is_none_or(|lit| lit == *s))
            {
                continue;
            }
            if e.method != method {
                wrong_method = true;
                continue;
            }
            let params = e
                .segs
                .iter()
                .zip(&segs)
                .filter(|(pat, _)| pat.is_none())
                .map(|(_, s)| pct_decode(s, false))
                .collect();
            return Resolved::Found {
                op: e.op,
                template: e.template,
                params,
                body: e.body,
            };
        }
        if wrong_method {
            Resolved::MethodNotAllowed
        } else {
            Resolved::NotFound
        }
    }
}

/// The scopes of which a token needs one for `op` (none when the object type is unknown: the handler
/// answers 400 for it).
pub(crate) fn required_scopes(op: Op, params: &[String]) -> &'static [&'static str] {
    let obj = params.first().and_then(|s| Obj::parse(s));
    let pick = |f: fn(Obj) -> &'static [&'static str]| obj.map_or(&[][..], f);
    match op {
        Op::ObjList | Op::ObjGet | Op::ObjSearch | Op::BatchRead => pick(Obj::read_scopes),
        Op::AssocList | Op::AssocLabels | Op::AssocBatchRead => pick(Obj::read_scopes),
        Op::Pipelines | Op::Pipeline | Op::Stages => pick(Obj::read_scopes),
        Op::ObjCreate
        | Op::ObjUpdate
        | Op::ObjArchive
        | Op::BatchCreate
        | Op::BatchUpdate
        | Op::BatchUpsert
        | Op::BatchArchive
        | Op::AssocPutDefault
        | Op::AssocPut
        | Op::AssocDelete
        | Op::AssocBatchCreate
        | Op::AssocBatchDefault
        | Op::AssocBatchArchive => pick(Obj::write_scopes),
        Op::PropList | Op::PropGet | Op::GroupList | Op::GroupGet => pick(Obj::schema_read_scopes),
        Op::PropCreate | Op::PropUpdate | Op::PropDelete | Op::GroupCreate => {
            pick(Obj::schema_write_scopes)
        }
        Op::Schemas | Op::Schema => &["crm.schemas.custom.read"],
        Op::Owners | Op::Owner => &["crm.objects.owners.read"],
        Op::Flows | Op::Flow => &["automation"],
        Op::ListSearch | Op::ListGet | Op::ListMembers => &["crm.lists.read"],
        Op::ListCreate | Op::ListAdd | Op::ListRemove => &["crm.lists.write"],
        Op::AccountDetails | Op::ApiUsage | Op::TokenInfo | Op::OAuth(_) => &[],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(r: Resolved) -> (Op, String, Vec<String>) {
        match r {
            Resolved::Found {
                op,
                template,
                params,
                ..
            } => (op, template.to_string(), params),
            _ => panic!("not found"),
        }
    }

    #[test]
    fn bodies_follow_the_reference() {
        let body = |m: &str, p: &str| match table().resolve(m, p) {
            Resolved::Found { body, .. } => body,
            _ => panic!("{m} {p} not found"),
        };
        assert_eq!(
            body(
                "PUT",
                "/crm/v4/objects/contacts/1/associations/default/companies/2"
            ),
            Body::None
        );
        assert_eq!(
            body("PUT", "/crm/v4/objects/contacts/1/associations/companies/2"),
            Body::Json
        );
        // The reference defines no body for any GET or DELETE, and one for every POST, PATCH and PUT
        // here except the default association; the OAuth endpoints take forms.
        for &(method, template, op, b) in TABLE {
            let want = match method {
                "GET" | "DELETE" => Body::None,
                _ if op == Op::AssocPutDefault => Body::None,
                _ if matches!(op, Op::OAuth(_)) => Body::Form,
                _ => Body::Json,
            };
            assert_eq!(b, want, "{method} {template}");
        }
        // Both published forms of the schemas API.
        assert_eq!(
            body("GET", "/crm-object-schemas/v3/schemas/p_projects"),
            Body::None
        );
        assert_eq!(body("GET", "/crm/v3/schemas/p_projects"), Body::None);
    }

    #[test]
    fn resolves_paths() {
        let r = Routes::new();
        let (op, t, p) = found(r.resolve("POST", "/crm/v3/objects/contacts/search"));
        assert_eq!(
            (op, t.as_str(), p),
            (
                Op::ObjSearch,
                "/crm/v3/objects/{type}/search",
                vec!["contacts".to_string()]
            )
        );
        let (op, _, p) = found(r.resolve(
            "GET",
            "/crm/v3/objects/contacts/maria.chen%40acme.example.com",
        ));
        assert_eq!(
            (op, p[1].as_str()),
            (Op::ObjGet, "maria.chen@acme.example.com")
        );
        assert_eq!(
            found(r.resolve("GET", "/crm/v3/objects/contacts/search")).0,
            Op::ObjGet
        );
        assert_eq!(
            found(r.resolve(
                "PUT",
                "/crm/v4/objects/contacts/1/associations/default/companies/2"
            ))
            .0,
            Op::AssocPutDefault
        );
        assert_eq!(
            found(r.resolve(
                "DELETE",
                "/crm/v4/objects/contacts/1/associations/companies/2"
            ))
            .0,
            Op::AssocDelete
        );
        assert_eq!(
            found(r.resolve("GET", "/crm/v3/properties/contacts/groups")).0,
            Op::GroupList
        );
        assert_eq!(
            found(r.resolve("GET", "/crm/v3/properties/contacts/email")).0,
            Op::PropGet
        );
        assert_eq!(found(r.resolve("HEAD", "/crm/v3/owners")).0, Op::Owners);
        for (m, p, e) in [
            ("GET", "/oauth/authorize", Endpoint::AuthorizePage),
            ("POST", "/oauth/authorize", Endpoint::Authorize),
            ("POST", "/oauth/2026-03/token", Endpoint::Token),
            ("POST", "/oauth/v3/token", Endpoint::Token),
            ("POST", "/oauth/v1/token", Endpoint::Token),
            (
                "POST",
                "/oauth/2026-03/token/introspect",
                Endpoint::Introspect,
            ),
            ("POST", "/oauth/2026-03/token/revoke", Endpoint::Revoke),
        ] {
            assert_eq!(found(r.resolve(m, p)).0, Op::OAuth(e), "{m} {p}");
        }
        assert!(matches!(
            r.resolve("GET", "/oauth/2026-03/token"),
            Resolved::MethodNotAllowed
        ));
        assert!(matches!(
            r.resolve("PUT", "/crm/v3/objects/contacts"),
            Resolved::MethodNotAllowed
        ));
        assert!(matches!(r.resolve("GET", "/nope"), Resolved::NotFound));
        for p in [
            "/crm/v3/objects/contacts/..",
            "/crm/v3/objects/contacts/.",
            "/crm/v3/objects/contacts/%2E%2E",
            "/crm/v3/objects/contacts/%2e.",
            "/crm/v3/objects/../objects/contacts/1",
            "/crm/v3/owners/..",
            "/automation/v4/flows/%2e%2e",
        ] {
            for m in ["GET", "DELETE", "PATCH"] {
                assert!(matches!(r.resolve(m, p), Resolved::NotFound), "{m} {p}");
            }
        }
        assert_eq!(
            found(r.resolve("GET", "/crm/v3/objects/contacts/a.b%40c.d")).2[1],
            "a.b@c.d"
        );
        assert_eq!(pct_decode("a%20b+c%zz", true), "a b c%zz");
        assert_eq!(pct_decode("%4", false), "%4");
        assert_eq!(
            required_scopes(Op::ObjCreate, &["contacts".into()]),
            ["crm.objects.contacts.write"]
        );
        assert!(required_scopes(Op::ObjCreate, &["foos".into()]).is_empty());
    }
}
