//! Single sign-on: the endpoint as a relying party of the organization's OpenID provider
//! (OpenID Connect's authorization code flow, as a confidential client).
//!
//! The rules, all here:
//! - the browser is sent to the provider with `state` (random, kept hashed by
//!   `store::sso`, single use, expiring), a `nonce` and a PKCE S256 challenge, both
//!   derived from the state under the server key (so nothing secret is stored, and
//!   neither can be replayed with another state);
//! - the code is exchanged by the endpoint, never by the browser, with the client's
//!   secret and the PKCE verifier;
//! - the ID token is verified: signature by a key of the provider's JWKS (asymmetric
//!   algorithms only: a token "signed" with `none` or with HMAC keyed by anything
//!   public is refused), issuer, audience (this client alone), expiry and issue time by
//!   the endpoint's clock, nonce. A key id the cached JWKS lacks (the provider rotated
//!   its key) reads the JWKS again, at most once every few seconds, and tries once
//!   more;
//! - MFA done at the provider counts only as the operator says (`APP_SSO_MFA_AMR`):
//!   one of the listed `amr` values (RFC 8176), `auth_time` no older than
//!   `APP_SSO_MFA_MAX_AGE`; `hwk`/`swk` make it phishing resistant.
//!
//! The discovery document is read lazily (a provider that is down at start is only
//! logged; sign-ins through it say so until it is back).

use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use openidconnect::core::{
    CoreAuthPrompt, CoreAuthenticationFlow, CoreClient, CoreIdToken, CoreIdTokenClaims,
    CoreJsonWebKeySet, CoreJwsSigningAlgorithm, CoreProviderMetadata,
};
use openidconnect::{
    AuthorizationCode, ClaimsVerificationError, ClientId, ClientSecret, CsrfToken,
    EndpointMaybeSet, EndpointNotSet, EndpointSet, IssuerUrl, JsonWebTokenType, Nonce,
    PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope, SignatureVerificationError,
    TokenResponse,
};
use secrecy::SecretString;
use tokio::sync::{Mutex, RwLock};

use crate::clock::Clock;
use crate::config::SsoConfig;
use crate::crypto::ServerKey;
use crate::domain::accounts::{SSO_KEY_PROOF, SSO_PROOF};

/// The signing algorithms an ID token may use: asymmetric ones only.
const ALGORITHMS: [CoreJwsSigningAlgorithm; 8] = [
    CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256,
    CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha384,
    CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha512,
    CoreJwsSigningAlgorithm::RsaSsaPssSha256,
    CoreJwsSigningAlgorithm::RsaSsaPssSha384,
    CoreJwsSigningAlgorithm::EcdsaP256Sha256,
    CoreJwsSigningAlgorithm::EcdsaP384Sha384,
    CoreJwsSigningAlgorithm::EdDsa,
];

/// How far in the future an ID token's `iat` may be (clocks differ a little).
const CLOCK_SKEW: i64 = 60;

/// The JWKS is read again at most this often: an unknown key id sooner waits for it (a
/// token naming keys that do not exist must not make the endpoint hammer the provider).
const KEYS_FLOOR: Duration = Duration::from_secs(2);

/// The `amr` values (RFC 8176) that say a key proved possession: phishing resistant.
const KEY_AMR: [&str; 2] = ["hwk", "swk"];

/// The relying party's client at the provider, as `openidconnect` types it.
type Rp = CoreClient<
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

/// Why a sign-in through the provider did not come to a verified person.
#[derive(Debug, thiserror::Error)]
pub enum SsoError {
    /// The provider (its discovery document, keys or token endpoint) did not answer,
    /// or not usably.
    #[error("the OpenID provider cannot be reached: {0}")]
    Unavailable(String),
    /// The provider's answer is not a valid sign-in of this client: a refused code, an
    /// ID token that fails verification.
    #[error("the sign-in at the OpenID provider was refused: {0}")]
    Refused(String),
}

/// MFA the provider did, counted as the operator's policy says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProviderMfa {
    /// When (the ID token's `auth_time`).
    pub at: i64,
    /// With a key (`hwk`/`swk` listed by the policy).
    pub phishing_resistant: bool,
}

impl ProviderMfa {
    /// The kind a session proven this way records (`store::sessions`).
    pub fn kind(self) -> &'static str {
        if self.phishing_resistant {
            SSO_KEY_PROOF
        } else {
            SSO_PROOF
        }
    }
}

