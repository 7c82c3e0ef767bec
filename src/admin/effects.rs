//! What the helpdesk's intents do: each becomes numbered requests to the
//! [`AdminEndpoint`], and their outcomes [`AdminAction`]s on the model. The one place the
//! helpdesk view talks to the endpoint; nothing here reads the model after an `await`
//! (the reducer decides what a late answer comes to).

use std::rc::Rc;

use wasm_bindgen_futures::spawn_local;
use wire::ErrorCode;
use yew::prelude::*;

use super::model::{AdminAction, AdminModel, PolicyEdit};
use crate::api::{AdminAct, AdminEndpoint, ApiError, Token};
use crate::i18n::AdminMsg;

/// What the helpdesk asks for.
#[derive(Clone, Debug, PartialEq)]
pub enum AdminIntent {
    EditQuery(String),
    Search,
    /// Open an account's page.
    Open(String),
    Ask(AdminAct),
    Cancel,
    /// Do the action asked.
    Confirm,
    Back,
    EditPolicy(PolicyEdit),
    /// End the admin token and leave the page empty.
    SignOut,
}

impl AdminAct {
    /// The action's name in the host's `app-passwords:admin-action` event.
    pub fn name(&self) -> &'static str {
        match self {
            Self::RemoveMethod(_) => "remove-method",
            Self::ResetMfa => "reset-mfa",
            Self::UnlockMfa => "unlock-mfa",
            Self::Disable => "disable-account",
            Self::Enable => "enable-account",
            Self::Revoke(_) => "revoke-app-password",
            Self::RevokeAll => "revoke-all-app-passwords",
            Self::SetPolicy(_) => "set-policy",
        }
    }
}

/// What running an intent needs.
#[derive(Clone)]
pub struct AdminEnv {
    pub api: Rc<dyn AdminEndpoint>,
    /// The admin token the host handed over (none: the page waits for one).
    pub token: Option<Token>,
    /// The last request number given out.
    pub requests: Rc<std::cell::Cell<u32>>,
    pub dispatch: UseReducerDispatcher<AdminModel>,
    /// Told each action done: its name and the account's username (never a secret).
    pub on_action: Callback<(&'static str, String)>,
}

impl AdminEnv {
    fn dispatch(&self, action: AdminAction) {
        self.dispatch.dispatch(action);
    }

    /// Marks a new request as the awaited one; returns its number.
    fn start(&self) -> u32 {
        let n = self.requests.get().wrapping_add(1);
        self.requests.set(n);
        self.dispatch(AdminAction::Started(n));
        n
    }

    fn answer(&self, n: u32, action: AdminAction) {
        self.dispatch(AdminAction::Answered(n, Box::new(action)));
    }

    fn fail(&self, n: u32, e: &ApiError) {
        self.dispatch(AdminAction::Failed(n, message_of(e)));
    }
}

/// The message for a failed call.
fn message_of(e: &ApiError) -> AdminMsg {
    match e.code() {
        Some(ErrorCode::ValidationFailed) => AdminMsg::AdminErrorPolicy,
        Some(ErrorCode::Forbidden) => AdminMsg::AdminErrorForbidden,
        Some(ErrorCode::Unauthorized | ErrorCode::SessionExpired) => AdminMsg::AdminErrorExpired,
        Some(ErrorCode::NotFound) => AdminMsg::AdminErrorNotFound,
        _ => AdminMsg::AdminErrorOther,
    }
}

/// Loads `username`'s page and what the helpdesk did to it, as the answer of request `n`.
async fn open(env: &AdminEnv, token: &Token, n: u32, username: &str, done: bool) {
    let user = env.api.admin_user(token, username).await;
    let audit = env.api.admin_audit(token, username).await;
    match user {
        Ok(user) => {
            let audit = audit.map(|a| a.items).unwrap_or_default();
            env.answer(n, AdminAction::Opened { user: Box::new(user), audit, done });
        }
        Err(e) => env.fail(n, &e),
    }
}

/// Runs `intent` against the model as it is now.
pub fn run(env: &AdminEnv, m: &AdminModel, intent: AdminIntent) {
    let sends = matches!(intent, AdminIntent::Search | AdminIntent::Open(_) | AdminIntent::Confirm);
    if sends && m.busy() {
        return; // one request at a time: a double click sends nothing twice
    }
    match intent {
        AdminIntent::EditQuery(q) => env.dispatch(AdminAction::EditQuery(q)),
        AdminIntent::Ask(what) => env.dispatch(AdminAction::Ask(what)),
        AdminIntent::Cancel => env.dispatch(AdminAction::Cancel),
        AdminIntent::Back => env.dispatch(AdminAction::Back),
        AdminIntent::EditPolicy(edit) => env.dispatch(AdminAction::EditPolicy(edit)),
        AdminIntent::SignOut => {
            let env = env.clone();
            spawn_local(async move {
                // Best effort: the page forgets the token whatever the endpoint answers
                // (unreachable, the token then expires at its time).
                if let Some(token) = &env.token {
                    let _ = env.api.admin_sign_out(token).await;
                }
                env.dispatch(AdminAction::SignedOut);
                env.on_action.emit(("sign-out", String::new()));
            });
        }
        AdminIntent::Search => {
            let (Some(token), q) = (env.token.clone(), m.query.trim().to_owned()) else { return };
            if q.is_empty() {
                return;
            }
            let (env, n) = (env.clone(), env.start());
            spawn_local(async move {
                match env.api.admin_find(&token, &q).await {
                    Ok(list) => env.answer(n, AdminAction::Found { query: q, items: list.items }),
                    Err(e) => env.fail(n, &e),
                }
            });
        }
        AdminIntent::Open(username) => {
            let Some(token) = env.token.clone() else { return };
            let (env, n) = (env.clone(), env.start());
            spawn_local(async move { open(&env, &token, n, &username, false).await });
        }
        AdminIntent::Confirm => {
            let (Some(token), Some(act), Some(user)) =
                (env.token.clone(), m.confirm.clone(), m.user.as_ref())
            else {
                return;
            };
            let username = user.username.clone();
            let (env, n) = (env.clone(), env.start());
            spawn_local(async move {
                match env.api.admin_act(&token, &username, &act).await {
                    Ok(_) => {
                        // Done on the server: the host hears of it whatever the helpdesk
                        // did meanwhile; the page comes back only if still awaited.
                        env.on_action.emit((act.name(), username.clone()));
                        open(&env, &token, n, &username, true).await;
                    }
                    Err(e) => env.fail(n, &e),
                }
            });
        }
    }
}
