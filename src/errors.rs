//! What went wrong, in the person's terms: each error the UI can show, the field it
//! belongs to, and its localized message. Mapped from the endpoint's stable `code`s,
//! never from its English titles.

use wire::{ErrorCode, Problem};

use crate::api::ApiError;
use crate::i18n::{JourneyMsg, Lang, Msg};

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
    /// A method's new name (Security info).
    MethodName,
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
    /// The organization's directory, which checks the password, does not answer (503):
    /// nothing was counted, try again later.
    DirectoryUnavailable {
        wait: u32,
    },
    /// The sign-in at the organization's provider came to nothing (cancelled there,
    /// expired, or its answer failed verification): start again.
    SsoFailed,
    /// The organization's provider cannot be reached.
    SsoUnavailable {
        wait: u32,
    },
    /// The provider signed the person in, but no account here is theirs.
    SsoNoAccount,
    /// This endpoint takes no password at the web sign-in.
    PasswordSignInOff,
    /// The browser blocked the window the provider is shown in (embedded).
    PopupBlocked,
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
    /// A method's new name that breaks the rule of names.
    MethodNameInvalid,
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
            Self::MethodNameInvalid => Some(Field::MethodName),
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

    /// The error's message, as the first module words it. The errors only the screens
    /// after sign-in meet have theirs in those screens' chunk ([`Self::journey_message`],
    /// src/lazy.rs); until it has come (a server that answers sign-in with one of
    /// them), the general message stands in. `Model::error_message` picks.
    pub fn message(&self, lang: Lang) -> String {
        let t = |m| lang.text(m).to_owned();
        match self {
            Self::Network => t(Msg::ErrorNetwork),
            Self::Timeout => t(Msg::ErrorTimeout),
            Self::UsernameMissing => t(Msg::ErrorUsernameMissing),
            Self::PasswordMissing => t(Msg::ErrorPasswordMissing),
            Self::Credentials => t(Msg::ErrorCredentials),
            Self::AccountDisabled => t(Msg::ErrorAccountDisabled),
            Self::RateLimited { wait } => {
                lang.text_with(Msg::ErrorRateLimited, &[("wait", &lang.wait(*wait))])
            }
            Self::Busy { wait } => lang.text_with(Msg::ErrorBusy, &[("wait", &lang.wait(*wait))]),
            Self::DirectoryUnavailable { wait } => {
                lang.text_with(Msg::ErrorDirectory, &[("wait", &lang.wait(*wait))])
            }
            Self::Unexpected { reference: Some(r) } => {
                lang.text_with(Msg::ErrorUnexpected, &[("ref", r)])
            }
            // Unexpected, and (until the chunk has come) the chunk's own.
            _ => t(Msg::ErrorUnexpectedNoref),
        }
    }

    /// The message of an error only the screens after sign-in meet (their chunk has
    /// these); the others are [`Self::message`]'s.
    pub fn journey_message(&self, lang: Lang) -> String {
        let t = |m| lang.text(m).to_owned();
        match self {
            Self::SsoFailed => t(JourneyMsg::ErrorSsoFailed),
            Self::SsoUnavailable { wait } => {
                lang.text_with(JourneyMsg::ErrorSsoUnavailable, &[("wait", &lang.wait(*wait))])
            }
            Self::SsoNoAccount => t(JourneyMsg::ErrorSsoNoAccount),
            Self::PasswordSignInOff => t(JourneyMsg::ErrorPasswordSignInOff),
            Self::PopupBlocked => t(JourneyMsg::ErrorPopupBlocked),
            Self::MfaLocked => t(JourneyMsg::ErrorMfaLocked),
            Self::MethodNotAllowed => t(JourneyMsg::ErrorMethodNotAllowed),
            Self::DeliveryFailed => t(JourneyMsg::ErrorDeliveryFailed),
            Self::Phone => t(JourneyMsg::ErrorPhone),
            Self::Email => t(JourneyMsg::ErrorEmail),
            Self::CodeFormat => t(JourneyMsg::ErrorCodeFormat),
            Self::CodeWrong { left: Some(1) } => t(JourneyMsg::ErrorCodeWrongOne),
            Self::CodeWrong { left: Some(left) } => {
                lang.text_with(JourneyMsg::ErrorCodeWrong, &[("left", left)])
            }
            Self::CodeWrong { left: None } => t(JourneyMsg::ErrorCodeWrongPlain),
            Self::CodeExpired => t(JourneyMsg::ErrorCodeExpired),
            Self::CodeTooMany => t(JourneyMsg::ErrorCodeTooMany),
            Self::ResendTooSoon { wait } => {
                lang.text_with(JourneyMsg::ErrorResendTooSoon, &[("wait", &lang.wait(*wait))])
            }
            Self::NameTaken => t(JourneyMsg::ErrorNameTaken),
            Self::NameInvalid => t(JourneyMsg::ErrorNameInvalid),
            Self::KeyNameInvalid | Self::MethodNameInvalid => t(JourneyMsg::ErrorKeyName),
            Self::Scopes => t(JourneyMsg::ErrorScopes),
            Self::LinkSpent => t(JourneyMsg::ErrorLinkSpent),
            Self::CurrentPasswordMissing => t(JourneyMsg::ErrorCurrentMissing),
            Self::CurrentPasswordWrong => t(JourneyMsg::ErrorCurrentWrong),
            Self::NewPasswordShort => t(JourneyMsg::ErrorNewShort),
            Self::NewPasswordLong => t(JourneyMsg::ErrorNewLong),
            Self::NewPasswordSame => t(JourneyMsg::ErrorNewSame),
            Self::NewPasswordGuessable => t(JourneyMsg::ErrorNewGuessable),
            Self::Expiry => t(JourneyMsg::ErrorExpiry),
            Self::KeyCancelled => t(JourneyMsg::ErrorKeyCancelled),
            Self::KeyExists => t(JourneyMsg::ErrorKeyExists),
            Self::KeyUnsupported => t(JourneyMsg::ErrorKeyUnsupported),
            Self::KeyWrongSite => t(JourneyMsg::ErrorKeyWrongSite),
            Self::KeyFailed => t(JourneyMsg::ErrorKeyFailed),
            Self::KeyRefused { left: Some(left) } => {
                lang.text_with(JourneyMsg::ErrorKeyRefused, &[("left", left)])
            }
            Self::KeyRefused { left: None } => t(JourneyMsg::ErrorKeyRefusedPlain),
            Self::KeyRequired => t(JourneyMsg::ErrorKeyRequired),
            Self::Limit { limit } => lang.text_with(JourneyMsg::ErrorLimit, &[("limit", limit)]),
            Self::LimitUnknown => t(JourneyMsg::ErrorLimitUnknown),
            Self::Network
            | Self::Timeout
            | Self::UsernameMissing
            | Self::PasswordMissing
            | Self::Credentials
            | Self::AccountDisabled
            | Self::RateLimited { .. }
            | Self::Busy { .. }
            | Self::DirectoryUnavailable { .. }
            | Self::Unexpected { .. } => self.message(lang),
        }
    }
}

