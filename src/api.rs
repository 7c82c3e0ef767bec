//! The one typed client of the identity endpoint. The app talks to an [`Endpoint`];
//! [`Http`] is the real one over gloo-net, tests plug in their own. Components never
//! build a URL, touch gloo-net or parse JSON.

pub mod from_js;

use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

use gloo_net::http::{Request, RequestBuilder};
use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;
use wire::{
    Account, AccountState, AppPasswordList, Challenge, ChallengeRequest, ChangePassword, CodeSent,
    CreateAppPassword, Disown, Disowned, Enrollment, EnrollmentRequest, ErrorCode, MethodName,
    NewAppPassword, PasswordChanged, Problem, Session, SignInRequest, SsoInfo, SsoSessionRequest,
    Verified, VerifyRequest, IDEMPOTENCY_KEY, PROBLEM_JSON,
};

/// Why a call failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ApiError {
    /// The endpoint could not be reached (offline, server down, CORS refused).
    #[error("the identity endpoint could not be reached")]
    Network,
    /// No whole answer within [`Http`]'s time limit: the request was abandoned (aborted).
    /// Whether the server acted on it is unknown; a retry with the same
    /// `Idempotency-Key` is safe.
    #[error("the identity endpoint did not answer in time")]
    Timeout,
    /// The endpoint answered with a problem document.
    #[error("{}", .0.title)]
    Problem(Box<Problem>),
    /// The endpoint answered something this client cannot read.
    #[error("unexpected answer from the identity endpoint (HTTP {status})")]
    Unexpected { status: u16 },
}

impl ApiError {
    /// The machine-readable code, if the server sent one.
    pub fn code(&self) -> Option<ErrorCode> {
        match self {
            Self::Problem(p) => Some(p.code),
            _ => None,
        }
    }
}

/// The bearer token of a session. Held in memory only, never in storage or a URL.
#[derive(Clone, PartialEq)]
pub struct Token(Rc<str>);

impl Token {
    pub fn new(token: impl Into<Rc<str>>) -> Self {
        Self(token.into())
    }
}

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Token([redacted])")
    }
}

/// An `Idempotency-Key`: one per logical request, reused on its retries — its clones are
/// the same key, and a new request takes a `new()` one. Its 128 bits come from the
/// browser's CSPRNG (getrandom's `js` feature reads `crypto.getRandomValues`) when it is
/// first sent: the code that draws them comes with the screens that send keys (their
/// chunk, src/lazy.rs), not with the sign-in screen (410 B of the first visit).
#[derive(Clone, Debug, Default)]
pub struct IdempotencyKey(Rc<std::cell::OnceCell<String>>);

impl IdempotencyKey {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn as_str(&self) -> &str {
        self.0.get_or_init(|| {
            let mut bytes = [0u8; 16];
            // getrandom only fails where the platform has no CSPRNG at all; a key from
            // the clock would still be unique per request, all the server needs of it.
            if getrandom::getrandom(&mut bytes).is_err() {
                bytes[..8].copy_from_slice(&js_sys::Date::now().to_bits().to_le_bytes());
            }
            let hex = |n: u8| char::from(b"0123456789abcdef"[usize::from(n & 15)]);
            bytes.iter().flat_map(|b| [hex(b >> 4), hex(*b)]).collect()
        })
    }
}

