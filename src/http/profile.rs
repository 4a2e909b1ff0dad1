//! Which tool profile a request to `/mcp` asks for: the path (`/mcp/<profile>`), or on `/mcp` itself the
//! `MCP-Tool-Profile` header, for clients that can set headers but not change a URL's path. An unknown
//! profile is a 404 naming the ones there are; a header contradicting the path is a 400.

use serde_json::json;

use crate::http::message::{Reply, Req};
use crate::tools::profile::{Chosen, ProfileId, HEADER};
use crate::tools::Registry;

/// The profile in `path`: `Some(None)` for `/mcp` itself, `Some(Some(name))` for `/mcp/<name>`, `None`
/// for any other path.
pub(crate) fn in_path(path: &str) -> Option<Option<&str>> {
    let rest = path.strip_prefix("/mcp")?;
    if rest.is_empty() || rest == "/" {
        return Some(None);
    }
    let name = rest.strip_prefix('/')?;
    let name = name.strip_suffix('/').unwrap_or(name);
    (!name.is_empty() && !name.contains('/')).then_some(Some(name))
}

/// The profile a request to an MCP path is served with, or the refusal.
pub(crate) fn choose(reg: &Registry, req: &Req) -> Result<Chosen, Reply> {
    let profiles = reg.profiles();
    let header = req.get(HEADER).map(str::trim);
    let unknown = |name: &str| {
        let names: Vec<&str> = profiles.names().collect();
        Reply::json(
            404,
            json!({
                "error": "unknown tool profile",
                "profile": name.chars().take(64).collect::<String>(),
                "profiles": names,
                "hint": "connect to /mcp for every tool, or /mcp/<profile> for one of these",
            })
            .to_string(),
        )
    };
    match in_path(&req.path) {
        Some(Some(name)) => {
            let id = profiles.find(name).ok_or_else(|| unknown(name))?;
            if let Some(h) = header.filter(|h| !h.eq_ignore_ascii_case(name)) {
                return Err(Reply::json(
                    400,
                    json!({
                        "error": "conflicting tool profile",
                        "hint": format!("the URL names the profile {name:?} and the MCP-Tool-Profile header {:?}: send one", h.chars().take(64).collect::<String>()),
                    })
                    .to_string(),
                ));
            }
            Ok(Chosen {
                id,
                by_header: false,
            })
        }
        _ => match header {
            None => Ok(Chosen::default()),
            Some(h) => {
                let lower = h.to_ascii_lowercase();
                let id = profiles.find(&lower).ok_or_else(|| unknown(h))?;
                Ok(Chosen {
                    id,
                    by_header: id != ProfileId::ALL,
                })
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths() {
        assert_eq!(in_path("/mcp"), Some(None));
        assert_eq!(in_path("/mcp/"), Some(None));
        assert_eq!(in_path("/mcp/sales"), Some(Some("sales")));
        assert_eq!(in_path("/mcp/sales/"), Some(Some("sales")));
        assert_eq!(in_path("/mcp/a/b"), None);
        assert_eq!(in_path("/mcpx"), None);
        assert_eq!(in_path("/health"), None);
    }
}
