//! The approval page, `/approvals/<id>`: what the change is, and Approve / Reject. The id is 128 random
//! bits and the page decides once (pending → approved or rejected). The link passes through the model
//! when the client cannot ask, so a decision takes a POST carrying the CSRF token of the page as served
//! (also held in an `HttpOnly`, `SameSite=Strict` cookie scoped to the page), from this server's own
//! origin: a link the model opens, or a form on another site, cannot approve by itself. Framing is
//! denied (clickjacking) and nothing is cached.

use super::record::{Record, Status};
use super::Approvals;
use crate::oauth::form::Form;
use crate::oauth::page::{document, escape};
use crate::oauth::{cookie_value, Page};

/// The path prefix of approval pages.
pub(crate) const PAGE_PREFIX: &str = "/approvals/";
/// The cookie holding the page's CSRF token.
const CSRF_COOKIE: &str = "hsmcp_approval";

/// What the HTTP layer hands the page.
#[derive(Debug)]
pub(crate) struct PageRequest<'a> {
    /// `GET` or `POST` (anything else is 405).
    pub(crate) method: &'a str,
    /// The path, `/approvals/<id>`.
    pub(crate) path: &'a str,
    /// The body of a POST (`application/x-www-form-urlencoded`).
    pub(crate) body: &'a [u8],
    /// The `Cookie` header.
    pub(crate) cookie: Option<&'a str>,
    /// The `Origin` header (browsers send it on every POST).
    pub(crate) origin_header: Option<&'a str>,
    /// The `Sec-Fetch-Site` header, when the browser sends one.
    pub(crate) fetch_site: Option<&'a str>,
    /// This server's public origin.
    pub(crate) origin: &'a str,
    /// `oauth` mode: who signed in in this browser (`Some(None)`: nobody); `None` outside `oauth`
    /// mode, where the one-time link is the capability.
    pub(crate) person: Option<Option<String>>,
}

/// What the page answers.
pub(crate) type PageReply = Page;

fn gone() -> Page {
    html(
        404,
        document(
            "Approval not found",
            "<h1>This approval is not available</h1><p>It is unknown, or it has lapsed. Nothing will be \
             changed through it. Ask your assistant to make the change again if you still want it.</p>",
        ),
    )
}

/// A page of this module: the shared security headers, but the referrer policy `same-origin`, so
/// that browsers send the page's own origin with its form.
fn html(status: u16, body: String) -> Page {
    let mut p = Page::html(status, body);
    for (k, v) in p.headers.iter_mut() {
        if k.eq_ignore_ascii_case("Referrer-Policy") {
            *v = "same-origin".into();
        }
    }
    p
}

fn message(status: u16, title: &str, text: &str) -> Page {
    html(
        status,
        document(
            title,
            &format!("<h1>{}</h1><p>{}</p>", escape(title), escape(text)),
        ),
    )
}

/// The page for one request.
pub(crate) fn serve(a: &Approvals, req: &PageRequest<'_>) -> Page {
    let id = req.path.strip_prefix(PAGE_PREFIX).unwrap_or("");
    if id.len() != 32 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
        return gone();
    }
    let (record, status) = match a.ledger.get(id) {
        Ok(Some(x)) => x,
        Ok(None) => return gone(),
        Err(e) => {
            log::warn!(error = e.to_string(); "approval page: store failed");
            return message(
                503,
                "Try again shortly",
                "The approval store is unavailable. Nothing was changed.",
            )
            .with_header("Retry-After", "5".into());
        }
    };
    // In `oauth` mode only the person the approval was asked for decides, signed in through HubSpot in
    // this browser (the same sign-in as their MCP client's, or one made from this page).
    if let Some(person) = &req.person {
        if person.as_deref() != Some(record.principal.as_str()) {
            return sign_in(&record, person.is_some());
        }
    }
    match req.method {
        "GET" | "HEAD" => show(&record, status, req),
        "POST" => decide(a, &record, status, req),
        _ => message(405, "Not allowed", "Use the page's buttons.")
            .with_header("Allow", "GET, POST".into()),
    }
}

/// The page for a browser not signed in as the approval's person: a way to sign in, and nothing of the
/// change.
fn sign_in(r: &Record, someone_else: bool) -> Page {
    let who = if someone_else {
        "This browser is signed in as someone else than the person this change was asked for."
    } else {
        "Sign in with the HubSpot account you use with your AI assistant to review this change."
    };
    let link = format!(
        "/oauth/signin?next={}",
        crate::oauth::form::encode(&format!("{PAGE_PREFIX}{}", r.id))
    );
    html(
        403,
        document(
            "Sign in to review a change",
            &format!(
                "<h1>Sign in to review this change</h1><p>{}</p>\
<div class=\"actions\"><a class=\"primary\" id=\"signin\" href=\"{}\">Sign in with HubSpot</a></div>",
                escape(who),
                escape(&link)
            ),
        ),
    )
}

