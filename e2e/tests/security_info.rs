//! Security info, end to end in the three engines: a person who set up an
//! authenticator app adds another method from Security info (a passkey where the
//! driver offers a virtual authenticator; WebKitGTK has no WebAuthn, so there an email
//! address), makes it the default, removes the app (the confirmation says what follows),
//! signs out, and the next sign-in offers the new default first. Screens photographed
//! (desktop and 360 px, light and dark) and audited by axe.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use app_passwords_e2e::{Browser, Driver, Kind, Server};

const NEW: (&str, &str) = server::demo::NEW_USER.credentials();
const EMAIL: &str = "nora.private@example.com";

struct Run {
    b: Browser,
    fr: bool,
    name: String,
}

impl Run {
    fn t<'a>(&self, en: &'a str, fr: &'a str) -> &'a str {
        if self.fr {
            fr
        } else {
            en
        }
    }

    /// Both widths photographed, then audited and checked at the desktop's.
    async fn check(&self, what: &str) {
        self.b.size(360, 780).await;
        self.b.shot(&format!("security/{}-{what}-360", self.name)).await;
        self.b.size(1280, 900).await;
        self.b.check(&format!("security/{}-{what}", self.name)).await;
    }

    async fn heading(&self, en: &str, fr: &str) {
        self.b.until_heading(self.t(en, fr)).await;
    }

    async fn press(&self, en: &str, fr: &str) {
        self.b.press(self.t(en, fr)).await;
    }

    /// The methods' names as listed, the default first.
    async fn listed(&self) -> Vec<String> {
        let script = "const roots = [document, ...[...document.querySelectorAll('app-passwords')]
                .map((e) => e.shadowRoot).filter(Boolean)];
            return roots.flatMap((r) => [...r.querySelectorAll('.ap-item__name')])
                .map((e) => e.textContent);";
        let names = self.b.client.execute(script, vec![]).await.unwrap();
        serde_json::from_value(names).unwrap()
    }

    async fn until_listed(&self, what: &str, check: impl Fn(&[String]) -> bool) {
        for _ in 0..200 {
            if check(&self.listed().await) {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("{what}: {:?}", self.listed().await);
    }
}

async fn journey(kind: Kind, fr: bool, dark: bool) {
    let server = Server::start().await;
    let driver = Driver::start(kind).await;
    let b = driver.browser(dark).await;
    let with_key = b.add_virtual_authenticator().await.is_ok();
    assert_eq!(with_key, kind != Kind::WebKit, "which drivers offer WebAuthn changed");
    let name = format!(
        "{}-{}{}",
        format!("{kind:?}").to_lowercase(),
        if fr { "fr" } else { "en" },
        if dark { "-dark" } else { "" }
    );
    let r = Run { b, fr, name };
    let app = r.t("Authenticator app", "Application d’authentification");
    r.b.open_app(&server.localhost(), fr).await;
    r.b.sign_in(NEW, fr).await;
    r.b.set_up_and_create("Outlook", server.clock.now(), fr).await;
    r.press("Done", "Terminé").await;
    r.heading("Your app passwords", "Vos mots de passe d’application").await;
    r.press("Security info", "Informations de sécurité").await;
    r.heading("Security info", "Informations de sécurité").await;
    r.check("01-one-method").await;

    r.press("Add a method", "Ajouter une méthode").await;
    r.heading("Choose a method", "Choisissez une méthode").await;
    let added = if with_key {
        r.b.click("label[for=ap-kind-passkey]").await;
        r.press("Continue", "Continuer").await;
        r.heading("Name your security key", "Nommez votre clé de sécurité").await;
        r.b.type_in("#ap-key-name", "Laptop").await;
        r.press("Register the key", "Enregistrer la clé").await;
        r.heading("Register your security key", "Enregistrez votre clé de sécurité").await;
        r.press("Register with my key", "Enregistrer avec ma clé").await;
        "Laptop".to_owned()
    } else {
        r.b.click("label[for=ap-kind-email]").await;
        r.press("Continue", "Continuer").await;
        r.b.type_in("#ap-email", EMAIL).await;
        r.press("Send code", "Envoyer le code").await;
        r.b.until_text(r.t("Enter the code", "Saisissez le code")).await;
        r.b.type_in("#ap-code", &server.last_code(EMAIL).await).await;
        r.press("Verify", "Vérifier").await;
        format!("{} · n•••@example.com", r.t("Email", "E-mail"))
    };
    r.heading("Method verified", "Méthode vérifiée").await;
    r.press("Next", "Suivant").await;
    r.heading("Security info", "Informations de sécurité").await;
    r.until_listed("the new method listed", |l| l.len() == 2).await;
    r.check("02-two-methods").await;

    let prefer = if fr {
        format!("button[aria-label='Définir par défaut\u{a0}: {added}']")
    } else {
        format!("button[aria-label='Make default: {added}']")
    };
    r.b.click(&prefer).await;
    r.until_listed("the new default first", |l| l[0].starts_with(added.as_str())).await;

    let remove = format!("button[aria-label='{} {app}']", r.t("Remove", "Supprimer"));
    r.b.click(&remove).await;
    r.b.until_text(r.t("Remove “", "Supprimer «")).await;
    r.check("03-confirm-remove").await;
    r.b.click(".ap-confirm .ap-button--danger-solid").await;
    r.until_listed("the app gone", |l| l.len() == 1).await;
    r.check("04-after").await;

    r.press("Sign out", "Se déconnecter").await;
    r.heading("Sign in", "Connexion").await;
    r.b.sign_in(NEW, fr).await;
    r.heading("Verify it is you", "Confirmez votre identité").await;
    let first = r.b.find(".ap-methods button").await.text().await.unwrap();
    assert_eq!(first, format!("{} {added}", r.t("Use", "Utiliser")), "the default offered first");
    assert!(!r.b.text().await.contains(app), "the app is gone");
    r.check("05-challenge").await;
    r.b.client.clone().close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn security_info_in_chromium() {
    journey(Kind::Chromium, false, false).await;
    journey(Kind::Chromium, true, true).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn security_info_in_firefox() {
    journey(Kind::Firefox, true, false).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn security_info_in_webkit() {
    journey(Kind::WebKit, false, false).await;
}
