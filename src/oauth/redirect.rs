//! Redirect URIs: what a client may register, and whether an authorize request's `redirect_uri` is one of
//! them. The match is exact (OAuth 2.1), except that a loopback URI (`http://127.0.0.1`, `http://[::1]`,
//! `http://localhost`) matches on any port (RFC 8252 §7.3: native clients pick a free port each time).

/// Longest redirect URI accepted.
const MAX_URI_LEN: usize = 2048;

/// Why a redirect URI cannot be registered.
pub(crate) fn check_registrable(uri: &str) -> Result<(), String> {
    if uri.len() > MAX_URI_LEN {
        return Err("a redirect URI is longer than 2048 characters".into());
    }
    if uri.contains('#') {
        return Err(format!(
            "redirect URI {uri:?} has a fragment (RFC 6749 §3.1.2)"
        ));
    }
    if uri.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("a redirect URI contains whitespace".into());
    }
    let Some((scheme, rest)) = uri.split_once("://") else {
        // A private-use scheme (`com.example.app:/callback`, RFC 8252 §7.1).
        let scheme = uri.split(':').next().unwrap_or("");
        if scheme.contains('.')
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
        {
            return Ok(());
        }
        return Err(format!("redirect URI {uri:?} is not an absolute URI"));
    };
    // The authority is what the consent page shows: plain host[:port] only, so nothing can make it read
    // as another site (userinfo `a@b`, a backslash browsers take for `/`, percent-escapes, bidi text).
    let auth = authority(rest);
    if auth.is_empty()
        || !auth
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'[' | b']'))
    {
        return Err(format!(
            "redirect URI {uri:?}: its host must be a plain host name or address (no userinfo, backslash, escapes or non-ASCII)"
        ));
    }
    match scheme {
        "https" => Ok(()),
        "http" if is_loopback_authority(authority(rest)) => Ok(()),
        "http" => Err(format!(
            "redirect URI {uri:?}: plain http is allowed only to a loopback address (RFC 8252)"
        )),
        "javascript" | "data" | "file" | "vbscript" => {
            Err(format!("redirect URI scheme {scheme:?} is not allowed"))
        }
        s if s.contains('.') => Ok(()),
        _ => Err(format!(
            "redirect URI {uri:?} must be https, loopback http, or a private-use scheme"
        )),
    }
}

fn authority(rest: &str) -> &str {
    rest.split(['/', '?', '#']).next().unwrap_or("")
}

/// Host and port of an authority (`[::1]:8080` → (`[::1]`, Some("8080"))).
fn host_port(auth: &str) -> (&str, Option<&str>) {
    if auth.starts_with('[') {
        if let Some(end) = auth.find(']') {
            let (h, p) = auth.split_at(end + 1);
            return match p.strip_prefix(':') {
                Some(port) => (h, Some(port)),
                // Anything else after `]` is not a port: the whole text is the (unmatchable) host.
                None if p.is_empty() => (h, None),
                None => (auth, None),
            };
        }
        return (auth, None);
    }
    match auth.rsplit_once(':') {
        Some((h, p)) => (h, Some(p)),
        None => (auth, None),
    }
}

fn is_loopback_authority(auth: &str) -> bool {
    if auth.contains('@') {
        return false;
    }
    let (host, port) = host_port(auth);
    let port_ok =
        port.is_none_or(|p| !p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit()));
    port_ok
        && matches!(
            host.to_ascii_lowercase().as_str(),
            "127.0.0.1" | "[::1]" | "localhost"
        )
}

/// Whether `given` matches `registered`: exactly, or for a loopback http URI, on any port.
pub(crate) fn matches(registered: &str, given: &str) -> bool {
    if given
        .chars()
        .any(|c| c.is_control() || c == '\\' || !c.is_ascii())
    {
        return false;
    }
    if registered == given {
        return true;
    }
    let (Some(r), Some(g)) = (
        registered.strip_prefix("http://"),
        given.strip_prefix("http://"),
    ) else {
        return false;
    };
    let (ra, rp) = r.split_at(r.find(['/', '?']).unwrap_or(r.len()));
    let (ga, gp) = g.split_at(g.find(['/', '?']).unwrap_or(g.len()));
    if !is_loopback_authority(ra) || !is_loopback_authority(ga) || rp != gp {
        return false;
    }
    host_port(ra).0.eq_ignore_ascii_case(host_port(ga).0)
}

/// `uri` with `params` added to its query (values percent-encoded).
pub(crate) fn with_query(uri: &str, params: &[(&str, &str)]) -> String {
    let mut out = uri.to_string();
    let mut sep = if uri.contains('?') { '&' } else { '?' };
    for (k, v) in params {
        out.push(sep);
        out.push_str(k);
        out.push('=');
        out.push_str(&crate::oauth::form::encode(v));
        sep = '&';
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registrable_uris() {
        assert!(check_registrable("https://claude.ai/api/mcp/auth_callback").is_ok());
        assert!(check_registrable("http://127.0.0.1:33418/callback").is_ok());
        assert!(check_registrable("http://localhost/cb").is_ok());
        assert!(check_registrable("http://[::1]:9/cb").is_ok());
        assert!(check_registrable("cursor.app:/oauth/callback").is_ok());
        assert!(check_registrable("http://evil.example/cb").is_err());
        assert!(check_registrable("http://127.0.0.1@evil.example/cb").is_err());
        assert!(check_registrable("https://a.example/cb#frag").is_err());
        assert!(check_registrable("javascript:alert(1)").is_err());
        assert!(check_registrable("relative/cb").is_err());
        for spoof in [
            "https://claude.ai@evil.example/cb",
            "https://evil.example\\@claude.ai/cb",
            "https://evil.example%2fclaude.ai/cb",
            "https://claude.ai\u{202e}elpmaxe.live/cb",
            "https:///cb",
        ] {
            assert!(check_registrable(spoof).is_err(), "{spoof}");
        }
    }

    #[test]
    fn exact_match_except_loopback_ports() {
        assert!(matches("https://a.example/cb", "https://a.example/cb"));
        assert!(!matches("https://a.example/cb", "https://a.example/cb/"));
        assert!(!matches("https://a.example/cb", "https://a.example:444/cb"));
        assert!(matches("http://127.0.0.1/cb", "http://127.0.0.1:5555/cb"));
        assert!(matches("http://localhost:1/cb", "http://localhost:2/cb"));
        assert!(!matches(
            "http://127.0.0.1/cb",
            "http://127.0.0.1:5555/other"
        ));
        assert!(!matches("http://127.0.0.1/cb", "http://localhost:5555/cb"));
        assert!(!matches(
            "http://127.0.0.1/cb",
            "http://127.0.0.1.evil.example/cb"
        ));
    }

    #[test]
    fn query_is_appended_encoded() {
        assert_eq!(
            with_query(
                "https://a.example/cb?x=1",
                &[("code", "a b"), ("state", "s&t")]
            ),
            "https://a.example/cb?x=1&code=a%20b&state=s%26t"
        );
    }
}
