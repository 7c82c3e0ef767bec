//! One file per screen of the journey. Each gets the model and one callback for what
//! the person asks for; none sends a request itself.
use std::rc::Rc;

use yew::prelude::*;

use crate::errors::Field;
use crate::i18n::Lang;
use crate::intent::Intent;
use crate::state::Model;

pub mod challenge;
pub mod choose;
pub mod code;
pub mod contact;
pub mod disown;
pub mod intro;
pub mod key;
pub mod list;
pub mod name;
pub mod not_available;
pub mod password;
pub mod security;
pub mod show;
pub mod sign_in;
pub mod totp;
pub mod verified;

/// What every screen gets.
#[derive(Properties, PartialEq, Clone)]
pub struct ScreenProps {
    pub model: Rc<Model>,
    pub on: Callback<Intent>,
}

impl ScreenProps {
    /// A callback that sends `intent`, for buttons.
    pub fn send(&self, intent: Intent) -> Callback<MouseEvent> {
        let on = self.on.clone();
        Callback::from(move |_| on.emit(intent.clone()))
    }

    /// A form's submit handler that sends `intent` without reloading the page.
    pub fn submit(&self, intent: Intent) -> Callback<SubmitEvent> {
        let on = self.on.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            on.emit(intent.clone())
        })
    }

    /// An input handler that stores what is typed in the drafts.
    pub fn edit(&self, field: Field) -> Callback<String> {
        self.on.reform(move |value| Intent::Edit(field, value))
    }

    /// "Back", when the model offers it.
    pub fn back(&self) -> Option<Callback<()>> {
        self.model.back().map(|_| self.on.reform(|()| Intent::Back))
    }
}

/// Every screen but sign-in.
pub fn journey(props: &ScreenProps, lang: Lang) -> Html {
    use crate::state::Screen;
    match &props.model.screen {
        Screen::SignIn(_) => Html::default(),
        Screen::NotAvailable(_) => not_available::not_available(props, lang),
        Screen::Intro => intro::intro(props, lang),
        Screen::Choose => choose::choose(props, lang),
        Screen::Contact(_) => contact::contact(props, lang),
        Screen::Totp(_) => totp::totp(props, lang),
        Screen::Code(_) => code::code(props, lang),
        Screen::KeyName => key::key_name(props, lang),
        Screen::Key(_) => key::key(props, lang),
        Screen::Verified { .. } => verified::verified(props, lang),
        Screen::Challenge => challenge::challenge(props, lang),
        Screen::Name => name::name(props, lang),
        Screen::Show { .. } => html! { <show::Show ..props.clone() /> },
        Screen::List { .. } => list::list(props, lang),
        Screen::Password => password::password(props, lang),
        Screen::Disown(_) => disown::disown(props, lang),
        Screen::Disowned(_) => disown::disowned(props, lang),
        Screen::PasswordChanged(_) => password::changed(props, lang),
        Screen::Security { .. } => security::security(props, lang),
    }
}
