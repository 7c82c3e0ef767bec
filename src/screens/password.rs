use yew::prelude::*;

use super::ScreenProps;
use crate::components::banner::{field_error, form_end, ErrorSummary};
use crate::components::card::Card;
use crate::components::field::Field;
use crate::errors::Field as F;
use crate::i18n::{Lang, Msg};
use crate::screens::Intent;
use crate::state::Screen;

/// Change the primary password: the current one, then a new one. What it will end is
/// said before, not discovered after.
pub fn password(props: &ScreenProps, lang: Lang) -> Html {
    let m = &props.model;
    let error = m.error.as_ref();
    let keeps =
        m.session.as_ref().is_some_and(|s| s.account.policy.keep_app_passwords_on_password_change);
    let warning = if keeps { Msg::PasswordKeeps } else { Msg::PasswordRevokes };
    html! {
        <Card title={lang.t(Msg::PasswordTitle)} lead={lang.t(warning)} on_back={props.back()}>
            <form onsubmit={props.submit(Intent::ChangePassword)} novalidate=true>
                <ErrorSummary error={m.error.clone()} />
                // A hidden username lets password managers file the new password.
                <input type="text" class="ap-visually-hidden" autocomplete="username" tabindex="-1" aria-hidden="true"
                    value={m.session.as_ref().map(|s| s.account.username.clone())} readonly=true />
                <Field id="ap-current-password" label={lang.t(Msg::PasswordCurrent)} input_type="password"
                    autocomplete="current-password" value={m.drafts.current_password.to_string()}
                    oninput={props.edit(F::CurrentPassword)} required=true
                    error={field_error(error, F::CurrentPassword, lang)} announce=false />
                <Field id="ap-new-password" label={lang.t(Msg::PasswordNew)} input_type="password"
                    hint={lang.t(Msg::PasswordNewHint)}
                    autocomplete="new-password" value={m.drafts.new_password.to_string()}
                    oninput={props.edit(F::NewPassword)} required=true
                    error={field_error(error, F::NewPassword, lang)} announce=false />
                { form_end(error, lang, Msg::PasswordButton, m.busy(), false) }
            </form>
        </Card>
    }
}

/// The password is changed: which app passwords stopped working with it.
pub fn changed(props: &ScreenProps, lang: Lang) -> Html {
    let Screen::PasswordChanged(revoked) = &props.model.screen else { return html! {} };
    html! {
        <Card title={lang.t(Msg::PasswordChangedTitle)}>
            <p class="ap-success"><span aria-hidden="true">{ "✓ " }</span>{ lang.t(Msg::PasswordChangedLead) }</p>
            if revoked.is_empty() {
                <p>{ lang.t(Msg::PasswordChangedNone) }</p>
            } else {
                <p>{ lang.t(Msg::PasswordChangedRevoked) }</p>
                <ul class="ap-revoked">
                    { for revoked.iter().map(|p| html! { <li>{ p.name.clone() }</li> }) }
                </ul>
                <p>{ lang.t(Msg::PasswordChangedAgain) }</p>
            }
            <button type="button" class="ap-button ap-button--primary" onclick={props.send(Intent::Done)}>
                { lang.t(Msg::PasswordChangedDone) }
            </button>
        </Card>
    }
}
