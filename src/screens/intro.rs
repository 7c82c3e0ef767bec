use yew::prelude::*;

use super::ScreenProps;
use crate::components::card::Card;
use crate::i18n::{JourneyMsg, Lang};
use crate::intent::Intent;

/// Step 2 of the seed: why, and "Set it up now".
pub fn intro(props: &ScreenProps, lang: Lang) -> Html {
    // Under the phishing-resistant policy, a person with codes only is sent here too.
    let lead =
        if props.model.key_required() { JourneyMsg::IntroKeyLead } else { JourneyMsg::IntroLead };
    html! {
        { Card::new(lang.text(JourneyMsg::IntroTitle)).lead(lang.text(lead)).view(lang, html! { <>
            <p>{ lang.text(JourneyMsg::IntroWhy) }</p>
            <button type="button" class="ap-button ap-button--primary" onclick={props.send(Intent::SetUp)}>
                { lang.text(JourneyMsg::IntroButton) }
            </button>
        </> }) }
    }
}
