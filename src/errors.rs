//! What went wrong, in the person's terms: each error the UI can show, the field it
//! belongs to, and its localized message. Mapped from the endpoint's stable `code`s,
//! never from its English titles.

use wire::{ErrorCode, Problem};

use crate::api::ApiError;
use crate::i18n::{Lang, Msg};

/// A field the person types into.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    Username,
    Password,
    Phone,
    Email,
    Code,
    Name,
    KeyName,
    CurrentPassword,
    NewPassword,
    /// The scopes of a new app password (its first checkbox).
    Scopes,
    /// The lifetime of a new app password.
    Expiry,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UiError {
    Network,
    /// No answer in time: the request was abandoned; trying again is safe.
    Timeout,
    UsernameMissing,
    PasswordMissing,
    Credentials,
    AccountDisabled,
    RateLimited {
        wait: u32,
    },
    /// The endpoint is at capacity (503): nothing was checked, try again shortly.
    Busy {
        wait: u32,
    },
    /// Too many wrong codes in a row: only an administrator can unlock verification.
    MfaLocked,
    MethodNotAllowed,
    DeliveryFailed,
    Phone,
    Email,
    CodeFormat,
    CodeWrong {
        left: Option<u32>,
    },
    CodeExpired,
    CodeTooMany,
    ResendTooSoon {
        wait: u32,
    },
    NameTaken,
    NameInvalid,
    /// A notice's link that was used already or has expired.
    LinkSpent,
    CurrentPasswordMissing,
    CurrentPasswordWrong,
    NewPasswordShort,
    NewPasswordLong,
    NewPasswordSame,
    NewPasswordGuessable,
    /// No scope ticked, or one the policy does not allow.
    Scopes,
    /// A lifetime the policy does not allow (it changed since the list was shown).
    Expiry,
    /// A security key's name that breaks the rule of names.
    KeyNameInvalid,
    /// The person cancelled, or no key answered in time.
    KeyCancelled,
    /// The key is registered already.
    KeyExists,
    /// This browser cannot use security keys.
    KeyUnsupported,
    /// This page's address is not one the endpoint accepts keys from (configuration).
    KeyWrongSite,
    /// The browser reported another failure.
    KeyFailed,
    /// The endpoint refused the key's answer.
    KeyRefused {
        left: Option<u32>,
    },
    /// The policy asks for a security key before an app password.
    KeyRequired,
    Limit {
        limit: u32,
    },
    /// The limit is reached, and how many that is was not said.
    LimitUnknown,
    /// Anything else: the server's request id, to quote to support.
    Unexpected {
        reference: Option<String>,
    },
}

/// What the app does about a failed call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Show this error where the person is.
    Show(UiError),
    /// The session is gone: back to sign-in.
    Expired,
    /// Prove MFA again first.
    StepUp,
}

impl UiError {
    /// The field the error is about, for `aria-describedby` and `aria-invalid`.
    pub fn field(&self) -> Option<Field> {
        match self {
            Self::UsernameMissing => Some(Field::Username),
            Self::PasswordMissing => Some(Field::Password),
            Self::Phone => Some(Field::Phone),
            Self::Email => Some(Field::Email),
            Self::CodeFormat | Self::CodeWrong { .. } | Self::CodeExpired | Self::CodeTooMany => {
                Some(Field::Code)
            }
            Self::NameTaken | Self::NameInvalid => Some(Field::Name),
            Self::KeyNameInvalid => Some(Field::KeyName),
            Self::Scopes => Some(Field::Scopes),
            Self::CurrentPasswordMissing | Self::CurrentPasswordWrong => {
                Some(Field::CurrentPassword)
            }
            Self::NewPasswordShort
            | Self::NewPasswordLong
            | Self::NewPasswordSame
            | Self::NewPasswordGuessable => Some(Field::NewPassword),
            Self::Expiry => Some(Field::Expiry),
            _ => None,
        }
    }

