//! The contract between the browser app and any identity endpoint that serves it.
//!
//! Every request and response body under `/v1` is one of these types. The browser
//! app and the reference server both compile this crate, so they cannot drift; the
//! OpenAPI document (`crates/server/openapi.json`) is generated from the same types
//! (feature `openapi`, server side only) for backends written in other languages.
//!
//! Timestamps are RFC 3339 strings in UTC. Types that carry a secret (a password, a
//! session token, a TOTP key, an app password) have a hand-written `Debug` that
//! leaves the secret out.
#![forbid(unsafe_code)]

pub mod admin;
pub mod rules;

use std::fmt;

use serde::{Deserialize, Serialize};

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

/// Writes `Name { field: "[redacted]", .. }` for types holding secrets.
macro_rules! redacted_debug {
    ($ty:ident { $($public:ident),* } hides $($secret:ident),+) => {
        impl fmt::Debug for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_struct(stringify!($ty))
                    $(.field(stringify!($public), &self.$public))*
                    $(.field(stringify!($secret), &"[redacted]"))+
                    .finish()
            }
        }
    };
}

/// `GET /v1/health`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Health {
    /// `"ok"` when the endpoint and its database answer.
    pub status: String,
    /// The server's version, for support.
    pub version: String,
}

/// `POST /v1/sessions`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct SignInRequest {
    /// Email address or username of the work or school account.
    pub username: String,
    /// The account's primary password.
    pub password: String,
}
redacted_debug!(SignInRequest { username } hides password);

/// What the person has to do next, decided by the server from the admin policy and
/// the registered methods.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Next {
    /// App passwords cannot be had for this account; `reason` says why.
    NotAvailable,
    /// MFA is required and nothing is registered: enroll a method first.
    MfaSetup,
    /// A method is registered: prove it before anything else.
    MfaChallenge,
    /// Signed in with a recent MFA: app passwords can be managed.
    Ready,
}

/// Why app passwords are not available for an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum NotAvailableReason {
    /// The admin has not required multi-factor authentication for this account.
    MfaNotRequired,
    /// The admin has turned app passwords off for this account.
    AppPasswordsDisabled,
}

/// A kind of second factor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum MethodKind {
    /// An authenticator app (RFC 6238 TOTP).
    Totp,
    /// A code sent by text message.
    Sms,
    /// A code read out in a phone call.
    Voice,
    /// A code sent to an alternate email address.
    Email,
    /// A security key or passkey (WebAuthn): bound to the site, it cannot be phished.
    Passkey,
}

impl MethodKind {
    pub const ALL: [MethodKind; 5] =
        [Self::Totp, Self::Sms, Self::Voice, Self::Email, Self::Passkey];

    /// The wire name (`"totp"`, `"sms"`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Totp => "totp",
            Self::Sms => "sms",
            Self::Voice => "voice",
            Self::Email => "email",
            Self::Passkey => "passkey",
        }
    }

    /// Parses the wire name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Whether a code is sent to a destination (phone or email) for this kind.
    pub fn sends_code(self) -> bool {
        !matches!(self, Self::Totp | Self::Passkey)
    }

    /// Whether a proof of this kind cannot be replayed on another site (WebAuthn).
    pub fn phishing_resistant(self) -> bool {
        matches!(self, Self::Passkey)
    }
}

/// What an app password may be used for: the protocols of one kind of service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// Mail: IMAP, POP and SMTP submission.
    Mail,
    /// Calendars and contacts: CalDAV and CardDAV.
    Dav,
    /// Exchange-style: EWS and ActiveSync.
    Exchange,
}

impl Scope {
    pub const ALL: [Scope; 3] = [Self::Mail, Self::Dav, Self::Exchange];

    /// The wire name (`"mail"`, `"dav"`, `"exchange"`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Mail => "mail",
            Self::Dav => "dav",
            Self::Exchange => "exchange",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// The protocol a legacy client signed in over, as the server it reached says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Protocol {
    Imap,
    Pop,
    Smtp,
    Caldav,
    Carddav,
    Ews,
    Activesync,
}

