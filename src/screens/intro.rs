use yew::prelude::*;

use super::ScreenProps;
use crate::components::card::Card;
use crate::i18n::{Lang, Msg};
use crate::screens::Intent;

/// Step 2 of the seed: why, and "Set it up now".
pub fn intro(props: &ScreenProps, lang: Lang) -> Html {
    html! {
        <Card title={lang.t(Msg::IntroTitle)} lead={lang.t(Msg::IntroLead)}>
            <p>{ lang.t(Msg::IntroWhy) }</p>
            <button type="button" class="ap-button ap-button--primary" onclick={props.send(Intent::SetUp)}>
                { lang.t(Msg::IntroButton) }
            </button>
        </Card>
    }
}
