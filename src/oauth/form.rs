//! `application/x-www-form-urlencoded`: the token, revocation and consent endpoints' bodies, and the
//! query strings of the authorize and callback requests. A parameter given twice is an error (RFC 6749
//! §3.1: "parameters MUST NOT be included more than once").

use std::collections::HashMap;

use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

/// Characters left as they are in a form value (RFC 3986 unreserved).
const VALUE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Most parameters read from one form or query.
const MAX_PARAMS: usize = 64;

/// A decoded form.
#[derive(Debug, Default, Clone)]
pub(crate) struct Form {
    values: HashMap<String, String>,
}

/// Why a form cannot be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum FormError {
    /// The named parameter was given more than once.
    Repeated(String),
    /// Not UTF-8 after decoding, or too many parameters.
    Malformed(&'static str),
}

impl std::fmt::Display for FormError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FormError::Repeated(k) => write!(f, "parameter {k} is given more than once"),
            FormError::Malformed(why) => f.write_str(why),
        }
    }
}

fn decode(s: &str) -> Result<String, FormError> {
    let plus = s.replace('+', " ");
    percent_decode_str(&plus)
        .decode_utf8()
        .map(|c| c.into_owned())
        .map_err(|_| FormError::Malformed("a parameter is not UTF-8"))
}

impl Form {
    /// Parses `a=1&b=2`; empty values count as absent.
    pub(crate) fn parse(s: &str) -> Result<Form, FormError> {
        let mut values = HashMap::new();
        for (i, pair) in s.split('&').filter(|p| !p.is_empty()).enumerate() {
            if i >= MAX_PARAMS {
                return Err(FormError::Malformed("too many parameters"));
            }
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            let (k, v) = (decode(k)?, decode(v)?);
            if values.contains_key(&k) {
                return Err(FormError::Repeated(k));
            }
            if !v.is_empty() {
                values.insert(k, v);
            }
        }
        Ok(Form { values })
    }
    /// A parameter's value.
    pub(crate) fn get(&self, key: &str) -> Option<&str> {
        self.values.get(key).map(String::as_str)
    }
}

/// Percent-encodes a value for a query or form.
pub(crate) fn encode(v: &str) -> String {
    utf8_percent_encode(v, VALUE).to_string()
}

/// Encodes pairs as a form body.
#[cfg(test)]
fn encode_pairs(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_refuses_repeats() {
        let f = Form::parse("a=1&b=x+y%21&c=").unwrap();
        assert_eq!(f.get("a"), Some("1"));
        assert_eq!(f.get("b"), Some("x y!"));
        assert_eq!(f.get("c"), None);
        assert_eq!(
            Form::parse("a=1&a=2").unwrap_err(),
            FormError::Repeated("a".into())
        );
        assert!(Form::parse("a=%ff").is_err());
        assert_eq!(encode_pairs(&[("k", "a b&c")]), "k=a%20b%26c");
    }
}
