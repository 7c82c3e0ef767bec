//! An in-memory identity endpoint behind the app's `Endpoint` trait: it keeps accounts,
//! codes and app passwords like the reference server does, answers at once, and can be
//! told to fail the way a real one fails (offline, session expired, throttled).

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use app_passwords::api::{
    ApiError, Endpoint, IdempotencyKey, MethodChange, Opened, Reply, SignInEndpoint, Token,
};
use wire::*;

pub const PASSWORD: &str = "Right-password-1";
pub const TOTP_SECRET: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
/// The code the fake accepts; `WRONG` is refused with tries left, `EXPIRED` as expired,
/// `SPENT` as too many tries.
pub const GOOD: &str = "123456";
/// The token of the one notice link the fake knows (it works once).
pub const DISOWN_TOKEN: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
/// What the stand-in browser's key answers, as `credential.toJSON()` stringified.
pub const KEY_ANSWER: &str = r#"{"id":"good-key"}"#;
/// Creation and request options the browser's JSON helpers accept.
pub const KEY_OPTIONS: &str = r#"{"rp":{"id":"localhost","name":"Contoso"},"user":{"id":"AAAAAAAAAAAAAAAAAAAAAA","name":"nora@contoso.example","displayName":"Nora New"},"challenge":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA","pubKeyCredParams":[{"type":"public-key","alg":-7}],"allowCredentials":[],"timeout":60000}"#;
pub const WRONG: &str = "000000";
pub const EXPIRED: &str = "111111";
pub const SPENT: &str = "222222";
pub const APP_PASSWORD: &str = "abcdefghijklmnop";
/// The one-time code of `#sso=`, as the endpoint hands it off (it works once).
pub const SSO_CODE: &str = "sso-handoff-code";
/// Where the fake sends the browser to sign in at the provider: only the fragment of
/// the test page changes.
pub const PROVIDER_URL: &str = "#at-the-provider";

