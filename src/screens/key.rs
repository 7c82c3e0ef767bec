use yew::prelude::*;

use super::ScreenProps;
use crate::components::banner::{field_error, form_end, form_error};
use crate::components::card::Card;
use crate::components::field::Field;
use crate::errors::Field as F;
use crate::i18n::{JourneyMsg, Lang, Msg};
use crate::intent::Intent;
use crate::state::{CodeFor, Screen};

/// Naming a security key before it is registered.
pub fn key_name(props: &ScreenProps, lang: Lang) -> Html {
    let m = &props.model;
    html! {
        { Card::new(lang.text(JourneyMsg::KeyNameTitle)).lead(lang.text(JourneyMsg::KeyNameLead)).step(m.step()).on_back(props.back()).view(lang, html! { <>
            <form method="dialog" onsubmit={props.submit(Intent::RegisterKey)} novalidate=true>
                { Field {
                    id: "ap-key-name",
                    label: lang.text(JourneyMsg::KeyNameLabel),
                    hint: Some(lang.text(JourneyMsg::KeyNameHint)),
                    autocomplete: Some("off"),
                    maxlength: Some(64),
                    value: m.drafts.key_name.clone(),
                    oninput: props.edit(F::KeyName),
                    error: field_error(m, F::KeyName, lang),
                    ..Field::default()
                }.view() }
                { form_end(m, lang, lang.text(JourneyMsg::KeyNameButton), false) }
            </form>
        </> }) }
    }
}

/// The browser's own security-key prompt opens from this screen's button (Safari lets
/// a page ask for a key only right after the person clicked); failures say what to do
/// and Back ("Use another method") leads to the other methods.
pub fn key(props: &ScreenProps, lang: Lang) -> Html {
    let m = &props.model;
    let Screen::Key(step) = &m.screen else { return html! {} };
    let (title, lead, button) = match &step.target {
        CodeFor::Enrollment { .. } => (
            JourneyMsg::KeyTitleRegister,
            lang.text(JourneyMsg::KeyRegisterLead).to_owned(),
            JourneyMsg::KeyButtonRegister,
        ),
        CodeFor::Challenge { method, .. } => (
            JourneyMsg::KeyTitleUse,
            lang.text_with(JourneyMsg::KeyUseLead, &[("name", &method.label)]),
            JourneyMsg::KeyButtonUse,
        ),
    };
    html! {
        { Card::new(lang.text(title)).lead(lead).step(m.step()).on_back(props.back()).back_label(lang.text(JourneyMsg::KeyOther)).view(lang, html! { <>
            { form_error(m, lang) }
            <button type="button" class="ap-button ap-button--primary" disabled={m.busy()}
                aria-describedby={m.error.as_ref().map(|_| "ap-form-error")}
                onclick={props.send(Intent::UseKey)}>
                { if m.busy() { lang.text(Msg::Working) } else { lang.text(button) } }
            </button>
        </> }) }
    }
}