    pub fn message(&self, lang: Lang) -> String {
        let t = |m| lang.t(m).to_owned();
        match self {
            Self::Network => t(Msg::ErrorNetwork),
            Self::Timeout => t(Msg::ErrorTimeout),
            Self::UsernameMissing => t(Msg::ErrorUsernameMissing),
            Self::PasswordMissing => t(Msg::ErrorPasswordMissing),
            Self::Credentials => t(Msg::ErrorCredentials),
            Self::AccountDisabled => t(Msg::ErrorAccountDisabled),
            Self::RateLimited { wait } => {
                lang.f(Msg::ErrorRateLimited, &[("wait", &lang.wait(*wait))])
            }
            Self::Busy { wait } => lang.f(Msg::ErrorBusy, &[("wait", &lang.wait(*wait))]),
            Self::MfaLocked => t(Msg::ErrorMfaLocked),
            Self::MethodNotAllowed => t(Msg::ErrorMethodNotAllowed),
            Self::DeliveryFailed => t(Msg::ErrorDeliveryFailed),
            Self::Phone => t(Msg::ErrorPhone),
            Self::Email => t(Msg::ErrorEmail),
            Self::CodeFormat => t(Msg::ErrorCodeFormat),
            Self::CodeWrong { left: Some(1) } => t(Msg::ErrorCodeWrongOne),
            Self::CodeWrong { left: Some(left) } => lang.f(Msg::ErrorCodeWrong, &[("left", left)]),
            Self::CodeWrong { left: None } => t(Msg::ErrorCodeWrongPlain),
            Self::CodeExpired => t(Msg::ErrorCodeExpired),
            Self::CodeTooMany => t(Msg::ErrorCodeTooMany),
            Self::ResendTooSoon { wait } => {
                lang.f(Msg::ErrorResendTooSoon, &[("wait", &lang.wait(*wait))])
            }
            Self::NameTaken => t(Msg::ErrorNameTaken),
            Self::NameInvalid => t(Msg::ErrorNameInvalid),
            Self::KeyNameInvalid => t(Msg::ErrorKeyName),
            Self::Scopes => t(Msg::ErrorScopes),
            Self::LinkSpent => t(Msg::ErrorLinkSpent),
            Self::CurrentPasswordMissing => t(Msg::ErrorCurrentMissing),
            Self::CurrentPasswordWrong => t(Msg::ErrorCurrentWrong),
            Self::NewPasswordShort => t(Msg::ErrorNewShort),
            Self::NewPasswordLong => t(Msg::ErrorNewLong),
            Self::NewPasswordSame => t(Msg::ErrorNewSame),
            Self::NewPasswordGuessable => t(Msg::ErrorNewGuessable),
            Self::Expiry => t(Msg::ErrorExpiry),
            Self::KeyCancelled => t(Msg::ErrorKeyCancelled),
            Self::KeyExists => t(Msg::ErrorKeyExists),
            Self::KeyUnsupported => t(Msg::ErrorKeyUnsupported),
            Self::KeyWrongSite => t(Msg::ErrorKeyWrongSite),
            Self::KeyFailed => t(Msg::ErrorKeyFailed),
            Self::KeyRefused { left: Some(left) } => {
                lang.f(Msg::ErrorKeyRefused, &[("left", left)])
            }
            Self::KeyRefused { left: None } => t(Msg::ErrorKeyRefusedPlain),
            Self::KeyRequired => t(Msg::ErrorKeyRequired),
            Self::Limit { limit } => lang.f(Msg::ErrorLimit, &[("limit", limit)]),
            Self::LimitUnknown => t(Msg::ErrorLimitUnknown),
            Self::Unexpected { reference: Some(r) } => lang.f(Msg::ErrorUnexpected, &[("ref", r)]),
            Self::Unexpected { reference: None } => t(Msg::ErrorUnexpectedNoref),
        }
    }
}

