//! What the person's intents do: each [`Intent`] becomes requests to the [`Endpoint`]
//! (numbered, see `state::Pending`), and their outcomes become [`Action`]s on the model.
//! The one place where the app talks to the endpoint and the clipboard.

use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

use wasm_bindgen_futures::spawn_local;
use wire::{
    ChangePassword, CreateAppPassword, Disown, EnrollmentRequest, MethodKind, Session,
    SignInRequest, SsoSessionRequest, Verified, VerifyRequest,
};
use yew::prelude::*;

use crate::announcements::Announcement;
use crate::api::{ApiError, Endpoint, Http, MethodChange, Opened, Reply, SignInEndpoint, Token};
use crate::clipboard;
use crate::errors::{of_code, outcome, Outcome, UiError};
use crate::host::HostEvent;
use crate::i18n::{method_label, JourneyMsg, Lang};
use crate::intent::Intent;
use crate::passkey;
use crate::screens::ScreenProps;
use crate::sso::{self, Returned};
use crate::state::{Action, CodeFor, Confirm, JourneyRules, Model, Pending, Screen};

/// What the chunk of the screens after sign-in brings (src/lazy.rs, which fetches it:
/// handed to the intents as [`Env::load`], so that this module, which the chunk's table
/// names, does not name the chunk).
#[derive(Clone, Copy)]
pub struct Journey {
    /// Draws every screen but sign-in.
    pub view: fn(&ScreenProps, Lang) -> Html,
    /// The whole endpoint over `http`.
    pub endpoint: fn(&Rc<Http>) -> Rc<dyn Endpoint>,
    /// What the intents of those screens do.
    pub run: AfterSignIn,
    /// Adopts their stylesheet where the app is (src/styles.rs).
    pub adopt_styles: fn(&web_sys::Node),
    /// Picks up a host's session ([`Env::resume`]).
    pub resumed: fn(&Env, &Rc<dyn Endpoint>, u32, Token),
    /// Reads the session a sign-in opened (`api::Opened`).
    pub read_session: fn(u16, wasm_bindgen::JsValue) -> Result<Session, ApiError>,
    /// What is done with what the organization's provider sent back (src/sso.rs).
    pub sso_returned: fn(&Env, &Rc<dyn Endpoint>, Returned),
    /// What their actions do to the model, and the words of the errors and
    /// announcements only they meet.
    pub rules: JourneyRules,
}

/// The chunk could not be fetched (offline, server down); trying again may work.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unavailable;

/// The chunk being fetched ([`Env::load`]).
pub type Loading = Pin<Box<dyn Future<Output = Result<Journey, Unavailable>>>>;

/// What running an intent needs: the endpoint, the model's dispatcher, the language
/// (for default names) and the host's event callback.
#[derive(Clone)]
pub struct Env {
    /// The calls before the screens after sign-in have come (lazy.rs).
    pub signing_in: Rc<dyn SignInEndpoint>,
    /// The whole endpoint, once they have (at once in builds without the split).
    pub api: Option<Rc<dyn Endpoint>>,
    /// The real endpoint, that the chunk makes the whole one of (lazy.rs).
    pub http: Rc<Http>,
    /// What the intents of those screens do ([`after_sign_in`]), once they have come.
    pub after_sign_in: Option<AfterSignIn>,
    /// Fetches them (`lazy::load`: once; at once in builds without the split).
    pub load: fn() -> Loading,
    /// The last request number given out (see `Pending`).
    pub requests: Rc<std::cell::Cell<u32>>,
    pub dispatch: UseReducerDispatcher<Model>,
    pub lang: Lang,
    pub on_event: Callback<HostEvent>,
    /// A host page embeds the app: it must not take the page away (single sign-on opens
    /// a window of its own, src/sso.rs).
    pub embedded: bool,
}

impl Env {
    pub fn dispatch(&self, action: Action) {
        self.dispatch.dispatch(action);
    }

    fn emit(&self, event: HostEvent) {
        self.on_event.emit(event);
    }

    /// Marks a new request as the pending one; returns its number.
    fn start(&self, creates: bool) -> u32 {
        let id = self.requests.get().wrapping_add(1);
        self.requests.set(id);
        self.dispatch(Action::Started(Pending { id, creates }));
        id
    }

