use wire::MethodKind;
use yew::prelude::*;

use super::ScreenProps;
use crate::components::banner::form_end;
use crate::components::card::Card;
use crate::i18n::{kind_texts, JourneyMsg, Lang};
use crate::intent::Intent;

/// Step 3 of the seed: pick a method among those the admin allows.
pub fn choose(props: &ScreenProps, lang: Lang) -> Html {
    let m = &props.model;
    let allowed = m.session.as_ref().map(|s| s.account.policy.allowed_methods.clone());
    let mut allowed = allowed.unwrap_or_default();
    // Under the phishing-resistant policy only a key leads to an app password.
    if m.key_required() {
        allowed.retain(|k| k.phishing_resistant());
    }
    // A browser without WebAuthn shows the option, disabled, and says why.
    let keys_work = crate::passkey::supported();
    let usable = |k: &MethodKind| keys_work || !k.phishing_resistant();
    let selected = m.drafts.kind.filter(|k| allowed.contains(k) && usable(k));
    let lead = m.key_required().then(|| AttrValue::from(lang.text(JourneyMsg::ChooseKeyLead)));
    html! {
        { Card::new(lang.text(JourneyMsg::ChooseTitle)).lead(lead).step(m.step()).on_back(props.back()).view(lang, html! { <>
            <form method="dialog" onsubmit={props.submit(Intent::Continue)} novalidate=true>
                <fieldset class="ap-choices">
                    <legend class="ap-lead">{ lang.text(JourneyMsg::ChooseLead) }</legend>
                    { for allowed.iter().map(|&kind| {
                        let (name, hint) = kind_texts(kind);
                        let disabled = !usable(&kind);
                        let hint = if disabled { JourneyMsg::KindPasskeyUnsupported } else { hint };
                        let id = format!("ap-kind-{}", kind.as_str());
                        let on = props.on.reform(move |_: Event| Intent::Choose(kind));
                        html! {
                            <label class="ap-choice" for={id.clone()}>
                                <input type="radio" name="ap-kind" id={id.clone()} value={kind.as_str()}
                                    checked={selected == Some(kind)} onchange={on} disabled={disabled}
                                    aria-describedby={format!("{id}-hint")} />
                                <span class="ap-choice__text">
                                    <span class="ap-choice__name">{ lang.text(name) }</span>
                                    <span class="ap-hint" id={format!("{id}-hint")}>{ lang.text(hint) }</span>
                                </span>
                            </label>
                        }
                    }) }
                </fieldset>
                { form_end(m, lang, lang.text(JourneyMsg::Continue), selected.is_none()) }
            </form>
        </> }) }
    }
}
