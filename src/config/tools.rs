//! [`ToolSettings`]: which tools are exposed, and how much they may say and cache.

use std::time::Duration;

use super::parse::Parser;
use super::profiles::ProfileSpec;
use super::toolset::Toolset;
use super::vars;

/// What the tool registry and the tools' shared services read.
#[derive(Debug, Clone)]
pub(crate) struct ToolSettings {
    /// `HUBSPOT_TOOLSETS`: the families to expose; `None` = all.
    pub(crate) toolsets: Option<Vec<Toolset>>,
    /// `HUBSPOT_READ_ONLY`: list and allow only tools that change nothing.
    pub(crate) read_only: bool,
    /// `HUBSPOT_CACHE_TTL_MS`: how long metadata (properties, schemas, pipelines, owners) is cached.
    pub(crate) cache_ttl: Duration,
    /// `HUBSPOT_CACHE_MAX_ENTRIES`: metadata cache size.
    pub(crate) cache_max: usize,
    /// `MCP_TOOL_TEXT_LIMIT`: characters of text a tool result carries before it is cut (with a notice
    /// and the cursor to continue).
    pub(crate) text_limit: usize,
    /// `MCP_TOOLS_PAGE_SIZE`: tools per `tools/list` page.
    pub(crate) page_size: usize,
    /// `MCP_TOOL_PROFILES`: the operator's own tool profiles.
    pub(crate) profiles: Vec<ProfileSpec>,
}

impl ToolSettings {
    pub(super) fn parse(p: &mut Parser<'_>) -> ToolSettings {
        let names = p.items(&vars::HUBSPOT_TOOLSETS, str::to_ascii_lowercase);
        let toolsets = names.map(|names| {
            names
                .iter()
                .filter_map(|name| {
                    let set = Toolset::parse(name);
                    if set.is_none() {
                        p.invalid(&vars::HUBSPOT_TOOLSETS, Toolset::EXPECTED, name);
                    }
                    set
                })
                .collect()
        });
        ToolSettings {
            toolsets,
            read_only: p.flag(&vars::HUBSPOT_READ_ONLY),
            cache_ttl: p.millis(&vars::HUBSPOT_CACHE_TTL_MS),
            cache_max: p.count(&vars::HUBSPOT_CACHE_MAX_ENTRIES),
            text_limit: p.count(&vars::MCP_TOOL_TEXT_LIMIT),
            page_size: p.count(&vars::MCP_TOOLS_PAGE_SIZE),
            profiles: super::profiles::parse(p),
        }
    }
}
