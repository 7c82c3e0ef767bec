use yew::prelude::*;

use crate::i18n::{Lang, Msg};

/// The bar above every screen: the product name, the language switch and, once signed
/// in, who is signed in (`who`) and "Sign out" (`locked`: there but not usable while an
/// app password is being created).
///
/// A view function, not a component: drawn in the same render as the screen below it, so
/// no frame shows a screen under the header of the one before (a child component's new
/// props may wait until after the browser has painted: Yew yields after 16 ms of work),
/// and without a component type's kilobyte in the first module.
pub fn header(
    lang: Lang,
    who: Option<&str>,
    locked: bool,
    on_lang: &Callback<Lang>,
    on_sign_out: &Callback<()>,
) -> Html {
    let other = lang.other();
    let on_lang = on_lang.reform(move |_: MouseEvent| other);
    let on_sign_out = on_sign_out.reform(|_: MouseEvent| ());
    html! {
        <header class="ap-header">
            <span class="ap-header__title">{ lang.text(Msg::AppTitle) }</span>
            <div class="ap-header__tools">
                <button type="button" class="ap-link" lang={other.tag()} onclick={on_lang}>
                    { lang.text(Msg::LangOther) }
                </button>
                if who.is_some() {
                    <button type="button" class="ap-link" disabled={locked} onclick={on_sign_out}>{ lang.text(Msg::SignOut) }</button>
                }
            </div>
            if let Some(who) = who {
                <span class="ap-header__who">{ lang.text_with(Msg::SignedInAs, &[("name", &who)]) }</span>
            }
        </header>
    }
}
