//! The server's and each tool family's icon (MCP 2025-11-25 `icons`), served at `/icons/<name>.svg`
//! (`http::route`): small monochrome SVGs drawn for this server. `serverInfo` carries the server's as a
//! `data:` URI (it works without a public URL); tools carry their family's as a URL under
//! `MCP_PUBLIC_URL`, when it is set ([`super::Registry::with_icons`]).

/// Stroke colour of every icon.
const COLOUR: &str = "#ff7a59";

/// `(name, the SVG's inner elements)`: `server`, then one per tool family (named as `HUBSPOT_TOOLSETS`
/// names them).
const GLYPHS: [(&str, &str); 14] = [
    (
        "server",
        r#"<circle cx="12" cy="5" r="2.5"/><circle cx="5" cy="18" r="2.5"/><circle cx="19" cy="18" r="2.5"/><path d="M11 7.2 6.3 15.8M13 7.2l4.7 8.6M7.5 18h9"/>"#,
    ),
    (
        "records",
        r#"<rect x="3" y="5" width="18" height="14" rx="2"/><circle cx="8" cy="11" r="2"/><path d="M5.5 16c.8-1.6 4.2-1.6 5 0M13 10h5M13 14h4"/>"#,
    ),
    (
        "batch",
        r#"<rect x="6" y="3" width="15" height="11" rx="2"/><path d="M3 7v11a2 2 0 0 0 2 2h12"/>"#,
    ),
    (
        "associations",
        r#"<circle cx="6" cy="12" r="3"/><circle cx="18" cy="12" r="3"/><path d="M9 12h6"/>"#,
    ),
    (
        "properties",
        r#"<path d="M4 6h10M18 6h2M4 12h4M12 12h8M4 18h12M20 18h0"/><circle cx="16" cy="6" r="2"/><circle cx="10" cy="12" r="2"/><circle cx="18" cy="18" r="2"/>"#,
    ),
    (
        "schemas",
        r#"<path d="M12 3 20 7.5v9L12 21l-8-4.5v-9zM12 12l8-4.5M12 12v9M12 12 4 7.5"/>"#,
    ),
    (
        "owners",
        r#"<circle cx="12" cy="8" r="4"/><path d="M4 21c1-4.5 15-4.5 16 0"/>"#,
    ),
    ("pipelines", r#"<path d="M3 5h18l-7 8v6l-4 2v-8z"/>"#),
    (
        "engagements",
        r#"<path d="M4 5h16v11H9l-5 4z"/><path d="M8 9h8M8 12h5"/>"#,
    ),
    (
        "account",
        r#"<path d="M4 21V7l8-4 8 4v14M9 21v-5h6v5M8 10h2M14 10h2"/>"#,
    ),
    (
        "workflows",
        r#"<rect x="3" y="3" width="7" height="6" rx="1"/><rect x="14" y="15" width="7" height="6" rx="1"/><path d="M6.5 9v4a2 2 0 0 0 2 2h5.5"/>"#,
    ),
    (
        "lists",
        r#"<path d="M9 6h12M9 12h12M9 18h12"/><circle cx="4.5" cy="6" r="1.2"/><circle cx="4.5" cy="12" r="1.2"/><circle cx="4.5" cy="18" r="1.2"/>"#,
    ),
    (
        "reports",
        r#"<path d="M4 20V4M4 20h16"/><rect x="7" y="12" width="3" height="6"/><rect x="12" y="8" width="3" height="10"/><rect x="17" y="5" width="3" height="13"/>"#,
    ),
    ("diagnostics", r#"<path d="M3 12h4l2-5 4 10 2-5h6"/>"#),
];

/// The whole SVG of the icon called `name`.
pub(crate) fn svg(name: &str) -> Option<String> {
    let (_, inner) = GLYPHS.iter().find(|(n, _)| *n == name)?;
    Some(format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" width="24" height="24" fill="none" stroke="{COLOUR}" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round">{inner}</svg>"#
    ))
}

/// The server's icon as a `data:` URI (base64: a URI must not hold the SVG's spaces and quotes).
pub(crate) fn server_data_uri() -> String {
    use base64::Engine as _;
    let svg = svg("server").unwrap_or_default();
    format!(
        "data:image/svg+xml;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(svg)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Toolset;

    #[test]
    fn every_family_has_an_icon_and_each_is_well_formed() {
        for f in Toolset::ALL {
            let s = svg(f.as_str()).unwrap_or_else(|| panic!("no icon for {}", f.as_str()));
            assert!(s.starts_with("<svg ") && s.ends_with("</svg>"));
            assert_eq!(s.matches('<').count(), s.matches('>').count(), "{s}");
        }
        assert!(svg("server").is_some());
        assert!(svg("../etc").is_none());
        let uri = server_data_uri();
        assert!(uri.starts_with("data:image/svg+xml;base64,"), "{uri}");
        // A URI: no spaces, quotes, angle brackets or `#` (the conformance suite checks `format: uri`).
        assert!(
            !uri.chars()
                .any(|c| matches!(c, ' ' | '"' | '\'' | '<' | '>' | '#')),
            "{uri}"
        );
    }
}
