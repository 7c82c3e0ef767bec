//! Sending codes: email over SMTP, text and voice through an HTTP gateway, or, in demo
//! mode, an outbox in the database (readable on loopback) and the log.
//!
//! A code is a secret in transit: a relay or gateway that is not on this machine is
//! reached over TLS only (SMTP with STARTTLS required or implicit TLS; the gateway over
//! https, with rustls), certificates are checked against the system's roots plus an
//! optional CA file, and the gateway's redirects are not followed (a redirect would carry
//! the code somewhere nobody configured). Settings that break this are refused at start.

pub mod notices;

use std::time::Duration;

use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use reqwest::Url;
use secrecy::{ExposeSecret, SecretString};
use wire::MethodKind;

use crate::config::DeliveryConfig;
use crate::store::Store;

/// Where codes go.
pub struct Deliverer {
    demo: bool,
    smtp: Option<AsyncSmtpTransport<Tokio1Executor>>,
    from: Mailbox,
    gateway: Option<Url>,
    http: reqwest::Client,
    issuer: String,
}

impl std::fmt::Debug for Deliverer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Deliverer").field("demo", &self.demo).finish_non_exhaustive()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum DeliveryError {
    #[error("no {0} delivery is configured")]
    NotConfigured(&'static str),
    #[error("email delivery failed: {0}")]
    Smtp(String),
    #[error("gateway delivery failed: {0}")]
    Gateway(String),
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

const TIMEOUT: Duration = Duration::from_secs(10);

/// An HTTP client for the endpoint's calls to other services (the text gateway, the
/// OpenID provider): rustls with the system's roots and `extra_ca` (PEM, named by
/// `setting` in errors), redirects never followed, bounded in time.
fn https_client(extra_ca: Option<&[u8]>, setting: &str) -> anyhow::Result<reqwest::Client> {
    install_tls_provider();
    let mut http = reqwest::Client::builder()
        .use_rustls_tls()
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(Duration::from_secs(5))
        .timeout(TIMEOUT);
    if let Some(pem) = extra_ca {
        for cert in reqwest::Certificate::from_pem_bundle(pem)
            .map_err(|e| anyhow::anyhow!("{setting} holds no PEM certificate: {e}"))?
        {
            http = http.add_root_certificate(cert);
        }
    }
    Ok(http.build()?)
}

impl Deliverer {
    /// From the delivery settings; `demo` keeps everything in the demo outbox instead;
    /// `issuer` names the organization in the messages.
    pub fn from_config(config: &DeliveryConfig, demo: bool, issuer: &str) -> anyhow::Result<Self> {
        install_tls_provider();
        let extra_ca = match &config.tls_ca_file {
            Some(file) => Some(
                std::fs::read(file)
                    .map_err(|e| anyhow::anyhow!("APP_TLS_CA_FILE {}: {e}", file.display()))?,
            ),
            None => None,
        };
        let smtp = match &config.smtp_url {
            Some(url) => Some(smtp_transport(url.expose(), extra_ca.as_deref())?),
            None => None,
        };
        let gateway = match &config.sms_gateway_url {
            Some(url) => Some(gateway_url(url.expose())?),
            None => None,
        };
        let http = https_client(extra_ca.as_deref(), "APP_TLS_CA_FILE")?;
        let from = config.mail_from.parse::<Mailbox>().map_err(|e| {
            anyhow::anyhow!("APP_MAIL_FROM {:?} is not a mail address: {e}", config.mail_from)
        })?;
        Ok(Self { demo, smtp, from, gateway, http, issuer: issuer.to_owned() })
    }

    /// The HTTP client of the endpoint's calls to other services (the text gateway, the
    /// OpenID provider): `APP_TLS_CA_FILE` trusted, redirects never followed.
    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }

    pub fn demo(&self) -> bool {
        self.demo
    }

    /// Whether notices can be sent at all (by mail, or to the demo outbox).
    pub fn sends_notices(&self) -> bool {
        self.demo || self.smtp.is_some()
    }

    /// Sends `code` to `to` over the channel of `kind`.
    #[tracing::instrument(skip_all, fields(kind = kind.as_str()))]
    pub async fn send(
        &self,
        store: &Store,
        kind: MethodKind,
        to: &str,
        code: &SecretString,
    ) -> Result<(), DeliveryError> {
        let message = match kind {
            MethodKind::Voice => format!(
                "Your {} verification code is {}. Again: {}.",
                self.issuer,
                spaced(code.expose_secret()),
                spaced(code.expose_secret())
            ),
            _ => format!(
                "{} is your {} verification code. It expires in 10 minutes. Never share it.",
                code.expose_secret(),
                self.issuer
            ),
        };
        if self.demo {
            store.push_outbox(kind.as_str(), to, &message).await?;
            // Demo only: the code is printed so the journey runs without a phone.
            tracing::info!(channel = kind.as_str(), "demo outbox: {message}");
            return Ok(());
        }
        match kind {
            MethodKind::Email => {
                let subject = format!("Your {} verification code", self.issuer);
                self.email(to, &subject, &message).await
            }
            MethodKind::Sms | MethodKind::Voice => self.gateway(kind, to, &message).await,
            MethodKind::Totp | MethodKind::Passkey => Ok(()),
        }
    }

    /// Sends a notice (plain text) to the account's address: by email, or to the demo
    /// outbox (channel `notice`).
    pub async fn notice(
        &self,
        store: &Store,
        to: &str,
        subject: &str,
        body: &str,
    ) -> Result<(), DeliveryError> {
        if self.demo {
            store.push_outbox("notice", to, &format!("{subject}\n\n{body}")).await?;
            return Ok(());
        }
        self.email(to, subject, body).await
    }

    async fn email(&self, to: &str, subject: &str, body: &str) -> Result<(), DeliveryError> {
        let smtp = self.smtp.as_ref().ok_or(DeliveryError::NotConfigured("email"))?;
        let to: Mailbox = to
            .parse()
            .map_err(|e: lettre::address::AddressError| DeliveryError::Smtp(e.to_string()))?;
        let mail = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .body(body.to_owned())
            .map_err(|e| DeliveryError::Smtp(e.to_string()))?;
        // The transport's own timeout covers connecting only: a relay that stops
        // answering mid-conversation must not hold the person's request forever.
        match tokio::time::timeout(TIMEOUT, smtp.send(mail)).await {
            Ok(sent) => sent.map(drop).map_err(|e| DeliveryError::Smtp(e.to_string())),
            Err(_) => Err(DeliveryError::Smtp("the relay did not answer in time".into())),
        }
    }

    async fn gateway(
        &self,
        kind: MethodKind,
        to: &str,
        message: &str,
    ) -> Result<(), DeliveryError> {
        let url = self.gateway.as_ref().ok_or(DeliveryError::NotConfigured("text/voice"))?;
        let res = self
            .http
            .post(url.clone())
            .json(&serde_json::json!({ "channel": kind.as_str(), "to": to, "message": message }))
            .send()
            .await
            .map_err(|e| DeliveryError::Gateway(e.without_url().to_string()))?;
        if !res.status().is_success() {
            return Err(DeliveryError::Gateway(format!("HTTP {}", res.status().as_u16())));
        }
        Ok(())
    }
}

