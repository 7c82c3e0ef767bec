use yew::prelude::*;

use super::ScreenProps;
use crate::components::banner::{field_error, form_end, ErrorSummary};
use crate::components::card::Card;
use crate::components::field::Field;
use crate::errors::Field as F;
use crate::i18n::{JourneyMsg, Lang};
use crate::screens::Intent;
use crate::state::Screen;

/// Change the primary password: the current one, then a new one. What it will end is
/// said before, not discovered after.
pub fn password(props: &ScreenProps, lang: Lang) -> Html {
    let m = &props.model;
    let error = m.error.as_ref();
    let keeps =
        m.session.as_ref().is_some_and(|s| s.account.policy.keep_app_passwords_on_password_change);
    let warning = if keeps { JourneyMsg::PasswordKeeps } else { JourneyMsg::PasswordRevokes };
    html! {
        <Card title={lang.j(JourneyMsg::PasswordTitle)} lead={lang.j(warning)} on_back={props.back()}>
            <form method="dialog" onsubmit={props.submit(Intent::ChangePassword)} novalidate=true>
                <ErrorSummary error={m.error.clone()} />
                // A hidden username lets password managers file the new password.
                <input type="text" class="ap-visually-hidden" autocomplete="username" tabindex="-1" aria-hidden="true"
                    value={m.session.as_ref().map(|s| s.account.username.clone())} readonly=true />
                <Field id="ap-current-password" label={lang.j(JourneyMsg::PasswordCurrent)} input_type="password"
                    autocomplete="current-password" value={m.drafts.current_password.to_string()}
                    oninput={props.edit(F::CurrentPassword)} required=true
                    error={field_error(error, F::CurrentPassword, lang)} announce=false />
                <Field id="ap-new-password" label={lang.j(JourneyMsg::PasswordNew)} input_type="password"
                    hint={lang.j(JourneyMsg::PasswordNewHint)}
                    autocomplete="new-password" value={m.drafts.new_password.to_string()}
                    oninput={props.edit(F::NewPassword)} required=true
                    error={field_error(error, F::NewPassword, lang)} announce=false />
                { form_end(error, lang, lang.j(JourneyMsg::PasswordButton), m.busy(), false) }
            </form>
        </Card>
    }
}

/// The password is changed: which app passwords stopped working with it.
pub fn changed(props: &ScreenProps, lang: Lang) -> Html {
    let Screen::PasswordChanged(revoked) = &props.model.screen else { return html! {} };
    html! {
        <Card title={lang.j(JourneyMsg::PasswordChangedTitle)}>
            <p class="ap-success"><span aria-hidden="true">{ "✓ " }</span>{ lang.j(JourneyMsg::PasswordChangedLead) }</p>
            if revoked.is_empty() {
                <p>{ lang.j(JourneyMsg::PasswordChangedNone) }</p>
            } else {
                <p>{ lang.j(JourneyMsg::PasswordChangedRevoked) }</p>
                <ul class="ap-revoked">
                    { for revoked.iter().map(|p| html! { <li>{ p.name.clone() }</li> }) }
                </ul>
                <p>{ lang.j(JourneyMsg::PasswordChangedAgain) }</p>
            }
            <button type="button" class="ap-button ap-button--primary" onclick={props.send(Intent::Done)}>
                { lang.j(JourneyMsg::PasswordChangedDone) }
            </button>
        </Card>
    }
}
