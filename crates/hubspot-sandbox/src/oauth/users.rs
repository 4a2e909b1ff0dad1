//! The permissions of the sandbox's OAuth users ([`crate::OAUTH_USERS`]): which scopes each may be
//! granted, and which records each may see. `reader` may hold only the `.read` scopes and `oauth`;
//! `owner` may hold every scope but sees only the records of her owner (the seeded owner whose `userId`
//! is her user id). The scopes an authorization grants are the requested ones the user may hold.

use crate::fixtures;
use crate::types::DEFAULT_SCOPES;
use crate::visibility::Visibility;
use crate::{OAuthUser, OAUTH_USERS};

/// What a user may do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Permissions {
    /// May hold write scopes (and the read/write legacy scopes `tickets`, `e-commerce`, `automation`).
    write: bool,
    /// Sees only the records she owns.
    own_records_only: bool,
}

/// The permissions of `user`; a login this table does not know gets the narrowest.
fn permissions(user: &OAuthUser) -> Permissions {
    match user.login {
        "owner" => Permissions {
            write: true,
            own_records_only: true,
        },
        "reader" => Permissions {
            write: false,
            own_records_only: false,
        },
        _ => Permissions {
            write: false,
            own_records_only: true,
        },
    }
}

/// The user signing in as `login`.
pub(super) fn find(login: &str) -> Option<&'static OAuthUser> {
    OAUTH_USERS.iter().find(|u| u.login == login)
}

/// Whether the sandbox knows `scope` (the CRM scopes of [`DEFAULT_SCOPES`], `oauth` among them).
pub(super) fn known_scope(scope: &str) -> bool {
    DEFAULT_SCOPES.contains(&scope)
}

/// Whether `user` may be granted `scope`: read-only users only `oauth` and the `.read` scopes.
fn may_hold(user: &OAuthUser, scope: &str) -> bool {
    permissions(user).write || scope == "oauth" || scope.ends_with(".read")
}

/// The scopes `user` gets for a request of `scopes` (required and optional together): those the user
/// may hold, each once, in the order of [`DEFAULT_SCOPES`].
pub(super) fn granted(user: &OAuthUser, scopes: &[String]) -> Vec<String> {
    DEFAULT_SCOPES
        .iter()
        .filter(|s| scopes.iter().any(|r| r == *s) && may_hold(user, s))
        .map(|s| (*s).to_string())
        .collect()
}

/// The records `user` sees: everything, or with "owned records only" those of the seeded owner whose
/// `userId` is the user's (none, when no owner has it).
pub(super) fn visibility(user: &OAuthUser) -> Visibility {
    if !permissions(user).own_records_only {
        return Visibility::All;
    }
    let owner = fixtures::owners()
        .into_iter()
        .find(|o| o.user_id == user.user_id && !o.archived)
        .map_or(0, |o| o.id);
    Visibility::OwnedBy(owner)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_two_users_and_their_permissions() {
        let reader = find("reader").unwrap();
        let owner = find("owner").unwrap();
        assert!(find("nobody").is_none());
        assert_eq!(OAUTH_USERS.len(), 2);
        for u in OAUTH_USERS {
            assert_ne!(
                permissions(u),
                permissions(&OAuthUser { login: "?", ..*u }),
                "{} has its own permissions",
                u.login
            );
        }
        let all: Vec<String> = DEFAULT_SCOPES.iter().map(|s| (*s).to_string()).collect();
        let r = granted(reader, &all);
        assert!(r.contains(&"oauth".to_string()));
        assert!(
            r.iter().all(|s| s == "oauth" || s.ends_with(".read")),
            "{r:?}"
        );
        assert!(r.contains(&"crm.objects.contacts.read".to_string()));
        assert_eq!(granted(owner, &all), all);
        assert_eq!(
            granted(owner, &["crm.objects.deals.read".into(), "oauth".into()]),
            ["oauth", "crm.objects.deals.read"]
        );
        assert_eq!(visibility(reader), Visibility::All);
        // Olive is owner 75000002 (userId 9100002 in the fixtures).
        assert_eq!(visibility(owner), Visibility::OwnedBy(75_000_002));
        assert!(known_scope("oauth") && !known_scope("crm.objects.contacts.delete"));
    }
}