pub struct Fake {
    pub next: Cell<Next>,
    pub reason: Cell<Option<NotAvailableReason>>,
    pub allowed: RefCell<Vec<MethodKind>>,
    pub methods: RefCell<Vec<Method>>,
    pub items: RefCell<Vec<AppPasswordInfo>>,
    pub limit: Cell<u32>,
    /// The account the helpdesk disabled (admin mode).
    pub admin_disabled: Cell<bool>,
    /// Verification locked after too many wrong codes (admin mode).
    pub admin_locked: Cell<bool>,
    /// Every call fails as if the network were down.
    pub offline: Cell<bool>,
    /// Authenticated calls answer 401 `session_expired`.
    pub expired: Cell<bool>,
    /// Sign-in answers 429 with this Retry-After.
    pub throttled: Cell<Option<u32>>,
    /// App-password calls answer 403 `mfa_required` (step-up needed).
    pub stale_mfa: Cell<bool>,
    /// The next create fails with this error after the server made the password (the
    /// answer was lost): a dropped connection (`Network`) or a request abandoned at its
    /// time limit (`Timeout`).
    pub lose_next_create_answer: RefCell<Option<ApiError>>,
    /// The next call named so fails with this error, as the real endpoint can.
    pub fail_next: RefCell<Option<(&'static str, ApiError)>>,
    /// The resend cooldown the fake announces, in seconds.
    pub cooldown: Cell<u32>,
    /// The name and Idempotency-Key of every create request, in order.
    pub creates: RefCell<Vec<(String, String)>>,
    pub enrollments: RefCell<Vec<EnrollmentRequest>>,
    /// Every create request, as sent.
    pub asked: RefCell<Vec<CreateAppPassword>>,
    /// The policy's maximum app-password lifetime.
    pub max_days: Cell<Option<u32>>,
    /// Whether the notice link was followed already.
    pub disowned: Cell<bool>,
    /// The person's password is kept elsewhere (the directory, the provider).
    pub password_elsewhere: Cell<bool>,
    /// Single sign-on, when offered (`GET /v1/sso` answers 404 otherwise).
    pub sso: RefCell<Option<SsoInfo>>,
    /// Every page a single sign-on was started from, and whether anew at the provider.
    pub sso_started: RefCell<Vec<(String, bool)>>,
    /// The policy's "remove if unused for N days".
    pub unused_days: Cell<Option<u32>>,
    pub calls: RefCell<Vec<&'static str>>,
    /// The one token that works: the server replaces it when MFA is proven.
    pub live: RefCell<String>,
    held: RefCell<Vec<(&'static str, Held)>>,
    holding: RefCell<Option<Held>>,
    in_flight: Rc<Cell<u32>>,
    attempts: Cell<u32>,
    seq: Cell<u32>,
    by_key: RefCell<Vec<(String, NewAppPassword)>>,
}

impl Fake {
    pub fn new(next: Next) -> Rc<Self> {
        Rc::new(Self {
            next: Cell::new(next),
            reason: Cell::new(None),
            allowed: RefCell::new(MethodKind::ALL.to_vec()),
            methods: RefCell::default(),
            items: RefCell::default(),
            limit: Cell::new(40),
            offline: Cell::new(false),
            expired: Cell::new(false),
            throttled: Cell::new(None),
            stale_mfa: Cell::new(false),
            lose_next_create_answer: RefCell::default(),
            fail_next: RefCell::default(),
            cooldown: Cell::new(30),
            creates: RefCell::default(),
            enrollments: RefCell::default(),
            asked: RefCell::default(),
            max_days: Cell::new(None),
            disowned: Cell::new(false),
            password_elsewhere: Cell::new(false),
            sso: RefCell::default(),
            sso_started: RefCell::default(),
            unused_days: Cell::new(None),
            admin_disabled: Cell::new(false),
            admin_locked: Cell::new(false),
            calls: RefCell::default(),
            live: RefCell::new("secret-token".into()),
            held: RefCell::default(),
            holding: RefCell::default(),
            in_flight: Rc::default(),
            attempts: Cell::new(5),
            seq: Cell::new(0),
            by_key: RefCell::default(),
        })
    }

    pub fn with_method(self: Rc<Self>, kind: MethodKind, label: &str) -> Rc<Self> {
        let id = format!("m{}", self.methods.borrow().len() + 1);
        let last_used_at = Some("2026-11-24T08:15:00Z".to_owned());
        let default = self.methods.borrow().is_empty();
        let added_at = "2026-10-02T07:30:00Z".to_owned();
        let label = label.into();
        self.methods.borrow_mut().push(Method { id, kind, label, last_used_at, added_at, default });
        self
    }

    pub fn with_item(self: Rc<Self>, name: &str, last_used: Option<&str>) -> Rc<Self> {
        let id = format!("p{}", self.items.borrow().len() + 1);
        self.items.borrow_mut().push(AppPasswordInfo {
            id,
            name: name.into(),
            created_at: "2026-11-20T09:30:00Z".into(),
            last_used_at: last_used.map(Into::into),
            scopes: vec![Scope::Mail],
            expires_at: None,
            expired: false,
            last_used_from: last_used.map(|_| "203.0.113.7".into()),
            last_used_protocol: last_used.map(|_| Protocol::Imap),
        });
        self
    }

    fn id(&self) -> String {
        self.seq.set(self.seq.get() + 1);
        format!("id{}", self.seq.get())
    }

    fn account(&self) -> Account {
        Account {
            username: "nora@contoso.example".into(),
            display_name: "Nora New".into(),
            password_elsewhere: self.password_elsewhere.get(),
            policy: Policy {
                mfa_required: self.reason.get() != Some(NotAvailableReason::MfaNotRequired),
                app_passwords_allowed: self.reason.get()
                    != Some(NotAvailableReason::AppPasswordsDisabled),
                allowed_methods: self.allowed.borrow().clone(),
                phishing_resistant: false,
                app_password_scopes: Scope::ALL.to_vec(),
                app_password_max_days: self.max_days.get(),
                keep_app_passwords_on_password_change: false,
                app_password_unused_days: self.unused_days.get(),
            },
            methods: self.methods.borrow().clone(),
        }
    }

    /// How many held answers have not been given yet.
    pub fn held_count(&self) -> u32 {
        self.in_flight.get()
    }

    /// Holds back the answer to the next call named `call` (see [`Held`]).
    pub fn hold(&self, call: &'static str) -> Held {
        let held = Held(Rc::default());
        self.held.borrow_mut().push((call, held.clone()));
        held
    }

    /// The answer, now or once released if the test holds this call.
    pub(crate) fn reply<T: 'static>(&self, r: Result<T, ApiError>) -> Reply<T> {
        match self.holding.borrow_mut().take() {
            None => Box::pin(std::future::ready(r)),
            Some(held) => {
                let in_flight = self.in_flight.clone();
                in_flight.set(in_flight.get() + 1);
                Box::pin(async move {
                    while !held.0.get() {
                        gloo_timers::future::TimeoutFuture::new(2).await;
                    }
                    in_flight.set(in_flight.get() - 1);
                    r
                })
            }
        }
    }

    /// A new session: its token the one that works from now on.
    fn open_session(&self) -> Session {
        *self.live.borrow_mut() = "secret-token".into();
        Session {
            token: "secret-token".into(),
            expires_at: "2026-11-25T18:00:00Z".into(),
            account: self.account(),
            next: self.next.get(),
            reason: self.reason.get(),
        }
    }

    pub(crate) fn gate(&self, call: &'static str, authed: bool) -> Result<(), ApiError> {
        self.calls.borrow_mut().push(call);
        let held = self.held.borrow().iter().position(|(name, _)| *name == call);
        *self.holding.borrow_mut() = held.map(|at| self.held.borrow_mut().remove(at).1);
        if self.offline.get() {
            return Err(ApiError::Network);
        }
        let planned = self.fail_next.borrow().as_ref().is_some_and(|(name, _)| *name == call);
        if planned {
            if let Some((_, e)) = self.fail_next.borrow_mut().take() {
                return Err(e);
            }
        }
        if authed && self.expired.get() {
            return Err(problem(ErrorCode::SessionExpired, 401, |_| {}));
        }
        Ok(())
    }

    /// An authenticated call: refused with 401 unless `token` is the live one.
    fn authed(&self, call: &'static str, token: &Token) -> Result<(), ApiError> {
        self.gate(call, true)?;
        if *token != Token::new(self.live.borrow().as_str()) {
            return Err(problem(ErrorCode::Unauthorized, 401, |_| {}));
        }
        Ok(())
    }

    /// A proof succeeded: the token is replaced, as the server does.
    fn rotate(&self) -> String {
        let token = format!("secret-token-{}", self.id());
        *self.live.borrow_mut() = token.clone();
        token
    }

    /// A security key's answer: the fake takes what its stand-in browser gives for a
    /// good key (`KEY_ANSWER`), and refuses anything else as a real endpoint would.
    fn check_answer(&self, answer: &VerifyRequest) -> Result<(), ApiError> {
        match answer {
            VerifyRequest::Credential(k) if k.credential == KEY_ANSWER => Ok(()),
            VerifyRequest::Credential(_) => {
                self.attempts.set(self.attempts.get().saturating_sub(1));
                let left = self.attempts.get();
                Err(problem(ErrorCode::CredentialRefused, 422, |p| p.attempts_left = Some(left)))
            }
            VerifyRequest::Code(c) => self.check_code(&c.code),
        }
    }

    fn check_code(&self, code: &str) -> Result<(), ApiError> {
        match code {
            GOOD => Ok(()),
            EXPIRED => Err(problem(ErrorCode::CodeExpired, 422, |_| {})),
            SPENT => Err(problem(ErrorCode::TooManyAttempts, 429, |_| {})),
            _ => {
                self.attempts.set(self.attempts.get().saturating_sub(1));
                let left = self.attempts.get();
                Err(problem(ErrorCode::InvalidCode, 422, |p| p.attempts_left = Some(left)))
            }
        }
    }
}

pub fn problem(code: ErrorCode, status: u16, edit: impl FnOnce(&mut Problem)) -> ApiError {
    let mut p = Problem {
        type_: "about:blank".into(),
        title: "title from the server, never shown".into(),
        status,
        detail: None,
        code,
        request_id: Some("req-7f3a".into()),
        errors: vec![],
        retry_after: None,
        attempts_left: None,
        limit: None,
    };
    edit(&mut p);
    ApiError::Problem(Box::new(p))
}

/// An answer the test holds back: the fake has done the work (the password is made),
/// and the app gets the answer only once the test calls `release`.
#[derive(Clone)]
pub struct Held(Rc<Cell<bool>>);

impl Held {
    pub fn release(&self) {
        self.0.set(true);
    }
}

fn sent(dest: &str, cooldown: u32) -> CodeSent {
    CodeSent {
        destination: dest.into(),
        resend_after: cooldown,
        expires_at: "2026-11-25T10:10:00Z".into(),
    }
}

fn masked(req: &EnrollmentRequest) -> Option<String> {
    match req {
        EnrollmentRequest::Totp | EnrollmentRequest::Passkey { .. } => None,
        EnrollmentRequest::Sms { phone } | EnrollmentRequest::Voice { phone } => {
            Some(format!("{} ••• •• {}", &phone[..3], &phone[phone.len() - 2..]))
        }
        EnrollmentRequest::Email { email } => {
            Some(format!("{}•••@{}", &email[..1], email.split_once('@').map_or("", |(_, d)| d)))
        }
    }
}

impl SignInEndpoint for Fake {
    fn sign_in(&self, req: SignInRequest) -> Reply<Opened> {
        self.reply(self.gate("sign_in", false).and_then(|()| {
            if let Some(wait) = self.throttled.get() {
                return Err(problem(ErrorCode::RateLimited, 429, |p| p.retry_after = Some(wait)));
            }
            if req.password != PASSWORD {
                return Err(problem(ErrorCode::InvalidCredentials, 401, |_| {}));
            }
            self.expired.set(false);
            Ok(Opened::Read(Box::new(self.open_session())))
        }))
    }

