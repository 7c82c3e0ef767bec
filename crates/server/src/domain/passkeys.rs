//! Security keys and passkeys (WebAuthn, through webauthn-rs): the relying party this
//! server is, and the two ceremonies. Every ceremony's state is returned to the caller
//! as JSON to keep in the store with its proof (single use, expiring); nothing here
//! remembers anything between calls.
//!
//! Keys are registered as webauthn-rs *passkeys*: user verification required (a PIN,
//! a fingerprint, the device's unlock), so a stolen key alone proves nothing. The
//! assertion is bound to the origin the browser saw and to the challenge of ONE proof:
//! another site's assertion, a replayed one and a cloned key's (its counter) fail.

use std::time::Duration;

use anyhow::{bail, Context};
use webauthn_rs::prelude::{
    CredentialID, Passkey, PasskeyAuthentication, PasskeyRegistration, PublicKeyCredential,
    RegisterPublicKeyCredential, Url, Uuid, Webauthn, WebauthnBuilder,
};

/// How long the browser lets the person touch the key (the proof itself lives longer).
const CEREMONY_TIMEOUT: Duration = Duration::from_secs(300);

/// The relying party: its id (a domain) and the origins whose ceremonies it accepts.
pub struct Passkeys {
    webauthn: Webauthn,
    rp_id: String,
    origins: Vec<Url>,
}

impl std::fmt::Debug for Passkeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Passkeys")
            .field("rp_id", &self.rp_id)
            .field("origins", &self.origins.iter().map(Url::as_str).collect::<Vec<_>>())
            .finish()
    }
}

/// Why a key's answer was not accepted (the details go to the log, not the client).
#[derive(Debug)]
pub struct Refused(pub String);

/// A ceremony begun: what the browser needs, and the state to keep until it answers.
pub struct Begun {
    /// `PublicKeyCredentialCreationOptionsJSON` / `...RequestOptionsJSON`, as JSON text.
    pub options: String,
    /// The ceremony's state (its challenge), as JSON text.
    pub state: String,
}

/// A key registered: its credential to store, and its id (unique across accounts).
pub struct Registered {
    pub credential: String,
    pub credential_id: String,
}

impl Passkeys {
    /// `rp_id`: the domain keys are bound to; `origins`: the exact origins (scheme, host,
    /// port) pages run the ceremony from. Without origins on `localhost`, any port of
    /// `http://localhost` is accepted (development and tests). Refused: an IP address
    /// as the id, an origin that is not https (but on localhost), an origin outside the
    /// id's domain (a browser accepts those only through related origins: see the
    /// docs/embedding.md), no origin at all for a real domain.
    pub fn new(rp_id: &str, origins: &[String], rp_name: &str) -> anyhow::Result<Self> {
        let rp_id = rp_id.trim().trim_end_matches('.').to_ascii_lowercase();
        if rp_id.is_empty()
            || rp_id.parse::<std::net::IpAddr>().is_ok()
            || rp_id.contains(['/', ':'])
        {
            bail!("APP_WEBAUTHN_RP_ID must be a domain name (such as example.com), not {rp_id:?}");
        }
        let local = rp_id == "localhost";
        let mut urls = Vec::new();
        for raw in origins.iter().map(|o| o.trim()).filter(|o| !o.is_empty()) {
            let url = Url::parse(raw)
                .with_context(|| format!("APP_WEBAUTHN_ORIGINS: {raw:?} is not a URL"))?;
            let host = url.host_str().unwrap_or_default();
            let within = host == rp_id || host.ends_with(&format!(".{rp_id}"));
            if !within {
                bail!(
                    "APP_WEBAUTHN_ORIGINS: {raw} is not within {rp_id}: a browser binds a key to the \
                     id's domain and its subdomains only (set APP_WEBAUTHN_RP_ID to a domain that \
                     contains every origin)"
                );
            }
            if url.scheme() != "https" && !(url.scheme() == "http" && host == "localhost") {
                bail!("APP_WEBAUTHN_ORIGINS: {raw} must be https:// (http only on localhost)");
            }
            if url.path() != "/" || url.query().is_some() {
                bail!("APP_WEBAUTHN_ORIGINS: {raw} must be an origin, without a path");
            }
            urls.push(url);
        }
        let any_port = local && urls.is_empty();
        if urls.is_empty() {
            if !local {
                bail!("APP_WEBAUTHN_ORIGINS is required with APP_WEBAUTHN_RP_ID={rp_id}: the origins of the pages that run the app");
            }
            urls.push(Url::parse("http://localhost").context("localhost")?);
        }
        let mut builder = WebauthnBuilder::new(&rp_id, &urls[0])
            .context("the relying party id does not match the first origin")?
            .rp_name(rp_name)
            .timeout(CEREMONY_TIMEOUT)
            .allow_any_port(any_port);
        for url in &urls[1..] {
            builder = builder.append_allowed_origin(url);
        }
        let webauthn = builder.build().context("WebAuthn configuration refused")?;
        Ok(Self { webauthn, rp_id, origins: urls })
    }

