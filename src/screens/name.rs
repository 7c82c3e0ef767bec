use wire::Scope;
use yew::prelude::*;

use super::ScreenProps;
use crate::components::banner::{field_error, form_end};
use crate::components::card::Card;
use crate::components::field::Field;
use crate::errors::Field as F;
use crate::i18n::{JourneyMsg, Lang};
use crate::intent::Intent;

/// The name and one-line hint of a scope.
pub fn scope_texts(scope: Scope) -> (JourneyMsg, JourneyMsg) {
    match scope {
        Scope::Mail => (JourneyMsg::ScopeMail, JourneyMsg::ScopeMailHint),
        Scope::Dav => (JourneyMsg::ScopeDav, JourneyMsg::ScopeDavHint),
        Scope::Exchange => (JourneyMsg::ScopeExchange, JourneyMsg::ScopeExchangeHint),
    }
}

/// An optional name, what it is for (mail ticked) and how long it lives (never, unless
/// the policy says otherwise), then "Create": one click still gets a mail password.
pub fn name(props: &ScreenProps, lang: Lang) -> Html {
    let m = &props.model;
    let chosen = m.chosen_scopes();
    let choices = m.scope_choices();
    let scopes_error = field_error(m, F::Scopes, lang);
    let expiry = m.chosen_expiry();
    let on_expiry = props.edit(F::Expiry);
    html! {
        { Card::new(lang.text(JourneyMsg::NameTitle)).lead(lang.text(JourneyMsg::NameLead)).step(m.step()).on_back(props.back()).locked(m.creating()).view(lang, html! { <>
            <form method="dialog" onsubmit={props.submit(Intent::Create)} novalidate=true>
                { Field {
                    id: "ap-name",
                    label: lang.text(JourneyMsg::NameLabel),
                    hint: Some(lang.text(JourneyMsg::NameHint)),
                    autocomplete: Some("off"),
                    maxlength: Some(64),
                    value: m.drafts.name.clone(),
                    oninput: props.edit(F::Name),
                    error: field_error(m, F::Name, lang),
                    ..Field::default()
                }.view() }
                // Offered only when there is a choice to make.
                if choices.len() > 1 {
                    <fieldset class="ap-choices ap-scopes" aria-describedby={scopes_error.as_ref().map(|_| "ap-scopes-error")}>
                        <legend class="ap-label">{ lang.text(JourneyMsg::ScopesLegend) }</legend>
                        { for choices.iter().enumerate().map(|(i, &scope)| {
                            let (label, hint) = scope_texts(scope);
                            let id = if i == 0 { "ap-scopes".to_owned() } else { format!("ap-scope-{}", scope.as_str()) };
                            html! {
                                <label class="ap-choice" for={id.clone()}>
                                    <input type="checkbox" id={id.clone()} value={scope.as_str()}
                                        checked={chosen.contains(&scope)}
                                        aria-describedby={format!("{id}-hint")}
                                        onchange={props.on.reform(move |_: Event| Intent::ToggleScope(scope))} />
                                    <span class="ap-choice__text">
                                        <span class="ap-choice__name">{ lang.text(label) }</span>
                                        <span class="ap-hint" id={format!("{id}-hint")}>{ lang.text(hint) }</span>
                                    </span>
                                </label>
                            }
                        }) }
                        if let Some(e) = scopes_error {
                            <p class="ap-error" id="ap-scopes-error">{ e }</p>
                        }
                    </fieldset>
                }
                <div class="ap-field">
                    <label for="ap-expiry">{ lang.text(JourneyMsg::ExpiryLabel) }</label>
                    <span class="ap-hint" id="ap-expiry-hint">{ lang.text(JourneyMsg::ExpiryHint) }</span>
                    <select id="ap-expiry" class="ap-select" aria-describedby="ap-expiry-hint"
                        onchange={Callback::from(move |e: Event| {
                            on_expiry.emit(e.target_unchecked_into::<web_sys::HtmlSelectElement>().value())
                        })}>
                        { for m.expiry_choices().into_iter().map(|choice| {
                            let (value, text) = match choice {
                                None => ("never".to_owned(), lang.text(JourneyMsg::ExpiryNever).to_owned()),
                                Some(days) => (days.to_string(), lang.text_with(JourneyMsg::ExpiryDays, &[("days", &days)])),
                            };
                            html! { <option value={value} selected={choice == expiry}>{ text }</option> }
                        }) }
                    </select>
                    if let Some(e) = field_error(m, F::Expiry, lang) {
                        <p class="ap-error" id="ap-expiry-error">{ e }</p>
                    }
                </div>
                { form_end(m, lang, lang.text(JourneyMsg::Create), false) }
            </form>
        </> }) }
    }
}
