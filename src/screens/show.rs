use yew::prelude::*;

use super::ScreenProps;
use crate::components::card::Card;
use crate::components::secret::SecretBox;
use crate::i18n::{JourneyMsg, Lang};
use crate::intent::Intent;
use crate::state::Screen;

/// Step 5 of the seed: the app password, once, with "Copy".
#[function_component(Show)]
pub fn show(props: &ScreenProps) -> Html {
    let lang = use_context::<Lang>().unwrap_or_default();
    let m = &props.model;
    let Screen::Show { created, copied } = &m.screen else { return html! {} };
    html! {
        { Card::new(lang.text(JourneyMsg::ShowTitle)).lead(lang.text(JourneyMsg::ShowLead)).step(m.step()).view(lang, html! { <>
            <SecretBox id="ap-password-shown" primary=true
                label={lang.text_with(JourneyMsg::ShowPasswordLabel, &[("name", &created.name)])}
                text={AttrValue::from(created.password.expose().to_owned())}
                copy={lang.text(JourneyMsg::Copy)} copied={*copied} on_copy={props.send(Intent::Copy)}
                fallback={lang.text(JourneyMsg::CopyFallback)} fallback_label={lang.text(JourneyMsg::CopyFallbackLabel)} />
            <p class="ap-note">{ lang.text(JourneyMsg::ShowNoMemorize) }</p>
            <button type="button" class="ap-button ap-button--secondary" onclick={props.send(Intent::Done)}>
                { lang.text(JourneyMsg::Done) }
            </button>
        </> }) }
    }
}
