//! The admin mode (`<app-passwords mode="admin">`, its own bundle: `--features admin`):
//! a helpdesk finds a person, reads why they do or do not see App passwords, and, each
//! behind a confirmation that says what the person will experience, removes a method,
//! resets verification, revokes one or all app passwords. Every change is audited and
//! emailed to the person by the endpoint; the page shows what the helpdesk did.
//! The admin token (minted by the host's back end) is held in memory only.

use js_sys::Reflect;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::spawn_local;
use wire::admin::{AdminUser, AppPasswordsOffer, AuditAction, AuditEntry, UserSummary};
use wire::{ErrorCode, MethodKind, Policy, Scope};
use yew::prelude::*;
use yew::AppHandle;

use crate::api::{AdminAct, ApiError, Http, Token};
use crate::components::card::Card;
use crate::embed::text_option;
use crate::i18n::{AdminMsg as A, Lang};
use crate::screens::choose::{kind_texts, method_label};
use crate::screens::name::scope_texts;

#[derive(Properties, PartialEq, Clone)]
pub struct AdminProps {
    pub endpoint: AttrValue,
    pub lang: Lang,
    pub token: Option<Token>,
    /// Told each action done: its name and the account's username (never a secret).
    pub on_action: Callback<(&'static str, String)>,
}

impl AdminAct {
    /// The action's name in the host's `app-passwords:admin-action` event.
    fn name(&self) -> &'static str {
        match self {
            Self::RemoveMethod(_) => "remove-method",
            Self::ResetMfa => "reset-mfa",
            Self::Revoke(_) => "revoke-app-password",
            Self::RevokeAll => "revoke-all-app-passwords",
            Self::SetPolicy(_) => "set-policy",
        }
    }
}

/// What the admin page shows.
#[derive(Clone, PartialEq, Default)]
struct View {
    query: String,
    results: Option<(String, Vec<UserSummary>)>,
    user: Option<AdminUser>,
    audit: Vec<AuditEntry>,
    confirm: Option<AdminAct>,
    /// The policy as the helpdesk is editing it.
    policy: Option<Policy>,
    busy: bool,
    error: Option<A>,
    done: bool,
}

fn error_of(e: &ApiError) -> A {
    match e.code() {
        Some(ErrorCode::ValidationFailed) => A::AdminErrorPolicy,
        Some(ErrorCode::Forbidden) => A::AdminErrorForbidden,
        Some(ErrorCode::Unauthorized | ErrorCode::SessionExpired) => A::AdminErrorExpired,
        Some(ErrorCode::NotFound) => A::AdminErrorNotFound,
        _ => A::AdminErrorOther,
    }
}

