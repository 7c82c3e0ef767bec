//! The admin CLI, run as a real process on the test server's database.

use std::io::Write;
use std::process::{Command, Stdio};

use crate::common::*;

pub fn cli(app: &TestApp, args: &[&str], stdin: Option<&str>) -> (bool, String) {
    cli_with(app, &[], args, stdin)
}

/// The CLI with more environment variables (`env`).
pub fn cli_with(
    app: &TestApp,
    env: &[(&str, &str)],
    args: &[&str],
    stdin: Option<&str>,
) -> (bool, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_app-passwords-server"))
        .args(args)
        .envs(env.iter().copied())
        .env("DATABASE_URL", &app.database_url)
        .env("APP_SECRET_KEY_FILE", app.dir.path().join("server.key"))
        .env("RUST_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(text) = stdin {
        child.stdin.take().unwrap().write_all(text.as_bytes()).unwrap();
    }
    let out = child.wait_with_output().unwrap();
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    (out.status.success(), text)
}

#[tokio::test]
async fn an_admin_creates_an_account_sets_its_policy_and_revokes_its_app_passwords() {
    let app = spawn_app().await;
    let (ok, out) = cli(
        &app,
        &[
            "account",
            "create",
            "Ada@Contoso.example",
            "--display-name",
            "Ada",
            "--methods",
            "totp,email",
        ],
        Some("Correct-horse-9\n"),
    );
    assert!(ok, "{out}");
    let ada = app.sign_in(("ada@contoso.example", "Correct-horse-9")).await;
    assert_eq!(ada.session["next"], "mfa_setup");
    assert_eq!(
        ada.session["account"]["policy"]["allowed_methods"],
        serde_json::json!(["totp", "email"])
    );
    ada.enroll_totp().await;
    let (id, password) = ada.create_app_password("Outlook").await;

    let (ok, out) = cli(&app, &["app-passwords", "list", "ada@contoso.example"], None);
    assert!(
        ok && out.contains(&id) && out.contains("Outlook") && !out.contains(&password),
        "{out}"
    );
    let (ok, _) = cli(&app, &["app-passwords", "revoke", "ada@contoso.example", "--all"], None);
    assert!(ok);
    assert_eq!(app.legacy("ada@contoso.example", &password).await.status(), 401);

    let (ok, out) =
        cli(&app, &["account", "policy", "ada@contoso.example", "--mfa-required", "false"], None);
    assert!(ok && out.contains("mfa_required=false"), "{out}");
    assert_eq!(
        app.sign_in(("ada@contoso.example", "Correct-horse-9")).await.session["next"],
        "not_available"
    );

    let (ok, _) = cli(&app, &["account", "disable", "ada@contoso.example"], None);
    assert!(ok);
    let (status, body) = problem(
        app.post(
            "/v1/sessions",
            serde_json::json!({"username": "ada@contoso.example", "password": "Correct-horse-9"}),
        )
        .await,
    )
    .await;
    assert_eq!((status, body["code"].as_str()), (403, Some("account_disabled")));
}

