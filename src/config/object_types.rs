//! HubSpot's object types and their spellings, said once: the tools normalize their `objectType`
//! arguments with [`canonical`], and `HUBSPOT_MASKED_PROPERTIES` normalizes its object types with the
//! same function, so a setting and a call that name one type in two spellings meet on one key.

/// The standard object types, with their HubSpot objectTypeIds.
pub(crate) const STANDARD_TYPES: [(&str, &str); 13] = [
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

/// Standard object types beyond [`STANDARD_TYPES`] that HubSpot's objects API serves by name (from its
/// published API specs); passed through as they are.
const OTHER_TYPES: [&str; 18] = [
    "communications",
    "postal_mail",
    "feedback_submissions",
    "goal_targets",
    "invoices",
    "commerce_payments",
    "payments",
    "subscriptions",
    "orders",
    "carts",
    "discounts",
    "fees",
    "taxes",
    "users",
    "partner_clients",
    "partner_services",
    "contracts",
    "appointments",
];

/// `0-1`, `2-3508482`: an objectTypeId (one digit, a dash, 1-12 digits).
pub(crate) fn is_type_id(s: &str) -> bool {
    s.split_once('-').is_some_and(|(a, b)| {
        a.len() == 1
            && (1..=12).contains(&b.len())
            && a.bytes().all(|c| c.is_ascii_digit())
            && b.bytes().all(|c| c.is_ascii_digit())
    })
}

/// `p_projects`, `p24681357_projects`: a custom object's fully qualified name.
pub(crate) fn is_custom_name(s: &str) -> bool {
    s.strip_prefix('p')
        .and_then(|r| r.split_once('_'))
        .is_some_and(|(portal, name)| {
            portal.bytes().all(|c| c.is_ascii_digit())
                && portal.len() <= 20
                && name.starts_with(|c: char| c.is_ascii_lowercase())
                && name
                    .bytes()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'_')
        })
}

/// The one key of an object type: names lowercased, singular and common aliases accepted (`contact` →
/// `contacts`, `line_item` → `line_items`), standard objectTypeIds read as names (`0-1` → `contacts`);
/// other standard names, other objectTypeIds (`2-123`) and custom objects' fully qualified names
/// (`p_projects`, `p123_projects`) kept as they are (lowercased); `None` for anything else (control
/// characters included).
pub(crate) fn canonical(raw: &str) -> Option<String> {
    if raw.chars().any(char::is_control) {
        return None;
    }
    let t = raw.trim().to_ascii_lowercase();
    let known = STANDARD_TYPES
        .iter()
        .find(|(name, id)| t == *name || t == *id || name.strip_suffix('s') == Some(t.as_str()));
    match (known, t.as_str()) {
        (Some((name, _)), _) => Some((*name).to_string()),
        (None, "company") => Some("companies".into()),
        (None, "line_item" | "lineitem" | "lineitems") => Some("line_items".into()),
        (None, other)
            if OTHER_TYPES.contains(&other)
                || (other.len() <= 100 && (is_type_id(other) || is_custom_name(other))) =>
        {
            Some(t)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_meet_on_one_key() {
        for (given, want) in [
            ("contacts", "contacts"),
            ("Contact", "contacts"),
            ("0-1", "contacts"),
            ("company", "companies"),
            ("0-3", "deals"),
            ("lineitem", "line_items"),
            ("2-123", "2-123"),
            ("P_Projects", "p_projects"),
            ("invoices", "invoices"),
        ] {
            assert_eq!(canonical(given).as_deref(), Some(want), "{given}");
        }
        for bad in ["", "..", "a/b", "foos", "contacts\n", "2-", "p_"] {
            assert_eq!(canonical(bad), None, "{bad:?}");
        }
    }
}