#[function_component(AdminApp)]
pub fn admin_app(props: &AdminProps) -> Html {
    let lang = props.lang;
    let view = use_state(View::default);
    let http = use_memo(props.endpoint.clone(), |e| Http::new(e));
    let token = props.token.clone();

    // Loads `username`'s page and what the helpdesk did to it.
    let open = {
        let (view, http, token) = (view.clone(), http.clone(), token.clone());
        Callback::from(move |(username, done): (String, bool)| {
            let Some(token) = token.clone() else { return };
            let (view, http) = (view.clone(), http.clone());
            view.set(View { busy: true, ..(*view).clone() });
            spawn_local(async move {
                let user = http.admin_user(&token, &username).await;
                let audit = http.admin_audit(&token, &username).await;
                let mut next = (*view).clone();
                next.busy = false;
                next.confirm = None;
                next.done = done;
                match user {
                    Ok(user) => {
                        next.policy = Some(user.policy.clone());
                        next.user = Some(user);
                        next.audit = audit.map(|a| a.items).unwrap_or_default();
                        next.error = None;
                    }
                    Err(e) => next.error = Some(error_of(&e)),
                }
                view.set(next);
            });
        })
    };
    let search = {
        let (view, http, token) = (view.clone(), http.clone(), token.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let Some(token) = token.clone() else { return };
            let q = view.query.trim().to_owned();
            if q.is_empty() {
                return;
            }
            let (view, http) = (view.clone(), http.clone());
            view.set(View { busy: true, ..(*view).clone() });
            spawn_local(async move {
                let found = http.admin_find(&token, &q).await;
                let mut next = (*view).clone();
                next.busy = false;
                match found {
                    Ok(list) => {
                        next.results = Some((q, list.items));
                        next.error = None;
                    }
                    Err(e) => next.error = Some(error_of(&e)),
                }
                view.set(next);
            });
        })
    };
    let act = {
        let (view, http, token, open) = (view.clone(), http.clone(), token.clone(), open.clone());
        let on_action = props.on_action.clone();
        Callback::from(move |()| {
            let (Some(token), Some(act), Some(user)) =
                (token.clone(), view.confirm.clone(), view.user.clone())
            else {
                return;
            };
            let (view, http, open, on_action) =
                (view.clone(), http.clone(), open.clone(), on_action.clone());
            view.set(View { busy: true, ..(*view).clone() });
            spawn_local(async move {
                match http.admin_act(&token, &user.username, &act).await {
                    Ok(_) => {
                        on_action.emit((act.name(), user.username.clone()));
                        open.emit((user.username, true));
                    }
                    Err(e) => {
                        let mut next = (*view).clone();
                        next.busy = false;
                        next.confirm = None;
                        next.error = Some(error_of(&e));
                        view.set(next);
                    }
                }
            });
        })
    };
    let ask = {
        let view = view.clone();
        move |what: AdminAct| {
            let view = view.clone();
            Callback::from(move |_: MouseEvent| {
                view.set(View { confirm: Some(what.clone()), done: false, ..(*view).clone() })
            })
        }
    };
    let cancel = {
        let view = view.clone();
        Callback::from(move |_: MouseEvent| view.set(View { confirm: None, ..(*view).clone() }))
    };
    let v = &*view;
    let error = v.error.map(|e| {
        html! { <p class="ap-error" role="alert">{ lang.text(e) }</p> }
    });
    let confirm_box = |question: String| {
        let act = act.clone();
        html! {
            <div class="ap-confirm" role="group" aria-labelledby="ap-confirm-q">
                <p id="ap-confirm-q">{ question }</p>
                <button type="button" class="ap-button ap-button--danger-solid" disabled={v.busy}
                    onclick={Callback::from(move |_| act.emit(()))}>{ lang.text(A::AdminConfirm) }</button>
                <button type="button" class="ap-button ap-button--secondary"
                    onclick={cancel.clone()}>{ lang.text(A::AdminCancel) }</button>
            </div>
        }
    };

    let Some(user) = &v.user else {
        // The search.
        let oninput = {
            let view = view.clone();
            Callback::from(move |e: InputEvent| {
                let input: web_sys::HtmlInputElement = e.target_unchecked_into();
                view.set(View { query: input.value(), ..(*view).clone() });
            })
        };
        let results = v.results.as_ref().map(|(q, items)| {
            if items.is_empty() {
                return html! { <p role="status">{ lang.text_with(A::AdminNoMatch, &[("q", q)]) }</p> };
            }
            html! {
                <ul class="ap-items" aria-live="polite">
                    { for items.iter().map(|u| {
                        let onclick = {
                            let (open, name) = (open.clone(), u.username.clone());
                            Callback::from(move |_| open.emit((name.clone(), false)))
                        };
                        html! {
                            <li class="ap-item" key={u.username.clone()}>
                                <div class="ap-item__text">
                                    <span class="ap-item__name">{ u.display_name.clone() }</span>
                                    <span class="ap-hint">{ u.username.clone() }
                                        if u.disabled { { " · " }{ lang.text(A::AdminDisabled) } }
                                    </span>
                                </div>
                                <button type="button" class="ap-button ap-button--secondary" {onclick}
                                    data-user={u.username.clone()}>{ u.username.clone() }</button>
                            </li>
                        }
                    }) }
                </ul>
            }
        });
        return html! {
            <Card title={lang.text(A::AdminTitle)}>
                <form class="ap-form" method="dialog" onsubmit={search}>
                    <div class="ap-field">
                        <label for="ap-admin-q">{ lang.text(A::AdminSearchLabel) }</label>
                        <p class="ap-hint" id="ap-admin-q-hint">{ lang.text(A::AdminSearchHint) }</p>
                        <input id="ap-admin-q" type="search" autocomplete="off" spellcheck="false"
                            aria-describedby="ap-admin-q-hint" value={v.query.clone()} {oninput} />
                    </div>
                    <button type="submit" class="ap-button ap-button--primary" disabled={v.busy}>
                        { lang.text(A::AdminSearch) }</button>
                </form>
                { error }
                { for results }
            </Card>
        };
    };

    // One person's page.
    let back = {
        let view = view.clone();
        Callback::from(move |()| {
            view.set(View {
                user: None,
                confirm: None,
                error: None,
                done: false,
                audit: vec![],
                ..(*view).clone()
            })
        })
    };
    let offer = match user.app_passwords_offer {
        AppPasswordsOffer::Offered => A::AdminOfferOffered,
        AppPasswordsOffer::MfaNotRequired => A::AdminOfferMfaNotRequired,
        AppPasswordsOffer::AppPasswordsOff => A::AdminOfferAppPasswordsOff,
        AppPasswordsOffer::NoMethodYet => A::AdminOfferNoMethodYet,
        AppPasswordsOffer::AccountDisabled => A::AdminOfferAccountDisabled,
    };
    let asking = |what: &AdminAct| v.confirm.as_ref() == Some(what);
    let methods = user.methods.iter().map(|m| {
        let what = AdminAct::RemoveMethod(m.id.clone());
        html! {
            <li class="ap-item" key={m.id.clone()}>
                <div class="ap-item__text"><span class="ap-item__name">{ method_label(m, lang) }</span></div>
                if asking(&what) {
                    { confirm_box(lang.text_with(A::AdminConfirmRemove, &[("name", &method_label(m, lang))])) }
                } else {
                    <button type="button" class="ap-button ap-button--danger" disabled={v.busy}
                        data-remove-method={m.id.clone()} onclick={ask(what)}>{ lang.text(A::AdminRemove) }</button>
                }
            </li>
        }
    });
    let passwords = user.app_passwords.iter().map(|p| {
        let what = AdminAct::Revoke(p.id.clone());
        let used = p.last_used_at.as_ref().map_or_else(
            || lang.text(A::AdminNeverUsed).to_owned(),
            |at| lang.text_with(A::AdminLastUsed, &[("date", &lang.datetime(at))]),
        );
        html! {
            <li class="ap-item" key={p.id.clone()}>
                <div class="ap-item__text">
                    <span class="ap-item__name">{ p.name.clone() }</span>
                    <span class="ap-hint">{ lang.text_with(A::AdminCreated, &[("date", &lang.datetime(&p.created_at))]) }{ " · " }{ used }</span>
                </div>
                if asking(&what) {
                    { confirm_box(lang.text_with(A::AdminConfirmRevoke, &[("name", &p.name)])) }
                } else {
                    <button type="button" class="ap-button ap-button--danger" disabled={v.busy}
                        data-revoke={p.id.clone()} onclick={ask(what)}>{ lang.text(A::AdminRevoke) }</button>
                }
            </li>
        }
    });
    let audit = v.audit.iter().map(|e| {
        let action = lang.text(audit_text(e.action));
        html! { <li>{ lang.text_with(A::AdminAuditLine, &[("date", &lang.datetime(&e.at)), ("action", &action), ("actor", &e.actor)]) }</li> }
    });
    html! {
        <Card title={user.display_name.clone()} lead={user.username.clone()} on_back={back}>
            <h2 class="ap-subtitle">{ lang.text(A::AdminWhy) }</h2>
            <p data-offer="">{ lang.text(offer) }</p>
            if user.mfa_locked { <p class="ap-note">{ lang.text(A::AdminLocked) }</p> }
            if v.done { <p class="ap-note" role="status">{ lang.text(A::AdminDone) }</p> }
            { error }
            <h2 class="ap-subtitle">{ lang.text(A::AdminMethods) }</h2>
            if user.methods.is_empty() {
                <p>{ lang.text(A::AdminNoMethods) }</p>
            } else {
                <ul class="ap-items">{ for methods }</ul>
            }
            <h2 class="ap-subtitle">{ lang.text(A::AdminAppPasswords) }</h2>
            if user.app_passwords.is_empty() {
                <p>{ lang.text(A::AdminNoAppPasswords) }</p>
            } else {
                <ul class="ap-items">{ for passwords }</ul>
            }
            <div class="ap-actions">
                if asking(&AdminAct::RevokeAll) {
                    { confirm_box(lang.text(A::AdminConfirmRevokeAll).to_owned()) }
                } else if !user.app_passwords.is_empty() {
                    <button type="button" class="ap-button ap-button--danger" disabled={v.busy}
                        onclick={ask(AdminAct::RevokeAll)}>{ lang.text(A::AdminRevokeAll) }</button>
                }
                if asking(&AdminAct::ResetMfa) {
                    { confirm_box(lang.text(A::AdminConfirmReset).to_owned()) }
                } else if !user.methods.is_empty() {
                    <button type="button" class="ap-button ap-button--danger" disabled={v.busy}
                        onclick={ask(AdminAct::ResetMfa)}>{ lang.text(A::AdminResetMfa) }</button>
                }
            </div>
            { policy_form(v, lang, &view, &ask, &confirm_box) }
            <h2 class="ap-subtitle">{ lang.text(A::AdminAudit) }</h2>
            if v.audit.is_empty() {
                <p>{ lang.text(A::AdminAuditEmpty) }</p>
            } else {
                <ul class="ap-audit">{ for audit }</ul>
            }
        </Card>
    }
}

