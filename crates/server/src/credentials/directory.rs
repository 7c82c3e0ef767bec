//! The organization's directory (OpenLDAP, Active Directory, 389-ds) behind the primary
//! credential: people are found with the endpoint's service account, and their password
//! is checked by binding as them; it is never stored or hashed here. What the directory
//! says of a person (their stable id, name, whether they are locked or disabled, their
//! policy groups) is a [`Person`]; `store::directory` keeps it as the person's account.
//!
//! Every value put into a filter is escaped (RFC 4515) and so is the DN of a person put
//! into the group filter; plain `ldap://` is used only to a loopback address (StartTLS
//! elsewhere), and the service account's password comes from a file.

use std::sync::Arc;
use std::time::Duration;

use ldap3::{ldap_escape, Ldap, LdapConnAsync, LdapConnSettings, LdapError, Scope, SearchEntry};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::CertificateDer;
use secrecy::{ExposeSecret, SecretString};
use tokio::sync::Mutex;

use crate::config::DirectoryConfig;
use crate::domain::accounts::{parse_display_name, Username};
use crate::domain::directory::{DirectoryStatus, Person};

/// How long a connection, a bind or a search may take before the directory counts as
/// unreachable.
const TIMEOUT: Duration = Duration::from_secs(5);

/// LDAP's result code for a bind with the wrong password (or a DN that does not exist).
const INVALID_CREDENTIALS: u32 = 49;

/// Ids asked for in one status search.
const IDS_PER_SEARCH: usize = 50;

/// Why the directory gave no answer.
#[derive(Debug, thiserror::Error)]
pub enum DirectoryError {
    #[error("the directory cannot be reached: {0}")]
    Unreachable(String),
    #[error("the directory refused the service account {dn} (result code {rc})")]
    ServiceRefused { dn: String, rc: u32 },
}

impl From<LdapError> for DirectoryError {
    fn from(e: LdapError) -> Self {
        Self::Unreachable(e.to_string())
    }
}

/// What a password check against the directory came to.
#[derive(Debug)]
pub enum Bound {
    /// The password is the person's.
    Right(Box<Person>),
    /// It is not, or no one has that name.
    Wrong,
}

/// The directory, as configured (`DirectoryConfig`).
pub struct Directory {
    url: String,
    starttls: bool,
    tls: Option<Arc<rustls::ClientConfig>>,
    bind_dn: String,
    bind_password: SecretString,
    base: String,
    user_filter: String,
    username_attribute: String,
    id_attribute: String,
    name_attribute: String,
    group_base: String,
    group_filter: String,
    mfa_group: Option<String>,
    app_passwords_off_group: Option<String>,
    /// The service account's connection, bound, reused while it lasts.
    service: Mutex<Option<Ldap>>,
}

impl std::fmt::Debug for Directory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Directory")
            .field("url", &self.url)
            .field("bind_dn", &self.bind_dn)
            .field("base", &self.base)
            .finish_non_exhaustive()
    }
}

impl Directory {
    /// The directory of `config`, if one is configured: every setting checked, and the
    /// service account's password tried (a wrong one refuses the start, naming the
    /// setting; a directory that cannot be reached is only logged: sign-ins say so until
    /// it is back).
    pub async fn connect(config: &DirectoryConfig) -> anyhow::Result<Option<Arc<Self>>> {
        let Some(url) = &config.directory_url else { return Ok(None) };
        let directory = Arc::new(Self::from_config(url, config)?);
        match directory.service().await {
            Ok(_) => tracing::info!(url = %directory.url, "directory: service account bound"),
            Err(DirectoryError::ServiceRefused { dn, rc }) => anyhow::bail!(
                "APP_DIRECTORY_BIND_PASSWORD_FILE: the directory at {} refused the service \
                 account {dn} (LDAP result code {rc}{}); check the file and \
                 APP_DIRECTORY_BIND_DN",
                directory.url,
                if rc == INVALID_CREDENTIALS { ": invalid credentials" } else { "" }
            ),
            Err(e) => tracing::warn!(error = %e, "directory: not reachable at start"),
        }
        Ok(Some(directory))
    }

