use app_passwords_server::admin::{self, AccountCommand, AppPasswordCommand};
use app_passwords_server::config::{Config, DEFAULT_DATABASE_URL};
use app_passwords_server::startup::Application;
use app_passwords_server::{db, demo};
use clap::{Args, Parser, Subcommand};
use tracing_subscriber::EnvFilter;

#[derive(Parser)]
#[command(version, about = "Reference identity endpoint for the app-passwords module")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
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
    /// List or revoke an account's app passwords.
    AppPasswords {
        #[command(subcommand)]
        command: AppPasswordCommand,
        #[command(flatten)]
        db: Database,
    },
}

/// The database the admin commands work on.
#[derive(Args)]
struct Database {
    #[arg(long, env = "DATABASE_URL", default_value = DEFAULT_DATABASE_URL, global = true)]
    database_url: String,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()))
        .init();
    match Cli::parse().command {
        Command::Serve { config } => {
            let demo = config.demo;
            let app = Application::build(*config).await?;
            if demo {
                demo::seed(app.db()).await?;
            }
            tracing::info!("listening on http://{}", app.local_addr()?);
            if let Some(portal) = app.portal_addr() {
                tracing::info!("example admin portal on http://{portal}/ (another origin)");
            }
            app.run_until_stopped().await?;
        }
        Command::Account { command, db: database } => {
            let pool = db::connect(&database.database_url).await?;
            println!("{}", admin::account(&pool, command).await?);
        }
        Command::AppPasswords { command, db: database } => {
            let pool = db::connect(&database.database_url).await?;
            println!("{}", admin::app_password(&pool, command).await?);
        }
    }
    Ok(())
}
