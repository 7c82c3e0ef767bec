use web_sys::HtmlInputElement;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct FieldProps {
    /// The input's id; the hint and error get `{id}-hint` and `{id}-error`.
    pub id: AttrValue,
    pub label: AttrValue,
    pub value: AttrValue,
    pub oninput: Callback<String>,
    #[prop_or(AttrValue::Static("text"))]
    pub input_type: AttrValue,
    #[prop_or_default]
    pub autocomplete: Option<AttrValue>,
    #[prop_or_default]
    pub inputmode: Option<AttrValue>,
    #[prop_or_default]
    pub hint: Option<AttrValue>,
    /// An error about this field, shown under it and tied to it.
    #[prop_or_default]
    pub error: Option<String>,
    #[prop_or_default]
    pub required: bool,
    #[prop_or_default]
    pub maxlength: Option<u32>,
    /// `spellcheck` and `autocapitalize` off: for usernames, addresses, codes.
    #[prop_or_default]
    pub verbatim: bool,
    #[prop_or_default]
    pub class: Classes,
    /// Whether the error is announced as it appears (false where an error summary at
    /// the top of the form announces it).
    #[prop_or(true)]
    pub announce: bool,
}

/// A labelled text input whose hint and error are announced with it.
#[function_component(Field)]
pub fn field(props: &FieldProps) -> Html {
    let hint_id = format!("{}-hint", props.id);
    let error_id = format!("{}-error", props.id);
    let described: Vec<&str> = [
        props.hint.as_ref().map(|_| hint_id.as_str()),
        props.error.as_ref().map(|_| error_id.as_str()),
    ]
    .into_iter()
    .flatten()
    .collect();
    let oninput = {
        let cb = props.oninput.clone();
        Callback::from(move |e: InputEvent| {
            cb.emit(e.target_unchecked_into::<HtmlInputElement>().value())
        })
    };
    let (spellcheck, autocapitalize) =
        if props.verbatim { (Some("false"), Some("none")) } else { (None, None) };
    html! {
        <div class={classes!("ap-field", props.class.clone())}>
            <label for={props.id.clone()}>{ props.label.clone() }</label>
            if let Some(hint) = &props.hint {
                <p id={hint_id.clone()} class="ap-hint">{ hint.clone() }</p>
            }
            <input id={props.id.clone()} name={props.id.clone()} type={props.input_type.clone()}
                value={props.value.clone()} {oninput}
                autocomplete={props.autocomplete.clone()} inputmode={props.inputmode.clone()}
                spellcheck={spellcheck} autocapitalize={autocapitalize}
                maxlength={props.maxlength.map(|n| n.to_string())}
                required={props.required}
                aria-invalid={props.error.as_ref().map(|_| "true")}
                aria-describedby={(!described.is_empty()).then(|| described.join(" "))} />
            if let Some(error) = &props.error {
                <p id={error_id} class="ap-error" role={props.announce.then_some("alert")}>{ error.clone() }</p>
            }
        </div>
    }
}
