use yew::prelude::*;

use super::choose::method_label;
use super::ScreenProps;
use crate::components::banner::form_error;
use crate::components::card::Card;
use crate::i18n::{Lang, Msg};
use crate::screens::Intent;

/// A returning user (or a stale step-up) picks a registered method to prove.
pub fn challenge(props: &ScreenProps, lang: Lang) -> Html {
    let m = &props.model;
    let methods = m.session.as_ref().map(|s| s.account.methods.clone()).unwrap_or_default();
    html! {
        <Card title={lang.t(Msg::ChallengeTitle)} lead={lang.t(Msg::ChallengeLead)}>
            <ul class="ap-methods">
                { for methods.into_iter().map(|method| {
                    let label = method_label(&method, lang);
                    let use_it = lang.f(Msg::ChallengeUse, &[("method", &label)]);
                    html! {
                        <li>
                            <button type="button" class="ap-button ap-button--choice" disabled={m.busy()}
                                onclick={props.send(Intent::Challenge(method.id.clone()))}>
                                { use_it }
                            </button>
                        </li>
                    }
                }) }
            </ul>
            { form_error(m.error.as_ref(), lang) }
        </Card>
    }
}
