//! Configuration, layered: defaults, then environment variables, then flags.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;

use clap::Args;

/// How the server is run. Every field can come from a flag or from the environment.
#[derive(Debug, Clone, Args)]
pub struct Config {
    /// Address to bind.
    #[arg(long, env = "APP_BIND", default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST))]
    pub bind: IpAddr,

    /// Port to listen on (0 picks a free one and logs it).
    #[arg(long, env = "APP_PORT", default_value_t = 8080)]
    pub port: u16,

    /// SQLite database URL (created if missing).
    #[arg(long, env = "DATABASE_URL", default_value = "sqlite://data/app-passwords.db")]
    pub database_url: String,

    /// Folder holding the built browser app (Trunk's `dist/`), served at `/`.
    #[arg(long, env = "APP_STATIC_DIR", default_value = "dist")]
    pub static_dir: PathBuf,

    /// Origins allowed to call the API from another origin (comma-separated).
    #[arg(long, env = "APP_ALLOWED_ORIGINS", value_delimiter = ',')]
    pub allowed_origins: Vec<String>,
}

impl Config {
    pub fn addr(&self) -> SocketAddr {
        SocketAddr::new(self.bind, self.port)
    }

    /// A configuration for tests: loopback, a free port, the given database.
    pub fn for_tests(database_url: impl Into<String>) -> Self {
        Self {
            bind: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 0,
            database_url: database_url.into(),
            static_dir: PathBuf::from("dist"),
            allowed_origins: Vec::new(),
        }
    }
}
