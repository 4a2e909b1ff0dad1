//! [`Masking`]: the properties the operator never lets out of HubSpot (`HUBSPOT_MASKED_PROPERTIES`) and
//! how they are hidden (`HUBSPOT_MASK_STYLE`). Only parsed here; the HubSpot client applies it.

use std::collections::{BTreeMap, BTreeSet};

use super::object_types::canonical;
use super::parse::Parser;
use super::vars;

/// How a masked property is hidden in answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MaskStyle {
    /// The property is absent, as if it did not exist.
    Omit,
    /// The property is present with the value `[masked]`, so a model knows it exists.
    Redact,
}

impl MaskStyle {
    /// The value `HUBSPOT_MASK_STYLE` takes.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            MaskStyle::Omit => "omit",
            MaskStyle::Redact => "redact",
        }
    }

    /// Reads `HUBSPOT_MASK_STYLE`.
    pub(crate) fn parse(v: &str) -> Option<MaskStyle> {
        match v.to_ascii_lowercase().as_str() {
            "omit" => Some(MaskStyle::Omit),
            "redact" => Some(MaskStyle::Redact),
            _ => None,
        }
    }
}

/// What a valid `HUBSPOT_MASKED_PROPERTIES` looks like (error messages).
const EXPECTED: &str = "object type, colon, comma-separated property names, `;` between types \
    (e.g. contacts:ssn,salary;deals:commission_rate); types as the tools accept them \
    (contacts, contact, 0-1, 2-123, p_projects), names a letter then letters, digits and _";

/// The masked properties by canonical object type (names lowercased), and the style.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Masking {
    /// Canonical object type → lowercased property names.
    pub(crate) properties: BTreeMap<String, BTreeSet<String>>,
    /// `HUBSPOT_MASK_STYLE`.
    pub(crate) style: MaskStyle,
}

/// A property's internal name: a letter, then letters, digits and `_`, at most 100 characters.
fn is_property_name(s: &str) -> bool {
    s.len() <= 100
        && s.starts_with(|c: char| c.is_ascii_alphabetic())
        && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// Parses `contacts:ssn,salary;deals:commission_rate`; `Err` names the first part that is wrong.
pub(crate) fn parse_masked(v: &str) -> Result<BTreeMap<String, BTreeSet<String>>, String> {
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for part in v.split(';').map(str::trim).filter(|p| !p.is_empty()) {
        let Some((ty, names)) = part.split_once(':') else {
            return Err(part.to_string());
        };
        let ty = canonical(ty).ok_or_else(|| part.to_string())?;
        let names: Vec<&str> = names
            .split(',')
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .collect();
        if names.is_empty() || !names.iter().all(|n| is_property_name(n)) {
            return Err(part.to_string());
        }
        out.entry(ty)
            .or_default()
            .extend(names.iter().map(|n| n.to_ascii_lowercase()));
    }
    Ok(out)
}

impl Masking {
    pub(super) fn parse(p: &mut Parser<'_>) -> Masking {
        let properties = match p.get(&vars::HUBSPOT_MASKED_PROPERTIES).map(parse_masked) {
            None => BTreeMap::new(),
            Some(Ok(m)) => m,
            Some(Err(bad)) => {
                p.invalid(&vars::HUBSPOT_MASKED_PROPERTIES, EXPECTED, &bad);
                BTreeMap::new()
            }
        };
        Masking {
            properties,
            style: p.choice(&vars::HUBSPOT_MASK_STYLE),
        }
    }
}

/// A [`Masking`] from a `HUBSPOT_MASKED_PROPERTIES` value (tests of the crate's other modules).
#[cfg(test)]
pub(crate) fn masking_for_tests(spec: &str, style: MaskStyle) -> Masking {
    Masking {
        properties: parse_masked(spec).unwrap_or_default(),
        style,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_are_normalized_and_names_lowercased() {
        let m =
            parse_masked(" contact: SSN , salary ;0-3:commission_rate; contacts:phone;2-123:x;")
                .unwrap();
        let want: BTreeMap<String, BTreeSet<String>> = [
            ("contacts", vec!["phone", "salary", "ssn"]),
            ("deals", vec!["commission_rate"]),
            ("2-123", vec!["x"]),
        ]
        .into_iter()
        .map(|(t, n)| (t.to_string(), n.into_iter().map(String::from).collect()))
        .collect();
        assert_eq!(m, want);
        assert_eq!(parse_masked("").unwrap(), BTreeMap::new());
    }

    #[test]
    fn bad_parts_are_named() {
        for (v, bad) in [
            ("contacts", "contacts"),
            ("contacts:", "contacts:"),
            ("foos:x", "foos:x"),
            ("contacts:a-b", "contacts:a-b"),
            ("deals:amount;contacts:1st", "contacts:1st"),
            ("contacts:ssn salary", "contacts:ssn salary"),
        ] {
            assert_eq!(parse_masked(v), Err(bad.to_string()), "{v}");
        }
        assert_eq!(MaskStyle::parse("REDACT"), Some(MaskStyle::Redact));
        assert_eq!(MaskStyle::parse("hide"), None);
    }
}