    fn sign_out(&self, token: &Token) -> Reply<()> {
        self.reply(self.authed("sign_out", token))
    }

    fn sso(&self) -> Reply<Option<SsoInfo>> {
        self.reply(self.gate("sso", false).map(|()| self.sso.borrow().clone()))
    }
}

impl Endpoint for Fake {
    fn account(&self, token: &Token) -> Reply<AccountState> {
        self.reply(self.authed("account", token).map(|()| AccountState {
            account: self.account(),
            next: self.next.get(),
            reason: self.reason.get(),
        }))
    }

    fn sso_start(&self, return_to: &str, again: bool) -> String {
        self.sso_started.borrow_mut().push((return_to.to_owned(), again));
        PROVIDER_URL.into()
    }

    fn sign_in_sso(&self, req: SsoSessionRequest) -> Reply<Session> {
        self.reply(self.gate("sign_in_sso", false).and_then(|()| {
            // Single use, as the endpoint's.
            if req.code != SSO_CODE
                || self.calls.borrow().iter().filter(|c| **c == "sign_in_sso").count() > 1
            {
                return Err(problem(ErrorCode::SsoFailed, 400, |_| {}));
            }
            Ok(self.open_session())
        }))
    }

    fn disown(&self, req: Disown) -> Reply<Disowned> {
        self.reply(self.gate("disown", false).and_then(|()| {
            if req.token != DISOWN_TOKEN || self.disowned.replace(true) {
                return Err(problem(ErrorCode::NotFound, 404, |_| {}));
            }
            Ok(Disowned {
                what: Noticed::AppPassword,
                name: "Outlook".into(),
                removed: true,
                sessions_ended: 2,
            })
        }))
    }

