//! The whole app as one explicit state machine: a [`Model`] whose [`Screen`] says where
//! the person is, changed only by [`Action`]s through [`Model::reduce`]. An action that
//! makes no sense on the current screen (a late answer to a request the person has
//! moved away from) is ignored. No I/O here: `app.rs` runs requests and dispatches
//! their outcomes.

use std::rc::Rc;

use crate::sso::Returned;
use wire::{
    Account, AccountState, AppPasswordInfo, AppPasswordList, Challenge, CodeSent, Disowned,
    Enrollment, Method, MethodKind, NewAppPassword, Next, NotAvailableReason, Scope, Session,
    SsoInfo,
};
use yew::Reducible;
use zeroize::Zeroizing;

use crate::announcements::Announcement;
use crate::api::{IdempotencyKey, Token};
use crate::clipboard::Copied;
use crate::errors::{Field, UiError};
use crate::i18n::Lang;

/// A secret shown on screen (the app password, the TOTP key): shared, never cloned,
/// and wiped from memory when the last reference goes.
#[derive(Clone, PartialEq)]
pub struct Secret(Rc<Zeroizing<String>>);

impl Secret {
    pub fn new(mut text: String) -> Self {
        let moved = std::mem::take(&mut text);
        Self(Rc::new(Zeroizing::new(moved)))
    }

    pub fn expose(&self) -> &str {
        self.0.as_str()
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

/// Why the sign-in screen is shown again.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignInReason {
    SignedOut,
    Expired,
}

/// What a code entered on the code screen proves.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CodeFor {
    /// A new method being registered.
    Enrollment { id: String },
    /// A registered method, proved again (returning user or step-up).
    Challenge { id: String, method: Method },
}

/// The code screen's data.
#[derive(Clone, Debug, PartialEq)]
pub struct CodeStep {
    pub target: CodeFor,
    pub kind: MethodKind,
    /// Where the code went, masked (`+33 ••• •• 78`); None for an authenticator app.
    pub destination: Option<String>,
    /// When (ms since the epoch, browser clock) a new code may be asked for.
    pub resend_at: Option<f64>,
}

/// The security-key screen's data: what the key answers, and the endpoint's options for
/// the browser (JSON text; nothing secret: a challenge bound to this proof).
#[derive(Clone, Debug, PartialEq)]
pub struct KeyStep {
    pub target: CodeFor,
    pub options: Rc<str>,
}

/// The authenticator-app screen's data.
#[derive(Clone, Debug, PartialEq)]
pub struct TotpStep {
    pub id: String,
    pub secret: Secret,
    pub otpauth_uri: Secret,
    /// How the last "Copy key" went.
    pub copied: Option<Copied>,
}

/// A deletion waiting for the person's confirmation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Confirm {
    One(AppPasswordInfo),
    All,
}

/// Where the person is.
#[derive(Clone, Debug, PartialEq)]
pub enum Screen {
    SignIn(Option<SignInReason>),
    NotAvailable(NotAvailableReason),
    /// "Set it up now".
    Intro,
    Choose,
    /// Entering a phone number or an email address.
    Contact(MethodKind),
    Totp(TotpStep),
    Code(CodeStep),
    /// Naming a security key about to be registered.
    KeyName,
    /// Using a security key: registering it, or proving it.
    Key(KeyStep),
    /// A method registered; `next` says where "Next" leads (an app password, or, under
    /// the phishing-resistant policy, a security key first).
    Verified {
        method: Method,
        next: Next,
    },
    /// A returning user picks a registered method to prove.
    Challenge,
    Name,
    Show {
        created: NewAppPasswordShown,
        copied: Option<Copied>,
    },
    List {
        list: Option<AppPasswordList>,
        confirm: Option<Confirm>,
    },
    /// Changing the primary password.
    Password,
    /// A notice's "this wasn't me" link was opened: its token, to send on a click.
    Disown(Secret),
    /// What the link removed; every session of the account ended.
    Disowned(Disowned),
    /// The password is changed: the app passwords that stopped working with it.
    PasswordChanged(Vec<AppPasswordInfo>),
    /// Security info: the person's methods (the session's account holds them), one
    /// perhaps waiting for the confirmation of its removal, one perhaps being renamed
    /// (its id; the name typed is in the drafts).
    Security {
        confirm: Option<Method>,
        renaming: Option<String>,
    },
}

/// A newly created app password, its secret held as a [`Secret`].
#[derive(Clone, Debug, PartialEq)]
pub struct NewAppPasswordShown {
    pub id: String,
    pub name: String,
    pub password: Secret,
}

impl From<NewAppPassword> for NewAppPasswordShown {
    fn from(mut p: NewAppPassword) -> Self {
        let password = Secret::new(std::mem::take(&mut p.password));
        Self { id: p.id, name: p.name, password }
    }
}

impl Screen {
    /// A name per kind of screen: focus moves to the heading when it changes.
    pub fn key(&self) -> &'static str {
        match self {
            Self::SignIn(_) => "sign-in",
            Self::NotAvailable(_) => "not-available",
            Self::Intro => "intro",
            Self::Choose => "choose",
            Self::Contact(_) => "contact",
            Self::Totp(_) => "totp",
            Self::Code(_) => "code",
            Self::KeyName => "key-name",
            Self::Key(_) => "key",
            Self::Verified { .. } => "verified",
            Self::Challenge => "challenge",
            Self::Name => "name",
            Self::Show { .. } => "show",
            Self::List { .. } => "list",
            Self::Password => "password",
            Self::Disown(_) => "disown",
            Self::Disowned(_) => "disowned",
            Self::PasswordChanged(_) => "password-changed",
            Self::Security { .. } => "security",
        }
    }
}

/// The signed-in session, in memory only.
#[derive(Clone, Debug, PartialEq)]
pub struct SignedIn {
    pub token: Token,
    pub account: Account,
}

