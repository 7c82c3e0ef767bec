use yew::prelude::*;

use super::ScreenProps;
use crate::components::banner::{error_summary, field_error, form_end};
use crate::components::card::Card;
use crate::components::field::Field;
use crate::errors::Field as F;
use crate::i18n::{JourneyMsg, Lang};
use crate::intent::Intent;
use crate::state::Screen;

/// Change the primary password: the current one, then a new one. What it will end is
/// said before, not discovered after.
pub fn password(props: &ScreenProps, lang: Lang) -> Html {
    let m = &props.model;
    let keeps =
        m.session.as_ref().is_some_and(|s| s.account.policy.keep_app_passwords_on_password_change);
    let warning = if keeps { JourneyMsg::PasswordKeeps } else { JourneyMsg::PasswordRevokes };
    html! {
        { Card::new(lang.text(JourneyMsg::PasswordTitle)).lead(lang.text(warning)).on_back(props.back()).view(lang, html! { <>
            <form method="dialog" onsubmit={props.submit(Intent::ChangePassword)} novalidate=true>
                { error_summary(m, lang) }
                // A hidden username lets password managers file the new password.
                <input type="text" class="ap-visually-hidden" autocomplete="username" tabindex="-1" aria-hidden="true"
                    value={m.session.as_ref().map(|s| s.account.username.clone())} readonly=true />
                { Field {
                    id: "ap-current-password",
                    label: lang.text(JourneyMsg::PasswordCurrent),
                    input_type: Some("password"),
                    autocomplete: Some("current-password"),
                    value: m.drafts.current_password.to_string(),
                    oninput: props.edit(F::CurrentPassword),
                    required: true,
                    error: field_error(m, F::CurrentPassword, lang),
                    summarized: true,
                    ..Field::default()
                }.view() }
                { Field {
                    id: "ap-new-password",
                    label: lang.text(JourneyMsg::PasswordNew),
                    input_type: Some("password"),
                    hint: Some(lang.text(JourneyMsg::PasswordNewHint)),
                    autocomplete: Some("new-password"),
                    value: m.drafts.new_password.to_string(),
                    oninput: props.edit(F::NewPassword),
                    required: true,
                    error: field_error(m, F::NewPassword, lang),
                    summarized: true,
                    ..Field::default()
                }.view() }
                { form_end(m, lang, lang.text(JourneyMsg::PasswordButton), false) }
            </form>
        </> }) }
    }
}

/// The password is changed: which app passwords stopped working with it.
pub fn changed(props: &ScreenProps, lang: Lang) -> Html {
    let Screen::PasswordChanged(revoked) = &props.model.screen else { return html! {} };
    html! {
        { Card::new(lang.text(JourneyMsg::PasswordChangedTitle)).view(lang, html! { <>
            <p class="ap-success"><span aria-hidden="true">{ "✓ " }</span>{ lang.text(JourneyMsg::PasswordChangedLead) }</p>
            if revoked.is_empty() {
                <p>{ lang.text(JourneyMsg::PasswordChangedNone) }</p>
            } else {
                <p>{ lang.text(JourneyMsg::PasswordChangedRevoked) }</p>
                <ul class="ap-revoked">
                    { for revoked.iter().map(|p| html! { <li>{ p.name.clone() }</li> }) }
                </ul>
                <p>{ lang.text(JourneyMsg::PasswordChangedAgain) }</p>
            }
            <button type="button" class="ap-button ap-button--primary" onclick={props.send(Intent::Done)}>
                { lang.text(JourneyMsg::PasswordChangedDone) }
            </button>
        </> }) }
    }
}