impl Protocol {
    pub const ALL: [Protocol; 7] = [
        Self::Imap,
        Self::Pop,
        Self::Smtp,
        Self::Caldav,
        Self::Carddav,
        Self::Ews,
        Self::Activesync,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Imap => "imap",
            Self::Pop => "pop",
            Self::Smtp => "smtp",
            Self::Caldav => "caldav",
            Self::Carddav => "carddav",
            Self::Ews => "ews",
            Self::Activesync => "activesync",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The scope an app password needs for this protocol.
    pub fn scope(self) -> Scope {
        match self {
            Self::Imap | Self::Pop | Self::Smtp => Scope::Mail,
            Self::Caldav | Self::Carddav => Scope::Dav,
            Self::Ews | Self::Activesync => Scope::Exchange,
        }
    }
}

/// The admin's policy for one account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Policy {
    pub mfa_required: bool,
    pub app_passwords_allowed: bool,
    /// The method kinds the person may register, in the admin's order.
    pub allowed_methods: Vec<MethodKind>,
    /// Creating an app password needs a session proven with a phishing-resistant
    /// method (a security key or passkey), not a code.
    #[serde(default)]
    pub phishing_resistant: bool,
    /// The scopes app passwords may have, in the admin's order.
    #[serde(default = "all_scopes")]
    pub app_password_scopes: Vec<Scope>,
    /// When set, every new app password expires, within this many days.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_password_max_days: Option<u32>,
    /// App passwords survive a change of the primary password (off: they are revoked).
    #[serde(default)]
    pub keep_app_passwords_on_password_change: bool,
    /// App passwords unused (or never used) for this many days are removed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_password_unused_days: Option<u32>,
}

fn all_scopes() -> Vec<Scope> {
    Scope::ALL.to_vec()
}

/// What a new account gets unless the admin says otherwise: MFA required, app passwords
/// allowed, every method and scope, no lifetime or clean-up limit, app passwords revoked
/// with a password change.
impl Default for Policy {
    fn default() -> Self {
        Self {
            mfa_required: true,
            app_passwords_allowed: true,
            allowed_methods: MethodKind::ALL.to_vec(),
            phishing_resistant: false,
            app_password_scopes: all_scopes(),
            app_password_max_days: None,
            keep_app_passwords_on_password_change: false,
            app_password_unused_days: None,
        }
    }
}

/// A registered second factor, as the person sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Method {
    pub id: String,
    pub kind: MethodKind,
    /// Masked destination (`+33 ••• •• 78`, `a•••@example.com`), the app's label, or the
    /// name the person gave a security key.
    pub label: String,
    /// When the method was last proven (RFC 3339), if ever.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_used_at: Option<String>,
    /// When it was registered (RFC 3339).
    pub added_at: String,
    /// The default: offered first at the next challenge. In the account's list, exactly
    /// the first method is; a method answered alone (by a challenge or an enrollment)
    /// says `false`.
    #[serde(default)]
    pub default: bool,
}

/// The signed-in account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Account {
    pub username: String,
    pub display_name: String,
    pub policy: Policy,
    pub methods: Vec<Method>,
    /// The person's password is not kept here, so not changed here
    /// (`POST /v1/account/password` refuses): `true` for people of the organization's
    /// directory (changed there) and for people who sign in only at its OpenID provider.
    #[serde(default)]
    pub password_elsewhere: bool,
}

/// `201` to `POST /v1/sessions`, and `200` to `GET /v1/account`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Session {
    /// Opaque bearer token: `Authorization: Bearer <token>`. Keep it in memory only.
    pub token: String,
    /// When the session ends at the latest (RFC 3339); idle sessions end sooner.
    pub expires_at: String,
    pub account: Account,
    pub next: Next,
    /// Set when `next` is `not_available`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<NotAvailableReason>,
}
redacted_debug!(Session { expires_at, account, next, reason } hides token);

/// `200` to `GET /v1/sso`: single sign-on through the organization's OpenID provider is
/// offered (`404` when it is not).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct SsoInfo {
    /// The organization's name, for "Sign in with <name>".
    pub name: String,
    /// Whether the password form is offered too (`false`: the provider is the only door).
    pub password_sign_in: bool,
    /// Whether MFA done at the provider counts here (while fresh): a person asked to
    /// prove MFA again may sign in at the provider anew instead (`again`).
    #[serde(default)]
    pub provider_mfa: bool,
}