    /// Picks up a session the host already has: once the screens after sign-in have
    /// come (lazy.rs), which it goes on to, with the call that reads it
    /// ([`Self::resumed`]).
    pub fn resume(&self, token: Token) {
        let id = self.start(false);
        let env = self.clone();
        spawn_local(async move {
            match (env.load)().await {
                Ok(journey) => {
                    let api = env.api.clone().unwrap_or_else(|| (journey.endpoint)(&env.http));
                    (journey.resumed)(&env, &api, id, token);
                }
                Err(_) => env.fail(id, &ApiError::Network, None),
            }
        });
    }

    /// What [`Self::resume`] goes on with, in the chunk.
    pub fn resumed(&self, api: &Rc<dyn Endpoint>, id: u32, token: Token) {
        let (env, reply) = (self.clone(), api.account(&token));
        spawn_local(async move {
            match reply.await {
                Ok(state) => {
                    env.emit(HostEvent::SignedIn { username: state.account.username.clone() });
                    env.dispatch(Action::Answered(id, Box::new(Action::Resumed { token, state })));
                }
                Err(ApiError::Network) => env.fail(id, &ApiError::Network, None),
                // Not (or no longer) valid: the person signs in themselves.
                Err(_) => env.dispatch(Action::Answered(id, Box::new(Action::Idle))),
            }
        });
    }

    /// What a session opened becomes; the host hears of it.
    fn signed_in(&self) -> impl FnOnce(Session) -> Action + 'static {
        let env = self.clone();
        move |session| {
            env.emit(HostEvent::SignedIn { username: session.account.username.clone() });
            Action::SignedIn(session)
        }
    }

    /// What the organization's provider sent back (src/sso.rs): the session its code
    /// opens, or why it came to nothing. In the chunk (lazy.rs): the way back loads it,
    /// as signing in does.
    pub fn sso_returned(&self, api: &Rc<dyn Endpoint>, back: Returned) {
        match back {
            Returned::Code(code) => {
                self.call(api.sign_in_sso(SsoSessionRequest { code }), None, self.signed_in())
            }
            Returned::Problem(code) => self.dispatch(Action::Failed(of_code(&code))),
        }
    }

    /// Embedded, the provider's sign-in in a window of its own, opened now (in the
    /// person's click, or it would be blocked), until that window hands back what the
    /// provider said or is closed. In the chunk, with [`Self::sso_returned`].
    fn sso_in_window(&self, url: &str) {
        let Some(popup) = sso::open(url) else {
            return self.dispatch(Action::Failed(UiError::PopupBlocked));
        };
        let id = self.start(false);
        let env = self.clone();
        spawn_local(async move {
            match (sso::handed_back(&popup).await, &env.api) {
                (Some(back), Some(api)) => env.sso_returned(api, back),
                _ => env.dispatch(Action::Answered(id, Box::new(Action::Idle))),
            }
        });
    }

    /// Runs `reply` as the pending request; its success becomes `ok(value)`, a failure
    /// shows as [`outcome`] says.
    pub fn call<T: 'static>(
        &self,
        reply: Reply<T>,
        limit: Option<u32>,
        ok: impl FnOnce(T) -> Action + 'static,
    ) {
        self.request(false, reply, limit, ok);
    }

    /// [`Self::call`] for a reply that may be refused in a way the app words itself
    /// (`Err` inside `Ok`): a security key's ceremony, a link that is spent.
    fn call_or_refused<T: 'static>(
        &self,
        reply: Reply<Result<T, UiError>>,
        ok: impl FnOnce(T) -> Action + 'static,
    ) {
        self.request(false, reply, None, |answer| match answer {
            Ok(value) => ok(value),
            Err(refused) => Action::Failed(refused),
        });
    }

    /// [`Self::call`] for the request that creates an app password: Back and Sign out
    /// wait for its answer, which must be shown.
    fn call_creating<T: 'static>(&self, reply: Reply<T>, ok: impl FnOnce(T) -> Action + 'static) {
        self.request(true, reply, None, ok);
    }

    fn request<T: 'static>(
        &self,
        creates: bool,
        reply: Reply<T>,
        limit: Option<u32>,
        ok: impl FnOnce(T) -> Action + 'static,
    ) {
        let id = self.start(creates);
        let env = self.clone();
        spawn_local(async move {
            match reply.await {
                Ok(value) => env.dispatch(Action::Answered(id, Box::new(ok(value)))),
                Err(e) => env.fail(id, &e, limit),
            }
        });
    }

    /// What a verified method becomes; the host hears of a new one.
    fn verified(&self, enrolling: bool) -> impl FnOnce(Verified) -> Action + 'static {
        let env = self.clone();
        move |v| {
            if enrolling {
                env.emit(HostEvent::MethodRegistered { kind: v.method.kind });
            }
            Action::Verified { method: v.method, token: Token::new(v.token), next: v.next }
        }
    }

    /// How request `id` failing shows (if it is still the pending one).
    fn fail(&self, id: u32, error: &ApiError, limit: Option<u32>) {
        let action = match outcome(error, limit) {
            Outcome::Expired => {
                self.emit(HostEvent::SessionExpired);
                Action::Expired
            }
            Outcome::StepUp => Action::StepUp,
            Outcome::Show(e) => {
                if e == UiError::Network {
                    self.dispatch(Action::Online(false));
                }
                Action::Failed(e)
            }
        };
        self.dispatch(Action::Answered(id, Box::new(action)));
    }
}