/// The person the provider vouched for.
pub struct Identity {
    pub issuer: String,
    pub subject: String,
    /// The `email` claim, unless the provider says it is not verified.
    pub email: Option<String>,
    pub name: Option<String>,
    /// MFA at the provider that counts, if any.
    pub mfa: Option<ProviderMfa>,
}

impl std::fmt::Debug for Identity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Identity")
            .field("issuer", &self.issuer)
            .field("subject", &self.subject)
            .field("mfa", &self.mfa)
            .finish_non_exhaustive()
    }
}

/// The organization's OpenID provider, as configured (`SsoConfig`).
pub struct Provider {
    issuer: IssuerUrl,
    client_id: ClientId,
    client_secret: ClientSecret,
    redirect: RedirectUrl,
    name: String,
    mfa_amr: Vec<String>,
    mfa_max_age: i64,
    http: reqwest::Client,
    key: Arc<ServerKey>,
    clock: Clock,
    /// The discovery document with its keys, once read, and how many times they were.
    metadata: RwLock<Option<(CoreProviderMetadata, u64)>>,
    /// When the keys were last read; held while they are read (one reader at a time).
    keys_read: Mutex<Option<Instant>>,
}

impl std::fmt::Debug for Provider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Provider")
            .field("issuer", &self.issuer.as_str())
            .field("client_id", &self.client_id.as_str())
            .finish_non_exhaustive()
    }
}

impl Provider {
    /// The provider of `config`, if one is configured: every setting checked (a setting
    /// the endpoint cannot honour refuses the start, naming it); its discovery document
    /// tried (a provider that does not answer is only logged).
    pub async fn connect(
        config: &SsoConfig,
        public_url: Option<&str>,
        organization: &str,
        http: reqwest::Client,
        key: Arc<ServerKey>,
        clock: Clock,
    ) -> anyhow::Result<Option<Arc<Self>>> {
        let Some(issuer) = &config.sso_issuer else {
            anyhow::ensure!(
                config.password_sign_in,
                "APP_PASSWORD_SIGN_IN=false needs APP_SSO_ISSUER: without a provider no one \
                 could sign in"
            );
            return Ok(None);
        };
        let issuer = issuer_url(issuer)?;
        let client_id = config
            .sso_client_id
            .clone()
            .filter(|id| !id.trim().is_empty())
            .ok_or_else(|| anyhow::anyhow!("APP_SSO_ISSUER needs APP_SSO_CLIENT_ID"))?;
        let secret_file = config
            .sso_client_secret_file
            .as_ref()
            .ok_or_else(|| anyhow::anyhow!("APP_SSO_ISSUER needs APP_SSO_CLIENT_SECRET_FILE"))?;
        let secret = std::fs::read_to_string(secret_file)
            .map_err(|e| {
                anyhow::anyhow!(
                    "APP_SSO_CLIENT_SECRET_FILE: cannot read {}: {e}",
                    secret_file.display()
                )
            })?
            .lines()
            .next()
            .map(str::trim)
            .unwrap_or_default()
            .to_owned();
        anyhow::ensure!(
            !secret.is_empty(),
            "APP_SSO_CLIENT_SECRET_FILE {} is empty",
            secret_file.display()
        );
        let public_url = public_url.ok_or_else(|| {
            anyhow::anyhow!(
                "APP_SSO_ISSUER needs APP_PUBLIC_URL: the provider sends people back to \
                 <APP_PUBLIC_URL>v1/sso/callback"
            )
        })?;
        let redirect = RedirectUrl::new(format!("{public_url}v1/sso/callback"))?;
        anyhow::ensure!(
            (1..=24 * 3600).contains(&config.sso_mfa_max_age),
            "APP_SSO_MFA_MAX_AGE must be 1 to 86400 seconds (it is {})",
            config.sso_mfa_max_age
        );
        let mfa_amr: Vec<String> = config
            .sso_mfa_amr
            .iter()
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
            .collect();
        if let Some(bad) = mfa_amr.iter().find(|v| !v.bytes().all(|b| b.is_ascii_graphic())) {
            anyhow::bail!(
                "APP_SSO_MFA_AMR: {bad:?} is not an amr value (RFC 8176: mfa, otp, hwk, swk, ...)"
            );
        }
        let provider = Arc::new(Self {
            issuer,
            client_id: ClientId::new(client_id),
            client_secret: ClientSecret::new(secret),
            redirect,
            name: config.sso_name.clone().unwrap_or_else(|| organization.to_owned()),
            mfa_amr,
            mfa_max_age: config.sso_mfa_max_age,
            http,
            key,
            clock,
            metadata: RwLock::new(None),
            keys_read: Mutex::new(None),
        });
        match provider.metadata().await {
            Ok(_) => tracing::info!(issuer = provider.issuer.as_str(), "sso: provider discovered"),
            Err(e) => tracing::warn!(error = %e, "sso: the provider does not answer yet"),
        }
        Ok(Some(provider))
    }

