//! The helpdesk's view: the example portal's Users page embeds the module in admin mode
//! (its own bundle), with an admin token the portal's back end minted. A helpdesk finds
//! Nora, reads whether she sees App passwords, revokes all her app passwords (her mail
//! client is refused at once) and resets her verification (her next sign-in asks her to
//! set up a method again); the page shows what was done. Chromium in English, Firefox in
//! French; photographed and audited.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use app_passwords_e2e::{Driver, Kind, Server, Shadow};
use serde_json::json;

const NEW: (&str, &str) = server::demo::NEW_USER.credentials();

async fn helpdesk(kind: Kind, fr: bool) {
    let t = |en: &'static str, fr_text: &'static str| if fr { fr_text } else { en };
    let tag = format!("{}-{}", format!("{kind:?}").to_lowercase(), if fr { "fr" } else { "en" });
    let server = Server::with_portal().await;
    let portal = server.portal.clone().unwrap();
    let token = server.proven_session(NEW).await;
    let (_, mail) = server.create_app_password(&token, json!({"name": "Thunderbird"})).await;
    server.create_app_password(&token, json!({"name": "Phone"})).await;
    assert_eq!(server.legacy_status(NEW.0, &mail).await, 200);
    // The organization's identity system takes charge of her (SCIM): the helpdesk is told.
    let id = server.scim_id(NEW.0).await;
    let claimed = json!([{"op": "add", "path": "externalId", "value": "00u1nora"}]);
    assert_eq!(server.scim_patch(&id, claimed).await, 200);

    let driver = Driver::start(kind).await;
    let b = driver.browser(false).await;
    b.open(&format!("{portal}/users.html")).await;
    if fr {
        let set = "document.getElementById('helpdesk').setAttribute('lang', 'fr')";
        b.client.execute(set, vec![]).await.unwrap();
    }
    // What the portal hears from the module, as a host listening for its events would.
    let listen = "window.heard = []; document.addEventListener('app-passwords:admin-action',
                  (e) => window.heard.push(e.detail));";
    b.client.execute(listen, vec![]).await.unwrap();
    let app = Shadow { b: &b, index: 0 };
    app.until_heading(t("Helpdesk: app passwords", "Support : mots de passe d’application")).await;
    // A page of the helpdesk's view alone loads its bundle, not the app's.
    let wasm: Vec<String> =
        b.requested().await.into_iter().filter(|n| n.ends_with("_bg.wasm")).collect();
    assert!(wasm.len() == 1 && wasm[0].starts_with("app-passwords-admin-"), "{wasm:?}");
    app.type_in("#ap-admin-q", "nora").await;
    app.press(t("Search", "Rechercher")).await;
    app.click(&format!("button[data-user='{}']", NEW.0)).await;
    app.until_heading("Nora New").await;
    let text = app.text().await;
    assert!(
        text.contains(t("Yes: they can create app passwords.", "Oui : elle peut créer")),
        "{text}"
    );
    assert!(text.contains("Thunderbird") && text.contains("Phone"), "{text}");
    assert!(
        text.contains(t(
            "Managed by the organization’s identity system",
            "Gérée par le système d’identité de l’organisation"
        )),
        "{text}"
    );
    b.check(&format!("helpdesk/{tag}-01-user")).await;

    // Revoke all, confirmed: the mail client is refused at once.
    app.press(t("Revoke all app passwords", "Révoquer tous les mots de passe d’application")).await;
    app.find("#ap-confirm-q").await;
    b.check(&format!("helpdesk/{tag}-02-confirm-revoke-all")).await;
    app.press(t("Confirm", "Confirmer")).await;
    app.until_text(t("Done. They have been told by email.", "C’est fait.")).await;
    assert_eq!(server.legacy_status(NEW.0, &mail).await, 401);

    // Reset verification, confirmed: the next sign-in asks for a method again.
    app.press(t("Reset verification methods", "Réinitialiser les méthodes de vérification")).await;
    app.press(t("Confirm", "Confirmer")).await;
    app.until_text(t("No verification method is set up.", "Aucune méthode de vérification")).await;
    assert_eq!(server.sign_in(NEW.0, NEW.1).await["next"], "mfa_setup");

    // What the helpdesk did, newest first, by whom.
    let text = app.text().await;
    for said in [
        t("verification reset", "vérification réinitialisée"),
        t("all app passwords revoked", "tous les mots de passe d’application révoqués"),
        "IT Helpdesk (example portal)",
        t("Not yet:", "Pas encore :"),
    ] {
        assert!(text.contains(said), "{said:?} in {text}");
    }
    b.check(&format!("helpdesk/{tag}-03-after-reset")).await;

    // The policy: a policy no one could live under is refused and said why; turning app
    // passwords off is saved, and the answer to "why can't they see them" follows.
    for scope in ["mail", "dav", "exchange"] {
        app.click(&format!("#ap-policy-scope-{scope}")).await;
    }
    app.press(t("Save the policy", "Enregistrer la stratégie")).await;
    app.press(t("Confirm", "Confirmer")).await;
    app.until_text(t("No one could sign in under this policy", "Personne ne pourrait")).await;
    app.click("#ap-policy-scope-mail").await;
    app.click("#ap-policy-app-passwords").await;
    app.press(t("Save the policy", "Enregistrer la stratégie")).await;
    app.press(t("Confirm", "Confirmer")).await;
    app.until_text(t(
        "No: app passwords are turned off",
        "Non : les mots de passe d’application sont désactivés",
    ))
    .await;
    app.until_text(t("policy changed", "stratégie modifiée")).await;
    b.check(&format!("helpdesk/{tag}-04-policy")).await;

    // Disabled behind a confirmation that says what it does: sign-in refused; then
    // enabled again.
    app.press(t("Disable account", "Désactiver le compte")).await;
    app.until_text(t("Disable this account?", "Désactiver ce compte ?")).await;
    b.check(&format!("helpdesk/{tag}-05-confirm-disable")).await;
    app.press(t("Confirm", "Confirmer")).await;
    app.until_text(t("Enable account", "Réactiver le compte")).await;
    assert_eq!(server.sign_in(NEW.0, NEW.1).await["code"], "account_disabled");
    app.press(t("Enable account", "Réactiver le compte")).await;
    app.press(t("Confirm", "Confirmer")).await;
    app.until_text(t("Disable account", "Désactiver le compte")).await;
    let again = server.sign_in(NEW.0, NEW.1).await;
    assert!(again["token"].is_string(), "signed in again: {again}");

    // Signing out of the view ends its token (refused everywhere after: helpdesk.rs of
    // the API tests); the page keeps nothing.
    app.press(t("Sign out of the helpdesk view", "Se déconnecter de la vue support")).await;
    app.until_heading(t("Signed out of the helpdesk view", "Déconnecté de la vue support")).await;
    b.check(&format!("helpdesk/{tag}-06-signed-out")).await;
    let ended: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM ended_admin_tokens")
        .fetch_one(server.db())
        .await
        .unwrap();
    assert_eq!(ended, 1, "the view's token is ended");

    // One event per action done (the refused policy none), each without a secret.
    let heard = b.client.execute("return window.heard", vec![]).await.unwrap();
    let actions: Vec<&str> =
        heard.as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(
        actions,
        [
            "revoke-all-app-passwords",
            "reset-mfa",
            "set-policy",
            "disable-account",
            "enable-account",
            "sign-out"
        ],
        "{heard}"
    );
    let heard = heard.as_array().unwrap();
    assert!(
        heard[..heard.len() - 1]
            .iter()
            .all(|e| e["username"] == NEW.0 && e.as_object().unwrap().len() == 2),
        "{heard:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_helpdesk_revokes_and_resets_from_the_portal_in_chromium_in_english() {
    helpdesk(Kind::Chromium, false).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_helpdesk_revokes_and_resets_from_the_portal_in_firefox_in_french() {
    helpdesk(Kind::Firefox, true).await;
}