/// What the person typed, kept across Back, errors and a session that expired.
#[derive(Clone, Default, PartialEq)]
pub struct Drafts {
    pub username: String,
    pub password: Zeroizing<String>,
    pub kind: Option<MethodKind>,
    pub phone: String,
    pub email: String,
    pub code: String,
    pub name: String,
    /// The name of a security key being registered.
    pub key_name: String,
    /// A method's new name (Security info).
    pub method_name: String,
    /// The scopes ticked for the next app password; `None`: not touched (the default).
    pub scopes: Option<Vec<Scope>>,
    /// The lifetime picked for it (`Some(None)`: never); `None`: not touched.
    pub expiry: Option<Option<u32>>,
    /// A password change's current and new passwords.
    pub current_password: Zeroizing<String>,
    pub new_password: Zeroizing<String>,
    /// The key of the pending enrollment or creation; a retry reuses it, a change of
    /// what is asked for draws a new one.
    pub enroll_key: IdempotencyKey,
    pub create_key: IdempotencyKey,
}

impl std::fmt::Debug for Drafts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Drafts")
            .field("username", &self.username)
            .field("kind", &self.kind)
            .field("phone", &self.phone)
            .field("email", &self.email)
            .field("name", &self.name)
            .field("key_name", &self.key_name)
            .field("scopes", &self.scopes)
            .field("expiry", &self.expiry)
            .finish_non_exhaustive()
    }
}

/// What the chunk of the screens after sign-in (lazy.rs) brings that the model needs:
/// the reducer of their actions, and the words of the errors and announcements only they
/// meet. The model has it once the chunk has come ([`Action::JourneyArrived`]); until
/// then those actions are refused, and those errors are worded as unexpected.
#[derive(Clone, Copy)]
pub struct JourneyRules {
    pub apply: fn(&mut Model, Action) -> bool,
    pub error_message: fn(&UiError, Lang) -> String,
    pub announcement: fn(&Announcement, Lang) -> String,
}

/// Code, not state: every copy is the one chunk's.
impl PartialEq for JourneyRules {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl std::fmt::Debug for JourneyRules {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("JourneyRules")
    }
}

/// The state of the whole app.
#[derive(Clone, Debug, PartialEq)]
pub struct Model {
    pub screen: Screen,
    pub session: Option<SignedIn>,
    pub drafts: Drafts,
    /// The request under way, if any: buttons that send are disabled, and only its
    /// answer is taken (see [`Action::Answered`]).
    pub pending: Option<Pending>,
    pub error: Option<UiError>,
    /// Whether this is the first-time setup (the step indicator shows).
    pub setup: bool,
    /// Whether the person came from Security info (adding a method, proving MFA for a
    /// change): where the journey returns instead of the list.
    pub in_security: bool,
    pub announcement: Option<(u32, Announcement)>,
    /// Whether the endpoint answered its last check (see `app.rs`).
    pub online: bool,
    /// The screens after sign-in's rules, once their chunk has come.
    pub journey: Option<JourneyRules>,
    /// Single sign-on through the organization's provider, when the endpoint offers it.
    pub sso: Option<SsoInfo>,
    /// What the provider sent back, when the page was opened as its way back: acted on
    /// once the screens after sign-in have come (`app.rs`).
    pub sso_back: Option<Returned>,
}

impl Default for Model {
    fn default() -> Self {
        Self {
            screen: Screen::SignIn(None),
            session: None,
            drafts: Drafts::default(),
            pending: None,
            error: None,
            setup: false,
            in_security: false,
            announcement: None,
            online: true,
            journey: None,
            sso: None,
            sso_back: None,
        }
    }
}

/// A request under way.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pending {
    /// Numbers the app's requests, so that an answer finds its request.
    pub id: u32,
    /// It creates an app password: Back and Sign out wait for its answer.
    pub creates: bool,
}

/// Everything that changes the model. (No `Debug`: `Edit` carries what was typed,
/// the password among it.)
pub enum Action {
    Edit(Field, String),
    ChooseKind(MethodKind),
    /// Tick or untick a scope of the next app password.
    ToggleScope(Scope),
    /// A request started; it is now the one whose answer is awaited.
    Started(Pending),
    /// The answer (`Action`) to request `id`. Taken only while that request is the
    /// pending one: after Back, Sign out or a newer request it is dropped — except what
    /// must never be lost (a created app password, a rotated token, an ended session).
    Answered(u32, Box<Action>),
    /// A request failed, or the input was refused before sending.
    Failed(UiError),
    SignedIn(Session),
    /// A session handed over by the host page (its user is already signed in).
    Resumed {
        token: Token,
        state: AccountState,
    },
    /// A request ended with nothing to show (a host's token that is not valid, a
    /// sign-in window closed).
    Idle,
    /// The endpoint offers single sign-on.
    SsoOffered(SsoInfo),
    /// A notice's "this wasn't me" link, followed in this page while it was open: its
    /// page, whatever was on screen. The session is let go (following the link ends
    /// every session of the account).
    OpenNotice(Secret),
    /// The session is no longer valid: back to sign-in, keeping the drafts.
    Expired,
    SignedOut,
    /// The endpoint wants a fresh MFA proof first.
    StepUp,
    SetUp,
    /// From Choose: on to entering a phone number or address.
    ToContact,
    Enrolled {
        enrollment: Enrollment,
        now: f64,
    },
    ChallengeStarted {
        challenge: Challenge,
        now: f64,
    },
    CodeSent {
        sent: CodeSent,
        now: f64,
    },
    /// A method proven. The server replaced the session's token: `token` is the new one
    /// and is taken whatever the screen (the old one no longer works).
    Verified {
        method: Method,
        token: Token,
        next: Next,
    },
    Next,
    Created(NewAppPassword),
    Copied(Copied),
    KeyCopied(Copied),
    Done,
    Listed(AppPasswordList),
    CreateAnother,
    AskDelete(Confirm),
    CancelDelete,
    Deleted(Confirm),
    /// From the list: on to changing the primary password.
    ToPassword,
    /// A notice's link did its work.
    Disowned(Disowned),
    /// From the list: on to Security info.
    ToSecurity,
    /// From Security info: on to registering another method.
    AddMethod,
    AskRemove(Method),
    CancelRemove,
    StartRename(Method),
    CancelRename,
    /// A change to a method made: the account as it is now, and what to say.
    MethodChanged {
        account: Account,
        said: Announcement,
    },
    /// The password is changed; the session's token was replaced (taken whatever the
    /// screen, as for `Verified`).
    PasswordChanged {
        revoked: Vec<AppPasswordInfo>,
        token: Token,
    },
    Back,
    Online(bool),
    /// The chunk of the screens after sign-in has come, with their rules.
    JourneyArrived(JourneyRules),
}