    /// The organization's name on the sign-in button.
    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn issuer(&self) -> &str {
        self.issuer.as_str()
    }

    /// Where to send the browser to sign in at the provider for the sign-in `state`;
    /// `again`: the person must authenticate there anew (their MFA there is too old).
    pub async fn authorization_url(&self, state: &str, again: bool) -> Result<String, SsoError> {
        let client = self.client(self.metadata().await?.0);
        let challenge = PkceCodeChallenge::from_code_verifier_sha256(&self.pkce_verifier(state));
        let (csrf, nonce) = (CsrfToken::new(state.to_owned()), self.nonce(state));
        let mut request = client
            .authorize_url(CoreAuthenticationFlow::AuthorizationCode, move || csrf, move || nonce)
            .add_scope(Scope::new("email".into()))
            .add_scope(Scope::new("profile".into()))
            .set_pkce_challenge(challenge);
        if again {
            request = request.add_prompt(CoreAuthPrompt::Login).set_max_age(Duration::ZERO);
        }
        Ok(request.url().0.to_string())
    }

    /// The person a code the provider sent back for `state` vouches for: the code
    /// exchanged, the ID token verified (the rules: this module's documentation).
    pub async fn finish(&self, state: &str, code: &str) -> Result<Identity, SsoError> {
        let (metadata, seen) = self.metadata().await?;
        let client = self.client(metadata);
        let answer = client
            .exchange_code(AuthorizationCode::new(code.to_owned()))
            .map_err(|e| SsoError::Unavailable(format!("the provider has no token endpoint: {e}")))?
            .set_pkce_verifier(self.pkce_verifier(state))
            .request_async(&self.http)
            .await
            .map_err(|e| match e {
                openidconnect::RequestTokenError::ServerResponse(r) => {
                    SsoError::Refused(format!("the token endpoint refused the code: {}", r.error()))
                }
                // An answer that is no token response (a malformed ID token in it): the
                // provider's sign-in cannot be used, trying again will not help.
                openidconnect::RequestTokenError::Parse(e, _) => {
                    SsoError::Refused(format!("the token endpoint's answer: {e}"))
                }
                other => SsoError::Unavailable(format!("the token endpoint: {other}")),
            })?;
        let token = answer
            .id_token()
            .ok_or_else(|| SsoError::Refused("the token endpoint sent no ID token".into()))?
            .clone();
        self.verified(&client, seen, &token, Some(&self.nonce(state)))
            .await
            .map_err(|e| SsoError::Refused(format!("the ID token: {e}")))
    }

    /// The person a token a portal presents vouches for (RFC 8693 token exchange): a JWT
    /// the provider signed (an RFC 9068 access token, or an ID token) whose audience is
    /// this client alone, checked as an ID token is, but for the nonce (none was asked).
    pub async fn vouched(&self, token: &str) -> Result<Identity, SsoError> {
        let token: CoreIdToken = token
            .parse()
            // Not the parser's words: they may quote the token, which is a credential.
            .map_err(|_| SsoError::Refused("the subject token is not a JWT".into()))?;
        let (metadata, seen) = self.metadata().await?;
        self.verified(&self.client(metadata), seen, &token, None)
            .await
            .map_err(|e| SsoError::Refused(format!("the subject token: {e}")))
    }

    /// The person `token` names, verified with the keys of `client` (their reading
    /// `seen`), or once more with the keys read again when it names a key they lack
    /// (the provider rotated). A verification's refusal is the error's text.
    async fn verified(
        &self,
        client: &Rp,
        seen: u64,
        token: &CoreIdToken,
        nonce: Option<&Nonce>,
    ) -> Result<Identity, String> {
        let claims = match self.verify(client, token, nonce) {
            Err(ClaimsVerificationError::SignatureVerification(
                SignatureVerificationError::NoMatchingKey,
            )) => {
                let metadata = self.reread_keys(seen).await.map_err(|e| e.to_string())?;
                self.verify(&self.client(metadata), token, nonce)
            }
            verified => verified,
        };
        claims.map(|c| self.identity(&c)).map_err(|e| e.to_string())
    }