    pub fn rp_id(&self) -> &str {
        &self.rp_id
    }

    /// The origins accepted, as configured (`http://localhost` = any port).
    pub fn origins(&self) -> Vec<String> {
        self.origins.iter().map(|u| u.origin().ascii_serialization()).collect()
    }

    /// Starts registering a key for `user` (a stable, opaque handle: never the
    /// username), shown in the authenticator as `name`; `exclude`: the credentials the
    /// account already has, which the browser then refuses to register twice.
    pub fn begin_registration(
        &self,
        user: [u8; 16],
        name: &str,
        display_name: &str,
        exclude: Vec<String>,
    ) -> anyhow::Result<Begun> {
        let exclude: Vec<CredentialID> =
            exclude.iter().filter_map(|id| credential_id_from(id)).collect();
        let (ccr, state) = self
            .webauthn
            .start_passkey_registration(
                Uuid::from_bytes(user),
                name,
                display_name,
                (!exclude.is_empty()).then_some(exclude),
            )
            .context("starting a WebAuthn registration")?;
        Ok(Begun {
            options: serde_json::to_string(&ccr.public_key)?,
            state: serde_json::to_string(&state)?,
        })
    }

    /// Checks a registration's answer against its state.
    pub fn finish_registration(&self, state: &str, answer: &str) -> Result<Registered, Refused> {
        let state: PasskeyRegistration = serde_json::from_str(state).map_err(refused)?;
        let answer: RegisterPublicKeyCredential = serde_json::from_str(answer).map_err(refused)?;
        let key = self.webauthn.finish_passkey_registration(&answer, &state).map_err(refused)?;
        Ok(Registered {
            credential_id: credential_id_text(key.cred_id()),
            credential: serde_json::to_string(&key).map_err(refused)?,
        })
    }

    /// Starts proving the registered key `credential` (JSON, as stored).
    pub fn begin_authentication(&self, credential: &str) -> anyhow::Result<Begun> {
        let key: Passkey = serde_json::from_str(credential).context("stored credential")?;
        let (rcr, state) = self
            .webauthn
            .start_passkey_authentication(&[key])
            .context("starting a WebAuthn authentication")?;
        Ok(Begun {
            options: serde_json::to_string(&rcr.public_key)?,
            state: serde_json::to_string(&state)?,
        })
    }

    /// Checks an assertion against its state and the stored credential; the credential
    /// to store after (its counter moved on).
    pub fn finish_authentication(
        &self,
        state: &str,
        credential: &str,
        answer: &str,
    ) -> Result<String, Refused> {
        let state: PasskeyAuthentication = serde_json::from_str(state).map_err(refused)?;
        let answer: PublicKeyCredential = serde_json::from_str(answer).map_err(refused)?;
        let mut key: Passkey = serde_json::from_str(credential).map_err(refused)?;
        let result =
            self.webauthn.finish_passkey_authentication(&answer, &state).map_err(refused)?;
        // webauthn-rs compares the counter with the one in the ceremony's state, taken
        // when the challenge opened: two challenges opened together would both pass.
        // The stored counter is the one that counts (WebAuthn §7.2 step 21).
        let stored = counter_of(credential);
        if (result.counter() > 0 || stored > 0) && result.counter() <= stored {
            return Err(Refused(format!(
                "the key's counter {} is not past the stored {stored}: a cloned key?",
                result.counter()
            )));
        }
        if key.update_credential(&result).is_none() {
            return Err(Refused("the assertion is another key's".into()));
        }
        serde_json::to_string(&key).map_err(refused)
    }
}

