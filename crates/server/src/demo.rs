//! Demo mode: accounts for trying the journey, created when missing.

use secrecy::SecretString;
use wire::{MethodKind, Policy};

use crate::credentials::argon2;
use crate::domain::accounts::Username;
use crate::store::accounts::NewAccount;
use crate::store::Store;

/// `(username, password, display name, MFA required, app passwords allowed, a security
/// key required to create app passwords)`.
pub const DEMO_ACCOUNTS: [(&str, &str, &str, bool, bool, bool); 4] = [
    ("new.user@contoso.example", "Demo-new-2026", "Nora New", true, true, false),
    ("no.mfa@contoso.example", "Demo-nomfa-2026", "Noah NoMFA", false, true, false),
    ("no.apppw@contoso.example", "Demo-noapppw-2026", "Nina NoAppPw", true, false, false),
    ("key.user@contoso.example", "Demo-key-2026", "Kim Key", true, true, true),
];

/// Creates the demo accounts that do not exist yet; leaves existing ones alone.
pub async fn seed(store: &Store) -> anyhow::Result<()> {
    for (user, password, display_name, mfa_required, app_passwords_allowed, phishing_resistant) in
        DEMO_ACCOUNTS
    {
        let username = Username::parse(user).ok_or_else(|| anyhow::anyhow!("bad demo username"))?;
        if store.account_by_username(&username).await?.is_some() {
            continue;
        }
        let policy = Policy {
            mfa_required,
            app_passwords_allowed,
            allowed_methods: MethodKind::ALL.to_vec(),
            phishing_resistant,
            app_password_scopes: wire::Scope::ALL.to_vec(),
            app_password_max_days: None,
            keep_app_passwords_on_password_change: false,
            app_password_unused_days: None,
        };
        let hash = argon2::hash(&SecretString::from(password))?;
        let new =
            NewAccount { username: &username, display_name, password_hash: &hash, policy: &policy };
        if store.create_account(new).await?.is_some() {
            tracing::info!(username = user, "demo account created");
        }
    }
    Ok(())
}