    /// Who verified `claims` say the person is, and the MFA they say that counts.
    fn identity(&self, claims: &CoreIdTokenClaims) -> Identity {
        let now = self.clock.now();
        let auth_time = claims.auth_time().map(|t| t.timestamp());
        let amr: Vec<String> = claims
            .auth_method_refs()
            .map(|refs| refs.iter().map(|r| r.to_string()).collect())
            .unwrap_or_default();
        let counted: Vec<&String> = amr.iter().filter(|v| self.mfa_amr.contains(v)).collect();
        let mfa = match auth_time {
            Some(at)
                if !counted.is_empty()
                    && now - at <= self.mfa_max_age
                    && at <= now + CLOCK_SKEW =>
            {
                Some(ProviderMfa {
                    at: at.min(now),
                    phishing_resistant: counted.iter().any(|v| KEY_AMR.contains(&v.as_str())),
                })
            }
            _ => None,
        };
        let email = match claims.email_verified() {
            Some(false) => None,
            _ => claims.email().map(|e| e.as_str().to_owned()),
        };
        let name = claims.name().and_then(|n| n.get(None)).map(|n| n.as_str().to_owned());
        tracing::info!(
            sub = %claims.subject().as_str(),
            amr = ?amr,
            acr = ?claims.auth_context_ref().map(|a| a.as_str()),
            auth_time = ?auth_time,
            age = ?auth_time.map(|at| now - at),
            mfa = mfa.is_some(),
            "sso: ID token verified"
        );
        Identity {
            issuer: claims.issuer().as_str().to_owned(),
            subject: claims.subject().as_str().to_owned(),
            email,
            name,
            mfa,
        }
    }

    /// Verifies `token` against the keys `client` holds, by the endpoint's clock, with
    /// the sign-in's `nonce` (an ID token of the code flow), or none at all (a portal's
    /// token: an RFC 9068 access token, `typ` `at+jwt`, is taken then).
    fn verify(
        &self,
        client: &Rp,
        token: &CoreIdToken,
        nonce: Option<&Nonce>,
    ) -> Result<CoreIdTokenClaims, ClaimsVerificationError> {
        let clock = self.clock.clone();
        let now = move || chrono::DateTime::from_timestamp(clock.now(), 0).unwrap_or_default();
        let iat_clock = self.clock.clone();
        let verifier = client
            .id_token_verifier()
            .set_allowed_algs(ALGORITHMS)
            .set_time_fn(now)
            .set_issue_time_verifier_fn(move |iat| {
                if iat.timestamp() > iat_clock.now() + CLOCK_SKEW {
                    Err(format!("issued in the future ({iat})"))
                } else {
                    Ok(())
                }
            });
        match nonce {
            Some(nonce) => token.claims(&verifier, nonce).cloned(),
            None => {
                let types = ["at+jwt", "application/jwt", "jwt"]
                    .into_iter()
                    .filter_map(|t| JsonWebTokenType::new(t.into()).normalize().ok());
                let verifier = verifier.set_allowed_jose_types(types);
                token.claims(&verifier, |_: Option<&Nonce>| Ok(())).cloned()
            }
        }
    }

    /// The client, with the keys of `metadata`.
    fn client(&self, metadata: CoreProviderMetadata) -> Rp {
        CoreClient::from_provider_metadata(
            metadata,
            self.client_id.clone(),
            Some(self.client_secret.clone()),
        )
        .set_redirect_uri(self.redirect.clone())
    }

    /// The discovery document (and keys), read on first need and kept, with the number
    /// of the keys' reading.
    async fn metadata(&self) -> Result<(CoreProviderMetadata, u64), SsoError> {
        if let Some(m) = self.metadata.read().await.as_ref() {
            return Ok(m.clone());
        }
        let mut read = self.keys_read.lock().await;
        if let Some(m) = self.metadata.read().await.as_ref() {
            return Ok(m.clone());
        }
        let metadata = CoreProviderMetadata::discover_async(self.issuer.clone(), &self.http)
            .await
            .map_err(|e| SsoError::Unavailable(format!("discovery: {e}")))?;
        *self.metadata.write().await = Some((metadata.clone(), 0));
        *read = Some(Instant::now());
        Ok((metadata, 0))
    }

