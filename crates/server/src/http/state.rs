//! What every handler can reach. Handlers and extractors depend on this, never on
//! `startup.rs` (which builds the router from them).

use std::sync::Arc;

use crate::config::Config;
use crate::credentials::admin::AdminCredentials;
use crate::credentials::primary::PrimaryCredential;
use crate::credentials::shared_secrets::SharedSecrets;
use crate::credentials::sso::Provider;
use crate::crypto::ServerKey;
use crate::deliveries::notices::Notifier;
use crate::deliveries::Deliverer;
use crate::domain::accounts::AccountRow;
use crate::domain::passkeys::Passkeys;
use crate::http::metrics::Metrics;
use crate::store::audit::{AdminAction, By};
use crate::store::{Store, StoreResult};

/// Cloned for every request (axum hands each handler, extractor and middleware its own):
/// one reference count, not one for each part (measured: cloning and dropping the parts
/// one by one was 3.5 % of the legacy door's CPU on SQLite).
#[derive(Clone)]
pub struct AppState(Arc<Parts>);

impl AppState {
    pub fn new(parts: Parts) -> Self {
        Self(Arc::new(parts))
    }
}

impl std::ops::Deref for AppState {
    type Target = Parts;

    fn deref(&self) -> &Parts {
        &self.0
    }
}

/// What [`AppState`] holds.
pub struct Parts {
    /// The database, behind the rules it must keep.
    pub store: Store,
    pub config: Arc<Config>,
    pub key: Arc<ServerKey>,
    pub deliverer: Arc<Deliverer>,
    /// Tells people what happened to their account.
    pub notifier: Notifier,
    /// The WebAuthn relying party security keys are registered with and proven to.
    pub passkeys: Arc<Passkeys>,
    /// Checks people's own passwords, whatever the door.
    pub primary: PrimaryCredential,
    /// The organization's OpenID provider, when single sign-on is configured.
    pub sso: Option<Arc<Provider>>,
    /// The mail servers that may ask `POST /v1/legacy/verify`.
    pub mail_servers: Arc<SharedSecrets>,
    /// The identity systems that may provision people over SCIM (`/scim/v2/`).
    pub scim_clients: Arc<SharedSecrets>,
    /// The admin credentials portals mint admin tokens with.
    pub admins: Arc<AdminCredentials>,
    pub metrics: Arc<Metrics>,
}

impl Parts {
    /// Does an admin action (the helpdesk's or provisioning's) to `account`, audited in
    /// its transaction, then tells the person: what was done, in words, or `None` when
    /// what it names does not exist (nothing done, nobody told).
    pub async fn administer(
        &self,
        account: &AccountRow,
        by: By<'_>,
        action: AdminAction<'_>,
    ) -> StoreResult<Option<String>> {
        let kind = action.kind();
        let done = self.store.administer(account, by, action).await?;
        if let Some(detail) = &done {
            self.notifier.admin_action(account, kind, detail).await;
        }
        Ok(done)
    }
}
