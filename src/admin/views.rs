//! The helpdesk view's screens: the search, and one account's page with its policy.
//! Plain functions of the model; what the helpdesk asks for goes up as an
//! [`AdminIntent`].

use wire::admin::{AppPasswordsOffer, AuditAction, DirectoryStanding};
use wire::{MethodKind, Scope};
use yew::prelude::*;

use super::effects::AdminIntent;
use super::model::{AdminModel, PolicyEdit};
use crate::api::AdminAct;
use crate::components::card::Card;
use crate::components::method_name::method_name;
use crate::i18n::{kind_texts, method_label};
use crate::i18n::{AdminMsg as A, Lang};
use crate::screens::name::scope_texts;

/// The page the model is on.
pub fn page(m: &AdminModel, lang: Lang, on: &Callback<AdminIntent>) -> Html {
    if m.signed_out {
        return html! {
            { Card::new(lang.text(A::AdminSignedOutTitle)).view(lang, html! { <>
                <p role="status">{ lang.text(A::AdminSignedOut) }</p>
            </> }) }
        };
    }
    let content = match &m.user {
        None => search(m, lang, on),
        Some(_) => account(m, lang, on),
    };
    html! {
        <>
            { content }
            <p class="ap-admin-sign-out">
                <button type="button" class="ap-link" onclick={on.reform(|_| AdminIntent::SignOut)}>
                    { lang.text(A::AdminSignOut) }
                </button>
            </p>
        </>
    }
}

fn error(m: &AdminModel, lang: Lang) -> Html {
    m.error.map_or_else(
        Html::default,
        |e| html! { <p class="ap-error" role="alert">{ lang.text(e) }</p> },
    )
}

/// The question before an action, with its Confirm and Cancel.
fn confirm_box(m: &AdminModel, lang: Lang, on: &Callback<AdminIntent>, question: String) -> Html {
    html! {
        <div class="ap-confirm" role="group" aria-labelledby="ap-confirm-q">
            <p id="ap-confirm-q">{ question }</p>
            <button type="button" class="ap-button ap-button--danger-solid" disabled={m.busy()}
                onclick={on.reform(|_| AdminIntent::Confirm)}>{ lang.text(A::AdminConfirm) }</button>
            <button type="button" class="ap-button ap-button--secondary"
                onclick={on.reform(|_| AdminIntent::Cancel)}>{ lang.text(A::AdminCancel) }</button>
        </div>
    }
}

fn search(m: &AdminModel, lang: Lang, on: &Callback<AdminIntent>) -> Html {
    let oninput = on.reform(|e: InputEvent| {
        let input: web_sys::HtmlInputElement = e.target_unchecked_into();
        AdminIntent::EditQuery(input.value())
    });
    let onsubmit = on.reform(|e: SubmitEvent| {
        e.prevent_default();
        AdminIntent::Search
    });
    let results = m.results.as_ref().map(|(q, items)| {
        if items.is_empty() {
            return html! { <p role="status">{ lang.text_with(A::AdminNoMatch, &[("q", q)]) }</p> };
        }
        html! {
            <ul class="ap-items" aria-live="polite">
                { for items.iter().map(|u| {
                    let name = u.username.clone();
                    let onclick = on.reform(move |_| AdminIntent::Open(name.clone()));
                    html! {
                        <li class="ap-item" key={u.username.clone()}>
                            <div class="ap-item__text">
                                <span class="ap-item__name">{ u.display_name.clone() }</span>
                                <span class="ap-hint">{ u.username.clone() }
                                    if u.disabled { { " · " }{ lang.text(A::AdminDisabled) } }
                                </span>
                            </div>
                            <button type="button" class="ap-button ap-button--secondary" {onclick}
                                data-user={u.username.clone()}>{ u.username.clone() }</button>
                        </li>
                    }
                }) }
            </ul>
        }
    });
    html! {
        { Card::new(lang.text(A::AdminTitle)).view(lang, html! { <>
            <form class="ap-form" method="dialog" {onsubmit}>
                <div class="ap-field">
                    <label for="ap-admin-q">{ lang.text(A::AdminSearchLabel) }</label>
                    <p class="ap-hint" id="ap-admin-q-hint">{ lang.text(A::AdminSearchHint) }</p>
                    <input id="ap-admin-q" type="search" autocomplete="off" spellcheck="false"
                        aria-describedby="ap-admin-q-hint" value={m.query.clone()} {oninput} />
                </div>
                <button type="submit" class="ap-button ap-button--primary" disabled={m.busy()}>
                    { lang.text(A::AdminSearch) }</button>
            </form>
            { error(m, lang) }
            { for results }
        </> }) }
    }
}

