//! What passes between the app and the page that embeds it: the events it tells the
//! host (`embed.rs` turns them into DOM events), the commands the host sends, and the
//! slots through which they travel.

use std::rc::Rc;

use wire::MethodKind;
use yew::Callback;

use crate::api::{Endpoint, Token};
use crate::i18n::Lang;

/// What the app tells the page that embeds it (as DOM `CustomEvent`s, see `embed.rs`).
/// Never a secret: an app password is named by its id and name only.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HostEvent {
    SignedIn { username: String },
    MethodRegistered { kind: MethodKind },
    AppPasswordCreated { id: String, name: String },
    AppPasswordRevoked { id: Option<String> },
    SignedOut,
    SessionExpired,
}

/// What the embedding page can change on a running app.
pub enum HostCommand {
    SetLang(Option<Lang>),
    /// The host's user is signed in: use this session (skips the sign-in screen).
    SetSessionToken(Token),
    /// The host's user signed out: so does the app (the host ends its session itself).
    SignOut,
}

/// A slot through which the host reaches the running app; compared by identity.
#[derive(Clone, Default)]
pub struct Control(pub Rc<std::cell::RefCell<Option<Callback<HostCommand>>>>);

impl PartialEq for Control {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl Control {
    pub fn send(&self, command: HostCommand) {
        let cb = self.0.borrow().clone();
        if let Some(cb) = cb {
            cb.emit(command);
        }
    }
}

/// An endpoint handed in by the host (or a test); compared by identity.
#[derive(Clone)]
pub struct EndpointRef(pub Rc<dyn Endpoint>);

impl PartialEq for EndpointRef {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}
