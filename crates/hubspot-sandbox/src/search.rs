//! CRM search, as pure functions: parsing a search body (HubSpot's limits: 5 filter groups, 6 filters a
//! group, 18 in all, `limit` ≤ 200, `after + limit` ≤ 10,000), evaluating every operator (EQ … BETWEEN,
//! IN/NOT_IN, HAS_PROPERTY, CONTAINS_TOKEN with `*` wildcards), numeric comparison for numbers, instant
//! comparison for dates, case-insensitive comparison for strings, the free-text `query`, and sort order.

use std::cmp::Ordering;

use serde_json::Value;

use crate::errors::ApiError;
use crate::time::parse_instant;

/// Most filter groups in one search.
pub(crate) const MAX_GROUPS: usize = 5;
/// Most filters in one group.
pub(crate) const MAX_FILTERS_PER_GROUP: usize = 6;
/// Most filters in one search.
pub(crate) const MAX_FILTERS: usize = 18;
/// Largest `limit`.
pub(crate) const MAX_LIMIT: usize = 200;
/// Results reachable by paging (`after + limit` may not exceed it).
pub(crate) const MAX_RESULTS: usize = 10_000;

/// A filter operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Op {
    Eq,
    Neq,
    Lt,
    Lte,
    Gt,
    Gte,
    Between,
    In,
    NotIn,
    HasProperty,
    NotHasProperty,
    ContainsToken,
    NotContainsToken,
}

impl Op {
    fn parse(s: &str) -> Option<Op> {
        Some(match s {
            "EQ" => Op::Eq,
            "NEQ" => Op::Neq,
            "LT" => Op::Lt,
            "LTE" => Op::Lte,
            "GT" => Op::Gt,
            "GTE" => Op::Gte,
            "BETWEEN" => Op::Between,
            "IN" => Op::In,
            "NOT_IN" => Op::NotIn,
            "HAS_PROPERTY" => Op::HasProperty,
            "NOT_HAS_PROPERTY" => Op::NotHasProperty,
            "CONTAINS_TOKEN" => Op::ContainsToken,
            "NOT_CONTAINS_TOKEN" => Op::NotContainsToken,
            _ => return None,
        })
    }
}

/// One filter.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Filter {
    pub(crate) property: String,
    op: Op,
    value: Option<String>,
    high: Option<String>,
    values: Vec<String>,
}

/// How a property's values compare.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Number,
    Date,
    Text,
}

impl Kind {
    /// The comparison for a HubSpot property `type`.
    pub(crate) fn of(ptype: &str) -> Kind {
        match ptype {
            "number" => Kind::Number,
            "date" | "datetime" => Kind::Date,
            _ => Kind::Text,
        }
    }
}

/// A parsed search request.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Search {
    pub(crate) groups: Vec<Vec<Filter>>,
    pub(crate) query: Option<String>,
    /// (property, descending)
    pub(crate) sort: Option<(String, bool)>,
    pub(crate) properties: Vec<String>,
    pub(crate) limit: usize,
    pub(crate) after: usize,
}

fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn usize_field(body: &Value, key: &str, default: usize) -> Result<usize, ApiError> {
    match body.get(key) {
        None | Some(Value::Null) => Ok(default),
        Some(v) => scalar(v)
            .and_then(|s| s.trim().parse::<usize>().ok())
            .ok_or_else(|| ApiError::bad_input(format!("{key} must be a non-negative integer"))),
    }
}

fn parse_filter(f: &Value) -> Result<Filter, ApiError> {
    let property = f
        .get("propertyName")
        .and_then(Value::as_str)
        .ok_or_else(|| ApiError::bad_input("Missing required creator property 'propertyName'"))?
        .to_string();
    let op_name = f
        .get("operator")
        .and_then(Value::as_str)
        .ok_or_else(|| ApiError::bad_input("Missing required creator property 'operator'"))?;
    let op = Op::parse(op_name).ok_or_else(|| {
        ApiError::bad_input(format!(
            "Cannot deserialize value of type `FilterOperator` from String \"{op_name}\": not one of the values \
             accepted for Enum class: [EQ, NEQ, LT, LTE, GT, GTE, BETWEEN, IN, NOT_IN, HAS_PROPERTY, \
             NOT_HAS_PROPERTY, CONTAINS_TOKEN, NOT_CONTAINS_TOKEN]"
        ))
    })?;
    let value = f.get("value").and_then(scalar);
    let high = f.get("highValue").and_then(scalar);
    let values: Vec<String> = f
        .get("values")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(scalar).collect())
        .unwrap_or_default();
    let problem = match op {
        Op::Between if value.is_none() || high.is_none() => {
            Some("operator BETWEEN requires a value and a highValue")
        }
        Op::In | Op::NotIn if values.is_empty() => Some("operator IN and NOT_IN require values"),
        Op::Eq
        | Op::Neq
        | Op::Lt
        | Op::Lte
        | Op::Gt
        | Op::Gte
        | Op::ContainsToken
        | Op::NotContainsToken
            if value.is_none() =>
        {
            Some("this operator requires a value")
        }
        _ => None,
    };
    if let Some(p) = problem {
        return Err(ApiError::bad_input(format!(
            "Cannot construct instance of `com.hubspot.inbounddb.publicobject.core.v3.search.Filter`, problem: {p}"
        )));
    }
    Ok(Filter {
        property,
        op,
        value,
        high,
        values,
    })
}

