use yew::prelude::*;

use crate::errors::UiError;
use crate::i18n::{Lang, Msg};

#[derive(Properties, PartialEq)]
pub struct BannerProps {
    /// `error`, `info` or `success`.
    pub kind: AttrValue,
    pub text: AttrValue,
}

/// A message above the form, announced to screen readers.
#[function_component(Banner)]
pub fn banner(props: &BannerProps) -> Html {
    let role = if props.kind == "error" { "alert" } else { "status" };
    html! {
        <div class={classes!("ap-banner", format!("ap-banner--{}", props.kind))} role={role}>
            { props.text.clone() }
        </div>
    }
}

/// The error of the whole form (not of one field), as an alert; nothing otherwise.
pub fn form_error(error: Option<&UiError>, lang: Lang) -> Html {
    match error {
        Some(e) if e.field().is_none() => html! {
            <p id="ap-form-error" class="ap-error ap-error--form" role="alert">{ e.message(lang) }</p>
        },
        _ => html! {},
    }
}

/// The message for `field` if the current error is about it.
pub fn field_error(
    error: Option<&UiError>,
    field: crate::state::Field,
    lang: Lang,
) -> Option<String> {
    error.filter(|e| e.field() == Some(field)).map(|e| e.message(lang))
}

/// The end of every form: its error (if not about one field) and the submit button,
/// which says "Please wait…" and is disabled while a request is under way.
pub fn form_end(
    error: Option<&UiError>,
    lang: Lang,
    label: Msg,
    busy: bool,
    disabled: bool,
) -> Html {
    html! {
        <>
            { form_error(error, lang) }
            <button type="submit" class="ap-button ap-button--primary" disabled={busy || disabled}>
                { if busy { lang.t(Msg::Working) } else { lang.t(label) } }
            </button>
        </>
    }
}
