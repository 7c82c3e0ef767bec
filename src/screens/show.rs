use wasm_bindgen::JsCast;
use yew::prelude::*;

use super::totp::groups_of_four;
use super::ScreenProps;
use crate::app::Intent;
use crate::clipboard::Copied;
use crate::components::card::Card;
use crate::i18n::{Lang, Msg};
use crate::state::Screen;

/// Step 5 of the seed: the app password, once, with "Copy".
#[function_component(Show)]
pub fn show(props: &ScreenProps) -> Html {
    let lang = use_context::<Lang>().unwrap_or_default();
    let m = &props.model;
    let fallback = use_node_ref();
    let copied = match &m.screen {
        Screen::Show { copied, .. } => *copied,
        _ => None,
    };
    {
        // When the browser refused to copy, select the password for Ctrl+C.
        let fallback = fallback.clone();
        use_effect_with(copied, move |copied| {
            if *copied == Some(Copied::Selected) {
                if let Some(input) = fallback.cast::<web_sys::HtmlInputElement>() {
                    let _ = input.focus();
                    input.select();
                }
            }
        });
    }
    let Screen::Show { created, .. } = &m.screen else { return html! {} };
    let label = lang.f(Msg::ShowPasswordLabel, &[("name", &created.name)]);
    let on_focus_select = Callback::from(|e: FocusEvent| {
        if let Some(input) = e.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        {
            input.select();
        }
    });
    html! {
        <Card title={lang.t(Msg::ShowTitle)} lead={lang.t(Msg::ShowLead)} step={m.step()}>
            <div class="ap-secret ap-secret--password">
                <code id="ap-password-shown" class="ap-secret__text ap-secret__text--big" aria-label={label.clone()}>
                    { groups_of_four(created.password.expose()) }
                </code>
                <button type="button" class="ap-button ap-button--primary ap-copy"
                    onclick={props.send(Intent::Copy)} aria-describedby="ap-password-shown">
                    if copied == Some(Copied::Clipboard) {
                        <span aria-hidden="true">{ "✓ " }</span>{ lang.t(Msg::Copied) }
                    } else {
                        { lang.t(Msg::Copy) }
                    }
                </button>
            </div>
            if copied == Some(Copied::Selected) {
                <div class="ap-fallback">
                    <label for="ap-password-select" class="ap-fallback__label">{ lang.t(Msg::CopyFallbackLabel) }</label>
                    <input id="ap-password-select" ref={fallback} class="ap-secret__text" readonly=true
                        value={created.password.expose().to_owned()} onfocus={on_focus_select}
                        aria-describedby="ap-copy-fallback" autocomplete="off" spellcheck="false" />
                    <p id="ap-copy-fallback" class="ap-hint" role="alert">{ lang.t(Msg::CopyFallback) }</p>
                </div>
            }
            <p class="ap-note">{ lang.t(Msg::ShowNoMemorize) }</p>
            <button type="button" class="ap-button ap-button--secondary" onclick={props.send(Intent::Done)}>
                { lang.t(Msg::Done) }
            </button>
        </Card>
    }
}