/// Chooses the process's TLS crypto provider (ring) once, rather than leaving it to
/// crate features, which a program embedding this server may unify into two providers
/// (then rustls refuses to guess). Later calls do nothing.
pub fn install_tls_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// Whether `host` is this machine (a local relay may be spoken to in plain text).
/// (`smtp:` is not a special scheme, so its IP hosts arrive as opaque text.)
pub fn is_loopback(host: Option<url::Host<&str>>) -> bool {
    match host {
        Some(url::Host::Domain(d)) => {
            d.eq_ignore_ascii_case("localhost")
                || d.trim_matches(['[', ']'])
                    .parse::<std::net::IpAddr>()
                    .is_ok_and(|ip| ip.is_loopback())
        }
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// The gateway's URL: https, or http on loopback only.
fn gateway_url(raw: &str) -> anyhow::Result<Url> {
    let url =
        Url::parse(raw).map_err(|e| anyhow::anyhow!("APP_SMS_GATEWAY_URL is not a URL: {e}"))?;
    match url.scheme() {
        "https" => Ok(url),
        "http" if is_loopback(url.host()) => Ok(url),
        "http" => anyhow::bail!(
            "APP_SMS_GATEWAY_URL must use https:// (plain http is accepted only for a gateway \
             on this machine): codes must not cross the network in clear text"
        ),
        other => anyhow::bail!("APP_SMS_GATEWAY_URL: unsupported scheme {other:?} (use https://)"),
    }
}

/// How the SMTP connection is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SmtpTls {
    /// `smtps://`: TLS from the first byte (port 465).
    Implicit,
    /// `smtp://…?tls=required`: STARTTLS, refused without it (port 587).
    Required,
    /// `smtp://` on loopback: a local relay that handles TLS onwards (port 25).
    Plain,
}

/// `smtps://[user:password@]host[:port]`, `smtp://[user:password@]host[:port]?tls=required`,
/// or plain `smtp://host[:port]` for a relay on this machine. Credentials are sent only
/// over TLS or to loopback.
fn smtp_transport(
    raw: &str,
    extra_ca: Option<&[u8]>,
) -> anyhow::Result<AsyncSmtpTransport<Tokio1Executor>> {
    let url = Url::parse(raw).map_err(|e| anyhow::anyhow!("APP_SMTP_URL is not a URL: {e}"))?;
    let tls_param = url.query_pairs().find(|(k, _)| k == "tls").map(|(_, v)| v.into_owned());
    let mode = match (url.scheme(), tls_param.as_deref()) {
        ("smtps", None) => SmtpTls::Implicit,
        ("smtp", Some("required")) => SmtpTls::Required,
        ("smtp", None) => SmtpTls::Plain,
        ("smtp", Some(other)) => {
            anyhow::bail!(
                "APP_SMTP_URL: tls={other} is not supported (use tls=required, or smtps://)"
            )
        }
        (scheme, _) => {
            anyhow::bail!("APP_SMTP_URL: unsupported scheme {scheme:?} (use smtps:// or smtp://)")
        }
    };
    let host = match url.host() {
        Some(url::Host::Domain(d)) => d.to_owned(),
        Some(url::Host::Ipv4(ip)) => ip.to_string(),
        Some(url::Host::Ipv6(ip)) => ip.to_string(),
        None => anyhow::bail!("APP_SMTP_URL has no host"),
    };
    if mode == SmtpTls::Plain && !is_loopback(url.host()) {
        anyhow::bail!(
            "APP_SMTP_URL: the relay {host} is not on this machine, so it must be reached over \
             TLS: use smtps://{host}:465 or smtp://{host}:587?tls=required"
        );
    }
    let port = url.port().unwrap_or(match mode {
        SmtpTls::Implicit => 465,
        SmtpTls::Required => 587,
        SmtpTls::Plain => 25,
    });
    let mut params = TlsParameters::builder(host.clone());
    if let Some(pem) = extra_ca {
        let cert = Certificate::from_pem(pem)
            .map_err(|e| anyhow::anyhow!("APP_TLS_CA_FILE holds no PEM certificate: {e}"))?;
        params = params.add_root_certificate(cert);
    }
    let params = params
        .build_rustls()
        .map_err(|e| anyhow::anyhow!("APP_SMTP_URL: TLS setup failed: {e}"))?;
    let tls = match mode {
        SmtpTls::Implicit => Tls::Wrapper(params),
        SmtpTls::Required => Tls::Required(params),
        SmtpTls::Plain => Tls::None,
    };
    let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&host)
        .port(port)
        .tls(tls)
        .timeout(Some(TIMEOUT));
    if !url.username().is_empty() {
        let decode =
            |s: &str| percent_encoding::percent_decode_str(s).decode_utf8_lossy().into_owned();
        let password = url.password().map(decode).unwrap_or_default();
        builder = builder.credentials(Credentials::new(decode(url.username()), password));
    }
    Ok(builder.build())
}

