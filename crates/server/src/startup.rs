//! Builds the application from a configuration and serves it.

use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;

use crate::clock::Clock;
use crate::config::{Config, PgLocks};
use crate::credentials::admin::AdminCredentials;
use crate::credentials::argon2::{HashStats, Hasher};
use crate::credentials::directory::Directory;
use crate::credentials::primary::PrimaryCredential;
use crate::credentials::shared_secrets::{SharedSecrets, MAIL_SERVERS, SCIM_CLIENTS};
use crate::credentials::sso::Provider;
use crate::crypto::ServerKey;
use crate::deliveries::notices::Notifier;
use crate::deliveries::Deliverer;
use crate::domain::passkeys::Passkeys;
use crate::http::metrics::Metrics;
use crate::http::state::{AppState, Parts};
use crate::http::{self, router};
use crate::store::{Schema, Store};

/// How often expired sessions, proofs, throttle windows and idempotency answers are
/// removed.
const SWEEP_EVERY: Duration = Duration::from_secs(60);

/// A bound, ready-to-serve application.
pub struct Application {
    listener: TcpListener,
    /// The example portal on its own origin, when configured.
    portal: Option<(TcpListener, axum::Router)>,
    state: AppState,
}

impl Application {
    pub async fn build(config: Config) -> anyhow::Result<Self> {
        Self::build_with(config, Clock::system()).await
    }

    /// Builds with the given clock (tests move time instead of waiting for it).
    pub async fn build_with(mut config: Config, clock: Clock) -> anyhow::Result<Self> {
        config.limits.validate()?;
        let passkeys = Arc::new(Passkeys::new(
            &config.webauthn_rp_id,
            &config.webauthn_origins,
            &config.issuer,
        )?);
        tracing::info!(rp_id = passkeys.rp_id(), origins = ?passkeys.origins(), "security keys");
        let key = Arc::new(ServerKey::load(&config.secret_key_file, config.demo)?);
        let limits = Arc::new(config.limits.clone());
        let schema = if config.migrate { Schema::Migrate } else { Schema::Require };
        let store = Store::open(&config.database_url, schema, clock, key.clone(), limits).await?;
        let store = match config.pg_locks {
            PgLocks::Narrow => store,
            PgLocks::Global => store.lock_everything(),
        };
        let hasher = Arc::new(Hasher::new(
            config.limits.hash_slots(),
            Duration::from_millis(config.limits.hash_queue_ms),
        )?);
        let deliverer =
            Arc::new(Deliverer::from_config(&config.deliveries, config.demo, &config.issuer)?);
        let mail_servers = Arc::new(SharedSecrets::load(
            MAIL_SERVERS,
            config.mail_server_secret_file.as_deref(),
            config.demo,
        )?);
        let scim_clients = Arc::new(SharedSecrets::load(
            SCIM_CLIENTS,
            config.scim_secret_file.as_deref(),
            config.demo,
        )?);
        for (var, group) in [
            ("APP_SCIM_MFA_GROUP", &config.scim_mfa_group),
            ("APP_SCIM_APP_PASSWORDS_OFF_GROUP", &config.scim_app_passwords_off_group),
        ] {
            let Some(group) = group else { continue };
            anyhow::ensure!(
                scim_clients.configured(),
                "{var} is set but provisioning is off: set APP_SCIM_SECRET_FILE too"
            );
            anyhow::ensure!(
                crate::domain::accounts::parse_display_name(group).as_deref()
                    == Some(group.as_str()),
                "{var}: a group's name, 1 to 128 characters, without spaces around it or control \
                 characters"
            );
        }
        let admins = Arc::new(AdminCredentials::load(
            config.admin_credentials_file.as_deref(),
            config.demo,
        )?);
        let listener = TcpListener::bind(config.addr()).await?;
        // Where the links of notices lead: said, or (demo) this server on localhost.
        config.public_url = match (config.public_url.take(), config.demo) {
            (Some(url), _) => Some(public_url(&url)?),
            (None, true) => Some(format!("http://localhost:{}/", listener.local_addr()?.port())),
            (None, false) if config.deliveries.smtp_url.is_some() => anyhow::bail!(
                "APP_PUBLIC_URL is required with APP_SMTP_URL: the notices emailed for new app \
                 passwords link to the app's page (https://...)"
            ),
            (None, false) => None,
        };
        let portal = match config.portal_port {
            Some(port) => {
                let portal = TcpListener::bind((config.bind, port)).await?;
                let endpoint = format!("http://{}", listener.local_addr()?);
                let origin = format!("http://{}", portal.local_addr()?);
                let localhost = format!("http://localhost:{}", portal.local_addr()?.port());
                config.allowed_origins.extend([origin, localhost.clone()]);
                Some((portal, http::portal::router(&config, &endpoint, &localhost)?))
            }
            None => None,
        };
        let metrics = Arc::new(Metrics::default());
        let directory = Directory::connect(&config.directory).await?;
        let primary = PrimaryCredential::new(store.clone(), hasher, directory);
        let sso = Provider::connect(
            &config.sso,
            config.public_url.as_deref(),
            &config.issuer,
            deliverer.http().clone(),
            key.clone(),
            store.clock().clone(),
        )
        .await?;
        let notifier = Notifier::new(
            deliverer.clone(),
            store.clone(),
            &config.issuer,
            config.public_url.clone(),
        );
        let state = AppState::new(Parts {
            store,
            config: Arc::new(config),
            key,
            deliverer,
            notifier,
            passkeys,
            primary,
            sso,
            mail_servers,
            scim_clients,
            admins,
            metrics,
        });
        Ok(Self { listener, portal, state })
    }

