use wire::Method;
use yew::prelude::*;

use super::ScreenProps;
use crate::components::banner::{field_error, form_error, input_id};
use crate::components::card::Card;
use crate::components::field::Field as TextField;
use crate::components::method_name::method_name;
use crate::errors::Field as F;
use crate::i18n::{kind_texts, method_label, JourneyMsg, Lang, Msg};
use crate::intent::Intent;
use crate::state::Screen;

/// Security info: the person's methods, the default first; add another, make one the
/// default, rename a key or an app, remove one (confirmed, saying what follows).
pub fn security(props: &ScreenProps, lang: Lang) -> Html {
    let m = &props.model;
    let Screen::Security { confirm, renaming } = &m.screen else { return html! {} };
    let Some(account) = m.session.as_ref().map(|s| &s.account) else { return html! {} };
    let methods = &account.methods;
    let only_one = methods.len() == 1;
    let row = |method: &Method| {
        let label = method_label(method, lang);
        let kind = lang.text(kind_texts(method.kind).0);
        let added = lang
            .text_with(JourneyMsg::SecurityAdded, &[("date", &lang.datetime(&method.added_at))]);
        let used = match &method.last_used_at {
            Some(at) => lang.text_with(JourneyMsg::ListLastUsed, &[("date", &lang.datetime(at))]),
            None => lang.text(JourneyMsg::ListNeverUsed).to_owned(),
        };
        let actions = if renaming.as_deref() == Some(method.id.as_str()) {
            html! {
                <form class="ap-confirm ap-rename" onsubmit={props.submit(Intent::SaveName)} novalidate=true>
                    { TextField {
                        id: input_id(F::MethodName),
                        label: lang.text(JourneyMsg::SecurityNameLabel),
                        autocomplete: Some("off"),
                        maxlength: Some(64),
                        class: Some("ap-rename__field"),
                        value: m.drafts.method_name.clone(),
                        oninput: props.edit(F::MethodName),
                        error: field_error(m, F::MethodName, lang),
                        ..TextField::default()
                    }.view() }
                    <button type="submit" class="ap-button ap-button--primary" disabled={m.busy()}>
                        { if m.busy() { lang.text(Msg::Working) } else { lang.text(JourneyMsg::SecuritySave) } }
                    </button>
                    <button type="button" class="ap-button ap-button--secondary" onclick={props.send(Intent::CancelRename)}>
                        { lang.text(JourneyMsg::Cancel) }
                    </button>
                </form>
            }
        } else if confirm.as_ref().is_some_and(|c| c.id == method.id) {
            let question = match (only_one, account.policy.mfa_required) {
                (true, true) => JourneyMsg::SecurityRemoveLast,
                _ => JourneyMsg::SecurityRemoveConfirm,
            };
            html! {
                <div class="ap-confirm" role="group" aria-labelledby="ap-confirm-q">
                    <p id="ap-confirm-q">{ lang.text_with(question, &[("name", &label)]) }</p>
                    <button type="button" class="ap-button ap-button--danger-solid" disabled={m.busy()} autofocus=true
                        onclick={props.send(Intent::ConfirmRemove)}>{ lang.text(JourneyMsg::SecurityRemove) }</button>
                    <button type="button" class="ap-button ap-button--secondary"
                        onclick={props.send(Intent::CancelRemove)}>{ lang.text(JourneyMsg::Cancel) }</button>
                </div>
            }
        } else {
            let named = |msg| lang.text_with(msg, &[("name", &label)]);
            html! {
                <div class="ap-item__actions">
                    if !method.default {
                        <button type="button" class="ap-button ap-button--secondary" disabled={m.busy()}
                            aria-label={named(JourneyMsg::SecurityPreferNamed)}
                            onclick={props.send(Intent::Prefer(method.clone()))}>
                            { lang.text(JourneyMsg::SecurityPrefer) }
                        </button>
                    }
                    if !method.kind.sends_code() {
                        <button type="button" class="ap-button ap-button--secondary" disabled={m.busy()}
                            aria-label={named(JourneyMsg::SecurityRenameNamed)}
                            onclick={props.send(Intent::StartRename(method.clone()))}>
                            { lang.text(JourneyMsg::SecurityRename) }
                        </button>
                    }
                    <button type="button" class="ap-button ap-button--danger" disabled={m.busy()}
                        aria-label={named(JourneyMsg::SecurityRemoveNamed)}
                        onclick={props.send(Intent::AskRemove(method.clone()))}>
                        { lang.text(JourneyMsg::SecurityRemove) }
                    </button>
                </div>
            }
        };
        html! {
            <li class="ap-item" key={method.id.clone()} data-method={method.id.clone()}>
                <div class="ap-item__text">
                    { method_name(&label, method.default.then(|| lang.text(JourneyMsg::SecurityDefault))) }
                    if method.kind.sends_code() || method_label(method, lang) != kind {
                        <span class="ap-item__scopes">{ kind }</span>
                    }
                    <span class="ap-hint">{ added }{ " · " }{ used }</span>
                </div>
                { actions }
            </li>
        }
    };
    html! {
        { Card::new(lang.text(JourneyMsg::SecurityTitle)).lead(lang.text(JourneyMsg::SecurityLead)).on_back(props.back()).back_label(lang.text(JourneyMsg::SecurityBack)).view(lang, html! { <>
            if methods.is_empty() {
                <p>{ lang.text(JourneyMsg::SecurityNone) }</p>
            } else {
                <ul class="ap-items">{ for methods.iter().map(row) }</ul>
            }
            if renaming.is_none() {
                { form_error(m, lang) }
            }
            <div class="ap-actions">
                <button type="button" class="ap-button ap-button--primary" disabled={m.busy()}
                    onclick={props.send(Intent::AddMethod)}>
                    { lang.text(JourneyMsg::SecurityAdd) }
                </button>
            </div>
            <p class="ap-hint">{ lang.text(JourneyMsg::SecurityLost) }</p>
        </> }) }
    }
}
