use yew::prelude::*;

use super::ScreenProps;
use crate::components::banner::{field_error, form_end, Banner, ErrorSummary};
use crate::components::card::Card;
use crate::components::field::Field;
use crate::errors::Field as F;
use crate::i18n::{Lang, Msg};
use crate::screens::Intent;
use crate::state::{Screen, SignInReason};

/// Step 1 of the seed: sign in with the work or school account and password.
pub fn sign_in(props: &ScreenProps, lang: Lang) -> Html {
    let m = &props.model;
    let error = m.error.as_ref();
    let reason = match &m.screen {
        Screen::SignIn(Some(SignInReason::Expired)) => Some(("info", Msg::SessionExpired)),
        Screen::SignIn(Some(SignInReason::SignedOut)) => Some(("success", Msg::SignedOut)),
        _ => None,
    };
    html! {
        <Card title={lang.t(Msg::SignInTitle)} lead={lang.t(Msg::SignInLead)}>
            if let Some((kind, msg)) = reason {
                <Banner kind={kind} text={lang.t(msg)} />
            }
            <form method="dialog" onsubmit={props.submit(Intent::SignIn)} novalidate=true
                aria-describedby={error.filter(|e| e.field().is_none()).map(|_| "ap-form-error")}>
                <ErrorSummary error={m.error.clone()} />
                <Field id="ap-username" label={lang.t(Msg::UsernameLabel)} autocomplete="username"
                    value={m.drafts.username.clone()} oninput={props.edit(F::Username)} required=true
                    verbatim=true error={field_error(error, F::Username, lang)} announce=false />
                <Field id="ap-password" label={lang.t(Msg::PasswordLabel)} input_type="password"
                    autocomplete="current-password" value={m.drafts.password.to_string()}
                    oninput={props.edit(F::Password)} required=true
                    error={field_error(error, F::Password, lang)} announce=false />
                { form_end(error, lang, lang.t(Msg::SignInButton), m.busy(), false) }
            </form>
        </Card>
    }
}