fn field_named(p: &Problem, name: &str) -> bool {
    p.errors.iter().any(|e| e.field == name)
}

fn field_code(p: &Problem, code: &str) -> bool {
    p.errors.iter().any(|e| e.code == code)
}

/// The error an endpoint's code names (`sso_failed`, …: what the way back from the
/// organization's provider carries, src/sso.rs); an unknown one is unexpected.
pub fn of_code(name: &str) -> UiError {
    let code = crate::api::from_js::from_value(name.into()).unwrap_or(ErrorCode::Unknown);
    named(code, 30).unwrap_or(UiError::Unexpected { reference: None })
}

/// The error of a code that needs nothing else of its problem but the wait it says.
fn named(code: ErrorCode, wait: u32) -> Option<UiError> {
    Some(match code {
        ErrorCode::InvalidCredentials => UiError::Credentials,
        ErrorCode::AccountDisabled => UiError::AccountDisabled,
        ErrorCode::RateLimited => UiError::RateLimited { wait },
        ErrorCode::DirectoryUnavailable => UiError::DirectoryUnavailable { wait },
        ErrorCode::SsoFailed => UiError::SsoFailed,
        ErrorCode::SsoUnavailable => UiError::SsoUnavailable { wait },
        ErrorCode::SsoNoAccount => UiError::SsoNoAccount,
        ErrorCode::PasswordSignInOff => UiError::PasswordSignInOff,
        ErrorCode::MfaLocked => UiError::MfaLocked,
        ErrorCode::MethodNotAllowed => UiError::MethodNotAllowed,
        ErrorCode::DeliveryFailed => UiError::DeliveryFailed,
        ErrorCode::KeyAlreadyRegistered => UiError::KeyExists,
        ErrorCode::PhishingResistantRequired => UiError::KeyRequired,
        ErrorCode::CodeExpired => UiError::CodeExpired,
        ErrorCode::TooManyAttempts => UiError::CodeTooMany,
        ErrorCode::ResendTooSoon => UiError::ResendTooSoon { wait },
        ErrorCode::NameTaken => UiError::NameTaken,
        _ => return None,
    })
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
    if let Some(e) = named(p.code, wait) {
        return Outcome::Show(e);
    }
    Outcome::Show(match p.code {
        ErrorCode::Unauthorized | ErrorCode::SessionExpired => return Outcome::Expired,
        ErrorCode::MfaRequired => return Outcome::StepUp,
        ErrorCode::ServerBusy => UiError::Busy { wait: p.retry_after.unwrap_or(5) },
        ErrorCode::InvalidCode => UiError::CodeWrong { left: p.attempts_left },
        ErrorCode::CredentialRefused => UiError::KeyRefused { left: p.attempts_left },
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