/// Parses and checks a search body.
pub(crate) fn parse(body: &Value) -> Result<Search, ApiError> {
    if !body.is_object() {
        return Err(ApiError::bad_input("expected a JSON object"));
    }
    let mut raw_groups: Vec<&Value> = Vec::new();
    match body.get("filterGroups") {
        Some(Value::Array(a)) => raw_groups.extend(a.iter()),
        None | Some(Value::Null) => {}
        Some(_) => return Err(ApiError::bad_input("filterGroups must be an array")),
    }
    let legacy;
    if raw_groups.is_empty() {
        if let Some(f @ Value::Array(_)) = body.get("filters") {
            legacy = serde_json::json!({ "filters": f });
            raw_groups.push(&legacy);
        }
    }
    if raw_groups.len() > MAX_GROUPS {
        return Err(ApiError::validation(format!(
            "Too many filter groups: {} were provided, the maximum is {MAX_GROUPS}.",
            raw_groups.len()
        )));
    }
    let mut groups = Vec::with_capacity(raw_groups.len());
    let mut total = 0;
    for g in raw_groups {
        let filters = g
            .get("filters")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        if filters.len() > MAX_FILTERS_PER_GROUP {
            return Err(ApiError::validation(format!(
                "Too many filters in a filter group: {} were provided, the maximum is {MAX_FILTERS_PER_GROUP}.",
                filters.len()
            )));
        }
        total += filters.len();
        groups.push(
            filters
                .iter()
                .map(parse_filter)
                .collect::<Result<Vec<_>, _>>()?,
        );
    }
    if total > MAX_FILTERS {
        return Err(ApiError::validation(format!(
            "Too many filters: {total} were provided across all filter groups, the maximum is {MAX_FILTERS}."
        )));
    }
    let sort = match body
        .get("sorts")
        .and_then(Value::as_array)
        .and_then(|a| a.first())
    {
        Some(Value::String(s)) => match s.strip_prefix('-') {
            Some(p) => Some((p.to_string(), true)),
            None => Some((s.clone(), false)),
        },
        Some(o @ Value::Object(_)) => {
            let name = o
                .get("propertyName")
                .and_then(Value::as_str)
                .ok_or_else(|| {
                    ApiError::bad_input("Missing required creator property 'propertyName'")
                })?;
            let desc = o.get("direction").and_then(Value::as_str) == Some("DESCENDING");
            Some((name.to_string(), desc))
        }
        _ => None,
    };
    let limit = usize_field(body, "limit", 10)?.max(1);
    if limit > MAX_LIMIT {
        return Err(ApiError::validation(format!(
            "limit must be less than or equal to {MAX_LIMIT}, got {limit}"
        )));
    }
    let after = usize_field(body, "after", 0)?;
    if after.saturating_add(limit) > MAX_RESULTS {
        return Err(ApiError::validation(format!(
            "Search results are limited to {MAX_RESULTS}: after ({after}) plus limit ({limit}) goes past them. \
             Narrow the search with filters instead of paging further."
        )));
    }
    let properties = body
        .get("properties")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    let query = body
        .get("query")
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|q| !q.is_empty())
        .map(str::to_string);
    Ok(Search {
        groups,
        query,
        sort,
        properties,
        limit,
        after,
    })
}

fn compare(kind: Kind, a: &str, b: &str) -> Option<Ordering> {
    match kind {
        Kind::Number => a
            .trim()
            .parse::<f64>()
            .ok()?
            .partial_cmp(&b.trim().parse::<f64>().ok()?),
        Kind::Date => Some(parse_instant(a)?.cmp(&parse_instant(b)?)),
        Kind::Text => Some(a.to_lowercase().cmp(&b.to_lowercase())),
    }
}

