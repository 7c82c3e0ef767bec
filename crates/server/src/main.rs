use app_passwords_server::cli::{self, Cli, Command};
use clap::Parser;
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let filter = || EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into());
    match &cli.command {
        Command::Serve { config } if config.log_json => {
            tracing_subscriber::fmt().json().with_env_filter(filter()).init();
        }
        _ => tracing_subscriber::fmt().with_env_filter(filter()).init(),
    }
    cli::run(cli).await
}