/// The number of setup steps the indicator counts.
pub const SETUP_STEPS: u8 = 4;

impl Model {
    /// The step of the first-time setup this screen is, if any ("Step 2 of 4").
    pub fn step(&self) -> Option<u8> {
        if !self.setup {
            return None;
        }
        match &self.screen {
            Screen::Choose => Some(1),
            Screen::Contact(_) | Screen::Totp(_) | Screen::KeyName => Some(2),
            Screen::Code(_) | Screen::Key(_) | Screen::Verified { .. } => Some(3),
            Screen::Name | Screen::Show { .. } => Some(4),
            _ => None,
        }
    }

    /// Whether Back is offered, and to where.
    pub fn back(&self) -> Option<Screen> {
        match &self.screen {
            Screen::Choose if self.in_security => Some(security()),
            Screen::Choose => Some(Screen::Intro),
            Screen::Contact(_) | Screen::Totp(_) | Screen::KeyName => Some(Screen::Choose),
            // "Use another method": the name typed stays in the drafts.
            Screen::Key(KeyStep { target: CodeFor::Enrollment { .. }, .. }) => Some(Screen::Choose),
            Screen::Key(KeyStep { target: CodeFor::Challenge { .. }, .. }) => {
                Some(Screen::Challenge)
            }
            Screen::Code(CodeStep { target: CodeFor::Enrollment { .. }, kind, .. }) => {
                Some(if kind.sends_code() { Screen::Contact(*kind) } else { Screen::Choose })
            }
            Screen::Code(CodeStep { target: CodeFor::Challenge { .. }, .. }) => {
                Some(Screen::Challenge)
            }
            Screen::Name if !self.setup => Some(Screen::List { list: None, confirm: None }),
            Screen::Password | Screen::Security { .. } => {
                Some(Screen::List { list: None, confirm: None })
            }
            Screen::Disown(_) => Some(Screen::SignIn(None)),
            _ => None,
        }
    }

    /// Whether the account's policy asks for a security key before an app password.
    pub fn key_required(&self) -> bool {
        self.session.as_ref().is_some_and(|s| s.account.policy.phishing_resistant)
    }

    /// Whether the account has a phishing-resistant method registered.
    pub fn has_key(&self) -> bool {
        self.session
            .as_ref()
            .is_some_and(|s| s.account.methods.iter().any(|m| m.kind.phishing_resistant()))
    }

    /// Where the journey goes once the endpoint has said what comes `next`.
    fn follow(&mut self, next: Next) {
        match next {
            Next::MfaSetup => {
                self.setup = true;
                self.go(Screen::Intro);
            }
            Next::MfaChallenge => self.go(Screen::Challenge),
            _ if self.in_security => self.go(security()),
            _ => self.go(Screen::List { list: None, confirm: None }),
        }
    }

    /// The scopes the next app password may have (the policy's).
    pub fn scope_choices(&self) -> Vec<Scope> {
        self.session
            .as_ref()
            .map(|s| s.account.policy.app_password_scopes.clone())
            .unwrap_or_else(|| vec![Scope::Mail])
    }

    /// The scopes of the next app password: as ticked, else mail (or the policy's first).
    pub fn chosen_scopes(&self) -> Vec<Scope> {
        if let Some(ticked) = &self.drafts.scopes {
            return ticked.clone();
        }
        let choices = self.scope_choices();
        let default = if choices.contains(&Scope::Mail) {
            Some(Scope::Mail)
        } else {
            choices.first().copied()
        };
        default.into_iter().collect()
    }

    /// The lifetimes offered (`None`: never): never, 30, 90, 365 days, within the
    /// policy's maximum when it sets one (then never is not offered, the maximum is).
    pub fn expiry_choices(&self) -> Vec<Option<u32>> {
        let max = self.session.as_ref().and_then(|s| s.account.policy.app_password_max_days);
        let mut choices: Vec<Option<u32>> = match max {
            None => vec![None],
            Some(_) => vec![],
        };
        // In order, the policy's maximum in its place (no sort: its code costs the wasm
        // kilobytes).
        for d in [30, 90, 365] {
            if let Some(m) = max.filter(|m| *m < d && !choices.contains(&Some(*m))) {
                choices.push(Some(m));
            }
            if max.is_none_or(|m| d <= m) {
                choices.push(Some(d));
            }
        }
        if let Some(m) = max.filter(|m| *m > 365) {
            choices.push(Some(m));
        }
        choices
    }

    /// The lifetime of the next app password: as picked, else never (or, under a
    /// maximum, the longest choice up to 90 days).
    pub fn chosen_expiry(&self) -> Option<u32> {
        if let Some(picked) = self.drafts.expiry {
            return picked;
        }
        let choices = self.expiry_choices();
        if choices.contains(&None) {
            return None;
        }
        choices
            .iter()
            .flatten()
            .copied()
            .filter(|d| *d <= 90)
            .max()
            .or(choices.first().copied().flatten())
    }