/// `123456` → `1 2 3 4 5 6`, for a voice reading digit by digit.
fn spaced(code: &str) -> String {
    code.chars().map(String::from).collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_gateway_off_this_machine_must_be_https() {
        assert!(gateway_url("https://sms.example.net/send?key=k").is_ok());
        assert!(gateway_url("http://127.0.0.1:9000/send").is_ok());
        assert!(gateway_url("http://localhost:9000/send").is_ok());
        assert!(gateway_url("http://[::1]:9000/send").is_ok());
        let err = gateway_url("http://sms.example.net/send").unwrap_err().to_string();
        assert!(err.contains("must use https://"), "{err}");
        assert!(gateway_url("ftp://sms.example.net/").is_err());
        assert!(gateway_url("not a url").is_err());
    }

    #[test]
    fn a_relay_off_this_machine_must_be_reached_over_tls() {
        assert!(smtp_transport("smtp://127.0.0.1:2525", None).is_ok());
        assert!(smtp_transport("smtp://[::1]:2525", None).is_ok());
        assert!(smtp_transport("smtp://localhost", None).is_ok());
        assert!(smtp_transport("smtp://127.0.0.1.example.net", None).is_err());
        assert!(smtp_transport("smtps://user:p%40ss@mail.example.net", None).is_ok());
        assert!(smtp_transport("smtp://user:pass@mail.example.net:587?tls=required", None).is_ok());
        let err =
            smtp_transport("smtp://user:pass@mail.example.net:25", None).err().unwrap().to_string();
        assert!(err.contains("must be reached over TLS") && err.contains("smtps://"), "{err}");
        assert!(smtp_transport("smtp://mail.example.net?tls=opportunistic", None).is_err());
        assert!(smtp_transport("imap://mail.example.net", None).is_err());
    }
}
