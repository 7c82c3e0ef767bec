use yew::prelude::*;

use super::ScreenProps;
use crate::components::card::Card;
use crate::i18n::{Lang, Msg};
use crate::screens::Intent;

/// Step 2 of the seed: why, and "Set it up now".
pub fn intro(props: &ScreenProps, lang: Lang) -> Html {
    // Under the phishing-resistant policy, a person with codes only is sent here too.
    let lead = if props.model.key_required() { Msg::IntroKeyLead } else { Msg::IntroLead };
    html! {
        <Card title={lang.t(Msg::IntroTitle)} lead={lang.t(lead)}>
            <p>{ lang.t(Msg::IntroWhy) }</p>
            <button type="button" class="ap-button ap-button--primary" onclick={props.send(Intent::SetUp)}>
                { lang.t(Msg::IntroButton) }
            </button>
        </Card>
    }
}