fn account(m: &AdminModel, lang: Lang, on: &Callback<AdminIntent>) -> Html {
    let Some(user) = &m.user else { return Html::default() };
    let offer = match user.app_passwords_offer {
        AppPasswordsOffer::Offered => A::AdminOfferOffered,
        AppPasswordsOffer::MfaNotRequired => A::AdminOfferMfaNotRequired,
        AppPasswordsOffer::AppPasswordsOff => A::AdminOfferAppPasswordsOff,
        AppPasswordsOffer::NoMethodYet => A::AdminOfferNoMethodYet,
        AppPasswordsOffer::AccountDisabled => A::AdminOfferAccountDisabled,
    };
    let asking = |what: &AdminAct| m.confirm.as_ref() == Some(what);
    let ask = |what: AdminAct| on.reform(move |_: MouseEvent| AdminIntent::Ask(what.clone()));
    let methods = user.methods.iter().map(|method| {
        let what = AdminAct::RemoveMethod(method.id.clone());
        let label = method_label(method, lang);
        html! {
            <li class="ap-item" key={method.id.clone()}>
                <div class="ap-item__text">
                    // The one offered first at their next sign-in (they pick it in
                    // Security info): what the helpdesk reads to them.
                    { method_name(&label, method.default.then(|| lang.text(A::AdminDefaultMethod))) }
                </div>
                if asking(&what) {
                    { confirm_box(m, lang, on, lang.text_with(A::AdminConfirmRemove, &[("name", &label)])) }
                } else {
                    <button type="button" class="ap-button ap-button--danger" disabled={m.busy()}
                        data-remove-method={method.id.clone()} onclick={ask(what)}>{ lang.text(A::AdminRemove) }</button>
                }
            </li>
        }
    });
    let passwords = user.app_passwords.iter().map(|p| {
        let what = AdminAct::Revoke(p.id.clone());
        let used = p.last_used_at.as_ref().map_or_else(
            || lang.text(A::AdminNeverUsed).to_owned(),
            |at| lang.text_with(A::AdminLastUsed, &[("date", &lang.datetime(at))]),
        );
        html! {
            <li class="ap-item" key={p.id.clone()}>
                <div class="ap-item__text">
                    <span class="ap-item__name">{ p.name.clone() }</span>
                    <span class="ap-hint">{ lang.text_with(A::AdminCreated, &[("date", &lang.datetime(&p.created_at))]) }{ " · " }{ used }</span>
                </div>
                if asking(&what) {
                    { confirm_box(m, lang, on, lang.text_with(A::AdminConfirmRevoke, &[("name", &p.name)])) }
                } else {
                    <button type="button" class="ap-button ap-button--danger" disabled={m.busy()}
                        data-revoke={p.id.clone()} onclick={ask(what)}>{ lang.text(A::AdminRevoke) }</button>
                }
            </li>
        }
    });
    let audit = m.audit.iter().map(|e| {
        let action = lang.text(audit_text(e.action));
        html! { <li>{ lang.text_with(A::AdminAuditLine, &[("date", &lang.datetime(&e.at)), ("action", &action), ("actor", &e.actor)]) }</li> }
    });
    html! {
        { Card::new(user.display_name.clone()).lead(user.username.clone()).on_back(on.reform(|()| AdminIntent::Back)).view(lang, html! { <>
            <h2 class="ap-subtitle">{ lang.text(A::AdminWhy) }</h2>
            <p data-offer="">{ lang.text(offer) }</p>
            if let Some(d) = &user.directory {
                <p data-directory="">{ lang.text_with(directory_text(d.status), &[("date", &lang.datetime(&d.seen_at))]) }</p>
            }
            if user.provisioned { <p data-provisioned="">{ lang.text(A::AdminProvisioned) }</p> }
            if user.mfa_locked {
                <p class="ap-note">{ lang.text(A::AdminLocked) }</p>
                if asking(&AdminAct::UnlockMfa) {
                    { confirm_box(m, lang, on, lang.text(A::AdminConfirmUnlock).to_owned()) }
                } else {
                    <button type="button" class="ap-button ap-button--secondary" disabled={m.busy()}
                        onclick={ask(AdminAct::UnlockMfa)}>{ lang.text(A::AdminUnlockMfa) }</button>
                }
            }
            if m.done { <p class="ap-note" role="status">{ lang.text(A::AdminDone) }</p> }
            { error(m, lang) }
            <h2 class="ap-subtitle">{ lang.text(A::AdminMethods) }</h2>
            if user.methods.is_empty() {
                <p>{ lang.text(A::AdminNoMethods) }</p>
            } else {
                <ul class="ap-items">{ for methods }</ul>
            }
            <h2 class="ap-subtitle">{ lang.text(A::AdminAppPasswords) }</h2>
            if user.app_passwords.is_empty() {
                <p>{ lang.text(A::AdminNoAppPasswords) }</p>
            } else {
                <ul class="ap-items">{ for passwords }</ul>
            }
            <div class="ap-actions">
                if asking(&AdminAct::RevokeAll) {
                    { confirm_box(m, lang, on, lang.text(A::AdminConfirmRevokeAll).to_owned()) }
                } else if !user.app_passwords.is_empty() {
                    <button type="button" class="ap-button ap-button--danger" disabled={m.busy()}
                        onclick={ask(AdminAct::RevokeAll)}>{ lang.text(A::AdminRevokeAll) }</button>
                }
                if asking(&AdminAct::ResetMfa) {
                    { confirm_box(m, lang, on, lang.text(A::AdminConfirmReset).to_owned()) }
                } else if !user.methods.is_empty() {
                    <button type="button" class="ap-button ap-button--danger" disabled={m.busy()}
                        onclick={ask(AdminAct::ResetMfa)}>{ lang.text(A::AdminResetMfa) }</button>
                }
                if asking(&AdminAct::Disable) {
                    { confirm_box(m, lang, on, lang.text(A::AdminConfirmDisable).to_owned()) }
                } else if asking(&AdminAct::Enable) {
                    { confirm_box(m, lang, on, lang.text(A::AdminConfirmEnable).to_owned()) }
                } else if user.disabled {
                    <button type="button" class="ap-button ap-button--secondary" disabled={m.busy()}
                        onclick={ask(AdminAct::Enable)}>{ lang.text(A::AdminEnable) }</button>
                } else {
                    <button type="button" class="ap-button ap-button--danger" disabled={m.busy()}
                        onclick={ask(AdminAct::Disable)}>{ lang.text(A::AdminDisable) }</button>
                }
            </div>
            { policy_form(m, lang, on) }
            <h2 class="ap-subtitle">{ lang.text(A::AdminAudit) }</h2>
            if m.audit.is_empty() {
                <p>{ lang.text(A::AdminAuditEmpty) }</p>
            } else {
                <ul class="ap-audit">{ for audit }</ul>
            }
        </> }) }
    }
}

