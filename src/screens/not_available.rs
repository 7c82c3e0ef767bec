use wire::NotAvailableReason;
use yew::prelude::*;

use super::ScreenProps;
use crate::components::card::Card;
use crate::i18n::{JourneyMsg, Lang};
use crate::state::Screen;

/// The seed's note: without the admin's MFA requirement, none of this is offered.
pub fn not_available(props: &ScreenProps, lang: Lang) -> Html {
    let why = match props.model.screen {
        Screen::NotAvailable(NotAvailableReason::AppPasswordsDisabled) => JourneyMsg::NaDisabled,
        _ => JourneyMsg::NaMfaNotRequired,
    };
    html! {
        { Card::new(lang.text(JourneyMsg::NaTitle)).view(lang, html! { <>
            <p>{ lang.text(why) }</p>
            <p>{ lang.text(JourneyMsg::NaAskAdmin) }</p>
        </> }) }
    }
}
