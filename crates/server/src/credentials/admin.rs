//! The admin credentials and tokens of `/v1/admin/…`: a portal holding an admin
//! credential (configured in `APP_ADMIN_CREDENTIALS_FILE`, each with its scopes) mints a short-lived admin token
//! for the operator it has signed in (`POST /v1/admin/sessions`), and hands that token,
//! never the credential, to the module's admin mode. The token is signed with the server
//! key (every replica checks it alone), names its credential, scopes, actor and expiry,
//! and stops working when its credential leaves the file.

use std::path::Path;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use wire::admin::AdminScope;

use crate::crypto::{self, ServerKey};

/// Where `--demo` keeps the example portal's credential when none is configured.
pub const DEMO_CREDENTIALS_FILE: &str = "data/admin.credentials";

/// How long an admin token works: a portal mints one per page it serves.
pub const TOKEN_TTL: i64 = 15 * 60;

const TOKEN_PREFIX: &str = "adm1.";
const MIN_SECRET_LEN: usize = 32;

/// One credential: its name (in the audit log), its scopes, its secret's digest.
struct Credential {
    name: String,
    scopes: Vec<AdminScope>,
    digest: [u8; 32],
}

/// The configured admin credentials.
#[derive(Default)]
pub struct AdminCredentials {
    credentials: Vec<Credential>,
}

impl std::fmt::Debug for AdminCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = self.credentials.iter().map(|c| c.name.as_str()).collect();
        write!(f, "AdminCredentials({names:?})")
    }
}

impl AdminCredentials {
    /// From `file`: one credential per line, `name scopes secret` (scopes
    /// comma-separated from read,manage,policy,sessions; the secret 32 characters or more);
    /// blank lines and `#` comments skipped. With `demo` and no file, from
    /// [`DEMO_CREDENTIALS_FILE`], created with one `portal` credential of every scope.
    /// Neither: no admin route can be used. A bad line stops the start, naming it.
    pub fn load(file: Option<&Path>, demo: bool) -> anyhow::Result<Self> {
        const SETTING: &str = "APP_ADMIN_CREDENTIALS_FILE";
        let read = crypto::read_secrets_file(SETTING, file, demo, DEMO_CREDENTIALS_FILE, || {
            format!("portal read,manage,policy,sessions {}\n", crypto::random_hex(32))
        })?;
        let Some((file, text)) = read else { return Ok(Self::default()) };
        Self::parse(&text)
            .map_err(|why| anyhow::anyhow!("APP_ADMIN_CREDENTIALS_FILE {}: {why}", file.display()))
    }

    fn parse(text: &str) -> Result<Self, String> {
        let mut credentials: Vec<Credential> = Vec::new();
        for (n, line) in lines(text) {
            let fields: Vec<&str> = line.split_whitespace().collect();
            let [name, scopes, secret] = fields[..] else {
                return Err(format!("line {n}: expected `name scopes secret`"));
            };
            let scopes = scopes
                .split(',')
                .map(|s| {
                    AdminScope::parse(s).ok_or(format!(
                        "line {n}: unknown scope {s:?} (read, manage, policy, sessions)"
                    ))
                })
                .collect::<Result<Vec<_>, _>>()?;
            if secret.chars().count() < MIN_SECRET_LEN {
                return Err(format!(
                    "line {n}: the secret is shorter than {MIN_SECRET_LEN} characters"
                ));
            }
            if credentials.iter().any(|c| c.name == name) {
                return Err(format!("line {n}: the name {name:?} is used twice"));
            }
            let digest = Sha256::digest(secret.as_bytes()).into();
            credentials.push(Credential { name: name.to_owned(), scopes, digest });
        }
        Ok(Self { credentials })
    }

    /// The credential whose secret this is (every digest compared, in constant time).
    fn find(&self, presented: &str) -> Option<&Credential> {
        let digest: [u8; 32] = Sha256::digest(presented.as_bytes()).into();
        self.credentials.iter().fold(None, |found, c| {
            if crypto::ct_eq(&c.digest, &digest) {
                Some(c)
            } else {
                found
            }
        })
    }

    fn named(&self, name: &str) -> Option<&Credential> {
        self.credentials.iter().find(|c| c.name == name)
    }
}

/// The file's credential lines, numbered from 1: blank lines and `#` comments skipped.
fn lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let numbered = text.lines().enumerate().map(|(n, l)| (n + 1, l.trim()));
    numbered.filter(|(_, l)| !l.is_empty() && !l.starts_with('#'))
}

/// The secret of the file's first credential: what the example portal's back end holds.
pub fn first_secret(text: &str) -> Option<&str> {
    lines(text).next().and_then(|(_, line)| line.split_whitespace().nth(2))
}

