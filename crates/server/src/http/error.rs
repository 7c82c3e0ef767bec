//! One error type for every handler, turned into an RFC 9457 problem document in one
//! place. Bodies of 5xx say nothing internal; the cause is logged with the request id.

use axum::extract::rejection::JsonRejection;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use wire::{ErrorCode, FieldError, Problem, PROBLEM_JSON};

use crate::credentials::primary::NotChecked;
use crate::http::request_id;
use crate::store::{Refusal, StoreError};

/// An error a handler returns.
#[derive(Debug)]
pub struct ApiError {
    pub code: ErrorCode,
    pub status: StatusCode,
    pub detail: Option<String>,
    pub fields: Vec<FieldError>,
    pub retry_after: Option<u32>,
    pub attempts_left: Option<u32>,
    pub limit: Option<u32>,
}

impl ApiError {
    pub fn new(code: ErrorCode) -> Self {
        Self {
            code,
            status: status_of(code),
            detail: None,
            fields: Vec::new(),
            retry_after: None,
            attempts_left: None,
            limit: None,
        }
    }

    pub fn detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }

    pub fn attempts_left(mut self, n: i64) -> Self {
        self.attempts_left = u32::try_from(n.max(0)).ok();
        self
    }

    pub fn limit(mut self, limit: i64) -> Self {
        self.limit = u32::try_from(limit.max(0)).ok();
        self
    }

    pub fn retry_after(mut self, seconds: u32) -> Self {
        self.retry_after = Some(seconds.max(1));
        self
    }

    /// `validation_failed` naming one field and why.
    pub fn invalid(field: &str, code: &str) -> Self {
        let mut e = Self::new(ErrorCode::ValidationFailed);
        e.fields.push(FieldError { field: field.to_owned(), code: code.to_owned() });
        e
    }

    /// An internal failure: logged here with its cause, reported as an opaque 500.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        tracing::error!(%cause, "internal error");
        Self::new(ErrorCode::Internal)
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(e: sqlx::Error) -> Self {
        if database_unavailable(&e) {
            tracing::warn!(error = %e, "database unavailable");
            Self::new(ErrorCode::Unavailable).retry_after(5)
        } else {
            Self::internal(e)
        }
    }
}

/// Whether the database could not be reached (stopped, restarting, network gone): the
/// request may succeed later, so it is a 503, not a bug.
fn database_unavailable(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Io(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed
        | sqlx::Error::Tls(_) => true,
        // PostgreSQL: connection exceptions (08…), shutting down or starting (57P…).
        sqlx::Error::Database(db) => {
            db.code().is_some_and(|c| c.starts_with("08") || c.starts_with("57P"))
        }
        _ => false,
    }
}

impl From<NotChecked> for ApiError {
    fn from(e: NotChecked) -> Self {
        match e {
            NotChecked::RateLimited(wait) => Self::new(ErrorCode::RateLimited).retry_after(wait),
            NotChecked::Busy => Self::new(ErrorCode::ServerBusy)
                .detail("Too many sign-ins are being checked right now; try again in a moment.")
                .retry_after(2),
            NotChecked::DirectoryUnavailable => {
                Self::new(ErrorCode::DirectoryUnavailable).retry_after(30)
            }
            NotChecked::Db(e) => e.into(),
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Refused(r) => r.into(),
            StoreError::Db(e) => e.into(),
            StoreError::Other(e) => Self::internal(e),
        }
    }
}

impl From<Refusal> for ApiError {
    fn from(r: Refusal) -> Self {
        match r {
            Refusal::NotFound => Self::new(ErrorCode::NotFound),
            Refusal::MethodNotAllowed => Self::new(ErrorCode::MethodNotAllowed),
            Refusal::MfaRequired => Self::new(ErrorCode::MfaRequired),
            Refusal::KeyRequired => Self::new(ErrorCode::PhishingResistantRequired),
            Refusal::MfaLocked => Self::new(ErrorCode::MfaLocked),
            Refusal::RateLimited(wait) => Self::new(ErrorCode::RateLimited).retry_after(wait),
            Refusal::ResendTooSoon(wait) => Self::new(ErrorCode::ResendTooSoon).retry_after(wait),
            Refusal::NoCodeToSend => Self::new(ErrorCode::NoCodeToSend),
            Refusal::CodeExpired => Self::new(ErrorCode::CodeExpired),
            Refusal::TooManyAttempts => Self::new(ErrorCode::TooManyAttempts),
            Refusal::InvalidCode { attempts_left } => {
                Self::new(ErrorCode::InvalidCode).attempts_left(attempts_left)
            }
            Refusal::CredentialRefused { attempts_left } => {
                Self::new(ErrorCode::CredentialRefused).attempts_left(attempts_left)
            }
            Refusal::KeyAlreadyRegistered => Self::new(ErrorCode::KeyAlreadyRegistered),
            Refusal::Invalid(field, code) => Self::invalid(field, code),
            Refusal::LimitReached { limit } => Self::new(ErrorCode::LimitReached).limit(limit),
            Refusal::NameTaken => Self::new(ErrorCode::NameTaken),
            Refusal::Taken(field) => Self::invalid(field, "taken"),
            Refusal::SessionEnded => Self::new(ErrorCode::Unauthorized),
        }
    }
}

