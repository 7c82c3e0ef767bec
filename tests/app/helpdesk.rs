//! The helpdesk view (the admin mode, `--features admin`) against the fake endpoint:
//! its answers, held back, find the helpdesk where it has gone since.

use std::cell::RefCell;
use std::rc::Rc;

use app_passwords::admin::{AdminApp, AdminEndpointRef, AdminProps};
use app_passwords::api::{AdminAct, AdminEndpoint, Reply, Token};
use app_passwords::i18n::Lang;
use wasm_bindgen_test::*;
use wire::admin::{
    AdminUser, AppPasswordsOffer, AuditLog, DirectoryInfo, DirectoryStanding, UserList, UserSummary,
};
use wire::{ErrorCode, Next, Policy};

use crate::fake::{self, Fake};
use crate::{settle, Ui};

/// What the helpdesk view told its host: each action's name and account.
type Told = Rc<RefCell<Vec<(&'static str, String)>>>;

impl Ui<AdminApp> {
    async fn mount_helpdesk(fake: Rc<Fake>) -> (Self, Told) {
        let root = gloo_utils::document().create_element("div").unwrap();
        gloo_utils::document().body().unwrap().append_child(&root).unwrap();
        let told: Told = Rc::default();
        let sink = told.clone();
        let props = AdminProps {
            endpoint: "".into(),
            lang: Lang::En,
            token: Some(Token::new("admin-token")),
            on_action: yew::Callback::from(move |a| sink.borrow_mut().push(a)),
            api: Some(AdminEndpointRef(fake.clone())),
        };
        let handle = yew::Renderer::<AdminApp>::with_root_and_props(root.clone(), props).render();
        let ui = Self::new(root, fake, handle);
        ui.until("the helpdesk rendered", |ui| ui.has("h1")).await;
        (ui, told)
    }
}

const NORA: &str = "nora@contoso.example";
/// A person of the organization's directory, which has locked her, and whom its identity
/// system provisions.
const ADA: &str = "ada.lovelace@contoso.example";

impl AdminEndpoint for Fake {
    fn admin_find(&self, _: &Token, q: &str) -> Reply<UserList> {
        let found = self.gate("admin_find", false).map(|()| {
            let items = [NORA, "noah@contoso.example", ADA]
                .into_iter()
                .filter(|u| u.contains(q))
                .map(|u| UserSummary {
                    username: u.into(),
                    display_name: u.into(),
                    disabled: false,
                })
                .collect();
            UserList { items }
        });
        self.reply(found)
    }

    fn admin_user(&self, _: &Token, username: &str) -> Reply<AdminUser> {
        let user = self.gate("admin_user", false).map(|()| self.admin_view(username));
        self.reply(user)
    }

    fn admin_audit(&self, _: &Token, _: &str) -> Reply<AuditLog> {
        self.reply(self.gate("admin_audit", false).map(|()| AuditLog { items: vec![] }))
    }

    fn admin_sign_out(&self, _: &Token) -> Reply<()> {
        self.reply(self.gate("admin_sign_out", false))
    }

    fn admin_act(&self, _: &Token, username: &str, act: &AdminAct) -> Reply<AdminUser> {
        let done = self.gate("admin_act", false).map(|()| {
            match act {
                AdminAct::RevokeAll => self.items.borrow_mut().clear(),
                AdminAct::Disable => self.admin_disabled.set(true),
                AdminAct::Enable => self.admin_disabled.set(false),
                AdminAct::UnlockMfa => self.admin_locked.set(false),
                _ => {}
            }
            self.admin_view(username)
        });
        self.reply(done)
    }
}

impl Fake {
    fn admin_view(&self, username: &str) -> AdminUser {
        AdminUser {
            username: username.into(),
            display_name: "Nora New".into(),
            disabled: self.admin_disabled.get(),
            mfa_locked: self.admin_locked.get(),
            policy: Policy { allowed_methods: self.allowed.borrow().clone(), ..Policy::default() },
            app_passwords_offer: AppPasswordsOffer::Offered,
            directory: (username == ADA).then(|| DirectoryInfo {
                status: DirectoryStanding::Locked,
                seen_at: "2026-12-04T10:00:00Z".into(),
            }),
            provisioned: username == ADA,
            methods: self.methods.borrow().clone(),
            app_passwords: self.items.borrow().clone(),
        }
    }
}

async fn open_nora(ui: &Ui<AdminApp>) {
    ui.type_in("#ap-admin-q", "nora").await;
    ui.press("Search").await;
    ui.until("nora in the results", |ui| ui.has("[data-user='nora@contoso.example']")).await;
    ui.click("[data-user='nora@contoso.example']").await;
    ui.until_heading("Nora New").await;
}

#[wasm_bindgen_test]
async fn an_action_answered_after_the_helpdesk_went_back_is_told_to_the_host_but_opens_nothing() {
    let fake = Fake::new(Next::Ready).with_item("Outlook", None);
    let (ui, told) = Ui::mount_helpdesk(fake.clone()).await;
    open_nora(&ui).await;
    ui.press("Revoke all app passwords").await;
    let answer = fake.hold("admin_act");
    ui.press("Confirm").await;
    ui.until("the action to be sent", |ui| ui.fake.calls.borrow().contains(&"admin_act")).await;
    ui.press("← Back").await;
    ui.until("the search again", |ui| ui.has("#ap-admin-q")).await;
    answer.release();
    ui.until("the late answer to arrive", |_| fake.held_count() == 0).await;
    settle().await;
    assert!(ui.has("#ap-admin-q"), "still on the search: {}", ui.text());
    assert!(!ui.text().contains("Nora New"), "the page did not come back: {}", ui.text());
    assert_eq!(*told.borrow(), [("revoke-all-app-passwords", NORA.to_owned())], "done, and said");
    assert!(fake.items.borrow().is_empty());
}

#[wasm_bindgen_test]
async fn a_refusal_answered_after_the_helpdesk_went_back_shows_no_error_there() {
    let fake = Fake::new(Next::Ready).with_method(wire::MethodKind::Totp, "Authenticator app");
    let (ui, told) = Ui::mount_helpdesk(fake.clone()).await;
    open_nora(&ui).await;
    let refused = fake::problem(ErrorCode::Forbidden, 403, |_| {});
    *fake.fail_next.borrow_mut() = Some(("admin_act", refused));
    let answer = fake.hold("admin_act");
    ui.press("Reset verification methods").await;
    ui.press("Confirm").await;
    ui.until("the action to be sent", |ui| ui.fake.calls.borrow().contains(&"admin_act")).await;
    ui.press("← Back").await;
    ui.until("the search again", |ui| ui.has("#ap-admin-q")).await;
    answer.release();
    ui.until("the late answer to arrive", |_| fake.held_count() == 0).await;
    settle().await;
    assert!(!ui.has(".ap-error"), "no error on the search: {}", ui.text());
    assert!(!ui.q("button[type=submit]").has_attribute("disabled"), "nothing awaited");
    assert!(told.borrow().is_empty(), "nothing was done");

    // On the page, the same refusal says why.
    ui.click("[data-user='nora@contoso.example']").await;
    ui.until_heading("Nora New").await;
    let refused = fake::problem(ErrorCode::Forbidden, 403, |_| {});
    *fake.fail_next.borrow_mut() = Some(("admin_act", refused));
    ui.press("Reset verification methods").await;
    ui.press("Confirm").await;
    ui.until("the refusal to be said", |ui| ui.has(".ap-error")).await;
}

#[wasm_bindgen_test]
async fn a_person_of_the_directory_or_of_provisioning_is_shown_as_such() {
    let fake = Fake::new(Next::Ready);
    let (ui, _) = Ui::mount_helpdesk(fake.clone()).await;
    ui.type_in("#ap-admin-q", "ada").await;
    ui.press("Search").await;
    ui.until("ada in the results", |ui| ui.has("[data-user='ada.lovelace@contoso.example']")).await;
    ui.click("[data-user='ada.lovelace@contoso.example']").await;
    ui.until("her account", |ui| ui.has("[data-directory]")).await;
    let said = ui.q("[data-directory]").text_content().unwrap_or_default();
    assert!(said.starts_with("From the organization’s directory, which has locked them"), "{said}");
    assert!(said.contains("their app passwords are refused"), "{said}");
    let managed = ui.q("[data-provisioned]").text_content().unwrap_or_default();
    assert!(managed.starts_with("Managed by the organization’s identity system"), "{managed}");
    // A local account says nothing of a directory or of provisioning.
    ui.press("← Back").await;
    open_nora(&ui).await;
    assert!(!ui.has("[data-directory]") && !ui.has("[data-provisioned]"), "{}", ui.text());
}

#[wasm_bindgen_test]
async fn a_helpdesk_disables_and_enables_an_account_behind_a_confirmation() {
    let fake = Fake::new(Next::Ready);
    let (ui, told) = Ui::mount_helpdesk(fake.clone()).await;
    open_nora(&ui).await;
    ui.press("Disable account").await;
    ui.until("the question", |ui| ui.text().contains("Disable this account?")).await;
    assert!(!fake.admin_disabled.get(), "nothing before the confirmation");
    ui.press("Confirm").await;
    ui.until("disabled", |ui| ui.button("Enable account").is_some()).await;
    assert!(fake.admin_disabled.get());
    assert!(
        told.borrow().iter().any(|(name, _)| *name == "disable-account"),
        "{:?}",
        told.borrow()
    );
    ui.press("Enable account").await;
    ui.press("Confirm").await;
    ui.until("enabled", |ui| ui.button("Disable account").is_some()).await;
    assert!(!fake.admin_disabled.get());
}

#[wasm_bindgen_test]
async fn verification_locked_after_wrong_codes_is_unlocked_behind_a_confirmation() {
    let fake = Fake::new(Next::Ready);
    fake.admin_locked.set(true);
    let (ui, told) = Ui::mount_helpdesk(fake.clone()).await;
    open_nora(&ui).await;
    assert!(ui.text().contains("Verification is locked after too many wrong codes."));
    ui.press("Unlock verification").await;
    ui.until("the question", |ui| ui.text().contains("Unlock verification?")).await;
    assert!(fake.admin_locked.get(), "nothing before the confirmation");
    ui.press("Confirm").await;
    ui.until("unlocked", |ui| !ui.text().contains("Verification is locked")).await;
    assert!(ui.button("Unlock verification").is_none());
    assert_eq!(*told.borrow(), [("unlock-mfa", NORA.to_owned())]);
}

#[wasm_bindgen_test]
async fn signing_out_of_the_helpdesk_view_ends_its_token_and_keeps_nothing_on_the_page() {
    let fake = Fake::new(Next::Ready);
    let (ui, told) = Ui::mount_helpdesk(fake.clone()).await;
    open_nora(&ui).await;
    ui.press("Sign out of the helpdesk view").await;
    ui.until_heading("Signed out of the helpdesk view").await;
    assert!(fake.calls.borrow().contains(&"admin_sign_out"), "the token is ended");
    assert!(!ui.text().contains(NORA), "nothing of the person is left: {}", ui.text());
    assert!(ui.button("Search").is_none());
    assert_eq!(told.borrow().last().map(|(name, _)| *name), Some("sign-out"));
}

#[wasm_bindgen_test]
async fn the_helpdesk_sees_which_method_the_person_made_their_default() {
    let fake = Fake::new(Next::Ready)
        .with_method(wire::MethodKind::Sms, "+33 ••• •• 78")
        .with_method(wire::MethodKind::Passkey, "Laptop");
    let (ui, _) = Ui::mount_helpdesk(fake).await;
    open_nora(&ui).await;
    let names: Vec<String> =
        ui.all(".ap-item__name").iter().map(|e| e.text_content().unwrap_or_default()).collect();
    assert_eq!(names[..2], ["Text message · +33 ••• •• 78 Default", "Laptop"]);
}