#[tokio::test]
async fn the_cli_refuses_bad_input_with_a_clear_message() {
    let app = spawn_app().await;
    let (ok, out) =
        cli(&app, &["account", "create", "x@y.example", "--display-name", "X"], Some("short\n"));
    assert!(!ok && out.contains("8 to 256 characters"), "{out}");
    let (ok, out) =
        cli(&app, &["account", "policy", "nobody@y.example", "--mfa-required", "true"], None);
    assert!(!ok && out.contains("no account"), "{out}");
    let (ok, out) = cli(&app, &["account", "policy", NEW_USER.0, "--methods", "pigeon"], None);
    assert!(!ok && out.contains("unknown method"), "{out}");
    // A policy no one could satisfy: a security key required, none allowed.
    let args =
        ["account", "policy", NEW_USER.0, "--methods", "totp", "--phishing-resistant", "true"];
    let (ok, out) = cli(&app, &args, None);
    assert!(!ok && out.contains("needs passkey among the allowed methods"), "{out}");
    let (ok, out) =
        cli(&app, &["account", "policy", NEW_USER.0, "--phishing-resistant", "true"], None);
    assert!(ok && out.contains("phishing_resistant=true"), "{out}");
    // App password scopes and lifetimes.
    let args = ["account", "policy", NEW_USER.0, "--scopes", "mail,dav", "--max-days", "90"];
    let (ok, out) = cli(&app, &args, None);
    assert!(ok && out.contains("scopes=mail,dav") && out.contains("max_days=90"), "{out}");
    let args = ["account", "policy", NEW_USER.0, "--remove-unused-days", "180"];
    let (ok, out) = cli(&app, &args, None);
    assert!(ok && out.contains("remove_unused_days=180"), "{out}");
    let (ok, out) = cli(&app, &["account", "policy", NEW_USER.0, "--max-days", "none"], None);
    assert!(ok && out.contains("max_days=none") && out.contains("scopes=mail,dav"), "{out}");
    for (flag, value, says) in [
        ("--max-days", "0", "from 1 to 3650"),
        ("--max-days", "soon", "from 1 to 3650"),
        ("--scopes", "pigeon", "unknown scope"),
    ] {
        let (ok, out) = cli(&app, &["account", "policy", NEW_USER.0, flag, value], None);
        assert!(!ok && out.contains(says), "{flag} {value}: {out}");
    }
    // ... nor may the key be taken off the list while the policy stands.
    let (ok, out) = cli(&app, &["account", "policy", NEW_USER.0, "--methods", "totp,sms"], None);
    assert!(!ok && out.contains("needs passkey"), "{out}");
}

#[tokio::test]
async fn a_helpdesk_lists_and_removes_methods_and_resets_mfa() {
    let app = spawn_app().await;
    let user = app.sign_in(NEW_USER).await;
    let secret = user.enroll_totp().await;
    let (ok, out) = cli(&app, &["methods", "list", NEW_USER.0], None);
    assert!(ok && out.contains("totp") && out.contains("Authenticator app"), "{out}");
    assert!(out.contains("last used 20"), "registering is a use: {out}");
    assert!(!out.contains(&secret) && !out.contains("v1:"), "never the key: {out}");
    let id = out.split('\t').next().unwrap().trim().to_owned();

    // Reset: methods gone, sessions ended, the next sign-in sets MFA up again.
    let (ok, out) = cli(&app, &["account", "reset-mfa", NEW_USER.0], None);
    assert!(ok && out.contains("1 methods removed"), "{out}");
    assert_eq!(user.get("/v1/account").await.status(), 401, "sessions ended");
    let again = app.sign_in(NEW_USER).await;
    assert_eq!(again.session["next"], "mfa_setup");

    let (ok, out) = cli(&app, &["methods", "remove", NEW_USER.0, &id], None);
    assert!(!ok && out.contains("no method"), "{out}");
    again.enroll_totp().await;
    let (_, out) = cli(&app, &["methods", "list", NEW_USER.0], None);
    let id = out.split('\t').next().unwrap().trim().to_owned();
    let (ok, _) = cli(&app, &["methods", "remove", NEW_USER.0, &id], None);
    assert!(ok);
    assert_eq!(app.sign_in(NEW_USER).await.session["next"], "mfa_setup");

    // Both actions are in the audit log, as the command line's, newest first; the
    // refused removal is not.
    let (ok, out) = cli(&app, &["audit", "--username", NEW_USER.0], None);
    let lines: Vec<&str> = out.lines().collect();
    assert!(ok && lines.len() == 2, "{out}");
    assert!(lines[0].contains("\tcli\t") && lines[0].contains("\tremove_method\t"), "{out}");
    assert!(lines[1].contains("\treset_mfa\t") && lines[1].contains("1 methods removed"), "{out}");
}