fn now() -> f64 {
    js_sys::Date::now()
}

/// What `intent` does, given the model as it is now.
pub fn run(env: &Env, m: &Model, intent: Intent) {
    let sends = !matches!(
        intent,
        Intent::Edit(..)
            | Intent::Choose(_)
            | Intent::ToggleScope(_)
            | Intent::Back
            | Intent::SetLang(_)
            | Intent::CancelDelete
            | Intent::AskDelete(_)
            | Intent::SignOut
            | Intent::ToPassword
            | Intent::ToSecurity
            | Intent::AddMethod
            | Intent::AskRemove(_)
            | Intent::CancelRemove
            | Intent::StartRename(_)
            | Intent::CancelRename
    );
    if sends && m.busy() {
        return; // one request at a time: a double click sends nothing twice
    }
    let token = m.session.as_ref().map(|s| s.token.clone());
    let d = &m.drafts;
    match intent {
        Intent::Edit(field, value) => env.dispatch(Action::Edit(field, value)),
        Intent::Choose(kind) => env.dispatch(Action::ChooseKind(kind)),
        Intent::ToggleScope(scope) => env.dispatch(Action::ToggleScope(scope)),
        Intent::SetUp => env.dispatch(Action::SetUp),
        Intent::Next => env.dispatch(Action::Next),
        Intent::Back => env.dispatch(Action::Back),
        Intent::CreateAnother => env.dispatch(Action::CreateAnother),
        Intent::ToPassword => env.dispatch(Action::ToPassword),
        Intent::AskDelete(what) => env.dispatch(Action::AskDelete(what)),
        Intent::CancelDelete => env.dispatch(Action::CancelDelete),
        Intent::ToSecurity => env.dispatch(Action::ToSecurity),
        Intent::AddMethod => env.dispatch(Action::AddMethod),
        Intent::AskRemove(method) => env.dispatch(Action::AskRemove(method)),
        Intent::CancelRemove => env.dispatch(Action::CancelRemove),
        Intent::StartRename(method) => env.dispatch(Action::StartRename(method)),
        Intent::CancelRename => env.dispatch(Action::CancelRename),
        Intent::SetLang(_) => {}
        Intent::SignIn => {
            let username = d.username.trim().to_owned();
            if username.is_empty() {
                return env.dispatch(Action::Failed(UiError::UsernameMissing));
            }
            if d.password.is_empty() {
                return env.dispatch(Action::Failed(UiError::PasswordMissing));
            }
            let req = SignInRequest { username, password: d.password.to_string() };
            env.call(read(env.load, env.signing_in.sign_in(req)), None, env.signed_in());
        }
        Intent::Copy | Intent::CopyKey => {
            let (secret, done): (_, fn(clipboard::Copied) -> Action) = match &m.screen {
                Screen::Show { created, .. } => (created.password.clone(), Action::Copied),
                Screen::Totp(step) => (step.secret.clone(), Action::KeyCopied),
                _ => return,
            };
            let env = env.clone();
            spawn_local(async move {
                let outcome = clipboard::copy(secret.expose()).await;
                env.dispatch(done(outcome));
            });
        }
        Intent::Done => env.dispatch(Action::Done),
        // Not while an app password is being created: its answer must be shown.
        Intent::SignOut if m.creating() => {}
        Intent::SignOut => {
            if let Some(token) = token {
                // Best effort: the token is dropped here whatever the endpoint answers.
                let reply = env.signing_in.sign_out(&token);
                spawn_local(async move {
                    let _ = reply.await;
                });
            }
            if m.session.is_some() {
                env.emit(HostEvent::SignedOut);
            }
            env.dispatch(Action::SignedOut);
        }
        // The calls after sign-in come with the chunk (lazy.rs), as do the screens that
        // ask for them.
        intent @ (Intent::Disown
        | Intent::SignInSso { .. }
        | Intent::ChangePassword
        | Intent::Continue
        | Intent::SendCode
        | Intent::Verify
        | Intent::RegisterKey
        | Intent::UseKey
        | Intent::Resend
        | Intent::Challenge(_)
        | Intent::Create
        | Intent::Reload
        | Intent::ConfirmDelete
        | Intent::ConfirmRemove
        | Intent::SaveName
        | Intent::Prefer(_)) => {
            if let (Some(api), Some(after_sign_in)) = (&env.api, env.after_sign_in) {
                after_sign_in(env, api, m, token, intent);
            }
        }
    }
}

