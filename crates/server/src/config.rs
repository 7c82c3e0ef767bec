//! Configuration, layered: defaults, then environment variables, then flags.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;

use clap::Args;
use ipnet::IpNet;

pub use crate::domain::limits::Limits;

/// Where the database is unless `DATABASE_URL` says otherwise (`serve` and the admin CLI).
pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/app-passwords.db";

/// The organization's name in authenticator apps, security keys and notices, unless
/// `APP_ISSUER` says otherwise (`serve` and the admin CLI).
pub const DEFAULT_ISSUER: &str = "Contoso";

/// How the server is run. Every field can come from a flag or from the environment.
#[derive(Debug, Clone, Args)]
pub struct Config {
    /// Address to bind.
    #[arg(long, env = "APP_BIND", default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST))]
    pub bind: IpAddr,

    /// Port to listen on (0 picks a free one and logs it).
    #[arg(long, env = "APP_PORT", default_value_t = 8080)]
    pub port: u16,

    /// Database URL: `sqlite://path/to/file.db` (created if missing).
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

    /// The example portal's own client id at the organization's OpenID provider (that
    /// of `APP_SSO_ISSUER`): the portal then signs its users in there and hands them to
    /// the module by token exchange (docs/sso.md). Its redirect URI is
    /// `http://localhost:<APP_PORTAL_PORT>/callback`.
    #[arg(long, env = "APP_PORTAL_SSO_CLIENT_ID")]
    pub portal_sso_client_id: Option<String>,

    /// A file holding that client's secret (first line).
    #[arg(long, env = "APP_PORTAL_SSO_CLIENT_SECRET_FILE")]
    pub portal_sso_client_secret_file: Option<PathBuf>,

    /// Demo mode: sent codes go to an outbox (`GET /v1/demo/outbox`, loopback only)
    /// and the log instead of SMTP or the SMS gateway.
    /// `APP_DEMO` takes 1/0, true/false, yes/no, on/off.
    #[arg(long, env = "APP_DEMO", value_parser = clap::builder::BoolishValueParser::new())]
    pub demo: bool,

    /// File holding the 32-byte server key (hex) behind keyed hashes and sealed secrets.
    /// Must exist (`app-passwords-server key generate`), except with --demo, which
    /// creates it. `APP_SECRET_KEY` (64 hex digits) takes precedence.
    #[arg(long, env = "APP_SECRET_KEY_FILE", default_value = "data/server.key")]
    pub secret_key_file: PathBuf,

    /// The address of the app's page (`https://id.contoso.example/`): the "this wasn't
    /// me" link of notices opens it. Required with `APP_SMTP_URL`; with `--demo`,
    /// `http://localhost:<port>/`.
    #[arg(long, env = "APP_PUBLIC_URL")]
    pub public_url: Option<String>,

    /// Issuer name shown in authenticator apps (and the relying party's name shown
    /// by security keys).
    #[arg(long, env = "APP_ISSUER", default_value = DEFAULT_ISSUER)]
    pub issuer: String,

    /// The domain security keys and passkeys are bound to (WebAuthn relying party id):
    /// the domain of the pages that run the app, or a parent domain of them (a portal
    /// embedding the module at portal.example.com and the app at id.example.com:
    /// `example.com`). Keys registered under one id work under that id only.
    #[arg(long, env = "APP_WEBAUTHN_RP_ID", default_value = "localhost")]
    pub webauthn_rp_id: String,

    /// The origins pages run security-key ceremonies from (comma-separated, such as
    /// `https://id.example.com,https://portal.example.com`), each within the relying
    /// party id. Required unless the id is `localhost` (then any port of
    /// http://localhost).
    #[arg(long, env = "APP_WEBAUTHN_ORIGINS", value_delimiter = ',')]
    pub webauthn_origins: Vec<String>,

    #[command(flatten)]
    pub deliveries: DeliveryConfig,

    #[command(flatten)]
    pub directory: DirectoryConfig,

    #[command(flatten)]
    pub sso: SsoConfig,

    /// Proxies whose `X-Forwarded-For` is believed (comma-separated addresses or CIDR
    /// ranges): behind them, limits count the end client's address.
    #[arg(long, env = "APP_TRUSTED_PROXIES", value_delimiter = ',')]
    pub trusted_proxies: Vec<IpNet>,

