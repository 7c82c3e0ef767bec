//! SCIM's own door: the extractor of a request that carries one of the SCIM clients'
//! secrets (`credentials::shared_secrets`), and SCIM's answers, `application/scim+json`
//! documents, errors included (RFC 7644 §3.12), never this API's problem documents.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header::{CONTENT_TYPE, RETRY_AFTER, WWW_AUTHENTICATE};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

use super::auth::bearer;
use super::state::AppState;
use crate::domain::client::ClientAddr;
use crate::domain::limits::Budget;
use crate::domain::scim::ScimRefusal;
use crate::store::throttle::Full;
use crate::store::{Refusal, StoreError};

pub const ERROR_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:Error";
pub const SCIM_JSON: &str = "application/scim+json";

/// A request from an identity system that sent one of the SCIM secrets, and its address.
#[derive(Debug, Clone)]
pub struct ScimClient {
    pub from: ClientAddr,
}

/// A SCIM answer: a status and a document.
pub struct Scim(pub StatusCode, pub Value);

impl IntoResponse for Scim {
    fn into_response(self) -> Response {
        let mut res = (self.0, axum::Json(self.1)).into_response();
        res.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static(SCIM_JSON));
        res
    }
}

/// A SCIM error document.
#[derive(Debug)]
pub struct ScimError {
    pub status: StatusCode,
    pub scim_type: Option<&'static str>,
    pub detail: String,
    /// Seconds to wait, for a 429 (`Retry-After`).
    pub retry_after: Option<u32>,
}

impl ScimError {
    pub fn new(status: StatusCode, detail: impl Into<String>) -> Self {
        Self { status, scim_type: None, detail: detail.into(), retry_after: None }
    }

    pub fn not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, "No such resource.")
    }

    /// 409 `uniqueness`: `attr`'s value is another resource's.
    pub fn conflict(attr: &str) -> Self {
        Self {
            scim_type: Some("uniqueness"),
            ..Self::new(StatusCode::CONFLICT, format!("{attr} is already another's."))
        }
    }

    /// 429: too many calls without the secret from this address.
    pub fn too_many(wait: u32) -> Self {
        Self {
            retry_after: Some(wait),
            ..Self::new(StatusCode::TOO_MANY_REQUESTS, "Too many tries from this address.")
        }
    }

    pub fn unavailable() -> Self {
        Self::new(StatusCode::SERVICE_UNAVAILABLE, "The store did not answer; try again.")
    }
}

impl From<ScimRefusal> for ScimError {
    fn from(r: ScimRefusal) -> Self {
        Self { scim_type: Some(r.scim_type), ..Self::new(StatusCode::BAD_REQUEST, r.detail) }
    }
}

impl From<sqlx::Error> for ScimError {
    fn from(e: sqlx::Error) -> Self {
        // Two requests raced for one name: the unique index said no to the second.
        if e.as_database_error().is_some_and(|d| d.is_unique_violation()) {
            return Self::conflict("A value");
        }
        tracing::warn!(error = %e, "scim: the store failed");
        Self::unavailable()
    }
}

impl From<StoreError> for ScimError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Db(e) => e.into(),
            StoreError::Refused(Refusal::Taken(attr)) => Self::conflict(attr),
            StoreError::Refused(Refusal::NotFound) => Self::not_found(),
            StoreError::Refused(Refusal::Invalid("members", _)) => {
                ScimRefusal::new("invalidValue", "members: no User has one of these ids.").into()
            }
            StoreError::Refused(Refusal::Invalid(field, "directory")) => ScimRefusal::new(
                "mutability",
                format!("{field}: the organization's directory keeps it for this person."),
            )
            .into(),
            other => {
                tracing::error!(error = %other, "scim: refused unexpectedly");
                Self::new(StatusCode::INTERNAL_SERVER_ERROR, "Something went wrong here.")
            }
        }
    }
}

impl IntoResponse for ScimError {
    fn into_response(self) -> Response {
        let mut doc = json!({
            "schemas": [ERROR_SCHEMA],
            "status": self.status.as_u16().to_string(),
            "detail": self.detail,
        });
        if let Some(t) = self.scim_type {
            doc["scimType"] = json!(t);
        }
        let mut res = Scim(self.status, doc).into_response();
        if let Some(wait) = self.retry_after {
            res.headers_mut().insert(RETRY_AFTER, HeaderValue::from(wait));
        }
        if self.status == StatusCode::UNAUTHORIZED {
            res.headers_mut()
                .insert(WWW_AUTHENTICATE, HeaderValue::from_static("Bearer realm=\"scim\""));
        }
        res
    }
}

/// A SCIM request's body, read as JSON: too large (the server's body limit), unreadable
/// or not JSON, it is refused with a SCIM error document, never the framework's text.
pub struct ScimBody(pub Value);

impl FromRequest<AppState> for ScimBody {
    type Rejection = ScimError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            let status = rejection.status();
            if status == StatusCode::PAYLOAD_TOO_LARGE {
                ScimError::new(status, "The body is too large: send fewer changes at once.")
            } else {
                ScimRefusal::new("invalidSyntax", "The body could not be read.").into()
            }
        })?;
        serde_json::from_slice(&bytes).map(Self).map_err(|_| {
            ScimRefusal::new("invalidSyntax", "The body is not a JSON document.").into()
        })
    }
}

/// A SCIM request's query (a list's filter and page, the attributes shown): one the
/// framework cannot read (a name given twice) is refused with a SCIM error document.
pub struct ScimQuery<T>(pub T);

impl<T: serde::de::DeserializeOwned> FromRequestParts<AppState> for ScimQuery<T> {
    type Rejection = ScimError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(query)) => Ok(Self(query)),
            Err(_) => Err(ScimRefusal::new(
                "invalidValue",
                "The query could not be read: each of filter, startIndex, count, attributes \
                 and excludedAttributes at most once.",
            )
            .into()),
        }
    }
}

impl FromRequestParts<AppState> for ScimClient {
    type Rejection = ScimError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if !state.scim_clients.configured() {
            return Err(ScimError::new(
                StatusCode::NOT_FOUND,
                "Provisioning is not configured here (APP_SCIM_SECRET_FILE).",
            ));
        }
        let from = ClientAddr::from_request_parts(parts, state)
            .await
            .map_err(|_| ScimError::new(StatusCode::BAD_REQUEST, "No client address."))?;
        // A wrong secret spends from the address's sign-in budget (as at the admin door);
        // the right one spends nothing, so an identity system syncing thousands of people
        // in parallel never runs out. Once the budget is full, both are answered 429: a
        // guesser learns nothing from the tries past it.
        let budget = Budget::SignInAddress(&from);
        match bearer(&parts.headers) {
            Some(secret) if state.scim_clients.accepts(secret) => {
                match state.store.full(budget).await? {
                    Some(Full(wait)) => Err(ScimError::too_many(wait)),
                    None => Ok(Self { from }),
                }
            }
            _ => match state.store.spend(&[budget]).await? {
                Ok(_) => Err(ScimError::new(
                    StatusCode::UNAUTHORIZED,
                    "Send this identity system's SCIM secret (APP_SCIM_SECRET_FILE) as a Bearer \
                     token.",
                )),
                Err(Full(wait)) => Err(ScimError::too_many(wait)),
            },
        }
    }
}