fn status_page(status: Status) -> Page {
    match status {
        Status::Approved | Status::Used => message(
            200,
            "Already approved",
            "This change was approved. Go back to your assistant.",
        ),
        Status::Rejected => message(
            200,
            "Rejected",
            "This change was rejected; nothing will be changed through this approval.",
        ),
        Status::Pending => gone(),
    }
}

fn show(r: &Record, status: Status, req: &PageRequest<'_>) -> Page {
    if status != Status::Pending {
        return status_page(status);
    }
    let body = format!(
        "<h1>Approve this change to HubSpot?</h1>\
<p class=\"note\">An AI assistant asked to make this change with your access. Check every value.</p>\
<pre style=\"white-space:pre-wrap;overflow-wrap:anywhere;background:#f5f8fa;padding:.75rem;border-radius:6px\">{summary}</pre>\
<dl><dt>Tool</dt><dd>{tool}</dd></dl>\
<form method=\"post\" action=\"{action}\">\
<input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
<div class=\"actions\"><button class=\"primary\" type=\"submit\" name=\"decision\" value=\"approve\" id=\"approve\">Approve</button>\
<button type=\"submit\" name=\"decision\" value=\"reject\" id=\"reject\">Reject</button></div></form>\
<p class=\"note\">Approving allows this one change, once. If you did not ask your assistant for it, reject it.</p>",
        summary = escape(&r.summary),
        tool = escape(&r.tool),
        action = escape(&format!("{PAGE_PREFIX}{}", r.id)),
        csrf = escape(&r.csrf),
    );
    let secure = if req.origin.starts_with("https://") {
        "; Secure"
    } else {
        ""
    };
    html(200, document("Approve a change to HubSpot", &body)).with_header(
        "Set-Cookie",
        format!(
            "{CSRF_COOKIE}={}; Path={PAGE_PREFIX}{}; HttpOnly; SameSite=Strict; Max-Age=3600{secure}",
            r.csrf, r.id
        ),
    )
}

fn decide(a: &Approvals, r: &Record, status: Status, req: &PageRequest<'_>) -> Page {
    if status != Status::Pending {
        return status_page(status);
    }
    // Browsers send their Origin with every form POST (this page's referrer policy lets them name it):
    // a decision without this server's origin did not come from a browser showing this page. A client
    // that forges the header still needs the page's token and cookie; docs/approvals.md says what that
    // leaves possible without sign-in.
    let same_origin = req
        .origin_header
        .is_some_and(|o| o.trim_end_matches('/') == req.origin.trim_end_matches('/'));
    if !same_origin || req.fetch_site.is_some_and(|s| s != "same-origin") {
        return message(403, "Not allowed", "The decision must come from this page.");
    }
    let form = match std::str::from_utf8(req.body)
        .ok()
        .and_then(|s| Form::parse(s).ok())
    {
        Some(f) => f,
        None => return message(400, "Not understood", "Use the page's buttons."),
    };
    let csrf_ok = form.get("csrf") == Some(r.csrf.as_str())
        && cookie_value(req.cookie, CSRF_COOKIE) == Some(r.csrf.as_str());
    if !csrf_ok {
        return message(
            403,
            "Not allowed",
            "This decision did not come from the approval page as served to this browser. Reload the page and \
             decide again.",
        );
    }
    let approve = match form.get("decision") {
        Some("approve") => true,
        Some("reject") => false,
        _ => return message(400, "Not understood", "Use the page's buttons."),
    };
    match a.decide_on_page(r, approve) {
        Ok(true) if approve => message(
            200,
            "Approved",
            "The change is approved. Go back to your assistant: it makes the change now, or when you tell it to \
             continue.",
        ),
        Ok(true) => message(
            200,
            "Rejected",
            "The change was rejected. Nothing was changed.",
        ),
        Ok(false) => match a.ledger.get(&r.id) {
            Ok(Some((_, s))) => status_page(s),
            _ => gone(),
        },
        Err(e) => {
            log::warn!(error = e.to_string(); "approval page: store failed");
            message(
                503,
                "Try again shortly",
                "The approval store is unavailable. Nothing was changed.",
            )
        }
    }
}
