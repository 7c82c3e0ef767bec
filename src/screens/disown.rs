use wire::Noticed;
use yew::prelude::*;

use super::ScreenProps;
use crate::components::banner::form_error;
use crate::components::card::Card;
use crate::i18n::{JourneyMsg, Lang, Msg};
use crate::intent::Intent;
use crate::state::Screen;

/// Opened from a notice's "this wasn't me" link, without signing in: what the link
/// does, said before the click that does it.
pub fn disown(props: &ScreenProps, lang: Lang) -> Html {
    let m = &props.model;
    html! {
        { Card::new(lang.text(JourneyMsg::DisownTitle)).lead(lang.text(JourneyMsg::DisownLead)).on_back(props.back()).back_label(lang.text(JourneyMsg::DisownCancel)).view(lang, html! { <>
            { form_error(m, lang) }
            <button type="button" class="ap-button ap-button--danger-solid ap-button--wide" disabled={m.busy()}
                onclick={props.send(Intent::Disown)}>
                { if m.busy() { lang.text(Msg::Working) } else { lang.text(JourneyMsg::DisownButton) } }
            </button>
        </> }) }
    }
}

/// What the link removed, and the next thing to do: change the password.
pub fn disowned(props: &ScreenProps, lang: Lang) -> Html {
    let Screen::Disowned(done) = &props.model.screen else { return html! {} };
    let what = match (done.what, done.removed) {
        (Noticed::MethodChange, _) => lang.text(JourneyMsg::DisownedChange).to_owned(),
        (_, false) => lang.text(JourneyMsg::DisownedGone).to_owned(),
        (Noticed::AppPassword, true) => {
            lang.text_with(JourneyMsg::DisownedAppPassword, &[("name", &done.name)])
        }
        (Noticed::Method, true) => {
            lang.text_with(JourneyMsg::DisownedMethod, &[("name", &done.name)])
        }
    };
    html! {
        { Card::new(lang.text(JourneyMsg::DisownedTitle)).view(lang, html! { <>
            <p class="ap-success"><span aria-hidden="true">{ "✓ " }</span>{ what }</p>
            <p>{ lang.text(JourneyMsg::DisownedSessions) }</p>
            <p><strong>{ lang.text(JourneyMsg::DisownedNext) }</strong></p>
            <button type="button" class="ap-button ap-button--primary" onclick={props.send(Intent::Done)}>
                { lang.text(JourneyMsg::DisownedSignIn) }
            </button>
        </> }) }
    }
}