    /// Whether a request is under way.
    /// The words of `error`: the chunk's (which has every error's) once it has come,
    /// else the first module's (which words the errors only the screens after sign-in
    /// meet as unexpected: a server answering sign-in with one of them).
    pub fn error_message(&self, error: &UiError, lang: Lang) -> String {
        match self.journey {
            Some(journey) => (journey.error_message)(error, lang),
            None => error.message(lang),
        }
    }

    /// The words of the announcement to make, if any.
    pub fn announcement_text(&self, lang: Lang) -> Option<String> {
        let (_, said) = self.announcement.as_ref()?;
        Some(match self.journey {
            Some(journey) => (journey.announcement)(said, lang),
            None => said.text(lang),
        })
    }

    pub fn busy(&self) -> bool {
        self.pending.is_some()
    }

    /// Whether an app password is being created: its answer must reach this screen.
    pub fn creating(&self) -> bool {
        self.pending.is_some_and(|p| p.creates)
    }

    fn go(&mut self, screen: Screen) {
        if matches!(screen, Screen::List { .. } | Screen::SignIn(_) | Screen::Disown(_)) {
            self.in_security = false;
        }
        self.screen = screen;
        self.error = None;
        self.pending = None;
        self.drafts.code.clear();
    }

    /// An error about a field goes once the person edits that field.
    fn edited(&mut self, field: Field) {
        if self.error.as_ref().is_some_and(|e| e.field() == Some(field)) {
            self.error = None;
        }
    }

    fn announce(&mut self, what: Announcement) {
        let seq = self.announcement.as_ref().map_or(0, |(n, _)| n.wrapping_add(1));
        self.announcement = Some((seq, what));
    }

    fn after_sign_in(&mut self, next: Next, reason: Option<NotAvailableReason>) {
        self.setup = next == Next::MfaSetup;
        match next {
            Next::NotAvailable => {
                self.go(Screen::NotAvailable(reason.unwrap_or(NotAvailableReason::MfaNotRequired)))
            }
            Next::MfaSetup => self.go(Screen::Intro),
            Next::MfaChallenge => self.go(Screen::Challenge),
            Next::Ready => self.go(Screen::List { list: None, confirm: None }),
        }
    }

    /// Applies `action`; returns false when it does not apply on the current screen.
    pub fn apply(&mut self, action: Action) -> bool {
        use Screen as S;
        match (action, &self.screen) {
            // The sign-in form's fields; the others' edits are the screens after sign-in's.
            (Action::Edit(field @ (Field::Username | Field::Password), value), _) => {
                match field {
                    Field::Username => self.drafts.username = value,
                    _ => self.drafts.password = Zeroizing::new(value),
                }
                self.edited(field);
            }
            (Action::Started(pending), _) => {
                self.pending = Some(pending);
                self.error = None;
            }
            (Action::Answered(id, answer), _) => {
                if self.pending.is_some_and(|p| p.id == id) {
                    self.pending = None;
                    self.apply(*answer);
                    return true;
                }
                return match *answer {
                    // It exists and can never be shown again: shown wherever the person is.
                    created @ Action::Created(_) => self.apply(created),
                    Action::Expired => self.apply(Action::Expired),
                    Action::Verified { token, .. } | Action::PasswordChanged { token, .. } => {
                        match &mut self.session {
                            // Proven after the person moved on: the screen stays, the token
                            // is still the session's only valid one.
                            Some(s) => {
                                s.token = token;
                                true
                            }
                            None => false,
                        }
                    }
                    _ => false,
                };
            }
            (Action::Failed(error), _) => self.error = Some(error),
            (Action::SsoOffered(sso), _) => self.sso = Some(sso),
            // Signed in (again, at the provider, from a step-up: the new session is it).
            (Action::SignedIn(mut session), S::SignIn(_) | S::Challenge) => {
                self.drafts.password = Zeroizing::default();
                let token = Token::new(std::mem::take(&mut session.token));
                self.session = Some(SignedIn { token, account: session.account });
                self.after_sign_in(session.next, session.reason);
            }
            (Action::Resumed { token, state }, S::SignIn(_)) => {
                self.session = Some(SignedIn { token, account: state.account });
                self.after_sign_in(state.next, state.reason);
            }
            // A session handed over while one is in use: the one in use stays.
            (Action::Resumed { .. }, _) | (Action::Idle, _) => {}
            (Action::OpenNotice(token), _) => {
                self.session = None;
                self.setup = false;
                self.go(S::Disown(token));
            }
            (Action::Expired, _) if self.session.is_some() => {
                self.session = None;
                self.setup = false;
                self.go(S::SignIn(Some(SignInReason::Expired)));
            }
            (Action::SignedOut, _) if self.session.is_some() => {
                self.session = None;
                self.setup = false;
                let username = std::mem::take(&mut self.drafts.username);
                // Signing out on purpose forgets what was typed, but for the username,
                // and what was last said (the next person at this screen must not read it).
                self.drafts = Drafts { username, ..Drafts::default() };
                self.announcement = None;
                self.go(S::SignIn(Some(SignInReason::SignedOut)));
            }
            (Action::Back, _) if self.creating() => return false,
            (Action::Back, _) => match self.back() {
                Some(to) => self.go(to),
                None => return false,
            },
            (Action::Online(up), _) => {
                if up && !self.online {
                    self.announce(Announcement::BackOnline);
                }
                self.online = up;
            }
            (Action::JourneyArrived(rules), _) => self.journey = Some(rules),
            // The screens after sign-in's actions: with their chunk (lazy.rs), which is
            // here before any of them can happen (they come from those screens).
            (action, _) => {
                return self.journey.is_some_and(|journey| (journey.apply)(self, action))
            }
        }
        true
    }