/// Case-insensitive equality of text, without allocating for ASCII (every search evaluates it once per
/// record and filter).
fn text_eq(a: &str, b: &str) -> bool {
    if a.is_ascii() && b.is_ascii() {
        a.eq_ignore_ascii_case(b)
    } else {
        a.to_lowercase() == b.to_lowercase()
    }
}

fn eq(kind: Kind, a: &str, b: &str) -> bool {
    match kind {
        // One of a multi-select's `;`-separated values matches too.
        Kind::Text => {
            text_eq(a, b)
                || (a.contains(';') && a.split(';').any(|part| part.eq_ignore_ascii_case(b)))
        }
        _ => compare(kind, a, b) == Some(Ordering::Equal),
    }
}

/// The lower-cased tokens of a value (split on everything that is not a letter or digit).
pub(crate) fn tokens(s: &str) -> impl Iterator<Item = String> + '_ {
    s.split(|c: char| !c.is_alphanumeric())
        .filter(|t| !t.is_empty())
        .map(str::to_lowercase)
}

/// `*` wildcard match of a whole (lower-cased) string.
pub(crate) fn glob(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && p[pi] != '*' && p[pi] == t[ti] {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ti));
            pi += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

fn contains_token(value: &str, needle: &str) -> bool {
    let needle = needle.trim().to_lowercase();
    let whole = value.to_lowercase();
    if needle.contains('*') {
        glob(&needle, &whole) || tokens(value).any(|t| glob(&needle, &t))
    } else {
        whole == needle || tokens(value).any(|t| t == needle)
    }
}

/// Whether a record's value (`None` when unset) passes a filter.
pub(crate) fn matches(f: &Filter, kind: Kind, value: Option<&str>) -> bool {
    let v = value.filter(|s| !s.is_empty());
    let fv = f.value.as_deref().unwrap_or_default();
    match f.op {
        Op::HasProperty => v.is_some(),
        Op::NotHasProperty => v.is_none(),
        Op::Neq => v.is_none_or(|v| !eq(kind, v, fv)),
        Op::NotIn => v.is_none_or(|v| !f.values.iter().any(|x| eq(kind, v, x))),
        Op::NotContainsToken => v.is_none_or(|v| !contains_token(v, fv)),
        op => {
            let Some(v) = v else { return false };
            let c = || compare(kind, v, fv);
            match op {
                Op::Eq => eq(kind, v, fv),
                Op::Lt => c() == Some(Ordering::Less),
                Op::Lte => matches!(c(), Some(Ordering::Less | Ordering::Equal)),
                Op::Gt => c() == Some(Ordering::Greater),
                Op::Gte => matches!(c(), Some(Ordering::Greater | Ordering::Equal)),
                Op::Between => {
                    let hi = f.high.as_deref().unwrap_or_default();
                    matches!(c(), Some(Ordering::Greater | Ordering::Equal))
                        && matches!(compare(kind, v, hi), Some(Ordering::Less | Ordering::Equal))
                }
                Op::In => f.values.iter().any(|x| eq(kind, v, x)),
                Op::ContainsToken => contains_token(v, fv),
                _ => false,
            }
        }
    }
}

/// Whether every query term is found in one of the values: a value or one of its tokens starts with the
/// term, or (for terms with punctuation, such as emails or domains) the value contains it.
pub(crate) fn matches_query(query: &str, values: &[&str]) -> bool {
    query.split_whitespace().map(str::to_lowercase).all(|term| {
        values.iter().any(|v| {
            let lv = v.to_lowercase();
            lv.starts_with(&term)
                || tokens(v).any(|t| t.starts_with(&term))
                || (term.chars().any(|c| !c.is_alphanumeric()) && lv.contains(&term))
        })
    })
}

/// A value parsed once for sorting (a sort compares each value many times).
#[derive(Clone, Debug)]
pub(crate) struct SortKey<'a> {
    /// The value; `None` when unset or empty.
    raw: Option<&'a str>,
    parsed: Parsed,
}

#[derive(Clone, Debug)]
enum Parsed {
    Number(f64),
    Date(i64),
    Text(String),
    /// Not a value of its kind: compared as written.
    Unparsed,
}

