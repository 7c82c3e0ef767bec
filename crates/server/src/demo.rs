//! Demo mode: accounts for trying the journey, created when missing. The tests sign in
//! with these too (`ALL`, and each by name).

use std::sync::{Mutex, PoisonError};

use secrecy::SecretString;
use wire::Policy;

use crate::credentials::argon2;
use crate::domain::accounts::Username;
use crate::store::accounts::NewAccount;
use crate::store::Store;

/// A demo account: who, with which password, under which policy.
#[derive(Debug, Clone, Copy)]
pub struct DemoAccount {
    pub username: &'static str,
    pub password: &'static str,
    pub display_name: &'static str,
    pub mfa_required: bool,
    pub app_passwords_allowed: bool,
    /// Creating an app password needs a security key or passkey.
    pub phishing_resistant: bool,
}

impl DemoAccount {
    /// `(username, password)`, as a sign-in form takes them.
    pub const fn credentials(&self) -> (&'static str, &'static str) {
        (self.username, self.password)
    }

    /// The account's policy: every method and scope allowed, no expiry.
    pub fn policy(&self) -> Policy {
        Policy {
            mfa_required: self.mfa_required,
            app_passwords_allowed: self.app_passwords_allowed,
            phishing_resistant: self.phishing_resistant,
            ..Policy::default()
        }
    }
}

/// MFA required, nothing registered: the full journey.
pub const NEW_USER: DemoAccount = DemoAccount {
    username: "new.user@contoso.example",
    password: "Demo-new-2026",
    display_name: "Nora New",
    mfa_required: true,
    app_passwords_allowed: true,
    phishing_resistant: false,
};

/// MFA not required: app passwords are not available.
pub const NO_MFA: DemoAccount = DemoAccount {
    username: "no.mfa@contoso.example",
    password: "Demo-nomfa-2026",
    display_name: "Noah NoMFA",
    mfa_required: false,
    app_passwords_allowed: true,
    phishing_resistant: false,
};

/// MFA required, app passwords turned off by the admin.
pub const NO_APP_PASSWORDS: DemoAccount = DemoAccount {
    username: "no.apppw@contoso.example",
    password: "Demo-noapppw-2026",
    display_name: "Nina NoAppPw",
    mfa_required: true,
    app_passwords_allowed: false,
    phishing_resistant: false,
};

/// MFA required; creating an app password needs a security key or passkey.
pub const KEY_USER: DemoAccount = DemoAccount {
    username: "key.user@contoso.example",
    password: "Demo-key-2026",
    display_name: "Kim Key",
    mfa_required: true,
    app_passwords_allowed: true,
    phishing_resistant: true,
};

/// Every demo account.
pub const ALL: [DemoAccount; 4] = [NEW_USER, NO_MFA, NO_APP_PASSWORDS, KEY_USER];

/// A demo password's hash, made once per process: a test run starts hundreds of servers,
/// each seeding the demo accounts, and an Argon2id costs tens of milliseconds. (The
/// passwords are published; a salt shared by the servers of one process hides nothing.)
fn hashed(password: &'static str) -> anyhow::Result<String> {
    static MADE: Mutex<Vec<(&str, String)>> = Mutex::new(Vec::new());
    let made = |password| {
        let made = MADE.lock().unwrap_or_else(PoisonError::into_inner);
        made.iter().find(|(p, _)| *p == password).map(|(_, hash)| hash.clone())
    };
    if let Some(hash) = made(password) {
        return Ok(hash);
    }
    let hash = argon2::hash(&SecretString::from(password))?;
    MADE.lock().unwrap_or_else(PoisonError::into_inner).push((password, hash.clone()));
    Ok(hash)
}

/// Creates the demo accounts that do not exist yet; leaves existing ones alone.
pub async fn seed(store: &Store) -> anyhow::Result<()> {
    for demo in ALL {
        let username =
            Username::parse(demo.username).ok_or_else(|| anyhow::anyhow!("bad demo username"))?;
        if store.account_by_username(&username).await?.is_some() {
            continue;
        }
        let hash = hashed(demo.password)?;
        let policy = demo.policy();
        let new = NewAccount {
            username: &username,
            display_name: demo.display_name,
            password_hash: &hash,
            policy: &policy,
        };
        if store.create_account(new).await?.is_some() {
            tracing::info!(username = demo.username, "demo account created");
        }
    }
    Ok(())
}