#[tokio::test]
async fn a_new_password_revokes_app_passwords_unless_told_to_keep_them() {
    let app = spawn_app().await;
    let user = app.sign_in(NEW_USER).await;
    user.enroll_totp().await;
    let (_, first) = user.create_app_password("Outlook").await;
    let (ok, out) = cli(
        &app,
        &["account", "set-password", NEW_USER.0, "--keep-app-passwords"],
        Some("Another-pass-1\n"),
    );
    assert!(ok && out.contains("0 app passwords revoked"), "{out}");
    assert_eq!(app.legacy(NEW_USER.0, &first).await.status(), 200, "kept on request");
    assert_eq!(user.get("/v1/account").await.status(), 401, "sessions end either way");

    let (ok, out) = cli(&app, &["account", "set-password", NEW_USER.0], Some("Third-pass-12\n"));
    assert!(ok && out.contains("1 app passwords revoked"), "{out}");
    assert_eq!(app.legacy(NEW_USER.0, &first).await.status(), 401, "revoked by default");
    app.sign_in((NEW_USER.0, "Third-pass-12")).await;
}

#[tokio::test]
async fn display_names_that_disguise_themselves_are_refused() {
    let app = spawn_app().await;
    let (ok, out) = cli(
        &app,
        &["account", "create", "eve@contoso.example", "--display-name", "IT\u{202E}kseD pleH"],
        Some("Correct-horse-9\n"),
    );
    assert!(!ok && out.contains("bidi"), "{out}");
}

#[tokio::test]
async fn the_command_line_tells_the_person_what_an_admin_did() {
    let app = spawn_app().await;
    let user = app.sign_in(NEW_USER).await;
    user.enroll_totp().await;
    user.create_app_password("Outlook").await;

    // In demo mode, to the outbox the demo server shows.
    let demo = [("APP_DEMO", "1")];
    for args in [
        &["account", "disable", NEW_USER.0][..],
        &["account", "enable", NEW_USER.0],
        &["app-passwords", "revoke", NEW_USER.0, "--all"],
        &["account", "reset-mfa", NEW_USER.0],
    ] {
        let (ok, out) = cli_with(&app, &demo, args, None);
        assert!(ok && out.contains("new.user@contoso.example was told"), "{args:?}: {out}");
    }
    let (ok, out) =
        cli_with(&app, &demo, &["account", "set-password", NEW_USER.0], Some("Fourth-pass-34\n"));
    assert!(ok && out.contains("was told"), "{out}");
    let outbox = app.outbox().await;
    let subjects: Vec<&str> = outbox
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["destination"] == NEW_USER.0 && m["channel"] == "notice")
        .filter_map(|m| m["body"].as_str()?.lines().next())
        .collect();
    assert_eq!(
        subjects,
        [
            "Your password was set (Contoso)",
            "Your sign-in methods were reset (Contoso)",
            "Your app passwords were revoked (Contoso)",
            "Your account was enabled (Contoso)",
            "Your account was disabled (Contoso)",
            "A new app password was created for your Contoso account",
            "A new sign-in method was added to your Contoso account",
        ],
        "newest first, one per action (after the person's own two)"
    );
    let revoked = outbox.as_array().unwrap().iter().find(|m| {
        m["body"].as_str().is_some_and(|b| b.starts_with("Your app passwords were revoked"))
    });
    let body = revoked.unwrap()["body"].as_str().unwrap();
    assert!(body.contains("An administrator of Contoso revoked all your app passwords"), "{body}");
    assert!(body.contains("What: 1 revoked: Outlook"), "{body}");

    // Over real SMTP, as a production server sends them.
    let smtpd = app_passwords_test_support::Smtpd::start().await;
    let relay = format!("smtp://127.0.0.1:{}", smtpd.port);
    let (ok, out) =
        cli_with(&app, &[("APP_SMTP_URL", &relay)], &["account", "unlock-mfa", NEW_USER.0], None);
    assert!(ok && out.contains("was told"), "{out}");
    let delivered = smtpd.messages();
    assert_eq!(delivered.len(), 1, "{delivered:?}");
    assert!(delivered[0].contains("Verification was unlocked (Contoso)"), "{}", delivered[0]);
    assert!(delivered[0].contains("To: new.user@contoso.example"), "{}", delivered[0]);

    // Nowhere to send it: the admin is told the person was not.
    let (ok, out) = cli(&app, &["account", "disable", NEW_USER.0], None);
    assert!(ok && out.contains("warning: new.user@contoso.example was not told"), "{out}");
}
