//! What the person asks for, from any screen: the one thing a view hands up. The root
//! (`app.rs`) turns each into requests (`effects.rs`) and actions on the model.

use wire::{Method, MethodKind, Scope};

use crate::errors::Field;
use crate::i18n::Lang;
use crate::state::Confirm;

/// What the person asks for, from any screen.
#[derive(Clone, PartialEq)]
pub enum Intent {
    Edit(Field, String),
    SignIn,
    /// Sign in at the organization's provider (single sign-on); `again`: anew there,
    /// to prove MFA afresh.
    SignInSso {
        again: bool,
    },
    SetUp,
    Choose(MethodKind),
    /// Tick or untick a scope of the app password being created.
    ToggleScope(Scope),
    Continue,
    SendCode,
    /// Register a security key under the name typed.
    RegisterKey,
    /// Touch the key: the browser's ceremony, then its answer to the endpoint.
    UseKey,
    Verify,
    Resend,
    Next,
    Create,
    Copy,
    CopyKey,
    Done,
    CreateAnother,
    /// Load the list again (after a failed load).
    Reload,
    AskDelete(Confirm),
    CancelDelete,
    ConfirmDelete,
    Challenge(String),
    Back,
    SignOut,
    SetLang(Lang),
    /// From the list: change the primary password.
    ToPassword,
    /// "This wasn't me": follow the notice's link.
    Disown,
    /// Submit the password change.
    ChangePassword,
    /// From the list: Security info, the person's methods.
    ToSecurity,
    /// From Security info: register another method (the setup screens, then back).
    AddMethod,
    /// Ask to remove this method (a confirmation says what follows).
    AskRemove(Method),
    CancelRemove,
    ConfirmRemove,
    /// Open the name field of this method.
    StartRename(Method),
    CancelRename,
    SaveName,
    /// Make this method the default.
    Prefer(Method),
}
