use yew::prelude::*;

use crate::i18n::{Lang, Msg};
use crate::state::Model;

/// A message above the form, announced to screen readers; `kind` is `error`, `info` or
/// `success`. (A view function: drawn with its screen, and no component type's weight in
/// the first module.)
pub fn banner(kind: &str, text: &str) -> Html {
    let role = if kind == "error" { "alert" } else { "status" };
    html! {
        <div class={classes!("ap-banner", format!("ap-banner--{kind}"))} role={role}>
            { text.to_owned() }
        </div>
    }
}

/// The model's error of the whole form (not of one field), as an alert; nothing
/// otherwise.
pub fn form_error(m: &Model, lang: Lang) -> Html {
    match &m.error {
        Some(e) if e.field().is_none() => html! {
            <p id="ap-form-error" class="ap-error ap-error--form" role="alert">{ m.error_message(e, lang) }</p>
        },
        _ => html! {},
    }
}

/// The message for `field` if the model's error is about it.
pub fn field_error(m: &Model, field: crate::errors::Field, lang: Lang) -> Option<String> {
    m.error.as_ref().filter(|e| e.field() == Some(field)).map(|e| m.error_message(e, lang))
}

/// The end of every form: its error (if not about one field) and the submit button,
/// which says "Please wait…" and is disabled while a request is under way.
pub fn form_end(m: &Model, lang: Lang, label: &'static str, disabled: bool) -> Html {
    let busy = m.busy();
    html! {
        <>
            { form_error(m, lang) }
            <button type="submit" class="ap-button ap-button--primary" disabled={busy || disabled}>
                { if busy { lang.text(Msg::Working) } else { label } }
            </button>
        </>
    }
}

/// The id of the input for `field`, for links and `aria-describedby`.
pub fn input_id(field: crate::errors::Field) -> &'static str {
    use crate::errors::Field as F;
    match field {
        F::Username => "ap-username",
        F::Password => "ap-password",
        F::Phone => "ap-phone",
        F::Email => "ap-email",
        F::Code => "ap-code",
        F::Name => "ap-name",
        F::KeyName => "ap-key-name",
        F::Scopes => "ap-scopes",
        F::CurrentPassword => "ap-current-password",
        F::NewPassword => "ap-new-password",
        F::Expiry => "ap-expiry",
        F::MethodName => "ap-method-name",
    }
}

/// At the top of a form with several fields, the model's error about one of them (as
/// the GOV.UK Design System does): announced, with a link to the field. It takes focus
/// when it appears (after a submit: the person's doing): the root's effect does that
/// (`app.rs`), so this is a view, not a component of its own (a component type costs the
/// first module about a kilobyte). Placed inside the `<form>`.
pub fn error_summary(m: &Model, lang: Lang) -> Html {
    let Some((error, field)) = m.error.as_ref().and_then(|e| Some((e, e.field()?))) else {
        return html! {};
    };
    let target = input_id(field);
    let onclick = Callback::from(move |e: MouseEvent| {
        // Not the link's default: in a host page it would change the host's URL.
        e.prevent_default();
        let input = e
            .target_dyn_into::<web_sys::Element>()
            .and_then(|el| el.closest("form").ok().flatten())
            .and_then(|form| form.query_selector(&format!("#{target}")).ok().flatten())
            .and_then(|el| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(el).ok());
        if let Some(input) = input {
            let _ = input.focus();
        }
    });
    html! {
        <div id="ap-error-summary" class="ap-error-summary" role="alert" tabindex="-1" aria-labelledby="ap-error-summary-title">
            <h2 id="ap-error-summary-title" class="ap-error-summary__title">{ lang.text(Msg::ErrorSummaryTitle) }</h2>
            <ul class="ap-error-summary__list">
                <li><a href={format!("#{target}")} {onclick}>{ m.error_message(error, lang) }</a></li>
            </ul>
        </div>
    }
}
