use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement};
use wire::{AppPasswordInfo, Protocol};
use yew::prelude::*;

use super::name::scope_texts;
use super::ScreenProps;
use crate::components::banner::form_error;
use crate::components::card::Card;
use crate::i18n::{JourneyMsg, Lang, Msg};
use crate::intent::Intent;
use crate::state::{Confirm, Screen};

/// Your app passwords: the list, create another, delete one or all (confirmed).
pub fn list(props: &ScreenProps, lang: Lang) -> Html {
    let m = &props.model;
    let Screen::List { list, confirm } = &m.screen else { return html! {} };
    let Some(list) = list else {
        // Loading, or the load failed: then the error and a way to try again, not both.
        return html! {
            { Card::new(lang.text(JourneyMsg::ListTitle)).view(lang, html! { <>
                if m.error.is_some() && !m.busy() {
                    { form_error(m, lang) }
                    <button type="button" class="ap-button ap-button--primary" onclick={props.send(Intent::Reload)}>
                        { lang.text(JourneyMsg::TryAgain) }
                    </button>
                } else {
                    <p class="ap-lead" role="status">{ lang.text(Msg::Working) }</p>
                }
            </> }) }
        };
    };
    let count = list.items.len();
    let full = count >= list.limit as usize;
    let row = |p: &AppPasswordInfo| {
        let used = match (&p.last_used_at, &p.last_used_from, p.last_used_protocol) {
            (Some(at), Some(from), Some(protocol)) => lang.text_with(
                JourneyMsg::ListUsedFrom,
                &[
                    ("date", &lang.datetime(at)),
                    ("from", from),
                    ("protocol", &protocol_name(protocol)),
                ],
            ),
            (Some(at), Some(from), None) => lang
                .text_with(JourneyMsg::ListUsedAt, &[("date", &lang.datetime(at)), ("from", from)]),
            (Some(at), ..) => {
                lang.text_with(JourneyMsg::ListLastUsed, &[("date", &lang.datetime(at))])
            }
            (None, ..) => lang.text(JourneyMsg::ListNeverUsed).to_owned(),
        };
        let scopes: Vec<&str> = p.scopes.iter().map(|s| lang.text(scope_texts(*s).0)).collect();
        let expiry = p.expires_at.as_ref().map(|at| {
            let msg = if p.expired { JourneyMsg::ListExpired } else { JourneyMsg::ListExpires };
            lang.text_with(msg, &[("date", &lang.datetime(at))])
        });
        let asking = matches!(confirm, Some(Confirm::One(c)) if c.id == p.id);
        html! {
            <li class="ap-item" key={p.id.clone()}>
                <div class="ap-item__text">
                    <span class="ap-item__name">{ p.name.clone() }</span>
                    <span class="ap-item__scopes">{ scopes.join(" · ") }</span>
                    <span class="ap-hint">
                        { lang.text_with(JourneyMsg::ListCreated, &[("date", &lang.datetime(&p.created_at))]) }{ " · " }{ used }
                    </span>
                    if let Some(expiry) = expiry {
                        <span class={classes!("ap-hint", p.expired.then_some("ap-item__expired"))}>{ expiry }</span>
                    }
                </div>
                if asking {
                    { confirm_box(props, lang, lang.text_with(JourneyMsg::DeleteConfirm, &[("name", &p.name)]), JourneyMsg::Delete) }
                } else {
                    <button type="button" class="ap-button ap-button--danger" data-delete={p.id.clone()}
                        aria-label={lang.text_with(JourneyMsg::DeleteNamed, &[("name", &p.name)])}
                        onclick={props.send(Intent::AskDelete(Confirm::One(p.clone())))} disabled={m.busy()}>
                        { lang.text(JourneyMsg::Delete) }
                    </button>
                }
            </li>
        }
    };
    html! {
        { Card::new(lang.text(JourneyMsg::ListTitle)).lead(lang.text(JourneyMsg::ListLead)).view(lang, html! { <>
            <ConfirmFocus confirm={confirm.clone()} />
            <p class="ap-count">{ lang.text_with(JourneyMsg::ListCount, &[("count", &count), ("limit", &list.limit)]) }</p>
            if let Some(days) = m.session.as_ref().and_then(|s| s.account.policy.app_password_unused_days) {
                <p class="ap-hint">{ lang.text_with(JourneyMsg::ListUnused, &[("days", &days)]) }</p>
            }
            if list.items.is_empty() {
                <p>{ lang.text(JourneyMsg::ListEmpty) }</p>
            } else {
                <ul class="ap-items">{ for list.items.iter().map(row) }</ul>
            }
            { form_error(m, lang) }
            if full {
                <p class="ap-note" role="status">{ lang.text_with(JourneyMsg::ListLimit, &[("limit", &list.limit)]) }</p>
            }
            <div class="ap-actions">
                <button type="button" class="ap-button ap-button--primary" disabled={full || m.busy()}
                    onclick={props.send(Intent::CreateAnother)}>
                    { lang.text(JourneyMsg::ListCreate) }
                </button>
                <button type="button" class="ap-button ap-button--secondary" disabled={m.busy()}
                    onclick={props.send(Intent::ToSecurity)}>
                    { lang.text(JourneyMsg::ListSecurity) }
                </button>
                if m.session.as_ref().is_some_and(|s| !s.account.password_elsewhere) {
                    <button type="button" class="ap-button ap-button--secondary" disabled={m.busy()}
                        onclick={props.send(Intent::ToPassword)}>
                        { lang.text(JourneyMsg::ListChangePassword) }
                    </button>
                }
                if count >= 2 {
                    if matches!(confirm, Some(Confirm::All)) {
                        { confirm_box(props, lang, lang.text_with(JourneyMsg::DeleteAllConfirm, &[("count", &count)]), JourneyMsg::DeleteAll) }
                    } else {
                        <button type="button" class="ap-button ap-button--danger" disabled={m.busy()}
                            data-delete-all="" onclick={props.send(Intent::AskDelete(Confirm::All))}>
                            { lang.text(JourneyMsg::DeleteAll) }
                        </button>
                    }
                }
            </div>
        </> }) }
    }
}

