use web_sys::HtmlInputElement;
use yew::prelude::*;

/// What the sign-in form hands to its parent. The password is dropped with it.
#[derive(Clone, PartialEq)]
pub struct Credentials {
    pub username: String,
    pub password: String,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials").field("username", &self.username).finish_non_exhaustive()
    }
}

#[derive(Properties, PartialEq)]
pub struct SignInProps {
    pub on_submit: Callback<Credentials>,
    #[prop_or_default]
    pub busy: bool,
    /// An error to show beside the form.
    #[prop_or_default]
    pub error: Option<AttrValue>,
}

/// Step 1 of the seed: sign in with the work or school account and password.
#[function_component(SignIn)]
pub fn sign_in(props: &SignInProps) -> Html {
    let username = use_state(String::new);
    let password = use_state(String::new);

    let on_username = {
        let username = username.clone();
        Callback::from(move |e: InputEvent| {
            username.set(e.target_unchecked_into::<HtmlInputElement>().value())
        })
    };
    let on_password = {
        let password = password.clone();
        Callback::from(move |e: InputEvent| {
            password.set(e.target_unchecked_into::<HtmlInputElement>().value())
        })
    };
    let onsubmit = {
        let (username, password, cb) =
            (username.clone(), password.clone(), props.on_submit.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            cb.emit(Credentials {
                username: username.trim().to_owned(),
                password: (*password).clone(),
            });
        })
    };
    let error_id = "ap-sign-in-error";
    html! {
        <section class="ap-card" aria-labelledby="ap-sign-in-title">
            <h1 id="ap-sign-in-title" tabindex="-1">{ "Sign in" }</h1>
            <p class="ap-lead">{ "Use your work or school account to get an app password." }</p>
            <form onsubmit={onsubmit} novalidate=true aria-describedby={props.error.as_ref().map(|_| error_id)}>
                <div class="ap-field">
                    <label for="ap-username">{ "Email or username" }</label>
                    <input id="ap-username" name="username" type="text" autocomplete="username"
                        spellcheck="false" autocapitalize="none" required=true
                        value={(*username).clone()} oninput={on_username} />
                </div>
                <div class="ap-field">
                    <label for="ap-password">{ "Password" }</label>
                    <input id="ap-password" name="password" type="password" autocomplete="current-password"
                        required=true value={(*password).clone()} oninput={on_password} />
                </div>
                if let Some(error) = &props.error {
                    <p id={error_id} class="ap-error" role="alert">{ error.clone() }</p>
                }
                <button type="submit" class="ap-button ap-button--primary" disabled={props.busy}>{ "Sign in" }</button>
            </form>
        </section>
    }
}
