use web_sys::HtmlInputElement;
use yew::prelude::*;

/// A labelled text input whose hint and error are announced with it.
///
/// A view function's arguments, not a component: drawn in its screen's own render (no
/// frame shows it behind its screen) and without a component type's weight in the first
/// module (the sign-in screen has two).
#[derive(Default)]
pub struct Field {
    /// The input's id; the hint and error get `{id}-hint` and `{id}-error`.
    pub id: &'static str,
    pub label: &'static str,
    pub value: String,
    pub oninput: Callback<String>,
    /// `text` when unset.
    pub input_type: Option<&'static str>,
    pub autocomplete: Option<&'static str>,
    pub inputmode: Option<&'static str>,
    pub hint: Option<&'static str>,
    /// An error about this field, shown under it and tied to it.
    pub error: Option<String>,
    pub required: bool,
    pub maxlength: Option<u32>,
    /// `spellcheck` and `autocapitalize` off: for usernames, addresses, codes.
    pub verbatim: bool,
    pub class: Option<&'static str>,
    /// The error is announced by the form's error summary, not as it appears.
    pub summarized: bool,
}

impl Field {
    pub fn view(self) -> Html {
        let id = self.id;
        let (hint_id, error_id) = (format!("{id}-hint"), format!("{id}-error"));
        let described: Vec<&str> =
            [self.hint.map(|_| hint_id.as_str()), self.error.as_ref().map(|_| error_id.as_str())]
                .into_iter()
                .flatten()
                .collect();
        let oninput = self
            .oninput
            .reform(|e: InputEvent| e.target_unchecked_into::<HtmlInputElement>().value());
        let (spellcheck, autocapitalize) =
            if self.verbatim { (Some("false"), Some("none")) } else { (None, None) };
        html! {
            <div class={classes!("ap-field", self.class)}>
                <label for={id}>{ self.label }</label>
                if let Some(hint) = self.hint {
                    <p id={hint_id.clone()} class="ap-hint">{ hint }</p>
                }
                <input id={id} name={id} type={self.input_type.unwrap_or("text")}
                    value={self.value} {oninput}
                    autocomplete={self.autocomplete} inputmode={self.inputmode}
                    spellcheck={spellcheck} autocapitalize={autocapitalize}
                    maxlength={self.maxlength.map(|n| n.to_string())}
                    required={self.required}
                    aria-invalid={self.error.as_ref().map(|_| "true")}
                    aria-describedby={(!described.is_empty()).then(|| described.join(" "))} />
                if let Some(error) = self.error {
                    <p id={error_id} class="ap-error" role={(!self.summarized).then_some("alert")}>{ error }</p>
                }
            </div>
        }
    }
}
