use yew::prelude::*;

use super::ScreenProps;
use crate::components::banner::{banner, error_summary, field_error, form_end, form_error};
use crate::components::card::Card;
use crate::components::field::Field;
use crate::errors::Field as F;
use crate::i18n::{Lang, Msg};
use crate::intent::Intent;
use crate::state::{Screen, SignInReason};

/// Step 1 of the seed: sign in with the work or school account and password — or at
/// the organization's provider, when the endpoint offers single sign-on ("Sign in with
/// <the organization>", beside the password form or instead of it).
pub fn sign_in(props: &ScreenProps, lang: Lang) -> Html {
    let m = &props.model;
    let reason = match &m.screen {
        Screen::SignIn(Some(SignInReason::Expired)) => Some(("info", Msg::SessionExpired)),
        Screen::SignIn(Some(SignInReason::SignedOut)) => Some(("success", Msg::SignedOut)),
        _ => None,
    };
    let passwords = m.sso.as_ref().is_none_or(|sso| sso.password_sign_in);
    let sso = m.sso.as_ref().map(|sso| {
        let busy = m.busy();
        // What the button does comes with the screens after sign-in (lazy.rs), fetched as
        // soon as single sign-on is offered.
        let ready = m.journey.is_some();
        html! {
            <>
                // Without the password form, its errors (the provider's) are shown here.
                if !passwords { { form_error(m, lang) } }
                <button type="button" class="ap-button ap-button--sso" disabled={busy || !ready}
                    onclick={props.send(Intent::SignInSso { again: false })}>
                    { if busy && !passwords { lang.text(Msg::Working).to_owned() }
                      else { lang.text_with(Msg::SsoButton, &[("name", &sso.name)]) } }
                </button>
                if passwords { <p class="ap-or">{ lang.text(Msg::SsoOr) }</p> }
            </>
        }
    });
    html! {
        { Card::new(lang.text(Msg::SignInTitle)).lead(lang.text(Msg::SignInLead)).view(lang, html! { <>
            if let Some((kind, msg)) = reason {
                { banner(kind, lang.text(msg)) }
            }
            { sso.unwrap_or_default() }
            if passwords {
                <form method="dialog" onsubmit={props.submit(Intent::SignIn)} novalidate=true
                    aria-describedby={m.error.as_ref().filter(|e| e.field().is_none()).map(|_| "ap-form-error")}>
                    { error_summary(m, lang) }
                    { Field {
                        id: "ap-username",
                        label: lang.text(Msg::UsernameLabel),
                        autocomplete: Some("username"),
                        value: m.drafts.username.clone(),
                        oninput: props.edit(F::Username),
                        required: true,
                        verbatim: true,
                        error: field_error(m, F::Username, lang),
                        summarized: true,
                        ..Field::default()
                    }.view() }
                    { Field {
                        id: "ap-password",
                        label: lang.text(Msg::PasswordLabel),
                        input_type: Some("password"),
                        autocomplete: Some("current-password"),
                        value: m.drafts.password.to_string(),
                        oninput: props.edit(F::Password),
                        required: true,
                        error: field_error(m, F::Password, lang),
                        summarized: true,
                        ..Field::default()
                    }.view() }
                    { form_end(m, lang, lang.text(Msg::SignInButton), false) }
                </form>
            }
        </> }) }
    }
}