/// The sort key of a value of `kind`.
pub(crate) fn sort_key(kind: Kind, value: Option<&str>) -> SortKey<'_> {
    let raw = value.filter(|s| !s.is_empty());
    let parsed = match (kind, raw) {
        (_, None) => Parsed::Unparsed,
        (Kind::Number, Some(v)) => v.trim().parse().map_or(Parsed::Unparsed, Parsed::Number),
        (Kind::Date, Some(v)) => parse_instant(v).map_or(Parsed::Unparsed, Parsed::Date),
        (Kind::Text, Some(v)) => Parsed::Text(v.to_lowercase()),
    };
    SortKey { raw, parsed }
}

/// Sort order of two keys; unset values come last in both directions.
pub(crate) fn key_order(a: &SortKey<'_>, b: &SortKey<'_>, descending: bool) -> Ordering {
    match (a.raw, b.raw) {
        (Some(x), Some(y)) => {
            let o = match (&a.parsed, &b.parsed) {
                (Parsed::Number(p), Parsed::Number(q)) => p.partial_cmp(q),
                (Parsed::Date(p), Parsed::Date(q)) => Some(p.cmp(q)),
                (Parsed::Text(p), Parsed::Text(q)) => Some(p.cmp(q)),
                _ => None,
            }
            .unwrap_or_else(|| x.cmp(y));
            if descending {
                o.reverse()
            } else {
                o
            }
        }
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    }
}