/// The signature counter of a stored credential (webauthn-rs's `Passkey` as JSON).
/// Whether `raw` can be a security key's answer at all: the JSON text of an object (the
/// browser's `PublicKeyCredential.toJSON()`). Anything else is refused as malformed
/// before a proof is looked at, and so is not counted as a wrong answer.
pub fn is_credential_json(raw: &str) -> bool {
    serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(raw).is_ok()
}

fn counter_of(credential: &str) -> u32 {
    serde_json::from_str::<serde_json::Value>(credential)
        .ok()
        .and_then(|v| v["cred"]["counter"].as_u64())
        .and_then(|n| u32::try_from(n).ok())
        .unwrap_or(0)
}

fn refused(e: impl std::fmt::Display) -> Refused {
    Refused(e.to_string())
}

/// A credential id as stored: base64url, unpadded (as the browser shows it).
fn credential_id_text(id: &CredentialID) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(id.as_slice())
}

fn credential_id_from(text: &str) -> Option<CredentialID> {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(text).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn origins(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn a_relying_party_the_browser_would_refuse_is_refused_at_start() {
        for (rp_id, list, says) in [
            ("127.0.0.1", &[][..], "domain name"),
            ("example.com", &[][..], "APP_WEBAUTHN_ORIGINS is required"),
            ("example.com", &["https://portal.other.example"][..], "not within example.com"),
            ("example.com", &["https://notexample.com"][..], "not within example.com"),
            ("example.com", &["http://id.example.com"][..], "must be https"),
            ("example.com", &["https://id.example.com/app"][..], "without a path"),
            ("example.com", &["not a url"][..], "not a URL"),
        ] {
            let err = Passkeys::new(rp_id, &origins(list), "Contoso").unwrap_err().to_string();
            assert!(err.contains(says), "{rp_id} {list:?}: {err}");
        }
    }

    #[test]
    fn a_domain_and_its_subdomains_may_run_ceremonies() {
        let keys = Passkeys::new(
            "Example.com.",
            &origins(&["https://id.example.com", "https://portal.example.com:8443"]),
            "Contoso",
        )
        .unwrap();
        assert_eq!(keys.rp_id(), "example.com");
        assert_eq!(keys.origins(), ["https://id.example.com", "https://portal.example.com:8443"]);
        assert_eq!(
            Passkeys::new("localhost", &[], "Contoso").unwrap().origins(),
            ["http://localhost"]
        );
    }

    #[test]
    fn options_carry_the_relying_party_and_exclude_the_keys_already_registered() {
        let keys = Passkeys::new("localhost", &[], "Contoso").unwrap();
        let begun = keys
            .begin_registration([7; 16], "nora@contoso.example", "Nora", vec!["AQID".into()])
            .unwrap();
        let options: serde_json::Value = serde_json::from_str(&begun.options).unwrap();
        assert_eq!(options["rp"]["id"], "localhost");
        assert_eq!(options["rp"]["name"], "Contoso");
        assert_eq!(options["user"]["name"], "nora@contoso.example");
        assert_eq!(options["excludeCredentials"][0]["id"], "AQID");
        assert_eq!(options["authenticatorSelection"]["userVerification"], "required");
        assert!(options["challenge"].as_str().unwrap().len() >= 43, "at least 32 random bytes");
        assert!(keys.finish_registration(&begun.state, "{}").is_err());
        assert!(keys.finish_registration("{}", "{}").is_err());
    }
}