    /// What the actions of the screens after sign-in do (see [`Model::apply`]); in their
    /// chunk (lazy.rs), with them.
    pub fn apply_journey(&mut self, action: Action) -> bool {
        use Screen as S;
        match (action, &self.screen) {
            (Action::Edit(field, value), _) => {
                let d = &mut self.drafts;
                match field {
                    Field::Phone => redraft(&mut d.phone, value, &mut d.enroll_key),
                    Field::Email => redraft(&mut d.email, value, &mut d.enroll_key),
                    Field::KeyName => redraft(&mut d.key_name, value, &mut d.enroll_key),
                    Field::MethodName => d.method_name = value,
                    Field::Name => redraft(&mut d.name, value, &mut d.create_key),
                    Field::Code => d.code = value,
                    Field::CurrentPassword => d.current_password = Zeroizing::new(value),
                    Field::NewPassword => d.new_password = Zeroizing::new(value),
                    Field::Expiry => {
                        let picked = if value == "never" {
                            Some(None)
                        } else {
                            value.parse().ok().map(Some)
                        };
                        if picked.is_some() {
                            redraft(&mut d.expiry, picked, &mut d.create_key);
                        }
                    }
                    // The sign-in form's are [`Model::apply`]'s; scopes are ticked.
                    Field::Username | Field::Password | Field::Scopes => return false,
                }
                self.edited(field);
            }
            (Action::ToggleScope(scope), S::Name) => {
                // Toggled, kept in the canonical order.
                let chosen = self.chosen_scopes();
                let scopes: Vec<Scope> = Scope::ALL
                    .into_iter()
                    .filter(|s| chosen.contains(s) != (*s == scope))
                    .collect();
                // None ticked stays none (the create then says so), not the default.
                self.drafts.scopes = Some(scopes);
                self.drafts.create_key = IdempotencyKey::new();
                self.edited(Field::Scopes);
            }
            // (Only calls after sign-in ask for it: the chunk's rule.) A method of ours to prove, or (signed in at the organization's provider, whose
            // MFA counted) none yet: proving it there anew, or setting one up here.
            (Action::StepUp, _) if self.session.is_some() => {
                let methods = self.session.as_ref().is_some_and(|s| !s.account.methods.is_empty());
                let again = self.sso.as_ref().is_some_and(|sso| sso.provider_mfa);
                match methods || again {
                    true => self.go(S::Challenge),
                    false => self.after_sign_in(Next::MfaSetup, None),
                }
            }
            (Action::ChooseKind(kind), S::Choose) => {
                let d = &mut self.drafts;
                redraft(&mut d.kind, Some(kind), &mut d.enroll_key);
                self.error = None;
            }
            (Action::SetUp, S::Intro) => {
                self.setup = true;
                self.go(S::Choose);
            }
            (Action::ToContact, S::Choose) => match self.drafts.kind {
                Some(MethodKind::Passkey) => self.go(S::KeyName),
                Some(kind) if kind.sends_code() => self.go(S::Contact(kind)),
                _ => return false,
            },
            (Action::Enrolled { enrollment: e, now }, S::Choose | S::Contact(_) | S::KeyName) => {
                match (e.secret, e.otpauth_uri) {
                    _ if e.options.is_some() => {
                        let options = Rc::from(e.options.unwrap_or_default());
                        self.go(S::Key(KeyStep {
                            target: CodeFor::Enrollment { id: e.id },
                            options,
                        }));
                    }
                    (Some(secret), Some(uri)) => self.go(S::Totp(TotpStep {
                        id: e.id,
                        secret: Secret::new(secret),
                        otpauth_uri: Secret::new(uri),
                        copied: None,
                    })),
                    _ => {
                        let destination = e.destination;
                        if let Some(d) = &destination {
                            self.announce(Announcement::CodeSent(d.clone()));
                        }
                        self.go(S::Code(CodeStep {
                            target: CodeFor::Enrollment { id: e.id },
                            kind: e.kind,
                            destination,
                            resend_at: e.resend_after.map(|s| now + f64::from(s) * 1000.0),
                        }));
                    }
                }
                // The enrollment exists now; a new attempt is a new request.
                self.drafts.enroll_key = IdempotencyKey::new();
            }
            (Action::ChallengeStarted { challenge: c, .. }, S::Challenge)
                if c.options.is_some() =>
            {
                let options = Rc::from(c.options.unwrap_or_default());
                let target = CodeFor::Challenge { id: c.id, method: c.method };
                self.go(S::Key(KeyStep { target, options }));
            }
            (Action::ChallengeStarted { challenge: c, now }, S::Challenge) => {
                if let Some(d) = &c.destination {
                    self.announce(Announcement::CodeSent(d.clone()));
                }
                self.go(S::Code(CodeStep {
                    kind: c.method.kind,
                    target: CodeFor::Challenge { id: c.id, method: c.method },
                    destination: c.destination,
                    resend_at: c.resend_after.map(|s| now + f64::from(s) * 1000.0),
                }));
            }
            (Action::CodeSent { sent, now }, S::Code(_)) => {
                self.announce(Announcement::CodeSent(sent.destination.clone()));
                if let S::Code(step) = &mut self.screen {
                    step.destination = Some(sent.destination);
                    step.resend_at = Some(now + f64::from(sent.resend_after) * 1000.0);
                }
                self.error = None;
                self.drafts.code.clear();
            }
            (Action::Verified { method, token, next }, S::Code(_) | S::Totp(_) | S::Key(_)) => {
                if let Some(s) = &mut self.session {
                    s.token = token;
                }
                let is_challenge = matches!(
                    &self.screen,
                    S::Code(CodeStep { target: CodeFor::Challenge { .. }, .. })
                        | S::Key(KeyStep { target: CodeFor::Challenge { .. }, .. })
                );
                if let Some(s) = &mut self.session {
                    if !s.account.methods.iter().any(|m| m.id == method.id) {
                        // The first method is the default (the endpoint's rule).
                        let default = s.account.methods.is_empty();
                        s.account.methods.push(Method { default, ..method.clone() });
                    }
                }
                if is_challenge {
                    self.follow(next);
                } else {
                    self.go(S::Verified { method, next });
                }
            }
            (Action::Next, S::Verified { next, .. }) => match next {
                Next::MfaChallenge => self.go(S::Challenge),
                Next::MfaSetup => self.go(S::Choose),
                _ if self.in_security => self.go(security()),
                _ => self.go(S::Name),
            },
            (Action::Created(created), _) if self.session.is_some() => {
                self.drafts.name.clear();
                (self.drafts.scopes, self.drafts.expiry) = (None, None);
                self.drafts.create_key = IdempotencyKey::new();
                self.go(S::Show { created: created.into(), copied: None });
            }
            (Action::Copied(outcome), S::Show { .. }) => {
                if outcome == Copied::Clipboard {
                    self.announce(Announcement::Copied);
                }
                if let S::Show { copied, .. } = &mut self.screen {
                    *copied = Some(outcome);
                }
            }
            (Action::KeyCopied(outcome), S::Totp(_)) => {
                if outcome == Copied::Clipboard {
                    self.announce(Announcement::KeyCopied);
                }
                if let S::Totp(step) = &mut self.screen {
                    step.copied = Some(outcome);
                }
            }
            (Action::Done, S::Show { .. }) => {
                self.setup = false;
                self.go(S::List { list: None, confirm: None });
            }
            (Action::Listed(fresh), S::List { .. }) => {
                self.setup = false;
                if let S::List { list, .. } = &mut self.screen {
                    *list = Some(fresh);
                }
            }
            (Action::CreateAnother, S::List { .. }) => self.go(S::Name),
            (Action::ToPassword, S::List { .. }) => self.go(S::Password),
            (Action::Disowned(done), S::Disown(_)) => self.go(S::Disowned(done)),
            (Action::ToSecurity, S::List { .. }) => {
                self.go(security());
                self.in_security = true;
            }
            (Action::AddMethod, S::Security { .. }) => {
                self.setup = false;
                self.drafts.kind = None;
                self.go(S::Choose);
            }
            (Action::AskRemove(method), S::Security { .. }) => {
                self.error = None;
                self.screen = S::Security { confirm: Some(method), renaming: None };
            }
            (Action::StartRename(method), S::Security { .. }) => {
                self.error = None;
                self.drafts.method_name = method.label;
                self.screen = S::Security { confirm: None, renaming: Some(method.id) };
            }
            (Action::CancelRemove | Action::CancelRename, S::Security { .. }) => {
                self.error = None;
                self.screen = security();
            }
            (Action::MethodChanged { account, said }, S::Security { .. }) => {
                if let Some(s) = &mut self.session {
                    s.account = account;
                }
                self.announce(said);
                self.drafts.method_name.clear();
                self.go(security());
            }
            (Action::Done, S::Disowned(_)) => self.go(S::SignIn(None)),
            (Action::PasswordChanged { revoked, token }, S::Password) => {
                if let Some(s) = &mut self.session {
                    s.token = token;
                }
                self.drafts.current_password = Zeroizing::default();
                self.drafts.new_password = Zeroizing::default();
                self.go(S::PasswordChanged(revoked));
            }
            (Action::Done, S::PasswordChanged(_)) => self.go(S::List { list: None, confirm: None }),
            (Action::AskDelete(what), S::List { .. }) => {
                self.error = None;
                if let S::List { confirm, .. } = &mut self.screen {
                    *confirm = Some(what);
                }
            }
            (Action::CancelDelete, S::List { .. }) => {
                if let S::List { confirm, .. } = &mut self.screen {
                    *confirm = None;
                }
            }
            (Action::Deleted(what), S::List { .. }) => {
                self.announce(match &what {
                    Confirm::One(p) => Announcement::Deleted(p.name.clone()),
                    Confirm::All => Announcement::DeletedAll,
                });
                if let S::List { list, confirm } = &mut self.screen {
                    *confirm = None;
                    if let Some(list) = list {
                        match &what {
                            Confirm::One(p) => list.items.retain(|i| i.id != p.id),
                            Confirm::All => list.items.clear(),
                        }
                    }
                }
            }
            _ => return false,
        }
        true
    }
}