/// The same key: one logical request (drawn or not yet).
impl PartialEq for IdempotencyKey {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl Eq for IdempotencyKey {}

/// What a call returns: a future on the browser's single thread.
pub type Reply<T> = Pin<Box<dyn Future<Output = Result<T, ApiError>>>>;

/// A session the endpoint opened at sign-in, as it came. The screens after sign-in's
/// chunk (lazy.rs) reads it into a [`Session`] ([`read_session`]): the first module
/// carries no reader of the account, its policy and its methods, which cost it 3.1 KB
/// once compressed (`make bench`, 2026-12-05). The chunk is fetched from the first key
/// typed, so it is mostly here by the time the answer is.
pub enum Opened {
    /// Read already (an endpoint of the tests').
    Read(Box<Session>),
    /// The answer's JSON, and its status.
    Raw(u16, JsValue),
}

/// Reads a sign-in's answer into its session: called by the chunk only.
pub fn read_session(status: u16, value: JsValue) -> Result<Session, ApiError> {
    from_js::from_value(value).map_err(|_| ApiError::Unexpected { status })
}

/// What the app asks of the endpoint before the screens after sign-in have come
/// (`lazy.rs`): how to sign in there (which tells it is up), signing in or out. Kept
/// apart from the rest of [`Endpoint`] so that the first module carries only these
/// calls and the reading of their answers; the others come with the chunk.
pub trait SignInEndpoint {
    fn sign_in(&self, req: SignInRequest) -> Reply<Opened>;
    fn sign_out(&self, token: &Token) -> Reply<()>;
    /// Single sign-on through the organization's provider, if offered. Asked at start
    /// and while the endpoint cannot be reached: its answer, either way, says it is up.
    fn sso(&self) -> Reply<Option<SsoInfo>>;
}

/// The identity endpoint's contract (see `crates/wire` and `crates/server/openapi.json`):
/// the [`SignInEndpoint`] and every call after it.
pub trait Endpoint: SignInEndpoint {
    /// What the account is now (a host's session picked up).
    fn account(&self, token: &Token) -> Reply<AccountState>;
    /// "This wasn't me", from a notice's link (no session).
    fn disown(&self, req: Disown) -> Reply<Disowned>;
    /// The address the browser goes to, to sign in at the organization's provider and
    /// come back to `return_to` (no request of the app's: the endpoint redirects);
    /// `again`: the provider authenticates the person anew.
    fn sso_start(&self, return_to: &str, again: bool) -> String;
    /// The session that a sign-in at the provider handed off (its `#sso=` code).
    fn sign_in_sso(&self, req: SsoSessionRequest) -> Reply<Session>;
    fn enroll(
        &self,
        token: &Token,
        req: EnrollmentRequest,
        key: &IdempotencyKey,
    ) -> Reply<Enrollment>;
    fn resend_enrollment(&self, token: &Token, id: &str) -> Reply<CodeSent>;
    fn verify_enrollment(&self, token: &Token, id: &str, answer: VerifyRequest) -> Reply<Verified>;
    fn challenge(&self, token: &Token, method_id: &str) -> Reply<Challenge>;
    fn resend_challenge(&self, token: &Token, id: &str) -> Reply<CodeSent>;
    fn verify_challenge(&self, token: &Token, id: &str, answer: VerifyRequest) -> Reply<Verified>;
    fn list(&self, token: &Token) -> Reply<AppPasswordList>;
    fn create(
        &self,
        token: &Token,
        req: CreateAppPassword,
        key: &IdempotencyKey,
    ) -> Reply<NewAppPassword>;
    fn revoke(&self, token: &Token, id: &str) -> Reply<()>;
    fn revoke_all(&self, token: &Token) -> Reply<()>;
    fn change_password(&self, token: &Token, body: ChangePassword) -> Reply<PasswordChanged>;
    /// Security info: a change to one of the person's methods; the account as it is now.
    fn change_method(&self, token: &Token, change: &MethodChange) -> Reply<Account>;
}

/// A change the person makes to one of their methods (Security info).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MethodChange {
    Remove(String),
    Rename {
        id: String,
        name: String,
    },
    /// Make it the default: offered first at the next challenge.
    Prefer(String),
}

impl MethodChange {
    /// The method it changes.
    pub fn id(&self) -> &str {
        match self {
            Self::Remove(id) | Self::Rename { id, .. } | Self::Prefer(id) => id,
        }
    }
}

/// How long a call may take, its answer read in full, before it is abandoned. The
/// slowest honest answer is a sign-in queued behind others for the server's password
/// hashers (1 s at most, then 503) plus the network: 20 s is far beyond it.
pub const TIMEOUT_MS: u32 = 20_000;

/// The real endpoint, over HTTP with gloo-net.
#[derive(Clone, PartialEq, Debug)]
pub struct Http {
    base: String,
    timeout_ms: u32,
}

impl Http {
    /// A client for the endpoint at `base` (`""` means the page's own origin).
    pub fn new(base: &str) -> Self {
        Self { base: base.trim_end_matches('/').to_owned(), timeout_ms: TIMEOUT_MS }
    }

    /// The same client with another time limit per call.
    pub fn with_timeout(self, timeout_ms: u32) -> Self {
        Self { timeout_ms, ..self }
    }

    fn url(&self, path: &str) -> String {
        format!("{}/v1{}", self.base, path)
    }

    fn authed(&self, req: RequestBuilder, token: &Token) -> RequestBuilder {
        let _ = self;
        req.header("Authorization", &format!("Bearer {}", token.0))
    }
}

fn path_segment(id: &str) -> String {
    js_sys::encode_uri_component(id).into()
}

impl SignInEndpoint for Http {
    fn sign_in(&self, req: SignInRequest) -> Reply<Opened> {
        let reply =
            answer(Request::post(&self.url("/sessions")), sign_in_body(&req), self.timeout_ms);
        Box::pin(async move { reply.await.map(|(status, value)| Opened::Raw(status, value)) })
    }