    fn from_config(raw_url: &str, config: &DirectoryConfig) -> anyhow::Result<Self> {
        let url = url::Url::parse(raw_url.trim())
            .map_err(|e| anyhow::anyhow!("APP_DIRECTORY_URL {raw_url:?} is not a URL: {e}"))?;
        let host = url.host_str().unwrap_or_default();
        let loopback = host == "localhost"
            || host
                .trim_matches(['[', ']'])
                .parse::<std::net::IpAddr>()
                .is_ok_and(|ip| ip.is_loopback());
        let starttls = match url.scheme() {
            "ldaps" => false,
            // Plain LDAP only on this machine; anywhere else the password is sent
            // only after StartTLS.
            "ldap" => !loopback,
            other => anyhow::bail!(
                "APP_DIRECTORY_URL must be ldaps:// or ldap:// (StartTLS), not {other}://"
            ),
        };
        anyhow::ensure!(!host.is_empty(), "APP_DIRECTORY_URL {raw_url:?} names no host");
        let required = |value: &Option<String>, name: &str| {
            value
                .as_deref()
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
                .ok_or_else(|| anyhow::anyhow!("{name} is required with APP_DIRECTORY_URL"))
        };
        let bind_dn = required(&config.directory_bind_dn, "APP_DIRECTORY_BIND_DN")?;
        let base = required(&config.directory_base, "APP_DIRECTORY_BASE")?;
        let Some(file) = &config.directory_bind_password_file else {
            anyhow::bail!("APP_DIRECTORY_BIND_PASSWORD_FILE is required with APP_DIRECTORY_URL")
        };
        let password = std::fs::read_to_string(file).map_err(|e| {
            anyhow::anyhow!("APP_DIRECTORY_BIND_PASSWORD_FILE {}: {e}", file.display())
        })?;
        let password = password.trim_end_matches(['\r', '\n']).to_owned();
        anyhow::ensure!(
            !password.is_empty(),
            "APP_DIRECTORY_BIND_PASSWORD_FILE {} is empty",
            file.display()
        );
        anyhow::ensure!(
            config.directory_user_filter.contains("{username}"),
            "APP_DIRECTORY_USER_FILTER must contain {{username}}: {}",
            config.directory_user_filter
        );
        anyhow::ensure!(
            config.directory_group_filter.contains("{dn}"),
            "APP_DIRECTORY_GROUP_FILTER must contain {{dn}}: {}",
            config.directory_group_filter
        );
        let tls = match &config.directory_ca_file {
            Some(file) => Some(Arc::new(tls_with_ca(file)?)),
            None => None,
        };
        Ok(Self {
            url: url.to_string(),
            starttls,
            tls,
            bind_dn,
            bind_password: SecretString::from(password),
            group_base: config.directory_group_base.clone().unwrap_or_else(|| base.clone()),
            base,
            user_filter: config.directory_user_filter.clone(),
            username_attribute: config.directory_username_attribute.clone(),
            id_attribute: config.directory_id_attribute.clone(),
            name_attribute: config.directory_name_attribute.clone(),
            group_filter: config.directory_group_filter.clone(),
            mfa_group: config.directory_mfa_group.as_deref().map(normalize_dn),
            app_passwords_off_group: config
                .directory_app_passwords_off_group
                .as_deref()
                .map(normalize_dn),
            service: Mutex::new(None),
        })
    }

    /// A new connection (not bound).
    async fn open(&self) -> Result<Ldap, DirectoryError> {
        let mut settings =
            LdapConnSettings::new().set_conn_timeout(TIMEOUT).set_starttls(self.starttls);
        if let Some(tls) = &self.tls {
            settings = settings.set_config(tls.clone());
        }
        let (conn, mut ldap) = LdapConnAsync::with_settings(settings, &self.url).await?;
        ldap3::drive!(conn);
        ldap.with_timeout(TIMEOUT);
        Ok(ldap)
    }

    /// The service account's connection: the one kept, or a new one bound now.
    async fn service(&self) -> Result<Ldap, DirectoryError> {
        let mut kept = self.service.lock().await;
        if let Some(ldap) = kept.as_mut() {
            if !ldap.is_closed() {
                return Ok(ldap.clone());
            }
        }
        let mut ldap = self.open().await?;
        let bound = ldap.simple_bind(&self.bind_dn, self.bind_password.expose_secret()).await?;
        if bound.rc != 0 {
            return Err(DirectoryError::ServiceRefused { dn: self.bind_dn.clone(), rc: bound.rc });
        }
        *kept = Some(ldap.clone());
        Ok(ldap)
    }

