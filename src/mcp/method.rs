//! The MCP methods this server knows, as one closed enum parsed once per message
//! ([`crate::mcp::jsonrpc::parse_message`]): routing, the metrics' labels, the session and stateless
//! rules and the `Mcp-Name` header rule are all indexed by it, never by comparing names.

use crate::mcp::version::Revision;

/// A method this server serves (to some revision).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Method {
    /// `initialize` (session revisions; opens a session).
    Initialize,
    /// `ping` (session revisions).
    Ping,
    /// `tools/list`.
    ToolsList,
    /// `tools/call`.
    ToolsCall,
    /// `logging/setLevel` (session revisions).
    LoggingSetLevel,
    /// `server/discover` (2026-07-28).
    ServerDiscover,
    /// `resources/list`.
    ResourcesList,
    /// `resources/templates/list`.
    ResourcesTemplatesList,
    /// `resources/read`.
    ResourcesRead,
    /// `prompts/list`.
    PromptsList,
    /// `prompts/get`.
    PromptsGet,
}

impl Method {
    /// Every method, in the order of the metrics' labels (`Method::X as usize` is its index).
    const ALL: [Method; 11] = [
        Method::Initialize,
        Method::Ping,
        Method::ToolsList,
        Method::ToolsCall,
        Method::LoggingSetLevel,
        Method::ServerDiscover,
        Method::ResourcesList,
        Method::ResourcesTemplatesList,
        Method::ResourcesRead,
        Method::PromptsList,
        Method::PromptsGet,
    ];

    /// Its name on the wire.
    pub(crate) const fn name(self) -> &'static str {
        match self {
            Method::Initialize => "initialize",
            Method::Ping => "ping",
            Method::ToolsList => "tools/list",
            Method::ToolsCall => "tools/call",
            Method::LoggingSetLevel => "logging/setLevel",
            Method::ServerDiscover => "server/discover",
            Method::ResourcesList => "resources/list",
            Method::ResourcesTemplatesList => "resources/templates/list",
            Method::ResourcesRead => "resources/read",
            Method::PromptsList => "prompts/list",
            Method::PromptsGet => "prompts/get",
        }
    }

    /// The method named `name`, whatever the revision; `None` for a name this server does not know.
    pub(crate) fn parse(name: &str) -> Option<Method> {
        Method::ALL.into_iter().find(|m| m.name() == name)
    }

    /// Whether `revision` defines it (otherwise: -32601).
    pub(crate) fn available_in(self, revision: Revision) -> bool {
        match self {
            Method::Initialize | Method::Ping | Method::LoggingSetLevel => revision.has_sessions(),
            Method::ServerDiscover => !revision.has_sessions(),
            Method::ToolsList
            | Method::ToolsCall
            | Method::ResourcesList
            | Method::ResourcesTemplatesList
            | Method::ResourcesRead
            | Method::PromptsList
            | Method::PromptsGet => true,
        }
    }

    /// The param 2026-07-28's `Mcp-Name` header repeats, for the methods that have one.
    pub(crate) fn name_param(self) -> Option<&'static str> {
        match self {
            Method::ToolsCall | Method::PromptsGet => Some("name"),
            Method::ResourcesRead => Some("uri"),
            _ => None,
        }
    }

    /// Its index among the metrics' RPC labels.
    pub(crate) fn metric_index(self) -> usize {
        self as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_match_the_metric_labels() {
        for (i, m) in Method::ALL.into_iter().enumerate() {
            assert_eq!(Method::parse(m.name()), Some(m));
            assert_eq!(m.metric_index(), i);
            assert_eq!(crate::obs::metrics::RPC_METHODS[i], m.name());
        }
        assert_eq!(
            crate::obs::metrics::RPC_METHODS.len(),
            Method::ALL.len() + 2,
            "labels: every method, then notifications, then other"
        );
        assert_eq!(Method::parse("tools/Call"), None);
    }
}