    fn sign_out(&self, token: &Token) -> Reply<()> {
        self.call_empty(self.authed(Request::delete(&self.url("/sessions/current")), token))
    }

    fn sso(&self) -> Reply<Option<SsoInfo>> {
        let reply = self.call(Request::get(&self.url("/sso")), None);
        Box::pin(async move {
            match reply.await {
                Ok(sso) => Ok(Some(sso)),
                Err(e) if e.code() == Some(ErrorCode::NotFound) => Ok(None),
                Err(e) => Err(e),
            }
        })
    }
}

impl Endpoint for Http {
    fn account(&self, token: &Token) -> Reply<AccountState> {
        self.call(self.authed(Request::get(&self.url("/account")), token), None)
    }

    fn disown(&self, req: Disown) -> Reply<Disowned> {
        self.post(Request::post(&self.url("/notices/disown")), &req)
    }

    fn sso_start(&self, return_to: &str, again: bool) -> String {
        let url = self.url("/sso/start");
        format!("{url}?return_to={}&again={again}", path_segment(return_to))
    }

    fn sign_in_sso(&self, req: SsoSessionRequest) -> Reply<Session> {
        self.post(Request::post(&self.url("/sessions/sso")), &req)
    }

    fn enroll(
        &self,
        token: &Token,
        body: EnrollmentRequest,
        key: &IdempotencyKey,
    ) -> Reply<Enrollment> {
        let req = self
            .authed(Request::post(&self.url("/mfa/enrollments")), token)
            .header(IDEMPOTENCY_KEY, key.as_str());
        self.post(req, &body)
    }

    fn resend_enrollment(&self, token: &Token, id: &str) -> Reply<CodeSent> {
        let url = self.url(&format!("/mfa/enrollments/{}/resend", path_segment(id)));
        self.call(self.authed(Request::post(&url), token), None)
    }

    fn verify_enrollment(&self, token: &Token, id: &str, answer: VerifyRequest) -> Reply<Verified> {
        let url = self.url(&format!("/mfa/enrollments/{}/verify", path_segment(id)));
        self.post(self.authed(Request::post(&url), token), &answer)
    }

    fn challenge(&self, token: &Token, method_id: &str) -> Reply<Challenge> {
        let req = self.authed(Request::post(&self.url("/mfa/challenges")), token);
        self.post(req, &ChallengeRequest { method_id: method_id.to_owned() })
    }

    fn resend_challenge(&self, token: &Token, id: &str) -> Reply<CodeSent> {
        let url = self.url(&format!("/mfa/challenges/{}/resend", path_segment(id)));
        self.call(self.authed(Request::post(&url), token), None)
    }

    fn verify_challenge(&self, token: &Token, id: &str, answer: VerifyRequest) -> Reply<Verified> {
        let url = self.url(&format!("/mfa/challenges/{}/verify", path_segment(id)));
        self.post(self.authed(Request::post(&url), token), &answer)
    }

    fn list(&self, token: &Token) -> Reply<AppPasswordList> {
        self.call(self.authed(Request::get(&self.url("/app-passwords")), token), None)
    }

    fn create(
        &self,
        token: &Token,
        body: CreateAppPassword,
        key: &IdempotencyKey,
    ) -> Reply<NewAppPassword> {
        let req = self
            .authed(Request::post(&self.url("/app-passwords")), token)
            .header(IDEMPOTENCY_KEY, key.as_str());
        self.post(req, &body)
    }

    fn revoke(&self, token: &Token, id: &str) -> Reply<()> {
        let url = self.url(&format!("/app-passwords/{}", path_segment(id)));
        self.call_empty(self.authed(Request::delete(&url), token))
    }

    fn change_password(&self, token: &Token, body: ChangePassword) -> Reply<PasswordChanged> {
        self.post(self.authed(Request::post(&self.url("/account/password")), token), &body)
    }

    fn revoke_all(&self, token: &Token) -> Reply<()> {
        self.call_empty(self.authed(Request::delete(&self.url("/app-passwords")), token))
    }

    fn change_method(&self, token: &Token, change: &MethodChange) -> Reply<Account> {
        let url = self.url(&format!("/mfa/methods/{}", path_segment(change.id())));
        match change {
            MethodChange::Remove(_) => self.call(self.authed(Request::delete(&url), token), None),
            MethodChange::Rename { name, .. } => {
                let req = self.authed(Request::put(&format!("{url}/name")), token);
                self.post(req, &MethodName { name: name.clone() })
            }
            MethodChange::Prefer(_) => {
                self.call(self.authed(Request::post(&format!("{url}/default")), token), None)
            }
        }
    }
}