    /// Searches as the service account; a connection that broke is replaced once.
    async fn search(
        &self,
        base: &str,
        filter: &str,
        attrs: &[&str],
    ) -> Result<Vec<SearchEntry>, DirectoryError> {
        let mut tried = 0;
        loop {
            let mut ldap = self.service().await?;
            let ldap = ldap.with_timeout(TIMEOUT);
            match ldap.search(base, Scope::Subtree, filter, attrs.to_vec()).await {
                Ok(result) => {
                    // Only a whole answer counts: a partial one (a size limit, a
                    // referral) must never read as "these people are gone".
                    let (entries, _) = result.success()?;
                    return Ok(entries.into_iter().map(SearchEntry::construct).collect());
                }
                Err(e) if tried == 0 => {
                    tracing::info!(error = %e, "directory: connection lost, reconnecting");
                    *self.service.lock().await = None;
                    tried += 1;
                }
                Err(e) => return Err(e.into()),
            }
        }
    }

    fn person_attributes(&self) -> Vec<&str> {
        vec![
            self.id_attribute.as_str(),
            self.username_attribute.as_str(),
            self.name_attribute.as_str(),
            "pwdAccountLockedTime",
            "userAccountControl",
            "nsAccountLock",
            "pwdChangedTime",
            "pwdLastSet",
        ]
    }

    /// The person whose name is `username`, if the directory has exactly one.
    pub async fn find(&self, username: &Username) -> Result<Option<Person>, DirectoryError> {
        let filter = self.user_filter.replace("{username}", &ldap_escape(username.as_str()));
        let mut entries = self.search(&self.base, &filter, &self.person_attributes()).await?;
        if entries.len() > 1 {
            // Ambiguous: no one (the operator's filter must name one person).
            tracing::warn!(count = entries.len(), "directory: a name matches several people");
            return Ok(None);
        }
        match entries.pop() {
            Some(entry) => self.person(entry).await,
            None => Ok(None),
        }
    }

    /// Whether `password` is `username`'s, by binding as them on a connection of its
    /// own. A name the directory does not know binds as a DN no one has, so the answer
    /// comes in the same round trips.
    pub async fn authenticate(
        &self,
        username: &Username,
        password: &SecretString,
    ) -> Result<Bound, DirectoryError> {
        let person = self.find(username).await?;
        // An empty password is an "unauthenticated bind", which some directories
        // answer with success: never sent.
        if password.expose_secret().is_empty() {
            return Ok(Bound::Wrong);
        }
        let dn = match &person {
            Some(person) => person.dn.clone(),
            None => format!("cn={},{}", crate::crypto::random_hex(16), self.base),
        };
        let mut ldap = self.open().await?;
        let bound = ldap.simple_bind(&dn, password.expose_secret()).await?;
        let _ = ldap.unbind().await;
        match (bound.rc, person) {
            (0, Some(person)) => Ok(Bound::Right(Box::new(person))),
            (0 | INVALID_CREDENTIALS, _) => Ok(Bound::Wrong),
            // A locked or disabled person's bind is refused with other codes too
            // (Active Directory: 49 with a sub-code; others 50, 53).
            (rc, _) => {
                tracing::info!(rc, "directory: bind refused");
                Ok(Bound::Wrong)
            }
        }
    }

    /// The people with these ids as the directory has them now; an id found nowhere is
    /// a person deleted (said only from a whole answer: an error is an error).
    pub async fn people(&self, ids: &[String]) -> Result<Vec<Person>, DirectoryError> {
        let mut people = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(IDS_PER_SEARCH) {
            let any: String = chunk
                .iter()
                .map(|id| format!("({}={})", self.id_attribute, self.id_value(id)))
                .collect();
            let filter = format!("(|{any})");
            for entry in self.search(&self.base, &filter, &self.person_attributes()).await? {
                if let Some(person) = self.person(entry).await? {
                    people.push(person);
                }
            }
        }
        Ok(people)
    }

    /// An id as a filter value: escaped text, or (a binary id such as `objectGUID`,
    /// kept in hex) each byte escaped.
    fn id_value(&self, id: &str) -> String {
        if binary_id(&self.id_attribute) {
            id.as_bytes()
                .chunks(2)
                .map(|pair| format!("\\{}", String::from_utf8_lossy(pair)))
                .collect()
        } else {
            ldap_escape(id).into_owned()
        }
    }

