//! The admin mode (`<app-passwords mode="admin">`, its own bundle: `--features admin`):
//! a helpdesk finds a person, reads why they do or do not see App passwords, and, each
//! behind a confirmation that says what the person will experience, removes a method,
//! resets verification, revokes one or all app passwords, changes the policy. Every
//! change is audited and told to the person by the endpoint; the page shows what the
//! helpdesk did. The admin token (minted by the host's back end) is held in memory only.
//!
//! On the pattern of the person's app: `model.rs` (the model and its reducer: numbered
//! requests, late answers dropped), `effects.rs` (what each intent does), `views.rs`
//! (the screens), and here the component that ties them and the host's handle.

pub mod effects;
pub mod model;
pub mod views;

use std::rc::Rc;

use js_sys::Reflect;
use wasm_bindgen::prelude::*;
use yew::prelude::*;
use yew::AppHandle;

use self::effects::{AdminEnv, AdminIntent};
use self::model::AdminModel;
use crate::api::{AdminEndpoint, Http, Token};
use crate::embed::text_option;
use crate::i18n::Lang;

/// The endpoint the helpdesk view calls (tests hand in their own), compared by identity.
#[derive(Clone)]
pub struct AdminEndpointRef(pub Rc<dyn AdminEndpoint>);

impl PartialEq for AdminEndpointRef {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

#[derive(Properties, PartialEq, Clone)]
pub struct AdminProps {
    pub endpoint: AttrValue,
    pub lang: Lang,
    pub token: Option<Token>,
    /// Told each action done: its name and the account's username (never a secret).
    pub on_action: Callback<(&'static str, String)>,
    /// An endpoint of the test's own instead of `endpoint` over HTTP.
    #[prop_or_default]
    pub api: Option<AdminEndpointRef>,
}

#[function_component(AdminApp)]
pub fn admin_app(props: &AdminProps) -> Html {
    let model = use_reducer(AdminModel::default);
    let http = use_memo(props.endpoint.clone(), |e| Rc::new(Http::new(e)));
    let requests = use_memo((), |()| Rc::new(std::cell::Cell::new(0_u32)));
    let api: Rc<dyn AdminEndpoint> = match &props.api {
        Some(api) => api.0.clone(),
        None => (*http).clone(),
    };
    let env = AdminEnv {
        api,
        token: props.token.clone(),
        requests: (*requests).clone(),
        dispatch: model.dispatcher(),
        on_action: props.on_action.clone(),
    };
    let on = {
        let model = model.clone();
        Callback::from(move |intent: AdminIntent| effects::run(&env, &model, intent))
    };
    views::page(&model, props.lang, &on)
}

/// The admin page as a host holds it.
#[wasm_bindgen]
pub struct AdminMounted {
    handle: Option<AppHandle<Root>>,
    props: RootProps,
}

#[derive(Properties, PartialEq, Clone)]
pub struct RootProps {
    endpoint: AttrValue,
    lang: Option<Lang>,
    token: Option<Token>,
    on_action: Callback<(&'static str, String)>,
}

/// The language context and the page.
#[function_component(Root)]
pub fn root(props: &RootProps) -> Html {
    let lang = props.lang.unwrap_or_else(Lang::from_browser);
    html! {
        <ContextProvider<Lang> context={lang}>
            <div class="ap-root" lang={lang.tag()}>
                <div class="ap-main">
                    <AdminApp endpoint={props.endpoint.clone()} {lang} token={props.token.clone()}
                        on_action={props.on_action.clone()} />
                </div>
            </div>
        </ContextProvider<Lang>>
    }
}

#[wasm_bindgen]
impl AdminMounted {
    pub fn unmount(&mut self) {
        if let Some(handle) = self.handle.take() {
            handle.destroy();
        }
    }

    #[wasm_bindgen(js_name = setLang)]
    pub fn set_lang(&mut self, lang: &str) {
        self.props.lang = Lang::from_tag(lang);
        self.update();
    }

    /// The admin token the host's back end minted (empty: none; the page waits).
    #[wasm_bindgen(js_name = setAdminToken)]
    pub fn set_admin_token(&mut self, token: &str) {
        self.props.token = (!token.is_empty()).then(|| Token::new(token));
        self.update();
    }

    fn update(&mut self) {
        if let Some(handle) = &mut self.handle {
            handle.update(self.props.clone());
        }
    }
}

/// Mounts the admin page in `element`. `options`: `endpoint`, `lang`, `adminToken`,
/// `events` (the `EventTarget` that receives `app-passwords:admin-action`, whose
/// `detail` is `{action, username}`; default `element`). The view's sign-out ends its
/// token at the endpoint and is told as the action `sign-out` (username empty): the
/// host may sign its operator out too.
#[wasm_bindgen(js_name = mountAdmin)]
pub fn mount_admin(element: web_sys::Element, options: JsValue) -> AdminMounted {
    let target: web_sys::EventTarget = Reflect::get(&options, &"events".into())
        .ok()
        .and_then(|v| v.dyn_into().ok())
        .unwrap_or_else(|| element.clone().into());
    let on_action = Callback::from(move |(action, username): (&'static str, String)| {
        let detail = js_sys::Object::new();
        let _ = Reflect::set(&detail, &"action".into(), &action.into());
        let _ = Reflect::set(&detail, &"username".into(), &username.into());
        crate::embed::emit(&target, "admin-action", &detail);
    });
    let props = RootProps {
        on_action,
        endpoint: text_option(&options, "endpoint").unwrap_or_default().into(),
        lang: text_option(&options, "lang").and_then(|l| Lang::from_tag(&l)),
        token: text_option(&options, "adminToken").map(Token::new),
    };
    crate::styles::adopt_journey(&element);
    let handle = yew::Renderer::<Root>::with_root_and_props(element, props.clone()).render();
    AdminMounted { handle: Some(handle), props }
}