/// What the intents of the screens after sign-in do: [`after_sign_in`], which comes with
/// their chunk (lazy.rs).
pub type AfterSignIn = fn(&Env, &Rc<dyn Endpoint>, &Model, Option<Token>, Intent);

/// What the intents of the screens after sign-in do (see [`run`]); in the chunk
/// (lazy.rs), with those screens.
pub fn after_sign_in(
    env: &Env,
    api: &Rc<dyn Endpoint>,
    m: &Model,
    token: Option<Token>,
    intent: Intent,
) {
    let d = &m.drafts;
    match intent {
        Intent::SignInSso { again } => {
            let page = crate::host::page_address();
            let Some(url) = page.map(|page| api.sso_start(&page, again)) else { return };
            match web_sys::window() {
                // Embedded: the host page stays; standalone: this page goes and comes back.
                _ if env.embedded => env.sso_in_window(&url),
                Some(window) => drop(window.location().set_href(&url)),
                None => {}
            }
        }
        Intent::Disown => {
            let Screen::Disown(token) = &m.screen else { return };
            let reply = api.disown(Disown { token: token.expose().to_owned() });
            let reply = Box::pin(async move {
                match reply.await {
                    // Used, expired or never was: one answer, said plainly.
                    Err(ApiError::Problem(p)) if p.code == wire::ErrorCode::NotFound => {
                        Ok(Err(UiError::LinkSpent))
                    }
                    answer => answer.map(Ok),
                }
            });
            env.call_or_refused(reply, Action::Disowned);
        }
        Intent::ChangePassword => {
            let (Screen::Password, Some(token)) = (&m.screen, &token) else { return };
            if d.current_password.is_empty() {
                return env.dispatch(Action::Failed(UiError::CurrentPasswordMissing));
            }
            match wire::rules::new_password(&d.new_password) {
                Err("too_short") => return env.dispatch(Action::Failed(UiError::NewPasswordShort)),
                Err(_) => return env.dispatch(Action::Failed(UiError::NewPasswordLong)),
                Ok(()) => {}
            }
            let body = ChangePassword {
                current_password: d.current_password.to_string(),
                new_password: d.new_password.to_string(),
            };
            env.call(api.change_password(token, body), None, |done| Action::PasswordChanged {
                revoked: done.app_passwords_revoked,
                token: Token::new(done.token),
            });
        }
        Intent::Continue => match (d.kind, &token) {
            (Some(MethodKind::Totp), Some(token)) => {
                let reply = api.enroll(token, EnrollmentRequest::Totp, &d.enroll_key);
                env.call(reply, None, |enrollment| Action::Enrolled { enrollment, now: now() });
            }
            (Some(_), _) => env.dispatch(Action::ToContact),
            (None, _) => {}
        },
        Intent::SendCode => {
            let (Screen::Contact(kind), Some(token)) = (&m.screen, &token) else { return };
            let req = match kind {
                MethodKind::Email if wire::rules::email(&d.email).is_some() => {
                    EnrollmentRequest::Email { email: d.email.trim().to_owned() }
                }
                MethodKind::Email => return env.dispatch(Action::Failed(UiError::Email)),
                _ => match wire::rules::phone(&d.phone) {
                    Some(phone) if *kind == MethodKind::Voice => EnrollmentRequest::Voice { phone },
                    Some(phone) => EnrollmentRequest::Sms { phone },
                    None => return env.dispatch(Action::Failed(UiError::Phone)),
                },
            };
            let reply = api.enroll(token, req, &d.enroll_key);
            env.call(reply, None, |enrollment| Action::Enrolled { enrollment, now: now() });
        }
        Intent::Verify => {
            let Some(token) = &token else { return };
            let Some(code) = wire::rules::code(&d.code).map(VerifyRequest::code) else {
                return env.dispatch(Action::Failed(UiError::CodeFormat));
            };
            let (reply, enrolling) = match &m.screen {
                Screen::Totp(step) => (api.verify_enrollment(token, &step.id, code), true),
                Screen::Code(step) => match &step.target {
                    CodeFor::Enrollment { id } => (api.verify_enrollment(token, id, code), true),
                    CodeFor::Challenge { id, .. } => (api.verify_challenge(token, id, code), false),
                },
                _ => return,
            };
            env.call(reply, None, env.verified(enrolling));
        }
        Intent::RegisterKey => {
            let (Screen::KeyName, Some(token)) = (&m.screen, &token) else { return };
            let name = match d.key_name.trim() {
                "" => env.lang.text(JourneyMsg::KeyNameDefault).to_owned(),
                typed => match wire::rules::app_password_name(typed) {
                    Ok(name) => name.to_owned(),
                    Err(_) => return env.dispatch(Action::Failed(UiError::KeyNameInvalid)),
                },
            };
            let reply = api.enroll(token, EnrollmentRequest::Passkey { name }, &d.enroll_key);
            env.call(reply, None, |enrollment| Action::Enrolled { enrollment, now: now() });
        }
        Intent::UseKey => {
            let (Screen::Key(step), Some(token)) = (&m.screen, token) else { return };
            let step = step.clone();
            let enrolling = matches!(step.target, CodeFor::Enrollment { .. });
            // The ceremony (the person touching the key) is part of the pending request:
            // the button stays disabled until the endpoint has answered.
            let api = api.clone();
            let reply: Reply<Result<Verified, UiError>> = Box::pin(async move {
                let credential = match &step.target {
                    CodeFor::Enrollment { .. } => passkey::create(&step.options).await,
                    CodeFor::Challenge { .. } => passkey::get(&step.options).await,
                };
                let credential = match credential {
                    Ok(credential) => VerifyRequest::credential(credential),
                    Err(e) => return Ok(Err(e.into())),
                };
                let reply = match &step.target {
                    CodeFor::Enrollment { id } => api.verify_enrollment(&token, id, credential),
                    CodeFor::Challenge { id, .. } => api.verify_challenge(&token, id, credential),
                };
                reply.await.map(Ok)
            });
            env.call_or_refused(reply, env.verified(enrolling));
        }
        Intent::Resend => {
            let (Screen::Code(step), Some(token)) = (&m.screen, &token) else { return };
            let reply = match &step.target {
                CodeFor::Enrollment { id } => api.resend_enrollment(token, id),
                CodeFor::Challenge { id, .. } => api.resend_challenge(token, id),
            };
            env.call(reply, None, |sent| Action::CodeSent { sent, now: now() });
        }
        Intent::Challenge(method_id) => {
            let Some(token) = &token else { return };
            let reply = api.challenge(token, &method_id);
            env.call(reply, None, |challenge| Action::ChallengeStarted { challenge, now: now() });
        }
        Intent::Create => {
            let Some(token) = &token else { return };
            let typed = d.name.trim();
            let name = if typed.is_empty() {
                // Names are unique per person: the default carries the date and time.
                let stamp = js_sys::Date::new_0().to_iso_string().as_string().unwrap_or_default();
                format!("{} {}", env.lang.text(JourneyMsg::NameDefault), env.lang.datetime(&stamp))
            } else {
                typed.to_owned()
            };
            let scopes = m.chosen_scopes();
            if scopes.is_empty() {
                return env.dispatch(Action::Failed(UiError::Scopes));
            }
            let req = CreateAppPassword { name, scopes, expires_in_days: m.chosen_expiry() };
            let reply = api.create(token, req, &d.create_key);
            let e = env.clone();
            env.call_creating(reply, move |created| {
                let (id, name) = (created.id.clone(), created.name.clone());
                e.emit(HostEvent::AppPasswordCreated { id, name });
                Action::Created(created)
            });
        }
        Intent::Reload => {
            let (Screen::List { list: None, .. }, Some(token)) = (&m.screen, &token) else {
                return;
            };
            env.call(api.list(token), None, Action::Listed);
        }
        Intent::ConfirmDelete => {
            let (Screen::List { confirm: Some(what), list }, Some(token)) = (&m.screen, &token)
            else {
                return;
            };
            let limit = list.as_ref().map(|l| l.limit);
            let reply = match what {
                Confirm::One(p) => api.revoke(token, &p.id),
                Confirm::All => api.revoke_all(token),
            };
            let what = what.clone();
            let e = env.clone();
            env.call(reply, limit, move |()| {
                let id = match &what {
                    Confirm::One(p) => Some(p.id.clone()),
                    Confirm::All => None,
                };
                e.emit(HostEvent::AppPasswordRevoked { id });
                Action::Deleted(what)
            });
        }
        Intent::ConfirmRemove | Intent::SaveName | Intent::Prefer(_) => {
            let (Screen::Security { confirm, renaming }, Some(token)) = (&m.screen, &token) else {
                return;
            };
            let label = |method| method_label(method, env.lang);
            let (change, said) = match (intent, confirm, renaming) {
                (Intent::ConfirmRemove, Some(method), _) => (
                    MethodChange::Remove(method.id.clone()),
                    Announcement::MethodRemoved(label(method)),
                ),
                (Intent::SaveName, _, Some(id)) => {
                    let Ok(name) = wire::rules::app_password_name(&d.method_name) else {
                        return env.dispatch(Action::Failed(UiError::MethodNameInvalid));
                    };
                    let change = MethodChange::Rename { id: id.clone(), name: name.to_owned() };
                    (change, Announcement::MethodRenamed(name.to_owned()))
                }
                (Intent::Prefer(method), ..) => (
                    MethodChange::Prefer(method.id.clone()),
                    Announcement::MethodPreferred(label(&method)),
                ),
                _ => return,
            };
            let reply = api.change_method(token, &change);
            // Under the phishing-resistant policy a change needs a session proven with a
            // key: that is a step-up too (the challenge then offers only the keys).
            let reply: crate::api::Reply<_> = Box::pin(async move {
                reply.await.map_err(|e| match e {
                    ApiError::Problem(mut p)
                        if p.code == wire::ErrorCode::PhishingResistantRequired =>
                    {
                        p.code = wire::ErrorCode::MfaRequired;
                        ApiError::Problem(p)
                    }
                    e => e,
                })
            });
            env.call(reply, None, move |account| Action::MethodChanged { account, said });
        }
        // Not one of theirs: `run` does the rest.
        _ => {}
    }
}

/// How often what could not be fetched is tried again (the endpoint, the chunk).
pub const RETRY_MS: u32 = 3000;

/// The session a sign-in opened, read by the chunk (`api::Opened`): fetched by now from
/// the first key typed, or with this answer. A chunk that cannot be fetched is waited
/// for (the app says the service cannot be reached and tries again, app.rs), a minute at
/// most: the session is not dropped for it.
fn read(load: fn() -> Loading, opened: Reply<Opened>) -> Reply<Session> {
    Box::pin(async move {
        let (status, value) = match opened.await? {
            Opened::Read(session) => return Ok(*session),
            Opened::Raw(status, value) => (status, value),
        };
        for _ in 0..20 {
            if let Ok(journey) = load().await {
                return (journey.read_session)(status, value);
            }
            gloo_timers::future::TimeoutFuture::new(RETRY_MS).await;
        }
        Err(ApiError::Network)
    })
}