    /// The person an entry describes, with their groups; `None` when it lacks an id or
    /// a usable name (logged: the directory's data, not the person's doing).
    async fn person(&self, entry: SearchEntry) -> Result<Option<Person>, DirectoryError> {
        let first = |name: &str| {
            entry
                .attrs
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .and_then(|(_, v)| v.first().cloned())
        };
        let id = match first(&self.id_attribute) {
            Some(id) => Some(id.to_lowercase()),
            None => entry
                .bin_attrs
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(&self.id_attribute))
                .and_then(|(_, v)| v.first())
                .map(|bytes| bytes.iter().map(|b| format!("{b:02x}")).collect()),
        };
        let username = first(&self.username_attribute).and_then(|u| Username::parse(&u));
        let (Some(id), Some(username)) = (id, username) else {
            tracing::warn!(dn = %entry.dn, "directory: a person without an id or a usable name");
            return Ok(None);
        };
        let display_name = first(&self.name_attribute)
            .and_then(|n| parse_display_name(&n))
            .unwrap_or_else(|| username.as_str().to_owned());
        let disabled_bit = first("userAccountControl")
            .and_then(|v| v.parse::<u32>().ok())
            .is_some_and(|v| v & 2 != 0);
        let status = if first("pwdAccountLockedTime").is_some() {
            DirectoryStatus::Locked
        } else if disabled_bit
            || first("nsAccountLock").is_some_and(|v| v.eq_ignore_ascii_case("true"))
        {
            DirectoryStatus::Disabled
        } else {
            DirectoryStatus::Active
        };
        let groups = self.groups(&entry.dn).await?;
        let member = |group: &Option<String>| group.as_ref().map(|g| groups.contains(g));
        Ok(Some(Person {
            id,
            dn: entry.dn,
            username,
            display_name,
            status,
            password_changed: first("pwdChangedTime").or_else(|| first("pwdLastSet")),
            mfa_required: member(&self.mfa_group).unwrap_or(true),
            app_passwords_allowed: !member(&self.app_passwords_off_group).unwrap_or(false),
        }))
    }

    /// The groups (normalized DNs) `dn` is a member of, by the group filter.
    async fn groups(&self, dn: &str) -> Result<Vec<String>, DirectoryError> {
        if self.mfa_group.is_none() && self.app_passwords_off_group.is_none() {
            return Ok(Vec::new());
        }
        let filter = self.group_filter.replace("{dn}", &ldap_escape(dn));
        let entries = self.search(&self.group_base, &filter, &["1.1"]).await?;
        Ok(entries.iter().map(|e| normalize_dn(&e.dn)).collect())
    }
}

/// Ids the directory keeps as bytes.
fn binary_id(attribute: &str) -> bool {
    ["objectGUID", "objectSid", "msDS-ExternalDirectoryObjectId"]
        .iter()
        .any(|a| a.eq_ignore_ascii_case(attribute))
}

/// A DN as groups are compared: lower-cased, no spaces around its separators.
fn normalize_dn(dn: &str) -> String {
    dn.split(',').map(|rdn| rdn.trim().to_lowercase()).collect::<Vec<_>>().join(",")
}

/// TLS trusting the system's authorities and those in `file` (PEM).
fn tls_with_ca(file: &std::path::Path) -> anyhow::Result<rustls::ClientConfig> {
    let pem = std::fs::read(file)
        .map_err(|e| anyhow::anyhow!("APP_DIRECTORY_CA_FILE {}: {e}", file.display()))?;
    let mut roots = rustls::RootCertStore::empty();
    for cert in rustls_native_certs::load_native_certs().certs {
        let _ = roots.add(cert);
    }
    let mut added = 0;
    for cert in CertificateDer::pem_slice_iter(&pem) {
        let cert = cert.map_err(|e| anyhow::anyhow!("APP_DIRECTORY_CA_FILE: {e}"))?;
        roots.add(cert).map_err(|e| anyhow::anyhow!("APP_DIRECTORY_CA_FILE: {e}"))?;
        added += 1;
    }
    anyhow::ensure!(added > 0, "APP_DIRECTORY_CA_FILE {} holds no PEM certificate", file.display());
    Ok(rustls::ClientConfig::builder().with_root_certificates(roots).with_no_client_auth())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dns_compare_without_case_or_spaces() {
        assert_eq!(
            normalize_dn("CN=MFA-Required, OU=Groups,DC=contoso, dc=example"),
            "cn=mfa-required,ou=groups,dc=contoso,dc=example"
        );
    }

    #[test]
    fn filter_values_are_escaped() {
        // RFC 4515: the characters that would end or widen a filter.
        assert_eq!(ldap_escape("ada*)(uid=*\0"), "ada\\2a\\29\\28uid=\\2a\\00");
    }
}
