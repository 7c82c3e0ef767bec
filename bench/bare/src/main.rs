//! A bare Yew page: one sign-in field, nothing else.
use yew::prelude::*;

#[function_component]
fn App() -> Html {
    html! {
        <main>
            <label for="u">{ "Email or username" }</label>
            <input id="u" autocomplete="username" />
        </main>
    }
}

fn main() {
    yew::Renderer::<App>::new().render();
}