/// `POST /v1/sessions/sso`: the one-time code the return address carried.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct SsoSessionRequest {
    /// `#sso=<code>`: single use, valid for 60 seconds.
    pub code: String,
}
redacted_debug!(SsoSessionRequest {} hides code);

/// `POST /v1/token` (`application/x-www-form-urlencoded`): OAuth 2.0 Token Exchange
/// (RFC 8693). A portal's back end, with its admin credential (scope `sessions`),
/// presents the token the organization's provider gave it for a person (audience: this
/// endpoint's client id) and gets a session of that person for `element.sessionToken`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct TokenExchangeRequest {
    /// `urn:ietf:params:oauth:grant-type:token-exchange`.
    pub grant_type: String,
    /// The person's token from the provider: a JWT access token (RFC 9068) or an ID
    /// token, signed by the provider, whose audience is this endpoint's client id.
    pub subject_token: String,
    /// `urn:ietf:params:oauth:token-type:access_token`, `…:jwt` or `…:id_token`.
    pub subject_token_type: String,
    /// `urn:ietf:params:oauth:token-type:access_token` (what is issued) when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requested_token_type: Option<String>,
}
redacted_debug!(TokenExchangeRequest { grant_type, subject_token_type } hides subject_token);

/// `200` to `POST /v1/token` (RFC 8693 §2.2): a session token of the person.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct TokenExchangeResponse {
    /// The session's token: `element.sessionToken`, or `Authorization: Bearer`.
    pub access_token: String,
    /// `urn:ietf:params:oauth:token-type:access_token`.
    pub issued_token_type: String,
    /// `Bearer`.
    pub token_type: String,
    /// Seconds until the session ends at the latest (idle sessions end sooner).
    pub expires_in: i64,
}
redacted_debug!(TokenExchangeResponse { issued_token_type, token_type, expires_in } hides access_token);

/// An OAuth 2.0 error (RFC 6749 §5.2), as `POST /v1/token` answers one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct OAuthError {
    /// `invalid_request`, `invalid_client`, `unauthorized_client`, `invalid_grant`,
    /// `unsupported_grant_type`, or `temporarily_unavailable`.
    pub error: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_description: Option<String>,
}

/// `GET /v1/account`: the account and what to do next, without the token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct AccountState {
    pub account: Account,
    pub next: Next,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<NotAvailableReason>,
}

/// `POST /v1/mfa/enrollments`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EnrollmentRequest {
    Totp,
    Sms {
        phone: String,
    },
    Voice {
        phone: String,
    },
    Email {
        email: String,
    },
    /// A security key or passkey, with the name the person gives it.
    Passkey {
        name: String,
    },
}

impl EnrollmentRequest {
    pub fn kind(&self) -> MethodKind {
        match self {
            Self::Totp => MethodKind::Totp,
            Self::Sms { .. } => MethodKind::Sms,
            Self::Voice { .. } => MethodKind::Voice,
            Self::Email { .. } => MethodKind::Email,
            Self::Passkey { .. } => MethodKind::Passkey,
        }
    }
}

/// `201` to `POST /v1/mfa/enrollments`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Enrollment {
    pub id: String,
    pub kind: MethodKind,
    /// TOTP only: the shared key, base32 without padding.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
    /// TOTP only: `otpauth://totp/...` for the QR code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub otpauth_uri: Option<String>,
    /// Sent codes only: where the code went, masked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destination: Option<String>,
    /// Sent codes only: seconds before another code may be sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resend_after: Option<u32>,
    /// Sent codes only: when the code stops working (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<String>,
    /// Security keys only: the WebAuthn `PublicKeyCredentialCreationOptionsJSON`, as JSON
    /// text, for `PublicKeyCredential.parseCreationOptionsFromJSON()`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub options: Option<String>,
}
redacted_debug!(Enrollment { id, kind, destination, resend_after, expires_at, options } hides secret, otpauth_uri);