/// The policy, as checkboxes, saved behind a confirmation.
fn policy_form(
    v: &View,
    lang: Lang,
    view: &UseStateHandle<View>,
    ask: &dyn Fn(AdminAct) -> Callback<MouseEvent>,
    confirm_box: &dyn Fn(String) -> Html,
) -> Html {
    let Some(policy) = &v.policy else { return html! {} };
    let edit = |change: Box<dyn Fn(&mut Policy)>| {
        let view = view.clone();
        Callback::from(move |_: Event| {
            let mut next = (*view).clone();
            if let Some(p) = &mut next.policy {
                change(p);
            }
            next.done = false;
            view.set(next);
        })
    };
    let check = |id: String, label: String, on: bool, onchange: Callback<Event>| {
        html! {
            <label class="ap-choice" for={id.clone()}>
                <input type="checkbox" id={id} checked={on} {onchange} />
                <span class="ap-choice__text"><span class="ap-choice__name">{ label }</span></span>
            </label>
        }
    };
    let methods = MethodKind::ALL.iter().map(|&k| {
        let on = policy.allowed_methods.contains(&k);
        let toggle = edit(Box::new(move |p: &mut Policy| flip(&mut p.allowed_methods, k)));
        check(
            format!("ap-policy-{}", k.as_str()),
            lang.text(kind_texts(k).0).to_owned(),
            on,
            toggle,
        )
    });
    let scopes = Scope::ALL.iter().map(|&s| {
        let on = policy.app_password_scopes.contains(&s);
        let toggle = edit(Box::new(move |p: &mut Policy| flip(&mut p.app_password_scopes, s)));
        check(
            format!("ap-policy-scope-{}", s.as_str()),
            lang.text(scope_texts(s).0).to_owned(),
            on,
            toggle,
        )
    });
    let save = AdminAct::SetPolicy(policy.clone());
    let asking = v.confirm.as_ref().is_some_and(|c| matches!(c, AdminAct::SetPolicy(_)));
    html! {
        <>
            <h2 class="ap-subtitle">{ lang.text(A::AdminPolicy) }</h2>
            <div class="ap-choices">
                { check("ap-policy-mfa".into(), lang.text(A::AdminPolicyMfa).into(), policy.mfa_required,
                    edit(Box::new(|p: &mut Policy| p.mfa_required = !p.mfa_required))) }
                { check("ap-policy-app-passwords".into(), lang.text(A::AdminPolicyAppPasswords).into(), policy.app_passwords_allowed,
                    edit(Box::new(|p: &mut Policy| p.app_passwords_allowed = !p.app_passwords_allowed))) }
            </div>
            <fieldset class="ap-choices">
                <legend class="ap-label">{ lang.text(A::AdminPolicyMethods) }</legend>
                { for methods }
            </fieldset>
            <fieldset class="ap-choices">
                <legend class="ap-label">{ lang.text(A::AdminPolicyScopes) }</legend>
                { for scopes }
            </fieldset>
            if asking {
                { confirm_box(lang.text(A::AdminConfirmPolicy).to_owned()) }
            } else {
                <button type="button" class="ap-button ap-button--secondary" disabled={v.busy}
                    onclick={ask(save)}>{ lang.text(A::AdminPolicySave) }</button>
            }
        </>
    }
}

fn audit_text(action: AuditAction) -> A {
    match action {
        AuditAction::RemoveMethod => A::AdminActionRemoveMethod,
        AuditAction::ResetMfa => A::AdminActionResetMfa,
        AuditAction::UnlockMfa => A::AdminActionUnlockMfa,
        AuditAction::RevokeAppPassword => A::AdminActionRevokeAppPassword,
        AuditAction::RevokeAllAppPasswords => A::AdminActionRevokeAllAppPasswords,
        AuditAction::SetPolicy => A::AdminActionSetPolicy,
        AuditAction::Disable => A::AdminActionDisable,
        AuditAction::Enable => A::AdminActionEnable,
        AuditAction::SetPassword => A::AdminActionSetPassword,
        AuditAction::Unknown => A::AdminActionOther,
    }
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
/// `detail` is `{action, username}`; default `element`).
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
    let handle = yew::Renderer::<Root>::with_root_and_props(element, props.clone()).render();
    AdminMounted { handle: Some(handle), props }
}

/// `item` taken out of `list` when it is in, put in when it is not (a ticked box).
fn flip<T: PartialEq>(list: &mut Vec<T>, item: T) {
    if list.contains(&item) {
        list.retain(|x| *x != item);
    } else {
        list.push(item);
    }
}