// The calls are built so that little code exists once per answer type: everything
// that can be is non-generic (`exchange`, `answer`), and the generic rest is a line.

/// A call's time limit: aborts the fetch (and the reading of its answer) once passed.
/// Dropping it cancels the timer.
struct Deadline {
    controller: Option<web_sys::AbortController>,
    _timer: Option<gloo_timers::callback::Timeout>,
}

impl Deadline {
    fn new(ms: u32) -> Self {
        // AbortController is in every browser this runs in; without it, no time limit.
        let controller = web_sys::AbortController::new().ok();
        let timer =
            controller.clone().map(|c| gloo_timers::callback::Timeout::new(ms, move || c.abort()));
        Self { controller, _timer: timer }
    }

    fn signal(&self) -> Option<web_sys::AbortSignal> {
        self.controller.as_ref().map(web_sys::AbortController::signal)
    }

    fn passed(&self) -> bool {
        self.signal().is_some_and(|s| s.aborted())
    }

    /// What a failure to get or read the answer was: the time limit, or `otherwise`.
    fn or(&self, otherwise: ApiError) -> ApiError {
        if self.passed() {
            ApiError::Timeout
        } else {
            otherwise
        }
    }
}

/// The one exchange every call goes through: sends `body` (JSON text) if any; 2xx → the
/// response, problem document → `Problem`, no answer → `Network`, none in time →
/// `Timeout`.
async fn exchange(
    req: RequestBuilder,
    body: Option<String>,
    deadline: &Deadline,
) -> Result<web_sys::Response, ApiError> {
    let req = req.header("Accept", "application/json").abort_signal(deadline.signal().as_ref());
    let sent = match body {
        Some(body) => {
            let req = req.header("Content-Type", "application/json").body(body);
            req.map_err(|_| ApiError::Unexpected { status: 0 })?.send().await
        }
        None => req.send().await,
    };
    let res = sent.map_err(|_| deadline.or(ApiError::Network))?;
    let status = res.status();
    if res.ok() {
        return Ok(res.into());
    }
    let is_problem =
        res.headers().get("content-type").is_some_and(|ct| ct.starts_with(PROBLEM_JSON));
    if is_problem {
        if let Ok(value) = parsed(&res.into()).await {
            if let Ok(p) = from_js::from_value::<Problem>(value) {
                return Err(ApiError::Problem(Box::new(p)));
            }
        }
    }
    // A problem document cut off by the time limit is a timeout, as for a 2xx answer.
    Err(deadline.or(ApiError::Unexpected { status }))
}

/// The body of `res`, parsed by the browser's own JSON parser (none is compiled into the
/// wasm); [`from_js`] then reads it into the answer's type.
async fn parsed(res: &web_sys::Response) -> Result<JsValue, JsValue> {
    JsFuture::from(res.json()?).await
}

/// A 2xx answer's JSON body, with its status, within `timeout_ms`.
fn answer(req: RequestBuilder, body: Option<String>, timeout_ms: u32) -> Reply<(u16, JsValue)> {
    Box::pin(async move {
        let deadline = Deadline::new(timeout_ms);
        let res = exchange(req, body, &deadline).await?;
        let status = res.status();
        let value = parsed(&res).await;
        value.map(|value| (status, value)).map_err(|_| deadline.or(ApiError::Unexpected { status }))
    })
}

impl Http {
    /// A call answered with JSON `T`.
    fn call<T: DeserializeOwned + 'static>(
        &self,
        req: RequestBuilder,
        body: Option<String>,
    ) -> Reply<T> {
        let answer = answer(req, body, self.timeout_ms);
        Box::pin(async move {
            let (status, value) = answer.await?;
            from_js::from_value(value).map_err(|_| ApiError::Unexpected { status })
        })
    }

    /// A call with a JSON body, answered with JSON `T`.
    fn post<B: Serialize, T: DeserializeOwned + 'static>(
        &self,
        req: RequestBuilder,
        body: &B,
    ) -> Reply<T> {
        match json(body) {
            Some(text) => self.call(req, Some(text)),
            None => Box::pin(std::future::ready(Err(ApiError::Unexpected { status: 0 }))),
        }
    }

    /// For answers without a body (204).
    fn call_empty(&self, req: RequestBuilder) -> Reply<()> {
        let timeout_ms = self.timeout_ms;
        Box::pin(async move {
            let deadline = Deadline::new(timeout_ms);
            exchange(req, None, &deadline).await.map(drop)
        })
    }
}

