//! The root component: owns the API client and decides which screen to show.

use yew::prelude::*;

use crate::api::Client;
use crate::components::banner::Banner;
use crate::screens::sign_in::{Credentials, SignIn};

#[derive(Properties, PartialEq, Clone, Default)]
pub struct AppProps {
    /// Base URL of the identity endpoint; empty means the page's own origin.
    #[prop_or_default]
    pub endpoint: AttrValue,
}

/// Whether the identity endpoint answered its health check.
#[derive(Clone, Copy, PartialEq)]
enum Reachability {
    Checking,
    Up,
    Down,
}

#[function_component(App)]
pub fn app(props: &AppProps) -> Html {
    let client = use_memo(props.endpoint.clone(), |e| Client::new(e.as_str()));
    let reach = use_state_eq(|| Reachability::Checking);
    {
        let reach = reach.clone();
        use_effect_with(client.clone(), move |client| {
            let client = (**client).clone();
            wasm_bindgen_futures::spawn_local(async move {
                let up = client.health().await.is_ok();
                reach.set(if up { Reachability::Up } else { Reachability::Down });
            });
        });
    }
    let on_sign_in = Callback::from(|_creds: Credentials| {});
    html! {
        <div class="ap-root">
            if *reach == Reachability::Down {
                <Banner kind="error" text="The sign-in service cannot be reached. Check your connection and try again." />
            }
            <SignIn on_submit={on_sign_in} busy={*reach == Reachability::Checking} />
        </div>
    }
}
