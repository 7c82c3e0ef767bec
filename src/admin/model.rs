//! The helpdesk view as one model and its reducer, on the pattern of the person's app
//! (`state.rs`): what the page shows, changed only by [`AdminAction`]s. Every request is
//! numbered ([`AdminAction::Started`]); an answer or a failure is taken only while its
//! request is the one awaited, so a page answered after the helpdesk went back, or a
//! search answered after another was sent, is dropped. No I/O here (`effects.rs`).

use wire::admin::{AdminUser, AuditEntry, UserSummary};
use wire::{MethodKind, Policy, Scope};

use crate::api::AdminAct;
use crate::i18n::AdminMsg;

/// What the helpdesk page shows.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct AdminModel {
    /// What is typed in the search field.
    pub query: String,
    /// The last search's query and the accounts it found.
    pub results: Option<(String, Vec<UserSummary>)>,
    /// The account whose page is open.
    pub user: Option<AdminUser>,
    /// What the helpdesk did to it, newest first.
    pub audit: Vec<AuditEntry>,
    /// An action waiting for the helpdesk's confirmation.
    pub confirm: Option<AdminAct>,
    /// The policy as the helpdesk is editing it.
    pub policy: Option<Policy>,
    /// The number of the request under way, if any: buttons that send are disabled.
    pub pending: Option<u32>,
    pub error: Option<AdminMsg>,
    /// The page was opened again after an action: it says the action was done.
    pub done: bool,
    /// The helpdesk signed out of this view: its admin token is ended.
    pub signed_out: bool,
}

/// A change the helpdesk makes to the policy being edited.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PolicyEdit {
    MfaRequired,
    AppPasswordsAllowed,
    Method(MethodKind),
    Scope(Scope),
}

/// Everything that changes the model.
#[derive(Clone, Debug, PartialEq)]
pub enum AdminAction {
    EditQuery(String),
    /// Request `n` is sent: the one whose answer is awaited.
    Started(u32),
    /// The answer of request `n`.
    Answered(u32, Box<AdminAction>),
    /// Request `n` failed, with the message to show.
    Failed(u32, AdminMsg),
    Found {
        query: String,
        items: Vec<UserSummary>,
    },
    /// An account's page (`done`: after an action on it).
    Opened {
        user: Box<AdminUser>,
        audit: Vec<AuditEntry>,
        done: bool,
    },
    Ask(AdminAct),
    Cancel,
    /// Back to the search, from an account's page.
    Back,
    EditPolicy(PolicyEdit),
    /// Signed out: nothing of the page is kept.
    SignedOut,
}

impl AdminModel {
    pub fn busy(&self) -> bool {
        self.pending.is_some()
    }

    /// Applies `action`; false when it does not apply (an answer no longer awaited).
    pub fn apply(&mut self, action: AdminAction) -> bool {
        use AdminAction as A;
        match action {
            A::EditQuery(q) => self.query = q,
            A::Started(n) => {
                self.pending = Some(n);
                self.error = None;
            }
            A::Answered(n, answer) if self.pending == Some(n) => {
                self.pending = None;
                return self.apply(*answer);
            }
            A::Failed(n, message) if self.pending == Some(n) => {
                self.pending = None;
                self.confirm = None;
                self.error = Some(message);
            }
            A::Answered(..) | A::Failed(..) => return false,
            A::Found { query, items } => self.results = Some((query, items)),
            A::Opened { user, audit, done } => {
                self.policy = Some(user.policy.clone());
                self.user = Some(*user);
                self.audit = audit;
                self.confirm = None;
                self.done = done;
            }
            A::Ask(what) if self.user.is_some() && !self.busy() => {
                self.confirm = Some(what);
                self.done = false;
            }
            A::Ask(_) => return false,
            A::Cancel => self.confirm = None,
            A::Back => {
                // What was under way for the page is no longer awaited.
                self.pending = None;
                self.user = None;
                self.policy = None;
                self.confirm = None;
                self.error = None;
                self.done = false;
                self.audit = Vec::new();
            }
            A::SignedOut => *self = Self { signed_out: true, ..Self::default() },
            A::EditPolicy(edit) => {
                let Some(p) = &mut self.policy else { return false };
                match edit {
                    PolicyEdit::MfaRequired => p.mfa_required = !p.mfa_required,
                    PolicyEdit::AppPasswordsAllowed => {
                        p.app_passwords_allowed = !p.app_passwords_allowed
                    }
                    PolicyEdit::Method(k) => flip(&mut p.allowed_methods, k),
                    PolicyEdit::Scope(s) => flip(&mut p.app_password_scopes, s),
                }
                self.done = false;
            }
        }
        true
    }
}