/// The sign-in's body, written by the browser's `JSON.stringify` field by field: the
/// first module's only request body, and serde-wasm-bindgen's writer would cost it 809 B
/// once compressed (measured with `make bench`); the others are written by [`json`]
/// (tests/app/answers.rs checks that both write the same).
pub fn sign_in_body(req: &SignInRequest) -> Option<String> {
    let SignInRequest { username, password } = req;
    let body = js_sys::Object::new();
    for (name, value) in [("username", username), ("password", password)] {
        js_sys::Reflect::set(&body, &name.into(), &value.as_str().into()).ok()?;
    }
    js_sys::JSON::stringify(&body).ok()?.as_string()
}

/// `body` as JSON text, written by the browser's `JSON.stringify`.
pub fn json<B: Serialize>(body: &B) -> Option<String> {
    let value = serde_wasm_bindgen::to_value(body).ok()?;
    js_sys::JSON::stringify(&value).ok()?.as_string()
}

/// The admin mode's calls (`/v1/admin/…`), with the admin token the host handed over.
/// A trait, as [`Endpoint`] is, so the helpdesk view's tests can hold answers back.
#[cfg(feature = "admin")]
pub trait AdminEndpoint {
    /// Accounts whose username or name contains `q`.
    fn admin_find(&self, token: &Token, q: &str) -> Reply<wire::admin::UserList>;
    /// An account as the helpdesk sees it.
    fn admin_user(&self, token: &Token, username: &str) -> Reply<wire::admin::AdminUser>;
    /// What admins did to an account, newest first.
    fn admin_audit(&self, token: &Token, username: &str) -> Reply<wire::admin::AuditLog>;
    /// One of the actions on an account; answers the account as it now is.
    fn admin_act(
        &self,
        token: &Token,
        username: &str,
        act: &AdminAct,
    ) -> Reply<wire::admin::AdminUser>;
    /// Ends the admin token before its time (the view's sign-out).
    fn admin_sign_out(&self, token: &Token) -> Reply<()>;
}

#[cfg(feature = "admin")]
impl AdminEndpoint for Http {
    fn admin_find(&self, token: &Token, q: &str) -> Reply<wire::admin::UserList> {
        let url = self.url(&format!("/admin/users?q={}", path_segment(q)));
        self.call(self.authed(Request::get(&url), token), None)
    }

    fn admin_user(&self, token: &Token, username: &str) -> Reply<wire::admin::AdminUser> {
        let url = self.url(&format!("/admin/users/{}", path_segment(username)));
        self.call(self.authed(Request::get(&url), token), None)
    }

    fn admin_audit(&self, token: &Token, username: &str) -> Reply<wire::admin::AuditLog> {
        let url = self.url(&format!("/admin/audit?username={}", path_segment(username)));
        self.call(self.authed(Request::get(&url), token), None)
    }

    fn admin_sign_out(&self, token: &Token) -> Reply<()> {
        let url = self.url("/admin/sessions/current");
        self.call_empty(self.authed(Request::delete(&url), token))
    }

    fn admin_act(
        &self,
        token: &Token,
        username: &str,
        act: &AdminAct,
    ) -> Reply<wire::admin::AdminUser> {
        let user = format!("/admin/users/{}", path_segment(username));
        let req = match act {
            AdminAct::RemoveMethod(id) => {
                Request::delete(&self.url(&format!("{user}/methods/{}", path_segment(id))))
            }
            AdminAct::ResetMfa => Request::post(&self.url(&format!("{user}/reset-mfa"))),
            AdminAct::UnlockMfa => Request::post(&self.url(&format!("{user}/unlock-mfa"))),
            AdminAct::Disable => Request::post(&self.url(&format!("{user}/disable"))),
            AdminAct::Enable => Request::post(&self.url(&format!("{user}/enable"))),
            AdminAct::Revoke(id) => {
                Request::delete(&self.url(&format!("{user}/app-passwords/{}", path_segment(id))))
            }
            AdminAct::RevokeAll => Request::delete(&self.url(&format!("{user}/app-passwords"))),
            AdminAct::SetPolicy(policy) => {
                let req = Request::put(&self.url(&format!("{user}/policy")));
                return self.post(self.authed(req, token), policy);
            }
        };
        self.call(self.authed(req, token), None)
    }
}

/// What a helpdesk can do to an account from the admin mode.
#[cfg(feature = "admin")]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AdminAct {
    RemoveMethod(String),
    ResetMfa,
    UnlockMfa,
    Disable,
    Enable,
    Revoke(String),
    RevokeAll,
    SetPolicy(wire::Policy),
}
