//! Telling the person what happened to their account: an app password created, a
//! method registered — which name, when, from which address — with a single-use,
//! expiring "this wasn't me" link (`store::notices`); their password changed; what an
//! administrator did (from the admin API or the command line). Sent after the change is
//! committed; a failure to send is logged, never the person's error.
//!
//! The name is someone's input, shown to the account's owner in an email: it appears
//! quoted, cut to 40 characters, never as a link, after the facts (attackers have used
//! names that read as instructions in such mails).

use std::sync::Arc;

use secrecy::ExposeSecret;

use super::Deliverer;
use crate::clock::rfc3339;
use crate::domain::accounts::AccountRow;
use crate::domain::client::ClientAddr;
use crate::store::notices::Noticed;
use crate::store::Store;

/// How much of a name a notice shows.
const NAME_SHOWN: usize = 40;

fn quoted(name: &str) -> String {
    let mut shown: String = name.chars().filter(|c| !c.is_control()).take(NAME_SHOWN).collect();
    if name.chars().count() > NAME_SHOWN {
        shown.push('…');
    }
    format!("“{shown}”")
}

/// Whether the person was told.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Told {
    Yes,
    /// No notice can be sent: no SMTP relay is configured (and not in demo mode), or the
    /// account's username is not an email address.
    NoWay,
    /// Sending failed (logged).
    Failed,
}

/// Sends notices to account owners.
#[derive(Debug, Clone)]
pub struct Notifier {
    deliverer: Arc<Deliverer>,
    store: Store,
    issuer: String,
    /// The app's page, where the "this wasn't me" links lead (none: no such notice).
    public_url: Option<String>,
}

impl Notifier {
    pub fn new(
        deliverer: Arc<Deliverer>,
        store: Store,
        issuer: &str,
        public_url: Option<String>,
    ) -> Self {
        Self { deliverer, store, issuer: issuer.to_owned(), public_url }
    }

    /// Where the account's notices go: its username when that is an email address, and
    /// only when notices can be sent at all (by mail, or to the demo outbox).
    fn recipient(&self, account: &AccountRow) -> Option<String> {
        self.deliverer.sends_notices().then(|| wire::rules::email(&account.username)).flatten()
    }

    async fn deliver(&self, to: &str, subject: &str, body: &str) -> Told {
        match self.deliverer.notice(&self.store, to, subject, body).await {
            Ok(()) => Told::Yes,
            Err(e) => {
                tracing::warn!(error = %e, "notice not delivered");
                Told::Failed
            }
        }
    }

    /// Tells the account `what` (`target_id`, named `name`) was added to it, from
    /// where, with its "this wasn't me" link.
    pub async fn added(
        &self,
        account: &AccountRow,
        what: Noticed,
        target_id: &str,
        name: &str,
        from: &ClientAddr,
    ) -> Told {
        // No link can be made without the public address: no notice to record either.
        let (Some(to), Some(public_url)) = (self.recipient(account), self.public_url.as_deref())
        else {
            return Told::NoWay;
        };
        let token = match self.store.open_notice(&account.id, what, target_id, name).await {
            Ok(token) => token,
            Err(e) => {
                tracing::warn!(error = %e, "notice not recorded");
                return Told::Failed;
            }
        };
        let issuer = &self.issuer;
        let (subject, added) = match what {
            Noticed::AppPassword => (
                format!("A new app password was created for your {issuer} account"),
                "An app password was created",
            ),
            Noticed::Method => (
                format!("A new sign-in method was added to your {issuer} account"),
                "A verification method was added",
            ),
            Noticed::MethodChange => (
                format!("Your {issuer} sign-in methods were changed"),
                "Your verification methods were changed (Security info)",
            ),
        };
        let when = rfc3339(self.store.clock().now());
        // A change leaves nothing for the link to remove: it signs out everywhere.
        let (named, undo) = match what {
            Noticed::MethodChange => ("What", "sign out everywhere"),
            _ => ("Name given", "remove it and sign out everywhere"),
        };
        let shown = match what {
            Noticed::MethodChange => quoted_detail(name),
            _ => quoted(name),
        };
        let body = format!(
            "{added} for your account {username}.\n\n\
             When: {when}\nFrom: {from}\n{named}: {shown}\n\n\
             If this was you, there is nothing to do.\n\n\
             If it was not you, {undo} with this link (it works once, for 7 days), then \
             change your password:\n{public_url}#disown={token}\n",
            username = account.username,
            token = token.expose_secret(),
        );
        self.deliver(&to, &subject, &body).await
    }