/// The policy, as checkboxes, saved behind a confirmation.
fn policy_form(m: &AdminModel, lang: Lang, on: &Callback<AdminIntent>) -> Html {
    let Some(policy) = &m.policy else { return Html::default() };
    let check = |id: String, label: String, checked: bool, edit: PolicyEdit| {
        let onchange = on.reform(move |_: Event| AdminIntent::EditPolicy(edit));
        html! {
            <label class="ap-choice" for={id.clone()}>
                <input type="checkbox" id={id} {checked} {onchange} />
                <span class="ap-choice__text"><span class="ap-choice__name">{ label }</span></span>
            </label>
        }
    };
    let methods = MethodKind::ALL.iter().map(|&k| {
        let label = lang.text(kind_texts(k).0).to_owned();
        let on = policy.allowed_methods.contains(&k);
        check(format!("ap-policy-{}", k.as_str()), label, on, PolicyEdit::Method(k))
    });
    let scopes = Scope::ALL.iter().map(|&s| {
        let label = lang.text(scope_texts(s).0).to_owned();
        let on = policy.app_password_scopes.contains(&s);
        check(format!("ap-policy-scope-{}", s.as_str()), label, on, PolicyEdit::Scope(s))
    });
    let save = AdminAct::SetPolicy(policy.clone());
    let asking = m.confirm.as_ref().is_some_and(|c| matches!(c, AdminAct::SetPolicy(_)));
    html! {
        <>
            <h2 class="ap-subtitle">{ lang.text(A::AdminPolicy) }</h2>
            <div class="ap-choices">
                { check("ap-policy-mfa".into(), lang.text(A::AdminPolicyMfa).into(), policy.mfa_required, PolicyEdit::MfaRequired) }
                { check("ap-policy-app-passwords".into(), lang.text(A::AdminPolicyAppPasswords).into(), policy.app_passwords_allowed, PolicyEdit::AppPasswordsAllowed) }
            </div>
            <fieldset class="ap-choices">
                <legend class="ap-label">{ lang.text(A::AdminPolicyMethods) }</legend>
                { for methods }
            </fieldset>
            <fieldset class="ap-choices">
                <legend class="ap-label">{ lang.text(A::AdminPolicyScopes) }</legend>
                { for scopes }
            </fieldset>
            if asking {
                { confirm_box(m, lang, on, lang.text(A::AdminConfirmPolicy).to_owned()) }
            } else {
                <button type="button" class="ap-button ap-button--secondary" disabled={m.busy()}
                    onclick={on.reform(move |_| AdminIntent::Ask(save.clone()))}>{ lang.text(A::AdminPolicySave) }</button>
            }
        </>
    }
}