/// `POST /v1/mfa/enrollments/{id}/verify` and `POST /v1/mfa/challenges/{id}/verify`:
/// a code, or a security key's answer.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(untagged)]
pub enum VerifyRequest {
    Code(CodeAnswer),
    Credential(KeyAnswer),
}

impl VerifyRequest {
    pub fn code(code: impl Into<String>) -> Self {
        Self::Code(CodeAnswer { code: code.into() })
    }

    pub fn credential(credential: impl Into<String>) -> Self {
        Self::Credential(KeyAnswer { credential: credential.into() })
    }
}

impl fmt::Debug for VerifyRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Code(c) => c.fmt(f),
            Self::Credential(k) => k.fmt(f),
        }
    }
}

/// A code typed by the person.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CodeAnswer {
    /// The 6-digit code; spaces and dashes are ignored.
    pub code: String,
}
redacted_debug!(CodeAnswer {} hides code);

/// A security key's answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct KeyAnswer {
    /// The `PublicKeyCredential` the browser returned, as JSON text
    /// (`credential.toJSON()`): an attestation for an enrollment, an assertion for a
    /// challenge. Text that is not a JSON object is refused (`validation_failed`,
    /// `credential`: `malformed`) and not counted as a try; a credential that is one
    /// but does not verify is `credential_refused`, and counted.
    pub credential: String,
}

/// `200` to a verify call: the method now proven, what to do next, and the session's
/// new token.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Verified {
    pub method: Method,
    pub next: Next,
    /// Proving a method replaces the session's bearer token (the one sent with this
    /// request stops working): send this one from now on. Keep it in memory only.
    pub token: String,
}
redacted_debug!(Verified { method, next } hides token);

/// `POST /v1/mfa/challenges`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ChallengeRequest {
    pub method_id: String,
}

/// `201` to `POST /v1/mfa/challenges`, and to a resend.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Challenge {
    pub id: String,
    pub method: Method,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destination: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resend_after: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<String>,
    /// Security keys only: the WebAuthn `PublicKeyCredentialRequestOptionsJSON`, as JSON
    /// text, for `PublicKeyCredential.parseRequestOptionsFromJSON()`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub options: Option<String>,
}

/// `201` to a resend: the new cooldown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct CodeSent {
    pub destination: String,
    pub resend_after: u32,
    pub expires_at: String,
}

/// One app password, without its secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct AppPasswordInfo {
    pub id: String,
    pub name: String,
    pub created_at: String,
    pub last_used_at: Option<String>,
    /// What it may be used for.
    #[serde(default = "mail_only")]
    pub scopes: Vec<Scope>,
    /// When it stops working (RFC 3339); absent: never.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<String>,
    /// It has expired: it no longer signs in, and stays listed until deleted.
    #[serde(default)]
    pub expired: bool,
    /// The client address of its last use, as the mail server reported it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_used_from: Option<String>,
    /// The protocol of its last use.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_used_protocol: Option<Protocol>,
}

fn mail_only() -> Vec<Scope> {
    vec![Scope::Mail]
}

/// `GET /v1/app-passwords`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct AppPasswordList {
    pub items: Vec<AppPasswordInfo>,
    /// How many app passwords one account may hold.
    pub limit: u32,
}

/// `PUT /v1/mfa/methods/{id}/name`: a security key's, passkey's or authenticator app's
/// new name (a phone or an address is named by its masked destination).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct MethodName {
    /// 1 to 64 characters after trimming, no control or bidi character.
    pub name: String,
}

/// `POST /v1/app-passwords`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct CreateAppPassword {
    /// 1 to 64 characters after trimming, unique for the account.
    pub name: String,
    /// What it may be used for; empty or absent: mail. Within the policy's scopes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub scopes: Vec<Scope>,
    /// Days until it expires (1 to 3650); absent: never, unless the policy requires
    /// expiry (then at most `policy.app_password_max_days`).
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "whole_number")]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 3650))]
    pub expires_in_days: Option<u32>,
}

