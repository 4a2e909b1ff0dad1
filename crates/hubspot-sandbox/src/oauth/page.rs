//! The HTML of the sign-in page (app.hubspot.com's `/oauth/authorize`, reduced to choosing one of the
//! sandbox's users) and of its error page: small, no script, labelled controls, usable without
//! JavaScript and without CSS. Every value from the request is HTML-escaped.

use crate::types::PORTAL_ID;
use crate::OAUTH_USERS;

/// What the sign-in form carries forward in hidden fields.
pub(super) struct Pending<'a> {
    pub(super) client_id: &'a str,
    pub(super) redirect_uri: &'a str,
    pub(super) scope: &'a str,
    pub(super) optional_scope: Option<&'a str>,
    pub(super) state: Option<&'a str>,
}

/// Escapes text for HTML content and quoted attribute values.
pub(super) fn escape(s: &str) -> String {
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

const STYLE: &str = "body{font-family:system-ui,sans-serif;max-width:36rem;margin:2rem auto;padding:0 1rem;\
line-height:1.45;color:#33475b}fieldset{border:1px solid #cbd6e2;border-radius:6px;padding:.5rem 1rem}\
label{display:block;padding:.5rem 0}.desc{display:block;margin-left:1.6rem;color:#516f90}\
button{font:inherit;padding:.5rem 1.2rem;margin:1rem .5rem 0 0}code{word-break:break-all}";

fn document(title: &str, main: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{title}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<main>\n{main}</main>\n</body>\n</html>\n",
        title = escape(title)
    )
}

fn hidden(name: &str, value: &str) -> String {
    format!(
        "<input type=\"hidden\" name=\"{}\" value=\"{}\">\n",
        escape(name),
        escape(value)
    )
}

/// The sign-in page: the users as radio buttons, Allow and Deny buttons.
pub(super) fn sign_in(p: &Pending<'_>) -> String {
    let mut main = format!(
        "<h1>Sign in to HubSpot</h1>\n<p>The app <strong>{client}</strong> asks to connect to the sandbox \
         account {PORTAL_ID} with these scopes: <code>{scope}</code>{optional}.</p>\n\
         <form method=\"post\" action=\"/oauth/authorize\">\n",
        client = escape(p.client_id),
        scope = escape(p.scope),
        optional = p
            .optional_scope
            .map(|o| format!(" (optional: <code>{}</code>)", escape(o)))
            .unwrap_or_default(),
    );
    main.push_str(&hidden("client_id", p.client_id));
    main.push_str(&hidden("redirect_uri", p.redirect_uri));
    main.push_str(&hidden("scope", p.scope));
    if let Some(o) = p.optional_scope {
        main.push_str(&hidden("optional_scope", o));
    }
    if let Some(s) = p.state {
        main.push_str(&hidden("state", s));
    }
    main.push_str("<fieldset>\n<legend>Choose the user to sign in as</legend>\n");
    for u in OAUTH_USERS {
        let id = format!("user-{}", escape(u.login));
        main.push_str(&format!(
            "<label for=\"{id}\"><input type=\"radio\" id=\"{id}\" name=\"user\" value=\"{login}\" required \
             aria-describedby=\"{id}-desc\"> <strong>{name}</strong> ({email})\
             <span class=\"desc\" id=\"{id}-desc\">{desc}</span></label>\n",
            login = escape(u.login),
            name = escape(u.name),
            email = escape(u.email),
            desc = escape(u.description),
        ));
    }
    main.push_str(
        "</fieldset>\n<button type=\"submit\" name=\"decision\" value=\"allow\">Connect app</button>\
         <button type=\"submit\" name=\"decision\" value=\"deny\" formnovalidate>Cancel</button>\n</form>\n",
    );
    document("Sign in to HubSpot (sandbox)", &main)
}

/// The error page: what was wrong with the request; the app is not redirected to.
pub(super) fn error(message: &str) -> String {
    document(
        "Sign-in error (HubSpot sandbox)",
        &format!(
            "<h1>Sign-in error</h1>\n<p role=\"alert\">{}</p>\n<p>The app was not contacted. Check the \
             authorization URL it sent you here with.</p>\n",
            escape(message)
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_lists_users() {
        assert_eq!(
            escape("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
        let html = sign_in(&Pending {
            client_id: "c",
            redirect_uri: "https://h/cb?a=1&b=\"2\"",
            scope: "oauth",
            optional_scope: None,
            state: Some("<s>"),
        });
        assert!(html.contains("<input type=\"hidden\" name=\"redirect_uri\" value=\"https://h/cb?a=1&amp;b=&quot;2&quot;\">"));
        assert!(html.contains("value=\"&lt;s&gt;\""));
        assert!(!html.contains("optional_scope"));
        assert!(!html.contains("<script"));
        for u in OAUTH_USERS {
            assert!(html.contains(u.name) && html.contains(&format!("value=\"{}\"", u.login)));
        }
        assert!(error("bad <uri>").contains("bad &lt;uri&gt;"));
    }
}
