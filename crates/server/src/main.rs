use app_passwords_server::config::Config;
use app_passwords_server::demo;
use app_passwords_server::startup::Application;
use clap::{Parser, Subcommand};
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
        config: Config,
    },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()))
        .init();
    match Cli::parse().command {
        Command::Serve { config } => {
            let demo = config.demo;
            let app = Application::build(config).await?;
            if demo {
                demo::seed(app.db()).await?;
            }
            tracing::info!("listening on http://{}", app.local_addr()?);
            app.run_until_stopped().await?;
        }
    }
    Ok(())
}