    /// The shared secrets of the mail servers that may ask `POST /v1/legacy/verify`
    /// (Dovecot: `examples/mail/`), one per line, each of 32 characters or more
    /// (`app-passwords-server key generate --file F` writes one). Unset: none may,
    /// except with `--demo`, which uses (and creates) `data/mail-server.secret`.
    #[arg(long, env = "APP_MAIL_SERVER_SECRET_FILE")]
    pub mail_server_secret_file: Option<PathBuf>,

    /// The shared secrets of the identity systems that provision people over SCIM 2.0
    /// (`/scim/v2/`: Entra ID, Okta, authentik…; docs/provisioning.md), one per line,
    /// each of 32 characters or more. They open SCIM and nothing else, and nothing else
    /// opens SCIM. Unset: SCIM is off, except with `--demo`, which uses (and creates)
    /// `data/scim.secret`.
    #[arg(long, env = "APP_SCIM_SECRET_FILE")]
    pub scim_secret_file: Option<PathBuf>,

    /// The identity system's group (SCIM displayName, any case) whose members must use
    /// MFA, so they may have app passwords; provisioned people outside it need not (nor
    /// may have any). Unset: every provisioned person must use MFA.
    #[arg(long, env = "APP_SCIM_MFA_GROUP")]
    pub scim_mfa_group: Option<String>,

    /// The identity system's group whose members may not have app passwords.
    #[arg(long, env = "APP_SCIM_APP_PASSWORDS_OFF_GROUP")]
    pub scim_app_passwords_off_group: Option<String>,

    /// The admin credentials of the portals that embed the admin mode, one per line:
    /// `name scopes secret` (scopes from read,manage,policy,sessions; the secret 32 characters or
    /// more). Unset: no admin route works, except with `--demo`, which uses (and
    /// creates) `data/admin.credentials` with a `portal` credential of every scope.
    #[arg(long, env = "APP_ADMIN_CREDENTIALS_FILE")]
    pub admin_credentials_file: Option<PathBuf>,

    /// Who may read `/metrics` (comma-separated addresses or CIDR ranges).
    #[arg(
        long,
        env = "APP_METRICS_ALLOW",
        value_delimiter = ',',
        default_value = "127.0.0.0/8,::1/128"
    )]
    pub metrics_allow: Vec<IpNet>,

    /// Apply pending database migrations at start. With `--migrate false` the server
    /// refuses to start on a schema that is behind (run `app-passwords-server migrate`
    /// once before starting several replicas).
    #[arg(long, env = "APP_MIGRATE", default_value_t = true, action = clap::ArgAction::Set)]
    pub migrate: bool,

    /// PostgreSQL: what a rule's transaction locks. `narrow`: what the rule is about (an
    /// account, the throttle buckets it counts in), so replicas check rules about
    /// different people side by side; `global`: everything, one rule at a time across
    /// all replicas (as before narrow locks; to compare with, or to fall back on).
    /// SQLite always runs one rule at a time.
    #[arg(long, env = "APP_PG_LOCKS", value_enum, default_value_t = PgLocks::Narrow)]
    pub pg_locks: PgLocks,

    /// Log lines as JSON objects (one per line) instead of text.
    #[arg(long, env = "APP_LOG_JSON", value_parser = clap::builder::BoolishValueParser::new())]
    pub log_json: bool,

    /// Largest request body accepted, in bytes.
    #[arg(long, env = "APP_MAX_BODY", default_value_t = 16 * 1024)]
    pub max_body: usize,

    #[command(flatten)]
    pub limits: Limits,
}

/// What a rule's transaction locks on PostgreSQL (`APP_PG_LOCKS`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum PgLocks {
    Narrow,
    Global,
}

/// Where codes and notices go: SMTP, the text/voice gateway, the certificates to trust
/// for both (`serve`, and the admin CLI, which tells people what an admin did).
#[derive(Debug, Clone, Args)]
pub struct DeliveryConfig {
    /// SMTP relay for email codes: `smtps://user:password@host` (TLS, port 465),
    /// `smtp://user:password@host:587?tls=required` (STARTTLS), or plain
    /// `smtp://127.0.0.1:25` for a relay on this machine only.
    #[arg(long, env = "APP_SMTP_URL")]
    pub smtp_url: Option<SecretUrl>,