/// Sort order of two values; unset values come last in both directions.
#[cfg(test)]
pub(crate) fn sort_order(
    kind: Kind,
    a: Option<&str>,
    b: Option<&str>,
    descending: bool,
) -> Ordering {
    key_order(&sort_key(kind, a), &sort_key(kind, b), descending)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn f(op: &str, value: Value) -> Filter {
        let mut body = json!({"propertyName": "p", "operator": op});
        if let Value::Object(m) = value {
            body.as_object_mut().unwrap().extend(m);
        }
        parse_filter(&body).unwrap()
    }

    #[test]
    fn text_operators() {
        let eq = f("EQ", json!({"value": "Maria"}));
        assert!(matches(&eq, Kind::Text, Some("maria")));
        assert!(!matches(&eq, Kind::Text, Some("mario")));
        assert!(!matches(&eq, Kind::Text, None));
        let neq = f("NEQ", json!({"value": "a"}));
        assert!(matches(&neq, Kind::Text, None));
        assert!(!matches(&neq, Kind::Text, Some("A")));
        let inn = f("IN", json!({"values": ["lead", "customer"]}));
        assert!(matches(&inn, Kind::Text, Some("customer")));
        assert!(!matches(&inn, Kind::Text, Some("other")));
        let not_in = f("NOT_IN", json!({"values": ["lead"]}));
        assert!(
            matches(&not_in, Kind::Text, Some("customer")) && matches(&not_in, Kind::Text, None)
        );
        assert!(matches(
            &f("HAS_PROPERTY", json!({})),
            Kind::Text,
            Some("x")
        ));
        assert!(!matches(
            &f("HAS_PROPERTY", json!({})),
            Kind::Text,
            Some("")
        ));
        assert!(matches(&f("NOT_HAS_PROPERTY", json!({})), Kind::Text, None));
        let tok = f("CONTAINS_TOKEN", json!({"value": "*@acme.example.com"}));
        assert!(matches(
            &tok,
            Kind::Text,
            Some("maria.chen@acme.example.com")
        ));
        assert!(!matches(&tok, Kind::Text, Some("maria@other.example.com")));
        let word = f("CONTAINS_TOKEN", json!({"value": "Annual"}));
        assert!(matches(
            &word,
            Kind::Text,
            Some("Acme Corporation - Annual Plan")
        ));
        assert!(!matches(&word, Kind::Text, Some("Annually")));
        let pre = f("CONTAINS_TOKEN", json!({"value": "ann*"}));
        assert!(matches(&pre, Kind::Text, Some("Annually billed")));
        let not_tok = f("NOT_CONTAINS_TOKEN", json!({"value": "plan"}));
        assert!(!matches(&not_tok, Kind::Text, Some("Annual Plan")));
        assert!(matches(&not_tok, Kind::Text, None));
        assert!(matches(
            &f("LT", json!({"value": "b"})),
            Kind::Text,
            Some("Apple")
        ));
    }

    #[test]
    fn number_and_date_operators() {
        assert!(matches(
            &f("GT", json!({"value": 900})),
            Kind::Number,
            Some("1000")
        ));
        assert!(!matches(
            &f("GT", json!({"value": "1000"})),
            Kind::Number,
            Some("1000")
        ));
        assert!(matches(
            &f("GTE", json!({"value": "1000"})),
            Kind::Number,
            Some("1000.0")
        ));
        assert!(matches(
            &f("LT", json!({"value": "20"})),
            Kind::Number,
            Some("3")
        ));
        assert!(matches(
            &f("LTE", json!({"value": "3"})),
            Kind::Number,
            Some("3")
        ));
        assert!(matches(
            &f("EQ", json!({"value": "48000"})),
            Kind::Number,
            Some("48000.00")
        ));
        let between = f("BETWEEN", json!({"value": "10", "highValue": "20"}));
        assert!(
            matches(&between, Kind::Number, Some("10"))
                && matches(&between, Kind::Number, Some("20"))
        );
        assert!(!matches(&between, Kind::Number, Some("21")));
        assert!(!matches(&between, Kind::Number, Some("abc")));
        let after = f("GTE", json!({"value": "2024-01-01"}));
        assert!(matches(
            &after,
            Kind::Date,
            Some("2024-06-01T10:00:00.000Z")
        ));
        assert!(!matches(
            &after,
            Kind::Date,
            Some("2023-12-31T23:59:59.999Z")
        ));
        let ms = f("LT", json!({"value": 1_704_067_200_000_i64}));
        assert!(matches(&ms, Kind::Date, Some("2023-12-31T23:59:59.999Z")));
        let days = f(
            "BETWEEN",
            json!({"value": "2024-01-01T00:00:00Z", "highValue": "1706745600000"}),
        );
        assert!(matches(&days, Kind::Date, Some("2024-01-15")));
        assert!(!matches(&days, Kind::Date, Some("2024-03-15")));
    }

    #[test]
    fn limits_and_paging() {
        let filter = json!({"propertyName": "email", "operator": "HAS_PROPERTY"});
        let group = |n: usize| json!({"filters": vec![filter.clone(); n]});
        assert!(parse(&json!({"filterGroups": vec![group(1); 5]})).is_ok());
        assert_eq!(
            parse(&json!({"filterGroups": vec![group(1); 6]}))
                .unwrap_err()
                .status,
            400
        );
        assert!(parse(&json!({"filterGroups": [group(6)]})).is_ok());
        assert!(parse(&json!({"filterGroups": [group(7)]})).is_err());
        assert!(parse(&json!({"filterGroups": [group(6), group(6), group(6)]})).is_ok());
        let e =
            parse(&json!({"filterGroups": [group(6), group(6), group(6), group(1)]})).unwrap_err();
        assert!(e.message.contains("19"));
        assert!(parse(&json!({"limit": 200})).is_ok());
        assert!(parse(&json!({"limit": 201})).is_err());
        assert!(parse(&json!({"after": "9900", "limit": 100})).is_ok());
        assert!(parse(&json!({"after": "9901", "limit": 100})).is_err());
        assert!(parse(&json!({"after": "x"})).is_err());
        let s = parse(&json!({"filters": [filter], "sorts": [{"propertyName": "createdate", "direction": "DESCENDING"}],
            "query": " maria ", "properties": ["email"], "after": 20})).unwrap();
        assert_eq!(s.groups.len(), 1);
        assert_eq!(s.sort, Some(("createdate".into(), true)));
        assert_eq!(
            (s.query.as_deref(), s.limit, s.after),
            (Some("maria"), 10, 20)
        );
        assert_eq!(
            parse(&json!({"sorts": ["-amount"]})).unwrap().sort,
            Some(("amount".into(), true))
        );
        assert!(parse(&json!({"filterGroups": [{"filters": [{"propertyName": "a", "operator": "NOPE", "value": "1"}]}]})).is_err());
        assert!(parse(&json!({"filterGroups": [{"filters": [{"propertyName": "a", "operator": "BETWEEN", "value": "1"}]}]})).is_err());
        assert!(parse(&json!([])).is_err());
    }

    #[test]
    fn query_glob_and_sort() {
        assert!(matches_query("mar chen", &["Maria", "Chen", "x@y.com"]));
        assert!(!matches_query("ria", &["Maria"]));
        assert!(matches_query(
            "acme.example",
            &["maria.chen@acme.example.com"]
        ));
        assert!(glob("a*c*", "abcd") && glob("*", "") && !glob("a*z", "abc"));
        assert_eq!(
            sort_order(Kind::Number, Some("9"), Some("10"), false),
            Ordering::Less
        );
        assert_eq!(
            sort_order(Kind::Number, Some("9"), Some("10"), true),
            Ordering::Greater
        );
        assert_eq!(
            sort_order(Kind::Text, None, Some("a"), true),
            Ordering::Greater
        );
        assert_eq!(
            sort_order(Kind::Text, Some("a"), None, false),
            Ordering::Less
        );
    }
}
