//! The root component: owns the model (see `state.rs`), wires the host's commands and
//! the effects (`effects.rs`) to it, and renders the current screen.

use std::rc::Rc;

use gloo_timers::callback::{Interval, Timeout};
use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;

use crate::api::{Endpoint, Http, SignInEndpoint, Token};
use crate::components::card::Card;
use crate::components::header::header;
use crate::effects::{run, Env, RETRY_MS};
use crate::host::{Control, EndpointRef, HostCommand, HostEvent};
use crate::i18n::{Lang, Msg};
use crate::intent::Intent;
use crate::screens::{self, ScreenProps};
use crate::state::{Action, Model, Screen, Secret};

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
    /// Mounted by a host page (not the standalone page): the app never takes the page
    /// away (single sign-on opens a window of its own, src/sso.rs).
    #[prop_or_default]
    pub embedded: bool,
}

#[function_component(App)]
pub fn app(props: &AppProps) -> Html {
    let http = use_memo(props.endpoint.clone(), |e| Rc::new(Http::new(e)));
    // A notice's "this wasn't me" link opens the app with its token in the fragment.
    // The model knows the screens after sign-in's rules at once when their chunk is
    // linked in (no split), else when it comes (below).
    // The way back from the organization's provider brings what it said (src/sso.rs).
    let embedded = props.embedded;
    let model = use_reducer(|| {
        let journey = crate::lazy::journey().map(|j| j.rules);
        let sso_back = crate::sso::Returned::take(embedded);
        match crate::host::take_fragment("disown") {
            Some(token) => Model {
                screen: Screen::Disown(Secret::new(token)),
                journey,
                sso_back,
                ..Model::default()
            },
            None => Model { journey, sso_back, ..Model::default() },
        }
    });
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
    // The screens after sign-in (see lazy.rs): fetched as soon as the person starts
    // signing in (or could: single sign-on is offered), or at once when the app opens on
    // another screen or comes back from the provider; tried again every RETRY_MS while
    // they cannot be fetched.
    let journey = use_state(crate::lazy::journey);
    let journey_failed = use_state(|| false);
    // The app's root element: where their stylesheet is adopted as they come (linked in,
    // the bundle's entry adopted it: embed.rs).
    let root = use_node_ref();
    let journey_try = use_state(|| 0_u32);
    {
        let wanted = !matches!(model.screen, Screen::SignIn(_))
            || model.busy()
            || !model.drafts.username.is_empty()
            || model.sso.is_some()
            || model.sso_back.is_some();
        let (journey, failed, attempt) =
            (journey.clone(), journey_failed.clone(), journey_try.clone());
        let root = root.clone();
        let dispatch = model.dispatcher();
        use_effect_with((wanted && journey.is_none(), *journey_try), move |&(fetch, n)| {
            let retry = Rc::new(std::cell::RefCell::new(None));
            if fetch {
                let later = retry.clone();
                spawn_local(async move {
                    match crate::lazy::load().await {
                        Ok(loaded) => {
                            if let Some(node) = root.get() {
                                (loaded.adopt_styles)(&node);
                            }
                            dispatch.dispatch(Action::JourneyArrived(loaded.rules));
                            journey.set(Some(loaded));
                        }
                        Err(_) => {
                            failed.set(true);
                            let again = Timeout::new(RETRY_MS, move || attempt.set(n + 1));
                            *later.borrow_mut() = Some(again);
                        }
                    }
                });
            }
            move || drop(retry.take())
        });
    }

    // The endpoint: the sign-in calls at once, the rest once the chunk has come (lazy.rs); all of
    // it at once when a test hands its own in.
    let (signing_in, api): (Rc<dyn SignInEndpoint>, Option<Rc<dyn Endpoint>>) = match &props.api {
        Some(api) => (api.0.clone(), Some(api.0.clone())),
        None => ((*http).clone(), journey.map(|j| (j.endpoint)(&http))),
    };
    let env = Env {
        signing_in,
        api,
        http: (*http).clone(),
        after_sign_in: journey.map(|j| j.run),
        load: crate::lazy::load,
        requests: (*requests).clone(),
        dispatch: model.dispatcher(),
        lang: *lang,
        on_event: props.on_event.clone(),
        embedded: props.embedded,
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
            slot.listen(cb);
            move || slot.stop()
        });
    }

    // Whether the endpoint is up, asked at start and then every few seconds while it
    // cannot be reached: its answer to how to sign in there (single sign-on or not).
    {
        let env = env.clone();
        use_effect_with(model.online, move |online| {
            let check = {
                let env = env.clone();
                move || {
                    let env = env.clone();
                    spawn_local(async move {
                        let answer = env.signing_in.sso().await;
                        env.dispatch(Action::Online(answer.is_ok()));
                        if let Ok(Some(sso)) = answer {
                            env.dispatch(Action::SsoOffered(sso));
                        }
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

    // What the organization's provider sent back, when this page is its way back (taken
    // out of the address at once, the model keeps it): handled once, when the screens
    // after sign-in have come, as signing in is (src/sso.rs).
    {
        let (env, loaded, sso_back) = (env.clone(), *journey, model.sso_back.clone());
        use_effect_with(env.api.is_some(), move |_| {
            if let (Some(journey), Some(api), Some(back)) = (loaded, &env.api, sso_back) {
                (journey.sso_returned)(&env, api, back);
            }
        });
    }

    // A notice's link followed in a page already open on the app: only the address's
    // fragment changes, no reload. (With several instances on a page, the first takes
    // the token out of the address; the others find none.)
    {
        let env = env.clone();
        let user_acted = user_acted.clone();
        use_effect_with((), move |()| {
            let on_hash = wasm_bindgen::closure::Closure::<dyn Fn()>::new(move || {
                if let Some(token) = crate::host::take_fragment("disown") {
                    *user_acted.borrow_mut() = true;
                    env.dispatch(Action::OpenNotice(Secret::new(token)));
                }
            });
            let window = web_sys::window();
            let listener = wasm_bindgen::JsCast::unchecked_ref(on_hash.as_ref());
            if let Some(w) = &window {
                let _ = w.add_event_listener_with_callback("hashchange", listener);
            }
            move || {
                if let Some(w) = window {
                    let listener = wasm_bindgen::JsCast::unchecked_ref(on_hash.as_ref());
                    let _ = w.remove_event_listener_with_callback("hashchange", listener);
                }
            }
        });
    }

    // The list screen loads its list (again, once back online), as its Reload does.
    {
        let (env, model) = (env.clone(), model.clone());
        let needs_list = matches!(&model.screen, Screen::List { list: None, .. });
        let token = model.session.as_ref().map(|s| s.token.clone());
        let ready = env.api.is_some();
        use_effect_with((needs_list, model.online, ready), move |(needs, online, _)| {
            if let (true, true, Some(api), Some(load)) =
                (*needs, *online, &env.api, env.after_sign_in)
            {
                load(&env, api, &model, token, Intent::Reload);
            }
        });
    }

    // Focus the new screen's heading, so keyboard and screen-reader users start there —
    // when the person caused the change; a change from the host leaves focus where it is.
    // A screen counts as new when it is first drawn in full: the screens after sign-in
    // once their chunk is here (lazy.rs); sign-in does not wait for it.
    let drawn =
        (model.screen.key(), matches!(model.screen, Screen::SignIn(_)) || journey.is_some());
    let shown = use_mut_ref(|| drawn);
    {
        let (root, user_acted) = (root.clone(), user_acted.clone());
        use_effect_with(drawn, move |key| {
            let changed = *shown.borrow() != *key;
            *shown.borrow_mut() = *key;
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

    // A form's error about one of its fields: its summary (where the form has one, see
    // components::banner::error_summary) takes focus, so it is read out and the link to
    // the field is next.
    {
        let root = root.clone();
        use_effect_with(model.error.clone(), move |error| {
            if error.as_ref().is_some_and(|e| e.field().is_some()) {
                let summary = root
                    .cast::<web_sys::Element>()
                    .and_then(|r| r.query_selector("#ap-error-summary").ok().flatten())
                    .and_then(|s| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(s).ok());
                if let Some(summary) = summary {
                    let _ = summary.focus();
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
    let screen = match (&model.screen, *journey) {
        (Screen::SignIn(_), _) => screens::sign_in::sign_in(&screen_props, *lang),
        (_, Some(journey)) => (journey.view)(&screen_props, *lang),
        (_, None) => html! {
            { Card::new(lang.text(Msg::Working)).view(*lang, html! { <>
                if *journey_failed {
                    <div class="ap-banner ap-banner--error" role="alert">{ lang.text(Msg::EndpointDown) }</div>
                }
            </> }) }
        },
    };
    let who = model.session.as_ref().map(|s| s.account.display_name.as_str());
    let top = header(
        *lang,
        who,
        model.creating(),
        &on.reform(Intent::SetLang),
        &on.reform(|()| Intent::SignOut),
    );
    let announced = model.announcement_text(*lang);
    html! {
        <ContextProvider<Lang> context={*lang}>
            <div class="ap-root" lang={lang.tag()} ref={root}>
                { top }
                // Offline, or signed in while the screens after sign-in cannot be fetched.
                if !model.online || (*journey_failed && journey.is_none() && model.busy()) {
                    <div class="ap-banner ap-banner--error" role="alert">{ lang.text(Msg::EndpointDown) }</div>
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