    /// Sender address of email codes.
    #[arg(long, env = "APP_MAIL_FROM", default_value = "App passwords <no-reply@contoso.example>")]
    pub mail_from: String,

    /// HTTP gateway for text and voice codes: receives a JSON POST
    /// `{channel, to, message}`.
    /// Must be https://, except for a gateway on this machine. Redirects are not followed.
    #[arg(long, env = "APP_SMS_GATEWAY_URL")]
    pub sms_gateway_url: Option<SecretUrl>,

    /// Extra certificate authorities (PEM) trusted for the SMTP relay and the gateway,
    /// beside the system's.
    #[arg(long, env = "APP_TLS_CA_FILE")]
    pub tls_ca_file: Option<PathBuf>,
}

const DIRECTORY_USER_FILTER: &str = "(&(objectClass=inetOrgPerson)(mail={username}))";
const DIRECTORY_USERNAME_ATTRIBUTE: &str = "mail";
const DIRECTORY_ID_ATTRIBUTE: &str = "entryUUID";
const DIRECTORY_NAME_ATTRIBUTE: &str = "cn";
const DIRECTORY_GROUP_FILTER: &str = "(&(objectClass=groupOfNames)(member={dn}))";

/// The organization's directory (LDAP, Active Directory) behind sign-in
/// (`credentials::directory`, `docs/directory.md`). Unset: only local accounts.
#[derive(Debug, Clone, Args)]
pub struct DirectoryConfig {
    /// The directory: `ldaps://host` (TLS), or `ldap://host` (StartTLS; plain only to
    /// a loopback address).
    #[arg(long, env = "APP_DIRECTORY_URL")]
    pub directory_url: Option<String>,

    /// The service account that finds people and reads their status and groups
    /// (`cn=app-passwords,ou=services,dc=contoso,dc=example`).
    #[arg(long, env = "APP_DIRECTORY_BIND_DN")]
    pub directory_bind_dn: Option<String>,

    /// File holding the service account's password (its first line).
    #[arg(long, env = "APP_DIRECTORY_BIND_PASSWORD_FILE")]
    pub directory_bind_password_file: Option<PathBuf>,

    /// Where people are searched (`ou=people,dc=contoso,dc=example`).
    #[arg(long, env = "APP_DIRECTORY_BASE")]
    pub directory_base: Option<String>,

    /// The filter that finds one person by the name they sign in with; `{username}` is
    /// replaced by that name, escaped (Active Directory:
    /// `(&(objectClass=user)(userPrincipalName={username}))`).
    #[arg(
        long,
        env = "APP_DIRECTORY_USER_FILTER",
        default_value = DIRECTORY_USER_FILTER
    )]
    pub directory_user_filter: String,

    /// The attribute holding the name people sign in with (Active Directory:
    /// `userPrincipalName`).
    #[arg(long, env = "APP_DIRECTORY_USERNAME_ATTRIBUTE", default_value = DIRECTORY_USERNAME_ATTRIBUTE)]
    pub directory_username_attribute: String,

    /// The attribute holding a person's stable id, kept when they are renamed (Active
    /// Directory: `objectGUID`).
    #[arg(long, env = "APP_DIRECTORY_ID_ATTRIBUTE", default_value = DIRECTORY_ID_ATTRIBUTE)]
    pub directory_id_attribute: String,

    /// The attribute holding a person's display name (Active Directory: `displayName`).
    #[arg(long, env = "APP_DIRECTORY_NAME_ATTRIBUTE", default_value = DIRECTORY_NAME_ATTRIBUTE)]
    pub directory_name_attribute: String,

    /// Where groups are searched (unset: the people's base).
    #[arg(long, env = "APP_DIRECTORY_GROUP_BASE")]
    pub directory_group_base: Option<String>,

    /// The filter that finds the groups a person is a member of; `{dn}` is replaced by
    /// their DN, escaped (Active Directory, nested groups too:
    /// `(member:1.2.840.113556.1.4.1941:={dn})`).
    #[arg(
        long,
        env = "APP_DIRECTORY_GROUP_FILTER",
        default_value = DIRECTORY_GROUP_FILTER
    )]
    pub directory_group_filter: String,

    /// Members of this group must use MFA (so they may have app passwords); unset:
    /// everyone from the directory must.
    #[arg(long, env = "APP_DIRECTORY_MFA_GROUP")]
    pub directory_mfa_group: Option<String>,

    /// Members of this group may not have app passwords.
    #[arg(long, env = "APP_DIRECTORY_APP_PASSWORDS_OFF_GROUP")]
    pub directory_app_passwords_off_group: Option<String>,

    /// Extra certificate authorities (PEM) trusted for the directory, beside the
    /// system's.
    #[arg(long, env = "APP_DIRECTORY_CA_FILE")]
    pub directory_ca_file: Option<PathBuf>,
}