/// Security info, nothing asked yet.
fn security() -> Screen {
    Screen::Security { confirm: None, renaming: None }
}

/// `value` into the draft `slot`; a change of what is asked draws a new key for its
/// request (a retry of the same request reuses the key).
fn redraft<T: PartialEq>(slot: &mut T, value: T, key: &mut IdempotencyKey) {
    if *slot != value {
        *key = IdempotencyKey::new();
        *slot = value;
    }
}

impl Reducible for Model {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut next = (*self).clone();
        if next.apply(action) {
            Rc::new(next)
        } else {
            self
        }
    }
}

/// The reducer on its own, natively (no browser): how answers find their requests.
#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::panic)]
mod tests {
    use super::*;
    use wire::{Account, Policy};

    /// A model whose screens after sign-in have come (as in the app once their chunk is
    /// here).
    fn model() -> Model {
        let rules = JourneyRules {
            apply: Model::apply_journey,
            error_message: UiError::journey_message,
            announcement: Announcement::journey_text,
        };
        Model { journey: Some(rules), ..Model::default() }
    }

    fn signed_in(screen: Screen) -> Model {
        let account = Account {
            username: "nora@contoso.example".into(),
            display_name: "Nora".into(),
            policy: Policy::default(),
            methods: vec![],
            password_elsewhere: false,
        };
        Model { screen, session: Some(SignedIn { token: Token::new("t1"), account }), ..model() }
    }

    fn list() -> Screen {
        Screen::List { list: None, confirm: None }
    }

