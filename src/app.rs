//! The root component: owns the model (see `state.rs`), turns what the person asks for
//! ([`Intent`]) into requests to the [`Endpoint`] and their outcomes into [`Action`]s.

use std::rc::Rc;

use gloo_timers::callback::Interval;
use wasm_bindgen_futures::spawn_local;
use wire::{EnrollmentRequest, MethodKind, SignInRequest};
use yew::prelude::*;

use crate::api::{ApiError, Endpoint, Http, Reply, Token};
use crate::clipboard;
use crate::components::header::Header;
use crate::errors::{outcome, Outcome, UiError};
use crate::i18n::{Lang, Msg};
use crate::screens::{self, ScreenProps};
use crate::state::{Action, Announcement, CodeFor, Confirm, Field, Model, Pending, Screen};

/// What the person asks for, from any screen.
#[derive(Clone, PartialEq)]
pub enum Intent {
    Edit(Field, String),
    SignIn,
    SetUp,
    Choose(MethodKind),
    Continue,
    SendCode,
    Verify,
    Resend,
    Next,
    Create,
    Copy,
    CopyKey,
    Done,
    CreateAnother,
    /// Load the list again (after a failed load).
    Reload,
    AskDelete(Confirm),
    CancelDelete,
    ConfirmDelete,
    Challenge(String),
    Back,
    SignOut,
    SetLang(Lang),
}

/// What the app tells the page that embeds it (as DOM `CustomEvent`s, see `embed.rs`).
/// Never a secret: an app password is named by its id and name only.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HostEvent {
    SignedIn { username: String },
    MethodRegistered { kind: MethodKind },
    AppPasswordCreated { id: String, name: String },
    AppPasswordRevoked { id: Option<String> },
    SignedOut,
    SessionExpired,
}

/// What the embedding page can change on a running app.
pub enum HostCommand {
    SetLang(Option<Lang>),
    /// The host's user is signed in: use this session (skips the sign-in screen).
    SetSessionToken(Token),
    /// The host's user signed out: so does the app (the host ends its session itself).
    SignOut,
}

/// A slot through which the host reaches the running app; compared by identity.
#[derive(Clone, Default)]
pub struct Control(pub Rc<std::cell::RefCell<Option<Callback<HostCommand>>>>);