    /// The address actually bound (useful with port 0).
    pub fn local_addr(&self) -> std::io::Result<std::net::SocketAddr> {
        self.listener.local_addr()
    }

    /// The example portal's address, when it is served.
    pub fn portal_addr(&self) -> Option<std::net::SocketAddr> {
        self.portal.as_ref().and_then(|(l, _)| l.local_addr().ok())
    }

    pub fn store(&self) -> &Store {
        &self.state.store
    }

    /// What the password hasher has done (tests and benchmarks read it).
    pub fn hash_stats(&self) -> Arc<HashStats> {
        self.state.primary.hasher().stats()
    }

    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.run_until(shutdown_signal()).await
    }

    /// Serves until `stop` completes (tests stop and restart a server mid-journey).
    pub async fn run_until(
        self,
        stop: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let store = self.state.store.clone();
        let sweeper = tokio::spawn(async move {
            let mut every = tokio::time::interval(SWEEP_EVERY);
            loop {
                every.tick().await;
                match store.sweep().await {
                    Ok(swept) if swept.total() > 0 => {
                        tracing::info!(?swept, "expired rows removed")
                    }
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = %e, "sweep failed"),
                }
            }
        });
        let refresher = self.state.primary.directory().map(|directory| {
            let (directory, store) = (directory.clone(), self.state.store.clone());
            tokio::spawn(async move { refresh_directory(&directory, &store).await })
        });
        let portal = self.portal.map(|(listener, app)| {
            tracing::info!(addr = ?listener.local_addr().ok(), "serving the example portal");
            tokio::spawn(async move { axum::serve(listener, app).await })
        });
        let served = axum::serve(
            self.listener,
            router(self.state).into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .with_graceful_shutdown(stop)
        .await;
        if let Some(portal) = portal {
            portal.abort();
        }
        sweeper.abort();
        if let Some(refresher) = refresher {
            refresher.abort();
        }
        served
    }
}

/// Reads again, three times within `directory_status_max_age`, what the directory says
/// of every person whose account comes from it: a person locked, disabled, deleted or
/// moved out of a policy group there is shut or changed here within that time (their
/// app passwords refused at the legacy door). A directory that does not answer changes
/// nothing; past the limit, the legacy door answers their app passwords with a
/// temporary failure until it answers again.
async fn refresh_directory(directory: &Directory, store: &Store) {
    let every = Duration::from_secs(
        u64::try_from(store.limits().directory_status_max_age / 3).unwrap_or(1).max(1),
    );
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let ids = match store.directory_ids().await {
            Ok(ids) if ids.is_empty() => continue,
            Ok(ids) => ids,
            Err(e) => {
                tracing::warn!(error = %e, "directory refresh: the accounts could not be read");
                continue;
            }
        };
        let asked_ms = store.clock().now_ms();
        match directory.people(&ids).await {
            Ok(found) => match store.directory_answered(&ids, &found, asked_ms).await {
                Ok(0) => {}
                Ok(changed) => tracing::info!(changed, "directory refresh: accounts changed"),
                Err(e) => tracing::warn!(error = %e, "directory refresh: not written"),
            },
            Err(e) => tracing::warn!(error = %e, "directory refresh: the directory did not answer"),
        }
    }
}

/// Ctrl-C, or SIGTERM (what an orchestrator sends): new connections stop, requests in
/// flight finish, then the process exits.
async fn shutdown_signal() {
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        () = term => {}
    }
    tracing::info!("shutting down: finishing the requests in flight");
}

/// The app's public address as notices link to it: http(s), no query or fragment,
/// ending with `/`.
fn public_url(raw: &str) -> anyhow::Result<String> {
    let url = url::Url::parse(raw.trim())
        .map_err(|e| anyhow::anyhow!("APP_PUBLIC_URL {raw:?} is not a URL: {e}"))?;
    let local = url.host_str().is_some_and(|h| h == "localhost" || h == "127.0.0.1");
    anyhow::ensure!(
        url.scheme() == "https" || (url.scheme() == "http" && local),
        "APP_PUBLIC_URL must be https:// (http only on localhost): {raw}"
    );
    anyhow::ensure!(
        url.query().is_none() && url.fragment().is_none(),
        "APP_PUBLIC_URL must not have a query or fragment: {raw}"
    );
    let s = url.to_string();
    Ok(if s.ends_with('/') { s } else { format!("{s}/") })
}