/// A whole number as JSON may write it: `90` or `90.0` (JSON Schema's "integer" is
/// both). A fraction, a negative or anything past `u32` is refused.
fn whole_number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<u32>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Number {
        Whole(u32),
        Float(f64),
    }
    match Option::<Number>::deserialize(d)? {
        None => Ok(None),
        Some(Number::Whole(n)) => Ok(Some(n)),
        Some(Number::Float(f)) if f.fract() == 0.0 && (0.0..=f64::from(u32::MAX)).contains(&f) => {
            Ok(Some(f as u32))
        }
        Some(Number::Float(_)) => Err(serde::de::Error::custom("not a whole number of days")),
    }
}

/// `201` to `POST /v1/app-passwords`: the only time the password is ever returned.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct NewAppPassword {
    pub id: String,
    pub name: String,
    pub created_at: String,
    #[serde(default = "mail_only")]
    pub scopes: Vec<Scope>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<String>,
    /// 16 letters a–z. Shown once; the server keeps only a keyed hash.
    pub password: String,
}
redacted_debug!(NewAppPassword { id, name, created_at, scopes, expires_at } hides password);

/// `POST /v1/account/password`: the person changes their primary password.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ChangePassword {
    /// As set (at most 256 characters: a longer one, set by an administrator before
    /// this limit, is changed by the administrator).
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 256))]
    pub current_password: String,
    /// At least 8 characters; long passphrases welcome; refused when easy to guess
    /// (common, a dictionary word, close to the account's name). No composition rules.
    #[cfg_attr(feature = "openapi", schema(min_length = 8, max_length = 256))]
    pub new_password: String,
}
redacted_debug!(ChangePassword {} hides current_password, new_password);

/// `200` to a password change: what it ended, and the session's new token.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct PasswordChanged {
    /// The app passwords that stopped working (empty when the policy keeps them).
    pub app_passwords_revoked: Vec<AppPasswordInfo>,
    /// The account's other sessions, ended.
    pub sessions_ended: u32,
    /// This session's new bearer token (the one sent stops working). Memory only.
    pub token: String,
}
redacted_debug!(PasswordChanged { app_passwords_revoked, sessions_ended } hides token);

/// `POST /v1/notices/disown`: "this wasn't me", from a notice's link.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Disown {
    /// The token of the link (after `#disown=`).
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 128))]
    pub token: String,
}
redacted_debug!(Disown {} hides token);

/// What a notice was about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Noticed {
    AppPassword,
    Method,
    /// One of the person's methods removed, renamed or made the default (Security
    /// info): nothing for the link to remove; it ends every session.
    MethodChange,
}

/// `200` to a disown: what was removed; every session of the account ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Disowned {
    pub what: Noticed,
    /// Its name, as given.
    pub name: String,
    /// Whether it was still there (false: someone had already removed it).
    pub removed: bool,
    pub sessions_ended: u32,
}

/// `GET /v1/legacy/whoami`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct WhoAmI {
    pub username: String,
}

/// `POST /v1/legacy/verify`: a mail server asks whether the password one of its clients
/// signed in with opens the account over that protocol (Dovecot's passdb, in
/// `examples/mail/`). Any username and password are answered (`valid: false` when
/// they are wrong); only the protocol and the address must be well-formed.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct LegacyVerification {
    /// As the client sent it.
    pub username: String,
    /// As the client sent it (an app password may keep its spaces).
    pub password: String,
    /// What the client signed in over: the app password must have its scope.
    pub protocol: Protocol,
    /// The client's address, as the mail server saw it: limits and "last used from"
    /// count this address (IPv4 or IPv6).
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub client: std::net::IpAddr,
}
redacted_debug!(LegacyVerification { username, protocol, client } hides password);

/// `200` to `POST /v1/legacy/verify`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Verdict {
    /// The password opens the account over that protocol.
    pub valid: bool,
    /// The account's username, as the endpoint writes it (when valid): the mail server
    /// should log the user in under this name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
}

/// A field that failed validation, in a `validation_failed` problem.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct FieldError {
    /// The request field's name (`"phone"`, `"name"`, ...).
    pub field: String,
    /// A machine-readable reason (`"required"`, `"too_long"`, `"invalid_phone"`, ...).
    pub code: String,
}

