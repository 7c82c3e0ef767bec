use wire::MethodKind;
use yew::prelude::*;

use super::ScreenProps;
use crate::components::banner::{field_error, form_end};
use crate::components::card::Card;
use crate::components::field::Field;
use crate::errors::Field as F;
use crate::i18n::{JourneyMsg, Lang};
use crate::intent::Intent;
use crate::state::Screen;

/// The number (text message, phone call) or address (email) to send codes to.
pub fn contact(props: &ScreenProps, lang: Lang) -> Html {
    let m = &props.model;
    let Screen::Contact(kind) = m.screen else { return html! {} };
    let field = if kind == MethodKind::Email {
        html! {
            { Field {
                id: "ap-email",
                label: lang.text(JourneyMsg::EmailLabel),
                hint: Some(lang.text(JourneyMsg::EmailHint)),
                input_type: Some("email"),
                autocomplete: Some("email"),
                verbatim: true,
                required: true,
                value: m.drafts.email.clone(),
                oninput: props.edit(F::Email),
                error: field_error(m, F::Email, lang),
                ..Field::default()
            }.view() }
        }
    } else {
        html! {
            { Field {
                id: "ap-phone",
                label: lang.text(JourneyMsg::PhoneLabel),
                hint: Some(lang.text(JourneyMsg::PhoneHint)),
                input_type: Some("tel"),
                autocomplete: Some("tel"),
                required: true,
                value: m.drafts.phone.clone(),
                oninput: props.edit(F::Phone),
                error: field_error(m, F::Phone, lang),
                ..Field::default()
            }.view() }
        }
    };
    let title = match kind {
        MethodKind::Email => JourneyMsg::EmailTitle,
        MethodKind::Voice => JourneyMsg::PhoneTitleVoice,
        _ => JourneyMsg::PhoneTitleSms,
    };
    html! {
        { Card::new(lang.text(title)).step(m.step()).on_back(props.back()).view(lang, html! { <>
            <form method="dialog" onsubmit={props.submit(Intent::SendCode)} novalidate=true>
                { field }
                { form_end(m, lang, lang.text(JourneyMsg::SendCode), false) }
            </form>
        </> }) }
    }
}
