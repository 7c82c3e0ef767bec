//! Sending codes: email over SMTP, text and voice through an HTTP gateway, or, in demo
//! mode, an outbox in the database (readable on loopback) and the log.

use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use secrecy::{ExposeSecret, SecretString};
use wire::MethodKind;

use crate::clock::now_ms;
use crate::config::Config;
use crate::crypto;
use crate::db::Db;

/// Where codes go.
pub struct Deliverer {
    demo: bool,
    smtp: Option<AsyncSmtpTransport<Tokio1Executor>>,
    from: Option<Mailbox>,
    gateway: Option<String>,
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

impl Deliverer {
    pub fn from_config(config: &Config) -> anyhow::Result<Self> {
        let smtp = match &config.smtp_url {
            Some(url) => Some(smtp_transport(url)?),
            None => None,
        };
        Ok(Self {
            demo: config.demo,
            smtp,
            from: config.mail_from.parse().ok(),
            gateway: config.sms_gateway_url.clone(),
            http: reqwest::Client::builder().timeout(std::time::Duration::from_secs(10)).build()?,
            issuer: config.issuer.clone(),
        })
    }

    pub fn demo(&self) -> bool {
        self.demo
    }

    /// Sends `code` to `to` over the channel of `kind`.
    #[tracing::instrument(skip_all, fields(kind = kind.as_str()))]
    pub async fn send(
        &self,
        db: &Db,
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
            sqlx::query("INSERT INTO outbox (id, channel, destination, body, created_at) VALUES (?, ?, ?, ?, ?)")
                .bind(crypto::random_id())
                .bind(kind.as_str())
                .bind(to)
                .bind(&message)
                .bind(now_ms())
                .execute(db)
                .await?;
            // Demo only: the code is printed so the journey runs without a phone.
            tracing::info!(channel = kind.as_str(), "demo outbox: {message}");
            return Ok(());
        }
        match kind {
            MethodKind::Email => self.email(to, &message).await,
            MethodKind::Sms | MethodKind::Voice => self.gateway(kind, to, &message).await,
            MethodKind::Totp => Ok(()),
        }
    }

    async fn email(&self, to: &str, body: &str) -> Result<(), DeliveryError> {
        let smtp = self.smtp.as_ref().ok_or(DeliveryError::NotConfigured("email"))?;
        let from = self.from.clone().ok_or(DeliveryError::NotConfigured("sender"))?;
        let to: Mailbox = to
            .parse()
            .map_err(|e: lettre::address::AddressError| DeliveryError::Smtp(e.to_string()))?;
        let mail = Message::builder()
            .from(from)
            .to(to)
            .subject(format!("Your {} verification code", self.issuer))
            .body(body.to_owned())
            .map_err(|e| DeliveryError::Smtp(e.to_string()))?;
        smtp.send(mail).await.map_err(|e| DeliveryError::Smtp(e.to_string()))?;
        Ok(())
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
            .post(url)
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

/// `smtp://host[:port]`: plain SMTP to a relay the operator runs (local MTA or
/// sidecar), which handles TLS onwards.
fn smtp_transport(url: &str) -> anyhow::Result<AsyncSmtpTransport<Tokio1Executor>> {
    let rest = url
        .strip_prefix("smtp://")
        .ok_or_else(|| anyhow::anyhow!("APP_SMTP_URL must start with smtp://"))?;
    let rest = rest.trim_end_matches('/');
    let (host, port) = match rest.rsplit_once(':') {
        Some((h, p)) => {
            (h, p.parse::<u16>().map_err(|_| anyhow::anyhow!("bad port in APP_SMTP_URL"))?)
        }
        None => (rest, 25),
    };
    Ok(AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host).port(port).build())
}

/// `123456` → `1 2 3 4 5 6`, for a voice reading digit by digit.
fn spaced(code: &str) -> String {
    code.chars().map(String::from).collect::<Vec<_>>().join(" ")
}

/// One message in the demo outbox.
#[derive(Debug, serde::Serialize, serde::Deserialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct OutboxMessage {
    pub channel: String,
    pub destination: String,
    pub body: String,
    /// Unix milliseconds.
    pub created_at: i64,
}

pub async fn outbox(db: &Db) -> sqlx::Result<Vec<OutboxMessage>> {
    sqlx::query_as("SELECT channel, destination, body, created_at FROM outbox ORDER BY created_at DESC, id LIMIT 50")
        .fetch_all(db)
        .await
}
