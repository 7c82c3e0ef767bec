use yew::prelude::*;

use super::ScreenProps;
use crate::components::card::Card;
use crate::i18n::{method_label, JourneyMsg, Lang};
use crate::intent::Intent;
use crate::state::Screen;

/// Step 4 of the seed: the method is verified; "Next".
pub fn verified(props: &ScreenProps, lang: Lang) -> Html {
    let m = &props.model;
    let Screen::Verified { method, .. } = &m.screen else { return html! {} };
    let what = method_label(method, lang);
    html! {
        { Card::new(lang.text(JourneyMsg::VerifiedTitle)).step(m.step()).view(lang, html! { <>
            <p class="ap-success"><span aria-hidden="true">{ "✓ " }</span>{ lang.text_with(JourneyMsg::VerifiedLead, &[("method", &what)]) }</p>
            <button type="button" class="ap-button ap-button--primary" onclick={props.send(Intent::Next)}>
                { lang.text(JourneyMsg::Next) }
            </button>
        </> }) }
    }
}