/// No directory; the defaults of its flags (OpenLDAP's `inetOrgPerson`).
impl Default for DirectoryConfig {
    fn default() -> Self {
        Self {
            directory_url: None,
            directory_bind_dn: None,
            directory_bind_password_file: None,
            directory_base: None,
            directory_user_filter: DIRECTORY_USER_FILTER.into(),
            directory_username_attribute: DIRECTORY_USERNAME_ATTRIBUTE.into(),
            directory_id_attribute: DIRECTORY_ID_ATTRIBUTE.into(),
            directory_name_attribute: DIRECTORY_NAME_ATTRIBUTE.into(),
            directory_group_base: None,
            directory_group_filter: DIRECTORY_GROUP_FILTER.into(),
            directory_mfa_group: None,
            directory_app_passwords_off_group: None,
            directory_ca_file: None,
        }
    }
}

/// Single sign-on through the organization's OpenID provider (`credentials::sso`,
/// `docs/sso.md`). Unset: people sign in with a password only.
#[derive(Debug, Clone, Args)]
pub struct SsoConfig {
    /// The provider's issuer (`https://login.contoso.example`; plain http only on a
    /// loopback address): its discovery document is read at
    /// `<issuer>/.well-known/openid-configuration`.
    #[arg(long, env = "APP_SSO_ISSUER")]
    pub sso_issuer: Option<String>,

    /// The endpoint's client id at the provider (a confidential client whose redirect
    /// URI is `<APP_PUBLIC_URL>v1/sso/callback`).
    #[arg(long, env = "APP_SSO_CLIENT_ID")]
    pub sso_client_id: Option<String>,

    /// File holding the client's secret (its first line).
    #[arg(long, env = "APP_SSO_CLIENT_SECRET_FILE")]
    pub sso_client_secret_file: Option<PathBuf>,

    /// The organization's name on the button ("Sign in with <name>"); unset: `APP_ISSUER`.
    #[arg(long, env = "APP_SSO_NAME")]
    pub sso_name: Option<String>,

    /// The `amr` values (RFC 8176) of the ID token that count as MFA done at the
    /// provider (comma-separated, such as `mfa,otp,hwk,swk`); empty: the provider's
    /// MFA never counts, and people prove one of this endpoint's methods. Under the
    /// phishing-resistant policy only `hwk` and `swk` count.
    #[arg(long, env = "APP_SSO_MFA_AMR", value_delimiter = ',')]
    pub sso_mfa_amr: Vec<String>,

    /// How long ago (seconds, by the ID token's `auth_time`) MFA at the provider may
    /// have been done to count.
    #[arg(long, env = "APP_SSO_MFA_MAX_AGE", default_value_t = 600)]
    pub sso_mfa_max_age: i64,

    /// Whether people may sign in with a password here as well; `false`: the provider
    /// is the only door of the web sign-in (the legacy door still takes app passwords).
    #[arg(long, env = "APP_PASSWORD_SIGN_IN", default_value_t = true, action = clap::ArgAction::Set)]
    pub password_sign_in: bool,
}

/// No provider: password sign-in only.
impl Default for SsoConfig {
    fn default() -> Self {
        Self {
            sso_issuer: None,
            sso_client_id: None,
            sso_client_secret_file: None,
            sso_name: None,
            sso_mfa_amr: Vec::new(),
            sso_mfa_max_age: 600,
            password_sign_in: true,
        }
    }
}