    /// Tells the account its password was changed, from where, and which app passwords
    /// stopped working with it. No link: someone who changed it can also read it; the
    /// way back for the owner is the administrator.
    pub async fn password_changed(
        &self,
        account: &AccountRow,
        revoked: &[wire::AppPasswordInfo],
        from: &ClientAddr,
    ) -> Told {
        let Some(to) = self.recipient(account) else { return Told::NoWay };
        let issuer = &self.issuer;
        let subject = format!("The password of your {issuer} account was changed");
        let stopped = if revoked.is_empty() {
            "Your app passwords still work.".to_owned()
        } else {
            let names: Vec<String> =
                revoked.iter().map(|p| format!("- {}", quoted(&p.name))).collect();
            format!(
                "These app passwords stopped working with your old password; create new ones \
                 for the apps that still need them:\n{}",
                names.join("\n")
            )
        };
        let body = format!(
            "The password of your account {username} was changed.\n\n\
             When: {when}\nFrom: {from}\n\n{stopped}\n\n\
             If this was not you, contact your administrator now.\n",
            username = account.username,
            when = rfc3339(self.store.clock().now()),
        );
        self.deliver(&to, &subject, &body).await
    }

    /// Tells the account what an administrator did to it, from the admin API or the
    /// command line (no link: the way back is the administrator, who can also read the
    /// audit log).
    pub async fn admin_action(
        &self,
        account: &AccountRow,
        action: wire::admin::AuditAction,
        detail: &str,
    ) -> Told {
        use wire::admin::AuditAction as A;
        let Some(to) = self.recipient(account) else { return Told::NoWay };
        let issuer = &self.issuer;
        let (subject, done) = match action {
            A::RemoveMethod => {
                ("A sign-in method was removed", "removed one of your verification methods")
            }
            A::ResetMfa => (
                "Your sign-in methods were reset",
                "removed all your verification methods and signed you out everywhere; you \
                 will set one up again at your next sign-in",
            ),
            A::UnlockMfa => {
                ("Verification was unlocked", "unlocked verification after too many wrong codes")
            }
            A::RevokeAppPassword => {
                ("An app password was revoked", "revoked one of your app passwords")
            }
            A::RevokeAllAppPasswords => (
                "Your app passwords were revoked",
                "revoked all your app passwords; apps that used them are signed out",
            ),
            A::SetPolicy => {
                ("Your account's settings were changed", "changed your account's sign-in settings")
            }
            A::Disable => ("Your account was disabled", "disabled your account"),
            A::Enable => ("Your account was enabled", "enabled your account again"),
            A::SetPassword => ("Your password was set", "set a new password for your account"),
            A::RenameMethod => {
                ("A sign-in method was renamed", "renamed one of your verification methods")
            }
            A::PreferMethod => {
                ("Your default sign-in method changed", "changed your default verification method")
            }
            A::Create => ("Your account was created", "created your account"),
            A::Delete => ("Your account was deleted", "deleted your account"),
            A::Unknown => ("Your account was changed", "changed your account"),
        };
        let what = if detail.is_empty() {
            String::new()
        } else {
            format!("What: {}\n", quoted_detail(detail))
        };
        let body = format!(
            "An administrator of {issuer} {done}.\n\nAccount: {username}\nWhen: {when}\n{what}\n\
             If you did not ask for this, contact your administrator.\n",
            username = account.username,
            when = rfc3339(self.store.clock().now()),
        );
        let subject = format!("{subject} ({issuer})");
        self.deliver(&to, &subject, &body).await
    }
}

/// An audit detail holds names people chose: shown without control characters and cut.
fn quoted_detail(detail: &str) -> String {
    detail.chars().filter(|c| !c.is_control()).take(200).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_quoted_and_cut_never_whole_paragraphs() {
        assert_eq!(quoted("Outlook"), "“Outlook”");
        let long = "Call +1 555 0100 now to keep your account: support says to";
        assert_eq!(quoted(long).chars().count(), 40 + 3);
        assert!(quoted(long).ends_with("…”"));
    }
}
