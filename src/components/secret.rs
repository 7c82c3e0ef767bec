use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::clipboard::Copied;
use crate::i18n::{JourneyMsg, Lang};

/// `ABCD EFGH IJKL …`: a key in groups of four, for reading and typing.
pub fn groups_of_four(text: &str) -> String {
    let chars: Vec<char> = text.chars().filter(|c| !c.is_whitespace()).collect();
    chars.chunks(4).map(|c| c.iter().collect::<String>()).collect::<Vec<_>>().join(" ")
}

#[derive(Properties, PartialEq)]
pub struct SecretProps {
    /// The element id of the shown text (`ap-password-shown`, `ap-key`).
    pub id: AttrValue,
    /// What it is, for assistive tech ("App password for Outlook", "Setup key").
    pub label: AttrValue,
    /// The secret, without spaces.
    pub text: AttrValue,
    /// The copy button's text, and whether it is the screen's main action.
    pub copy: AttrValue,
    #[prop_or_default]
    pub primary: bool,
    /// How the last copy went: "✓ Copied" on the button, or the text selected with an
    /// instruction when the browser refused.
    pub copied: Option<Copied>,
    /// The instruction when the browser refused to copy, and the selected field's label.
    pub fallback: AttrValue,
    pub fallback_label: AttrValue,
    pub on_copy: Callback<MouseEvent>,
}

/// A secret shown once (an app password, a setup key) with its Copy button; says
/// honestly whether the copy worked, and where the browser refused, selects the text for
/// Ctrl+C with an instruction.
#[function_component(SecretBox)]
pub fn secret_box(props: &SecretProps) -> Html {
    let lang = use_context::<Lang>().unwrap_or_default();
    let fallback = use_node_ref();
    {
        let fallback = fallback.clone();
        use_effect_with(props.copied, move |copied| {
            if *copied == Some(Copied::Selected) {
                if let Some(input) = fallback.cast::<web_sys::HtmlInputElement>() {
                    let _ = input.focus();
                    input.select();
                }
            }
        });
    }
    let on_focus_select = Callback::from(|e: FocusEvent| {
        if let Some(input) = e.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        {
            input.select();
        }
    });
    let (field_id, hint_id) = (format!("{}-select", props.id), format!("{}-fallback", props.id));
    let big =
        if props.primary { "ap-secret__text ap-secret__text--big" } else { "ap-secret__text" };
    let button = if props.primary {
        "ap-button ap-button--primary ap-copy"
    } else {
        "ap-button ap-button--secondary ap-copy"
    };
    html! {
        <>
            <div class="ap-secret">
                <code id={props.id.clone()} class={big} aria-label={props.label.clone()}>
                    { groups_of_four(&props.text) }
                </code>
                <button type="button" class={button} onclick={props.on_copy.clone()}
                    aria-describedby={props.id.clone()}
                    data-copied={(props.copied == Some(Copied::Clipboard)).then_some("")}>
                    if props.copied == Some(Copied::Clipboard) {
                        <span aria-hidden="true">{ "✓ " }</span>{ lang.text(JourneyMsg::Copied) }
                    } else {
                        { props.copy.clone() }
                    }
                </button>
            </div>
            if props.copied == Some(Copied::Selected) {
                <div class="ap-fallback">
                    <label for={field_id.clone()} class="ap-fallback__label">{ props.fallback_label.clone() }</label>
                    <input id={field_id} ref={fallback} class="ap-secret__text" readonly=true
                        value={props.text.clone()} onfocus={on_focus_select}
                        aria-describedby={hint_id.clone()} autocomplete="off" spellcheck="false" />
                    <p id={hint_id} class="ap-hint" role="alert">{ props.fallback.clone() }</p>
                </div>
            }
        </>
    }
}