    /// Proving MFA again with no method here: the provider anew when its MFA counts
    /// (the challenge screen offers it), else setting one up; never an empty list.
    #[test]
    fn a_step_up_without_a_method_here_offers_the_provider_or_the_setup() {
        let mut m = signed_in(list());
        m.apply(Action::StepUp);
        assert_eq!((m.screen.key(), m.setup), (Screen::Intro.key(), true));
        let mut m = signed_in(list());
        let sso = SsoInfo { name: "Contoso".into(), password_sign_in: true, provider_mfa: true };
        m.apply(Action::SsoOffered(sso));
        m.apply(Action::StepUp);
        assert_eq!(m.screen.key(), Screen::Challenge.key());
    }

    fn created() -> Action {
        Action::Created(NewAppPassword {
            id: "p1".into(),
            name: "Thunderbird".into(),
            created_at: "2026-11-25T10:00:00Z".into(),
            scopes: vec![Scope::Mail],
            expires_at: None,
            password: "abcdefghijklmnop".into(),
        })
    }

    fn start(m: &mut Model, id: u32, creates: bool) {
        assert!(m.apply(Action::Started(Pending { id, creates })));
    }

    fn answer(m: &mut Model, id: u32, action: Action) -> bool {
        m.apply(Action::Answered(id, Box::new(action)))
    }

    #[test]
    fn the_awaited_answer_is_taken_and_ends_the_wait() {
        let mut m = signed_in(list());
        start(&mut m, 1, false);
        assert!(m.busy());
        assert!(answer(&mut m, 1, Action::Failed(UiError::Network)));
        assert_eq!((m.busy(), m.error.clone()), (false, Some(UiError::Network)));
    }

    #[test]
    fn a_notice_link_followed_mid_request_opens_its_page_and_lets_the_session_go() {
        let mut m = signed_in(list());
        start(&mut m, 1, false);
        assert!(m.apply(Action::OpenNotice(Secret::new("t".repeat(64)))));
        assert!(matches!(m.screen, Screen::Disown(_)) && m.session.is_none() && !m.busy());
        // The list that was loading arrives: dropped, the notice's page stays.
        let listed = Action::Listed(AppPasswordList { items: vec![], limit: 40 });
        assert!(!answer(&mut m, 1, listed));
        assert!(matches!(m.screen, Screen::Disown(_)));
    }

    #[test]
    fn an_answer_after_back_or_to_an_older_request_is_dropped() {
        // After Back: nothing pending any more.
        let mut m = signed_in(Screen::Contact(MethodKind::Sms));
        m.setup = true;
        start(&mut m, 1, false);
        assert!(m.apply(Action::Back));
        assert_eq!(m.screen, Screen::Choose);
        assert!(!m.busy(), "Back ends the wait");
        assert!(!answer(&mut m, 1, Action::Failed(UiError::Network)));
        assert_eq!((m.screen.clone(), m.error.clone()), (Screen::Choose, None));

        // Out of order: request 2 started, request 1's answer comes last.
        let mut m = signed_in(list());
        start(&mut m, 1, false);
        start(&mut m, 2, false);
        assert!(!answer(&mut m, 1, Action::Failed(UiError::Network)));
        assert!(m.busy(), "still waiting for request 2");
        assert_eq!(m.error, None);
        assert!(answer(&mut m, 2, Action::Listed(AppPasswordList { items: vec![], limit: 25 })));
        assert!(!m.busy());
    }

    #[test]
    fn a_created_app_password_is_shown_even_when_its_answer_is_late() {
        let mut m = signed_in(Screen::Name);
        start(&mut m, 1, true);
        start(&mut m, 2, false); // say, the host handed over a session meanwhile
        assert!(answer(&mut m, 1, created()));
        let Screen::Show { created: shown, .. } = &m.screen else { panic!("{:?}", m.screen) };
        assert_eq!(shown.password.expose(), "abcdefghijklmnop");

        // Even on another screen, as long as the session is the one that created it.
        let mut m = signed_in(list());
        assert!(answer(&mut m, 9, created()));
        assert!(matches!(m.screen, Screen::Show { .. }));
        // Not once signed out: the secret is not shown to whoever sits down next.
        let mut m = model();
        assert!(!answer(&mut m, 9, created()));
    }

    #[test]
    fn back_waits_while_an_app_password_is_created() {
        let mut m = signed_in(Screen::Name);
        start(&mut m, 1, true);
        assert!(m.creating());
        assert!(!m.apply(Action::Back), "Back is refused during a create");
        assert_eq!(m.screen, Screen::Name);
        start(&mut m, 2, false);
        assert!(!m.creating());
    }

    #[test]
    fn late_answers_that_must_not_be_lost_still_count() {
        // A rotated token: the old one no longer works.
        let mut m = signed_in(list());
        let method = method("m1", MethodKind::Totp);
        let verified = Action::Verified { method, token: Token::new("t2"), next: Next::Ready };
        assert!(answer(&mut m, 4, verified));
        assert_eq!(m.session.as_ref().unwrap().token, Token::new("t2"));
        assert_eq!(m.screen, list(), "the screen stays");
        // An ended session ends, whichever request found out.
        assert!(answer(&mut m, 5, Action::Expired));
        assert_eq!(m.screen, Screen::SignIn(Some(SignInReason::Expired)));
    }

    fn method(id: &str, kind: MethodKind) -> Method {
        Method {
            id: id.into(),
            kind,
            label: "Key".into(),
            last_used_at: None,
            added_at: "2026-12-01T09:00:00Z".into(),
            default: false,
        }
    }

    fn key_enrollment(options: Option<&str>) -> Enrollment {
        Enrollment {
            id: "e1".into(),
            kind: MethodKind::Passkey,
            secret: None,
            otpauth_uri: None,
            destination: None,
            resend_after: None,
            expires_at: None,
            options: options.map(str::to_owned),
        }
    }