impl yew::Reducible for AdminModel {
    type Action = AdminAction;

    fn reduce(self: std::rc::Rc<Self>, action: AdminAction) -> std::rc::Rc<Self> {
        let mut next = (*self).clone();
        if next.apply(action) {
            std::rc::Rc::new(next)
        } else {
            self
        }
    }
}

/// `item` taken out of `list` when it is in, put in when it is not (a ticked box).
fn flip<T: PartialEq>(list: &mut Vec<T>, item: T) {
    if list.contains(&item) {
        list.retain(|x| *x != item);
    } else {
        list.push(item);
    }
}

/// The reducer on its own, natively: how answers find their requests.
#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use wire::admin::AppPasswordsOffer;

    use super::*;

    fn user(name: &str) -> AdminUser {
        AdminUser {
            username: name.into(),
            display_name: name.into(),
            disabled: false,
            mfa_locked: false,
            policy: Policy::default(),
            app_passwords_offer: AppPasswordsOffer::Offered,
            directory: None,
            provisioned: false,
            methods: vec![],
            app_passwords: vec![],
        }
    }

    fn opened(name: &str, done: bool) -> AdminAction {
        AdminAction::Opened { user: Box::new(user(name)), audit: vec![], done }
    }

    fn answer(m: &mut AdminModel, n: u32, a: AdminAction) -> bool {
        m.apply(AdminAction::Answered(n, Box::new(a)))
    }

    #[test]
    fn a_page_answered_after_the_helpdesk_went_back_is_dropped() {
        let mut m = AdminModel::default();
        m.apply(AdminAction::Started(1));
        assert!(m.busy());
        m.apply(AdminAction::Back);
        assert!(!m.busy(), "going back ends the wait");
        assert!(!answer(&mut m, 1, opened("nora", false)), "the late page is dropped");
        assert_eq!(m.user, None);
    }

    #[test]
    fn only_the_last_request_is_answered_and_an_older_failure_says_nothing() {
        let mut m = AdminModel::default();
        m.apply(AdminAction::Started(1));
        m.apply(AdminAction::Started(2));
        let found = |q: &str| AdminAction::Found { query: q.into(), items: vec![] };
        assert!(!answer(&mut m, 1, found("nor")));
        assert!(!m.apply(AdminAction::Failed(1, AdminMsg::AdminErrorOther)));
        assert_eq!((m.results.clone(), m.error), (None, None));
        assert!(answer(&mut m, 2, found("nora")));
        assert_eq!(m.results.as_ref().map(|(q, _)| q.as_str()), Some("nora"));
        assert!(!answer(&mut m, 2, found("again")), "an answer is taken once");
    }

    #[test]
    fn an_action_is_asked_then_confirmed_and_its_page_comes_back_with_done() {
        let mut m = AdminModel::default();
        assert!(!m.apply(AdminAction::Ask(AdminAct::ResetMfa)), "no page open");
        m.apply(AdminAction::Started(1));
        answer(&mut m, 1, opened("nora", false));
        assert!(m.apply(AdminAction::Ask(AdminAct::ResetMfa)));
        m.apply(AdminAction::Started(2));
        assert!(!m.apply(AdminAction::Ask(AdminAct::RevokeAll)), "not while one is under way");
        assert!(answer(&mut m, 2, opened("nora", true)));
        assert_eq!((m.confirm.clone(), m.done), (None, true));
        // A failed action: the question goes, the reason shows.
        m.apply(AdminAction::Ask(AdminAct::RevokeAll));
        m.apply(AdminAction::Started(3));
        m.apply(AdminAction::Failed(3, AdminMsg::AdminErrorForbidden));
        assert_eq!((m.confirm.clone(), m.error), (None, Some(AdminMsg::AdminErrorForbidden)));
    }

    #[test]
    fn the_policy_is_edited_on_its_own_copy_until_saved() {
        let mut m = AdminModel::default();
        assert!(!m.apply(AdminAction::EditPolicy(PolicyEdit::MfaRequired)), "no page open");
        m.apply(AdminAction::Started(1));
        answer(&mut m, 1, opened("nora", false));
        m.apply(AdminAction::EditPolicy(PolicyEdit::Method(MethodKind::Sms)));
        m.apply(AdminAction::EditPolicy(PolicyEdit::MfaRequired));
        let edited = m.policy.clone().unwrap();
        assert!(!edited.allowed_methods.contains(&MethodKind::Sms) && !edited.mfa_required);
        assert!(m.user.as_ref().unwrap().policy.mfa_required, "the account's stays as it is");
    }
}
