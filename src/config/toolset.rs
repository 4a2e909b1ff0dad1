//! [`Toolset`]: the tool families `HUBSPOT_TOOLSETS` selects (the tools read it as `tools::Family`).

/// The family a tool belongs to (`HUBSPOT_TOOLSETS` selects families).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Toolset {
    /// CRM records of any object type: list, get, search, create, update, archive.
    Records,
    /// Batch read / create / update / upsert / archive.
    Batch,
    /// Associations between records (v4).
    Associations,
    /// Properties and property groups.
    Properties,
    /// Custom object schemas.
    Schemas,
    /// Owners (users who own records).
    Owners,
    /// Deal and ticket pipelines and their stages.
    Pipelines,
    /// Notes, tasks, calls, emails and meetings on records.
    Engagements,
    /// The account, the token, API usage, UI links.
    Account,
    /// Workflows (read-only).
    Workflows,
    /// Lists (segments): search, read, members; manual lists created and their members changed.
    Lists,
    /// Reports over many records: complete aggregates.
    Reports,
    /// Connectivity checks that touch no CRM data.
    Diagnostics,
}

impl Toolset {
    /// Every family.
    pub(crate) const ALL: [Toolset; 13] = [
        Toolset::Records,
        Toolset::Batch,
        Toolset::Associations,
        Toolset::Properties,
        Toolset::Schemas,
        Toolset::Owners,
        Toolset::Pipelines,
        Toolset::Engagements,
        Toolset::Account,
        Toolset::Workflows,
        Toolset::Lists,
        Toolset::Reports,
        Toolset::Diagnostics,
    ];
    /// What `HUBSPOT_TOOLSETS` accepts, for error messages.
    pub(crate) const EXPECTED: &'static str =
        "a comma-separated list of: records, batch, associations, properties, \
        schemas, owners, pipelines, engagements, account, workflows, lists, reports, diagnostics";

    /// The family's name as `HUBSPOT_TOOLSETS` writes it.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Toolset::Records => "records",
            Toolset::Batch => "batch",
            Toolset::Associations => "associations",
            Toolset::Properties => "properties",
            Toolset::Schemas => "schemas",
            Toolset::Owners => "owners",
            Toolset::Pipelines => "pipelines",
            Toolset::Engagements => "engagements",
            Toolset::Account => "account",
            Toolset::Workflows => "workflows",
            Toolset::Lists => "lists",
            Toolset::Reports => "reports",
            Toolset::Diagnostics => "diagnostics",
        }
    }

    /// Parses a family name.
    pub(crate) fn parse(s: &str) -> Option<Toolset> {
        Toolset::ALL.into_iter().find(|f| f.as_str() == s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_expected_text_names_every_family_in_order() {
        let names: Vec<_> = Toolset::ALL.iter().map(|t| t.as_str()).collect();
        assert!(Toolset::EXPECTED.ends_with(&names.join(", ")));
        assert!(Toolset::ALL
            .iter()
            .all(|t| Toolset::parse(t.as_str()) == Some(*t)));
    }
}