    /// Reads the provider's keys again (a key id reading `seen` lacked), unless another
    /// request did since; one reader at a time (the others wait for its answer), at most
    /// one reading per [`KEYS_FLOOR`] (sooner waits for it).
    async fn reread_keys(&self, seen: u64) -> Result<CoreProviderMetadata, SsoError> {
        let mut read = self.keys_read.lock().await;
        let (metadata, reading) = self.metadata().await?;
        if reading != seen {
            return Ok(metadata);
        }
        if let Some(at) = *read {
            tokio::time::sleep(KEYS_FLOOR.saturating_sub(at.elapsed())).await;
        }
        let jwks = CoreJsonWebKeySet::fetch_async(metadata.jwks_uri(), &self.http)
            .await
            .map_err(|e| SsoError::Unavailable(format!("the provider's keys: {e}")))?;
        let metadata = metadata.set_jwks(jwks);
        *self.metadata.write().await = Some((metadata.clone(), reading + 1));
        *read = Some(Instant::now());
        tracing::info!("sso: the provider's keys read again (an unknown key id)");
        Ok(metadata)
    }

    /// The nonce of the sign-in `state`: derived under the server key, so it is bound
    /// to that state and need not be stored.
    fn nonce(&self, state: &str) -> Nonce {
        Nonce::new(URL_SAFE_NO_PAD.encode(self.key.mac("sso-nonce", state.as_bytes())))
    }

    /// The PKCE verifier of the sign-in `state` (43 characters), derived likewise.
    fn pkce_verifier(&self, state: &str) -> PkceCodeVerifier {
        PkceCodeVerifier::new(URL_SAFE_NO_PAD.encode(self.key.mac("sso-pkce", state.as_bytes())))
    }
}

/// A new sign-in's `state`: 32 random bytes, base64url (never stored as is).
pub fn new_state() -> SecretString {
    SecretString::from(URL_SAFE_NO_PAD.encode(crate::crypto::random_bytes(32)))
}

/// The issuer as configured: https, or http to a loopback address only.
fn issuer_url(raw: &str) -> anyhow::Result<IssuerUrl> {
    let trimmed = raw.trim().trim_end_matches('/');
    let url = url::Url::parse(trimmed)
        .map_err(|e| anyhow::anyhow!("APP_SSO_ISSUER {raw:?} is not a URL: {e}"))?;
    let loopback = crate::deliveries::is_loopback(url.host());
    anyhow::ensure!(
        url.scheme() == "https" || (url.scheme() == "http" && loopback),
        "APP_SSO_ISSUER must be https:// (plain http only to this machine): {raw}"
    );
    anyhow::ensure!(
        url.query().is_none() && url.fragment().is_none(),
        "APP_SSO_ISSUER must not have a query or fragment: {raw}"
    );
    Ok(IssuerUrl::new(trimmed.to_owned())?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_issuer_is_https_or_loopback_http() {
        assert!(issuer_url("https://login.contoso.example/").is_ok());
        assert!(issuer_url("http://127.0.0.1:9400").is_ok());
        assert!(issuer_url("http://localhost:9400").is_ok());
        assert!(issuer_url("http://login.contoso.example").is_err());
        assert!(issuer_url("https://login.contoso.example/?x=1").is_err());
        assert!(issuer_url("not a url").is_err());
    }

    #[test]
    fn nonce_and_verifier_are_bound_to_the_state_and_unlike_each_other() {
        let key = Arc::new(ServerKey::from_bytes([7; 32]));
        let config = SsoConfig::default();
        let provider = Provider {
            issuer: issuer_url("https://login.contoso.example").unwrap(),
            client_id: ClientId::new("app".into()),
            client_secret: ClientSecret::new("hunter2-hunter2".into()),
            redirect: RedirectUrl::new("https://id.contoso.example/v1/sso/callback".into())
                .unwrap(),
            name: "Contoso".into(),
            mfa_amr: config.sso_mfa_amr,
            mfa_max_age: config.sso_mfa_max_age,
            http: reqwest::Client::new(),
            key,
            clock: Clock::manual(0),
            metadata: RwLock::new(None),
            keys_read: Mutex::new(None),
        };
        let (a, b) = ("state-a", "state-b");
        assert_eq!(provider.nonce(a).secret(), provider.nonce(a).secret());
        assert_ne!(provider.nonce(a).secret(), provider.nonce(b).secret());
        assert_ne!(provider.nonce(a).secret(), provider.pkce_verifier(a).secret());
        assert_eq!(provider.pkce_verifier(a).secret().len(), 43);
        assert!(!format!("{provider:?}").contains("hunter2"));
        assert_eq!(secrecy::ExposeSecret::expose_secret(&new_state()).len(), 43);
    }
}