    fn enroll(
        &self,
        token: &Token,
        req: EnrollmentRequest,
        _: &IdempotencyKey,
    ) -> Reply<Enrollment> {
        self.reply(self.authed("enroll", token).map(|()| {
            self.enrollments.borrow_mut().push(req.clone());
            self.attempts.set(5);
            let totp = req == EnrollmentRequest::Totp;
            let key = req.kind() == MethodKind::Passkey;
            Enrollment {
                id: self.id(),
                kind: req.kind(),
                secret: totp.then(|| TOTP_SECRET.into()),
                otpauth_uri: totp.then(|| {
                    format!("otpauth://totp/Contoso:nora%40contoso.example?secret={TOTP_SECRET}&issuer=Contoso")
                }),
                destination: masked(&req),
                resend_after: req.kind().sends_code().then_some(self.cooldown.get()),
                expires_at: None,
                options: key.then(|| KEY_OPTIONS.into()),
            }
        }))
    }

    fn resend_enrollment(&self, token: &Token, _: &str) -> Reply<CodeSent> {
        let dest = self.enrollments.borrow().last().and_then(masked).unwrap_or_default();
        self.reply(self.authed("resend", token).map(|()| sent(&dest, self.cooldown.get())))
    }

    fn verify_enrollment(&self, token: &Token, _: &str, answer: VerifyRequest) -> Reply<Verified> {
        self.reply(
            self.authed("verify_enrollment", token).and_then(|()| self.check_answer(&answer)).map(
                |()| {
                    let req = self
                        .enrollments
                        .borrow()
                        .last()
                        .cloned()
                        .unwrap_or(EnrollmentRequest::Totp);
                    let label = match &req {
                        EnrollmentRequest::Passkey { name } => name.clone(),
                        req => masked(req).unwrap_or_else(|| "Authenticator app".into()),
                    };
                    let method = Method {
                        id: self.id(),
                        kind: req.kind(),
                        label,
                        last_used_at: None,
                        added_at: "2026-11-25T10:00:00Z".into(),
                        default: self.methods.borrow().is_empty(),
                    };
                    self.methods.borrow_mut().push(method.clone());
                    Verified { method, next: Next::Ready, token: self.rotate() }
                },
            ),
        )
    }

