//! The two HTML pages a person sees: the consent page (which client, where it sends them back, what it
//! asks for) and the error page (shown instead of redirecting when the client or its redirect URI cannot
//! be trusted). Small, server-rendered, no script, readable on a phone, framing denied by the headers the
//! caller adds ([`SECURITY_HEADERS`]).

/// Headers every page carries: no framing (clickjacking), no script, no caching, no referrer leak.
pub(crate) const SECURITY_HEADERS: [(&str, &str); 6] = [
    ("X-Frame-Options", "DENY"),
    (
        "Content-Security-Policy",
        "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'",
    ),
    ("Cache-Control", "no-store"),
    ("Referrer-Policy", "no-referrer"),
    ("X-Content-Type-Options", "nosniff"),
    ("Pragma", "no-cache"),
];

/// Escapes text for HTML content and attribute values.
pub(crate) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = "body{font:16px/1.5 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;background:#f5f8fa;color:#213343}\
main{max-width:32rem;margin:2rem auto;padding:1.5rem;background:#fff;border:1px solid #cbd6e2;border-radius:8px}\
h1{font-size:1.3rem;margin:0 0 1rem}dl{margin:0 0 1rem}dt{font-weight:600;margin-top:.6rem}dd{margin:0;overflow-wrap:anywhere}\
ul{padding-left:1.2rem}.note{font-size:.9rem;color:#516f90}.actions{display:flex;gap:.75rem;flex-wrap:wrap;margin-top:1.25rem}\
button{font:inherit;padding:.6rem 1.2rem;border-radius:6px;border:1px solid #cbd6e2;background:#fff;cursor:pointer;min-height:44px}\
button.primary{background:#ff7a59;border-color:#ff7a59;color:#fff}button:focus{outline:3px solid #0091ae;outline-offset:2px}\
@media (max-width:36rem){main{margin:0;border:0;border-radius:0}}";

/// A whole page: `body` (already escaped) in the shared frame.
pub(crate) fn document(title: &str, body: &str) -> String {
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"><title>{}</title><style>{STYLE}</style></head>\
<body><main>{body}</main></body></html>",
        escape(title)
    )
}

/// What the consent page shows.
pub(crate) struct Consent<'a> {
    /// The name the client gives itself.
    pub(crate) client_name: &'a str,
    /// The host of its client ID metadata document, when it has one.
    pub(crate) client_host: Option<&'a str>,
    /// Where the person is sent back.
    pub(crate) redirect_host: &'a str,
    /// What the client asks for, in words.
    pub(crate) access: &'a [String],
    /// The sealed request and the CSRF token the form posts back.
    pub(crate) request: &'a str,
    /// The CSRF token (also in a cookie).
    pub(crate) csrf: &'a str,
    /// Where the form posts.
    pub(crate) action: &'a str,
}

/// The consent page.
pub(crate) fn consent(c: &Consent<'_>) -> String {
    let access: String = c
        .access
        .iter()
        .map(|a| format!("<li>{}</li>", escape(a)))
        .collect();
    let from = match c.client_host {
        Some(h) => format!("<dt>Client identity</dt><dd>published at <strong>{}</strong></dd>", escape(h)),
        None => "<dt>Client identity</dt><dd>registered itself with this server (its name is its own claim)</dd>".into(),
    };
    let body = format!(
        "<h1>Allow {name} to use your HubSpot CRM?</h1>\
<dl><dt>Application</dt><dd>{name}</dd>{from}\
<dt>After you decide, you go back to</dt><dd><strong>{redirect}</strong></dd>\
<dt>It asks to</dt><dd><ul>{access}</ul></dd></dl>\
<p class=\"note\">Next, you sign in to HubSpot. The application acts as you: it sees and changes only what your \
HubSpot user may. It never receives your HubSpot password or tokens. Only allow applications you started yourself.</p>\
<form method=\"post\" action=\"{action}\">\
<input type=\"hidden\" name=\"request\" value=\"{request}\">\
<input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
<div class=\"actions\"><button class=\"primary\" type=\"submit\" name=\"decision\" value=\"allow\">Allow and sign in to HubSpot</button>\
<button type=\"submit\" name=\"decision\" value=\"deny\">Deny</button></div></form>",
        name = escape(c.client_name),
        redirect = escape(c.redirect_host),
        action = escape(c.action),
        request = escape(c.request),
        csrf = escape(c.csrf),
    );
    document("Allow access to HubSpot", &body)
}

/// The error page: what went wrong and that nothing was granted.
pub(crate) fn error(title: &str, detail: &str) -> String {
    let body = format!(
        "<h1>{}</h1><p>{}</p><p class=\"note\">Nothing was granted. Go back to the application and start again.</p>",
        escape(title),
        escape(detail)
    );
    document(title, &body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn everything_shown_is_escaped() {
        let html = consent(&Consent {
            client_name: "<script>alert(1)</script>",
            client_host: Some("a\"b"),
            redirect_host: "127.0.0.1",
            access: &["read & <b>".into()],
            request: "r\"",
            csrf: "c",
            action: "/oauth/consent",
        });
        assert!(!html.contains("<script>"));
        assert!(html.contains("&lt;script&gt;"));
        assert!(html.contains("a&quot;b"));
        assert!(html.contains("read &amp; &lt;b&gt;"));
        assert!(!html.contains("<script"));
    }
}
