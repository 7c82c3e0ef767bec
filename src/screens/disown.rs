use wire::Noticed;
use yew::prelude::*;

use super::ScreenProps;
use crate::components::banner::form_error;
use crate::components::card::Card;
use crate::i18n::{JourneyMsg, Lang, Msg};
use crate::screens::Intent;
use crate::state::Screen;

/// Opened from a notice's "this wasn't me" link, without signing in: what the link
/// does, said before the click that does it.
pub fn disown(props: &ScreenProps, lang: Lang) -> Html {
    let m = &props.model;
    html! {
        <Card title={lang.j(JourneyMsg::DisownTitle)} lead={lang.j(JourneyMsg::DisownLead)} on_back={props.back()} back_label={lang.j(JourneyMsg::DisownCancel)}>
            { form_error(m.error.as_ref(), lang) }
            <button type="button" class="ap-button ap-button--danger-solid ap-button--wide" disabled={m.busy()}
                onclick={props.send(Intent::Disown)}>
                { if m.busy() { lang.t(Msg::Working) } else { lang.j(JourneyMsg::DisownButton) } }
            </button>
        </Card>
    }
}

/// What the link removed, and the next thing to do: change the password.
pub fn disowned(props: &ScreenProps, lang: Lang) -> Html {
    let Screen::Disowned(done) = &props.model.screen else { return html! {} };
    let what = match (done.what, done.removed) {
        (_, false) => lang.j(JourneyMsg::DisownedGone).to_owned(),
        (Noticed::AppPassword, true) => {
            lang.jf(JourneyMsg::DisownedAppPassword, &[("name", &done.name)])
        }
        (Noticed::Method, true) => lang.jf(JourneyMsg::DisownedMethod, &[("name", &done.name)]),
    };
    html! {
        <Card title={lang.j(JourneyMsg::DisownedTitle)}>
            <p class="ap-success"><span aria-hidden="true">{ "✓ " }</span>{ what }</p>
            <p>{ lang.j(JourneyMsg::DisownedSessions) }</p>
            <p><strong>{ lang.j(JourneyMsg::DisownedNext) }</strong></p>
            <button type="button" class="ap-button ap-button--primary" onclick={props.send(Intent::Done)}>
                { lang.j(JourneyMsg::DisownedSignIn) }
            </button>
        </Card>
    }
}