/// Builds the flags of [`Limits`] from its table (`every_limit!`): each limit a flag
/// and an environment variable, its default the table's.
#[macro_export]
#[doc(hidden)]
macro_rules! limit_flags {
    ($( $(#[doc = $doc:literal])* $field:ident : $ty:ty = $default:expr, min $min:literal, $env:literal; )*) => {
        /// [`Limits`] as flags (`config.rs`).
        #[derive(Debug, Clone, clap::Args)]
        struct LimitFlags {
            $(
                $(#[doc = $doc])*
                #[arg(long, env = $env, default_value_t = Limits::DEFAULT.$field)]
                $field: $ty,
            )*
        }

        impl From<LimitFlags> for Limits {
            fn from(flags: LimitFlags) -> Self {
                Self { $( $field: flags.$field, )* }
            }
        }

        impl From<Limits> for LimitFlags {
            fn from(limits: Limits) -> Self {
                Self { $( $field: limits.$field, )* }
            }
        }
    };
}

crate::every_limit!(limit_flags);

impl clap::FromArgMatches for Limits {
    fn from_arg_matches(matches: &clap::ArgMatches) -> Result<Self, clap::Error> {
        LimitFlags::from_arg_matches(matches).map(Self::from)
    }

    fn update_from_arg_matches(&mut self, matches: &clap::ArgMatches) -> Result<(), clap::Error> {
        let mut flags = LimitFlags::from(self.clone());
        flags.update_from_arg_matches(matches)?;
        *self = flags.into();
        Ok(())
    }
}

impl clap::Args for Limits {
    fn augment_args(cmd: clap::Command) -> clap::Command {
        LimitFlags::augment_args(cmd)
    }

    fn augment_args_for_update(cmd: clap::Command) -> clap::Command {
        LimitFlags::augment_args_for_update(cmd)
    }
}

/// A URL that may carry credentials (`user:password@`, a key in the query): its `Debug`
/// shows the scheme, host and port only.
#[derive(Clone)]
pub struct SecretUrl(String);

impl SecretUrl {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl From<String> for SecretUrl {
    fn from(s: String) -> Self {
        Self(s)
    }
}

impl std::str::FromStr for SecretUrl {
    type Err = std::convert::Infallible;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Self(s.to_owned()))
    }
}

impl std::fmt::Debug for SecretUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match url::Url::parse(&self.0) {
            Ok(u) => write!(
                f,
                "{}://{}{}/[redacted]",
                u.scheme(),
                u.host_str().unwrap_or_default(),
                u.port().map(|p| format!(":{p}")).unwrap_or_default()
            ),
            Err(_) => f.write_str("[redacted]"),
        }
    }
}

impl Config {
    pub fn addr(&self) -> SocketAddr {
        SocketAddr::new(self.bind, self.port)
    }

    /// A configuration for tests: loopback, a free port, the given database, demo
    /// deliveries, a key file beside the database (created here when missing, as an
    /// operator would with `key generate`).
    pub fn for_tests(dir: &std::path::Path) -> Self {
        let key_file = dir.join("server.key");
        if !key_file.exists() {
            let _ = crate::crypto::ServerKey::generate(&key_file);
        }
        let admin_credentials = dir.join("admin.credentials");
        if !admin_credentials.exists() {
            let lines = format!(
                "portal read,manage,policy,sessions {}\nreader read {}\n",
                crate::crypto::random_hex(32),
                crate::crypto::random_hex(32)
            );
            let _ = crate::crypto::write_new_private(&admin_credentials, &lines);
        }
        let mail_secret = dir.join("mail-server.secret");
        if !mail_secret.exists() {
            let _ = crate::crypto::generate_secret_file(&mail_secret);
        }
        let scim_secret = dir.join("scim.secret");
        if !scim_secret.exists() {
            let _ = crate::crypto::generate_secret_file(&scim_secret);
        }
        Self {
            bind: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 0,
            database_url: format!("sqlite://{}", dir.join("test.db").display()),
            static_dir: PathBuf::from("dist"),
            allowed_origins: Vec::new(),
            portal_port: None,
            portal_dir: PathBuf::from("examples/portal"),
            portal_sso_client_id: None,
            portal_sso_client_secret_file: None,
            demo: true,
            secret_key_file: key_file,
            issuer: DEFAULT_ISSUER.into(),
            public_url: None,
            webauthn_rp_id: "localhost".into(),
            webauthn_origins: Vec::new(),
            deliveries: DeliveryConfig {
                smtp_url: None,
                mail_from: "App passwords <no-reply@contoso.example>".into(),
                sms_gateway_url: None,
                tls_ca_file: None,
            },
            directory: DirectoryConfig::default(),
            sso: SsoConfig::default(),
            trusted_proxies: Vec::new(),
            mail_server_secret_file: Some(mail_secret),
            scim_secret_file: Some(scim_secret),
            scim_mfa_group: None,
            scim_app_passwords_off_group: None,
            admin_credentials_file: Some(admin_credentials),
            metrics_allow: vec![
                "127.0.0.0/8".parse().unwrap_or_else(|_| IpNet::default()),
                "::1/128".parse().unwrap_or_else(|_| IpNet::default()),
            ],
            migrate: true,
            log_json: false,
            max_body: 16 * 1024,
            pg_locks: PgLocks::Narrow,
            // Tests run many servers at once on a few cores: a sign-in may wait longer
            // for a hashing slot than in production (the flood test sets its own).
            limits: Limits { hash_queue_ms: 30_000, ..Limits::default() },
        }
    }
}