fn status_of(code: ErrorCode) -> StatusCode {
    use ErrorCode::*;
    match code {
        BadRequest => StatusCode::BAD_REQUEST,
        ValidationFailed => StatusCode::UNPROCESSABLE_ENTITY,
        InvalidCredentials | Unauthorized | SessionExpired => StatusCode::UNAUTHORIZED,
        AccountDisabled
        | Forbidden
        | MfaRequired
        | NotAvailable
        | MethodNotAllowed
        | MfaLocked
        | PhishingResistantRequired
        | SsoNoAccount
        | PasswordSignInOff => StatusCode::FORBIDDEN,
        InvalidCode | CredentialRefused | CodeExpired | SsoFailed => {
            StatusCode::UNPROCESSABLE_ENTITY
        }
        KeyAlreadyRegistered => StatusCode::CONFLICT,
        TooManyAttempts | ResendTooSoon | RateLimited => StatusCode::TOO_MANY_REQUESTS,
        LimitReached | NameTaken | IdempotencyConflict | NoCodeToSend => StatusCode::CONFLICT,
        NotFound => StatusCode::NOT_FOUND,
        DeliveryFailed => StatusCode::BAD_GATEWAY,
        PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        UnsupportedMethod => StatusCode::METHOD_NOT_ALLOWED,
        ServerBusy | Unavailable | DirectoryUnavailable | SsoUnavailable => {
            StatusCode::SERVICE_UNAVAILABLE
        }
        Internal | Unknown => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// The English title of each code; clients show their own localized text.
fn title_of(code: ErrorCode) -> &'static str {
    use ErrorCode::*;
    match code {
        BadRequest => "The request could not be read",
        ValidationFailed => "Some fields are not valid",
        InvalidCredentials => "The username or password is not correct",
        AccountDisabled => "This account is disabled",
        Unauthorized => "Sign in first",
        Forbidden => "This needs an admin token with the right scope",
        SessionExpired => "The session has expired",
        MfaRequired => "Verify your identity again first",
        NotAvailable => "App passwords are not available for this account",
        MethodNotAllowed => "This method is not allowed for this account",
        MfaLocked => "Verification is locked for this account",
        InvalidCode => "The code is not correct",
        CredentialRefused => "The security key's answer was refused",
        KeyAlreadyRegistered => "This security key is already registered",
        PhishingResistantRequired => "A security key or passkey is required",
        CodeExpired => "The code has expired",
        TooManyAttempts => "Too many attempts",
        ResendTooSoon => "Wait before asking for another code",
        NoCodeToSend => "This method's codes are not sent",
        RateLimited => "Too many requests",
        LimitReached => "The limit of app passwords is reached",
        NameTaken => "An app password with this name already exists",
        NotFound => "Not found",
        IdempotencyConflict => "This Idempotency-Key was used for another request",
        DeliveryFailed => "The code could not be sent; try again later",
        PayloadTooLarge => "The request is too large",
        UnsupportedMethod => "This HTTP method is not supported here",
        ServerBusy => "The server is busy",
        Unavailable => "The service is unavailable",
        DirectoryUnavailable => "The organization's directory cannot be reached",
        SsoUnavailable => "The organization's sign-in service cannot be reached",
        SsoFailed => "The sign-in with the organization did not complete",
        SsoNoAccount => "No account here is linked to this person",
        PasswordSignInOff => "Sign in with the organization's sign-in service",
        Internal | Unknown => "Something went wrong on our side",
    }
}

/// The English explanation of this occurrence when the handler gave none, so every
/// problem document carries a `detail`.
fn default_detail(code: ErrorCode) -> &'static str {
    use ErrorCode::*;
    match code {
        BadRequest => "The request is not in the form this endpoint reads.",
        ValidationFailed => "See `errors` for the fields and why each was refused.",
        InvalidCredentials => "Check the username and password and try again.",
        AccountDisabled => "An administrator has disabled this account.",
        Unauthorized => "Send a session token from POST /v1/sessions as a Bearer token.",
        Forbidden => "Admin routes take an admin token (POST /v1/admin/sessions) whose credential has the scope.",
        SessionExpired => "The session ended after inactivity or its maximum age; sign in again.",
        MfaRequired => "Prove a registered method with POST /v1/mfa/challenges first.",
        NotAvailable => "The administrator's policy does not offer app passwords here.",
        MethodNotAllowed => "The administrator allows other methods; see account.policy.",
        MfaLocked => "Too many wrong codes in a row; an administrator must unlock verification.",
        InvalidCode => "The code does not match; `attempts_left` says how many tries remain.",
        CredentialRefused => {
            "The answer is not this key's for this challenge and site (another origin, a \
             replay, another key, a bad signature); `attempts_left` says how many tries remain."
        }
        KeyAlreadyRegistered => "Register another key: this one is registered already.",
        PhishingResistantRequired => {
            "The account's policy asks for a security key or passkey: prove one with \
             POST /v1/mfa/challenges, or register one."
        }
        CodeExpired => "Codes are valid for a limited time; ask for a new one.",
        TooManyAttempts => "This code is spent after too many wrong tries; ask for a new one.",
        ResendTooSoon => "A code was sent moments ago; see Retry-After.",
        NoCodeToSend => "An authenticator app makes its own codes: open the app.",
        RateLimited => "Too many tries in a short time; see Retry-After.",
        LimitReached => {
            "Delete an app password you no longer use to create another; `limit` says how many \
             one account may hold."
        }
        NameTaken => "Choose another name or delete the existing app password.",
        NotFound => "Nothing exists at this address for this account.",
        IdempotencyConflict => "Use a new Idempotency-Key for a different request.",
        DeliveryFailed => "The message gateway refused or did not answer.",
        PayloadTooLarge => "Request bodies are limited in size; send less.",
        UnsupportedMethod => "See the Allow header for the methods this path accepts.",
        ServerBusy => "Too many requests of this kind are being handled; see Retry-After.",
        Unavailable => "The database cannot be reached right now; try again (see Retry-After).",
        DirectoryUnavailable => {
            "The password could not be checked: the organization's directory does not answer \
             (nothing was counted as a wrong try); try again (see Retry-After)."
        }
        SsoUnavailable => {
            "The organization's OpenID provider does not answer; try again (see Retry-After)."
        }
        SsoFailed => {
            "The sign-in expired, was used already, was cancelled at the provider, or its \
             answer failed verification; start again at GET /v1/sso/start."
        }
        SsoNoAccount => {
            "The provider vouched for the person, but no account is theirs: no directory \
             person has their mail, or a local account has the name (an admin can help)."
        }
        PasswordSignInOff => {
            "The web sign-in takes no passwords here: start at GET /v1/sso/start."
        }
        Internal | Unknown => "The error was logged with this request id.",
    }
}

