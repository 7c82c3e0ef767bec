use wire::MethodKind;
use yew::prelude::*;

use super::ScreenProps;
use crate::components::banner::{field_error, form_end};
use crate::components::card::Card;
use crate::components::field::Field;
use crate::errors::Field as F;
use crate::i18n::{Lang, Msg};
use crate::screens::Intent;
use crate::state::Screen;

/// The number (text message, phone call) or address (email) to send codes to.
pub fn contact(props: &ScreenProps, lang: Lang) -> Html {
    let m = &props.model;
    let Screen::Contact(kind) = m.screen else { return html! {} };
    let error = m.error.as_ref();
    let field = if kind == MethodKind::Email {
        html! {
            <Field id="ap-email" label={lang.t(Msg::EmailLabel)} hint={lang.t(Msg::EmailHint)}
                input_type="email" autocomplete="email" verbatim=true required=true
                value={m.drafts.email.clone()} oninput={props.edit(F::Email)}
                error={field_error(error, F::Email, lang)} />
        }
    } else {
        html! {
            <Field id="ap-phone" label={lang.t(Msg::PhoneLabel)} hint={lang.t(Msg::PhoneHint)}
                input_type="tel" autocomplete="tel" required=true
                value={m.drafts.phone.clone()} oninput={props.edit(F::Phone)}
                error={field_error(error, F::Phone, lang)} />
        }
    };
    let title = match kind {
        MethodKind::Email => Msg::EmailTitle,
        MethodKind::Voice => Msg::PhoneTitleVoice,
        _ => Msg::PhoneTitleSms,
    };
    html! {
        <Card title={lang.t(title)} step={m.step()} on_back={props.back()}>
            <form onsubmit={props.submit(Intent::SendCode)} novalidate=true>
                { field }
                { form_end(error, lang, Msg::SendCode, m.busy(), false) }
            </form>
        </Card>
    }
}
