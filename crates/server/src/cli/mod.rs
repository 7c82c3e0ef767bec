//! The command line: `serve`, and the admin commands (`account`, `methods`,
//! `app-passwords`, `audit`), `migrate` and `key`. The admin commands go through the
//! same store, and so the same rules and audit log, as the admin API (`accounts.rs`).

pub mod accounts;

use std::path::PathBuf;
use std::sync::Arc;

use clap::{Args, Parser, Subcommand};

use self::accounts::{AccountCommand, AppPasswordCommand, AuditArgs, MethodCommand, Operator};
use crate::clock::Clock;
use crate::config::{Config, DeliveryConfig, Limits, DEFAULT_DATABASE_URL, DEFAULT_ISSUER};
use crate::crypto::ServerKey;
use crate::deliveries::notices::Notifier;
use crate::deliveries::Deliverer;
use crate::demo;
use crate::startup::Application;
use crate::store::{self, Schema, Store};

#[derive(Parser)]
#[command(version, about = "Reference identity endpoint for the app-passwords module")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Serve the API and the built browser app.
    Serve {
        #[command(flatten)]
        config: Box<Config>,
    },
    /// Manage accounts and their admin policy.
    Account {
        #[command(subcommand)]
        command: AccountCommand,
        #[command(flatten)]
        db: Database,
    },
    /// List or remove an account's registered MFA methods.
    Methods {
        #[command(subcommand)]
        command: MethodCommand,
        #[command(flatten)]
        db: Database,
    },
    /// List or revoke an account's app passwords.
    AppPasswords {
        #[command(subcommand)]
        command: AppPasswordCommand,
        #[command(flatten)]
        db: Database,
    },
    /// What admins did (the admin API and these commands), newest first.
    Audit {
        #[command(flatten)]
        args: AuditArgs,
        #[command(flatten)]
        db: Database,
    },
    /// Apply the database migrations not yet applied (before starting replicas).
    Migrate {
        #[arg(long, env = "DATABASE_URL", default_value = DEFAULT_DATABASE_URL)]
        database_url: String,
    },
    /// The server key.
    Key {
        #[command(subcommand)]
        command: KeyCommand,
    },
}

#[derive(Subcommand)]
pub enum KeyCommand {
    /// Create a new server key file (mode 0600); an existing file is never overwritten.
    Generate {
        #[arg(long, env = "APP_SECRET_KEY_FILE", default_value = "data/server.key")]
        file: PathBuf,
    },
}

/// What the admin commands work on: the database, the server's key, and where the
/// notices that tell people what an admin did go (as `serve` sends them: the same
/// settings and variables).
#[derive(Args)]
pub struct Database {
    #[arg(long, env = "DATABASE_URL", default_value = DEFAULT_DATABASE_URL, global = true)]
    database_url: String,
    #[arg(long, env = "APP_SECRET_KEY_FILE", default_value = "data/server.key", global = true)]
    secret_key_file: PathBuf,
    /// The organization's name in the notices.
    #[arg(long, env = "APP_ISSUER", default_value = DEFAULT_ISSUER, global = true)]
    issuer: String,
    /// Notices go to the demo outbox (`make run`'s server shows it) instead of SMTP.
    #[arg(long, env = "APP_DEMO", value_parser = clap::builder::BoolishValueParser::new(), global = true)]
    demo: bool,
    #[command(flatten)]
    deliveries: DeliveryConfig,
}

impl Database {
    async fn open(&self) -> anyhow::Result<Operator> {
        let key = Arc::new(ServerKey::load(&self.secret_key_file, false)?);
        let limits = Arc::new(Limits::default());
        let store =
            Store::open(&self.database_url, Schema::Require, Clock::system(), key, limits).await?;
        let deliverer = Deliverer::from_config(&self.deliveries, self.demo, &self.issuer)?;
        let notifier = Notifier::new(Arc::new(deliverer), store.clone(), &self.issuer, None);
        Ok(Operator::new(store, notifier))
    }
}

/// Runs what the command line asked for.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve { config } => {
            let demo = config.demo;
            let app = Application::build(*config).await?;
            if demo {
                demo::seed(app.store()).await?;
            }
            tracing::info!("listening on http://{}", app.local_addr()?);
            if let Some(portal) = app.portal_addr() {
                tracing::info!("example admin portal on http://{portal}/ (another origin)");
            }
            app.run_until_stopped().await?;
        }
        Command::Account { command, db } => {
            println!("{}", accounts::account(&db.open().await?, command).await?)
        }
        Command::Methods { command, db } => {
            println!("{}", accounts::methods(&db.open().await?, command).await?)
        }
        Command::AppPasswords { command, db } => {
            println!("{}", accounts::app_password(&db.open().await?, command).await?)
        }
        Command::Audit { args, db } => {
            println!("{}", accounts::audit(&db.open().await?, args).await?)
        }
        Command::Migrate { database_url } => {
            store::connect(&database_url, 1, Schema::Migrate).await?;
            println!("{}: schema up to date", store::redact(&database_url));
        }
        Command::Key { command: KeyCommand::Generate { file } } => {
            ServerKey::generate(&file)?;
            println!("created {} (keep it safe and backed up: without it no app password or authenticator key can be checked)", file.display());
        }
    }
    Ok(())
}
