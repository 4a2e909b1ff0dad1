//! The OAuth endpoints' inputs and outputs: `application/x-www-form-urlencoded` bodies and query strings,
//! redirect URI checks, and callback URLs (`redirect_uri?code=…&state=…`).

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

use crate::http::Request;
use crate::routes::pct_decode;

/// Parameters of a form body or query string, decoded (`+` is a space).
#[derive(Debug, Default)]
pub(super) struct Form(Vec<(String, String)>);

impl Form {
    /// Parses `a=1&b=x%20y`.
    pub(super) fn parse(raw: &str) -> Form {
        Form(
            raw.split('&')
                .filter(|s| !s.is_empty())
                .map(|kv| {
                    let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
                    (pct_decode(k, true), pct_decode(v, true))
                })
                .collect(),
        )
    }

    /// The body of a POST: a form, or `Err` naming what is wrong. A `Content-Type` other than
    /// `application/x-www-form-urlencoded` is refused; none at all is read as a form.
    pub(super) fn body(req: &Request) -> Result<Form, String> {
        if let Some(ct) = req.header("content-type") {
            let media = ct.split(';').next().unwrap_or("").trim();
            if !media.eq_ignore_ascii_case("application/x-www-form-urlencoded") {
                return Err(format!(
                    "Content-Type must be application/x-www-form-urlencoded, not {media}"
                ));
            }
        }
        let text =
            std::str::from_utf8(&req.body).map_err(|_| "the body is not UTF-8".to_string())?;
        Ok(Form::parse(text))
    }

    /// The value of `name`, when present and not empty.
    pub(super) fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, v)| k == name && !v.is_empty())
            .map(|(_, v)| v.as_str())
    }

    /// The first of `names` that appears more than once (RFC 6749: parameters must not repeat).
    pub(super) fn repeated<'a>(&self, names: &[&'a str]) -> Option<&'a str> {
        names
            .iter()
            .copied()
            .find(|n| self.0.iter().filter(|(k, _)| k == n).count() > 1)
    }

    /// The names among `names` that are missing or empty.
    pub(super) fn missing<'a>(&self, names: &[&'a str]) -> Vec<&'a str> {
        names
            .iter()
            .copied()
            .filter(|n| self.get(n).is_none())
            .collect()
    }
}

/// Space-separated scopes (HubSpot also accepts `+`, decoded to spaces, and commas are not separators).
pub(super) fn scopes(raw: Option<&str>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for s in raw.unwrap_or("").split_whitespace() {
        if !out.iter().any(|o| o == s) {
            out.push(s.to_string());
        }
    }
    out
}

/// Checks that `uri` is an absolute `http` or `https` URL with a host and no fragment.
pub(super) fn check_redirect_uri(uri: &str) -> Result<(), String> {
    let lower = uri.to_ascii_lowercase();
    let rest = if lower.starts_with("https://") {
        &uri[8..]
    } else if lower.starts_with("http://") {
        &uri[7..]
    } else {
        return Err("redirect_uri must be an absolute http or https URL".into());
    };
    if uri.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err("redirect_uri may not contain spaces or control characters".into());
    }
    if uri.contains('#') {
        return Err("redirect_uri may not contain a fragment (#)".into());
    }
    let authority = rest.split(['/', '?']).next().unwrap_or("");
    let host = authority.rsplit('@').next().unwrap_or("");
    if host.is_empty() || host.starts_with(':') {
        return Err("redirect_uri must name a host".into());
    }
    Ok(())
}

/// Characters percent-encoded in a query value: everything but RFC 3986's unreserved ones.
const QUERY_VALUE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// `redirect_uri` with `params` appended to its query.
pub(super) fn callback(redirect_uri: &str, params: &[(&str, &str)]) -> String {
    let mut url = redirect_uri.to_string();
    let mut sep = if url.contains('?') {
        if url.ends_with('?') || url.ends_with('&') {
            ""
        } else {
            "&"
        }
    } else {
        "?"
    };
    for (k, v) in params {
        url.push_str(sep);
        url.push_str(k);
        url.push('=');
        url.extend(utf8_percent_encode(v, QUERY_VALUE));
        sep = "&";
    }
    url
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_scopes_and_urls() {
        let f = Form::parse("a=1&b=x+y%21&a=2&c=");
        assert_eq!(f.get("b"), Some("x y!"));
        assert_eq!(f.get("c"), None);
        assert_eq!(f.repeated(&["b", "a"]), Some("a"));
        assert_eq!(f.missing(&["a", "c", "d"]), ["c", "d"]);
        assert_eq!(
            scopes(Some(" oauth  crm.objects.contacts.read oauth")),
            ["oauth", "crm.objects.contacts.read"]
        );
        for ok in [
            "http://localhost:3000/cb",
            "https://app.example/oauth/callback?x=1",
            "HTTPS://h",
        ] {
            assert!(check_redirect_uri(ok).is_ok(), "{ok}");
        }
        for bad in [
            "ftp://h/x",
            "/relative",
            "https://",
            "https:///path",
            "https://h/cb#frag",
            "https://h/a b",
            "javascript:alert(1)",
            "http://:80/",
        ] {
            assert!(check_redirect_uri(bad).is_err(), "{bad}");
        }
        assert_eq!(
            callback("https://h/cb", &[("code", "na1-1"), ("state", "a b&c")]),
            "https://h/cb?code=na1-1&state=a%20b%26c"
        );
        assert_eq!(
            callback("https://h/cb?x=1", &[("code", "c")]),
            "https://h/cb?x=1&code=c"
        );
    }
}