impl PartialEq for Control {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl Control {
    pub fn send(&self, command: HostCommand) {
        let cb = self.0.borrow().clone();
        if let Some(cb) = cb {
            cb.emit(command);
        }
    }
}

/// An endpoint handed in by the host (or a test); compared by identity.
#[derive(Clone)]
pub struct EndpointRef(pub Rc<dyn Endpoint>);

impl PartialEq for EndpointRef {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

#[derive(Properties, PartialEq, Clone, Default)]
pub struct AppProps {
    /// Base URL of the identity endpoint; empty means the page's own origin.
    #[prop_or_default]
    pub endpoint: AttrValue,
    /// The language; None follows the browser's preferences.
    #[prop_or_default]
    pub lang: Option<Lang>,
    /// Another implementation of the endpoint (tests); overrides `endpoint`.
    #[prop_or_default]
    pub api: Option<EndpointRef>,
    /// A session the host already has (its user is signed in).
    #[prop_or_default]
    pub session_token: Option<Token>,
    /// Told of sign-in, registration, creation, revocation, sign-out, expiry.
    #[prop_or_default]
    pub on_event: Callback<HostEvent>,
    /// Lets the host change the language or hand over a session later.
    #[prop_or_default]
    pub control: Control,
}

/// How long to wait between health checks while the endpoint is unreachable.
const RETRY_MS: u32 = 3000;

#[derive(Clone)]
struct Env {
    api: Rc<dyn Endpoint>,
    /// The last request number given out (see `Pending`).
    requests: Rc<std::cell::Cell<u32>>,
    dispatch: UseReducerDispatcher<Model>,
    lang: Lang,
    on_event: Callback<HostEvent>,
}

impl Env {
    fn dispatch(&self, action: Action) {
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

    /// Picks up a session the host already has.
    fn resume(&self, token: Token) {
        let id = self.start(false);
        let env = self.clone();
        spawn_local(async move {
            match env.api.account(&token).await {
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

    /// Runs `reply` as the pending request; its success becomes `ok(value)`.
    fn call<T: 'static>(
        &self,
        reply: Reply<T>,
        limit: Option<u32>,
        ok: impl FnOnce(T) -> Action + 'static,
    ) {
        self.request(false, reply, limit, ok);
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
fn run(env: &Env, m: &Model, intent: Intent) {
    let sends = !matches!(
        intent,
        Intent::Edit(..)
            | Intent::Choose(_)
            | Intent::Back
            | Intent::SetLang(_)
            | Intent::CancelDelete
            | Intent::AskDelete(_)
            | Intent::SignOut
    );
    if sends && m.busy() {
        return; // one request at a time: a double click sends nothing twice
    }
    let token = m.session.as_ref().map(|s| s.token.clone());
    let d = &m.drafts;
    match intent {
        Intent::Edit(field, value) => env.dispatch(Action::Edit(field, value)),
        Intent::Choose(kind) => env.dispatch(Action::ChooseKind(kind)),
        Intent::SetUp => env.dispatch(Action::SetUp),
        Intent::Next => env.dispatch(Action::Next),
        Intent::Back => env.dispatch(Action::Back),
        Intent::CreateAnother => env.dispatch(Action::CreateAnother),
        Intent::AskDelete(what) => env.dispatch(Action::AskDelete(what)),
        Intent::CancelDelete => env.dispatch(Action::CancelDelete),
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
            let e = env.clone();
            env.call(env.api.sign_in(req), None, move |session| {
                e.emit(HostEvent::SignedIn { username: session.account.username.clone() });
                Action::SignedIn(session)
            });
        }
        Intent::Continue => match (d.kind, &token) {
            (Some(MethodKind::Totp), Some(token)) => {
                let reply = env.api.enroll(token, EnrollmentRequest::Totp, &d.enroll_key);
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
            let reply = env.api.enroll(token, req, &d.enroll_key);
            env.call(reply, None, |enrollment| Action::Enrolled { enrollment, now: now() });
        }
        Intent::Verify => {
            let Some(token) = &token else { return };
            let Some(code) = wire::rules::code(&d.code) else {
                return env.dispatch(Action::Failed(UiError::CodeFormat));
            };
            let (reply, enrolling) = match &m.screen {
                Screen::Totp(step) => (env.api.verify_enrollment(token, &step.id, code), true),
                Screen::Code(step) => match &step.target {
                    CodeFor::Enrollment { id } => {
                        (env.api.verify_enrollment(token, id, code), true)
                    }
                    CodeFor::Challenge { id, .. } => {
                        (env.api.verify_challenge(token, id, code), false)
                    }
                },
                _ => return,
            };
            let e = env.clone();
            env.call(reply, None, move |v| {
                if enrolling {
                    e.emit(HostEvent::MethodRegistered { kind: v.method.kind });
                }
                Action::Verified { method: v.method, token: Token::new(v.token) }
            });
        }
        Intent::Resend => {
            let (Screen::Code(step), Some(token)) = (&m.screen, &token) else { return };
            let reply = match &step.target {
                CodeFor::Enrollment { id } => env.api.resend_enrollment(token, id),
                CodeFor::Challenge { id, .. } => env.api.resend_challenge(token, id),
            };
            env.call(reply, None, |sent| Action::CodeSent { sent, now: now() });
        }
        Intent::Challenge(method_id) => {
            let Some(token) = &token else { return };
            let reply = env.api.challenge(token, &method_id);
            env.call(reply, None, |challenge| Action::ChallengeStarted { challenge, now: now() });
        }
        Intent::Create => {
            let Some(token) = &token else { return };
            let typed = d.name.trim();
            let name = if typed.is_empty() {
                // Names are unique per person: the default carries the date and time.
                let stamp = js_sys::Date::new_0().to_iso_string().as_string().unwrap_or_default();
                format!("{} {}", env.lang.t(Msg::NameDefault), env.lang.datetime(&stamp))
            } else {
                typed.to_owned()
            };
            let reply = env.api.create(token, name, &d.create_key);
            let e = env.clone();
            env.request(true, reply, None, move |created| {
                let (id, name) = (created.id.clone(), created.name.clone());
                e.emit(HostEvent::AppPasswordCreated { id, name });
                Action::Created(created)
            });
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
        Intent::Reload => {
            let (Screen::List { list: None, .. }, Some(token)) = (&m.screen, &token) else {
                return;
            };
            env.call(env.api.list(token), None, Action::Listed);
        }
        Intent::ConfirmDelete => {
            let (Screen::List { confirm: Some(what), list }, Some(token)) = (&m.screen, &token)
            else {
                return;
            };
            let limit = list.as_ref().map(|l| l.limit);
            let reply = match what {
                Confirm::One(p) => env.api.revoke(token, &p.id),
                Confirm::All => env.api.revoke_all(token),
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
        // Not while an app password is being created: its answer must be shown.
        Intent::SignOut if m.creating() => {}
        Intent::SignOut => {
            if let Some(token) = token {
                // Best effort: the token is dropped here whatever the endpoint answers.
                let reply = env.api.sign_out(&token);
                spawn_local(async move {
                    let _ = reply.await;
                });
            }
            if m.session.is_some() {
                env.emit(HostEvent::SignedOut);
            }
            env.dispatch(Action::SignedOut);
        }
    }
}

/// The live-region text of an announcement.
fn announcement_text(a: &Announcement, lang: Lang) -> String {
    match a {
        Announcement::CodeSent(dest) => lang.f(Msg::CodeAnnounce, &[("dest", dest)]),
        Announcement::Copied => lang.t(Msg::CopiedAnnounce).to_owned(),
        Announcement::KeyCopied => lang.t(Msg::Copied).to_owned(),
        Announcement::Deleted(name) => lang.f(Msg::Deleted, &[("name", name)]),
        Announcement::DeletedAll => lang.t(Msg::DeletedAll).to_owned(),
        Announcement::BackOnline => lang.t(Msg::EndpointBack).to_owned(),
    }
}

#[function_component(App)]
pub fn app(props: &AppProps) -> Html {
    let api: Rc<dyn Endpoint> = {
        let http = use_memo(props.endpoint.clone(), |e| Rc::new(Http::new(e)) as Rc<dyn Endpoint>);
        match &props.api {
            Some(api) => api.0.clone(),
            None => (*http).clone(),
        }
    };
    let model = use_reducer(Model::default);
    let lang = use_state({
        let chosen = props.lang;
        move || chosen.unwrap_or_else(Lang::from_browser)
    });
    {
        let lang = lang.clone();
        use_effect_with(props.lang, move |chosen| {
            if let Some(chosen) = chosen {
                lang.set(*chosen);
            }
        });
    }
    let requests = use_memo((), |()| Rc::new(std::cell::Cell::new(0_u32)));
    // Whether the last change came from the person (not from the host): see focus below.
    let user_acted = use_mut_ref(|| false);
    let env = Env {
        api: api.clone(),
        requests: (*requests).clone(),
        dispatch: model.dispatcher(),
        lang: *lang,
        on_event: props.on_event.clone(),
    };

    // The host's session, given at mount or later through the control slot; and the
    // host's language changes.
    {
        let env = env.clone();
        use_effect_with(props.session_token.clone(), move |token| {
            if let Some(token) = token.clone() {
                env.resume(token);
            }
        });
    }
    {
        let (env, lang, slot) = (env.clone(), lang.clone(), props.control.clone());
        let user_acted = user_acted.clone();
        use_effect_with(props.control.clone(), move |_| {
            let cb = Callback::from(move |command: HostCommand| {
                // What the host changes is not the person's doing: focus stays put.
                *user_acted.borrow_mut() = false;
                match command {
                    HostCommand::SetLang(chosen) => {
                        lang.set(chosen.unwrap_or_else(Lang::from_browser))
                    }
                    HostCommand::SetSessionToken(token) => env.resume(token),
                    HostCommand::SignOut => env.dispatch(Action::SignedOut),
                }
            });
            *slot.0.borrow_mut() = Some(cb);
            move || *slot.0.borrow_mut() = None
        });
    }

    // Health: checked at start, then every few seconds while the endpoint is unreachable.
    {
        let env = env.clone();
        use_effect_with(model.online, move |online| {
            let check = {
                let env = env.clone();
                move || {
                    let env = env.clone();
                    spawn_local(async move {
                        let up = env.api.health().await.is_ok();
                        env.dispatch(Action::Online(up));
                    });
                }
            };
            if *online {
                check();
            }
            let timer = (!*online).then(|| Interval::new(RETRY_MS, check));
            move || drop(timer)
        });
    }

    // The list screen loads its list (again, once back online).
    {
        let env = env.clone();
        let needs_list = matches!(&model.screen, Screen::List { list: None, .. });
        let token = model.session.as_ref().map(|s| s.token.clone());
        use_effect_with((needs_list, model.online), move |(needs, online)| {
            if let (true, true, Some(token)) = (*needs, *online, token) {
                env.call(env.api.list(&token), None, Action::Listed);
            }
        });
    }

    // Focus the new screen's heading, so keyboard and screen-reader users start there —
    // when the person caused the change; a change from the host leaves focus where it is.
    let root = use_node_ref();
    let shown = use_mut_ref(|| model.screen.key());
    {
        let (root, user_acted) = (root.clone(), user_acted.clone());
        use_effect_with(model.screen.key(), move |key| {
            let changed = *shown.borrow() != *key;
            *shown.borrow_mut() = key;
            if changed && *user_acted.borrow() {
                let heading = root
                    .cast::<web_sys::Element>()
                    .and_then(|r| r.query_selector("h1").ok().flatten());
                if let Some(h) = heading
                    .and_then(|h| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(h).ok())
                {
                    let _ = h.focus();
                }
            }
        });
    }

    let on: Callback<Intent> = {
        let (env, model, lang) = (env.clone(), model.clone(), lang.clone());
        let user_acted = user_acted.clone();
        Callback::from(move |intent: Intent| {
            *user_acted.borrow_mut() = true;
            if let Intent::SetLang(l) = intent {
                lang.set(l);
            }
            run(&env, &model, intent)
        })
    };
    let screen_props = ScreenProps { model: Rc::new((*model).clone()), on: on.clone() };
    let screen = match &model.screen {
        Screen::SignIn(_) => screens::sign_in::sign_in(&screen_props, *lang),
        Screen::NotAvailable(_) => screens::not_available::not_available(&screen_props, *lang),
        Screen::Intro => screens::intro::intro(&screen_props, *lang),
        Screen::Choose => screens::choose::choose(&screen_props, *lang),
        Screen::Contact(_) => screens::contact::contact(&screen_props, *lang),
        Screen::Totp(_) => screens::totp::totp(&screen_props, *lang),
        Screen::Code(_) => screens::code::code(&screen_props, *lang),
        Screen::Verified(_) => screens::verified::verified(&screen_props, *lang),
        Screen::Challenge => screens::challenge::challenge(&screen_props, *lang),
        Screen::Name => screens::name::name(&screen_props, *lang),
        Screen::Show { .. } => html! { <screens::show::Show ..screen_props /> },
        Screen::List { .. } => screens::list::list(&screen_props, *lang),
    };
    let who = model.session.as_ref().map(|s| AttrValue::from(s.account.display_name.clone()));
    let announced = model.announcement.as_ref().map(|(_, a)| announcement_text(a, *lang));
    html! {
        <ContextProvider<Lang> context={*lang}>
            <div class="ap-root" lang={lang.tag()} ref={root}>
                <Header who={who} locked={model.creating()} on_lang={on.reform(Intent::SetLang)} on_sign_out={on.reform(|()| Intent::SignOut)} />
                if !model.online {
                    <div class="ap-banner ap-banner--error" role="alert">{ lang.t(Msg::EndpointDown) }</div>
                }
                <div class="ap-main">
                    // A new screen is new DOM: no input of one screen is reused by the next.
                    <div class="ap-screen" key={model.screen.key()}>{ screen }</div>
                </div>
                <div class="ap-visually-hidden" role="status" aria-live="polite" aria-atomic="true">
                    { announced.unwrap_or_default() }
                </div>
            </div>
        </ContextProvider<Lang>>
    }
}