    #[test]
    fn a_security_key_is_named_then_registered_and_back_retraces_the_steps() {
        let mut m = signed_in(Screen::Choose);
        m.setup = true;
        assert!(m.apply(Action::ChooseKind(MethodKind::Passkey)));
        assert!(m.apply(Action::ToContact));
        assert_eq!((m.screen.clone(), m.step()), (Screen::KeyName, Some(2)));
        let enrolled = Action::Enrolled { enrollment: key_enrollment(Some("{}")), now: 0.0 };
        assert!(m.apply(enrolled));
        let target = CodeFor::Enrollment { id: "e1".into() };
        assert_eq!(m.screen, Screen::Key(KeyStep { target, options: Rc::from("{}") }));
        assert_eq!(m.step(), Some(3));
        assert_eq!(m.back(), Some(Screen::Choose));
        let key = method("k1", MethodKind::Passkey);
        let verified =
            Action::Verified { method: key.clone(), token: Token::new("t2"), next: Next::Ready };
        assert!(m.apply(verified));
        assert_eq!(m.screen, Screen::Verified { method: key, next: Next::Ready });
        assert!(m.apply(Action::Next));
        assert_eq!(m.screen, Screen::Name);
    }

    #[test]
    fn where_a_proof_leads_follows_what_the_endpoint_says_comes_next() {
        // A key proven on the challenge screen: ready.
        let challenge = |next| {
            let mut m = signed_in(Screen::Challenge);
            let c = Challenge {
                id: "c1".into(),
                method: method("k1", MethodKind::Passkey),
                destination: None,
                resend_after: None,
                expires_at: None,
                options: Some("{}".into()),
            };
            assert!(m.apply(Action::ChallengeStarted { challenge: c, now: 0.0 }));
            assert!(matches!(m.screen, Screen::Key(_)));
            assert_eq!(m.back(), Some(Screen::Challenge));
            let v = Action::Verified {
                method: method("k1", MethodKind::Passkey),
                token: Token::new("t2"),
                next,
            };
            assert!(m.apply(v));
            m
        };
        assert_eq!(challenge(Next::Ready).screen, list());
        // A code under the phishing-resistant policy: a key is still to be proven, or
        // to be registered first.
        assert_eq!(challenge(Next::MfaChallenge).screen, Screen::Challenge);
        let m = challenge(Next::MfaSetup);
        assert_eq!((m.screen, m.setup), (Screen::Intro, true));
        // A code method registered under that policy: "Next" leads to the key.
        let mut m = signed_in(Screen::Verified {
            method: method("t1", MethodKind::Totp),
            next: Next::MfaSetup,
        });
        assert!(m.apply(Action::Next));
        assert_eq!(m.screen, Screen::Choose);
    }

    #[test]
    fn the_lifetimes_offered_follow_the_policy() {
        let mut m = signed_in(Screen::Name);
        assert_eq!(m.expiry_choices(), [None, Some(30), Some(90), Some(365)]);
        assert_eq!(m.chosen_expiry(), None, "never, by default");
        let max = |m: &mut Model, days| {
            m.session.as_mut().unwrap().account.policy.app_password_max_days = Some(days);
        };
        max(&mut m, 365);
        assert_eq!(
            (m.expiry_choices(), m.chosen_expiry()),
            (vec![Some(30), Some(90), Some(365)], Some(90))
        );
        max(&mut m, 60);
        assert_eq!((m.expiry_choices(), m.chosen_expiry()), (vec![Some(30), Some(60)], Some(60)));
        max(&mut m, 7);
        assert_eq!((m.expiry_choices(), m.chosen_expiry()), (vec![Some(7)], Some(7)));
        max(&mut m, 400);
        assert_eq!(m.expiry_choices(), [Some(30), Some(90), Some(365), Some(400)]);
        max(&mut m, 90);
        assert_eq!(m.expiry_choices(), [Some(30), Some(90)]);
        m.apply(Action::Edit(Field::Expiry, "30".into()));
        assert_eq!(m.chosen_expiry(), Some(30), "picked");
    }

    #[test]
    fn scopes_start_at_mail_and_unticking_all_stays_empty() {
        let mut m = signed_in(Screen::Name);
        assert_eq!(m.chosen_scopes(), [Scope::Mail]);
        let key = m.drafts.create_key.clone();
        assert!(m.apply(Action::ToggleScope(Scope::Dav)));
        assert_eq!(m.chosen_scopes(), [Scope::Mail, Scope::Dav]);
        assert_ne!(m.drafts.create_key, key, "another request: another key");
        m.apply(Action::ToggleScope(Scope::Mail));
        m.apply(Action::ToggleScope(Scope::Dav));
        assert!(m.chosen_scopes().is_empty());
        m.session.as_mut().unwrap().account.policy.app_password_scopes = vec![Scope::Dav];
        m.drafts.scopes = None;
        assert_eq!(m.chosen_scopes(), [Scope::Dav], "the policy's first when mail is not allowed");
    }
}

#[cfg(test)]
mod without_the_chunk {
    use super::*;

    #[test]
    fn before_the_screens_after_sign_in_come_their_actions_are_refused_and_their_errors_unexpected()
    {
        let mut m = Model::default();
        assert!(!m.apply(Action::ChooseKind(MethodKind::Totp)), "no rules for it yet");
        m.error = Some(UiError::CodeExpired);
        let unexpected = UiError::Unexpected { reference: None }.message(Lang::En);
        assert_eq!(m.error_message(&UiError::CodeExpired, Lang::En), unexpected);
        let rules = JourneyRules {
            apply: Model::apply_journey,
            error_message: UiError::journey_message,
            announcement: Announcement::journey_text,
        };
        assert!(m.apply(Action::JourneyArrived(rules)));
        assert_ne!(m.error_message(&UiError::CodeExpired, Lang::En), unexpected);
        m.screen = Screen::Choose;
        assert!(m.apply(Action::ChooseKind(MethodKind::Totp)), "applied once they came");
    }
}
