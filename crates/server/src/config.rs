//! Configuration, layered: defaults, then environment variables, then flags.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;

use clap::Args;

/// Where the database is unless `DATABASE_URL` says otherwise (`serve` and the admin CLI).
pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/app-passwords.db";

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
    #[arg(long, env = "DATABASE_URL", default_value = DEFAULT_DATABASE_URL)]
    pub database_url: String,

    /// Folder holding the built browser app (Trunk's `dist/`), served at `/`.
    #[arg(long, env = "APP_STATIC_DIR", default_value = "dist")]
    pub static_dir: PathBuf,

    /// Origins allowed to call the API from another origin (comma-separated).
    #[arg(long, env = "APP_ALLOWED_ORIGINS", value_delimiter = ',')]
    pub allowed_origins: Vec<String>,

    /// Also serve the example admin portal (`--portal-dir`) on this port: another
    /// origin that embeds the module, whose origin is then allowed by CORS.
    #[arg(long, env = "APP_PORTAL_PORT")]
    pub portal_port: Option<u16>,

    /// The example portal's files (`examples/portal`).
    #[arg(long, env = "APP_PORTAL_DIR", default_value = "examples/portal")]
    pub portal_dir: PathBuf,

    /// Demo mode: sent codes go to an outbox (`GET /v1/demo/outbox`, loopback only)
    /// and the log instead of SMTP or the SMS gateway.
    /// `APP_DEMO` takes 1/0, true/false, yes/no, on/off.
    #[arg(long, env = "APP_DEMO", value_parser = clap::builder::BoolishValueParser::new())]
    pub demo: bool,

    /// File holding the 32-byte server key (hex) for keyed hashes; created if missing.
    /// `APP_SECRET_KEY` (64 hex digits) takes precedence.
    #[arg(long, env = "APP_SECRET_KEY_FILE", default_value = "data/server.key")]
    pub secret_key_file: PathBuf,

    /// Issuer name shown in authenticator apps.
    #[arg(long, env = "APP_ISSUER", default_value = "Contoso")]
    pub issuer: String,

    /// SMTP relay for email codes, e.g. `smtp://127.0.0.1:25` (plain, for a local relay).
    #[arg(long, env = "APP_SMTP_URL")]
    pub smtp_url: Option<String>,

    /// Sender address of email codes.
    #[arg(long, env = "APP_MAIL_FROM", default_value = "App passwords <no-reply@contoso.example>")]
    pub mail_from: String,

    /// HTTP gateway for text and voice codes: receives a JSON POST
    /// `{channel, to, message}`.
    #[arg(long, env = "APP_SMS_GATEWAY_URL")]
    pub sms_gateway_url: Option<String>,

    #[command(flatten)]
    pub limits: Limits,
}

/// Throttling, expiry and quota settings.
#[derive(Debug, Clone, Args)]
pub struct Limits {
    /// Failed sign-ins per account within the window before it is throttled.
    #[arg(long, env = "APP_SIGNIN_ACCOUNT_LIMIT", default_value_t = 5)]
    pub signin_per_account: i64,
    /// Sign-in attempts per client address within the window.
    #[arg(long, env = "APP_SIGNIN_ADDRESS_LIMIT", default_value_t = 30)]
    pub signin_per_address: i64,
    /// Throttle window in seconds.
    #[arg(long, env = "APP_SIGNIN_WINDOW", default_value_t = 300)]
    pub signin_window: i64,
    /// Session idle timeout in seconds.
    #[arg(long, env = "APP_SESSION_IDLE", default_value_t = 15 * 60)]
    pub session_idle: i64,
    /// Session absolute lifetime in seconds.
    #[arg(long, env = "APP_SESSION_MAX", default_value_t = 8 * 3600)]
    pub session_max: i64,
    /// How long an MFA proof counts for app-password changes (step-up), in seconds.
    #[arg(long, env = "APP_STEP_UP", default_value_t = 10 * 60)]
    pub step_up: i64,
    /// App passwords per account.
    #[arg(long, env = "APP_PASSWORD_LIMIT", default_value_t = 40)]
    pub app_passwords: i64,
    /// Lifetime of a sent code in seconds.
    #[arg(long, env = "APP_CODE_TTL", default_value_t = 600)]
    pub code_ttl: i64,
    /// Wrong tries allowed per code challenge.
    #[arg(long, env = "APP_CODE_ATTEMPTS", default_value_t = 5)]
    pub code_attempts: i64,
    /// Seconds before another code may be sent.
    #[arg(long, env = "APP_RESEND_COOLDOWN", default_value_t = 30)]
    pub resend_cooldown: i64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            signin_per_account: 5,
            signin_per_address: 30,
            signin_window: 300,
            session_idle: 15 * 60,
            session_max: 8 * 3600,
            step_up: 10 * 60,
            app_passwords: 40,
            code_ttl: 600,
            code_attempts: 5,
            resend_cooldown: 30,
        }
    }
}

impl Config {
    pub fn addr(&self) -> SocketAddr {
        SocketAddr::new(self.bind, self.port)
    }

    /// A configuration for tests: loopback, a free port, the given database, demo
    /// deliveries, a key file beside the database.
    pub fn for_tests(dir: &std::path::Path) -> Self {
        Self {
            bind: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 0,
            database_url: format!("sqlite://{}", dir.join("test.db").display()),
            static_dir: PathBuf::from("dist"),
            allowed_origins: Vec::new(),
            portal_port: None,
            portal_dir: PathBuf::from("examples/portal"),
            demo: true,
            secret_key_file: dir.join("server.key"),
            issuer: "Contoso".into(),
            smtp_url: None,
            mail_from: "App passwords <no-reply@contoso.example>".into(),
            sms_gateway_url: None,
            limits: Limits::default(),
        }
    }
}
