use yew::prelude::*;

use super::ScreenProps;
use crate::components::banner::form_error;
use crate::components::card::Card;
use crate::i18n::{method_label, JourneyMsg, Lang};
use crate::intent::Intent;

/// A returning user (or a stale step-up) picks a registered method to prove.
pub fn challenge(props: &ScreenProps, lang: Lang) -> Html {
    let m = &props.model;
    let mut methods = m.session.as_ref().map(|s| s.account.methods.clone()).unwrap_or_default();
    // Under the phishing-resistant policy a code proves too little once a key exists.
    let keys_only = m.key_required() && m.has_key();
    if keys_only {
        methods.retain(|method| method.kind.phishing_resistant());
    }
    let lead = if keys_only { JourneyMsg::ChallengeKeyLead } else { JourneyMsg::ChallengeLead };
    html! {
        { Card::new(lang.text(JourneyMsg::ChallengeTitle)).lead(lang.text(lead)).view(lang, html! { <>
            <ul class="ap-methods">
                { for methods.into_iter().map(|method| {
                    let label = method_label(&method, lang);
                    let use_it = lang.text_with(JourneyMsg::ChallengeUse, &[("method", &label)]);
                    let last_used = method.last_used_at.as_deref().filter(|_| method.kind.phishing_resistant());
                    let last_used = last_used.map(|at| lang.text_with(JourneyMsg::MethodLastUsed, &[("date", &lang.datetime(at))]));
                    let when_id = format!("ap-when-{}", method.id);
                    html! {
                        <li>
                            <button type="button" class="ap-button ap-button--choice" disabled={m.busy()}
                                aria-describedby={last_used.as_ref().map(|_| when_id.clone())}
                                onclick={props.send(Intent::Challenge(method.id.clone()))}>
                                { use_it }
                            </button>
                            if let Some(last_used) = last_used {
                                <p class="ap-hint ap-when" id={when_id}>{ last_used }</p>
                            }
                        </li>
                    }
                }) }
            </ul>
            // MFA done at the organization's provider counts here: proving it there anew
            // does too (the person may have no method here at all).
            if let Some(sso) = m.sso.as_ref().filter(|sso| sso.provider_mfa) {
                <button type="button" class="ap-button ap-button--sso" disabled={m.busy()}
                    onclick={props.send(Intent::SignInSso { again: true })}>
                    { lang.text_with(JourneyMsg::SsoAgain, &[("name", &sso.name)]) }
                </button>
            }
            { form_error(m, lang) }
            <p class="ap-hint">{ lang.text(JourneyMsg::ChallengeLost) }</p>
        </> }) }
    }
}
