//! The route table: every API path the sandbox serves, built from the versioned prefixes in
//! [`super::paths`], matched segment by segment (path parameters percent-decoded), with the
//! `"METHOD template"` used in statistics and the OAuth scopes each operation needs.

use super::paths::{
    ACCOUNT_DETAILS, ACCOUNT_USAGE, ASSOCIATIONS, ASSOCIATIONS_OBJECTS, FLOWS, OBJECTS, OWNERS,
    PIPELINES, PROPERTIES, SCHEMAS, TOKEN_INFO,
};
use super::types::Obj;

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
}

struct Entry {
    method: &'static str,
    segs: Vec<Option<String>>,
    op: Op,
    template: String,
}

/// The route table.
pub(crate) struct Routes {
    entries: Vec<Entry>,
}

/// The result of matching a request.
pub(crate) enum Resolved<'a> {
    Found {
        op: Op,
        template: &'a str,
        params: Vec<String>,
    },
    MethodNotAllowed,
    NotFound,
}

/// Percent-decodes (and with `plus`, turns `+` into a space), lossily as UTF-8.
pub(crate) fn pct_decode(s: &str, plus: bool) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c == b'%' && i + 2 < b.len() {
            let hex = |x: u8| (x as char).to_digit(16);
            if let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(if plus && c == b'+' { b' ' } else { c });
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

impl Routes {
    /// The table.
    pub(crate) fn new() -> Routes {
        let o = OBJECTS;
        let ao = ASSOCIATIONS_OBJECTS;
        let a = ASSOCIATIONS;
        let p = PROPERTIES;
        let pl = PIPELINES;
        let table: Vec<(&'static str, String, Op)> = vec![
            ("POST", format!("{o}/{{type}}/search"), Op::ObjSearch),
            ("POST", format!("{o}/{{type}}/batch/read"), Op::BatchRead),
            (
                "POST",
                format!("{o}/{{type}}/batch/create"),
                Op::BatchCreate,
            ),
            (
                "POST",
                format!("{o}/{{type}}/batch/update"),
                Op::BatchUpdate,
            ),
            (
                "POST",
                format!("{o}/{{type}}/batch/upsert"),
                Op::BatchUpsert,
            ),
            (
                "POST",
                format!("{o}/{{type}}/batch/archive"),
                Op::BatchArchive,
            ),
            ("GET", format!("{o}/{{type}}"), Op::ObjList),
            ("POST", format!("{o}/{{type}}"), Op::ObjCreate),
            ("GET", format!("{o}/{{type}}/{{id}}"), Op::ObjGet),
            ("PATCH", format!("{o}/{{type}}/{{id}}"), Op::ObjUpdate),
            ("DELETE", format!("{o}/{{type}}/{{id}}"), Op::ObjArchive),
            (
                "GET",
                format!("{ao}/{{from}}/{{id}}/associations/{{to}}"),
                Op::AssocList,
            ),
            (
                "PUT",
                format!("{ao}/{{from}}/{{id}}/associations/default/{{to}}/{{toId}}"),
                Op::AssocPutDefault,
            ),
            (
                "PUT",
                format!("{ao}/{{from}}/{{id}}/associations/{{to}}/{{toId}}"),
                Op::AssocPut,
            ),
            (
                "DELETE",
                format!("{ao}/{{from}}/{{id}}/associations/{{to}}/{{toId}}"),
                Op::AssocDelete,
            ),
            (
                "GET",
                format!("{a}/{{from}}/{{to}}/labels"),
                Op::AssocLabels,
            ),
            (
                "POST",
                format!("{a}/{{from}}/{{to}}/batch/create"),
                Op::AssocBatchCreate,
            ),
            (
                "POST",
                format!("{a}/{{from}}/{{to}}/batch/associate/default"),
                Op::AssocBatchDefault,
            ),
            (
                "POST",
                format!("{a}/{{from}}/{{to}}/batch/read"),
                Op::AssocBatchRead,
            ),
            (
                "POST",
                format!("{a}/{{from}}/{{to}}/batch/archive"),
                Op::AssocBatchArchive,
            ),
            ("GET", format!("{p}/{{type}}/groups"), Op::GroupList),
            ("POST", format!("{p}/{{type}}/groups"), Op::GroupCreate),
            (
                "GET",
                format!("{p}/{{type}}/groups/{{groupName}}"),
                Op::GroupGet,
            ),
            ("GET", format!("{p}/{{type}}"), Op::PropList),
            ("POST", format!("{p}/{{type}}"), Op::PropCreate),
            ("GET", format!("{p}/{{type}}/{{propertyName}}"), Op::PropGet),
            (
                "PATCH",
                format!("{p}/{{type}}/{{propertyName}}"),
                Op::PropUpdate,
            ),
            (
                "DELETE",
                format!("{p}/{{type}}/{{propertyName}}"),
                Op::PropDelete,
            ),
            ("GET", SCHEMAS.to_string(), Op::Schemas),
            ("GET", format!("{SCHEMAS}/{{objectType}}"), Op::Schema),
            ("GET", OWNERS.to_string(), Op::Owners),
            ("GET", format!("{OWNERS}/{{ownerId}}"), Op::Owner),
            ("GET", format!("{pl}/{{type}}"), Op::Pipelines),
            ("GET", format!("{pl}/{{type}}/{{pipelineId}}"), Op::Pipeline),
            (
                "GET",
                format!("{pl}/{{type}}/{{pipelineId}}/stages"),
                Op::Stages,
            ),
            ("GET", ACCOUNT_DETAILS.to_string(), Op::AccountDetails),
            ("GET", ACCOUNT_USAGE.to_string(), Op::ApiUsage),
            ("POST", TOKEN_INFO.to_string(), Op::TokenInfo),
            ("GET", FLOWS.to_string(), Op::Flows),
            ("GET", format!("{FLOWS}/{{flowId}}"), Op::Flow),
        ];
        let entries = table
            .into_iter()
            .map(|(method, template, op)| Entry {
                method,
                segs: template
                    .split('/')
                    .filter(|s| !s.is_empty())
                    .map(|s| (!s.starts_with('{')).then(|| s.to_string()))
                    .collect(),
                op,
                template,
            })
            .collect();
        Routes { entries }
    }

    /// Matches a method and a (percent-encoded) path. A path with a dot segment (`.` or `..`, also
    /// percent-encoded as `%2e`) names no resource: HubSpot's edge would resolve it to another path, never
    /// to the record it seems to name, so it is refused as an unknown path rather than served.
    pub(crate) fn resolve(&self, method: &str, path: &str) -> Resolved<'_> {
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
                    .all(|(pat, s)| pat.as_deref().is_none_or(|lit| lit == *s))
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
                template: &e.template,
                params,
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
        Op::AccountDetails | Op::ApiUsage | Op::TokenInfo => &[],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(r: Resolved<'_>) -> (Op, String, Vec<String>) {
        match r {
            Resolved::Found {
                op,
                template,
                params,
            } => (op, template.to_string(), params),
            _ => panic!("not found"),
        }
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
