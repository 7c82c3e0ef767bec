use yew::prelude::*;

use super::choose::method_label;
use super::ScreenProps;
use crate::components::card::Card;
use crate::i18n::{JourneyMsg, Lang};
use crate::screens::Intent;
use crate::state::Screen;

/// Step 4 of the seed: the method is verified; "Next".
pub fn verified(props: &ScreenProps, lang: Lang) -> Html {
    let m = &props.model;
    let Screen::Verified { method, .. } = &m.screen else { return html! {} };
    let what = method_label(method, lang);
    html! {
        <Card title={lang.j(JourneyMsg::VerifiedTitle)} step={m.step()}>
            <p class="ap-success"><span aria-hidden="true">{ "✓ " }</span>{ lang.jf(JourneyMsg::VerifiedLead, &[("method", &what)]) }</p>
            <button type="button" class="ap-button ap-button--primary" onclick={props.send(Intent::Next)}>
                { lang.j(JourneyMsg::Next) }
            </button>
        </Card>
    }
}
