//! `GET /oauth/authorize`, the sign-in page (app.hubspot.com's, reduced to choosing one of the sandbox's
//! users), and `POST /oauth/authorize`, where its form goes: allow → 302 to
//! `redirect_uri?code=…&state=…`; deny → 302 to `redirect_uri?error=access_denied&error_description=…&state=…`.
//! Both check `client_id`, `redirect_uri` and `scope` first; a bad one gets an HTML error page (400) and
//! the browser is never sent to an unchecked `redirect_uri`.

use super::form::{callback, check_redirect_uri, scopes, Form};
use super::page::{self, Pending};
use super::tokens::{Grant, Tokens};
use super::{html, redirect, users};
use crate::http::{Request, Response};
use crate::OAUTH_CLIENT_ID;

/// The parameters the page and the form carry.
const PARAMS: [&str; 5] = [
    "client_id",
    "redirect_uri",
    "scope",
    "optional_scope",
    "state",
];

/// A checked authorization request.
struct Checked<'a> {
    pending: Pending<'a>,
    /// Required and optional scopes the sandbox knows (unknown optional ones are dropped, as HubSpot
    /// drops optional scopes the account lacks).
    requested: Vec<String>,
}

fn check(form: &Form) -> Result<Checked<'_>, String> {
    if let Some(n) = form.repeated(&PARAMS) {
        return Err(format!("The parameter {n} is given more than once."));
    }
    let client_id = form
        .get("client_id")
        .ok_or("The client_id parameter is missing.")?;
    if client_id != OAUTH_CLIENT_ID {
        return Err(format!(
            "Unknown client_id {client_id:?}: the sandbox's app is {OAUTH_CLIENT_ID}."
        ));
    }
    let redirect_uri = form
        .get("redirect_uri")
        .ok_or("The redirect_uri parameter is missing.")?;
    check_redirect_uri(redirect_uri).map_err(|e| format!("Invalid redirect_uri: {e}."))?;
    let scope = form
        .get("scope")
        .ok_or("The scope parameter is missing: list the scopes the app requires.")?;
    let mut requested = scopes(Some(scope));
    if requested.is_empty() {
        return Err("The scope parameter names no scope.".into());
    }
    if let Some(bad) = requested.iter().find(|s| !users::known_scope(s)) {
        return Err(format!(
            "Unknown scope {bad:?}: the sandbox knows the CRM scopes and oauth."
        ));
    }
    let optional_scope = form.get("optional_scope");
    for s in scopes(optional_scope) {
        if users::known_scope(&s) && !requested.contains(&s) {
            requested.push(s);
        }
    }
    Ok(Checked {
        pending: Pending {
            client_id,
            redirect_uri,
            scope,
            optional_scope,
            state: form.get("state"),
        },
        requested,
    })
}

/// `GET /oauth/authorize?client_id&redirect_uri&scope&optional_scope&state`
pub(super) fn page(req: &Request) -> Response {
    let form = Form::parse(&req.query);
    match check(&form) {
        Ok(c) => html(200, page::sign_in(&c.pending)),
        Err(why) => html(400, page::error(&why)),
    }
}

/// `POST /oauth/authorize` (form: `user`, `decision`, and the page's parameters)
pub(super) fn decide(tokens: &Tokens, req: &Request) -> Response {
    let form = match Form::body(req) {
        Ok(f) => f,
        Err(why) => return html(400, page::error(&why)),
    };
    let c = match check(&form) {
        Ok(c) => c,
        Err(why) => return html(400, page::error(&why)),
    };
    let state = c.pending.state;
    let with_state = |mut params: Vec<(&'static str, String)>| {
        if let Some(s) = state {
            params.push(("state", s.to_string()));
        }
        params
    };
    match form.get("decision") {
        Some("deny") => {
            let params = with_state(vec![
                ("error", "access_denied".into()),
                (
                    "error_description",
                    "The user denied the app access to the account.".into(),
                ),
            ]);
            redirect(&callback(c.pending.redirect_uri, &borrowed(&params)))
        }
        Some("allow") => {
            let Some(user) = form.get("user").and_then(users::find) else {
                return html(400, page::error("Choose one of the users to sign in as."));
            };
            let grant = Grant {
                user,
                scopes: users::granted(user, &c.requested),
                visibility: users::visibility(user),
            };
            match tokens.issue_code(grant, c.pending.redirect_uri) {
                Ok(code) => {
                    let params = with_state(vec![("code", code)]);
                    redirect(&callback(c.pending.redirect_uri, &borrowed(&params)))
                }
                Err(_) => html(
                    500,
                    page::error("The sandbox could not make a code; try again."),
                ),
            }
        }
        _ => html(400, page::error("The decision must be allow or deny.")),
    }
}

fn borrowed<'a>(params: &'a [(&'static str, String)]) -> Vec<(&'a str, &'a str)> {
    params.iter().map(|(k, v)| (*k, v.as_str())).collect()
}