/// Stable, machine-readable error codes carried in every problem document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    BadRequest,
    ValidationFailed,
    InvalidCredentials,
    AccountDisabled,
    Unauthorized,
    SessionExpired,
    MfaRequired,
    NotAvailable,
    MethodNotAllowed,
    /// Too many wrong codes in a row: MFA is locked until an administrator unlocks it.
    MfaLocked,
    InvalidCode,
    /// The security key's answer was refused (another site's, a replay, a key that is
    /// not this one, or a bad signature).
    CredentialRefused,
    /// This security key is already registered (to this account or another).
    KeyAlreadyRegistered,
    /// Creating an app password needs a session proven with a security key or passkey.
    PhishingResistantRequired,
    CodeExpired,
    TooManyAttempts,
    ResendTooSoon,
    /// Resend asked of an authenticator-app enrollment or challenge: the app makes its
    /// own codes.
    NoCodeToSend,
    RateLimited,
    LimitReached,
    NameTaken,
    NotFound,
    IdempotencyConflict,
    /// The code could not be sent (mail relay or SMS gateway down).
    DeliveryFailed,
    /// The request body is larger than the endpoint accepts.
    PayloadTooLarge,
    /// The path exists but not with this HTTP method.
    UnsupportedMethod,
    /// An admin route called without an admin token with the scope it needs (a
    /// person's session, a token of a read-only credential).
    Forbidden,
    /// The server is at capacity for this kind of work; retry after `Retry-After`.
    ServerBusy,
    /// The endpoint's database cannot be reached right now; retry after `Retry-After`.
    Unavailable,
    /// The organization's directory (where the person's password is checked) cannot be
    /// reached right now; retry after `Retry-After`.
    DirectoryUnavailable,
    /// The organization's OpenID provider cannot be reached right now.
    SsoUnavailable,
    /// The sign-in at the organization's provider did not complete (it expired, was
    /// used already, was cancelled there, or its answer failed verification): start
    /// again.
    SsoFailed,
    /// The provider signed the person in, but no account here is theirs (no directory
    /// person with their mail, or a local account has the name).
    SsoNoAccount,
    /// This endpoint takes no passwords at the web sign-in: sign in with the
    /// organization's provider.
    PasswordSignInOff,
    Internal,
    /// A code this client does not know yet (a newer server).
    #[serde(other)]
    Unknown,
}

/// An error, as `application/problem+json` (RFC 9457).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Problem {
    /// A URI naming the problem type.
    #[serde(rename = "type", default = "about_blank")]
    pub type_: String,
    pub title: String,
    pub status: u16,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    pub code: ErrorCode,
    /// The request id, to quote to support.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// For `validation_failed`: the offending fields.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// For 429s: seconds to wait (also in `Retry-After`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u32>,
    /// For `invalid_code`: tries left on this challenge.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attempts_left: Option<u32>,
    /// For `limit_reached`: how many app passwords one account may hold.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
}

fn about_blank() -> String {
    "about:blank".to_owned()
}