/// A problem code's name on the wire (`invalid_credentials`).
pub fn code_name(code: ErrorCode) -> String {
    serde_json::to_value(code).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let problem = Problem {
            type_: format!("urn:app-passwords:problem:{}", code_name(self.code)),
            title: title_of(self.code).to_owned(),
            status: self.status.as_u16(),
            detail: Some(self.detail.unwrap_or_else(|| default_detail(self.code).to_owned())),
            code: self.code,
            request_id: request_id::current(),
            errors: self.fields,
            retry_after: self.retry_after,
            attempts_left: self.attempts_left,
            limit: self.limit,
        };
        let body = serde_json::to_vec(&problem).unwrap_or_default();
        let mut res = (self.status, body).into_response();
        res.extensions_mut().insert(crate::http::metrics::ProblemCode(self.code));
        let headers = res.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        if let Some(secs) = self.retry_after {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        if self.status == StatusCode::UNAUTHORIZED {
            headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        res
    }
}

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> Self {
        match rejection {
            JsonRejection::JsonDataError(e) => {
                // "…: protocol: unknown variant …" (the path to the bad value) or
                // "…: missing field `name`": name the field when serde does.
                let text = e.body_text();
                let path = text
                    .split(": ")
                    .nth(1)
                    .filter(|p| !p.contains(' ') && *p != ".")
                    .and_then(|p| p.split(['.', '[']).next());
                let missing = text.split('`').nth(1).filter(|_| text.contains("missing field"));
                let field = path.or(missing).unwrap_or("body").to_owned();
                let mut err = ApiError::new(ErrorCode::ValidationFailed)
                    .detail("A field is missing or has the wrong type.");
                let why = if text.contains("missing field") { "required" } else { "invalid_type" };
                err.fields.push(FieldError { field, code: why.to_owned() });
                err
            }
            JsonRejection::JsonSyntaxError(_) => {
                ApiError::new(ErrorCode::BadRequest).detail("The body is not valid JSON.")
            }
            JsonRejection::MissingJsonContentType(_) => {
                let mut e = ApiError::new(ErrorCode::BadRequest)
                    .detail("Send the body as JSON with Content-Type: application/json.");
                e.status = StatusCode::UNSUPPORTED_MEDIA_TYPE;
                e
            }
            other if other.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                ApiError::new(ErrorCode::PayloadTooLarge)
            }
            _ => ApiError::new(ErrorCode::BadRequest).detail("The body could not be read."),
        }
    }
}

/// `Json` whose rejections are problem documents, like every other error.
#[derive(Debug, Clone, Copy, Default, axum::extract::FromRequest)]
#[from_request(via(axum::Json), rejection(ApiError))]
pub struct Json<T>(pub T);

impl<T: serde::Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        axum::Json(self.0).into_response()
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
