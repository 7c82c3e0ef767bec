use gloo_timers::callback::Interval;
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

/// The code field and "Verify", shared by the authenticator-app and code screens.
pub fn code_form(props: &ScreenProps, lang: Lang) -> Html {
    let m = &props.model;
    html! {
        <form class="ap-code-form" method="dialog" onsubmit={props.submit(Intent::Verify)} novalidate=true>
            { Field {
                id: "ap-code",
                label: lang.text(JourneyMsg::CodeLabel),
                autocomplete: Some("one-time-code"),
                inputmode: Some("numeric"),
                verbatim: true,
                required: true,
                maxlength: Some(16),
                value: m.drafts.code.clone(),
                oninput: props.edit(F::Code),
                error: field_error(m, F::Code, lang),
                class: Some("ap-field--code"),
                ..Field::default()
            }.view() }
            { form_end(m, lang, lang.text(JourneyMsg::Verify), false) }
        </form>
    }
}

#[derive(Properties, PartialEq)]
pub struct ResendProps {
    /// When (ms since the epoch) a new code may be asked for.
    pub at: Option<f64>,
    pub busy: bool,
    pub onclick: Callback<MouseEvent>,
}

/// "Send a new code", disabled with a visible countdown during the cooldown.
#[function_component(Resend)]
pub fn resend(props: &ResendProps) -> Html {
    let lang = use_context::<Lang>().unwrap_or_default();
    let now = use_state(js_sys::Date::now);
    {
        let now = now.clone();
        use_effect_with(props.at, move |at| {
            let ticking = at.is_some_and(|at| at > js_sys::Date::now());
            let timer = ticking.then(|| Interval::new(1000, move || now.set(js_sys::Date::now())));
            move || drop(timer)
        });
    }
    let left = props.at.map_or(0.0, |at| ((at - *now) / 1000.0).ceil()).max(0.0) as u32;
    let label = if left > 0 {
        lang.text_with(JourneyMsg::ResendIn, &[("seconds", &left)])
    } else {
        lang.text(JourneyMsg::Resend).to_owned()
    };
    html! {
        <button type="button" class="ap-button ap-button--secondary" disabled={left > 0 || props.busy}
            onclick={props.onclick.clone()}>{ label }</button>
    }
}

/// Enter the code that was sent (or that the authenticator app shows, for a returning user).
pub fn code(props: &ScreenProps, lang: Lang) -> Html {
    let m = &props.model;
    let Screen::Code(step) = &m.screen else { return html! {} };
    let sent = step.destination.as_ref().map(|dest| {
        let msg = match step.kind {
            MethodKind::Voice => JourneyMsg::CodeSentVoice,
            MethodKind::Email => JourneyMsg::CodeSentEmail,
            _ => JourneyMsg::CodeSentSms,
        };
        lang.text_with(msg, &[("dest", dest)])
    });
    let lead = sent.unwrap_or_else(|| lang.text(JourneyMsg::CodeTotp).to_owned());
    html! {
        { Card::new(lang.text(JourneyMsg::CodeTitle)).lead(lead).step(m.step()).on_back(props.back()).view(lang, html! { <>
            { code_form(props, lang) }
            if step.kind.sends_code() {
                <Resend at={step.resend_at} busy={m.busy()} onclick={props.send(Intent::Resend)} />
            }
        </> }) }
    }
}
