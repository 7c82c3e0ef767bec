use yew::prelude::*;

use crate::i18n::{Lang, Msg};

#[derive(Properties, PartialEq)]
pub struct HeaderProps {
    /// The signed-in person's display name; None before sign-in.
    #[prop_or_default]
    pub who: Option<AttrValue>,
    pub on_lang: Callback<Lang>,
    /// Sign out stays but cannot be used (an app password is being created).
    #[prop_or_default]
    pub locked: bool,
    pub on_sign_out: Callback<()>,
}

/// The bar above every screen: the product name, the language switch and, once
/// signed in, who is signed in and "Sign out".
#[function_component(Header)]
pub fn header(props: &HeaderProps) -> Html {
    let lang = use_context::<Lang>().unwrap_or_default();
    let other = lang.other();
    let on_lang = {
        let cb = props.on_lang.clone();
        Callback::from(move |_| cb.emit(other))
    };
    let on_sign_out = props.on_sign_out.reform(|_: MouseEvent| ());
    html! {
        <header class="ap-header">
            <span class="ap-header__title">{ lang.text(Msg::AppTitle) }</span>
            <div class="ap-header__tools">
                <button type="button" class="ap-link" lang={other.tag()} onclick={on_lang}>
                    { lang.text(Msg::LangOther) }
                </button>
                if props.who.is_some() {
                    <button type="button" class="ap-link" disabled={props.locked} onclick={on_sign_out}>{ lang.text(Msg::SignOut) }</button>
                }
            </div>
            if let Some(who) = &props.who {
                <span class="ap-header__who">{ lang.text_with(Msg::SignedInAs, &[("name", who)]) }</span>
            }
        </header>
    }
}