/// The media type of problem documents.
pub const PROBLEM_JSON: &str = "application/problem+json";
/// The header carrying a client-chosen key that makes a create request safe to retry.
pub const IDEMPOTENCY_KEY: &str = "Idempotency-Key";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_never_contains_secrets() {
        let req =
            SignInRequest { username: "a@b.example".into(), password: "hunter2-secret".into() };
        let pw = NewAppPassword {
            id: "x".into(),
            name: "Outlook".into(),
            created_at: "2026-01-01T00:00:00Z".into(),
            scopes: vec![Scope::Mail],
            expires_at: None,
            password: "abcdefghijklmnop".into(),
        };
        let code = VerifyRequest::code("123456");
        let verified = Verified {
            method: Method {
                id: "m".into(),
                kind: MethodKind::Totp,
                label: "app".into(),
                last_used_at: None,
                added_at: "2026-01-01T00:00:00Z".into(),
                default: true,
            },
            next: Next::Ready,
            token: "rotated-session-token".into(),
        };
        let shown = format!("{req:?} {pw:?} {code:?} {verified:?}");
        for secret in ["hunter2-secret", "abcdefghijklmnop", "123456", "rotated-session-token"] {
            assert!(!shown.contains(secret), "{shown}");
        }
        assert!(shown.contains("a@b.example") && shown.contains("Outlook"));
    }

    #[test]
    fn enrollment_request_is_tagged_by_kind() {
        let v: EnrollmentRequest =
            serde_json::from_str(r#"{"kind":"sms","phone":"+33612345678"}"#).unwrap();
        assert_eq!(v, EnrollmentRequest::Sms { phone: "+33612345678".into() });
        let v: EnrollmentRequest = serde_json::from_str(r#"{"kind":"totp"}"#).unwrap();
        assert_eq!(v.kind(), MethodKind::Totp);
    }

    #[test]
    fn a_verification_carries_a_code_or_a_credential_never_both() {
        let v: VerifyRequest = serde_json::from_str(r#"{"code":"123 456"}"#).unwrap();
        assert_eq!(v, VerifyRequest::code("123 456"));
        let v: VerifyRequest = serde_json::from_str(r#"{"credential":"{}"}"#).unwrap();
        assert_eq!(v, VerifyRequest::credential("{}"));
        for both in [r#"{"code":"123456","credential":"{}"}"#, r#"{}"#, r#"{"code":1}"#] {
            assert!(serde_json::from_str::<VerifyRequest>(both).is_err(), "{both}");
        }
        assert_eq!(serde_json::to_string(&VerifyRequest::code("1")).unwrap(), r#"{"code":"1"}"#);
    }

    #[test]
    fn unknown_error_codes_from_a_newer_server_still_parse() {
        let p: Problem =
            serde_json::from_str(r#"{"title":"x","status":400,"code":"brand_new_code"}"#).unwrap();
        assert_eq!(p.code, ErrorCode::Unknown);
        assert_eq!(p.type_, "about:blank");
    }

    #[test]
    fn days_are_whole_numbers_however_json_writes_them() {
        let days = |body: &str| {
            serde_json::from_str::<CreateAppPassword>(body).map(|c| c.expires_in_days).ok()
        };
        assert_eq!(days(r#"{"name":"a","expires_in_days":90}"#), Some(Some(90)));
        assert_eq!(days(r#"{"name":"a","expires_in_days":90.0}"#), Some(Some(90)));
        assert_eq!(days(r#"{"name":"a"}"#), Some(None));
        assert_eq!(days(r#"{"name":"a","expires_in_days":null}"#), Some(None));
        for bad in ["90.5", "-1", "1e12", "\"90\""] {
            assert_eq!(days(&format!(r#"{{"name":"a","expires_in_days":{bad}}}"#)), None, "{bad}");
        }
    }

    #[test]
    fn every_protocol_needs_one_scope_and_names_round_trip() {
        for p in Protocol::ALL {
            assert_eq!(Protocol::parse(p.as_str()), Some(p));
            assert_eq!(serde_json::to_string(&p).unwrap(), format!("\"{}\"", p.as_str()));
        }
        for s in Scope::ALL {
            assert_eq!(Scope::parse(s.as_str()), Some(s));
        }
        assert_eq!(Protocol::Smtp.scope(), Scope::Mail);
        assert_eq!(Protocol::Carddav.scope(), Scope::Dav);
        assert_eq!(Protocol::Activesync.scope(), Scope::Exchange);
        // An older server's list entry: mail only, never expires.
        let old: AppPasswordInfo = serde_json::from_str(
            r#"{"id":"a","name":"b","created_at":"2026-01-01T00:00:00Z","last_used_at":null}"#,
        )
        .unwrap();
        assert_eq!((old.scopes, old.expires_at, old.expired), (vec![Scope::Mail], None, false));
    }

    #[test]
    fn method_kinds_round_trip_their_wire_names() {
        for k in MethodKind::ALL {
            assert_eq!(MethodKind::parse(k.as_str()), Some(k));
            assert_eq!(serde_json::to_string(&k).unwrap(), format!("\"{}\"", k.as_str()));
        }
    }
}