    fn challenge(&self, token: &Token, method_id: &str) -> Reply<Challenge> {
        let method = self.methods.borrow().iter().find(|m| m.id == method_id).cloned();
        self.reply(self.authed("challenge", token).and_then(|()| {
            let method = method.ok_or_else(|| problem(ErrorCode::NotFound, 404, |_| {}))?;
            self.attempts.set(5);
            let sends = method.kind.sends_code();
            Ok(Challenge {
                id: self.id(),
                destination: sends.then(|| method.label.clone()),
                resend_after: sends.then_some(30),
                expires_at: None,
                options: (method.kind == MethodKind::Passkey).then(|| KEY_OPTIONS.into()),
                method,
            })
        }))
    }

    fn resend_challenge(&self, token: &Token, _: &str) -> Reply<CodeSent> {
        self.reply(
            self.authed("resend", token).map(|()| sent("+33 ••• •• 78", self.cooldown.get())),
        )
    }

    fn verify_challenge(&self, token: &Token, _: &str, answer: VerifyRequest) -> Reply<Verified> {
        let method = self.methods.borrow().first().cloned();
        self.reply(
            self.authed("verify_challenge", token)
                .and_then(|()| self.check_answer(&answer))
                .and_then(|()| {
                    self.stale_mfa.set(false);
                    let method = method.ok_or_else(|| problem(ErrorCode::NotFound, 404, |_| {}))?;
                    Ok(Verified { method, next: Next::Ready, token: self.rotate() })
                }),
        )
    }

    fn list(&self, token: &Token) -> Reply<AppPasswordList> {
        self.reply(self.authed("list", token).and_then(|()| {
            if self.stale_mfa.get() {
                return Err(problem(ErrorCode::MfaRequired, 403, |_| {}));
            }
            Ok(AppPasswordList { items: self.items.borrow().clone(), limit: self.limit.get() })
        }))
    }