fn field_named(p: &Problem, name: &str) -> bool {
    p.errors.iter().any(|e| e.field == name)
}

fn field_code(p: &Problem, code: &str) -> bool {
    p.errors.iter().any(|e| e.code == code)
}

/// What to do about `error`. `limit` is the app-password limit, when known.
pub fn outcome(error: &ApiError, limit: Option<u32>) -> Outcome {
    let p = match error {
        ApiError::Network => return Outcome::Show(UiError::Network),
        ApiError::Timeout => return Outcome::Show(UiError::Timeout),
        ApiError::Unexpected { .. } => {
            return Outcome::Show(UiError::Unexpected { reference: None })
        }
        ApiError::Problem(p) => p,
    };
    let wait = p.retry_after.unwrap_or(30);
    Outcome::Show(match p.code {
        ErrorCode::Unauthorized | ErrorCode::SessionExpired => return Outcome::Expired,
        ErrorCode::MfaRequired => return Outcome::StepUp,
        ErrorCode::InvalidCredentials => UiError::Credentials,
        ErrorCode::AccountDisabled => UiError::AccountDisabled,
        ErrorCode::RateLimited => UiError::RateLimited { wait },
        ErrorCode::ServerBusy => UiError::Busy { wait: p.retry_after.unwrap_or(5) },
        ErrorCode::MfaLocked => UiError::MfaLocked,
        ErrorCode::MethodNotAllowed => UiError::MethodNotAllowed,
        ErrorCode::DeliveryFailed => UiError::DeliveryFailed,
        ErrorCode::InvalidCode => UiError::CodeWrong { left: p.attempts_left },
        ErrorCode::CredentialRefused => UiError::KeyRefused { left: p.attempts_left },
        ErrorCode::KeyAlreadyRegistered => UiError::KeyExists,
        ErrorCode::PhishingResistantRequired => UiError::KeyRequired,
        ErrorCode::CodeExpired => UiError::CodeExpired,
        ErrorCode::TooManyAttempts => UiError::CodeTooMany,
        ErrorCode::ResendTooSoon => UiError::ResendTooSoon { wait },
        ErrorCode::NameTaken => UiError::NameTaken,
        // The server says its limit; an older one did not: then the list's, if known.
        ErrorCode::LimitReached => match p.limit.or(limit) {
            Some(limit) => UiError::Limit { limit },
            None => UiError::LimitUnknown,
        },
        ErrorCode::ValidationFailed if field_named(p, "phone") => UiError::Phone,
        ErrorCode::ValidationFailed if field_named(p, "email") => UiError::Email,
        ErrorCode::ValidationFailed if field_named(p, "name") => UiError::NameInvalid,
        ErrorCode::ValidationFailed if field_named(p, "scopes") => UiError::Scopes,
        ErrorCode::ValidationFailed if field_named(p, "current_password") => {
            if field_code(p, "required") {
                UiError::CurrentPasswordMissing
            } else {
                UiError::CurrentPasswordWrong
            }
        }
        ErrorCode::ValidationFailed if field_named(p, "new_password") => {
            if field_code(p, "too_short") {
                UiError::NewPasswordShort
            } else if field_code(p, "too_long") {
                UiError::NewPasswordLong
            } else if field_code(p, "same_as_current") {
                UiError::NewPasswordSame
            } else {
                UiError::NewPasswordGuessable
            }
        }
        ErrorCode::ValidationFailed if field_named(p, "expires_in_days") => UiError::Expiry,
        ErrorCode::ValidationFailed if field_named(p, "code") => UiError::CodeFormat,
        ErrorCode::ValidationFailed if field_named(p, "username") => UiError::UsernameMissing,
        ErrorCode::ValidationFailed if field_named(p, "password") => UiError::PasswordMissing,
        _ => UiError::Unexpected { reference: p.request_id.clone() },
    })
}