/// What an admin token says, signed.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    /// The credential's name.
    pub credential: String,
    pub actor: String,
    pub scopes: Vec<AdminScope>,
    /// Unix seconds.
    pub expires: i64,
    /// Random: two tokens minted alike (same credential, actor and second) are still
    /// two, so ending one (the helpdesk view's sign-out) leaves the other.
    #[serde(default)]
    pub id: String,
}

impl Claims {
    fn sign(&self, key: &ServerKey) -> String {
        let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(self).unwrap_or_default());
        let mac = key.keyed_hash("admin-token", payload.as_bytes());
        format!("{TOKEN_PREFIX}{payload}.{mac}")
    }

    fn verify(token: &str, key: &ServerKey) -> Option<Self> {
        let (payload, mac) = token.strip_prefix(TOKEN_PREFIX)?.split_once('.')?;
        let expected = key.keyed_hash("admin-token", payload.as_bytes());
        if !crypto::ct_eq(expected.as_bytes(), mac.as_bytes()) {
            return None;
        }
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).ok()?).ok()
    }
}

impl AdminCredentials {
    /// Mints a token for `actor` with the credential whose secret was `presented`,
    /// valid for [`TOKEN_TTL`] from `now`.
    pub fn mint(
        &self,
        key: &ServerKey,
        presented: &str,
        actor: &str,
        now: i64,
    ) -> Option<(String, Claims)> {
        let credential = self.find(presented)?;
        let claims = Claims {
            credential: credential.name.clone(),
            actor: actor.to_owned(),
            scopes: credential.scopes.clone(),
            expires: now + TOKEN_TTL,
            id: crypto::random_id(),
        };
        Some((claims.sign(key), claims))
    }

    /// The name and scopes of the credential whose secret was `presented` (the token
    /// exchange takes the credential itself, never an admin token).
    pub fn holder(&self, presented: &str) -> Option<(&str, &[AdminScope])> {
        self.find(presented).map(|c| (c.name.as_str(), c.scopes.as_slice()))
    }

    /// The claims of `token` while it is live at `now`: signed with `key`, not expired,
    /// its credential still configured with (at least) the token's scopes. `None` for
    /// a token this server did not sign; `Some(None)` for one it signed that no longer
    /// works (expired, its credential removed or narrowed since).
    pub fn check(&self, key: &ServerKey, token: &str, now: i64) -> Option<Option<Claims>> {
        let claims = Claims::verify(token, key)?;
        let live = self
            .named(&claims.credential)
            .is_some_and(|c| claims.scopes.iter().all(|s| c.scopes.contains(s)));
        Some((claims.expires > now && live).then_some(claims))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const A: &str = "0123456789abcdef0123456789abcdef";

    #[test]
    fn credentials_are_read_with_their_scopes_and_bad_lines_named() {
        let creds =
            AdminCredentials::parse(&format!("# helpdesk\nhelpdesk read,manage {A}\n")).unwrap();
        let found = creds.find(A).unwrap();
        assert_eq!(
            (found.name.as_str(), found.scopes.clone()),
            ("helpdesk", vec![AdminScope::Read, AdminScope::Manage])
        );
        assert!(creds.find(&A[1..]).is_none());
        for (text, says) in [
            (format!("helpdesk read {}", &A[..31]), "line 1: the secret is shorter"),
            (format!("helpdesk read,root {A}"), "unknown scope \"root\""),
            (format!("helpdesk {A}"), "expected `name scopes secret`"),
            (format!("a read {A}\na read {A}x"), "line 2: the name \"a\" is used twice"),
        ] {
            let err = AdminCredentials::parse(&text).err().unwrap();
            assert!(err.contains(says), "{err}");
        }
        assert_eq!(format!("{creds:?}"), "AdminCredentials([\"helpdesk\"])");
    }

    #[test]
    fn a_token_opens_only_as_signed() {
        let key = ServerKey::from_bytes([7; 32]);
        let claims = Claims {
            credential: "helpdesk".into(),
            actor: "jane".into(),
            scopes: vec![AdminScope::Read],
            expires: 2_000_000_000,
            id: "t1".into(),
        };
        let token = claims.sign(&key);
        assert_eq!(Claims::verify(&token, &key).unwrap().actor, "jane");
        assert!(Claims::verify(&token, &ServerKey::from_bytes([8; 32])).is_none());
        // Scopes widened in the payload: the signature no longer matches.
        let (_, mac) = token.rsplit_once('.').unwrap();
        let forged = Claims { scopes: AdminScope::ALL.to_vec(), ..claims };
        let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&forged).unwrap());
        assert!(Claims::verify(&format!("{TOKEN_PREFIX}{payload}.{mac}"), &key).is_none());
    }
}