    fn create(
        &self,
        token: &Token,
        req: CreateAppPassword,
        key: &IdempotencyKey,
    ) -> Reply<NewAppPassword> {
        let name = req.name.clone();
        self.asked.borrow_mut().push(req.clone());
        self.reply(self.authed("create", token).and_then(|()| {
            self.creates.borrow_mut().push((name.clone(), key.as_str().to_owned()));
            if let Some((_, first)) = self.by_key.borrow().iter().find(|(k, _)| k == key.as_str()) {
                return Ok(first.clone()); // a retry: the first answer again
            }
            if self.items.borrow().iter().any(|i| i.name == name) {
                return Err(problem(ErrorCode::NameTaken, 409, |_| {}));
            }
            if self.items.borrow().len() >= self.limit.get() as usize {
                let limit = self.limit.get();
                return Err(problem(ErrorCode::LimitReached, 409, |p| p.limit = Some(limit)));
            }
            let created = NewAppPassword {
                id: self.id(),
                name: name.clone(),
                created_at: "2026-11-25T10:00:00Z".into(),
                scopes: if req.scopes.is_empty() { vec![Scope::Mail] } else { req.scopes.clone() },
                expires_at: req.expires_in_days.map(|_| "2027-02-23T10:00:00Z".into()),
                password: APP_PASSWORD.into(),
            };
            self.items.borrow_mut().push(AppPasswordInfo {
                id: created.id.clone(),
                name,
                created_at: created.created_at.clone(),
                last_used_at: None,
                scopes: created.scopes.clone(),
                expires_at: created.expires_at.clone(),
                expired: false,
                last_used_from: None,
                last_used_protocol: None,
            });
            self.by_key.borrow_mut().push((key.as_str().to_owned(), created.clone()));
            if let Some(lost) = self.lose_next_create_answer.borrow_mut().take() {
                return Err(lost);
            }
            Ok(created)
        }))
    }

    fn revoke(&self, token: &Token, id: &str) -> Reply<()> {
        let r =
            self.authed("revoke", token).map(|()| self.items.borrow_mut().retain(|i| i.id != id));
        self.reply(r)
    }

    fn change_method(&self, token: &Token, change: &MethodChange) -> Reply<Account> {
        self.reply(self.authed("change_method", token).and_then(|()| {
            if self.stale_mfa.get() {
                return Err(problem(ErrorCode::MfaRequired, 403, |_| {}));
            }
            let mut methods = self.methods.borrow_mut();
            let at = methods.iter().position(|m| m.id == change.id());
            let at = at.ok_or_else(|| problem(ErrorCode::NotFound, 404, |_| {}))?;
            match change {
                MethodChange::Remove(_) => drop(methods.remove(at)),
                MethodChange::Rename { name, .. } => methods[at].label = name.clone(),
                MethodChange::Prefer(_) => {
                    let chosen = methods.remove(at);
                    methods.insert(0, chosen);
                }
            }
            // The first is the default, as the endpoint lists them.
            for (i, m) in methods.iter_mut().enumerate() {
                m.default = i == 0;
            }
            drop(methods);
            Ok(self.account())
        }))
    }

    fn revoke_all(&self, token: &Token) -> Reply<()> {
        self.reply(self.authed("revoke_all", token).map(|()| self.items.borrow_mut().clear()))
    }

    fn change_password(&self, token: &Token, body: ChangePassword) -> Reply<PasswordChanged> {
        self.reply(self.authed("change_password", token).and_then(|()| {
            let field = |name: &str, code: &str| {
                let (name, code) = (name.to_owned(), code.to_owned());
                problem(ErrorCode::ValidationFailed, 422, move |p| {
                    p.errors = vec![FieldError { field: name, code }]
                })
            };
            if body.current_password != PASSWORD {
                return Err(field("current_password", "incorrect"));
            }
            if body.new_password.contains("password") {
                return Err(field("new_password", "too_guessable"));
            }
            let revoked = std::mem::take(&mut *self.items.borrow_mut());
            Ok(PasswordChanged {
                app_passwords_revoked: revoked,
                sessions_ended: 1,
                token: self.rotate(),
            })
        }))
    }
}