/// A protocol as people write it (not translated).
fn protocol_name(protocol: Protocol) -> String {
    match protocol {
        Protocol::Imap => "IMAP",
        Protocol::Pop => "POP",
        Protocol::Smtp => "SMTP",
        Protocol::Caldav => "CalDAV",
        Protocol::Carddav => "CardDAV",
        Protocol::Ews => "EWS",
        Protocol::Activesync => "ActiveSync",
    }
    .to_owned()
}

/// The inline confirmation: what will happen, the destructive button, Cancel.
fn confirm_box(props: &ScreenProps, lang: Lang, question: String, yes: JourneyMsg) -> Html {
    html! {
        <div class="ap-confirm" role="group" aria-labelledby="ap-confirm-q" tabindex="-1">
            <p id="ap-confirm-q">{ question }</p>
            <button type="button" class="ap-button ap-button--danger-solid" disabled={props.model.busy()}
                onclick={props.send(Intent::ConfirmDelete)}>{ lang.text(yes) }</button>
            <button type="button" class="ap-button ap-button--secondary"
                onclick={props.send(Intent::CancelDelete)}>{ lang.text(JourneyMsg::Cancel) }</button>
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct ConfirmFocusProps {
    confirm: Option<Confirm>,
}

/// Keeps focus sensible around the delete confirmation: into it when it opens, back on
/// the button that opened it when cancelled, on the heading once what it named is gone.
#[function_component(ConfirmFocus)]
fn confirm_focus(props: &ConfirmFocusProps) -> Html {
    let node = use_node_ref();
    let before = use_mut_ref(|| None::<Confirm>);
    {
        let node = node.clone();
        use_effect_with(props.confirm.clone(), move |now| {
            let was = before.replace(now.clone());
            let card = node.cast::<Element>().and_then(|n| n.closest(".ap-card").ok().flatten());
            let find = |css: &str| card.as_ref().and_then(|c| c.query_selector(css).ok().flatten());
            let target = match (&was, now) {
                (None, Some(_)) => find(".ap-confirm"),
                (Some(Confirm::One(p)), None) => card
                    .as_ref()
                    .and_then(|c| c.query_selector_all("[data-delete]").ok())
                    .and_then(|all| {
                        (0..all.length()).filter_map(|i| all.item(i)).find_map(|n| {
                            let el: Element = n.dyn_into().ok()?;
                            (el.get_attribute("data-delete")? == p.id).then_some(el)
                        })
                    })
                    .or_else(|| find("h1")),
                (Some(Confirm::All), None) => find("[data-delete-all]").or_else(|| find("h1")),
                _ => None,
            };
            if let Some(el) = target.and_then(|t| t.dyn_into::<HtmlElement>().ok()) {
                let _ = el.focus();
            }
        });
    }
    html! { <span ref={node} hidden=true></span> }
}