/// What the organization's directory says of the person (their password is set there).
fn directory_text(status: DirectoryStanding) -> A {
    match status {
        DirectoryStanding::Active => A::AdminDirectoryActive,
        DirectoryStanding::Locked => A::AdminDirectoryLocked,
        DirectoryStanding::Disabled => A::AdminDirectoryDisabled,
        DirectoryStanding::Deleted => A::AdminDirectoryDeleted,
        DirectoryStanding::Unknown => A::AdminDirectoryUnknown,
    }
}

fn audit_text(action: AuditAction) -> A {
    match action {
        AuditAction::RemoveMethod => A::AdminActionRemoveMethod,
        AuditAction::ResetMfa => A::AdminActionResetMfa,
        AuditAction::UnlockMfa => A::AdminActionUnlockMfa,
        AuditAction::RevokeAppPassword => A::AdminActionRevokeAppPassword,
        AuditAction::RevokeAllAppPasswords => A::AdminActionRevokeAllAppPasswords,
        AuditAction::SetPolicy => A::AdminActionSetPolicy,
        AuditAction::Disable => A::AdminActionDisable,
        AuditAction::Enable => A::AdminActionEnable,
        AuditAction::SetPassword => A::AdminActionSetPassword,
        AuditAction::RenameMethod => A::AdminActionRenameMethod,
        AuditAction::PreferMethod => A::AdminActionPreferMethod,
        AuditAction::Create => A::AdminActionCreate,
        AuditAction::Delete => A::AdminActionDelete,
        AuditAction::Unknown => A::AdminActionOther,
    }
}
