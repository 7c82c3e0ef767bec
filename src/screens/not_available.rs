use wire::NotAvailableReason;
use yew::prelude::*;

use super::ScreenProps;
use crate::components::card::Card;
use crate::i18n::{Lang, Msg};
use crate::state::Screen;

/// The seed's note: without the admin's MFA requirement, none of this is offered.
pub fn not_available(props: &ScreenProps, lang: Lang) -> Html {
    let why = match props.model.screen {
        Screen::NotAvailable(NotAvailableReason::AppPasswordsDisabled) => Msg::NaDisabled,
        _ => Msg::NaMfaNotRequired,
    };
    html! {
        <Card title={lang.t(Msg::NaTitle)}>
            <p>{ lang.t(why) }</p>
            <p>{ lang.t(Msg::NaAskAdmin) }</p>
        </Card>
    }
}