/// The limits as `docs/configuration.md` lists them: a Markdown table, from the table in
/// the code (`every_limit!`).
pub fn limits_table() -> String {
    let mut rows = vec![
        "| flag / environment | default | at least | what it is |".to_owned(),
        "| --- | --- | --- | --- |".to_owned(),
    ];
    for l in Limits::SETTINGS {
        let what = l.doc.lines().map(str::trim).collect::<Vec<_>>().join(" ");
        rows.push(format!(
            "| `--{}` `{}` | {} | {} | {} |",
            l.field.replace('_', "-"),
            l.env,
            l.default,
            l.min,
            what.replace('|', "\\|")
        ));
    }
    rows.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `docs/configuration.md` lists every limit as the code has it; `UPDATE_DOCS=1`
    /// writes the table again.
    #[test]
    fn docs_list_every_limit_as_the_code_has_it() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/configuration.md");
        let text = std::fs::read_to_string(path).unwrap_or_default();
        let (open, close) = (
            "<!-- limits: generated from crates/server/src/domain/limits.rs -->",
            "<!-- /limits -->",
        );
        let (Some(start), Some(end)) = (text.find(open), text.find(close)) else {
            panic!("docs/configuration.md has no {open} ... {close} section")
        };
        let wanted = format!("{open}\n{}\n{close}", limits_table());
        let updated = format!("{}{wanted}{}", &text[..start], &text[end + close.len()..]);
        if std::env::var_os("UPDATE_DOCS").is_some() {
            std::fs::write(path, &updated).unwrap_or_default();
            return;
        }
        assert!(
            updated == text,
            "docs/configuration.md's limits differ from the code: run \
             `UPDATE_DOCS=1 cargo test -p app-passwords-server --lib docs` and commit it"
        );
    }

    /// Every limit is a flag of `serve`, with the table's default.
    #[test]
    fn every_limit_is_a_flag_with_its_default() {
        use clap::Parser;
        #[derive(Parser)]
        struct Serve {
            #[command(flatten)]
            limits: Limits,
        }
        let parsed = Serve::try_parse_from(["serve"]).map(|s| s.limits).ok();
        assert_eq!(parsed, Some(Limits::DEFAULT));
        let changed = Serve::try_parse_from(["serve", "--signin-per-account", "7"]).ok();
        assert_eq!(changed.map(|s| s.limits.signin_per_account), Some(7));
    }

    #[test]
    fn urls_with_credentials_do_not_show_them_in_debug_output() {
        let url: SecretUrl = "smtps://mailer:hunter2@mail.example.net:465?x=y".parse().unwrap();
        let shown = format!("{url:?}");
        assert_eq!(shown, "smtps://mail.example.net:465/[redacted]");
        let gateway: SecretUrl = "https://sms.example.net/send?api_key=s3cret".parse().unwrap();
        assert!(!format!("{gateway:?}").contains("s3cret"));
        assert!(
            !format!("{:?}", SecretUrl::from("::garbage hunter2".to_owned())).contains("hunter2")
        );
    }
}
